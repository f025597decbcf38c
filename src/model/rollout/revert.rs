//! Planning a return to a stored revision: `abort` (back to the revision a staged rollout
//! started from, partition put back) and `undo` (back to any earlier revision). Pods on other
//! revisions that are not Ready are deleted, because the controller waits on them forever
//! otherwise (kubernetes/kubernetes#67250, "forced rollback").

use k8s_openapi::api::apps::v1::ControllerRevision;
use serde::Serialize;
use serde_json::Value;

use crate::model::refusal::Refusal;
use crate::model::rollout::staged::{ABANDONED_REVISIONS, PARTITION_BEFORE, REVISION_BEFORE, in_flight};
use crate::model::set::health::{pod_health, revision_of};
use crate::model::set::revision::{RevisionSummary, stored_template, summarize};
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};

/// Why a revert is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `abort`: back to where the staged rollout started; partition put back.
    Abort,
    /// `undo [--to-revision N]`: back to revision N (default: the one before the update revision).
    Undo(Option<i64>),
}

/// A pod this command deletes so that it comes back on the target revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodToDelete {
    pub pod: String,
    pub uid: String,
    pub revision: Option<String>,
    pub reason: String,
}

/// The revert plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevertPlan {
    pub namespace: String,
    pub name: String,
    pub strategy: Strategy,
    pub to_revision: RevisionSummary,
    /// The update revision being left.
    pub from_revision: Option<RevisionSummary>,
    /// The template of the target revision, as stored (written back as is).
    #[serde(skip)]
    pub template: Value,
    /// RollingUpdate: pods deleted once the template is restored (forced rollback).
    pub delete_pods: Vec<PodToDelete>,
    /// OnDelete: pods rolled back one at a time by this command.
    pub roll_pods: Vec<i32>,
    /// The partition put back once every pod is back (abort), if known.
    pub restore_partition: Option<i32>,
    /// Ordinals that must end up on the target revision and Ready, highest first.
    pub awaited: Vec<i32>,
    /// Whether the rollout records (partition and revision before it) are removed at the end:
    /// not while the set is left in a staged rollout of the restored template.
    pub ends_rollout: bool,
    /// The set's list of abandoned revisions once the revert is written, when it leaves one
    /// (the value of `ABANDONED_REVISIONS`).
    pub abandoned_after: Option<String>,
    pub notes: Vec<String>,
}

/// How many abandoned revisions the set remembers.
const ABANDONED_KEPT: usize = 10;

/// The revisions reverts left before they were fully rolled out, oldest first.
pub fn abandoned(snap: &SetSnapshot) -> Vec<&str> {
    annotation(snap, ABANDONED_REVISIONS)
        .map(|list| list.split(',').filter(|r| !r.is_empty()).collect())
        .unwrap_or_default()
}

/// The abandoned list after a revert to `target` from the update revision: an abort always
/// abandons what it leaves; an undo only a revision not fully rolled out (pods not all
/// updated and Ready). `None` when the list does not change.
fn abandoned_after(snap: &SetSnapshot, purpose: Purpose, target: &str) -> Option<String> {
    let from = set::update_revision(&snap.set).filter(|from| *from != target)?;
    let status = snap.set.status.as_ref();
    let desired = set::desired_replicas(&snap.set);
    let rolled_out = status.is_some_and(|s| {
        s.updated_replicas.unwrap_or(0) == desired
            && s.ready_replicas.unwrap_or(0) == desired
            && s.current_revision.as_deref() == Some(from)
    });
    if purpose != Purpose::Abort && rolled_out {
        return None;
    }
    let mut list: Vec<&str> = abandoned(snap)
        .into_iter()
        .filter(|r| *r != from && *r != target)
        .collect();
    list.push(from);
    let keep_from = list.len().saturating_sub(ABANDONED_KEPT);
    Some(list[keep_from..].join(","))
}

