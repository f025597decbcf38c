//! Live DNS, judged: which questions `dns --resolve` asks the cluster's DNS (every pod's name,
//! the Service's name, its SRV names, and probes of the cluster domain), and what the answers
//! mean against the API's state — resolved to the pod's IP, resolved to a stale IP (a pod was
//! recreated and DNS has not caught up), or missing — and whether `--cluster-domain` looks
//! wrong. Pure: the questions are asked by `crate::resolve`.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use crate::model::dns::answers::{Answer, LiveState, NameResolution, Question, RecordKind, Resolution};
use crate::model::dns::check::{Check, Verdict};
use crate::model::dns::report::{self, DnsReport};

/// The domain most clusters use, probed when another one is given.
const USUAL_DOMAIN: &str = "cluster.local";

fn probe_name(domain: &str) -> String {
    format!("kubernetes.default.svc.{domain}")
}

/// The questions to ask for `report`, every one once.
pub fn questions(report: &DnsReport) -> Vec<Question> {
    let mut asked = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut ask = |q: Question| {
        if seen.insert(q.clone()) {
            asked.push(q);
        }
    };
    for pod in report.pods.iter().filter(|p| fits(&p.fqdn)) {
        ask(Question::new(&pod.fqdn, RecordKind::A));
        ask(Question::new(&pod.fqdn, RecordKind::Aaaa));
    }
    if fits(&report.service.fqdn) {
        ask(Question::new(&report.service.fqdn, RecordKind::A));
        ask(Question::new(&report.service.fqdn, RecordKind::Aaaa));
    }
    for srv in report.service.srv.iter().filter(|s| fits(&s.name)) {
        ask(Question::new(&srv.name, RecordKind::Srv));
    }
    let domain = &report.cluster_domain;
    ask(Question::new(probe_name(domain), RecordKind::A));
    ask(Question::new(domain, RecordKind::Soa));
    ask(Question::new(probe_name(USUAL_DOMAIN), RecordKind::A));
    let first_ip = report
        .pods
        .iter()
        .find_map(|p| p.ip.as_deref()?.parse::<IpAddr>().ok());
    if let Some(ip) = first_ip {
        ask(Question::new(reverse_name(ip), RecordKind::Ptr));
    }
    asked
}

/// Whether a name can be asked at all (labels within 63, the whole within 253 characters).
fn fits(name: &str) -> bool {
    name.len() <= crate::model::dns::report::MAX_NAME
        && name
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= crate::model::dns::report::MAX_LABEL)
}

/// `10.244.0.5` → `5.0.244.10.in-addr.arpa`; IPv6 by nibbles under `ip6.arpa`.
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let nibbles: Vec<String> = v6
                .octets()
                .iter()
                .rev()
                .flat_map(|b| [b & 0xf, b >> 4])
                .map(|n| format!("{n:x}"))
                .collect();
            format!("{}.ip6.arpa", nibbles.join("."))
        }
    }
}

/// The answers to `questions`, judged against `report`; `server` says who answered.
pub fn judge(report: &DnsReport, server: String, answers: &HashMap<Question, Answer>) -> Resolution {
    let get = |name: &str, kind| answers.get(&Question::new(name, kind));
    let pods = report
        .pods
        .iter()
        .map(|p| {
            let both = [get(&p.fqdn, RecordKind::A), get(&p.fqdn, RecordKind::Aaaa)];
            judge_pod(p, &both)
        })
        .collect();
    let service = judge_service(
        report,
        [
            get(&report.service.fqdn, RecordKind::A),
            get(&report.service.fqdn, RecordKind::Aaaa),
        ],
    );
    let srv = report
        .service
        .srv
        .iter()
        .map(|s| judge_srv(report, &s.name, get(&s.name, RecordKind::Srv)))
        .collect();
    Resolution {
        server,
        pods,
        service,
        srv,
        cluster_domain: domain_check(report, answers),
    }
}

