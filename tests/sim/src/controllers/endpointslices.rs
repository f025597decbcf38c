//! The EndpointSlice controller (`pkg/controller/endpointslice`): one IPv4 slice per Service
//! with a selector, listing every matching pod that has an IP, updated in place (its
//! generation rises) rather than recreated. `desired` is pure; `sync` does the I/O.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::cache::Cache;
use super::obj;
use super::runner::Reconciler;
use super::write;
use crate::error::ApiError;
use crate::resources::{ENDPOINT_SLICES, PODS, SERVICES};
use crate::selector::LabelSelector;
use crate::store::{self, DeleteOptions, EventKind, Part, Store, WatchEvent};

const MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
const SERVICE_NAME: &str = "kubernetes.io/service-name";
const HEADLESS: &str = "service.kubernetes.io/headless";
const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";

/// A Service: namespace and name.
pub type Key = (String, String);

/// The EndpointSlice controller and what it has seen of Services, pods and slices.
pub struct EndpointSlices {
    cache: Cache,
}

impl Default for EndpointSlices {
    fn default() -> Self {
        EndpointSlices {
            cache: Cache::new(&[&SERVICES, &PODS, &ENDPOINT_SLICES]),
        }
    }
}

impl EndpointSlices {
    fn services_in(&self, ns: &str) -> Vec<Key> {
        self.cache
            .list(&SERVICES, ns)
            .iter()
            .map(|s| (ns.to_string(), obj::name(s).to_string()))
            .collect()
    }
}

impl Reconciler for EndpointSlices {
    type Key = Key;

    fn all_keys(&mut self, store: &Store) -> Vec<Key> {
        self.cache.fill(store);
        self.cache.keys(&SERVICES)
    }

    fn keys_for(&mut self, _store: &Store, event: &WatchEvent) -> Vec<Key> {
        self.cache.observe(event);
        match event.resource.plural {
            "services" => vec![(event.namespace.clone(), event.name.clone())],
            "pods" if obj::pod_changed(event.previous.as_ref(), Some(&event.object)) || deleted(event) => {
                self.services_in(&event.namespace)
            }
            "endpointslices" => match obj::label(&event.object, SERVICE_NAME) {
                Some(svc) if obj::label(&event.object, MANAGED_BY) == Some(CONTROLLER_NAME) => {
                    vec![(event.namespace.clone(), svc.to_string())]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, store: &Store, key: &Key) -> Option<Duration> {
        sync(store, &self.cache, &key.0, &key.1)
            .err()
            .map(|_| Duration::from_millis(50))
    }
}

fn deleted(event: &WatchEvent) -> bool {
    event.kind == EventKind::Deleted
}

/// The pod's port for a Service port: a number, or a container port found by name.
fn target_port(svc_port: &Value, pod: &Value) -> Option<i64> {
    match svc_port.get("targetPort") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(name)) => obj::at(pod, "/spec/containers")?
            .as_array()?
            .iter()
            .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
            .find(|p| p["name"] == *name)
            .and_then(|p| p["containerPort"].as_i64()),
        _ => svc_port.get("port").and_then(Value::as_i64),
    }
}

fn ports(svc: &Value, pod: Option<&Value>) -> Value {
    let Some(pod) = pod else {
        return Value::Null;
    };
    let svc_ports = obj::at(svc, "/spec/ports")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ports: Vec<Value> = svc_ports
        .iter()
        .filter_map(|p| {
            let mut port = json!({"name": p.get("name").cloned().unwrap_or(json!("")), "port": target_port(p, pod)?,
                "protocol": p.get("protocol").cloned().unwrap_or(json!("TCP"))});
            if let Some(app) = p.get("appProtocol") {
                port["appProtocol"] = app.clone();
            }
            Some(port)
        })
        .collect();
    Value::Array(ports)
}

fn endpoint(svc: &Value, pod: &Value) -> Value {
    let serving = obj::pod_ready(pod);
    let terminating = obj::is_deleting(pod);
    let publish = obj::at(svc, "/spec/publishNotReadyAddresses")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut ep = json!({
        "addresses": [obj::str_at(pod, "/status/podIP")],
        "conditions": {"ready": publish || (serving && !terminating), "serving": serving, "terminating": terminating},
        "targetRef": {"kind": "Pod", "name": obj::name(pod), "namespace": obj::namespace(pod), "uid": obj::uid(pod)},
    });
    let hostname = obj::str_at(pod, "/spec/hostname");
    if !hostname.is_empty() && obj::str_at(pod, "/spec/subdomain") == obj::name(svc) {
        ep["hostname"] = json!(hostname);
    }
    let node = obj::str_at(pod, "/spec/nodeName");
    if !node.is_empty() {
        ep["nodeName"] = json!(node);
    }
    ep
}

/// The endpoints and ports a Service's slice lists (`null` for none, as stored).
pub fn desired(svc: &Value, pods: &[&Value]) -> (Value, Value) {
    let selector = LabelSelector::from_object(Some(&json!({"matchLabels": obj::at(svc, "/spec/selector")})));
    let mut members: Vec<&Value> = pods
        .iter()
        .copied()
        .filter(|p| {
            selector.matches_object(p) && !obj::pod_terminal(p) && !obj::str_at(p, "/status/podIP").is_empty()
        })
        .collect();
    members.sort_by_key(|p| obj::name(p));
    if members.is_empty() {
        return (Value::Null, Value::Null);
    }
    let endpoints = members.iter().map(|p| endpoint(svc, p)).collect();
    (Value::Array(endpoints), ports(svc, members.first().copied()))
}

/// The labels of a Service's slice.
fn slice_labels(svc: &Value) -> Value {
    let mut labels = obj::labels(svc);
    labels.insert(MANAGED_BY.into(), json!(CONTROLLER_NAME));
    labels.insert(SERVICE_NAME.into(), json!(obj::name(svc)));
    if obj::str_at(svc, "/spec/clusterIP") == "None" {
        labels.insert(HEADLESS.into(), json!(""));
    }
    Value::Object(labels)
}

fn sync(store: &Store, cache: &Cache, ns: &str, name: &str) -> Result<(), ApiError> {
    let Some(svc) = cache.get(&SERVICES, ns, name) else {
        return Ok(());
    };
    let selector = obj::at(&svc, "/spec/selector").filter(|s| s.as_object().is_some_and(|m| !m.is_empty()));
    if selector.is_none() || obj::str_at(&svc, "/spec/type") == "ExternalName" {
        return Ok(());
    }
    let pods = cache.list(&PODS, ns);
    let pods: Vec<&Value> = pods.iter().map(|p| &**p).collect();
    let (endpoints, ports) = desired(&svc, &pods);
    let mut slices: Vec<Arc<Value>> = cache
        .list(&ENDPOINT_SLICES, ns)
        .into_iter()
        .filter(|s| {
            obj::label(s, SERVICE_NAME) == Some(name) && obj::label(s, MANAGED_BY) == Some(CONTROLLER_NAME)
        })
        .collect();
    slices.sort_by_key(|s| obj::str_at(s, "/metadata/creationTimestamp").to_string());
    let Some(slice) = slices.first() else {
        let new = new_slice(&svc, endpoints, ports);
        return store.create(&ENDPOINT_SLICES, ns, new, false).map(|_| ());
    };
    for extra in &slices[1..] {
        let _ = store.delete(&ENDPOINT_SLICES, ns, obj::name(extra), &DeleteOptions::default());
    }
    update_slice(store, &svc, slice, endpoints, ports)
}

fn new_slice(svc: &Value, endpoints: Value, ports: Value) -> Value {
    json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "generateName": format!("{}-", obj::name(svc)),
            "namespace": obj::namespace(svc),
            "labels": slice_labels(svc),
            "annotations": {TRIGGER_TIME: store::now()},
            "ownerReferences": [obj::new_controller_ref(&SERVICES, svc)],
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": ports,
    })
}