/// Plans the revert.
pub fn plan_revert(snap: &SetSnapshot, purpose: Purpose) -> Result<RevertPlan, Refusal> {
    let (purpose, mut notes) = match staged_rollout_in_flight(snap) {
        Some(update) if purpose == Purpose::Undo(None) => (
            Purpose::Abort,
            vec![format!(
                "a staged rollout of {update} is in flight: undo aborts it, as `{}` does",
                snap.sts(&format!("abort {}", snap.name()))
            )],
        ),
        _ => (purpose, Vec::new()),
    };
    let target = target_revision(snap, purpose)?;
    notes.extend(skipped_abandoned(snap, purpose, target));
    let template = stored_template(target).ok_or_else(|| {
        format!(
            "revision {} stores no pod template",
            target.metadata.name.as_deref().unwrap_or("?")
        )
    })?;
    let target_name = target.metadata.name.clone().unwrap_or_default();
    let strategy = set::strategy(&snap.set);
    let (delete_pods, roll_pods) = match strategy {
        Strategy::RollingUpdate => (forced_rollback(snap, &target_name), Vec::new()),
        Strategy::OnDelete => (Vec::new(), off_target(snap, &target_name)),
    };
    let (restore_partition, partition_notes) = restored_partition(snap, purpose);
    notes.extend(partition_notes);
    notes.extend(left_below_partition(snap, &target_name));
    if set::update_revision(&snap.set) == Some(target_name.as_str())
        && delete_pods.is_empty()
        && roll_pods.is_empty()
    {
        notes.push(format!("every pod already runs {target_name}"));
    }
    let awaited = match (purpose, strategy) {
        (Purpose::Undo(_), Strategy::RollingUpdate) => {
            crate::model::rollout::update::ordinals_to_update(snap)
        }
        _ => set::ordinals(&snap.set).rev().collect(),
    };
    Ok(RevertPlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        strategy,
        to_revision: summarize(&target_name, &snap.revisions),
        from_revision: set::update_revision(&snap.set).map(|r| summarize(r, &snap.revisions)),
        template,
        delete_pods,
        roll_pods,
        restore_partition,
        ends_rollout: ends_rollout(snap, purpose, &target_name),
        abandoned_after: abandoned_after(snap, purpose, &target_name),
        awaited,
        notes,
    })
}

/// The plan of a revert an earlier run recorded after restoring the template: back to
/// revision `to`, the pods left behind deleted, every pod awaited, then the partition
/// `restore_partition` (when given) and the rollout's records.
pub fn plan_revert_resumed(
    snap: &SetSnapshot,
    to: &str,
    restore_partition: Option<i32>,
    ends_rollout: bool,
) -> Result<RevertPlan, Refusal> {
    let target = snap
        .revisions
        .iter()
        .find(|r| r.metadata.name.as_deref() == Some(to))
        .ok_or_else(|| {
            format!(
                "revision {to} of statefulset {}/{} no longer exists",
                snap.namespace(),
                snap.name()
            )
        })?;
    let strategy = set::strategy(&snap.set);
    let (delete_pods, roll_pods) = match strategy {
        Strategy::RollingUpdate => (forced_rollback(snap, to), Vec::new()),
        Strategy::OnDelete => (Vec::new(), off_target(snap, to)),
    };
    Ok(RevertPlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        strategy,
        to_revision: summarize(to, &snap.revisions),
        from_revision: None,
        template: stored_template(target).unwrap_or_default(),
        delete_pods,
        roll_pods,
        restore_partition,
        awaited: set::ordinals(&snap.set).rev().collect(),
        ends_rollout,
        // Written with the template by the run that was interrupted.
        abandoned_after: None,
        notes: vec![format!("resuming: the template is back on {to} already")],
    })
}

