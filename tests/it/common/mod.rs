//! Shared harness of the black-box tests: a cluster with a kubeconfig on disk, the real
//! `kubectl-sts` binary pointed at it, and waits on the cluster's state. The cluster is the
//! simulator, or with `STS_TEST_CLUSTER=real` a namespace of a real control plane (`real`).

pub mod net;
pub mod pty;
mod real;
pub mod setup;

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use sts_sim::resources::{self, Resource};
use sts_sim::{Sim, SimConfig};

/// The tests run against the real control plane (`STS_TEST_CLUSTER=real`).
pub fn real() -> bool {
    std::env::var("STS_TEST_CLUSTER").is_ok_and(|v| v == "real")
}

/// On the real control plane, says why the test does not apply there and returns true (the
/// caller returns); on the simulator returns false.
pub fn skip_on_real(why: &str) -> bool {
    if real() {
        // Straight to stderr, past the test harness's capture: a skip must show in the run.
        use std::io::Write;
        let name = std::thread::current().name().unwrap_or("?").to_string();
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED on the real control plane: {name}: {why}"
        );
    }
    real()
}

/// The simulator behind a cluster; using it on the real backend is a test bug (the test
/// should have called `skip_on_real`).
pub struct SimOnly(Option<Sim>);

impl Deref for SimOnly {
    type Target = Sim;
    fn deref(&self) -> &Sim {
        self.0
            .as_ref()
            .expect("simulator-only feature used against the real control plane: call skip_on_real")
    }
}

/// A running cluster and a scratch directory holding its kubeconfig.
pub struct Cluster {
    pub sim: SimOnly,
    pub dir: PathBuf,
    pub kubeconfig: PathBuf,
    /// Where the tests' objects live (the kubeconfig's context namespace).
    pub namespace: String,
    real: Option<real::ControlPlane>,
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

    /// A cluster with these settings (on the real backend, a control plane of its own with
    /// the node stand-in's fast timings: the settings do not apply).
    pub fn start_with(config: SimConfig) -> Cluster {
        let dir = scratch_dir();
        let kubeconfig = dir.join("kubeconfig");
        let namespace = "default".to_string();
        if real() {
            let plane = real::ControlPlane::start(&dir.join("cluster"));
            std::fs::write(&kubeconfig, plane.kubeconfig_in("test-user", &namespace))
                .expect("kubeconfig written");
            return Cluster {
                sim: SimOnly(None),
                dir,
                kubeconfig,
                namespace,
                real: Some(plane),
            };
        }
        let sim = Sim::start(config).expect("simulator starts");
        sim.write_kubeconfig(&kubeconfig).expect("kubeconfig written");
        Cluster {
            sim: SimOnly(Some(sim)),
            dir,
            kubeconfig,
            namespace,
            real: None,
        }
    }

    /// The real control plane, when the tests run against it.
    pub fn plane(&self) -> Option<&real::ControlPlane> {
        self.real.as_ref()
    }

    /// Creates the objects of `tests/fixtures/<name>` in the test's namespace.
    pub fn apply_fixture(&self, name: &str) {
        self.apply_yaml(&fixture(name));
    }

    /// Creates the objects of a YAML text in the test's namespace.
    pub fn apply_yaml(&self, text: &str) {
        self.apply_yaml_in(&self.namespace.clone(), text);
    }

