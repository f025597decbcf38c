//! The `list` table.

use std::io::Write;

use anyhow::Result;

use super::Style;
use super::age::age_or_dash;
use super::table::{new_table, render, verdict_cell};
use crate::model::list::SetList;

/// Writes the list as a table; with `all_namespaces` a NAMESPACE column comes first.
pub fn write_list(out: &mut dyn Write, list: &SetList, all_namespaces: bool, style: Style) -> Result<()> {
    if list.items.is_empty() && list.orphaned.is_empty() {
        writeln!(out, "No StatefulSets found.")?;
        return Ok(());
    }
    let mut headers = vec![
        "NAME",
        "READY",
        "STRATEGY",
        "PARTITION",
        "UPDATED",
        "ROLLOUT",
        "AGE",
    ];
    if all_namespaces {
        headers.insert(0, "NAMESPACE");
    }
    let mut table = new_table(&headers, style);
    for item in &list.items {
        let mut row = vec![
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
        ];
        if all_namespaces {
            row.insert(0, comfy_table::Cell::new(&item.namespace));
        }
        table.add_row(row);
    }
    for orphan in &list.orphaned {
        let mut row: Vec<comfy_table::Cell> = [orphan.name.as_str(), "-", "-", "-", "-", "orphaned", "-"]
            .into_iter()
            .map(comfy_table::Cell::new)
            .collect();
        if all_namespaces {
            row.insert(0, comfy_table::Cell::new(&orphan.namespace));
        }
        table.add_row(row);
    }
    out.write_all(render(&table).as_bytes())?;
    if !list.orphaned.is_empty() {
        writeln!(
            out,
            "orphaned: no set, but pods running without one or a step in flight; `kubectl sts status NAME` shows what is left"
        )?;
    }
    Ok(())
}
