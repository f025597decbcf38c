//! What one sync of a StatefulSet does (`updateStatefulSet` in `stateful_set_control.go`):
//! from the set, its revisions, its pods and the namespace's claims, the ordered actions and the
//! status to report. OrderedReady stops at the first action that must be waited on; Parallel
//! goes on. Pure: `mod.rs` carries the actions out.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::pods;
use super::retention::{self, Owners};
use super::spec::{SetSpec, ordinal_of, revision_of};
use crate::controllers::obj;

/// Why a pod is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Phase Failed or Succeeded: it is recreated.
    Failed,
    /// Ordinal beyond the range.
    ScaleDown,
    /// Not at the update revision.
    Update,
}

/// One step of a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    DeletePod {
        name: String,
        why: Why,
    },
    /// Claims first, then the pod, from the template of `revision`.
    CreatePod {
        ordinal: i64,
        revision: String,
    },
    /// A Pending pod's missing claims.
    CreateClaims {
        ordinal: i64,
    },
    /// Restore identity labels and the claims' owner references.
    FixPod {
        name: String,
    },
    /// Owner references of a condemned pod's claims, per the retention policy.
    FixClaims {
        name: String,
    },
}

/// What a sync starts from.
pub struct Inputs<'a> {
    pub set: &'a Value,
    pub spec: &'a SetSpec,
    pub current: &'a str,
    pub update: &'a str,
    /// The pods the set owns.
    pub pods: &'a [&'a Value],
    /// Claims of the namespace by name.
    pub claims: &'a BTreeMap<String, &'a Value>,
    pub now: jiff::Timestamp,
}

/// The replica counters of the status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub replicas: i64,
    pub ready: i64,
    pub available: i64,
    pub current: i64,
    pub updated: i64,
}

/// Actions in order, and the counters to report.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub counts: Counts,
}

/// A position in the range: an existing pod or one about to be created.
enum Slot<'a> {
    Pod(&'a Value),
    New { ordinal: i64, revision: String },
}

impl Slot<'_> {
    fn revision(&self) -> &str {
        match self {
            Slot::Pod(p) => revision_of(p),
            Slot::New { revision, .. } => revision,
        }
    }
    fn deleting(&self) -> bool {
        matches!(self, Slot::Pod(p) if obj::is_deleting(p))
    }
}

fn running_ready(pod: &Value) -> bool {
    obj::pod_phase(pod) == "Running" && obj::pod_ready(pod)
}

fn available(inp: &Inputs, pod: &Value) -> bool {
    obj::pod_available(pod, inp.spec.min_ready_seconds, inp.now)
}

/// `isUnavailable`: not healthy (Running, Ready, not terminating) or not available.
fn unavailable(inp: &Inputs, slot: &Slot) -> bool {
    match slot {
        Slot::New { .. } => true,
        Slot::Pod(p) => !(running_ready(p) && !obj::is_deleting(p) && available(inp, p)),
    }
}

/// Counts over the set's pods (`computeReplicaStatus`).
pub fn count(inp: &Inputs) -> Counts {
    let mut c = Counts::default();
    for pod in inp.pods {
        c.replicas += 1;
        if running_ready(pod) {
            c.ready += 1;
            c.available += i64::from(available(inp, pod));
        }
        if !obj::is_deleting(pod) {
            c.current += i64::from(revision_of(pod) == inp.current);
            c.updated += i64::from(revision_of(pod) == inp.update);
        }
    }
    c
}

/// The revision a new pod of `ordinal` gets (`newVersionedStatefulSetPod`).
fn revision_for(inp: &Inputs, ordinal: i64) -> String {
    let s = inp.spec;
    let at_current = if s.has_rolling_update {
        ordinal < s.start + s.partition
    } else {
        !s.on_delete && ordinal < s.start + s.status_current_replicas
    };
    if at_current { inp.current } else { inp.update }.to_string()
}

