//! Planning and judging a roll: replacing pods one at a time (OnDelete sets, or chosen
//! ordinals of any set). Outdated means the pod's `controller-revision-hash` differs from
//! `status.updateRevision` — never judged by `currentRevision`, which OnDelete sets do not
//! advance.

use std::collections::HashSet;

use k8s_openapi::api::apps::v1::StatefulSet;
use serde::Serialize;

use crate::model::flow::step::StepState;
use crate::model::flow::tracked::{Keeper, Tracked};
use crate::model::refusal::Refusal;
use crate::model::set::health::{pod_health, revision_of};
use crate::model::set::snapshot::{Look, SetSnapshot};
use crate::model::set::{self, Strategy};

/// How pods are taken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// DELETE with a uid precondition.
    Delete,
    /// The Eviction API: PodDisruptionBudgets are honoured.
    Evict,
}

/// One pod of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollStep {
    pub ordinal: i32,
    pub pod: String,
    /// The uid of the pod to replace (the precondition of its deletion).
    pub uid: Option<String>,
    pub revision: Option<String>,
    /// Replaced, or skipped with the reason.
    pub replace: bool,
    pub note: String,
}

/// The roll plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollPlan {
    pub namespace: String,
    pub name: String,
    pub strategy: Strategy,
    pub update_revision: Option<String>,
    pub method: Method,
    /// In the order they will be replaced, skipped ones included.
    pub steps: Vec<RollStep>,
    /// Said to the user before anything happens (e.g. RollingUpdate sets replace pods alone).
    pub notes: Vec<String>,
}

impl RollPlan {
    /// The steps that replace a pod.
    pub fn replacements(&self) -> impl Iterator<Item = &RollStep> {
        self.steps.iter().filter(|s| s.replace)
    }
}

/// Validates `--ordinals` against the set: each in range, none twice.
pub fn check_ordinals(snap: &SetSnapshot, ordinals: &[i32]) -> Result<(), Refusal> {
    let range = set::ordinals(&snap.set);
    let mut seen = HashSet::new();
    for ordinal in ordinals {
        if !range.contains(ordinal) {
            return Err(Refusal::usage(format!(
                "ordinal {ordinal} is not in statefulset {}/{} (its ordinals are {}..={})",
                snap.namespace(),
                snap.name(),
                range.start,
                range.end - 1
            )));
        }
        if !seen.insert(*ordinal) {
            return Err(Refusal::usage(format!(
                "ordinal {ordinal} is given twice in --ordinals"
            )));
        }
    }
    Ok(())
}

/// Plans the roll: the given ordinals in the given order, else every ordinal from the highest
/// down. On an OnDelete set pods already on the update revision are skipped; on a
/// RollingUpdate set only explicitly given ordinals are recreated.
pub fn plan_roll(snap: &SetSnapshot, ordinals: Option<&[i32]>, method: Method) -> Result<RollPlan, Refusal> {
    if let Some(given) = ordinals {
        check_ordinals(snap, given)?;
    }
    let strategy = set::strategy(&snap.set);
    let update = set::update_revision(&snap.set).map(str::to_string);
    let order: Vec<i32> = match ordinals {
        Some(given) => given.to_vec(),
        None => set::ordinals(&snap.set).rev().collect(),
    };
    let explicit = ordinals.is_some();
    let steps = order
        .into_iter()
        .map(|o| roll_step(snap, o, update.as_deref(), strategy, explicit))
        .collect();
    let mut notes = Vec::new();
    if strategy == Strategy::RollingUpdate && !explicit {
        notes.push(format!(
            "statefulset {}/{} uses RollingUpdate: the controller replaces outdated pods itself; follow it with \
             `{}`, or restart every pod with `{}`; \
             to recreate chosen pods anyway pass --ordinals",
            snap.namespace(),
            snap.name(),
            snap.sts(&format!("status {} --watch", snap.name())),
            snap.sts(&format!("restart {}", snap.name()))
        ));
    }
    Ok(RollPlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        strategy,
        update_revision: update,
        method,
        steps,
        notes,
    })
}

