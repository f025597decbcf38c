//! Server-side defaulting (`apply`: pure, on every create and update, the fields kube-apiserver
//! fills in, see `traces/objects/`) and mutating admission (`admit_create`, `admit_update`:
//! what needs other stored objects or happens on create only: service account token volume,
//! default tolerations, priority, default StorageClass, protection finalizers, cluster IPs).

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::resources::{self, Resource};
use crate::store::ObjectView;

/// Annotation marking the cluster's default StorageClass.
pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";

/// Fills in the defaults of `res` in `obj`.
pub fn apply(res: &Resource, obj: &mut Value) {
    if !obj.is_object() {
        return;
    }
    match res.plural {
        "statefulsets" => statefulset(obj),
        "pods" => pod(obj),
        "services" => service(obj),
        "persistentvolumeclaims" => pvc(obj),
        "persistentvolumes" => pv(obj),
        "namespaces" => namespace(obj),
        "poddisruptionbudgets" => default_status(
            obj,
            json!({"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}),
        ),
        "storageclasses" => {
            set_default(obj, "reclaimPolicy", json!("Delete"));
            set_default(obj, "volumeBindingMode", json!("Immediate"));
        }
        _ => {}
    }
}

/// Mutating admission on create: needs the store (under its lock) and may refuse.
pub fn admit_create(res: &Resource, obj: &mut Value, view: &dyn ObjectView) -> Result<(), ApiError> {
    match res.plural {
        "pods" => admit_pod(obj),
        "services" => allocate_cluster_ip(obj, view)?,
        "persistentvolumeclaims" => {
            default_storage_class(obj, view);
            add_finalizer(obj, "kubernetes.io/pvc-protection");
        }
        "persistentvolumes" => add_finalizer(obj, "kubernetes.io/pv-protection"),
        "namespaces" => {
            object_at(obj, "spec");
            push_unique(array_at(&mut obj["spec"], "finalizers"), json!("kubernetes"));
        }
        _ => {}
    }
    Ok(())
}

/// What the registry keeps from the stored object on update (`PrepareForUpdate`): a Service's
/// allocated cluster IPs when the update leaves them out, a Namespace's finalizers.
pub fn admit_update(res: &Resource, old: &Value, new: &mut Value) {
    match res.plural {
        "services" => {
            for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
                if new["spec"].get(field).is_none_or(Value::is_null)
                    && let Some(v) = old["spec"].get(field)
                {
                    object_at(new, "spec").insert(field.into(), v.clone());
                }
            }
        }
        "namespaces" => new["spec"] = old["spec"].clone(),
        _ => {}
    }
}

/// `obj[key]` as an object, created (or replacing a non-object) when needed.
fn object_at<'a>(obj: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    let map = obj.as_object_mut().expect("defaults work on objects");
    let slot = map.entry(key).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    slot.as_object_mut().expect("just made an object")
}

fn set_default(obj: &mut Value, key: &str, value: Value) {
    if let Some(map) = obj.as_object_mut() {
        let slot = map.entry(key).or_insert(Value::Null);
        if slot.is_null() {
            *slot = value;
        }
    }
}

/// Sets `status` when the object has none (on create: the store strips client-sent status).
fn default_status(obj: &mut Value, status: Value) {
    set_default(obj, "status", status);
}

/// Each element of the array at `obj[key]`, if any.
fn each_in(obj: &mut Value, key: &str, mut f: impl FnMut(&mut Value)) {
    if let Some(items) = obj.get_mut(key).and_then(Value::as_array_mut) {
        items.iter_mut().for_each(&mut f);
    }
}

/// `obj[key]` as an array, created (or replacing a non-array) when needed.
fn array_at<'a>(obj: &'a mut Value, key: &str) -> &'a mut Vec<Value> {
    let map = obj.as_object_mut().expect("defaults work on objects");
    let slot = map.entry(key).or_insert_with(|| json!([]));
    if !slot.is_array() {
        *slot = json!([]);
    }
    slot.as_array_mut().expect("just made an array")
}

fn push_unique(items: &mut Vec<Value>, item: Value) {
    if !items.contains(&item) {
        items.push(item);
    }
}

fn add_finalizer(obj: &mut Value, finalizer: &str) {
    object_at(obj, "metadata");
    push_unique(array_at(&mut obj["metadata"], "finalizers"), json!(finalizer));
}

