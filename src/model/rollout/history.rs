//! The revision history of a set: every ControllerRevision with its number, pods and marks,
//! and what changed in the pod template from the revision it was made from — the latest earlier
//! one not abandoned by an abort — (images, env, resources, and any other field as a short path
//! list).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::model::set;
use crate::model::set::health::revision_of;
use crate::model::set::revision::{ContainerImage, stored_template, template_images, template_of};
use crate::model::set::snapshot::SetSnapshot;

/// One revision in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub number: i64,
    pub name: String,
    pub created: Option<String>,
    pub age_seconds: Option<i64>,
    /// Pods running it now.
    pub pods: usize,
    pub current: bool,
    pub update: bool,
    pub images: Vec<ContainerImage>,
    /// An abort (or an undo before it was fully rolled out) left it: no later revision was
    /// made from it.
    pub abandoned: bool,
    /// The revision the changes are counted from: the latest earlier one not abandoned (the
    /// one the set ran when this one was made).
    pub from: Option<i64>,
    /// What changed from revision `from` (empty for the first).
    pub changes: Vec<String>,
}

/// The `history` document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    pub kind: &'static str,
    pub version: &'static str,
    pub namespace: String,
    pub name: String,
    pub revisions: Vec<HistoryEntry>,
}

/// The history of the snapshot's set, oldest first.
pub fn history(snap: &SetSnapshot) -> History {
    let mut revisions: Vec<_> = snap.revisions.iter().collect();
    revisions.sort_by_key(|r| r.revision);
    let abandoned = crate::model::rollout::revert::abandoned(snap);
    let mut base: Option<(i64, Value)> = None;
    let entries = revisions
        .into_iter()
        .map(|rev| {
            let name = rev.metadata.name.clone().unwrap_or_default();
            let template = stored_template(rev).unwrap_or(Value::Null);
            let changes = base
                .as_ref()
                .map(|(_, old)| template_changes(old, &template))
                .unwrap_or_default();
            let from = base.as_ref().map(|(number, _)| *number);
            let left = abandoned.contains(&name.as_str());
            if !left {
                base = Some((rev.revision, template));
            }
            let created = rev.metadata.creation_timestamp.as_ref().map(|t| t.0);
            HistoryEntry {
                number: rev.revision,
                pods: snap
                    .pods
                    .iter()
                    .filter(|p| revision_of(p) == Some(name.as_str()))
                    .count(),
                current: set::current_revision(&snap.set) == Some(name.as_str()),
                update: set::update_revision(&snap.set) == Some(name.as_str()),
                images: template_of(rev).map(|t| template_images(&t)).unwrap_or_default(),
                created: created.map(|t| t.to_string()),
                age_seconds: created.map(|t| (snap.taken_at - t).get_seconds().max(0)),
                name,
                abandoned: left,
                from,
                changes,
            }
        })
        .collect();
    History {
        kind: "StatefulSetHistory",
        version: "v1",
        namespace: snap.namespace().into(),
        name: snap.name().into(),
        revisions: entries,
    }
}

/// What differs between two pod templates, for people: per container image, env and
/// resources, then other fields as paths.
pub fn template_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut changes = Vec::new();
    for list in ["initContainers", "containers"] {
        let (before, after) = (containers(old, list), containers(new, list));
        let names: BTreeSet<&str> = before.iter().chain(after.iter()).map(|(n, _)| *n).collect();
        for name in names {
            let find =
                |side: &[(&str, &Value)]| side.iter().find(|(n, _)| *n == name).map(|(_, c)| (*c).clone());
            match (find(&before), find(&after)) {
                (None, Some(_)) => changes.push(format!("{name}: container added")),
                (Some(_), None) => changes.push(format!("{name}: container removed")),
                (Some(a), Some(b)) => changes.extend(container_changes(name, &a, &b)),
                (None, None) => {}
            }
        }
    }
    let mut rest_old = old.clone();
    let mut rest_new = new.clone();
    for side in [&mut rest_old, &mut rest_new] {
        if let Some(spec) = side.get_mut("spec").and_then(Value::as_object_mut) {
            spec.remove("containers");
            spec.remove("initContainers");
        }
    }
    changes.extend(changed_paths(&rest_old, &rest_new, "", 4));
    changes
}

