//! Planning `pvc resize`, the way round immutable `volumeClaimTemplates`: the checks (the
//! template exists, the size grows, every class involved allows expansion, claims are Bound),
//! the claims to patch, the set to re-create identical but for the size (server-set fields
//! stripped), and judging the re-created set: pods adopted with the same uids and no
//! restarts, each claim's resize. Pure.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::model::flow::step::StepState;
use crate::model::refusal::Refusal;
use crate::model::set;
use crate::model::set::health::pod_health;
use crate::model::set::scope::Scope;
use crate::model::set::snapshot::SetSnapshot;
use crate::model::storage::claims::{ClaimsReport, Storage, claims_report};
use crate::model::storage::quantity::{self, Quantity};

/// The annotation marking the cluster's default StorageClass.
const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";

/// How long a mounted claim may wait for its file system to grow online before the wait
/// counts it as done (some drivers only grow it when the pod next starts).
pub const FILE_SYSTEM_GRACE_SECONDS: i64 = 60;

/// One claim of the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimResize {
    pub claim: String,
    pub ordinal: i32,
    pub requested: Option<String>,
    pub capacity: Option<String>,
    pub storage_class: Option<String>,
    pub used_by: Vec<String>,
    /// Its request is below the new size: it is patched.
    pub patch: bool,
}

/// A pod as it was before: adoption must keep its uid and restart count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PodMark {
    pub pod: String,
    pub uid: String,
    pub restarts: i32,
}

/// The resize plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResizePlan {
    pub namespace: String,
    pub name: String,
    pub uid: Option<String>,
    /// `metadata.generation` when planned: the spec the re-created set copies.
    pub generation: Option<i64>,
    pub template: String,
    /// The template's request now, and the new one.
    pub from: String,
    pub to: String,
    /// The class new claims of the template get.
    pub storage_class: Option<String>,
    pub claims: Vec<ClaimResize>,
    /// The template changes: the set is orphan-deleted and re-created.
    pub recreate: bool,
    pub pods: Vec<PodMark>,
}

impl ResizePlan {
    /// Nothing to patch and nothing to re-create.
    pub fn is_empty(&self) -> bool {
        !self.recreate && !self.claims.iter().any(|c| c.patch)
    }
}

/// Checks the request and plans it; `Err` is a one-line reason nothing can be done.
pub fn plan_resize(
    sts: &StatefulSet,
    storage: &Storage,
    template: Option<&str>,
    size: &Quantity,
) -> Result<ResizePlan, Refusal> {
    let whose = format!(
        "statefulset {}/{}",
        sts.metadata.namespace.as_deref().unwrap_or_default(),
        set::name(sts)
    );
    let templates = set::claim_templates(sts);
    let template = chosen_template(&whose, &templates, template)?;
    let template = template.as_str();
    let from = template_request(sts, template)
        .ok_or_else(|| format!("claim template {template} of {whose} asks for no storage"))?;
    let current = quantity::parse(&from).map_err(|e| format!("claim template {template} of {whose}: {e}"))?;
    if *size < current || !size.is_positive() {
        return Err(Refusal::usage(format!(
            "claim template {template} of {whose} asks for {from}; {size} would shrink it and claims can only grow"
        )));
    }
    let report = claims_report(sts, storage);
    let claims = template_claims(&report, template, size, &storage.scope)?;
    let storage_class = template_class(sts, template, storage);
    let changes = *size > current || claims.iter().any(|c| c.patch);
    if changes {
        check_expansion(storage, &claims, storage_class.as_deref(), template)?;
    }
    let snap = storage.set_snapshot(sts);
    Ok(ResizePlan {
        namespace: report.namespace.clone(),
        name: report.name.clone(),
        uid: sts.metadata.uid.clone(),
        generation: sts.metadata.generation,
        template: template.to_string(),
        recreate: *size > current,
        from,
        to: size.text().to_string(),
        storage_class,
        claims,
        pods: snap.pods.iter().map(mark).collect(),
    })
}