/// Addresses of the A and AAAA answers, or why there are none: `Err` with the rcode or error.
fn addresses(answers: &[Option<&Answer>]) -> Result<Vec<IpAddr>, String> {
    let mut found = Vec::new();
    let mut failure = None;
    for answer in answers {
        match answer {
            None => failure = Some("not asked".to_string()),
            Some(a) if a.error.is_some() => failure = a.error.clone(),
            Some(a) if a.rcode != "NOERROR" && a.rcode != "NXDOMAIN" => failure = Some(a.rcode.clone()),
            Some(a) => found.extend(a.addresses.iter().copied()),
        }
    }
    match (found.is_empty(), failure) {
        (true, Some(why)) => Err(why),
        _ => Ok(found),
    }
}

fn texts<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

fn judge_pod(pod: &crate::model::dns::report::PodDns, answers: &[Option<&Answer>]) -> NameResolution {
    let ip: Option<IpAddr> = pod.ip.as_deref().and_then(|ip| ip.parse().ok());
    let mut row = NameResolution {
        name: pod.fqdn.clone(),
        pod: Some(pod.pod.clone()),
        state: LiveState::Missing,
        expected: if pod.published {
            texts(&ip.into_iter().collect::<Vec<_>>())
        } else {
            Vec::new()
        },
        answered: Vec::new(),
        verdict: Verdict::Fail,
        message: String::new(),
    };
    match addresses(answers) {
        Ok(found) => {
            row.answered = texts(&found);
            (row.state, row.verdict, row.message) = pod_outcome(pod, ip, &found, rcode_of(answers));
        }
        Err(why) => (row.state, row.message) = (LiveState::Error, format!("no usable answer: {why}")),
    }
    row
}

/// What the addresses `found` for a pod's name mean, given its IP and whether it should have a
/// record (`rcode` words an empty answer).
fn pod_outcome(
    pod: &crate::model::dns::report::PodDns,
    ip: Option<IpAddr>,
    found: &[IpAddr],
    rcode: String,
) -> (LiveState, Verdict, String) {
    let answered = texts(found).join(",");
    let has_own = ip.is_some_and(|ip| found.contains(&ip));
    let others: Vec<String> = found
        .iter()
        .filter(|a| Some(**a) != ip)
        .map(ToString::to_string)
        .collect();
    match (found.is_empty(), has_own && others.is_empty(), pod.published) {
        (true, _, true) => (
            LiveState::Missing,
            Verdict::Fail,
            format!(
                "no record ({rcode}) although its endpoint is ready: DNS has not caught up, or the domain is wrong"
            ),
        ),
        (true, _, false) => (
            LiveState::Missing,
            Verdict::Fail,
            format!("no record, as the checks expect: {}", pod.reason),
        ),
        (false, true, true) => (
            LiveState::Resolved,
            Verdict::Pass,
            format!("resolves to {answered}"),
        ),
        (false, true, false) => (
            LiveState::Unexpected,
            Verdict::Warn,
            format!("resolves to {answered} although {}", pod.reason),
        ),
        (false, false, _) => (
            LiveState::Stale,
            Verdict::Fail,
            stale_text(&others, pod.ip.as_deref()),
        ),
    }
}

/// The rcode of the A answer (`NXDOMAIN`, or no data).
fn rcode_of(answers: &[Option<&Answer>]) -> String {
    match answers.first().copied().flatten().map(|a| a.rcode.as_str()) {
        Some("NOERROR") => "no data".into(),
        Some(code) => code.into(),
        None => "not asked".into(),
    }
}

fn stale_text(stale: &[String], now: Option<&str>) -> String {
    let now = now.map_or_else(
        || "the pod does not exist".to_string(),
        |ip| format!("the pod's IP is now {ip}"),
    );
    format!(
        "stale: answers {}, but {now}; the pod was recreated and cluster DNS has not caught up yet (re-check shortly)",
        stale.join(",")
    )
}

