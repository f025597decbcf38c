//! The `dns` checks on fixture sets, Services and EndpointSlices shaped like the API's.

use super::*;
use crate::model::set::fixtures::{PodBuilder, ServiceBuilder, SetBuilder, now, slice};

fn pods() -> Vec<Pod> {
    (0..3)
        .map(|o| PodBuilder::new("web", o, "web-r1").build())
        .collect()
}

fn snap(service: Option<Service>, pods: Vec<Pod>, slices: Vec<EndpointSlice>) -> DnsSnapshot {
    DnsSnapshot {
        set: SetBuilder::new("web").build(),
        service,
        pods,
        slices,
        taken_at: now(),
    }
}

fn healthy() -> DnsSnapshot {
    let pods = pods();
    let slices = vec![slice("nginx", &pods.iter().collect::<Vec<_>>(), false)];
    snap(Some(ServiceBuilder::new("nginx", "web").build()), pods, slices)
}

fn check<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.check == id)
        .unwrap_or_else(|| panic!("no {id} in {checks:?}"))
}

#[test]
fn a_healthy_set_passes_with_its_names_and_srv() {
    let report = dns_report(&healthy(), "cluster.local");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let names: Vec<&str> = report.pods.iter().map(|p| p.fqdn.as_str()).collect();
    assert_eq!(
        names,
        [
            "web-0.nginx.default.svc.cluster.local",
            "web-1.nginx.default.svc.cluster.local",
            "web-2.nginx.default.svc.cluster.local"
        ]
    );
    assert!(
        report
            .pods
            .iter()
            .all(|p| p.verdict == Verdict::Pass && p.published && p.endpoint)
    );
    assert_eq!(
        report.service.srv[0].name,
        "_web._tcp.nginx.default.svc.cluster.local"
    );
    assert_eq!(report.service.ready_addresses.len(), 3);
    assert_eq!(summary(&report), None);
}

#[test]
fn a_missing_service_fails_every_name_with_its_reason() {
    let report = dns_report(&snap(None, pods(), vec![]), "cluster.local");
    assert_eq!(check(&report.checks, "service-exists").verdict, Verdict::Fail);
    assert!(
        report
            .pods
            .iter()
            .all(|p| p.reason == "Service nginx does not exist")
    );
    assert_eq!(
        summary(&report).unwrap(),
        "statefulset default/web: web-0.nginx.default.svc.cluster.local will not resolve: \
         Service nginx does not exist (and 2 more problem(s))"
    );
}

#[test]
fn a_service_with_a_cluster_ip_is_not_headless() {
    let mut s = healthy();
    s.service = Some(
        ServiceBuilder::new("nginx", "web")
            .cluster_ip("10.96.0.12")
            .build(),
    );
    let report = dns_report(&s, "cluster.local");
    let headless = check(&report.checks, "headless");
    assert_eq!(headless.verdict, Verdict::Fail);
    assert!(
        headless.message.contains("clusterIP 10.96.0.12"),
        "{}",
        headless.message
    );
    assert_eq!(
        report.pods[0].reason,
        "Service nginx is not headless (clusterIP 10.96.0.12)"
    );
}

#[test]
fn a_selector_that_does_not_match_shows_the_difference() {
    let report = dns_report(
        &snap(
            Some(ServiceBuilder::new("nginx", "nginx").build()),
            pods(),
            vec![],
        ),
        "cluster.local",
    );
    let selector = check(&report.checks, "selector");
    assert_eq!(selector.verdict, Verdict::Fail);
    assert!(
        selector
            .message
            .contains("app=nginx (the pod template has app=web)"),
        "{}",
        selector.message
    );
    let endpoint = check(&report.pods[1].checks, "endpoint");
    assert!(
        endpoint.message.contains("selector app=nginx does not match"),
        "{}",
        endpoint.message
    );
    assert!(report.pods[1].reason.contains("selector does not match the pods"));
}

