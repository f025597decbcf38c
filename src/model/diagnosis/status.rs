//! The `status` report of one set, computed from a snapshot: the set's counters and policies,
//! its revisions, one entry per ordinal (present or missing) with its claims and DNS name,
//! leftover claims beyond the replica count, and the progress judgement.

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use serde::Serialize;

use crate::model::diagnosis::progress::{Progress, progress};
use crate::model::diagnosis::why::Around;
use crate::model::set::health::{self, pod_health};
use crate::model::set::revision::{RevisionRole, RevisionSummary, role, summarize};
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, PodManagement, Strategy};

/// The replica counters of `status`, zeros included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replicas {
    pub desired: i32,
    pub existing: i32,
    pub ready: i32,
    pub available: i32,
    pub updated: i32,
    pub current: i32,
}

/// One claim of one ordinal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimStatus {
    pub name: String,
    pub template: String,
    pub ordinal: i32,
    pub exists: bool,
    /// `Bound`, `Pending`, `Lost`; `None` when the claim does not exist.
    pub phase: Option<String>,
    pub volume: Option<String>,
    pub capacity: Option<String>,
}

/// One ordinal: its pod (if any), health, revision, placement, claims and DNS name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrdinalStatus {
    pub ordinal: i32,
    pub pod: String,
    pub exists: bool,
    pub uid: Option<String>,
    pub phase: Option<String>,
    pub ready: bool,
    pub available: bool,
    pub terminating: bool,
    /// Why it is not Ready (`CrashLoopBackOff`, `Unschedulable`, …).
    pub reason: Option<String>,
    pub message: Option<String>,
    pub revision: Option<String>,
    pub revision_role: RevisionRole,
    pub images: Vec<String>,
    pub restarts: i32,
    pub node: Option<String>,
    pub ip: Option<String>,
    pub created: Option<String>,
    pub age_seconds: Option<i64>,
    pub claims: Vec<ClaimStatus>,
    pub dns_name: Option<String>,
}

/// Everything `status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub kind: &'static str,
    pub version: &'static str,
    pub namespace: String,
    pub name: String,
    pub replicas: Replicas,
    pub strategy: Strategy,
    pub partition: Option<i32>,
    /// More than one pod at a time, where the cluster honours `rollingUpdate.maxUnavailable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<String>,
    pub pod_management_policy: PodManagement,
    pub min_ready_seconds: i32,
    pub service_name: String,
    pub ordinal_start: i32,
    pub retention: set::Retention,
    pub generation: i64,
    pub observed_generation: i64,
    pub status_stale: bool,
    pub current_revision: Option<RevisionSummary>,
    pub update_revision: Option<RevisionSummary>,
    pub pods: Vec<OrdinalStatus>,
    pub leftover_claims: Vec<ClaimStatus>,
    pub progress: Progress,
    /// A step a guided command recorded and did not finish (it was interrupted).
    pub in_flight: Option<crate::model::flow::record::Record>,
    /// What blocks the set most, as far as the snapshot tells (`why` reads more).
    pub blocker: Option<crate::model::diagnosis::why::Finding>,
    /// How the user reaches the set: the flags commands printed for people carry.
    #[serde(skip)]
    pub scope: crate::model::set::scope::Scope,
}

/// The first blocking finding `why` would make from the snapshot and `around` (the nodes of
/// pods not Ready, when `status` read them).
fn top_blocker(snap: &SetSnapshot, around: &Around) -> Option<crate::model::diagnosis::why::Finding> {
    crate::model::diagnosis::why::diagnose(snap, around)
        .top_blocker()
        .cloned()
}

/// The nodes worth reading for `status`: those of pods that are not Ready or are Terminating
/// (a node going down shows there first), at most `MAX_NODES_READ`, sorted.
pub fn nodes_to_read(snap: &SetSnapshot) -> Vec<String> {
    let mut names: Vec<String> = snap
        .pods
        .iter()
        .filter(|pod| {
            let health = pod_health(pod, 0, snap.taken_at);
            health.terminating || !health.ready
        })
        .filter_map(|pod| pod.spec.as_ref()?.node_name.clone())
        .collect();
    names.sort();
    names.dedup();
    names.truncate(MAX_NODES_READ);
    names
}

