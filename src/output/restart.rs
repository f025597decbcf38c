//! The restart plan as people read it.

use std::io::Write;

use anyhow::Result;

use crate::model::rollout::restart::{RESTARTED_AT, RestartPlan};

/// Writes the plan.
pub fn write_restart_plan(out: &mut dyn Write, plan: &RestartPlan) -> Result<()> {
    writeln!(
        out,
        "Restart statefulset {}/{}: set the template annotation {RESTARTED_AT}={}",
        plan.namespace, plan.name, plan.restarted_at
    )?;
    writeln!(out, "Replaced by {}: {}", plan.replaced_by, plan.pods.join(", "))?;
    if !plan.not_restarted.is_empty() {
        writeln!(
            out,
            "Not restarted (below the partition, they stay on the current revision): {}",
            plan.not_restarted.join(", ")
        )?;
    }
    Ok(())
}
