//! `kubectl sts rollout NAME --image C=IMG --steps LIST [--pause D] [--check CMD]`: a staged
//! rollout run unattended, step by step. The first step stages the template, the partition and
//! the record of the rollout in one write; each later step lowers the partition (OnDelete sets:
//! rolls its pods, one at a time, by eviction). After each step: its pods Ready and available,
//! the check, the bake (its pods watched). A failed step aborts through the engine's revert,
//! exactly as `kubectl sts abort` does. The step reached is recorded on the set, so re-running
//! the same command resumes there; `abort` may take over at any time.

use std::time::Duration;

use anyhow::Result;
use k8s_openapi::jiff::Timestamp;
use k8s_openapi::jiff::tz::TimeZone;
use serde_json::json;
use tokio::time::Instant;

use crate::cli::RolloutArgs;
use crate::context::Context;
use crate::engine::check::{TAIL_LINES, run_check};
use crate::engine::follow::{Advice, follow_update};
use crate::engine::gates::{GATE_FLAGS, Gated, check_programs, gate_flags};
use crate::engine::revert::Revert;
use crate::engine::walk::{Stretch, leader_refused, lower_partition, walk_partition};
use crate::engine::write::{self, Write};
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read, replace};
use crate::error::{StsError, is_interrupted};
use crate::model::flow::record::{self, Record};
use crate::model::rollout::gates::Gates;
use crate::model::rollout::progressive::{
    BakeOutcome, CheckScope, Options, Phase, Progress, ProgressivePlan, StepOutcome, StepPlan, StepResult,
    StepSpec, check_env, judge_bake, plan_fresh, plan_resumed, plan_steps, progress_of, resolve_steps,
    watched,
};
use crate::model::rollout::revert::Purpose;
use crate::model::rollout::roll::{Method, plan_roll};
use crate::model::rollout::staged::{NewImage, plan_rollout};
use crate::model::set::scope::quote;
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};
use crate::output::Style;
use crate::output::progressive::{BakeDisplay, announce_step, duration, write_plan, write_report};
use crate::preflight::{DELETE_PODS, EVICT_PODS, Need, PATCH_SETS};
use crate::wait::{Check, SetWatch, WaitEnd, deadline_after, observed_snapshot, planning_snapshot};

/// The flags of a progressive rollout a re-run may change (`command_line` writes them after
/// its identity): they apply from the step it resumes at.
const TIMING_FLAGS: [&str; 4] = ["--pause", "--check", "--check-timeout", "--no-auto-abort"];

/// How often a live bake countdown is redrawn (a timer, not a request).
const COUNTDOWN_TICK: Duration = Duration::from_secs(1);

/// `rollout --steps`.
pub async fn run(ctx: &Context, args: &RolloutArgs, specs: &[StepSpec]) -> Result<()> {
    let gates = Gates::from(&args.gates);
    check_programs(&gates)?;
    let mut command = Progressive {
        args,
        specs,
        options: Options {
            pause: args.pause,
            check: args.check.clone(),
            check_timeout: args.check_timeout,
            auto_abort: !args.no_auto_abort,
            gates,
        },
        started: record::now(),
        update_revision: None,
        outcomes: Vec::new(),
        abort: None,
    };
    let flags = Flags::waiting(args.dry_run);
    crate::engine::run(ctx, &mut command, flags).await
}

struct Progressive<'a> {
    args: &'a RolloutArgs,
    specs: &'a [StepSpec],
    options: Options,
    /// When the rollout began (kept from the record when resuming).
    started: String,
    /// The revision rolled out, once staged (from the record when resuming).
    update_revision: Option<String>,
    outcomes: Vec<StepOutcome>,
    /// How the automatic abort ended, if there was one.
    abort: Option<serde_json::Value>,
}

/// Why a step did not pass.
enum StepFailure {
    /// The step failed (a pod broken, the wait timed out, the check, the bake): abort.
    Failed { cause: String, tail: Vec<String> },
    /// Interrupted, or an error that is not the step's: stop, leave the set as it is.
    Stopped(anyhow::Error),
}

