//! Two objects compared field by field: every leaf that differs, with a path a person reads
//! (`spec.template.spec.containers[nginx].image`): lists whose items all carry a name
//! (containers, env, volumes, claim templates) are compared item by item by that name, other
//! lists as one value.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

/// One field that differs; `null` for absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub path: String,
    pub old: Value,
    pub new: Value,
}

/// Every leaf where `old` and `new` differ, below `path`, in the order of their keys.
pub fn diff(path: &str, old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    walk(path, old, new, &mut changes);
    changes
}

fn walk(path: &str, old: &Value, new: &Value, changes: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    let empty = Value::Object(serde_json::Map::new());
    let (old, new) = match (old, new) {
        (Value::Null, Value::Object(_)) => (&empty, new),
        (Value::Object(_), Value::Null) => (old, &empty),
        _ => (old, new),
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let below = join(path, key);
                walk(
                    &below,
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    changes,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) => match (keyed(a), keyed(b)) {
            (Some(a), Some(b)) => {
                let names: Vec<&str> = a.iter().chain(b.iter()).map(|(name, _)| *name).collect();
                let mut seen = BTreeSet::new();
                for name in names.into_iter().filter(|n| seen.insert(*n)) {
                    let find = |items: &[(&str, &Value)]| {
                        items.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).clone())
                    };
                    let below = format!("{path}[{name}]");
                    walk(
                        &below,
                        &find(&a).unwrap_or(Value::Null),
                        &find(&b).unwrap_or(Value::Null),
                        changes,
                    );
                }
            }
            _ => changes.push(change(path, old, new)),
        },
        _ => changes.push(change(path, old, new)),
    }
}

/// The items by name, when every item has one and no two share it.
fn keyed(items: &[Value]) -> Option<Vec<(&str, &Value)>> {
    let named: Option<Vec<(&str, &Value)>> = items
        .iter()
        .map(|item| {
            let name = item["name"]
                .as_str()
                .or_else(|| item["metadata"]["name"].as_str())?;
            Some((name, item))
        })
        .collect();
    let named = named?;
    let unique: BTreeSet<&str> = named.iter().map(|(n, _)| *n).collect();
    (unique.len() == named.len() && !named.is_empty()).then_some(named)
}

fn join(path: &str, key: &str) -> String {
    match path.is_empty() {
        true => key.to_string(),
        false => format!("{path}.{key}"),
    }
}

fn change(path: &str, old: &Value, new: &Value) -> FieldChange {
    FieldChange {
        path: path.to_string(),
        old: old.clone(),
        new: new.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn named_list_items_are_compared_by_name() {
        let old = json!({"containers": [{"name": "app", "image": "a:1"}, {"name": "side", "image": "s:1"}]});
        let new = json!({"containers": [{"name": "side", "image": "s:1"}, {"name": "app", "image": "a:2", "args": ["x"]}]});
        let changes = diff("spec", &old, &new);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["spec.containers[app].args", "spec.containers[app].image"]);
        assert_eq!(changes[1].old, json!("a:1"));
        assert_eq!(changes[1].new, json!("a:2"));
    }

    #[test]
    fn claim_templates_are_named_by_their_metadata_and_other_lists_are_one_value() {
        let old = json!({"volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]});
        let new = json!({"volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteMany"]}}]});
        let changes = diff("spec", &old, &new);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "spec.volumeClaimTemplates[www].spec.accessModes");
        assert_eq!(diff("x", &json!({"a": 1}), &json!({"a": 1})), []);
        assert_eq!(diff("x", &json!({"a": 1}), &json!({}))[0].new, Value::Null);
        let dropped = diff("m", &json!({"annotations": {"k": "v"}}), &json!({}));
        assert_eq!(dropped[0].path, "m.annotations.k");
    }
}
