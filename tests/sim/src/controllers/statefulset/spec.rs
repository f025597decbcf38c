//! What the StatefulSet controller reads from a set, parsed once per sync, and the naming rules
//! of its pods and claims (`stateful_set_utils.go`). Pure; no store access.

use serde_json::{Map, Value};

use crate::controllers::obj;
use crate::selector::LabelSelector;

/// `controller-revision-hash`: the revision a pod was made from.
pub const REVISION_LABEL: &str = "controller-revision-hash";
/// `statefulset.kubernetes.io/pod-name`.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// `apps.kubernetes.io/pod-index`.
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// `persistentVolumeClaimRetentionPolicy`: which events delete the claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retention {
    pub when_deleted: bool,
    pub when_scaled: bool,
}

/// A StatefulSet as its controller sees it.
#[derive(Debug, Clone)]
pub struct SetSpec {
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub generation: i64,
    pub replicas: i64,
    pub start: i64,
    pub parallel: bool,
    pub on_delete: bool,
    /// `updateStrategy.rollingUpdate` is present.
    pub has_rolling_update: bool,
    pub partition: i64,
    pub min_ready_seconds: i64,
    pub service_name: String,
    pub retention: Retention,
    pub claim_templates: Vec<Value>,
    pub selector: LabelSelector,
    pub match_labels: Map<String, Value>,
    pub history_limit: i64,
    pub deleting: bool,
    pub status_current_revision: String,
    pub status_current_replicas: i64,
    pub collision_count: i64,
}

impl SetSpec {
    pub fn from_object(set: &Value) -> SetSpec {
        let spec = &set["spec"];
        let policy = &spec["persistentVolumeClaimRetentionPolicy"];
        SetSpec {
            name: obj::name(set).to_string(),
            namespace: obj::namespace(set).to_string(),
            uid: obj::uid(set).to_string(),
            generation: obj::i64_at(set, "/metadata/generation").unwrap_or(0),
            replicas: spec.get("replicas").and_then(Value::as_i64).unwrap_or(1),
            start: obj::i64_at(spec, "/ordinals/start").unwrap_or(0),
            parallel: obj::str_at(spec, "/podManagementPolicy") == "Parallel",
            on_delete: obj::str_at(spec, "/updateStrategy/type") == "OnDelete",
            has_rolling_update: spec
                .pointer("/updateStrategy/rollingUpdate")
                .is_some_and(Value::is_object),
            partition: obj::i64_at(spec, "/updateStrategy/rollingUpdate/partition").unwrap_or(0),
            min_ready_seconds: obj::i64_at(spec, "/minReadySeconds").unwrap_or(0),
            service_name: obj::str_at(spec, "/serviceName").to_string(),
            retention: Retention {
                when_deleted: obj::str_at(policy, "/whenDeleted") == "Delete",
                when_scaled: obj::str_at(policy, "/whenScaled") == "Delete",
            },
            claim_templates: spec["volumeClaimTemplates"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            selector: LabelSelector::from_object(spec.get("selector")),
            match_labels: spec
                .pointer("/selector/matchLabels")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            history_limit: obj::i64_at(spec, "/revisionHistoryLimit").unwrap_or(10),
            deleting: obj::is_deleting(set),
            status_current_revision: obj::str_at(set, "/status/currentRevision").to_string(),
            status_current_replicas: obj::i64_at(set, "/status/currentReplicas").unwrap_or(0),
            collision_count: obj::i64_at(set, "/status/collisionCount").unwrap_or(0),
        }
    }

    /// The highest ordinal of the set's range.
    pub fn end(&self) -> i64 {
        self.start + self.replicas - 1
    }

    /// Whether an ordinal is within `[start, start + replicas)`.
    pub fn in_range(&self, ordinal: i64) -> bool {
        ordinal >= self.start && ordinal <= self.end()
    }

    pub fn pod_name(&self, ordinal: i64) -> String {
        format!("{}-{}", self.name, ordinal)
    }

    /// `<template>-<set>-<ordinal>`.
    pub fn claim_name(&self, template: &Value, ordinal: i64) -> String {
        format!("{}-{}-{}", obj::name(template), self.name, ordinal)
    }

    /// The claim names of one ordinal, with their template.
    pub fn claims_of(&self, ordinal: i64) -> Vec<(String, &Value)> {
        self.claim_templates
            .iter()
            .map(|t| (self.claim_name(t, ordinal), t))
            .collect()
    }

    /// Whether `pod` belongs to this set by name (`isMemberOf`).
    pub fn is_member(&self, pod_name: &str) -> bool {
        parent_and_ordinal(pod_name).is_some_and(|(parent, _)| parent == self.name)
    }
}

/// The parent set name and ordinal of a pod name `<parent>-<ordinal>` (`getParentNameAndOrdinal`).
pub fn parent_and_ordinal(pod_name: &str) -> Option<(&str, i64)> {
    let (parent, digits) = pod_name.rsplit_once('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ordinal: i32 = digits.parse().ok()?;
    Some((parent, i64::from(ordinal)))
}

/// The ordinal of a pod (by name), or -1.
pub fn ordinal_of(pod: &Value) -> i64 {
    parent_and_ordinal(obj::name(pod)).map_or(-1, |(_, o)| o)
}

/// The revision a pod was made from.
pub fn revision_of(pod: &Value) -> &str {
    obj::label(pod, REVISION_LABEL).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_names_and_ordinals() {
        assert_eq!(parent_and_ordinal("web-12"), Some(("web", 12)));
        assert_eq!(parent_and_ordinal("my-web-0"), Some(("my-web", 0)));
        assert_eq!(parent_and_ordinal("web-x"), None);
        assert_eq!(parent_and_ordinal("web"), None);
        assert_eq!(parent_and_ordinal("web-99999999999"), None);
    }

    #[test]
    fn reads_a_defaulted_set() {
        let set = json!({
            "metadata": {"name": "web", "namespace": "ns", "uid": "u", "generation": 3},
            "spec": {
                "replicas": 3, "ordinals": {"start": 5}, "serviceName": "nginx",
                "selector": {"matchLabels": {"app": "nginx"}},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}},
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"},
                "volumeClaimTemplates": [{"metadata": {"name": "www"}}]
            }
        });
        let s = SetSpec::from_object(&set);
        assert_eq!((s.start, s.end(), s.partition), (5, 7, 2));
        assert!(s.in_range(7) && !s.in_range(8) && !s.in_range(4));
        assert!(!s.parallel && !s.on_delete && s.has_rolling_update);
        assert_eq!(
            s.retention,
            Retention {
                when_deleted: true,
                when_scaled: false
            }
        );
        assert_eq!(s.claim_name(&s.claim_templates[0], 5), "www-web-5");
        assert!(s.is_member("web-3") && !s.is_member("webx-3"));
    }
}
