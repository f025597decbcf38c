//! A running simulated cluster: the API server on a loopback port and the control loops, on a
//! runtime thread of their own so that synchronous tests can drive the real binary against it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use serde_json::{Value, json};

use crate::config::SimConfig;
use crate::faults::Faults;
use crate::network::PodNetwork;
use crate::resources;
use crate::server::{self, RequestLog};
use crate::store::Store;

/// Namespaces a fresh cluster has.
const INITIAL_NAMESPACES: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/// The token of the kubeconfig's user (a cluster admin).
pub const ADMIN_TOKEN: &str = "sts-sim-admin-token";

/// The token of a read-only user (`viewer`: get, list and watch only).
pub const VIEWER_TOKEN: &str = "sts-sim-viewer-token";

/// The StorageClass a fresh cluster has, marked as the default.
fn default_storage_class() -> Value {
    json!({
        "metadata": {
            "name": "standard",
            "annotations": {crate::defaults::DEFAULT_CLASS_ANNOTATION: "true"}
        },
        "provisioner": "sim.k8s.io/hostpath",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
        "allowVolumeExpansion": true
    })
}

/// A running simulated cluster. Dropping it stops the server and the control loops.
pub struct Sim {
    pub store: Arc<Store>,
    pub log: Arc<RequestLog>,
    pub addr: SocketAddr,
    pub config: SimConfig,
    faults: Faults,
    dns: Option<crate::dns::Dns>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sim {
    /// Starts a cluster with `config` on a thread of its own.
    pub fn start(config: SimConfig) -> Result<Sim> {
        let store = Arc::new(Store::with_watch_buffer(config.history, config.watch_buffer));
        for ns in INITIAL_NAMESPACES {
            store
                .create(
                    &resources::NAMESPACES,
                    "",
                    json!({"metadata": {"name": ns}}),
                    false,
                )
                .map_err(|e| anyhow!("{e}"))?;
        }
        store
            .create(&resources::STORAGE_CLASSES, "", default_storage_class(), false)
            .map_err(|e| anyhow!("{e}"))?;
        let log = Arc::new(RequestLog::default());
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", config.port))
            .with_context(|| format!("cannot listen on 127.0.0.1:{}", config.port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let faults = Faults::default();
        let net = Arc::new(PodNetwork::default());
        let (dns, dns_start) = match &config.dns {
            Some(dns) => crate::dns::prepare(&store, &net, dns).map(|(d, s)| (Some(d), Some(s)))?,
            None => (None, None),
        };
        let thread = {
            let (store, log, config, faults) = (store.clone(), log.clone(), config.clone(), faults.clone());
            std::thread::Builder::new()
                .name("sts-sim".into())
                .spawn(move || {
                    let runtime = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                        .expect("tokio runtime for the simulator");
                    runtime.block_on(async move {
                        let listener =
                            tokio::net::TcpListener::from_std(std_listener).expect("loopback listener");
                        crate::controllers::spawn_all(store.clone(), &config);
                        if let Some(dns) = dns_start {
                            dns.spawn();
                        }
                        let serve = async {
                            if config.tls {
                                server::serve_tls(store, log, listener, faults, net).await
                            } else {
                                server::serve(store, log, listener, faults, net).await
                            }
                        };
                        tokio::select! {
                            _ = serve => {}
                            _ = stopped => {}
                        }
                    });
                    runtime.shutdown_background();
                })?
        };
        Ok(Sim {
            store,
            log,
            addr,
            config,
            faults,
            dns,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The fault controls of this cluster: drop watches, 409/500/429 answers, dropped
    /// connections, restarts, latency (see `Fault`).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The cluster DNS server's address (UDP and TCP), when `SimConfig::dns` enables it.
    pub fn dns_addr(&self) -> Option<SocketAddr> {
        self.dns.as_ref().map(|d| d.addr)
    }

    /// Whether cluster DNS answers from every change made so far (its propagation delay has
    /// passed since the last one); true without DNS.
    pub fn dns_caught_up(&self) -> bool {
        self.dns.as_ref().is_none_or(crate::dns::Dns::caught_up)
    }

    /// `http://127.0.0.1:PORT` (`https://` with `SimConfig::tls`).
    pub fn url(&self) -> String {
        let scheme = if self.config.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// A kubeconfig for this cluster: context `sts-sim`, namespace `default`, admin user.
    pub fn kubeconfig(&self) -> String {
        self.kubeconfig_for("sts-sim-admin", ADMIN_TOKEN)
    }

    /// A kubeconfig for this cluster whose user `user` presents `token` (e.g. `VIEWER_TOKEN`).
    pub fn kubeconfig_for(&self, user: &str, token: &str) -> String {
        let ca = if self.config.tls {
            format!("    certificate-authority-data: {}\n", server::ca_data())
        } else {
            String::new()
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: sts-sim\n  cluster:\n    server: {}\n{ca}\
             contexts:\n- name: sts-sim\n  context:\n    cluster: sts-sim\n    user: {user}\n    namespace: default\n\
             current-context: sts-sim\nusers:\n- name: {user}\n  user:\n    token: {token}\n",
            self.url(),
        )
    }

    /// A kubeconfig entry set naming this cluster `context` (for `fleet_kubeconfig`).
    pub fn context_entry(&self, context: &str) -> (String, String) {
        (context.to_string(), self.url())
    }

    /// Writes `kubeconfig()` to `path`.
    pub fn write_kubeconfig(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.kubeconfig()).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Creates every object of a (multi-document) YAML text, as `kubectl create` would, in
    /// `namespace` unless an object names its own. Returns the created objects.
    pub fn apply_yaml(&self, namespace: &str, text: &str) -> Result<Vec<Value>> {
        let docs: Vec<Value> = serde_saphyr::from_multiple(text).context("manifest is not valid YAML")?;
        let mut created = Vec::new();
        for doc in docs.into_iter().filter(|d| d.is_object()) {
            let api_version = doc["apiVersion"].as_str().unwrap_or_default();
            let kind = doc["kind"].as_str().unwrap_or_default();
            let res = resources::by_kind(api_version, kind)
                .ok_or_else(|| anyhow!("the simulator does not serve {api_version} {kind}"))?;
            let ns = doc
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or(namespace)
                .to_string();
            let obj = self
                .store
                .create(res, &ns, doc, false)
                .map_err(|e| anyhow!("{e}"))?;
            created.push(obj);
        }
        Ok(created)
    }

    /// Stops the server and control loops.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One kubeconfig with a context per `(name, server)`: each its own cluster entry (trusting
/// the simulator's certificate) and the admin's token, namespace `default`; the first is
/// current. Servers that are not simulators (a closed port, a silent listener) fit too.
pub fn fleet_kubeconfig(contexts: &[(String, String)]) -> String {
    let ca = server::ca_data();
    let mut clusters = String::new();
    let mut entries = String::new();
    for (name, url) in contexts {
        clusters.push_str(&format!(
            "- name: {name}\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\n"
        ));
        entries.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {name}\n    user: sts-sim-admin\n    namespace: default\n"
        ));
    }
    let current = contexts.first().map(|(n, _)| n.as_str()).unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n{clusters}contexts:\n{entries}current-context: {current}\nusers:\n- name: sts-sim-admin\n  user:\n    token: {ADMIN_TOKEN}\n"
    )
}
