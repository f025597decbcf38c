//! A manifest's plan carried out: the object each server-side apply sends, who owns the
//! fields it changes, the ordered stages of the apply in words, and — with gates — how the
//! pods move instead of under the set's strategy alone. Pure.
//!
//! The applied object is the manifest with the live value of every top-level `spec` field it
//! leaves out, and of every label and annotation of the set it leaves out: a field nobody asks
//! to change keeps its value — through a re-create too (the new set is made from this object),
//! and on a later apply (a field this manager applied once and the manifest then left out is
//! not reset to its default).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::model::change::plan::{Action, How, SetPlan};
use crate::model::rollout::gates::Gates;
use crate::model::storage::resize::{PodMark, ResizePlan};

/// Annotations of the set that are the tool's own records: never carried by an apply.
const OWN_ANNOTATIONS: &str = "kubectl-sts.io/";

/// A field a server-side apply would take from another field manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The field, as the server names it (`.spec.template.spec.containers[name="db"].image`).
    pub field: String,
    pub manager: String,
    /// The manager writes by server-side apply (it will conflict back, or force); otherwise
    /// by update (`kubectl apply` without `--server-side`, Helm, `kubectl edit`).
    pub applies: bool,
}

/// The conflicts of a 409 to a server-side apply (`details`: the Status's details), with how
/// each manager writes, from the live set's `managedFields`.
pub fn conflicts_of(details: &Value, managed_fields: &Value) -> Vec<Conflict> {
    let applies = |manager: &str| {
        managed_fields
            .as_array()
            .into_iter()
            .flatten()
            .any(|entry| entry["manager"] == manager && entry["operation"] == "Apply")
    };
    details["causes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|cause| cause["reason"] == "FieldManagerConflict")
        .map(|cause| {
            let message = cause["message"].as_str().unwrap_or_default();
            let manager = message.split('"').nth(1).unwrap_or(message).to_string();
            Conflict {
                field: cause["field"].as_str().unwrap_or_default().to_string(),
                applies: applies(&manager),
                manager,
            }
        })
        .collect()
}

/// How the fields other managers hold are taken: `Ok` with what the plan says (nothing when
/// there is no conflict), `Err` with the refusal when another server-side applier holds a
/// field and `--force-conflicts` was not given.
pub fn ownership(
    conflicts: &[Conflict],
    force_conflicts: bool,
    manager: &str,
) -> Result<Option<String>, String> {
    let fields_of = |applies: bool| -> Vec<String> {
        conflicts
            .iter()
            .filter(|c| c.applies == applies)
            .map(|c| format!("{} ({})", c.field, c.manager))
            .collect()
    };
    let (updated, applied) = (fields_of(false), fields_of(true));
    if !applied.is_empty() && !force_conflicts {
        return Err(format!(
            "another server-side applier holds fields this manifest changes: {}; its next apply takes them back: change them through it, or pass --force-conflicts to take them",
            applied.join(", ")
        ));
    }
    let mut said = Vec::new();
    if !updated.is_empty() {
        said.push(format!(
            "{manager} takes {} (written by update, as `kubectl apply` and Helm write: they still write them next time, updates never conflict)",
            updated.join(", ")
        ));
    }
    if !applied.is_empty() {
        said.push(format!(
            "{manager} takes {} from another server-side applier (--force-conflicts): its next apply may take them back",
            applied.join(", ")
        ));
    }
    Ok((!said.is_empty()).then(|| said.join("; ")))
}

/// The object a server-side apply sends: `manifest` with what it leaves out taken from
/// `live` (see the module's comment), and the live template instead of the manifest's when
/// `keep_live_template` (a re-create adopts the pods before the template rolls).
pub fn applied_object(live: Option<&Value>, manifest: &Value, keep_live_template: bool) -> Value {
    let mut object = json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": manifest["metadata"]["name"]},
        "spec": manifest["spec"].clone(),
    });
    for map in ["labels", "annotations"] {
        let kept = merged(live.map(|l| &l["metadata"][map]), &manifest["metadata"][map]);
        if !kept.is_empty() {
            object["metadata"][map] = Value::Object(kept);
        }
    }
    let Some(live) = live else {
        return object;
    };
    if let (Some(spec), Some(live_spec)) = (object["spec"].as_object_mut(), live["spec"].as_object()) {
        for (field, value) in live_spec {
            spec.entry(field.clone()).or_insert_with(|| value.clone());
        }
    }
    if keep_live_template {
        object["spec"]["template"] = live["spec"]["template"].clone();
    }
    object
}

