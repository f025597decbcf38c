//! `kubectl sts rollout NAME --image C=IMG [--partition P]` and `kubectl sts canary NAME
//! --image C=IMG [--count K]`: stage a new template and the partition in one write with a
//! resourceVersion precondition (no pod restarts before the partition is in place), record
//! what `abort` needs, then wait for the ordinals that move now. OnDelete sets get the template
//! staged and the chosen ordinals rolled, as `roll` does.

use anyhow::Result;
use kube::api::Patch;
use serde_json::{Map, Value, json};

use crate::apply::patch_set;
use crate::cli::{CanaryArgs, OutputFormat, RolloutArgs};
use crate::cmd::roll;
use crate::context::Context;
use crate::error::{StsError, is_conflict};
use crate::follow::{Advice, Ending, follow_update};
use crate::model::roll::{Method, plan_roll};
use crate::model::rollout::{PARTITION_BEFORE, REVISION_BEFORE, RolloutPlan, plan_rollout};
use crate::model::set::{self, Strategy};
use crate::model::snapshot::SetSnapshot;
use crate::model::step::{Outcome, OutcomeKind, PodOutcome};
use crate::output::print_outcome;
use crate::output::prompt::confirm;
use crate::output::rollout::write_rollout_plan;
use crate::wait::{deadline_after, observed_snapshot, planning_snapshot};

/// What is being staged.
struct Staging<'a> {
    name: &'a str,
    images: &'a [(String, String)],
    no_wait: bool,
    dry_run: bool,
    /// `RolloutResult` or `CanaryResult`.
    kind: &'static str,
}

/// `rollout`.
pub async fn run_rollout(ctx: &Context, args: &RolloutArgs) -> Result<()> {
    let staging = Staging {
        name: &args.name,
        images: &args.image,
        no_wait: args.no_wait,
        dry_run: args.dry_run,
        kind: "RolloutResult",
    };
    stage(ctx, &staging, |_| Ok(args.partition)).await
}

/// `canary`: partition = replicas − count.
pub async fn run_canary(ctx: &Context, args: &CanaryArgs) -> Result<()> {
    let staging = Staging {
        name: &args.name,
        images: &args.image,
        no_wait: args.no_wait,
        dry_run: args.dry_run,
        kind: "CanaryResult",
    };
    stage(ctx, &staging, |snap| {
        let replicas = set::desired_replicas(&snap.set);
        if args.count > replicas {
            let message = format!(
                "--count {} is more than the {replicas} replicas of statefulset {}/{}",
                args.count,
                snap.namespace(),
                snap.name()
            );
            return Err(StsError::BadInput(message).into());
        }
        Ok(Some(replicas - args.count))
    })
    .await
}

async fn stage(
    ctx: &Context,
    staging: &Staging<'_>,
    partition: impl Fn(&SetSnapshot) -> Result<Option<i32>>,
) -> Result<()> {
    let snap = planning_snapshot(ctx, staging.name).await?;
    if set::is_deleting(&snap.set) {
        return Err(StsError::BadInput(format!(
            "statefulset {}/{} is being deleted",
            ctx.namespace, staging.name
        ))
        .into());
    }
    let plan = plan_rollout(&snap, staging.images, partition(&snap)?).map_err(StsError::BadInput)?;
    if ctx.output == OutputFormat::Table && !plan.changes.is_empty() {
        write_rollout_plan(&mut std::io::stdout().lock(), &plan)?;
    }
    if plan.changes.is_empty() {
        let message = format!(
            "statefulset {}/{} already runs these images; nothing to roll out",
            plan.namespace, plan.name
        );
        return finish(ctx, staging, &plan, OutcomeKind::NothingToDo, message, Vec::new());
    }
    if staging.dry_run {
        write_template(ctx, &snap, &plan, true).await?;
        let message =
            "dry run: the server accepted the new template and partition; nothing was changed".to_string();
        return finish(ctx, staging, &plan, OutcomeKind::DryRun, message, Vec::new());
    }
    let question = match &plan.in_flight {
        Some(revision) => format!("A rollout to {revision} is in flight; replace it with this one?"),
        None => format!(
            "Stage the new template on statefulset {}/{}?",
            plan.namespace, plan.name
        ),
    };
    crate::preflight::require(ctx, &needs_of(&plan)).await?;
    confirm(
        ctx,
        &question,
        &format!(
            "change the template of statefulset {}/{}",
            plan.namespace, plan.name
        ),
    )?;
    write_with_replan(ctx, snap, &plan, staging.images).await?;
    if staging.no_wait || plan.moves_now.is_empty() {
        let message = staged_message(&plan);
        return finish(ctx, staging, &plan, OutcomeKind::NotWaited, message, Vec::new());
    }
    let fresh = observed_snapshot(ctx, staging.name).await?;
    let (kind, message, pods, error) = wait_moved(ctx, &fresh, &plan).await?;
    finish(ctx, staging, &plan, kind, message, pods)?;
    error.map_or(Ok(()), Err)
}

/// The writes the plan makes: the template, and pod deletions when an OnDelete set rolls now.
fn needs_of(plan: &RolloutPlan) -> Vec<crate::preflight::Need> {
    match plan.strategy {
        Strategy::OnDelete if !plan.moves_now.is_empty() => {
            vec![crate::preflight::PATCH_SETS, crate::preflight::DELETE_PODS]
        }
        _ => vec![crate::preflight::PATCH_SETS],
    }
}