fn containers<'a>(template: &'a Value, list: &str) -> Vec<(&'a str, &'a Value)> {
    template["spec"][list]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (c["name"].as_str().unwrap_or_default(), c))
        .collect()
}

fn container_changes(name: &str, old: &Value, new: &Value) -> Vec<String> {
    let mut changes = Vec::new();
    if old["image"] != new["image"] {
        changes.push(format!(
            "{name}: image {} -> {}",
            text(&old["image"]),
            text(&new["image"])
        ));
    }
    changes.extend(env_changes(name, &old["env"], &new["env"]));
    for path in changed_paths(&old["resources"], &new["resources"], "resources", 3) {
        changes.push(format!("{name}: {path}"));
    }
    let mut rest_old = old.clone();
    let mut rest_new = new.clone();
    for side in [&mut rest_old, &mut rest_new] {
        if let Some(c) = side.as_object_mut() {
            for field in ["image", "env", "resources"] {
                c.remove(field);
            }
        }
    }
    changes.extend(
        changed_paths(&rest_old, &rest_new, "", 2)
            .into_iter()
            .map(|p| format!("{name}: {p}")),
    );
    changes
}

fn env_changes(name: &str, old: &Value, new: &Value) -> Vec<String> {
    let vars = |env: &Value| -> Vec<(String, Value)> {
        env.as_array()
            .into_iter()
            .flatten()
            .map(|e| (e["name"].as_str().unwrap_or_default().to_string(), e.clone()))
            .collect()
    };
    let (before, after) = (vars(old), vars(new));
    let mut changes = Vec::new();
    for (var, value) in &after {
        match before.iter().find(|(n, _)| n == var) {
            None => changes.push(format!("{name}: env +{var}")),
            Some((_, old_value)) if old_value != value => changes.push(format!("{name}: env ~{var}")),
            Some(_) => {}
        }
    }
    for (var, _) in before.iter().filter(|(n, _)| !after.iter().any(|(m, _)| m == n)) {
        changes.push(format!("{name}: env -{var}"));
    }
    changes
}

/// Paths (dotted, up to `depth` levels) whose values differ; leaves show old -> new.
fn changed_paths(old: &Value, new: &Value, prefix: &str, depth: usize) -> Vec<String> {
    if old == new {
        return Vec::new();
    }
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    let empty = Value::Object(Default::default());
    let (old, new) = match (old, new) {
        (Value::Null, b @ Value::Object(_)) => (&empty, b),
        (a @ Value::Object(_), Value::Null) => (a, &empty),
        pair => pair,
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) if depth > 0 => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter()
                .flat_map(|k| {
                    changed_paths(
                        a.get(k).unwrap_or(&Value::Null),
                        b.get(k).unwrap_or(&Value::Null),
                        &join(k),
                        depth - 1,
                    )
                })
                .collect()
        }
        (a, b) if is_leaf(a) && is_leaf(b) => vec![format!("{prefix} {} -> {}", text(a), text(b))],
        _ => vec![prefix.to_string()],
    }
}

fn is_leaf(v: &Value) -> bool {
    !v.is_object() && !v.is_array()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_images_env_resources_and_other_fields() {
        let old = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "1"}],
             "resources": {"limits": {"memory": "1Gi"}}}]}});
        let new = json!({"metadata": {"labels": {"app": "web"}, "annotations": {"kubectl.kubernetes.io/restartedAt": "t"}},
            "spec": {"terminationGracePeriodSeconds": 60, "containers": [
            {"name": "app", "image": "app:2", "env": [{"name": "A", "value": "2"}, {"name": "C", "value": "1"}],
             "resources": {"limits": {"memory": "2Gi"}}}]}});
        let changes = template_changes(&old, &new);
        assert_eq!(
            changes,
            [
                "app: image app:1 -> app:2",
                "app: env ~A",
                "app: env +C",
                "app: env -B",
                "app: resources.limits.memory 1Gi -> 2Gi",
                "metadata.annotations.kubectl.kubernetes.io/restartedAt (none) -> t",
                "spec.terminationGracePeriodSeconds (none) -> 60",
            ]
        );
    }
}
