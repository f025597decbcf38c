//! `recover`: which members of a set are stranded (Terminating past their grace period, or on
//! a node that is not Ready), the proof that each one's node is down (its Ready condition, its
//! Lease, its taints, the volume attachments still naming it), the refusals that keep a live
//! node from being fenced, and the wait for the replacements on live nodes.

use std::collections::BTreeSet;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::storage::v1::VolumeAttachment;
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;

use crate::model::flow::step::StepState;
use crate::model::refusal::Refusal;
use crate::model::rollout::update::UpdateVerdict;
use crate::model::set;
use crate::model::set::health::{Stuckness, find_stuck, pod_health};
use crate::model::set::snapshot::SetSnapshot;

/// The taint that declares a node shut down (non-graceful node shutdown).
pub const OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";

/// How the stranded members are freed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Remedy {
    /// Delete the stranded pods with grace period 0, each on condition of its uid.
    ForceDelete,
    /// Taint the dead nodes out of service: the pod garbage collector force-deletes their
    /// terminating pods and their volumes are detached.
    OutOfService,
}

impl Remedy {
    /// What the remedy does and what it costs, for the plan and the choice.
    pub fn consequences(self, nodes: &[String]) -> String {
        let nodes = nodes.join(", ");
        match self {
            Remedy::ForceDelete => format!(
                "force-delete the stranded pods (grace period 0): the controller re-creates each member on a live node at once; volumes attached to {nodes} are detached only after the attach/detach controller's timeout (6 minutes)"
            ),
            Remedy::OutOfService => format!(
                "taint {nodes} {OUT_OF_SERVICE}=nodeshutdown:NoExecute: every pod on it goes (not only this set's) and its volumes are detached at once; remove the taint once the node is repaired"
            ),
        }
    }
}

/// What the cluster says about a node, and whether that proves it down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeProof {
    pub node: String,
    pub exists: bool,
    /// The Ready condition's status (`True`, `False`, `Unknown`), if it has one.
    pub ready: Option<String>,
    /// Seconds since the Ready condition last changed.
    pub ready_for_seconds: Option<i64>,
    pub ready_reason: Option<String>,
    /// Seconds since its Lease was last renewed, and the Lease's duration.
    pub lease_renewed_seconds_ago: Option<i64>,
    pub lease_duration_seconds: Option<i32>,
    /// `key[=value]:Effect`.
    pub taints: Vec<String>,
    /// VolumeAttachments still naming the node.
    pub attachments: Vec<String>,
    /// The node is down: not Ready and its Lease stale (or it does not exist).
    pub down: bool,
    /// Why it is not proven down, when it is not.
    pub alive_because: Option<String>,
}

/// One stranded member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stranded {
    pub pod: String,
    pub uid: String,
    pub ordinal: i32,
    pub node: Option<String>,
    /// Seconds past the end of its grace period, when it is Terminating.
    pub terminating_past_grace: Option<i64>,
    pub finalizers: Vec<String>,
    pub proof: Option<NodeProof>,
}

/// What `recover` found and will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecoverPlan {
    pub namespace: String,
    pub name: String,
    pub stranded: Vec<Stranded>,
    /// The dead nodes the stranded members are on.
    pub nodes: Vec<String>,
    pub remedy: Option<Remedy>,
}

/// What was read about the nodes (`None`: could not be read).
pub struct NodeFacts<'a> {
    pub nodes: Option<&'a [Node]>,
    pub leases: Option<&'a [Lease]>,
    pub attachments: Option<&'a [VolumeAttachment]>,
}

