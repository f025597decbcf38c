//! Plans of the staged-rollout commands (rollout, canary, promote, abort, undo) and the
//! revision history, as people read them.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::age::age_or_dash;
use super::table::{new_table, render_fitted};
use crate::model::rollout::history::History;
use crate::model::rollout::revert::RevertPlan;
use crate::model::rollout::staged::{ImageChange, PromotePlan, RolloutPlan};
use crate::model::set::Strategy;
use crate::model::set::revision::RevisionSummary;

fn pods(name: &str, ordinals: &[i32]) -> String {
    if ordinals.is_empty() {
        return "none".into();
    }
    ordinals
        .iter()
        .map(|o| format!("{name}-{o}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The image changes, one line each.
pub fn write_changes(out: &mut dyn Write, changes: &[ImageChange]) -> Result<()> {
    for change in changes {
        let kind = if change.init {
            "init container"
        } else {
            "container"
        };
        writeln!(
            out,
            "  {kind} {}: {} -> {}",
            change.container, change.from, change.to
        )?;
    }
    if changes.is_empty() {
        writeln!(out, "  (no image changes)")?;
    }
    Ok(())
}

/// The rollout (or canary) plan.
pub fn write_rollout_plan(out: &mut dyn Write, plan: &RolloutPlan) -> Result<()> {
    writeln!(
        out,
        "Roll out to statefulset {}/{} ({:?}):",
        plan.namespace, plan.name, plan.strategy
    )?;
    write_changes(out, &plan.changes)?;
    if let Some(revision) = &plan.in_flight {
        writeln!(
            out,
            "Warning: a rollout to {revision} is in flight; this one replaces it"
        )?;
    }
    match plan.strategy {
        Strategy::RollingUpdate => writeln!(
            out,
            "Partition: {} (template and partition in one write)",
            plan.partition
        )?,
        Strategy::OnDelete => writeln!(out, "Roll now: ordinals from {} up", plan.partition)?,
    }
    writeln!(
        out,
        "Moves now (highest first): {}",
        pods(&plan.name, &plan.moves_now)
    )?;
    let stays = if plan.stays.is_empty() {
        "none".to_string()
    } else {
        plan.stays.join(", ")
    };
    writeln!(out, "Stays until promoted: {stays}")?;
    for note in &plan.notes {
        writeln!(out, "Note: {note}")?;
    }
    Ok(())
}

/// The promote plan.
pub fn write_promote_plan(out: &mut dyn Write, plan: &PromotePlan) -> Result<()> {
    let what = match plan.strategy {
        Strategy::RollingUpdate => format!("partition {} -> {}", plan.from_partition, plan.to_partition),
        Strategy::OnDelete => format!(
            "OnDelete: roll ordinals from {} up (now from {})",
            plan.to_partition, plan.from_partition
        ),
    };
    writeln!(
        out,
        "Promote statefulset {}/{} to {}: {what}",
        plan.namespace, plan.name, plan.update_revision
    )?;
    writeln!(
        out,
        "Moves now (highest first, each after the previous is Ready): {}",
        pods(&plan.name, &plan.moves)
    )?;
    Ok(())
}

fn revision_text(revision: &RevisionSummary) -> String {
    let images: Vec<String> = revision
        .images
        .iter()
        .map(|i| format!("{}={}", i.container, i.image))
        .collect();
    let number = revision.number.map_or_else(|| "?".into(), |n| n.to_string());
    format!("{} (#{number}) {}", revision.name, images.join(" "))
}

/// The abort or undo plan.
pub fn write_revert_plan(out: &mut dyn Write, verb: &str, plan: &RevertPlan) -> Result<()> {
    writeln!(
        out,
        "{verb} statefulset {}/{} ({:?}):",
        plan.namespace, plan.name, plan.strategy
    )?;
    writeln!(out, "  template back to {}", revision_text(&plan.to_revision))?;
    if let Some(from) = &plan.from_revision {
        writeln!(out, "  leaving         {}", revision_text(from))?;
    }
    for pod in &plan.delete_pods {
        writeln!(out, "  delete {}: {}", pod.pod, pod.reason)?;
    }
    if !plan.roll_pods.is_empty() {
        writeln!(
            out,
            "  roll back one at a time (OnDelete): {}",
            pods(&plan.name, &plan.roll_pods)
        )?;
    }
    if let Some(partition) = plan.restore_partition {
        writeln!(out, "  then put the partition back to {partition}")?;
    }
    for note in &plan.notes {
        writeln!(out, "Note: {note}")?;
    }
    Ok(())
}

/// The history table's columns a narrow terminal leaves out, least important first
/// (`REVISION` and `CHANGES` always stay).
const HISTORY_COLUMNS_LEAST_FIRST: &[&str] = &["AGE", "PODS", "NAME", "MARK", "IMAGES"];

/// The revision history table.
pub fn write_history(out: &mut dyn Write, history: &History, style: Style) -> Result<()> {
    writeln!(out, "StatefulSet {}/{}", history.namespace, history.name)?;
    let mut table = new_table(
        &["REVISION", "NAME", "AGE", "PODS", "MARK", "IMAGES", "CHANGES"],
        style,
    );
    let mut listed_before = None;
    for entry in &history.revisions {
        let mut marks: Vec<&str> = Vec::new();
        marks.extend(entry.current.then_some("current"));
        marks.extend(entry.update.then_some("update"));
        marks.extend(entry.abandoned.then_some("abandoned"));
        let mark = marks.join(", ");
        let images: Vec<String> = entry
            .images
            .iter()
            .map(|i| format!("{}={}", i.container, i.image))
            .collect();
        let changes = match (entry.changes.is_empty(), entry.from) {
            (true, _) => "-".to_string(),
            (false, Some(from)) if Some(from) != listed_before => {
                format!("from #{from}:\n{}", entry.changes.join("\n"))
            }
            (false, _) => entry.changes.join("\n"),
        };
        listed_before = Some(entry.number);
        table.add_row(vec![
            Cell::new(entry.number),
            Cell::new(&entry.name),
            Cell::new(age_or_dash(entry.age_seconds)),
            Cell::new(entry.pods),
            Cell::new(mark),
            Cell::new(images.join("\n")),
            Cell::new(changes),
        ]);
    }
    out.write_all(render_fitted(&mut table, style, HISTORY_COLUMNS_LEAST_FIRST).as_bytes())?;
    Ok(())
}
