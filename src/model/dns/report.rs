//! The `dns` judgement of one set from the API alone: whether cluster DNS will answer each
//! pod's name `<pod>.<service>.<ns>.svc.<domain>`, and if not why — the Service named by
//! `spec.serviceName` exists, is headless and selects the pods; each pod has the hostname and
//! subdomain the controller sets, an endpoint with its hostname, IP and readiness (or the
//! Service publishes not-Ready addresses); no label is over 63 characters — and the SRV names
//! of the Service's named ports. Pure: `resolution` judges live DNS answers against this.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointSlice};
use k8s_openapi::jiff::Timestamp;
use kube::core::{Selector, SelectorExt};
use serde::Serialize;

use crate::model::dns::answers::Resolution;
use crate::model::dns::check::{Check, Verdict};
use crate::model::set;
use crate::model::set::health::pod_health;

/// The longest DNS label (RFC 1035).
pub const MAX_LABEL: usize = 63;
/// The longest DNS name, dots included.
pub const MAX_NAME: usize = 253;

/// What the checks read: the set, its Service (if it exists), its pods and the Service's
/// EndpointSlices.
#[derive(Debug, Clone)]
pub struct DnsSnapshot {
    pub set: StatefulSet,
    pub service: Option<Service>,
    pub pods: Vec<Pod>,
    pub slices: Vec<EndpointSlice>,
    pub taken_at: Timestamp,
}

/// An SRV name a named Service port gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SrvName {
    pub name: String,
    pub port_name: String,
    pub protocol: String,
    pub port: i32,
}

/// The Service as DNS sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceFindings {
    pub name: String,
    pub exists: bool,
    /// `<service>.<ns>.svc.<domain>`.
    pub fqdn: String,
    pub headless: bool,
    pub cluster_ip: Option<String>,
    pub publish_not_ready_addresses: bool,
    pub selector: BTreeMap<String, String>,
    pub template_labels: BTreeMap<String, String>,
    /// Selector terms the template's labels do not satisfy, as `key=value (template: …)`.
    pub selector_differences: Vec<String>,
    pub srv: Vec<SrvName>,
    /// Addresses of the ready endpoints of its EndpointSlices (what the headless Service's own
    /// name should answer).
    pub ready_addresses: Vec<String>,
}

/// One ordinal's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodDns {
    pub ordinal: i32,
    pub pod: String,
    pub fqdn: String,
    pub exists: bool,
    pub uid: Option<String>,
    pub ip: Option<String>,
    pub ready: bool,
    /// The pod has an endpoint in the Service's EndpointSlices.
    pub endpoint: bool,
    pub endpoint_hostname: Option<String>,
    pub endpoint_addresses: Vec<String>,
    pub endpoint_ready: Option<bool>,
    /// Cluster DNS should answer the name with the pod's IP, by the API's state.
    pub published: bool,
    pub verdict: Verdict,
    pub reason: String,
    pub checks: Vec<Check>,
}

/// Everything `dns` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DnsReport {
    pub kind: &'static str,
    pub version: &'static str,
    pub namespace: String,
    pub name: String,
    pub cluster_domain: String,
    pub service: ServiceFindings,
    /// Service-level checks.
    pub checks: Vec<Check>,
    pub pods: Vec<PodDns>,
    /// With `--resolve`: what the cluster's DNS answered, judged.
    pub resolution: Option<Resolution>,
    /// Every failing finding, `name: why`, the first failing name first.
    pub problems: Vec<String>,
}

/// A `--cluster-domain` as DNS compares it: lower case, no trailing dot, valid labels.
pub fn cluster_domain(text: &str) -> Result<String, String> {
    let domain = text.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= MAX_LABEL
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if domain.is_empty() || domain.len() > MAX_NAME || !domain.split('.').all(valid_label) {
        return Err(format!(
            "--cluster-domain {text:?} is not a DNS domain (e.g. cluster.local)"
        ));
    }
    Ok(domain)
}

