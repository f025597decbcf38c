//! Nodes for a real control plane that has none: registers Nodes and renews their Leases,
//! plays their kubelets (pods Running and Ready after a delay, `broken` images crash-looping,
//! terminations completed), provides PersistentVolumes for claims of its storage class and
//! grows them on request. A node can be stopped (no heartbeat, no lease, its pods left alone)
//! and started again. Pod statuses come from the simulator's kubelet (`sts_sim`), so both
//! backends report the same shapes.

pub mod cluster;
mod kubelet;
mod nodes;
mod volumes;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use kube::Client;
use kube::config::{KubeConfigOptions, Kubeconfig};
use sts_sim::Timings;

/// The storage class the stand-in provisions for (created as the cluster's default).
pub const STORAGE_CLASS: &str = "standard";
/// The provisioner named by that class and by the volumes it makes.
pub const PROVISIONER: &str = "standin.kubectl-sts.test/hostpath";

/// What the stand-in plays.
#[derive(Clone, Debug)]
pub struct Config {
    pub nodes: Vec<String>,
    pub timings: Timings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            nodes: vec!["node-1".into(), "node-2".into(), "node-3".into()],
            timings: Timings::fast(),
        }
    }
}

/// State the loops share: the settings and which nodes are stopped.
pub(crate) struct Shared {
    pub client: Client,
    pub config: Config,
    stopped: Mutex<HashSet<String>>,
}

impl Shared {
    /// The node is one of ours and running.
    pub fn serves(&self, node: &str) -> bool {
        self.config.nodes.iter().any(|n| n == node) && !self.stopped.lock().unwrap().contains(node)
    }

    /// Index of the node in the configuration (its addresses derive from it).
    pub fn index(&self, node: &str) -> usize {
        self.config.nodes.iter().position(|n| n == node).unwrap_or(0)
    }
}

/// The running stand-in: its loops run on a runtime of their own until it is dropped.
pub struct NodeStandin {
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// A client for the kubeconfig at `path` (its current context).
pub async fn client_for(path: &Path) -> Result<Client> {
    let kubeconfig = Kubeconfig::read_from(path).with_context(|| format!("reading {}", path.display()))?;
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?;
    Ok(Client::try_from(config)?)
}

impl NodeStandin {
    /// Registers the nodes and the storage class, then starts the loops.
    pub fn start(kubeconfig: &Path, config: Config) -> Result<NodeStandin> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("node-standin")
            .build()?;
        let shared = runtime.block_on(async {
            let client = client_for(kubeconfig).await?;
            let shared = Arc::new(Shared {
                client,
                config,
                stopped: Mutex::default(),
            });
            nodes::register(&shared).await?;
            volumes::storage_class(&shared).await?;
            anyhow::Ok(shared)
        })?;
        runtime.spawn(nodes::heartbeats(shared.clone()));
        runtime.spawn(kubelet::run(shared.clone()));
        runtime.spawn(volumes::run(shared.clone()));
        Ok(NodeStandin {
            shared,
            runtime: Some(runtime),
        })
    }

    /// Stops a node: no more heartbeats or lease renewals, its pods left as they are.
    pub fn stop_node(&self, node: &str) {
        self.shared.stopped.lock().unwrap().insert(node.to_string());
    }

    /// Brings a stopped node back: heartbeats resume and its kubelet serves its pods again.
    pub fn start_node(&self, node: &str) {
        self.shared.stopped.lock().unwrap().remove(node);
    }

    /// Stops the loops (before the control plane goes, so that they do not complain).
    pub fn shutdown(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    /// Waits on the stand-in's loops until `future` ends (for the binary).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.as_ref().expect("running").block_on(future)
    }
}

impl Drop for NodeStandin {
    fn drop(&mut self) {
        self.shutdown();
    }
}
