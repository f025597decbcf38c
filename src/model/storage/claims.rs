//! The claims of a set as `pvc` shows them: one row per template per ordinal (missing claims
//! and leftovers outside the replica range included) with volume, requested and actual size,
//! class, reclaim policy, the pods using it and any resize in progress; the problems the check
//! reports; the prune plan; and where claims being deleted stand. Pure.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;

use crate::model::flow::step::StepState;
use crate::model::set;
use crate::model::set::scope::Scope;
use crate::model::set::snapshot::{SetSnapshot, own_pods};

/// The namespace's claims and pods and the cluster's volumes and classes, read at one moment.
/// Volumes and classes are `None` when the user may not list them.
#[derive(Debug, Clone)]
pub struct Storage {
    pub claims: Vec<PersistentVolumeClaim>,
    pub pods: Vec<Pod>,
    pub volumes: Option<Vec<PersistentVolume>>,
    pub classes: Option<Vec<StorageClass>>,
    pub taken_at: Timestamp,
    /// How the user reaches the namespace: the flags next commands printed carry.
    pub scope: Scope,
}

impl Storage {
    /// The claim with this name.
    pub fn claim(&self, name: &str) -> Option<&PersistentVolumeClaim> {
        self.claims
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some(name))
    }

    fn volume(&self, name: &str) -> Option<&PersistentVolume> {
        self.volumes
            .iter()
            .flatten()
            .find(|v| v.metadata.name.as_deref() == Some(name))
    }

    /// The StorageClass with this name.
    pub fn class(&self, name: &str) -> Option<&StorageClass> {
        self.classes
            .iter()
            .flatten()
            .find(|c| c.metadata.name.as_deref() == Some(name))
    }

    /// The class of a claim: its own `storageClassName`, else its volume's.
    pub fn class_of(&self, claim: &PersistentVolumeClaim) -> Option<String> {
        let spec = claim.spec.as_ref();
        spec.and_then(|s| s.storage_class_name.clone())
            .or_else(|| {
                let volume = self.volume(spec?.volume_name.as_deref()?)?;
                volume.spec.as_ref()?.storage_class_name.clone()
            })
            .filter(|c| !c.is_empty())
    }

    /// Pods of the namespace that mount the claim, by name.
    pub fn users(&self, claim: &str) -> Vec<String> {
        let mut users: Vec<String> = self
            .pods
            .iter()
            .filter(|p| pod_claims(p).any(|c| c == claim))
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        users.sort();
        users
    }

    /// The set's own pods and claims as a `SetSnapshot` (without revisions, which claims do
    /// not need).
    pub fn set_snapshot(&self, sts: &StatefulSet) -> SetSnapshot {
        SetSnapshot::new(
            sts.clone(),
            own_pods(sts, self.pods.clone()),
            own_claims(sts, &self.claims),
            Vec::new(),
            self.taken_at,
        )
        .with_scope(self.scope.clone())
    }
}

/// The claims a pod mounts.
fn pod_claims(pod: &Pod) -> impl Iterator<Item = &str> {
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| Some(v.persistent_volume_claim.as_ref()?.claim_name.as_str()))
}

/// Claims named after one of the set's templates.
fn own_claims(sts: &StatefulSet, claims: &[PersistentVolumeClaim]) -> Vec<PersistentVolumeClaim> {
    claims
        .iter()
        .filter(|c| {
            set::claim_template_and_ordinal(sts, c.metadata.name.as_deref().unwrap_or_default()).is_some()
        })
        .cloned()
        .collect()
}

/// A condition of a claim (`Resizing`, `FileSystemResizePending`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimCondition {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: Option<String>,
}

/// One claim of one template and ordinal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimRow {
    pub claim: String,
    pub ordinal: i32,
    pub template: String,
    /// Its ordinal is outside the set's range (left over from a scale-down).
    pub leftover: bool,
    pub exists: bool,
    pub uid: Option<String>,
    /// `Bound`, `Pending`, `Lost`.
    pub phase: Option<String>,
    pub terminating: bool,
    pub volume: Option<String>,
    pub requested: Option<String>,
    pub capacity: Option<String>,
    pub storage_class: Option<String>,
    /// The class's `allowVolumeExpansion` (`None`: class unknown).
    pub allows_expansion: Option<bool>,
    pub access_modes: Vec<String>,
    /// The bound volume's `persistentVolumeReclaimPolicy` (`None`: unknown or unbound).
    pub reclaim_policy: Option<String>,
    pub used_by: Vec<String>,
    pub created: Option<String>,
    pub age_seconds: Option<i64>,
    /// An expansion is under way (requested more than the capacity, or resize conditions).
    pub resizing: bool,
    pub resize_conditions: Vec<ClaimCondition>,
}

