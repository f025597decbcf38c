//! `recover` planned on the objects of a real dead node (tests/sim/traces/objects).

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::json;

use super::*;
use crate::model::set::fixtures::{PodBuilder, SetBuilder, snapshot};

const STRANDED: &str = include_str!("../../../../tests/sim/traces/objects/pod-terminating-on-dead-node.json");
const UNREACHABLE_NODE: &str = include_str!("../../../../tests/sim/traces/objects/node-unreachable.json");
const STALE_LEASE: &str = include_str!("../../../../tests/sim/traces/objects/lease-stale.json");

fn ready_node(name: &str) -> Node {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}
    }))
    .unwrap()
}

/// The trace's set `db` with db-0 Ready on node-1 and db-1 stranded on node-3, at `at`.
fn dead_node_snapshot(at: &str) -> SetSnapshot {
    let stranded: Pod = serde_json::from_str(STRANDED).unwrap();
    let healthy = PodBuilder::new("db", 0, "db-8444bf564f").build();
    let mut snap = snapshot(
        SetBuilder::new("db").replicas(2).build(),
        vec![healthy, stranded],
        Vec::new(),
        Vec::new(),
    );
    snap.taken_at = at.parse().unwrap();
    snap
}

fn nodes() -> Vec<Node> {
    vec![
        ready_node("node-1"),
        serde_json::from_str(UNREACHABLE_NODE).unwrap(),
    ]
}

fn leases() -> Vec<Lease> {
    vec![serde_json::from_str(STALE_LEASE).unwrap()]
}

#[test]
fn a_member_terminating_on_a_dead_node_is_stranded_and_its_node_proven_down() {
    let snap = dead_node_snapshot("2026-11-27T15:46:16Z");
    let (nodes, leases) = (nodes(), leases());
    let facts = NodeFacts {
        nodes: Some(&nodes),
        leases: Some(&leases),
        attachments: Some(&[]),
    };
    let plan = plan_recover(&snap, &facts, Some(Remedy::ForceDelete)).unwrap();
    assert_eq!(plan.nodes, vec!["node-3"]);
    let [member] = plan.stranded.as_slice() else {
        panic!("{plan:#?}")
    };
    assert_eq!(member.pod, "db-1");
    assert_eq!(member.terminating_past_grace, Some(120));
    let proof = member.proof.as_ref().unwrap();
    assert!(proof.down, "{proof:#?}");
    assert_eq!(proof.ready.as_deref(), Some("Unknown"));
    assert_eq!(proof.lease_duration_seconds, Some(40));
    assert!(proof.lease_renewed_seconds_ago.unwrap() > 40);
    assert!(
        proof
            .taints
            .contains(&"node.kubernetes.io/unreachable:NoExecute".to_string()),
        "{proof:#?}"
    );
}

#[test]
fn a_lease_renewed_within_its_duration_refuses() {
    let snap = dead_node_snapshot("2026-11-27T15:43:50Z");
    let (nodes, leases) = (nodes(), leases());
    let facts = NodeFacts {
        nodes: Some(&nodes),
        leases: Some(&leases),
        attachments: None,
    };
    let refused = plan_recover(&snap, &facts, None).unwrap_err().reason;
    assert!(
        refused.contains(
            "node node-3 of db-1 may be alive: its Lease was renewed 29s ago, within its 40s duration"
        ),
        "{refused}"
    );
    assert!(refused.ends_with("nothing was changed"), "{refused}");
}

#[test]
fn a_finalizer_or_a_ready_node_refuses() {
    let mut snap = dead_node_snapshot("2026-11-27T15:46:16Z");
    let (nodes, leases) = (nodes(), leases());
    let facts = NodeFacts {
        nodes: Some(&nodes),
        leases: Some(&leases),
        attachments: None,
    };
    snap.pods[1].metadata.finalizers = Some(vec!["example.com/hold".into()]);
    let refused = plan_recover(&snap, &facts, None).unwrap_err().reason;
    assert!(
        refused.contains("db-1 is held by finalizer(s) example.com/hold"),
        "{refused}"
    );
    snap.pods[1].metadata.finalizers = None;
    snap.pods[1].spec.as_mut().unwrap().node_name = Some("node-1".into());
    let refused = plan_recover(&snap, &facts, None).unwrap_err().reason;
    assert!(
        refused.contains("node node-1 of db-1 may be alive: it is Ready"),
        "{refused}"
    );
}

#[test]
fn unreadable_nodes_or_leases_refuse() {
    let snap = dead_node_snapshot("2026-11-27T15:46:16Z");
    let facts = NodeFacts {
        nodes: None,
        leases: None,
        attachments: None,
    };
    assert!(
        plan_recover(&snap, &facts, None)
            .unwrap_err()
            .reason
            .contains("the nodes could not be read")
    );
    let nodes = nodes();
    let facts = NodeFacts {
        nodes: Some(&nodes),
        leases: None,
        attachments: None,
    };
    assert!(
        plan_recover(&snap, &facts, None)
            .unwrap_err()
            .reason
            .contains("its Lease in kube-node-lease could not be read")
    );
}

#[test]
fn a_healthy_set_has_nothing_stranded_and_a_gone_node_is_down() {
    let healthy = snapshot(
        SetBuilder::new("web").build(),
        (0..3)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect(),
        Vec::new(),
        Vec::new(),
    );
    let nodes = vec![ready_node("node-1")];
    let facts = NodeFacts {
        nodes: Some(&nodes),
        leases: Some(&[]),
        attachments: None,
    };
    assert!(plan_recover(&healthy, &facts, None).unwrap().stranded.is_empty());
    let snap = dead_node_snapshot("2026-11-27T15:46:16Z");
    let plan = plan_recover(&snap, &facts, None).unwrap();
    assert!(!plan.stranded[0].proof.as_ref().unwrap().exists);
}

#[test]
fn the_wait_is_done_once_a_replacement_is_ready_on_a_live_node() {
    let snap = dead_node_snapshot("2026-11-27T15:46:16Z");
    let (nodes, leases) = (nodes(), leases());
    let facts = NodeFacts {
        nodes: Some(&nodes),
        leases: Some(&leases),
        attachments: None,
    };
    let plan = plan_recover(&snap, &facts, Some(Remedy::OutOfService)).unwrap();
    let (states, verdict) = judge_recovery(&snap, &plan);
    assert_eq!(states[0].state, "still there (stranded)");
    assert!(matches!(verdict, UpdateVerdict::Waiting { .. }));
    let mut after = snap.clone();
    after.pods[1] = PodBuilder::new("db", 1, "db-8444bf564f").uid("new").build();
    let (states, verdict) = judge_recovery(&after, &plan);
    assert_eq!(states[0].state, "re-created on node-1, Ready");
    assert_eq!(verdict, UpdateVerdict::Done);
}
