//! `why` judged on objects a real cluster returned (tests/sim/traces/objects) and on fixtures.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, ResourceQuota};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::*;
use crate::model::set::fixtures::{PodBuilder, SetBuilder, revision, snapshot, stuck_update_pods};
use crate::model::set::snapshot::SetSnapshot;

fn object<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).expect("trace object")
}

fn items<T: DeserializeOwned>(text: &str) -> Vec<T> {
    let list: serde_json::Value = serde_json::from_str(text).expect("trace list");
    serde_json::from_value(list["items"].clone()).expect("items")
}

const PODS_UNSCHEDULABLE: &str = include_str!("../../../../tests/sim/traces/objects/pods-unschedulable.json");
const EVENTS_DIAGNOSIS: &str = include_str!("../../../../tests/sim/traces/objects/events-diagnosis.json");
const CLAIMS: &str = include_str!("../../../../tests/sim/traces/objects/pvcs-pending-and-pinned.json");
const PINNED_VOLUME: &str = include_str!("../../../../tests/sim/traces/objects/pv-node-affinity.json");
const QUOTA_BLOCKED: &str =
    include_str!("../../../../tests/sim/traces/objects/statefulset-quota-blocked.json");
const STRANDED: &str = include_str!("../../../../tests/sim/traces/objects/pod-terminating-on-dead-node.json");
const UNREACHABLE_NODE: &str = include_str!("../../../../tests/sim/traces/objects/node-unreachable.json");

fn at(time: &str) -> Timestamp {
    time.parse().unwrap()
}

fn node(name: &str) -> Node {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}
    }))
    .unwrap()
}

fn class(name: &str) -> StorageClass {
    serde_json::from_value(json!({"metadata": {"name": name}, "provisioner": "example.com/hostpath"}))
        .unwrap()
}

/// A set of the trace's namespace `v13`, one replica with claim template `data`.
fn trace_set(name: &str) -> StatefulSet {
    let mut set: serde_json::Value =
        serde_json::to_value(SetBuilder::new(name).replicas(1).claim_template("data").build()).unwrap();
    set["metadata"]["namespace"] = json!("v13");
    serde_json::from_value(set).unwrap()
}

/// The evidence of a trace set: its pod and claim from the trace, the trace's events, the
/// pinned volume, nodes node-1..3 and the class `standard`.
fn trace_evidence(name: &str, taken_at: &str) -> (SetSnapshot, Around) {
    let pods: Vec<Pod> = items(PODS_UNSCHEDULABLE);
    let claims: Vec<PersistentVolumeClaim> = items(CLAIMS);
    let mut snap = snapshot(trace_set(name), Vec::new(), Vec::new(), Vec::new());
    snap.pods = pods
        .into_iter()
        .filter(|p| p.metadata.name.as_deref() == Some(&format!("{name}-0")))
        .collect();
    snap.claims = claims
        .into_iter()
        .filter(|c| c.metadata.name.as_deref() == Some(&format!("data-{name}-0")))
        .collect();
    snap.taken_at = at(taken_at);
    let around = Around {
        events: items(EVENTS_DIAGNOSIS),
        volumes: Some(vec![object::<PersistentVolume>(PINNED_VOLUME)]),
        nodes: Some(vec![node("node-1"), node("node-2"), node("node-3")]),
        classes: Some(vec![class("standard")]),
        ..Around::default()
    };
    (snap, around)
}

fn judge((snap, around): &(SetSnapshot, Around)) -> Diagnosis {
    diagnose(snap, around)
}

fn alone(snap: SetSnapshot) -> Diagnosis {
    diagnose(&snap, &Around::default())
}

/// web-0..2 Ready on revision web-r1.
fn ready_web_pods() -> Vec<Pod> {
    (0..3)
        .map(|o| PodBuilder::new("web", o, "web-r1").build())
        .collect()
}