fn roll_step(
    snap: &SetSnapshot,
    ordinal: i32,
    update: Option<&str>,
    strategy: Strategy,
    explicit: bool,
) -> RollStep {
    let pod = snap.pod(ordinal);
    let revision = pod.and_then(revision_of).map(str::to_string);
    let outdated = revision.as_deref() != update;
    let (replace, note) = match (pod, strategy) {
        (None, _) => (false, "no pod (the controller will create it)".to_string()),
        (Some(_), Strategy::RollingUpdate) if !explicit => (false, "replaced by the controller".to_string()),
        (Some(_), Strategy::RollingUpdate) => (true, "recreated (asked for with --ordinals)".to_string()),
        (Some(_), Strategy::OnDelete) if outdated => (true, "outdated: replaced".to_string()),
        (Some(_), Strategy::OnDelete) => (false, "already on the update revision: skipped".to_string()),
    };
    RollStep {
        ordinal,
        pod: set::pod_name(&snap.set, ordinal),
        uid: pod.and_then(|p| p.metadata.uid.clone()),
        revision,
        replace,
        note,
    }
}

/// Where the replacement of `step` stands, and whether it is done, stuck or waiting.
pub fn judge_replacement(look: &Look<'_>, step: &RollStep) -> (StepState, Option<Result<(), String>>) {
    let state = |done: bool, text: String| StepState {
        pod: step.pod.clone(),
        done,
        state: text,
    };
    let Some(pod) = look.pod else {
        return (state(false, "deleted; replacement not created yet".into()), None);
    };
    let health = pod_health(pod, set::min_ready_seconds(look.set), look.now);
    if pod.metadata.uid == step.uid {
        let revision = revision_of(pod).unwrap_or("an unknown revision");
        let text = match &health.problem {
            _ if health.terminating => "Terminating".to_string(),
            Some(problem) => format!("{}, on {revision}: to be replaced", problem.reason),
            None => format!("running on {revision}: to be replaced"),
        };
        return (state(false, text), None);
    }
    let expected = expected_revision(look.set, step.ordinal);
    if let Some(problem) = health.problem.as_ref().filter(|p| p.stuck) {
        let text = format!("replacement {problem}");
        return (state(false, text.clone()), Some(Err(text)));
    }
    if revision_of(pod) != expected.as_deref() {
        return (state(false, "replacement on an unexpected revision".into()), None);
    }
    match &health.problem {
        None if health.available => (state(true, "replaced, Ready".into()), Some(Ok(()))),
        None => (
            state(
                false,
                "replaced, Ready, not yet available (minReadySeconds)".into(),
            ),
            None,
        ),
        Some(problem) => (state(false, format!("replacement {problem}")), None),
    }
}

/// The revision the controller recreates an ordinal at: the update revision, except below the
/// partition of a RollingUpdate set (current revision).
pub fn expected_revision(sts: &StatefulSet, ordinal: i32) -> Option<String> {
    let below_partition = set::partition(sts).is_some_and(|p| {
        ordinal < set::ordinal_start(sts) + p && set::strategy(sts) == Strategy::RollingUpdate
    });
    let revision = if below_partition {
        set::current_revision(sts)
    } else {
        set::update_revision(sts)
    };
    revision.map(str::to_string)
}

/// What a roll keeps between two looks at the cluster: every member's health, so that the
/// pod to take down next can be checked against the others without judging them all again.
#[derive(Debug, Default)]
pub struct RollWait {
    pub tracked: Tracked,
}

/// A member other than the one about to be taken down, and why it stands in the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherMember {
    pub pod: String,
    pub why: String,
}

impl RollWait {
    /// Judges every member of the snapshot.
    #[cfg(test)]
    pub fn of(snap: &SetSnapshot) -> RollWait {
        let mut wait = RollWait::default();
        for ordinal in wait.ordinals(&snap.set) {
            wait.rejudge(&snap.look(ordinal), ordinal);
        }
        wait
    }

    /// Before taking the `batch` down: the first other member that is not Ready (missing,
    /// starting, terminating), so that no member outside the batch is down meanwhile.
    pub fn other_down(&self, sts: &StatefulSet, batch: &[i32]) -> Option<OtherMember> {
        let (other, why) = self.tracked.first_down(batch)?;
        Some(OtherMember {
            pod: set::pod_name(sts, other),
            why: why.to_string(),
        })
    }

    /// A member outside the `batch` that will not become Ready by waiting (rolling on would
    /// take more members down for good): its name and why.
    pub fn other_stuck(&self, sts: &StatefulSet, batch: &[i32]) -> Option<OtherMember> {
        let (other, why) = self.tracked.first_stuck(batch)?;
        Some(OtherMember {
            pod: set::pod_name(sts, other),
            why: why.to_string(),
        })
    }
}

impl Keeper for RollWait {
    fn ordinals(&self, sts: &StatefulSet) -> Vec<i32> {
        self.tracked.members_of(sts)
    }

    fn rejudge(&mut self, look: &Look<'_>, ordinal: i32) {
        self.tracked.judge_member(look, ordinal);
    }

    fn tracked(&mut self) -> &mut Tracked {
        &mut self.tracked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, snapshot};

