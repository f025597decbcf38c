//! Findings about the set's pods: stuck Terminating past the grace period, containers that
//! crash-loop or cannot pull their image (and the rollout stuck behind them), pods the
//! scheduler cannot place (with the volume pinning them, if that is why), pods not Ready with
//! the cluster's warnings, and pods Ready but not yet available.

use k8s_openapi::api::core::v1::{ContainerStatus, Node, NodeCondition, Pod, PodCondition};
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::events::EventIndex;
use super::storage::{self, Pin};
use super::{Evidence, Finding, Severity, scope_flags};
use crate::model::diagnosis::recover::{self, NodeFacts, NodeProof};
use crate::model::set;
use crate::model::set::health::{self, STUCK_REASONS, UNSCHEDULABLE_GRACE_SECONDS, pod_health};
use crate::model::set::snapshot::SetSnapshot;

/// One finding at most per pod, the most telling first.
pub fn findings(evidence: &Evidence, events: &EventIndex) -> Vec<Finding> {
    let snap = &evidence.snap;
    let mut pods: Vec<&Pod> = snap.pods.iter().collect();
    pods.sort_by_cached_key(|p| {
        set::ordinal_of_pod(&snap.set, p.metadata.name.as_deref().unwrap_or_default())
    });
    pods.into_iter()
        .filter_map(|pod| {
            terminating(evidence, pod)
                .or_else(|| on_unready_node(evidence, pod))
                .or_else(|| stuck_containers(snap, pod, events))
                .or_else(|| unschedulable(evidence, pod, events))
                .or_else(|| not_ready(snap, pod, events))
                .or_else(|| not_available(snap, pod))
        })
        .collect()
}

fn name(pod: &Pod) -> &str {
    pod.metadata.name.as_deref().unwrap_or_default()
}

fn object(pod: &Pod) -> String {
    format!("pod {}", name(pod))
}

fn seconds(from: Timestamp, to: Timestamp) -> i64 {
    (to - from).get_seconds().max(0)
}

/// How long past its grace period a pod on a live node may take to be gone without a word: the
/// kubelet kills what is left, reports and deletes it (a real control plane shows such pods
/// for a moment, `0s past`).
const KUBELET_FINISH_SECONDS: i64 = 30;

/// A pod whose deletion is past its grace period (`deletionTimestamp` is when the grace ends):
/// the set will not replace a member until its pod is gone. Blocked at once when a finalizer
/// holds it or its node is down; otherwise once the kubelet has had time to finish.
fn terminating(evidence: &Evidence, pod: &Pod) -> Option<Finding> {
    let deadline = pod.metadata.deletion_timestamp.as_ref()?.0;
    let now = evidence.snap.taken_at;
    if now < deadline {
        return None;
    }
    let held = pod.metadata.finalizers.as_ref().is_some_and(|f| !f.is_empty());
    let node_down = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .zip(evidence.nodes.as_ref())
        .is_some_and(|(node, nodes)| match node_state(nodes, node) {
            NodeState::Reported(condition) => condition.status != "True",
            NodeState::Silent | NodeState::Gone => true,
        });
    if !held && !node_down && seconds(deadline, now) < KUBELET_FINISH_SECONDS {
        return None;
    }
    let mut finding = Finding::new(
        Severity::Blocked,
        object(pod),
        format!(
            "Terminating {}s past its grace period: the set does not replace a member before its pod is gone",
            seconds(deadline, now)
        ),
    );
    let finalizers = pod.metadata.finalizers.clone().unwrap_or_default();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    if !finalizers.is_empty() {
        finding = finding
            .with_evidence(format!("held by finalizer(s): {}", finalizers.join(", ")))
            .with_next(format!(
                "find what owns the finalizer {} and let it finish (or remove it once you know the pod's work is done)",
                finalizers[0]
            ));
    }
    let Some(node) = node else {
        return Some(finding.with_evidence("never scheduled to a node"));
    };
    let state = evidence.nodes.as_ref().map(|nodes| node_state(nodes, &node));
    finding = finding.with_evidence(match &state {
        Some(NodeState::Reported(condition)) => {
            format!("on node {node}: Ready {}", describe_condition(condition, now))
        }
        Some(NodeState::Silent) => format!("on node {node}, which has never reported Ready"),
        Some(NodeState::Gone) => format!("on node {node}, which no longer exists"),
        None => format!("on node {node} (nodes could not be read)"),
    });
    if finding.next.is_some() {
        return Some(finding);
    }
    let down = match &state {
        Some(NodeState::Reported(condition)) => Some(condition.status != "True"),
        Some(NodeState::Silent | NodeState::Gone) => Some(true),
        None => None,
    };
    Some(finding.with_next(match down {
        Some(true) => recover_next(evidence.snap, &node),
        Some(false) => format!(
            "the kubelet on {node} has not finished stopping it: look at its containers' preStop hooks and the node"
        ),
        None => format!(
            "if node {node} is down, `kubectl sts recover {} {}` proves it and frees the member",
            evidence.snap.name(),
            scope_flags(evidence.snap)
        ),
    }))
}

