//! Validation on create and update (names, required and immutable fields) answered with 422
//! `Invalid` bodies worded as kube-apiserver words them, and the validating admission that
//! needs other stored objects (PVC resize needs an expandable StorageClass: 403).

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::resources::{self, Resource};
use crate::selector::LabelSelector;
use crate::store::ObjectView;

/// Field errors of one request, rendered as the causes of one 422 answer.
#[derive(Default)]
struct Errors(Vec<(String, &'static str, String)>);

impl Errors {
    fn invalid(&mut self, field: &str, value: &str, detail: &str) {
        let message = format!("Invalid value: {value}: {detail}");
        self.0.push((field.into(), "FieldValueInvalid", message));
    }

    fn required(&mut self, field: &str) {
        self.0
            .push((field.into(), "FieldValueRequired", "Required value".into()));
    }

    fn forbidden(&mut self, field: &str, detail: &str) {
        let message = format!("Forbidden: {detail}");
        self.0.push((field.into(), "FieldValueForbidden", message));
    }

    fn not_supported(&mut self, field: &str, value: &str, supported: &[&str]) {
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        let message = format!(
            "Unsupported value: {value:?}: supported values: {}",
            list.join(", ")
        );
        self.0.push((field.into(), "FieldValueNotSupported", message));
    }

    fn non_negative(&mut self, obj: &Value, pointer: &str, field: &str) {
        if let Some(n) = obj.pointer(pointer).and_then(Value::as_i64).filter(|n| *n < 0) {
            self.invalid(field, &n.to_string(), "must be greater than or equal to 0");
        }
    }

    fn into_result(self, res: &Resource, name: &str) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid_causes(res, name, &self.0))
        }
    }
}

