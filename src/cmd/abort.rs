//! `kubectl sts abort NAME`: the way back from a staged rollout. Restore the template of the
//! revision it started from (its ControllerRevision), delete the pods on the aborted revision
//! that are not Ready (the controller waits on them forever otherwise:
//! kubernetes/kubernetes#67250), wait until every pod is back and Ready, then put back the
//! partition in effect before the rollout. `revert` is shared with `undo`.

use anyhow::Result;
use kube::api::Patch;
use serde_json::json;

use crate::apply::{PodRemoval, delete_pod, patch_set};
use crate::cli::{AbortArgs, OutputFormat};
use crate::cmd::promote::forget_rollout;
use crate::cmd::roll;
use crate::context::Context;
use crate::error::{StsError, is_conflict};
use crate::follow::{Advice, Ending, follow_update};
use crate::model::revert::{Purpose, RevertPlan, plan_revert};
use crate::model::roll::{Method, plan_roll};
use crate::model::rollout::{PARTITION_BEFORE, REVISION_BEFORE};
use crate::model::set::Strategy;
use crate::model::snapshot::SetSnapshot;
use crate::model::step::{Outcome, OutcomeKind, PodOutcome};
use crate::output::print_outcome;
use crate::output::prompt::confirm;
use crate::output::rollout::write_revert_plan;
use crate::preflight::{DELETE_PODS, PATCH_SETS};
use crate::wait::{deadline_after, observed_snapshot, planning_snapshot};

/// Aborts the rollout in flight.
pub async fn run(ctx: &Context, args: &AbortArgs) -> Result<()> {
    let options = RevertOptions {
        verb: "Abort",
        kind: "AbortResult",
        no_wait: args.no_wait,
        dry_run: args.dry_run,
    };
    revert(ctx, &args.name, Purpose::Abort, options).await
}

/// How a revert is presented and run.
pub struct RevertOptions {
    /// `Abort` or `Undo`, for the plan's title and the question.
    pub verb: &'static str,
    /// The document kind.
    pub kind: &'static str,
    pub no_wait: bool,
    pub dry_run: bool,
}

/// Plans, confirms and carries out a return to a stored revision.
pub async fn revert(ctx: &Context, name: &str, purpose: Purpose, options: RevertOptions) -> Result<()> {
    let snap = planning_snapshot(ctx, name).await?;
    let plan = plan_revert(&snap, purpose).map_err(StsError::BadInput)?;
    if ctx.output == OutputFormat::Table {
        write_revert_plan(&mut std::io::stdout().lock(), options.verb, &plan)?;
    }
    if options.dry_run {
        write_template(ctx, &snap, &plan, true).await?;
        let message = "dry run: the server accepted the restored template; nothing was changed".to_string();
        return finish(ctx, &options, &plan, OutcomeKind::DryRun, message, Vec::new());
    }
    let deleted = if plan.delete_pods.is_empty() {
        String::new()
    } else {
        format!(" and delete {} pod(s)", plan.delete_pods.len())
    };
    let question = format!(
        "{} statefulset {}/{}: back to {}{deleted}?",
        options.verb, plan.namespace, plan.name, plan.to_revision.name
    );
    let deletes = !plan.delete_pods.is_empty() || !plan.roll_pods.is_empty();
    let needs = if deletes {
        vec![PATCH_SETS, DELETE_PODS]
    } else {
        vec![PATCH_SETS]
    };
    crate::preflight::require(ctx, &needs).await?;
    confirm(
        ctx,
        &question,
        &format!(
            "{} statefulset {}/{}",
            options.verb.to_lowercase(),
            plan.namespace,
            plan.name
        ),
    )?;
    write_with_retry(ctx, snap, &plan, purpose).await?;
    let fresh = observed_snapshot(ctx, name).await?;
    for pod in &plan.delete_pods {
        if delete_pod(ctx, &pod.pod, &pod.uid, false).await? == PodRemoval::Requested {
            eprintln!(
                "deleted {} so that it comes back on {}",
                pod.pod, plan.to_revision.name
            );
        }
    }
    if options.no_wait {
        let message = format!(
            "template back to {}; not waiting (--no-wait)",
            plan.to_revision.name
        );
        return finish(ctx, &options, &plan, OutcomeKind::NotWaited, message, Vec::new());
    }
    let (kind, message, pods, error) = wait_back(ctx, &fresh, &plan).await?;
    if error.is_none() {
        put_back_partition(ctx, &plan).await?;
    }
    finish(ctx, &options, &plan, kind, message, pods)?;
    error.map_or(Ok(()), Err)
}

