//! Live answers judged against fixture reports: resolved, stale, missing, a wrong domain.

use super::*;
use crate::model::dns::answers::SrvTarget;
use crate::model::dns::report::{DnsSnapshot, dns_report, summary};
use crate::model::set::fixtures::{PodBuilder, ServiceBuilder, SetBuilder, now, slice};

fn report() -> DnsReport {
    let pods: Vec<_> = (0..3)
        .map(|o| PodBuilder::new("web", o, "web-r1").build())
        .collect();
    let slices = vec![slice("nginx", &pods.iter().collect::<Vec<_>>(), false)];
    let snap = DnsSnapshot {
        set: SetBuilder::new("web").build(),
        service: Some(ServiceBuilder::new("nginx", "web").build()),
        pods,
        slices,
        taken_at: now(),
    };
    dns_report(&snap, "cluster.local")
}

fn found(addresses: &[&str]) -> Answer {
    Answer {
        rcode: "NOERROR".into(),
        authoritative: true,
        addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
        ..Answer::default()
    }
}

fn nxdomain(zone: &str) -> Answer {
    Answer {
        rcode: "NXDOMAIN".into(),
        authoritative: !zone.is_empty(),
        soa_zone: Some(zone.into()),
        ..Answer::default()
    }
}

/// What a server following the rules answers for the report's questions.
fn healthy_answers(report: &DnsReport) -> HashMap<Question, Answer> {
    let mut answers = HashMap::new();
    for q in questions(report) {
        let answer = match (q.kind, q.name.as_str()) {
            (RecordKind::A, "nginx.default.svc.cluster.local") => {
                found(&["10.244.0.10", "10.244.0.11", "10.244.0.12"])
            }
            (RecordKind::A, "kubernetes.default.svc.cluster.local") => found(&["10.96.0.1"]),
            (RecordKind::A, name) if name.starts_with("web-") => {
                let ordinal: u8 = name[4..5].parse().unwrap();
                found(&[&format!("10.244.0.{}", ordinal + 10)])
            }
            (RecordKind::Srv, _) => Answer {
                srv: (0..3)
                    .map(|o| SrvTarget {
                        target: format!("web-{o}.nginx.default.svc.cluster.local"),
                        port: 80,
                    })
                    .collect(),
                ..found(&[])
            },
            _ => found(&[]),
        };
        answers.insert(q, answer);
    }
    answers
}

#[test]
fn the_questions_cover_pods_service_srv_and_domain_probes() {
    let asked = questions(&report());
    let has = |name: &str, kind| asked.contains(&Question::new(name, kind));
    assert!(has("web-2.nginx.default.svc.cluster.local", RecordKind::A));
    assert!(has("web-2.nginx.default.svc.cluster.local", RecordKind::Aaaa));
    assert!(has("nginx.default.svc.cluster.local", RecordKind::A));
    assert!(has("_web._tcp.nginx.default.svc.cluster.local", RecordKind::Srv));
    assert!(has("kubernetes.default.svc.cluster.local", RecordKind::A));
    assert!(has("cluster.local", RecordKind::Soa));
    assert!(has("10.0.244.10.in-addr.arpa", RecordKind::Ptr));
    assert_eq!(asked.len(), 6 + 2 + 1 + 2 + 1);
}

