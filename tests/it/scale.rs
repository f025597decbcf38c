//! Black-box tests of `scale`: the real binary against the simulated cluster, asserting on the
//! order the cluster did things in, on the claims, and on what the user sees.

use std::time::Duration;

use serde_json::{Value, json};
use sts_sim::resources;

use crate::common::pty::Terminal;
use crate::common::setup::claim_exists;
use crate::common::{self, Cluster, Transitions, stderr_of, stdout_of};

fn web_cluster(manifest_change: Option<(&str, &str)>, replicas: i64) -> Cluster {
    let cluster = Cluster::start();
    let mut text = common::fixture("web.yaml");
    if let Some((from, to)) = manifest_change {
        text = text.replace(from, to);
    }
    cluster.apply_yaml(&text);
    cluster.wait_ready("web", replicas);
    cluster
}

fn set_rv(cluster: &Cluster) -> Value {
    cluster.statefulset("web")["metadata"]["resourceVersion"].clone()
}

#[test]
fn scale_up_down_and_up_again_in_order_with_claims_reported() {
    let cluster = web_cluster(None, 3);
    let transitions = Transitions::record(&cluster);
    let up = cluster
        .sts()
        .args(["scale", "web", "--replicas", "5", "--yes"])
        .output()
        .unwrap();
    assert!(up.status.success(), "{}", stderr_of(&up));
    let text = stdout_of(&up);
    assert!(
        text.contains("Scale statefulset default/web: 3 -> 5 replicas"),
        "{text}"
    );
    assert!(
        text.contains("www-web-3: new, empty claim") && text.contains("www-web-4: new, empty claim"),
        "{text}"
    );
    assert!(
        text.contains("scaled statefulset default/web to 5 replicas"),
        "{text}"
    );
    assert!(
        transitions.position("READY web-3") < transitions.position("ADDED web-4"),
        "{:?}",
        transitions.list()
    );
    assert_eq!(cluster.statefulset("web")["status"]["readyReplicas"], 5);

    let down = cluster
        .sts()
        .args(["scale", "web", "--replicas", "2", "--yes"])
        .output()
        .unwrap();
    assert!(down.status.success(), "{}", stderr_of(&down));
    let text = stdout_of(&down);
    assert!(text.contains("www-web-4: kept (whenScaled: Retain)"), "{text}");
    let order = [
        transitions.position("DELETED web-4"),
        transitions.position("TERMINATING web-3"),
        transitions.position("DELETED web-3"),
        transitions.position("TERMINATING web-2"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", transitions.list());
    assert!((2..5).all(|o| claim_exists(&cluster, &format!("www-web-{o}"))));
    assert_eq!(cluster.pods().len(), 2);

    let again = cluster
        .sts()
        .args(["scale", "web", "--replicas", "4", "--yes"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr_of(&again));
    let text = stdout_of(&again);
    for claim in ["www-web-2", "www-web-3"] {
        let line = text
            .lines()
            .find(|l| l.contains(claim))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            line.contains("re-attached") && line.contains("its old data comes back"),
            "{line}"
        );
    }
}

#[test]
fn when_scaled_delete_reports_and_deletes_the_claims() {
    let retention = "  serviceName: nginx\n  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}";
    let cluster = web_cluster(Some(("  serviceName: nginx", retention)), 3);
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "1", "--yes"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("www-web-2: deleted after the pod (whenScaled: Delete): its data is gone"),
        "{text}"
    );
    assert!(!claim_exists(&cluster, "www-web-1") && !claim_exists(&cluster, "www-web-2"));
    assert!(claim_exists(&cluster, "www-web-0"));
}

#[test]
fn parallel_sets_are_planned_and_waited_on_as_parallel() {
    let parallel = "  replicas: 3\n  podManagementPolicy: Parallel";
    let cluster = web_cluster(Some(("  replicas: 3", parallel)), 3);
    let transitions = Transitions::record(&cluster);
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "5", "--yes"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("Parallel: all pods at once"),
        "{}",
        stdout_of(&output)
    );
    let first_ready = transitions
        .position("READY web-3")
        .min(transitions.position("READY web-4"));
    assert!(
        transitions.position("ADDED web-4") < first_ready,
        "{:?}",
        transitions.list()
    );
    assert!(
        transitions.position("ADDED web-3") < first_ready,
        "{:?}",
        transitions.list()
    );
}