/// How many nodes `status` reads at most: more nodes in trouble than this is a cluster-wide
/// failure, which `why` (a list of every node) tells better.
const MAX_NODES_READ: usize = 5;

/// Builds the report.
pub fn status_report(snap: &SetSnapshot, around: &Around) -> StatusReport {
    let set = &snap.set;
    let st = set.status.as_ref();
    let counter =
        |f: fn(&k8s_openapi::api::apps::v1::StatefulSetStatus) -> Option<i32>| st.and_then(f).unwrap_or(0);
    StatusReport {
        kind: "StatefulSetStatus",
        version: "v1",
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        replicas: Replicas {
            desired: set::desired_replicas(set),
            existing: st.map_or(0, |s| s.replicas),
            ready: counter(|s| s.ready_replicas),
            available: counter(|s| s.available_replicas),
            updated: counter(|s| s.updated_replicas),
            current: counter(|s| s.current_replicas),
        },
        strategy: set::strategy(set),
        partition: set::partition(set),
        max_unavailable: set::max_unavailable(set),
        pod_management_policy: set::pod_management(set),
        min_ready_seconds: set::min_ready_seconds(set),
        service_name: set::service_name(set).to_string(),
        ordinal_start: set::ordinal_start(set),
        retention: set::retention(set),
        generation: set.metadata.generation.unwrap_or(0),
        observed_generation: st.and_then(|s| s.observed_generation).unwrap_or(0),
        status_stale: set::status_is_stale(set),
        current_revision: set::current_revision(set).map(|r| summarize(r, &snap.revisions)),
        update_revision: set::update_revision(set).map(|r| summarize(r, &snap.revisions)),
        pods: set::ordinals(set).map(|o| ordinal_status(snap, o)).collect(),
        leftover_claims: leftover_claims(snap),
        progress: progress(snap),
        in_flight: crate::model::flow::record::on_set(set),
        scope: snap.scope.clone(),
        blocker: top_blocker(snap, around),
    }
}

fn ordinal_status(snap: &SetSnapshot, ordinal: i32) -> OrdinalStatus {
    let name = set::pod_name(&snap.set, ordinal);
    let claims = set::claim_templates(&snap.set)
        .into_iter()
        .map(|template| {
            let claim_name = set::claim_name(&snap.set, &template, ordinal);
            claim_status(snap.claim(&claim_name), claim_name, template, ordinal)
        })
        .collect();
    let dns_name = Some(set::service_name(&snap.set))
        .filter(|s| !s.is_empty())
        .map(|service| set::pod_fqdn(&name, service, snap.namespace()));
    let mut row = OrdinalStatus {
        ordinal,
        pod: name,
        exists: false,
        uid: None,
        phase: None,
        ready: false,
        available: false,
        terminating: false,
        reason: None,
        message: None,
        revision: None,
        revision_role: RevisionRole::Unknown,
        images: Vec::new(),
        restarts: 0,
        node: None,
        ip: None,
        created: None,
        age_seconds: None,
        claims,
        dns_name,
    };
    if let Some(pod) = snap.pod(ordinal) {
        fill_from_pod(&mut row, snap, pod);
    }
    row
}

fn fill_from_pod(row: &mut OrdinalStatus, snap: &SetSnapshot, pod: &Pod) {
    let health = pod_health(pod, set::min_ready_seconds(&snap.set), snap.taken_at);
    let revision = health::revision_of(pod).map(str::to_string);
    let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
    row.exists = true;
    row.uid = pod.metadata.uid.clone();
    row.phase = Some(health.phase.clone());
    row.ready = health.ready;
    row.available = health.available;
    row.terminating = health.terminating;
    row.reason = health.problem.as_ref().map(|p| p.reason.clone());
    row.message = health.problem.as_ref().and_then(|p| p.message.clone());
    row.revision_role = role(&snap.set, revision.as_deref());
    row.revision = revision;
    row.images = health::images(pod);
    row.restarts = health.restarts;
    row.node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    row.ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone());
    row.created = created.map(|t| t.to_string());
    row.age_seconds = created.map(|t| (snap.taken_at - t).get_seconds().max(0));
}