/// web-0 and web-1 on web-r1, web-2 moved to web-r2 (a rollout staged at partition 2).
fn staged_web_pods() -> Vec<Pod> {
    vec![
        PodBuilder::new("web", 0, "web-r1").build(),
        PodBuilder::new("web", 1, "web-r1").build(),
        PodBuilder::new("web", 2, "web-r2").build(),
    ]
}

/// The evidence of a cluster with a live node-1 and the recorded unreachable node.
fn with_unreachable_node() -> Around {
    Around {
        nodes: Some(vec![node("node-1"), object(UNREACHABLE_NODE)]),
        ..Around::default()
    }
}

fn only_blocker(diagnosis: &Diagnosis) -> &Finding {
    assert_eq!(diagnosis.count(Severity::Blocked), 1, "{diagnosis:#?}");
    diagnosis.top_blocker().unwrap()
}

#[test]
fn a_pod_whose_volume_is_pinned_to_a_missing_node_is_blocked_at_once() {
    let diagnosis = judge(&trace_evidence("pin", "2026-11-27T15:33:50Z"));
    let finding = only_blocker(&diagnosis);
    assert_eq!(finding.object, "pod pin-0");
    assert!(
        finding.what.contains("pinned to a node that does not exist"),
        "{finding:#?}"
    );
    let evidence = finding.evidence.join("\n");
    assert!(
        evidence.contains("didn't match PersistentVolume's node affinity"),
        "{evidence}"
    );
    assert!(
        evidence.contains("claim data-pin-0 is bound to volume pin-v13, usable only on nodes where kubernetes.io/hostname In [node-9]; no node in the cluster matches"),
        "{evidence}"
    );
    let next = finding.next.as_deref().unwrap();
    assert!(next.contains("kubectl delete pvc data-pin-0 -n v13"), "{next}");
}

#[test]
fn a_pinned_volume_whose_node_exists_is_not_called_impossible() {
    let mut evidence = trace_evidence("pin", "2026-11-27T15:33:50Z");
    evidence.1.nodes.as_mut().unwrap().push(node("node-9"));
    let diagnosis = judge(&evidence);
    let finding = diagnosis
        .findings
        .iter()
        .find(|f| f.object == "pod pin-0")
        .unwrap();
    assert_eq!(
        finding.severity,
        Severity::Warning,
        "within the grace the scheduler may still place it"
    );
    assert!(
        finding
            .evidence
            .iter()
            .any(|e| e.ends_with("matching node(s): node-9")),
        "{finding:#?}"
    );
}

#[test]
fn a_claim_of_a_missing_storage_class_is_blocked_with_the_provisioners_event() {
    let diagnosis = judge(&trace_evidence("hole", "2026-11-27T15:34:00Z"));
    let finding = only_blocker(&diagnosis);
    assert_eq!(finding.object, "claim data-hole-0");
    assert_eq!(finding.what, "Pending: storage class nowhere does not exist");
    assert!(
        finding.evidence[0].starts_with(
            "event ProvisioningFailed (×2, last 3s ago): storageclass.storage.k8s.io \"nowhere\" not found"
        ),
        "{finding:#?}"
    );
    assert!(
        finding
            .next
            .as_deref()
            .unwrap()
            .contains("create StorageClass nowhere")
    );
    let pod = diagnosis
        .findings
        .iter()
        .find(|f| f.object == "pod hole-0")
        .unwrap();
    assert_eq!(pod.severity, Severity::Warning);
    assert_eq!(
        pod.next.as_deref(),
        Some("the pod waits for its claims to bind: see the claim findings")
    );
}

#[test]
fn a_missing_class_is_found_from_its_event_when_classes_cannot_be_read() {
    let mut evidence = trace_evidence("hole", "2026-11-27T15:34:00Z");
    evidence.1.classes = None;
    let diagnosis = judge(&evidence);
    let finding = only_blocker(&diagnosis);
    assert_eq!(finding.what, "Pending: provisioning fails");
}

