//! Reading the object shapes the control loops work on: metadata, owner references, pod
//! conditions, quantities, int-or-percent values. Pure functions over JSON; no store access.

use serde_json::{Map, Value, json};

use crate::resources::Resource;

/// What `Value::pointer` finds, without allocating for plain paths (`/a/b/0`); escaped
/// tokens (`~1`, `~0`) go through `Value::pointer`.
pub fn at<'a>(obj: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.contains('~') {
        return obj.pointer(pointer);
    }
    let mut current = obj;
    for token in pointer.split('/').skip(1) {
        current = match current {
            Value::Object(map) => map.get(token)?,
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The string at a JSON pointer, or "".
pub fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    at(obj, pointer).and_then(Value::as_str).unwrap_or("")
}

/// The integer at a JSON pointer.
pub fn i64_at(obj: &Value, pointer: &str) -> Option<i64> {
    at(obj, pointer).and_then(Value::as_i64)
}

pub fn name(obj: &Value) -> &str {
    str_at(obj, "/metadata/name")
}

pub fn namespace(obj: &Value) -> &str {
    str_at(obj, "/metadata/namespace")
}

pub fn uid(obj: &Value) -> &str {
    str_at(obj, "/metadata/uid")
}

/// `metadata.labels` (empty when absent).
pub fn labels(obj: &Value) -> Map<String, Value> {
    at(obj, "/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// One label.
pub fn label<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    at(obj, "/metadata/labels")
        .and_then(|l| l.get(key))
        .and_then(Value::as_str)
}

/// Whether `metadata.deletionTimestamp` is set.
pub fn is_deleting(obj: &Value) -> bool {
    at(obj, "/metadata/deletionTimestamp").is_some_and(|t| !t.is_null())
}

pub fn has_finalizer(obj: &Value, finalizer: &str) -> bool {
    at(obj, "/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x == finalizer))
}

/// Removes a finalizer; returns whether it was there.
pub fn remove_finalizer(obj: &mut Value, finalizer: &str) -> bool {
    let Some(list) = obj
        .pointer_mut("/metadata/finalizers")
        .and_then(Value::as_array_mut)
    else {
        return false;
    };
    let before = list.len();
    list.retain(|f| f != finalizer);
    before != list.len()
}

/// One entry of `metadata.ownerReferences`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub uid: String,
    pub controller: bool,
    pub block_owner_deletion: bool,
}

impl OwnerRef {
    fn from_json(r: &Value) -> Self {
        OwnerRef {
            api_version: str_at(r, "/apiVersion").to_string(),
            kind: str_at(r, "/kind").to_string(),
            name: str_at(r, "/name").to_string(),
            uid: str_at(r, "/uid").to_string(),
            controller: r.get("controller").and_then(Value::as_bool).unwrap_or(false),
            block_owner_deletion: r
                .get("blockOwnerDeletion")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }
}

/// Every owner reference of an object.
pub fn owner_refs(obj: &Value) -> Vec<OwnerRef> {
    at(obj, "/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| refs.iter().map(OwnerRef::from_json).collect())
        .unwrap_or_default()
}

/// The owner reference marked `controller: true`.
pub fn controller_ref(obj: &Value) -> Option<OwnerRef> {
    owner_refs(obj).into_iter().find(|r| r.controller)
}

/// A controller reference to `owner` of kind `res` (`metav1.NewControllerRef`).
pub fn new_controller_ref(res: &Resource, owner: &Value) -> Value {
    json!({
        "apiVersion": res.api_version(),
        "kind": res.kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Removes the owner references with uid `owner_uid`; returns whether any was there.
pub fn remove_owner_refs(obj: &mut Value, owner_uid: &str) -> bool {
    let Some(refs) = obj
        .pointer_mut("/metadata/ownerReferences")
        .and_then(Value::as_array_mut)
    else {
        return false;
    };
    let before = refs.len();
    refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(owner_uid));
    let changed = before != refs.len();
    if refs.is_empty()
        && let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.remove("ownerReferences");
    }
    changed
}

/// Appends an owner reference.
pub fn push_owner_ref(obj: &mut Value, reference: Value) {
    let meta = &mut obj["metadata"];
    if !meta["ownerReferences"].is_array() {
        meta["ownerReferences"] = json!([]);
    }
    if let Some(refs) = meta["ownerReferences"].as_array_mut() {
        refs.push(reference);
    }
}

/// A status condition of the given type.
pub fn condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    at(obj, "/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

/// Whether a status condition is `True`.
pub fn condition_true(obj: &Value, kind: &str) -> bool {
    condition(obj, kind).is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
}

/// `status.phase` of a pod.
pub fn pod_phase(pod: &Value) -> &str {
    str_at(pod, "/status/phase")
}

/// The pod's Ready condition is True (`podutil.IsPodReady`).
pub fn pod_ready(pod: &Value) -> bool {
    condition_true(pod, "Ready")
}

/// Ready for longer than `min_ready_seconds` at `now` (`podutil.IsPodAvailable`).
pub fn pod_available(pod: &Value, min_ready_seconds: i64, now: jiff::Timestamp) -> bool {
    if !pod_ready(pod) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    available_at(pod, min_ready_seconds).is_some_and(|at| at < now)
}

/// When a Ready pod counts as available: the Ready transition plus `min_ready_seconds`.
pub fn available_at(pod: &Value, min_ready_seconds: i64) -> Option<jiff::Timestamp> {
    let since = condition(pod, "Ready")?
        .get("lastTransitionTime")
        .and_then(Value::as_str)
        .and_then(parse_time)?;
    Some(since + jiff::SignedDuration::from_secs(min_ready_seconds))
}

/// A pod in phase Succeeded or Failed.
pub fn pod_terminal(pod: &Value) -> bool {
    matches!(pod_phase(pod), "Succeeded" | "Failed")
}

/// The claim names a pod's volumes use.
pub fn pod_claim_names(pod: &Value) -> Vec<&str> {
    at(pod, "/spec/volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| at(v, "/persistentVolumeClaim/claimName").and_then(Value::as_str))
        .collect()
}

/// What controllers watching pods react to: identity, labels, owners, node, phase, IP,
/// readiness and deletion. Status updates that leave these alone (restart counts, scheduling
/// conditions) change nothing for them.
pub fn pod_summary(pod: &Value) -> Value {
    let ready =
        condition(pod, "Ready").map(|c| (c.get("status").cloned(), c.get("lastTransitionTime").cloned()));
    json!([
        at(pod, "/metadata/uid"),
        at(pod, "/metadata/labels"),
        at(pod, "/metadata/ownerReferences"),
        at(pod, "/metadata/deletionTimestamp"),
        at(pod, "/spec/nodeName"),
        at(pod, "/status/phase"),
        at(pod, "/status/podIP"),
        ready,
    ])
}

/// Whether a pod change (`previous` → `current`, either absent) matters to pod watchers.
pub fn pod_changed(previous: Option<&Value>, current: Option<&Value>) -> bool {
    match (previous, current) {
        (Some(p), Some(c)) => pod_summary(p) != pod_summary(c),
        _ => true,
    }
}

/// An RFC 3339 timestamp.
pub fn parse_time(text: &str) -> Option<jiff::Timestamp> {
    text.parse().ok()
}

/// A resource quantity (`1Gi`, `500M`, `1.5Ti`, `100m`) in base units.
pub fn quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse().ok()?),
        _ => return None,
    };
    Some(number * factor)
}

/// An int-or-string (`3` or `"50%"`) scaled against `total` (`intstr.GetScaledValueFromIntOrPercent`).
pub fn int_or_percent(value: &Value, total: i64, round_up: bool) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let text = value.as_str()?;
    let Some(percent) = text.strip_suffix('%') else {
        return text.parse().ok();
    };
    let percent: i64 = percent.parse().ok()?;
    let scaled = percent * total;
    Some(if round_up {
        (scaled + 99).div_euclid(100)
    } else {
        scaled.div_euclid(100)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(quantity("1Gi"), Some(1073741824.0));
        assert_eq!(quantity("10G"), Some(1e10));
        assert_eq!(quantity("512"), Some(512.0));
        assert_eq!(quantity("1.5Ki"), Some(1536.0));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert_eq!(quantity("1Xi"), None);
    }

    #[test]
    fn int_or_percent_rounding() {
        assert_eq!(int_or_percent(&json!(2), 10, true), Some(2));
        assert_eq!(int_or_percent(&json!("50%"), 3, true), Some(2));
        assert_eq!(int_or_percent(&json!("50%"), 3, false), Some(1));
        assert_eq!(int_or_percent(&json!("x%"), 3, false), None);
    }

    #[test]
    fn owner_references() {
        let mut obj = json!({"metadata": {"ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "u1", "controller": true},
            {"apiVersion": "v1", "kind": "Pod", "name": "web-0", "uid": "u2"}
        ]}});
        assert_eq!(controller_ref(&obj).map(|r| r.name), Some("web".to_string()));
        assert!(remove_owner_refs(&mut obj, "u1"));
        assert!(!remove_owner_refs(&mut obj, "u1"));
        assert!(remove_owner_refs(&mut obj, "u2"));
        assert!(obj["metadata"].get("ownerReferences").is_none());
    }

    #[test]
    fn only_changes_pod_watchers_care_about_count() {
        let pod = json!({"metadata": {"uid": "u"}, "status": {"phase": "Running", "containerStatuses": [{"restartCount": 1}]}});
        let mut restarted = pod.clone();
        restarted["status"]["containerStatuses"][0]["restartCount"] = json!(2);
        assert!(!pod_changed(Some(&pod), Some(&restarted)));
        let mut ready = pod.clone();
        ready["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
        assert!(pod_changed(Some(&pod), Some(&ready)));
        assert!(pod_changed(None, Some(&pod)));
    }

    #[test]
    fn availability_follows_min_ready_seconds() {
        let pod = json!({"status": {"conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}
        ]}});
        let t = |s: &str| parse_time(s).unwrap();
        assert!(pod_available(&pod, 0, t("2026-01-01T00:00:00Z")));
        assert!(!pod_available(&pod, 5, t("2026-01-01T00:00:05Z")));
        assert!(pod_available(&pod, 5, t("2026-01-01T00:00:06Z")));
    }
}