#[test]
fn every_name_resolving_to_the_pods_passes() {
    let mut report = report();
    let resolution = judge(&report, "127.0.0.1:53".into(), &healthy_answers(&report));
    assert!(
        resolution.pods.iter().all(|p| p.state == LiveState::Resolved),
        "{:?}",
        resolution.pods
    );
    assert_eq!(resolution.service.state, LiveState::Resolved);
    assert_eq!(resolution.srv[0].state, LiveState::Resolved);
    assert_eq!(resolution.cluster_domain.verdict, Verdict::Pass);
    attach(&mut report, resolution);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn an_old_address_is_stale() {
    let mut report = report();
    let mut answers = healthy_answers(&report);
    answers.insert(
        Question::new("web-1.nginx.default.svc.cluster.local", RecordKind::A),
        found(&["10.244.0.3"]),
    );
    answers.insert(
        Question::new("nginx.default.svc.cluster.local", RecordKind::A),
        found(&["10.244.0.10", "10.244.0.3", "10.244.0.12"]),
    );
    let resolution = judge(&report, "127.0.0.1:53".into(), &answers);
    let web1 = &resolution.pods[1];
    assert_eq!(web1.state, LiveState::Stale);
    assert!(
        web1.message
            .contains("answers 10.244.0.3, but the pod's IP is now 10.244.0.11"),
        "{}",
        web1.message
    );
    assert_eq!(resolution.service.state, LiveState::Stale);
    assert!(
        resolution
            .service
            .message
            .contains("answers 10.244.0.3, which no ready pod has any more, and lacks 10.244.0.11"),
        "{}",
        resolution.service.message
    );
    attach(&mut report, resolution);
    let line = summary(&report).unwrap();
    assert!(
        line.starts_with("statefulset default/web: web-1.nginx.default.svc.cluster.local: stale"),
        "{line}"
    );
}

#[test]
fn a_missing_record_fails_and_a_failed_server_is_an_error() {
    let report = report();
    let mut answers = healthy_answers(&report);
    answers.insert(
        Question::new("web-0.nginx.default.svc.cluster.local", RecordKind::A),
        nxdomain("cluster.local"),
    );
    answers.insert(
        Question::new("web-0.nginx.default.svc.cluster.local", RecordKind::Aaaa),
        nxdomain("cluster.local"),
    );
    let timeout = Answer {
        error: Some("no answer within 5s".into()),
        ..Answer::default()
    };
    answers.insert(
        Question::new("web-1.nginx.default.svc.cluster.local", RecordKind::A),
        timeout.clone(),
    );
    answers.insert(
        Question::new("web-2.nginx.default.svc.cluster.local", RecordKind::Aaaa),
        timeout,
    );
    let resolution = judge(&report, "x".into(), &answers);
    assert_eq!(resolution.pods[0].state, LiveState::Missing);
    assert_eq!(resolution.pods[0].verdict, Verdict::Fail);
    assert_eq!(resolution.pods[1].state, LiveState::Error);
    assert!(resolution.pods[1].message.contains("no answer within 5s"));
    assert_eq!(
        resolution.pods[2].state,
        LiveState::Resolved,
        "a lost AAAA answer does not hide the A one"
    );
}

#[test]
fn a_wrong_domain_is_named_with_the_one_the_server_uses() {
    let mut wrong = report();
    let mut answers: HashMap<Question, Answer> =
        questions(&wrong).into_iter().map(|q| (q, nxdomain(""))).collect();
    answers.insert(
        Question::new("10.0.244.10.in-addr.arpa", RecordKind::Ptr),
        Answer {
            names: vec!["web-0.nginx.default.svc.k8s.internal".into()],
            ..found(&[])
        },
    );
    let resolution = judge(&wrong, "x".into(), &answers);
    assert_eq!(resolution.cluster_domain.verdict, Verdict::Fail);
    assert!(
        resolution
            .cluster_domain
            .message
            .contains("try --cluster-domain k8s.internal"),
        "{}",
        resolution.cluster_domain.message
    );
    attach(&mut wrong, resolution);
    assert!(
        wrong.problems[0].starts_with("--cluster-domain cluster.local looks wrong"),
        "{:?}",
        wrong.problems
    );
}

#[test]
fn without_any_hint_a_foreign_soa_says_the_domain_is_not_served() {
    let report = report();
    let answers: HashMap<Question, Answer> = questions(&report)
        .into_iter()
        .map(|q| (q, nxdomain("")))
        .collect();
    let resolution = judge(&report, "x".into(), &answers);
    assert_eq!(resolution.cluster_domain.verdict, Verdict::Fail);
    assert!(
        resolution.cluster_domain.message.contains("not authoritative"),
        "{}",
        resolution.cluster_domain.message
    );
}

#[test]
fn reverse_names() {
    assert_eq!(
        reverse_name("10.244.0.5".parse().unwrap()),
        "5.0.244.10.in-addr.arpa"
    );
    assert!(reverse_name("fd00::1".parse().unwrap()).ends_with(".0.0.d.f.ip6.arpa"));
}

#[test]
fn a_truncated_answer_is_judged_on_what_it_holds() {
    let report = report();
    let mut answers = healthy_answers(&report);
    let name = "_web._tcp.nginx.default.svc.cluster.local";
    let mut srv = answers[&Question::new(name, RecordKind::Srv)].clone();
    srv.srv.truncate(2);
    srv.truncated = true;
    answers.insert(Question::new(name, RecordKind::Srv), srv.clone());
    let resolution = judge(&report, "x".into(), &answers);
    assert_eq!(
        (resolution.srv[0].state, resolution.srv[0].verdict),
        (LiveState::Resolved, Verdict::Warn)
    );
    assert!(
        resolution.srv[0].message.contains("answers 2 of 3 (truncated"),
        "{}",
        resolution.srv[0].message
    );
    srv.srv[0].target = "web-9.nginx.default.svc.cluster.local".into();
    answers.insert(Question::new(name, RecordKind::Srv), srv);
    let resolution = judge(&report, "x".into(), &answers);
    assert_eq!(resolution.srv[0].state, LiveState::Stale);
}
