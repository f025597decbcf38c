//! Answers to DNS questions from the server's view of Services and EndpointSlices, by the rules of
//! CoreDNS's kubernetes plugin (docs/statefulset-behaviour.md, "Network identity"):
//! `<svc>.<ns>.svc.<zone>` gives a headless Service's ready endpoints (a cluster IP otherwise),
//! `<host>.<svc>.<ns>.svc` one ready endpoint whose hostname (else dashed IP) matches,
//! `_<port>._<proto>.<svc>.<ns>.svc` SRV records per ready endpoint, PTR for endpoint and Service
//! IPs; misses are NXDOMAIN with the zone's SOA, names outside the zone NXDOMAIN as an upstream
//! resolver gives them. Pure.

use std::net::IpAddr;

use hickory_proto::op::{Message, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, NS, PTR, SOA, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use serde_json::Value;

use super::view::State;

/// The TTL CoreDNS's kubernetes plugin gives its records (and its SOA minimum).
const TTL: u32 = 5;

/// The label EndpointSlices carry with their Service's name.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// How a question turned out.
enum Outcome {
    /// Records of the zone (or of a reverse name the zone knows).
    Found {
        answers: Vec<Record>,
        additionals: Vec<Record>,
    },
    /// The name exists, not with this type.
    NoData,
    /// No such name in the zone.
    NxDomain,
    /// Not the zone's: what an upstream resolver answers for a name nobody has.
    Upstream,
}

/// A name under `svc.<zone>`, as CoreDNS's `parseRequest` splits it.
#[derive(Debug, Default, PartialEq)]
struct Request {
    port: Option<String>,
    protocol: Option<String>,
    endpoint: Option<String>,
    service: String,
    namespace: String,
}

/// One address a Service name leads to, with its port and the name it is known by.
struct Target {
    ip: IpAddr,
    port: Option<u16>,
    name: String,
}

/// The response to `request` for the cluster domain `domain` (e.g. `cluster.local`).
pub fn respond(state: &State, domain: &str, request: &Message) -> Message {
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    let [query] = request.queries.as_slice() else {
        response.metadata.response_code = ResponseCode::FormErr;
        return response;
    };
    response.add_query(query.clone());
    if request.metadata.op_code != OpCode::Query {
        response.metadata.response_code = ResponseCode::NotImp;
        return response;
    }
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let asked = query.name().to_lowercase().to_ascii();
    let asked = asked.trim_end_matches('.');
    let outcome = match zone_labels(asked, &domain) {
        Some(labels) => lookup(state, &domain, &labels, query),
        None => reverse(state, &domain, asked, query),
    };
    fill(&mut response, outcome, &domain);
    response
}

/// The labels of `name` before `domain`, if it is in the zone (apex: none).
fn zone_labels<'a>(name: &'a str, domain: &str) -> Option<Vec<&'a str>> {
    if name == domain {
        return Some(Vec::new());
    }
    let rest = name.strip_suffix(domain)?.strip_suffix('.')?;
    Some(rest.split('.').collect())
}

fn fill(response: &mut Message, outcome: Outcome, domain: &str) {
    match outcome {
        Outcome::Found { answers, additionals } => {
            response.metadata.authoritative = true;
            response.add_answers(answers);
            response.add_additionals(additionals);
        }
        Outcome::NoData | Outcome::NxDomain => {
            response.metadata.authoritative = true;
            if matches!(outcome, Outcome::NxDomain) {
                response.metadata.response_code = ResponseCode::NXDomain;
            }
            response.add_authority(zone_soa(domain));
        }
        Outcome::Upstream => {
            response.metadata.response_code = ResponseCode::NXDomain;
            response.add_authority(root_soa());
        }
    }
}

fn name(text: &str) -> Option<Name> {
    Name::from_ascii(format!("{}.", text.trim_end_matches('.'))).ok()
}

