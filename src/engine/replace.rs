//! Replacing pods one at a time, highest ordinal first (OnDelete rolls, and the OnDelete paths
//! of rollout, promote, abort, undo and restart): wait until every other member is Ready (never
//! two members down), delete (uid precondition) or evict (PodDisruptionBudgets honoured) the
//! pod, wait for its replacement on the update revision to be Ready. The plan is derived from
//! the cluster, so a re-run resumes where an interrupted one stopped.

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use tokio::time::Instant;

use super::gates::{GateRunner, Gated};
use super::write::{self, PodRemoval, Write};
use super::{Ending, MAX_REPLANS};
use crate::context::Context;
use crate::error::StsError;
use crate::model::flow::step::{PodOutcome, StepState};
use crate::model::rollout::gates::{GateScope, Gates, next_batch};
use crate::model::rollout::roll::{Method, OtherMember, RollPlan, RollStep, RollWait, judge_replacement};
use crate::model::set;
use crate::output::progress::PodProgress;
use crate::wait::{Check, SetWatch, View, WaitEnd, deadline_after};

/// How long to wait before asking again after a PodDisruptionBudget refused an eviction and
/// nothing changed in the set (the disruption controller may lag behind the pods).
const EVICTION_RETRY_SECONDS: i64 = 2;

/// One replaced pod.
#[derive(Debug, Clone)]
pub struct Replaced {
    pub pod: String,
    pub old_uid: Option<String>,
    pub new_uid: Option<String>,
    pub seconds: Option<f64>,
}

/// What `execute` did and how it ended.
pub struct RollRun {
    pub replaced: Vec<Replaced>,
    /// `None` when every planned pod was replaced (or, with `single_step`, taken down).
    pub end: Option<anyhow::Error>,
}

impl RollRun {
    /// The ending, with `done` as the message when every planned pod was replaced.
    pub fn ending(self, done: String) -> Ending {
        let pods = self.outcome_pods();
        match self.end {
            None => Ending::done(done, pods),
            Some(error) => Ending::failed(error, pods),
        }
    }

    /// The replaced pods, as outcome entries.
    pub fn outcome_pods(&self) -> Vec<PodOutcome> {
        self.replaced
            .iter()
            .map(|r| PodOutcome {
                pod: r.pod.clone(),
                state: if r.new_uid.is_some() {
                    "replaced".into()
                } else {
                    "taken down".into()
                },
                done: true,
                seconds: r.seconds,
                old_uid: r.old_uid.clone(),
                new_uid: r.new_uid.clone(),
            })
            .collect()
    }
}

/// Replaces the plan's pods one at a time. `single_step` takes down only the next pod and
/// returns without waiting. `resume` is the command that picks up after an interruption.
pub async fn execute(
    ctx: &Context,
    sts: &StatefulSet,
    plan: &RollPlan,
    single_step: bool,
    resume: &str,
) -> RollRun {
    let gated = Gated {
        gates: &Gates::default(),
        resume,
        command: resume,
        when_stuck: None,
    };
    execute_gated(ctx, sts, plan, single_step, gated).await
}

/// `execute` with gates around each pod: the leader asked before each (it goes last), the
/// hooks, and the pod check after each pod is back (also for pods an earlier run replaced:
/// no pod is taken down before the last one's check passes).
pub async fn execute_gated(
    ctx: &Context,
    sts: &StatefulSet,
    plan: &RollPlan,
    single_step: bool,
    gated: Gated<'_>,
) -> RollRun {
    let mut watch = Watch {
        watch: SetWatch::start(ctx, sts),
        members: RollWait::default(),
    };
    let mut progress = PodProgress::new(
        plan.replacements().map(|s| s.pod.clone()).collect(),
        ctx.interactive,
        ctx.wide,
    );
    let mut roll = Rolling {
        ctx,
        plan,
        runner: gated.runner(ctx, &plan.name),
        service: set::service_name(sts).to_string(),
        ordinals: set::ordinals(sts),
        deadline: deadline_after(ctx.timeout),
        started: Instant::now(),
        remaining: plan.replacements().collect(),
        replaced: Vec::new(),
    };
    let mut end = None;
    while !roll.remaining.is_empty() {
        if let Err(err) = roll.next(&mut watch, &mut progress, single_step).await {
            end = Some(err);
            break;
        }
        if single_step {
            break;
        }
    }
    progress.finish();
    RollRun {
        replaced: roll.replaced,
        end,
    }
}

