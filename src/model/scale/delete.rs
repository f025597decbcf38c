//! Planning the deletion of a set: with `--orphan` (the set goes; its pods keep running and its
//! claims stay), or as an ordered teardown (scale to 0 with each pod gone in the controller's
//! order, then delete the set); with `--delete-pvcs`, which claims are deleted after it. Also
//! what is left of a set once it is gone, and whether its pods are released. Pure.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;

use crate::model::scale::ordered::{ScalePlan, plan_scale};
use crate::model::set;
use crate::model::set::PodManagement;
use crate::model::set::health::pod_health;
use crate::model::storage::claims::{ClaimRow, SkippedClaim, Storage, claim_row, claims_report, skip_reason};

/// How a teardown removes the pods, in the words of the question and of the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removal {
    /// `Delete …, removing its pods one by one?`
    pub asked: &'static str,
    /// `… removed in order`.
    pub done: &'static str,
}

/// How the set is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeleteMode {
    /// `propagationPolicy: Orphan`: pods and claims stay.
    Orphan,
    /// Scale to 0 in order, then delete.
    Ordered,
}

/// One step of a deletion, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum DeleteStep {
    /// `spec.replicas` to 0 through the scale subresource.
    ScaleToZero { from: i32 },
    /// Wait for each pod to be gone, in the controller's order.
    AwaitPodsGone { pods: Vec<String> },
    /// Delete the set with this propagation policy, on condition of its uid.
    DeleteSet { propagation: String },
    /// Wait until the set is gone (and, orphaning, its pods are released).
    AwaitSetGone,
    /// Delete these claims, each on condition of its uid.
    DeleteClaims { claims: Vec<String> },
}

/// The deletion plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletePlan {
    pub namespace: String,
    pub name: String,
    pub mode: DeleteMode,
    /// The set exists (else it is gone already and only what it left is dealt with).
    pub exists: bool,
    pub uid: Option<String>,
    /// The set's selector, for adopting what it leaves (`app=nginx`).
    pub selector: Option<String>,
    pub templates: Vec<String>,
    pub steps: Vec<DeleteStep>,
    /// The ordered teardown's scale to 0, pod by pod.
    pub scale: Option<ScalePlan>,
    /// The set's pods now.
    pub pods: Vec<String>,
    /// Every claim of the set, with its volume's reclaim policy.
    pub claims: Vec<ClaimRow>,
    /// `--delete-pvcs`.
    pub delete_claims: bool,
    /// Claims `--delete-pvcs` leaves alone, and why.
    pub skipped: Vec<SkippedClaim>,
    pub warnings: Vec<String>,
}

impl DeletePlan {
    /// The claims the plan deletes.
    pub fn claims_to_delete(&self) -> Vec<&ClaimRow> {
        let names: Vec<&String> = self
            .steps
            .iter()
            .flat_map(|s| match s {
                DeleteStep::DeleteClaims { claims } => claims.iter().collect(),
                _ => Vec::new(),
            })
            .collect();
        self.claims.iter().filter(|c| names.contains(&&c.claim)).collect()
    }

    /// How the controller removes the pods in a teardown: one by one, or all at once for a
    /// Parallel set.
    pub fn removal(&self) -> Removal {
        let parallel = self.scale.as_ref().map(|s| s.pod_management) == Some(PodManagement::Parallel);
        match parallel {
            true => Removal {
                asked: "all at once (Parallel)",
                done: "all at once (Parallel)",
            },
            false => Removal {
                asked: "one by one",
                done: "in order",
            },
        }
    }

    /// Whether the plan has this step kind.
    pub fn has(&self, matches: impl Fn(&DeleteStep) -> bool) -> bool {
        self.steps.iter().any(matches)
    }

    /// The same steps as `other`: a re-plan after a conflict that gives the same steps goes on
    /// without asking again.
    pub fn same_changes(&self, other: &DeletePlan) -> bool {
        self.steps == other.steps
    }
}

/// Why the deletion must not start, if it must not: an ordered teardown of a set whose
/// retention policy deletes its claims needs `--delete-pvcs`.
pub fn refusal(sts: &StatefulSet, mode: DeleteMode, delete_claims: bool) -> Option<String> {
    if mode == DeleteMode::Orphan || delete_claims || set::claim_templates(sts).is_empty() {
        return None;
    }
    let retention = set::retention(sts);
    let policy = match (retention.when_deleted.as_str(), retention.when_scaled.as_str()) {
        ("Delete", _) => "whenDeleted: Delete".to_string(),
        (_, "Delete") => "whenScaled: Delete".to_string(),
        _ => return None,
    };
    Some(format!(
        "statefulset {}/{} deletes its own claims (persistentVolumeClaimRetentionPolicy {policy}): an ordered teardown would delete their data; pass --delete-pvcs to accept that, or --orphan to keep pods and claims",
        sts.metadata.namespace.as_deref().unwrap_or_default(),
        set::name(sts)
    ))
}

