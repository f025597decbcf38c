//! Black-box tests of the staged-rollout commands: rollout, canary, promote, abort, history
//! and undo, asserting on pod revisions and images in the simulated cluster.

use serde_json::Value;
use sts_sim::resources;

use crate::common::setup::{partition, zk_cluster};
use crate::common::{self, Cluster, Transitions, stderr_of, stdout_of};

fn web5() -> Cluster {
    let cluster = Cluster::start();
    cluster.apply_yaml(&common::fixture("web.yaml").replace("replicas: 3", "replicas: 5"));
    cluster.wait_ready("web", 5);
    cluster
}

/// The image of each pod, by ordinal.
fn images(cluster: &Cluster, replicas: usize) -> Vec<String> {
    common::setup::pod_images(cluster, "web", replicas)
}

fn template_image(cluster: &Cluster) -> Value {
    cluster.statefulset("web")["spec"]["template"]["spec"]["containers"][0]["image"].clone()
}

#[test]
fn canary_then_promote_step_by_step_to_the_full_rollout() {
    let cluster = web5();
    let canary = cluster
        .sts()
        .args(["canary", "web", "--image", "nginx=nginx:1.26", "--yes"])
        .output()
        .unwrap();
    assert!(canary.status.success(), "{}", stderr_of(&canary));
    assert!(
        stdout_of(&canary).contains("web-4 updated and Ready"),
        "{}",
        stdout_of(&canary)
    );
    assert_eq!(
        images(&cluster, 5),
        [
            "nginx:1.25",
            "nginx:1.25",
            "nginx:1.25",
            "nginx:1.25",
            "nginx:1.26"
        ]
    );
    assert_eq!(partition(&cluster, "web"), 4);

    let transitions = Transitions::record(&cluster);
    let step = cluster
        .sts()
        .args(["promote", "web", "--step", "2", "--yes"])
        .output()
        .unwrap();
    assert!(step.status.success(), "{}", stderr_of(&step));
    assert_eq!(
        images(&cluster, 5),
        [
            "nginx:1.25",
            "nginx:1.25",
            "nginx:1.26",
            "nginx:1.26",
            "nginx:1.26"
        ]
    );
    assert!(
        transitions.position("READY web-3") < transitions.position("TERMINATING web-2"),
        "{:?}",
        transitions.list()
    );

    let full = cluster
        .sts()
        .args(["promote", "web", "--full", "--yes"])
        .output()
        .unwrap();
    assert!(full.status.success(), "{}", stderr_of(&full));
    assert!(
        stdout_of(&full).contains("the rollout is complete"),
        "{}",
        stdout_of(&full)
    );
    assert_eq!(images(&cluster, 5), ["nginx:1.26"; 5]);
    let status = cluster
        .sts()
        .args(["status", "web", "-o", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(doc["current_revision"]["name"], doc["update_revision"]["name"]);
    assert!(
        cluster.statefulset("web")["metadata"]["annotations"]
            .get("kubectl-sts.io/partition-before-rollout")
            .is_none()
    );
}

#[test]
fn a_broken_canary_exits_3_and_abort_brings_everything_back() {
    let cluster = web5();
    let before = cluster.statefulset("web");
    let canary = cluster
        .sts()
        .args(["canary", "web", "--image", "nginx=nginx:broken", "--yes"])
        .output()
        .unwrap();
    assert_eq!(canary.status.code(), Some(3), "{}", stderr_of(&canary));
    let err = stderr_of(&canary);
    assert!(
        err.contains("web-4 will not become Ready: CrashLoopBackOff")
            && err.contains("kubectl sts abort web"),
        "{err}"
    );

    let abort = cluster.sts().args(["abort", "web", "--yes"]).output().unwrap();
    assert!(abort.status.success(), "{}", stderr_of(&abort));
    let text = stdout_of(&abort);
    assert!(
        text.contains("delete web-4: not Ready (CrashLoopBackOff"),
        "{text}"
    );
    // The pods the canary never touched are said to be untouched, not "updated".
    let progress = stderr_of(&abort);
    let web0 = progress
        .lines()
        .rfind(|l| l.contains("web-0: "))
        .unwrap_or_else(|| panic!("{progress}"));
    assert!(web0.contains("(not replaced)"), "{progress}");
    assert_eq!(images(&cluster, 5), ["nginx:1.25"; 5]);
    let after = cluster.statefulset("web");
    assert_eq!(after["spec"]["template"], before["spec"]["template"]);
    assert_eq!(after["spec"]["updateStrategy"], before["spec"]["updateStrategy"]);
    assert_eq!(after["status"]["readyReplicas"], 5);
    assert_eq!(
        after["status"]["updateRevision"],
        before["status"]["updateRevision"]
    );
    assert!(
        after["metadata"]["annotations"]
            .get("kubectl-sts.io/partition-before-rollout")
            .is_none()
    );

    // `undo` right after: the revision before the current one is the aborted, broken one;
    // with --yes in CI it would redeploy it. Refused, naming it, with nothing written.
    let writes = cluster.write_count();
    let undo = cluster.sts().args(["undo", "web", "--yes"]).output().unwrap();
    assert_eq!(undo.status.code(), Some(0), "nothing to do: {}", stderr_of(&undo));
    let err = stdout_of(&undo);
    assert!(
        err.contains("nothing to undo in statefulset default/web: the revision before the current one, ")
            && err.contains("was left by a revert before it was fully rolled out")
            && err.contains("--to-revision"),
        "{err}"
    );
    assert_eq!(cluster.write_count(), writes, "nothing written");
    assert_eq!(images(&cluster, 5), ["nginx:1.25"; 5]);
}

#[test]
fn history_lists_image_changes_and_undo_returns_to_the_previous_image() {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    let rollout = cluster
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
    assert!(rollout.status.success(), "{}", stderr_of(&rollout));
    let history = cluster.sts().args(["history", "web"]).output().unwrap();
    let text = stdout_of(&history);
    assert!(text.contains("nginx: image nginx:1.25 -> nginx:1.26"), "{text}");
    let doc: Value = serde_json::from_slice(
        &cluster
            .sts()
            .args(["history", "web", "-o", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let revisions = doc["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[1]["update"], true);
    assert_eq!(revisions[1]["pods"], 3);

    let undo = cluster.sts().args(["undo", "web", "--yes"]).output().unwrap();
    assert!(undo.status.success(), "{}", stderr_of(&undo));
    assert_eq!(images(&cluster, 3), ["nginx:1.25"; 3]);
    assert_eq!(template_image(&cluster), "nginx:1.25");
    let missing = cluster
        .sts()
        .args(["undo", "web", "--to-revision", "9", "--yes"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr_of(&missing).contains("has no revision 9 (revisions: "),
        "{}",
        stderr_of(&missing)
    );
}

#[test]
fn staged_rollout_moves_nothing_until_promoted_and_an_interrupted_promote_resumes() {
    let cluster = web5();
    let staged = cluster
        .sts()
        .args(["rollout", "web", "--image", "nginx=nginx:slow-1.26", "--yes"])
        .output()
        .unwrap();
    assert!(staged.status.success(), "{}", stderr_of(&staged));
    assert!(
        stdout_of(&staged).contains("no pod restarts until `kubectl sts promote web -n default`"),
        "{}",
        stdout_of(&staged)
    );
    assert_eq!(partition(&cluster, "web"), 5);
    assert_eq!(images(&cluster, 5), ["nginx:1.25"; 5]);
    cluster.wait_for(
        "the controller to observe the rollout",
        std::time::Duration::from_secs(30),
        |c| {
            let sts = c.statefulset("web");
            sts["status"]["observedGeneration"] == sts["metadata"]["generation"]
        },
    );

    let cut = cluster
        .sts()
        .args([
            "promote",
            "web",
            "--partition",
            "3",
            "--yes",
            "--timeout",
            "400ms",
        ])
        .output()
        .unwrap();
    assert_eq!(cut.status.code(), Some(4), "{}", stderr_of(&cut));
    assert!(
        stderr_of(&cut).contains("kubectl sts promote web --partition 3"),
        "{}",
        stderr_of(&cut)
    );
    let resumed = cluster
        .sts()
        .args(["promote", "web", "--partition", "3"])
        .output()
        .unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert_eq!(
        images(&cluster, 5),
        [
            "nginx:1.25",
            "nginx:1.25",
            "nginx:1.25",
            "nginx:slow-1.26",
            "nginx:slow-1.26"
        ]
    );
}

#[test]
fn on_delete_rollout_and_promote_roll_the_chosen_ordinals() {
    let cluster = Cluster::start();
    cluster.apply_fixture("zk.yaml");
    cluster.wait_ready("zk", 3);
    let zk_images = |c: &Cluster| -> Vec<String> {
        (0..3)
            .map(|o| {
                c.get(&resources::PODS, &format!("zk-{o}")).unwrap()["spec"]["containers"][0]["image"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let canary = cluster
        .sts()
        .args(["canary", "zk", "--image", "zookeeper=zookeeper:3.9", "--yes"])
        .output()
        .unwrap();
    assert!(canary.status.success(), "{}", stderr_of(&canary));
    assert!(
        stdout_of(&canary).contains("OnDelete: the controller moves no pod by itself"),
        "{}",
        stdout_of(&canary)
    );
    assert_eq!(
        zk_images(&cluster),
        ["zookeeper:3.8", "zookeeper:3.8", "zookeeper:3.9"]
    );
    let promote = cluster
        .sts()
        .args(["promote", "zk", "--full", "--yes"])
        .output()
        .unwrap();
    assert!(promote.status.success(), "{}", stderr_of(&promote));
    assert_eq!(zk_images(&cluster), ["zookeeper:3.9"; 3]);
}

#[test]
fn bad_input_and_missing_confirmation_change_nothing() {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    common::assert_refused(
        &cluster,
        &[
            (
                vec!["rollout", "web", "--image", "app=nginx:1.26", "--yes"],
                2,
                "container \"app\" is not in statefulset default/web (containers: nginx)",
            ),
            (
                vec!["rollout", "web", "--image", "nginx:1.26", "--yes"],
                2,
                "expected CONTAINER=IMAGE",
            ),
            (
                vec![
                    "rollout",
                    "web",
                    "--image",
                    "nginx=nginx:1.26",
                    "--partition",
                    "4",
                    "--yes",
                ],
                2,
                "partition 4 is outside 0..=3",
            ),
            (
                vec!["rollout", "web", "--image", "nginx=Bad Image", "--yes"],
                2,
                "is not a valid image reference",
            ),
            (
                vec![
                    "canary",
                    "web",
                    "--image",
                    "nginx=nginx:1.26",
                    "--count",
                    "4",
                    "--yes",
                ],
                2,
                "--count 4 is more than the 3 replicas",
            ),
            (
                vec!["promote", "web", "--step", "1", "--full"],
                2,
                "cannot be used with",
            ),
            (
                vec!["rollout", "web", "--image", "nginx=nginx:1.26"],
                1,
                "refusing to change the template of statefulset default/web without confirmation",
            ),
        ],
    );
    for (args, said) in [
        (&["promote", "web", "--full", "--yes"][..], "nothing to promote"),
        (
            &["abort", "web", "--yes"],
            "no rollout in flight in statefulset default/web: nothing to abort",
        ),
        (&["promote", "web"], "nothing to promote"),
    ] {
        let output = cluster.sts().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", stderr_of(&output));
        assert!(
            stdout_of(&output).contains(said),
            "{args:?}: {}",
            stdout_of(&output)
        );
    }
    assert_eq!(cluster.write_count(), 0);
    let staged = cluster
        .sts()
        .args(["rollout", "web", "--image", "nginx=nginx:1.26", "--yes"])
        .output()
        .unwrap();
    assert!(staged.status.success());
    let replace = cluster
        .sts()
        .args(["rollout", "web", "--image", "nginx=nginx:1.27"])
        .output()
        .unwrap();
    assert_eq!(replace.status.code(), Some(1));
    assert!(
        stdout_of(&replace).contains("Warning: a rollout to web-"),
        "{}",
        stdout_of(&replace)
    );
    let promote = cluster.sts().args(["promote", "web"]).output().unwrap();
    assert_eq!(
        promote.status.code(),
        Some(2),
        "a missing choice without a terminal is usage"
    );
    assert!(
        stderr_of(&promote).contains("say how far to promote: --step K, --partition P or --full"),
        "{}",
        stderr_of(&promote)
    );
}

#[test]
fn a_crash_looping_ondelete_canary_says_abort_first_and_abort_shows_and_rolls_it_back() {
    let cluster = zk_cluster();
    let canary = cluster
        .sts()
        .args(["canary", "zk", "--image", "zookeeper=zookeeper:broken", "--yes"])
        .output()
        .unwrap();
    let error = stderr_of(&canary);
    assert_eq!(canary.status.code(), Some(3), "{error}");
    assert!(
        error.contains("zk-2: replacement CrashLoopBackOff")
            && error.contains("roll back with `kubectl sts abort zk -n default`, or fix the template and re-run `kubectl sts promote zk --partition 2 -n default`"),
        "{error}"
    );
    let (abort_at, fix_at) = (
        error.find("roll back with `kubectl sts abort zk").expect(&error),
        error.find("fix the template").expect(&error),
    );
    assert!(abort_at < fix_at, "abort is said first: {error}");
    let abort = cluster.sts().args(["abort", "zk", "--yes"]).output().unwrap();
    let progress = stderr_of(&abort);
    assert!(abort.status.success(), "{progress}");
    // The broken pod is shown as it is before it goes, not as `running (old)`.
    let before = progress
        .lines()
        .find(|l| l.contains("zk-2: ") && l.contains("to be replaced"))
        .unwrap_or_else(|| panic!("zk-2 before its replacement: {progress}"));
    assert!(
        before.contains(", on zk-") && !before.contains("running on"),
        "the broken pod is shown as it is (not Ready, with why): {before}"
    );
    assert!(!progress.contains("running (old)"), "{progress}");
    assert_eq!(
        crate::common::setup::pod_images(&cluster, "zk", 3),
        ["zookeeper:3.8"; 3]
    );
}

#[test]
fn history_counts_each_revision_from_the_one_it_was_made_from_not_an_aborted_one() {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    let run = |args: &[&str]| cluster.sts().args(args).output().unwrap();
    let rolled = run(&[
        "rollout",
        "web",
        "--image",
        "nginx=nginx:1.26",
        "--partition",
        "0",
        "--yes",
    ]);
    assert!(rolled.status.success(), "{}", stderr_of(&rolled));
    let canary = run(&["canary", "web", "--image", "nginx=nginx:broken", "--yes"]);
    assert_eq!(canary.status.code(), Some(3), "{}", stderr_of(&canary));
    let aborted = run(&["abort", "web", "--yes"]);
    assert!(aborted.status.success(), "{}", stderr_of(&aborted));

    let doc: Value = serde_json::from_slice(&run(&["history", "web", "-o", "json"]).stdout).unwrap();
    let rows: Vec<(i64, bool, Option<i64>, Vec<String>)> = doc["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let changes = r["changes"].as_array().unwrap();
            (
                r["number"].as_i64().unwrap(),
                r["abandoned"].as_bool().unwrap(),
                r["from"].as_i64(),
                changes.iter().map(|c| c.as_str().unwrap().to_string()).collect(),
            )
        })
        .collect();
    // #2 (1.26) came back as #4 when the broken #3 was aborted: #4 is counted from #1.
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!((rows[1].0, rows[1].1), (3, true), "{rows:?}");
    assert_eq!((rows[2].0, rows[2].1, rows[2].2), (4, false, Some(1)), "{rows:?}");
    assert_eq!(rows[2].3, ["nginx: image nginx:1.25 -> nginx:1.26"]);
    let table = stdout_of(&run(&["history", "web"]));
    assert!(table.contains("abandoned"), "{table}");
    assert!(table.contains("from #1:"), "{table}");
}