#[test]
fn a_pod_that_is_not_ready_has_no_record_unless_the_service_publishes_it() {
    let mut pods = pods();
    pods[1] = PodBuilder::new("web", 1, "web-r1").crash_looping(2).build();
    let all: Vec<&Pod> = pods.iter().collect();
    let strict = snap(
        Some(ServiceBuilder::new("nginx", "web").build()),
        pods.clone(),
        vec![slice("nginx", &all, false)],
    );
    let report = dns_report(&strict, "cluster.local");
    let web1 = &report.pods[1];
    assert_eq!(web1.verdict, Verdict::Fail);
    assert_eq!(web1.endpoint_ready, Some(false));
    assert!(
        web1.reason.contains("CrashLoopBackOff")
            && web1.reason.contains("does not set publishNotReadyAddresses"),
        "{}",
        web1.reason
    );
    assert_eq!(report.problems.len(), 1);
    let published = snap(
        Some(ServiceBuilder::new("nginx", "web").publish_not_ready().build()),
        pods.clone(),
        vec![slice("nginx", &all, true)],
    );
    let report = dns_report(&published, "cluster.local");
    assert_eq!(report.pods[1].verdict, Verdict::Pass);
    assert!(report.pods[1].reason.contains("publishNotReadyAddresses"));
    assert!(
        check(&report.pods[1].checks, "ready")
            .message
            .contains("sets publishNotReadyAddresses")
    );
}

#[test]
fn a_pod_in_another_subdomain_gets_an_endpoint_without_hostname() {
    let mut pods = pods();
    pods[2] = PodBuilder::new("web", 2, "web-r1").subdomain("other").build();
    let all: Vec<&Pod> = pods.iter().collect();
    let s = snap(
        Some(ServiceBuilder::new("nginx", "web").build()),
        pods.clone(),
        vec![slice("nginx", &all, false)],
    );
    let report = dns_report(&s, "cluster.local");
    let web2 = &report.pods[2];
    assert_eq!(check(&web2.checks, "subdomain").verdict, Verdict::Fail);
    assert_eq!(check(&web2.checks, "endpoint-hostname").verdict, Verdict::Fail);
    assert!(
        web2.reason.starts_with("spec.subdomain is other, not nginx"),
        "{}",
        web2.reason
    );
}

#[test]
fn an_endpoint_of_the_previous_pod_is_not_the_pods() {
    let old = pods();
    let mut recreated = old.clone();
    recreated[0] = PodBuilder::new("web", 0, "web-r1")
        .uid("uid-web-0-new")
        .ip("10.244.0.99")
        .build();
    let s = snap(
        Some(ServiceBuilder::new("nginx", "web").build()),
        recreated,
        vec![slice("nginx", &old.iter().collect::<Vec<_>>(), false)],
    );
    let report = dns_report(&s, "cluster.local");
    let endpoint = check(&report.pods[0].checks, "endpoint");
    assert_eq!(endpoint.verdict, Verdict::Fail);
    assert!(
        endpoint
            .message
            .contains("lists 10.244.0.10 but the pod has 10.244.0.99"),
        "{}",
        endpoint.message
    );
}

#[test]
fn names_longer_than_a_label_cannot_resolve() {
    let long = "a".repeat(62);
    let set = SetBuilder::new(&long).replicas(1).build();
    let pod = PodBuilder::new(&long, 0, "r1").build();
    let s = DnsSnapshot {
        set,
        service: Some(ServiceBuilder::new("nginx", &long).build()),
        pods: vec![pod.clone()],
        slices: vec![slice("nginx", &[&pod], false)],
        taken_at: now(),
    };
    let report = dns_report(&s, "cluster.local");
    let length = check(&report.pods[0].checks, "label-length");
    assert_eq!(length.verdict, Verdict::Fail);
    assert!(length.message.contains("64 characters"), "{}", length.message);
}

#[test]
fn an_empty_service_name_is_reported_once_per_pod() {
    let mut s = healthy();
    s.set.spec.as_mut().unwrap().service_name = None;
    let report = dns_report(&s, "cluster.local");
    assert_eq!(report.checks.len(), 1);
    assert_eq!(report.checks[0].check, "service-name");
    assert!(report.pods[0].reason.contains("spec.serviceName is empty"));
}

#[test]
fn cluster_domains_are_normalised_and_checked() {
    assert_eq!(cluster_domain("Cluster.Local.").unwrap(), "cluster.local");
    assert!(cluster_domain("bad_domain").is_err());
    assert!(cluster_domain("").is_err());
    assert!(cluster_domain(&format!("{}.local", "x".repeat(64))).is_err());
}
