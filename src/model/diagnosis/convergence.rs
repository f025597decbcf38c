//! Whether a set has converged under its own strategy, for `wait`: the controller has observed
//! the latest generation and its own counters agree, every member exists, is Ready and
//! available (`minReadySeconds`) and none is Terminating, no pod is left beyond the replica
//! count, and every pod the strategy updates by itself is on the update revision (RollingUpdate:
//! the ordinals at or above the partition). What the strategy leaves to a person — pods below a
//! partition, an OnDelete set's outdated pods — does not keep a set from converging: they are
//! named, with the command that moves them. Parallel and OrderedReady sets are judged alike.

use std::time::Duration;

use serde::Serialize;

use crate::model::diagnosis::progress::progress;
use crate::model::diagnosis::why::Finding;
use crate::model::set::health::{pod_health, revision_of};
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};

/// Who moves the pods a strategy leaves on an older revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftTo {
    /// Below a RollingUpdate partition: lowering it (`promote`) moves them.
    Promote,
    /// An OnDelete set: only deleting them (`roll`) does.
    Roll,
}

/// The judgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Convergence {
    /// The first thing not there yet, in words; `None` when the set has converged.
    pub waiting_on: Option<String>,
    /// Pods the strategy leaves on an older revision, by ordinal.
    pub left_outdated: Vec<String>,
    pub left_to: Option<LeftTo>,
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitOutcome {
    Converged,
    /// Something that will not clear up by waiting stands in the way.
    Blocked,
    TimedOut,
}

/// What `wait` reports, for people and scripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitReport {
    pub kind: &'static str,
    pub version: &'static str,
    pub namespace: String,
    pub name: String,
    pub outcome: WaitOutcome,
    /// What the controller is doing, in `status`'s words.
    pub progress: String,
    /// The first thing not there yet when the wait ended (`None` when converged).
    pub waiting_on: Option<String>,
    pub update_revision: Option<String>,
    pub ready_replicas: i32,
    pub replicas: i32,
    /// Pods the strategy leaves on an older revision.
    pub left_outdated: Vec<String>,
    /// The command that moves them.
    pub left_to: Option<String>,
    /// What blocks, as `why` words it.
    pub blocker: Option<Finding>,
    pub waited_seconds: u64,
}

/// The report of a wait that ended with `outcome` on `snap`.
pub fn wait_report(
    snap: &SetSnapshot,
    outcome: WaitOutcome,
    blocker: Option<Finding>,
    waited: Duration,
) -> WaitReport {
    let judged = convergence(snap);
    let (name, namespace) = (snap.name(), snap.namespace());
    let left_to = judged.left_to.map(|to| {
        let verb = match to {
            LeftTo::Promote => "promote",
            LeftTo::Roll => "roll",
        };
        snap.sts(&format!("{verb} {name}"))
    });
    WaitReport {
        kind: "StatefulSetWait",
        version: "v1",
        namespace: namespace.to_string(),
        name: name.to_string(),
        outcome,
        progress: progress(snap).message,
        waiting_on: judged.waiting_on,
        update_revision: set::update_revision(&snap.set).map(str::to_string),
        ready_replicas: snap
            .set
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0),
        replicas: set::desired_replicas(&snap.set),
        left_outdated: judged.left_outdated,
        left_to,
        blocker,
        waited_seconds: waited.as_secs(),
    }
}

/// Judges the snapshot.
pub fn convergence(snap: &SetSnapshot) -> Convergence {
    let sts = &snap.set;
    let first_updated = match (set::strategy(sts), set::partition(sts)) {
        (Strategy::RollingUpdate, Some(partition)) => set::ordinal_start(sts) + partition,
        _ => i32::MAX,
    };
    let left_outdated = outdated_below(snap, first_updated);
    let left_to = (!left_outdated.is_empty()).then_some(match set::strategy(sts) {
        Strategy::RollingUpdate => LeftTo::Promote,
        Strategy::OnDelete => LeftTo::Roll,
    });
    Convergence {
        waiting_on: first_gap(snap, first_updated),
        left_outdated,
        left_to,
    }
}

/// The first reason the set has not converged, checked in the order a person would look.
fn first_gap(snap: &SetSnapshot, first_updated: i32) -> Option<String> {
    let sts = &snap.set;
    if set::is_deleting(sts) {
        return Some("the set is being deleted".to_string());
    }
    if set::status_is_stale(sts) {
        return Some("the controller has not yet observed the latest change".to_string());
    }
    let update = set::update_revision(sts);
    let min_ready = set::min_ready_seconds(sts);
    for ordinal in set::ordinals(sts) {
        let name = set::pod_name(sts, ordinal);
        let Some(pod) = snap.pod(ordinal) else {
            return Some(format!("{name} does not exist yet"));
        };
        let health = pod_health(pod, min_ready, snap.taken_at);
        let gap = if health.terminating {
            Some("is Terminating")
        } else if !health.ready {
            Some("is not Ready")
        } else if !health.available {
            Some("is not yet available (minReadySeconds)")
        } else if ordinal >= first_updated && revision_of(pod) != update {
            Some("is not yet on the update revision")
        } else {
            None
        };
        if let Some(gap) = gap {
            return Some(format!("{name} {gap}"));
        }
    }
    if let Some(extra) = snap
        .pods
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .find(|name| set::ordinal_of_pod(sts, name).is_some_and(|o| !set::ordinals(sts).contains(&o)))
    {
        return Some(format!("{extra} is beyond the replica count and not gone yet"));
    }
    counters_gap(snap, first_updated)
}