/// For a member whose node does not answer: `recover` proves the node down, then frees it.
fn recover_next(snap: &SetSnapshot, node: &str) -> String {
    format!(
        "the kubelet on {node} does not answer: `kubectl sts recover {} {}` proves the node down, then force-deletes the member or fences the node",
        snap.name(),
        scope_flags(snap)
    )
}

/// A member on a node that is not Ready, from the first second (before its Lease is stale,
/// and while an eviction's grace period runs: past it, `terminating` judges the pod): it runs
/// nowhere, the set does not replace it while its pod exists, and `recover` can act once the
/// node's Lease is stale — when, said from the Lease.
fn on_unready_node(evidence: &Evidence, pod: &Pod) -> Option<Finding> {
    let now = evidence.snap.taken_at;
    let terminating = pod.metadata.deletion_timestamp.as_ref();
    if terminating.is_some_and(|grace_ends| now >= grace_ends.0) {
        return None;
    }
    let node = pod.spec.as_ref()?.node_name.clone()?;
    let NodeState::Reported(condition) = node_state(evidence.nodes.as_ref()?, &node) else {
        return None;
    };
    if condition.status == "True" {
        return None;
    }
    let what = match terminating {
        Some(_) => format!(
            "Terminating on node {node}, which is not Ready (evicted): the member runs nowhere, and the set does not replace it until its pod is gone"
        ),
        None => format!(
            "on node {node}, which is not Ready: the member runs nowhere, and the set does not replace it while its pod exists"
        ),
    };
    let facts = NodeFacts {
        nodes: evidence.nodes.as_deref(),
        leases: evidence.leases.as_deref(),
        attachments: None,
    };
    let proof = recover::prove(&facts, &node, now);
    let finding = Finding::new(Severity::Blocked, object(pod), what)
        .with_evidence(format!(
            "node {node}: Ready {}",
            describe_condition(condition, now)
        ))
        .with_evidence(lease_evidence(&proof));
    Some(finding.with_next(match proof.down {
        true => recover_next(evidence.snap, &node),
        false => recover_later(evidence.snap, &proof),
    }))
}

/// The node's heartbeat as its Lease shows it.
fn lease_evidence(proof: &NodeProof) -> String {
    match (proof.lease_renewed_seconds_ago, proof.lease_duration_seconds) {
        (Some(ago), Some(duration)) => format!("its Lease was renewed {ago}s ago ({duration}s duration)"),
        (Some(ago), None) => format!("its Lease was renewed {ago}s ago"),
        (None, _) => format!(
            "its Lease: {}",
            proof.alive_because.as_deref().unwrap_or("none found")
        ),
    }
}

/// The node may still be alive (its Lease is fresh): when `recover` can prove it down.
fn recover_later(snap: &SetSnapshot, proof: &NodeProof) -> String {
    let left = match (proof.lease_renewed_seconds_ago, proof.lease_duration_seconds) {
        (Some(ago), Some(duration)) => format!(", in about {}s", (i64::from(duration) - ago).max(1)),
        _ => String::new(),
    };
    format!(
        "wait: the node may come back (its kubelet may still be running); `kubectl sts recover {} {}` can prove node {} down once its Lease is stale{left}, then force-deletes the member or fences the node",
        snap.name(),
        scope_flags(snap),
        proof.node
    )
}

/// What the cluster says of a node: its Ready condition, nothing yet, or no such node.
enum NodeState<'a> {
    Reported(&'a NodeCondition),
    Silent,
    Gone,
}