#[test]
fn scale_up_into_a_crash_looping_image_exits_3_naming_the_pod() {
    let cluster = web_cluster(None, 3);
    let staged = json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 3}},
        "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:broken"}]}}}});
    common::patch(&cluster, &resources::STATEFULSETS, "web", staged);
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "5", "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.contains("web-3 cannot become Ready: CrashLoopBackOff"),
        "{err}"
    );
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 5, "no rollback");
    let status = cluster.sts().args(["status", "web"]).output().unwrap();
    assert!(
        stdout_of(&status).contains("waiting on web-3: CrashLoopBackOff"),
        "{}",
        stdout_of(&status)
    );
}

#[test]
fn without_a_terminal_and_without_yes_nothing_changes() {
    let cluster = web_cluster(None, 3);
    let before = set_rv(&cluster);
    let writes_before = cluster.write_count();
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "5"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).contains("refusing to scale statefulset default/web without confirmation"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(set_rv(&cluster), before);
    assert_eq!(cluster.write_count(), writes_before);
}

#[test]
fn equal_target_says_so_and_writes_nothing() {
    let cluster = web_cluster(None, 3);
    let writes_before = cluster.write_count();
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "3"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        stdout_of(&output).contains("already has 3 replicas; nothing to do"),
        "{}",
        stdout_of(&output)
    );
    assert_eq!(cluster.write_count(), writes_before);
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let cluster = web_cluster(None, 3);
    let before = set_rv(&cluster);
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "4", "--dry-run"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("create   web-3"),
        "{}",
        stdout_of(&output)
    );
    assert_eq!(set_rv(&cluster), before);
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 3);
}

#[test]
fn json_output_carries_the_plan_and_the_outcome() {
    let cluster = web_cluster(None, 3);
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "4", "-y", "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(doc["kind"], "ScaleResult");
    assert_eq!(doc["plan"]["from"], 3);
    assert_eq!(doc["plan"]["pods"][0]["pod"], "web-3");
    assert_eq!(doc["plan"]["pods"][0]["claims"][0]["fate"], "new");
    assert_eq!(doc["outcome"]["result"], "done");
    assert_eq!(doc["outcome"]["pods"][0]["done"], true);
    assert!(doc["outcome"]["pods"][0]["seconds"].as_f64().is_some());
}

#[test]
fn timeout_exits_4_and_rerunning_resumes() {
    let cluster = web_cluster(None, 3);
    let staged = json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 3}},
        "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:slow"}]}}}});
    common::patch(&cluster, &resources::STATEFULSETS, "web", staged);
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "4", "--yes", "--timeout", "100ms"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("re-run `kubectl sts scale web --replicas 4 -n default` to resume"),
        "{}",
        stderr_of(&output)
    );
    let resumed = cluster
        .sts()
        .args(["scale", "web", "--replicas", "4"])
        .output()
        .unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert!(
        stderr_of(&resumed).contains("spec.replicas is already 4; waiting"),
        "{}",
        stderr_of(&resumed)
    );
    assert_eq!(cluster.statefulset("web")["status"]["readyReplicas"], 4);
}

#[test]
fn bad_input_is_refused_before_anything_changes() {
    let cluster = web_cluster(None, 3);
    common::assert_refused(
        &cluster,
        &[
            (vec!["scale", "web", "--replicas", "-1"], 2, ""),
            (vec!["scale", "web", "--replicas", "many"], 2, "invalid value"),
            (
                vec!["scale", "nope", "--replicas", "2", "--yes"],
                1,
                "statefulset default/nope not found",
            ),
        ],
    );
    assert_eq!(cluster.write_count(), 0);
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 3);
}