fn name_of(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Checks a new object (after defaulting).
pub fn validate_create(res: &'static Resource, obj: &Value, _view: &dyn ObjectView) -> Result<(), ApiError> {
    let mut errs = Errors::default();
    validate_name(res, name_of(obj), &mut errs);
    validate_spec(res, obj, &mut errs);
    errs.into_result(res, name_of(obj))
}

/// Checks an update of `old` to `new` (after defaulting), then the validating admission.
pub fn validate_update(
    res: &'static Resource,
    old: &Value,
    new: &Value,
    view: &dyn ObjectView,
) -> Result<(), ApiError> {
    let mut errs = Errors::default();
    match res.plural {
        "statefulsets" => statefulset_update(old, new, &mut errs),
        "pods" => pod_update(old, new, &mut errs),
        "persistentvolumeclaims" => pvc_update(old, new, &mut errs),
        _ => {}
    }
    if old.get("spec") != new.get("spec") {
        validate_spec(res, new, &mut errs);
    }
    errs.into_result(res, name_of(new))?;
    if res.plural == "persistentvolumeclaims" {
        admit_pvc_resize(old, new, view)?;
    }
    Ok(())
}

fn validate_spec(res: &Resource, obj: &Value, errs: &mut Errors) {
    match res.plural {
        "statefulsets" => statefulset_spec(&obj["spec"], errs),
        "pods" => pod_spec(&obj["spec"], "spec", errs),
        "persistentvolumeclaims" => pvc_spec(&obj["spec"], errs),
        _ => {}
    }
}

const SUBDOMAIN_HELP: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_HELP: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_HELP: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
fn is_label(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !s.is_empty() && s.starts_with(alnum) && s.ends_with(alnum) && s.chars().all(|c| alnum(c) || c == '-')
}

/// RFC 1123 subdomain: labels joined by dots.
fn is_subdomain(s: &str) -> bool {
    s.split('.').all(is_label)
}

/// DNS-1035 label: an RFC 1123 label starting with a letter.
fn is_dns1035(s: &str) -> bool {
    is_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// The messages kube-apiserver gives for a name that is not valid for `res`.
pub fn name_problems(res: &Resource, name: &str) -> Vec<String> {
    let (ok, help, max) = match res.plural {
        "services" => (is_dns1035(name), DNS1035_HELP, 63),
        "namespaces" => (is_label(name), LABEL_HELP, 63),
        _ => (is_subdomain(name), SUBDOMAIN_HELP, 253),
    };
    let mut problems = Vec::new();
    if name.len() > max {
        problems.push(format!("must be no more than {max} characters"));
    }
    if !ok {
        problems.push(help.to_string());
    }
    problems
}

fn validate_name(res: &Resource, name: &str, errs: &mut Errors) {
    if name.is_empty() {
        return;
    }
    for problem in name_problems(res, name) {
        errs.invalid("metadata.name", &format!("{name:?}"), &problem);
    }
}

/// Go's `%#v` of a `map[string]string`, as field errors print label maps.
fn go_map(map: Option<&Value>) -> String {
    match map.and_then(Value::as_object) {
        None => "map[string]string(nil)".into(),
        Some(m) => {
            let mut entries: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k:?}:{:?}", v.as_str().unwrap_or("")))
                .collect();
            entries.sort();
            format!("map[string]string{{{}}}", entries.join(", "))
        }
    }
}

fn statefulset_spec(spec: &Value, errs: &mut Errors) {
    match spec["podManagementPolicy"].as_str().unwrap_or("") {
        "" => errs.required("spec.podManagementPolicy"),
        "OrderedReady" | "Parallel" => {}
        other => errs.invalid(
            "spec.podManagementPolicy",
            &format!("{other:?}"),
            "must be 'OrderedReady' or 'Parallel'",
        ),
    }
    update_strategy(&spec["updateStrategy"], errs);
    errs.non_negative(spec, "/replicas", "spec.replicas");
    errs.non_negative(spec, "/revisionHistoryLimit", "spec.revisionHistoryLimit");
    errs.non_negative(spec, "/minReadySeconds", "spec.minReadySeconds");
    errs.non_negative(spec, "/ordinals/start", "spec.ordinals.start");
    selector_and_template(spec, errs);
    let restart = spec
        .pointer("/template/spec/restartPolicy")
        .and_then(Value::as_str);
    if let Some(policy) = restart.filter(|p| *p != "Always") {
        errs.not_supported("spec.template.spec.restartPolicy", policy, &["Always"]);
    }
    for when in ["whenDeleted", "whenScaled"] {
        let pointer = format!("/persistentVolumeClaimRetentionPolicy/{when}");
        if let Some(v) = spec.pointer(&pointer).and_then(Value::as_str)
            && v != "Retain"
            && v != "Delete"
        {
            let field = format!("spec.persistentVolumeClaimRetentionPolicy.{when}");
            errs.not_supported(&field, v, &["Retain", "Delete"]);
        }
    }
    pod_spec(
        &spec.pointer("/template/spec").cloned().unwrap_or(json!({})),
        "spec.template.spec",
        errs,
    );
}

fn update_strategy(strategy: &Value, errs: &mut Errors) {
    let rolling = strategy.get("rollingUpdate").filter(|r| !r.is_null());
    match strategy["type"].as_str().unwrap_or("") {
        "" => errs.required("spec.updateStrategy"),
        "OnDelete" if rolling.is_some() => errs.invalid(
            "spec.updateStrategy.rollingUpdate",
            &format!(
                "apps.RollingUpdateStatefulSetStrategy{{Partition:{}, MaxUnavailable:(*intstr.IntOrString)(nil)}}",
                rolling.and_then(|r| r["partition"].as_i64()).unwrap_or(0)
            ),
            "only allowed for updateStrategy 'RollingUpdate'",
        ),
        "OnDelete" => {}
        "RollingUpdate" => {
            errs.non_negative(strategy, "/rollingUpdate/partition", "spec.updateStrategy.rollingUpdate.partition")
        }
        other => errs.invalid(
            "spec.updateStrategy",
            &format!(
                "apps.StatefulSetUpdateStrategy{{Type:{other:?}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}}"
            ),
            "must be 'RollingUpdate' or 'OnDelete'",
        ),
    }
}

fn selector_and_template(spec: &Value, errs: &mut Errors) {
    let selector = spec.get("selector").filter(|s| !s.is_null());
    match selector {
        None => errs.required("spec.selector"),
        Some(s) if selector_is_empty(s) => errs.invalid(
            "spec.selector",
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}",
            "empty selector is invalid for statefulset",
        ),
        Some(_) => {}
    }
    let labels = spec.pointer("/template/metadata/labels");
    let empty = serde_json::Map::new();
    let label_map = labels.and_then(Value::as_object).unwrap_or(&empty);
    let matches = selector
        .is_some_and(|s| selector_is_empty(s) || LabelSelector::from_object(Some(s)).matches(label_map));
    if !matches {
        errs.invalid(
            "spec.template.metadata.labels",
            &go_map(labels),
            "`selector` does not match template `labels`",
        );
    }
}

