//! What the StatefulSet controller is doing with a set right now and what it waits on, judged from
//! a snapshot by the rules of docs/statefulset-behaviour.md: scaling, rolling update, staged
//! rollout, OnDelete pods left to roll, or steady.

use serde::Serialize;

use crate::model::set::health::{PodHealth, pod_health};
use crate::model::set::revision::{RevisionRole, role};
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, PodManagement, Strategy};

/// The kind of work in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Deleting,
    Stale,
    ScalingUp,
    ScalingDown,
    RollingUpdate,
    StagedRollout,
    OnDeleteOutdated,
    Degraded,
    Steady,
}

/// The pod the controller is waiting on, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocker {
    pub pod: String,
    pub reason: String,
    pub message: Option<String>,
    /// Waiting will not fix it.
    pub stuck: bool,
}

/// One line of what is going on, for people, and its parts, for scripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub activity: Activity,
    pub message: String,
    pub blocked_by: Option<Blocker>,
    pub hint: Option<String>,
}

/// Judges the snapshot.
pub fn progress(snap: &SetSnapshot) -> Progress {
    let facts = Facts::gather(snap);
    let (activity, headline) = activity(snap, &facts);
    let blocked_by = if activity == Activity::Steady {
        None
    } else {
        blocker(snap, &facts)
    };
    let hint = hint(snap, activity, blocked_by.as_ref());
    let message = match &blocked_by {
        Some(b) => format!("{headline}; waiting on {}: {}", b.pod, describe(b)),
        None => headline,
    };
    Progress {
        activity,
        message,
        blocked_by,
        hint,
    }
}

/// A pod's health and revision label.
type Member = (PodHealth, Option<String>);

/// Per-ordinal facts the judgement needs.
struct Facts {
    /// Ordinals in range with their pod's health and revision (None: no pod).
    members: Vec<(i32, Option<Member>)>,
    /// Pods outside the range, highest first.
    condemned: Vec<String>,
}

impl Facts {
    fn gather(snap: &SetSnapshot) -> Facts {
        let min_ready = set::min_ready_seconds(&snap.set);
        let members = set::ordinals(&snap.set)
            .map(|ordinal| {
                let member = snap.pod(ordinal).map(|pod| {
                    let revision = crate::model::set::health::revision_of(pod).map(str::to_string);
                    (pod_health(pod, min_ready, snap.taken_at), revision)
                });
                (ordinal, member)
            })
            .collect();
        let range = set::ordinals(&snap.set);
        let mut condemned: Vec<(i32, String)> = snap
            .pods
            .iter()
            .filter_map(|p| {
                let name = p.metadata.name.clone()?;
                let ordinal = set::ordinal_of_pod(&snap.set, &name)?;
                (!range.contains(&ordinal)).then_some((ordinal, name))
            })
            .collect();
        condemned.sort_by_key(|(ordinal, _)| std::cmp::Reverse(*ordinal));
        Facts {
            members,
            condemned: condemned.into_iter().map(|(_, n)| n).collect(),
        }
    }

    fn existing(&self) -> usize {
        self.members
            .iter()
            .filter(|(_, m)| m.as_ref().is_some_and(|(h, _)| !h.terminating))
            .count()
    }

    fn ready(&self) -> usize {
        self.members
            .iter()
            .filter(|(_, m)| m.as_ref().is_some_and(|(h, _)| h.ready && !h.terminating))
            .count()
    }

    /// Ordinals (from `from` on) whose pod is not on `revision`.
    fn outdated_from(&self, from: i32, revision: Option<&str>) -> Vec<i32> {
        self.members
            .iter()
            .filter(|(ordinal, m)| {
                *ordinal >= from && m.as_ref().is_some_and(|(_, r)| r.as_deref() != revision)
            })
            .map(|(ordinal, _)| *ordinal)
            .collect()
    }

    fn on_revision(&self, revision: Option<&str>) -> usize {
        self.members
            .iter()
            .filter(|(_, m)| m.as_ref().is_some_and(|(_, r)| r.as_deref() == revision))
            .count()
    }
}

fn activity(snap: &SetSnapshot, facts: &Facts) -> (Activity, String) {
    let set = &snap.set;
    let desired = set::desired_replicas(set);
    if set::is_deleting(set) {
        return (
            Activity::Deleting,
            format!("being deleted; {} pods left", snap.pods.len()),
        );
    }
    if set::status_is_stale(set) {
        let generation = set.metadata.generation.unwrap_or(0);
        let observed = set
            .status
            .as_ref()
            .and_then(|s| s.observed_generation)
            .unwrap_or(0);
        let text =
            format!("the controller has not yet observed generation {generation} (observed {observed})");
        return (Activity::Stale, text);
    }
    if facts.existing() < desired.max(0) as usize {
        let text = format!(
            "scaling up to {desired}: {}/{desired} pods exist",
            facts.existing()
        );
        return (Activity::ScalingUp, text);
    }
    if !facts.condemned.is_empty() {
        return (
            Activity::ScalingDown,
            format!(
                "scaling down to {desired}: removing {}",
                facts.condemned.join(", ")
            ),
        );
    }
    if let Some(found) = update_activity(snap, facts) {
        return found;
    }
    let ready = facts.ready();
    if ready < desired.max(0) as usize {
        return (Activity::Degraded, format!("{ready}/{desired} pods ready"));
    }
    let revision = set::update_revision(set).unwrap_or("?");
    (
        Activity::Steady,
        format!("steady: {ready}/{desired} pods ready on {revision}"),
    )
}