    /// Creates the objects of a YAML text in a namespace.
    pub fn apply_yaml_in(&self, namespace: &str, text: &str) {
        match self.plane() {
            Some(plane) => plane.apply_yaml(namespace, text),
            None => {
                self.sim.apply_yaml(namespace, text).expect("manifest applies");
            }
        }
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

    /// An object of the test's namespace (or a cluster-scoped one), if it exists.
    pub fn get(&self, res: &'static Resource, name: &str) -> Option<Value> {
        match self.plane() {
            Some(plane) => plane.get(res, &self.namespace, name),
            None => self.sim.store.try_get(res, "default", name),
        }
    }

    /// An object of `namespace`, if it exists.
    pub fn get_in(&self, res: &'static Resource, namespace: &str, name: &str) -> Option<Value> {
        match self.plane() {
            Some(plane) => plane.get(res, namespace, name),
            None => self.sim.store.try_get(res, namespace, name),
        }
    }

    /// The set `name`.
    pub fn statefulset(&self, name: &str) -> Value {
        self.get(&resources::STATEFULSETS, name)
            .expect("statefulset exists")
    }

    /// Every object of a kind in the test's namespace.
    pub fn list(&self, res: &'static Resource) -> Vec<Value> {
        match self.plane() {
            Some(plane) => plane.list(res, &self.namespace),
            None => self.sim.store.list(res, Some("default"), &|_| true).0,
        }
    }

    /// The pods of the namespace, by name.
    pub fn pods(&self) -> Vec<Value> {
        self.list(&resources::PODS)
    }

    /// Blocks until `done` holds for the cluster, re-checking on every change of the store
    /// (and every 50 ms, for conditions on the request log); on the real control plane,
    /// every 100 ms.
    pub fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&Cluster) -> bool) {
        self.wait_for_showing(what, timeout, done, |_| String::new());
    }

    /// [`Cluster::wait_for`], with `show`'s account of the cluster in the message of a timeout.
    pub fn wait_for_showing(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&Cluster) -> bool,
        show: impl Fn(&Cluster) -> String,
    ) {
        let deadline = Instant::now() + timeout;
        if self.plane().is_some() {
            while !done(self) {
                assert!(
                    Instant::now() < deadline,
                    "timed out after {timeout:?} waiting for {what}{}",
                    show(self)
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            return;
        }
        let mut changes = self.sim.store.subscribe();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out after {timeout:?} waiting for {what}{}",
                show(self)
            );
            let _ = runtime.block_on(async {
                tokio::time::timeout(left.min(Duration::from_millis(50)), changes.recv()).await
            });
        }
    }
    /// Blocks until set `name` has `replicas` pods, all Ready, and its status caught up.
    pub fn wait_ready(&self, name: &str, replicas: i64) {
        let began = Instant::now();
        let _report = Defer(move || eprintln!("{name} ready in {:?}", began.elapsed()));
        self.wait_for_showing(
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
            |c| c.account_of_pods(name),
        );
    }

    /// What a set and its pods looked like, for a wait that timed out: the set's status, each
    /// pod's phase, node, conditions and waiting containers, and the namespace's warnings.
    pub fn account_of_pods(&self, set: &str) -> String {
        let status = self
            .get(&resources::STATEFULSETS, set)
            .map(|s| s["status"].to_string())
            .unwrap_or_else(|| "missing".into());
        let mut lines = vec![format!("\nstatefulset {set}: {status}")];
        let prefix = format!("{set}-");
        for pod in self.pods() {
            let name = pod["metadata"]["name"].as_str().unwrap_or_default();
            if !name.starts_with(&prefix) {
                continue;
            }
            let conditions: Vec<String> = (pod["status"]["conditions"].as_array())
                .into_iter()
                .flatten()
                .map(|c| format!("{}={} {}", c["type"], c["status"], c["message"]))
                .collect();
            lines.push(format!(
                "pod {name}: {} on {} deleting={} [{}] containers {}",
                pod["status"]["phase"],
                pod["spec"]["nodeName"],
                pod["metadata"]["deletionTimestamp"],
                conditions.join("; "),
                pod["status"]["containerStatuses"]
            ));
        }
        for event in self.list(&resources::EVENTS) {
            if event["type"] == "Warning" {
                lines.push(format!(
                    "event {} {}: {}",
                    event["involvedObject"]["name"], event["reason"], event["message"]
                ));
            }
        }
        lines.join("\n")
    }

    /// Number of requests the server has answered so far (on the real control plane: the
    /// tool's, from the audit log).
    pub fn request_count(&self) -> usize {
        self.requests().len()
    }

    /// Number of requests so far that could change something (not get, list or watch).
    pub fn write_count(&self) -> usize {
        self.requests().iter().filter(|r| r.is_mutating()).count()
    }

    /// The requests the server answered so far (on the real control plane: the tool's, from
    /// the audit log).
    pub fn requests(&self) -> Vec<sts_sim::server::LoggedRequest> {
        match self.plane() {
            Some(plane) => plane.audited_requests(),
            None => self.sim.log.entries(),
        }
    }

    /// The API server's URL.
    pub fn server_url(&self) -> String {
        match self.plane() {
            Some(plane) => plane.server(),
            None => self.sim.url(),
        }
    }

    /// The address (`HOST:PORT`) of the cluster's DNS server: the simulator's, or CoreDNS.
    pub fn dns_addr(&self) -> String {
        match self.plane() {
            Some(plane) => plane.info["dns"].as_str().expect("dns address").to_string(),
            None => self.sim.dns_addr().expect("DNS is enabled").to_string(),
        }
    }

    /// A kubeconfig for the read-only user `viewer` (get, list, watch), written in the
    /// scratch directory.
    pub fn viewer_kubeconfig(&self) -> PathBuf {
        let path = self.dir.join("viewer.kubeconfig");
        let text = match self.plane() {
            Some(plane) => plane.kubeconfig_in("viewer", &self.namespace),
            None => self.sim.kubeconfig_for("viewer", sts_sim::sim::VIEWER_TOKEN),
        };
        std::fs::write(&path, text).expect("kubeconfig written");
        path
    }

    /// The kubeconfig's context (and user) name.
    pub fn context(&self) -> &'static str {
        if self.plane().is_some() {
            "test-user@test"
        } else {
            "sts-sim"
        }
    }

    /// A bearer token the cluster accepts, and the user it names: the simulator's admin
    /// token, or on the real control plane a token of service account `account` (made and
    /// given the test user's rights).
    pub fn bearer_token(&self, account: &str) -> (String, String) {
        match self.plane() {
            Some(plane) => plane.service_account_token(account),
            None => (sts_sim::sim::ADMIN_TOKEN.into(), "sts-sim-admin".into()),
        }
    }

    /// A copy of the kubeconfig, as `edit` changes it (the document as JSON: `users[0].user`,
    /// `clusters[0].cluster`), written in the scratch directory as `name`.
    pub fn kubeconfig_edited(&self, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
        let text = std::fs::read_to_string(&self.kubeconfig).expect("kubeconfig");
        let mut doc: Value = serde_saphyr::from_str(&text).expect("kubeconfig is YAML");
        edit(&mut doc);
        let path = self.dir.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json")).expect("kubeconfig written");
        path
    }

    /// A kubeconfig whose user the API server rejects (a token it does not know), and the
    /// name of that user.
    pub fn rejected_kubeconfig(&self) -> (PathBuf, &'static str) {
        let path = self.dir.join("bad-credentials");
        let text = std::fs::read_to_string(&self.kubeconfig).expect("kubeconfig");
        let (text, user) = match self.plane() {
            Some(_) => {
                let start = text.find("users:").expect("users");
                let end = text.find("contexts:").expect("contexts");
                let users = "users:\n- name: test-user\n  user:\n    token: stolen\n";
                (
                    format!("{}{users}{}", &text[..start], &text[end..]),
                    real::TEST_USER,
                )
            }
            None => (text.replace(sts_sim::sim::ADMIN_TOKEN, "stolen"), "sts-sim-admin"),
        };
        std::fs::write(&path, text).expect("kubeconfig written");
        (path, user)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        drop(self.real.take());
        if std::thread::panicking() && real() {
            return; // the control plane's directory, inside, is kept with its logs
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Tests that bring up a hundred pods or more take turns: the suites share one test binary,
/// and two such tests at once on two cores outlast their waits on the real control plane.
/// Hold the guard for the whole test.
pub fn one_large_set_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LARGE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LARGE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The text of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Starts `command` with its stderr read line by line until one contains `text`; the rest of
/// its stderr (with what was read) is collected by the returned thread.
pub fn spawn_until(
    command: &mut std::process::Command,
    text: &str,
) -> (std::process::Child, std::thread::JoinHandle<String>) {
    use std::io::{BufRead, BufReader};
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    for line in lines.by_ref().map_while(Result::ok) {
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(text) {
            break;
        }
    }
    assert!(seen.contains(text), "no {text:?} in {seen}");
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).fold(seen, |all, l| all + &l + "\n"));
    (child, rest)
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

/// A pod change as the recorder sees it.
#[derive(Clone, Copy, PartialEq)]
enum Change {
    Added,
    Modified,
    Deleted,
}

/// Turns pod changes into transitions, remembering each pod's readiness and deletion.
struct Observer {
    sink: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
    state: std::collections::HashMap<String, (bool, bool)>,
}

impl Observer {
    fn observe(&mut self, change: Change, pod: &Value) {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let push = |what: &str| self.sink.lock().unwrap().push((what.to_string(), name.clone()));
        if change == Change::Deleted {
            push("DELETED");
            self.state.remove(&name);
            return;
        }
        if change == Change::Added {
            push("ADDED");
        }
        let ready = is_ready(pod);
        let terminating = pod["metadata"]["deletionTimestamp"].is_string();
        let (was_ready, was_terminating) = self.state.get(&name).copied().unwrap_or((false, false));
        if ready && !was_ready {
            push("READY");
        }
        if terminating && !was_terminating {
            push("TERMINATING");
        }
        self.state.insert(name, (ready, terminating));
    }
}

impl Transitions {
    /// Starts recording.
    pub fn record(cluster: &Cluster) -> Transitions {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let state = cluster
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
        let observer = Observer {
            sink: seen.clone(),
            state,
        };
        match cluster.plane() {
            Some(plane) => plane.watch_pods(&cluster.namespace, observer),
            None => record_sim(cluster, observer),
        }
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

/// Deletions seen, in order, as `plural/name`.
pub type Deletions = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Records every deletion of pods, sets and claims in the test's namespace, in order, from now
/// on (the watch of a real control plane is running when this returns).
pub fn record_deletions(cluster: &Cluster) -> Deletions {
    let seen = Deletions::default();
    if let Some(plane) = cluster.plane() {
        let kinds = [&resources::PODS, &resources::STATEFULSETS, &resources::PVCS];
        plane.watch_deletions(&cluster.namespace, &kinds, seen.clone());
        return seen;
    }
    let sink = seen.clone();
    let mut events = cluster.sim.store.subscribe();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        while let Ok(event) = runtime.block_on(events.recv()) {
            if event.kind == sts_sim::store::EventKind::Deleted {
                let entry = format!("{}/{}", event.resource.plural, event.name);
                sink.lock().unwrap().push(entry);
            }
        }
    });
    seen
}

/// Feeds the simulator's pod events to the observer, on a thread of its own.
fn record_sim(cluster: &Cluster, mut observer: Observer) {
    let mut events = cluster.sim.store.subscribe();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        while let Ok(event) = runtime.block_on(events.recv()) {
            if event.resource.plural != "pods" {
                continue;
            }
            let change = match event.kind {
                sts_sim::store::EventKind::Added => Change::Added,
                sts_sim::store::EventKind::Modified => Change::Modified,
                sts_sim::store::EventKind::Deleted => Change::Deleted,
            };
            observer.observe(change, &event.object);
        }
    });
}

