//! The roll plan as people read it: which pods are replaced, in which order, which are skipped
//! and why, and how they are taken down.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::table::{new_table, render};
use crate::model::flow::group::{FEW, Run, runs, span};
use crate::model::rollout::roll::{Method, RollPlan, RollStep};

/// Writes the plan; more than `FEW` pods are grouped into runs unless `wide`.
pub fn write_roll_plan(out: &mut dyn Write, plan: &RollPlan, style: Style, wide: bool) -> Result<()> {
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
    let key = |s: &RollStep| (s.replace, s.revision.clone(), s.note.clone());
    let grouped = runs(&plan.steps, |s| s.ordinal, key).into_iter().flat_map(|run| {
        match plan.steps.len() > FEW && !wide {
            true => vec![run],
            false => (run.start..run.start + run.len)
                .map(|start| Run { start, len: 1 })
                .collect(),
        }
    });
    let mut replaced = 0;
    for run in grouped {
        let first = &plan.steps[run.start];
        let last = &plan.steps[run.start + run.len - 1];
        let number = match (first.replace, run.len) {
            (false, _) => "-".to_string(),
            (true, 1) => (replaced + 1).to_string(),
            (true, len) => format!("{}-{}", replaced + 1, replaced + len),
        };
        if first.replace {
            replaced += run.len;
        }
        table.add_row(vec![
            Cell::new(number),
            Cell::new(span(&first.pod, &last.pod, run.len)),
            Cell::new(first.revision.as_deref().unwrap_or("-")),
            Cell::new(&first.note),
        ]);
    }
    out.write_all(render(&table).as_bytes())?;
    Ok(())
}