impl StepFailure {
    /// A wait's error: a stuck pod or a timeout fails the step, anything else stops it.
    fn of_wait(err: anyhow::Error) -> StepFailure {
        let step_failed = err.chain().any(|cause| {
            matches!(
                cause.downcast_ref::<StsError>(),
                Some(StsError::CheckFailed(_) | StsError::TimedOut(_))
            )
        });
        match step_failed {
            true => StepFailure::Failed {
                cause: format!("{err:#}"),
                tail: Vec::new(),
            },
            false => StepFailure::Stopped(err),
        }
    }
}

impl From<anyhow::Error> for StepFailure {
    fn from(err: anyhow::Error) -> StepFailure {
        StepFailure::Stopped(err)
    }
}

impl Progressive<'_> {
    fn name(&self) -> &str {
        &self.args.name
    }

    /// A RollingUpdate set's steps walk the partition down a batch of pods at a time (the
    /// gates between) rather than lowering it once per step.
    fn walks(&self) -> bool {
        self.options.gates.walks()
    }

    /// What names the rollout: the set, its images and its steps. A run with the same
    /// resumes a recorded one whatever its timing, check and gate flags (they apply from the
    /// step it resumes at).
    fn identity(&self) -> String {
        let mut words = vec![format!("kubectl sts rollout {}", self.name())];
        for NewImage { container, image } in &self.args.image {
            words.push(format!("--image {}", quote(&format!("{container}={image}"))));
        }
        let steps: Vec<String> = self.specs.iter().map(StepSpec::to_string).collect();
        words.push(format!("--steps {}", steps.join(",")));
        words.join(" ")
    }

    /// The partition the first write stages: the first step's, or, when the steps walk the
    /// partition, the replica count (no pod moves before its gates).
    fn staged_partition(&self, snap: &SetSnapshot, first_step: i32) -> i32 {
        match self.walks() && set::strategy(&snap.set) == Strategy::RollingUpdate {
            true => set::desired_replicas(&snap.set),
            false => first_step,
        }
    }

    /// `kubectl sts abort NAME -n NS …`, to print.
    fn abort_command(&self, ctx: &Context) -> String {
        ctx.sts(&format!("abort {}", self.name()))
    }

    /// What to do after an interrupt (or a stop without the automatic abort) at `step`.
    fn how_to_go_on(&self, ctx: &Context, step: usize) -> String {
        format!(
            "the set is left as it is: re-run `{}` to resume at step {step}, or `{}` to roll back",
            ctx.complete(&self.command_line()),
            self.abort_command(ctx)
        )
    }

    /// Records the progress on the set (the annotation only).
    async fn record(
        &self,
        ctx: &Context,
        steps: &[StepPlan],
        step: usize,
        phase: Phase,
        bake_until: Option<String>,
    ) -> Result<()> {
        let progress = Progress {
            steps: steps.iter().map(|s| s.count).collect(),
            step,
            phase,
            bake_until,
            update_revision: self.update_revision.clone(),
        };
        let record = progress.record(&self.command_line(), &self.started, self.name());
        let write = Write::Record {
            set: self.name().to_string(),
            record: Some(record),
        };
        write::apply(ctx, &write, false).await.map(|_| ())
    }

    /// One step: its pods moved and awaited, the check, the bake.
    async fn run_step(
        &mut self,
        ctx: &Context,
        plan: &ProgressivePlan,
        step: &StepPlan,
        outcome: &mut StepOutcome,
    ) -> Result<(), StepFailure> {
        announce_step(plan, step);
        crate::wait::set_interrupt_note(Some(format!(
            "interrupted at step {}/{}; {}",
            step.step,
            plan.steps.len(),
            self.how_to_go_on(ctx, step.step)
        )));
        let began = Instant::now();
        let fresh = observed_snapshot(ctx, self.name()).await?;
        let update_revision = self.revision_of(&fresh)?;
        // Always recorded afresh: a resumed run's flags replace the recorded ones.
        self.update_revision = Some(update_revision.clone());
        self.record(ctx, &plan.steps, step.step, Phase::Moving, None)
            .await?;
        let snap = self.move_pods(ctx, plan, step, &fresh).await?;
        outcome.wait_seconds = Some(began.elapsed().as_secs_f64());
        let moved = watched(&snap, &step.updated);
        if let Some(command) = &self.options.check {
            self.record(ctx, &plan.steps, step.step, Phase::Checking, None)
                .await?;
            let scope = CheckScope {
                plan,
                step,
                update_revision: &update_revision,
                service: set::service_name(&snap.set),
            };
            let prefix = format!("  check {}/{} │ ", step.step, plan.steps.len());
            let run = run_check(command, &check_env(&scope), self.options.check_timeout, &prefix).await?;
            outcome.check = Some(run.outcome.clone());
            if !run.passed() {
                let cause = match run.outcome.exit_code {
                    _ if run.outcome.timed_out => format!(
                        "the check did not finish within {} (--check-timeout)",
                        duration(self.options.check_timeout)
                    ),
                    Some(code) => format!("the check exited {code}"),
                    None => "the check was killed by a signal".to_string(),
                };
                return Err(StepFailure::Failed {
                    cause,
                    tail: run.tail,
                });
            }
        }
        if !self.options.pause.is_zero() {
            self.bake(ctx, plan, step, &snap, &moved, outcome).await?;
        }
        Ok(())
    }

    /// The update revision of the rollout: staged by this command, never changed by another.
    fn revision_of(&self, snap: &SetSnapshot) -> Result<String, StepFailure> {
        let now = set::update_revision(&snap.set).unwrap_or_default().to_string();
        match &self.update_revision {
            Some(ours) if *ours != now => Err(StepFailure::Stopped(
                StsError::Superseded(format!(
                    "the template of statefulset {}/{} was changed by someone else during the progressive rollout (update revision {now}, ours {ours}); stopped: look at `{}`, `{}` goes back",
                    snap.namespace(),
                    snap.name(),
                    snap.sts(&format!("status {}", snap.name())),
                    snap.sts(&format!("abort {}", snap.name()))
                ))
                .into(),
            )),
            _ => Ok(now),
        }
    }

    /// Moves the step's pods (partition lowered, or pods rolled) and waits until they are on
    /// the update revision, Ready and available. Returns the set as it is then.
    async fn move_pods(
        &self,
        ctx: &Context,
        plan: &ProgressivePlan,
        step: &StepPlan,
        fresh: &SetSnapshot,
    ) -> Result<SetSnapshot, StepFailure> {
        let ordinals = step.updated_ordinals(&fresh.set);
        let resume = ctx.complete(&self.command_line());
        let command = self.command_line();
        let when_stuck = format!("step {} failed", step.step);
        let gated = Gated {
            gates: &self.options.gates,
            resume: &resume,
            command: &command,
            when_stuck: Some(&when_stuck),
        };
        let ended = match plan.strategy {
            Strategy::RollingUpdate if self.walks() => {
                let advice = Advice {
                    when_stuck: &when_stuck,
                    resume: &resume,
                };
                let stretch = Stretch {
                    from: plan.step_start(step),
                    to: step.partition,
                };
                walk_partition(ctx, self.name(), stretch, gated, advice)
                    .await
                    .err()
            }
            Strategy::RollingUpdate => {
                let snap = lower_partition(ctx, self.name(), step.partition).await?;
                let advice = Advice {
                    when_stuck: &when_stuck,
                    resume: &resume,
                };
                follow_update(ctx, &snap.set, &ordinals, deadline_after(ctx.timeout), advice)
                    .await
                    .error
            }
            Strategy::OnDelete => {
                let roll = plan_roll(fresh, Some(&ordinals), Method::Evict)
                    .map_err(|refusal| anyhow::Error::from(StsError::from(refusal)))?;
                replace::execute_gated(ctx, &fresh.set, &roll, false, gated)
                    .await
                    .end
            }
        };
        match ended {
            Some(err) => Err(StepFailure::of_wait(err)),
            None => Ok(observed_snapshot(ctx, self.name()).await?),
        }
    }

    /// Bakes for `--pause`, the moved pods watched: one not Ready, restarted or replaced fails
    /// the step. A live countdown on a terminal; the watch's changes and a timer wake it.
    async fn bake(
        &self,
        ctx: &Context,
        plan: &ProgressivePlan,
        step: &StepPlan,
        snap: &SetSnapshot,
        moved: &[crate::model::rollout::progressive::Watched],
        outcome: &mut StepOutcome,
    ) -> Result<(), StepFailure> {
        let pause = self.options.pause;
        let until = Timestamp::now() + pause;
        self.record(
            ctx,
            &plan.steps,
            step.step,
            Phase::Baking,
            Some(until.to_string()),
        )
        .await?;
        let label = format!("step {}/{}", step.step, plan.steps.len());
        let shown = until
            .to_zoned(TimeZone::system())
            .strftime("%H:%M:%S")
            .to_string();
        let display = BakeDisplay::start(&label, pause, &shown, &step.updated, ctx.interactive);
        let began = Instant::now();
        let end = began + pause;
        let mut watch = SetWatch::start(ctx, &snap.set);
        let live = ctx.interactive;
        let result = watch
            .until(end + Duration::from_secs(60), |now| {
                if let Some(why) = judge_bake(now, moved) {
                    return Check::Failed(anyhow::anyhow!(why));
                }
                let left = end.saturating_duration_since(Instant::now());
                display.left(left);
                match left.is_zero() {
                    true => Check::Done(()),
                    false if live => Check::WaitingUntil(Timestamp::now() + left.min(COUNTDOWN_TICK)),
                    false => Check::WaitingUntil(until),
                }
            })
            .await;
        let seconds = began.elapsed().as_secs_f64();
        outcome.bake = Some(BakeOutcome {
            planned_seconds: pause.as_secs_f64(),
            seconds,
            completed: result.is_ok(),
        });
        self.bake_ended(ctx, result, &display, seconds)
    }

    /// How the bake ended: shown, and the step's failure if it did not last.
    fn bake_ended(
        &self,
        ctx: &Context,
        result: Result<(), WaitEnd>,
        display: &BakeDisplay,
        seconds: f64,
    ) -> Result<(), StepFailure> {
        match result {
            Ok(()) => {
                display.finish(seconds, None);
                Ok(())
            }
            Err(WaitEnd::Failed(why)) => {
                display.finish(seconds, Some(&why.to_string()));
                Err(StepFailure::Failed {
                    cause: format!("during the bake, {why}"),
                    tail: Vec::new(),
                })
            }
            Err(end) => {
                let why = match end {
                    WaitEnd::Interrupted => "interrupted",
                    WaitEnd::SetGone => "the statefulset was deleted",
                    _ => "stopped",
                };
                display.finish(seconds, Some(why));
                let resume = format!("re-run `{}` to resume", ctx.complete(&self.command_line()));
                Err(StepFailure::Stopped(end.into_error(
                    self.options.pause,
                    "baking",
                    &resume,
                    "the statefulset was deleted",
                )))
            }
        }
    }

    /// The end of a failed or stopped step: the automatic abort (or not), the error to exit with.
    async fn fail(
        &mut self,
        ctx: &Context,
        plan: &ProgressivePlan,
        step: &StepPlan,
        failure: StepFailure,
    ) -> anyhow::Error {
        let (cause, tail) = match failure {
            StepFailure::Stopped(err) if is_interrupted(&err) => {
                return StsError::Interrupted(format!(
                    "interrupted at step {}/{}; {}",
                    step.step,
                    plan.steps.len(),
                    self.how_to_go_on(ctx, step.step)
                ))
                .into();
            }
            StepFailure::Stopped(err) => return err,
            StepFailure::Failed { cause, tail } => (cause, tail),
        };
        let what = format!(
            "step {}/{} failed: {cause}{}",
            step.step,
            plan.steps.len(),
            tail_text(&tail)
        );
        if !self.options.auto_abort {
            return StsError::CheckFailed(format!(
                "{what}; stopped there (--no-auto-abort): {}",
                self.how_to_go_on(ctx, step.step)
            ))
            .into();
        }
        eprintln!("{what}");
        eprintln!("Aborting automatically, as `{}` does:", self.abort_command(ctx));
        let name = self.args.name.clone();
        let mut revert = Revert::new(&name, Purpose::Abort);
        let ending = crate::engine::run_within(ctx, &mut revert).await;
        self.abort = Some(json!({"result": ending.result, "message": ending.message, "pods": ending.pods}));
        match ending.error {
            None => {
                StsError::CheckFailed(format!("{what}; aborted automatically: {}", ending.message)).into()
            }
            Some(err) => err.context(format!(
                "{what}; the automatic abort did not finish: run `{}` to finish it",
                self.abort_command(ctx)
            )),
        }
    }

    /// Every step passed: the record goes (and the rollout's records, when every pod moved).
    async fn complete(&self, ctx: &Context, plan: &ProgressivePlan) -> Result<String> {
        let last = plan.steps.last().map_or(0, |s| s.count);
        let replicas = plan.steps.last().map_or(0, |s| s.count + s.partition);
        let revision = self.update_revision.clone().unwrap_or_default();
        let whole = format!("statefulset {}/{}", plan.namespace, plan.name);
        let (end, message) = match last == replicas {
            true => (
                Write::EndRollout {
                    set: plan.name.clone(),
                    partition: None,
                },
                format!(
                    "{whole} rolled out in {} steps: every pod on {revision}",
                    plan.steps.len()
                ),
            ),
            false => (
                Write::Record {
                    set: plan.name.clone(),
                    record: None,
                },
                format!(
                    "{whole}: {last} of {replicas} pods on {revision} after the last step; `{}` moves the rest, `{}` goes back",
                    ctx.sts(&format!("promote {}", plan.name)),
                    self.abort_command(ctx)
                ),
            ),
        };
        write::apply(ctx, &end, false).await?;
        Ok(message)
    }
}

