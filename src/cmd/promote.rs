//! `kubectl sts promote NAME [--step K | --partition P | --full]`: lower the partition of a
//! staged rollout (never raise it), then wait for each newly included pod in the order the
//! controller takes them. Re-running with the same `--partition` resumes waiting. OnDelete
//! sets have their next ordinals rolled instead.

use anyhow::Result;
use kube::api::Patch;
use serde_json::json;

use crate::apply::patch_set;
use crate::cli::{OutputFormat, PromoteArgs};
use crate::cmd::roll;
use crate::context::Context;
use crate::error::{StsError, is_conflict};
use crate::fetch;
use crate::follow::{Advice, Ending, follow_update};
use crate::model::roll::{Method, plan_roll};
use crate::model::rollout::{
    PARTITION_BEFORE, PromotePlan, PromoteTo, REVISION_BEFORE, effective_partition, in_flight, plan_promote,
    promote_choices,
};
use crate::model::set::Strategy;
use crate::model::snapshot::SetSnapshot;
use crate::model::step::{Outcome, OutcomeKind, PodOutcome};
use crate::output::print_outcome;
use crate::output::prompt::{choose, confirm};
use crate::output::rollout::write_promote_plan;
use crate::wait::{caught_up, deadline_after, observed_snapshot, planning_snapshot};

/// Promotes the rollout in flight.
pub async fn run(ctx: &Context, args: &PromoteArgs) -> Result<()> {
    let snap = planning_snapshot(ctx, &args.name).await?;
    if requested(args).is_none() {
        plan_promote(&snap, PromoteTo::Full).map_err(StsError::BadInput)?;
    }
    let (to, chosen) = match requested(args) {
        Some(to) => (to, false),
        None => (ask(ctx, &snap)?, true),
    };
    let plan = plan_promote(&snap, to).map_err(StsError::BadInput)?;
    if ctx.output == OutputFormat::Table {
        write_promote_plan(&mut std::io::stdout().lock(), &plan)?;
    }
    if args.dry_run {
        if plan.strategy == Strategy::RollingUpdate {
            write_partition(ctx, &snap, plan.to_partition, true).await?;
        }
        return finish(
            ctx,
            &plan,
            OutcomeKind::DryRun,
            "dry run: the server accepted the new partition; nothing was changed".into(),
            Vec::new(),
        );
    }
    let changes = match plan.strategy {
        Strategy::RollingUpdate => plan.to_partition != plan.from_partition,
        Strategy::OnDelete => !plan.moves.is_empty(),
    };
    if changes {
        let need = match plan.strategy {
            Strategy::RollingUpdate => crate::preflight::PATCH_SETS,
            Strategy::OnDelete => crate::preflight::DELETE_PODS,
        };
        crate::preflight::require(ctx, &[need]).await?;
    }
    if !changes {
        eprintln!(
            "partition already at {}; waiting for the pods (resuming)",
            plan.to_partition
        );
    } else if !chosen {
        let question = format!(
            "Promote statefulset {}/{} ({} pod(s) move)?",
            plan.namespace,
            plan.name,
            plan.moves.len()
        );
        confirm(
            ctx,
            &question,
            &format!("promote statefulset {}/{}", plan.namespace, plan.name),
        )?;
    }
    let (kind, message, pods, error) = match plan.strategy {
        Strategy::RollingUpdate => promote_rolling(ctx, snap, &plan, args.no_wait).await?,
        Strategy::OnDelete => promote_on_delete(ctx, &snap, &plan, args.no_wait).await?,
    };
    finish(ctx, &plan, kind, message, pods)?;
    error.map_or(Ok(()), Err)
}

fn requested(args: &PromoteArgs) -> Option<PromoteTo> {
    match (args.step, args.partition, args.full) {
        (Some(k), _, _) => Some(PromoteTo::Step(k)),
        (_, Some(p), _) => Some(PromoteTo::Partition(p)),
        (_, _, true) => Some(PromoteTo::Full),
        _ => None,
    }
}

/// On a terminal: next pod, half of the rest, or all.
fn ask(ctx: &Context, snap: &SetSnapshot) -> Result<PromoteTo> {
    let update = in_flight(snap).unwrap_or_default();
    let choices = promote_choices(effective_partition(snap, &update));
    let labels: Vec<String> = choices.iter().map(|(label, _)| label.clone()).collect();
    match choose(
        ctx,
        &format!(
            "Promote statefulset {}/{} how far?",
            snap.namespace(),
            snap.name()
        ),
        &labels,
    )? {
        Some(index) => Ok(PromoteTo::Partition(choices[index].1)),
        None => {
            Err(StsError::BadInput("say how far to promote: --step K, --partition P or --full".into()).into())
        }
    }
}