fn selector_is_empty(selector: &Value) -> bool {
    let count = |k: &str| {
        selector
            .get(k)
            .map(|v| {
                v.as_object()
                    .map(|o| o.len())
                    .or(v.as_array().map(Vec::len))
                    .unwrap_or(0)
            })
            .unwrap_or(0)
    };
    count("matchLabels") + count("matchExpressions") == 0
}

fn pod_spec(spec: &Value, path: &str, errs: &mut Errors) {
    let containers = spec.get("containers").and_then(Value::as_array);
    if containers.is_none_or(Vec::is_empty) {
        errs.required(&format!("{path}.containers"));
    }
    for key in ["initContainers", "containers"] {
        for (i, c) in spec
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = format!("{path}.{key}[{i}]");
            match c["name"].as_str().unwrap_or("") {
                "" => errs.required(&format!("{at}.name")),
                name if !is_label(name) || name.len() > 63 => {
                    errs.invalid(&format!("{at}.name"), &format!("{name:?}"), LABEL_HELP)
                }
                _ => {}
            }
            if c["image"].as_str().is_none_or(|i| i.trim().is_empty()) {
                errs.required(&format!("{at}.image"));
            }
        }
    }
    if let Some(policy) = spec["restartPolicy"].as_str()
        && !["Always", "OnFailure", "Never"].contains(&policy)
    {
        errs.not_supported(
            &format!("{path}.restartPolicy"),
            policy,
            &["Always", "OnFailure", "Never"],
        );
    }
}

fn pvc_spec(spec: &Value, errs: &mut Errors) {
    if spec
        .get("accessModes")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        errs.0.push((
            "spec.accessModes".into(),
            "FieldValueRequired",
            "Required value: at least 1 access mode is required".into(),
        ));
    }
    if spec.pointer("/resources/requests/storage").is_none() {
        errs.0.push((
            "spec.resources[storage]".into(),
            "FieldValueRequired",
            "Required value".into(),
        ));
    }
}

const STS_UPDATABLE: [&str; 7] = [
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
];

fn statefulset_update(old: &Value, new: &Value, errs: &mut Errors) {
    let strip = |spec: &Value| {
        let mut spec = spec.clone();
        if let Some(m) = spec.as_object_mut() {
            STS_UPDATABLE.iter().for_each(|k| {
                m.remove(*k);
            });
        }
        spec
    };
    if strip(&old["spec"]) != strip(&new["spec"]) {
        errs.forbidden(
            "spec",
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        );
    }
}

