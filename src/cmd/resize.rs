//! `kubectl sts pvc resize NAME --template T --size SIZE`, the guided answer to "updates to
//! volumeClaimTemplates are forbidden": check, plan, confirm; patch each claim of the template
//! (resourceVersion precondition); save the set's manifest; delete the set with `--orphan`
//! (uid and resourceVersion preconditions); create it again with the new size; verify that the
//! pods were adopted with the same uids and no restarts and follow each claim's resize. Any
//! failure after the orphan delete says how to restore the set from the saved manifest.

use std::io::Write;

use anyhow::{Context as _, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Preconditions, PropagationPolicy};
use serde::Serialize;

use super::delete::wait_orphaned;
use crate::apply;
use crate::backup::save_manifest;
use crate::cli::{OutputFormat, PvcResizeArgs};
use crate::context::Context;
use crate::error::{StsError, is_conflict, outcome_kind};
use crate::fetch;
use crate::model::manifest::for_create;
use crate::model::quantity;
use crate::model::resize::{ResizePlan, ResizeVerdict, judge_resize, plan_resize, recreated};
use crate::model::set;
use crate::model::step::{Outcome, OutcomeKind, PodOutcome, StepState};
use crate::output::progress::PodProgress;
use crate::output::prompt::confirm;
use crate::output::resize::{write_resize_plan, write_resize_states};
use crate::output::{Style, write_document};
use crate::preflight;
use crate::wait::{Check, SetWatch, caught_up, deadline_after, set_interrupt_note};

/// How often a write is retried after a conflict before giving up.
const CONFLICT_RETRIES: usize = 5;

/// The `-o json|yaml` document.
#[derive(Serialize)]
struct ResizeResult<'a> {
    kind: &'static str,
    version: &'static str,
    plan: &'a ResizePlan,
    outcome: Outcome,
    /// Where the set's manifest was saved before it was deleted.
    manifest: Option<&'a str>,
    /// The uid of the set created again.
    new_uid: Option<&'a str>,
}

/// A resize under way.
struct Run {
    plan: ResizePlan,
    manifest: Option<String>,
    new_uid: Option<String>,
    states: Vec<PodOutcome>,
}

/// Grows the claim template.
pub async fn run(ctx: &Context, args: &PvcResizeArgs) -> Result<()> {
    let plan = prepare(ctx, args).await?;
    if ctx.output == OutputFormat::Table {
        let mut out = std::io::stdout().lock();
        write_resize_plan(
            &mut out,
            &plan,
            &args.backup_dir.display().to_string(),
            Style::for_stdout(),
        )?;
        out.flush()?;
    }
    let mut run = Run {
        plan,
        manifest: None,
        new_uid: None,
        states: Vec::new(),
    };
    if run.plan.is_empty() {
        let message = format!(
            "claim template {} of statefulset {}/{} and each of its claims already ask for {}; nothing to do (`kubectl sts pvc {}` shows each claim's resize state)",
            run.plan.template, run.plan.namespace, run.plan.name, run.plan.to, run.plan.name
        );
        return finish(ctx, &run, OutcomeKind::NothingToDo, &message);
    }
    if args.dry_run {
        patch_claims(ctx, &run.plan, true).await?;
        let message = "dry run: the server accepted the claim patches (their classes allow expansion); nothing was changed";
        return finish(ctx, &run, OutcomeKind::DryRun, message);
    }
    let whose = format!("statefulset {}/{}", run.plan.namespace, run.plan.name);
    let question = format!(
        "Grow claim template {} of {whose} to {}?",
        run.plan.template, run.plan.to
    );
    let mut needs = vec![preflight::PATCH_CLAIMS];
    if run.plan.recreate {
        needs.extend([preflight::DELETE_SETS, preflight::CREATE_SETS]);
    }
    preflight::require(ctx, &needs).await?;
    confirm(ctx, &question, &format!("resize the claims of {whose}"))?;
    match execute(ctx, args, &mut run).await {
        Ok(message) => finish(ctx, &run, OutcomeKind::Done, &message),
        Err(err) => {
            finish(ctx, &run, outcome_kind(&err), &format!("{err:#}"))?;
            Err(err)
        }
    }
}

/// Reads the set and its storage (after the controller caught up) and checks and plans.
async fn prepare(ctx: &Context, args: &PvcResizeArgs) -> Result<ResizePlan> {
    let (sts, storage) = fetch::set_storage(ctx, &args.name).await?;
    if set::is_deleting(&sts) {
        let message = format!(
            "statefulset {}/{} is being deleted; it cannot be resized (if an earlier resize was interrupted, create it again from the saved manifest once it is gone)",
            ctx.namespace, args.name
        );
        return Err(StsError::BadInput(message).into());
    }
    let (sts, storage) = if set::status_is_stale(&sts) {
        caught_up(ctx, storage.set_snapshot(&sts)).await?;
        fetch::set_storage(ctx, &args.name).await?
    } else {
        (sts, storage)
    };
    plan_resize(&sts, &storage, &args.template, &args.size)
        .map_err(|reason| StsError::BadInput(reason).into())
}

