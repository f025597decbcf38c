//! `kubectl sts delete NAME`: with `--orphan`, save the manifest, delete the set on condition
//! of its uid, wait until it is gone and its pods are released, then list what is left and how
//! to adopt it; otherwise an ordered teardown: scale to 0 (resourceVersion precondition,
//! re-planned on conflict), wait for each pod to go in order, delete the set (uid
//! precondition); with `--delete-pvcs`, its claims after it. Re-running resumes.

use std::io::Write;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::{Api, Preconditions, PropagationPolicy};
use kube::runtime::watcher;
use serde::Serialize;
use tokio::time::Instant;

use crate::apply::{self, Deleted};
use crate::backup::save_manifest;
use crate::cli::{DeleteArgs, OutputFormat};
use crate::context::Context;
use crate::error::{StsError, is_conflict, is_not_found, outcome_kind};
use crate::fetch;
use crate::model::claims::{ClaimRow, deletion_states};
use crate::model::delete::{
    DeleteMode, DeletePlan, DeleteStep, Remains, plan_delete, plan_gone, refusal, remains, still_owned,
};
use crate::model::set;
use crate::model::step::{Outcome, OutcomeKind, PodOutcome};
use crate::output::delete::{adopt_hint, write_delete_plan, write_remains};
use crate::output::progress::PodProgress;
use crate::output::prompt::{confirm, confirm_by_typing};
use crate::output::{Style, write_document};
use crate::preflight;
use crate::wait::{Check, KindWatch, WaitEnd, caught_up, deadline_after};

/// The `-o json|yaml` document.
#[derive(Serialize)]
struct DeleteResult<'a> {
    kind: &'static str,
    version: &'static str,
    plan: &'a DeletePlan,
    outcome: Outcome,
    /// Where the set's manifest was saved (`--orphan`).
    manifest: Option<&'a str>,
    /// What the set left (pods and claims), once it is gone.
    remains: Option<&'a Remains>,
    adopt: Option<String>,
}

/// A deletion under way: the plan, the set it was made from, and what happened so far.
struct Run {
    plan: DeletePlan,
    sts: Option<StatefulSet>,
    manifest: Option<String>,
    remains: Option<Remains>,
    pods: Vec<PodOutcome>,
}

/// Deletes the set.
pub async fn run(ctx: &Context, args: &DeleteArgs) -> Result<()> {
    let mode = if args.orphan {
        DeleteMode::Orphan
    } else {
        DeleteMode::Ordered
    };
    let mut run = prepare(ctx, args, mode).await?;
    show_plan(ctx, &run.plan)?;
    if run.plan.steps.is_empty() {
        run.remains = Some(remains_now(ctx, &run.plan).await?);
        return finish(ctx, &run, OutcomeKind::NothingToDo, &nothing_to_do(&run.plan));
    }
    if args.dry_run {
        dry_run(ctx, &run).await?;
        let message = "dry run: the server accepted every step; nothing was changed";
        return finish(ctx, &run, OutcomeKind::DryRun, message);
    }
    preflight::require(ctx, &needs_of(&run.plan)).await?;
    ask(ctx, &run.plan)?;
    match execute(ctx, args, &mut run).await {
        Ok((kind, message)) => finish(ctx, &run, kind, &message),
        Err(err) => {
            finish(ctx, &run, outcome_kind(&err), &format!("{err:#}"))?;
            Err(err)
        }
    }
}

/// Reads the cluster and plans; a set that is gone already is planned from what it left.
async fn prepare(ctx: &Context, args: &DeleteArgs, mode: DeleteMode) -> Result<Run> {
    let (sts, storage) = match fetch::set_storage(ctx, &args.name).await {
        Ok(found) => found,
        Err(err) if is_not_found(&err) => return prepare_gone(ctx, args, mode).await,
        Err(err) => return Err(err),
    };
    if let Some(reason) = refusal(&sts, mode, args.delete_pvcs) {
        return Err(StsError::BadInput(reason).into());
    }
    let (sts, storage) = if mode == DeleteMode::Ordered && set::status_is_stale(&sts) {
        caught_up(ctx, storage.set_snapshot(&sts)).await?;
        fetch::set_storage(ctx, &args.name).await?
    } else {
        (sts, storage)
    };
    Ok(Run {
        plan: plan_delete(&sts, &storage, mode, args.delete_pvcs),
        sts: Some(sts),
        manifest: None,
        remains: None,
        pods: Vec::new(),
    })
}