#[test]
fn a_set_short_of_its_quota_names_the_quota_and_its_figures() {
    let mut set: StatefulSet = object(QUOTA_BLOCKED);
    set.metadata.uid = Some("5f3b336c-7c2a-4c0c-a389-08c0df1670f6".into());
    let pod = PodBuilder::new("web", 0, "web-d9bddd7cb").build();
    let mut snap = snapshot(set, vec![pod], Vec::new(), Vec::new());
    snap.taken_at = at("2026-11-27T15:35:00Z");
    let quota: ResourceQuota = serde_json::from_value(json!({
        "metadata": {"name": "pods", "namespace": "v13"},
        "spec": {"hard": {"pods": "3"}},
        "status": {"hard": {"pods": "3"}, "used": {"pods": "3"}}
    }))
    .unwrap();
    let around = Around {
        events: items(EVENTS_DIAGNOSIS),
        quotas: vec![quota],
        ..Around::default()
    };
    let diagnosis = diagnose(&snap, &around);
    let finding = only_blocker(&diagnosis);
    assert_eq!(finding.object, "statefulset web");
    assert_eq!(
        finding.what,
        "cannot create its pods: resourcequota pods is used up"
    );
    assert!(
        finding.evidence[0]
            .contains("exceeded quota: pods, requested: pods=1, used: pods=3, limited: pods=3")
    );
    assert_eq!(finding.evidence[1], "resourcequota pods: pods 3/3 used");
    assert!(
        finding
            .next
            .as_deref()
            .unwrap()
            .contains("kubectl edit resourcequota pods -n v13")
    );
}

#[test]
fn an_old_failed_create_for_a_pod_that_exists_now_is_not_a_finding() {
    let set: StatefulSet = object(QUOTA_BLOCKED);
    let pods = (0..3)
        .map(|o| PodBuilder::new("web", o, "web-d9bddd7cb").build())
        .collect();
    let mut snap = snapshot(set, pods, Vec::new(), Vec::new());
    snap.taken_at = at("2026-11-27T15:35:00Z");
    let around = Around {
        events: items(EVENTS_DIAGNOSIS),
        ..Around::default()
    };
    assert!(!diagnose(&snap, &around).blocked);
}

#[test]
fn a_crash_looping_pod_of_an_update_points_to_abort() {
    let set = SetBuilder::new("web").revisions("web-r1", "web-r2").build();
    let pods = stuck_update_pods("web");
    let revisions = vec![
        revision("web", "web-r1", 1, "nginx:1.25"),
        revision("web", "web-r2", 2, "nginx:broken"),
    ];
    let diagnosis = alone(snapshot(set, pods, Vec::new(), revisions));
    let finding = only_blocker(&diagnosis);
    assert_eq!(finding.object, "pod web-2");
    assert!(
        finding
            .what
            .starts_with("container nginx keeps failing (CrashLoopBackOff, 4 restarts)"),
        "{finding:#?}"
    );
    assert!(
        finding.evidence[0].contains(": CrashLoopBackOff (back-off restarting failed container), 4 restarts"),
        "{finding:#?}"
    );
    assert!(
        finding
            .next
            .as_deref()
            .unwrap()
            .contains("`kubectl sts abort web -n default`")
    );
}

#[test]
fn a_crash_looping_pod_with_no_update_points_to_its_logs() {
    let set = SetBuilder::new("web").build();
    let pods = vec![PodBuilder::new("web", 0, "web-r1").crash_looping(2).build()];
    let diagnosis = alone(snapshot(set.clone(), pods, Vec::new(), Vec::new()));
    let next = only_blocker(&diagnosis).next.clone().unwrap();
    assert!(
        next.starts_with("`kubectl logs web-0 -c nginx --previous -n default`"),
        "{next}"
    );
}

