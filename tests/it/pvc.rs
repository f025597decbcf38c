//! Black-box tests of `pvc` and `pvc resize`: the real binary against the simulated cluster,
//! asserting on the claims and the set in the cluster afterwards (sizes, uids, owners), on the
//! requests made, and on what the user sees.

use std::time::Duration;

use serde_json::Value;
use sts_sim::resources;

use crate::common::setup::{json_of, pod_marks, web_cluster};
use crate::common::{self, Cluster, Transitions, stderr_of, stdout_of};

fn claim(cluster: &Cluster, name: &str) -> Option<Value> {
    cluster.get(&resources::PVCS, name)
}

fn scale(cluster: &Cluster, replicas: &str) {
    let output = cluster
        .sts()
        .args(["scale", "web", "--replicas", replicas, "--yes"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
}

#[test]
fn pvc_shows_each_claim_with_sizes_class_reclaim_policy_and_user_in_a_fixed_number_of_requests() {
    let cluster = web_cluster();
    let before = cluster.request_count();
    let output = cluster.sts().args(["pvc", "web", "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(cluster.request_count() - before, 5, "one get and four lists");
    let doc = json_of(&output);
    assert_eq!(doc["kind"], "StatefulSetClaims");
    assert_eq!(doc["retention"]["when_deleted"], "Retain");
    let claims = doc["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 3);
    for (ordinal, row) in claims.iter().enumerate() {
        let live = claim(&cluster, &format!("www-web-{ordinal}")).unwrap();
        assert_eq!(row["claim"], format!("www-web-{ordinal}"));
        assert_eq!(
            (row["ordinal"].as_u64(), &row["template"]),
            (Some(ordinal as u64), &Value::from("www"))
        );
        assert_eq!(row["phase"], "Bound");
        assert_eq!(row["volume"], live["spec"]["volumeName"]);
        assert_eq!(
            (&row["requested"], &row["capacity"]),
            (&Value::from("1Gi"), &Value::from("1Gi"))
        );
        assert_eq!(
            (&row["storage_class"], &row["allows_expansion"]),
            (&Value::from("standard"), &Value::from(true))
        );
        assert_eq!(row["access_modes"][0], "ReadWriteOnce");
        assert_eq!(row["reclaim_policy"], "Delete");
        assert_eq!(row["used_by"][0], format!("web-{ordinal}"));
        assert_eq!(row["leftover"], false);
    }
    let table = cluster.sts().args(["pvc", "web"]).output().unwrap();
    let text = stdout_of(&table);
    assert!(
        text.contains("Retention:   whenDeleted Retain, whenScaled Retain"),
        "{text}"
    );
    let row = text.lines().find(|l| l.starts_with("www-web-1")).unwrap();
    assert!(
        row.contains("standard (expandable)") && row.contains("RWO") && row.contains("web-1"),
        "{row}"
    );
}

#[test]
fn after_scaling_5_to_2_leftovers_are_marked_and_prune_deletes_exactly_those() {
    let cluster = web_cluster();
    scale(&cluster, "5");
    scale(&cluster, "2");
    let output = cluster.sts().args(["pvc", "web", "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let doc = json_of(&output);
    let marks: Vec<(String, bool)> = doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["claim"].as_str().unwrap().to_string(),
                c["leftover"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, bool)> = (0..5).map(|o| (format!("www-web-{o}"), o >= 2)).collect();
    assert_eq!(marks, expected);
    let text = stdout_of(&cluster.sts().args(["pvc", "web"]).output().unwrap());
    let row = text.lines().find(|l| l.starts_with("www-web-4")).unwrap();
    assert!(row.contains("Bound, leftover"), "{row}");

    let writes = cluster.write_count();
    let refused = cluster.sts().args(["pvc", "web", "--prune"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr_of(&refused).contains("refusing to delete leftover claims"),
        "{}",
        stderr_of(&refused)
    );
    assert_eq!(cluster.write_count(), writes, "nothing written without --yes");
    assert!((0..5).all(|o| claim(&cluster, &format!("www-web-{o}")).is_some()));

    let pruned = cluster
        .sts()
        .args(["pvc", "web", "--prune", "--yes"])
        .output()
        .unwrap();
    assert!(pruned.status.success(), "{}", stderr_of(&pruned));
    assert!(stdout_of(&pruned).contains("deleted 3 leftover claim(s) of statefulset default/web"));
    let present: Vec<bool> = (0..5)
        .map(|o| claim(&cluster, &format!("www-web-{o}")).is_some())
        .collect();
    assert_eq!(present, [true, true, false, false, false]);
    let mutating: Vec<_> = cluster
        .requests()
        .into_iter()
        .filter(|r| r.is_mutating())
        .collect();
    let deleted: Vec<String> = mutating[writes..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.name.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        deleted,
        ["DELETE www-web-2", "DELETE www-web-3", "DELETE www-web-4"]
    );
}

#[test]
fn a_claim_a_replica_needs_that_is_not_bound_exits_3_naming_it() {
    let cluster = web_cluster();
    let text = common::fixture("web.yaml")
        .replace("name: web\n", "name: db\n")
        .replace("replicas: 3", "replicas: 1")
        .replace("{app: nginx}", "{app: db}")
        .replace(
            "accessModes: [ReadWriteOnce]",
            "accessModes: [ReadWriteOnce]\n      storageClassName: nowhere",
        );
    let db = text.split("---").nth(1).unwrap().to_string();
    cluster.apply_yaml(&db);
    cluster.wait_for("db-0 to be created", Duration::from_secs(30), |c| {
        c.get(&resources::PODS, "db-0").is_some()
    });
    let output = cluster.sts().args(["pvc", "db"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("claim www-db-0 of db-0 is Pending, not Bound"),
        "{}",
        stderr_of(&output)
    );
    assert!(
        stdout_of(&output).contains("www-db-0"),
        "the table is printed too"
    );
    let healthy = cluster.sts().args(["pvc", "web"]).output().unwrap();
    assert!(healthy.status.success());
}

#[test]
fn pvc_resize_grows_every_claim_and_the_template_without_restarting_pods() {
    let cluster = web_cluster();
    scale(&cluster, "2");
    let before = pod_marks(&cluster);
    let old_uid = cluster.statefulset("web")["metadata"]["uid"].clone();
    let transitions = Transitions::record(&cluster);
    let output = cluster
        .sts()
        .args([
            "pvc",
            "resize",
            "web",
            "--template",
            "www",
            "--size",
            "2Gi",
            "--yes",
            "--backup-dir",
        ])
        .arg(&cluster.dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.contains("www-web-0   resized to 2Gi"), "{text}");
    assert!(
        text.contains("www-web-2   volume grown to 2Gi; the file system grows when a pod mounts it"),
        "{text}"
    );
    let set = cluster.statefulset("web");
    assert_ne!(set["metadata"]["uid"], old_uid, "created again");
    assert_eq!(
        set["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
        "2Gi"
    );
    assert_eq!(set["spec"]["replicas"], 2);
    for ordinal in 0..3 {
        let live = claim(&cluster, &format!("www-web-{ordinal}")).unwrap();
        assert_eq!(live["spec"]["resources"]["requests"]["storage"], "2Gi", "{live}");
        if ordinal < 2 {
            assert_eq!(live["status"]["capacity"]["storage"], "2Gi", "{live}");
        }
    }
    assert_eq!(pod_marks(&cluster), before, "same uids, same restart counts");
    for pod in cluster.pods() {
        assert_eq!(
            pod["metadata"]["ownerReferences"][0]["uid"],
            set["metadata"]["uid"]
        );
    }
    let changes: Vec<String> = transitions
        .list()
        .into_iter()
        .filter(|t| !t.starts_with("READY"))
        .collect();
    assert!(changes.is_empty(), "no pod was deleted or created: {changes:?}");
    let saved = std::fs::read_dir(&cluster.dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".yaml"))
        .expect("the manifest was saved");
    let manifest = std::fs::read_to_string(&saved).unwrap();
    assert!(
        manifest.contains("storage: 1Gi") && manifest.contains("kind: StatefulSet"),
        "{manifest}"
    );
    assert!(
        stderr_of(&output).contains(&saved.display().to_string()),
        "the path is printed"
    );

    let again = cluster
        .sts()
        // The set's only template needs no --template.
        .args(["pvc", "resize", "web", "--size", "2048Mi"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert!(
        stdout_of(&again).contains("nothing to do"),
        "{}",
        stdout_of(&again)
    );
}

#[test]
fn pvc_resize_refuses_bad_input_with_one_line_and_changes_nothing() {
    let cluster = web_cluster();
    let fixed = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fixed}\n\
                 provisioner: sim.k8s.io/hostpath\nallowVolumeExpansion: false\n";
    cluster.apply_yaml(fixed);
    let text = common::fixture("web.yaml")
        .replace("name: web\n", "name: db\n")
        .replace("replicas: 3", "replicas: 1")
        .replace("{app: nginx}", "{app: db}")
        .replace(
            "accessModes: [ReadWriteOnce]",
            "accessModes: [ReadWriteOnce]\n      storageClassName: fixed",
        );
    cluster.apply_yaml(text.split("---").nth(1).unwrap());
    cluster.wait_ready("db", 1);
    let uid = cluster.statefulset("web")["metadata"]["uid"].clone();
    for (args, code, message) in [
        (
            vec![
                "pvc",
                "resize",
                "web",
                "--template",
                "data",
                "--size",
                "2Gi",
                "--yes",
            ],
            2,
            "error: statefulset default/web has no claim template \"data\" (its templates: www)",
        ),
        (
            vec![
                "pvc",
                "resize",
                "web",
                "--template",
                "www",
                "--size",
                "500Mi",
                "--yes",
            ],
            2,
            "error: claim template www of statefulset default/web asks for 1Gi; 500Mi would shrink it and claims can only grow",
        ),
        (
            vec![
                "pvc",
                "resize",
                "db",
                "--template",
                "www",
                "--size",
                "2Gi",
                "--yes",
            ],
            1,
            "error: storage class fixed of claim www-db-0 does not allow volume expansion (allowVolumeExpansion is not true); nothing was changed",
        ),
        (
            vec!["pvc", "resize", "web", "--template", "www", "--size", "2GB"],
            2,
            "is not a quantity",
        ),
    ] {
        let output = cluster.sts().args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "{args:?}: {}",
            stderr_of(&output)
        );
        let err = stderr_of(&output);
        assert!(err.contains(message), "{args:?}: {err}");
        if code == 1 {
            assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        }
    }
    assert_eq!(cluster.write_count(), 0);
    assert_eq!(cluster.statefulset("web")["metadata"]["uid"], uid);
    assert_eq!(
        claim(&cluster, "www-web-0").unwrap()["spec"]["resources"]["requests"]["storage"],
        "1Gi"
    );
}

#[test]
fn a_user_without_write_permission_is_stopped_before_any_claim_is_patched() {
    let cluster = web_cluster();
    let viewer = cluster.viewer_kubeconfig();
    let output = cluster
        .sts()
        .env("KUBECONFIG", &viewer)
        .args([
            "pvc",
            "resize",
            "web",
            "--template",
            "www",
            "--size",
            "2Gi",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("forbidden: user \"viewer\" may not"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(cluster.write_count(), 0);
    let live = claim(&cluster, "www-web-0").unwrap();
    assert_eq!(live["spec"]["resources"]["requests"]["storage"], "1Gi");
}

#[test]
fn conflicts_on_the_claim_patch_and_the_orphan_delete_are_retried_against_a_fresh_read() {
    if common::skip_on_real("injects 409 Conflicts (simulator fault injection)") {
        return;
    }
    let cluster = web_cluster();
    let before = pod_marks(&cluster);
    for resource in ["persistentvolumeclaims", "statefulsets"] {
        let conflict = sts_sim::faults::Fault::conflict(1).on(resource);
        cluster.sim.faults().inject(conflict).unwrap();
    }
    let output = cluster
        .sts()
        .args([
            "pvc",
            "resize",
            "web",
            "--template",
            "www",
            "--size",
            "3Gi",
            "--yes",
            "--backup-dir",
        ])
        .arg(&cluster.dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let conflicts: Vec<String> = cluster
        .sim
        .log
        .mutating()
        .iter()
        .filter(|r| r.status == 409)
        .map(|r| format!("{} {}", r.verb, r.resource))
        .collect();
    assert_eq!(conflicts.len(), 2, "{conflicts:?}");
    let set = cluster.statefulset("web");
    assert_eq!(
        set["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
        "3Gi"
    );
    for ordinal in 0..3 {
        let live = claim(&cluster, &format!("www-web-{ordinal}")).unwrap();
        assert_eq!(live["status"]["capacity"]["storage"], "3Gi", "{live}");
    }
    assert_eq!(pod_marks(&cluster), before);
}
