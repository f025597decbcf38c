//! `why`: what keeps a set from converging, judged from what the cluster reports — pod
//! conditions and container states, claims and the volumes they bind, events, quotas and
//! budgets — as findings ordered most blocking first, each with its evidence (the API's own
//! reasons and messages) and the command to run next.

mod events;
mod pods;
mod set_level;
mod storage;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, PersistentVolume, Pod, ResourceQuota, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;

use crate::model::diagnosis::progress::progress;
use crate::model::set::snapshot::SetSnapshot;

pub use events::EventIndex;

/// How much a finding stands in the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Progress stops here until someone acts.
    Blocked,
    /// Not stopping progress now, but it will (a budget at zero), or it waits on a person.
    Warning,
    /// Worth knowing (a pod Ready but not yet available).
    Info,
}

impl Severity {
    /// The word shown in the table output.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Blocked => "blocked",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One thing found: on which object, what is wrong, the cluster's evidence, what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// `pod web-4`, `claim data-web-3`, `statefulset web`, `resourcequota pods`, …
    pub object: String,
    pub what: String,
    pub evidence: Vec<String>,
    pub next: Option<String>,
}

impl Finding {
    fn new(severity: Severity, object: String, what: impl Into<String>) -> Finding {
        Finding {
            severity,
            object,
            what: what.into(),
            evidence: Vec::new(),
            next: None,
        }
    }

    fn with_evidence(mut self, line: impl Into<String>) -> Finding {
        self.evidence.push(line.into());
        self
    }

    fn with_next(mut self, next: impl Into<String>) -> Finding {
        self.next = Some(next.into());
        self
    }
}

/// What `why` reads around a set besides its snapshot. The cluster-scoped lists are `None`
/// when they could not be read (forbidden, or not served): what depends on them is then not
/// judged. The default is what a snapshot alone tells (the one-line blocker of `status`).
#[derive(Debug, Clone, Default)]
pub struct Around {
    /// Pods that match the set's selector but are not the set's.
    pub strangers: Vec<Pod>,
    pub events: Vec<Event>,
    pub budgets: Vec<PodDisruptionBudget>,
    pub quotas: Vec<ResourceQuota>,
    pub volumes: Option<Vec<PersistentVolume>>,
    pub nodes: Option<Vec<Node>>,
    /// The nodes' Leases (`kube-node-lease`): a Lease, not the Ready condition, says when a
    /// node is provably down.
    pub leases: Option<Vec<Lease>>,
    pub classes: Option<Vec<StorageClass>>,
    /// The kinds that could not be read (forbidden or not served).
    pub unread: Vec<&'static str>,
    /// The Service `spec.serviceName` names: `None` when it was not read (forbidden, or the
    /// snapshot alone), `Some(None)` when it does not exist.
    pub service: Option<Option<Service>>,
}

/// A set's snapshot and what was read around it, as the judgements see them.
pub struct Evidence<'a> {
    pub snap: &'a SetSnapshot,
    around: &'a Around,
}

impl std::ops::Deref for Evidence<'_> {
    type Target = Around;
    fn deref(&self) -> &Around {
        self.around
    }
}

/// The pods a selector matched, split by whose they are.
pub struct MatchedPods {
    /// Named `<set>-<ordinal>`, controlled by the set or by nothing (the controller adopts
    /// those).
    pub own: Vec<Pod>,
    /// The others: another owner's, or named otherwise.
    pub strangers: Vec<Pod>,
}

/// Splits the pods the set's selector matched into its own and the strangers.
pub fn split_pods(set: &StatefulSet, pods: Vec<Pod>) -> MatchedPods {
    let uid = set.metadata.uid.as_deref();
    let (own, strangers) = pods.into_iter().partition(|pod| {
        let member = crate::model::set::ordinal_of_pod(set, pod.metadata.name.as_deref().unwrap_or_default())
            .is_some();
        let controller = pod
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true));
        member && controller.is_none_or(|o| Some(o.uid.as_str()) == uid)
    });
    MatchedPods { own, strangers }
}

/// The answer of `why`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub kind: &'static str,
    pub version: &'static str,
    pub namespace: String,
    pub name: String,
    /// What the controller is doing, as `status` says it.
    pub progress: String,
    /// Whether any finding blocks.
    pub blocked: bool,
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    /// The first blocking finding, if any.
    pub fn top_blocker(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.severity == Severity::Blocked)
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// The findings for people: those that say the same of several pods (severity, words,
    /// evidence and next step alike) once, as `pods web-1, web-2`, where the first of them
    /// stood.
    pub fn grouped(&self) -> Vec<Finding> {
        let mut groups: Vec<(Finding, Vec<String>)> = Vec::new();
        for finding in &self.findings {
            let pod = finding.object.strip_prefix("pod ").map(str::to_string);
            let same = |(group, _): &&mut (Finding, Vec<String>)| {
                group.object.starts_with("pod ")
                    && (group.severity, &group.what, &group.evidence, &group.next)
                        == (finding.severity, &finding.what, &finding.evidence, &finding.next)
            };
            match (pod, groups.iter_mut().find(|g| same(g))) {
                (Some(pod), Some((_, pods))) => pods.push(pod),
                (pod, _) => groups.push((finding.clone(), pod.into_iter().collect())),
            }
        }
        groups
            .into_iter()
            .map(|(mut finding, pods)| {
                if pods.len() > 1 {
                    finding.object = format!("pods {}", pods.join(", "));
                }
                finding
            })
            .collect()
    }
}

/// Judges a set: every finding, most blocking first (set-level before pods, pods by
/// ordinal, claims after their pods).
pub fn diagnose(snap: &SetSnapshot, around: &Around) -> Diagnosis {
    let evidence = &Evidence { snap, around };
    let events = EventIndex::new(&around.events, snap.taken_at);
    let judged = progress(snap);
    let mut findings = set_level::findings(evidence, &events, &judged);
    findings.extend(pods::findings(evidence, &events));
    findings.extend(storage::findings(evidence, &events));
    findings.sort_by_key(|f| f.severity);
    Diagnosis {
        kind: "StatefulSetDiagnosis",
        version: "v1",
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        progress: judged.message,
        blocked: findings.iter().any(|f| f.severity == Severity::Blocked),
        findings,
    }
}

/// The flags a next command about the set carries: `-n NS`, and `--context`/`--kubeconfig`
/// when the user gave them (`kubectl` takes them too).
fn scope_flags(snap: &SetSnapshot) -> String {
    snap.scope.flags()
}

#[cfg(test)]
mod tests;