async fn promote_rolling(
    ctx: &Context,
    snap: SetSnapshot,
    plan: &PromotePlan,
    no_wait: bool,
) -> Result<Ending> {
    if plan.to_partition != plan.from_partition {
        write_with_retry(ctx, snap, plan.to_partition).await?;
    }
    if no_wait {
        return Ok((
            OutcomeKind::NotWaited,
            format!("partition is now {}; not waiting (--no-wait)", plan.to_partition),
            Vec::new(),
            None,
        ));
    }
    let fresh = observed_snapshot(ctx, &plan.name).await?;
    let when_stuck = format!("roll back with `kubectl sts abort {}`", plan.name);
    let resume = format!(
        "kubectl sts promote {} --partition {}",
        plan.name, plan.to_partition
    );
    let advice = Advice {
        when_stuck: &when_stuck,
        resume: &resume,
    };
    let followed = follow_update(
        ctx,
        &fresh.set,
        &plan.awaited,
        deadline_after(ctx.timeout),
        advice,
    )
    .await;
    if followed.error.is_none() && plan.to_partition == 0 {
        forget_rollout(ctx, &plan.name).await?;
    }
    Ok(followed.ending(promoted_message(plan)))
}

async fn promote_on_delete(
    ctx: &Context,
    snap: &SetSnapshot,
    plan: &PromotePlan,
    no_wait: bool,
) -> Result<Ending> {
    let roll_plan = plan_roll(snap, Some(&plan.moves), Method::Delete).map_err(StsError::BadInput)?;
    let resume = format!(
        "kubectl sts promote {} --partition {}",
        plan.name, plan.to_partition
    );
    let run = roll::execute(ctx, &snap.set, &roll_plan, no_wait, &resume).await;
    if run.end.is_none() && !no_wait && plan.to_partition == 0 {
        forget_rollout(ctx, &plan.name).await?;
    }
    Ok(run.ending(promoted_message(plan)))
}

fn promoted_message(plan: &PromotePlan) -> String {
    let done = if plan.to_partition == 0 {
        "; the rollout is complete"
    } else {
        ""
    };
    format!(
        "promoted statefulset {}/{} to partition {}: {} pod(s) on {}{done}",
        plan.namespace, plan.name, plan.to_partition, plan.on_update_after, plan.update_revision
    )
}

/// Lowers the partition; on conflict re-reads and tries again, unless someone else moved the
/// partition in the meantime (then their change stands).
async fn write_with_retry(ctx: &Context, mut snap: SetSnapshot, partition: i32) -> Result<()> {
    let planned_from = crate::model::set::partition(&snap.set);
    loop {
        match write_partition(ctx, &snap, partition, false).await {
            Err(err) if is_conflict(&err) => {}
            other => return other,
        }
        snap = caught_up(ctx, fetch::snapshot(ctx, snap.name()).await?).await?;
        if crate::model::set::partition(&snap.set) != planned_from {
            let message = format!(
                "the partition of statefulset {}/{} was changed by someone else while planning; nothing was changed: re-run",
                snap.namespace(),
                snap.name()
            );
            return Err(StsError::Conflict(message).into());
        }
    }
}

async fn write_partition(ctx: &Context, snap: &SetSnapshot, partition: i32, dry_run: bool) -> Result<()> {
    let rv = snap.set.metadata.resource_version.clone().unwrap_or_default();
    let patch = json!({"metadata": {"resourceVersion": rv}, "spec": {"updateStrategy": {"rollingUpdate": {"partition": partition}}}});
    patch_set(ctx, snap.name(), &Patch::Merge(patch), dry_run).await?;
    Ok(())
}

/// Removes the records `abort` would use, once a rollout is complete.
pub async fn forget_rollout(ctx: &Context, name: &str) -> Result<()> {
    let patch = json!({"metadata": {"annotations": {PARTITION_BEFORE: null, REVISION_BEFORE: null}}});
    patch_set(ctx, name, &Patch::Merge(patch), false).await?;
    Ok(())
}

fn finish(
    ctx: &Context,
    plan: &PromotePlan,
    result: OutcomeKind,
    message: String,
    pods: Vec<PodOutcome>,
) -> Result<()> {
    print_outcome(
        ctx.output,
        "PromoteResult",
        plan,
        &Outcome {
            result,
            message,
            pods,
        },
    )
}
