//! Resilience of the guided commands under faults injected into the simulated API server:
//! dropped and expired watches, server restarts, transient 5xx/429 and closed connections,
//! conflicts from concurrent writers, a read-only user, and Ctrl-C. Each test fails if the
//! tool's handling of its fault is removed.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use sts_sim::Fault;
use sts_sim::resources;

use crate::common::setup::web_cluster;
use crate::common::{self, Cluster, stderr_of, stdout_of};

/// New pods come up only after several seconds (`slow` image, staged above the partition), so
/// that a fault can be injected while a command waits.
fn stage_slow_pods(cluster: &Cluster) {
    let staged = json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 3}},
        "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:slow"}]}}}});
    common::patch(cluster, &resources::STATEFULSETS, "web", staged);
}

fn spawn(cluster: &Cluster, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("kubectl-sts"))
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Blocks until the command has its watches open (it is waiting).
fn wait_for_watches(cluster: &Cluster) {
    cluster.wait_for("the command to watch", Duration::from_secs(30), |c| {
        c.requests().iter().any(|e| e.verb == "watch")
    });
}

fn ready(cluster: &Cluster) -> i64 {
    cluster.statefulset("web")["status"]["readyReplicas"]
        .as_i64()
        .unwrap_or(0)
}

#[test]
fn dropped_and_expired_watches_are_resumed_and_the_wait_completes() {
    if common::skip_on_real("drops watches and compacts the store (simulator fault injection)") {
        return;
    }
    let cluster = web_cluster();
    stage_slow_pods(&cluster);
    let child = spawn(
        &cluster,
        &["scale", "web", "--replicas", "5", "--yes", "--timeout", "60s"],
    );
    wait_for_watches(&cluster);
    cluster.sim.faults().drop_watches();
    std::thread::sleep(Duration::from_millis(300));
    cluster.sim.store.compact();
    cluster.sim.faults().drop_watches();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(ready(&cluster), 5);
    let watches = cluster
        .sim
        .log
        .entries()
        .iter()
        .filter(|e| e.verb == "watch")
        .count();
    assert!(
        watches > 4,
        "the watches were opened again ({watches} watch requests)"
    );
}

