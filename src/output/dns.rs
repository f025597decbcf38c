//! The `dns` screen: a line about the set and its Service, one row per pod (name, IP,
//! endpoint, readiness, what DNS answered with `--resolve`, verdict and why), the
//! Service-level checks, the live findings, and the problems.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use super::Style;
use super::table::{new_table, render, verdict_cell};
use crate::model::dns::answers::{LiveState, NameResolution, Resolution};
use crate::model::dns::check::{Check, Verdict};
use crate::model::dns::report::{DnsReport, PodDns};

/// Writes the whole screen.
pub fn write_dns(out: &mut dyn Write, report: &DnsReport, style: Style) -> Result<()> {
    let svc = &report.service;
    let service = match (svc.name.is_empty(), svc.exists) {
        (true, _) => "no Service (spec.serviceName is empty)".to_string(),
        (false, false) => format!("Service {} (missing)", svc.name),
        (false, true) if svc.headless => format!("headless Service {}", svc.name),
        (false, true) => format!(
            "Service {} (clusterIP {})",
            svc.name,
            svc.cluster_ip.as_deref().unwrap_or("-")
        ),
    };
    writeln!(
        out,
        "StatefulSet {}/{}: {service}, cluster domain {}\n",
        report.namespace, report.name, report.cluster_domain
    )?;
    out.write_all(render(&pods_table(report, style)).as_bytes())?;
    writeln!(out, "\nService checks:")?;
    out.write_all(render(&checks_table(&report.checks, style)).as_bytes())?;
    if let Some(resolution) = &report.resolution {
        writeln!(out, "\nDNS server {}:", resolution.server)?;
        out.write_all(render(&live_table(resolution, style)).as_bytes())?;
    }
    match report.problems.as_slice() {
        [] if report.resolution.is_some() => writeln!(out, "\nEvery name resolves to its pods.")?,
        [] => writeln!(out, "\nEvery name has what it needs to resolve.")?,
        problems => {
            writeln!(out, "\n{} problem(s):", problems.len())?;
            for problem in problems {
                writeln!(out, "  - {problem}")?;
            }
        }
    }
    Ok(())
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn pods_table(report: &DnsReport, style: Style) -> comfy_table::Table {
    let live = report.resolution.as_ref();
    let mut headers = vec!["POD", "FQDN", "IP", "ENDPOINT", "READY"];
    if live.is_some() {
        headers.push("DNS");
    }
    headers.push("VERDICT");
    let mut table = new_table(&headers, style);
    for pod in &report.pods {
        let answered = live.and_then(|r| r.pods.iter().find(|p| p.pod.as_deref() == Some(pod.pod.as_str())));
        let mut row = vec![
            Cell::new(&pod.pod),
            Cell::new(&pod.fqdn),
            Cell::new(pod.ip.as_deref().unwrap_or("-")),
            Cell::new(endpoint_text(pod)),
            Cell::new(yes_no(pod.ready)),
        ];
        if live.is_some() {
            row.push(Cell::new(answered.map_or_else(|| "-".to_string(), live_text)));
        }
        let (verdict, text) = pod_verdict(pod, answered);
        row.push(verdict_cell(text, verdict != Verdict::Fail, style));
        table.add_row(row);
    }
    table
}

fn endpoint_text(pod: &PodDns) -> String {
    match (pod.endpoint, pod.endpoint_ready) {
        (false, _) => "no".into(),
        (true, Some(false)) => "not ready".into(),
        (true, _) => "yes".into(),
    }
}

/// What DNS said about a name, in a few words.
fn live_text(name: &NameResolution) -> String {
    let answered = if name.answered.is_empty() {
        "-".to_string()
    } else {
        name.answered.join(",")
    };
    match name.state {
        LiveState::Resolved => answered,
        LiveState::Stale => format!("stale: {answered}"),
        LiveState::Missing => "missing".into(),
        LiveState::Unexpected => format!("{answered} (unexpected)"),
        LiveState::Error => "no answer".into(),
    }
}

/// The pod's verdict: its checks', unless they pass and DNS answered wrongly.
fn pod_verdict(pod: &PodDns, answered: Option<&NameResolution>) -> (Verdict, String) {
    match answered {
        Some(live) if pod.verdict == Verdict::Pass && live.verdict != Verdict::Pass => {
            (live.verdict, format!("{}: {}", label(live.verdict), live.message))
        }
        _ if pod.verdict == Verdict::Pass && pod.ready => (Verdict::Pass, "ok".into()),
        _ => (pod.verdict, format!("{}: {}", label(pod.verdict), pod.reason)),
    }
}

fn label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "ok",
        Verdict::Warn => "warn",
        Verdict::Fail => "FAIL",
    }
}

fn checks_table(checks: &[Check], style: Style) -> comfy_table::Table {
    let mut table = new_table(&["", "CHECK", "FINDING"], style);
    for check in checks {
        table.add_row(vec![
            verdict_cell(label(check.verdict), check.verdict != Verdict::Fail, style),
            Cell::new(check.check),
            Cell::new(&check.message),
        ]);
    }
    table
}

fn live_table(resolution: &Resolution, style: Style) -> comfy_table::Table {
    let mut table = new_table(&["", "NAME", "FINDING"], style);
    let domain = &resolution.cluster_domain;
    table.add_row(vec![
        verdict_cell(label(domain.verdict), domain.verdict != Verdict::Fail, style),
        Cell::new(domain.check),
        Cell::new(&domain.message),
    ]);
    for name in std::iter::once(&resolution.service).chain(resolution.srv.iter()) {
        table.add_row(vec![
            verdict_cell(label(name.verdict), name.verdict != Verdict::Fail, style),
            Cell::new(&name.name),
            Cell::new(&name.message),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dns::report::{DnsSnapshot, dns_report};
    use crate::model::set::fixtures::{PodBuilder, ServiceBuilder, SetBuilder, now, slice};

    #[test]
    fn the_screen_names_every_fqdn_and_the_reason_a_pod_fails() {
        let pods = vec![
            PodBuilder::new("web", 0, "web-r1").build(),
            PodBuilder::new("web", 1, "web-r1").crash_looping(1).build(),
        ];
        let snap = DnsSnapshot {
            set: SetBuilder::new("web").replicas(2).build(),
            service: Some(ServiceBuilder::new("nginx", "web").build()),
            slices: vec![slice("nginx", &pods.iter().collect::<Vec<_>>(), false)],
            pods,
            taken_at: now(),
        };
        let report = dns_report(&snap, "cluster.local");
        let mut out = Vec::new();
        write_dns(&mut out, &report, Style::plain()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("StatefulSet default/web: headless Service nginx, cluster domain cluster.local"),
            "{text}"
        );
        let web0 = text.lines().find(|l| l.starts_with("web-0 ")).unwrap();
        assert!(
            web0.contains("web-0.nginx.default.svc.cluster.local") && web0.ends_with("ok"),
            "{web0}"
        );
        let web1 = text.lines().find(|l| l.starts_with("web-1 ")).unwrap();
        assert!(
            web1.contains("not ready") && web1.contains("FAIL: not Ready (CrashLoopBackOff)"),
            "{web1}"
        );
        assert!(
            text.contains("_web._tcp.nginx.default.svc.cluster.local"),
            "{text}"
        );
        assert!(text.contains("1 problem(s):"), "{text}");
    }
}
