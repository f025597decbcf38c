//! Black-box tests of the gates around each pod a roll takes down (`--pod-check`, its passes,
//! `--before-each`/`--after-each`, `--leader`), on the zk fixture (OnDelete, an outdated
//! template): the order of pod deletions, what the scripts saw (their own logs), and that a
//! failing gate takes no other pod down and a re-run goes on.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::setup::{set_image, zk_cluster};
use crate::common::{Cluster, Deletions, record_deletions, stderr_of, stdout_of};

/// The zk fixture with a new image in its template: every pod outdated, none moved (OnDelete).
fn zk_outdated() -> Cluster {
    let cluster = zk_cluster();
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9.3");
    cluster
}

/// An executable script in the test's directory.
fn script(cluster: &Cluster, name: &str, body: &str) -> PathBuf {
    let path = cluster.dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn roll(cluster: &Cluster, args: &[&str]) -> std::process::Output {
    cluster
        .sts()
        .args(["roll", "zk", "--yes"])
        .args(args)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap()
}

/// The pods deleted so far, in order.
pub fn deleted_pods(deletions: &Deletions) -> Vec<String> {
    deletions
        .lock()
        .unwrap()
        .iter()
        .filter_map(|d| d.strip_prefix("pods/").map(str::to_string))
        .collect()
}

/// The lines of a file a gate wrote (none when it does not exist).
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn images(cluster: &Cluster) -> Vec<String> {
    crate::common::setup::pod_images(cluster, "zk", 3)
}

#[test]
fn the_leader_goes_last_even_after_it_moves() {
    let cluster = zk_outdated();
    let leader_file = cluster.dir.join("leader");
    std::fs::write(&leader_file, "zk-2\n").unwrap();
    let leader = script(&cluster, "leader.sh", &format!("cat {}", leader_file.display()));
    // Leadership moves to zk-0 while zk-1 is being replaced.
    let moves = format!(
        "[ \"$STS_POD\" = zk-1 ] && echo zk-0 > {} || true",
        leader_file.display()
    );
    let deletions = record_deletions(&cluster);
    let output = roll(
        &cluster,
        &["--leader", leader.to_str().unwrap(), "--before-each", &moves],
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(deleted_pods(&deletions), ["zk-1", "zk-2", "zk-0"]);
    assert_eq!(images(&cluster), ["zookeeper:3.9.3"; 3]);
}

#[test]
fn a_failing_pod_check_takes_no_other_pod_down_and_a_re_run_goes_on() {
    let cluster = zk_outdated();
    let healthy = cluster.dir.join("zk-1-healthy");
    let check = format!(
        "[ \"$STS_POD\" != zk-1 ] || [ -f {} ] || {{ echo zk-1 not in the quorum; exit 1; }}",
        healthy.display()
    );
    let deletions = record_deletions(&cluster);
    let args = [
        "--pod-check",
        check.as_str(),
        "--pod-check-interval",
        "200ms",
        "--pod-check-timeout",
        "3s",
    ];
    let failed = roll(&cluster, &args);
    let error = stderr_of(&failed);
    assert_eq!(failed.status.code(), Some(3), "{error}");
    assert!(
        error.contains("zk-1: its check did not pass 1 time(s) in a row within 3s")
            && error.contains("last output: zk-1 not in the quorum")
            && error.contains("no other pod was taken down"),
        "{error}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(deleted_pods(&deletions), ["zk-2", "zk-1"], "zk-0 untouched");

    std::fs::write(&healthy, "").unwrap();
    let resumed = roll(&cluster, &args);
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert_eq!(deleted_pods(&deletions), ["zk-2", "zk-1", "zk-0"], "none twice");
    assert_eq!(images(&cluster), ["zookeeper:3.9.3"; 3]);
}

#[test]
fn hooks_run_once_per_pod_in_order_and_the_check_needs_its_passes_in_a_row() {
    let cluster = zk_outdated();
    let log = cluster.dir.join("gates.log");
    let append = |what: &str| format!("echo {what} $STS_POD >> {}", log.display());
    let output = roll(
        &cluster,
        &[
            "--before-each",
            &append("before"),
            "--after-each",
            &append("after"),
            "--pod-check",
            &append("check"),
            "--pod-check-passes",
            "3",
            "--pod-check-interval",
            "100ms",
        ],
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    let mut expected = Vec::new();
    for pod in ["zk-2", "zk-1", "zk-0"] {
        expected.push(format!("before {pod}"));
        expected.push(format!("after {pod}"));
        expected.extend(std::iter::repeat_n(format!("check {pod}"), 3));
    }
    assert_eq!(lines(&log), expected);
}

#[test]
fn a_failing_before_each_stops_before_its_pod() {
    let cluster = zk_outdated();
    let deletions = record_deletions(&cluster);
    let output = roll(
        &cluster,
        &[
            "--before-each",
            "[ \"$STS_POD\" != zk-1 ] || { echo cannot drain zk-1; exit 4; }",
        ],
    );
    let error = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{error}");
    assert!(
        error.contains("zk-1: --before-each")
            && error.contains("exit 4")
            && error.contains("cannot drain zk-1")
            && error.contains("the roll stopped before zk-1"),
        "{error}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(deleted_pods(&deletions), ["zk-2"]);
}

#[test]
fn bad_gates_get_one_line_and_no_write() {
    let cluster = zk_outdated();
    let not_executable = cluster.dir.join("check.sh");
    std::fs::write(&not_executable, "exit 0\n").unwrap();
    let leader = script(&cluster, "leader.sh", "echo kafka-9");
    let writes = cluster.write_count();
    let cases: [(Vec<&str>, i32, &str); 4] = [
        (
            vec!["--pod-check", not_executable.to_str().unwrap()],
            2,
            "is not an executable file",
        ),
        (
            vec!["--leader", "echo zk-0", "--ordinals", "1"],
            2,
            "cannot be used with",
        ),
        (
            vec!["--pod-check", "true", "--pod-check-passes", "0"],
            2,
            "0 is not in 1..",
        ),
        (
            vec!["--leader", leader.to_str().unwrap()],
            3,
            "the leader command printed \"kafka-9\", which names no pod of statefulset zk",
        ),
    ];
    for (args, code, expected) in cases {
        let output = roll(&cluster, &args);
        let error = stderr_of(&output);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {error}");
        assert!(error.contains(expected), "{args:?}: {error}");
        assert_eq!(
            error.lines().filter(|l| l.starts_with("error")).count(),
            1,
            "{error}"
        );
    }
    assert_eq!(cluster.write_count(), writes, "nothing written");
}

/// The set's update strategy, and whether a step is recorded on it.
fn strategy_and_record(cluster: &Cluster, set: &str) -> (serde_json::Value, bool) {
    let live = cluster.statefulset(set);
    let recorded = live["metadata"]["annotations"]["kubectl-sts.io/in-flight"].is_string();
    (live["spec"]["updateStrategy"].clone(), recorded)
}

#[test]
fn a_gated_restart_drives_a_rolling_update_set_with_the_leader_last_then_puts_it_back() {
    let cluster = crate::common::setup::web_cluster();
    let (own, _) = strategy_and_record(&cluster, "web");
    let deletions = record_deletions(&cluster);
    let output = cluster
        .sts()
        .args(["restart", "web", "--yes", "--leader", "echo web-2"])
        .args(["--pod-check", "test -n \"$STS_POD_FQDN\""])
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("the set is driven as OnDelete for the restart"),
        "{}",
        stdout_of(&output)
    );
    assert_eq!(deleted_pods(&deletions), ["web-1", "web-0", "web-2"]);
    assert_eq!(strategy_and_record(&cluster, "web"), (own, false));
}

#[test]
fn a_stopped_gated_restart_holds_the_rest_with_a_partition_and_a_re_run_finishes() {
    let cluster = crate::common::setup::web_cluster();
    let (own, _) = strategy_and_record(&cluster, "web");
    let healthy = cluster.dir.join("web-1-healthy");
    let check = format!("[ \"$STS_POD\" != web-1 ] || [ -f {} ]", healthy.display());
    let restart = |cluster: &Cluster| {
        cluster
            .sts()
            .args(["restart", "web", "--yes", "--pod-check", &check])
            .args(["--pod-check-interval", "200ms", "--pod-check-timeout", "3s"])
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap()
    };
    let deletions = record_deletions(&cluster);
    let stopped = restart(&cluster);
    let error = stderr_of(&stopped);
    assert_eq!(stopped.status.code(), Some(3), "{error}");
    assert!(
        error.contains("with partition 1 holding the pods not yet restarted"),
        "{error}"
    );
    let (held, recorded) = strategy_and_record(&cluster, "web");
    assert_eq!(held["type"], "RollingUpdate");
    assert_eq!(held["rollingUpdate"]["partition"], 1);
    assert!(recorded, "the record stays for the re-run");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(deleted_pods(&deletions), ["web-2", "web-1"], "web-0 held");

    std::fs::write(&healthy, "").unwrap();
    let finished = restart(&cluster);
    assert!(finished.status.success(), "{}", stderr_of(&finished));
    assert_eq!(deleted_pods(&deletions), ["web-2", "web-1", "web-0"]);
    assert_eq!(strategy_and_record(&cluster, "web"), (own, false));
}

#[test]
fn a_gated_promote_moves_the_staged_pods_with_the_leader_last_and_ends_at_the_new_partition() {
    let cluster = crate::common::setup::staged_cluster();
    let deletions = record_deletions(&cluster);
    let log = cluster.dir.join("checks.log");
    let check = format!("echo $STS_POD >> {}", log.display());
    let output = cluster
        .sts()
        .args(["promote", "web", "--full", "--yes", "--leader", "echo web-1"])
        .args(["--pod-check", &check])
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    // web-2 moved when the rollout was staged; web-1 leads, so it goes after web-0.
    assert_eq!(deleted_pods(&deletions), ["web-0", "web-1"]);
    assert_eq!(lines(&log), ["web-0", "web-1"]);
    let (strategy, recorded) = strategy_and_record(&cluster, "web");
    assert_eq!(strategy["type"], "RollingUpdate");
    assert_eq!(strategy["rollingUpdate"]["partition"], 0);
    assert!(!recorded);
    assert_eq!(
        crate::common::setup::pod_images(&cluster, "web", 3),
        ["nginx:1.26"; 3]
    );
}

/// Members of set `set` (of `replicas`) not Ready now: missing, Terminating or not Ready.
fn not_ready(cluster: &Cluster, set: &str, replicas: usize) -> usize {
    let pods = cluster.pods();
    (0..replicas)
        .filter(|o| {
            let name = format!("{set}-{o}");
            !pods.iter().any(|p| {
                p["metadata"]["name"] == name.as_str()
                    && p["metadata"]["deletionTimestamp"].is_null()
                    && p["status"]["conditions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        })
        .count()
}

#[test]
fn max_unavailable_takes_pods_down_in_batches_never_more_than_that() {
    let cluster = zk_outdated();
    let deletions = record_deletions(&cluster);
    let mut child = cluster
        .sts_process()
        .args(["roll", "zk", "--yes", "--max-unavailable", "2"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut most = 0;
    let status = loop {
        most = most.max(not_ready(&cluster, "zk", 3));
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    assert_eq!(most, 2, "two at once, never more");
    let mut first_two = deleted_pods(&deletions)[..2].to_vec();
    first_two.sort();
    assert_eq!(first_two, ["zk-1", "zk-2"], "the two highest first");
    assert_eq!(deleted_pods(&deletions).len(), 3);
    assert_eq!(images(&cluster), ["zookeeper:3.9.3"; 3]);
}

#[test]
fn status_and_why_show_a_roll_waiting_on_a_pod_check_with_its_last_output() {
    let cluster = zk_outdated();
    let healthy = cluster.dir.join("zk-1-healthy");
    let check = format!(
        "[ \"$STS_POD\" != zk-1 ] || [ -f {} ] || {{ echo zk-1 is still syncing; exit 1; }}",
        healthy.display()
    );
    let mut child = cluster
        .sts_process()
        .args(["roll", "zk", "--yes", "--pod-check", &check])
        .args(["--pod-check-interval", "300ms", "--pod-check-timeout", "2m"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let waiting = "waiting on the pod check of zk-1 since";
    cluster.wait_for("status to show the check", Duration::from_secs(120), |c| {
        let status = c.sts().args(["status", "zk"]).output().unwrap();
        stdout_of(&status).contains(waiting)
            && stdout_of(&status).contains("last output: zk-1 is still syncing")
    });
    let why = cluster.sts().args(["why", "zk"]).output().unwrap();
    assert!(stdout_of(&why).contains(waiting), "{}", stdout_of(&why));
    std::fs::write(&healthy, "").unwrap();
    assert!(child.wait().unwrap().success());
    let status = cluster.sts().args(["status", "zk"]).output().unwrap();
    assert!(
        !stdout_of(&status).contains("In flight"),
        "{}",
        stdout_of(&status)
    );
    assert!(
        !strategy_and_record(&cluster, "zk").1,
        "the check's record is gone"
    );
}

#[test]
fn an_interrupted_gated_restart_puts_the_strategy_back_first_and_a_re_run_finishes() {
    let cluster = crate::common::setup::web_cluster();
    let (own, _) = strategy_and_record(&cluster, "web");
    let healthy = cluster.dir.join("web-1-healthy");
    let check = format!(
        "[ \"$STS_POD\" != web-1 ] || [ -f {} ] || sleep 60",
        healthy.display()
    );
    let args = ["restart", "web", "--yes", "--pod-check", check.as_str()];
    let child = cluster
        .sts_process()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    cluster.wait_for("the check of web-1 to run", Duration::from_secs(120), |c| {
        let status = c.sts().args(["status", "web"]).output().unwrap();
        stdout_of(&status).contains("waiting on the pod check of web-1")
    });
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let output = child.wait_with_output().unwrap();
    let error = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(130), "{error}");
    assert!(
        error.contains("with partition 1 holding the pods not yet restarted"),
        "{error}"
    );
    let (held, recorded) = strategy_and_record(&cluster, "web");
    assert_eq!(
        (held["type"].as_str(), held["rollingUpdate"]["partition"].as_i64()),
        (Some("RollingUpdate"), Some(1))
    );
    assert!(recorded, "the restart's record stays for the re-run");

    std::fs::write(&healthy, "").unwrap();
    let finished = cluster
        .sts()
        .args(args)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(finished.status.success(), "{}", stderr_of(&finished));
    assert_eq!(strategy_and_record(&cluster, "web"), (own, false));
}

/// `rollout web --image nginx=nginx:1.26 --steps STEPS --yes EXTRA…`.
fn progressive(cluster: &Cluster, steps: &str, extra: &[&str]) -> std::process::Output {
    cluster
        .sts()
        .args([
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.26",
            "--steps",
            steps,
            "--yes",
        ])
        .args(extra)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap()
}

#[test]
fn a_gated_progressive_rollout_lowers_the_partition_one_pod_at_a_time_with_its_gates_between() {
    let cluster = crate::common::setup::web_cluster();
    let deletions = record_deletions(&cluster);
    let log = cluster.dir.join("gates.log");
    let before = format!("echo before $STS_POD >> {}", log.display());
    let check = format!(
        "echo check $STS_POD [$STS_UPDATED_PODS] [$STS_REMAINING_PODS] >> {}",
        log.display()
    );
    let output = progressive(
        &cluster,
        "1,100%",
        &["--before-each", &before, "--pod-check", &check],
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    let plan = stdout_of(&output);
    assert!(
        plan.contains("Each step lowers the partition 1 pod(s) at a time"),
        "{plan}"
    );
    assert_eq!(
        lines(&log),
        [
            "before web-2",
            "check web-2 [web-2] []",
            "before web-1",
            "check web-1 [web-2 web-1] [web-0]",
            "before web-0",
            "check web-0 [web-2 web-1 web-0] []",
        ]
    );
    assert_eq!(deleted_pods(&deletions), ["web-2", "web-1", "web-0"]);
    let (strategy, recorded) = strategy_and_record(&cluster, "web");
    assert_eq!(strategy["type"], "RollingUpdate", "never driven as OnDelete");
    assert_eq!(strategy["rollingUpdate"]["partition"], 0);
    assert!(!recorded);
    assert_eq!(
        crate::common::setup::pod_images(&cluster, "web", 3),
        ["nginx:1.26"; 3]
    );
}

#[test]
fn a_pod_check_failing_inside_a_progressive_step_aborts_before_the_next_pod() {
    let cluster = crate::common::setup::web_cluster();
    let deletions = record_deletions(&cluster);
    let check = "[ \"$STS_POD\" != web-1 ]";
    let output = progressive(
        &cluster,
        "1,100%",
        &[
            "--pod-check",
            check,
            "--pod-check-interval",
            "200ms",
            "--pod-check-timeout",
            "2s",
        ],
    );
    let error = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{error}");
    assert!(
        error.contains("step 2/2 failed: web-1: its check did not pass"),
        "{error}"
    );
    assert!(error.contains("aborted automatically"), "{error}");
    assert!(
        !deleted_pods(&deletions).contains(&"web-0".to_string()),
        "web-0 was never taken down: {:?}",
        deleted_pods(&deletions)
    );
    cluster.wait_ready("web", 3);
    assert_eq!(
        crate::common::setup::pod_images(&cluster, "web", 3),
        ["nginx:1.25"; 3]
    );
}

#[test]
fn a_progressive_rollout_of_an_on_delete_set_takes_each_step_leader_last() {
    let cluster = zk_cluster();
    let deletions = record_deletions(&cluster);
    let output = cluster
        .sts()
        .args([
            "rollout",
            "zk",
            "--image",
            "zookeeper=zookeeper:3.9.3",
            "--steps",
            "1,100%",
        ])
        .args(["--yes", "--leader", "echo zk-1"])
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(deleted_pods(&deletions), ["zk-2", "zk-0", "zk-1"]);
    assert_eq!(images(&cluster), ["zookeeper:3.9.3"; 3]);
}

#[test]
fn gates_a_staged_rollout_cannot_honour_are_refused_without_a_write() {
    let cluster = crate::common::setup::web_cluster();
    let before = cluster.statefulset("web");
    let leader = progressive(&cluster, "1,100%", &["--leader", "echo web-0"]);
    assert_eq!(leader.status.code(), Some(2), "{}", stderr_of(&leader));
    assert!(
        stderr_of(&leader).contains("--leader cannot keep the leader for last"),
        "{}",
        stderr_of(&leader)
    );
    let plain = cluster
        .sts()
        .args([
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.26",
            "--yes",
            "--pod-check",
            "true",
        ])
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(2), "{}", stderr_of(&plain));
    assert!(
        stderr_of(&plain).contains("need --steps"),
        "{}",
        stderr_of(&plain)
    );
    let after = cluster.statefulset("web");
    assert_eq!(
        after["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
}
