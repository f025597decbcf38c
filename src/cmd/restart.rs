//! `kubectl sts restart NAME`: set the template annotation `kubectl.kubernetes.io/restartedAt`
//! (as `kubectl rollout restart` does), then for RollingUpdate follow the controller's rollout
//! pod by pod, and for OnDelete replace every pod with the same engine as `roll`.

use anyhow::Result;
use k8s_openapi::jiff::Timestamp;
use kube::api::Patch;
use serde_json::json;

use crate::apply::patch_set;
use crate::cli::{OutputFormat, RestartArgs};
use crate::cmd::roll;
use crate::context::Context;
use crate::error::{StsError, is_conflict};
use crate::follow::{Advice, Ending, follow_update};
use crate::model::restart::{RESTARTED_AT, RestartPlan, plan_restart};
use crate::model::roll::{Method, plan_roll};
use crate::model::set::{self, Strategy};
use crate::model::snapshot::SetSnapshot;
use crate::model::step::{Outcome, OutcomeKind, PodOutcome};
use crate::model::update::ordinals_to_update;
use crate::output::print_outcome;
use crate::output::prompt::confirm;
use crate::output::restart::write_restart_plan;
use crate::preflight::{DELETE_PODS, EVICT_PODS, PATCH_SETS};
use crate::wait::{deadline_after, observed_snapshot, planning_snapshot};

/// Restarts the set.
pub async fn run(ctx: &Context, args: &RestartArgs) -> Result<()> {
    let snap = planning_snapshot(ctx, &args.name).await?;
    if set::is_deleting(&snap.set) {
        let message = format!(
            "statefulset {}/{} is being deleted; it cannot be restarted",
            ctx.namespace, args.name
        );
        return Err(StsError::BadInput(message).into());
    }
    let now = Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let plan = plan_restart(&snap, &now);
    if ctx.output == OutputFormat::Table {
        write_restart_plan(&mut std::io::stdout().lock(), &plan)?;
    }
    if args.dry_run {
        write_annotation(ctx, &snap, &plan, true).await?;
        let message = "dry run: the server accepted the restart annotation; nothing was changed".to_string();
        return finish(ctx, &plan, outcome(OutcomeKind::DryRun, message, Vec::new()));
    }
    let question = format!(
        "Restart statefulset {}/{} ({} pod(s))?",
        plan.namespace,
        plan.name,
        plan.pods.len()
    );
    let take_down = if args.evict { EVICT_PODS } else { DELETE_PODS };
    let needs = match plan.strategy {
        Strategy::RollingUpdate => vec![PATCH_SETS],
        Strategy::OnDelete => vec![PATCH_SETS, take_down],
    };
    crate::preflight::require(ctx, &needs).await?;
    confirm(
        ctx,
        &question,
        &format!("restart statefulset {}/{}", plan.namespace, plan.name),
    )?;
    write_with_retry(ctx, snap, &plan).await?;
    if args.no_wait {
        let message = format!(
            "set {RESTARTED_AT}={}; not waiting (--no-wait)",
            plan.restarted_at
        );
        return finish(ctx, &plan, outcome(OutcomeKind::NotWaited, message, Vec::new()));
    }
    let deadline = deadline_after(ctx.timeout);
    let fresh = observed_snapshot(ctx, &plan.name).await?;
    let (result, message, pods, error) = match plan.strategy {
        Strategy::RollingUpdate => follow_rolling(ctx, &fresh, &plan, deadline).await,
        Strategy::OnDelete => roll_all(ctx, &fresh, args.evict).await?,
    };
    finish(ctx, &plan, outcome(result, message, pods))?;
    error.map_or(Ok(()), Err)
}

async fn follow_rolling(
    ctx: &Context,
    snap: &SetSnapshot,
    plan: &RestartPlan,
    deadline: tokio::time::Instant,
) -> Ending {
    let resume = format!("kubectl sts status {} --watch", plan.name);
    let advice = Advice {
        when_stuck: "the controller will not go past it: fix its cause, or delete the pod to have it recreated",
        resume: &resume,
    };
    let followed = follow_update(ctx, &snap.set, &ordinals_to_update(snap), deadline, advice).await;
    let done = format!(
        "restarted statefulset {}/{}: {} pod(s) replaced by the controller",
        plan.namespace,
        plan.name,
        followed.pods.len()
    );
    followed.ending(done)
}

async fn roll_all(ctx: &Context, snap: &SetSnapshot, evict: bool) -> Result<Ending> {
    let method = if evict { Method::Evict } else { Method::Delete };
    let roll_plan = plan_roll(snap, None, method).map_err(StsError::BadInput)?;
    let resume = format!("kubectl sts roll {}", snap.name());
    let run = roll::execute(ctx, &snap.set, &roll_plan, false, &resume).await;
    let done = format!(
        "restarted statefulset {}/{}: {} pod(s) replaced",
        snap.namespace(),
        snap.name(),
        run.replaced.len()
    );
    Ok(run.ending(done))
}

/// Writes the annotation, re-reading on conflict (a restart is the same whatever else changed).
async fn write_with_retry(ctx: &Context, mut snap: SetSnapshot, plan: &RestartPlan) -> Result<()> {
    loop {
        match write_annotation(ctx, &snap, plan, false).await {
            Err(err) if is_conflict(&err) => snap = planning_snapshot(ctx, &plan.name).await?,
            other => return other,
        }
    }
}

async fn write_annotation(
    ctx: &Context,
    snap: &SetSnapshot,
    plan: &RestartPlan,
    dry_run: bool,
) -> Result<()> {
    let rv = snap.set.metadata.resource_version.clone().unwrap_or_default();
    let patch = json!({
        "metadata": {"resourceVersion": rv},
        "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: plan.restarted_at}}}}
    });
    patch_set(ctx, &plan.name, &Patch::Strategic(patch), dry_run).await?;
    Ok(())
}

fn outcome(result: OutcomeKind, message: String, pods: Vec<PodOutcome>) -> Outcome {
    Outcome {
        result,
        message,
        pods,
    }
}

fn finish(ctx: &Context, plan: &RestartPlan, outcome: Outcome) -> Result<()> {
    print_outcome(ctx.output, "RestartResult", plan, &outcome)
}