/// The template to grow: the one named, or the set's only one.
fn chosen_template(whose: &str, templates: &[String], named: Option<&str>) -> Result<String, Refusal> {
    let known = match templates.is_empty() {
        true => "none".to_string(),
        false => templates.join(", "),
    };
    match (named, templates) {
        (Some(name), _) if templates.iter().any(|t| t == name) => Ok(name.to_string()),
        (Some(name), _) => Err(Refusal::usage(format!(
            "{whose} has no claim template {name:?} (its templates: {known})"
        ))),
        (None, [only]) => Ok(only.clone()),
        (None, []) => Err(format!("{whose} has no claim template: nothing to resize").into()),
        (None, _) => Err(Refusal::usage(format!(
            "{whose} has several claim templates ({known}): say which with --template"
        ))),
    }
}

/// What adoption must keep of `pod`: its uid and restart count.
pub fn mark(pod: &Pod) -> PodMark {
    PodMark {
        pod: pod.metadata.name.clone().unwrap_or_default(),
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        restarts: pod_health(pod, 0, Timestamp::UNIX_EPOCH).restarts,
    }
}

/// `spec.resources.requests.storage` of a claim template.
fn template_request(sts: &StatefulSet, template: &str) -> Option<String> {
    let t = claim_template(sts, template)?;
    Some(
        t.spec
            .as_ref()?
            .resources
            .as_ref()?
            .requests
            .as_ref()?
            .get("storage")?
            .0
            .clone(),
    )
}

fn claim_template<'a>(sts: &'a StatefulSet, template: &str) -> Option<&'a PersistentVolumeClaim> {
    sts.spec
        .as_ref()?
        .volume_claim_templates
        .iter()
        .flatten()
        .find(|t| t.metadata.name.as_deref() == Some(template))
}

/// The existing claims of the template (leftovers included), each patched if below `size`;
/// a claim to patch must be Bound.
fn template_claims(
    report: &ClaimsReport,
    template: &str,
    size: &Quantity,
    scope: &Scope,
) -> Result<Vec<ClaimResize>, Refusal> {
    let mut claims = Vec::new();
    for row in report
        .claims
        .iter()
        .filter(|r| r.exists && r.template == template)
    {
        let requested = row.requested.as_deref().and_then(|r| quantity::parse(r).ok());
        let patch = requested.is_none_or(|r| r < *size);
        if patch && row.phase.as_deref() != Some("Bound") {
            return Err(format!(
                "claim {} is {}: only Bound claims can grow; wait for it to bind (see `{}`)",
                row.claim,
                row.phase.as_deref().unwrap_or("without a phase"),
                scope.sts(&format!("pvc {}", report.name))
            )
            .into());
        }
        claims.push(ClaimResize {
            claim: row.claim.clone(),
            ordinal: row.ordinal,
            requested: row.requested.clone(),
            capacity: row.capacity.clone(),
            storage_class: row.storage_class.clone(),
            used_by: row.used_by.clone(),
            patch,
        });
    }
    Ok(claims)
}

/// The class new claims of the template get: its own, else the cluster's default.
fn template_class(sts: &StatefulSet, template: &str, storage: &Storage) -> Option<String> {
    let own = claim_template(sts, template)?
        .spec
        .as_ref()?
        .storage_class_name
        .clone();
    own.or_else(|| {
        storage
            .classes
            .iter()
            .flatten()
            .find(|c| {
                c.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(DEFAULT_CLASS))
                    .is_some_and(|v| v == "true")
            })
            .and_then(|c| c.metadata.name.clone())
    })
}