/// Pods in the range by position, and the others by descending ordinal.
fn arrange<'a>(inp: &Inputs<'a>) -> (Vec<Slot<'a>>, Vec<&'a Value>) {
    let s = inp.spec;
    let mut by_ordinal: BTreeMap<i64, &Value> = BTreeMap::new();
    let mut condemned = Vec::new();
    for &pod in inp.pods {
        match ordinal_of(pod) {
            o if s.in_range(o) => {
                by_ordinal.insert(o, pod);
            }
            o if o >= 0 => condemned.push(pod),
            _ => {}
        }
    }
    condemned.sort_by_key(|p| std::cmp::Reverse(ordinal_of(p)));
    let slots = (s.start..=s.end())
        .map(|o| match by_ordinal.get(&o) {
            Some(pod) => Slot::Pod(pod),
            None => Slot::New {
                ordinal: o,
                revision: revision_for(inp, o),
            },
        })
        .collect();
    (slots, condemned)
}

/// The claims of a pod agree with the retention policy (missing claims agree).
fn claims_up_to_date(inp: &Inputs, pod: &Value) -> bool {
    let owners = Owners { set: inp.set, pod };
    inp.spec
        .claims_of(ordinal_of(pod))
        .iter()
        .filter_map(|(name, _)| inp.claims.get(name))
        .all(|&claim| retention::claim_up_to_date(claim, inp.spec, &owners))
}

fn missing_claims(inp: &Inputs, ordinal: i64) -> bool {
    inp.spec
        .claims_of(ordinal)
        .iter()
        .any(|(name, _)| !inp.claims.contains_key(name))
}

fn stale_claims(inp: &Inputs, ordinal: i64) -> bool {
    let unborn = json!({"metadata": {"name": inp.spec.pod_name(ordinal)}});
    inp.spec
        .claims_of(ordinal)
        .iter()
        .filter_map(|(name, _)| inp.claims.get(name))
        .any(|&claim| retention::claim_is_stale(claim, inp.spec, &unborn))
}

/// `processReplica` for an existing pod; true when progress must wait (OrderedReady).
fn process_pod(inp: &Inputs, pod: &Value, monotonic: bool, actions: &mut Vec<Action>) -> bool {
    let name = obj::name(pod).to_string();
    if obj::pod_terminal(pod) {
        if !obj::is_deleting(pod) {
            actions.push(Action::DeletePod {
                name,
                why: Why::Failed,
            });
        }
        return true;
    }
    if obj::pod_phase(pod) == "Pending" && missing_claims(inp, ordinal_of(pod)) {
        actions.push(Action::CreateClaims {
            ordinal: ordinal_of(pod),
        });
    }
    if monotonic && (obj::is_deleting(pod) || !running_ready(pod) || !available(inp, pod)) {
        return true;
    }
    let fine = pods::identity_matches(inp.spec, pod)
        && pods::storage_matches(inp.spec, pod)
        && claims_up_to_date(inp, pod);
    if !fine {
        actions.push(Action::FixPod { name });
    }
    false
}

/// Every position of the range; true when the sync stops there.
fn process_replicas(inp: &Inputs, slots: &[Slot], monotonic: bool, actions: &mut Vec<Action>) -> bool {
    for slot in slots {
        let wait = match slot {
            Slot::Pod(pod) => process_pod(inp, pod, monotonic, actions),
            Slot::New { ordinal, revision } => {
                if stale_claims(inp, *ordinal) {
                    true
                } else {
                    let (ordinal, revision) = (*ordinal, revision.clone());
                    actions.push(Action::CreatePod { ordinal, revision });
                    true
                }
            }
        };
        if wait && monotonic {
            return true;
        }
    }
    false
}