/// Judges the snapshot for the cluster domain `domain` (as `cluster_domain` returns it).
pub fn dns_report(snap: &DnsSnapshot, domain: &str) -> DnsReport {
    let namespace = snap.set.metadata.namespace.clone().unwrap_or_default();
    let service = service_findings(snap, &namespace, domain);
    let checks = service_checks(snap, &service, &namespace);
    let blocker = service_blocker(&checks, &service);
    let pods: Vec<PodDns> = set::ordinals(&snap.set)
        .map(|ordinal| pod_dns(snap, ordinal, &service, blocker.as_deref()))
        .collect();
    let mut report = DnsReport {
        kind: "StatefulSetDns",
        version: "v1",
        namespace,
        name: set::name(&snap.set).to_string(),
        cluster_domain: domain.to_string(),
        service,
        checks,
        pods,
        resolution: None,
        problems: Vec::new(),
    };
    report.problems = problems(&report);
    report
}

fn service_findings(snap: &DnsSnapshot, namespace: &str, domain: &str) -> ServiceFindings {
    let name = set::service_name(&snap.set).to_string();
    let spec = snap.service.as_ref().and_then(|s| s.spec.as_ref());
    let cluster_ip = spec
        .and_then(|s| s.cluster_ip.clone())
        .filter(|ip| !ip.is_empty());
    let selector = spec.and_then(|s| s.selector.clone()).unwrap_or_default();
    let template_labels = snap
        .set
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let fqdn = format!("{name}.{namespace}.svc.{domain}");
    let srv = spec
        .and_then(|s| s.ports.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let port_name = p.name.clone().filter(|n| !n.is_empty())?;
            let protocol = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            let name = format!("_{port_name}._{}.{fqdn}", protocol.to_ascii_lowercase());
            Some(SrvName {
                name,
                port_name,
                protocol,
                port: p.port,
            })
        })
        .collect();
    ServiceFindings {
        name,
        exists: snap.service.is_some(),
        fqdn,
        headless: cluster_ip.as_deref() == Some("None"),
        cluster_ip,
        publish_not_ready_addresses: spec.and_then(|s| s.publish_not_ready_addresses).unwrap_or(false),
        selector_differences: selector_differences(&selector, &template_labels),
        selector,
        template_labels,
        srv,
        ready_addresses: ready_addresses(&snap.slices),
    }
}

fn ready_addresses(slices: &[EndpointSlice]) -> Vec<String> {
    let mut addresses: Vec<String> = slices
        .iter()
        .flat_map(|s| s.endpoints.iter().flatten())
        .filter(|e| endpoint_ready(e))
        .flat_map(|e| e.addresses.iter().cloned())
        .collect();
    addresses.sort();
    addresses.dedup();
    addresses
}