/// Plans deleting `sts`.
pub fn plan_delete(
    sts: &StatefulSet,
    storage: &Storage,
    mode: DeleteMode,
    delete_claims: bool,
) -> DeletePlan {
    let snap = storage.set_snapshot(sts);
    let report = claims_report(sts, storage);
    let pods: Vec<String> = snap.pods.iter().filter_map(|p| p.metadata.name.clone()).collect();
    let claims: Vec<ClaimRow> = report.claims.into_iter().filter(|c| c.exists).collect();
    let mut plan = DeletePlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        mode,
        exists: true,
        uid: sts.metadata.uid.clone(),
        selector: Some(set::selector_text(sts)),
        templates: report.templates,
        steps: Vec::new(),
        scale: None,
        pods,
        claims,
        delete_claims,
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    if set::is_deleting(sts) {
        plan.warnings.extend(already_deleting(sts, mode));
        plan.steps.push(DeleteStep::AwaitSetGone);
    } else if mode == DeleteMode::Orphan {
        plan.steps.push(delete_set("Orphan"));
        plan.steps.push(DeleteStep::AwaitSetGone);
    } else {
        let scale = plan_scale(&snap, 0, &[]);
        if scale.changes_spec() {
            plan.steps.push(DeleteStep::ScaleToZero { from: scale.from });
        }
        if !scale.pods.is_empty() {
            let pods = scale.pods.iter().map(|p| p.pod.clone()).collect();
            plan.steps.push(DeleteStep::AwaitPodsGone { pods });
        }
        plan.steps.push(delete_set("Background"));
        plan.steps.push(DeleteStep::AwaitSetGone);
        plan.warnings.extend(scale.warnings.iter().cloned());
        plan.scale = Some(scale);
    }
    add_claim_deletion(&mut plan);
    plan
}

fn delete_set(propagation: &str) -> DeleteStep {
    DeleteStep::DeleteSet {
        propagation: propagation.to_string(),
    }
}

/// What a deletion already under way means for the plan.
fn already_deleting(sts: &StatefulSet, mode: DeleteMode) -> Option<String> {
    let orphaning = sts.metadata.finalizers.iter().flatten().any(|f| f == "orphan");
    match (mode, orphaning) {
        (DeleteMode::Orphan, true) => None,
        (DeleteMode::Orphan, false) => Some(
            "the set is already being deleted without --orphan: the garbage collector deletes its pods"
                .into(),
        ),
        (DeleteMode::Ordered, true) => {
            Some("the set is already being deleted with --orphan: its pods stay, released".into())
        }
        (DeleteMode::Ordered, false) => {
            Some("the set is already being deleted: its remaining pods go in no particular order".into())
        }
    }
}

/// With `--delete-pvcs`: every claim not used by a pod that outlives the set, and not already
/// being deleted.
fn add_claim_deletion(plan: &mut DeletePlan) {
    if !plan.delete_claims {
        return;
    }
    let mut doomed = Vec::new();
    for row in &plan.claims {
        let mut outside = row.clone();
        outside.used_by.retain(|pod| !plan.pods.contains(pod));
        match skip_reason(&outside) {
            Some(reason) => plan.skipped.push(SkippedClaim {
                claim: row.claim.clone(),
                reason,
            }),
            None => doomed.push(row.claim.clone()),
        }
    }
    if !doomed.is_empty() {
        plan.steps.push(DeleteStep::DeleteClaims { claims: doomed });
    }
}

