//! The `wait` outcome for people: one line saying how the wait ended, the pods the strategy
//! leaves to a person with the command that moves them, and a blocker as `why` shows it.

use std::io::Write;

use anyhow::Result;

use super::Style;
use super::why::write_finding;
use crate::model::diagnosis::convergence::{WaitOutcome, WaitReport};

/// Writes the report.
pub fn write_wait(out: &mut dyn Write, report: &WaitReport, style: Style) -> Result<()> {
    let set = format!("statefulset {}/{}", report.namespace, report.name);
    let waited = format!("waited {}s", report.waited_seconds);
    match report.outcome {
        WaitOutcome::Converged => writeln!(
            out,
            "{set} converged: {}/{} Ready on {} ({waited})",
            report.ready_replicas,
            report.replicas,
            report.update_revision.as_deref().unwrap_or("?")
        )?,
        WaitOutcome::Blocked => writeln!(out, "{set} is blocked ({waited}): {}", report.progress)?,
        WaitOutcome::TimedOut => writeln!(
            out,
            "{set} has not converged ({waited}): {}",
            report.waiting_on.as_deref().unwrap_or(&report.progress)
        )?,
    }
    if let (false, Some(to)) = (report.left_outdated.is_empty(), &report.left_to) {
        writeln!(
            out,
            "{} left on an older revision by the update strategy: `{to}` moves them",
            report.left_outdated.join(", ")
        )?;
    }
    if let Some(blocker) = &report.blocker {
        write_finding(out, blocker, style)?;
    }
    Ok(())
}
