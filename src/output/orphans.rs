//! What a set that is gone left under its name, for people: its pods without a set, its
//! claims, the step that was in flight and what to do next.

use std::io::Write;

use anyhow::Result;

use super::Style;
use super::table::new_table;
use crate::model::diagnosis::orphans::Orphaned;

/// The report on a name with no set.
pub fn write_orphaned(out: &mut dyn Write, left: &Orphaned, style: Style) -> Result<()> {
    writeln!(
        out,
        "No statefulset {}/{}, but it left {} pod(s) running without a set and {} claim(s)",
        left.namespace,
        left.name,
        left.pods.len(),
        left.claims.len()
    )?;
    if !left.pods.is_empty() {
        let mut table = new_table(&["POD", "PHASE", "READY", "UID"], style);
        for pod in &left.pods {
            let ready = if pod.ready { "yes" } else { "no" };
            table.add_row(vec![
                pod.pod.as_str(),
                pod.phase.as_str(),
                ready,
                pod.uid.as_str(),
            ]);
        }
        writeln!(out, "\n{table}")?;
    }
    if !left.claims.is_empty() {
        writeln!(out, "\nClaims: {}", left.claims.join(", "))?;
    }
    if let Some(record) = &left.record {
        writeln!(out, "\nIn flight: {}", record.describe(&left.scope))?;
    }
    writeln!(out, "\nNext: {}", left.next)?;
    Ok(())
}
