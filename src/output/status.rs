//! The `status` screen: a header block about the set, one table row per ordinal, leftover
//! claims, and the progress line.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;
use k8s_openapi::jiff::tz::TimeZone;

use super::Style;
use super::age::age_or_dash;
use super::table::{new_table, render_fitted, verdict_cell};
use crate::model::diagnosis::status::{ClaimStatus, OrdinalStatus, StatusReport};
use crate::model::rollout::progressive::progress_of;
use crate::model::set::Strategy;
use crate::model::set::revision::{RevisionRole, RevisionSummary};

/// The pod table's columns a narrow terminal leaves out, least important first (`POD`,
/// `STATUS`, `READY` and `REVISION` always stay).
const POD_COLUMNS_LEAST_FIRST: &[&str] = &[
    "DNS", "CLAIMS", "IP", "NODE", "IMAGE", "ORDINAL", "AGE", "RESTARTS",
];

/// The same for the leftover claims (`CLAIM`, `STATUS` and `CAPACITY` stay).
const CLAIM_COLUMNS_LEAST_FIRST: &[&str] = &["VOLUME", "TEMPLATE", "ORDINAL"];

/// Writes the whole status screen.
pub fn write_status(out: &mut dyn Write, report: &StatusReport, style: Style) -> Result<()> {
    write_header(out, report)?;
    writeln!(out)?;
    let pods = render_fitted(&mut pods_table(report, style), style, POD_COLUMNS_LEAST_FIRST);
    out.write_all(pods.as_bytes())?;
    if !report.leftover_claims.is_empty() {
        writeln!(
            out,
            "\nLeftover claims (ordinals outside the set, kept while whenScaled is {}):",
            report.retention.when_scaled
        )?;
        let mut claims = claims_table(&report.leftover_claims, style);
        out.write_all(render_fitted(&mut claims, style, CLAIM_COLUMNS_LEAST_FIRST).as_bytes())?;
    }
    writeln!(out, "\nProgress:  {}", report.progress.message)?;
    if let Some(hint) = &report.progress.hint {
        writeln!(out, "Hint:      {hint}")?;
    }
    if let Some(record) = &report.in_flight {
        match progress_of(record) {
            Some(progress) => writeln!(
                out,
                "In flight: {} (`{}`, since {}): re-run it to resume, or `{}` to roll back",
                progress.describe(&TimeZone::system()),
                report.scope.complete(&record.command),
                record.started,
                report.scope.sts(&format!("abort {}", report.name))
            )?,
            None => writeln!(
                out,
                "In flight: {}: re-run it to finish",
                record.describe(&report.scope)
            )?,
        }
    }
    if let Some(blocker) = &report.blocker {
        writeln!(
            out,
            "Blocked:   {}: {} (see `{}`)",
            blocker.object,
            blocker.what,
            report.scope.sts(&format!("why {}", report.name))
        )?;
        for line in &blocker.evidence {
            writeln!(out, "           {line}")?;
        }
        if let Some(next) = blocker.next.as_ref().filter(|_| report.progress.hint.is_none()) {
            writeln!(out, "Next:      {next}")?;
        }
    }
    Ok(())
}

fn write_header(out: &mut dyn Write, r: &StatusReport) -> Result<()> {
    let n = &r.replicas;
    writeln!(out, "StatefulSet {}/{}", r.namespace, r.name)?;
    writeln!(
        out,
        "Replicas:    {} desired, {} existing, {} ready, {} available, {} updated, {} current",
        n.desired, n.existing, n.ready, n.available, n.updated, n.current
    )?;
    let strategy = match (r.strategy, r.partition, &r.max_unavailable) {
        (Strategy::RollingUpdate, Some(p), None) => format!("RollingUpdate, partition {p}"),
        (Strategy::RollingUpdate, Some(p), Some(max)) => {
            format!("RollingUpdate, partition {p}, maxUnavailable {max}")
        }
        _ => "OnDelete".to_string(),
    };
    writeln!(
        out,
        "Strategy:    {strategy}; {:?}; minReadySeconds {}; ordinals from {}",
        r.pod_management_policy, r.min_ready_seconds, r.ordinal_start
    )?;
    writeln!(
        out,
        "Service:     {}",
        if r.service_name.is_empty() {
            "(none)"
        } else {
            &r.service_name
        }
    )?;
    writeln!(
        out,
        "Retention:   whenDeleted {}, whenScaled {}",
        r.retention.when_deleted, r.retention.when_scaled
    )?;
    writeln!(
        out,
        "Revisions:   current {}",
        revision_text(r.current_revision.as_ref())
    )?;
    writeln!(
        out,
        "             update  {}",
        revision_text(r.update_revision.as_ref())
    )?;
    let stale = if r.status_stale {
        " (status is stale: the controller has not caught up)"
    } else {
        ""
    };
    writeln!(
        out,
        "Generation:  {}, observed {}{stale}",
        r.generation, r.observed_generation
    )?;
    Ok(())
}

