//! The simulated cluster the benchmarks run against: a namespace per measured set, sets of N
//! replicas created quickly (test timings, Parallel pod management), merge patches between
//! measurements, and waits that wake on the store's own change events.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sts_sim::resources::{NAMESPACES, SERVICES, STATEFULSETS};
use sts_sim::store::Part;
use sts_sim::{Sim, SimConfig};

/// The label every benchmark set selects its pods by.
pub const SELECTOR: &str = "app=bench";

/// A running simulated cluster and the kubeconfig that points at it.
pub struct Cluster {
    pub sim: Sim,
    pub kubeconfig: PathBuf,
}

impl Cluster {
    /// A cluster with test timings and its kubeconfig in a scratch directory, serving TLS as
    /// every API server does (plain HTTP would hide what a TLS handshake costs a client,
    /// such as a request stalled behind its Finished). Its watch history is kept short (as a
    /// compacting etcd keeps it): a thousand pods becoming Ready rewrite their EndpointSlice a
    /// thousand times, and the commands measured start afresh.
    pub fn start() -> Cluster {
        let config = SimConfig {
            history: 2_000,
            tls: true,
            ..SimConfig::fast()
        };
        let sim = Sim::start(config).expect("the simulated cluster starts");
        let dir = std::env::temp_dir().join(format!(
            "kubectl-sts-bench-{}-{}",
            std::process::id(),
            sim.addr.port()
        ));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        let kubeconfig = dir.join("kubeconfig");
        sim.write_kubeconfig(&kubeconfig).expect("kubeconfig written");
        Cluster { sim, kubeconfig }
    }

    /// Creates namespace `ns` with a headless Service and a set `name` of `replicas` pods
    /// (Parallel, one claim per pod); `customize` may change the set before it is created.
    pub fn create_set(&self, ns: &str, name: &str, replicas: i64, customize: impl FnOnce(&mut Value)) {
        let store = &self.sim.store;
        if store.try_get(&NAMESPACES, "", ns).is_none() {
            store
                .create(&NAMESPACES, "", json!({"metadata": {"name": ns}}), false)
                .expect("namespace created");
        }
        let service = json!({
            "metadata": {"name": name},
            "spec": {"clusterIP": "None", "selector": {"app": "bench"}, "ports": [{"name": "web", "port": 80}]}
        });
        store
            .create(&SERVICES, ns, service, false)
            .expect("service created");
        let mut set = set_manifest(name, replicas);
        customize(&mut set);
        store.create(&STATEFULSETS, ns, set, false).expect("set created");
    }

    /// Merge-patches set `ns/name`, as a colleague with kubectl would.
    pub fn patch_set(&self, ns: &str, name: &str, patch: &Value) {
        self.sim
            .store
            .modify(&STATEFULSETS, ns, name, Part::Main, false, |set| {
                json_patch::merge(set, patch);
                Ok(())
            })
            .expect("set patched");
    }

    /// The set `ns/name`.
    pub fn set(&self, ns: &str, name: &str) -> Value {
        self.sim.store.get(&STATEFULSETS, ns, name).expect("set exists")
    }

    /// Blocks until `done` holds, re-checking on every change of the store.
    pub fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&Cluster) -> bool) {
        let mut changes = self.sim.store.subscribe();
        let deadline = Instant::now() + timeout;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out after {timeout:?} waiting for {what}");
            let _ = runtime.block_on(async {
                tokio::time::timeout(left.min(Duration::from_millis(100)), changes.recv()).await
            });
        }
    }

    /// Blocks until set `ns/name` has observed its spec and counts `ready` ready pods.
    pub fn wait_settled(&self, ns: &str, name: &str, ready: i64) {
        self.wait_for(
            &format!("{ns}/{name} to settle with {ready} ready"),
            Duration::from_secs(600),
            |c| {
                let set = c.set(ns, name);
                set["status"]["observedGeneration"] == set["metadata"]["generation"]
                    && set["status"]["readyReplicas"].as_i64().unwrap_or(0) == ready
                    && set["status"]["replicas"].as_i64().unwrap_or(0) == ready
            },
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(dir) = self.kubeconfig.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A set of `replicas` nginx pods with one 1Gi claim each, created all at once.
pub fn set_manifest(name: &str, replicas: i64) -> Value {
    json!({
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": "bench"}},
            "template": {
                "metadata": {"labels": {"app": "bench"}},
                "spec": {"containers": [container("nginx:1.25")]}
            },
            "volumeClaimTemplates": [{
                "metadata": {"name": "www"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
            }]
        }
    })
}

/// The set's one container, running `image`.
pub fn container(image: &str) -> Value {
    json!({
        "name": "nginx", "image": image,
        "ports": [{"name": "web", "containerPort": 80}],
        "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}]
    })
}