async fn prepare_gone(ctx: &Context, args: &DeleteArgs, mode: DeleteMode) -> Result<Run> {
    let (others, storage) = tokio::try_join!(fetch::statefulsets(ctx), fetch::storage(ctx))?;
    let plan = plan_gone(
        &ctx.namespace,
        &args.name,
        &storage,
        &others,
        mode,
        args.delete_pvcs,
    );
    if plan.pods.is_empty() && plan.claims.is_empty() {
        return Err(StsError::NotFound {
            kind: "statefulset",
            namespace: ctx.namespace.clone(),
            name: args.name.clone(),
            hint: None,
        }
        .into());
    }
    Ok(Run {
        plan,
        sts: None,
        manifest: None,
        remains: None,
        pods: Vec::new(),
    })
}

fn show_plan(ctx: &Context, plan: &DeletePlan) -> Result<()> {
    if ctx.output == OutputFormat::Table {
        let mut out = std::io::stdout().lock();
        write_delete_plan(&mut out, plan, Style::for_stdout())?;
        out.flush()?;
    }
    Ok(())
}

fn nothing_to_do(plan: &DeletePlan) -> String {
    format!(
        "statefulset {}/{} is already gone; nothing to do ({} pod(s) and {} claim(s) it left are listed)",
        plan.namespace,
        plan.name,
        plan.pods.len(),
        plan.claims.len()
    )
}

/// The kinds of write the plan makes, for the permission pre-flight.
fn needs_of(plan: &DeletePlan) -> Vec<preflight::Need> {
    plan.steps
        .iter()
        .filter_map(|step| match step {
            DeleteStep::ScaleToZero { .. } => Some(preflight::SCALE_SETS),
            DeleteStep::DeleteSet { .. } => Some(preflight::DELETE_SETS),
            DeleteStep::DeleteClaims { .. } => Some(preflight::DELETE_CLAIMS),
            DeleteStep::AwaitPodsGone { .. } | DeleteStep::AwaitSetGone => None,
        })
        .collect()
}

/// Asks: typing the set's name when claims are deleted, else yes/no.
fn ask(ctx: &Context, plan: &DeletePlan) -> Result<()> {
    let whose = format!("statefulset {}/{}", plan.namespace, plan.name);
    let doomed = plan.claims_to_delete().len();
    if doomed > 0 {
        let question = match plan.exists {
            true => format!(
                "Delete {whose} and {doomed} claim(s)? Volumes with reclaimPolicy Delete lose their data."
            ),
            false => format!(
                "Delete the {doomed} claim(s) {whose} left? Volumes with reclaimPolicy Delete lose their data."
            ),
        };
        return confirm_by_typing(
            ctx,
            &question,
            &plan.name,
            &format!("delete {whose} and its claims"),
        );
    }
    let question = match plan.mode {
        DeleteMode::Orphan => format!("Delete {whose}, leaving its pods running and its claims in place?"),
        DeleteMode::Ordered => format!("Delete {whose}, removing its pods {}?", plan.removal().0),
    };
    confirm(ctx, &question, &format!("delete {whose}"))
}