/// The update revision of a rollout staged through the partition (RollingUpdate with a
/// partition above 0) or recorded by `rollout` (OnDelete), while pods still have to move.
fn staged_rollout_in_flight(snap: &SetSnapshot) -> Option<String> {
    let update = in_flight(snap)?;
    let staged = match set::strategy(&snap.set) {
        Strategy::RollingUpdate => set::partition(&snap.set).unwrap_or(0) > 0,
        Strategy::OnDelete => annotation(snap, REVISION_BEFORE).is_some(),
    };
    staged.then_some(update)
}

/// Whether the revert leaves no staged rollout behind: abort always; an undo unless it stages
/// a revision other than the current one behind a partition (then `promote` and `abort` still
/// need the records).
fn ends_rollout(snap: &SetSnapshot, purpose: Purpose, target: &str) -> bool {
    purpose == Purpose::Abort
        || set::strategy(&snap.set) == Strategy::OnDelete
        || set::partition(&snap.set).unwrap_or(0) == 0
        || set::current_revision(&snap.set) == Some(target)
}

/// Below the partition the controller re-creates pods on the current revision: when the
/// target is another one, those pods stay where they are until the partition is lowered.
fn left_below_partition(snap: &SetSnapshot, target: &str) -> Option<String> {
    let partition = set::partition(&snap.set).unwrap_or(0);
    if set::strategy(&snap.set) != Strategy::RollingUpdate
        || partition == 0
        || set::current_revision(&snap.set) == Some(target)
    {
        return None;
    }
    Some(format!(
        "pods below the partition ({partition}) stay on {} until it is lowered with `{}`",
        set::current_revision(&snap.set).unwrap_or("the current revision"),
        snap.sts(&format!("promote {}", snap.name()))
    ))
}

fn annotation<'a>(snap: &'a SetSnapshot, key: &str) -> Option<&'a String> {
    snap.set.metadata.annotations.as_ref()?.get(key)
}

/// The revisions older than the update revision, newest first.
fn earlier_revisions(snap: &SetSnapshot) -> Vec<&ControllerRevision> {
    let update = set::update_revision(&snap.set)
        .and_then(|name| {
            snap.revisions
                .iter()
                .find(|r| r.metadata.name.as_deref() == Some(name))
        })
        .map(|r| r.revision)
        .unwrap_or(i64::MAX);
    let mut earlier: Vec<&ControllerRevision> =
        snap.revisions.iter().filter(|r| r.revision < update).collect();
    earlier.sort_by_key(|r| std::cmp::Reverse(r.revision));
    earlier
}

/// For a plain `undo`: the abandoned revisions passed over to reach `target`, named.
fn skipped_abandoned(snap: &SetSnapshot, purpose: Purpose, target: &ControllerRevision) -> Vec<String> {
    if purpose != Purpose::Undo(None) {
        return Vec::new();
    }
    earlier_revisions(snap)
        .into_iter()
        .take_while(|r| r.revision > target.revision)
        .map(|r| {
            format!(
                "revision {} ({}) is passed over: a revert left it before it was fully rolled out (`--to-revision {}` goes back to it on purpose)",
                r.revision,
                r.metadata.name.as_deref().unwrap_or("?"),
                r.revision
            )
        })
        .collect()
}

