//! The `pvc resize` plan as people read it (each claim grown or already big enough, the steps
//! round the immutable template, in order) and where each pod and claim ended up.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::table::{new_table, render};
use crate::model::flow::step::PodOutcome;
use crate::model::storage::resize::ResizePlan;

/// Writes the plan; `backup_dir` is where the manifest will be saved.
pub fn write_resize_plan(
    out: &mut dyn Write,
    plan: &ResizePlan,
    backup_dir: &str,
    style: Style,
) -> Result<()> {
    writeln!(
        out,
        "Resize claim template {} of statefulset {}/{}: {} -> {} (class {}, allows expansion)",
        plan.template,
        plan.namespace,
        plan.name,
        plan.from,
        plan.to,
        plan.storage_class.as_deref().unwrap_or("-")
    )?;
    writeln!(out)?;
    if !plan.claims.is_empty() {
        out.write_all(render(&claims_table(plan, style)).as_bytes())?;
        writeln!(out)?;
    }
    let mut steps = new_table(&["STEP", "ACTION"], style);
    for (index, step) in steps_of(plan, backup_dir).into_iter().enumerate() {
        steps.add_row(vec![Cell::new(index + 1), Cell::new(step)]);
    }
    out.write_all(render(&steps).as_bytes())?;
    Ok(())
}

/// Each claim of the template with what happens to it.
fn claims_table(plan: &ResizePlan, style: Style) -> comfy_table::Table {
    let mut table = new_table(
        &[
            "CLAIM",
            "ORDINAL",
            "REQUESTED",
            "CAPACITY",
            "CLASS",
            "USED BY",
            "ACTION",
        ],
        style,
    );
    for claim in &plan.claims {
        let action = match claim.patch {
            true => format!("grow to {}", plan.to),
            false => format!(
                "none (already asks for {})",
                claim.requested.as_deref().unwrap_or("?")
            ),
        };
        table.add_row(vec![
            Cell::new(&claim.claim),
            Cell::new(claim.ordinal),
            Cell::new(claim.requested.as_deref().unwrap_or("-")),
            Cell::new(claim.capacity.as_deref().unwrap_or("-")),
            Cell::new(claim.storage_class.as_deref().unwrap_or("-")),
            Cell::new(if claim.used_by.is_empty() {
                "-".into()
            } else {
                claim.used_by.join(",")
            }),
            Cell::new(action),
        ]);
    }
    table
}

fn steps_of(plan: &ResizePlan, backup_dir: &str) -> Vec<String> {
    let patched = plan.claims.iter().filter(|c| c.patch).count();
    let mut steps = Vec::new();
    if patched > 0 {
        steps.push(format!(
            "patch {patched} claim(s) to {} (each on condition of its resourceVersion)",
            plan.to
        ));
    }
    if plan.recreate {
        steps.push(format!(
            "save the set's manifest to a file in {backup_dir} (restore with `kubectl create -f` that file)"
        ));
        steps.push(format!(
            "delete the set with --orphan (on condition of its uid and resourceVersion): its {} pod(s) keep running",
            plan.pods.len()
        ));
        steps.push(format!(
            "create it again, identical but for volumeClaimTemplates {} = {}",
            plan.template, plan.to
        ));
        steps.push("wait until its controller adopts every pod (same uid, no restart)".into());
    }
    steps.push("wait until each claim has grown (or, unmounted, waits only for a pod to mount it)".into());
    steps
}

/// Where each pod and claim ended up.
pub fn write_resize_states(out: &mut dyn Write, states: &[PodOutcome], style: Style) -> Result<()> {
    if states.is_empty() {
        return Ok(());
    }
    let mut table = new_table(&["OBJECT", "STATE"], style);
    for state in states {
        table.add_row(vec![Cell::new(&state.pod), Cell::new(&state.state)]);
    }
    out.write_all(render(&table).as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{SetBuilder, claim, now};
    use crate::model::storage::claims::Storage;
    use crate::model::storage::quantity;
    use crate::model::storage::resize::plan_resize;
    use serde_json::json;

    #[test]
    fn the_plan_lists_claims_and_the_steps_round_the_immutable_template() {
        let set = SetBuilder::new("web").replicas(2).claim_template("www").build();
        let mut claims: Vec<_> = (0..3).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect();
        for c in &mut claims {
            c.spec.as_mut().unwrap().storage_class_name = Some("standard".into());
        }
        let class =
            json!({"metadata": {"name": "standard"}, "provisioner": "p", "allowVolumeExpansion": true});
        let storage = Storage {
            claims,
            pods: Vec::new(),
            volumes: None,
            classes: Some(vec![serde_json::from_value(class).unwrap()]),
            taken_at: now(),
            scope: crate::model::set::scope::Scope::namespace("default"),
        };
        let mut set = set;
        set.spec
            .as_mut()
            .unwrap()
            .volume_claim_templates
            .as_mut()
            .unwrap()[0]
            .spec
            .as_mut()
            .unwrap()
            .storage_class_name = Some("standard".into());
        let plan = plan_resize(&set, &storage, Some("www"), &quantity::parse("2Gi").unwrap()).unwrap();
        let mut out = Vec::new();
        write_resize_plan(&mut out, &plan, ".", Style::plain()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("Resize claim template www of statefulset default/web: 1Gi -> 2Gi"),
            "{text}"
        );
        assert!(text.contains("grow to 2Gi"), "{text}");
        assert!(text.contains("delete the set with --orphan"), "{text}");
    }
}
