//! `kubectl sts pvc NAME [--prune]`: the set's claims from one get and four concurrent lists,
//! exit 3 naming any claim a current replica needs that is not Bound. With `--prune`, delete
//! the leftover claims no pod uses, after confirmation, each on condition of its uid; a change
//! between planning and deleting is re-planned, never overwritten.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::delete::wait_claims_gone;
use crate::apply;
use crate::cli::{OutputFormat, PvcArgs};
use crate::context::Context;
use crate::error::{StsError, outcome_kind};
use crate::fetch;
use crate::model::claims::{ClaimsReport, PrunePlan, claims_report, plan_prune};
use crate::model::step::{Outcome, OutcomeKind, PodOutcome};
use crate::output::claims::{write_claims, write_prune_plan};
use crate::output::prompt::confirm;
use crate::output::{Style, write_document};
use crate::preflight;

/// The `-o json|yaml` document of `--prune`.
#[derive(Serialize)]
struct PruneResult<'a> {
    kind: &'static str,
    version: &'static str,
    report: &'a ClaimsReport,
    plan: &'a PrunePlan,
    outcome: Outcome,
}

/// Shows the claims, and prunes leftovers with `--prune`.
pub async fn run(ctx: &Context, args: &PvcArgs) -> Result<()> {
    let name = args.name.as_deref().unwrap_or_default();
    let (sts, storage) = fetch::set_storage(ctx, name).await?;
    let report = claims_report(&sts, &storage);
    if ctx.output == OutputFormat::Table || !args.prune {
        print_report(ctx, &report)?;
    }
    if args.prune {
        let plan = plan_prune(&report);
        if ctx.output == OutputFormat::Table {
            let mut out = std::io::stdout().lock();
            write_prune_plan(&mut out, &plan, Style::for_stdout())?;
            out.flush()?;
        }
        let (plan, result) = match prune(ctx, args, plan).await {
            Ok((plan, kind, message)) => (plan, Ok((kind, message))),
            Err((plan, err)) => (plan, Err(err)),
        };
        finish_prune(ctx, &report, &plan, &result)?;
        result?;
    }
    check(&report)
}

fn print_report(ctx: &Context, report: &ClaimsReport) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match ctx.output {
        OutputFormat::Table => write_claims(&mut out, report, Style::for_stdout())?,
        format => write_document(&mut out, format, report)?,
    }
    out.flush()?;
    Ok(())
}

/// Exit 3 when a claim a current replica needs is not Bound.
fn check(report: &ClaimsReport) -> Result<()> {
    let Some(first) = report.problems.first() else {
        return Ok(());
    };
    let more = match report.problems.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Err(StsError::CheckFailed(format!(
        "statefulset {}/{}: {first}{more}; see `kubectl describe pvc` for why",
        report.namespace, report.name
    ))
    .into())
}

type Pruned = std::result::Result<(PrunePlan, OutcomeKind, String), (PrunePlan, anyhow::Error)>;

/// Confirms and deletes the plan's claims, re-planning if the set changed meanwhile.
async fn prune(ctx: &Context, args: &PvcArgs, plan: PrunePlan) -> Pruned {
    let whose = format!("statefulset {}/{}", plan.namespace, plan.name);
    if plan.claims.is_empty() {
        let message = format!("{whose} has no leftover claim to prune; nothing to do");
        return Ok((plan, OutcomeKind::NothingToDo, message));
    }
    if args.dry_run {
        return match delete_all(ctx, &plan, true).await {
            Ok(()) => {
                let message = "dry run: the server accepted every deletion; nothing was changed".to_string();
                Ok((plan, OutcomeKind::DryRun, message))
            }
            Err(err) => Err((plan, err)),
        };
    }
    if let Err(err) = preflight::require(ctx, &[preflight::DELETE_CLAIMS]).await {
        return Err((plan, err));
    }
    let plan = match confirm_fresh(ctx, plan).await {
        Ok(plan) => plan,
        Err(failed) => return Err(failed),
    };
    if let Err(err) = delete_all(ctx, &plan, false).await {
        return Err((plan, err));
    }
    let resume = format!("re-run `kubectl sts pvc {} --prune` to resume", plan.name);
    let what_went = format!("{whose} was deleted");
    match wait_claims_gone(ctx, &plan.claims).await {
        Ok(()) => {
            let message = format!("deleted {} leftover claim(s) of {whose}", plan.claims.len());
            Ok((plan, OutcomeKind::Done, message))
        }
        Err(end) => Err((
            plan,
            end.into_error(ctx.timeout, "the claims are being deleted", &resume, &what_went),
        )),
    }
}