#[test]
fn a_pod_stranded_on_a_dead_node_names_the_node_and_points_to_recover() {
    let pod: Pod = object(STRANDED);
    let mut set: serde_json::Value = serde_json::to_value(SetBuilder::new("db").build()).unwrap();
    set["metadata"]["namespace"] = json!("dn2");
    let mut snap = snapshot(
        serde_json::from_value(set).unwrap(),
        vec![pod],
        Vec::new(),
        Vec::new(),
    );
    snap.taken_at = at("2026-11-27T15:46:16Z");
    let around = with_unreachable_node();
    let diagnosis = diagnose(&snap, &around);
    let finding = only_blocker(&diagnosis);
    assert_eq!(finding.object, "pod db-1");
    assert!(
        finding.what.starts_with("Terminating 120s past its grace period"),
        "{finding:#?}"
    );
    assert!(
        finding.evidence[0].starts_with("on node node-3: Ready Unknown for "),
        "{finding:#?}"
    );
    assert!(
        finding.evidence[0].contains("(NodeStatusUnknown: Kubelet stopped posting node status.)"),
        "{finding:#?}"
    );
    assert!(
        finding
            .next
            .as_deref()
            .unwrap()
            .contains("`kubectl sts recover db -n dn2` proves the node down")
    );
}

#[test]
fn a_pod_held_by_a_finalizer_on_a_live_node_names_the_finalizer() {
    let mut pod: Pod = object(STRANDED);
    pod.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    pod.spec.as_mut().unwrap().node_name = Some("node-1".into());
    let mut snap = snapshot(SetBuilder::new("db").build(), vec![pod], Vec::new(), Vec::new());
    snap.taken_at = at("2026-11-27T15:46:16Z");
    let around = Around {
        nodes: Some(vec![node("node-1")]),
        ..Around::default()
    };
    let diagnosis = diagnose(&snap, &around);
    let finding = only_blocker(&diagnosis);
    assert_eq!(
        finding.evidence,
        vec![
            "held by finalizer(s): example.com/hold",
            "on node node-1: Ready True (KubeletReady)"
        ]
    );
    assert!(
        finding
            .next
            .as_deref()
            .unwrap()
            .contains("finalizer example.com/hold")
    );
}

#[test]
fn a_healthy_set_has_no_findings() {
    let set = SetBuilder::new("web").build();
    let pods = ready_web_pods();
    let diagnosis = alone(snapshot(set, pods, Vec::new(), Vec::new()));
    assert!(diagnosis.findings.is_empty(), "{diagnosis:#?}");
    assert!(!diagnosis.blocked);
}

#[test]
fn a_staged_rollout_waits_on_a_person_and_onto_promote_or_abort() {
    let set = SetBuilder::new("web")
        .partition(2)
        .revisions("web-r1", "web-r2")
        .build();
    let pods = staged_web_pods();
    let diagnosis = alone(snapshot(set, pods, Vec::new(), Vec::new()));
    assert!(!diagnosis.blocked);
    let finding = &diagnosis.findings[0];
    assert_eq!(finding.severity, Severity::Warning);
    assert!(finding.what.starts_with("staged rollout"), "{finding:#?}");
    assert!(
        finding
            .next
            .as_deref()
            .unwrap()
            .contains("kubectl sts promote web -n default")
    );
}

#[test]
fn a_budget_that_allows_no_disruption_is_a_warning() {
    let set = SetBuilder::new("web").build();
    let pods = ready_web_pods();
    let budget: PodDisruptionBudget = serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"minAvailable": 3, "selector": {"matchLabels": {"app": "web"}}},
        "status": {"disruptionsAllowed": 0, "currentHealthy": 3, "desiredHealthy": 3, "expectedPods": 3}
    }))
    .unwrap();
    let around = Around {
        budgets: vec![budget],
        ..Around::default()
    };
    let diagnosis = diagnose(&snapshot(set, pods, Vec::new(), Vec::new()), &around);
    assert_eq!(diagnosis.findings.len(), 1);
    assert_eq!(diagnosis.findings[0].object, "poddisruptionbudget web");
    assert_eq!(diagnosis.findings[0].severity, Severity::Warning);
}

