//! Planning and judging an ordered scale: which pods are created (ascending) or removed
//! (descending), what happens to each of their claims (new, re-attached with old data,
//! retained, deleted by the retention policy), what disruption budgets will allow, and, while
//! waiting, where each pod stands.

use std::collections::HashMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;

use crate::model::flow::step::StepState;
use crate::model::flow::tracked::{Keeper, Tracked, member_facts};
use crate::model::refusal::Refusal;
use crate::model::set::budget::{BudgetEffect, budgets_of, effect_at};
use crate::model::set::health::pod_health;
use crate::model::set::snapshot::{Look, SetSnapshot};
use crate::model::set::{self, PodManagement};

/// Creating or removing a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PodAction {
    Create,
    /// The pod exists in the target range but is not Ready yet: the scale waits for it (an
    /// earlier, interrupted run; or a pod that holds OrderedReady back).
    Await,
    Remove,
}

impl PodAction {
    /// The pod must end up Ready (rather than gone).
    pub fn brings_up(self) -> bool {
        self != PodAction::Remove
    }
}

/// What becomes of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimFate {
    /// Created empty for the new pod.
    New,
    /// Left over from an earlier scale-down: the new pod gets its old data.
    Reattach,
    /// Kept after the pod goes (`whenScaled: Retain`).
    Retain,
    /// Deleted after the pod goes (`whenScaled: Delete`): its data is gone.
    Delete,
}

/// One claim of a pod in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimStep {
    pub claim: String,
    pub template: String,
    pub fate: ClaimFate,
    /// Phase and capacity of the existing claim, if it exists.
    pub phase: Option<String>,
    pub capacity: Option<String>,
    pub created: Option<String>,
    pub age_seconds: Option<i64>,
}

/// One pod in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodStep {
    pub ordinal: i32,
    pub pod: String,
    pub action: PodAction,
    pub claims: Vec<ClaimStep>,
}

/// The scale plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScalePlan {
    pub namespace: String,
    pub name: String,
    /// `spec.replicas` now.
    pub from: i32,
    pub to: i32,
    /// The set's first ordinal (`spec.ordinals.start`).
    #[serde(skip)]
    pub start: i32,
    pub pod_management: PodManagement,
    /// How the controller orders the work, in words.
    pub ordering: String,
    /// Pods to create (ascending) or remove (descending), in the controller's order.
    pub pods: Vec<PodStep>,
    pub budgets: Vec<BudgetEffect>,
    /// Things that will get in the way (e.g. an unhealthy pod stopping OrderedReady).
    pub warnings: Vec<String>,
}

impl ScalePlan {
    /// True when `spec.replicas` must be written (else the plan only waits).
    pub fn changes_spec(&self) -> bool {
        self.from != self.to
    }