/// The row of claim `name` (which may not exist).
pub fn claim_row(
    storage: &Storage,
    name: String,
    template: String,
    ordinal: i32,
    leftover: bool,
) -> ClaimRow {
    let claim = storage.claim(&name);
    let spec = claim.and_then(|c| c.spec.as_ref());
    let status = claim.and_then(|c| c.status.as_ref());
    let volume = spec.and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty());
    let class = claim.and_then(|c| storage.class_of(c));
    let requested =
        spec.and_then(|s| Some(s.resources.as_ref()?.requests.as_ref()?.get("storage")?.0.clone()));
    let capacity = status.and_then(|s| Some(s.capacity.as_ref()?.get("storage")?.0.clone()));
    let created = claim
        .and_then(|c| c.metadata.creation_timestamp.as_ref())
        .map(|t| t.0);
    let conditions = resize_conditions(claim);
    ClaimRow {
        exists: claim.is_some(),
        uid: claim.and_then(|c| c.metadata.uid.clone()),
        phase: status.and_then(|s| s.phase.clone()),
        terminating: claim.is_some_and(|c| c.metadata.deletion_timestamp.is_some()),
        reclaim_policy: volume.as_deref().and_then(|v| {
            storage
                .volume(v)?
                .spec
                .as_ref()?
                .persistent_volume_reclaim_policy
                .clone()
        }),
        allows_expansion: class
            .as_deref()
            .and_then(|c| storage.class(c))
            .map(|c| c.allow_volume_expansion == Some(true)),
        access_modes: spec.and_then(|s| s.access_modes.clone()).unwrap_or_default(),
        used_by: if claim.is_some() {
            storage.users(&name)
        } else {
            Vec::new()
        },
        created: created.map(|t| t.to_string()),
        age_seconds: created.map(|t| (storage.taken_at - t).get_seconds().max(0)),
        resizing: !conditions.is_empty() || grows(requested.as_deref(), capacity.as_deref()),
        resize_conditions: conditions,
        claim: name,
        ordinal,
        template,
        leftover,
        volume,
        requested,
        capacity,
        storage_class: class,
    }
}

/// The request is above the capacity: the volume has yet to grow.
fn grows(requested: Option<&str>, capacity: Option<&str>) -> bool {
    let parse = |q: Option<&str>| crate::model::storage::quantity::parse(q?).ok();
    matches!((parse(requested), parse(capacity)), (Some(r), Some(c)) if r > c)
}

/// The claim's resize conditions (every True condition: the API only reports resize ones).
fn resize_conditions(claim: Option<&PersistentVolumeClaim>) -> Vec<ClaimCondition> {
    claim
        .and_then(|c| c.status.as_ref()?.conditions.as_ref())
        .into_iter()
        .flatten()
        .filter(|c| c.status == "True")
        .map(|c| ClaimCondition {
            kind: c.type_.clone(),
            message: c.message.clone().filter(|m| !m.is_empty()),
        })
        .collect()
}

/// Everything `pvc` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimsReport {
    pub kind: &'static str,
    pub version: &'static str,
    pub namespace: String,
    pub name: String,
    pub replicas: i32,
    pub ordinal_start: i32,
    pub retention: set::Retention,
    pub templates: Vec<String>,
    pub claims: Vec<ClaimRow>,
    /// Claims a current replica needs that are not Bound, in words.
    pub problems: Vec<String>,
    /// Whether persistentvolumes / storageclasses could be read (else policies are unknown).
    pub volumes_readable: bool,
    pub classes_readable: bool,
}

/// The report of `sts`'s claims.
pub fn claims_report(sts: &StatefulSet, storage: &Storage) -> ClaimsReport {
    let templates = set::claim_templates(sts);
    let range = set::ordinals(sts);
    let mut rows: Vec<ClaimRow> = range
        .clone()
        .flat_map(|o| templates.iter().map(move |t| (t.clone(), o)))
        .map(|(t, o)| claim_row(storage, set::claim_name(sts, &t, o), t, o, false))
        .collect();
    let mut leftovers: Vec<ClaimRow> = storage
        .claims
        .iter()
        .filter_map(|c| {
            let name = c.metadata.name.clone()?;
            let (template, ordinal) = set::claim_template_and_ordinal(sts, &name)?;
            (!range.contains(&ordinal)).then(|| claim_row(storage, name, template, ordinal, true))
        })
        .collect();
    let position = |t: &str| templates.iter().position(|x| x == t);
    leftovers.sort_by_key(|r| (r.ordinal, position(&r.template)));
    rows.append(&mut leftovers);
    ClaimsReport {
        kind: "StatefulSetClaims",
        version: "v1",
        namespace: sts.metadata.namespace.clone().unwrap_or_default(),
        name: set::name(sts).to_string(),
        replicas: set::desired_replicas(sts),
        ordinal_start: set::ordinal_start(sts),
        retention: set::retention(sts),
        problems: problems(sts, storage, &rows),
        templates,
        claims: rows,
        volumes_readable: storage.volumes.is_some(),
        classes_readable: storage.classes.is_some(),
    }
}

