//! The scale plan as people read it: direction, ordering, each pod with the fate of its
//! claims, disruption budgets and warnings.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::age::age_or_dash;
use super::table::{new_table, render};
use crate::model::flow::group::{FEW, Run, runs, span};
use crate::model::scale::ordered::{ClaimFate, ClaimStep, PodAction, PodStep, ScalePlan};

/// Writes the plan; more than `FEW` pods are grouped into runs unless `wide`.
pub fn write_scale_plan(out: &mut dyn Write, plan: &ScalePlan, style: Style, wide: bool) -> Result<()> {
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
        let grouped = plan.pods.len() > FEW && !wide;
        let all_alone = || (0..plan.pods.len()).map(|start| Run { start, len: 1 }).collect();
        let steps = match grouped {
            true => runs(&plan.pods, |s| s.ordinal, run_key),
            false => all_alone(),
        };
        for run in steps {
            table.add_row(run_row(&plan.pods, run));
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

/// What a run of pods shares: the action and each claim's template and fate.
fn run_key(step: &PodStep) -> (PodAction, Vec<(String, ClaimFate)>) {
    let claims = step.claims.iter().map(|c| (c.template.clone(), c.fate)).collect();
    (step.action, claims)
}

/// One row of the table: a pod, or a run of pods with the same action and claim fates.
fn run_row(pods: &[PodStep], run: Run) -> Vec<Cell> {
    let first = &pods[run.start];
    let last = &pods[run.start + run.len - 1];
    let action = match first.action {
        PodAction::Create => "create",
        PodAction::Await => "wait for",
        PodAction::Remove => "remove",
    };
    let claims: Vec<String> = match run.len {
        1 => first.claims.iter().map(claim_text).collect(),
        count => first
            .claims
            .iter()
            .zip(&last.claims)
            .map(|(a, b)| format!("{}: {}", span(&a.claim, &b.claim, count), fate_of_many(a.fate)))
            .collect(),
    };
    let claims = if first.action == PodAction::Await {
        "(exists; waiting for it to be Ready)".to_string()
    } else if claims.is_empty() {
        "(no claim templates)".to_string()
    } else {
        claims.join("\n")
    };
    let step = match run.len {
        1 => (run.start + 1).to_string(),
        _ => format!("{}-{}", run.start + 1, run.start + run.len),
    };
    vec![
        Cell::new(step),
        Cell::new(action),
        Cell::new(span(&first.pod, &last.pod, run.len)),
        Cell::new(claims),
    ]
}

/// What becomes of the claims of a run of pods.
fn fate_of_many(fate: ClaimFate) -> &'static str {
    match fate {
        ClaimFate::New => "new, empty claims",
        ClaimFate::Reattach => "re-attached: their old data comes back",
        ClaimFate::Retain => "kept (whenScaled: Retain); re-attached if the set grows again",
        ClaimFate::Delete => "deleted after the pods (whenScaled: Delete): their data is gone",
    }
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
    use crate::model::scale::ordered::plan_scale;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, snapshot};

    #[test]
    fn plan_shows_reattached_claims_with_their_age() {
        let set = SetBuilder::new("web").replicas(2).claim_template("www").build();
        let pods = (0..2)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        let claims = (0..4).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect();
        let plan = plan_scale(&snapshot(set, pods, claims, vec![]), 4, &[]);
        let mut out = Vec::new();
        write_scale_plan(&mut out, &plan, Style::plain(), false).unwrap();
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

    #[test]
    fn a_large_plan_groups_consecutive_pods_with_the_same_fate_unless_wide() {
        let set = SetBuilder::new("big").replicas(0).claim_template("www").build();
        let claims = (0..3).map(|o| claim(&format!("www-big-{o}"), "Bound")).collect();
        let plan = plan_scale(&snapshot(set, vec![], claims, vec![]), 200, &[]);
        let text = |wide: bool| {
            let mut out = Vec::new();
            write_scale_plan(&mut out, &plan, Style::plain(), wide).unwrap();
            String::from_utf8(out).unwrap()
        };
        let grouped = text(false);
        assert!(grouped.contains("big-0 … big-2 (3 pods)"), "{grouped}");
        assert!(
            grouped.contains("www-big-0 … www-big-2 (3 pods): re-attached"),
            "{grouped}"
        );
        assert!(grouped.contains("4-200"), "{grouped}");
        assert!(grouped.contains("big-3 … big-199 (197 pods)"), "{grouped}");
        assert!(grouped.lines().count() < 20, "{grouped}");
        let wide = text(true);
        assert!(wide.contains("www-big-199: new, empty claim") && wide.lines().count() > 200);
    }
}