fn staged_message(plan: &RolloutPlan) -> String {
    let moved: Vec<String> = plan
        .moves_now
        .iter()
        .map(|o| format!("{}-{o}", plan.name))
        .collect();
    match moved.is_empty() {
        true => format!(
            "staged on statefulset {}/{} at partition {}: no pod restarts until `kubectl sts promote {}`",
            plan.namespace, plan.name, plan.partition, plan.name
        ),
        false => format!(
            "staged on statefulset {}/{}; moving now: {} (not waiting)",
            plan.namespace,
            plan.name,
            moved.join(", ")
        ),
    }
}

/// Waits until the ordinals that move now are updated and Ready: followed (RollingUpdate) or
/// rolled (OnDelete).
async fn wait_moved(ctx: &Context, snap: &SetSnapshot, plan: &RolloutPlan) -> Result<Ending> {
    let deadline = deadline_after(ctx.timeout);
    if plan.strategy == Strategy::OnDelete {
        let roll_plan = plan_roll(snap, Some(&plan.moves_now), Method::Delete).map_err(StsError::BadInput)?;
        let run = roll::execute(
            ctx,
            &snap.set,
            &roll_plan,
            false,
            &format!("kubectl sts promote {} --partition {}", plan.name, plan.partition),
        )
        .await;
        return Ok(run.ending(moved_message(plan)));
    }
    let when_stuck = format!("roll back with `kubectl sts abort {}`", plan.name);
    let resume = format!("kubectl sts promote {} --partition {}", plan.name, plan.partition);
    let advice = Advice {
        when_stuck: &when_stuck,
        resume: &resume,
    };
    let followed = follow_update(ctx, &snap.set, &plan.moves_now, deadline, advice).await;
    Ok(followed.ending(moved_message(plan)))
}

fn moved_message(plan: &RolloutPlan) -> String {
    let moved: Vec<String> = plan
        .moves_now
        .iter()
        .map(|o| format!("{}-{o}", plan.name))
        .collect();
    let rest = match plan.stays.is_empty() {
        true => "every pod is on the new template".to_string(),
        false => format!(
            "on the old revision until `kubectl sts promote {}`: {}",
            plan.name,
            plan.stays.join(", ")
        ),
    };
    format!("{} updated and Ready; {rest}", moved.join(", "))
}

/// Writes, re-planning on conflict: the same plan goes on; a changed one is refused.
async fn write_with_replan(
    ctx: &Context,
    mut snap: SetSnapshot,
    plan: &RolloutPlan,
    images: &[(String, String)],
) -> Result<()> {
    loop {
        match write_template(ctx, &snap, plan, false).await {
            Err(err) if is_conflict(&err) => {}
            other => return other,
        }
        snap = planning_snapshot(ctx, &plan.name).await?;
        let replanned = plan_rollout(&snap, images, Some(plan.partition)).map_err(StsError::BadInput)?;
        if replanned.changes != plan.changes || replanned.moves_now != plan.moves_now {
            let message = format!(
                "statefulset {}/{} changed while planning; nothing was changed: re-run to plan against the new state",
                plan.namespace, plan.name
            );
            return Err(StsError::Conflict(message).into());
        }
    }
}

/// The template change, the partition and the records for `abort`, in one strategic merge
/// patch conditioned on the resourceVersion the plan was made from.
async fn write_template(ctx: &Context, snap: &SetSnapshot, plan: &RolloutPlan, dry_run: bool) -> Result<()> {
    let containers = |init: bool| -> Vec<Value> {
        plan.changes
            .iter()
            .filter(|c| c.init == init)
            .map(|c| json!({"name": c.container, "image": c.to}))
            .collect()
    };
    let mut pod_spec = Map::new();
    for (field, init) in [("containers", false), ("initContainers", true)] {
        let list = containers(init);
        if !list.is_empty() {
            pod_spec.insert(field.to_string(), Value::Array(list));
        }
    }
    let mut annotations = Map::new();
    if let Some(before) = &plan.revision_before {
        annotations.insert(REVISION_BEFORE.into(), json!(before));
    }
    let mut spec = json!({"template": {"spec": pod_spec}});
    if let Some(before) = plan.partition_before {
        annotations.insert(PARTITION_BEFORE.into(), json!(before.to_string()));
        spec["updateStrategy"] = json!({"rollingUpdate": {"partition": plan.partition}});
    }
    let rv = snap.set.metadata.resource_version.clone().unwrap_or_default();
    let patch = json!({"metadata": {"resourceVersion": rv, "annotations": annotations}, "spec": spec});
    patch_set(ctx, &plan.name, &Patch::Strategic(patch), dry_run).await?;
    Ok(())
}

fn finish(
    ctx: &Context,
    staging: &Staging<'_>,
    plan: &RolloutPlan,
    result: OutcomeKind,
    message: String,
    pods: Vec<PodOutcome>,
) -> Result<()> {
    print_outcome(
        ctx.output,
        staging.kind,
        plan,
        &Outcome {
            result,
            message,
            pods,
        },
    )
}
