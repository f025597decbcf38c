//! Judging an update in progress: which ordinals must end up on the update revision, where
//! each stands (highest ordinal first, the order the controller takes them), and whether
//! something blocks it for good. Shared by restart, rollout, canary, promote, undo and abort.

use k8s_openapi::jiff::Timestamp;

use super::health::{Stuckness, find_stuck, pod_health, revision_of};
use super::set;
use super::snapshot::SetSnapshot;
use super::step::StepState;

/// The verdict of one look at an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateVerdict {
    Done,
    /// Not yet; look again at `recheck_at` even if nothing changes.
    Waiting {
        recheck_at: Option<Timestamp>,
    },
    /// A pod cannot make progress: its name and the reason.
    Stuck {
        pod: String,
        reason: String,
    },
}

/// The ordinals a RollingUpdate set moves to the update revision: `start + partition ..`,
/// highest first.
pub fn ordinals_to_update(snap: &SetSnapshot) -> Vec<i32> {
    let start = set::ordinal_start(&snap.set);
    let partition = set::partition(&snap.set).unwrap_or(0).max(0);
    let mut ordinals: Vec<i32> = set::ordinals(&snap.set)
        .filter(|o| *o >= start + partition)
        .collect();
    ordinals.reverse();
    ordinals
}

/// Where each of `ordinals` stands on the way to the set's update revision, and the verdict.
/// While the controller has not observed the latest generation nothing counts as done.
pub fn judge_update(snap: &SetSnapshot, ordinals: &[i32]) -> (Vec<StepState>, UpdateVerdict) {
    let caught_up = !set::status_is_stale(&snap.set);
    let target = set::update_revision(&snap.set);
    let states: Vec<StepState> = ordinals
        .iter()
        .map(|o| ordinal_state(snap, *o, target, caught_up))
        .collect();
    let in_range = set::ordinals(&snap.set).filter_map(|o| snap.pod(o));
    let verdict = match find_stuck(in_range, set::min_ready_seconds(&snap.set), snap.taken_at) {
        Stuckness::Stuck { pod, reason } => UpdateVerdict::Stuck { pod, reason },
        Stuckness::NotYet { .. } if caught_up && states.iter().all(|s| s.done) && counted(snap, ordinals) => {
            UpdateVerdict::Done
        }
        Stuckness::NotYet { recheck_at } => UpdateVerdict::Waiting { recheck_at },
    };
    (states, verdict)
}

/// The controller's status agrees with the pods: every replica ready, at least the awaited
/// ones counted as updated, and, once every ordinal is updated, the current revision advanced.
fn counted(snap: &SetSnapshot, ordinals: &[i32]) -> bool {
    let Some(status) = snap.set.status.as_ref() else {
        return false;
    };
    let replicas = set::desired_replicas(&snap.set);
    let updated = ordinals.len().max(ordinals_to_update(snap).len()) as i32;
    let all = updated >= replicas;
    status.ready_replicas.unwrap_or(0) == replicas
        && status.updated_replicas.unwrap_or(0) >= updated
        && (!all || set::current_revision(&snap.set) == set::update_revision(&snap.set))
}

fn ordinal_state(snap: &SetSnapshot, ordinal: i32, target: Option<&str>, caught_up: bool) -> StepState {
    let pod_name = set::pod_name(&snap.set, ordinal);
    let Some(pod) = snap.pod(ordinal) else {
        return StepState {
            pod: pod_name,
            done: false,
            state: "not created yet".into(),
        };
    };
    let health = pod_health(pod, set::min_ready_seconds(&snap.set), snap.taken_at);
    let on_target = caught_up && revision_of(pod) == target;
    let (done, state) = match (&health.problem, on_target) {
        (_, false) if health.terminating => (false, "Terminating".to_string()),
        (_, false) => (false, "waiting for its turn (old revision)".to_string()),
        (None, true) if health.available => (true, "updated, Ready".to_string()),
        (None, true) => (
            false,
            "updated, Ready, not yet available (minReadySeconds)".to_string(),
        ),
        (Some(problem), true) => (false, format!("updated, {problem}")),
    };
    StepState {
        pod: pod_name,
        done,
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{PodBuilder, SetBuilder, snapshot};

    fn staged(partition: i32, revs: &[&str]) -> SetSnapshot {
        let updated = revs.iter().filter(|r| **r == "web-r2").count() as i32;
        let set = SetBuilder::new("web")
            .replicas(revs.len() as i32)
            .partition(partition)
            .revisions("web-r1", "web-r2")
            .status("readyReplicas", revs.len() as i32)
            .status("updatedReplicas", updated)
            .build();
        let pods = revs
            .iter()
            .enumerate()
            .map(|(o, r)| PodBuilder::new("web", o as i32, r).build())
            .collect();
        snapshot(set, pods, vec![], vec![])
    }

    #[test]
    fn ordinals_from_the_partition_highest_first() {
        assert_eq!(ordinals_to_update(&staged(2, &["web-r1"; 5])), [4, 3, 2]);
    }

    #[test]
    fn done_once_every_ordinal_is_updated_and_ready() {
        let snap = staged(3, &["web-r1", "web-r1", "web-r1", "web-r2", "web-r2"]);
        let (states, verdict) = judge_update(&snap, &[4, 3]);
        assert_eq!(verdict, UpdateVerdict::Done);
        assert!(states.iter().all(|s| s.state == "updated, Ready"));
        let (states, verdict) = judge_update(&snap, &[4, 3, 2]);
        assert_eq!(verdict, UpdateVerdict::Waiting { recheck_at: None });
        assert_eq!(states[2].state, "waiting for its turn (old revision)");
    }

    #[test]
    fn a_crash_looping_updated_pod_is_stuck() {
        let mut snap = staged(4, &["web-r1", "web-r1", "web-r1", "web-r1", "web-r2"]);
        snap.pods[4] = PodBuilder::new("web", 4, "web-r2").crash_looping(2).build();
        let (states, verdict) = judge_update(&snap, &[4]);
        assert!(matches!(verdict, UpdateVerdict::Stuck { ref pod, .. } if pod == "web-4"));
        assert!(states[0].state.starts_with("updated, CrashLoopBackOff"));
    }

    #[test]
    fn nothing_is_done_while_the_status_is_stale() {
        let mut snap = staged(0, &["web-r2"; 3]);
        snap.set.metadata.generation = Some(2);
        assert_eq!(
            judge_update(&snap, &[2, 1, 0]).1,
            UpdateVerdict::Waiting { recheck_at: None }
        );
    }
}