/// Selector terms `labels` does not satisfy, worded with what the labels have instead.
fn selector_differences(
    selector: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> Vec<String> {
    selector
        .iter()
        .filter(|(k, v)| labels.get(*k) != Some(*v))
        .map(|(k, v)| match labels.get(k) {
            Some(have) => format!("{k}={v} (the pod template has {k}={have})"),
            None => format!("{k}={v} (the pod template has no {k} label)"),
        })
        .collect()
}

fn service_checks(snap: &DnsSnapshot, svc: &ServiceFindings, namespace: &str) -> Vec<Check> {
    if svc.name.is_empty() {
        return vec![Check::fail(
            "service-name",
            "spec.serviceName is empty: the pods get no per-pod DNS names (it cannot be changed on a \
             StatefulSet; recreate the set with it)",
        )];
    }
    let mut checks = Vec::new();
    if !svc.exists {
        checks.push(Check::fail(
            "service-exists",
            format!(
                "Service {namespace}/{} (spec.serviceName) does not exist: no name under {} resolves; \
                 create it as a headless Service (clusterIP: None) selecting the pods",
                svc.name, svc.fqdn
            ),
        ));
        checks.push(label_check("label-length", "Service name", &svc.name));
        return checks;
    }
    checks.push(Check::pass(
        "service-exists",
        format!("Service {namespace}/{} exists", svc.name),
    ));
    checks.push(headless_check(svc));
    checks.push(selector_check(snap, svc));
    checks.push(Check::pass("publish-not-ready", publish_text(svc)));
    checks.push(label_check("label-length", "Service name", &svc.name));
    checks.push(srv_check(snap, svc));
    checks
}

fn label_check(check: &'static str, what: &str, label: &str) -> Check {
    if label.len() <= MAX_LABEL {
        return Check::pass(check, format!("{what} {label} fits a DNS label"));
    }
    Check::fail(
        check,
        format!(
            "{what} {label} is {} characters: a DNS label holds at most {MAX_LABEL}, so no name with it resolves",
            label.len()
        ),
    )
}

fn headless_check(svc: &ServiceFindings) -> Check {
    if svc.headless {
        return Check::pass(
            "headless",
            format!("Service {} is headless (clusterIP: None)", svc.name),
        );
    }
    let ip = svc.cluster_ip.as_deref().unwrap_or("unset");
    Check::fail(
        "headless",
        format!(
            "Service {} is not headless (clusterIP {ip}): per-pod names exist only for a headless Service, \
             and {} gives the cluster IP instead of the pods; recreate it with clusterIP: None",
            svc.name, svc.fqdn
        ),
    )
}

fn selector_check(snap: &DnsSnapshot, svc: &ServiceFindings) -> Check {
    if svc.selector.is_empty() {
        return Check::fail(
            "selector",
            format!(
                "Service {} has no selector: no EndpointSlices are made for the pods, so they have no records",
                svc.name
            ),
        );
    }
    let terms = join_labels(&svc.selector);
    if svc.selector_differences.is_empty() {
        let selected = snap.pods.iter().filter(|p| selects(&svc.selector, p)).count();
        return Check::pass(
            "selector",
            format!("selector {terms} matches the pod template ({selected} pod(s) selected)"),
        );
    }
    Check::fail(
        "selector",
        format!(
            "Service {}'s selector does not match the pod template: {}; the pods get no endpoints",
            svc.name,
            svc.selector_differences.join(", ")
        ),
    )
}

fn publish_text(svc: &ServiceFindings) -> String {
    if svc.publish_not_ready_addresses {
        "publishNotReadyAddresses is set: pods have records whether Ready or not".into()
    } else {
        "publishNotReadyAddresses is not set: a pod has a record only while it is Ready".into()
    }
}

fn srv_check(snap: &DnsSnapshot, svc: &ServiceFindings) -> Check {
    let ports = snap
        .service
        .as_ref()
        .and_then(|s| s.spec.as_ref())
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    let unnamed: Vec<String> = ports
        .iter()
        .filter(|p| p.name.as_deref().unwrap_or_default().is_empty())
        .map(|p| format!("{}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")))
        .collect();
    let names: Vec<&str> = svc.srv.iter().map(|s| s.name.as_str()).collect();
    match (names.is_empty(), unnamed.is_empty()) {
        (_, false) => Check::new(
            "srv",
            Verdict::Warn,
            format!("port(s) {} have no name, so no SRV record", unnamed.join(", ")),
        ),
        (true, true) => Check::new("srv", Verdict::Warn, "the Service has no ports: no SRV records"),
        (false, true) => Check::pass("srv", format!("SRV {}", names.join(", "))),
    }
}

/// Why no pod name can resolve, from the first failing Service-level check.
fn service_blocker(checks: &[Check], svc: &ServiceFindings) -> Option<String> {
    let failing = checks.iter().find(|c| c.verdict == Verdict::Fail)?;
    Some(match failing.check {
        "service-name" => "the StatefulSet names no Service (spec.serviceName is empty)".into(),
        "service-exists" => format!("Service {} does not exist", svc.name),
        "headless" => format!(
            "Service {} is not headless (clusterIP {})",
            svc.name,
            svc.cluster_ip.as_deref().unwrap_or("unset")
        ),
        "selector" if svc.selector.is_empty() => format!("Service {} has no selector", svc.name),
        "selector" => format!(
            "Service {}'s selector does not match the pods ({})",
            svc.name,
            svc.selector_differences.join(", ")
        ),
        _ => failing.message.clone(),
    })
}

