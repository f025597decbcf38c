//! Black-box tests of `wait`: converged under the set's own strategy (a partition's held pods
//! and an OnDelete set's outdated ones named, not waited for), a change someone else made
//! followed to its end, a crash-looping rollout stopped with exit 3, a timeout with exit 4 —
//! and never a write.

use std::time::Duration;

use crate::common::setup::{
    crash_looping_cluster, json_of, pod_images, pod_marks, set_image, staged_cluster, web_cluster, zk_cluster,
};
use sts_sim::resources;

use crate::common::{Cluster, stderr_of, stdout_of};

/// Runs `wait` with `args`, asserting it wrote nothing; its output.
fn wait(cluster: &Cluster, args: &[&str]) -> std::process::Output {
    let writes = cluster.write_count();
    let output = cluster.sts().arg("wait").args(args).output().unwrap();
    assert_eq!(
        cluster.write_count(),
        writes,
        "wait wrote: {}",
        stderr_of(&output)
    );
    output
}

#[test]
fn wait_on_a_partitioned_set_converges_and_names_the_pods_the_partition_holds() {
    let cluster = staged_cluster();
    let before = pod_marks(&cluster);
    let output = wait(&cluster, &["web", "-o", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let report = json_of(&output);
    assert_eq!(report["kind"], "StatefulSetWait");
    assert_eq!(report["outcome"], "converged");
    assert_eq!(report["left_outdated"], serde_json::json!(["web-0", "web-1"]));
    assert_eq!(report["left_to"], "kubectl sts promote web -n default");
    assert_eq!(pod_marks(&cluster), before, "no pod was touched");

    let table = wait(&cluster, &["web"]);
    let text = stdout_of(&table);
    assert!(
        text.contains("statefulset default/web converged: 3/3 Ready on web-"),
        "{text}"
    );
    assert!(
        text.contains("web-0, web-1 left on an older revision by the update strategy: `kubectl sts promote web -n default` moves them"),
        "{text}"
    );
}

#[test]
fn wait_follows_someone_elses_rolling_update_to_its_end() {
    let cluster = web_cluster();
    // A `slow` image takes seconds to be Ready: the wait starts before the update is over,
    // however loaded the machine is.
    set_image(&cluster, "web", "nginx", "nginx:1.26-slow");
    let output = wait(&cluster, &["web", "--timeout", "2m"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    // Converged means done: every pod on the new image and Ready the moment wait returned.
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.26-slow"; 3]);
    let sts = cluster.statefulset("web");
    assert_eq!(sts["status"]["readyReplicas"], 3, "{sts}");
    assert_eq!(sts["status"]["updatedReplicas"], 3, "{sts}");
    assert_eq!(
        sts["status"]["currentRevision"], sts["status"]["updateRevision"],
        "{sts}"
    );
    let text = stdout_of(&output);
    let revision = sts["status"]["updateRevision"].as_str().unwrap();
    assert!(
        text.contains(&format!("converged: 3/3 Ready on {revision}")),
        "{text}"
    );
    assert!(stderr_of(&output).contains("waiting: "), "{}", stderr_of(&output));
}

#[test]
fn wait_on_an_on_delete_set_names_the_pods_left_to_roll_and_touches_none() {
    let cluster = zk_cluster();
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9.3");
    let before = pod_marks(&cluster);
    let output = wait(&cluster, &["zk", "-o", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let report = json_of(&output);
    assert_eq!(report["outcome"], "converged");
    assert_eq!(
        report["left_outdated"],
        serde_json::json!(["zk-0", "zk-1", "zk-2"])
    );
    assert_eq!(report["left_to"], "kubectl sts roll zk -n default");
    assert_eq!(
        pod_marks(&cluster),
        before,
        "an OnDelete set's pods are never replaced by waiting"
    );
}

#[test]
fn wait_stops_at_a_crash_looping_rollout_with_exit_3_naming_the_pod() {
    let cluster = crash_looping_cluster();
    let output = wait(&cluster, &["web", "-o", "json", "--timeout", "2m"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let report = json_of(&output);
    assert_eq!(report["outcome"], "blocked");
    assert_eq!(report["blocker"]["object"], "pod web-2");
    assert_eq!(report["blocker"]["severity"], "blocked");
    let error = stderr_of(&output);
    assert!(
        error.contains("statefulset default/web is blocked: pod web-2: container nginx ")
            && error.contains("see `kubectl sts why web -n default`"),
        "{error}"
    );
    assert!(report["waited_seconds"].as_u64().unwrap() < 60, "{report}");
}

#[test]
fn wait_times_out_with_exit_4_saying_what_it_waits_on() {
    let cluster = web_cluster();
    // Each `slow` pod takes seconds to be Ready: three of them cannot be rolled in one.
    set_image(&cluster, "web", "nginx", "nginx:slow");
    let output = wait(&cluster, &["web", "--timeout", "1s", "-o", "json"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    let report = json_of(&output);
    assert_eq!(report["outcome"], "timed_out");
    let waiting_on = report["waiting_on"]
        .as_str()
        .unwrap_or_else(|| panic!("{report}"));
    assert!(waiting_on.starts_with("web-"), "{report}");
    let error = stderr_of(&output);
    assert!(
        error.contains("statefulset default/web has not converged after 1s: web-"),
        "{error}"
    );
    // The rollout goes on without the tool.
    cluster.wait_for("the rollout to finish", Duration::from_secs(120), |c| {
        (0..3).all(|o| {
            c.get(&resources::PODS, &format!("web-{o}"))
                .is_some_and(|p| p["spec"]["containers"][0]["image"] == "nginx:slow")
        })
    });
}

#[test]
fn wait_on_a_set_that_does_not_exist_is_an_error_naming_it() {
    let cluster = web_cluster();
    let output = wait(&cluster, &["nope"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("statefulset default/nope not found"),
        "{}",
        stderr_of(&output)
    );
}
