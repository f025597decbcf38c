//! A set's manifest planned against the live set, field by field: what changes in place, what
//! the set's strategy rolls out to its pods (which, in which order), what needs the set
//! re-created with its pods and claims kept (fields the API server refuses to update — learned
//! from the server by the command, since the list differs between versions), and what is
//! refused, with why and what to do instead. Also what the manifest drops that the live set
//! carries, lints of chart habits that cost a re-create on every upgrade, and the tool that
//! owns the set. Pure: the desired object comes from the server's own defaulting (a dry-run
//! create), so that only real changes show.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::model::change::diff::{FieldChange, diff};
use crate::model::storage::quantity;

/// How one change is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// Updated on the live set.
    InPlace,
    /// A template change: the set's strategy replaces its pods.
    Rollout,
    /// The API server refuses to update it: the set is deleted with its pods and claims kept,
    /// and created again, adopting them.
    Recreate,
    /// Not done: the reason says why and what to do instead.
    Refused,
}

/// One changed field and how it is carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedChange {
    pub path: String,
    pub old: Value,
    pub new: Value,
    pub how: How,
    /// What it does or why it is refused.
    pub note: Option<String>,
}

/// What the plan does to the set as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    NoChange,
    Change,
    /// The set does not exist: created, its pods in the controller's order.
    Create,
    /// At least one change is refused: nothing is done.
    Refused,
}

/// A set's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetPlan {
    pub namespace: String,
    pub name: String,
    /// Where it was read from.
    pub source: String,
    pub action: Action,
    pub changes: Vec<PlannedChange>,
    /// Pods the rollout replaces, in the order they go (empty: none, or not by the controller).
    pub restarts: Vec<String>,
    /// How the rollout moves them, in words.
    pub rollout: Option<String>,
    /// What the manifest leaves out that the live set carries, and what that does.
    pub drops: Vec<String>,
    pub lints: Vec<String>,
    /// Claims without data (Pending, no volume) deleted with their pods and created again
    /// from the changed template (`--replace-pending-claims`).
    pub replaced_claims: Vec<String>,
    /// The tool that manages the live set (Helm, Argo CD, Flux), and what that means here.
    pub owner: Option<String>,
}

impl SetPlan {
    /// The first refused change, in one line naming the set, the field and why.
    pub fn first_refusal(&self) -> Option<String> {
        let change = self.changes.iter().find(|c| c.how == How::Refused)?;
        Some(format!(
            "statefulset {}/{}: {} is refused: {}",
            self.namespace,
            self.name,
            change.path,
            change.note.as_deref().unwrap_or_default()
        ))
    }
}

/// What the command learned and read for one set, beside the two objects.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Top-level `spec` fields whose change a dry-run update was refused for.
    pub refused_by_server: Vec<String>,
    /// The existing claims, by claim template.
    pub claims: BTreeMap<String, Vec<String>>,
    /// The claims that never got a volume (Pending, unbound): they hold no data.
    pub unbound: BTreeSet<String>,
    /// `--allow-service-name-change`.
    pub allow_service_name_change: bool,
    /// `--replace-pending-claims`.
    pub replace_pending_claims: bool,
}

/// Fields the plan reads of a set: the spec, and the set's own labels and annotations.
const METADATA_MAPS: [&str; 2] = ["labels", "annotations"];