fn claim_status(
    claim: Option<&PersistentVolumeClaim>,
    name: String,
    template: String,
    ordinal: i32,
) -> ClaimStatus {
    ClaimStatus {
        name,
        template,
        ordinal,
        exists: claim.is_some(),
        phase: claim.and_then(|c| c.status.as_ref()?.phase.clone()),
        volume: claim.and_then(|c| c.spec.as_ref()?.volume_name.clone()),
        capacity: claim.and_then(|c| Some(c.status.as_ref()?.capacity.as_ref()?.get("storage")?.0.clone())),
    }
}

/// Claims of this set's templates whose ordinal is outside the set's range, by ordinal.
fn leftover_claims(snap: &SetSnapshot) -> Vec<ClaimStatus> {
    let range = set::ordinals(&snap.set);
    let mut leftovers: Vec<ClaimStatus> = snap
        .claims
        .iter()
        .filter_map(|claim| {
            let name = claim.metadata.name.clone()?;
            let (template, ordinal) = set::claim_template_and_ordinal(&snap.set, &name)?;
            (!range.contains(&ordinal)).then(|| claim_status(Some(claim), name, template, ordinal))
        })
        .collect();
    leftovers.sort_by(|a, b| (a.ordinal, &a.template).cmp(&(b.ordinal, &b.template)));
    leftovers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, revision, snapshot, stuck_update_pods};

    #[test]
    fn every_ordinal_has_a_row_even_without_a_pod() {
        let set = SetBuilder::new("web").replicas(3).claim_template("www").build();
        let pods = vec![
            PodBuilder::new("web", 0, "web-r1").build(),
            PodBuilder::new("web", 2, "web-r1").build(),
        ];
        let claims = vec![
            claim("www-web-0", "Bound"),
            claim("www-web-2", "Bound"),
            claim("www-web-4", "Bound"),
        ];
        let snap = snapshot(
            set,
            pods,
            claims,
            vec![revision("web", "web-r1", 1, "nginx:1.25")],
        );
        let report = status_report(&snap, &Around::default());
        assert!(nodes_to_read(&snap).is_empty(), "every pod Ready: no node read");
        let names: Vec<_> = report.pods.iter().map(|p| (p.pod.as_str(), p.exists)).collect();
        assert_eq!(names, [("web-0", true), ("web-1", false), ("web-2", true)]);
        assert!(!report.pods[1].claims[0].exists);
        assert_eq!(report.pods[0].claims[0].phase.as_deref(), Some("Bound"));
        assert_eq!(
            report.pods[0].dns_name.as_deref(),
            Some("web-0.nginx.default.svc.cluster.local")
        );
        assert_eq!(report.leftover_claims.len(), 1);
        assert_eq!(report.leftover_claims[0].name, "www-web-4");
        assert_eq!(report.update_revision.unwrap().images[0].image, "nginx:1.25");
    }

    #[test]
    fn crash_looping_pod_row_carries_reason_and_role() {
        let set = SetBuilder::new("web").revisions("web-r1", "web-r2").build();
        let pods = stuck_update_pods("web");
        let report = status_report(&snapshot(set, pods, vec![], vec![]), &Around::default());
        let row = &report.pods[2];
        assert_eq!(row.reason.as_deref(), Some("CrashLoopBackOff"));
        assert_eq!(row.revision_role, RevisionRole::Update);
        assert_eq!(report.pods[0].revision_role, RevisionRole::Current);
        assert_eq!(row.restarts, 4);
        assert_eq!(row.images, ["nginx:broken"]);
    }
}