/// The pod's Ready condition is True.
fn is_ready(pod: &serde_json::Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// Merge-patches an object in the cluster, as a colleague with kubectl would.
pub fn patch(cluster: &Cluster, res: &'static Resource, name: &str, patch: serde_json::Value) {
    if let Some(plane) = cluster.plane() {
        plane.merge_patch(res, &cluster.namespace, name, &patch);
        return;
    }
    cluster
        .sim
        .store
        .modify(res, "default", name, sts_sim::store::Part::Main, false, |obj| {
            json_patch::merge(obj, &patch);
            Ok(())
        })
        .expect("patch applies");
}

/// Deletes a pod with a grace period of `grace` seconds, as `kubectl delete pod --grace-period`.
pub fn delete_pod(cluster: &Cluster, name: &str, grace: i64) {
    if let Some(plane) = cluster.plane() {
        plane.delete(&resources::PODS, &cluster.namespace, name, grace);
        return;
    }
    let options = sts_sim::store::DeleteOptions {
        grace_period_seconds: Some(grace),
        ..Default::default()
    };
    cluster
        .sim
        .store
        .delete(&resources::PODS, "default", name, &options)
        .expect("pod deleted");
}

/// On the simulator, says which real behaviour it does not reproduce and returns true (the
/// caller returns); on the real control plane returns false.
pub fn skip_on_simulator(why: &str) -> bool {
    if !real() {
        use std::io::Write;
        let name = std::thread::current().name().unwrap_or("?").to_string();
        let _ = writeln!(std::io::stderr(), "SKIPPED on the simulator: {name}: {why}");
    }
    !real()
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

struct Defer<F: FnMut()>(F);
impl<F: FnMut()> Drop for Defer<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}
