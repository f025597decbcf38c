//! `kubectl sts wait NAME`: wait until a set has converged under its own strategy, for CI
//! after `helm upgrade` or a GitOps sync (the following is `engine::converge`'s). Exit 0
//! converged, 3 blocked, 4 timed out. Changes nothing.

use std::io::Write;

use anyhow::Result;

use crate::cli::{OutputFormat, WaitArgs};
use crate::context::Context;
use crate::engine::converge;
use crate::error::{StsError, is_not_found};
use crate::fetch;
use crate::model::diagnosis::convergence::{WaitOutcome, WaitReport};
use crate::output::wait::write_wait;
use crate::output::{Style, write_document};

/// Waits, prints the outcome, and exits by it.
pub async fn run(ctx: &Context, args: &WaitArgs) -> Result<()> {
    let first = match fetch::snapshot(ctx, &args.name).await {
        Err(err) if is_not_found(&err) => return Err(super::left_behind(ctx, &args.name, err).await),
        other => other?,
    };
    let report = converge::report(ctx, first).await?;
    print(ctx, &report)?;
    verdict(ctx, &report)
}

fn print(ctx: &Context, report: &WaitReport) -> Result<()> {
    let mut out = ctx.stdout();
    match ctx.output {
        OutputFormat::Table | OutputFormat::Wide => write_wait(&mut out, report, Style::for_stdout())?,
        format => write_document(&mut out, format, report)?,
    }
    out.flush()?;
    Ok(())
}

/// The exit: 0 converged, 3 blocked, 4 timed out.
fn verdict(ctx: &Context, report: &WaitReport) -> Result<()> {
    let set = format!("statefulset {}/{}", report.namespace, report.name);
    let why = format!("`{}`", ctx.sts(&format!("why {}", report.name)));
    match (report.outcome, &report.blocker) {
        (WaitOutcome::Converged, _) => Ok(()),
        (WaitOutcome::Blocked, Some(blocker)) => Err(StsError::CheckFailed(format!(
            "{set} is blocked: {}: {}; see {why}",
            blocker.object, blocker.what
        ))
        .into()),
        (WaitOutcome::Blocked, None) => {
            Err(StsError::CheckFailed(format!("{set} is blocked; see {why}")).into())
        }
        (WaitOutcome::TimedOut, _) => Err(StsError::TimedOut(format!(
            "{set} has not converged after {}: {}; see {why}",
            humantime::format_duration(ctx.timeout),
            report.waiting_on.as_deref().unwrap_or("it is still changing")
        ))
        .into()),
    }
}