#[test]
fn events_of_a_previous_pod_of_the_same_name_are_not_blamed_on_the_new_one() {
    let pod = PodBuilder::new("web", 0, "web-r1").uid("new").build();
    let old: Event = serde_json::from_value(json!({
        "metadata": {"name": "web-0.1", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "web-0", "uid": "old"},
        "reason": "BackOff", "type": "Warning", "message": "Back-off restarting failed container"
    }))
    .unwrap();
    let index_events = [old];
    let index = EventIndex::new(&index_events, crate::model::set::fixtures::now());
    assert!(
        index
            .about("Pod", "web-0", pod.metadata.uid.as_deref(), &[])
            .is_empty()
    );
    assert_eq!(index.about("Pod", "web-0", None, &[]).len(), 1);
}

#[test]
fn a_step_in_flight_is_named_instead_of_promote() {
    let record = crate::model::flow::record::Record {
        command: "kubectl sts restart web".into(),
        step: "restart".into(),
        started: "2026-11-22T00:59:00Z".into(),
        data: serde_json::Value::Null,
        yields_to: Vec::new(),
    };
    let mut set = SetBuilder::new("web")
        .partition(2)
        .revisions("web-r1", "web-r2")
        .build();
    let annotations = set.metadata.annotations.get_or_insert_default();
    annotations.insert(
        crate::model::flow::record::IN_FLIGHT.into(),
        serde_json::to_string(&record).unwrap(),
    );
    let pods = staged_web_pods();
    let diagnosis = alone(snapshot(set, pods, Vec::new(), Vec::new()));
    assert_eq!(diagnosis.findings.len(), 1, "{diagnosis:#?}");
    let finding = &diagnosis.findings[0];
    assert!(
        finding
            .what
            .starts_with("a step of `kubectl sts restart web -n default` (restart) is in flight"),
        "{finding:#?}"
    );
    assert_eq!(
        finding.next.as_deref(),
        Some("if it is not running any more, re-run `kubectl sts restart web -n default` to finish it")
    );
}

#[test]
fn a_claim_of_a_wait_for_first_consumer_class_waits_for_its_pod() {
    let set = SetBuilder::new("web").replicas(1).claim_template("www").build();
    let mut claim = crate::model::set::fixtures::claim("www-web-0", "Pending");
    let spec = claim.spec.as_mut().unwrap();
    spec.storage_class_name = Some("local".into());
    spec.volume_name = None;
    let mut local = class("local");
    local.volume_binding_mode = Some("WaitForFirstConsumer".into());
    let around = Around {
        classes: Some(vec![local]),
        ..Around::default()
    };
    let diagnosis = diagnose(&snapshot(set, Vec::new(), vec![claim], Vec::new()), &around);
    let finding = diagnosis
        .findings
        .iter()
        .find(|f| f.object == "claim www-web-0")
        .unwrap();
    assert_eq!(finding.severity, Severity::Info);
    assert!(finding.what.contains("WaitForFirstConsumer"), "{finding:#?}");
}

#[test]
fn a_member_on_a_node_that_is_not_ready_points_to_recover() {
    let mut pod: Pod = object(STRANDED);
    pod.metadata.deletion_timestamp = None;
    let mut snap = snapshot(SetBuilder::new("db").build(), vec![pod], Vec::new(), Vec::new());
    snap.taken_at = at("2026-11-27T15:44:00Z");
    let around = with_unreachable_node();
    let diagnosis = diagnose(&snap, &around);
    let finding = only_blocker(&diagnosis);
    assert!(
        finding.what.starts_with("on node node-3, which is not Ready"),
        "{finding:#?}"
    );
    assert!(
        finding
            .next
            .as_deref()
            .unwrap()
            .contains("kubectl sts recover db -n default"),
        "{finding:#?}"
    );
}