/// Plans `manifest` (as written) against `live`, `desired` being the manifest as the API
/// server stores it (defaulted).
pub fn plan_change(live: &Value, manifest: &Value, desired: &Value, facts: &Facts, source: &str) -> SetPlan {
    let desired_spec = with_unmanaged_from_live(&live["spec"], &manifest["spec"], &desired["spec"]);
    let mut changes: Vec<PlannedChange> = diff("spec", &live["spec"], &desired_spec)
        .into_iter()
        .map(|change| classify(change, live, facts))
        .collect();
    changes.extend(metadata_changes(live, manifest));
    let refused = changes.iter().any(|c| c.how == How::Refused);
    let replaced_claims = replaced_claims(&changes, facts);
    let action = match (refused, changes.is_empty()) {
        (true, _) => Action::Refused,
        (false, true) => Action::NoChange,
        (false, false) => Action::Change,
    };
    let rolls = changes.iter().any(|c| c.how == How::Rollout);
    let name = live["metadata"]["name"].as_str().unwrap_or_default();
    let (restarts, rollout) = match rolls {
        true => rollout_of(name, &desired_spec),
        false => (Vec::new(), None),
    };
    SetPlan {
        namespace: live["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        name: name.to_string(),
        source: source.to_string(),
        action,
        changes,
        restarts,
        rollout,
        drops: drops(live, manifest),
        lints: lints(manifest),
        replaced_claims,
        owner: owner(live),
    }
}

/// The top-level `spec` fields the manifest changes, each once: what the command asks the
/// server about.
pub fn changed_fields(live: &Value, manifest: &Value, desired: &Value) -> Vec<String> {
    let desired_spec = with_unmanaged_from_live(&live["spec"], &manifest["spec"], &desired["spec"]);
    let mut fields: Vec<String> = diff("spec", &live["spec"], &desired_spec)
        .iter()
        .map(|change| top_field(&change.path).to_string())
        .collect();
    fields.dedup();
    fields
}

/// Plans a set that does not exist yet: created as the manifest says.
pub fn plan_create(manifest: &Value, namespace: &str, source: &str) -> SetPlan {
    let name = manifest["metadata"]["name"].as_str().unwrap_or_default();
    let replicas = manifest["spec"]["replicas"].as_i64().unwrap_or(1);
    let parallel = manifest["spec"]["podManagementPolicy"] == "Parallel";
    let start = manifest["spec"]["ordinals"]["start"].as_i64().unwrap_or(0);
    let pods: Vec<String> = (start..start + replicas).map(|o| format!("{name}-{o}")).collect();
    let order = match parallel {
        true => "all at once (Parallel)",
        false => "one by one, each Ready before the next (OrderedReady)",
    };
    SetPlan {
        namespace: namespace.to_string(),
        name: name.to_string(),
        source: source.to_string(),
        action: Action::Create,
        changes: Vec::new(),
        rollout: Some(format!("created {order}: {}", pods.join(", "))),
        restarts: Vec::new(),
        drops: Vec::new(),
        lints: lints(manifest),
        replaced_claims: Vec::new(),
        owner: None,
    }
}

/// The desired spec with the live value of every top-level field the manifest leaves out: a
/// field nobody writes keeps its value (server-side apply does not touch it), where a
/// default would show a change that will not happen (`replicas` left to an autoscaler).
fn with_unmanaged_from_live(live: &Value, manifest: &Value, desired: &Value) -> Value {
    let mut spec = desired.clone();
    if let (Some(spec), Some(live)) = (spec.as_object_mut(), live.as_object()) {
        for (key, value) in live {
            if manifest.get(key).is_none() {
                spec.insert(key.clone(), value.clone());
            }
        }
    }
    spec
}

/// The top-level field of `spec.<field>…`.
fn top_field(path: &str) -> &str {
    let rest = path.strip_prefix("spec.").unwrap_or(path);
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    &rest[..end]
}

fn classify(change: FieldChange, live: &Value, facts: &Facts) -> PlannedChange {
    let field = top_field(&change.path).to_string();
    let (how, note) = match field.as_str() {
        "selector" => (
            How::Refused,
            Some("a changed selector strands every pod (the set no longer selects them): keep the selector, or create a new set beside this one".to_string()),
        ),
        "serviceName" => service_name(&change, live, facts),
        "volumeClaimTemplates" => claim_template(&change, facts),
        "template" => (How::Rollout, None),
        _ if facts.refused_by_server.contains(&field) => (
            How::Recreate,
            Some("the API server refuses to update it: the set is re-created, its pods and claims kept".to_string()),
        ),
        _ => (How::InPlace, None),
    };
    PlannedChange {
        path: change.path,
        old: change.old,
        new: change.new,
        how,
        note,
    }
}

/// Every pod's DNS name changes with the governing Service.
fn service_name(change: &FieldChange, live: &Value, facts: &Facts) -> (How, Option<String>) {
    let name = live["metadata"]["name"].as_str().unwrap_or_default();
    let replicas = live["spec"]["replicas"].as_i64().unwrap_or(1);
    let start = live["spec"]["ordinals"]["start"].as_i64().unwrap_or(0);
    let (old, new) = (
        change.old.as_str().unwrap_or(""),
        change.new.as_str().unwrap_or(""),
    );
    let renamed: Vec<String> = (start..start + replicas)
        .map(|o| format!("{name}-{o}.{old} -> {name}-{o}.{new}"))
        .collect();
    let names = format!("every pod's DNS name changes ({})", renamed.join(", "));
    match facts.allow_service_name_change {
        true => (
            How::Recreate,
            Some(format!(
                "{names}: the set is re-created, its pods and claims kept"
            )),
        ),
        false => (
            How::Refused,
            Some(format!(
                "{names}: clients that use them lose the pods; pass --allow-service-name-change to re-create the set with it"
            )),
        ),
    }
}

/// Claim templates are refused by the API server for update: a re-create, except what the
/// existing claims can never follow.
fn claim_template(change: &FieldChange, facts: &Facts) -> (How, Option<String>) {
    let template = change
        .path
        .strip_prefix("spec.volumeClaimTemplates[")
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_default();
    let claims = facts.claims.get(template).cloned().unwrap_or_default();
    let existing = match claims.is_empty() {
        true => "no claim exists yet".to_string(),
        false => format!("existing claims {}", claims.join(", ")),
    };
    let leaf = change.path.rsplit(']').next().unwrap_or_default();
    if leaf == ".spec.resources.requests.storage" {
        let size = |v: &Value| v.as_str().and_then(|s| quantity::parse(s).ok());
        return match (size(&change.old), size(&change.new)) {
            (Some(old), Some(new)) if new < old => (
                How::Refused,
                Some(format!(
                    "a claim cannot shrink ({existing}): keep {}",
                    change.old.as_str().unwrap_or_default()
                )),
            ),
            _ => (
                How::Recreate,
                Some(format!(
                    "{existing} grown as `pvc resize` grows them (their class must allow expansion); the set re-created with the new size"
                )),
            ),
        };
    }
    if FOLLOWS_NEVER.iter().any(|f| leaf.starts_with(f)) && !claims.is_empty() {
        return never_follows(&claims, &existing, facts);
    }
    (
        How::Recreate,
        Some("the API server refuses to update claim templates: the set is re-created, its pods and claims kept".to_string()),
    )
}

/// What existing claims never take from a changed template.
const FOLLOWS_NEVER: [&str; 3] = [".spec.storageClassName", ".spec.accessModes", ".spec.volumeMode"];

/// A claim template's class, access modes or volume mode changed while claims exist: refused,
/// unless none of them holds data (Pending without a volume: a class that does not exist) and
/// `--replace-pending-claims` lets them be made again from the new template.
fn never_follows(claims: &[String], existing: &str, facts: &Facts) -> (How, Option<String>) {
    let unbound = claims.iter().all(|c| facts.unbound.contains(c));
    match (unbound, facts.replace_pending_claims) {
        (true, true) => (
            How::Recreate,
            Some(format!(
                "{existing} are Pending without a volume (they hold no data): deleted with their Pending pods, and created again from the new template when the set is re-created"
            )),
        ),
        (true, false) => (
            How::Refused,
            Some(format!(
                "{existing} are Pending without a volume (they hold no data) and never follow a changed template: pass --replace-pending-claims to delete them with their Pending pods and have the re-created set make them again"
            )),
        ),
        (false, _) => (
            How::Refused,
            Some(format!(
                "{existing} never follow a template's class, access modes or volume mode (only new claims would): migrate the data to new claims instead"
            )),
        ),
    }
}

/// The claims a re-create deletes and makes again: those of a template whose class, access
/// modes or volume mode changes, planned so because they hold no data.
fn replaced_claims(changes: &[PlannedChange], facts: &Facts) -> Vec<String> {
    let mut replaced: Vec<String> = changes
        .iter()
        .filter(|c| c.how == How::Recreate)
        .filter_map(|c| {
            let rest = c.path.strip_prefix("spec.volumeClaimTemplates[")?;
            let (template, leaf) = rest.split_once(']')?;
            FOLLOWS_NEVER
                .iter()
                .any(|f| leaf.starts_with(f))
                .then(|| facts.claims.get(template).cloned().unwrap_or_default())
        })
        .flatten()
        .collect();
    replaced.sort();
    replaced.dedup();
    replaced
}

/// The set's own labels and annotations the manifest sets to another value (keys it leaves
/// out are left to whoever wrote them).
fn metadata_changes(live: &Value, manifest: &Value) -> Vec<PlannedChange> {
    METADATA_MAPS
        .iter()
        .flat_map(|map| {
            let wanted = manifest["metadata"][map].as_object().cloned().unwrap_or_default();
            wanted
                .into_iter()
                .filter(|(key, value)| &live["metadata"][map][key] != value)
                .map(|(key, value)| PlannedChange {
                    path: format!("metadata.{map}.{key}"),
                    old: live["metadata"][map][&key].clone(),
                    new: value,
                    how: How::InPlace,
                    note: None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The pods the controller replaces for a template change, in its order, and how.
fn rollout_of(name: &str, spec: &Value) -> (Vec<String>, Option<String>) {
    let replicas = spec["replicas"].as_i64().unwrap_or(1);
    let start = spec["ordinals"]["start"].as_i64().unwrap_or(0);
    let strategy = &spec["updateStrategy"];
    if strategy["type"] == "OnDelete" {
        return (
            Vec::new(),
            Some("OnDelete: no pod restarts until `kubectl sts roll` replaces them".to_string()),
        );
    }
    let partition = strategy["rollingUpdate"]["partition"].as_i64().unwrap_or(0);
    let from = start + partition;
    let at_a_time = serde_json::from_value(strategy["rollingUpdate"]["maxUnavailable"].clone())
        .ok()
        .and_then(|max| crate::model::set::more_than_one(&max))
        .map_or_else(|| "one".to_string(), |max| format!("up to {max}"));
    let how = format!(
        "RollingUpdate, partition {partition}: ordinals {from} and up replaced {at_a_time} at a time, highest first{}",
        if partition > 0 {
            "; the rest wait for `kubectl sts promote`"
        } else {
            ""
        }
    );
    let ordinals: Vec<i64> = (from.max(start)..start + replicas).rev().collect();
    (
        ordinals.iter().map(|o| format!("{name}-{o}")).collect(),
        Some(how),
    )
}

/// What the manifest leaves out that the live set carries, and its effect.
fn drops(live: &Value, manifest: &Value) -> Vec<String> {
    const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
    let live_mark = &live["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT];
    let kept = !manifest["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT].is_null();
    match (live_mark.as_str(), kept) {
        (Some(at), false) => vec![format!(
            "the template annotation {RESTARTED_AT} ({at}, left by an earlier restart): dropping it changes the template, and every pod restarts"
        )],
        _ => Vec::new(),
    }
}

/// Chart habits in claim templates that cost a re-create on every upgrade, or a sync that
/// never ends.
fn lints(manifest: &Value) -> Vec<String> {
    const CHANGING_LABELS: [&str; 2] = ["helm.sh/chart", "app.kubernetes.io/version"];
    let mut lints = Vec::new();
    for template in manifest["spec"]["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = template["metadata"]["name"].as_str().unwrap_or("?");
        for label in CHANGING_LABELS {
            if !template["metadata"]["labels"][label].is_null() {
                lints.push(format!(
                    "claim template {name} carries the label {label}, which changes with every release: every upgrade will need a re-create; leave it out of volumeClaimTemplates"
                ));
            }
        }
        if template["apiVersion"].is_null() || template["kind"].is_null() {
            lints.push(format!(
                "claim template {name} has no apiVersion/kind: the API server adds them, and a GitOps tool comparing with the manifest sees the set out of sync for ever (argo-cd#11143); add `apiVersion: v1` and `kind: PersistentVolumeClaim`"
            ));
        }
    }
    lints
}

/// The tool that manages the live set, by its labels and annotations.
fn owner(live: &Value) -> Option<String> {
    let labels = &live["metadata"]["labels"];
    let annotations = &live["metadata"]["annotations"];
    let text = |v: &Value| v.as_str().map(str::to_string);
    let who = if labels["app.kubernetes.io/managed-by"] == "Helm" {
        let release = text(&annotations["meta.helm.sh/release-name"]).unwrap_or_else(|| "?".into());
        let namespace = text(&annotations["meta.helm.sh/release-namespace"]).unwrap_or_default();
        format!("Helm release {namespace}/{release}")
    } else if let Some(id) = text(&annotations["argocd.argoproj.io/tracking-id"]) {
        format!("Argo CD application {}", id.split(':').next().unwrap_or(&id))
    } else if let Some(name) = text(&labels["kustomize.toolkit.fluxcd.io/name"]) {
        let namespace = text(&labels["kustomize.toolkit.fluxcd.io/namespace"]).unwrap_or_default();
        format!("Flux Kustomization {namespace}/{name}")
    } else if let Some(name) = text(&labels["helm.toolkit.fluxcd.io/name"]) {
        let namespace = text(&labels["helm.toolkit.fluxcd.io/namespace"]).unwrap_or_default();
        format!("Flux HelmRelease {namespace}/{name}")
    } else {
        return None;
    };
    Some(format!(
        "managed by {who}: its next sync or upgrade may undo a change made here"
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn live() -> Value {
        json!({
            "metadata": {"name": "db", "namespace": "shop", "labels": {"app.kubernetes.io/managed-by": "Helm"},
                         "annotations": {"meta.helm.sh/release-name": "db", "meta.helm.sh/release-namespace": "shop"}},
            "spec": {
                "replicas": 3, "serviceName": "db", "podManagementPolicy": "OrderedReady",
                "selector": {"matchLabels": {"app": "db"}},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                "template": {"metadata": {"labels": {"app": "db"},
                                          "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-12-01T10:00:00Z"}},
                             "spec": {"containers": [{"name": "db", "image": "pg:16"}]}},
                "volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}]
            }
        })
    }

    /// The manifest: the live spec with `change` applied, without the restart mark.
    fn manifest(change: impl Fn(&mut Value)) -> Value {
        let mut manifest = live();
        manifest["spec"]["template"]["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("annotations");
        change(&mut manifest);
        manifest
    }

    fn facts() -> Facts {
        Facts {
            refused_by_server: vec!["podManagementPolicy".into()],
            claims: BTreeMap::from([(
                "data".to_string(),
                vec!["data-db-0".to_string(), "data-db-1".to_string()],
            )]),
            ..Facts::default()
        }
    }

    fn planned(change: impl Fn(&mut Value)) -> SetPlan {
        let wanted = manifest(change);
        plan_change(&live(), &wanted, &wanted, &facts(), "db.yaml, document 1")
    }

    fn how_of<'a>(plan: &'a SetPlan, path: &str) -> &'a PlannedChange {
        plan.changes
            .iter()
            .find(|c| c.path == path)
            .unwrap_or_else(|| panic!("{path}: {plan:#?}"))
    }

    #[test]
    fn an_image_rolls_out_highest_first_and_the_dropped_restart_mark_is_named() {
        let plan = planned(|m| m["spec"]["template"]["spec"]["containers"][0]["image"] = json!("pg:17"));
        assert_eq!(plan.action, Action::Change);
        assert_eq!(
            how_of(&plan, "spec.template.spec.containers[db].image").how,
            How::Rollout
        );
        assert_eq!(plan.restarts, ["db-2", "db-1", "db-0"]);
        assert!(
            plan.drops[0].contains("kubectl.kubernetes.io/restartedAt (2026-12-01T10:00:00Z"),
            "{plan:#?}"
        );
        assert_eq!(
            plan.owner.as_deref(),
            Some("managed by Helm release shop/db: its next sync or upgrade may undo a change made here")
        );
    }

    #[test]
    fn a_rollout_says_how_many_pods_the_cluster_replaces_at_a_time() {
        let image = |m: &mut Value| m["spec"]["template"]["spec"]["containers"][0]["image"] = json!("pg:17");
        let rollout_with = |max: Value| {
            planned(|m| {
                image(m);
                m["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] = max.clone();
            })
            .rollout
            .unwrap()
        };
        let one = "RollingUpdate, partition 0: ordinals 0 and up replaced one at a time, highest first";
        assert_eq!(
            planned(image).rollout.unwrap(),
            one,
            "dropped by the server up to 1.36"
        );
        assert_eq!(rollout_with(json!(1)), one, "written by the server from 1.37");
        assert_eq!(
            rollout_with(json!(2)),
            "RollingUpdate, partition 0: ordinals 0 and up replaced up to 2 at a time, highest first"
        );
    }

    #[test]
    fn fields_the_server_refuses_to_update_are_re_created_and_the_rest_in_place() {
        let plan = planned(|m| {
            m["spec"]["podManagementPolicy"] = json!("Parallel");
            m["spec"]["replicas"] = json!(5);
            m["spec"]["volumeClaimTemplates"][0]["metadata"]["labels"] = json!({"tier": "gold"});
        });
        assert_eq!(how_of(&plan, "spec.podManagementPolicy").how, How::Recreate);
        assert_eq!(how_of(&plan, "spec.replicas").how, How::InPlace);
        assert_eq!(
            how_of(&plan, "spec.volumeClaimTemplates[data].metadata.labels.tier").how,
            How::Recreate
        );
        assert_eq!(plan.action, Action::Change);
    }

    #[test]
    fn what_cannot_be_done_safely_is_refused_with_the_reason() {
        let selector = planned(|m| m["spec"]["selector"]["matchLabels"]["tier"] = json!("x"));
        assert_eq!(selector.action, Action::Refused);
        let shrink = planned(|m| {
            m["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = json!("5Gi")
        });
        assert_eq!(
            how_of(
                &shrink,
                "spec.volumeClaimTemplates[data].spec.resources.requests.storage"
            )
            .how,
            How::Refused
        );
        let grow = planned(|m| {
            m["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = json!("20Gi")
        });
        let growth = how_of(
            &grow,
            "spec.volumeClaimTemplates[data].spec.resources.requests.storage",
        );
        assert_eq!(growth.how, How::Recreate);
        assert!(
            growth
                .note
                .as_deref()
                .unwrap()
                .contains("existing claims data-db-0, data-db-1 grown"),
            "{growth:#?}"
        );
        let class =
            planned(|m| m["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] = json!("fast"));
        let refused = how_of(&class, "spec.volumeClaimTemplates[data].spec.storageClassName");
        assert_eq!(refused.how, How::Refused);
        assert!(
            refused
                .note
                .as_deref()
                .unwrap()
                .contains("data-db-0, data-db-1 never follow"),
            "{refused:#?}"
        );
        let service = planned(|m| m["spec"]["serviceName"] = json!("db-hs"));
        let renamed = how_of(&service, "spec.serviceName");
        assert_eq!(renamed.how, How::Refused);
        assert!(
            renamed.note.as_deref().unwrap().contains("db-0.db -> db-0.db-hs"),
            "{renamed:#?}"
        );
    }

    #[test]
    fn claims_without_data_may_be_replaced_for_a_new_class_only_with_the_flag() {
        let class =
            |m: &mut Value| m["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] = json!("fast");
        let path = "spec.volumeClaimTemplates[data].spec.storageClassName";
        let wanted = manifest(class);
        let mut facts = facts();
        facts.unbound = ["data-db-0".to_string(), "data-db-1".to_string()].into();
        let refused = plan_change(&live(), &wanted, &wanted, &facts, "db.yaml");
        assert_eq!(how_of(&refused, path).how, How::Refused);
        assert!(
            how_of(&refused, path)
                .note
                .as_deref()
                .unwrap()
                .contains("pass --replace-pending-claims")
        );
        facts.replace_pending_claims = true;
        let replaced = plan_change(&live(), &wanted, &wanted, &facts, "db.yaml");
        assert_eq!(how_of(&replaced, path).how, How::Recreate);
        assert_eq!(replaced.replaced_claims, ["data-db-0", "data-db-1"]);
        // One claim with a volume holds data: never replaced.
        facts.unbound.remove("data-db-1");
        let kept = plan_change(&live(), &wanted, &wanted, &facts, "db.yaml");
        assert_eq!(how_of(&kept, path).how, How::Refused);
        assert!(kept.replaced_claims.is_empty());
    }

    #[test]
    fn a_field_the_manifest_leaves_out_keeps_its_live_value() {
        let wanted = manifest(|m| {
            m["spec"].as_object_mut().unwrap().remove("replicas");
        });
        let mut desired = wanted.clone();
        desired["spec"]["replicas"] = json!(1); // the server's default for a missing field
        let plan = plan_change(&live(), &wanted, &desired, &facts(), "db.yaml, document 1");
        assert!(
            plan.changes.iter().all(|c| c.path != "spec.replicas"),
            "{plan:#?}"
        );
    }

    #[test]
    fn chart_labels_and_missing_kinds_in_claim_templates_are_linted() {
        let plan = planned(|m| {
            let template = &mut m["spec"]["volumeClaimTemplates"][0];
            template["metadata"]["labels"] = json!({"helm.sh/chart": "db-1.2.3"});
            template.as_object_mut().unwrap().remove("kind");
        });
        assert_eq!(plan.lints.len(), 2, "{plan:#?}");
        assert!(plan.lints[0].contains("helm.sh/chart"), "{plan:#?}");
        assert!(plan.lints[1].contains("no apiVersion/kind"), "{plan:#?}");
    }
}
