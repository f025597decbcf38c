//! `kubectl sts scale NAME --replicas N`: plan from a fresh snapshot, confirm, write
//! `spec.replicas` through the scale subresource with a resourceVersion precondition
//! (re-planning on conflict), then wait pod by pod on watches.

use std::io::Write;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;

use crate::apply::scale_set;
use crate::cli::{OutputFormat, ScaleArgs};
use crate::context::Context;
use crate::error::{StsError, is_conflict};
use crate::fetch;
use crate::model::scale::{ScalePlan, ScaleVerdict, judge_scale, plan_scale};
use crate::model::set;
use crate::model::snapshot::SetSnapshot;
use crate::model::step::{Outcome, OutcomeKind, PodOutcome, StepState};
use crate::output::progress::PodProgress;
use crate::output::prompt::confirm;
use crate::output::scale::write_scale_plan;
use crate::output::{Style, print_outcome};
use crate::wait::{Check, SetWatch, WaitEnd, caught_up, deadline_after, planning_snapshot};

/// Scales the set.
pub async fn run(ctx: &Context, args: &ScaleArgs) -> Result<()> {
    let snap = fetch::snapshot(ctx, &args.name).await?;
    if set::is_deleting(&snap.set) {
        let message = format!(
            "statefulset {}/{} is being deleted; it cannot be scaled",
            ctx.namespace, args.name
        );
        return Err(StsError::BadInput(message).into());
    }
    let snap = caught_up(ctx, snap).await?;
    let budgets = fetch::budgets(ctx).await?;
    let plan = plan_scale(&snap, args.replicas, &budgets);
    show_plan(ctx, &plan)?;
    if !plan.changes_spec() && plan.pods.is_empty() {
        let message = format!(
            "statefulset {}/{} already has {} replicas; nothing to do",
            ctx.namespace, args.name, plan.to
        );
        return finish(
            ctx,
            &plan,
            outcome(OutcomeKind::NothingToDo, message, &plan, None),
        );
    }
    if args.dry_run {
        if plan.changes_spec() {
            scale_set(ctx, &snap.set, plan.to, true).await?;
        }
        let message = "dry run: the server accepted the change; nothing was changed".to_string();
        return finish(ctx, &plan, outcome(OutcomeKind::DryRun, message, &plan, None));
    }
    let plan = if plan.changes_spec() {
        apply(ctx, snap, plan, &budgets).await?
    } else {
        resume_note(plan)
    };
    if args.no_wait {
        let message = format!(
            "spec.replicas is now {}; not waiting for the pods (--no-wait)",
            plan.to
        );
        return finish(ctx, &plan, outcome(OutcomeKind::NotWaited, message, &plan, None));
    }
    let sts = fetch::statefulset(ctx, &args.name).await?;
    let (result, progress) = wait(ctx, &plan, &sts).await;
    let (done, error) = conclude(ctx, &plan, result);
    finish(ctx, &plan, outcome(done.0, done.1, &plan, Some(&progress)))?;
    error.map_or(Ok(()), Err)
}

fn resume_note(plan: ScalePlan) -> ScalePlan {
    eprintln!(
        "spec.replicas is already {}; waiting for the controller to finish",
        plan.to
    );
    plan
}

fn show_plan(ctx: &Context, plan: &ScalePlan) -> Result<()> {
    if ctx.output == OutputFormat::Table {
        let mut out = std::io::stdout().lock();
        write_scale_plan(&mut out, plan, Style::for_stdout())?;
        out.flush()?;
    }
    Ok(())
}

/// Confirms and writes, re-planning on conflict: an unchanged plan goes on, a changed one is
/// shown and asked again (or refused without a terminal).
async fn apply(
    ctx: &Context,
    mut snap: SetSnapshot,
    mut plan: ScalePlan,
    budgets: &[k8s_openapi::api::policy::v1::PodDisruptionBudget],
) -> Result<ScalePlan> {
    let question = format!(
        "Scale statefulset {}/{} from {} to {} replicas?",
        plan.namespace, plan.name, plan.from, plan.to
    );
    crate::preflight::require(ctx, &[crate::preflight::SCALE_SETS]).await?;
    confirm(
        ctx,
        &question,
        &format!("scale statefulset {}/{}", plan.namespace, plan.name),
    )?;
    loop {
        match scale_set(ctx, &snap.set, plan.to, false).await {
            Ok(()) => return Ok(plan),
            Err(err) if is_conflict(&err) => {}
            Err(err) => return Err(err),
        }
        snap = planning_snapshot(ctx, &plan.name).await?;
        let replanned = plan_scale(&snap, plan.to, budgets);
        if !replanned.same_changes(&plan) {
            if !ctx.interactive || ctx.assume_yes {
                let message = format!(
                    "statefulset {}/{} changed while planning (spec.replicas is now {}); nothing was changed: re-run to plan against the new state",
                    plan.namespace, plan.name, replanned.from
                );
                return Err(StsError::Conflict(message).into());
            }
            eprintln!("The set changed while planning; the new plan:");
            show_plan(ctx, &replanned)?;
            confirm(ctx, "Go on with the new plan?", "scale")?;
        }
        plan = replanned;
        if !plan.changes_spec() {
            return Ok(plan);
        }
    }
}