/// Scale-down (`processCondemned`), highest ordinal first; true when the sync stops there.
fn process_condemned(
    inp: &Inputs,
    slots: &[Slot],
    condemned: &[&Value],
    monotonic: bool,
    actions: &mut Vec<Action>,
) -> bool {
    // The first unhealthy pod, replicas first, then condemned ones from the lowest ordinal.
    let replica_unhealthy = slots.iter().any(|s| unavailable(inp, s));
    let first_unhealthy = condemned
        .iter()
        .rev()
        .find(|p| !replica_unhealthy && unavailable(inp, &Slot::Pod(p)))
        .map(|p| obj::name(p));
    for pod in condemned {
        if obj::is_deleting(pod) {
            if monotonic {
                return true;
            }
            continue;
        }
        let is_first = first_unhealthy == Some(obj::name(pod));
        if monotonic && !is_first && (!running_ready(pod) || !available(inp, pod)) {
            return true;
        }
        let name = obj::name(pod).to_string();
        actions.push(Action::DeletePod {
            name,
            why: Why::ScaleDown,
        });
        if monotonic {
            return true;
        }
    }
    false
}

/// The rolling update: the highest pod at or above the partition not on the update revision.
fn rolling_update(inp: &Inputs, slots: &[Slot]) -> Option<Action> {
    let min = usize::try_from(inp.spec.partition).unwrap_or(0);
    for (index, slot) in slots.iter().enumerate().rev() {
        if index < min {
            break;
        }
        if slot.revision() != inp.update
            && !slot.deleting()
            && let Slot::Pod(pod) = slot
        {
            let name = obj::name(pod).to_string();
            return Some(Action::DeletePod {
                name,
                why: Why::Update,
            });
        }
        if unavailable(inp, slot) {
            return None;
        }
    }
    None
}

/// One sync of the set.
pub fn plan(inp: &Inputs) -> Plan {
    let mut counts = count(inp);
    let mut actions = Vec::new();
    let done = |actions, counts| Plan { actions, counts };
    if inp.spec.deleting {
        return done(actions, counts);
    }
    let (slots, condemned) = arrange(inp);
    let monotonic = !inp.spec.parallel;
    if process_replicas(inp, &slots, monotonic, &mut actions) {
        return done(actions, counts);
    }
    for pod in &condemned {
        if !claims_up_to_date(inp, pod) {
            actions.push(Action::FixClaims {
                name: obj::name(pod).to_string(),
            });
        }
    }
    if process_condemned(inp, &slots, &condemned, monotonic, &mut actions) || inp.spec.on_delete {
        return done(actions, counts);
    }
    if let Some(delete) = rolling_update(inp, &slots) {
        counts.current -= 1;
        actions.push(delete);
    }
    done(actions, counts)
}

/// The status to write (`completeRollingUpdate` applied); zero counters omitted as the API
/// omits them, `replicas` and `availableReplicas` always present.
pub fn status(spec: &SetSpec, counts: Counts, current: &str, update: &str, collision_count: i64) -> Value {
    let mut counts = counts;
    let mut current = current;
    let complete =
        counts.updated == spec.replicas && counts.ready == spec.replicas && counts.replicas == spec.replicas;
    if !spec.on_delete && complete {
        counts.current = counts.updated;
        current = update;
    }
    let mut status = json!({
        "observedGeneration": spec.generation,
        "replicas": counts.replicas,
        "availableReplicas": counts.available,
        "currentRevision": current,
        "updateRevision": update,
        "collisionCount": collision_count,
    });
    for (field, value) in [
        ("readyReplicas", counts.ready),
        ("currentReplicas", counts.current),
        ("updatedReplicas", counts.updated),
    ] {
        if value != 0 {
            status[field] = json!(value);
        }
    }
    status
}

/// Whether the stored status differs from the computed one (`inconsistentStatus`).
pub fn status_changed(stored: &Value, computed: &Value) -> bool {
    let observed = |s: &Value| s.get("observedGeneration").and_then(Value::as_i64).unwrap_or(0);
    observed(computed) > observed(stored)
        || [
            "replicas",
            "readyReplicas",
            "availableReplicas",
            "currentReplicas",
            "updatedReplicas",
        ]
        .iter()
        .any(|f| {
            stored.get(*f).and_then(Value::as_i64).unwrap_or(0)
                != computed.get(*f).and_then(Value::as_i64).unwrap_or(0)
        })
        || ["currentRevision", "updateRevision"].iter().any(|f| {
            stored.get(*f).and_then(Value::as_str).unwrap_or("")
                != computed.get(*f).and_then(Value::as_str).unwrap_or("")
        })
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
