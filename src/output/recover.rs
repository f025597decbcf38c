//! The `recover` plan for people: each stranded member with the proof that its node is down
//! (Ready condition, Lease, taints, volume attachments), then the remedy and its consequences.

use std::io::Write;

use anyhow::Result;

use crate::model::diagnosis::recover::{NodeProof, RecoverPlan, Stranded};

/// Writes the plan.
pub fn write_recover_plan(out: &mut dyn Write, plan: &RecoverPlan) -> Result<()> {
    writeln!(
        out,
        "Recover statefulset {}/{}: {} member(s) stranded",
        plan.namespace,
        plan.name,
        plan.stranded.len()
    )?;
    for member in &plan.stranded {
        write_member(out, member)?;
    }
    match plan.remedy {
        Some(remedy) if !plan.stranded.is_empty() => {
            writeln!(out, "Remedy: {}", remedy.consequences(&plan.nodes))?;
        }
        _ if !plan.stranded.is_empty() => {
            writeln!(out, "Remedies (choose one: --force-delete or --out-of-service):")?;
            for remedy in [
                crate::model::diagnosis::recover::Remedy::ForceDelete,
                crate::model::diagnosis::recover::Remedy::OutOfService,
            ] {
                writeln!(out, "  - {}", remedy.consequences(&plan.nodes))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn write_member(out: &mut dyn Write, member: &Stranded) -> Result<()> {
    let node = member.node.as_deref().unwrap_or("no node");
    let why = match member.terminating_past_grace {
        Some(seconds) => format!("Terminating {seconds}s past its grace period"),
        None => "not Terminating, its node not Ready".to_string(),
    };
    writeln!(
        out,
        "  {} (uid {}): {why}, on node {node}",
        member.pod, member.uid
    )?;
    if let Some(proof) = &member.proof {
        write_proof(out, proof)?;
    }
    Ok(())
}

fn write_proof(out: &mut dyn Write, proof: &NodeProof) -> Result<()> {
    let node = &proof.node;
    if !proof.exists {
        writeln!(out, "    node {node}: no longer exists")?;
        return Ok(());
    }
    let since = proof
        .ready_for_seconds
        .map(|s| format!(" for {s}s"))
        .unwrap_or_default();
    let reason = proof
        .ready_reason
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    writeln!(
        out,
        "    node {node}: Ready {}{since}{reason}",
        proof.ready.as_deref().unwrap_or("unknown")
    )?;
    match (proof.lease_renewed_seconds_ago, proof.lease_duration_seconds) {
        (Some(ago), duration) => writeln!(
            out,
            "    lease kube-node-lease/{node}: renewed {ago}s ago (duration {}s){}",
            duration.unwrap_or(40),
            if proof.down { ": stale" } else { "" }
        )?,
        (None, _) => writeln!(out, "    lease kube-node-lease/{node}: none")?,
    }
    if !proof.taints.is_empty() {
        writeln!(out, "    taints: {}", proof.taints.join(", "))?;
    }
    if !proof.attachments.is_empty() {
        writeln!(
            out,
            "    volume attachments still naming {node}: {}",
            proof.attachments.join(", ")
        )?;
    }
    Ok(())
}