#[test]
fn a_pod_just_past_its_grace_on_a_live_node_is_left_to_its_kubelet_for_a_while() {
    let pods = |pod: Pod| vec![PodBuilder::new("web", 0, "web-r1").build(), pod];
    // deletionTimestamp 00:59:59, taken at 01:00:00: one second past its grace.
    let finishing = PodBuilder::new("web", 1, "web-r1").terminating().build();
    let snap = snapshot(
        SetBuilder::new("web").replicas(2).build(),
        pods(finishing.clone()),
        vec![],
        vec![],
    );
    let diagnosis = diagnose(&snap, &Around::default());
    assert_eq!(diagnosis.top_blocker(), None, "{diagnosis:#?}");

    let mut later = snap.clone();
    later.taken_at = at("2026-11-22T01:00:40Z");
    let diagnosis = diagnose(&later, &Around::default());
    let blocker = diagnosis
        .top_blocker()
        .unwrap_or_else(|| panic!("{diagnosis:#?}"));
    assert!(
        blocker.what.starts_with("Terminating 41s past its grace period"),
        "{blocker:#?}"
    );

    let mut held = finishing;
    held.metadata.finalizers = Some(vec!["example.com/hold".to_string()]);
    let snap = snapshot(
        SetBuilder::new("web").replicas(2).build(),
        pods(held),
        vec![],
        vec![],
    );
    let diagnosis = diagnose(&snap, &Around::default());
    assert_eq!(
        diagnosis.top_blocker().map(|f| f.object.as_str()),
        Some("pod web-1"),
        "{diagnosis:#?}"
    );
}

#[test]
fn a_member_evicted_from_a_node_going_down_is_named_from_the_first_second_with_when_recover_can_act() {
    const LEASE: &str = include_str!("../../../../tests/sim/traces/objects/lease-stale.json");
    let pod: Pod = object(STRANDED);
    let around = Around {
        leases: Some(vec![object(LEASE)]),
        ..with_unreachable_node()
    };
    // Evicted, within its grace period, the Lease renewed 30 s ago.
    let mut snap = snapshot(SetBuilder::new("db").build(), vec![pod], Vec::new(), Vec::new());
    snap.taken_at = at("2026-11-27T15:43:50Z");
    let diagnosis = diagnose(&snap, &around);
    let finding = only_blocker(&diagnosis);
    assert!(
        finding
            .what
            .starts_with("Terminating on node node-3, which is not Ready (evicted)"),
        "{finding:#?}"
    );
    assert!(
        finding.evidence[1].starts_with("its Lease was renewed 29s ago (40s duration)"),
        "{finding:#?}"
    );
    let next = finding.next.as_deref().unwrap();
    assert!(
        next.contains("can prove node node-3 down once its Lease is stale, in about 11s"),
        "{next}"
    );
    // Once the Lease is stale, recover can act now.
    snap.taken_at = at("2026-11-27T15:44:10Z");
    let diagnosis = diagnose(&snap, &around);
    let next = only_blocker(&diagnosis).next.clone().unwrap();
    assert!(next.contains("proves the node down"), "{next}");
}

#[test]
fn findings_that_say_the_same_of_several_pods_are_shown_once() {
    let finding = |object: &str, what: &str| Finding {
        severity: Severity::Warning,
        object: object.into(),
        what: what.into(),
        evidence: vec!["events: Readiness probe failed".into()],
        next: None,
    };
    let diagnosis = Diagnosis {
        findings: vec![
            finding("pod web-0", "not Ready"),
            finding("claim data-web-0", "not Ready"),
            finding("pod web-1", "not Ready"),
            finding("pod web-2", "crash-looping"),
            finding("pod web-3", "not Ready"),
        ],
        ..alone(snapshot(SetBuilder::new("web").build(), vec![], vec![], vec![]))
    };
    let shown: Vec<(String, String)> = diagnosis
        .grouped()
        .into_iter()
        .map(|f| (f.object, f.what))
        .collect();
    assert_eq!(
        shown,
        [
            ("pods web-0, web-1, web-3".to_string(), "not Ready".to_string()),
            ("claim data-web-0".into(), "not Ready".into()),
            ("pod web-2".into(), "crash-looping".into()),
        ]
    );
    assert_eq!(diagnosis.count(Severity::Warning), 5, "the count is of findings");
}