/// Every class involved (the claims' to patch, the template's) allows volume expansion.
fn check_expansion(
    storage: &Storage,
    claims: &[ClaimResize],
    template_class: Option<&str>,
    template: &str,
) -> Result<(), Refusal> {
    if storage.classes.is_none() {
        return Err("cannot read storageclasses to check that they allow volume expansion; ask for permission to list them".into());
    }
    let mut involved: Vec<(String, Option<&str>)> = claims
        .iter()
        .filter(|c| c.patch)
        .map(|c| (format!("claim {}", c.claim), c.storage_class.as_deref()))
        .collect();
    involved.push((format!("claim template {template}"), template_class));
    for (what, class) in involved {
        let Some(class) = class else {
            return Err(format!(
                "{what} has no storage class (a statically provisioned volume): it cannot be expanded"
            )
            .into());
        };
        match storage.class(class) {
            None => return Err(format!("storage class {class} of {what} does not exist").into()),
            Some(c) if c.allow_volume_expansion != Some(true) => {
                return Err(format!(
                    "storage class {class} of {what} does not allow volume expansion (allowVolumeExpansion is not true); nothing was changed"
                ).into());
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The set to create again: identical but for the template's size.
pub fn recreated(sts: &StatefulSet, template: &str, size: &str) -> StatefulSet {
    let mut new = crate::model::set::manifest::for_create(sts);
    let templates = new.spec.as_mut().and_then(|s| s.volume_claim_templates.as_mut());
    for t in templates.into_iter().flatten() {
        if t.metadata.name.as_deref() != Some(template) {
            continue;
        }
        let spec = t.spec.get_or_insert_with(Default::default);
        let resources = spec.resources.get_or_insert_with(Default::default);
        resources.requests.get_or_insert_with(Default::default).insert(
            "storage".into(),
            k8s_openapi::apimachinery::pkg::api::resource::Quantity(size.into()),
        );
    }
    new
}

/// The verdict of one look at the re-created set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResizeVerdict {
    Done,
    Waiting {
        recheck_at: Option<Timestamp>,
    },
    /// The promise is broken: a pod was replaced, or a claim cannot grow.
    Failed {
        what: String,
    },
}

/// Judges the re-created set (`uid`) against the plan: every pod adopted with the same uid and
/// no restart, every patched claim grown (or, unmounted, waiting only for a pod to mount it).
pub fn judge_resize(plan: &ResizePlan, uid: &str, snap: &SetSnapshot) -> (Vec<StepState>, ResizeVerdict) {
    let (mut states, adoption_broken) = judge_adoption(&plan.pods, uid, snap);
    let (claim_states, recheck_at, claims_broken) = judge_claims(plan, snap);
    states.extend(claim_states);
    let verdict = match adoption_broken.or(claims_broken) {
        Some(what) => ResizeVerdict::Failed { what },
        None if states.iter().all(|s| s.done) && !set::status_is_stale(&snap.set) => ResizeVerdict::Done,
        None => ResizeVerdict::Waiting { recheck_at },
    };
    (states, verdict)
}

/// Each pod of `marks` adopted by the set `uid` with its uid kept: its state, and what broke
/// the promise (a pod re-created).
pub fn judge_adoption(marks: &[PodMark], uid: &str, snap: &SetSnapshot) -> (Vec<StepState>, Option<String>) {
    let mut failed = None;
    let mut states = Vec::new();
    for mark in marks {
        let (state, broken) = adoption_state(mark, uid, snap);
        failed = failed.or(broken);
        states.push(state);
    }
    (states, failed)
}

/// Each patched claim of the plan: its state, when to look again, and what makes it fail.
pub fn judge_claims(
    plan: &ResizePlan,
    snap: &SetSnapshot,
) -> (Vec<StepState>, Option<Timestamp>, Option<String>) {
    let mut states = Vec::new();
    let mut failed = None;
    let mut recheck_at: Option<Timestamp> = None;
    for claim in plan.claims.iter().filter(|c| c.patch) {
        let (state, at, broken) = claim_state(claim, &plan.to, snap);
        failed = failed.or(broken);
        recheck_at = match (recheck_at, at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        states.push(state);
    }
    (states, recheck_at, failed)
}

fn adoption_state(mark: &PodMark, uid: &str, snap: &SetSnapshot) -> (StepState, Option<String>) {
    let pod = snap
        .pods
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some(&mark.pod));
    let step = |done: bool, state: String| StepState {
        pod: mark.pod.clone(),
        done,
        state,
    };
    let Some(pod) = pod.filter(|p| p.metadata.uid.as_deref() == Some(&mark.uid)) else {
        let what = format!("{} was deleted and re-created (its uid changed)", mark.pod);
        return (step(false, what.clone()), Some(what));
    };
    let restarts = pod_health(pod, 0, snap.taken_at).restarts;
    let adopted = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.uid == uid && o.controller == Some(true));
    let restart_note = if restarts > mark.restarts {
        format!("; restartCount {} -> {restarts}", mark.restarts)
    } else {
        String::new()
    };
    match adopted {
        true => (step(true, format!("adopted, same uid{restart_note}")), None),
        false => (step(false, format!("waiting to be adopted{restart_note}")), None),
    }
}

/// Where a patched claim's expansion stands, when to look again, and what makes it fail.
fn claim_state(
    claim: &ClaimResize,
    to: &str,
    snap: &SetSnapshot,
) -> (StepState, Option<Timestamp>, Option<String>) {
    let step = |done: bool, state: String| StepState {
        pod: claim.claim.clone(),
        done,
        state,
    };
    let Some(live) = snap.claim(&claim.claim) else {
        return (step(true, "deleted meanwhile".into()), None, None);
    };
    let status = live.status.as_ref();
    let capacity = status.and_then(|s| Some(s.capacity.as_ref()?.get("storage")?.0.clone()));
    let grown = capacity
        .as_deref()
        .and_then(|c| quantity::parse(c).ok())
        .zip(quantity::parse(to).ok())
        .is_some_and(|(c, t)| c >= t);
    if grown {
        return (
            step(true, format!("resized to {}", capacity.unwrap_or_default())),
            None,
            None,
        );
    }
    let conditions: Vec<_> = status.and_then(|s| s.conditions.clone()).unwrap_or_default();
    let allocated = status
        .and_then(|s| s.allocated_resource_statuses.as_ref()?.get("storage").cloned())
        .unwrap_or_default();
    if let Some((state, what)) = resize_failure(&claim.claim, &conditions, &allocated, to) {
        return (step(false, state), None, Some(what));
    }
    let pending = conditions.iter().find(|c| c.type_ == "FileSystemResizePending");
    let node_stage = pending.is_some() || allocated == "NodeResizePending";
    if node_stage && !mounted(claim, snap) {
        let note = format!("volume grown to {to}; the file system grows when a pod mounts it");
        return (step(true, note), None, None);
    }
    let Some(pending) = pending else {
        let state = conditions
            .first()
            .map_or("resize requested".into(), |c| c.type_.clone());
        return (step(false, state), None, None);
    };
    let since = pending
        .last_transition_time
        .as_ref()
        .map_or(snap.taken_at, |t| t.0);
    let due = since + SignedDuration::from_secs(FILE_SYSTEM_GRACE_SECONDS);
    if snap.taken_at >= due {
        let note = "FileSystemResizePending: the file system grows when the pod next starts".to_string();
        return (step(true, note), None, None);
    }
    (step(false, "FileSystemResizePending".into()), Some(due), None)
}

/// A resize that failed: its state and what to say (a `…ResizeError` condition, or an
/// allocated status `…Infeasible`).
fn resize_failure(
    claim: &str,
    conditions: &[k8s_openapi::api::core::v1::PersistentVolumeClaimCondition],
    allocated: &str,
    to: &str,
) -> Option<(String, String)> {
    if let Some(bad) = conditions
        .iter()
        .find(|c| c.type_.ends_with("ResizeError") && c.status == "True")
    {
        let message = bad.message.clone().unwrap_or_default();
        return Some((bad.type_.clone(), format!("{claim}: {} ({message})", bad.type_)));
    }
    allocated.ends_with("Infeasible").then(|| {
        let what = format!("{claim}: {allocated}: the volume cannot grow to {to}");
        (allocated.to_string(), what)
    })
}

/// A Running pod of the claim's ordinal mounts it.
fn mounted(claim: &ClaimResize, snap: &SetSnapshot) -> bool {
    snap.pod(claim.ordinal)
        .is_some_and(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, now, snapshot};
    use serde_json::json;

    fn storage(claims: Vec<PersistentVolumeClaim>, expandable: bool) -> Storage {
        let class = json!({"metadata": {"name": "standard", "annotations": {DEFAULT_CLASS: "true"}},
                           "provisioner": "p", "allowVolumeExpansion": expandable});
        let claims = claims
            .into_iter()
            .map(|mut c| {
                c.spec.as_mut().unwrap().storage_class_name = Some("standard".into());
                c
            })
            .collect();
        Storage {
            claims,
            pods: (0..2)
                .map(|o| PodBuilder::new("web", o, "web-r1").build())
                .collect(),
            volumes: Some(Vec::new()),
            classes: Some(vec![serde_json::from_value(class).unwrap()]),
            taken_at: now(),
            scope: crate::model::set::scope::Scope::namespace("default"),
        }
    }

    fn web() -> StatefulSet {
        SetBuilder::new("web").replicas(2).claim_template("www").build()
    }

    fn size(text: &str) -> Quantity {
        quantity::parse(text).unwrap()
    }

    fn three_claims() -> Vec<PersistentVolumeClaim> {
        (0..3).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect()
    }

    #[test]
    fn growing_patches_every_claim_of_the_template_and_recreates() {
        let plan = plan_resize(&web(), &storage(three_claims(), true), Some("www"), &size("2Gi")).unwrap();
        assert!(plan.recreate);
        assert_eq!((plan.from.as_str(), plan.to.as_str()), ("1Gi", "2Gi"));
        let names: Vec<_> = plan
            .claims
            .iter()
            .filter(|c| c.patch)
            .map(|c| c.claim.as_str())
            .collect();
        assert_eq!(names, ["www-web-0", "www-web-1", "www-web-2"]);
        assert_eq!(plan.storage_class.as_deref(), Some("standard"));
        assert_eq!(plan.pods[1].uid, "uid-web-1");
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        let st = storage(three_claims(), true);
        let unknown = plan_resize(&web(), &st, Some("data"), &size("2Gi"))
            .unwrap_err()
            .reason;
        assert_eq!(
            unknown,
            "statefulset default/web has no claim template \"data\" (its templates: www)"
        );
        let smaller = plan_resize(&web(), &st, Some("www"), &size("500Mi"))
            .unwrap_err()
            .reason;
        assert!(smaller.contains("500Mi would shrink it"), "{smaller}");
        let fixed = plan_resize(&web(), &storage(three_claims(), false), Some("www"), &size("2Gi"))
            .unwrap_err()
            .reason;
        assert!(
            fixed.contains("storage class standard of claim www-web-0 does not allow volume expansion"),
            "{fixed}"
        );
        let mut pending = three_claims();
        pending[1] = claim("www-web-1", "Pending");
        let unbound = plan_resize(&web(), &storage(pending, true), Some("www"), &size("2Gi"))
            .unwrap_err()
            .reason;
        assert!(unbound.starts_with("claim www-web-1 is Pending"), "{unbound}");
    }

    #[test]
    fn the_same_size_again_has_nothing_left_to_do_whatever_the_class() {
        let set = SetBuilder::new("web").replicas(2).claim_template("www").build();
        let plan = plan_resize(&set, &storage(three_claims(), true), Some("www"), &size("1024Mi")).unwrap();
        assert!(plan.is_empty());
        let fixed = plan_resize(&set, &storage(three_claims(), false), None, &size("1024Mi")).unwrap();
        assert!(fixed.is_empty(), "not 'cannot be expanded': {fixed:?}");
    }

    #[test]
    fn the_only_template_needs_no_name_and_several_do() {
        let plan = plan_resize(&web(), &storage(three_claims(), true), None, &size("2Gi")).unwrap();
        assert_eq!(plan.template, "www");
        let two = SetBuilder::new("web")
            .claim_template("www")
            .claim_template("logs")
            .build();
        let refused = plan_resize(&two, &storage(three_claims(), true), None, &size("2Gi")).unwrap_err();
        assert_eq!(refused.kind, crate::model::refusal::RefusalKind::Usage);
        assert!(
            refused
                .reason
                .contains("several claim templates (www, logs): say which with --template"),
            "{}",
            refused.reason
        );
    }

    #[test]
    fn the_recreated_set_differs_only_by_size_and_server_fields() {
        let mut set = web();
        set.metadata.resource_version = Some("42".into());
        set.metadata.finalizers = Some(vec!["orphan".into()]);
        let new = recreated(&set, "www", "2Gi");
        let template = &new
            .spec
            .as_ref()
            .unwrap()
            .volume_claim_templates
            .as_ref()
            .unwrap()[0];
        let requests = template
            .spec
            .as_ref()
            .unwrap()
            .resources
            .as_ref()
            .unwrap()
            .requests
            .as_ref()
            .unwrap();
        assert_eq!(requests["storage"].0, "2Gi");
        assert!(
            new.status.is_none() && new.metadata.uid.is_none() && new.metadata.resource_version.is_none()
        );
        assert!(new.metadata.finalizers.is_none() && new.metadata.generation.is_none());
        let mut back = new.clone();
        back.spec.as_mut().unwrap().volume_claim_templates =
            set.spec.as_ref().unwrap().volume_claim_templates.clone();
        assert_eq!(back.spec, set.spec);
        assert_eq!(back.metadata.labels, set.metadata.labels);
    }

    #[test]
    fn judging_waits_for_adoption_and_growth_and_spots_a_replaced_pod() {
        let plan = plan_resize(&web(), &storage(three_claims(), true), Some("www"), &size("2Gi")).unwrap();
        let mut pods: Vec<Pod> = (0..2)
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        let snap = snapshot(web(), pods.clone(), three_claims(), vec![]);
        let (states, verdict) = judge_resize(&plan, "new-uid", &snap);
        assert_eq!(verdict, ResizeVerdict::Waiting { recheck_at: None });
        assert_eq!(states[0].state, "waiting to be adopted");
        let owner = json!([{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "new-uid", "controller": true}]);
        for pod in &mut pods {
            pod.metadata.owner_references = serde_json::from_value(owner.clone()).unwrap();
        }
        let grown: Vec<_> = three_claims()
            .into_iter()
            .map(|mut c| {
                c.status.as_mut().unwrap().capacity =
                    serde_json::from_value(json!({"storage": "2Gi"})).unwrap();
                c
            })
            .collect();
        let done = snapshot(web(), pods.clone(), grown.clone(), vec![]);
        assert_eq!(judge_resize(&plan, "new-uid", &done).1, ResizeVerdict::Done);
        pods[1].metadata.uid = Some("other".into());
        let replaced = snapshot(web(), pods, grown, vec![]);
        assert!(
            matches!(judge_resize(&plan, "new-uid", &replaced).1, ResizeVerdict::Failed { what } if what.starts_with("web-1 was deleted"))
        );
    }

    #[test]
    fn a_mounted_claim_waiting_for_its_file_system_gets_a_grace_period() {
        let plan = plan_resize(&web(), &storage(three_claims(), true), Some("www"), &size("2Gi")).unwrap();
        let owner = json!([{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "u", "controller": true}]);
        let pods: Vec<Pod> = (0..2)
            .map(|o| {
                let mut pod = PodBuilder::new("web", o, "web-r1").build();
                pod.metadata.owner_references = serde_json::from_value(owner.clone()).unwrap();
                pod
            })
            .collect();
        let pending = |since: &str| {
            let mut c = claim("www-web-0", "Bound");
            c.status.as_mut().unwrap().conditions = serde_json::from_value(json!([
                {"type": "FileSystemResizePending", "status": "True", "lastTransitionTime": since}
            ]))
            .unwrap();
            c
        };
        let recent = snapshot(web(), pods.clone(), vec![pending("2026-11-22T00:59:30Z")], vec![]);
        let (states, verdict) = judge_resize(&plan, "u", &recent);
        let due: Timestamp = "2026-11-22T01:00:30Z".parse().unwrap();
        assert_eq!(
            verdict,
            ResizeVerdict::Waiting {
                recheck_at: Some(due)
            }
        );
        assert_eq!(states[2].state, "FileSystemResizePending");
        let old = snapshot(web(), pods, vec![pending("2026-11-22T00:58:00Z")], vec![]);
        let (states, verdict) = judge_resize(&plan, "u", &old);
        assert_eq!(verdict, ResizeVerdict::Done);
        assert!(
            states[2].state.contains("grows when the pod next starts"),
            "{:?}",
            states[2]
        );
    }

    #[test]
    fn an_unmounted_claim_is_done_once_the_volume_grew() {
        let plan = plan_resize(&web(), &storage(three_claims(), true), Some("www"), &size("2Gi")).unwrap();
        let mut leftover = claim("www-web-2", "Bound");
        leftover.status.as_mut().unwrap().allocated_resource_statuses =
            serde_json::from_value(json!({"storage": "NodeResizePending"})).unwrap();
        let snap = snapshot(web(), vec![], vec![leftover], vec![]);
        let (states, _) = judge_resize(&plan, "u", &snap);
        let row = states.iter().find(|s| s.pod == "www-web-2").unwrap();
        assert!(row.done, "{row:?}");
        assert!(row.state.contains("grows when a pod mounts it"));
    }
}