/// The Service's own name: every ready endpoint (headless) or its cluster IP.
fn judge_service(report: &DnsReport, answers: [Option<&Answer>; 2]) -> NameResolution {
    let svc = &report.service;
    let expected: BTreeSet<IpAddr> = if svc.headless {
        svc.ready_addresses
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect()
    } else {
        svc.cluster_ip.iter().filter_map(|a| a.parse().ok()).collect()
    };
    let kind = if svc.headless {
        "every ready endpoint"
    } else {
        "the cluster IP"
    };
    let result = addresses(&answers).map(|found| found.into_iter().collect::<BTreeSet<IpAddr>>());
    let truncated = answers.iter().flatten().any(|a| a.truncated);
    compare(
        svc.fqdn.clone(),
        texts(&expected.iter().collect::<Vec<_>>()),
        result.map(|f| texts(&f.iter().collect::<Vec<_>>())),
        (kind, truncated),
    )
}

/// One SRV name: a target per ready endpoint (the Service's own name when not headless).
fn judge_srv(report: &DnsReport, name: &str, answer: Option<&Answer>) -> NameResolution {
    let svc = &report.service;
    let expected: Vec<String> = if svc.headless {
        report
            .pods
            .iter()
            .filter(|p| p.published)
            .map(|p| p.fqdn.clone())
            .collect()
    } else {
        vec![svc.fqdn.clone()]
    };
    let found = match answer {
        None => Err("not asked".to_string()),
        Some(a) if a.error.is_some() => Err(a.error.clone().unwrap_or_default()),
        Some(a) if a.rcode != "NOERROR" && a.rcode != "NXDOMAIN" => Err(a.rcode.clone()),
        Some(a) => Ok(a.srv.iter().map(|s| s.target.to_ascii_lowercase()).collect()),
    };
    let truncated = answer.is_some_and(|a| a.truncated);
    compare(
        name.to_string(),
        expected,
        found,
        ("a target per ready pod", truncated),
    )
}

/// Compares a set of answers with the expected one.
fn compare(
    name: String,
    expected: Vec<String>,
    found: Result<Vec<String>, String>,
    (what, truncated): (&str, bool),
) -> NameResolution {
    let mut row = NameResolution {
        name,
        pod: None,
        state: LiveState::Error,
        expected,
        answered: Vec::new(),
        verdict: Verdict::Fail,
        message: String::new(),
    };
    match found {
        Ok(found) => {
            (row.state, row.verdict, row.message) = set_outcome(&row.expected, &found, what, truncated);
            row.answered = found;
        }
        Err(why) => row.message = format!("no usable answer: {why}"),
    }
    row
}

/// What a set of answers means against the expected set.
fn set_outcome(
    expected: &[String],
    found: &[String],
    what: &str,
    truncated: bool,
) -> (LiveState, Verdict, String) {
    let missing: Vec<&String> = expected.iter().filter(|e| !found.contains(e)).collect();
    let extra: Vec<&String> = found.iter().filter(|f| !expected.contains(f)).collect();
    let lacks = if missing.is_empty() {
        String::new()
    } else {
        format!(", and lacks {}", join(&missing))
    };
    match (found.is_empty(), missing.is_empty(), extra.is_empty()) {
        (false, false, true) if truncated => (
            LiveState::Resolved,
            Verdict::Warn,
            format!(
                "answers {} of {} (truncated: more records than one DNS message holds), each a ready pod's",
                found.len(),
                expected.len()
            ),
        ),
        (true, true, _) => (
            LiveState::Resolved,
            Verdict::Pass,
            "no record, as there is nothing to answer".into(),
        ),
        (true, false, _) => (
            LiveState::Missing,
            Verdict::Fail,
            format!("no record; expected {what}"),
        ),
        (false, true, true) => (
            LiveState::Resolved,
            Verdict::Pass,
            format!("answers {what} ({})", found.join(",")),
        ),
        (false, _, false) => (
            LiveState::Stale,
            Verdict::Fail,
            format!(
                "stale: answers {}, which no ready pod has any more{lacks}",
                join(&extra)
            ),
        ),
        (false, false, true) => (
            LiveState::Missing,
            Verdict::Fail,
            format!("lacks {}", join(&missing)),
        ),
    }
}