fn revision_text(revision: Option<&RevisionSummary>) -> String {
    let Some(rev) = revision else {
        return "(none)".into();
    };
    let number = rev.number.map_or_else(|| "?".into(), |n| n.to_string());
    let images: Vec<String> = rev
        .images
        .iter()
        .map(|i| format!("{}={}", i.container, i.image))
        .collect();
    format!("{} (#{number}) {}", rev.name, images.join(" "))
        .trim_end()
        .to_string()
}

fn pods_table(report: &StatusReport, style: Style) -> comfy_table::Table {
    let headers = [
        "ORDINAL", "POD", "STATUS", "READY", "REVISION", "IMAGE", "RESTARTS", "NODE", "IP", "AGE", "CLAIMS",
        "DNS",
    ];
    let mut table = new_table(&headers, style);
    let settled =
        report.current_revision.as_ref().map(|r| &r.name) == report.update_revision.as_ref().map(|r| &r.name);
    for row in &report.pods {
        table.add_row(vec![
            Cell::new(row.ordinal),
            Cell::new(&row.pod),
            verdict_cell(pod_state(row), row.ready && !row.terminating, style),
            Cell::new(if row.ready { "yes" } else { "no" }),
            Cell::new(revision_cell(row, settled)),
            Cell::new(row.images.join(",")),
            Cell::new(row.restarts),
            Cell::new(row.node.as_deref().unwrap_or("-")),
            Cell::new(row.ip.as_deref().unwrap_or("-")),
            Cell::new(age_or_dash(row.age_seconds)),
            Cell::new(row.claims.iter().map(claim_text).collect::<Vec<_>>().join("\n")),
            Cell::new(row.dns_name.as_deref().unwrap_or("-")),
        ]);
    }
    table
}

/// `Running`, `CrashLoopBackOff`, `Terminating`, `Missing`, …
fn pod_state(row: &OrdinalStatus) -> String {
    if !row.exists {
        return "Missing".into();
    }
    match (&row.reason, row.ready) {
        (Some(reason), false) if reason != "Pending" => reason.clone(),
        (Some(reason), _) if reason == "Terminating" => reason.clone(),
        _ => row.phase.clone().unwrap_or_else(|| "-".into()),
    }
}

/// The pod's revision and its role; once current and update revisions are one, that one is
/// the current revision (nothing is being updated).
fn revision_cell(row: &OrdinalStatus, settled: bool) -> String {
    let Some(revision) = &row.revision else {
        return "-".into();
    };
    match row.revision_role {
        RevisionRole::Update if settled => format!("{revision} (current)"),
        RevisionRole::Update => format!("{revision} (update)"),
        RevisionRole::Current => format!("{revision} (current)"),
        _ => format!("{revision} (other)"),
    }
}

fn claim_text(claim: &ClaimStatus) -> String {
    match (&claim.phase, &claim.capacity) {
        (Some(phase), Some(capacity)) => format!("{} {phase} {capacity}", claim.name),
        (Some(phase), None) => format!("{} {phase}", claim.name),
        _ if claim.exists => claim.name.clone(),
        _ => format!("{} (not created)", claim.name),
    }
}

fn claims_table(claims: &[ClaimStatus], style: Style) -> comfy_table::Table {
    let mut table = new_table(
        &["CLAIM", "ORDINAL", "TEMPLATE", "STATUS", "VOLUME", "CAPACITY"],
        style,
    );
    for claim in claims {
        table.add_row(vec![
            Cell::new(&claim.name),
            Cell::new(claim.ordinal),
            Cell::new(&claim.template),
            Cell::new(claim.phase.as_deref().unwrap_or("-")),
            Cell::new(claim.volume.as_deref().unwrap_or("-")),
            Cell::new(claim.capacity.as_deref().unwrap_or("-")),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnosis::status::status_report;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, revision, snapshot};

    #[test]
    fn status_screen_names_pods_claims_and_progress() {
        let set = SetBuilder::new("web")
            .replicas(2)
            .claim_template("www")
            .revisions("web-r1", "web-r2")
            .build();
        let pods = vec![
            PodBuilder::new("web", 0, "web-r1").build(),
            PodBuilder::new("web", 1, "web-r2").crash_looping(3).build(),
        ];
        let claims = vec![
            claim("www-web-0", "Bound"),
            claim("www-web-1", "Bound"),
            claim("www-web-3", "Bound"),
        ];
        let revisions = vec![
            revision("web", "web-r1", 1, "nginx:1.25"),
            revision("web", "web-r2", 2, "nginx:broken"),
        ];
        let report = status_report(
            &snapshot(set, pods, claims, revisions),
            &crate::model::diagnosis::why::Around::default(),
        );
        let mut out = Vec::new();
        write_status(&mut out, &report, Style::plain()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("update  web-r2 (#2) nginx=nginx:broken"), "{text}");
        assert!(text.contains("CrashLoopBackOff"), "{text}");
        assert!(text.contains("www-web-0 Bound 1Gi"), "{text}");
        assert!(text.contains("web-0.nginx.default.svc.cluster.local"), "{text}");
        assert!(text.contains("www-web-3"), "{text}");
        assert!(text.contains("waiting on web-1: CrashLoopBackOff"), "{text}");
    }
}