/// Plans for a set that is gone already: what it left (pods named `<name>-<ordinal>`, claims
/// named `<template>-<name>-<ordinal>` that no other set of the namespace accounts for), and
/// with `--delete-pvcs` the deletion of those claims.
pub fn plan_gone(
    namespace: &str,
    name: &str,
    storage: &Storage,
    others: &[StatefulSet],
    mode: DeleteMode,
    delete_claims: bool,
) -> DeletePlan {
    let claims: Vec<ClaimRow> = storage
        .claims
        .iter()
        .filter_map(|c| c.metadata.name.as_deref())
        .filter(|claim| {
            !others
                .iter()
                .any(|s| set::claim_template_and_ordinal(s, claim).is_some())
        })
        .filter_map(|claim| {
            let (template, ordinal) = left_claim(name, claim)?;
            Some(claim_row(storage, claim.to_string(), template, ordinal, true))
        })
        .collect();
    let mut templates: Vec<String> = claims.iter().map(|c| c.template.clone()).collect();
    templates.sort();
    templates.dedup();
    let mut plan = DeletePlan {
        namespace: namespace.to_string(),
        name: name.to_string(),
        mode,
        exists: false,
        uid: None,
        selector: None,
        templates,
        steps: Vec::new(),
        scale: None,
        pods: left_pods(name, &storage.pods)
            .map(|p| p.metadata.name.clone().unwrap_or_default())
            .collect(),
        claims,
        delete_claims,
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    add_claim_deletion(&mut plan);
    plan
}

/// `<template>-<name>-<ordinal>` read back without knowing the templates.
fn left_claim(name: &str, claim: &str) -> Option<(String, i32)> {
    let (rest, ordinal) = claim.rsplit_once('-')?;
    let template = rest.strip_suffix(name)?.strip_suffix('-')?;
    let ordinal = set::parse_ordinal(ordinal)?;
    (!template.is_empty()).then(|| (template.to_string(), ordinal))
}

/// Pods named `<name>-<ordinal>`.
fn left_pods<'a>(name: &'a str, pods: &'a [Pod]) -> impl Iterator<Item = &'a Pod> + 'a {
    pods.iter().filter(move |p| {
        p.metadata
            .name
            .as_deref()
            .and_then(|n| n.strip_prefix(name)?.strip_prefix('-'))
            .and_then(set::parse_ordinal)
            .is_some()
    })
}

/// A pod left behind by a deleted set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemainingPod {
    pub pod: String,
    pub uid: Option<String>,
    pub phase: String,
    pub ready: bool,
    pub restarts: i32,
    pub node: Option<String>,
    /// Its controller (`StatefulSet/web`), if anything owns it now.
    pub controller: Option<String>,
}

/// What a deleted set left: its pods and claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remains {
    pub pods: Vec<RemainingPod>,
    pub claims: Vec<ClaimRow>,
}

/// The pods and claims the plan's set left, as they are now.
pub fn remains(plan: &DeletePlan, storage: &Storage) -> Remains {
    let pods = left_pods(&plan.name, &storage.pods)
        .map(|pod| {
            let health = pod_health(pod, 0, storage.taken_at);
            let controller = pod
                .metadata
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.controller == Some(true))
                .map(|o| format!("{}/{}", o.kind, o.name));
            RemainingPod {
                pod: pod.metadata.name.clone().unwrap_or_default(),
                uid: pod.metadata.uid.clone(),
                phase: health.phase,
                ready: health.ready,
                restarts: health.restarts,
                node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
                controller,
            }
        })
        .collect();
    let claims = storage
        .claims
        .iter()
        .filter_map(|c| {
            let name = c.metadata.name.as_deref()?;
            let (template, ordinal) = left_claim(&plan.name, name)?;
            plan.templates
                .contains(&template)
                .then(|| claim_row(storage, name.to_string(), template, ordinal, false))
        })
        .collect();
    Remains { pods, claims }
}