/// Has the server check each write (server-side dry run).
async fn dry_run(ctx: &Context, run: &Run) -> Result<()> {
    let plan = &run.plan;
    for step in &plan.steps {
        match (step, &run.sts) {
            (DeleteStep::ScaleToZero { .. }, Some(sts)) => apply::scale_set(ctx, sts, 0, true).await?,
            (DeleteStep::DeleteSet { .. }, Some(sts)) => {
                delete_set(ctx, sts, propagation(plan.mode), true).await?;
            }
            (DeleteStep::DeleteClaims { .. }, _) => {
                for claim in plan.claims_to_delete() {
                    apply::delete_claim(ctx, &claim.claim, claim.uid.as_deref().unwrap_or_default(), true)
                        .await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn propagation(mode: DeleteMode) -> PropagationPolicy {
    match mode {
        DeleteMode::Orphan => PropagationPolicy::Orphan,
        DeleteMode::Ordered => PropagationPolicy::Background,
    }
}

/// Deletes the set on condition of its uid.
async fn delete_set(
    ctx: &Context,
    sts: &StatefulSet,
    policy: PropagationPolicy,
    dry_run: bool,
) -> Result<Deleted> {
    let preconditions = Preconditions {
        uid: sts.metadata.uid.clone(),
        resource_version: None,
    };
    apply::delete_object::<StatefulSet>(
        ctx,
        "statefulsets",
        set::name(sts),
        preconditions,
        policy,
        dry_run,
    )
    .await
}

/// Carries out the plan; the outcome kind and message when it ends well.
async fn execute(ctx: &Context, args: &DeleteArgs, run: &mut Run) -> Result<(OutcomeKind, String)> {
    if let Some(sts) = run.sts.clone() {
        let early = match run.plan.mode {
            DeleteMode::Orphan => orphan(ctx, args, run, &sts).await?,
            DeleteMode::Ordered => teardown(ctx, args, run, sts).await?,
        };
        if let Some(stopped) = early {
            return Ok(stopped);
        }
    }
    if run.plan.has(|s| matches!(s, DeleteStep::DeleteClaims { .. })) {
        delete_claims(ctx, args, run).await?;
    }
    run.remains = Some(remains_now(ctx, &run.plan).await?);
    Ok((OutcomeKind::Done, done_message(&run.plan)))
}

fn done_message(plan: &DeletePlan) -> String {
    let whose = format!("statefulset {}/{}", plan.namespace, plan.name);
    let doomed = plan.claims_to_delete().len();
    let kept = plan.claims.len() - doomed;
    match (plan.exists, plan.mode) {
        (false, _) => format!("deleted {doomed} claim(s) {whose} left"),
        (true, DeleteMode::Orphan) => format!(
            "deleted {whose} with --orphan: its {} pod(s) keep running and its {} claim(s) stay",
            plan.pods.len(),
            plan.claims.len()
        ),
        (true, DeleteMode::Ordered) => format!(
            "deleted {whose}: {} pod(s) removed {}; {doomed} claim(s) deleted, {kept} kept",
            plan.pods.len(),
            plan.removal().1
        ),
    }
}

/// `--orphan`: save the manifest, delete the set, wait until it is gone and its pods are free.
async fn orphan(
    ctx: &Context,
    args: &DeleteArgs,
    run: &mut Run,
    sts: &StatefulSet,
) -> Result<Option<(OutcomeKind, String)>> {
    if run.plan.has(|s| matches!(s, DeleteStep::DeleteSet { .. })) {
        let path = save_manifest(&args.backup_dir, sts)?;
        eprintln!(
            "Saved the manifest of statefulset {}/{} to {}",
            run.plan.namespace,
            run.plan.name,
            path.display()
        );
        run.manifest = Some(path.display().to_string());
        delete_set(ctx, sts, PropagationPolicy::Orphan, false).await?;
    }
    if args.no_wait {
        let message = format!(
            "deletion of statefulset {}/{} requested with --orphan; not waiting (--no-wait): its pods keep running",
            run.plan.namespace, run.plan.name
        );
        return Ok(Some((OutcomeKind::NotWaited, message)));
    }
    let selector = run.plan.selector.clone().unwrap_or_default();
    wait_orphaned(ctx, sts, &selector, deadline_after(ctx.timeout))
        .await
        .map_err(|end| {
            stopped(
                ctx,
                args,
                end,
                "the set is being deleted with --orphan; its pods keep running",
            )
        })?;
    Ok(None)
}

/// Ordered teardown: scale to 0, wait for each pod to go, delete the set and wait for it.
async fn teardown(
    ctx: &Context,
    args: &DeleteArgs,
    run: &mut Run,
    sts: StatefulSet,
) -> Result<Option<(OutcomeKind, String)>> {
    let mut sts = sts;
    if run.plan.has(|s| matches!(s, DeleteStep::ScaleToZero { .. })) {
        sts = scale_to_zero(ctx, run, sts).await?;
    }
    if args.no_wait {
        let message = format!(
            "spec.replicas of statefulset {}/{} is 0; not waiting (--no-wait): the controller removes the pods {}; re-run `{}` to finish",
            run.plan.namespace,
            run.plan.name,
            run.plan.removal().1,
            resume_command(args)
        );
        return Ok(Some((OutcomeKind::NotWaited, message)));
    }
    if let Some(scale) = run.plan.scale.clone().filter(|s| !s.pods.is_empty()) {
        let (result, progress) = super::scale::wait(ctx, &scale, &sts).await;
        let kind = result
            .as_ref()
            .err()
            .map_or(OutcomeKind::Done, WaitEnd::outcome_kind);
        run.pods = super::scale::outcome(kind, String::new(), &scale, Some(&progress)).pods;
        result.map_err(|end| {
            stopped(
                ctx,
                args,
                end,
                "spec.replicas is 0 and the controller goes on removing pods",
            )
        })?;
    }
    if run.plan.has(|s| matches!(s, DeleteStep::DeleteSet { .. })) {
        delete_set(ctx, &sts, PropagationPolicy::Background, false).await?;
    }
    wait_set_gone(ctx, &sts, deadline_after(ctx.timeout))
        .await
        .map_err(|end| stopped(ctx, args, end, "the set is being deleted"))?;
    Ok(None)
}

/// Writes `spec.replicas: 0`; on a conflict re-reads and re-plans: the same steps go on, other
/// ones are shown and asked again (refused without a terminal or with `--yes`).
async fn scale_to_zero(ctx: &Context, run: &mut Run, mut sts: StatefulSet) -> Result<StatefulSet> {
    loop {
        match apply::scale_set(ctx, &sts, 0, false).await {
            Ok(()) => return fetch::statefulset(ctx, &run.plan.name).await,
            Err(err) if is_conflict(&err) => {}
            Err(err) => return Err(err),
        }
        let (fresh, storage) = fetch::set_storage(ctx, &run.plan.name).await?;
        let replanned = plan_delete(&fresh, &storage, run.plan.mode, run.plan.delete_claims);
        if !replanned.same_changes(&run.plan) {
            if !ctx.interactive || ctx.assume_yes {
                let message = format!(
                    "statefulset {}/{} changed while planning; nothing was changed: re-run to plan against the new state",
                    run.plan.namespace, run.plan.name
                );
                return Err(StsError::Conflict(message).into());
            }
            eprintln!("The set changed while planning; the new plan:");
            show_plan(ctx, &replanned)?;
            ask(ctx, &replanned)?;
        }
        run.plan = replanned;
        sts = fresh;
        if !run.plan.has(|s| matches!(s, DeleteStep::ScaleToZero { .. })) {
            return Ok(sts);
        }
    }
}

/// Waits until the set `sts` (by uid) is gone and no pod of its selector carries an
/// ownerReference to it (the garbage collector released them).
pub(crate) async fn wait_orphaned(
    ctx: &Context,
    sts: &StatefulSet,
    selector: &str,
    deadline: Instant,
) -> Result<(), WaitEnd> {
    wait_set_gone(ctx, sts, deadline).await?;
    let uid = sts.metadata.uid.clone().unwrap_or_default();
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let mut pods = KindWatch::start(api, watcher::Config::default().labels(selector));
    pods.until(deadline, |pods| {
        match still_owned(pods.iter().map(|p| p.as_ref()), &uid).is_empty() {
            true => Check::Done(()),
            false => Check::Waiting,
        }
    })
    .await
}

/// Waits until no set of that name has `sts`'s uid.
pub(crate) async fn wait_set_gone(
    ctx: &Context,
    sts: &StatefulSet,
    deadline: Instant,
) -> Result<(), WaitEnd> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let by_name = watcher::Config::default().fields(&format!("metadata.name={}", set::name(sts)));
    let mut sets = KindWatch::start(api, by_name);
    sets.until(deadline, |sets| {
        match sets.iter().any(|s| s.metadata.uid == sts.metadata.uid) {
            true => Check::Waiting,
            false => Check::Done(()),
        }
    })
    .await
}

/// Deletes the confirmed claims that are still the same claims and unused, then waits until
/// they are gone.
async fn delete_claims(ctx: &Context, args: &DeleteArgs, run: &mut Run) -> Result<()> {
    let storage = fetch::storage(ctx).await?;
    let mut doomed: Vec<ClaimRow> = Vec::new();
    for row in run.plan.claims_to_delete() {
        let live = storage.claim(&row.claim).filter(|c| c.metadata.uid == row.uid);
        let users = storage.users(&row.claim);
        if live.is_some() && !users.is_empty() {
            eprintln!(
                "Keeping claim {}: it is now in use by pod {}",
                row.claim,
                users.join(", ")
            );
            continue;
        }
        if live.is_some() {
            apply::delete_claim(ctx, &row.claim, row.uid.as_deref().unwrap_or_default(), false).await?;
        }
        doomed.push(row.clone());
    }
    wait_claims_gone(ctx, &doomed)
        .await
        .map_err(|end| stopped(ctx, args, end, "the claims are being deleted"))
}

/// Waits until none of `claims` (name and uid) is left, showing each one's state.
pub(crate) async fn wait_claims_gone(ctx: &Context, claims: &[ClaimRow]) -> Result<(), WaitEnd> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let mut watch = KindWatch::start(api, watcher::Config::default());
    let names = claims.iter().map(|c| c.claim.clone()).collect();
    let mut progress = PodProgress::new(names, ctx.interactive);
    let result = watch
        .until(deadline_after(ctx.timeout), |live| {
            let live: Vec<PersistentVolumeClaim> = live.iter().map(|c| c.as_ref().clone()).collect();
            let states = deletion_states(claims, &live);
            progress.update(&states);
            match states.iter().all(|s| s.done) {
                true => Check::Done(()),
                false => Check::Waiting,
            }
        })
        .await;
    progress.finish();
    result
}

/// The error for a wait that stopped early: where things stand and how to resume.
fn stopped(ctx: &Context, args: &DeleteArgs, end: WaitEnd, state: &str) -> anyhow::Error {
    let resume = format!("re-run `{}` to resume", resume_command(args));
    end.into_error(
        ctx.timeout,
        state,
        &resume,
        &format!("statefulset {} was deleted", args.name),
    )
}

fn resume_command(args: &DeleteArgs) -> String {
    let mut command = format!("kubectl sts delete {}", args.name);
    if args.orphan {
        command.push_str(" --orphan");
    }
    if args.delete_pvcs {
        command.push_str(" --delete-pvcs");
    }
    command
}

/// What the set left, read again now.
async fn remains_now(ctx: &Context, plan: &DeletePlan) -> Result<Remains> {
    Ok(remains(plan, &fetch::storage(ctx).await?))
}

/// Prints the end: what was left and the message (tables), or the whole document.
fn finish(ctx: &Context, run: &Run, kind: OutcomeKind, message: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let remains = run.remains.as_ref();
    match ctx.output {
        OutputFormat::Table if kind.is_success() => {
            if let Some(left) = remains.filter(|_| run.plan.mode == DeleteMode::Orphan || !run.plan.exists) {
                write_remains(
                    &mut out,
                    &run.plan,
                    left,
                    run.manifest.as_deref(),
                    Style::for_stdout(),
                )?;
            }
            writeln!(out, "{message}")?;
        }
        OutputFormat::Table => {}
        format => {
            let doc = DeleteResult {
                kind: "DeleteResult",
                version: "v1",
                plan: &run.plan,
                outcome: Outcome {
                    result: kind,
                    message: message.to_string(),
                    pods: run.pods.clone(),
                },
                manifest: run.manifest.as_deref(),
                remains,
                adopt: remains.and_then(|r| adopt_hint(&run.plan, r, run.manifest.as_deref())),
            };
            write_document(&mut out, format, &doc)?;
        }
    }
    out.flush()?;
    Ok(())
}
