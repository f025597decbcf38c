//! Shared harness of the black-box tests: a simulated cluster with a kubeconfig on disk, the
//! real `kubectl-sts` binary pointed at it, and event-driven waits on the cluster's state.

#![allow(dead_code)]

pub mod pty;
pub mod setup;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use sts_sim::resources::{self, Resource};
use sts_sim::{Sim, SimConfig};

/// A running simulated cluster and a scratch directory holding its kubeconfig.
pub struct Cluster {
    pub sim: Sim,
    pub dir: PathBuf,
    pub kubeconfig: PathBuf,
}

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A fresh scratch directory for one test.
pub fn scratch_dir() -> PathBuf {
    let n = NEXT_DIR.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("kubectl-sts-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

impl Cluster {
    /// A cluster with test timings.
    pub fn start() -> Cluster {
        Self::start_with(SimConfig::fast())
    }

    /// A cluster with these settings.
    pub fn start_with(config: SimConfig) -> Cluster {
        let sim = Sim::start(config).expect("simulator starts");
        let dir = scratch_dir();
        let kubeconfig = dir.join("kubeconfig");
        sim.write_kubeconfig(&kubeconfig).expect("kubeconfig written");
        Cluster { sim, dir, kubeconfig }
    }

    /// Creates the objects of `tests/fixtures/<name>` in `default`.
    pub fn apply_fixture(&self, name: &str) {
        self.apply_yaml(&fixture(name));
    }

    /// Creates the objects of a YAML text in `default`.
    pub fn apply_yaml(&self, text: &str) {
        self.sim.apply_yaml("default", text).expect("manifest applies");
    }

    /// The binary with `KUBECONFIG` pointing at this cluster and no colour.
    pub fn sts(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("kubectl-sts").expect("binary built");
        cmd.env("KUBECONFIG", &self.kubeconfig)
            .env("NO_COLOR", "1")
            .env_remove("HOME");
        cmd.timeout(Duration::from_secs(120));
        cmd
    }

    /// The binary as a plain process, with the environment of `sts` (for a terminal).
    pub fn sts_process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("kubectl-sts"));
        cmd.env("KUBECONFIG", &self.kubeconfig)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            .env_remove("HOME");
        cmd
    }

    /// An object, if it exists.
    pub fn get(&self, res: &'static Resource, name: &str) -> Option<Value> {
        self.sim.store.try_get(res, "default", name)
    }

    /// The set `name`.
    pub fn statefulset(&self, name: &str) -> Value {
        self.get(&resources::STATEFULSETS, name)
            .expect("statefulset exists")
    }

    /// The pods of the namespace, by name.
    pub fn pods(&self) -> Vec<Value> {
        self.sim
            .store
            .list(&resources::PODS, Some("default"), &|_| true)
            .0
    }

    /// Blocks until `done` holds for the cluster, re-checking on every change of the store
    /// (and every 50 ms, for conditions on the request log).
    pub fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&Cluster) -> bool) {
        let mut changes = self.sim.store.subscribe();
        let deadline = Instant::now() + timeout;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out after {timeout:?} waiting for {what}");
            let _ = runtime.block_on(async {
                tokio::time::timeout(left.min(Duration::from_millis(50)), changes.recv()).await
            });
        }
    }

    /// Blocks until set `name` has `replicas` pods, all Ready, and its status caught up.
    pub fn wait_ready(&self, name: &str, replicas: i64) {
        self.wait_for(
            &format!("{name} to have {replicas} ready pods"),
            Duration::from_secs(120),
            |c| {
                let Some(set) = c.get(&resources::STATEFULSETS, name) else {
                    return false;
                };
                let status = &set["status"];
                status["readyReplicas"].as_i64().unwrap_or(0) == replicas
                    && status["replicas"].as_i64().unwrap_or(0) == replicas
                    && status["observedGeneration"] == set["metadata"]["generation"]
                    && status["currentRevision"] == status["updateRevision"]
            },
        );
    }

    /// Number of requests the server has answered so far.
    pub fn request_count(&self) -> usize {
        self.sim.log.entries().len()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The text of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// stdout of an assert_cmd output as text.
pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr of an assert_cmd output as text.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Pod transitions (`ADDED`, `READY`, `TERMINATING`, `DELETED`) as the traces record them,
/// collected from the store's event stream while a test runs.
pub struct Transitions {
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl Transitions {
    /// Starts recording.
    pub fn record(cluster: &Cluster) -> Transitions {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut events = cluster.sim.store.subscribe();
        let sink = seen.clone();
        let mut state: std::collections::HashMap<String, (bool, bool)> = cluster
            .pods()
            .iter()
            .map(|p| {
                let name = p["metadata"]["name"].as_str().unwrap_or_default().to_string();
                (
                    name,
                    (is_ready(p), p["metadata"]["deletionTimestamp"].is_string()),
                )
            })
            .collect();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            while let Ok(event) = runtime.block_on(events.recv()) {
                if event.resource.plural != "pods" {
                    continue;
                }
                let name = event.name.clone();
                let ready = is_ready(&event.object);
                let terminating = event.object["metadata"]["deletionTimestamp"].is_string();
                let before = state.get(&name).copied();
                let push = |what: &str| sink.lock().unwrap().push((what.to_string(), name.clone()));
                match event.kind {
                    sts_sim::store::EventKind::Added => push("ADDED"),
                    sts_sim::store::EventKind::Deleted => {
                        state.remove(&name);
                        push("DELETED");
                        continue;
                    }
                    sts_sim::store::EventKind::Modified => {}
                }
                let (was_ready, was_terminating) = before.unwrap_or((false, false));
                if ready && !was_ready {
                    push("READY");
                }
                if terminating && !was_terminating {
                    push("TERMINATING");
                }
                state.insert(name, (ready, terminating));
            }
        });
        Transitions { seen }
    }

    /// Transitions so far, as `EVENT pod`.
    pub fn list(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(e, p)| format!("{e} {p}"))
            .collect()
    }

    /// Position of a transition, panicking with the whole list when absent.
    pub fn position(&self, what: &str) -> usize {
        let list = self.list();
        list.iter()
            .position(|t| t == what)
            .unwrap_or_else(|| panic!("no {what} in {list:?}"))
    }
}

/// The pod's Ready condition is True.
fn is_ready(pod: &serde_json::Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// Merge-patches an object in the cluster, as a colleague with kubectl would.
pub fn patch(cluster: &Cluster, res: &'static Resource, name: &str, patch: serde_json::Value) {
    cluster
        .sim
        .store
        .modify(res, "default", name, sts_sim::store::Part::Main, false, |obj| {
            json_patch::merge(obj, &patch);
            Ok(())
        })
        .expect("patch applies");
}

/// Runs each `(arguments, exit code, text)` case and asserts the exit code and that stderr
/// contains the text.
pub fn assert_refused(cluster: &Cluster, cases: &[(Vec<&str>, i32, &str)]) {
    for (args, code, text) in cases {
        let output = cluster.sts().args(args).output().unwrap();
        let err = stderr_of(&output);
        assert_eq!(output.status.code(), Some(*code), "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: expected {text:?} in {err}");
    }
}