/// The controller's own counters, which `kubectl get sts` shows, disagreeing with the pods.
fn counters_gap(snap: &SetSnapshot, first_updated: i32) -> Option<String> {
    let sts = &snap.set;
    let desired = set::desired_replicas(sts);
    let status = sts.status.as_ref();
    let counter = |read: fn(&k8s_openapi::api::apps::v1::StatefulSetStatus) -> Option<i32>| {
        status.and_then(read).unwrap_or(0)
    };
    let to_update = set::ordinals(sts).filter(|o| *o >= first_updated).count() as i32;
    let counts = [
        ("replicas", status.map_or(0, |s| s.replicas), desired),
        ("readyReplicas", counter(|s| s.ready_replicas), desired),
        ("availableReplicas", counter(|s| s.available_replicas), desired),
    ];
    let behind = counts.into_iter().find(|(_, have, want)| have != want);
    if let Some((field, have, want)) = behind {
        return Some(format!(
            "the controller counts {have} of {want} in status.{field}"
        ));
    }
    let updated = counter(|s| s.updated_replicas);
    (updated < to_update)
        .then(|| format!("the controller counts {updated} of {to_update} in status.updatedReplicas"))
}

/// Pods below `first_updated` (all of them for OnDelete) not on the update revision.
fn outdated_below(snap: &SetSnapshot, first_updated: i32) -> Vec<String> {
    let update = set::update_revision(&snap.set);
    set::ordinals(&snap.set)
        .filter(|ordinal| *ordinal < first_updated)
        .filter_map(|ordinal| snap.pod(ordinal))
        .filter(|pod| revision_of(pod) != update)
        .filter_map(|pod| pod.metadata.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, pods_on as pods, snapshot};

    #[test]
    fn a_steady_set_has_converged() {
        let snap = snapshot(
            SetBuilder::new("web").build(),
            pods("web", &["web-r1"; 3]),
            vec![],
            vec![],
        );
        let judged = convergence(&snap);
        assert_eq!(judged.waiting_on, None);
        assert!(judged.left_outdated.is_empty());
        assert_eq!(judged.left_to, None);
    }

    #[test]
    fn pods_below_the_partition_are_left_to_promote() {
        let set = SetBuilder::new("web")
            .partition(2)
            .revisions("web-r1", "web-r2")
            .build();
        let snap = snapshot(set, pods("web", &["web-r1", "web-r1", "web-r2"]), vec![], vec![]);
        let judged = convergence(&snap);
        assert_eq!(judged.waiting_on, None);
        assert_eq!(judged.left_outdated, ["web-0", "web-1"]);
        assert_eq!(judged.left_to, Some(LeftTo::Promote));
    }

    #[test]
    fn a_pod_at_or_above_the_partition_not_updated_keeps_it_waiting() {
        let set = SetBuilder::new("web")
            .partition(1)
            .revisions("web-r1", "web-r2")
            .build();
        let snap = snapshot(set, pods("web", &["web-r1", "web-r1", "web-r2"]), vec![], vec![]);
        let judged = convergence(&snap);
        assert_eq!(
            judged.waiting_on.as_deref(),
            Some("web-1 is not yet on the update revision")
        );
    }

    #[test]
    fn on_delete_pods_are_left_to_roll() {
        let set = SetBuilder::new("db")
            .on_delete()
            .revisions("db-r1", "db-r2")
            .build();
        let snap = snapshot(set, pods("db", &["db-r1", "db-r2", "db-r1"]), vec![], vec![]);
        let judged = convergence(&snap);
        assert_eq!(judged.waiting_on, None);
        assert_eq!(judged.left_outdated, ["db-0", "db-2"]);
        assert_eq!(judged.left_to, Some(LeftTo::Roll));
    }

    #[test]
    fn a_missing_or_unready_member_keeps_it_waiting() {
        let set = SetBuilder::new("web").replicas(3).build();
        let two = snapshot(set.clone(), pods("web", &["web-r1"; 2]), vec![], vec![]);
        assert_eq!(
            convergence(&two).waiting_on.as_deref(),
            Some("web-2 does not exist yet")
        );
        let mut members = pods("web", &["web-r1"; 3]);
        members[1] = PodBuilder::new("web", 1, "web-r1").crash_looping(2).build();
        let unready = snapshot(set, members, vec![], vec![]);
        assert_eq!(
            convergence(&unready).waiting_on.as_deref(),
            Some("web-1 is not Ready")
        );
    }
}
