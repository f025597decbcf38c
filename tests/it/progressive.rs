//! Black-box tests of progressive rollouts (`rollout --steps`): steps that pass with their check
//! and bake, failures that abort automatically (a check, a broken image, a pod restarting in the
//! bake), an interrupted bake resumed by the same command, an OnDelete set, and bad input. They
//! assert on the cluster's state (images, revisions, partition, records) and on what the user
//! sees; every case runs on both backends (the `flaky` image restarts on both).

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use sts_sim::resources;

use crate::common::setup::{json_of, partition, pod_images, web_cluster, zk_cluster};
use crate::common::{self, Cluster, stderr_of, stdout_of};

/// A check that appends its `STS_*` environment to `log`, one block per run.
fn logging_check(log: &Path) -> String {
    format!("env | grep '^STS_' | sort >> {0}; echo --- >> {0}", log.display())
}

/// The blocks the logging check wrote, each as its variables.
fn check_runs(log: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.split("---\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            block
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The set's annotations of ours (records), which must all be gone after a rollout ends.
fn our_annotations(cluster: &Cluster, set: &str) -> Vec<String> {
    let sts = cluster.statefulset(set);
    sts["metadata"]["annotations"]
        .as_object()
        .map(|a| {
            a.keys()
                // The revisions an abort left are remembered on purpose (so that `undo` does not
                // go back to them); every other annotation of ours records a step in flight.
                .filter(|k| k.starts_with("kubectl-sts.io/") && *k != "kubectl-sts.io/abandoned-revisions")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `rollout SET --image IMAGE --steps STEPS EXTRA…`.
fn rollout(cluster: &Cluster, set: &str, image: &str, steps: &str, extra: &[&str]) -> Output {
    let args = ["rollout", set, "--image", image, "--steps", steps];
    cluster.sts().args(args).args(extra).output().unwrap()
}

/// No record of ours is left on the set (the rollout's annotations and the step in flight).
fn assert_no_records(cluster: &Cluster, set: &str) {
    let left = our_annotations(cluster, set);
    assert!(left.is_empty(), "{left:?}");
}

/// After an abort: template, strategy and revision as before, every pod back and Ready on it.
fn assert_back_as_before(cluster: &Cluster, before: &Value) {
    cluster.wait_ready("web", 3);
    let after = cluster.statefulset("web");
    assert_eq!(after["spec"]["template"], before["spec"]["template"]);
    assert_eq!(after["spec"]["updateStrategy"], before["spec"]["updateStrategy"]);
    assert_eq!(
        after["status"]["updateRevision"],
        before["status"]["updateRevision"]
    );
    assert_eq!(pod_images(cluster, "web", 3), ["nginx:1.25"; 3]);
    for o in 0..3 {
        let pod = cluster.get(&resources::PODS, &format!("web-{o}")).unwrap();
        assert_eq!(
            pod["metadata"]["labels"]["controller-revision-hash"], before["status"]["updateRevision"],
            "web-{o}"
        );
    }
    assert_no_records(cluster, "web");
}

#[test]
fn three_passing_steps_run_the_check_once_each_and_bake_at_least_the_pause() {
    let cluster = web_cluster();
    let log = cluster.dir.join("checks.log");
    let began = Instant::now();
    let output = rollout(
        &cluster,
        "web",
        "nginx=nginx:1.26",
        "1,50%,100%",
        &[
            "--pause",
            "2s",
            "--check",
            &logging_check(&log),
            "--yes",
            "-o",
            "json",
        ],
    );
    let took = began.elapsed();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let doc = json_of(&output);
    assert_eq!(doc["kind"], "ProgressiveRolloutResult");
    assert_eq!(doc["outcome"]["result"], "done");
    let planned: Vec<(i64, i64)> = doc["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["count"].as_i64().unwrap(), s["partition"].as_i64().unwrap()))
        .collect();
    assert_eq!(planned, [(1, 2), (2, 1), (3, 0)]);

    let sts = cluster.statefulset("web");
    let revision = sts["status"]["updateRevision"].as_str().unwrap().to_string();
    let runs = check_runs(&log);
    assert_eq!(runs.len(), 3, "the check runs once per step: {runs:?}");
    let expected = [("2", "web-2"), ("1", "web-2 web-1"), ("0", "web-2 web-1 web-0")];
    for (i, (run, (partition, pods))) in runs.iter().zip(expected).enumerate() {
        assert_eq!(run["STS_STEP"], (i + 1).to_string());
        assert_eq!(run["STS_STEPS"], "3");
        assert_eq!(run["STS_NAMESPACE"], "default");
        assert_eq!(run["STS_NAME"], "web");
        assert_eq!(run["STS_PARTITION"], partition);
        assert_eq!(run["STS_UPDATE_REVISION"], revision);
        assert_eq!(run["STS_UPDATED_PODS"], pods);
        let first = pods.split(' ').next().unwrap();
        assert!(
            run["STS_UPDATED_FQDNS"].starts_with(&format!("{first}.nginx.default.svc.cluster.local")),
            "{run:?}"
        );
    }
    for step in doc["steps"].as_array().unwrap() {
        assert_eq!(step["result"], "passed", "{step}");
        assert_eq!(step["check"]["exit_code"], 0, "{step}");
        let baked = step["bake"]["seconds"].as_f64().unwrap();
        assert!(baked >= 2.0, "the bake lasts at least --pause: {baked}s");
    }
    assert!(took >= Duration::from_secs(6), "three bakes of 2s: {took:?}");
    eprintln!("three steps with 2s bakes took {took:?}");

    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.26"; 3]);
    assert_eq!(partition(&cluster, "web"), 0);
    assert_no_records(&cluster, "web");
    let again = rollout(&cluster, "web", "nginx=nginx:1.26", "1,50%,100%", &["--yes"]);
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert!(
        stdout_of(&again).contains("nothing to roll out"),
        "{}",
        stdout_of(&again)
    );
}

#[test]
fn a_check_failing_at_step_2_aborts_automatically_and_exits_3() {
    let cluster = web_cluster();
    let before = cluster.statefulset("web");
    let check =
        "echo checking step $STS_STEP; [ $STS_STEP -lt 2 ] || { echo 'error rate 7% > 1%' >&2; exit 1; }";
    let output = rollout(
        &cluster,
        "web",
        "nginx=nginx:1.26",
        "1,2,3",
        &["--check", check, "--yes"],
    );
    let err = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(
        err.contains("  check 2/3 │ error rate 7% > 1%"),
        "the check's output, prefixed: {err}"
    );
    assert!(
        err.contains("step 2/3 failed: the check exited 1; its last 2 line(s) of output: checking step 2 ⏎ error rate 7% > 1%"),
        "{err}"
    );
    assert!(err.contains("aborted automatically"), "{err}");
    assert_back_as_before(&cluster, &before);
}

#[test]
fn a_broken_image_at_step_1_aborts_before_any_check_runs() {
    let cluster = web_cluster();
    let before = cluster.statefulset("web");
    let log = cluster.dir.join("checks.log");
    let output = rollout(
        &cluster,
        "web",
        "nginx=nginx:broken",
        "1,100%",
        &["--check", &logging_check(&log), "--yes", "-o", "json"],
    );
    let err = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(
        err.contains("step 1/2 failed: web-2 will not become Ready: CrashLoopBackOff"),
        "{err}"
    );
    assert!(
        check_runs(&log).is_empty(),
        "no check ran: {:?}",
        check_runs(&log)
    );
    let doc = json_of(&output);
    assert_eq!(doc["outcome"]["result"], "stuck");
    assert_eq!(doc["steps"][0]["result"], "failed");
    assert_eq!(doc["steps"][0]["check"], Value::Null);
    assert_eq!(doc["abort"]["result"], "done");
    assert_back_as_before(&cluster, &before);
}

#[test]
fn a_moved_pod_restarting_during_the_bake_fails_the_step_and_aborts() {
    let cluster = web_cluster();
    let before = cluster.statefulset("web");
    let began = Instant::now();
    let output = rollout(
        &cluster,
        "web",
        "nginx=nginx:flaky-1.26",
        "1,100%",
        &["--pause", "60s", "--yes"],
    );
    let err = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(
        err.contains("step 1/2 failed: during the bake, web-2 restarted (restart count 0 -> 1)"),
        "{err}"
    );
    assert!(
        began.elapsed() < Duration::from_secs(50),
        "the bake ends at the restart"
    );
    assert_back_as_before(&cluster, &before);
}

#[test]
fn an_interrupt_during_the_bake_leaves_the_set_and_the_same_command_resumes() {
    let cluster = web_cluster();
    let log = cluster.dir.join("checks.log");
    let check = logging_check(&log);
    let args = [
        "rollout",
        "web",
        "--image",
        "nginx=nginx:1.26",
        "--steps",
        "1,2,3",
        "--pause",
        "4s",
        "--check",
        &check,
        "--yes",
    ];
    let (mut child, rest) = common::spawn_until(cluster.sts_process().args(args), "step 2/3: baking");
    let status = cluster.sts().args(["status", "web"]).output().unwrap();
    let shown = stdout_of(&status);
    assert!(
        shown.contains("In flight: progressive rollout: step 2/3, baking until "),
        "{shown}"
    );
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let code = child.wait().unwrap().code();
    let err = rest.join().unwrap();
    assert_eq!(code, Some(130), "{err}");
    assert!(
        err.contains("interrupted at step 2/3; the set is left as it is: re-run `kubectl sts rollout web"),
        "{err}"
    );
    assert!(
        err.contains("to resume at step 2, or `kubectl sts abort web -n default` to roll back"),
        "{err}"
    );
    assert_eq!(partition(&cluster, "web"), 1, "left as it was");
    assert_eq!(
        pod_images(&cluster, "web", 3),
        ["nginx:1.25", "nginx:1.26", "nginx:1.26"]
    );
    // Another command is refused while the rollout is in flight; the same one resumes.
    let other = cluster
        .sts()
        .args(["promote", "web", "--full", "--yes"])
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(1), "{}", stderr_of(&other));
    assert!(
        stderr_of(&other).contains("has a step in flight"),
        "{}",
        stderr_of(&other)
    );

    let resumed = cluster.sts().args(args).args(["-o", "json"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert!(
        stderr_of(&resumed).is_empty() || !stderr_of(&resumed).contains("Step 1/3"),
        "step 1 passed before and is not run again: {}",
        stderr_of(&resumed)
    );
    let doc = json_of(&resumed);
    assert_eq!(doc["plan"]["start_at"], 2);
    let steps: Vec<&Value> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["step"])
        .collect();
    assert_eq!(steps, [2, 3]);
    let ran: Vec<String> = check_runs(&log).iter().map(|r| r["STS_STEP"].clone()).collect();
    assert_eq!(
        ran,
        ["1", "2", "2", "3"],
        "the interrupted step is checked again, step 1 is not"
    );
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.26"; 3]);
    assert_eq!(partition(&cluster, "web"), 0);
    assert_no_records(&cluster, "web");
}

#[test]
fn without_auto_abort_a_failed_step_stops_there_and_abort_takes_over() {
    let cluster = web_cluster();
    let before = cluster.statefulset("web");
    let output = rollout(
        &cluster,
        "web",
        "nginx=nginx:1.26",
        "1,100%",
        &["--check", "exit 4", "--no-auto-abort", "--yes"],
    );
    let err = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(
        err.contains("step 1/2 failed: the check exited 4; stopped there (--no-auto-abort)"),
        "{err}"
    );
    assert!(
        err.contains("or `kubectl sts abort web -n default` to roll back"),
        "{err}"
    );
    assert_eq!(
        pod_images(&cluster, "web", 3),
        ["nginx:1.25", "nginx:1.25", "nginx:1.26"]
    );
    assert_eq!(partition(&cluster, "web"), 2);
    let abort = cluster.sts().args(["abort", "web", "--yes"]).output().unwrap();
    assert!(abort.status.success(), "{}", stderr_of(&abort));
    assert_back_as_before(&cluster, &before);
}

#[test]
fn an_on_delete_set_is_rolled_in_steps_highest_ordinal_first() {
    let cluster = zk_cluster();
    let log = cluster.dir.join("checks.log");
    let uids: Vec<Value> = (0..3)
        .map(|o| cluster.get(&resources::PODS, &format!("zk-{o}")).unwrap()["metadata"]["uid"].clone())
        .collect();
    let output = rollout(
        &cluster,
        "zk",
        "zookeeper=zookeeper:3.9",
        "1,100%",
        &["--check", &logging_check(&log), "--yes"],
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("rolled out in 2 steps"),
        "{}",
        stdout_of(&output)
    );
    let runs = check_runs(&log);
    let updated: Vec<&str> = runs.iter().map(|r| r["STS_UPDATED_PODS"].as_str()).collect();
    assert_eq!(updated, ["zk-2", "zk-2 zk-1 zk-0"]);
    assert_eq!(pod_images(&cluster, "zk", 3), ["zookeeper:3.9"; 3]);
    for (o, old) in uids.iter().enumerate() {
        let pod = cluster.get(&resources::PODS, &format!("zk-{o}")).unwrap();
        assert_ne!(&pod["metadata"]["uid"], old, "zk-{o} was replaced");
    }
    assert_no_records(&cluster, "zk");
}

#[test]
fn bad_steps_and_options_are_usage_errors_and_change_nothing() {
    let cluster = web_cluster();
    let writes = cluster.write_count();
    let image = ["rollout", "web", "--image", "nginx=nginx:1.26"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--steps", "2,1"], "steps must increase: 1 comes after 2"),
        (vec!["--steps", "0,1"], "a step of 0 moves no pod"),
        (vec!["--steps", "1,150%"], "a step of 150% is over 100%"),
        (
            vec!["--steps", "1,4"],
            "step 4 is above the 3 replicas of statefulset default/web",
        ),
        (
            vec!["--steps", "10%,20%"],
            "steps must increase: 20% of the 3 replicas",
        ),
        (vec!["--steps", "1", "--pause", "5x"], "--pause"),
        (
            vec!["--steps", "1", "--check", "true", "--check-timeout", "soon"],
            "--check-timeout",
        ),
        (vec!["--pause", "5s"], "--steps"),
        (vec!["--check", "true"], "--steps"),
        (vec!["--steps", "1", "--partition", "1"], "cannot be used with"),
    ];
    for (args, text) in cases {
        let output = cluster
            .sts()
            .args(image)
            .args(&args)
            .arg("--yes")
            .output()
            .unwrap();
        let err = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: expected {text:?} in {err}");
    }
    assert_eq!(cluster.write_count(), writes, "nothing was written");
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.25"; 3]);
}

#[test]
fn a_resumed_rollout_takes_changed_timing_flags_and_list_shows_the_step_in_flight() {
    let cluster = web_cluster();
    let started = [
        "rollout",
        "web",
        "--image",
        "nginx=nginx:1.26",
        "--steps",
        "1,2,3",
        "--pause",
        "10m",
        "--yes",
    ];
    let (mut child, rest) = common::spawn_until(cluster.sts_process().args(started), "step 1/3: baking");
    let list = cluster.sts().args(["list"]).output().unwrap();
    assert!(
        stdout_of(&list).contains("rollout: step 1/3 baking"),
        "{}",
        stdout_of(&list)
    );
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    rest.join().unwrap();
    // The record is stamped to the second, as people read it (`status`, `why`).
    let annotation =
        cluster.statefulset("web")["metadata"]["annotations"]["kubectl-sts.io/in-flight"].clone();
    let record: Value = serde_json::from_str(annotation.as_str().unwrap()).unwrap();
    let stamp = record["started"].as_str().unwrap();
    assert!(
        stamp.len() == 20 && stamp.ends_with('Z') && !stamp.contains('.'),
        "{stamp}"
    );

    let mut shorter = started.to_vec();
    shorter[7] = "1s";
    let resumed = cluster.sts().args(&shorter).output().unwrap();
    let (out, err) = (stdout_of(&resumed), stderr_of(&resumed));
    assert!(resumed.status.success(), "{err}");
    assert!(out.contains("resuming at step 1/3"), "{out}");
    assert!(!out.contains("no image changes"), "{out}");
    assert!(!out.contains("this one replaces it"), "{out}");
    assert!(
        err.contains("bake 1s") || out.contains("bake 1s"),
        "the new pause applies: {out}"
    );
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.26"; 3]);
    assert_no_records(&cluster, "web");
}
