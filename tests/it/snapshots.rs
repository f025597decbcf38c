//! What users see, as reviewed snapshots: every guided command's plan table (through
//! `--dry-run`, which prints the plan and has the server check the writes) and its `-o json`
//! document for a typical run. Uids, times, ages, durations and paths are replaced by
//! placeholders, so a change in a snapshot is a change in what people and scripts read.

use crate::common::setup::{web_cluster as web, zk_cluster as zk};
use crate::common::{self, Cluster, stderr_of, stdout_of};

/// stdout of a successful run.
fn run(cluster: &Cluster, args: &[&str]) -> String {
    let output = cluster.sts().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    stdout_of(&output)
}

/// Asserts `text` against the snapshot `name`, with what changes from run to run replaced.
fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    for (pattern, placeholder) in [
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uid]",
        ),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[time]"),
        (r#""seconds": [0-9.e-]+"#, r#""seconds": "[seconds]""#),
        (r"after \d+(\.\d+)?s", "after [duration]"),
        (r"\b\d+(\.\d+)?(ms|s|m|h|d) ago", "[age] ago"),
        (
            r"statefulset-default-\w+-\d{8}T\d{6}Z(-\d+)?\.yaml",
            "[manifest].yaml",
        ),
        (r"\b\d{1,2}s( +)", "[a]$1"),
        (r"/[^ \n\x22`]*/kubectl-sts-test-[^ \n\x22`]*/", "[dir]/"),
        (r#""resource_version": "\d+""#, r#""resource_version": "[rv]""#),
        (r#""age_seconds": \d+"#, r#""age_seconds": "[age]""#),
    ] {
        settings.add_filter(pattern, placeholder);
    }
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn scale() {
    let cluster = web();
    snapshot(
        "scale_plan",
        &run(&cluster, &["scale", "web", "--replicas", "5", "--dry-run"]),
    );
    snapshot(
        "scale_json",
        &run(
            &cluster,
            &["scale", "web", "--replicas", "4", "--yes", "-o", "json"],
        ),
    );
}

#[test]
fn rollout_canary_promote_abort_undo() {
    let cluster = web();
    let image = ["--image", "nginx=nginx:1.26"];
    snapshot(
        "rollout_plan",
        &run(
            &cluster,
            &[&["rollout", "web"][..], &image, &["--dry-run"]].concat(),
        ),
    );
    snapshot(
        "canary_json",
        &run(
            &cluster,
            &[&["canary", "web"][..], &image, &["--yes", "-o", "json"]].concat(),
        ),
    );
    snapshot(
        "promote_plan",
        &run(&cluster, &["promote", "web", "--step", "1", "--dry-run"]),
    );
    snapshot(
        "promote_json",
        &run(
            &cluster,
            &["promote", "web", "--step", "1", "--yes", "-o", "json"],
        ),
    );
    snapshot("abort_plan", &run(&cluster, &["abort", "web", "--dry-run"]));
    snapshot(
        "abort_json",
        &run(&cluster, &["abort", "web", "--yes", "-o", "json"]),
    );
    snapshot("undo_plan", &run(&cluster, &["undo", "web", "--dry-run"]));
    snapshot(
        "undo_json",
        &run(&cluster, &["undo", "web", "--yes", "-o", "json"]),
    );
}

#[test]
fn roll() {
    let cluster = zk();
    let patch = serde_json::json!({"spec": {"template": {"metadata": {"labels": {"tier": "b"}}}}});
    common::patch(&cluster, &sts_sim::resources::STATEFULSETS, "zk", patch);
    cluster.wait_for(
        "the controller to observe the change",
        std::time::Duration::from_secs(30),
        |c| {
            let sts = c.statefulset("zk");
            sts["status"]["observedGeneration"] == sts["metadata"]["generation"]
        },
    );
    snapshot("roll_plan", &run(&cluster, &["roll", "zk", "--dry-run"]));
    snapshot(
        "roll_json",
        &run(
            &cluster,
            &["roll", "zk", "--ordinals", "2", "--yes", "-o", "json"],
        ),
    );
}

/// The restart annotation's value is the time: revisions made from it differ from run to run,
/// so nothing after the restart is snapshotted.
#[test]
fn restart() {
    let cluster = zk();
    snapshot("restart_plan", &run(&cluster, &["restart", "zk", "--dry-run"]));
    snapshot(
        "restart_json",
        &run(&cluster, &["restart", "zk", "--yes", "-o", "json"]),
    );
}

#[test]
fn delete_and_claims() {
    let cluster = web();
    snapshot(
        "resize_plan",
        &run(
            &cluster,
            &[
                "pvc",
                "resize",
                "web",
                "--template",
                "www",
                "--size",
                "2Gi",
                "--dry-run",
            ],
        ),
    );
    let dir = cluster.dir.display().to_string();
    snapshot(
        "resize_json",
        &run(
            &cluster,
            &[
                "pvc",
                "resize",
                "web",
                "--template",
                "www",
                "--size",
                "2Gi",
                "--backup-dir",
                &dir,
                "--yes",
                "-o",
                "json",
            ],
        ),
    );
    run(&cluster, &["scale", "web", "--replicas", "2", "--yes"]);
    snapshot(
        "prune_plan",
        &run(&cluster, &["pvc", "web", "--prune", "--dry-run"]),
    );
    snapshot(
        "prune_json",
        &run(&cluster, &["pvc", "web", "--prune", "--yes", "-o", "json"]),
    );
    snapshot("delete_plan", &run(&cluster, &["delete", "web", "--dry-run"]));
    snapshot(
        "delete_orphan_json",
        &run(
            &cluster,
            &[
                "delete",
                "web",
                "--orphan",
                "--backup-dir",
                &dir,
                "--yes",
                "-o",
                "json",
            ],
        ),
    );
}

#[test]
fn ordered_delete() {
    let cluster = web();
    snapshot(
        "delete_json",
        &run(&cluster, &["delete", "web", "--yes", "-o", "json"]),
    );
}
