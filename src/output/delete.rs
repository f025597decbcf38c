//! The deletion plan as people read it (the steps in order, the pods removed one by one or
//! kept, every claim kept or deleted with its data's fate), and what a deleted set left behind
//! with how to adopt it again.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::claims::write_doomed_claims;
use super::table::{new_table, render};
use crate::model::scale::delete::{DeleteMode, DeletePlan, DeleteStep, Remains};
use crate::model::set::PodManagement;

/// Writes the plan.
pub fn write_delete_plan(out: &mut dyn Write, plan: &DeletePlan, style: Style) -> Result<()> {
    writeln!(out, "{}", headline(plan))?;
    if let Some(scale) = plan.scale.as_ref().filter(|s| !s.pods.is_empty()) {
        writeln!(out, "Order: {}", scale.ordering)?;
    }
    if !plan.steps.is_empty() {
        writeln!(out)?;
        let mut table = new_table(&["STEP", "ACTION"], style);
        for (index, step) in plan.steps.iter().enumerate() {
            table.add_row(vec![Cell::new(index + 1), Cell::new(step_text(plan, step))]);
        }
        out.write_all(render(&table).as_bytes())?;
    }
    write_claims_part(out, plan, style)?;
    for warning in &plan.warnings {
        writeln!(out, "Warning: {warning}")?;
    }
    Ok(())
}

