//! Regression tests of what a new user hit (issue 19), each named after what it pins, on the
//! simulated cluster.

use std::time::{Duration, Instant};

use serde_json::Value;
use sts_sim::resources;

use crate::common::pty::Terminal;
use crate::common::setup::{partition, run_ok, stage_rollout, staged_cluster, web_cluster as web};
use crate::common::{self, Cluster, stderr_of, stdout_of};

fn pod(cluster: &Cluster, ordinal: i32) -> Value {
    cluster
        .get(&resources::PODS, &format!("web-{ordinal}"))
        .expect("pod exists")
}

fn uid(cluster: &Cluster, ordinal: i32) -> String {
    pod(cluster, ordinal)["metadata"]["uid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn image(cluster: &Cluster, ordinal: i32) -> String {
    pod(cluster, ordinal)["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap()
        .to_string()
}

fn annotations(cluster: &Cluster) -> Value {
    cluster.statefulset("web")["metadata"]["annotations"].clone()
}

/// `rollout 1.26 --partition 2`, then `rollout 1.27 --partition 1`: web-0 stays on 1.25.
fn two_staged_rollouts(cluster: &Cluster) {
    stage_rollout(cluster);
    run_ok(
        cluster,
        &[
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.27",
            "--partition",
            "1",
            "--yes",
        ],
    );
    assert_eq!(
        (0..3).map(|o| image(cluster, o)).collect::<Vec<_>>(),
        ["nginx:1.25", "nginx:1.27", "nginx:1.27"]
    );
}

#[test]
fn undo_in_a_staged_rollout_aborts_it_and_keeps_the_pods_below_the_partition() {
    let cluster = web();
    two_staged_rollouts(&cluster);
    let below = uid(&cluster, 0);
    let undo = run_ok(&cluster, &["undo", "web", "--yes"]);
    assert!(
        stdout_of(&undo).contains("undo aborts it, as `kubectl sts abort web -n default` does"),
        "{}",
        stdout_of(&undo)
    );
    assert!(!stdout_of(&undo).contains("delete web-0"), "{}", stdout_of(&undo));
    assert_eq!(uid(&cluster, 0), below, "web-0 was below the partition and Ready");
    assert!(cluster.sim.log.with("delete", "pods").is_empty());
    assert_eq!(
        (0..3).map(|o| image(&cluster, o)).collect::<Vec<_>>(),
        ["nginx:1.25"; 3]
    );
    assert_eq!(partition(&cluster, "web"), 0, "the partition before the rollouts");
    assert!(
        annotations(&cluster)
            .get("kubectl-sts.io/partition-before-rollout")
            .is_none()
    );

    run_ok(
        &cluster,
        &[
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.27",
            "--partition",
            "0",
            "--yes",
        ],
    );
    cluster.wait_ready("web", 3);
    assert_eq!(
        (0..3).map(|o| image(&cluster, o)).collect::<Vec<_>>(),
        ["nginx:1.27"; 3]
    );
}

#[test]
fn undo_to_a_revision_in_a_staged_rollout_deletes_no_ready_pod_and_keeps_the_records() {
    let cluster = web();
    two_staged_rollouts(&cluster);
    let below = uid(&cluster, 0);
    run_ok(&cluster, &["undo", "web", "--to-revision", "2", "--yes"]);
    assert_eq!(uid(&cluster, 0), below);
    assert_eq!(image(&cluster, 0), "nginx:1.25");
    assert_eq!(image(&cluster, 2), "nginx:1.26");
    assert_eq!(partition(&cluster, "web"), 1);
    assert_eq!(
        annotations(&cluster)["kubectl-sts.io/partition-before-rollout"],
        "0"
    );

    run_ok(&cluster, &["promote", "web", "--full", "--yes"]);
    cluster.wait_ready("web", 3);
    assert_eq!(
        (0..3).map(|o| image(&cluster, o)).collect::<Vec<_>>(),
        ["nginx:1.26"; 3]
    );
    assert!(
        annotations(&cluster)
            .get("kubectl-sts.io/partition-before-rollout")
            .is_none()
    );
}

#[test]
fn a_refused_connection_is_reported_at_once_in_words() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = common::scratch_dir();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: closed\nclusters:\n- name: closed\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: closed\n  context:\n    cluster: closed\n    user: me\nusers:\n- name: me\n  user:\n    token: t\n"
        ),
    )
    .unwrap();
    let started = Instant::now();
    let output = assert_cmd::Command::cargo_bin("kubectl-sts")
        .unwrap()
        .env("KUBECONFIG", &kubeconfig)
        .arg("list")
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let err = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("connection refused"), "{err}");
    assert!(
        !err.contains("retrying") && !err.contains("ServiceError"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // The default request timeout is 30 s: a retried refusal took 29 s.
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn a_rollout_of_the_same_images_with_another_partition_points_to_promote_without_a_plan() {
    let cluster = staged_cluster();
    cluster.sim.log.clear();
    let output = cluster
        .sts()
        .args([
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.26",
            "--partition",
            "0",
            "--yes",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "the wrong command for it: {err}");
    assert!(err.contains("kubectl sts promote web --partition 0"), "{err}");
    assert!(
        !stdout_of(&output).contains("Moves now"),
        "{}",
        stdout_of(&output)
    );
    assert!(cluster.sim.log.mutating().is_empty());
    assert_eq!(partition(&cluster, "web"), 2);
}

#[test]
fn a_mistyped_name_is_answered_with_the_close_ones() {
    let cluster = web();
    cluster.sim.log.clear();
    let output = cluster.sts().args(["status", "wbe"]).output().unwrap();
    let err = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim(),
        "error: statefulset default/wbe not found; did you mean web?"
    );
    let output = cluster.sts().args(["status", "mysql"]).output().unwrap();
    assert!(
        stderr_of(&output).contains("`kubectl sts list -n default` lists its StatefulSets"),
        "{}",
        stderr_of(&output)
    );
    let lists = cluster.sim.log.with("list", "statefulsets");
    assert_eq!(
        lists.len(),
        3,
        "one list per miss, and one across namespaces when nothing here is close: only on the error path"
    );

    cluster.sim.log.clear();
    cluster.sts().args(["status", "web"]).assert().success();
    assert!(cluster.sim.log.with("list", "statefulsets").is_empty());
}

#[test]
fn negative_numbers_reach_the_validator() {
    let cluster = web();
    for args in [
        ["scale", "web", "--replicas", "-1"],
        ["promote", "web", "--step", "-1"],
        ["rollout", "web", "--partition", "-2"],
    ] {
        let output = cluster.sts().args(args).output().unwrap();
        let err = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("is not in"), "{args:?}: {err}");
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
}

#[test]
fn a_confirmation_waits_for_enter() {
    let cluster = web();
    let mut command = cluster.sts_process();
    command.args(["scale", "web", "--replicas", "4"]);
    let mut terminal = Terminal::spawn(command, 40, 120);
    terminal.wait_for_text("[y/N]", Duration::from_secs(20));
    terminal.type_keys("y");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        cluster.sim.log.mutating().is_empty(),
        "a single key without Enter changed the set"
    );
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 3);
    terminal.type_keys("\r");
    let status = terminal.wait(Duration::from_secs(60));
    assert!(status.success(), "{}", terminal.screen());
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 4);
    assert!(
        terminal
            .screen()
            .contains("scaled statefulset default/web to 4 replicas")
    );
}