    /// The same changes as `other` (ages and budget wording aside): a conflict re-plan that
    /// gives the same plan can go on without asking again.
    pub fn same_changes(&self, other: &ScalePlan) -> bool {
        let key = |p: &ScalePlan| {
            let pods: Vec<_> = p
                .pods
                .iter()
                .map(|s| {
                    (
                        s.pod.clone(),
                        s.action,
                        s.claims
                            .iter()
                            .map(|c| (c.claim.clone(), c.fate))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            (p.from, p.to, pods)
        };
        key(self) == key(other)
    }
}

/// Plans scaling the snapshot's set to `to` replicas.
pub fn plan_scale(snap: &SetSnapshot, to: i32, budgets: &[PodDisruptionBudget]) -> ScalePlan {
    let set = &snap.set;
    let start = set::ordinal_start(set);
    let target = start..start + to;
    let min_ready = set::min_ready_seconds(set);
    let mut pods: Vec<PodStep> = target
        .clone()
        .filter_map(|o| match snap.pod(o) {
            None => Some(pod_step(snap, o, PodAction::Create)),
            Some(pod) => {
                let health = pod_health(pod, min_ready, snap.taken_at);
                (!health.available || health.terminating).then(|| pod_step(snap, o, PodAction::Await))
            }
        })
        .collect();
    let mut removed: Vec<i32> = snap
        .pods
        .iter()
        .filter_map(|p| set::ordinal_of_pod(set, p.metadata.name.as_deref()?))
        .filter(|o| !target.contains(o))
        .collect();
    removed.sort_unstable_by(|a, b| b.cmp(a));
    pods.extend(removed.into_iter().map(|o| pod_step(snap, o, PodAction::Remove)));
    let policy = set::pod_management(set);
    ScalePlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        from: set::desired_replicas(set),
        to,
        start,
        pod_management: policy,
        ordering: ordering(policy, &pods),
        budgets: budgets_of(set, budgets)
            .into_iter()
            .map(|b| effect_at(b, to))
            .collect(),
        warnings: warnings(snap, to),
        pods,
    }
}

fn ordering(policy: PodManagement, pods: &[PodStep]) -> String {
    let up = pods.iter().any(|p| p.action.brings_up());
    match (policy, up) {
        (PodManagement::OrderedReady, true) => {
            "OrderedReady: one pod at a time, lowest ordinal first, each after the previous is Running and Ready".into()
        }
        (PodManagement::OrderedReady, false) => {
            "OrderedReady: one pod at a time, highest ordinal first, each after the previous is gone".into()
        }
        (PodManagement::Parallel, _) => "Parallel: all pods at once, without waiting for each other".into(),
    }
}

fn pod_step(snap: &SetSnapshot, ordinal: i32, action: PodAction) -> PodStep {
    let when_scaled = set::retention(&snap.set).when_scaled;
    let templates = if action == PodAction::Await {
        Vec::new()
    } else {
        set::claim_templates(&snap.set)
    };
    let claims = templates
        .into_iter()
        .map(|template| {
            let name = set::claim_name(&snap.set, &template, ordinal);
            let existing = snap.claim(&name);
            let fate = match (action, existing.is_some()) {
                (PodAction::Create | PodAction::Await, true) => ClaimFate::Reattach,
                (PodAction::Create | PodAction::Await, false) => ClaimFate::New,
                (PodAction::Remove, _) if when_scaled == "Delete" => ClaimFate::Delete,
                (PodAction::Remove, _) => ClaimFate::Retain,
            };
            let created = existing
                .and_then(|c| c.metadata.creation_timestamp.as_ref())
                .map(|t| t.0);
            ClaimStep {
                claim: name,
                template,
                fate,
                phase: existing.and_then(|c| c.status.as_ref()?.phase.clone()),
                capacity: existing
                    .and_then(|c| Some(c.status.as_ref()?.capacity.as_ref()?.get("storage")?.0.clone())),
                created: created.map(|t| t.to_string()),
                age_seconds: created.map(|t| (snap.taken_at - t).get_seconds().max(0)),
            }
        })
        .collect();
    PodStep {
        ordinal,
        pod: set::pod_name(&snap.set, ordinal),
        action,
        claims,
    }
}

/// Scaling to zero stops the service.
fn warnings(snap: &SetSnapshot, to: i32) -> Vec<String> {
    match to == 0 && set::desired_replicas(&snap.set) > 0 {
        true => vec!["scaling to 0 stops every member: the service is down until scaled up again".into()],
        false => Vec::new(),
    }
}

/// Why the controller would not carry out scaling `snap`'s set to `to`: with OrderedReady it
/// takes no step while a member that stays is stuck (crash-looping, an image it cannot pull),
/// so the scale is refused before anything is written, as `promote` refuses in that case.
pub fn blocked_scale(snap: &SetSnapshot, plan: &ScalePlan) -> Option<Refusal> {
    if set::pod_management(&snap.set) != PodManagement::OrderedReady || plan.pods.is_empty() {
        return None;
    }
    let min_ready = set::min_ready_seconds(&snap.set);
    let start = set::ordinal_start(&snap.set);
    let staying = start..start + plan.to.min(set::desired_replicas(&snap.set));
    staying.into_iter().find_map(|ordinal| {
        let problem = pod_health(snap.pod(ordinal)?, min_ready, snap.taken_at)
            .problem
            .filter(|p| p.stuck)?;
        Some(Refusal::from(format!(
            "{} is not Ready ({problem}): with OrderedReady the controller takes no scaling step until it is, so scaling {}/{} to {} would only wait; fix it first (`{}` says why), or roll back with `{}` if a rollout broke it; nothing was changed",
            set::pod_name(&snap.set, ordinal),
            snap.namespace(),
            snap.name(),
            plan.to,
            snap.sts(&format!("why {}", snap.name())),
            snap.sts(&format!("abort {}", snap.name()))
        )))
    })
}

/// The verdict of one look at the cluster while scaling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScaleVerdict {
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
    /// Someone else changed `spec.replicas` while we waited.
    Superseded {
        replicas: i32,
    },
}

/// Judges the snapshot against the plan.
#[cfg(test)]
pub fn judge_scale(plan: &ScalePlan, snap: &SetSnapshot) -> (Vec<StepState>, ScaleVerdict) {
    let mut wait = ScaleWait::new(plan);
    for ordinal in wait.ordinals() {
        wait.rejudge(&snap.look(ordinal), ordinal);
    }
    let states = wait.tracked.states().cloned().collect();
    (states, wait.verdict(&snap.set))
}

/// What a wait on a scale keeps between two looks at the cluster.
pub struct ScaleWait<'a> {
    plan: &'a ScalePlan,
    steps: HashMap<i32, &'a PodStep>,
    pub tracked: Tracked,
}