/// Asks, then checks the plan against a fresh read: an unchanged plan goes on, a changed one
/// is shown and asked again (refused without a terminal or with `--yes`).
async fn confirm_fresh(
    ctx: &Context,
    mut plan: PrunePlan,
) -> std::result::Result<PrunePlan, (PrunePlan, anyhow::Error)> {
    loop {
        let whose = format!("statefulset {}/{}", plan.namespace, plan.name);
        let question = format!(
            "Delete {} leftover claim(s) of {whose}? Volumes with reclaimPolicy Delete lose their data.",
            plan.claims.len()
        );
        if let Err(err) = confirm(ctx, &question, &format!("delete leftover claims of {whose}")) {
            return Err((plan, err));
        }
        let fresh = match fetch::set_storage(ctx, &plan.name).await {
            Ok((sts, storage)) => plan_prune(&claims_report(&sts, &storage)),
            Err(err) => return Err((plan, err)),
        };
        let key = |p: &PrunePlan| {
            p.claims
                .iter()
                .map(|c| (c.claim.clone(), c.uid.clone()))
                .collect::<Vec<_>>()
        };
        if key(&fresh) == key(&plan) {
            return Ok(plan);
        }
        if !ctx.interactive || ctx.assume_yes {
            let message = format!(
                "{whose} or its claims changed while planning; nothing was deleted: re-run to plan against the new state"
            );
            return Err((plan, StsError::Conflict(message).into()));
        }
        eprintln!("The claims changed while planning; the new plan:");
        let mut err = std::io::stderr().lock();
        let _ = write_prune_plan(&mut err, &fresh, Style::plain());
        plan = fresh;
    }
}

async fn delete_all(ctx: &Context, plan: &PrunePlan, dry_run: bool) -> Result<()> {
    for claim in &plan.claims {
        apply::delete_claim(
            ctx,
            &claim.claim,
            claim.uid.as_deref().unwrap_or_default(),
            dry_run,
        )
        .await?;
    }
    Ok(())
}

/// Prints how the prune ended: its message (tables) or the whole document.
fn finish_prune(
    ctx: &Context,
    report: &ClaimsReport,
    plan: &PrunePlan,
    result: &Result<(OutcomeKind, String)>,
) -> Result<()> {
    let (kind, message) = match result {
        Ok((kind, message)) => (*kind, message.clone()),
        Err(err) => (outcome_kind(err), format!("{err:#}")),
    };
    let mut out = std::io::stdout().lock();
    match ctx.output {
        OutputFormat::Table if kind.is_success() => writeln!(out, "{message}")?,
        OutputFormat::Table => {}
        format => {
            let pods = plan
                .claims
                .iter()
                .map(|c| PodOutcome {
                    pod: c.claim.clone(),
                    state: if kind == OutcomeKind::Done {
                        "deleted"
                    } else {
                        "planned"
                    }
                    .into(),
                    done: kind == OutcomeKind::Done,
                    seconds: None,
                    old_uid: None,
                    new_uid: None,
                })
                .collect();
            let outcome = Outcome {
                result: kind,
                message,
                pods,
            };
            write_document(
                &mut out,
                format,
                &PruneResult {
                    kind: "PvcPruneResult",
                    version: "v1",
                    report,
                    plan,
                    outcome,
                },
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