/// A Parallel set `web` without claims and with no pods yet.
fn empty_parallel_web() -> Cluster {
    let cluster = Cluster::start();
    let text = common::fixture("web.yaml");
    let end = text
        .find("        volumeMounts:")
        .expect("the fixture mounts a claim");
    let manifest = text[..end].replace("  replicas: 3", "  replicas: 0\n  podManagementPolicy: Parallel");
    cluster.apply_yaml(&manifest);
    cluster.wait_ready("web", 0);
    cluster
}

#[test]
fn a_200_pod_scale_fits_a_40_row_terminal_and_ends_with_the_aggregate() {
    let _turn = common::one_large_set_at_a_time();
    let cluster = empty_parallel_web();
    let mut command = cluster.sts_process();
    command.args(["scale", "web", "--replicas", "200", "--yes"]);
    let mut terminal = Terminal::spawn(command, 40, 120);
    let status = terminal.wait(Duration::from_secs(300));
    let lines = terminal.lines();
    let shown = lines.join("\n");
    assert!(status.success(), "{shown}");
    assert!(lines.len() < 60, "{} lines:\n{shown}", lines.len());
    assert!(
        shown.contains("web-0 … web-199 (200 pods)   (no claim templates)"),
        "{shown}"
    );
    let aggregate = lines
        .iter()
        .rposition(|l| l.contains("/200 Ready"))
        .expect("an aggregate line");
    assert!(lines[aggregate].contains("200/200 Ready"), "{shown}");
    assert!(
        lines[aggregate + 1..]
            .iter()
            .all(|l| !l.contains("web-") || l.contains("scaled statefulset default/web to 200 replicas")),
        "the aggregate is the last of the progress:\n{shown}"
    );
    assert_eq!(cluster.statefulset("web")["status"]["readyReplicas"], 200);
}

#[test]
fn without_a_terminal_a_large_scale_logs_aggregates_and_wide_lists_every_pod() {
    let cluster = empty_parallel_web();
    let up = cluster
        .sts()
        .args(["scale", "web", "--replicas", "60", "--yes"])
        .output()
        .unwrap();
    let log = stderr_of(&up);
    assert!(up.status.success(), "{log}");
    assert!(log.lines().count() < 30, "{log}");
    assert!(log.lines().last().unwrap().contains("60/60 Ready"), "{log}");
    assert!(stdout_of(&up).contains("web-0 … web-59 (60 pods)"));
    assert_eq!(cluster.statefulset("web")["status"]["readyReplicas"], 60);
    let wide = cluster
        .sts()
        .args(["scale", "web", "--replicas", "30", "--dry-run", "-o", "wide"])
        .output()
        .unwrap();
    let plan = stdout_of(&wide);
    assert!(wide.status.success(), "{}", stderr_of(&wide));
    assert!((30..60).all(|o| plan.contains(&format!(" web-{o} "))), "{plan}");
    let json = cluster
        .sts()
        .args(["scale", "web", "--replicas", "0", "--yes", "-o", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["outcome"]["pods"].as_array().map(Vec::len), Some(60), "{doc}");
    assert!(
        doc["outcome"]["pods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["done"] == true),
        "{doc}"
    );
}

#[test]
fn a_scale_the_controller_would_not_carry_out_is_refused_before_any_write() {
    let cluster = crate::common::setup::crash_looping_cluster();
    let before = cluster.statefulset("web");
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", "4", "--yes"])
        .output()
        .unwrap();
    let error = stderr_of(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "refused by the set's state: {error}"
    );
    assert!(error.contains("web-2 is not Ready (CrashLoopBackOff"), "{error}");
    assert!(error.contains("nothing was changed"), "{error}");
    let after = cluster.statefulset("web");
    assert_eq!(after["spec"]["replicas"], 3);
    assert_eq!(
        after["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
}