/// A roll under way: what is left, what was done.
struct Rolling<'a> {
    ctx: &'a Context,
    plan: &'a RollPlan,
    runner: GateRunner<'a>,
    service: String,
    ordinals: std::ops::Range<i32>,
    deadline: Instant,
    started: Instant,
    remaining: Vec<&'a RollStep>,
    replaced: Vec<Replaced>,
}

impl Rolling<'_> {
    /// Picks the next pods (up to `--max-unavailable`, the leader last and alone), takes them
    /// down after their `--before-each`, waits for their replacements, and runs the gates
    /// after each.
    async fn next(&mut self, watch: &mut Watch, progress: &mut PodProgress, single_step: bool) -> Result<()> {
        let updated: Vec<String> = self.replaced.iter().map(|r| r.pod.clone()).collect();
        let names = |steps: &[&RollStep]| steps.iter().map(|s| s.pod.clone()).collect::<Vec<_>>();
        let everyone = names(&self.remaining);
        let leader = self
            .runner
            .leader(&self.scope("", -1, &updated, &everyone), &self.ordinals)
            .await?;
        let order: Vec<i32> = self.remaining.iter().map(|s| s.ordinal).collect();
        let picked = next_batch(&order, leader, self.runner.gates.max_unavailable as usize);
        let steps: Vec<&RollStep> = picked.iter().map(|&i| self.remaining[i]).collect();
        self.remaining
            .retain(|s| !steps.iter().any(|p| p.ordinal == s.ordinal));
        let batch: Vec<i32> = steps.iter().map(|s| s.ordinal).collect();
        let others = names(&self.remaining);
        let mut taken = Vec::new();
        for step in &steps {
            let scope = self.scope(&step.pod, step.ordinal, &updated, &others);
            let flight = self.flight(step, &batch);
            taken.push(
                flight
                    .take_down_gated(watch, progress, &self.runner, &scope)
                    .await?,
            );
        }
        let mut done = Vec::new();
        for (step, already) in steps.iter().zip(taken) {
            let newly = already.is_none();
            let new_uid = match (already, single_step) {
                (Some(uid), _) => Some(uid),
                (None, true) => {
                    progress.update(&[self.flight(step, &batch).state(true, "taken down; not waiting")]);
                    None
                }
                (None, false) => {
                    self.flight(step, &batch)
                        .wait_replacement(watch, progress)
                        .await?
                }
            };
            if !single_step {
                let scope = self.scope(&step.pod, step.ordinal, &updated, &others);
                self.runner.after(&scope, newly).await?;
                self.runner.pod_check(&scope).await?;
            }
            done.push(Replaced {
                pod: step.pod.clone(),
                old_uid: step.uid.clone(),
                new_uid,
                seconds: progress
                    .seconds_to_done(&step.pod)
                    .or(Some(self.started.elapsed().as_secs_f64())),
            });
        }
        self.replaced.extend(done);
        Ok(())
    }

    fn flight<'f>(&'f self, step: &'f RollStep, batch: &'f [i32]) -> Flight<'f> {
        Flight {
            ctx: self.ctx,
            plan: self.plan,
            step,
            batch,
            deadline: self.deadline,
            resume: self.runner.resume,
            when_stuck: self.runner.when_stuck,
        }
    }

    fn scope<'s>(
        &'s self,
        pod: &'s str,
        ordinal: i32,
        updated: &'s [String],
        remaining: &'s [String],
    ) -> GateScope<'s> {
        GateScope {
            namespace: &self.plan.namespace,
            set: &self.plan.name,
            service: &self.service,
            pod,
            ordinal,
            updated,
            remaining,
        }
    }
}

/// The watch of a roll and the members' health it keeps (every wait of the roll goes through
/// both, so that each change is taken in once).
struct Watch {
    watch: SetWatch,
    members: RollWait,
}

