//! The four patch content types over JSON objects: JSON merge patch (RFC 7386), JSON patch
//! (RFC 6902), strategic merge patch (lists merged by their Kubernetes merge keys, `$patch`
//! directives) and a simplified server-side apply (a strategic merge of the applied config).

use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// A PATCH request's content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Json,
    Strategic,
    Apply,
}

impl PatchKind {
    /// From the `Content-Type` header; 415 for anything else.
    pub fn from_content_type(content_type: &str) -> Result<Self, ApiError> {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        match essence {
            "application/merge-patch+json" => Ok(PatchKind::Merge),
            "application/json-patch+json" => Ok(PatchKind::Json),
            "application/strategic-merge-patch+json" => Ok(PatchKind::Strategic),
            "application/apply-patch+yaml" => Ok(PatchKind::Apply),
            _ => Err(ApiError::unsupported_media_type(content_type)),
        }
    }

    /// Decodes the patch document (YAML for apply, JSON otherwise); 400 if it is not one.
    pub fn decode(self, body: &[u8]) -> Result<Value, ApiError> {
        let text = std::str::from_utf8(body).map_err(|e| ApiError::bad_request(e.to_string()))?;
        let value: Value = match self {
            PatchKind::Apply => serde_saphyr::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?,
            _ => serde_json::from_str(text).map_err(|e| ApiError::bad_request(e.to_string()))?,
        };
        let well_formed = match self {
            PatchKind::Json => value.is_array(),
            _ => value.is_object(),
        };
        if !well_formed {
            return Err(ApiError::bad_request(format!(
                "the body of the request was in an unknown format for {self:?} patch"
            )));
        }
        Ok(value)
    }

    /// Applies the decoded `patch` to `target` in place.
    pub fn apply(self, target: &mut Value, patch: &Value) -> Result<(), ApiError> {
        match self {
            PatchKind::Merge => json_patch::merge(target, patch),
            PatchKind::Json => {
                let ops: json_patch::Patch = serde_json::from_value(patch.clone())
                    .map_err(|e| ApiError::bad_request(e.to_string()))?;
                json_patch::patch(target, &ops).map_err(|_| ApiError::patch_not_applicable())?;
            }
            PatchKind::Strategic | PatchKind::Apply => strategic_merge(target, patch),
        }
        Ok(())
    }
}

/// How the elements of a list field are patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListMerge {
    /// The patch's list replaces the stored one (no patch strategy: `tolerations`, `args`,
    /// `volumeClaimTemplates`, ...).
    Replace,
    /// Elements matched by this key are merged, others appended.
    ByKey(&'static str),
    /// A list of scalars kept as a set union (`finalizers`).
    Union,
}

/// The patch strategy of the list field `field`, inside the fields `path`.
fn list_merge(field: &str, path: &[String]) -> ListMerge {
    let in_container = path.iter().any(|p| {
        matches!(
            p.as_str(),
            "containers" | "initContainers" | "ephemeralContainers"
        )
    });
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates" => ListMerge::ByKey("name"),
        "ports" if in_container => ListMerge::ByKey("containerPort"),
        "ports" => ListMerge::ByKey("port"),
        "volumeMounts" => ListMerge::ByKey("mountPath"),
        "volumeDevices" => ListMerge::ByKey("devicePath"),
        "ownerReferences" => ListMerge::ByKey("uid"),
        "conditions" => ListMerge::ByKey("type"),
        "podIPs" | "hostIPs" | "hostAliases" => ListMerge::ByKey("ip"),
        "topologySpreadConstraints" => ListMerge::ByKey("topologyKey"),
        "resizePolicy" => ListMerge::ByKey("resourceName"),
        "finalizers" => ListMerge::Union,
        _ => ListMerge::Replace,
    }
}

/// Applies a strategic merge patch: maps merge recursively, `null` deletes a key, lists follow
/// their patch strategy, `$patch: replace | delete` directives are honoured,
/// `$deleteFromPrimitiveList/<field>` removes scalars, `$setElementOrder/...` and
/// `$retainKeys` are accepted and ignored.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    match patch.as_object() {
        Some(map) => merge_map(target, map, &mut Vec::new()),
        None => *target = patch.clone(),
    }
}

fn is_directive(map: &Map<String, Value>, directive: &str) -> bool {
    map.get("$patch").and_then(Value::as_str) == Some(directive)
}

/// A patch value without its `$` directives, as stored when it has nothing to merge with.
fn without_directives(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), without_directives(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_directives).collect()),
        other => other.clone(),
    }
}