fn join_labels(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether a Service's selector picks the pod (a Service without a selector picks none: its
/// endpoints are managed by hand).
fn selects(selector: &BTreeMap<String, String>, pod: &Pod) -> bool {
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    !selector.is_empty() && Selector::from_iter(selector.clone()).matches(&labels)
}

fn pod_dns(snap: &DnsSnapshot, ordinal: i32, svc: &ServiceFindings, blocker: Option<&str>) -> PodDns {
    let name = set::pod_name(&snap.set, ordinal);
    let fqdn = format!("{name}.{}", svc.fqdn);
    let pod = snap
        .pods
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some(name.as_str()));
    let mut row = PodDns {
        ordinal,
        pod: name,
        fqdn,
        exists: pod.is_some(),
        uid: pod.and_then(|p| p.metadata.uid.clone()),
        ip: pod
            .and_then(|p| p.status.as_ref()?.pod_ip.clone())
            .filter(|ip| !ip.is_empty()),
        ready: false,
        endpoint: false,
        endpoint_hostname: None,
        endpoint_addresses: Vec::new(),
        endpoint_ready: None,
        published: false,
        verdict: Verdict::Pass,
        reason: String::new(),
        checks: Vec::new(),
    };
    let Some(pod) = pod else {
        row.checks
            .push(Check::fail("pod", format!("pod {} does not exist", row.pod)));
        return conclude(row, blocker);
    };
    row.ready = pod_health(pod, 0, snap.taken_at).ready;
    let endpoint = find_endpoint(&snap.slices, &row.pod, row.uid.as_deref());
    if let Some(ep) = endpoint {
        row.endpoint = true;
        row.endpoint_hostname = ep.hostname.clone();
        row.endpoint_addresses = ep.addresses.clone();
        row.endpoint_ready = Some(endpoint_ready(ep));
    }
    row.checks = pod_checks(snap, pod, &row, svc, endpoint);
    row.published = blocker.is_none() && row.checks.iter().all(|c| c.verdict != Verdict::Fail);
    conclude(row, blocker)
}

/// The pod's verdict and reason: a Service-level blocker first, else its first failing check.
fn conclude(mut row: PodDns, blocker: Option<&str>) -> PodDns {
    let failing = row.checks.iter().find(|c| c.verdict == Verdict::Fail);
    (row.verdict, row.reason) = match (blocker, failing) {
        (Some(why), _) => (Verdict::Fail, why.to_string()),
        (None, Some(check)) => (Verdict::Fail, check.message.clone()),
        (None, None) if row.ready => (Verdict::Pass, "has a record".to_string()),
        (None, None) => (
            Verdict::Pass,
            "has a record although not Ready (publishNotReadyAddresses)".to_string(),
        ),
    };
    row
}

/// The pod's endpoint: by target name, the one for this pod's uid first.
fn find_endpoint<'a>(slices: &'a [EndpointSlice], pod: &str, uid: Option<&str>) -> Option<&'a Endpoint> {
    let candidates: Vec<&Endpoint> = slices
        .iter()
        .flat_map(|s| s.endpoints.iter().flatten())
        .filter(|e| {
            e.target_ref
                .as_ref()
                .is_some_and(|t| t.kind.as_deref() == Some("Pod") && t.name.as_deref() == Some(pod))
        })
        .collect();
    let same_uid = |e: &&&Endpoint| e.target_ref.as_ref().and_then(|t| t.uid.as_deref()) == uid;
    candidates.iter().find(same_uid).or(candidates.first()).copied()
}

/// `conditions.ready`, which is unset (= ready) on old slices.
fn endpoint_ready(endpoint: &Endpoint) -> bool {
    endpoint.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true)
}

fn pod_checks(
    snap: &DnsSnapshot,
    pod: &Pod,
    row: &PodDns,
    svc: &ServiceFindings,
    endpoint: Option<&Endpoint>,
) -> Vec<Check> {
    let spec = pod.spec.as_ref();
    let hostname = spec.and_then(|s| s.hostname.as_deref()).unwrap_or_default();
    let subdomain = spec.and_then(|s| s.subdomain.as_deref()).unwrap_or_default();
    let mut checks = vec![
        identity_check("hostname", "spec.hostname", hostname, &row.pod),
        identity_check("subdomain", "spec.subdomain", subdomain, &svc.name),
        name_length_check(row),
        match &row.ip {
            Some(ip) => Check::pass("ip", format!("pod IP {ip}")),
            None => Check::fail("ip", "the pod has no IP yet, so no record"),
        },
    ];
    checks.push(endpoint_check(pod, row, svc, endpoint));
    if let Some(ep) = endpoint {
        checks.push(match ep.hostname.as_deref() {
            Some(h) if h == row.pod => {
                Check::pass("endpoint-hostname", format!("the endpoint's hostname is {h}"))
            }
            Some(h) => Check::fail(
                "endpoint-hostname",
                format!(
                    "the endpoint's hostname is {h}, so the name is {h}.{}, not {}",
                    svc.fqdn, row.fqdn
                ),
            ),
            None => Check::fail(
                "endpoint-hostname",
                format!(
                    "the endpoint has no hostname (spec.subdomain must be {}), so {} has no record",
                    svc.name, row.fqdn
                ),
            ),
        });
    }
    checks.push(ready_check(snap, pod, row, svc));
    checks
}