impl Watch {
    async fn until<T>(
        &mut self,
        deadline: Instant,
        check: impl FnMut(&mut RollWait, &View<'_>) -> Check<T>,
    ) -> Result<T, WaitEnd> {
        self.watch.follow(deadline, &mut self.members, check).await
    }
}

/// The replacement of one pod.
struct Flight<'a> {
    ctx: &'a Context,
    plan: &'a RollPlan,
    step: &'a RollStep,
    /// The ordinals taken down together with this one (`--max-unavailable`).
    batch: &'a [i32],
    deadline: Instant,
    resume: &'a str,
    when_stuck: Option<&'a str>,
}

impl Flight<'_> {
    /// Takes the pod down after every member outside the batch is Ready and `--before-each`
    /// passed; `Some` with its uid when an earlier run replaced it already.
    async fn take_down_gated(
        &self,
        watch: &mut Watch,
        progress: &mut PodProgress,
        runner: &GateRunner<'_>,
        scope: &GateScope<'_>,
    ) -> Result<Option<String>> {
        if let Some(uid) = self.already_replaced(watch).await? {
            progress.update(&[self.state(true, "already replaced")]);
            return Ok(Some(uid));
        }
        self.wait_others_ready(watch, progress).await?;
        runner.before(scope).await?;
        self.take_down(watch, progress).await?;
        Ok(None)
    }

    fn state(&self, done: bool, text: &str) -> StepState {
        StepState {
            pod: self.step.pod.clone(),
            done,
            state: text.to_string(),
        }
    }

    /// A pod of that name with another uid, Ready on the expected revision: done earlier.
    async fn already_replaced(&self, watch: &mut Watch) -> Result<Option<String>> {
        let result = watch
            .until(self.deadline, |_, view| {
                let replaced = matches!(self.judge(view).1, Some(Ok(())));
                Check::Done(replaced.then(|| self.new_uid(view)).flatten())
            })
            .await;
        result.map_err(|end| self.ended(end, "reading the cluster"))
    }

    async fn wait_others_ready(&self, watch: &mut Watch, progress: &mut PodProgress) -> Result<()> {
        let pod = self.step.pod.as_str();
        let result = watch
            .until(self.deadline, |members, view| {
                if let Some(OtherMember { pod: other, why: reason }) = members.other_stuck(&view.set, self.batch) {
                    return Check::Failed(StsError::CheckFailed(format!(
                        "{other} is down ({reason}) and will not recover by waiting: taking {pod} down too would leave more members down than allowed; the roll stopped before {pod}"
                    )).into());
                }
                match members.other_down(&view.set, self.batch) {
                    None => Check::Done(()),
                    Some(OtherMember { pod: other, why }) => {
                        progress.update(&[self.state(false, &format!("waiting for {other} to be Ready first ({why})"))]);
                        Check::Waiting
                    }
                }
            })
            .await;
        result.map_err(|end| self.ended(end, "waiting for the other members to be Ready"))
    }

    /// Deletes or evicts the pod; a budget's refusal is retried until the deadline, a conflict
    /// on a pod that is still the planned one at most `MAX_REPLANS` times.
    async fn take_down(&self, watch: &mut Watch, progress: &mut PodProgress) -> Result<()> {
        let mut conflicts = 0;
        loop {
            match take_down_once(self.ctx, self.plan, self.step).await? {
                PodRemoval::Requested | PodRemoval::AlreadyGone => return Ok(()),
                PodRemoval::Conflict if !self.still_planned_pod(watch) => return Ok(()),
                PodRemoval::Conflict => {
                    // The pod under its uid may be gone already (a delete whose answer was
                    // lost, sent again), which the watch shows a moment later: judged then.
                    self.next_change(watch, "waiting to see the pod taken down")
                        .await?;
                    if !self.still_planned_pod(watch) {
                        return Ok(());
                    }
                    conflicts += 1;
                    if conflicts >= MAX_REPLANS {
                        return Err(StsError::Conflict(format!(
                            "{}: the server answered 409 Conflict to each of {conflicts} attempts to take it down; it is still running: re-run `{}` later",
                            self.step.pod, self.resume
                        ))
                        .into());
                    }
                }
                PodRemoval::Blocked(budget) => {
                    progress.update(&[self.state(false, &format!("eviction refused: {budget}; retrying"))]);
                    let budget = "waiting for the disruption budget to allow the eviction";
                    self.next_change(watch, budget).await?;
                }
            }
        }
    }

    /// The planned pod (same uid) is still there and not terminating.
    fn still_planned_pod(&self, watch: &Watch) -> bool {
        watch.watch.view().is_some_and(|view| {
            view.pod(self.step.ordinal).is_some_and(|pod| {
                pod.metadata.uid == self.step.uid && pod.metadata.deletion_timestamp.is_none()
            })
        })
    }

    /// Where the replacement stands.
    fn judge(&self, view: &View<'_>) -> (StepState, Option<Result<(), String>>) {
        view.look(self.step.ordinal, |look| judge_replacement(look, self.step))
    }

    /// The uid of the pod of the step's ordinal now.
    fn new_uid(&self, view: &View<'_>) -> Option<String> {
        view.pod(self.step.ordinal)?.metadata.uid.clone()
    }

    /// Returns at the next change of the set's pods, or after a short while.
    async fn next_change(&self, watch: &mut Watch, waiting_for: &str) -> Result<()> {
        let retry_at = k8s_openapi::jiff::Timestamp::now()
            + k8s_openapi::jiff::SignedDuration::from_secs(EVICTION_RETRY_SECONDS);
        let mut first = true;
        let result = watch
            .until(self.deadline, |_, _| {
                if std::mem::take(&mut first) {
                    Check::WaitingUntil(retry_at)
                } else {
                    Check::Done(())
                }
            })
            .await;
        result.map_err(|end| self.ended(end, waiting_for))
    }

    async fn wait_replacement(
        &self,
        watch: &mut Watch,
        progress: &mut PodProgress,
    ) -> Result<Option<String>> {
        let result = watch
            .until(self.deadline, |_, view| {
                let (state, verdict) = self.judge(view);
                progress.update(std::slice::from_ref(&state));
                match verdict {
                    Some(Ok(())) => Check::Done(self.new_uid(view)),
                    Some(Err(reason)) => Check::Failed(StsError::CheckFailed(match self.when_stuck {
                        Some(first) => format!(
                            "{}: {reason}; the roll stopped and the remaining pods are untouched: {first}, or fix the template and re-run `{}`",
                            self.step.pod, self.resume
                        ),
                        None => format!(
                            "{}: {reason}; the roll stopped and the remaining pods are untouched: fix the template, then re-run `{}` to resume",
                            self.step.pod, self.resume
                        ),
                    }).into()),
                    None => Check::Waiting,
                }
            })
            .await;
        result.map_err(|end| self.ended(end, "waiting for its replacement to be Ready"))
    }

    fn ended(&self, end: WaitEnd, doing: &str) -> anyhow::Error {
        let pod = &self.step.pod;
        match end {
            WaitEnd::TimedOut => StsError::TimedOut(format!(
                "timed out after {} with {pod} in flight ({doing}); re-run `{}` to resume",
                humantime::format_duration(self.ctx.timeout),
                self.resume
            ))
            .into(),
            WaitEnd::Interrupted => StsError::Interrupted(format!(
                "interrupted with {pod} in flight ({doing}); re-running `{}` resumes",
                self.resume
            ))
            .into(),
            WaitEnd::SetGone => StsError::Superseded(format!(
                "statefulset {}/{} was deleted during the roll",
                self.plan.namespace, self.plan.name
            ))
            .into(),
            WaitEnd::Failed(err) => err,
        }
    }
}

/// The write that takes the step's pod down (delete or evict, by uid); `None` when the pod
/// is gone already.
pub fn take_down(plan: &RollPlan, step: &RollStep) -> Option<Write> {
    let uid = step.uid.clone()?;
    let pod = step.pod.clone();
    Some(match plan.method {
        Method::Delete => Write::DeletePod { pod, uid },
        Method::Evict => Write::EvictPod { pod, uid },
    })
}

async fn take_down_once(ctx: &Context, plan: &RollPlan, step: &RollStep) -> Result<PodRemoval> {
    match take_down(plan, step) {
        None => Ok(PodRemoval::AlreadyGone),
        Some(write) => Ok(write::apply(ctx, &write, false).await?.removal()),
    }
}
