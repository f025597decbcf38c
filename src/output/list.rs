//! The `list` table.

use std::io::Write;

use anyhow::Result;

use super::Style;
use super::age::age_or_dash;
use super::table::{new_table, render, verdict_cell};
use crate::model::diagnosis::list::SetList;

/// Writes the lists as one table; with `all_namespaces` a NAMESPACE column comes first, and a
/// CONTEXT column before it when the lists come from several contexts (named beside each).
pub fn write_list(
    out: &mut dyn Write,
    lists: &[(Option<&str>, &SetList)],
    all_namespaces: bool,
    style: Style,
) -> Result<()> {
    if lists
        .iter()
        .all(|(_, l)| l.items.is_empty() && l.orphaned.is_empty())
    {
        writeln!(out, "No StatefulSets found.")?;
        return Ok(());
    }
    let fleet = lists.iter().any(|(context, _)| context.is_some());
    let mut headers = vec![
        "NAME",
        "READY",
        "STRATEGY",
        "PARTITION",
        "UPDATED",
        "ROLLOUT",
        "AGE",
    ];
    let mut leading = Vec::new();
    if fleet {
        leading.push("CONTEXT");
    }
    if all_namespaces {
        leading.push("NAMESPACE");
    }
    headers.splice(0..0, leading);
    let mut table = new_table(&headers, style);
    let mut any_orphaned = false;
    for (context, list) in lists {
        let lead = |namespace: &str| -> Vec<comfy_table::Cell> {
            let mut cells = Vec::new();
            if fleet {
                cells.push(comfy_table::Cell::new(context.unwrap_or("-")));
            }
            if all_namespaces {
                cells.push(comfy_table::Cell::new(namespace));
            }
            cells
        };
        for item in &list.items {
            let mut row = lead(&item.namespace);
            row.extend([
                comfy_table::Cell::new(&item.name),
                verdict_cell(
                    format!("{}/{}", item.ready, item.desired),
                    item.ready >= item.desired,
                    style,
                ),
                comfy_table::Cell::new(format!("{:?}", item.strategy)),
                comfy_table::Cell::new(item.partition.map_or_else(|| "-".into(), |p| p.to_string())),
                comfy_table::Cell::new(format!("{}/{}", item.updated, item.existing)),
                comfy_table::Cell::new(item.rollout.as_deref().unwrap_or("-")),
                comfy_table::Cell::new(age_or_dash(item.age_seconds)),
            ]);
            table.add_row(row);
        }
        for orphan in &list.orphaned {
            let mut row = lead(&orphan.namespace);
            row.extend(
                [orphan.name.as_str(), "-", "-", "-", "-", "orphaned", "-"]
                    .into_iter()
                    .map(comfy_table::Cell::new),
            );
            table.add_row(row);
            any_orphaned = true;
        }
    }
    out.write_all(render(&table).as_bytes())?;
    if any_orphaned {
        writeln!(
            out,
            "orphaned: no set, but pods running without one or a step in flight; `kubectl sts status NAME` shows what is left"
        )?;
    }
    Ok(())
}