fn zone_soa(domain: &str) -> Record {
    let apex = name(domain).unwrap_or_else(Name::root);
    let mname = name(&format!("ns.dns.{domain}")).unwrap_or_else(Name::root);
    let rname = name(&format!("hostmaster.{domain}")).unwrap_or_else(Name::root);
    let soa = SOA::new(mname, rname, 1, 7200, 1800, 86400, TTL);
    Record::from_rdata(apex, TTL, RData::SOA(soa))
}

fn root_soa() -> Record {
    let mname = name("a.root-servers.net").unwrap_or_else(Name::root);
    let rname = name("nstld.verisign-grs.com").unwrap_or_else(Name::root);
    let soa = SOA::new(mname, rname, 2026112200, 1800, 900, 604800, 86400);
    Record::from_rdata(Name::root(), 86400, RData::SOA(soa))
}

/// A question for a name in the zone.
fn lookup(state: &State, domain: &str, labels: &[&str], query: &Query) -> Outcome {
    match labels {
        [] => apex(domain, query),
        ["svc"] | [_, "svc"] => Outcome::NoData,
        [.., _, _, "svc"] => match parse_request(labels) {
            Some(request) => match find(state, domain, &request) {
                Some(targets) => records(query, &targets),
                None => Outcome::NxDomain,
            },
            None => Outcome::NxDomain,
        },
        [dashed, _, "pod"] => match dashed_ip(dashed) {
            Some(ip) => {
                let target = Target {
                    ip,
                    port: None,
                    name: String::new(),
                };
                records(query, &[target])
            }
            None => Outcome::NxDomain,
        },
        _ => Outcome::NxDomain,
    }
}

fn apex(domain: &str, query: &Query) -> Outcome {
    let answer = match query.query_type() {
        RecordType::SOA => zone_soa(domain),
        RecordType::NS => {
            let ns = name(&format!("ns.dns.{domain}")).unwrap_or_else(Name::root);
            Record::from_rdata(query.name().clone(), TTL, RData::NS(NS(ns)))
        }
        _ => return Outcome::NoData,
    };
    Outcome::Found {
        answers: vec![answer],
        additionals: Vec::new(),
    }
}

/// `[endpoint.]<svc>.<ns>.svc` or `_<port>._<proto>.<svc>.<ns>.svc` (labels before the zone).
fn parse_request(labels: &[&str]) -> Option<Request> {
    let strip = |s: &str| s.strip_prefix('_').unwrap_or(s).to_string();
    let (head, [service, namespace, "svc"]) = labels.split_at(labels.len().checked_sub(3)?) else {
        return None;
    };
    let mut request = Request {
        service: service.to_string(),
        namespace: namespace.to_string(),
        ..Request::default()
    };
    match head {
        [] => {}
        [endpoint] => request.endpoint = Some(endpoint.to_string()),
        [port, protocol] => {
            request.port = Some(strip(port));
            request.protocol = Some(strip(protocol));
        }
        _ => return None,
    }
    Some(request)
}

/// `10-244-0-5` → 10.244.0.5 (and dashed IPv6).
fn dashed_ip(dashed: &str) -> Option<IpAddr> {
    let text = if dashed.matches('-').count() == 3 && !dashed.contains("--") {
        dashed.replace('-', ".")
    } else {
        dashed.replace('-', ":")
    };
    text.parse().ok()
}

/// What a Service request leads to; `None` when nothing matches (NXDOMAIN).
fn find(state: &State, domain: &str, request: &Request) -> Option<Vec<Target>> {
    let key = (request.namespace.clone(), request.service.clone());
    let svc = state.services.get(&key)?;
    let spec = &svc["spec"];
    if spec["type"] == "ExternalName" {
        return None;
    }
    let svc_fqdn = format!("{}.{}.svc.{domain}", request.service, request.namespace);
    let headless = spec["clusterIP"] == "None";
    let targets = if headless || request.endpoint.is_some() {
        endpoint_targets(state, &svc_fqdn, request)
    } else {
        cluster_ip_targets(spec, &svc_fqdn, request)
    };
    (!targets.is_empty()).then_some(targets)
}