/// The live map's entries the manifest leaves out (the tool's own records excepted), then the
/// manifest's.
fn merged(live: Option<&Value>, manifest: &Value) -> Map<String, Value> {
    let mut kept: Map<String, Value> = live
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(key, _)| !key.starts_with(OWN_ANNOTATIONS))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, value) in manifest.as_object().into_iter().flatten() {
        kept.insert(key.clone(), value.clone());
    }
    kept
}

/// What an apply does to a set, in the order it does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The set does not exist: created, its pods in the controller's order.
    Create,
    /// Claims of a growing template patched to the new size.
    GrowClaims,
    /// Its manifest saved and recorded beside it; the set deleted with `--orphan`.
    OrphanDelete,
    /// Claims without data (and their Pending pods) deleted.
    ReplaceClaims,
    /// The set created again, with its live template: its pods adopted, uids kept.
    Recreate,
    /// The manifest applied to the live set (in-place fields; a template change starts the
    /// set's own rollout).
    Apply,
    /// With gates, RollingUpdate: the partition the apply held walked down to the
    /// manifest's, a batch at a time, the gates between.
    Walk,
    /// With gates, OnDelete: the outdated pods rolled, the gates around each.
    Roll,
    /// The set followed until it has converged under its strategy.
    Converge,
}

/// The stages of an apply of `plan`, in order.
pub fn stages(plan: &SetPlan, grows_claims: bool) -> Vec<Stage> {
    let has = |how: How| plan.changes.iter().any(|c| c.how == how);
    if plan.action == Action::Create {
        return vec![Stage::Create, Stage::Converge];
    }
    let mut stages = Vec::new();
    if grows_claims {
        stages.push(Stage::GrowClaims);
    }
    if has(How::Recreate) {
        stages.push(Stage::OrphanDelete);
        if !plan.replaced_claims.is_empty() {
            stages.push(Stage::ReplaceClaims);
        }
        stages.push(Stage::Recreate);
    }
    if has(How::InPlace) || has(How::Rollout) {
        stages.push(Stage::Apply);
    }
    stages.push(Stage::Converge);
    stages
}

/// An apply planned for one set: the manifest's plan, its stages, and what carrying it out
/// needs (kept out of the document).
#[derive(Debug, Clone, Serialize)]
pub struct ApplyPlan {
    #[serde(flatten)]
    pub set: SetPlan,
    pub stages: Vec<Stage>,
    /// Each stage in words, in order.
    pub steps: Vec<String>,
    /// Fields taken from other field managers, and what that means.
    pub ownership: Option<String>,
    pub field_manager: String,
    /// The live set's uid, generation and resourceVersion (none for a create).
    #[serde(skip)]
    pub uid: Option<String>,
    #[serde(skip)]
    pub generation: Option<i64>,
    #[serde(skip)]
    pub resource_version: Option<String>,
    /// What the server-side apply sends (`applied_object`).
    #[serde(skip)]
    pub object: Value,
    /// What the re-create sends: the same with the live template.
    #[serde(skip)]
    pub recreated_object: Value,
    /// Take the fields other managers hold.
    #[serde(skip)]
    pub force: bool,
    /// The claim templates that grow, each planned as `pvc resize` plans it.
    #[serde(skip)]
    pub grow: Vec<ResizePlan>,
    /// Each claim's resourceVersion when planned: the growth patches' preconditions.
    #[serde(skip)]
    pub claim_versions: BTreeMap<String, String>,
    /// The pods a re-create must adopt, uids kept.
    #[serde(skip)]
    pub pods: Vec<PodMark>,
    /// With gates: how the pods move (none: under the set's strategy alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gated: Option<GatedMove>,
    /// The gates in words (`Gates::describe`), when pods move with them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<String>,
}