#[test]
fn a_restarting_api_server_does_not_break_a_wait() {
    let cluster = web_cluster();
    stage_slow_pods(&cluster);
    let child = spawn(
        &cluster,
        &["scale", "web", "--replicas", "4", "--yes", "--timeout", "60s"],
    );
    wait_for_watches(&cluster);
    match cluster.plane() {
        Some(real) => real.plane.restart_apiserver().expect("the API server restarts"),
        None => cluster.sim.faults().restart(Duration::from_millis(500)),
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(ready(&cluster), 4);
}

#[test]
fn transient_server_errors_and_closed_connections_are_retried() {
    if common::skip_on_real("injects 503s and dropped connections (simulator fault injection)") {
        return;
    }
    let cluster = web_cluster();
    cluster.sim.faults().inject(Fault::errors(503, 2)).unwrap();
    cluster.sim.faults().inject(Fault::close(1)).unwrap();
    let output = cluster.sts().args(["status", "web"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("steady: 3/3 pods ready"),
        "{}",
        stdout_of(&output)
    );
    assert!(stderr_of(&output).contains("retrying"), "{}", stderr_of(&output));

    cluster
        .sim
        .faults()
        .inject(Fault::errors(429, 2).on("statefulsets"))
        .unwrap();
    let scaled = cluster
        .sts()
        .args(["scale", "web", "--replicas", "4", "--yes"])
        .output()
        .unwrap();
    assert!(scaled.status.success(), "{}", stderr_of(&scaled));
    assert_eq!(ready(&cluster), 4);
}

#[test]
fn persistent_server_errors_are_reported_within_the_deadline() {
    if common::skip_on_real("injects 500s for a while (simulator fault injection)") {
        return;
    }
    let cluster = web_cluster();
    cluster
        .sim
        .faults()
        .inject(Fault::errors_for(500, Duration::from_secs(20)))
        .unwrap();
    let started = std::time::Instant::now();
    let output = cluster
        .sts()
        .args(["status", "web", "--timeout", "1s"])
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).contains("cannot get statefulset default/web"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn a_conflict_from_another_writer_is_re_planned_not_overwritten() {
    if common::skip_on_real("injects a 409 Conflict (simulator fault injection)") {
        return;
    }
    let cluster = web_cluster();
    cluster
        .sim
        .faults()
        .inject(Fault::conflict(1).on("statefulsets"))
        .unwrap();
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "4", "--yes"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let patches: Vec<u16> = cluster
        .sim
        .log
        .entries()
        .iter()
        .filter(|e| e.verb == "patch" && e.resource == "statefulsets")
        .map(|e| e.status)
        .collect();
    assert_eq!(
        patches,
        [409, 200],
        "one refused write, then one on the re-read state"
    );
    assert_eq!(ready(&cluster), 4);
}

#[test]
fn a_read_only_user_gets_one_line_and_nothing_half_done() {
    let cluster = web_cluster();
    let viewer = cluster.viewer_kubeconfig();
    let before = cluster.statefulset("web")["metadata"]["resourceVersion"].clone();
    for args in [
        vec!["scale", "web", "--replicas", "5", "--yes"],
        vec![
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.26",
            "--partition",
            "0",
            "--yes",
        ],
        vec!["restart", "web", "--yes"],
        vec!["roll", "web", "--ordinals", "0", "--yes"],
    ] {
        let output = cluster
            .sts()
            .env("KUBECONFIG", &viewer)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let err = stderr_of(&output);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        let names_namespace =
            err.contains("namespace default") || err.contains("in the namespace \"default\"");
        assert!(
            err.contains("\"viewer\"") && err.contains("may not") && names_namespace,
            "{args:?}: {err}"
        );
    }
    let succeeded_writes = cluster
        .requests()
        .into_iter()
        .filter(|e| e.is_mutating() && e.status < 300)
        .count();
    assert_eq!(succeeded_writes, 0);
    assert_eq!(cluster.statefulset("web")["metadata"]["resourceVersion"], before);
}

#[test]
fn ctrl_c_exits_130_saying_what_is_in_flight_and_rerunning_converges() {
    let cluster = web_cluster();
    stage_slow_pods(&cluster);
    let child = spawn(&cluster, &["scale", "web", "--replicas", "5", "--yes"]);
    wait_for_watches(&cluster);
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.contains("interrupted") && err.contains("kubectl sts scale web --replicas 5"),
        "{err}"
    );
    let resumed = cluster
        .sts()
        .args(["scale", "web", "--replicas", "5"])
        .output()
        .unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert_eq!(ready(&cluster), 5);
}

#[test]
fn sigterm_during_a_roll_names_the_pod_in_flight() {
    let cluster = Cluster::start();
    cluster.apply_fixture("zk.yaml");
    cluster.wait_ready("zk", 3);
    let image = json!({"spec": {"template": {"spec": {"containers": [{"name": "zookeeper", "image": "zookeeper:slow-3.9"}]}}}});
    common::patch(&cluster, &resources::STATEFULSETS, "zk", image);
    let child = Command::new(assert_cmd::cargo::cargo_bin("kubectl-sts"))
        .env("KUBECONFIG", &cluster.kubeconfig)
        .args(["roll", "zk", "--yes"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    cluster.wait_for("zk-2 to be taken down", Duration::from_secs(30), |c| {
        c.requests()
            .iter()
            .any(|e| e.verb == "delete" && e.name.as_deref() == Some("zk-2"))
    });
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("zk-2 in flight"),
        "{}",
        stderr_of(&output)
    );
    let resumed = cluster.sts().args(["roll", "zk", "--yes"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    let update = cluster.statefulset("zk")["status"]["updateRevision"].clone();
    assert!(
        cluster
            .pods()
            .iter()
            .all(|p| p["metadata"]["labels"]["controller-revision-hash"] == update)
    );
}

#[test]
fn a_read_whose_connection_drops_is_sent_again_once_quietly_on_a_new_connection() {
    if common::skip_on_real("drops a connection (simulator fault injection)") {
        return;
    }
    let cluster = web_cluster();
    cluster.sim.log.clear();
    cluster
        .sim
        .faults()
        .inject(Fault::close(1).on("statefulsets").verb("get"))
        .unwrap();
    let output = cluster.sts().args(["status", "web"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stderr_of(&output), "", "nothing to say about it");
    let gets: Vec<_> = cluster
        .sim
        .log
        .entries()
        .into_iter()
        .filter(|e| e.resource == "statefulsets" && e.verb == "get")
        .collect();
    let statuses: Vec<u16> = gets.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [0, 200], "dropped, then answered: {gets:?}");
    assert_ne!(gets[0].connection, gets[1].connection, "on a new connection");
}

#[test]
fn a_delete_whose_answer_is_lost_is_judged_by_its_precondition_and_never_hits_the_replacement() {
    if common::skip_on_real("loses the answer to a delete it carried out (simulator fault injection)") {
        return;
    }
    let cluster = crate::common::setup::zk_cluster();
    crate::common::setup::set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9.3");
    let deletions = common::record_deletions(&cluster);
    cluster
        .sim
        .faults()
        .inject(Fault::lose_answer(1).on("pods").verb("delete"))
        .unwrap();
    let output = cluster.sts().args(["roll", "zk", "--yes"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let lost: Vec<_> = cluster
        .sim
        .log
        .entries()
        .into_iter()
        .filter(|e| e.fault.as_deref() == Some("lose-answer"))
        .collect();
    assert_eq!(lost.len(), 1, "one delete carried out, its answer lost: {lost:?}");
    let mut deleted = deletions.lock().unwrap().clone();
    deleted.retain(|d| d.starts_with("pods/"));
    deleted.sort();
    assert_eq!(
        deleted,
        ["pods/zk-0", "pods/zk-1", "pods/zk-2"],
        "each member replaced once: the delete sent again under its uid never took the replacement"
    );
    let update = cluster.statefulset("zk")["status"]["updateRevision"].clone();
    assert!(
        cluster
            .pods()
            .iter()
            .all(|p| p["metadata"]["labels"]["controller-revision-hash"] == update)
    );

    // A patch of the set carried out, its answer lost: sent again under the resourceVersion
    // it was planned on, refused, re-read and found done.
    cluster
        .sim
        .faults()
        .inject(Fault::lose_answer(1).on("statefulsets").verb("patch"))
        .unwrap();
    let output = cluster
        .sts()
        .args(["scale", "zk", "--replicas", "4", "--yes"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let said = stdout_of(&output);
    assert!(
        said.contains("scaled statefulset default/zk to 4 replicas"),
        "{said}"
    );
    assert_eq!(cluster.statefulset("zk")["status"]["readyReplicas"], 4);
}