fn headline(plan: &DeletePlan) -> String {
    let whose = format!("statefulset {}/{}", plan.namespace, plan.name);
    match (plan.exists, plan.mode) {
        (false, _) => format!(
            "{} does not exist (already deleted); it left {} pod(s) and {} claim(s)",
            capitalised(&whose).replacen("Statefulset", "StatefulSet", 1),
            plan.pods.len(),
            plan.claims.len()
        ),
        (true, DeleteMode::Orphan) => format!(
            "Delete {whose} with --orphan: the set goes; its {} pod(s) keep running and its {} claim(s) stay",
            plan.pods.len(),
            plan.claims.len()
        ),
        (true, DeleteMode::Ordered) => format!(
            "Delete {whose}: ordered teardown of {} pod(s), then the set",
            plan.pods.len()
        ),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn step_text(plan: &DeletePlan, step: &DeleteStep) -> String {
    match step {
        DeleteStep::ScaleToZero { from } => {
            format!(
                "scale from {from} to 0 replicas (scale subresource, on condition of the resourceVersion)"
            )
        }
        DeleteStep::AwaitPodsGone { pods } => {
            let parallel = plan.scale.as_ref().map(|s| s.pod_management) == Some(PodManagement::Parallel);
            match parallel {
                true => format!("wait for {} to be gone (Parallel: all at once)", pods.join(", ")),
                false => format!("wait for {} to be gone, in that order", pods.join(", ")),
            }
        }
        DeleteStep::DeleteSet { propagation } => format!(
            "delete the statefulset (propagationPolicy {propagation}, on condition of its uid {})",
            plan.uid.as_deref().unwrap_or("?")
        ),
        DeleteStep::AwaitSetGone if plan.mode == DeleteMode::Orphan => {
            "wait until it is gone and no pod names it as owner any more".into()
        }
        DeleteStep::AwaitSetGone => "wait until it is gone".into(),
        DeleteStep::DeleteClaims { claims } => format!(
            "delete {} claim(s), each on condition of its uid (below)",
            claims.len()
        ),
    }
}

fn write_claims_part(out: &mut dyn Write, plan: &DeletePlan, style: Style) -> Result<()> {
    let doomed = plan.claims_to_delete();
    let kept: Vec<&str> = plan
        .claims
        .iter()
        .filter(|c| !doomed.iter().any(|d| d.claim == c.claim))
        .map(|c| c.claim.as_str())
        .collect();
    if !doomed.is_empty() {
        writeln!(out, "\nClaims deleted after the set (--delete-pvcs):")?;
        write_doomed_claims(out, &doomed, &plan.skipped, style)?;
    }
    if !kept.is_empty() && plan.skipped.is_empty() {
        writeln!(
            out,
            "\nClaims kept: {} (a set named {} created again re-attaches them)",
            kept.join(", "),
            plan.name
        )?;
    }
    if plan.claims.is_empty() {
        writeln!(out, "\nNo claims.")?;
    }
    Ok(())
}

/// What the deleted set left, and how to adopt it again.
pub fn write_remains(
    out: &mut dyn Write,
    plan: &DeletePlan,
    remains: &Remains,
    manifest: Option<&str>,
    style: Style,
) -> Result<()> {
    if !remains.pods.is_empty() {
        writeln!(out, "\nPods left running:")?;
        let mut table = new_table(
            &["POD", "STATUS", "READY", "RESTARTS", "NODE", "OWNER", "UID"],
            style,
        );
        for pod in &remains.pods {
            table.add_row(vec![
                Cell::new(&pod.pod),
                Cell::new(&pod.phase),
                Cell::new(if pod.ready { "yes" } else { "no" }),
                Cell::new(pod.restarts),
                Cell::new(pod.node.as_deref().unwrap_or("-")),
                Cell::new(pod.controller.as_deref().unwrap_or("none")),
                Cell::new(pod.uid.as_deref().unwrap_or("-")),
            ]);
        }
        out.write_all(render(&table).as_bytes())?;
    }
    if !remains.claims.is_empty() {
        writeln!(out, "\nClaims left:")?;
        let mut table = new_table(&["CLAIM", "STATUS", "CAPACITY", "VOLUME", "USED BY"], style);
        for claim in &remains.claims {
            table.add_row(vec![
                Cell::new(&claim.claim),
                Cell::new(claim.phase.as_deref().unwrap_or("-")),
                Cell::new(claim.capacity.as_deref().unwrap_or("-")),
                Cell::new(claim.volume.as_deref().unwrap_or("-")),
                Cell::new(if claim.used_by.is_empty() {
                    "-".into()
                } else {
                    claim.used_by.join(",")
                }),
            ]);
        }
        out.write_all(render(&table).as_bytes())?;
    }
    if let Some(hint) = adopt_hint(plan, remains, manifest) {
        writeln!(out, "\n{hint}")?;
    }
    Ok(())
}

/// How to take the pods and claims back.
pub fn adopt_hint(plan: &DeletePlan, remains: &Remains, manifest: Option<&str>) -> Option<String> {
    if remains.pods.is_empty() && remains.claims.is_empty() {
        return None;
    }
    let selector = plan
        .selector
        .as_deref()
        .map(|s| format!(" whose selector matches them ({s})"))
        .unwrap_or_default();
    let how = manifest
        .map(|m| format!(", e.g. `kubectl create -f {m}` (the saved manifest)"))
        .unwrap_or_default();
    Some(format!(
        "To adopt them again, create a StatefulSet named {}{selector}{how}: its controller becomes their owner again, keeps pods whose revision matches its template running as they are, and re-attaches the claims.",
        plan.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scale::delete::{plan_delete, remains};
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, now};
    use crate::model::storage::claims::Storage;

    fn storage() -> Storage {
        Storage {
            claims: (0..3).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect(),
            pods: (0..3)
                .map(|o| PodBuilder::new("web", o, "web-r1").build())
                .collect(),
            volumes: None,
            classes: None,
            taken_at: now(),
            scope: crate::model::set::scope::Scope::namespace("default"),
        }
    }

    fn text(plan: &DeletePlan) -> String {
        let mut out = Vec::new();
        write_delete_plan(&mut out, plan, Style::plain()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_teardown_plan_lists_pods_in_order_and_what_becomes_of_claims() {
        let set = SetBuilder::new("web").claim_template("www").build();
        let plain = text(&plan_delete(&set, &storage(), DeleteMode::Ordered, false));
        assert!(
            plain.contains("wait for web-2, web-1, web-0 to be gone, in that order"),
            "{plain}"
        );
        assert!(
            plain.contains("Claims kept: www-web-0, www-web-1, www-web-2"),
            "{plain}"
        );
        let doomed = text(&plan_delete(&set, &storage(), DeleteMode::Ordered, true));
        assert!(
            doomed.contains(
                "reclaim policy unknown (persistentvolumes cannot be read): assume the data is gone"
            ),
            "{doomed}"
        );
    }

    #[test]
    fn after_an_orphan_delete_the_hint_names_the_manifest_and_selector() {
        let set = SetBuilder::new("web").claim_template("www").build();
        let plan = plan_delete(&set, &storage(), DeleteMode::Orphan, false);
        let mut out = Vec::new();
        write_remains(
            &mut out,
            &plan,
            &remains(&plan, &storage()),
            Some("./web.yaml"),
            Style::plain(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("create a StatefulSet named web whose selector matches them (app=web), e.g. `kubectl create -f ./web.yaml`"), "{text}");
        assert!(text.contains("web-2   Running   yes"), "{text}");
    }
}
