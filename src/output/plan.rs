//! The `plan` for people: per set, where it was read from and what happens to it, one line per
//! changed field (path, old -> new, how), the pods a rollout replaces in order, what the
//! manifest drops, lints and the owner; then the objects left alone. An apply's plan adds who
//! owns the fields it takes and its steps in order.

use std::io::Write;

use anyhow::Result;
use serde_json::Value;

use super::Style;
use super::table::{new_table, render};
use crate::model::change::apply::ApplyPlan;
use crate::model::change::plan::{Action, How, PlannedChange, SetPlan};

/// Writes every set's plan, then what is not handled here.
pub fn write_plan(out: &mut dyn Write, sets: &[SetPlan], not_handled: &[String], style: Style) -> Result<()> {
    for plan in sets {
        write_set(out, plan, style)?;
    }
    if !not_handled.is_empty() {
        writeln!(out, "not handled here (left alone): {}", not_handled.join("; "))?;
    }
    if sets.is_empty() {
        writeln!(out, "no StatefulSet in the input")?;
    }
    Ok(())
}

fn write_set(out: &mut dyn Write, plan: &SetPlan, style: Style) -> Result<()> {
    let action = match plan.action {
        Action::NoChange => "no change",
        Action::Change => "changes",
        Action::Create => "does not exist: created",
        Action::Refused => "refused (nothing will be done)",
    };
    writeln!(
        out,
        "statefulset {}/{} ({}): {action}",
        plan.namespace, plan.name, plan.source
    )?;
    if !plan.changes.is_empty() {
        let mut table = new_table(&["FIELD", "OLD", "NEW", "HOW"], style);
        for change in &plan.changes {
            table.add_row(vec![
                change.path.clone(),
                shown(&change.old),
                shown(&change.new),
                how(change),
            ]);
        }
        out.write_all(render(&table).as_bytes())?;
    }
    for change in plan.changes.iter().filter(|c| c.note.is_some()) {
        writeln!(
            out,
            "  {}: {}",
            change.path,
            change.note.as_deref().unwrap_or_default()
        )?;
    }
    if let Some(rollout) = &plan.rollout {
        let order = match plan.restarts.is_empty() {
            true => String::new(),
            false => format!(": {}", plan.restarts.join(", ")),
        };
        writeln!(out, "  pods: {rollout}{order}")?;
    }
    for line in plan
        .drops
        .iter()
        .map(|d| format!("dropped: {d}"))
        .chain(plan.lints.iter().map(|l| format!("lint: {l}")))
    {
        writeln!(out, "  {line}")?;
    }
    if let Some(owner) = &plan.owner {
        writeln!(out, "  {owner}")?;
    }
    Ok(())
}

/// An apply's plan: the set's plan, who owns the fields it takes, and the stages in order.
pub fn write_apply_plan(out: &mut dyn Write, plan: &ApplyPlan, style: Style) -> Result<()> {
    write_set(out, &plan.set, style)?;
    if let Some(ownership) = &plan.ownership {
        writeln!(out, "  fields: {ownership}")?;
    }
    if plan.set.action != Action::NoChange || plan.gated.is_some() {
        writeln!(out, "Steps:")?;
        for (number, step) in plan.steps.iter().enumerate() {
            writeln!(out, "  {}. {step}", number + 1)?;
        }
    }
    for line in &plan.gates {
        writeln!(out, "Gate: {line}")?;
    }
    Ok(())
}

fn how(change: &PlannedChange) -> String {
    match change.how {
        How::InPlace => "in place",
        How::Rollout => "rollout",
        How::Recreate => "re-create",
        How::Refused => "REFUSED",
    }
    .to_string()
}

/// A value on one line: strings bare, absent as `-`, the rest as compact JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "-".to_string(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