#[test]
fn ctrl_c_on_status_watch_ends_quietly_with_130() {
    let cluster = web();
    let mut command = cluster.sts_process();
    command.args(["status", "web", "--watch"]);
    let mut terminal = Terminal::spawn(command, 40, 200);
    terminal.wait_for_text("StatefulSet default/web", Duration::from_secs(20));
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(terminal.pid(), libc::SIGINT) };
    let status = terminal.wait(Duration::from_secs(20));
    assert_eq!(status.code(), Some(130), "{}", terminal.screen());
    assert!(!terminal.screen().contains("error"), "{}", terminal.screen());
}

#[test]
fn teardown_of_a_parallel_set_says_all_at_once() {
    let cluster = Cluster::start();
    let parallel = common::fixture("web.yaml")
        .replace("  replicas: 3", "  replicas: 3\n  podManagementPolicy: Parallel");
    cluster.apply_yaml(&parallel);
    cluster.wait_ready("web", 3);
    let output = run_ok(&cluster, &["delete", "web", "--yes"]);
    let said = format!("{}{}", stdout_of(&output), stderr_of(&output));
    assert!(
        !said.contains("in order") && !said.contains("one by one"),
        "{said}"
    );
    assert!(said.contains("3 pod(s) removed all at once (Parallel)"), "{said}");
    assert!(cluster.get(&resources::STATEFULSETS, "web").is_none());
}

#[test]
fn a_claim_still_binding_is_not_called_unschedulable() {
    let mut config = sts_sim::SimConfig::fast();
    config.timings.pv_bind = Duration::from_millis(1500);
    let cluster = Cluster::start_with(config);
    cluster.apply_fixture("web.yaml");
    cluster.wait_for("web-0 waiting on its claim", Duration::from_secs(20), |c| {
        c.get(&resources::PODS, "web-0").is_some_and(|p| {
            p["status"]["conditions"]
                .to_string()
                .contains("unbound immediate")
        })
    });
    cluster.wait_ready("web", 3);
    let output = run_ok(&cluster, &["scale", "web", "--replicas", "4", "--yes"]);
    let err = stderr_of(&output);
    assert!(err.contains("waiting for claim www-web-3 to bind"), "{err}");
    assert!(!err.contains("Unschedulable"), "{err}");
    assert!(err.contains("web-3: Ready"), "{err}");
}

#[test]
fn promote_lists_only_the_pods_it_moves_and_a_settled_set_reads_current() {
    let cluster = web();
    run_ok(
        &cluster,
        &["canary", "web", "--image", "nginx=nginx:1.26", "--yes"],
    );
    let promote = run_ok(&cluster, &["promote", "web", "--full", "--yes"]);
    let err = stderr_of(&promote);
    assert!(!err.contains("web-2:"), "web-2 was promoted already: {err}");
    assert!(
        err.contains("web-1: updated, Ready") && err.contains("web-0: updated, Ready"),
        "{err}"
    );
    assert!(
        stdout_of(&promote).contains("3 pod(s) on"),
        "{}",
        stdout_of(&promote)
    );
    let status = stdout_of(&run_ok(&cluster, &["status", "web"]));
    assert!(!status.contains("(update)"), "{status}");
    assert_eq!(status.matches("(current)").count(), 3, "{status}");
}
