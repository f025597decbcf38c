//! Judging an update in progress: which ordinals must end up on the update revision, where
//! each stands (highest ordinal first, the order the controller takes them), and whether
//! something blocks it for good. Shared by restart, rollout, canary, promote, undo and abort.

use k8s_openapi::jiff::Timestamp;

use k8s_openapi::api::apps::v1::StatefulSet;

use crate::model::flow::step::StepState;
use crate::model::flow::tracked::{Keeper, Tracked};
use crate::model::set;
use crate::model::set::health::{pod_health, revision_of};
use crate::model::set::snapshot::{Look, SetSnapshot};

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
    updating(&snap.set)
}

fn updating(sts: &StatefulSet) -> Vec<i32> {
    let start = set::ordinal_start(sts);
    let partition = set::partition(sts).unwrap_or(0).max(0);
    let mut ordinals: Vec<i32> = set::ordinals(sts).filter(|o| *o >= start + partition).collect();
    ordinals.reverse();
    ordinals
}

/// Where each of `ordinals` stands on the way to the set's update revision, and the verdict.
/// While the controller has not observed the latest generation nothing counts as done.
#[cfg(test)]
pub fn judge_update(snap: &SetSnapshot, ordinals: &[i32]) -> (Vec<StepState>, UpdateVerdict) {
    let mut wait = UpdateWait::new(&snap.set, ordinals);
    // One look cannot tell a replaced pod from one never touched: count them replaced.
    wait.first_uids = ordinals.iter().map(|o| (*o, String::new())).collect();
    for ordinal in wait.ordinals(&snap.set) {
        wait.rejudge(&snap.look(ordinal), ordinal);
    }
    let states = wait.tracked.states().cloned().collect();
    (states, wait.verdict(&snap.set))
}

/// What a wait on an update keeps between two looks at the cluster.
pub struct UpdateWait<'a> {
    ordinals: &'a [i32],
    pub tracked: Tracked,
    /// Each awaited pod's uid when first seen: one still there when it is done was never
    /// replaced (an abort's pods that never left the revision it goes back to).
    first_uids: std::collections::HashMap<i32, String>,
}

impl<'a> UpdateWait<'a> {
    /// Awaits `ordinals` of `sts`, nothing judged yet.
    pub fn new(sts: &StatefulSet, ordinals: &'a [i32]) -> UpdateWait<'a> {
        let steps = ordinals.iter().map(|o| (*o, set::pod_name(sts, *o)));
        UpdateWait {
            ordinals,
            tracked: Tracked::new(steps),
            first_uids: std::collections::HashMap::new(),
        }
    }

    /// Every ordinal the wait judges: the awaited ones and the set's members (whose health
    /// counts), and those it judged before.
    pub fn ordinals(&self, sts: &StatefulSet) -> Vec<i32> {
        let mut all = self.tracked.members_of(sts);
        all.extend(self.ordinals);
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Judges `ordinal` again: as a member, and as an awaited pod.
    pub fn rejudge(&mut self, look: &Look<'_>, ordinal: i32) {
        self.tracked.judge_member(look, ordinal);
        if self.tracked.awaits(ordinal) {
            let caught_up = !set::status_is_stale(look.set);
            let target = set::update_revision(look.set);
            let mut state = ordinal_state(look, ordinal, target, caught_up);
            let uid = look.pod.and_then(|p| p.metadata.uid.clone()).unwrap_or_default();
            let first = self.first_uids.entry(ordinal).or_insert_with(|| uid.clone());
            if state.done && !uid.is_empty() && *first == uid {
                state.state = format!("already on {}, Ready (not replaced)", target.unwrap_or("it"));
            }
            self.tracked.set_step(ordinal, state);
        }
    }

    /// The verdict from the set as it is now and what the wait keeps.
    pub fn verdict(&self, sts: &StatefulSet) -> UpdateVerdict {
        if let Some((ordinal, reason)) = self.tracked.first_stuck(&[]) {
            return UpdateVerdict::Stuck {
                pod: set::pod_name(sts, ordinal),
                reason: reason.to_string(),
            };
        }
        let caught_up = !set::status_is_stale(sts);
        match caught_up && self.tracked.all_done() && counted(sts, self.ordinals) {
            true => UpdateVerdict::Done,
            false => UpdateVerdict::Waiting {
                recheck_at: self.tracked.next_revisit(),
            },
        }
    }
}

impl Keeper for UpdateWait<'_> {
    fn ordinals(&self, sts: &StatefulSet) -> Vec<i32> {
        UpdateWait::ordinals(self, sts)
    }

    fn rejudge(&mut self, look: &Look<'_>, ordinal: i32) {
        UpdateWait::rejudge(self, look, ordinal);
    }

    fn tracked(&mut self) -> &mut Tracked {
        &mut self.tracked
    }
}

/// The controller's status agrees with the pods: every replica ready, at least the awaited
/// ones counted as updated, and, once every ordinal is updated, the current revision advanced.
fn counted(sts: &StatefulSet, ordinals: &[i32]) -> bool {
    let Some(status) = sts.status.as_ref() else {
        return false;
    };
    let replicas = set::desired_replicas(sts);
    let updated = ordinals.len().max(updating(sts).len()) as i32;
    let all = updated >= replicas;
    status.ready_replicas.unwrap_or(0) == replicas
        && status.updated_replicas.unwrap_or(0) >= updated
        && (!all || set::current_revision(sts) == set::update_revision(sts))
}

/// Where `ordinal` stands on the way to revision `target` (`caught_up`: the controller has
/// observed the set's latest generation).
pub fn ordinal_state(look: &Look<'_>, ordinal: i32, target: Option<&str>, caught_up: bool) -> StepState {
    let pod_name = set::pod_name(look.set, ordinal);
    let Some(pod) = look.pod else {
        return StepState {
            pod: pod_name,
            done: false,
            state: "not created yet".into(),
        };
    };
    let health = pod_health(pod, set::min_ready_seconds(look.set), look.now);
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
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, snapshot};

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
        let mut seen = snap.clone();
        seen.pods[4].metadata.uid = Some("web-4-uid".into());
        let mut wait = UpdateWait::new(&seen.set, &[4]);
        wait.rejudge(&seen.look(4), 4);
        wait.rejudge(&seen.look(4), 4);
        let state = wait.tracked.states().next().unwrap().state.clone();
        assert!(
            state.starts_with("already on ") && state.ends_with("(not replaced)"),
            "{state}"
        );
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