fn endpoint_targets(state: &State, svc_fqdn: &str, request: &Request) -> Vec<Target> {
    let mut targets = Vec::new();
    let slices = state
        .slices
        .iter()
        .filter(|((ns, _), slice)| *ns == request.namespace && service_of(slice) == Some(&request.service));
    for (_, slice) in slices {
        let ports = slice_ports(slice);
        for endpoint in slice["endpoints"].as_array().into_iter().flatten() {
            if endpoint.pointer("/conditions/ready") == Some(&Value::Bool(false)) {
                continue;
            }
            if let (Some(asked), Some(host)) = (&request.endpoint, endpoint["hostname"].as_str())
                && !asked.eq_ignore_ascii_case(host)
            {
                continue;
            }
            for ip in addresses(endpoint) {
                let host = endpoint_host(endpoint, ip);
                if request
                    .endpoint
                    .as_ref()
                    .is_some_and(|e| !e.eq_ignore_ascii_case(&host))
                {
                    continue;
                }
                for (port_name, protocol, port) in &ports {
                    if port_matches(request, port_name, protocol) {
                        let name = format!("{host}.{svc_fqdn}");
                        targets.push(Target {
                            ip,
                            port: *port,
                            name,
                        });
                    }
                }
            }
        }
    }
    targets
}

/// The Service a slice belongs to, by its label.
fn service_of(slice: &Value) -> Option<&str> {
    slice
        .pointer("/metadata/labels")?
        .get(SERVICE_NAME_LABEL)?
        .as_str()
}

/// The name CoreDNS gives an endpoint address: its hostname, else its IP with dashes.
fn endpoint_host(endpoint: &Value, ip: IpAddr) -> String {
    endpoint["hostname"]
        .as_str()
        .map_or_else(|| ip.to_string().replace(['.', ':'], "-"), str::to_string)
}

/// A slice's ports as (name, protocol, port); one nameless sentinel when it has none.
fn slice_ports(slice: &Value) -> Vec<(String, String, Option<u16>)> {
    let ports: Vec<_> = slice["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or("").to_string();
            let protocol = p["protocol"].as_str().unwrap_or("TCP").to_string();
            (
                name,
                protocol,
                p["port"].as_u64().and_then(|n| u16::try_from(n).ok()),
            )
        })
        .collect();
    if ports.is_empty() {
        return vec![(String::new(), String::new(), None)];
    }
    ports
}