/// Rolling update, staged rollout or OnDelete pods left behind, if any.
fn update_activity(snap: &SetSnapshot, facts: &Facts) -> Option<(Activity, String)> {
    let set = &snap.set;
    let update = set::update_revision(set);
    let desired = set::desired_replicas(set);
    let updated = facts.on_revision(update);
    let update_name = update.unwrap_or("?");
    let start = set::ordinal_start(set);
    match (set::strategy(set), set::partition(set)) {
        (Strategy::RollingUpdate, Some(partition)) => {
            if !facts.outdated_from(start + partition, update).is_empty() {
                let text = format!(
                    "rolling update: {updated}/{desired} pods on {update_name}, partition {partition}"
                );
                return Some((Activity::RollingUpdate, text));
            }
            (!facts.outdated_from(start, update).is_empty()).then(|| {
                let text = format!(
                    "staged rollout: {updated}/{desired} pods on {update_name}; ordinals below {} wait for the partition ({partition}) to be lowered",
                    start + partition
                );
                (Activity::StagedRollout, text)
            })
        }
        _ => {
            let outdated = facts.outdated_from(start, update).len();
            (outdated > 0).then(|| {
                let text = format!(
                    "OnDelete: {outdated}/{desired} pods not on update revision {update_name}; the controller will not replace them"
                );
                (Activity::OnDeleteOutdated, text)
            })
        }
    }
}

/// The pod the controller waits on: a stuck one first, else the first unhealthy or missing one
/// in the order the controller works (ascending for OrderedReady creation).
fn blocker(snap: &SetSnapshot, facts: &Facts) -> Option<Blocker> {
    let mut candidates: Vec<Blocker> = facts
        .members
        .iter()
        .filter_map(|(ordinal, member)| {
            let pod = set::pod_name(&snap.set, *ordinal);
            match member {
                None => Some(Blocker {
                    pod,
                    reason: "NotCreated".into(),
                    message: None,
                    stuck: false,
                }),
                Some((health, _)) => health.problem.as_ref().map(|p| Blocker {
                    pod,
                    reason: p.reason.clone(),
                    message: p.message.clone(),
                    stuck: p.stuck,
                }),
            }
        })
        .collect();
    if set::pod_management(&snap.set) == PodManagement::OrderedReady && candidates.iter().all(|c| !c.stuck) {
        return candidates.into_iter().next();
    }
    candidates.sort_by_key(|c| !c.stuck);
    candidates.into_iter().next()
}

fn hint(snap: &SetSnapshot, activity: Activity, blocker: Option<&Blocker>) -> Option<String> {
    let name = snap.name();
    if let Some(b) = blocker.filter(|b| b.stuck) {
        let pod = snap
            .pods
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(b.pod.as_str()));
        let pod_role = role(&snap.set, pod.and_then(crate::model::set::health::revision_of));
        if pod_role != RevisionRole::Update && set::strategy(&snap.set) == Strategy::RollingUpdate {
            return Some(format!(
                "{} is not on the update revision and not Ready: the controller will not replace it by itself \
                 (kubernetes/kubernetes#67250); delete the pod to have it recreated",
                b.pod
            ));
        }
        let back = if crate::model::rollout::staged::in_flight(snap).is_some() {
            format!("roll back with `{}`", snap.sts(&format!("abort {name}")))
        } else {
            format!(
                "go back to an earlier revision with `{}`",
                snap.sts(&format!("undo {name}"))
            )
        };
        return Some(format!(
            "{} will not become Ready by waiting: fix its cause, or {back}",
            b.pod
        ));
    }
    if crate::model::flow::record::on_set(&snap.set).is_some() {
        // A guided command's step is in flight: the record says what finishes it.
        return None;
    }
    match activity {
        Activity::StagedRollout => Some(format!(
            "move more pods with `{}`, or `{}`",
            snap.sts(&format!("promote {name}")),
            snap.sts(&format!("abort {name}"))
        )),
        Activity::OnDeleteOutdated => Some(format!(
            "replace the outdated pods with `{}`",
            snap.sts(&format!("roll {name}"))
        )),
        _ => None,
    }
}