impl ApplyPlan {
    pub fn has(&self, stage: Stage) -> bool {
        self.stages.contains(&stage)
    }

    /// The plan of an apply whose pods move with `gates` as `moved` says: its stage before
    /// the wait, the apply holding the partition, the steps and the pods in words.
    pub fn gate(&mut self, moved: GatedMove, gates: &Gates) {
        let stage = match moved {
            GatedMove::Walk { .. } => Stage::Walk,
            GatedMove::Roll { .. } => Stage::Roll,
        };
        let at = self.stages.len().saturating_sub(1);
        self.stages.insert(at, stage);
        if let GatedMove::Walk { held, .. } = moved {
            self.object["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = json!(held);
        }
        let batch = gates.max_unavailable;
        self.set.rollout = Some(moved.rollout(batch));
        self.set.restarts = moved.pods().to_vec();
        self.steps = self
            .stages
            .iter()
            .map(|s| match (s, &moved) {
                (Stage::Apply, GatedMove::Walk { held, .. }) => format!(
                    "apply the manifest to statefulset {}/{} with its partition held at {held}: no pod moves on its own",
                    self.set.namespace, self.set.name
                ),
                (Stage::Walk | Stage::Roll, _) => moved.step(batch),
                _ => stage_words(*s, &self.set),
            })
            .collect();
        self.gated = Some(moved);
        self.gates = gates.describe();
    }
}

/// How an apply with gates moves a live set's pods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum GatedMove {
    /// RollingUpdate: the manifest applied with the partition held at `held` (no pod moves on
    /// its own), then walked down to `to`; pods an earlier run moved between `held` and
    /// `from` (its last batch) are awaited and checked again first.
    Walk {
        held: i32,
        from: i32,
        to: i32,
        pods: Vec<String>,
    },
    /// OnDelete: once applied, these pods (outdated) rolled with the gates.
    Roll { pods: Vec<String> },
}

impl GatedMove {
    /// The pods that move, in their order.
    pub fn pods(&self) -> &[String] {
        match self {
            GatedMove::Walk { pods, .. } | GatedMove::Roll { pods } => pods,
        }
    }

    /// How the pods move, for the plan's `pods:` line (`batch`: pods at once).
    fn rollout(&self, batch: u32) -> String {
        match self {
            GatedMove::Walk { held, to, .. } => format!(
                "RollingUpdate, walked by kubectl-sts: the partition held at {held}, lowered to {to}, {batch} pod(s) at a time, the gates around each pod (the set stays RollingUpdate)"
            ),
            GatedMove::Roll { .. } => format!(
                "OnDelete: once applied, kubectl-sts deletes each outdated pod in its turn, {batch} at a time, highest first (the leader last), the gates around each pod"
            ),
        }
    }

    /// The stage that moves the pods, in words.
    fn step(&self, batch: u32) -> String {
        let pods = self.pods().join(", ");
        match self {
            GatedMove::Walk { held, to, .. } => format!(
                "lower the partition from {held} to {to}, {batch} pod(s) at a time, the gates around each pod: {pods}"
            ),
            GatedMove::Roll { .. } => format!(
                "roll {pods} with the gates: each deleted in its turn (highest first, the leader last), {batch} at a time"
            ),
        }
    }
}

/// Where an apply with gates stands against the live set.
pub struct Live<'a> {
    pub set: &'a Value,
    /// The apply changes the template.
    pub template_changes: bool,
    /// The pods not on the live update revision.
    pub outdated: Vec<String>,
}