fn addresses(endpoint: &Value) -> Vec<IpAddr> {
    endpoint["addresses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str()?.parse().ok())
        .collect()
}

/// CoreDNS's `matchPortAndProtocol`: an absent port or protocol matches any.
fn port_matches(request: &Request, name: &str, protocol: &str) -> bool {
    let matches =
        |asked: &Option<String>, have: &str| asked.as_ref().is_none_or(|a| a.eq_ignore_ascii_case(have));
    matches(&request.port, name) && matches(&request.protocol, protocol)
}

fn cluster_ip_targets(spec: &Value, svc_fqdn: &str, request: &Request) -> Vec<Target> {
    let ips: Vec<IpAddr> = match spec["clusterIPs"].as_array() {
        Some(list) => list.iter().filter_map(|ip| ip.as_str()?.parse().ok()).collect(),
        None => spec["clusterIP"]
            .as_str()
            .and_then(|ip| ip.parse().ok())
            .into_iter()
            .collect(),
    };
    let mut targets = Vec::new();
    for port in spec["ports"].as_array().into_iter().flatten() {
        let name = port["name"].as_str().unwrap_or("");
        let protocol = port["protocol"].as_str().unwrap_or("TCP");
        if !port_matches(request, name, protocol) {
            continue;
        }
        for ip in &ips {
            targets.push(Target {
                ip: *ip,
                port: port["port"].as_u64().and_then(|n| u16::try_from(n).ok()),
                name: svc_fqdn.to_string(),
            });
        }
    }
    targets
}

/// The records of `targets` for the question's type (none of it: NODATA).
fn records(query: &Query, targets: &[Target]) -> Outcome {
    let owner = query.name().clone();
    let mut answers = Vec::new();
    let mut additionals = Vec::new();
    match query.query_type() {
        RecordType::A | RecordType::AAAA => {
            let mut seen = Vec::new();
            for target in targets {
                let wanted = matches!(
                    (query.query_type(), target.ip),
                    (RecordType::A, IpAddr::V4(_)) | (RecordType::AAAA, IpAddr::V6(_))
                );
                if wanted && !seen.contains(&target.ip) {
                    seen.push(target.ip);
                    answers.push(address_record(owner.clone(), target.ip));
                }
            }
        }
        RecordType::SRV => {
            let with_port: Vec<&Target> = targets.iter().filter(|t| t.port.is_some()).collect();
            let weight = u16::try_from(100 / with_port.len().max(1)).unwrap_or(1).max(1);
            for target in with_port {
                let Some(host) = name(&target.name) else {
                    continue;
                };
                let srv = SRV::new(0, weight, target.port.unwrap_or(0), host.clone());
                answers.push(Record::from_rdata(owner.clone(), TTL, RData::SRV(srv)));
                additionals.push(address_record(host, target.ip));
            }
        }
        _ => {}
    }
    if answers.is_empty() {
        return Outcome::NoData;
    }
    Outcome::Found { answers, additionals }
}

fn address_record(owner: Name, ip: IpAddr) -> Record {
    let data = match ip {
        IpAddr::V4(v4) => RData::A(A(v4)),
        IpAddr::V6(v6) => RData::AAAA(AAAA(v6)),
    };
    Record::from_rdata(owner, TTL, data)
}

/// PTR questions for endpoint and Service IPs; anything else is not the zone's.
fn reverse(state: &State, domain: &str, asked: &str, query: &Query) -> Outcome {
    if query.query_type() != RecordType::PTR {
        return Outcome::Upstream;
    }
    let Some(ip) = reverse_ip(asked) else {
        return Outcome::Upstream;
    };
    let Some(target) = name_of_ip(state, domain, ip).and_then(|n| name(&n)) else {
        return Outcome::Upstream;
    };
    let record = Record::from_rdata(query.name().clone(), TTL, RData::PTR(PTR(target)));
    Outcome::Found {
        answers: vec![record],
        additionals: Vec::new(),
    }
}

/// `5.0.244.10.in-addr.arpa` → 10.244.0.5.
fn reverse_ip(asked: &str) -> Option<IpAddr> {
    let octets: Vec<&str> = asked.strip_suffix(".in-addr.arpa")?.split('.').rev().collect();
    if octets.len() != 4 {
        return None;
    }
    octets.join(".").parse().ok()
}

/// The name CoreDNS gives an IP: a ready endpoint's `<host>.<svc>.<ns>.svc.<zone>`, or a
/// Service's `<svc>.<ns>.svc.<zone>`.
fn name_of_ip(state: &State, domain: &str, ip: IpAddr) -> Option<String> {
    for ((ns, _), slice) in &state.slices {
        let Some(svc) = service_of(slice) else {
            continue;
        };
        for endpoint in slice["endpoints"].as_array().into_iter().flatten() {
            let ready = endpoint.pointer("/conditions/ready") != Some(&Value::Bool(false));
            if ready && addresses(endpoint).contains(&ip) {
                let host = endpoint_host(endpoint, ip);
                return Some(format!("{host}.{svc}.{ns}.svc.{domain}"));
            }
        }
    }
    state.services.iter().find_map(|((ns, svc), obj)| {
        let ips = obj.pointer("/spec/clusterIPs").and_then(Value::as_array)?;
        ips.iter()
            .any(|i| i.as_str().and_then(|s| s.parse::<IpAddr>().ok()) == Some(ip))
            .then(|| format!("{svc}.{ns}.svc.{domain}"))
    })
}

#[cfg(test)]
mod tests;
