//! Black-box tests of the guided engine, the flow every command that changes a set shares: a
//! set being deleted is refused by all of them, a permission withdrawn in the middle ends each
//! as `failed`, and a storm of conflicts ends each with a clear error after a bounded number
//! of re-plans.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sts_sim::faults::Fault;
use sts_sim::resources;
use sts_sim::store::DeleteOptions;

use crate::common::setup::{set_image, stage_rollout, staged_cluster, web_cluster as web, zk_cluster as zk};
use crate::common::{self, Cluster, stderr_of};

/// The -o json document and the exit code of a run.
fn document(cluster: &Cluster, args: &[&str]) -> (Option<i32>, Value, String) {
    let output = cluster.sts().args(args).args(["-o", "json"]).output().unwrap();
    let doc = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code(), doc, stderr_of(&output))
}

#[test]
fn every_mutating_command_refuses_a_set_being_deleted_and_writes_nothing() {
    let cluster = staged_cluster();
    common::patch(
        &cluster,
        &resources::STATEFULSETS,
        "web",
        json!({"metadata": {"finalizers": ["example.com/hold"]}}),
    );
    cluster
        .sim
        .store
        .delete(
            &resources::STATEFULSETS,
            "default",
            "web",
            &DeleteOptions::default(),
        )
        .expect("deletion starts");
    assert!(cluster.statefulset("web")["metadata"]["deletionTimestamp"].is_string());
    cluster.sim.log.clear();
    let commands: [&[&str]; 11] = [
        &["scale", "web", "--replicas", "4"],
        &["rollout", "web", "--image", "nginx=nginx:1.27"],
        &["canary", "web", "--image", "nginx=nginx:1.27"],
        &["promote", "web", "--full"],
        &["promote", "web"],
        &["abort", "web"],
        &["undo", "web"],
        &["roll", "web", "--ordinals", "0"],
        &["restart", "web"],
        &["pvc", "resize", "web", "--template", "www", "--size", "2Gi"],
        &["pvc", "web", "--prune"],
    ];
    for args in commands {
        let output = cluster.sts().args(args).arg("--yes").output().unwrap();
        let err = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("statefulset default/web is being deleted") && err.contains("example.com/hold"),
            "{args:?}: {err}"
        );
    }
    let writes = cluster.sim.log.mutating();
    assert!(writes.is_empty(), "{writes:?}");
}

#[test]
fn a_permission_withdrawn_mid_way_ends_each_command_as_failed_naming_the_request() {
    // roll: the first pod is replaced, the second may not be deleted.
    let cluster = zk();
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9.3");
    cluster
        .sim
        .faults()
        .inject(Fault::Revoke {
            after: 1,
            resource: None,
        })
        .unwrap();
    let (code, doc, err) = document(&cluster, &["roll", "zk", "--yes"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(doc["outcome"]["result"], "failed", "{doc}");
    assert!(err.contains("may not delete pod"), "{err}");
    assert_eq!(doc["outcome"]["pods"][0]["state"], "replaced", "{doc}");

    let cluster = web();
    // scale: the only write is refused.
    cluster
        .sim
        .faults()
        .inject(Fault::Revoke {
            after: 0,
            resource: None,
        })
        .unwrap();
    let (code, doc, err) = document(&cluster, &["scale", "web", "--replicas", "4", "--yes"]);
    assert_eq!(
        (code, &doc["outcome"]["result"]),
        (Some(1), &json!("failed")),
        "{err}"
    );
    assert!(err.contains("may not patch statefulset"), "{err}");
    assert_eq!(doc["kind"], "ScaleResult");
    cluster.sim.faults().inject(Fault::Clear).unwrap();

    // promote: the partition is lowered, the end of the rollout may not be written.
    stage_rollout(&cluster);
    cluster
        .sim
        .faults()
        .inject(Fault::Revoke {
            after: 1,
            resource: None,
        })
        .unwrap();
    let (code, doc, err) = document(&cluster, &["promote", "web", "--full", "--yes"]);
    assert_eq!(
        (code, &doc["outcome"]["result"]),
        (Some(1), &json!("failed")),
        "{err}"
    );
    assert!(err.contains("may not patch statefulset"), "{err}");
    assert_eq!(
        cluster.statefulset("web")["spec"]["updateStrategy"]["rollingUpdate"]["partition"],
        0
    );
    cluster.sim.faults().inject(Fault::Clear).unwrap();

    // delete: scaled to 0, the set may not be deleted.
    cluster
        .sim
        .faults()
        .inject(Fault::Revoke {
            after: 1,
            resource: None,
        })
        .unwrap();
    let (code, doc, err) = document(&cluster, &["delete", "web", "--yes"]);
    assert_eq!(
        (code, &doc["outcome"]["result"]),
        (Some(1), &json!("failed")),
        "{err}"
    );
    assert!(err.contains("may not delete statefulset"), "{err}");
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 0);
}

#[test]
fn a_storm_of_conflicts_ends_each_command_after_bounded_re_plans() {
    let cluster = staged_cluster();
    cluster.sim.faults().inject(Fault::conflict(10_000)).unwrap();
    let commands: [&[&str]; 5] = [
        &["scale", "web", "--replicas", "4"],
        &["rollout", "web", "--image", "nginx=nginx:1.27"],
        &["promote", "web", "--full"],
        &["restart", "web"],
        &["roll", "web", "--ordinals", "0"],
    ];
    for args in commands {
        let started = Instant::now();
        let output = cluster
            .sts()
            .args(args)
            .args(["--yes", "--timeout", "2m"])
            .output()
            .unwrap();
        let err = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("someone else keeps changing it")
                || err.contains("409 Conflict to each of 5 attempts"),
            "{args:?}: {err}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
    let template = cluster.statefulset("web")["spec"]["template"]["spec"]["containers"][0]["image"].clone();
    assert_eq!(template, "nginx:1.26", "nothing was overwritten");
}