fn statefulset(obj: &mut Value) {
    let spec = &mut obj["spec"];
    if !spec.is_object() {
        *spec = json!({});
    }
    set_default(spec, "podManagementPolicy", json!("OrderedReady"));
    set_default(spec, "replicas", json!(1));
    set_default(spec, "revisionHistoryLimit", json!(10));
    let strategy = &mut spec["updateStrategy"];
    if !strategy.is_object() {
        *strategy = json!({});
    }
    set_default(strategy, "type", json!("RollingUpdate"));
    if strategy["type"] == "RollingUpdate" {
        object_at(strategy, "rollingUpdate");
        set_default(&mut strategy["rollingUpdate"], "partition", json!(0));
    }
    object_at(spec, "persistentVolumeClaimRetentionPolicy");
    let policy = &mut spec["persistentVolumeClaimRetentionPolicy"];
    set_default(policy, "whenDeleted", json!("Retain"));
    set_default(policy, "whenScaled", json!("Retain"));
    if let Some(template_spec) = spec.pointer_mut("/template/spec") {
        pod_spec(template_spec);
    }
    each_in(spec, "volumeClaimTemplates", |claim| {
        if claim.is_object() {
            claim["apiVersion"] = json!("v1");
            claim["kind"] = json!("PersistentVolumeClaim");
            pvc(claim);
        }
    });
    default_status(obj, json!({"replicas": 0, "availableReplicas": 0}));
}

/// `SetDefaults_PodSpec` and the container defaults, shared by pods and pod templates.
fn pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    set_default(spec, "securityContext", json!({}));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    if let Some(account) = spec
        .get("serviceAccountName")
        .filter(|a| a.as_str().is_some_and(|a| !a.is_empty()))
    {
        spec["serviceAccount"] = account.clone();
    }
    for key in ["containers", "initContainers"] {
        each_in(spec, key, container);
    }
    each_in(spec, "volumes", volume);
}

fn container(c: &mut Value) {
    if !c.is_object() {
        return;
    }
    let policy = pull_policy(c["image"].as_str().unwrap_or(""));
    set_default(c, "imagePullPolicy", json!(policy));
    set_default(c, "resources", json!({}));
    set_default(c, "terminationMessagePath", json!("/dev/termination-log"));
    set_default(c, "terminationMessagePolicy", json!("File"));
    each_in(c, "ports", |p| set_default(p, "protocol", json!("TCP")));
    each_in(c, "env", |e| {
        if let Some(field_ref) = e.pointer_mut("/valueFrom/fieldRef") {
            set_default(field_ref, "apiVersion", json!("v1"));
        }
    });
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = c.get_mut(probe).filter(|p| p.is_object()) {
            set_default(p, "timeoutSeconds", json!(1));
            set_default(p, "periodSeconds", json!(10));
            set_default(p, "successThreshold", json!(1));
            set_default(p, "failureThreshold", json!(3));
            if let Some(get) = p.get_mut("httpGet") {
                set_default(get, "scheme", json!("HTTP"));
            }
        }
    }
}

/// `Always` for `:latest` or an untagged image, otherwise `IfNotPresent`.
fn pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

fn volume(v: &mut Value) {
    for source in ["configMap", "secret", "downwardAPI", "projected"] {
        if let Some(s) = v.get_mut(source).filter(|s| s.is_object()) {
            set_default(s, "defaultMode", json!(420));
        }
    }
}

fn pod(obj: &mut Value) {
    let spec = &mut obj["spec"];
    if !spec.is_object() {
        *spec = json!({});
    }
    pod_spec(spec);
    set_default(spec, "enableServiceLinks", json!(true));
    each_in(spec, "containers", requests_from_limits);
    let qos = qos_class(spec);
    default_status(obj, json!({"phase": "Pending", "qosClass": qos}));
}

/// `SetDefaults_Pod`: a container with limits and no requests requests its limits.
fn requests_from_limits(c: &mut Value) {
    let Some(limits) = c.pointer("/resources/limits").and_then(Value::as_object).cloned() else {
        return;
    };
    let requests = object_at(&mut c["resources"], "requests");
    for (k, v) in limits {
        requests.entry(k).or_insert(v);
    }
}

fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = ["containers", "initContainers"]
        .iter()
        .filter_map(|k| spec.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    let amounts = |c: &Value, kind: &str| {
        c.pointer(&format!("/resources/{kind}"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    if containers
        .iter()
        .all(|c| amounts(c, "requests").is_empty() && amounts(c, "limits").is_empty())
    {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        let (req, lim) = (amounts(c, "requests"), amounts(c, "limits"));
        ["cpu", "memory"]
            .iter()
            .all(|r| lim.get(*r).is_some() && req.get(*r) == lim.get(*r))
    });
    if guaranteed { "Guaranteed" } else { "Burstable" }
}

fn service(obj: &mut Value) {
    let spec = &mut obj["spec"];
    if !spec.is_object() {
        *spec = json!({});
    }
    set_default(spec, "type", json!("ClusterIP"));
    set_default(spec, "sessionAffinity", json!("None"));
    let kind = spec["type"].as_str().unwrap_or("").to_string();
    if kind != "ExternalName" {
        set_default(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if kind == "NodePort" || kind == "LoadBalancer" {
        set_default(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    each_in(spec, "ports", |p| {
        set_default(p, "protocol", json!("TCP"));
        let port = p["port"].clone();
        set_default(p, "targetPort", port);
    });
    default_status(obj, json!({"loadBalancer": {}}));
}

fn pvc(obj: &mut Value) {
    if obj["spec"].is_object() {
        set_default(&mut obj["spec"], "volumeMode", json!("Filesystem"));
    }
    default_status(obj, json!({"phase": "Pending"}));
}

fn pv(obj: &mut Value) {
    if obj["spec"].is_object() {
        set_default(&mut obj["spec"], "persistentVolumeReclaimPolicy", json!("Retain"));
        set_default(&mut obj["spec"], "volumeMode", json!("Filesystem"));
    }
    default_status(obj, json!({"phase": "Available"}));
}

fn namespace(obj: &mut Value) {
    let name = obj.pointer("/metadata/name").cloned().unwrap_or(Value::Null);
    if name.is_string() {
        let labels = object_at(&mut obj["metadata"], "labels");
        labels.insert("kubernetes.io/metadata.name".into(), name);
    }
    default_status(obj, json!({"phase": "Active"}));
}

/// Five characters of the kind kube-apiserver uses for generated names, derived from `seed`.
fn suffix(seed: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.hash(&mut h);
    let mut n = h.finish();
    (0..5)
        .map(|_| {
            let c = ALPHABET[(n % ALPHABET.len() as u64) as usize] as char;
            n /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// ServiceAccount, token volume, Priority and DefaultTolerationSeconds admission.
fn admit_pod(obj: &mut Value) {
    let uid = obj
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let spec = &mut obj["spec"];
    set_default(spec, "serviceAccountName", json!("default"));
    spec["serviceAccount"] = spec["serviceAccountName"].clone();
    if spec.get("automountServiceAccountToken") != Some(&json!(false)) {
        mount_api_access(spec, &format!("kube-api-access-{}", suffix(&uid)));
    }
    set_default(spec, "priority", json!(0));
    set_default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    let tolerations = array_at(spec, "tolerations");
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let tolerated = tolerations.iter().any(|t| {
            (t["key"] == key || t.get("key").is_none() && t["operator"] == "Exists")
                && (t["effect"] == "NoExecute" || t.get("effect").is_none())
        });
        if !tolerated {
            push_unique(
                tolerations,
                json!({"effect": "NoExecute", "key": key, "operator": "Exists", "tolerationSeconds": 300}),
            );
        }
    }
}

const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

fn mount_api_access(spec: &mut Value, volume_name: &str) {
    let mount = json!({"mountPath": TOKEN_MOUNT_PATH, "name": volume_name, "readOnly": true});
    let mut mounted = false;
    for key in ["initContainers", "containers"] {
        each_in(spec, key, |c| {
            let mounts = array_at(c, "volumeMounts");
            if !mounts.iter().any(|m| m["mountPath"] == TOKEN_MOUNT_PATH) {
                mounts.push(mount.clone());
                mounted = true;
            }
        });
    }
    if mounted {
        array_at(spec, "volumes").push(api_access_volume(volume_name));
    }
}

fn api_access_volume(name: &str) -> Value {
    let config_map =
        |map: &str, key: &str| json!({"configMap": {"items": [{"key": key, "path": key}], "name": map}});
    json!({
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                config_map("kube-root-ca.crt", "ca.crt"),
                {"downwardAPI": {"items": [{
                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                    "path": "namespace"
                }]}},
                config_map("openshift-service-ca.crt", "service-ca.crt"),
            ]
        }
    })
}

/// DefaultStorageClass admission: a claim with no `storageClassName` at all gets the class
/// annotated as default (the newest, if several are).
fn default_storage_class(obj: &mut Value, view: &dyn ObjectView) {
    if !obj["spec"].is_object() || obj["spec"].get("storageClassName").is_some_and(|c| !c.is_null()) {
        return;
    }
    let default = view
        .all(&resources::STORAGE_CLASSES)
        .into_iter()
        .filter(|sc| {
            sc.pointer("/metadata/annotations")
                .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
                .is_some_and(|v| v == "true")
        })
        .max_by_key(|sc| {
            sc.pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .and_then(|sc| sc.pointer("/metadata/name").cloned());
    if let Some(name) = default {
        obj["spec"]["storageClassName"] = name;
    }
}

/// Allocates `spec.clusterIP` from 10.96.0.0/16 (or checks a requested one) and fills in
/// `clusterIPs`, `ipFamilies` and `ipFamilyPolicy`; headless Services keep `None`.
fn allocate_cluster_ip(obj: &mut Value, view: &dyn ObjectView) -> Result<(), ApiError> {
    if obj["spec"]["type"] == "ExternalName" {
        return Ok(());
    }
    let used: HashSet<String> = view
        .all(&resources::SERVICES)
        .into_iter()
        .filter_map(|s| {
            s.pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    let requested = obj["spec"]["clusterIP"].as_str().unwrap_or("").to_string();
    let ip = if requested == "None" {
        requested
    } else if !requested.is_empty() {
        if used.contains(&requested) {
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            return Err(ApiError::invalid(
                &resources::SERVICES,
                name,
                "spec.clusterIPs",
                "FieldValueInvalid",
                &format!(
                    "Invalid value: []string{{\"{requested}\"}}: failed to allocate IP {requested}: provided IP is already allocated"
                ),
            ));
        }
        requested
    } else {
        free_ip(
            obj.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or(""),
            &used,
        )
    };
    let spec = object_at(obj, "spec");
    spec.insert("clusterIP".into(), json!(ip));
    spec.insert("clusterIPs".into(), json!([ip]));
    spec.entry("ipFamilies").or_insert_with(|| json!(["IPv4"]));
    spec.entry("ipFamilyPolicy")
        .or_insert_with(|| json!("SingleStack"));
    Ok(())
}

/// A free address in 10.96.0.0/16, starting from a point derived from `seed`; 10.96.0.1
/// (the `kubernetes` Service) and 10.96.0.10 (cluster DNS) are never handed out.
fn free_ip(seed: &str, used: &HashSet<String>) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.hash(&mut h);
    let start = h.finish() % 65_534;
    (0..65_534u64)
        .map(|i| (start + i) % 65_534 + 1)
        .map(|n| format!("10.96.{}.{}", n / 256, n % 256))
        .find(|ip| {
            !used.contains(ip)
                && ip != "10.96.0.1"
                && ip != "10.96.0.10"
                && !ip.ends_with(".0")
                && !ip.ends_with(".255")
        })
        .unwrap_or_else(|| "10.96.255.254".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(pull_policy("nginx"), "Always");
        assert_eq!(pull_policy("nginx:latest"), "Always");
        assert_eq!(pull_policy("nginx:1.25"), "IfNotPresent");
        assert_eq!(pull_policy("registry:5000/nginx"), "Always");
        assert_eq!(pull_policy("registry:5000/nginx:1.2"), "IfNotPresent");
        assert_eq!(pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }

    #[test]
    fn qos_classes() {
        assert_eq!(qos_class(&json!({"containers": [{"name": "a"}]})), "BestEffort");
        let limits = json!({"cpu": "1", "memory": "1Gi"});
        let guaranteed = json!({"containers": [{"resources": {"limits": limits, "requests": limits}}]});
        assert_eq!(qos_class(&guaranteed), "Guaranteed");
        let burstable = json!({"containers": [{"resources": {"requests": {"cpu": "1"}}}]});
        assert_eq!(qos_class(&burstable), "Burstable");
    }
}