/// Patches, re-creates (when the template grows), verifies; the message when all went well.
async fn execute(ctx: &Context, args: &PvcResizeArgs, run: &mut Run) -> Result<String> {
    patch_claims(ctx, &run.plan, false).await?;
    let current = if run.plan.recreate {
        recreate(ctx, args, run).await?
    } else {
        fetch::statefulset(ctx, &run.plan.name).await?
    };
    run.new_uid = current.metadata.uid.clone();
    verify(ctx, args, run, &current).await?;
    Ok(done_message(run))
}

fn done_message(run: &Run) -> String {
    let plan = &run.plan;
    let patched = plan.claims.iter().filter(|c| c.patch).count();
    let mut message = format!(
        "resized claim template {} of statefulset {}/{} to {}: {patched} claim(s) patched",
        plan.template, plan.namespace, plan.name, plan.to
    );
    if plan.recreate {
        message.push_str(&format!(
            "; the set was created again (uid {}) and adopted its {} pod(s) with the same uids; update your own copy of the manifest to {} too (volumeClaimTemplates are immutable: applying the old one fails)",
            run.new_uid.as_deref().unwrap_or("?"),
            plan.pods.len(),
            plan.to
        ));
    }
    let restarted: Vec<&str> = run
        .states
        .iter()
        .filter(|s| s.state.contains("restartCount"))
        .map(|s| s.pod.as_str())
        .collect();
    if !restarted.is_empty() {
        message.push_str(&format!(
            "; note: restartCount rose for {} meanwhile",
            restarted.join(", ")
        ));
    }
    message
}

/// Sets each claim's request to the new size, on condition of the resourceVersion just read;
/// a claim that grew meanwhile to at least the size is left alone.
async fn patch_claims(ctx: &Context, plan: &ResizePlan, dry_run: bool) -> Result<()> {
    let size = quantity::parse(&plan.to).map_err(anyhow::Error::msg)?;
    for claim in plan.claims.iter().filter(|c| c.patch) {
        for attempt in 1..=CONFLICT_RETRIES {
            let live = fetch::claim(ctx, &claim.claim).await?;
            let requested = live
                .spec
                .as_ref()
                .and_then(|s| Some(s.resources.as_ref()?.requests.as_ref()?.get("storage")?.0.clone()))
                .and_then(|r| quantity::parse(&r).ok());
            if requested.is_some_and(|r| r >= size) {
                break;
            }
            let rv = live.metadata.resource_version.clone().unwrap_or_default();
            match apply::resize_claim(ctx, &claim.claim, &rv, &plan.to, dry_run).await {
                Ok(_) => break,
                Err(err) if is_conflict(&err) && attempt < CONFLICT_RETRIES => continue,
                Err(err) => return Err(err),
            }
        }
    }
    Ok(())
}

/// Saves the manifest, deletes the set with `--orphan`, waits until its pods are released and
/// creates it again with the new size; returns the new set.
async fn recreate(ctx: &Context, args: &PvcResizeArgs, run: &mut Run) -> Result<StatefulSet> {
    let deleted = orphan_delete(ctx, args, run).await?;
    let manifest = run.manifest.clone().unwrap_or_default();
    let restore = format!(
        "restore the set as it was with `kubectl create -f {manifest}` (it adopts its pods again), then re-run `{}`",
        resume_command(args)
    );
    let selector = set::selector_query(&deleted);
    wait_orphaned(ctx, &deleted, &selector, deadline_after(ctx.timeout))
        .await
        .map_err(|end| {
            let state = "the set is being deleted with --orphan; its pods keep running";
            end.into_error(
                ctx.timeout,
                state,
                &format!("once it is gone, {restore}"),
                "the set is gone",
            )
        })?;
    let new = recreated(&deleted, &run.plan.template, &run.plan.to);
    let created = apply::create_set(ctx, &new).await.with_context(|| {
        format!(
            "statefulset {}/{} was deleted with --orphan but could not be created again; its pods keep running without an owner: {restore}",
            run.plan.namespace, run.plan.name
        )
    });
    set_interrupt_note(None);
    created
}