/// Finds the stranded members and proves their nodes down; a reason (exit 1, nothing written)
/// when a node may be alive, a pod is held by a finalizer, or the nodes cannot be read.
pub fn plan_recover(
    snap: &SetSnapshot,
    facts: &NodeFacts,
    remedy: Option<Remedy>,
) -> Result<RecoverPlan, Refusal> {
    let now = snap.taken_at;
    let mut stranded: Vec<Stranded> = snap
        .pods
        .iter()
        .filter_map(|pod| stranded_member(snap, facts, pod, now))
        .collect();
    stranded.sort_by_key(|s| s.ordinal);
    if let Some(refusal) = refusal(snap, &stranded) {
        return Err(refusal.into());
    }
    let nodes: BTreeSet<String> = stranded.iter().filter_map(|s| s.node.clone()).collect();
    Ok(RecoverPlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        stranded,
        nodes: nodes.into_iter().collect(),
        remedy,
    })
}

fn stranded_member(snap: &SetSnapshot, facts: &NodeFacts, pod: &Pod, now: Timestamp) -> Option<Stranded> {
    let name = pod.metadata.name.clone()?;
    let ordinal = set::ordinal_of_pod(&snap.set, &name)?;
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let past_grace = pod
        .metadata
        .deletion_timestamp
        .as_ref()
        .map(|t| (now - t.0).get_seconds())
        .filter(|s| *s >= 0);
    let proof = node
        .as_deref()
        .and_then(|n| facts.nodes.map(|_| prove(facts, n, now)));
    let on_unready_node = proof.as_ref().is_some_and(|p| p.ready.as_deref() != Some("True"));
    if past_grace.is_none() && !on_unready_node {
        return None;
    }
    Some(Stranded {
        pod: name,
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        ordinal,
        node,
        terminating_past_grace: past_grace,
        finalizers: pod.metadata.finalizers.clone().unwrap_or_default(),
        proof,
    })
}

/// The first reason not to touch any stranded member.
fn refusal(snap: &SetSnapshot, stranded: &[Stranded]) -> Option<String> {
    let set = format!("statefulset {}/{}", snap.namespace(), snap.name());
    stranded.iter().find_map(|s| {
        if !s.finalizers.is_empty() {
            return Some(format!(
                "{set}: {} is held by finalizer(s) {}: neither remedy removes it; let their owner finish, nothing was changed",
                s.pod,
                s.finalizers.join(", ")
            ));
        }
        let node = s.node.as_deref()?;
        match &s.proof {
            None => Some(format!(
                "{set}: cannot prove node {node} of {} down: the nodes could not be read (forbidden?); nothing was changed",
                s.pod
            )),
            Some(proof) if !proof.down => Some(format!(
                "{set}: node {node} of {} may be alive: {}; a live node is never fenced (two pods of one identity could split the data); nothing was changed",
                s.pod,
                proof.alive_because.as_deref().unwrap_or("not proven down")
            )),
            Some(_) => None,
        }
    })
}

/// What the cluster says of `node` at `now`.
pub fn prove(facts: &NodeFacts, name: &str, now: Timestamp) -> NodeProof {
    let node = facts
        .nodes
        .into_iter()
        .flatten()
        .find(|n| n.metadata.name.as_deref() == Some(name));
    let ready = node
        .and_then(|n| {
            n.status
                .as_ref()?
                .conditions
                .as_ref()?
                .iter()
                .find(|c| c.type_ == "Ready")
        })
        .cloned();
    let lease = facts
        .leases
        .into_iter()
        .flatten()
        .find(|l| l.metadata.name.as_deref() == Some(name));
    let renewed_ago = lease
        .and_then(|l| l.spec.as_ref()?.renew_time.as_ref())
        .map(|t| (now - t.0).get_seconds());
    let duration = lease.and_then(|l| l.spec.as_ref()?.lease_duration_seconds);
    let ready_status = ready.as_ref().map(|c| c.status.clone());
    let alive_because = alive_because(
        node.is_some(),
        ready_status.as_deref(),
        facts.leases.is_some(),
        renewed_ago,
        duration,
    );
    NodeProof {
        node: name.to_string(),
        exists: node.is_some(),
        ready_for_seconds: ready
            .as_ref()
            .and_then(|c| c.last_transition_time.as_ref())
            .map(|t| (now - t.0).get_seconds()),
        ready_reason: ready.as_ref().and_then(|c| c.reason.clone()),
        ready: ready_status,
        lease_renewed_seconds_ago: renewed_ago,
        lease_duration_seconds: duration,
        taints: node.map(taints_of).unwrap_or_default(),
        attachments: attachments_on(facts, name),
        down: alive_because.is_none(),
        alive_because,
    }
}

