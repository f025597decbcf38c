//! Findings about the set as a whole: being deleted, a generation the controller has not
//! observed, pods or claims the controller cannot create (quota, admission), a staged rollout
//! or OnDelete pods waiting on a person, budgets that allow no disruption, and pods matching
//! the selector that are not the set's.

use k8s_openapi::api::core::v1::{Event, Pod, ResourceQuota};

use super::events::EventIndex;
use super::{Evidence, Finding, Severity, scope_flags};
use k8s_openapi::jiff::tz::TimeZone;

use crate::model::diagnosis::progress::{Activity, Progress};
use crate::model::dns::check::Verdict;
use crate::model::dns::report::{DnsSnapshot, dns_report};
use crate::model::flow::record;
use crate::model::rollout::progressive;
use crate::model::set;
use crate::model::set::budget::budgets_of;
use crate::model::set::snapshot::SetSnapshot;

/// Every set-level finding; `judged` is what the controller is doing (judged once).
pub fn findings(evidence: &Evidence, events: &EventIndex, judged: &Progress) -> Vec<Finding> {
    let snap = &evidence.snap;
    let mut found: Vec<Finding> = [
        deleting(snap),
        stale(snap),
        failed_create(evidence, events),
        in_flight(snap).or_else(|| waiting_on_a_person(snap, judged)),
    ]
    .into_iter()
    .flatten()
    .collect();
    found.extend(budgets_at_zero(evidence));
    found.extend(service_findings(evidence));
    found.extend(evidence.strangers.iter().map(|p| stranger(snap, p)));
    found.extend(unread(evidence));
    found
}

/// The governing Service as `dns` judges it from the API: missing, not headless, or selecting
/// other pods leaves the members without their DNS names. A warning: the set converges all
/// the same, but whatever finds its members by name does not.
fn service_findings(evidence: &Evidence) -> Vec<Finding> {
    let Some(service) = &evidence.service else {
        return Vec::new();
    };
    let snap = evidence.snap;
    let dns = DnsSnapshot {
        set: snap.set.clone(),
        service: service.clone(),
        pods: snap.pods.clone(),
        slices: Vec::new(),
        taken_at: snap.taken_at,
    };
    let report = dns_report(&dns, set::DEFAULT_CLUSTER_DOMAIN);
    let object = match &report.service.name {
        name if name.is_empty() => format!("statefulset {}", snap.name()),
        name => format!("service {name}"),
    };
    report
        .checks
        .into_iter()
        .filter(|check| check.verdict == Verdict::Fail)
        .map(|check| {
            Finding::new(Severity::Warning, object.clone(), check.message).with_next(format!(
                "`kubectl sts dns {} {}` checks every member's name",
                snap.name(),
                scope_flags(snap)
            ))
        })
        .collect()
}

/// What could not be read, so that a missing finding is not taken for a clean bill.
fn unread(evidence: &Evidence) -> Option<Finding> {
    if evidence.unread.is_empty() {
        return None;
    }
    Some(Finding::new(
        Severity::Info,
        format!("statefulset {}", evidence.snap.name()),
        format!(
            "not judged: {} could not be read (forbidden or not served), so what depends on them is not checked",
            evidence.unread.join(", ")
        ),
    ))
}

fn object(snap: &SetSnapshot) -> String {
    format!("statefulset {}", snap.name())
}

fn deleting(snap: &SetSnapshot) -> Option<Finding> {
    set::is_deleting(&snap.set).then(|| {
        Finding::new(
            Severity::Blocked,
            object(snap),
            format!(
                "being deleted ({} pods left): it will not converge again",
                snap.pods.len()
            ),
        )
        .with_next(format!(
            "`kubectl sts list {}` once it is gone; re-create it to bring it back",
            scope_flags(snap)
        ))
    })
}

fn stale(snap: &SetSnapshot) -> Option<Finding> {
    if !set::status_is_stale(&snap.set) {
        return None;
    }
    let generation = snap.set.metadata.generation.unwrap_or(0);
    let observed = snap
        .set
        .status
        .as_ref()
        .and_then(|s| s.observed_generation)
        .unwrap_or(0);
    Some(
        Finding::new(
            Severity::Warning,
            object(snap),
            format!("the controller has not observed generation {generation} yet (observed {observed}): its status is not about the latest spec"),
        )
        .with_next("if this lasts, the StatefulSet controller (kube-controller-manager) is not running or cannot keep up"),
    )
}

/// The controller tried to create a pod or claim and the API refused (quota, admission): it
/// retries by itself, but nothing changes until the cause is removed.
fn failed_create(evidence: &Evidence, events: &EventIndex) -> Option<Finding> {
    let snap = &evidence.snap;
    let uid = snap.set.metadata.uid.as_deref();
    let event = events
        .about("StatefulSet", snap.name(), uid, &["FailedCreate"])
        .into_iter()
        .find(|e| still_missing(snap, e))?;
    let message = event.message.as_deref().unwrap_or_default();
    let quota_name = quota_named_in(message);
    let what = match &quota_name {
        Some(quota) => format!("cannot create its pods: resourcequota {quota} is used up"),
        None => "the API refuses to create its pods or claims".to_string(),
    };
    let mut finding =
        Finding::new(Severity::Blocked, object(snap), what).with_evidence(events.describe(event));
    let ns = scope_flags(snap);
    match quota_name.and_then(|q| {
        evidence
            .quotas
            .iter()
            .find(|x| x.metadata.name.as_deref() == Some(q))
    }) {
        Some(quota) => {
            let name = quota.metadata.name.as_deref().unwrap_or_default();
            finding = finding
                .with_evidence(quota_usage(quota))
                .with_next(format!("raise resourcequota {name} (`kubectl edit resourcequota {name} {ns}`) or free room in the namespace; the controller retries by itself"));
        }
        None => {
            finding = finding.with_next("remove what the message names (quota, admission policy, webhook); the controller retries by itself");
        }
    }
    Some(finding)
}