/// Pods that still carry an ownerReference to the set with `uid`.
pub fn still_owned<'a>(pods: impl IntoIterator<Item = &'a Pod>, uid: &str) -> Vec<String> {
    pods.into_iter()
        .filter(|p| p.metadata.owner_references.iter().flatten().any(|o| o.uid == uid))
        .filter_map(|p| p.metadata.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, now};
    use serde_json::json;

    fn storage(claims: Vec<&str>, pods: i32) -> Storage {
        Storage {
            claims: claims.into_iter().map(|c| claim(c, "Bound")).collect(),
            pods: (0..pods)
                .map(|o| PodBuilder::new("web", o, "web-r1").build())
                .collect(),
            volumes: Some(Vec::new()),
            classes: Some(Vec::new()),
            taken_at: now(),
            scope: crate::model::set::scope::Scope::namespace("default"),
        }
    }

    fn web() -> StatefulSet {
        SetBuilder::new("web").replicas(3).claim_template("www").build()
    }

    #[test]
    fn ordered_teardown_scales_to_zero_highest_first_then_deletes() {
        let store = storage(vec!["www-web-0", "www-web-1", "www-web-2"], 3);
        let plan = plan_delete(&web(), &store, DeleteMode::Ordered, false);
        assert_eq!(
            plan.steps,
            [
                DeleteStep::ScaleToZero { from: 3 },
                DeleteStep::AwaitPodsGone {
                    pods: vec!["web-2".into(), "web-1".into(), "web-0".into()]
                },
                delete_set("Background"),
                DeleteStep::AwaitSetGone,
            ]
        );
        assert_eq!(plan.claims.len(), 3);
        assert!(plan.claims_to_delete().is_empty());
    }

    #[test]
    fn a_set_already_at_zero_only_waits_and_deletes() {
        let set = SetBuilder::new("web").replicas(0).claim_template("www").build();
        let plan = plan_delete(&set, &storage(vec!["www-web-0"], 1), DeleteMode::Ordered, true);
        assert_eq!(
            plan.steps[0],
            DeleteStep::AwaitPodsGone {
                pods: vec!["web-0".into()]
            }
        );
        assert_eq!(
            plan.steps.last(),
            Some(&DeleteStep::DeleteClaims {
                claims: vec!["www-web-0".into()]
            })
        );
    }

    #[test]
    fn orphan_deletes_the_set_only() {
        let plan = plan_delete(&web(), &storage(vec!["www-web-0"], 3), DeleteMode::Orphan, false);
        assert_eq!(plan.steps, [delete_set("Orphan"), DeleteStep::AwaitSetGone]);
        assert_eq!(plan.pods, ["web-0", "web-1", "web-2"]);
        assert_eq!(plan.selector.as_deref(), Some("app=web"));
    }

    #[test]
    fn claims_used_by_pods_outside_the_set_are_not_deleted() {
        let mut store = storage(vec!["www-web-0", "www-web-1"], 1);
        let mut debug = PodBuilder::new("debug", 0, "x").build();
        debug.spec.as_mut().unwrap().volumes = serde_json::from_value(
            json!([{"name": "d", "persistentVolumeClaim": {"claimName": "www-web-1"}}]),
        )
        .unwrap();
        store.pods.push(debug);
        let plan = plan_delete(&web(), &store, DeleteMode::Ordered, true);
        let doomed: Vec<_> = plan.claims_to_delete().iter().map(|c| c.claim.clone()).collect();
        assert_eq!(doomed, ["www-web-0"]);
        assert_eq!(plan.skipped[0].reason, "in use by pod debug-0");
    }

    #[test]
    fn retention_delete_needs_delete_pvcs_for_a_teardown() {
        let mut set = web();
        set.spec
            .as_mut()
            .unwrap()
            .persistent_volume_claim_retention_policy =
            serde_json::from_value(json!({"whenDeleted": "Delete"})).unwrap();
        let refused = refusal(&set, DeleteMode::Ordered, false).unwrap();
        assert!(refused.contains("whenDeleted: Delete"), "{refused}");
        assert!(refusal(&set, DeleteMode::Ordered, true).is_none());
        assert!(refusal(&set, DeleteMode::Orphan, false).is_none());
        assert!(refusal(&web(), DeleteMode::Ordered, false).is_none());
    }

    #[test]
    fn a_gone_set_leaves_claims_found_by_name_but_not_other_sets_claims() {
        let store = storage(vec!["www-web-0", "www-web-1", "data-x-web-0", "www-webapp-0"], 0);
        let other = SetBuilder::new("x-web").claim_template("data").build();
        let plan = plan_gone("default", "web", &store, &[other], DeleteMode::Ordered, true);
        let names: Vec<_> = plan.claims.iter().map(|c| c.claim.as_str()).collect();
        assert_eq!(names, ["www-web-0", "www-web-1"]);
        assert_eq!(plan.templates, ["www"]);
        assert_eq!(plan.claims_to_delete().len(), 2);
        assert!(!plan_gone("default", "web", &store, &[], DeleteMode::Orphan, false).has(|_| true));
    }

    #[test]
    fn remains_list_pods_and_claims_and_who_owns_them() {
        let store = storage(vec!["www-web-0", "www-web-1"], 2);
        let plan = plan_delete(&web(), &store, DeleteMode::Orphan, false);
        let left = remains(&plan, &store);
        assert_eq!(left.pods.len(), 2);
        assert_eq!(
            (left.pods[0].phase.as_str(), left.pods[0].ready),
            ("Running", true)
        );
        assert_eq!(left.claims.len(), 2);
        assert!(still_owned(&store.pods, "uid-web").is_empty());
    }

    #[test]
    fn a_replan_with_other_pods_to_remove_is_a_different_plan() {
        let store = storage(vec!["www-web-0"], 3);
        let planned = plan_delete(&web(), &store, DeleteMode::Ordered, false);
        let later = plan_delete(&web(), &storage(vec!["www-web-0"], 3), DeleteMode::Ordered, false);
        assert!(planned.same_changes(&later), "ages and reads do not matter");
        let grown = SetBuilder::new("web").replicas(4).claim_template("www").build();
        let more = plan_delete(&grown, &storage(vec!["www-web-0"], 4), DeleteMode::Ordered, false);
        assert!(!planned.same_changes(&more));
    }

    #[test]
    fn left_claim_names_parse_back() {
        assert_eq!(left_claim("web", "www-web-3"), Some(("www".into(), 3)));
        assert_eq!(left_claim("web", "data-x-web-0"), Some(("data-x".into(), 0)));
        assert_eq!(left_claim("web", "web-0"), None);
        assert_eq!(left_claim("web", "www-web-03"), None);
    }
}