/// Deletes the set with `--orphan` exactly as it was saved: on condition of its uid and
/// resourceVersion, re-reading (and re-saving if its metadata changed) after a conflict; a
/// change of its spec stops the resize.
async fn orphan_delete(ctx: &Context, args: &PvcResizeArgs, run: &mut Run) -> Result<StatefulSet> {
    let mut saved: Option<StatefulSet> = None;
    for _ in 0..CONFLICT_RETRIES {
        let fresh = fetch::statefulset(ctx, &run.plan.name).await?;
        if fresh.metadata.uid != run.plan.uid || fresh.metadata.generation != run.plan.generation {
            let message = format!(
                "statefulset {}/{} changed while resizing (its spec or uid); the claims are patched and nothing else was changed: re-run `{}`",
                run.plan.namespace,
                run.plan.name,
                resume_command(args)
            );
            return Err(StsError::Conflict(message).into());
        }
        if saved.as_ref().map(for_create) != Some(for_create(&fresh)) {
            let path = save_manifest(&args.backup_dir, &fresh)?;
            eprintln!(
                "Saved the manifest of statefulset {}/{} to {}",
                run.plan.namespace,
                run.plan.name,
                path.display()
            );
            run.manifest = Some(path.display().to_string());
            saved = Some(fresh.clone());
        }
        let preconditions = Preconditions {
            uid: fresh.metadata.uid.clone(),
            resource_version: fresh.metadata.resource_version.clone(),
        };
        set_interrupt_note(Some(format!(
            "interrupted around the orphan delete of statefulset {}/{} (its pods keep running): if the set is gone, restore it with `kubectl create -f {}` (it adopts its pods again) and re-run `{}`; if it still exists, just re-run",
            run.plan.namespace,
            run.plan.name,
            run.manifest.as_deref().unwrap_or("<saved manifest>"),
            resume_command(args)
        )));
        let policy = PropagationPolicy::Orphan;
        match apply::delete_object::<StatefulSet>(
            ctx,
            "statefulsets",
            &run.plan.name,
            preconditions,
            policy,
            false,
        )
        .await
        {
            Ok(_) => return Ok(fresh),
            Err(err) if is_conflict(&err) => continue,
            Err(err) => return Err(err),
        }
    }
    let message = format!(
        "statefulset {}/{} kept changing; it was not deleted: re-run `{}`",
        run.plan.namespace,
        run.plan.name,
        resume_command(args)
    );
    Err(StsError::Conflict(message).into())
}

/// Follows the set until its pods are adopted (same uids, no restarts) and the claims grew.
async fn verify(ctx: &Context, args: &PvcResizeArgs, run: &mut Run, sts: &StatefulSet) -> Result<()> {
    let plan = &run.plan;
    let uid = sts.metadata.uid.clone().unwrap_or_default();
    let mut names: Vec<String> = plan.pods.iter().map(|p| p.pod.clone()).collect();
    names.extend(plan.claims.iter().filter(|c| c.patch).map(|c| c.claim.clone()));
    let mut progress = PodProgress::new(names, ctx.interactive);
    let mut last: Vec<StepState> = Vec::new();
    let mut watch = SetWatch::start(ctx, sts);
    let result = watch
        .until(deadline_after(ctx.timeout), |snap| {
            let (states, verdict) = judge_resize(plan, &uid, snap);
            progress.update(&states);
            last = states;
            match verdict {
                ResizeVerdict::Done => Check::Done(()),
                ResizeVerdict::Waiting { recheck_at: None } => Check::Waiting,
                ResizeVerdict::Waiting { recheck_at: Some(at) } => Check::WaitingUntil(at),
                ResizeVerdict::Failed { what } => Check::Failed(StsError::CheckFailed(what).into()),
            }
        })
        .await;
    progress.finish();
    run.states = last
        .into_iter()
        .map(|s| PodOutcome {
            seconds: progress.seconds_to_done(&s.pod),
            pod: s.pod,
            state: s.state,
            done: s.done,
            old_uid: None,
            new_uid: None,
        })
        .collect();
    let resume = format!(
        "re-run `kubectl sts pvc {}` to see each claim's resize state",
        args.name
    );
    result.map_err(|end| {
        let state = "the claims are patched and the set has the new size; waiting on adoption and expansion";
        end.into_error(ctx.timeout, state, &resume, "the set was deleted")
    })
}

fn resume_command(args: &PvcResizeArgs) -> String {
    format!(
        "kubectl sts pvc resize {} --template {} --size {}",
        args.name, args.template, args.size
    )
}

/// Prints the end: each pod's and claim's state and the message (tables), or the document.
fn finish(ctx: &Context, run: &Run, kind: OutcomeKind, message: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match ctx.output {
        OutputFormat::Table if kind.is_success() => {
            write_resize_states(&mut out, &run.states, Style::for_stdout())?;
            writeln!(out, "{message}")?;
        }
        OutputFormat::Table => {}
        format => {
            let doc = ResizeResult {
                kind: "PvcResizeResult",
                version: "v1",
                plan: &run.plan,
                outcome: Outcome {
                    result: kind,
                    message: message.to_string(),
                    pods: run.states.clone(),
                },
                manifest: run.manifest.as_deref(),
                new_uid: run.new_uid.as_deref(),
            };
            write_document(&mut out, format, &doc)?;
        }
    }
    out.flush()?;
    Ok(())
}
