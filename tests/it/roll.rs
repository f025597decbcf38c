//! Black-box tests of `roll` and `restart` on the ZooKeeper fixture (OnDelete, Parallel, a
//! PodDisruptionBudget allowing one member down) and the web fixture (RollingUpdate).

use std::collections::HashMap;

use serde_json::{Value, json};
use sts_sim::resources;

use crate::common::setup::{set_image, zk_cluster};
use crate::common::{self, Cluster, Transitions, stderr_of, stdout_of};

fn uids(cluster: &Cluster) -> HashMap<String, String> {
    cluster
        .pods()
        .iter()
        .map(|p| {
            (
                p["metadata"]["name"].as_str().unwrap().to_string(),
                p["metadata"]["uid"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn revisions(cluster: &Cluster) -> Vec<String> {
    let mut pods = cluster.pods();
    pods.sort_by_key(|p| p["metadata"]["name"].as_str().unwrap().to_string());
    pods.iter()
        .map(|p| {
            p["metadata"]["labels"]["controller-revision-hash"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The most members down at once: a pod is down from TERMINATING until a pod of its name is READY.
fn most_down_at_once(transitions: &[String]) -> usize {
    let mut down = std::collections::HashSet::new();
    let mut most = 0;
    for t in transitions {
        let (event, pod) = t.split_once(' ').unwrap();
        match event {
            "TERMINATING" => {
                down.insert(pod.to_string());
            }
            "READY" => {
                down.remove(pod);
            }
            _ => {}
        }
        most = most.max(down.len());
    }
    most
}

#[test]
fn roll_replaces_outdated_members_highest_first_each_after_the_previous_is_ready() {
    let cluster = zk_cluster();
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9");
    let transitions = Transitions::record(&cluster);
    let output = cluster.sts().args(["roll", "zk", "--yes"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("rolled statefulset default/zk: 3 pod(s) replaced"),
        "{}",
        stdout_of(&output)
    );
    let order = [
        transitions.position("TERMINATING zk-2"),
        transitions.position("READY zk-2"),
        transitions.position("TERMINATING zk-1"),
        transitions.position("READY zk-1"),
        transitions.position("TERMINATING zk-0"),
        transitions.position("READY zk-0"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", transitions.list());
    let update = cluster.statefulset("zk")["status"]["updateRevision"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(revisions(&cluster).iter().all(|r| *r == update));
    let again = cluster.sts().args(["roll", "zk"]).output().unwrap();
    assert!(again.status.success());
    assert!(
        stdout_of(&again).contains("nothing to roll"),
        "{}",
        stdout_of(&again)
    );
}

#[test]
fn evict_honours_the_budget_and_never_takes_two_members_down() {
    let cluster = zk_cluster();
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9");
    let transitions = Transitions::record(&cluster);
    let output = cluster
        .sts()
        .args(["roll", "zk", "--evict", "--yes", "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        most_down_at_once(&transitions.list()),
        1,
        "{:?}",
        transitions.list()
    );
    // One eviction per member; a budget that has not yet counted the last replacement Ready
    // refuses one with 429 now and then (on a busy real control plane), and it is asked again.
    let evictions: Vec<u16> = cluster
        .requests()
        .iter()
        .filter(|e| e.path.ends_with("/eviction"))
        .map(|e| e.status)
        .collect();
    let granted = evictions.iter().filter(|s| (200..300).contains(*s)).count();
    assert_eq!(granted, 3, "{evictions:?}");
    assert!(
        evictions.iter().all(|s| (200..300).contains(s) || *s == 429),
        "{evictions:?}"
    );
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["kind"], "RollResult");
    assert_eq!(doc["plan"]["method"], "evict");
    for pod in doc["outcome"]["pods"].as_array().unwrap() {
        assert_ne!(pod["old_uid"], pod["new_uid"]);
        assert!(pod["new_uid"].is_string() && pod["seconds"].is_f64(), "{pod}");
    }
}

#[test]
fn eviction_blocked_by_the_budget_waits_and_goes_on_when_allowed() {
    let cluster = zk_cluster();
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9");
    // A budget allowing no disruption at all until it is relaxed.
    common::patch(
        &cluster,
        &resources::PDBS,
        "zk-pdb",
        json!({"spec": {"maxUnavailable": 0}}),
    );
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-sts"))
        .env("KUBECONFIG", &cluster.kubeconfig)
        .args([
            "roll",
            "zk",
            "--evict",
            "--yes",
            "--ordinals",
            "2",
            "--timeout",
            "60s",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let before = uids(&cluster)["zk-2"].clone();
    cluster.wait_for("a refused eviction", std::time::Duration::from_secs(30), |c| {
        c.requests()
            .iter()
            .any(|e| e.path.ends_with("/eviction") && e.status == 429)
    });
    assert_eq!(
        uids(&cluster)["zk-2"],
        before,
        "nothing evicted while the budget forbids it"
    );
    common::patch(
        &cluster,
        &resources::PDBS,
        "zk-pdb",
        json!({"spec": {"maxUnavailable": 1}}),
    );
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("eviction refused: The disruption budget zk-pdb"),
        "{}",
        stderr_of(&output)
    );
    assert_ne!(uids(&cluster)["zk-2"], before);
}

#[test]
fn a_broken_image_stops_the_roll_and_rerunning_after_the_fix_resumes() {
    let cluster = zk_cluster();
    let before = uids(&cluster);
    set_image(&cluster, "zk", "zookeeper", "zookeeper:broken");
    let output = cluster.sts().args(["roll", "zk", "--yes"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.contains("zk-2: replacement CrashLoopBackOff")
            && err.contains("re-run `kubectl sts roll zk -n default` to resume"),
        "{err}"
    );
    let after = uids(&cluster);
    assert_ne!(after["zk-2"], before["zk-2"]);
    assert_eq!(after["zk-1"], before["zk-1"]);
    assert_eq!(after["zk-0"], before["zk-0"]);

    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9");
    let resumed = cluster.sts().args(["roll", "zk", "--yes"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    let update = cluster.statefulset("zk")["status"]["updateRevision"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(revisions(&cluster).iter().all(|r| *r == update));
    assert_eq!(cluster.statefulset("zk")["status"]["readyReplicas"], 3);
}

#[test]
fn restart_on_delete_replaces_every_pod_once() {
    let cluster = zk_cluster();
    let before = uids(&cluster);
    let transitions = Transitions::record(&cluster);
    let output = cluster.sts().args(["restart", "zk", "--yes"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let after = uids(&cluster);
    assert!(before.iter().all(|(pod, uid)| after[pod] != *uid));
    let terminations = transitions
        .list()
        .iter()
        .filter(|t| t.starts_with("TERMINATING"))
        .count();
    assert_eq!(terminations, 3, "{:?}", transitions.list());
    let sts = cluster.statefulset("zk");
    assert!(
        sts["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].is_string()
    );
}

#[test]
fn restart_on_rolling_update_leaves_replacing_to_the_controller_and_waits() {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    let before = uids(&cluster);
    let output = cluster.sts().args(["restart", "web", "--yes"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("replaced by the controller"),
        "{}",
        stdout_of(&output)
    );
    let deletes = cluster.requests().iter().filter(|e| e.verb == "delete").count();
    assert_eq!(deletes, 0, "the controller replaces pods, not the command");
    let after = uids(&cluster);
    assert!(before.iter().all(|(pod, uid)| after[pod] != *uid));
    let sts = cluster.statefulset("web");
    assert_eq!(sts["status"]["currentRevision"], sts["status"]["updateRevision"]);
    assert_eq!(sts["status"]["readyReplicas"], 3);
}

#[test]
fn roll_on_a_rolling_update_set_explains_and_changes_nothing() {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    let output = cluster.sts().args(["roll", "web", "--yes"]).output().unwrap();
    assert!(output.status.success());
    let text = stdout_of(&output);
    assert!(
        text.contains("the controller replaces outdated pods itself")
            && text.contains("kubectl sts restart web"),
        "{text}"
    );
    assert_eq!(cluster.write_count(), 0);
}

#[test]
fn bad_ordinals_and_missing_confirmation_change_nothing() {
    let cluster = zk_cluster();
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9");
    common::assert_refused(
        &cluster,
        &[
            (
                vec!["roll", "zk", "--ordinals", "3", "--yes"],
                2,
                "ordinal 3 is not in statefulset default/zk (its ordinals are 0..=2)",
            ),
            (
                vec!["roll", "zk", "--ordinals", "1,1", "--yes"],
                2,
                "ordinal 1 is given twice",
            ),
            (vec!["roll", "zk", "--ordinals", "x"], 2, "invalid value"),
            (
                vec!["roll", "nope", "--yes"],
                1,
                "statefulset default/nope not found",
            ),
            (
                vec!["roll", "zk"],
                1,
                "refusing to roll statefulset default/zk without confirmation",
            ),
        ],
    );
    let before = uids(&cluster);
    let dry = cluster.sts().args(["roll", "zk", "--dry-run"]).output().unwrap();
    assert!(dry.status.success(), "{}", stderr_of(&dry));
    assert!(
        stdout_of(&dry).contains("dry run: the server accepted every write (3)"),
        "{}",
        stdout_of(&dry)
    );
    assert_eq!(uids(&cluster), before);
}

#[test]
fn a_restart_by_eviction_says_evicted_in_its_plan() {
    let cluster = zk_cluster();
    let output = cluster
        .sts()
        .args(["restart", "zk", "--evict", "--dry-run"])
        .output()
        .unwrap();
    let plan = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        plan.contains("each evicted (PodDisruptionBudgets honoured) after every other member is Ready"),
        "{plan}"
    );
    assert!(!plan.contains("each deleted"), "{plan}");
}