fn node_state<'a>(nodes: &'a [Node], name: &str) -> NodeState<'a> {
    let Some(node) = nodes.iter().find(|n| n.metadata.name.as_deref() == Some(name)) else {
        return NodeState::Gone;
    };
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    match conditions.and_then(|c| c.iter().find(|c| c.type_ == "Ready")) {
        Some(condition) => NodeState::Reported(condition),
        None => NodeState::Silent,
    }
}

fn describe_condition(condition: &NodeCondition, now: Timestamp) -> String {
    let since = condition
        .last_transition_time
        .as_ref()
        .map(|t| format!(" for {}s", seconds(t.0, now)))
        .unwrap_or_default();
    let why = condition
        .reason
        .as_ref()
        .map(|r| {
            format!(
                " ({r}{})",
                condition
                    .message
                    .as_ref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!("{}{since}{why}", condition.status)
}

/// Containers that waiting will not fix (crash loop, image pull failure, bad config).
fn stuck_containers(snap: &SetSnapshot, pod: &Pod, events: &EventIndex) -> Option<Finding> {
    let stuck: Vec<&ContainerStatus> = health::containers(pod)
        .filter(|c| {
            let reason = c
                .state
                .as_ref()
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.as_deref());
            reason.is_some_and(|r| STUCK_REASONS.contains(&r))
        })
        .collect();
    let first = stuck.first()?;
    let reason = waiting_reason(first);
    let what = if reason.contains("Pull") || reason == "InvalidImageName" {
        format!("container {} cannot pull its image ({reason})", first.name)
    } else {
        format!(
            "container {} keeps failing ({reason}, {} restarts)",
            first.name, first.restart_count
        )
    };
    let mut finding = Finding::new(Severity::Blocked, object(pod), what);
    for container in &stuck {
        finding = finding.with_evidence(container_evidence(container));
    }
    let uid = pod.metadata.uid.as_deref();
    if let Some(event) = events
        .about("Pod", name(pod), uid, &["BackOff", "Failed"])
        .first()
    {
        finding = finding.with_evidence(events.describe(event));
    }
    Some(finding.with_next(stuck_next(snap, pod, first)))
}

fn waiting_reason(container: &ContainerStatus) -> &str {
    container
        .state
        .as_ref()
        .and_then(|s| s.waiting.as_ref())
        .and_then(|w| w.reason.as_deref())
        .unwrap_or("Waiting")
}

fn container_evidence(container: &ContainerStatus) -> String {
    let waiting = container.state.as_ref().and_then(|s| s.waiting.as_ref());
    let message = waiting
        .and_then(|w| w.message.as_deref())
        .filter(|m| !m.is_empty())
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    let last = container
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .map(|t| {
            let reason = t.reason.as_deref().unwrap_or("Terminated");
            let said = t
                .message
                .as_deref()
                .map(|m| format!(": {}", m.trim()))
                .unwrap_or_default();
            format!("; last terminated: {reason}, exit code {}{said}", t.exit_code)
        })
        .unwrap_or_default();
    format!(
        "container {} image {}: {}{message}, {} restarts{last}",
        container.name,
        container.image,
        waiting_reason(container),
        container.restart_count
    )
}

/// A broken pod of an update in progress holds the update for ever (the controller neither
/// replaces it nor goes on: kubernetes/kubernetes#67250): the way out is `abort`.
fn stuck_next(snap: &SetSnapshot, pod: &Pod, container: &ContainerStatus) -> String {
    let update = set::update_revision(&snap.set);
    let rolling_out = update.is_some() && update != set::current_revision(&snap.set);
    let ns = scope_flags(snap);
    if rolling_out && health::revision_of(pod) == update {
        return format!(
            "the update to {} is stuck behind it (the controller will not replace a broken pod by itself, kubernetes/kubernetes#67250): `kubectl sts abort {} {ns}` to go back, or fix the image and roll out again",
            update.unwrap_or_default(),
            snap.name()
        );
    }
    format!(
        "`kubectl logs {} -c {} --previous {ns}` shows why; `kubectl sts history {} {ns}` shows what changed",
        name(pod),
        container.name,
        snap.name()
    )
}

fn scheduled_false(pod: &Pod) -> Option<&PodCondition> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False")
}

/// A pod the scheduler cannot place: its message, and the volume pinning it when that is why.
fn unschedulable(evidence: &Evidence, pod: &Pod, events: &EventIndex) -> Option<Finding> {
    let condition = scheduled_false(pod)?;
    let now = evidence.snap.taken_at;
    let since = condition.last_transition_time.as_ref().map_or(now, |t| t.0);
    let message = condition.message.clone().unwrap_or_default();
    let pins = storage::pins_of(evidence, pod);
    let impossible = pins
        .iter()
        .any(|p| p.matching_nodes.as_ref().is_some_and(Vec::is_empty));
    let waited = now >= since + SignedDuration::from_secs(UNSCHEDULABLE_GRACE_SECONDS);
    let (severity, what) = if impossible {
        (
            Severity::Blocked,
            "cannot be scheduled: its volume is pinned to a node that does not exist".to_string(),
        )
    } else if waited {
        (
            Severity::Blocked,
            format!("cannot be scheduled (for {}s)", seconds(since, now)),
        )
    } else {
        (
            Severity::Warning,
            format!(
                "not scheduled yet ({}s; the scheduler keeps trying)",
                seconds(since, now)
            ),
        )
    };
    let mut finding = Finding::new(severity, object(pod), what).with_evidence(format!(
        "PodScheduled False ({}): {message}",
        condition.reason.as_deref().unwrap_or("Unschedulable")
    ));
    if let Some(event) = events
        .about(
            "Pod",
            name(pod),
            pod.metadata.uid.as_deref(),
            &["FailedScheduling"],
        )
        .first()
    {
        finding = finding.with_evidence(events.describe(event));
    }
    for pin in &pins {
        finding = finding.with_evidence(pin.describe());
    }
    Some(finding.with_next(unschedulable_next(evidence.snap, pod, &pins, &message)))
}

fn unschedulable_next(snap: &SetSnapshot, pod: &Pod, pins: &[Pin], message: &str) -> String {
    let ns = scope_flags(snap);
    if let Some(pin) = pins
        .iter()
        .find(|p| p.matching_nodes.as_ref().is_some_and(Vec::is_empty))
    {
        return format!(
            "bring back the node volume {} is pinned to, or start this member afresh, losing its data: `kubectl delete pvc {} {ns} && kubectl delete pod {} {ns}`",
            pin.volume,
            pin.claim,
            name(pod)
        );
    }
    if message.contains("unbound immediate PersistentVolumeClaims") {
        return "the pod waits for its claims to bind: see the claim findings".to_string();
    }
    "free room on a node that fits (or add one), or relax what the scheduler's message names (requests, affinity, taints)".to_string()
}

/// A pod not Ready for a while, or with warnings about it (probes failing, volumes not
/// mounting): what the cluster says about it.
fn not_ready(snap: &SetSnapshot, pod: &Pod, events: &EventIndex) -> Option<Finding> {
    let health = pod_health(pod, set::min_ready_seconds(&snap.set), snap.taken_at);
    let problem = health.problem.filter(|_| !health.ready && !health.terminating)?;
    let warning = events.latest_warning("Pod", name(pod), pod.metadata.uid.as_deref());
    let created = pod
        .metadata
        .creation_timestamp
        .as_ref()
        .map_or(snap.taken_at, |t| t.0);
    let age = seconds(created, snap.taken_at);
    if warning.is_none() && age < UNSCHEDULABLE_GRACE_SECONDS {
        return None;
    }
    let mut finding = Finding::new(Severity::Warning, object(pod), format!("not Ready: {problem}"));
    if let Some(event) = warning {
        finding = finding.with_evidence(events.describe(event));
    }
    Some(finding.with_next(format!(
        "`kubectl describe pod {} {}` shows its probes and volumes",
        name(pod),
        scope_flags(snap)
    )))
}

/// Ready, but not for `minReadySeconds` yet: the controller counts it available then.
fn not_available(snap: &SetSnapshot, pod: &Pod) -> Option<Finding> {
    let min_ready = set::min_ready_seconds(&snap.set);
    let health = pod_health(pod, min_ready, snap.taken_at);
    if !health.ready || health.available || health.terminating {
        return None;
    }
    let since = health::ready_since(pod)?;
    let left = i64::from(min_ready) - seconds(since, snap.taken_at);
    Some(Finding::new(
        Severity::Info,
        object(pod),
        format!("Ready, available in {left}s (minReadySeconds {min_ready})"),
    ))
}
