//! The pods and claims a StatefulSet makes (`newStatefulSetPod`, `getPersistentVolumeClaims`)
//! and the checks that an existing pod still has its identity (`identityMatches`). Pure.

use serde_json::{Map, Value, json};

use super::spec::{POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL, SetSpec};
use crate::controllers::obj;
use crate::resources;

/// The pod of `ordinal` from `template` (the template of `revision`), owned by `set`.
pub fn new_pod(set: &Value, spec: &SetSpec, template: &Value, ordinal: i64, revision: &str) -> Value {
    let name = spec.pod_name(ordinal);
    let mut labels = obj::at(template, "/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.insert(REVISION_LABEL.into(), json!(revision));
    labels.insert(POD_NAME_LABEL.into(), json!(name));
    labels.insert(POD_INDEX_LABEL.into(), json!(ordinal.to_string()));
    let mut meta = json!({
        "name": name,
        "generateName": format!("{}-", spec.name),
        "namespace": spec.namespace,
        "labels": labels,
        "ownerReferences": [obj::new_controller_ref(&resources::STATEFULSETS, set)],
    });
    for field in ["annotations", "finalizers"] {
        if let Some(v) = obj::at(template, &format!("/metadata/{field}")).filter(|v| !v.is_null()) {
            meta[field] = v.clone();
        }
    }
    let mut pod_spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
    pod_spec["hostname"] = json!(name);
    pod_spec["subdomain"] = json!(spec.service_name);
    pod_spec["volumes"] = Value::Array(volumes(spec, &pod_spec, ordinal));
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod_spec})
}

/// The claim volumes first, then the template's other volumes (`updateStorage`).
fn volumes(spec: &SetSpec, pod_spec: &Value, ordinal: i64) -> Vec<Value> {
    let claim_templates: Vec<&str> = spec.claim_templates.iter().map(obj::name).collect();
    let mut volumes: Vec<Value> = spec
        .claims_of(ordinal)
        .into_iter()
        .map(|(claim, template)| {
            json!({"name": obj::name(template), "persistentVolumeClaim": {"claimName": claim}})
        })
        .collect();
    let others = pod_spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| !claim_templates.contains(&obj::str_at(v, "/name")))
        .cloned();
    volumes.extend(others);
    volumes
}

/// The claim `name` made from `template` for the pods of `spec`: the template's labels merged
/// with the selector's `matchLabels`, in the set's namespace.
pub fn new_claim(spec: &SetSpec, template: &Value, name: &str) -> Value {
    let mut claim = template.clone();
    if !claim["metadata"].is_object() {
        claim["metadata"] = json!({});
    }
    let mut labels: Map<String, Value> = claim["metadata"]["labels"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    labels.extend(spec.match_labels.clone());
    let meta = &mut claim["metadata"];
    meta["name"] = json!(name);
    meta["namespace"] = json!(spec.namespace);
    meta["labels"] = Value::Object(labels);
    claim["apiVersion"] = json!("v1");
    claim["kind"] = json!("PersistentVolumeClaim");
    if let Some(c) = claim.as_object_mut() {
        c.remove("status");
    }
    claim
}

/// The pod keeps the identity of its ordinal (`identityMatches`).
pub fn identity_matches(spec: &SetSpec, pod: &Value) -> bool {
    let ordinal = super::spec::ordinal_of(pod);
    ordinal >= 0
        && spec.is_member(obj::name(pod))
        && obj::namespace(pod) == spec.namespace
        && obj::label(pod, POD_NAME_LABEL) == Some(obj::name(pod))
}

/// The pod with its identity labels restored (`updateIdentity`).
pub fn with_identity(pod: &Value) -> Value {
    let mut pod = pod.clone();
    let name = obj::name(&pod).to_string();
    let ordinal = super::spec::ordinal_of(&pod);
    if !pod["metadata"]["labels"].is_object() {
        pod["metadata"]["labels"] = json!({});
    }
    pod["metadata"]["labels"][POD_NAME_LABEL] = json!(name);
    pod["metadata"]["labels"][POD_INDEX_LABEL] = json!(ordinal.to_string());
    pod
}

/// The pod mounts the claims of its ordinal (`storageMatches`).
pub fn storage_matches(spec: &SetSpec, pod: &Value) -> bool {
    let ordinal = super::spec::ordinal_of(pod);
    let volumes = obj::at(pod, "/spec/volumes").and_then(Value::as_array);
    ordinal >= 0
        && spec.claims_of(ordinal).iter().all(|(claim, template)| {
            volumes.into_iter().flatten().any(|v| {
                obj::str_at(v, "/name") == obj::name(template)
                    && obj::str_at(v, "/persistentVolumeClaim/claimName") == claim
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> Value {
        json!({
            "metadata": {"name": "web", "namespace": "ns", "uid": "set-uid"},
            "spec": {
                "replicas": 3, "serviceName": "nginx",
                "selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "c", "image": "i"}],
                    "volumes": [{"name": "config", "configMap": {"name": "x"}}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "www", "labels": {"tier": "data"}},
                    "spec": {"resources": {"requests": {"storage": "1Gi"}}}, "status": {"phase": "Pending"}}]
            }
        })
    }

    #[test]
    fn pods_carry_identity_revision_owner_and_claims() {
        let set = set();
        let spec = SetSpec::from_object(&set);
        let pod = new_pod(&set, &spec, &set["spec"]["template"], 2, "web-abc");
        assert_eq!(obj::name(&pod), "web-2");
        assert_eq!(pod["metadata"]["generateName"], "web-");
        assert_eq!(
            pod["metadata"]["labels"],
            json!({"app": "nginx", "controller-revision-hash": "web-abc",
                   "statefulset.kubernetes.io/pod-name": "web-2", "apps.kubernetes.io/pod-index": "2"})
        );
        assert_eq!(pod["spec"]["hostname"], "web-2");
        assert_eq!(pod["spec"]["subdomain"], "nginx");
        assert_eq!(
            pod["spec"]["volumes"][0],
            json!({"name": "www", "persistentVolumeClaim": {"claimName": "www-web-2"}})
        );
        assert_eq!(pod["spec"]["volumes"][1]["name"], "config");
        let owner = &pod["metadata"]["ownerReferences"][0];
        assert_eq!(
            (owner["kind"].as_str(), owner["controller"].as_bool()),
            (Some("StatefulSet"), Some(true))
        );
        assert!(identity_matches(&spec, &pod) && storage_matches(&spec, &pod));
    }

    #[test]
    fn claims_merge_template_and_selector_labels() {
        let set = set();
        let spec = SetSpec::from_object(&set);
        let claim = new_claim(&spec, &spec.claim_templates[0], "www-web-0");
        assert_eq!(
            claim["metadata"]["labels"],
            json!({"tier": "data", "app": "nginx"})
        );
        assert_eq!(claim["metadata"]["namespace"], "ns");
        assert!(claim.get("status").is_none());
    }

    #[test]
    fn identity_is_restored() {
        let set = set();
        let spec = SetSpec::from_object(&set);
        let pod = json!({"metadata": {"name": "web-1", "namespace": "ns", "labels": {"app": "nginx"}}});
        assert!(!identity_matches(&spec, &pod));
        assert!(identity_matches(&spec, &with_identity(&pod)));
    }
}