impl<'a> ScaleWait<'a> {
    /// Nothing judged yet.
    pub fn new(plan: &'a ScalePlan) -> ScaleWait<'a> {
        ScaleWait {
            plan,
            steps: plan.pods.iter().map(|s| (s.ordinal, s)).collect(),
            tracked: Tracked::new(plan.pods.iter().map(|s| (s.ordinal, s.pod.clone()))),
        }
    }

    /// The members whose health counts: a new pod, or (OrderedReady) an existing lower pod
    /// that holds creation back, can be stuck. None when the scale only removes pods.
    fn members(&self) -> std::ops::Range<i32> {
        let start = self.plan.start;
        match self.plan.pods.iter().any(|s| s.action.brings_up()) {
            true => start..start + self.plan.to,
            false => start..start,
        }
    }

    /// Every ordinal the wait judges: the awaited pods and the members.
    pub fn ordinals(&self) -> Vec<i32> {
        let mut ordinals: Vec<i32> = self.plan.pods.iter().map(|s| s.ordinal).collect();
        ordinals.extend(self.members().filter(|o| !self.steps.contains_key(o)));
        ordinals
    }

    /// Judges `ordinal` again (its pod, its claims or the clock changed).
    pub fn rejudge(&mut self, look: &Look<'_>, ordinal: i32) {
        if self.members().contains(&ordinal) {
            let facts = member_facts(look.pod, set::min_ready_seconds(look.set), look.now);
            self.tracked.set_member(ordinal, Some(facts));
        }
        if let Some(step) = self.steps.get(&ordinal) {
            self.tracked.set_step(ordinal, step_state(look, step));
        }
    }

    /// The verdict from the set as it is now and what the wait keeps.
    pub fn verdict(&self, sts: &StatefulSet) -> ScaleVerdict {
        let plan = self.plan;
        let replicas = set::desired_replicas(sts);
        if replicas != plan.to {
            return ScaleVerdict::Superseded { replicas };
        }
        if let Some((ordinal, reason)) = self.tracked.first_stuck(&[]) {
            return ScaleVerdict::Stuck {
                pod: set::pod_name(sts, ordinal),
                reason: reason.to_string(),
            };
        }
        let caught_up = !set::status_is_stale(sts) && controller_counts_are(sts, plan.to);
        match caught_up && self.tracked.all_done() {
            true => ScaleVerdict::Done,
            false => ScaleVerdict::Waiting {
                recheck_at: self.tracked.next_revisit(),
            },
        }
    }
}

impl Keeper for ScaleWait<'_> {
    fn ordinals(&self, _sts: &StatefulSet) -> Vec<i32> {
        ScaleWait::ordinals(self)
    }

    fn rejudge(&mut self, look: &Look<'_>, ordinal: i32) {
        ScaleWait::rejudge(self, look, ordinal);
    }

    fn tracked(&mut self) -> &mut Tracked {
        &mut self.tracked
    }
}

