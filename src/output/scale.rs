//! The scale plan as people read it: direction, ordering, each pod with the fate of its
//! claims, disruption budgets and warnings.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::age::age_or_dash;
use super::table::{new_table, render};
use crate::model::scale::{ClaimFate, ClaimStep, PodAction, ScalePlan};

/// Writes the plan.
pub fn write_scale_plan(out: &mut dyn Write, plan: &ScalePlan, style: Style) -> Result<()> {
    writeln!(
        out,
        "Scale statefulset {}/{}: {} -> {} replicas",
        plan.namespace, plan.name, plan.from, plan.to
    )?;
    if plan.pods.is_empty() {
        writeln!(out, "No pod to create or remove.")?;
    } else {
        writeln!(out, "Order: {}", plan.ordering)?;
        writeln!(out)?;
        let mut table = new_table(&["STEP", "ACTION", "POD", "CLAIMS"], style);
        for (index, step) in plan.pods.iter().enumerate() {
            let action = match step.action {
                PodAction::Create => "create",
                PodAction::Await => "wait for",
                PodAction::Remove => "remove",
            };
            let claims: Vec<String> = step.claims.iter().map(claim_text).collect();
            let claims = if step.action == PodAction::Await {
                "(exists; waiting for it to be Ready)".to_string()
            } else if claims.is_empty() {
                "(no claim templates)".to_string()
            } else {
                claims.join("\n")
            };
            table.add_row(vec![
                Cell::new(index + 1),
                Cell::new(action),
                Cell::new(&step.pod),
                Cell::new(claims),
            ]);
        }
        out.write_all(render(&table).as_bytes())?;
    }
    for budget in &plan.budgets {
        writeln!(
            out,
            "Disruption budget {} ({}): {}",
            budget.name, budget.rule, budget.effect
        )?;
    }
    for warning in &plan.warnings {
        writeln!(out, "Warning: {warning}")?;
    }
    Ok(())
}

fn claim_text(claim: &ClaimStep) -> String {
    let existing = match (&claim.phase, &claim.capacity) {
        (Some(phase), Some(capacity)) => format!("{phase} {capacity}, "),
        (Some(phase), None) => format!("{phase}, "),
        _ => String::new(),
    };
    match claim.fate {
        ClaimFate::New => format!("{}: new, empty claim", claim.claim),
        ClaimFate::Reattach => format!(
            "{}: re-attached ({existing}created {} ago): its old data comes back",
            claim.claim,
            age_or_dash(claim.age_seconds)
        ),
        ClaimFate::Retain => format!(
            "{}: kept (whenScaled: Retain); re-attached if the set grows again",
            claim.claim
        ),
        ClaimFate::Delete => format!(
            "{}: deleted after the pod (whenScaled: Delete): its data is gone",
            claim.claim
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{PodBuilder, SetBuilder, claim, snapshot};
    use crate::model::scale::plan_scale;

    #[test]
    fn plan_shows_reattached_claims_with_their_age() {
        let set = SetBuilder::new("web").replicas(2).claim_template("www").build();
        let pods = (0..2)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        let claims = (0..4).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect();
        let plan = plan_scale(&snapshot(set, pods, claims, vec![]), 4, &[]);
        let mut out = Vec::new();
        write_scale_plan(&mut out, &plan, Style::plain()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("Scale statefulset default/web: 2 -> 4 replicas"),
            "{text}"
        );
        assert!(
            text.contains("www-web-2: re-attached (Bound 1Gi, created 60m ago): its old data comes back"),
            "{text}"
        );
    }
}