/// Claims of current replicas that are not Bound: Pending or Lost, or missing while the pod
/// exists.
fn problems(sts: &StatefulSet, storage: &Storage, rows: &[ClaimRow]) -> Vec<String> {
    rows.iter()
        .filter(|r| !r.leftover)
        .filter_map(|r| {
            let pod = set::pod_name(sts, r.ordinal);
            let pod_exists = storage
                .pods
                .iter()
                .any(|p| p.metadata.name.as_deref() == Some(&pod));
            match r.phase.as_deref() {
                Some("Bound") => None,
                _ if !r.exists && !pod_exists => None,
                None if !r.exists => Some(format!("claim {} of {pod} does not exist", r.claim)),
                Some("Lost") => Some(format!(
                    "claim {} of {pod} is Lost: its volume {} is gone",
                    r.claim,
                    r.volume.as_deref().unwrap_or("(unknown)")
                )),
                phase => Some(format!(
                    "claim {} of {pod} is {}, not Bound",
                    r.claim,
                    phase.unwrap_or("without a phase")
                )),
            }
        })
        .collect()
}

/// A claim left out of a deletion, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedClaim {
    pub claim: String,
    pub reason: String,
}

/// `pvc --prune`: the leftover claims to delete, and the leftovers kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrunePlan {
    pub namespace: String,
    pub name: String,
    pub claims: Vec<ClaimRow>,
    pub skipped: Vec<SkippedClaim>,
}

/// Leftover claims that no pod uses are deleted; leftovers in use or already being deleted
/// are not.
pub fn plan_prune(report: &ClaimsReport) -> PrunePlan {
    let mut plan = PrunePlan {
        namespace: report.namespace.clone(),
        name: report.name.clone(),
        claims: Vec::new(),
        skipped: Vec::new(),
    };
    for row in report.claims.iter().filter(|r| r.leftover && r.exists) {
        match skip_reason(row) {
            Some(reason) => plan.skipped.push(SkippedClaim {
                claim: row.claim.clone(),
                reason,
            }),
            None => plan.claims.push(row.clone()),
        }
    }
    plan
}

/// Why a claim must not be deleted now, if it must not.
pub fn skip_reason(row: &ClaimRow) -> Option<String> {
    if !row.used_by.is_empty() {
        return Some(format!("in use by pod {}", row.used_by.join(", ")));
    }
    row.terminating.then(|| "already being deleted".to_string())
}