const POD_UPDATABLE: &str = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidatePodUpdate`: the new spec with its updatable fields set back to the old values must
/// equal the old spec.
fn pod_update(old: &Value, new: &Value, errs: &mut Errors) {
    let (old_spec, mut munged) = (&old["spec"], new["spec"].clone());
    for key in ["containers", "initContainers"] {
        let olds = old_spec.get(key).and_then(Value::as_array);
        if let (Some(olds), Some(news)) = (olds, munged.get_mut(key).and_then(Value::as_array_mut))
            && olds.len() == news.len()
        {
            for (o, n) in olds.iter().zip(news.iter_mut()) {
                if n["image"].as_str().is_some_and(|i| !i.is_empty()) {
                    n["image"] = o["image"].clone();
                }
            }
        }
    }
    let old_deadline = old_spec["activeDeadlineSeconds"].as_i64();
    let new_deadline = munged["activeDeadlineSeconds"].as_i64();
    if new_deadline.is_some_and(|n| n > 0 && old_deadline.is_none_or(|o| n <= o)) {
        set_or_remove(
            &mut munged,
            "activeDeadlineSeconds",
            old_spec.get("activeDeadlineSeconds"),
        );
    }
    let old_tolerations = old_spec["tolerations"].as_array().cloned().unwrap_or_default();
    let new_tolerations = munged["tolerations"].as_array().cloned().unwrap_or_default();
    if old_tolerations.iter().all(|t| new_tolerations.contains(t)) {
        set_or_remove(&mut munged, "tolerations", old_spec.get("tolerations"));
    }
    let old_grace = old_spec["terminationGracePeriodSeconds"].as_i64();
    if old_grace.is_some_and(|g| g < 0) && munged["terminationGracePeriodSeconds"] == 1 {
        set_or_remove(
            &mut munged,
            "terminationGracePeriodSeconds",
            old_spec.get("terminationGracePeriodSeconds"),
        );
    }
    if &munged != old_spec {
        errs.forbidden("spec", POD_UPDATABLE);
    }
}

fn set_or_remove(obj: &mut Value, key: &str, value: Option<&Value>) {
    if let Some(map) = obj.as_object_mut() {
        match value {
            Some(v) => map.insert(key.into(), v.clone()),
            None => map.remove(key),
        };
    }
}

/// A quantity (`1Gi`, `500M`, `1.5e3`) in base units, for comparing sizes.
pub fn parse_quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    let factor = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        _ => return None,
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn storage_request(pvc: &Value) -> Option<f64> {
    pvc.pointer("/spec/resources/requests/storage")
        .and_then(Value::as_str)
        .and_then(parse_quantity)
}

/// A claim's spec is immutable except `resources.requests` (of a bound claim, and storage may
/// only grow), `volumeAttributesClassName`, and `volumeName` while it was unset (binding).
fn pvc_update(old: &Value, new: &Value, errs: &mut Errors) {
    let neutral = |spec: &Value, keep_volume: bool| {
        let mut spec = spec.clone();
        if let Some(m) = spec.as_object_mut() {
            m.remove("volumeAttributesClassName");
            if keep_volume {
                m.remove("volumeName");
            }
            if let Some(r) = m.get_mut("resources").and_then(Value::as_object_mut) {
                r.remove("requests");
            }
        }
        spec
    };
    let binding = old
        .pointer("/spec/volumeName")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    let requests_changed = old.pointer("/spec/resources/requests") != new.pointer("/spec/resources/requests");
    let bound = old.pointer("/status/phase").and_then(Value::as_str) == Some("Bound");
    if neutral(&old["spec"], binding) != neutral(&new["spec"], binding) || (requests_changed && !bound) {
        errs.forbidden(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        );
    }
    if let (Some(before), Some(after)) = (storage_request(old), storage_request(new))
        && after < before
    {
        errs.forbidden(
            "spec.resources.requests.storage",
            "field can not be less than previous value",
        );
    }
}

/// PersistentVolumeClaimResize admission: growing a claim needs a StorageClass (the same as
/// before) that allows volume expansion.
fn admit_pvc_resize(old: &Value, new: &Value, view: &dyn ObjectView) -> Result<(), ApiError> {
    let grows = match (storage_request(old), storage_request(new)) {
        (Some(before), Some(after)) => after > before,
        _ => false,
    };
    if !grows {
        return Ok(());
    }
    let class = |pvc: &Value| {
        pvc.pointer("/spec/storageClassName")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let allowed = match (class(old), class(new)) {
        (Some(before), Some(after)) if before == after && !after.is_empty() => view
            .get(&resources::STORAGE_CLASSES, "", &after)
            .is_some_and(|sc| sc["allowVolumeExpansion"] == true),
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    Err(ApiError::forbidden_by_admission(
        &resources::PVCS,
        name_of(new),
        "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_subdomain("web.example-1"));
        assert!(!is_subdomain("Web"));
        assert!(!is_subdomain("-web"));
        assert!(is_dns1035("nginx"));
        assert!(!is_dns1035("1nginx"));
        assert_eq!(name_problems(&resources::SERVICES, &"a".repeat(64)).len(), 1);
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("1Gi"), Some(1024f64.powi(3)));
        assert_eq!(parse_quantity("500M"), Some(5e8));
        assert_eq!(parse_quantity("1.5e3"), Some(1500.0));
        assert_eq!(parse_quantity("bogus"), None);
    }

    #[test]
    fn go_maps_print_sorted() {
        assert_eq!(
            go_map(Some(&json!({"b": "2", "a": "1"}))),
            r#"map[string]string{"a":"1", "b":"2"}"#
        );
        assert_eq!(go_map(None), "map[string]string(nil)");
    }
}