/// Waits pod by pod until the scale of `plan` is done, showing progress (shared with the
/// ordered teardown of `delete`).
pub(crate) async fn wait(
    ctx: &Context,
    plan: &ScalePlan,
    sts: &StatefulSet,
) -> (Result<(), WaitEnd>, PodProgress) {
    let mut watch = SetWatch::start(ctx, sts);
    let mut progress = PodProgress::new(plan.pods.iter().map(|p| p.pod.clone()).collect(), ctx.interactive);
    let mut last_states: Vec<StepState> = Vec::new();
    let result = watch
        .until(deadline_after(ctx.timeout), |snap| {
            let (states, verdict) = judge_scale(plan, snap);
            progress.update(&states);
            last_states = states;
            match verdict {
                ScaleVerdict::Done => Check::Done(()),
                ScaleVerdict::Waiting { recheck_at: None } => Check::Waiting,
                ScaleVerdict::Waiting { recheck_at: Some(at) } => Check::WaitingUntil(at),
                ScaleVerdict::Stuck { pod, reason } => Check::Failed(StsError::CheckFailed(format!(
                    "{pod} cannot become Ready: {reason}; the set keeps replicas {} as the controller has it (no rollback): see `kubectl sts status {}`",
                    plan.to, plan.name
                )).into()),
                ScaleVerdict::Superseded { replicas } => Check::Failed(StsError::Conflict(format!(
                    "someone changed spec.replicas of statefulset {}/{} to {replicas} while waiting; stopped waiting",
                    plan.namespace, plan.name
                )).into()),
            }
        })
        .await;
    progress.finish();
    (result, progress)
}

/// The outcome kind and message of a wait, and the error to exit with.
fn conclude(
    ctx: &Context,
    plan: &ScalePlan,
    result: Result<(), WaitEnd>,
) -> ((OutcomeKind, String), Option<anyhow::Error>) {
    let resume = format!(
        "re-run `kubectl sts scale {} --replicas {}` to resume waiting",
        plan.name, plan.to
    );
    match result {
        Ok(()) => (
            (
                OutcomeKind::Done,
                format!(
                    "scaled statefulset {}/{} to {} replicas",
                    plan.namespace, plan.name, plan.to
                ),
            ),
            None,
        ),
        Err(WaitEnd::TimedOut) => {
            let message = format!(
                "timed out after {}: spec.replicas is {} and the controller goes on; {resume}",
                humantime::format_duration(ctx.timeout),
                plan.to
            );
            (
                (OutcomeKind::TimedOut, message.clone()),
                Some(StsError::TimedOut(message).into()),
            )
        }
        Err(WaitEnd::Interrupted) => {
            let message = format!(
                "interrupted: spec.replicas is {} and the controller goes on; {resume}",
                plan.to
            );
            (
                (OutcomeKind::Interrupted, message.clone()),
                Some(StsError::Interrupted(message).into()),
            )
        }
        Err(WaitEnd::SetGone) => {
            let message = format!(
                "statefulset {}/{} was deleted while waiting",
                plan.namespace, plan.name
            );
            (
                (OutcomeKind::Superseded, message.clone()),
                Some(anyhow::anyhow!(message)),
            )
        }
        Err(WaitEnd::Failed(err)) => {
            let kind = if is_conflict(&err) {
                OutcomeKind::Superseded
            } else {
                OutcomeKind::Stuck
            };
            ((kind, format!("{err:#}")), Some(err))
        }
    }
}

/// The outcome of the scale of `plan`, each pod with its last state (shared with `delete`).
pub(crate) fn outcome(
    result: OutcomeKind,
    message: String,
    plan: &ScalePlan,
    progress: Option<&PodProgress>,
) -> Outcome {
    let pods = plan
        .pods
        .iter()
        .map(|step| {
            let seconds = progress.and_then(|p| p.seconds_to_done(&step.pod));
            let state = progress
                .and_then(|p| p.last_state(&step.pod))
                .unwrap_or_else(|| "unchanged".into());
            PodOutcome {
                pod: step.pod.clone(),
                state,
                done: seconds.is_some(),
                seconds,
                old_uid: None,
                new_uid: None,
            }
        })
        .collect();
    Outcome {
        result,
        message,
        pods,
    }
}

/// Prints the outcome: a line (tables) or the whole document (json/yaml).
fn finish(ctx: &Context, plan: &ScalePlan, outcome: Outcome) -> Result<()> {
    print_outcome(ctx.output, "ScaleResult", plan, &outcome)
}