fn identity_check(check: &'static str, field: &str, have: &str, want: &str) -> Check {
    if have == want {
        return Check::pass(check, format!("{field} is {want}"));
    }
    let have = if have.is_empty() { "unset" } else { have };
    Check::fail(
        check,
        format!(
            "{field} is {have}, not {want} as the StatefulSet controller sets it: the pod's endpoint gets no hostname"
        ),
    )
}

fn name_length_check(row: &PodDns) -> Check {
    if row.pod.len() > MAX_LABEL {
        return label_check("label-length", "pod name", &row.pod);
    }
    if row.fqdn.len() > MAX_NAME {
        return Check::fail(
            "label-length",
            format!(
                "{} is {} characters: a DNS name holds at most {MAX_NAME}",
                row.fqdn,
                row.fqdn.len()
            ),
        );
    }
    Check::pass("label-length", "every label is within 63 characters")
}

fn endpoint_check(pod: &Pod, row: &PodDns, svc: &ServiceFindings, endpoint: Option<&Endpoint>) -> Check {
    let Some(ep) = endpoint else {
        let why = if svc.exists && !svc.selector.is_empty() && !selects(&svc.selector, pod) {
            format!(
                "Service {}'s selector {} does not match the pod's labels",
                svc.name,
                join_labels(&svc.selector)
            )
        } else if row.ip.is_none() {
            "it has no IP yet".to_string()
        } else {
            format!("the EndpointSlices of Service {} do not list it (yet)", svc.name)
        };
        return Check::fail("endpoint", format!("no endpoint: {why}"));
    };
    let current = ep.target_ref.as_ref().and_then(|t| t.uid.as_deref()) == row.uid.as_deref();
    let has_ip = row.ip.as_ref().is_some_and(|ip| ep.addresses.contains(ip));
    if current && has_ip {
        return Check::pass("endpoint", format!("endpoint {}", ep.addresses.join(",")));
    }
    Check::fail(
        "endpoint",
        format!(
            "the endpoint lists {} but the pod has {}: the EndpointSlice has not caught up with the recreated pod",
            ep.addresses.join(","),
            row.ip.as_deref().unwrap_or("no IP")
        ),
    )
}

fn ready_check(snap: &DnsSnapshot, pod: &Pod, row: &PodDns, svc: &ServiceFindings) -> Check {
    let health = pod_health(pod, 0, snap.taken_at);
    let why = health
        .problem
        .as_ref()
        .map_or_else(|| "not Ready".to_string(), |p| p.reason.clone());
    match (row.ready, svc.publish_not_ready_addresses, row.endpoint_ready) {
        (_, _, Some(false)) if health.terminating => Check::fail(
            "ready",
            "Terminating: its endpoint is no longer ready, so its record is withdrawn",
        ),
        (true, _, Some(false)) => Check::fail(
            "ready",
            "Ready, but its endpoint is not ready yet: the EndpointSlice has not caught up",
        ),
        (true, _, _) => Check::pass("ready", "Ready"),
        (false, true, _) => Check::pass(
            "ready",
            format!(
                "{why}, but Service {} sets publishNotReadyAddresses: it has a record anyway",
                svc.name
            ),
        ),
        (false, false, _) => Check::fail(
            "ready",
            format!(
                "not Ready ({why}) and Service {} does not set publishNotReadyAddresses: no record until it is Ready",
                svc.name
            ),
        ),
    }
}

/// The one-line summary of a report with problems: the first, and how many more.
pub fn summary(report: &DnsReport) -> Option<String> {
    let first = report.problems.first()?;
    let more = match report.problems.len() {
        1 => String::new(),
        n => format!(" (and {} more problem(s))", n - 1),
    };
    Some(format!(
        "statefulset {}/{}: {first}{more}",
        report.namespace, report.name
    ))
}

/// Every failing finding as `name: why`: failing pods by ordinal (the first one first), then
/// Service-level failures when no pod carries them.
pub(crate) fn problems(report: &DnsReport) -> Vec<String> {
    let mut problems: Vec<String> = report
        .pods
        .iter()
        .filter(|p| p.verdict == Verdict::Fail)
        .map(|p| format!("{} will not resolve: {}", p.fqdn, p.reason))
        .collect();
    if problems.is_empty() {
        problems.extend(
            report
                .checks
                .iter()
                .filter(|c| c.verdict == Verdict::Fail)
                .map(|c| c.message.clone()),
        );
    }
    problems
}

#[cfg(test)]
mod tests;
