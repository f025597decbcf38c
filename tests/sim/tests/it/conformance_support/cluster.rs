//! A cluster driven over HTTP with a kube client, as the tool drives a real one: raw requests
//! whose status and body are kept, fixture creation, and the pod transition recorder. The
//! simulated cluster, or a real control plane with the node stand-in (`start_real`).

use std::sync::Arc;
use std::time::Duration;

use axum::http::{self, Request};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use node_standin::cluster::ControlPlane;
use serde_json::Value;
use sts_sim::{Sim, SimConfig, resources};

use super::observe::Recorder;

/// The namespace scenarios run in.
pub const NS: &str = "default";

/// An HTTP answer: status and JSON body (`Null` when not JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The trace's `result`: code and body.
    pub fn as_result(&self) -> Value {
        serde_json::json!({"code": self.status, "body": self.body})
    }

    /// Panics unless the request succeeded.
    pub fn ok(self, what: &str) -> Reply {
        assert!(
            (200..300).contains(&self.status),
            "{what}: {} {}",
            self.status,
            self.body
        );
        self
    }
}

/// The simulator behind a cluster; the real control plane has none (a scenario using it there
/// is a test bug).
pub struct SimOnly(Option<Sim>);

impl std::ops::Deref for SimOnly {
    type Target = Sim;
    fn deref(&self) -> &Sim {
        self.0
            .as_ref()
            .expect("a simulator-only check on the real control plane")
    }
}

/// A running cluster, its client and the pod transitions seen so far.
pub struct Cluster {
    pub sim: SimOnly,
    pub real: Option<ControlPlane>,
    pub client: Client,
    pub recorder: Recorder,
}

/// An admin client for a kubeconfig, answering each request's first answer (kube retries 429
/// answers on its own; each step must see the server's first answer).
async fn client_for(kubeconfig: Kubeconfig) -> Client {
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig loads");
    config.default_retry = false;
    Client::try_from(config).expect("client builds")
}

impl Cluster {
    /// Starts a cluster with test timings.
    pub async fn start() -> Cluster {
        Self::start_with(SimConfig::fast()).await
    }

    pub async fn start_with(config: SimConfig) -> Cluster {
        let sim = Sim::start(config).expect("the simulated cluster starts");
        let kubeconfig = Kubeconfig::from_yaml(&sim.kubeconfig()).expect("kubeconfig parses");
        let client = client_for(kubeconfig).await;
        let recorder = Recorder::start(Arc::clone(&sim.store), NS);
        Cluster {
            sim: SimOnly(Some(sim)),
            real: None,
            client,
            recorder,
        }
    }

    /// A real control plane (built from `tests/cluster`) whose nodes keep these timings.
    pub async fn start_real(config: SimConfig) -> Cluster {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("sts-conformance-{}-{n}", std::process::id()));
        let nodes = node_standin::Config {
            timings: config.timings,
            ..node_standin::Config::default()
        };
        let plane = tokio::task::spawn_blocking(move || ControlPlane::start(&dir, nodes))
            .await
            .expect("launcher thread")
            .expect("the real control plane starts");
        let kubeconfig = Kubeconfig::read_from(plane.kubeconfig("admin")).expect("kubeconfig parses");
        let client = client_for(kubeconfig).await;
        let recorder = Recorder::watch(client.clone(), NS);
        Cluster {
            sim: SimOnly(None),
            real: Some(plane),
            client,
            recorder,
        }
    }

    /// One request; the answer whatever its status.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let build = || {
            let mut req = Request::builder().method(method).uri(path);
            if let Some(ct) = content_type {
                req = req.header(http::header::CONTENT_TYPE, ct);
            }
            let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
            req.body(kube::client::Body::from(bytes)).expect("request builds")
        };
        // A read on a kept-alive connection the server closed at that moment is sent again (a
        // real API server closes idle connections); a write is never repeated.
        let mut res = self.client.send(build()).await;
        if method == "GET" && res.is_err() {
            res = self.client.send(build()).await;
        }
        let res = res.expect("request is answered");
        let status = res.status().as_u16();
        let bytes = axum::body::to_bytes(axum::body::Body::new(res.into_body()), usize::MAX)
            .await
            .expect("body reads");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call("GET", path, None, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.call("POST", path, Some("application/json"), Some(body))
            .await
    }

    pub async fn merge_patch(&self, path: &str, body: &Value) -> Reply {
        self.call("PATCH", path, Some("application/merge-patch+json"), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, options: Option<&Value>) -> Reply {
        self.call("DELETE", path, options.map(|_| "application/json"), options)
            .await
    }

    /// Creates every object of a manifest, in order.
    pub async fn create_all(&self, docs: &[Value]) {
        for doc in docs {
            let path = collection(doc);
            self.post(&path, doc).await.ok(&format!("create {path}"));
        }
    }

    /// Waits until `done` holds for the store (under 30 s).
    pub async fn eventually(&self, what: &str, done: impl Fn(&Sim) -> bool) {
        let waited = tokio::time::timeout(Duration::from_secs(30), async {
            while !done(&self.sim) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "timed out waiting until {what}");
    }
}

/// The path of an object's kind in the scenario namespace.
pub fn collection(doc: &Value) -> String {
    let api_version = doc["apiVersion"].as_str().unwrap_or_default();
    let kind = doc["kind"].as_str().unwrap_or_default();
    let res = resources::by_kind(api_version, kind).unwrap_or_else(|| panic!("unknown kind {kind}"));
    let prefix = if res.group.is_empty() {
        "/api".to_string()
    } else {
        "/apis".to_string()
    };
    if res.namespaced {
        format!("{prefix}/{}/namespaces/{NS}/{}", res.api_version(), res.plural)
    } else {
        format!("{prefix}/{}/{}", res.api_version(), res.plural)
    }
}

/// The path of a kind given by plural (`pods`, `statefulsets`, ...) in the scenario namespace.
pub fn list_path(plural: &str) -> String {
    let res = resources::ALL
        .iter()
        .find(|r| r.plural == plural)
        .unwrap_or_else(|| panic!("unknown resource {plural}"));
    let prefix = if res.group.is_empty() { "/api" } else { "/apis" };
    format!("{prefix}/{}/namespaces/{NS}/{plural}", res.api_version())
}

/// The path of one object of a kind given by plural.
pub fn object_path(plural: &str, name: &str) -> String {
    format!("{}/{name}", list_path(plural))
}

/// The documents of a fixture in `tests/fixtures/`.
pub fn fixture(file: &str) -> Vec<Value> {
    let path = format!("{}/../fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).expect("fixture is YAML");
    docs.into_iter().filter(Value::is_object).collect()
}