fn target_revision(snap: &SetSnapshot, purpose: Purpose) -> Result<&ControllerRevision, Refusal> {
    let whole = format!("statefulset {}/{}", snap.namespace(), snap.name());
    let by_name = |name: &str| {
        snap.revisions
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some(name))
    };
    match purpose {
        Purpose::Abort => {
            in_flight(snap).ok_or_else(|| {
                Refusal::nothing_to_do(format!("no rollout in flight in {whole}: nothing to abort"))
            })?;
            let recorded = annotation(snap, REVISION_BEFORE).map(String::as_str);
            let name = recorded
                .or(set::current_revision(&snap.set))
                .ok_or_else(|| format!("{whole} has no current revision"))?;
            by_name(name)
                .ok_or_else(|| {
                    format!(
                        "revision {name} of {whole} no longer exists: use `{}`",
                        snap.sts(&format!("undo {} --to-revision N", snap.name()))
                    )
                })
                .map_err(Refusal::from)
        }
        Purpose::Undo(Some(number)) => {
            snap.revisions
                .iter()
                .find(|r| r.revision == number)
                .ok_or_else(|| {
                    let known: Vec<String> = snap.revisions.iter().map(|r| r.revision.to_string()).collect();
                    Refusal::usage(format!(
                        "{whole} has no revision {number} (revisions: {})",
                        known.join(", ")
                    ))
                })
        }
        Purpose::Undo(None) => {
            let earlier = earlier_revisions(snap);
            let abandoned = abandoned(snap);
            match earlier
                .iter()
                .find(|r| !abandoned.contains(&r.metadata.name.as_deref().unwrap_or_default()))
            {
                Some(target) => Ok(*target),
                None => Err(match earlier.first() {
                    None => Refusal::nothing_to_do(format!(
                        "{whole} has no revision before the current one: nothing to undo"
                    )),
                    Some(last) => Refusal::nothing_to_do(format!(
                        "nothing to undo in {whole}: the revision before the current one, {} ({}), was left by a revert before it was fully rolled out; `{}` goes back to it on purpose",
                        last.revision,
                        last.metadata.name.as_deref().unwrap_or("?"),
                        snap.sts(&format!("undo {} --to-revision {}", snap.name(), last.revision)),
                    )),
                }),
            }
        }
    }
}

/// RollingUpdate pods the controller will not bring back by itself: not Ready and on another
/// revision, or below the partition on another revision when the target is the current
/// revision (below the partition the controller re-creates a deleted pod on the current
/// revision, so deleting one there brings it to the target only then).
fn forced_rollback(snap: &SetSnapshot, target: &str) -> Vec<PodToDelete> {
    let start = set::ordinal_start(&snap.set);
    let partition = set::partition(&snap.set).unwrap_or(0);
    let target_is_current = set::current_revision(&snap.set) == Some(target);
    let min_ready = set::min_ready_seconds(&snap.set);
    set::ordinals(&snap.set)
        .rev()
        .filter_map(|ordinal| {
            let pod = snap.pod(ordinal)?;
            if revision_of(pod) == Some(target) || pod.metadata.deletion_timestamp.is_some() {
                return None;
            }
            let health = pod_health(pod, min_ready, snap.taken_at);
            let reason = if !health.ready {
                format!("not Ready ({}) on a revision being left: the controller would wait on it forever (kubernetes/kubernetes#67250)", health.problem.map_or_else(|| "NotReady".into(), |p| p.to_string()))
            } else if ordinal < start + partition && target_is_current {
                "below the partition on a revision being left: the controller would not replace it".to_string()
            } else {
                return None;
            };
            Some(PodToDelete {
                pod: set::pod_name(&snap.set, ordinal),
                uid: pod.metadata.uid.clone().unwrap_or_default(),
                revision: revision_of(pod).map(str::to_string),
                reason,
            })
        })
        .collect()
}

/// OnDelete ordinals whose pod is not on the target revision, highest first.
fn off_target(snap: &SetSnapshot, target: &str) -> Vec<i32> {
    set::ordinals(&snap.set)
        .rev()
        .filter(|o| snap.pod(*o).is_some_and(|p| revision_of(p) != Some(target)))
        .collect()
}