/// The node's taints, `key[=value]:Effect`.
fn taints_of(node: &Node) -> Vec<String> {
    let taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default();
    taints
        .iter()
        .map(|t| match &t.value {
            Some(v) => format!("{}={v}:{}", t.key, t.effect),
            None => format!("{}:{}", t.key, t.effect),
        })
        .collect()
}

/// The VolumeAttachments naming node `name`: `attachment (volume)`.
fn attachments_on(facts: &NodeFacts, name: &str) -> Vec<String> {
    facts
        .attachments
        .into_iter()
        .flatten()
        .filter(|a| a.spec.node_name == name)
        .map(|a| {
            let volume = a.spec.source.persistent_volume_name.clone().unwrap_or_default();
            format!("{} ({volume})", a.metadata.name.clone().unwrap_or_default())
        })
        .collect()
}

/// Why a node is not proven down: Ready, a Lease renewed within its duration, or Leases that
/// cannot be read. `None`: it is down (or gone).
fn alive_because(
    exists: bool,
    ready: Option<&str>,
    leases_read: bool,
    renewed_ago: Option<i64>,
    duration: Option<i32>,
) -> Option<String> {
    if !exists {
        return None;
    }
    if ready == Some("True") {
        return Some("it is Ready (its kubelet reports)".into());
    }
    if !leases_read {
        return Some(
            "its Lease in kube-node-lease could not be read (its kubelet's heartbeat is unknown)".into(),
        );
    }
    let duration = i64::from(duration.unwrap_or(40));
    match renewed_ago {
        Some(ago) if ago < duration => Some(format!(
            "its Lease was renewed {ago}s ago, within its {duration}s duration (its kubelet may still be running: wait until it is stale)"
        )),
        _ => None,
    }
}

/// Where each stranded member's replacement stands: done once a pod with another uid is
/// Ready on a node that is not one of the dead ones. Stuck when a replacement cannot start.
pub fn judge_recovery(snap: &SetSnapshot, plan: &RecoverPlan) -> (Vec<StepState>, UpdateVerdict) {
    let min_ready = set::min_ready_seconds(&snap.set);
    let mut replacements = Vec::new();
    let states = plan
        .stranded
        .iter()
        .map(|s| {
            let state = |done: bool, state: &str| StepState {
                pod: s.pod.clone(),
                done,
                state: state.to_string(),
            };
            let Some(pod) = snap.pod(s.ordinal) else {
                return state(false, "gone, not re-created yet");
            };
            if pod.metadata.uid.as_deref() == Some(s.uid.as_str()) {
                return state(false, "still there (stranded)");
            }
            replacements.push(pod);
            let node = pod.spec.as_ref().and_then(|p| p.node_name.clone());
            let health = pod_health(pod, min_ready, snap.taken_at);
            match node {
                Some(n) if plan.nodes.contains(&n) => state(false, &format!("re-created on dead node {n}")),
                Some(n) if health.ready => state(true, &format!("re-created on {n}, Ready")),
                _ => state(
                    false,
                    &health.problem.map_or("starting".into(), |p| p.to_string()),
                ),
            }
        })
        .collect::<Vec<_>>();
    let verdict = match find_stuck(replacements, min_ready, snap.taken_at) {
        Stuckness::Stuck { pod, reason } => UpdateVerdict::Stuck { pod, reason },
        Stuckness::NotYet { .. } if states.iter().all(|s: &StepState| s.done) => UpdateVerdict::Done,
        Stuckness::NotYet { recheck_at } => UpdateVerdict::Waiting { recheck_at },
    };
    (states, verdict)
}

#[cfg(test)]
mod tests;
