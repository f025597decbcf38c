//! `kubectl sts status NAME [--watch]`: the one screen about a set. With `--watch`, redraw on
//! every change of the set, its pods, claims or revisions (watches, not polling).

use std::io::{IsTerminal, Write};

use anyhow::Result;

use crate::cli::{OutputFormat, StatusArgs};
use crate::context::Context;
use crate::error::{StsError, is_not_found};
use crate::fetch;
use crate::model::diagnosis::status::status_report;
use crate::model::diagnosis::why::Around;
use crate::model::set::snapshot::SetSnapshot;
use crate::output::{Style, status::write_status, write_document};
use crate::wait::{Check, SetWatch, WaitEnd, deadline_after};

/// Shows the set once, or keeps showing it with `--watch`.
pub async fn run(ctx: &Context, args: &StatusArgs) -> Result<()> {
    let snap = match fetch::snapshot(ctx, &args.name).await {
        Err(err) if is_not_found(&err) => return Err(super::left_behind(ctx, &args.name, err).await),
        other => other?,
    };
    if !args.watch {
        let around = fetch::nodes_of_unready_pods(ctx, &snap).await;
        let rendered = render(ctx, &snap, &around, Frame::Single);
        // The process ends with this command: a large set's thousands of objects are left to
        // the operating system rather than freed one by one (a tenth of `status` on 1000 pods).
        std::mem::forget(snap);
        return rendered;
    }
    watch(ctx, snap).await
}

/// Which frame of the output is being written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// The only one (no `--watch`).
    Single,
    /// The first of a `--watch` stream.
    First,
    /// A later one: a redraw on a terminal, else appended after a separator.
    Next,
}

fn render(ctx: &Context, snap: &SetSnapshot, around: &Around, frame: Frame) -> Result<()> {
    let report = status_report(snap, around);
    let mut out = ctx.stdout();
    match (ctx.output, frame) {
        (OutputFormat::Table | OutputFormat::Wide, _) => {
            if frame == Frame::Next && std::io::stdout().is_terminal() {
                out.write_all(b"\x1b[H\x1b[2J")?;
            } else if frame == Frame::Next {
                writeln!(out, "---")?;
            }
            write_status(&mut out, &report, Style::for_stdout().wide(ctx.wide))?;
        }
        (OutputFormat::Json, Frame::First | Frame::Next) => {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        }
        (OutputFormat::Yaml, Frame::First | Frame::Next) => {
            writeln!(out, "---")?;
            write_document(&mut out, OutputFormat::Yaml, &report)?;
        }
        (format, Frame::Single) => write_document(&mut out, format, &report)?,
    }
    out.flush()?;
    Ok(())
}

async fn watch(ctx: &Context, first: SetSnapshot) -> Result<()> {
    let around = fetch::nodes_of_unready_pods(ctx, &first).await;
    render(ctx, &first, &around, Frame::First)?;
    let mut watch = SetWatch::start(ctx, &first.set);
    let mut last = without_ages(&first)?;
    let redraw = |snap: &SetSnapshot| -> Check<()> {
        match without_ages(snap) {
            Ok(report) if report == last => Check::Waiting,
            Ok(report) => {
                last = report;
                // Redrawn from the watched objects alone: nodes are not watched.
                render(ctx, snap, &Around::default(), Frame::Next)
                    .map_or_else(Check::Failed, |()| Check::Waiting)
            }
            Err(err) => Check::Failed(err),
        }
    };
    match watch.until(deadline_after(ctx.timeout), redraw).await {
        Ok(()) | Err(WaitEnd::TimedOut) => Ok(()),
        Err(WaitEnd::SetGone) => {
            eprintln!("statefulset {}/{} was deleted", ctx.namespace, first.name());
            Ok(())
        }
        Err(WaitEnd::Interrupted) => Err(StsError::Interrupted("stopped watching".into()).into()),
        Err(WaitEnd::Failed(err)) => Err(err),
    }
}

/// The report without ages, which change by themselves: what a redraw is worth.
fn without_ages(snap: &SetSnapshot) -> Result<serde_json::Value> {
    let mut report = serde_json::to_value(status_report(snap, &Around::default()))?;
    for pod in report["pods"].as_array_mut().into_iter().flatten() {
        pod["age_seconds"] = serde_json::Value::Null;
    }
    Ok(report)
}