/// Updates the slice in place when its content or labels differ; the generation rises.
fn update_slice(
    store: &Store,
    svc: &Value,
    slice: &Value,
    endpoints: Value,
    ports: Value,
) -> Result<(), ApiError> {
    let labels = slice_labels(svc);
    let unchanged = slice.get("endpoints").unwrap_or(&Value::Null) == &endpoints
        && slice.get("ports").unwrap_or(&Value::Null) == &ports
        && obj::at(slice, "/metadata/labels") == Some(&labels);
    if unchanged {
        return Ok(());
    }
    write::same(store, &ENDPOINT_SLICES, slice, Part::Internal, |s| {
        let generation = obj::i64_at(s, "/metadata/generation").unwrap_or(1);
        s["metadata"]["generation"] = json!(generation + 1);
        s["metadata"]["labels"] = labels;
        s["metadata"]["annotations"][TRIGGER_TIME] = json!(store::now());
        s["endpoints"] = endpoints;
        s["ports"] = ports;
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(publish: bool) -> Value {
        json!({"metadata": {"name": "nginx", "namespace": "ns", "labels": {"app": "nginx"}},
               "spec": {"clusterIP": "None", "selector": {"app": "nginx"}, "publishNotReadyAddresses": publish,
                        "ports": [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": 80}]}})
    }

    fn pod(name: &str, ready: bool, ip: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "ns", "uid": format!("u-{name}"), "labels": {"app": "nginx"}},
               "spec": {"hostname": name, "subdomain": "nginx", "nodeName": "node-1"},
               "status": {"phase": "Running", "podIP": ip,
                          "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}})
    }

    #[test]
    fn endpoints_follow_readiness_and_publish_not_ready() {
        let pods = [
            pod("web-1", false, "10.244.0.3"),
            pod("web-0", true, "10.244.0.2"),
            pod("web-2", true, ""),
        ];
        let pods: Vec<&Value> = pods.iter().collect();
        let (eps, ports) = desired(&svc(false), &pods);
        let eps = eps.as_array().unwrap();
        assert_eq!(eps.len(), 2);
        assert_eq!(eps[0]["hostname"], "web-0");
        assert_eq!(
            eps[0]["conditions"],
            json!({"ready": true, "serving": true, "terminating": false})
        );
        assert_eq!(
            eps[1]["conditions"],
            json!({"ready": false, "serving": false, "terminating": false})
        );
        assert_eq!(ports, json!([{"name": "web", "port": 80, "protocol": "TCP"}]));
        let (eps, _) = desired(&svc(true), &pods);
        assert_eq!(
            eps[1]["conditions"],
            json!({"ready": true, "serving": false, "terminating": false})
        );
        assert_eq!(desired(&svc(false), &[]), (Value::Null, Value::Null));
    }

    #[test]
    fn headless_services_label_their_slices() {
        let labels = slice_labels(&svc(false));
        assert_eq!(labels[HEADLESS], "");
        assert_eq!(labels[SERVICE_NAME], "nginx");
        assert_eq!(labels["app"], "nginx");
    }
}