/// The check's last lines, for the error.
fn tail_text(tail: &[String]) -> String {
    match tail.is_empty() {
        true => String::new(),
        false => format!(
            "; its last {} line(s) of output: {}",
            tail.len().min(TAIL_LINES),
            tail.join(" ⏎ ")
        ),
    }
}

impl Guided for Progressive<'_> {
    type Plan = ProgressivePlan;

    fn kind(&self) -> &'static str {
        "ProgressiveRolloutResult"
    }

    fn set_name(&self) -> &str {
        self.name()
    }

    /// The command as typed again to resume: its images, steps and options, in one order.
    fn command_line(&self) -> String {
        let mut words = vec![self.identity()];
        if !self.options.pause.is_zero() {
            words.push(format!("--pause {}", duration(self.options.pause)));
        }
        if let Some(check) = &self.options.check {
            words.push(format!("--check {}", quote(check)));
            if self.options.check_timeout != Duration::from_secs(300) {
                words.push(format!(
                    "--check-timeout {}",
                    duration(self.options.check_timeout)
                ));
            }
        }
        if !self.options.auto_abort {
            words.push("--no-auto-abort".into());
        }
        words.join(" ") + &gate_flags(&self.options.gates)
    }

    fn resumes(&self, record: &Record) -> bool {
        let flags: Vec<&str> = TIMING_FLAGS.iter().chain(&GATE_FLAGS).copied().collect();
        record::same_but_flags(&record.command, &self.identity(), &flags)
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<ProgressivePlan>> {
        let snap = planning_snapshot(ctx, self.name()).await?;
        let whole = format!("statefulset {}/{}", snap.namespace(), snap.name());
        let replicas = set::desired_replicas(&snap.set);
        let counts = resolve_steps(self.specs, replicas, &whole).map_err(StsError::from)?;
        let steps = plan_steps(&snap.set, self.specs, &counts);
        let recorded = record::on_set(&snap.set).filter(|r| self.resumes(r));
        if self.options.gates.leader.is_some() && set::strategy(&snap.set) == Strategy::RollingUpdate {
            let instead = format!(
                "run the steps without it, then `{}` moves the rest with the leader last",
                snap.sts(&format!("promote {} --full --leader CMD", snap.name()))
            );
            return Err(leader_refused(&whole, "a progressive rollout", &instead));
        }
        let progress = recorded.as_ref().and_then(progress_of);
        let plan = match (&recorded, &progress) {
            (Some(record), Some(progress)) => {
                self.started = record.started.clone();
                self.update_revision = progress.update_revision.clone();
                plan_resumed(&snap, progress, steps, self.options.clone())
            }
            // Images the template has already: nothing to roll out (not a partition change).
            _ => plan_rollout(
                &snap,
                &self.args.image,
                Some(self.staged_partition(&snap, replicas - counts[0])),
            )
            .or_else(|refused| {
                let unchanged = plan_rollout(&snap, &self.args.image, None).ok();
                unchanged.filter(|p| p.changes.is_empty()).ok_or(refused)
            })
            .map(|staging| plan_fresh(&snap, staging, steps, self.options.clone())),
        };
        Ok(Read {
            plan,
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &ProgressivePlan, out: &mut dyn std::io::Write) -> Result<()> {
        match self.nothing_to_do(plan) {
            Some(_) => Ok(()),
            None => write_plan(out, plan, Style::for_stdout()),
        }
    }

    fn nothing_to_do(&self, plan: &ProgressivePlan) -> Option<String> {
        (plan.staging.is_some() && plan.changes.is_empty()).then(|| {
            format!(
                "statefulset {}/{} already runs these images; nothing to roll out",
                plan.namespace, plan.name
            )
        })
    }

    fn question(&self, plan: &ProgressivePlan) -> Question {
        let whole = format!("statefulset {}/{}", plan.namespace, plan.name);
        Question::YesNo(match (plan.resumed, &plan.in_flight) {
            (false, Some(revision)) => format!(
                "A rollout to {revision} is in flight; replace it with this progressive rollout of {whole}?"
            ),
            (false, None) => format!("Roll out to {whole} in {} steps?", plan.steps.len()),
            (true, _) => format!(
                "Resume the progressive rollout of {whole} at step {}/{}?",
                plan.start_at,
                plan.steps.len()
            ),
        })
    }

    fn action(&self, plan: &ProgressivePlan) -> String {
        format!("roll out to statefulset {}/{}", plan.namespace, plan.name)
    }

    /// A fresh rollout: the template, the first step's partition, the rollout's records and the
    /// progress, in one write. Resuming writes nothing first.
    fn writes(&self, planned: &Planned<ProgressivePlan>) -> Vec<Write> {
        let plan = &planned.plan;
        let (Some(staging), Some(set)) = (&plan.staging, &planned.set) else {
            return Vec::new();
        };
        let progress = Progress {
            steps: plan.steps.iter().map(|s| s.count).collect(),
            step: 1,
            phase: Phase::Moving,
            bake_until: None,
            update_revision: None,
        };
        let record = progress.record(&self.command_line(), &self.started, self.name());
        let rv = set.metadata.resource_version.clone().unwrap_or_default();
        vec![write::stage(staging, rv, Some(&record))]
    }

    fn needs(&self, planned: &Planned<ProgressivePlan>) -> Vec<Need> {
        let mut needs = vec![PATCH_SETS];
        if planned.plan.strategy == Strategy::OnDelete {
            needs.push(EVICT_PODS);
        }
        if self.options.auto_abort {
            needs.push(DELETE_PODS);
        }
        needs
    }

    fn same_change(&self, old: &ProgressivePlan, new: &ProgressivePlan) -> bool {
        (&old.changes, &old.steps, old.start_at) == (&new.changes, &new.steps, new.start_at)
    }

    fn resuming(&self, plan: &ProgressivePlan) -> String {
        format!(
            "statefulset {}/{}: resuming the progressive rollout at step {}/{}",
            plan.namespace,
            plan.name,
            plan.start_at,
            plan.steps.len()
        )
    }

    async fn carry_out(
        &mut self,
        ctx: &Context,
        planned: &Planned<ProgressivePlan>,
        _no_wait: bool,
    ) -> Ending {
        let plan = &planned.plan;
        for step in &plan.steps[plan.start_at - 1..] {
            let mut outcome = StepOutcome::begin(step);
            let result = self.run_step(ctx, plan, step, &mut outcome).await;
            outcome.result = match &result {
                Ok(()) => StepResult::Passed,
                Err(StepFailure::Failed { cause, .. }) => {
                    outcome.cause = Some(cause.clone());
                    StepResult::Failed
                }
                Err(StepFailure::Stopped(_)) => StepResult::Stopped,
            };
            self.outcomes.push(outcome);
            if let Err(failure) = result {
                let error = self.fail(ctx, plan, step, failure).await;
                crate::wait::set_interrupt_note(None);
                return Ending::failed(error, Vec::new());
            }
        }
        crate::wait::set_interrupt_note(None);
        Ending::from_result(self.complete(ctx, plan).await, Vec::new())
    }

    fn report(&self, _plan: &ProgressivePlan, ending: &Ending, out: &mut dyn std::io::Write) -> Result<()> {
        write_report(out, &self.outcomes, &ending.message, Style::for_stdout())
    }

    fn extra(&self, _plan: &ProgressivePlan) -> Option<serde_json::Value> {
        Some(json!({"steps": self.outcomes, "abort": self.abort}))
    }
}