fn merge_map(target: &mut Value, patch: &Map<String, Value>, path: &mut Vec<String>) {
    if is_directive(patch, "replace") || !target.is_object() {
        *target = without_directives(&Value::Object(patch.clone()));
        return;
    }
    let current = target.as_object_mut().expect("checked above");
    for (key, value) in patch {
        if key.starts_with("$setElementOrder/") || key == "$retainKeys" || key == "$patch" {
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(list), Some(gone)) = (
                current.get_mut(field).and_then(Value::as_array_mut),
                value.as_array(),
            ) {
                list.retain(|v| !gone.contains(v));
            }
            continue;
        }
        match value {
            Value::Null => {
                current.remove(key);
            }
            Value::Object(inner) if is_directive(inner, "delete") => {
                current.remove(key);
            }
            Value::Object(inner) => {
                path.push(key.clone());
                merge_map(current.entry(key).or_insert_with(|| json!({})), inner, path);
                path.pop();
            }
            Value::Array(items) => {
                let slot = current.entry(key).or_insert_with(|| json!([]));
                merge_list(slot, items, key, path);
            }
            scalar => {
                current.insert(key.clone(), scalar.clone());
            }
        }
    }
}

fn merge_list(target: &mut Value, patch: &[Value], field: &str, path: &mut Vec<String>) {
    let replace_all = patch
        .iter()
        .any(|e| e.as_object().is_some_and(|m| is_directive(m, "replace")));
    let strategy = if replace_all || !target.is_array() {
        ListMerge::Replace
    } else {
        list_merge(field, path)
    };
    let kept = |e: &&Value| !e.as_object().is_some_and(|m| is_directive(m, "replace"));
    match strategy {
        ListMerge::Replace => {
            *target = Value::Array(patch.iter().filter(kept).map(without_directives).collect())
        }
        ListMerge::Union => {
            let list = target.as_array_mut().expect("checked above");
            for item in patch {
                if !list.contains(item) {
                    list.push(item.clone());
                }
            }
        }
        ListMerge::ByKey(key) => {
            path.push(field.to_string());
            merge_keyed(target.as_array_mut().expect("checked above"), patch, key, path);
            path.pop();
        }
    }
}

fn merge_keyed(list: &mut Vec<Value>, patch: &[Value], key: &str, path: &mut Vec<String>) {
    for item in patch {
        let Some(map) = item.as_object() else {
            list.push(item.clone());
            continue;
        };
        let position = map
            .get(key)
            .and_then(|k| list.iter().position(|t| t.get(key) == Some(k)));
        match (position, is_directive(map, "delete")) {
            (Some(i), true) => {
                list.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => merge_map(&mut list[i], map, path),
            (None, false) => list.push(without_directives(item)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smp(target: Value, patch: Value) -> Value {
        let mut t = target;
        strategic_merge(&mut t, &patch);
        t
    }

    #[test]
    fn containers_merge_by_name() {
        let pod = json!({"spec": {"containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "side", "image": "side:1"}
        ]}});
        let patched = smp(
            pod,
            json!({"spec": {"containers": [{"name": "app", "image": "app:2", "env": [{"name": "B", "value": "2"}]}]}}),
        );
        assert_eq!(patched["spec"]["containers"][0]["image"], "app:2");
        assert_eq!(
            patched["spec"]["containers"][0]["env"].as_array().unwrap().len(),
            2
        );
        assert_eq!(patched["spec"]["containers"][1]["image"], "side:1");
    }

    #[test]
    fn directives() {
        let obj = json!({"spec": {"tolerations": [{"key": "a"}], "volumes": [{"name": "x"}, {"name": "y"}],
            "ports": [{"port": 80, "name": "web"}]}, "metadata": {"finalizers": ["a"], "labels": {"k": "v"}}});
        let patched = smp(
            obj,
            json!({
                "spec": {"tolerations": [{"key": "b"}], "volumes": [{"name": "x", "$patch": "delete"}],
                    "$setElementOrder/volumes": [{"name": "y"}], "ports": [{"port": 80, "targetPort": 8080}]},
                "metadata": {"finalizers": ["b"], "labels": {"k": null}, "$retainKeys": ["labels"]}
            }),
        );
        assert_eq!(patched["spec"]["tolerations"], json!([{"key": "b"}]));
        assert_eq!(patched["spec"]["volumes"], json!([{"name": "y"}]));
        assert_eq!(
            patched["spec"]["ports"],
            json!([{"port": 80, "name": "web", "targetPort": 8080}])
        );
        assert_eq!(patched["metadata"]["finalizers"], json!(["a", "b"]));
        assert_eq!(patched["metadata"]["labels"], json!({}));
        let replaced = smp(
            json!({"spec": {"template": {"a": 1, "b": 2}}}),
            json!({"spec": {"template": {"$patch": "replace", "c": 3}}}),
        );
        assert_eq!(replaced["spec"]["template"], json!({"c": 3}));
    }

    #[test]
    fn json_patch_test_failure_is_422() {
        let mut obj = json!({"spec": {"replicas": 3}});
        let ops = json!([{"op": "test", "path": "/spec/replicas", "value": 2}, {"op": "replace", "path": "/spec/replicas", "value": 5}]);
        let err = PatchKind::Json.apply(&mut obj, &ops).unwrap_err();
        assert_eq!(err.code, 422);
        assert_eq!(obj["spec"]["replicas"], 3);
    }

    #[test]
    fn content_types() {
        assert_eq!(
            PatchKind::from_content_type("application/merge-patch+json; charset=utf-8").unwrap(),
            PatchKind::Merge
        );
        assert_eq!(PatchKind::from_content_type("text/plain").unwrap_err().code, 415);
    }
}
