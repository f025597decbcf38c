//! Answers of the simulated cluster DNS on a small view: a headless Service with three
//! endpoints (one not Ready) and a ClusterIP Service.

use std::net::IpAddr;

use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use serde_json::json;

use super::respond;
use crate::dns::view::State;

fn state() -> State {
    let mut state = State::default();
    let endpoint = |host: &str, ip: &str, ready: bool| {
        json!({"addresses": [ip], "hostname": host, "conditions": {"ready": ready},
               "targetRef": {"kind": "Pod", "name": host}})
    };
    state.services.insert(
        ("default".into(), "nginx".into()),
        json!({"metadata": {"name": "nginx", "namespace": "default"},
               "spec": {"clusterIP": "None", "clusterIPs": ["None"], "ports": [{"name": "web", "port": 80, "protocol": "TCP"}]}}),
    );
    state.services.insert(
        ("default".into(), "api".into()),
        json!({"metadata": {"name": "api", "namespace": "default"},
               "spec": {"clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"],
                        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}}),
    );
    state.slices.insert(
        ("default".into(), "nginx-x1".into()),
        json!({"metadata": {"name": "nginx-x1", "namespace": "default",
                            "labels": {"kubernetes.io/service-name": "nginx"}},
               "endpoints": [endpoint("web-0", "10.244.0.5", true), endpoint("web-1", "10.244.0.6", true),
                             endpoint("web-2", "10.244.0.7", false)],
               "ports": [{"name": "web", "port": 80, "protocol": "TCP"}]}),
    );
    state
}

fn ask(name: &str, kind: RecordType) -> Message {
    let mut query = Message::query();
    query.metadata.recursion_desired = true;
    query.add_query(Query::query(Name::from_ascii(name).unwrap(), kind));
    respond(&state(), "cluster.local", &query)
}

fn ips(response: &Message) -> Vec<IpAddr> {
    response
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect()
}

fn soa_owner(response: &Message) -> String {
    response
        .authorities
        .iter()
        .find(|r| r.record_type() == RecordType::SOA)
        .map(|r| r.name.to_ascii())
        .unwrap_or_default()
}

#[test]
fn a_ready_pod_has_its_address_and_a_not_ready_one_none() {
    let web0 = ask("web-0.nginx.default.svc.cluster.local.", RecordType::A);
    assert_eq!(web0.metadata.response_code, ResponseCode::NoError);
    assert!(web0.metadata.authoritative);
    assert_eq!(ips(&web0), ["10.244.0.5".parse::<IpAddr>().unwrap()]);
    let web2 = ask("web-2.nginx.default.svc.cluster.local.", RecordType::A);
    assert_eq!(web2.metadata.response_code, ResponseCode::NXDomain);
    assert_eq!(soa_owner(&web2), "cluster.local.");
    let v6 = ask("WEB-0.nginx.default.svc.cluster.local.", RecordType::AAAA);
    assert_eq!(v6.metadata.response_code, ResponseCode::NoError);
    assert!(v6.answers.is_empty(), "NODATA: the name exists without AAAA");
}

#[test]
fn the_headless_service_name_gives_every_ready_endpoint() {
    let svc = ask("nginx.default.svc.cluster.local.", RecordType::A);
    let mut got = ips(&svc);
    got.sort();
    assert_eq!(
        got,
        [
            "10.244.0.5".parse::<IpAddr>().unwrap(),
            "10.244.0.6".parse().unwrap()
        ]
    );
    let api = ask("api.default.svc.cluster.local.", RecordType::A);
    assert_eq!(ips(&api), ["10.96.0.20".parse::<IpAddr>().unwrap()]);
    let missing = ask("nope.default.svc.cluster.local.", RecordType::A);
    assert_eq!(missing.metadata.response_code, ResponseCode::NXDomain);
}

#[test]
fn srv_names_one_target_per_ready_endpoint_with_its_address() {
    let srv = ask("_web._tcp.nginx.default.svc.cluster.local.", RecordType::SRV);
    let mut targets: Vec<(String, u16)> = srv
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::SRV(s) => Some((s.target.to_ascii(), s.port)),
            _ => None,
        })
        .collect();
    targets.sort();
    assert_eq!(
        targets,
        [
            ("web-0.nginx.default.svc.cluster.local.".to_string(), 80),
            ("web-1.nginx.default.svc.cluster.local.".to_string(), 80)
        ]
    );
    assert_eq!(srv.additionals.len(), 2);
    let wrong_port = ask("_db._tcp.nginx.default.svc.cluster.local.", RecordType::SRV);
    assert_eq!(wrong_port.metadata.response_code, ResponseCode::NXDomain);
}

#[test]
fn another_domain_is_not_the_zone_and_reverse_names_tell_the_domain() {
    let other = ask("web-0.nginx.default.svc.example.org.", RecordType::A);
    assert_eq!(other.metadata.response_code, ResponseCode::NXDomain);
    assert!(!other.metadata.authoritative);
    assert_eq!(soa_owner(&other), ".");
    let ptr = ask("5.0.244.10.in-addr.arpa.", RecordType::PTR);
    let names: Vec<String> = ptr
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::PTR(p) => Some(p.0.to_ascii()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["web-0.nginx.default.svc.cluster.local."]);
    let apex = ask("cluster.local.", RecordType::SOA);
    assert_eq!(apex.answers.len(), 1);
}