fn join(items: &[&String]) -> String {
    items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

/// Whether `--cluster-domain` is the one the server serves.
fn domain_check(report: &DnsReport, answers: &HashMap<Question, Answer>) -> Check {
    let domain = &report.cluster_domain;
    let flag = format!("--cluster-domain {domain}");
    let resolves = |name: &str| {
        answers
            .get(&Question::new(name, RecordKind::A))
            .is_some_and(|a| a.rcode == "NOERROR" && !a.addresses.is_empty())
    };
    let soa = answers.get(&Question::new(domain, RecordKind::Soa));
    if resolves(&probe_name(domain))
        || soa.is_some_and(|a| a.authoritative && a.soa_zone.as_deref() == Some(domain))
    {
        return check(Verdict::Pass, format!("the DNS server serves {domain}"));
    }
    if let Some(other) = discovered_domain(report, answers).filter(|d| d != domain) {
        return check(
            Verdict::Fail,
            format!(
                "{flag} looks wrong: the DNS server does not answer {}, and names pod IPs under {other}; try --cluster-domain {other}",
                probe_name(domain)
            ),
        );
    }
    let zone = soa.and_then(|a| a.soa_zone.clone());
    match zone {
        Some(zone) if zone != *domain => check(
            Verdict::Fail,
            format!(
                "{flag} looks wrong: the DNS server is not authoritative for it (its answers carry the SOA of {:?}); \
                 pass the cluster's domain with --cluster-domain",
                if zone.is_empty() { "." } else { zone.as_str() }
            ),
        ),
        _ => check(
            Verdict::Warn,
            format!(
                "could not confirm {domain}: {} does not resolve",
                probe_name(domain)
            ),
        ),
    }
}

fn check(verdict: Verdict, message: String) -> Check {
    Check {
        check: "cluster-domain",
        verdict,
        message,
    }
}

/// The domain the server puts pods under, from the PTR of a pod IP
/// (`<host>.<svc>.<ns>.svc.<domain>`), or `cluster.local` when that answers.
fn discovered_domain(report: &DnsReport, answers: &HashMap<Question, Answer>) -> Option<String> {
    let from_ptr = report
        .pods
        .iter()
        .find_map(|p| p.ip.as_deref()?.parse::<IpAddr>().ok())
        .and_then(|ip| answers.get(&Question::new(reverse_name(ip), RecordKind::Ptr)))
        .and_then(|a| a.names.first())
        .and_then(|name| {
            name.split_once(".svc.")
                .map(|(_, d)| d.trim_end_matches('.').to_string())
        });
    from_ptr.or_else(|| {
        answers
            .get(&Question::new(probe_name(USUAL_DOMAIN), RecordKind::A))
            .filter(|a| a.rcode == "NOERROR" && !a.addresses.is_empty())
            .map(|_| USUAL_DOMAIN.to_string())
    })
}

/// Failing live findings, the cluster domain first.
pub fn problems(resolution: &Resolution) -> Vec<String> {
    let mut problems = Vec::new();
    if resolution.cluster_domain.verdict == Verdict::Fail {
        problems.push(resolution.cluster_domain.message.clone());
    }
    let names = resolution
        .pods
        .iter()
        .chain(std::iter::once(&resolution.service))
        .chain(resolution.srv.iter());
    problems.extend(
        names
            .filter(|n| n.verdict == Verdict::Fail)
            .map(|n| format!("{}: {}", n.name, n.message)),
    );
    problems
}

/// Adds what `--resolve` found: a wrong cluster domain leads the problems, and names that
/// resolved wrongly join them (once: a name the checks already fail is not named twice).
pub fn attach(report: &mut DnsReport, resolution: Resolution) {
    let fixed = report::problems(report);
    let mut all = Vec::new();
    for live in crate::model::dns::resolution::problems(&resolution) {
        let named_already = fixed.iter().any(|p| {
            live.split_once(": ")
                .is_some_and(|(name, _)| p.starts_with(&format!("{name} ")))
        });
        if !named_already {
            all.push(live);
        }
    }
    let domain_first = resolution.cluster_domain.verdict == Verdict::Fail;
    let live_rest = if domain_first {
        all.split_off(1)
    } else {
        std::mem::take(&mut all)
    };
    all.extend(fixed);
    all.extend(live_rest);
    report.problems = all;
    report.resolution = Some(resolution);
}

#[cfg(test)]
mod tests;
