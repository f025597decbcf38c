//! Findings about the set's claims — a storage class that does not exist, provisioning that
//! fails, no volume to bind, a volume lost, WaitForFirstConsumer — and the node affinity of
//! the volumes a pod's claims are bound to, matched against the cluster's nodes.

use k8s_openapi::api::core::v1::{
    Node, NodeSelectorRequirement, NodeSelectorTerm, PersistentVolumeClaim, Pod,
};
use k8s_openapi::api::storage::v1::StorageClass;

use super::events::EventIndex;
use super::{Evidence, Finding, Severity, scope_flags};
use crate::model::set;
use crate::model::set::health::UNSCHEDULABLE_GRACE_SECONDS;

const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";

/// A volume a pod's claim is bound to that may only be used on some nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub claim: String,
    pub volume: String,
    /// The volume's required node affinity, worded (`kubernetes.io/hostname In [node-9]`).
    pub rule: String,
    /// The nodes that satisfy it (`None`: the nodes could not be read).
    pub matching_nodes: Option<Vec<String>>,
}

impl Pin {
    /// One line of evidence.
    pub fn describe(&self) -> String {
        let nodes = match &self.matching_nodes {
            None => "(the nodes could not be read)".to_string(),
            Some(nodes) if nodes.is_empty() => "no node in the cluster matches".to_string(),
            Some(nodes) => format!("matching node(s): {}", nodes.join(", ")),
        };
        format!(
            "claim {} is bound to volume {}, usable only on nodes where {}; {nodes}",
            self.claim, self.volume, self.rule
        )
    }
}

/// The pinned volumes of `pod`'s claims (nothing when volumes could not be read).
pub fn pins_of(evidence: &Evidence, pod: &Pod) -> Vec<Pin> {
    let Some(volumes) = &evidence.volumes else {
        return Vec::new();
    };
    let claims = pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.as_str()));
    claims
        .filter_map(|claim| {
            let volume_name = evidence.snap.claim(claim)?.spec.as_ref()?.volume_name.clone()?;
            let volume = volumes
                .iter()
                .find(|v| v.metadata.name.as_deref() == Some(volume_name.as_str()))?;
            let terms = &volume
                .spec
                .as_ref()?
                .node_affinity
                .as_ref()?
                .required
                .as_ref()?
                .node_selector_terms;
            let matching_nodes = evidence.nodes.as_ref().map(|nodes| {
                nodes
                    .iter()
                    .filter(|n| terms.iter().any(|t| term_matches(t, n)))
                    .filter_map(|n| n.metadata.name.clone())
                    .collect()
            });
            Some(Pin {
                claim: claim.to_string(),
                volume: volume_name,
                rule: terms.iter().map(describe_term).collect::<Vec<_>>().join(" or "),
                matching_nodes,
            })
        })
        .collect()
}

/// Whether `node` satisfies `term` (an empty term matches no node, as upstream).
fn term_matches(term: &NodeSelectorTerm, node: &Node) -> bool {
    let expressions = term.match_expressions.as_deref().unwrap_or_default();
    let fields = term.match_fields.as_deref().unwrap_or_default();
    if expressions.is_empty() && fields.is_empty() {
        return false;
    }
    let labels = node.metadata.labels.clone().unwrap_or_default();
    expressions
        .iter()
        .all(|r| requirement_holds(r, labels.get(&r.key).map(String::as_str)))
        && fields.iter().all(|r| {
            let value = (r.key == "metadata.name")
                .then_some(node.metadata.name.as_deref())
                .flatten();
            requirement_holds(r, value)
        })
}

fn requirement_holds(requirement: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = requirement.values.as_deref().unwrap_or_default();
    let number = |v: &str| v.parse::<i64>().ok();
    match requirement.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| values.iter().all(|x| x != v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" => value
            .and_then(number)
            .zip(values.first().and_then(|x| number(x)))
            .is_some_and(|(v, x)| v > x),
        "Lt" => value
            .and_then(number)
            .zip(values.first().and_then(|x| number(x)))
            .is_some_and(|(v, x)| v < x),
        _ => false,
    }
}