async fn wait_back(ctx: &Context, snap: &SetSnapshot, plan: &RevertPlan) -> Result<Ending> {
    let done = format!(
        "statefulset {}/{} is back on {}: every awaited pod Ready",
        plan.namespace, plan.name, plan.to_revision.name
    );
    if plan.strategy == Strategy::OnDelete {
        let roll_plan = plan_roll(snap, Some(&plan.roll_pods), Method::Delete).map_err(StsError::BadInput)?;
        let run = roll::execute(
            ctx,
            &snap.set,
            &roll_plan,
            false,
            &format!("kubectl sts roll {}", plan.name),
        )
        .await;
        return Ok(run.ending(done));
    }
    let when_stuck = format!(
        "revision {} does not come up either: look at `kubectl sts status {}`",
        plan.to_revision.name, plan.name
    );
    let resume = format!("kubectl sts status {} --watch", plan.name);
    let advice = Advice {
        when_stuck: &when_stuck,
        resume: &resume,
    };
    let followed = follow_update(ctx, &snap.set, &plan.awaited, deadline_after(ctx.timeout), advice).await;
    Ok(followed.ending(done))
}

/// Writes the stored template back, re-planning on conflict: the same target goes on.
async fn write_with_retry(
    ctx: &Context,
    mut snap: SetSnapshot,
    plan: &RevertPlan,
    purpose: Purpose,
) -> Result<()> {
    loop {
        match write_template(ctx, &snap, plan, false).await {
            Err(err) if is_conflict(&err) => {}
            other => return other,
        }
        snap = planning_snapshot(ctx, &plan.name).await?;
        let replanned = plan_revert(&snap, purpose).map_err(StsError::BadInput)?;
        if replanned.to_revision.name != plan.to_revision.name {
            let message = format!(
                "statefulset {}/{} changed while planning; nothing was changed: re-run",
                plan.namespace, plan.name
            );
            return Err(StsError::Conflict(message).into());
        }
    }
}

/// Replaces the pod template with the stored one, as `kubectl rollout undo` does: the
/// revision's data (`$patch: replace` on the template) as a strategic merge patch, here on
/// condition of the planned resourceVersion.
async fn write_template(ctx: &Context, snap: &SetSnapshot, plan: &RevertPlan, dry_run: bool) -> Result<()> {
    let rv = snap.set.metadata.resource_version.clone().unwrap_or_default();
    let mut template = plan.template.clone();
    template["$patch"] = json!("replace");
    let patch = json!({"metadata": {"resourceVersion": rv}, "spec": {"template": template}});
    patch_set(ctx, &plan.name, &Patch::Strategic(patch), dry_run).await?;
    Ok(())
}

/// Abort only: the partition from before the rollout, and the records removed.
async fn put_back_partition(ctx: &Context, plan: &RevertPlan) -> Result<()> {
    let Some(partition) = plan.restore_partition else {
        return match plan.ends_rollout {
            true => forget_rollout(ctx, &plan.name).await,
            false => Ok(()),
        };
    };
    let patch = json!({
        "metadata": {"annotations": {PARTITION_BEFORE: null, REVISION_BEFORE: null}},
        "spec": {"updateStrategy": {"rollingUpdate": {"partition": partition}}}
    });
    patch_set(ctx, &plan.name, &Patch::Merge(patch), false).await?;
    eprintln!(
        "partition of statefulset {}/{} back to {partition}",
        plan.namespace, plan.name
    );
    Ok(())
}

fn finish(
    ctx: &Context,
    options: &RevertOptions,
    plan: &RevertPlan,
    result: OutcomeKind,
    message: String,
    pods: Vec<PodOutcome>,
) -> Result<()> {
    print_outcome(
        ctx.output,
        options.kind,
        plan,
        &Outcome {
            result,
            message,
            pods,
        },
    )
}
