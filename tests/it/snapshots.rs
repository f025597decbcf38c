//! What users see, as reviewed snapshots: every guided command's plan table (through
//! `--dry-run`, which prints the plan and has the server check the writes) and its `-o json`
//! document for a typical run, and the read screens (`list`, `status`, `history`, `why`, `dns`,
//! `pvc`) as a table and as `-o json` in states that give them something to say. Uids, times,
//! ages, durations, IPs and paths are replaced by placeholders, so a change in a snapshot is a
//! change in what people and scripts read. Tables are at their natural width (stdout is a pipe
//! here, and a pipe's output is never fitted), except in `read_screens_fit_the_width`, which sets
//! `COLUMNS` as a terminal's width: 80, 120 and 200.

use crate::common::setup::{crash_looping_cluster, staged_cluster, web_cluster as web, zk_cluster as zk};
use crate::common::{self, Cluster, stderr_of, stdout_of};

/// stdout of a successful run.
fn run(cluster: &Cluster, args: &[&str]) -> String {
    run_exiting(cluster, args, 0)
}

/// stdout of a run that exits with `code` (3: what was asked about is not well).
fn run_exiting(cluster: &Cluster, args: &[&str], code: i32) -> String {
    let output = cluster.sts().args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: {}{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    stdout_of(&output)
}

/// A column of a table whose values vary from run to run: the values (`value`, a pattern) as
/// `placeholder` and the header padded to match, so that the column keeps one width. The
/// value with less than two spaces after it is prose, not a cell.
fn column(header: &str, value: &str, placeholder: &str) -> [(String, String); 3] {
    let width = header.len().max(placeholder.len()) + 3;
    [
        (format!(r"\b{value} {{2,}}"), format!("{placeholder:width$}")),
        (format!(r"\b{value}"), placeholder.to_string()),
        (format!(r"\b{header} {{2,}}"), format!("{header:width$}")),
    ]
}

/// Asserts `text` against the snapshot `name`, with what changes from run to run replaced.
fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    let fixed = [
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
        // An age cell (under 120 s: `45s`), padded as a two-character age would be; at the
        // end of a line, the table's last column.
        (r"\b\d{1,3}s {2,}", "[a]    "),
        (r"\bAGE {2,}", "AGE   "),
        (r"(?m) \d{1,3}s$", " [a]"),
        (r"/[^ \n\x22`]*/kubectl-sts-test-[^ \n\x22`]*/", "[dir]/"),
        (r#""resource_version": "\d+""#, r#""resource_version": "[rv]""#),
        (r#""age_seconds": \d+"#, r#""age_seconds": "[age]""#),
        // A crash-looping container's count goes up while the test reads it.
        (r"\b\d+ restarts\b", "[n] restarts"),
    ];
    for (pattern, placeholder) in fixed {
        settings.add_filter(pattern, placeholder);
    }
    for (pattern, placeholder) in column("IP", r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", "[ip]") {
        settings.add_filter(&pattern, placeholder);
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
    // The revision before the current one is the one just aborted: undo goes back to it only
    // when asked by number.
    let back = ["undo", "web", "--to-revision", "2"];
    snapshot("undo_plan", &run(&cluster, &[&back[..], &["--dry-run"]].concat()));
    snapshot(
        "undo_json",
        &run(&cluster, &[&back[..], &["--yes", "-o", "json"]].concat()),
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

/// `list`, `status` and `history` with a staged rollout in flight (web: nginx:1.26 on web-2,
/// partition 2) beside a set at rest (zk).
#[test]
fn read_screens_of_a_staged_rollout() {
    let cluster = staged_cluster();
    cluster.apply_fixture("zk.yaml");
    cluster.wait_ready("zk", 3);
    for (screen, args) in [
        ("list", &["list"][..]),
        ("status", &["status", "web"]),
        ("history", &["history", "web"]),
    ] {
        snapshot(&format!("{screen}_table"), &run(&cluster, args));
        let json = [args, &["-o", "json"]].concat();
        snapshot(&format!("{screen}_json"), &run(&cluster, &json));
    }
}

/// `status`, `pvc` and `history` fitted to 80, 120 and 200 columns (`COLUMNS`): the least
/// important columns left out and named, no value split, and `-o wide` with every column.
#[test]
fn read_screens_fit_the_width() {
    let cluster = staged_cluster();
    for columns in ["80", "120", "200"] {
        for screen in ["status", "pvc", "history"] {
            let output = cluster
                .sts()
                .env("COLUMNS", columns)
                .args([screen, "web"])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
            snapshot(&format!("{screen}_table_{columns}"), &stdout_of(&output));
        }
    }
    let wide = cluster
        .sts()
        .env("COLUMNS", "80")
        .args(["status", "web", "-o", "wide"])
        .output()
        .unwrap();
    let every = stdout_of(&wide);
    assert!(
        every.contains("web-0.nginx.default.svc.cluster.local") && !every.contains("not shown"),
        "-o wide shows every column: {every}"
    );
}

/// `why` and `dns` while a rollout is stuck behind a crash-looping pod: both exit 3.
#[test]
fn read_screens_of_a_crash_looping_pod() {
    let cluster = crash_looping_cluster();
    for screen in ["why", "dns"] {
        snapshot(
            &format!("{screen}_table"),
            &run_exiting(&cluster, &[screen, "web"], 3),
        );
        snapshot(
            &format!("{screen}_json"),
            &run_exiting(&cluster, &[screen, "web", "-o", "json"], 3),
        );
    }
}

/// `pvc` after a scale-down left web-2's claim behind.
#[test]
fn read_screens_of_a_leftover_claim() {
    let cluster = web();
    run(&cluster, &["scale", "web", "--replicas", "2", "--yes"]);
    snapshot("pvc_table", &run(&cluster, &["pvc", "web"]));
    snapshot("pvc_json", &run(&cluster, &["pvc", "web", "-o", "json"]));
}