fn describe_term(term: &NodeSelectorTerm) -> String {
    let requirements = term
        .match_expressions
        .iter()
        .chain(term.match_fields.iter())
        .flatten();
    requirements
        .map(|r| {
            let values = r.values.as_deref().unwrap_or_default();
            if values.is_empty() {
                format!("{} {}", r.key, r.operator)
            } else {
                format!("{} {} [{}]", r.key, r.operator, values.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// One finding per claim of the set that is not bound (or lost its volume).
pub fn findings(evidence: &Evidence, events: &EventIndex) -> Vec<Finding> {
    let mut claims: Vec<&PersistentVolumeClaim> = evidence.snap.claims.iter().collect();
    claims.sort_by_cached_key(|c| {
        let name = c.metadata.name.as_deref().unwrap_or_default();
        set::claim_template_and_ordinal(&evidence.snap.set, name).map(|(t, o)| (o, t))
    });
    claims
        .into_iter()
        .filter_map(|c| claim_finding(evidence, events, c))
        .collect()
}

fn claim_finding(evidence: &Evidence, events: &EventIndex, claim: &PersistentVolumeClaim) -> Option<Finding> {
    let phase = claim
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending");
    let name = claim.metadata.name.as_deref().unwrap_or_default();
    let object = format!("claim {name}");
    let ns = scope_flags(evidence.snap);
    match phase {
        "Lost" => return Some(lost(claim, object, &ns)),
        "Pending" => {}
        _ => return None,
    }
    let uid = claim.metadata.uid.as_deref();
    let failures = events.about(
        "PersistentVolumeClaim",
        name,
        uid,
        &["ProvisioningFailed", "FailedBinding"],
    );
    let class = claim.spec.as_ref().and_then(|s| s.storage_class_name.clone());
    let known_class = class.as_deref().and_then(|c| {
        evidence
            .classes
            .as_ref()
            .map(|classes| classes.iter().find(|k| k.metadata.name.as_deref() == Some(c)))
    });
    let mut finding = match (class.as_deref(), known_class) {
        (Some(c), Some(None)) if !c.is_empty() => Finding::new(
            Severity::Blocked,
            object,
            format!("Pending: storage class {c} does not exist"),
        )
        .with_next(format!(
            "create StorageClass {c} (`kubectl get storageclass` lists the cluster's), or fix the class in the set's manifest and apply it with `kubectl sts apply -f MANIFEST --replace-pending-claims {ns}`: the claim never got a volume and holds no data, so it is deleted with its Pending pod and made again from the fixed template",
        )),
        (_, Some(Some(found))) if waits_for_consumer(found) && failures.is_empty() => {
            return Some(Finding::new(
                Severity::Info,
                object,
                format!("Pending until its pod is scheduled (storage class {} binds WaitForFirstConsumer)", class.unwrap_or_default()),
            ));
        }
        _ if !failures.is_empty() => {
            let reason = failures[0].reason.as_deref().unwrap_or_default();
            let what = if reason == "FailedBinding" { "Pending: no volume can bind it" } else { "Pending: provisioning fails" };
            Finding::new(Severity::Blocked, object, what).with_next(
                "fix what the event names (the provisioner or the class); a volume that fits binds it by itself",
            )
        }
        _ => return pending_a_while(evidence, events, claim, object),
    };
    for event in failures.iter().take(1) {
        finding = finding.with_evidence(events.describe(event));
    }
    Some(finding)
}

/// A claim whose volume is gone.
fn lost(claim: &PersistentVolumeClaim, object: String, ns: &str) -> Finding {
    let name = claim.metadata.name.as_deref().unwrap_or_default();
    let volume = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .unwrap_or_default();
    Finding::new(Severity::Blocked, object, format!("Lost: its volume {volume} is gone")).with_next(format!(
        "restore volume {volume}, or start the member afresh (its data is lost): `kubectl delete pvc {name} {ns}`"
    ))
}

fn waits_for_consumer(class: &StorageClass) -> bool {
    class.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer")
}

/// A claim Pending with no failure reported: worth a warning once it has waited a while.
fn pending_a_while(
    evidence: &Evidence,
    events: &EventIndex,
    claim: &PersistentVolumeClaim,
    object: String,
) -> Option<Finding> {
    let now = evidence.snap.taken_at;
    let created = claim.metadata.creation_timestamp.as_ref().map_or(now, |t| t.0);
    let waited = (now - created).get_seconds();
    if waited < UNSCHEDULABLE_GRACE_SECONDS {
        return None;
    }
    let name = claim.metadata.name.as_deref().unwrap_or_default();
    let mut finding = Finding::new(Severity::Warning, object, format!("Pending for {waited}s"));
    if let Some(event) = events
        .about("PersistentVolumeClaim", name, claim.metadata.uid.as_deref(), &[])
        .first()
    {
        finding = finding.with_evidence(events.describe(event));
    }
    let defaulted = evidence.classes.as_ref().is_some_and(|c| {
        c.iter().any(|k| {
            k.metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.get(DEFAULT_CLASS_ANNOTATION).is_some_and(|v| v == "true"))
        })
    });
    if claim
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_ref())
        .is_none()
        && !defaulted
    {
        finding = finding.with_evidence(
            "no storage class and no default class: only a PersistentVolume made for it can bind it",
        );
    }
    Some(finding.with_next(format!(
        "`kubectl describe pvc {name} {}` shows the provisioner's progress",
        scope_flags(evidence.snap)
    )))
}