    fn zk(revs: &[&str]) -> SetSnapshot {
        let set = SetBuilder::new("zk")
            .on_delete()
            .parallel()
            .revisions("zk-r1", "zk-r2")
            .build();
        let pods = revs
            .iter()
            .enumerate()
            .map(|(o, r)| PodBuilder::new("zk", o as i32, r).build())
            .collect();
        snapshot(set, pods, vec![], vec![])
    }

    #[test]
    fn outdated_pods_highest_first_and_updated_ones_skipped() {
        let plan = plan_roll(&zk(&["zk-r1", "zk-r2", "zk-r1"]), None, Method::Delete).unwrap();
        let order: Vec<_> = plan.steps.iter().map(|s| (s.pod.as_str(), s.replace)).collect();
        assert_eq!(order, [("zk-2", true), ("zk-1", false), ("zk-0", true)]);
        assert_eq!(plan.steps[0].uid.as_deref(), Some("uid-zk-2"));
    }

    #[test]
    fn given_order_is_kept_and_checked() {
        let snap = zk(&["zk-r1"; 3]);
        let plan = plan_roll(&snap, Some(&[0, 2]), Method::Evict).unwrap();
        assert_eq!(plan.steps.iter().map(|s| s.ordinal).collect::<Vec<_>>(), [0, 2]);
        assert!(
            plan_roll(&snap, Some(&[3]), Method::Delete)
                .unwrap_err()
                .reason
                .contains("ordinal 3 is not in statefulset default/zk")
        );
        assert!(
            plan_roll(&snap, Some(&[1, 1]), Method::Delete)
                .unwrap_err()
                .reason
                .contains("given twice")
        );
    }

    #[test]
    fn rolling_update_sets_are_left_to_the_controller_unless_asked() {
        let set = SetBuilder::new("web").revisions("web-r1", "web-r2").build();
        let pods = (0..3)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        let snap = snapshot(set, pods, vec![], vec![]);
        let plan = plan_roll(&snap, None, Method::Delete).unwrap();
        assert_eq!(plan.replacements().count(), 0);
        assert!(plan.notes[0].contains("the controller replaces outdated pods itself"));
        assert_eq!(
            plan_roll(&snap, Some(&[1]), Method::Delete)
                .unwrap()
                .replacements()
                .count(),
            1
        );
    }

    #[test]
    fn replacement_is_judged_by_uid_revision_and_readiness() {
        let snap = zk(&["zk-r1"; 3]);
        let plan = plan_roll(&snap, None, Method::Delete).unwrap();
        let step = &plan.steps[0];
        assert_eq!(
            judge_replacement(&snap.look(step.ordinal), step).0.state,
            "running on zk-r1: to be replaced"
        );
        let mut later = snap.clone();
        later.pods.remove(2);
        assert_eq!(judge_replacement(&later.look(step.ordinal), step).1, None);
        let mut fresh = PodBuilder::new("zk", 2, "zk-r2").build();
        fresh.metadata.uid = Some("new".into());
        later.pods.push(fresh);
        assert_eq!(judge_replacement(&later.look(step.ordinal), step).1, Some(Ok(())));
        let mut broken = PodBuilder::new("zk", 2, "zk-r2").crash_looping(1).build();
        broken.metadata.uid = Some("new".into());
        later.pods[2] = broken;
        assert!(
            matches!(judge_replacement(&later.look(step.ordinal), step).1, Some(Err(ref e)) if e.contains("CrashLoopBackOff"))
        );
    }

    #[test]
    fn another_member_down_is_named() {
        let mut snap = zk(&["zk-r1"; 3]);
        assert_eq!(RollWait::of(&snap).other_down(&snap.set, &[2]), None);
        snap.pods[0] = PodBuilder::new("zk", 0, "zk-r1").terminating().build();
        let wait = RollWait::of(&snap);
        assert_eq!(wait.other_down(&snap.set, &[2]).unwrap().pod, "zk-0");
        assert_eq!(
            wait.other_down(&snap.set, &[0]),
            None,
            "the pod itself does not count"
        );
        snap.pods[1] = PodBuilder::new("zk", 1, "zk-r1").crash_looping(3).build();
        let mut wait = RollWait::of(&snap);
        assert_eq!(wait.other_stuck(&snap.set, &[2]).unwrap().pod, "zk-1");
        snap.pods[1] = PodBuilder::new("zk", 1, "zk-r1").build();
        wait.rejudge(&snap.look(1), 1);
        assert_eq!(
            wait.other_stuck(&snap.set, &[2]),
            None,
            "judged again, it is fine"
        );
    }
}
