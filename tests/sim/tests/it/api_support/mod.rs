//! Helpers shared by the API server tests: a simulated cluster with a kube client, raw HTTP
//! calls whose exact status and body can be compared, and the recorded traces.

use axum::http::{self, Request};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{Value, json};
use sts_sim::{Sim, SimConfig};

/// A fresh simulated cluster with test timings.
pub fn start() -> Sim {
    Sim::start(SimConfig::fast()).expect("the simulated cluster starts")
}

/// A kube client from a kubeconfig text.
pub async fn client_from(kubeconfig: &str) -> Client {
    let config = Kubeconfig::from_yaml(kubeconfig).expect("kubeconfig parses");
    let config = Config::from_custom_kubeconfig(config, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig loads");
    Client::try_from(config).expect("client builds")
}

/// A kube client of the cluster admin.
pub async fn admin(sim: &Sim) -> Client {
    client_from(&sim.kubeconfig()).await
}

/// A kube client that sends no credentials at all.
pub async fn anonymous(sim: &Sim) -> Client {
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n\
         contexts:\n- name: c\n  context:\n    cluster: c\n    user: nobody\n\
         current-context: c\nusers:\n- name: nobody\n  user: {{}}\n",
        sim.url()
    );
    client_from(&text).await
}

/// An HTTP answer: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub body: Value,
}

/// One raw request through `client` (its credentials), answered whatever the status.
pub async fn call(
    client: &Client,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(ct) = content_type {
        req = req.header(http::header::CONTENT_TYPE, ct);
    }
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let req = req.body(kube::client::Body::from(bytes)).expect("request builds");
    let res = client.send(req).await.expect("request is answered");
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(axum::body::Body::new(res.into_body()), usize::MAX)
        .await
        .expect("body reads");
    let text = String::from_utf8_lossy(&bytes).to_string();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, text, body }
}

/// `GET path`.
pub async fn get(client: &Client, path: &str) -> Reply {
    call(client, "GET", path, None, None).await
}

/// The `result` of a step of `traces/api_errors.json`.
pub fn trace_result(step: &str) -> Value {
    let trace: Value =
        serde_json::from_str(include_str!("../../../traces/api_errors.json")).expect("trace parses");
    trace["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["step"] == step)
        .unwrap_or_else(|| panic!("no step {step:?}"))["result"]
        .clone()
}

/// A recorded object from `traces/objects/`.
pub fn recorded(name: &str) -> Value {
    let text = match name {
        "statefulset" => include_str!("../../../traces/objects/statefulset.json"),
        "pod" => include_str!("../../../traces/objects/pod.json"),
        "service" => include_str!("../../../traces/objects/service.json"),
        "pvc" => include_str!("../../../traces/objects/pvc.json"),
        "scale" => include_str!("../../../traces/objects/scale.json"),
        other => panic!("no recorded object {other}"),
    };
    serde_json::from_str(text).expect("recorded object parses")
}

/// Creates a namespace through the store.
pub fn namespace(sim: &Sim, name: &str) {
    sim.store
        .create(
            &sts_sim::resources::NAMESPACES,
            "",
            json!({"metadata": {"name": name}}),
            false,
        )
        .expect("namespace is created");
}

/// The `web` StatefulSet of the traces, as a client sends it (no server-side defaults).
pub fn web_set() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "nginx"}},
            "serviceName": "nginx",
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{
                    "image": "nginx:1.25",
                    "name": "nginx",
                    "ports": [{"containerPort": 80, "name": "web"}],
                    "volumeMounts": [{"mountPath": "/usr/share/nginx/html", "name": "www"}]
                }]}
            },
            "volumeClaimTemplates": [{
                "metadata": {"name": "www"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
            }]
        }
    })
}

/// The headless `nginx` Service of the traces, as a client sends it.
pub fn nginx_service() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "nginx", "labels": {"app": "nginx"}},
        "spec": {"clusterIP": "None", "ports": [{"name": "web", "port": 80}], "selector": {"app": "nginx"}}
    })
}

/// `obj` without the fields that differ between runs (uid, resourceVersion, timestamps,
/// namespace, last-applied annotation), for comparing with recorded objects.
pub fn comparable(obj: &Value) -> Value {
    let mut copy = obj.clone();
    if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "namespace",
            "annotations",
            "managedFields",
        ] {
            meta.remove(field);
        }
    }
    copy
}