fn describe(b: &Blocker) -> String {
    match &b.message {
        Some(m) => format!("{} ({m})", b.reason),
        None => b.reason.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, snapshot};

    fn pods(set: &str, revs: &[&str]) -> Vec<k8s_openapi::api::core::v1::Pod> {
        revs.iter()
            .enumerate()
            .map(|(i, r)| PodBuilder::new(set, i as i32, r).build())
            .collect()
    }

    #[test]
    fn steady_set() {
        let snap = snapshot(
            SetBuilder::new("web").build(),
            pods("web", &["web-r1"; 3]),
            vec![],
            vec![],
        );
        let p = progress(&snap);
        assert_eq!(p.activity, Activity::Steady);
        assert_eq!(p.message, "steady: 3/3 pods ready on web-r1");
        assert_eq!(p.blocked_by, None);
    }

    #[test]
    fn rolling_update_names_the_crash_looping_pod() {
        let set = SetBuilder::new("web")
            .replicas(5)
            .partition(3)
            .revisions("web-r1", "web-r2")
            .build();
        let mut all = pods("web", &["web-r1", "web-r1", "web-r1", "web-r1", "web-r2"]);
        all[4] = PodBuilder::new("web", 4, "web-r2").crash_looping(2).build();
        let p = progress(&snapshot(set, all, vec![], vec![]));
        assert_eq!(p.activity, Activity::RollingUpdate);
        assert!(p.message.starts_with(
            "rolling update: 1/5 pods on web-r2, partition 3; waiting on web-4: CrashLoopBackOff"
        ));
        assert!(p.blocked_by.unwrap().stuck);
    }

    #[test]
    fn staged_rollout_once_the_partition_is_reached() {
        let set = SetBuilder::new("web")
            .replicas(3)
            .partition(2)
            .revisions("web-r1", "web-r2")
            .build();
        let p = progress(&snapshot(
            set,
            pods("web", &["web-r1", "web-r1", "web-r2"]),
            vec![],
            vec![],
        ));
        assert_eq!(p.activity, Activity::StagedRollout);
        assert!(p.message.contains("ordinals below 2 wait"));
    }

    #[test]
    fn scaling_up_waits_on_the_next_ordinal() {
        let set = SetBuilder::new("web").replicas(5).build();
        let p = progress(&snapshot(set, pods("web", &["web-r1"; 3]), vec![], vec![]));
        assert_eq!(p.activity, Activity::ScalingUp);
        assert_eq!(p.blocked_by.unwrap().pod, "web-3");
    }

    #[test]
    fn scaling_down_lists_condemned_pods_highest_first() {
        let set = SetBuilder::new("web").replicas(2).build();
        let p = progress(&snapshot(set, pods("web", &["web-r1"; 4]), vec![], vec![]));
        assert_eq!(p.activity, Activity::ScalingDown);
        assert!(p.message.contains("removing web-3, web-2"));
    }

    #[test]
    fn on_delete_outdated_points_to_roll() {
        let set = SetBuilder::new("zk")
            .on_delete()
            .revisions("zk-r1", "zk-r2")
            .build();
        let p = progress(&snapshot(
            set,
            pods("zk", &["zk-r1", "zk-r1", "zk-r2"]),
            vec![],
            vec![],
        ));
        assert_eq!(p.activity, Activity::OnDeleteOutdated);
        assert!(
            p.message
                .starts_with("OnDelete: 2/3 pods not on update revision zk-r2")
        );
        assert_eq!(
            p.hint.unwrap(),
            "replace the outdated pods with `kubectl sts roll zk -n default`"
        );
    }

    #[test]
    fn forced_rollback_case_explains_the_stuck_pod() {
        let set = SetBuilder::new("web").build();
        let mut all = pods("web", &["web-r1", "web-r1", "web-r2"]);
        all[2] = PodBuilder::new("web", 2, "web-r2").crash_looping(5).build();
        let p = progress(&snapshot(set, all, vec![], vec![]));
        assert_eq!(p.activity, Activity::RollingUpdate);
        assert!(p.hint.unwrap().contains("kubernetes/kubernetes#67250"));
    }

    #[test]
    fn stale_status_is_said_first() {
        let set = SetBuilder::new("web").generation(3, 2).build();
        let p = progress(&snapshot(set, pods("web", &["web-r1"; 3]), vec![], vec![]));
        assert_eq!(p.activity, Activity::Stale);
    }

    #[test]
    fn start_ordinal_partition_counts_from_start() {
        let set = SetBuilder::new("web")
            .start(5)
            .partition(2)
            .revisions("web-r1", "web-r2")
            .build();
        let all: Vec<_> = [(5, "web-r1"), (6, "web-r1"), (7, "web-r2")]
            .iter()
            .map(|(o, r)| PodBuilder::new("web", *o, r).build())
            .collect();
        let p = progress(&snapshot(set, all, vec![], vec![]));
        assert_eq!(p.activity, Activity::StagedRollout);
        assert!(p.message.contains("ordinals below 7 wait"));
    }
}
