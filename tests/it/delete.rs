//! Black-box tests of `delete`: the real binary against the simulated cluster, asserting on
//! what is left in the cluster (pods with the same uids, no ownerReference to the old set,
//! claims), on the order things went in, and on the requests made when it refuses.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use sts_sim::resources;

use crate::common::setup::{claim_exists, pod_marks, web_cluster};
use crate::common::{self, Cluster, Transitions, stderr_of, stdout_of};

fn set_uid(cluster: &Cluster) -> Option<Value> {
    cluster
        .get(&resources::STATEFULSETS, "web")
        .map(|s| s["metadata"]["uid"].clone())
}

fn saved_manifest(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("statefulset-default-web-")
        })
        .unwrap_or_else(|| panic!("no saved manifest in {}", dir.display()))
}

#[test]
fn orphan_delete_keeps_pods_and_claims_and_recreating_adopts_them_without_restarts() {
    let cluster = web_cluster();
    let before = pod_marks(&cluster);
    let old_uid = set_uid(&cluster).unwrap();
    let transitions = Transitions::record(&cluster);
    let backup = cluster.dir.join("backup");
    std::fs::create_dir_all(&backup).unwrap();
    let output = cluster
        .sts()
        .args(["delete", "web", "--orphan", "--yes", "--backup-dir"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.contains("Pods left running:"), "{text}");
    assert!(
        text.contains(
            "To adopt them again, create a StatefulSet named web whose selector matches them (app=nginx)"
        ),
        "{text}"
    );
    assert!(set_uid(&cluster).is_none(), "the set is gone");
    assert_eq!(pod_marks(&cluster), before, "same pods, same uids, no restarts");
    for pod in cluster.pods() {
        assert_eq!(pod["status"]["phase"], "Running");
        let owners = pod["metadata"]["ownerReferences"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(owners.iter().all(|o| o["uid"] != old_uid), "{pod}");
    }
    assert!((0..3).all(|o| claim_exists(&cluster, &format!("www-web-{o}"))));

    let manifest = std::fs::read_to_string(saved_manifest(&backup)).unwrap();
    assert!(text.contains("kubectl create -f"), "{text}");
    cluster.apply_yaml(&manifest);
    let new_uid = set_uid(&cluster).unwrap();
    cluster.wait_for("the pods to be adopted", Duration::from_secs(30), |c| {
        c.pods()
            .iter()
            .all(|p| p["metadata"]["ownerReferences"][0]["uid"] == new_uid)
    });
    cluster.wait_ready("web", 3);
    assert_ne!(new_uid, old_uid);
    assert_eq!(pod_marks(&cluster), before, "adopted without restarts");
    let changes: Vec<String> = transitions
        .list()
        .into_iter()
        .filter(|t| !t.starts_with("READY"))
        .collect();
    assert!(changes.is_empty(), "no pod was deleted or created: {changes:?}");
}

#[test]
fn ordered_delete_removes_the_highest_ordinal_first_then_the_set_and_keeps_claims() {
    let cluster = web_cluster();
    let transitions = Transitions::record(&cluster);
    let deletions = common::record_deletions(&cluster);
    let output = cluster.sts().args(["delete", "web", "--yes"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("wait for web-2, web-1, web-0 to be gone, in that order"),
        "{text}"
    );
    assert!(
        text.contains("Claims kept: www-web-0, www-web-1, www-web-2"),
        "{text}"
    );
    let order = [
        transitions.position("DELETED web-2"),
        transitions.position("TERMINATING web-1"),
        transitions.position("DELETED web-1"),
        transitions.position("TERMINATING web-0"),
        transitions.position("DELETED web-0"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", transitions.list());
    let gone = deletions.lock().unwrap().clone();
    let at = |what: &str| {
        gone.iter()
            .position(|d| d == what)
            .unwrap_or_else(|| panic!("{gone:?}"))
    };
    assert!(
        at("pods/web-0") < at("statefulsets/web"),
        "the set goes last: {gone:?}"
    );
    assert!(set_uid(&cluster).is_none());
    assert!(cluster.pods().is_empty());
    assert!((0..3).all(|o| claim_exists(&cluster, &format!("www-web-{o}"))));
    let writes: Vec<String> = cluster
        .requests()
        .iter()
        .filter(|r| r.is_mutating())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        writes,
        [
            "PATCH /apis/apps/v1/namespaces/default/statefulsets/web",
            "DELETE /apis/apps/v1/namespaces/default/statefulsets/web"
        ],
        "scale to 0, then one delete: the controller removes the pods"
    );
}

#[test]
fn delete_pvcs_also_deletes_the_claims_after_the_set() {
    let cluster = web_cluster();
    let deletions = common::record_deletions(&cluster);
    let output = cluster
        .sts()
        .args(["delete", "web", "--delete-pvcs", "--yes"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("(reclaimPolicy Delete): the data is gone"),
        "{text}"
    );
    assert!(set_uid(&cluster).is_none());
    assert!((0..3).all(|o| !claim_exists(&cluster, &format!("www-web-{o}"))));
    let gone = deletions.lock().unwrap().clone();
    let at = |what: &str| {
        gone.iter()
            .position(|d| d == what)
            .unwrap_or_else(|| panic!("{gone:?}"))
    };
    assert!(
        at("statefulsets/web") < at("persistentvolumeclaims/www-web-0"),
        "{gone:?}"
    );
}

#[test]
fn without_a_terminal_and_without_yes_nothing_is_deleted() {
    let cluster = web_cluster();
    let before = pod_marks(&cluster);
    let rv = cluster.statefulset("web")["metadata"]["resourceVersion"].clone();
    for args in [
        vec!["delete", "web"],
        vec!["delete", "web", "--orphan"],
        vec!["delete", "web", "--delete-pvcs"],
    ] {
        let output = cluster.sts().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            stderr_of(&output).contains("refusing to delete statefulset default/web"),
            "{args:?}: {}",
            stderr_of(&output)
        );
    }
    assert_eq!(cluster.write_count(), 0);
    assert_eq!(cluster.statefulset("web")["metadata"]["resourceVersion"], rv);
    assert_eq!(pod_marks(&cluster), before);
    assert!((0..3).all(|o| claim_exists(&cluster, &format!("www-web-{o}"))));
}

#[test]
fn an_interrupted_teardown_resumes_and_a_gone_set_leaves_its_claims_to_delete_pvcs() {
    let cluster = web_cluster();
    let started = cluster
        .sts()
        .args(["delete", "web", "--yes", "--no-wait"])
        .output()
        .unwrap();
    assert!(started.status.success(), "{}", stderr_of(&started));
    assert!(stdout_of(&started).contains("re-run `kubectl sts delete web -n default` to finish"));
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 0);

    let resumed = cluster.sts().args(["delete", "web", "--yes"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert!(
        !stdout_of(&resumed).contains("scale from"),
        "{}",
        stdout_of(&resumed)
    );
    assert!(set_uid(&cluster).is_none() && cluster.pods().is_empty());

    let again = cluster.sts().args(["delete", "web"]).output().unwrap();
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert!(
        stdout_of(&again).contains("already gone; nothing to do"),
        "{}",
        stdout_of(&again)
    );

    let claims = cluster
        .sts()
        .args(["delete", "web", "--delete-pvcs", "--yes"])
        .output()
        .unwrap();
    assert!(claims.status.success(), "{}", stderr_of(&claims));
    assert!((0..3).all(|o| !claim_exists(&cluster, &format!("www-web-{o}"))));

    let nothing = cluster.sts().args(["delete", "web"]).output().unwrap();
    assert_eq!(nothing.status.code(), Some(1));
    assert!(
        stderr_of(&nothing)
            .starts_with("error: statefulset default/web not found; namespace default has no StatefulSets"),
        "{}",
        stderr_of(&nothing)
    );
}

#[test]
fn a_set_that_deletes_its_own_claims_needs_delete_pvcs_for_a_teardown() {
    let cluster = Cluster::start();
    let text = common::fixture("web.yaml").replace(
        "  serviceName: nginx",
        "  serviceName: nginx\n  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}",
    );
    cluster.apply_yaml(&text);
    cluster.wait_ready("web", 3);
    let output = cluster.sts().args(["delete", "web", "--yes"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output)
            .contains("deletes its own claims (persistentVolumeClaimRetentionPolicy whenDeleted: Delete)"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(cluster.write_count(), 0);
    assert!(set_uid(&cluster).is_some());
}

#[test]
fn dry_run_prints_the_plan_and_the_server_only_checks_it() {
    let cluster = web_cluster();
    let before = pod_marks(&cluster);
    let output = cluster
        .sts()
        .args(["delete", "web", "--delete-pvcs", "--dry-run"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stdout_of(&output).contains("dry run: the server accepted every write"));
    // Patches carry dryRun in the query; deletes carry it in their DeleteOptions body, which
    // the log does not keep: the state below shows the server kept everything.
    let writes: Vec<_> = cluster
        .requests()
        .into_iter()
        .filter(|r| r.is_mutating())
        .collect();
    assert!(
        writes
            .iter()
            .all(|r| r.query.contains("dryRun") || r.method == "DELETE"),
        "{writes:?}"
    );
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 3);
    assert_eq!(pod_marks(&cluster), before);
    assert!((0..3).all(|o| claim_exists(&cluster, &format!("www-web-{o}"))));
}

#[test]
fn orphan_json_lists_what_remains_and_where_the_manifest_is() {
    let cluster = web_cluster();
    let output = cluster
        .sts()
        .args(["delete", "web", "--orphan", "-y", "-o", "json", "--backup-dir"])
        .arg(&cluster.dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(doc["kind"], "DeleteResult");
    assert_eq!(doc["plan"]["mode"], "orphan");
    assert_eq!(doc["outcome"]["result"], "done");
    assert_eq!(doc["remains"]["pods"].as_array().unwrap().len(), 3);
    assert_eq!(doc["remains"]["pods"][0]["controller"], Value::Null);
    assert_eq!(doc["remains"]["claims"][2]["claim"], "www-web-2");
    let manifest = doc["manifest"].as_str().unwrap();
    assert!(Path::new(manifest).exists(), "{manifest}");
    assert!(doc["adopt"].as_str().unwrap().contains(manifest));
}

#[test]
fn a_teardown_past_its_timeout_exits_4_and_rerunning_finishes_it() {
    let cluster = web_cluster();
    let output = cluster
        .sts()
        .args(["delete", "web", "--yes", "--timeout", "30ms"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("re-run `kubectl sts delete web -n default` to resume"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(
        cluster.statefulset("web")["spec"]["replicas"],
        0,
        "left mid-way, consistently"
    );
    let resumed = cluster.sts().args(["delete", "web", "--yes"]).output().unwrap();
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert!(set_uid(&cluster).is_none() && cluster.pods().is_empty());
    assert!((0..3).all(|o| claim_exists(&cluster, &format!("www-web-{o}"))));
}

#[test]
fn a_conflict_on_the_scale_write_is_replanned_and_the_same_plan_goes_on() {
    if common::skip_on_real("injects a 409 Conflict (simulator fault injection)") {
        return;
    }
    let cluster = web_cluster();
    let conflict = sts_sim::faults::Fault::conflict(1).on("statefulsets");
    cluster.sim.faults().inject(conflict).unwrap();
    let output = cluster.sts().args(["delete", "web", "--yes"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let scale_writes: Vec<u16> = cluster
        .sim
        .log
        .mutating()
        .iter()
        .filter(|r| r.verb == "patch" && r.resource == "statefulsets")
        .map(|r| r.status)
        .collect();
    assert_eq!(scale_writes, [409, 200], "re-read, re-planned, written again");
    assert!(set_uid(&cluster).is_none() && cluster.pods().is_empty());
    assert!((0..3).all(|o| claim_exists(&cluster, &format!("www-web-{o}"))));
}