/// How an apply with gates moves the pods of a live set (`None`: none move). `object` is the
/// applied object; `batch` the pods moved at once. RollingUpdate: the walk ends at the
/// manifest's own partition (0 when it gives none); it starts from the replica count when the
/// template changes, else — a re-run after a stopped walk — from the live partition (never
/// raised: a re-run goes on where the walk stopped), the last batch moved awaited and checked
/// again first. OnDelete: every pod when the template changes, else the outdated ones.
pub fn gated_move(object: &Value, manifest: &Value, live: Live<'_>, batch: u32) -> Option<GatedMove> {
    let spec = &object["spec"];
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let number = |v: &Value, default: i32| {
        v.as_i64()
            .map_or(default, |n| i32::try_from(n).unwrap_or(default))
    };
    let replicas = number(&spec["replicas"], 1).max(0);
    let start = number(&spec["ordinals"]["start"], 0);
    if spec["updateStrategy"]["type"] == "OnDelete" {
        let pods = match live.template_changes {
            true => (0..replicas)
                .rev()
                .map(|p| format!("{name}-{}", start + p))
                .collect(),
            false => live.outdated,
        };
        return (!pods.is_empty()).then_some(GatedMove::Roll { pods });
    }
    let partition = |set: &Value| number(&set["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 0);
    let to = partition(manifest).max(0);
    let held = match live.template_changes {
        true => replicas,
        false => partition(live.set).min(replicas),
    };
    let last_batch = i32::try_from(batch.max(1)).unwrap_or(1);
    (held > to).then(|| GatedMove::Walk {
        held,
        from: held.saturating_add(last_batch).min(replicas),
        to,
        pods: (to..held)
            .rev()
            .map(|p| format!("{name}-{}", start + p))
            .collect(),
    })
}

/// One stage in words, for the plan.
pub fn stage_words(stage: Stage, plan: &SetPlan) -> String {
    let set = format!("statefulset {}/{}", plan.namespace, plan.name);
    match stage {
        Stage::Create => format!("create {set} (server-side apply)"),
        Stage::GrowClaims => "grow the claims of each growing template, as `pvc resize` does (their class must allow expansion)".into(),
        Stage::OrphanDelete => format!("save the manifest of {set}, record the step beside it, delete it with --orphan (pods and claims keep running)"),
        Stage::ReplaceClaims => format!(
            "delete {} (Pending, no volume: no data) and their Pending pods",
            plan.replaced_claims.join(", ")
        ),
        Stage::Recreate => format!("create {set} again with its live template: it adopts its pods (uids checked, none restarted)"),
        Stage::Apply if plan.changes.iter().any(|c| c.how == How::Rollout) => {
            format!("apply the manifest to {set}: its template rolls out under the set's strategy")
        }
        Stage::Apply => format!("apply the manifest to {set} (in place: no pod restarts)"),
        Stage::Walk | Stage::Roll => "move the pods with the gates".into(),
        Stage::Converge => "wait until the set has converged under its strategy (as `kubectl sts wait`)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_names_the_field_its_manager_and_how_that_manager_writes() {
        let details = json!({"causes": [
            {"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-client-side-apply\" using apps/v1", "field": ".spec.volumeClaimTemplates"},
            {"reason": "FieldManagerConflict", "message": "conflict with \"flux\" using apps/v1", "field": ".spec.replicas"}
        ]});
        let managed = json!([
            {"manager": "kubectl-client-side-apply", "operation": "Update"},
            {"manager": "flux", "operation": "Apply"}
        ]);
        let conflicts = conflicts_of(&details, &managed);
        assert_eq!(
            conflicts,
            [
                Conflict {
                    field: ".spec.volumeClaimTemplates".into(),
                    manager: "kubectl-client-side-apply".into(),
                    applies: false
                },
                Conflict {
                    field: ".spec.replicas".into(),
                    manager: "flux".into(),
                    applies: true
                },
            ]
        );
        let refused = ownership(&conflicts, false, "kubectl-sts").unwrap_err();
        assert!(refused.contains(".spec.replicas (flux)"), "{refused}");
        let taken = ownership(&conflicts, true, "kubectl-sts").unwrap().unwrap();
        assert!(
            taken.contains("takes .spec.volumeClaimTemplates (kubectl-client-side-apply)"),
            "{taken}"
        );
        assert!(taken.contains("from another server-side applier"), "{taken}");
        assert_eq!(ownership(&[], false, "kubectl-sts"), Ok(None));
    }

    #[test]
    fn what_the_manifest_leaves_out_keeps_its_live_value_but_records_do_not_travel() {
        let live = json!({
            "metadata": {"name": "db", "labels": {"app": "db", "team": "data"},
                         "annotations": {"meta.helm.sh/release-name": "db", "kubectl-sts.io/in-flight": "{}"}},
            "spec": {"replicas": 7, "serviceName": "db", "template": {"metadata": {"labels": {"v": "1"}}}}
        });
        let manifest = json!({
            "metadata": {"name": "db", "labels": {"app": "db2"}},
            "spec": {"serviceName": "db", "template": {"metadata": {"labels": {"v": "2"}}}}
        });
        let object = applied_object(Some(&live), &manifest, false);
        assert_eq!(object["spec"]["replicas"], 7);
        assert_eq!(object["spec"]["template"]["metadata"]["labels"]["v"], "2");
        assert_eq!(
            object["metadata"]["labels"],
            json!({"app": "db2", "team": "data"})
        );
        assert_eq!(
            object["metadata"]["annotations"],
            json!({"meta.helm.sh/release-name": "db"})
        );
        assert_eq!(object["kind"], "StatefulSet");
        let first_create = applied_object(Some(&live), &manifest, true);
        assert_eq!(first_create["spec"]["template"]["metadata"]["labels"]["v"], "1");
        let new_set = applied_object(None, &manifest, false);
        assert!(new_set["metadata"].get("annotations").is_none(), "{new_set}");
    }

    #[test]
    fn gates_hold_the_partition_and_a_re_run_goes_on_from_where_the_walk_stopped() {
        let object = |strategy: Value| json!({"metadata": {"name": "web"}, "spec": {"replicas": 3, "updateStrategy": strategy}});
        let rolling =
            |partition: i64| json!({"type": "RollingUpdate", "rollingUpdate": {"partition": partition}});
        let manifest = json!({"spec": {}});
        fn live<'a>(set: &'a Value, template_changes: bool, outdated: &[&str]) -> Live<'a> {
            Live {
                set,
                template_changes,
                outdated: outdated.iter().map(|p| p.to_string()).collect(),
            }
        }
        let walk = |held: i32, pods: &[&str]| GatedMove::Walk {
            held,
            from: (held + 1).min(3),
            to: 0,
            pods: pods.iter().map(|p| p.to_string()).collect(),
        };
        let applied = object(rolling(0));
        assert_eq!(
            gated_move(&applied, &manifest, live(&object(rolling(0)), true, &[]), 1),
            Some(walk(3, &["web-2", "web-1", "web-0"])),
            "a new template: held at the replica count"
        );
        assert_eq!(
            gated_move(&applied, &manifest, live(&object(rolling(1)), false, &[]), 1),
            Some(walk(1, &["web-0"])),
            "the same template: the live partition, never raised; web-1 checked again"
        );
        assert_eq!(
            gated_move(&applied, &manifest, live(&object(rolling(0)), false, &[]), 1),
            None
        );
        let staged = json!({"spec": {"updateStrategy": rolling(2)}});
        assert_eq!(
            gated_move(&applied, &staged, live(&object(rolling(0)), true, &[]), 1),
            Some(GatedMove::Walk {
                held: 3,
                from: 3,
                to: 2,
                pods: vec!["web-2".into()]
            }),
            "down to the manifest's own partition"
        );
        let on_delete = object(json!({"type": "OnDelete"}));
        assert_eq!(
            gated_move(&on_delete, &manifest, live(&on_delete, true, &[]), 1),
            Some(GatedMove::Roll {
                pods: vec!["web-2".into(), "web-1".into(), "web-0".into()]
            })
        );
        assert_eq!(
            gated_move(&on_delete, &manifest, live(&on_delete, false, &["web-0"]), 1),
            Some(GatedMove::Roll {
                pods: vec!["web-0".into()]
            }),
            "a re-run rolls the pods still outdated"
        );
        let up_to_date = gated_move(&on_delete, &manifest, live(&on_delete, false, &[]), 1);
        assert_eq!(up_to_date, None);
    }
}
