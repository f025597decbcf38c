//! Claims as people read them: the `pvc` table (one row per claim per template per ordinal,
//! leftovers marked), its problems, and the list of claims a deletion takes with what becomes
//! of each volume's data (shared by `pvc --prune` and `delete --delete-pvcs`).

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::age::age_or_dash;
use super::table::{new_table, render, render_fitted, verdict_cell};
use crate::model::storage::claims::{ClaimRow, ClaimsReport, PrunePlan, SkippedClaim};

/// The `pvc` table's columns a narrow terminal leaves out, least important first (`CLAIM`,
/// `STATUS` and `CAPACITY` always stay).
const COLUMNS_LEAST_FIRST: &[&str] = &[
    "VOLUME",
    "TEMPLATE",
    "ORDINAL",
    "RECLAIM",
    "REQUESTED",
    "ACCESS",
    "AGE",
    "CLASS",
    "RESIZE",
    "USED BY",
];

/// Writes the `pvc` screen.
pub fn write_claims(out: &mut dyn Write, report: &ClaimsReport, style: Style) -> Result<()> {
    let last = report.ordinal_start + report.replicas - 1;
    let range = match report.replicas {
        0 => "no ordinals".to_string(),
        _ => format!("ordinals {}..{last}", report.ordinal_start),
    };
    writeln!(
        out,
        "StatefulSet {}/{}: {} replicas ({range}); claim templates: {}",
        report.namespace,
        report.name,
        report.replicas,
        if report.templates.is_empty() {
            "none".into()
        } else {
            report.templates.join(", ")
        }
    )?;
    writeln!(
        out,
        "Retention:   whenDeleted {}, whenScaled {}",
        report.retention.when_deleted, report.retention.when_scaled
    )?;
    writeln!(out)?;
    let mut claims = claims_table(&report.claims, style);
    out.write_all(render_fitted(&mut claims, style, COLUMNS_LEAST_FIRST).as_bytes())?;
    if !report.volumes_readable {
        writeln!(
            out,
            "Note: persistentvolumes cannot be listed: reclaim policies are unknown"
        )?;
    }
    if !report.classes_readable {
        writeln!(
            out,
            "Note: storageclasses cannot be listed: expansion support is unknown"
        )?;
    }
    for problem in &report.problems {
        writeln!(out, "Problem: {problem}")?;
    }
    Ok(())
}

fn claims_table(rows: &[ClaimRow], style: Style) -> comfy_table::Table {
    let headers = [
        "CLAIM",
        "ORDINAL",
        "TEMPLATE",
        "STATUS",
        "VOLUME",
        "REQUESTED",
        "CAPACITY",
        "CLASS",
        "ACCESS",
        "RECLAIM",
        "USED BY",
        "AGE",
        "RESIZE",
    ];
    let mut table = new_table(&headers, style);
    for row in rows {
        let healthy = row.leftover || row.phase.as_deref() == Some("Bound");
        table.add_row(vec![
            Cell::new(&row.claim),
            Cell::new(row.ordinal),
            Cell::new(&row.template),
            verdict_cell(status_text(row), healthy, style),
            Cell::new(row.volume.as_deref().unwrap_or("-")),
            Cell::new(row.requested.as_deref().unwrap_or("-")),
            Cell::new(row.capacity.as_deref().unwrap_or("-")),
            Cell::new(class_text(row)),
            Cell::new(access_text(&row.access_modes)),
            Cell::new(row.reclaim_policy.as_deref().unwrap_or("-")),
            Cell::new(dash_if_empty(row.used_by.join(","))),
            Cell::new(age_or_dash(row.age_seconds)),
            Cell::new(resize_text(row)),
        ]);
    }
    table
}

/// `Bound`, `Pending`, `Missing`, `Terminating`, with `, leftover` for ordinals outside the set.
fn status_text(row: &ClaimRow) -> String {
    let phase = match (&row.phase, row.exists, row.terminating) {
        (_, false, _) => "Missing".to_string(),
        (_, true, true) => "Terminating".to_string(),
        (Some(phase), true, false) => phase.clone(),
        (None, true, false) => "-".to_string(),
    };
    if row.leftover {
        format!("{phase}, leftover")
    } else {
        phase
    }
}

fn class_text(row: &ClaimRow) -> String {
    match (&row.storage_class, row.allows_expansion) {
        (None, _) => "-".into(),
        (Some(class), Some(true)) => format!("{class} (expandable)"),
        (Some(class), Some(false)) => format!("{class} (fixed size)"),
        (Some(class), None) => class.clone(),
    }
}

