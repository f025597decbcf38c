//! `kubectl sts wait NAME`: wait until a set has converged under its own strategy
//! (`model::diagnosis::convergence`), for CI after `helm upgrade` or a GitOps sync. Watches the
//! set, its pods, claims and revisions and judges every change; stops at the first thing `why`
//! calls blocked (worded from a full read of the evidence), or at `--timeout`. Exit 0
//! converged, 3 blocked, 4 timed out. Changes nothing.

use std::io::Write;
use std::time::Instant;

use anyhow::Result;

use crate::cli::{OutputFormat, WaitArgs};
use crate::context::Context;
use crate::error::{StsError, is_not_found};
use crate::fetch;
use crate::model::diagnosis::convergence::{WaitOutcome, WaitReport, convergence, wait_report};
use crate::model::diagnosis::why::{Around, Finding, diagnose};
use crate::model::set::snapshot::SetSnapshot;
use crate::output::wait::write_wait;
use crate::output::{Style, write_document};
use crate::wait::{Check, SetWatch, WaitEnd, deadline_after};

/// How often a set that is not there yet is judged again from what the watches hold (no
/// request): grace periods and `minReadySeconds` pass without an event.
const REJUDGE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Waits, prints the outcome, and exits by it.
pub async fn run(ctx: &Context, args: &WaitArgs) -> Result<()> {
    let started = Instant::now();
    let first = match fetch::snapshot(ctx, &args.name).await {
        Err(err) if is_not_found(&err) => return Err(super::left_behind(ctx, &args.name, err).await),
        other => other?,
    };
    let (snap, outcome, blocker) = match judge(&first) {
        Judged::Converged => (first, WaitOutcome::Converged, None),
        Judged::Blocked(finding) => (first, WaitOutcome::Blocked, Some(finding)),
        Judged::Waiting(_) => watch(ctx, first).await?,
    };
    let blocker = match blocker {
        Some(seen) => Some(worded_by_why(ctx, &args.name, seen).await),
        None => None,
    };
    let report = wait_report(&snap, outcome, blocker, started.elapsed());
    print(ctx, &report)?;
    verdict(ctx, &report)
}

/// What one look at the set says.
enum Judged {
    Converged,
    Blocked(Finding),
    /// Not yet: the first thing missing.
    Waiting(String),
}

fn judge(snap: &SetSnapshot) -> Judged {
    let judged = convergence(snap);
    match judged.waiting_on {
        None => Judged::Converged,
        Some(missing) => match diagnose(snap, &Around::default()).top_blocker() {
            Some(blocker) => Judged::Blocked(blocker.clone()),
            None => Judged::Waiting(missing),
        },
    }
}

/// Follows the set until it converges or blocks; the snapshot it ended on, and how. What it
/// waits on goes to stderr each time it changes.
async fn watch(ctx: &Context, first: SetSnapshot) -> Result<(SetSnapshot, WaitOutcome, Option<Finding>)> {
    let mut watch = SetWatch::start(ctx, &first.set);
    let mut last = first;
    let mut said = String::new();
    let ended = watch
        .until(deadline_after(ctx.timeout), |snap| {
            last = snap.clone();
            match judge(snap) {
                Judged::Converged => Check::Done((WaitOutcome::Converged, None)),
                Judged::Blocked(finding) => Check::Done((WaitOutcome::Blocked, Some(finding))),
                Judged::Waiting(missing) => {
                    if missing != said {
                        eprintln!("waiting: {missing}");
                        said = missing;
                    }
                    Check::WaitingUntil(snap.taken_at + REJUDGE_EVERY)
                }
            }
        })
        .await;
    match ended {
        Ok((outcome, blocker)) => Ok((last, outcome, blocker)),
        Err(WaitEnd::TimedOut) => Ok((last, WaitOutcome::TimedOut, None)),
        Err(end) => Err(end.into_error(
            ctx.timeout,
            "nothing was changed",
            "run it again",
            &format!("statefulset {}/{} was deleted", ctx.namespace, last.name()),
        )),
    }
}

/// The blocker as `why` words it from a full read (events, quotas, volumes, nodes), or as the
/// snapshot showed it when that read no longer finds it.
async fn worded_by_why(ctx: &Context, name: &str, seen: Finding) -> Finding {
    match fetch::evidence(ctx, name).await {
        Ok((snap, around)) => diagnose(&snap, &around).top_blocker().cloned().unwrap_or(seen),
        Err(_) => seen,
    }
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