/// Where each claim being deleted stands: done once no claim of that name and uid is left.
pub fn deletion_states(claims: &[ClaimRow], live: &[PersistentVolumeClaim]) -> Vec<StepState> {
    claims
        .iter()
        .map(|row| {
            let still = live
                .iter()
                .find(|c| c.metadata.name.as_deref() == Some(&row.claim) && c.metadata.uid == row.uid);
            let state = match still {
                None => "deleted".to_string(),
                Some(c) if c.metadata.deletion_timestamp.is_some() => {
                    "Terminating (kubernetes.io/pvc-protection: waiting for the pods using it to go)".into()
                }
                Some(_) => "delete requested".to_string(),
            };
            StepState {
                pod: row.claim.clone(),
                done: still.is_none(),
                state,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, now};
    use serde_json::json;

    fn storage(claims: Vec<PersistentVolumeClaim>, pods: Vec<Pod>) -> Storage {
        let volumes = claims
            .iter()
            .map(|c| {
                let name = c.spec.as_ref().unwrap().volume_name.clone().unwrap();
                serde_json::from_value(json!({"metadata": {"name": name},
                    "spec": {"persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard"}}))
                .unwrap()
            })
            .collect();
        let class =
            json!({"metadata": {"name": "standard"}, "provisioner": "p", "allowVolumeExpansion": true});
        Storage {
            claims,
            pods,
            volumes: Some(volumes),
            classes: Some(vec![serde_json::from_value(class).unwrap()]),
            taken_at: now(),
            scope: crate::model::set::scope::Scope::namespace("default"),
        }
    }

    fn web(replicas: i32) -> StatefulSet {
        SetBuilder::new("web")
            .replicas(replicas)
            .claim_template("www")
            .build()
    }

    fn pod_with_claim(ordinal: i32, claim: &str) -> Pod {
        let mut pod = PodBuilder::new("web", ordinal, "web-r1").build();
        pod.spec.as_mut().unwrap().volumes =
            serde_json::from_value(json!([{"name": "www", "persistentVolumeClaim": {"claimName": claim}}]))
                .unwrap();
        pod
    }

    #[test]
    fn rows_cover_every_ordinal_and_the_leftovers_after_them() {
        let claims = (0..5).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect();
        let pods = (0..2)
            .map(|o| pod_with_claim(o, &format!("www-web-{o}")))
            .collect();
        let report = claims_report(&web(2), &storage(claims, pods));
        let rows: Vec<_> = report
            .claims
            .iter()
            .map(|r| (r.claim.as_str(), r.leftover))
            .collect();
        assert_eq!(
            rows,
            [
                ("www-web-0", false),
                ("www-web-1", false),
                ("www-web-2", true),
                ("www-web-3", true),
                ("www-web-4", true)
            ]
        );
        let first = &report.claims[0];
        assert_eq!(first.used_by, ["web-0"]);
        assert_eq!(first.reclaim_policy.as_deref(), Some("Delete"));
        assert_eq!(first.storage_class.as_deref(), Some("standard"));
        assert_eq!(first.allows_expansion, Some(true));
        assert_eq!(first.access_modes, ["ReadWriteOnce"]);
        assert!(report.problems.is_empty());
    }

    #[test]
    fn a_claim_a_replica_needs_that_is_not_bound_is_a_problem() {
        let claims = vec![claim("www-web-0", "Bound"), claim("www-web-1", "Pending")];
        let pods = vec![pod_with_claim(0, "www-web-0"), pod_with_claim(1, "www-web-1")];
        let report = claims_report(&web(3), &storage(claims, pods));
        assert_eq!(
            report.problems,
            ["claim www-web-1 of web-1 is Pending, not Bound"]
        );
        let lost = vec![claim("www-web-0", "Lost")];
        let report = claims_report(&web(1), &storage(lost, vec![]));
        assert!(report.problems[0].starts_with("claim www-web-0 of web-0 is Lost"));
    }

    #[test]
    fn prune_takes_unused_leftovers_only() {
        let claims = (0..4).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect();
        let mut pods: Vec<Pod> = (0..2)
            .map(|o| pod_with_claim(o, &format!("www-web-{o}")))
            .collect();
        let mut debug = pod_with_claim(9, "www-web-3");
        debug.metadata.name = Some("debug".into());
        pods.push(debug);
        let plan = plan_prune(&claims_report(&web(2), &storage(claims, pods)));
        let names: Vec<_> = plan.claims.iter().map(|c| c.claim.as_str()).collect();
        assert_eq!(names, ["www-web-2"]);
        assert_eq!(plan.skipped[0].reason, "in use by pod debug");
    }

    #[test]
    fn a_resize_in_progress_is_seen() {
        let mut c = claim("www-web-0", "Bound");
        c.spec.as_mut().unwrap().resources =
            serde_json::from_value(json!({"requests": {"storage": "2Gi"}})).unwrap();
        c.status.as_mut().unwrap().conditions = serde_json::from_value(json!([
            {"type": "FileSystemResizePending", "status": "True", "message": "Waiting for user to (re-)start a pod"}
        ]))
        .unwrap();
        let report = claims_report(&web(1), &storage(vec![c], vec![]));
        let row = &report.claims[0];
        assert!(row.resizing);
        assert_eq!(row.resize_conditions[0].kind, "FileSystemResizePending");
        assert_eq!(
            (row.requested.as_deref(), row.capacity.as_deref()),
            (Some("2Gi"), Some("1Gi"))
        );
    }

    #[test]
    fn deletion_is_done_when_the_claim_of_that_uid_is_gone() {
        let mut c = claim("www-web-2", "Bound");
        c.metadata.uid = Some("u2".into());
        let row = claim_row(
            &storage(vec![c.clone()], vec![]),
            "www-web-2".into(),
            "www".into(),
            2,
            true,
        );
        assert!(!deletion_states(std::slice::from_ref(&row), &[c.clone()])[0].done);
        let mut again = c;
        again.metadata.uid = Some("u3".into());
        assert!(deletion_states(&[row], &[again])[0].done);
    }
}
