//! One meaning per exit code, whichever command: 0 done or nothing to do, 1 an error or a
//! refusal by the set's state, 2 usage and invalid values (judged before or after the cluster
//! is read), 3 blocked or failed, 4 timed out, 5 `plan`'s changes. A matrix of cases across
//! commands, run against one set through the states that give each code.

use std::time::Duration;

use crate::common::{Cluster, stderr_of, stdout_of};

/// One case: the command line (split at spaces), the exit code, and what the user reads
/// (stdout for a success, stderr otherwise).
type Case<'a> = (&'a str, i32, &'a str);

/// Runs every case, collecting each mismatch so that one run shows them all.
fn check(cluster: &Cluster, cases: &[Case<'_>]) {
    let mut wrong = Vec::new();
    for (line, code, said) in cases {
        let output = cluster.sts().args(line.split(' ')).output().unwrap();
        let read = match code {
            0 => stdout_of(&output),
            _ => stderr_of(&output),
        };
        if output.status.code() != Some(*code) || !read.contains(said) {
            wrong.push(format!(
                "{line}: expected {code} and {said:?}, got {:?}:\n{}{}",
                output.status.code(),
                stdout_of(&output),
                stderr_of(&output)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `web.yaml` as it is, and with 5 replicas: a manifest `plan` finds unchanged, and changed.
fn manifests(cluster: &Cluster) -> (String, String) {
    let text = crate::common::fixture("web.yaml");
    let same = cluster.dir.join("web.yaml");
    let more = cluster.dir.join("web-5.yaml");
    std::fs::write(&same, &text).unwrap();
    std::fs::write(&more, text.replace("replicas: 3", "replicas: 5")).unwrap();
    let path = |p: std::path::PathBuf| p.to_str().unwrap().to_string();
    (path(same), path(more))
}

/// Usage, judged before any request or once the set is read: 2 either way.
const USAGE: &[Case<'_>] = &[
    ("status web --bogus", 2, "unexpected argument"),
    ("pvc resize web --template www --size big", 2, "error:"),
    (
        "rollout web --image nginx=ngïnx:1 --yes",
        2,
        "not a valid image reference",
    ),
    ("recover web", 2, "choose a remedy"),
    (
        "rollout web --image app=nginx:1.26 --yes",
        2,
        "container \"app\" is not in",
    ),
    (
        "canary web --image nginx=nginx:1.26 --count 5 --yes",
        2,
        "--count 5 is more than the 3 replicas",
    ),
    (
        "rollout web --image nginx=nginx:1.26 --steps 1,4 --yes",
        2,
        "step 4 is above the 3 replicas",
    ),
    (
        "rollout web --image nginx=nginx:1.26 --partition 4 --yes",
        2,
        "outside 0..=3",
    ),
    (
        "rollout web --image nginx=nginx:1.25 --partition 1 --yes",
        2,
        "only the partition would change",
    ),
    ("undo web --to-revision 42 --yes", 2, "has no revision 42"),
    (
        "pvc resize web --template data --size 2Gi --yes",
        2,
        "no claim template",
    ),
    (
        "pvc resize web --template www --size 500Mi --yes",
        2,
        "would shrink it",
    ),
    ("roll web --ordinals 7 --yes", 2, "ordinal 7 is not in"),
    ("dns web --cluster-domain bad_domain", 2, "is not a DNS domain"),
];

/// A set at rest: nothing to do is 0 everywhere, said on stdout; errors and refusals are 1.
const AT_REST: &[Case<'_>] = &[
    ("scale web --replicas 3 --yes", 0, "nothing to do"),
    (
        "rollout web --image nginx=nginx:1.25 --yes",
        0,
        "nothing to roll out",
    ),
    ("promote web --full --yes", 0, "nothing to promote"),
    ("promote web", 0, "nothing to promote"),
    ("abort web --yes", 0, "nothing to abort"),
    ("undo web --yes", 0, "nothing to undo"),
    ("pvc web --prune --yes", 0, "nothing to do"),
    ("recover web --force-delete --yes", 0, "nothing to recover"),
    ("wait web", 0, ""),
    ("status nope", 1, "not found"),
    ("scale web --replicas 4", 1, "without confirmation"),
];

/// A canary that crash-loops: 3 from the command that failed and from the checks after it.
const FAILED: &[Case<'_>] = &[
    (
        "canary web --image nginx=nginx:broken --yes",
        3,
        "will not become Ready",
    ),
    ("wait web --timeout 2m", 3, "is blocked"),
    ("why web", 3, "blocked"),
    ("abort web --yes", 0, "web"),
];

/// A staged rollout of a slow image: a choice missing without a terminal is usage, as for
/// `recover`; a wait past its deadline is 4.
const STAGED: &[Case<'_>] = &[
    ("rollout web --image nginx=nginx:slow --yes", 0, "no pod restarts"),
    ("promote web", 2, "say how far to promote"),
    ("scale web --replicas 4 --timeout 100ms --yes", 4, "timed out"),
];

#[test]
fn each_exit_code_means_one_thing_across_commands() {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    check(&cluster, USAGE);
    check(&cluster, AT_REST);
    let promote = cluster
        .sts()
        .args(["promote", "web", "--full", "-o", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&promote.stdout).unwrap();
    assert_eq!(doc["outcome"]["result"], "nothing_to_do", "{doc}");
    assert_eq!(doc["plan"], serde_json::Value::Null, "{doc}");
    assert_eq!(cluster.write_count(), 0, "nothing written");
    // `plan`: 0 for a manifest the set matches, 5 for one that changes it (its dry runs count
    // as writes, so after the count).
    let (same, more) = manifests(&cluster);
    let plans = [format!("plan -f {same}"), format!("plan -f {more}")];
    check(&cluster, &[(&plans[0], 0, ""), (&plans[1], 5, "")]);

    check(&cluster, FAILED);
    cluster.wait_ready("web", 3);
    check(&cluster, STAGED);
    cluster.wait_for("web-3 created", Duration::from_secs(30), |c| {
        c.get(&sts_sim::resources::PODS, "web-3").is_some()
    });
}
