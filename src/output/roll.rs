//! The roll plan as people read it: which pods are replaced, in which order, which are skipped
//! and why, and how they are taken down.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::table::{new_table, render};
use crate::model::roll::{Method, RollPlan};

/// Writes the plan.
pub fn write_roll_plan(out: &mut dyn Write, plan: &RollPlan, style: Style) -> Result<()> {
    let count = plan.replacements().count();
    let how = match plan.method {
        Method::Delete => "deleted (uid precondition)",
        Method::Evict => "evicted (PodDisruptionBudgets honoured)",
    };
    writeln!(
        out,
        "Roll statefulset {}/{} ({:?}) to update revision {}: {count} pod(s) to replace, one at a time, each {how} \
         once every other member is Ready, then waited for until its replacement is Ready",
        plan.namespace,
        plan.name,
        plan.strategy,
        plan.update_revision.as_deref().unwrap_or("?")
    )?;
    for note in &plan.notes {
        writeln!(out, "Note: {note}")?;
    }
    let mut table = new_table(&["STEP", "POD", "REVISION", "ACTION"], style);
    let mut step_number = 0;
    for step in &plan.steps {
        let number = if step.replace {
            step_number += 1;
            step_number.to_string()
        } else {
            "-".to_string()
        };
        table.add_row(vec![
            Cell::new(number),
            Cell::new(&step.pod),
            Cell::new(step.revision.as_deref().unwrap_or("-")),
            Cell::new(&step.note),
        ]);
    }
    out.write_all(render(&table).as_bytes())?;
    Ok(())
}