fn restored_partition(snap: &SetSnapshot, purpose: Purpose) -> (Option<i32>, Vec<String>) {
    if purpose != Purpose::Abort || set::strategy(&snap.set) == Strategy::OnDelete {
        return (None, Vec::new());
    }
    match annotation(snap, PARTITION_BEFORE).and_then(|v| v.parse().ok()) {
        Some(before) => (Some(before), Vec::new()),
        None => (
            None,
            vec![format!(
                "the partition before this rollout was not recorded (it was not staged by kubectl sts); it stays at {}",
                set::partition(&snap.set).unwrap_or(0)
            )],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, revision, snapshot};

    fn canary(broken: bool) -> SetSnapshot {
        let mut set = SetBuilder::new("web")
            .replicas(5)
            .partition(4)
            .revisions("web-r1", "web-r2")
            .build();
        set.metadata.annotations = Some([(PARTITION_BEFORE.to_string(), "1".to_string())].into());
        let mut pods: Vec<_> = (0..4)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        let canary = PodBuilder::new("web", 4, "web-r2").image("nginx:broken");
        pods.push(if broken {
            canary.crash_looping(3).build()
        } else {
            canary.build()
        });
        let revisions = vec![
            revision("web", "web-r1", 1, "nginx:1.25"),
            revision("web", "web-r2", 2, "nginx:broken"),
        ];
        snapshot(set, pods, vec![], revisions)
    }

    #[test]
    fn abort_restores_the_current_revision_deletes_the_broken_canary_and_puts_the_partition_back() {
        let plan = plan_revert(&canary(true), Purpose::Abort).unwrap();
        assert_eq!(plan.to_revision.name, "web-r1");
        assert_eq!(plan.template["spec"]["containers"][0]["image"], "nginx:1.25");
        assert!(plan.template.get("$patch").is_none());
        assert_eq!(plan.delete_pods.len(), 1);
        assert_eq!(plan.delete_pods[0].pod, "web-4");
        assert!(plan.delete_pods[0].reason.contains("#67250"));
        assert_eq!(plan.restore_partition, Some(1));
        assert_eq!(plan.awaited, [4, 3, 2, 1, 0]);
    }

    #[test]
    fn a_ready_canary_is_left_to_the_controller() {
        assert!(
            plan_revert(&canary(false), Purpose::Abort)
                .unwrap()
                .delete_pods
                .is_empty()
        );
    }

    #[test]
    fn undo_goes_to_the_previous_revision_or_the_one_named() {
        let snap = canary(false);
        assert_eq!(
            plan_revert(&snap, Purpose::Undo(None)).unwrap().to_revision.name,
            "web-r1"
        );
        assert_eq!(
            plan_revert(&snap, Purpose::Undo(Some(2)))
                .unwrap()
                .to_revision
                .name,
            "web-r2"
        );
        assert_eq!(
            plan_revert(&snap, Purpose::Undo(Some(7))).unwrap_err().reason,
            "statefulset default/web has no revision 7 (revisions: 1, 2)"
        );
    }

    /// Two staged rollouts in a row: web-0 on r1 below partition 1, web-1 and web-2 on r3.
    fn restaged() -> SetSnapshot {
        let mut set = SetBuilder::new("web")
            .replicas(3)
            .partition(1)
            .revisions("web-r1", "web-r3")
            .build();
        set.metadata.annotations = Some(
            [
                (PARTITION_BEFORE.to_string(), "0".to_string()),
                (REVISION_BEFORE.to_string(), "web-r1".to_string()),
            ]
            .into(),
        );
        let pods = vec![
            PodBuilder::new("web", 0, "web-r1").build(),
            PodBuilder::new("web", 1, "web-r3").image("nginx:1.27").build(),
            PodBuilder::new("web", 2, "web-r3").image("nginx:1.27").build(),
        ];
        let revisions = vec![
            revision("web", "web-r1", 1, "nginx:1.25"),
            revision("web", "web-r2", 2, "nginx:1.26"),
            revision("web", "web-r3", 3, "nginx:1.27"),
        ];
        snapshot(set, pods, vec![], revisions)
    }

    #[test]
    fn undo_in_a_staged_rollout_aborts_it_and_says_so() {
        let plan = plan_revert(&restaged(), Purpose::Undo(None)).unwrap();
        assert_eq!(plan.to_revision.name, "web-r1");
        assert!(plan.delete_pods.is_empty(), "{:?}", plan.delete_pods);
        assert_eq!(plan.restore_partition, Some(0));
        assert!(plan.ends_rollout);
        assert!(plan.notes[0].contains("undo aborts it"), "{:?}", plan.notes);
    }

    #[test]
    fn undo_to_another_revision_never_deletes_a_ready_pod_below_the_partition() {
        let plan = plan_revert(&restaged(), Purpose::Undo(Some(2))).unwrap();
        assert_eq!(plan.to_revision.name, "web-r2");
        assert!(plan.delete_pods.is_empty(), "{:?}", plan.delete_pods);
        assert!(
            !plan.ends_rollout,
            "the staged rollout of web-r2 keeps its records"
        );
        assert!(
            plan.notes.iter().any(|n| n.contains("stay on web-r1")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn nothing_to_abort_without_a_rollout_in_flight() {
        let snap = snapshot(SetBuilder::new("web").build(), vec![], vec![], vec![]);
        assert!(
            plan_revert(&snap, Purpose::Abort)
                .unwrap_err()
                .reason
                .contains("no rollout in flight")
        );
    }

    /// After an abort of a broken rollout: the template back on 1.25, renumbered 3; revision
    /// 2 (broken) abandoned. `earlier` adds a fully rolled-out revision 1 (nginx:1.24) first.
    fn after_abort(earlier: bool) -> SetSnapshot {
        let mut set = SetBuilder::new("web").revisions("web-r1", "web-r1").build();
        set.metadata.annotations = Some([(ABANDONED_REVISIONS.to_string(), "web-r2".to_string())].into());
        let mut revisions = vec![
            revision("web", "web-r2", 2, "nginx:broken"),
            revision("web", "web-r1", 3, "nginx:1.25"),
        ];
        if earlier {
            revisions.push(revision("web", "web-r0", 1, "nginx:1.24"));
        }
        let pods = (0..3)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        snapshot(set, pods, vec![], revisions)
    }

    #[test]
    fn undo_after_an_abort_never_goes_back_to_the_aborted_revision() {
        let refused = plan_revert(&after_abort(false), Purpose::Undo(None))
            .unwrap_err()
            .reason;
        assert!(
            refused.starts_with("nothing to undo in statefulset default/web: the revision before the current one, 2 (web-r2), was left by a revert"),
            "{refused}"
        );
        assert!(
            refused.contains("`kubectl sts undo web --to-revision 2 -n default`"),
            "{refused}"
        );
        let plan = plan_revert(&after_abort(true), Purpose::Undo(None)).unwrap();
        assert_eq!(plan.to_revision.name, "web-r0");
        assert!(
            plan.notes
                .iter()
                .any(|n| n.starts_with("revision 2 (web-r2) is passed over")),
            "{:?}",
            plan.notes
        );
        let on_purpose = plan_revert(&after_abort(false), Purpose::Undo(Some(2))).unwrap();
        assert_eq!(on_purpose.to_revision.name, "web-r2");
    }

    #[test]
    fn an_abort_records_what_it_abandons_and_an_undo_from_a_rolled_out_revision_does_not() {
        let abort = plan_revert(&canary(true), Purpose::Abort).unwrap();
        assert_eq!(abort.abandoned_after.as_deref(), Some("web-r2"));
        let steady = SetBuilder::new("web").revisions("web-r2", "web-r2").build();
        let pods = (0..3)
            .map(|o| PodBuilder::new("web", o, "web-r2").build())
            .collect();
        let revisions = vec![
            revision("web", "web-r1", 1, "nginx:1.25"),
            revision("web", "web-r2", 2, "nginx:1.26"),
        ];
        let undo = plan_revert(&snapshot(steady, pods, vec![], revisions), Purpose::Undo(None)).unwrap();
        assert_eq!(undo.to_revision.name, "web-r1");
        assert_eq!(undo.abandoned_after, None, "1.26 was fully rolled out");
    }
}