/// Whether the pod or claim the event names is still missing (events outlive the problem).
fn still_missing(snap: &SetSnapshot, event: &Event) -> bool {
    let message = event.message.as_deref().unwrap_or_default();
    let named = |prefix: &str| {
        message
            .split_once(prefix)
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .map(str::to_string)
    };
    if let Some(pod) = named("Create Pod ") {
        return !snap
            .pods
            .iter()
            .any(|p| p.metadata.name.as_deref() == Some(pod.as_str()));
    }
    if let Some(claim) = named("Create Claim ").or_else(|| named("create Claim ")) {
        return snap.claim(&claim).is_none();
    }
    set::ordinals(&snap.set).any(|o| snap.pod(o).is_none())
}

/// `… exceeded quota: NAME, requested: …` → NAME.
fn quota_named_in(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("exceeded quota: ")?;
    rest.split(',').next().map(str::trim)
}

/// `resourcequota pods: pods 3/3 used` for every resource it limits.
fn quota_usage(quota: &ResourceQuota) -> String {
    let status = quota.status.as_ref();
    let hard = status.and_then(|s| s.hard.clone()).unwrap_or_default();
    let used = status.and_then(|s| s.used.clone()).unwrap_or_default();
    let figures: Vec<String> = hard
        .iter()
        .map(|(resource, limit)| {
            let now = used.get(resource).map_or("0", |q| q.0.as_str());
            format!("{resource} {now}/{} used", limit.0)
        })
        .collect();
    format!(
        "resourcequota {}: {}",
        quota.metadata.name.as_deref().unwrap_or_default(),
        figures.join(", ")
    )
}

/// A guided command's step recorded on the set: running now, or interrupted (then re-running
/// the command finishes it, and nothing else may change the set meanwhile).
fn in_flight(snap: &SetSnapshot) -> Option<Finding> {
    let record = record::on_set(&snap.set)?;
    let what = match (progressive::progress_of(&record), record.waiting_on_check()) {
        (Some(progress), _) => progress.describe(&TimeZone::system()),
        (None, Some(check)) => format!("a step of `{}` ({check})", snap.scope.complete(&record.command)),
        (None, None) => format!(
            "a step of `{}` ({})",
            snap.scope.complete(&record.command),
            record.step
        ),
    };
    let others: String = record
        .yields_to
        .iter()
        .map(|c| format!(", or `{}`", snap.scope.complete(c)))
        .collect();
    Some(
        Finding::new(
            Severity::Warning,
            object(snap),
            format!(
                "{what} is in flight since {}: running now, or interrupted",
                record.started
            ),
        )
        .with_next(format!(
            "if it is not running any more, re-run `{}` to finish it{others}",
            snap.scope.complete(&record.command)
        )),
    )
}

/// A staged rollout paused at its partition, or OnDelete pods left on the old revision: the
/// controller is done; a person decides what comes next.
fn waiting_on_a_person(snap: &SetSnapshot, judged: &Progress) -> Option<Finding> {
    if judged.blocked_by.is_some() {
        // The controller waits on a pod, not on a person: the pod's finding says why.
        return None;
    }
    let ns = scope_flags(snap);
    let name = snap.name();
    let (what, next) = match judged.activity {
        Activity::StagedRollout => (
            judged.message.clone(),
            format!(
                "`kubectl sts promote {name} {ns}` to go on, or `kubectl sts abort {name} {ns}` to go back"
            ),
        ),
        Activity::OnDeleteOutdated => (
            judged.message.clone(),
            format!("`kubectl sts roll {name} {ns}` replaces them one at a time"),
        ),
        _ => return None,
    };
    Some(Finding::new(Severity::Warning, object(snap), what).with_next(next))
}

/// Budgets covering the set's pods that allow no disruption now.
fn budgets_at_zero(evidence: &Evidence) -> Vec<Finding> {
    let snap = &evidence.snap;
    budgets_of(&snap.set, &evidence.budgets)
        .into_iter()
        .filter_map(|budget| {
            let status = budget.status.as_ref()?;
            let figure = |f: Option<i32>| f.unwrap_or(0);
            if figure(status.disruptions_allowed) > 0 || figure(status.expected_pods) == 0 {
                return None;
            }
            let name = budget.metadata.name.as_deref().unwrap_or_default();
            Some(
                Finding::new(
                    Severity::Warning,
                    format!("poddisruptionbudget {name}"),
                    "allows no disruption now: evictions and node drains will wait",
                )
                .with_evidence(format!(
                    "disruptionsAllowed 0: currentHealthy {}, desiredHealthy {}, expectedPods {}",
                    figure(status.current_healthy),
                    figure(status.desired_healthy),
                    figure(status.expected_pods)
                ))
                .with_next(format!(
                    "bring the unhealthy pods back, or relax the budget (`kubectl edit pdb {name} {}`) before draining nodes",
                    scope_flags(snap)
                )),
            )
        })
        .collect()
}

fn stranger(snap: &SetSnapshot, pod: &Pod) -> Finding {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map_or("no controller".to_string(), |o| format!("{} {}", o.kind, o.name));
    Finding::new(
        Severity::Warning,
        format!("pod {name}"),
        format!("matches the set's selector but is not the set's (owned by {owner}): the set ignores it"),
    )
    .with_next(format!(
        "give it labels of its own; selectors that overlap confuse both owners (`kubectl get pods -l {} {}`)",
        set::selector_text(&snap.set),
        scope_flags(snap)
    ))
}
