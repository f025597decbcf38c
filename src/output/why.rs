//! The `why` report for people: a headline with what the controller is doing, then each
//! finding — severity, object, what is wrong — with its evidence indented under it and the
//! command to run next, and a closing count.

use std::io::Write;

use anyhow::Result;

use super::Style;
use crate::model::diagnosis::why::{Diagnosis, Finding, Severity};

/// Writes the report.
pub fn write_diagnosis(out: &mut dyn Write, diagnosis: &Diagnosis, style: Style) -> Result<()> {
    let set = format!("statefulset {}/{}", diagnosis.namespace, diagnosis.name);
    writeln!(out, "{set}: {}", diagnosis.progress)?;
    for finding in &diagnosis.grouped() {
        write_finding(out, finding, style)?;
    }
    let (blocked, warnings, info) = (
        diagnosis.count(Severity::Blocked),
        diagnosis.count(Severity::Warning),
        diagnosis.count(Severity::Info),
    );
    if blocked == 0 {
        writeln!(out, "nothing blocks {set} ({warnings} warning(s), {info} info)")?;
    } else {
        writeln!(out, "{blocked} blocker(s), {warnings} warning(s), {info} info")?;
    }
    Ok(())
}

pub fn write_finding(out: &mut dyn Write, finding: &Finding, style: Style) -> Result<()> {
    let label = format!("{:<8}", finding.severity.label().to_uppercase());
    writeln!(
        out,
        "{} {}: {}",
        paint(&label, finding.severity, style),
        finding.object,
        finding.what
    )?;
    for line in &finding.evidence {
        writeln!(out, "         {line}")?;
    }
    if let Some(next) = &finding.next {
        writeln!(out, "         next: {next}")?;
    }
    Ok(())
}

/// The severity label in red (blocked) or yellow (warning) when colour is allowed.
fn paint(text: &str, severity: Severity, style: Style) -> String {
    let code = match severity {
        _ if !style.color => return text.to_string(),
        Severity::Blocked => "31;1",
        Severity::Warning => "33",
        Severity::Info => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}