/// `RWO,RWX` as kubectl abbreviates access modes.
fn access_text(modes: &[String]) -> String {
    let short: Vec<&str> = modes
        .iter()
        .map(|m| match m.as_str() {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect();
    dash_if_empty(short.join(","))
}

fn resize_text(row: &ClaimRow) -> String {
    let conditions: Vec<&str> = row.resize_conditions.iter().map(|c| c.kind.as_str()).collect();
    match (conditions.is_empty(), row.resizing) {
        (false, _) => conditions.join(","),
        (true, true) => format!("to {}", row.requested.as_deref().unwrap_or("?")),
        (true, false) => "-".into(),
    }
}

fn dash_if_empty(text: String) -> String {
    if text.is_empty() { "-".into() } else { text }
}

/// What deleting the claim does to its data, by its volume's reclaim policy.
pub fn data_fate(row: &ClaimRow) -> String {
    let Some(volume) = row.volume.as_deref() else {
        return "no volume bound: no data".into();
    };
    match row.reclaim_policy.as_deref() {
        Some("Delete") => {
            format!("volume {volume} is deleted with it (reclaimPolicy Delete): the data is gone")
        }
        Some("Retain") => format!("volume {volume} is kept, Released, with its data (reclaimPolicy Retain)"),
        Some("Recycle") => {
            format!("volume {volume} is scrubbed for reuse (reclaimPolicy Recycle): the data is gone")
        }
        Some(other) => format!("volume {volume}: reclaimPolicy {other}"),
        None => format!(
            "volume {volume}: reclaim policy unknown (persistentvolumes cannot be read): assume the data is gone"
        ),
    }
}

/// The claims a deletion takes, each with its data's fate, and those it leaves alone.
pub fn write_doomed_claims(
    out: &mut dyn Write,
    claims: &[&ClaimRow],
    skipped: &[SkippedClaim],
    style: Style,
) -> Result<()> {
    if !claims.is_empty() {
        let mut table = new_table(&["CLAIM", "STATUS", "CAPACITY", "RECLAIM", "WHEN DELETED"], style);
        for row in claims {
            table.add_row(vec![
                Cell::new(&row.claim),
                Cell::new(status_text(row)),
                Cell::new(row.capacity.as_deref().unwrap_or("-")),
                Cell::new(row.reclaim_policy.as_deref().unwrap_or("unknown")),
                Cell::new(data_fate(row)),
            ]);
        }
        out.write_all(render(&table).as_bytes())?;
    }
    for skip in skipped {
        writeln!(out, "Kept: {} ({})", skip.claim, skip.reason)?;
    }
    Ok(())
}

/// The prune plan.
pub fn write_prune_plan(out: &mut dyn Write, plan: &PrunePlan, style: Style) -> Result<()> {
    writeln!(out)?;
    if plan.claims.is_empty() {
        writeln!(
            out,
            "No leftover claim of statefulset {}/{} to prune.",
            plan.namespace, plan.name
        )?;
    } else {
        writeln!(
            out,
            "Prune: delete {} leftover claim(s) of statefulset {}/{} that no pod uses:",
            plan.claims.len(),
            plan.namespace,
            plan.name
        )?;
    }
    let claims: Vec<&ClaimRow> = plan.claims.iter().collect();
    write_doomed_claims(out, &claims, &plan.skipped, style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{SetBuilder, claim, now};
    use crate::model::storage::claims::{Storage, claims_report, plan_prune};
    use serde_json::json;

    fn report() -> ClaimsReport {
        let set = SetBuilder::new("web").replicas(2).claim_template("www").build();
        let volumes = (0..3)
            .map(|o| {
                serde_json::from_value(json!({"metadata": {"name": format!("pv-www-web-{o}")},
                    "spec": {"persistentVolumeReclaimPolicy": if o == 2 { "Retain" } else { "Delete" }}}))
                .unwrap()
            })
            .collect();
        let storage = Storage {
            claims: (0..3).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect(),
            pods: Vec::new(),
            volumes: Some(volumes),
            classes: None,
            taken_at: now(),
            scope: crate::model::set::scope::Scope::namespace("default"),
        };
        claims_report(&set, &storage)
    }

    #[test]
    fn the_table_marks_leftovers_and_says_what_is_unknown() {
        let mut out = Vec::new();
        write_claims(&mut out, &report(), Style::plain()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("StatefulSet default/web: 2 replicas (ordinals 0..1); claim templates: www"),
            "{text}"
        );
        let line = text.lines().find(|l| l.starts_with("www-web-2")).unwrap();
        assert!(
            line.contains("Bound, leftover") && line.contains("Retain") && line.contains("RWO"),
            "{line}"
        );
        assert!(text.contains("storageclasses cannot be listed"), "{text}");
    }

    #[test]
    fn the_prune_plan_says_what_becomes_of_the_data() {
        let plan = plan_prune(&report());
        let mut out = Vec::new();
        write_prune_plan(&mut out, &plan, Style::plain()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("volume pv-www-web-2 is kept, Released, with its data (reclaimPolicy Retain)"),
            "{text}"
        );
    }
}