/// Whether the controller's own count of existing, ready and available pods is `replicas`:
/// done only once it agrees with the pods, so that `kubectl get sts` right after shows the
/// new size.
fn controller_counts_are(sts: &StatefulSet, replicas: i32) -> bool {
    sts.status.as_ref().is_some_and(|s| {
        s.replicas == replicas
            && s.ready_replicas.unwrap_or(0) == replicas
            && s.available_replicas.unwrap_or(0) == replicas
    })
}

/// Where one pod of the plan stands.
pub fn step_state(look: &Look<'_>, step: &PodStep) -> StepState {
    let (done, state) = match (step.action, look.pod) {
        (PodAction::Create | PodAction::Await, None) => (false, "not created yet".to_string()),
        (PodAction::Create | PodAction::Await, Some(pod)) if pod.metadata.deletion_timestamp.is_some() => {
            (false, "Terminating, to be recreated".to_string())
        }
        (PodAction::Create | PodAction::Await, Some(pod)) => {
            let health = pod_health(pod, set::min_ready_seconds(look.set), look.now);
            match &health.problem {
                None if health.available => (true, "Ready".to_string()),
                None => (false, "Ready, not yet available (minReadySeconds)".to_string()),
                Some(problem) => (false, problem.to_string()),
            }
        }
        (PodAction::Remove, Some(pod)) if pod.metadata.deletion_timestamp.is_some() => {
            (false, "Terminating".to_string())
        }
        (PodAction::Remove, Some(_)) => (false, "running, waiting for its turn".to_string()),
        (PodAction::Remove, None) => {
            let claims_left: Vec<&str> = step
                .claims
                .iter()
                .filter(|c| c.fate == ClaimFate::Delete && look.has_claim(&c.claim))
                .map(|c| c.claim.as_str())
                .collect();
            match claims_left.is_empty() {
                true => (true, "gone".to_string()),
                false => (
                    false,
                    format!("gone; waiting for {} to be deleted", claims_left.join(", ")),
                ),
            }
        }
    };
    StepState {
        pod: step.pod.clone(),
        done,
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, snapshot};

    fn web(replicas: i32, count: i32) -> SetSnapshot {
        let set = SetBuilder::new("web")
            .replicas(replicas)
            .claim_template("www")
            .build();
        let pods = (0..count)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        let claims = (0..count)
            .map(|o| claim(&format!("www-web-{o}"), "Bound"))
            .collect();
        snapshot(set, pods, claims, vec![])
    }

    #[test]
    fn scale_up_creates_ascending_with_new_and_reattached_claims() {
        let mut snap = web(3, 3);
        snap.claims.push(claim("www-web-4", "Bound"));
        let plan = plan_scale(&snap, 5, &[]);
        let steps: Vec<_> = plan
            .pods
            .iter()
            .map(|p| (p.pod.as_str(), p.action, p.claims[0].fate))
            .collect();
        assert_eq!(
            steps,
            [
                ("web-3", PodAction::Create, ClaimFate::New),
                ("web-4", PodAction::Create, ClaimFate::Reattach)
            ]
        );
        assert_eq!(plan.pods[1].claims[0].age_seconds, Some(3600));
        assert!(
            plan.ordering
                .starts_with("OrderedReady: one pod at a time, lowest ordinal first")
        );
    }

    #[test]
    fn scale_down_removes_descending_and_keeps_or_deletes_claims() {
        let snap = web(5, 5);
        let plan = plan_scale(&snap, 2, &[]);
        let order: Vec<_> = plan.pods.iter().map(|p| p.pod.as_str()).collect();
        assert_eq!(order, ["web-4", "web-3", "web-2"]);
        assert!(plan.pods.iter().all(|p| p.claims[0].fate == ClaimFate::Retain));
        let mut snap = web(5, 5);
        snap.set
            .spec
            .as_mut()
            .unwrap()
            .persistent_volume_claim_retention_policy =
            serde_json::from_value(serde_json::json!({"whenScaled": "Delete"})).unwrap();
        assert!(
            plan_scale(&snap, 2, &[])
                .pods
                .iter()
                .all(|p| p.claims[0].fate == ClaimFate::Delete)
        );
    }

    #[test]
    fn start_ordinal_is_honoured() {
        let set = SetBuilder::new("web").replicas(3).start(5).build();
        let pods = (5..8)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        let plan = plan_scale(&snapshot(set, pods, vec![], vec![]), 4, &[]);
        assert_eq!(plan.pods[0].pod, "web-8");
    }

    #[test]
    fn a_re_plan_after_a_conflict_goes_on_only_if_the_changes_are_the_same() {
        let plan = plan_scale(&web(3, 3), 5, &[]);
        let mut later = web(3, 3);
        later.taken_at += k8s_openapi::jiff::SignedDuration::from_secs(30);
        assert!(
            plan.same_changes(&plan_scale(&later, 5, &[])),
            "ages differ, changes do not"
        );
        let someone_scaled = web(4, 4);
        assert!(!plan.same_changes(&plan_scale(&someone_scaled, 5, &[])));
    }

    #[test]
    fn a_pod_in_range_that_is_not_ready_yet_is_awaited() {
        let mut snap = web(4, 4);
        snap.pods[3] = PodBuilder::new("web", 3, "web-r1").crash_looping(0).build();
        let plan = plan_scale(&snap, 4, &[]);
        assert!(!plan.changes_spec());
        assert_eq!(plan.pods.len(), 1);
        assert_eq!(
            (plan.pods[0].pod.as_str(), plan.pods[0].action),
            ("web-3", PodAction::Await)
        );
    }

    #[test]
    fn equal_target_with_every_pod_present_changes_nothing() {
        let plan = plan_scale(&web(3, 3), 3, &[]);
        assert!(!plan.changes_spec());
        assert!(plan.pods.is_empty());
    }

    #[test]
    fn judging_follows_each_pod_and_spots_a_stuck_one() {
        let snap = web(3, 3);
        let plan = plan_scale(&snap, 5, &[]);
        let mut later = snap.clone();
        later.set.spec.as_mut().unwrap().replicas = Some(5);
        later.pods.push(PodBuilder::new("web", 3, "web-r1").build());
        let (states, verdict) = judge_scale(&plan, &later);
        assert_eq!(verdict, ScaleVerdict::Waiting { recheck_at: None });
        assert_eq!(
            (states[0].done, states[1].state.as_str()),
            (true, "not created yet")
        );
        later
            .pods
            .push(PodBuilder::new("web", 4, "web-r1").crash_looping(2).build());
        let (_, verdict) = judge_scale(&plan, &later);
        assert!(
            matches!(verdict, ScaleVerdict::Stuck { ref pod, ref reason } if pod == "web-4" && reason.starts_with("CrashLoopBackOff"))
        );
        later.pods[4] = PodBuilder::new("web", 4, "web-r1").build();
        assert_eq!(
            judge_scale(&plan, &later).1,
            ScaleVerdict::Waiting { recheck_at: None },
            "pods ready, the controller's counts not yet"
        );
        let status = later.set.status.as_mut().unwrap();
        (status.replicas, status.ready_replicas, status.available_replicas) = (5, Some(5), Some(5));
        assert_eq!(judge_scale(&plan, &later).1, ScaleVerdict::Done);
        later.set.spec.as_mut().unwrap().replicas = Some(6);
        assert_eq!(
            judge_scale(&plan, &later).1,
            ScaleVerdict::Superseded { replicas: 6 }
        );
    }

    #[test]
    fn a_stuck_member_that_stays_refuses_an_ordered_scale() {
        let mut snap = web(3, 3);
        snap.pods[1] = PodBuilder::new("web", 1, "web-r1").crash_looping(1).build();
        let up = plan_scale(&snap, 4, &[]);
        let refusal = blocked_scale(&snap, &up).expect("refused");
        assert!(
            refusal
                .to_string()
                .starts_with("web-1 is not Ready (CrashLoopBackOff"),
            "{refusal}"
        );
        assert!(up.warnings.is_empty());
        let removing_it = plan_scale(&snap, 1, &[]);
        assert!(
            blocked_scale(&snap, &removing_it).is_none(),
            "web-1 goes: nothing waits on it"
        );
    }
}
