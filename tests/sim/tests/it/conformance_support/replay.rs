//! Replaying a trace: the fixture created with the trace's change, each step's action sent
//! over HTTP, the namespace left to go quiet, then the transitions, state and API answer
//! compared with what the real control plane did.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sts_sim::SimConfig;

use super::cluster::{Cluster, Reply, fixture, list_path, object_path};
use super::compare::Names;
use super::events;
use super::snapshot::World;

/// How long nothing may change before a step's state is taken (the traces waited 3 s with
/// real timings).
const QUIET: Duration = Duration::from_millis(700);
/// The longest a step may take to go quiet.
const STEP_LIMIT: Duration = Duration::from_secs(60);

/// What a step does.
#[derive(Debug, Clone)]
pub enum Step {
    /// Creates the fixture.
    Create,
    /// Creates the fixture's StatefulSet again (its Service and others still exist).
    CreateSet,
    Scale(i64),
    /// The first container's image, and the partition in the same merge patch.
    Image(&'static str, Option<i64>),
    Partition(i64),
    DeletePod(&'static str),
    /// Deletes the set with a propagation policy.
    DeleteSet(&'static str),
    /// Evicts pods one right after the other; the last answer is the step's result.
    Evict(&'static [&'static str]),
    /// A merge patch carrying a stale resourceVersion.
    StalePatch,
    /// A merge patch changing `volumeClaimTemplates`.
    ChangeClaimTemplates,
    /// GET of a set that does not exist.
    GetMissing(&'static str),
    /// `publishNotReadyAddresses: true` on the set's Service.
    PublishNotReady,
}

/// A trace's fixture: file, the change made to its StatefulSet, and the cluster's timings.
pub struct Fixture {
    pub file: &'static str,
    pub change: fn(&mut Value),
    pub config: SimConfig,
}

fn no_change(_: &mut Value) {}

impl Fixture {
    pub fn web() -> Fixture {
        Self::web_with(no_change)
    }

    pub fn web_with(change: fn(&mut Value)) -> Fixture {
        Fixture {
            file: "web.yaml",
            change,
            config: SimConfig::fast(),
        }
    }

    pub fn zk() -> Fixture {
        Fixture {
            file: "zk.yaml",
            change: no_change,
            config: SimConfig::fast(),
        }
    }

    /// The same fixture on a cluster with other timings.
    pub fn with_config(self, config: SimConfig) -> Fixture {
        Fixture { config, ..self }
    }

    /// The fixture's documents with the change applied to the StatefulSet.
    pub fn docs(&self) -> Vec<Value> {
        let mut docs = fixture(self.file);
        for doc in docs.iter_mut().filter(|d| d["kind"] == "StatefulSet") {
            (self.change)(doc);
        }
        docs
    }

    fn set(&self) -> Value {
        self.docs()
            .into_iter()
            .find(|d| d["kind"] == "StatefulSet")
            .expect("a StatefulSet")
    }
}

/// A recorded scenario.
pub fn trace(name: &str) -> Value {
    let path = format!("{}/traces/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("trace is JSON")
}

/// What one step did: the pod transitions, the state afterwards, the API answer.
pub struct Observed {
    pub transitions: Vec<super::observe::Transition>,
    pub state: Value,
    pub result: Option<Reply>,
}

/// The scenario against the simulated cluster; panics with every difference from the trace.
/// With `STS_TEST_CLUSTER=real` the scenario then runs on a real control plane too, and the
/// simulator's run must match that one as well.
pub async fn replay(name: &str, fixture: Fixture, steps: &[Step]) {
    let recorded = trace(name);
    let expected_steps = recorded["steps"].as_array().expect("steps");
    assert_eq!(expected_steps.len(), steps.len(), "one action per recorded step");
    let cluster = Cluster::start_with(fixture.config.clone()).await;
    let sim_run = run(&cluster, &fixture, steps).await;
    let diffs = differences(expected_steps, &sim_run, steps, &fixture);
    assert!(
        diffs.is_empty(),
        "{name} differs from the real control plane:\n{}",
        diffs.join("\n")
    );
    if std::env::var("STS_TEST_CLUSTER").is_ok_and(|v| v == "real") {
        let real = Cluster::start_real(fixture.config.clone()).await;
        let real_run = run(&real, &fixture, steps).await;
        let beside = as_recorded(&real_run, expected_steps);
        for d in differences(expected_steps, &real_run, steps, &fixture) {
            eprintln!("{name}: the real control plane of this run differs from the trace: {d}");
        }
        let mut diffs = differences(&beside, &sim_run, steps, &fixture);
        let (sim_events, real_events) = (events::kinds(&cluster).await, events::kinds(&real).await);
        diffs.extend(events::differences(&sim_events, &real_events));
        assert!(
            diffs.is_empty(),
            "{name}: the simulator differs from the real control plane run beside it:\n{}",
            diffs.join("\n")
        );
    }
}

/// Carries out the steps, each left to go quiet, observing what it did.
async fn run(cluster: &Cluster, fixture: &Fixture, steps: &[Step]) -> Vec<Observed> {
    let set = fixture.set();
    let set_name = set["metadata"]["name"].as_str().expect("set name").to_string();
    let service = set["spec"]["serviceName"]
        .as_str()
        .expect("serviceName")
        .to_string();
    let mut observed = Vec::new();
    for step in steps {
        let mark = cluster.recorder.len();
        let result = act(cluster, fixture, &set_name, &service, step).await;
        settle(cluster, &set_name, &service).await;
        let transitions = cluster.recorder.since(mark);
        let state = World::fetch(cluster, &set_name, &service).await.state();
        observed.push(Observed {
            transitions,
            state,
            result,
        });
    }
    observed
}

/// Every difference of a run from recorded steps (a trace's, or another run's `as_recorded`).
fn differences(recorded: &[Value], run: &[Observed], steps: &[Step], fixture: &Fixture) -> Vec<String> {
    let parallel = fixture.set()["spec"]["podManagementPolicy"] == "Parallel";
    let mut names = Names::default();
    let mut diffs = Vec::new();
    for ((step, expected), seen) in steps.iter().zip(recorded).zip(run) {
        let mut found = Vec::new();
        let expected_transitions = expected["transitions"].as_array().cloned().unwrap_or_default();
        if !parallel && !matches!(step, Step::DeleteSet(_)) {
            names.compare_ordered(&expected_transitions, &seen.transitions, &mut found);
        } else {
            names.compare_per_pod(&expected_transitions, &seen.transitions, &mut found);
        }
        for key in ["set", "claims", "endpoints"] {
            if let Some(e) = expected.get(key) {
                names.compare(key, key, e, &seen.state[key], &mut found);
            }
        }
        if let Some(e) = expected.get("result") {
            let actual = seen.result.as_ref().map(Reply::as_result).unwrap_or(Value::Null);
            names.compare("result", "result", e, &actual, &mut found);
        }
        let title = expected["step"].as_str().unwrap_or("?");
        diffs.extend(found.into_iter().map(|d| format!("[{title}] {d}")));
    }
    diffs
}

/// A run in the shape of trace steps, with the parts the trace records.
fn as_recorded(run: &[Observed], trace_steps: &[Value]) -> Vec<Value> {
    run.iter()
        .zip(trace_steps)
        .map(|(seen, traced)| {
            let transitions: Vec<Value> = seen
                .transitions
                .iter()
                .map(|t| json!([t.event, t.pod, t.uid, t.revision]))
                .collect();
            let mut step = json!({"step": traced["step"], "transitions": transitions});
            for key in ["set", "claims", "endpoints"] {
                if traced.get(key).is_some() {
                    step[key] = seen.state[key].clone();
                }
            }
            if traced.get("result").is_some() {
                step["result"] = seen.result.as_ref().map(Reply::as_result).unwrap_or(Value::Null);
            }
            step
        })
        .collect()
}

/// Waits until neither the state nor the transitions changed for `QUIET` (on a real control
/// plane, read over HTTP and for twice as long).
pub async fn settle(cluster: &Cluster, set: &str, service: &str) {
    let quiet = if cluster.real.is_some() { QUIET * 2 } else { QUIET };
    let started = Instant::now();
    let mut last = (String::new(), usize::MAX);
    let mut since = Instant::now();
    loop {
        let world = match cluster.real {
            Some(_) => World::fetch(cluster, set, service).await,
            None => World::read(&cluster.sim, set, service),
        };
        let now = (world.state().to_string(), cluster.recorder.len());
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return;
        }
        assert!(
            started.elapsed() < STEP_LIMIT,
            "the namespace never went quiet: {}",
            last.0
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Carries out one step; the API answer for steps that record one.
async fn act(cluster: &Cluster, fixture: &Fixture, set: &str, service: &str, step: &Step) -> Option<Reply> {
    let set_path = object_path("statefulsets", set);
    match step {
        Step::Create => {
            cluster.create_all(&fixture.docs()).await;
            None
        }
        Step::CreateSet => {
            cluster.create_all(&[fixture.set()]).await;
            None
        }
        Step::Scale(n) => patch(cluster, &set_path, json!({"spec": {"replicas": n}})).await,
        Step::Image(image, partition) => {
            let mut body = image_patch(cluster, set, image).await;
            if let Some(p) = partition {
                body["spec"]["updateStrategy"] = json!({"rollingUpdate": {"partition": p}});
            }
            patch(cluster, &set_path, body).await
        }
        Step::Partition(p) => {
            let body = json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": p}}}});
            patch(cluster, &set_path, body).await
        }
        Step::DeletePod(pod) => delete(cluster, &object_path("pods", pod), None).await,
        Step::DeleteSet(policy) => {
            let options = json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": policy});
            delete(cluster, &set_path, Some(&options)).await
        }
        Step::Evict(pods) => evict_all(cluster, pods).await,
        Step::StalePatch => {
            let body = json!({"metadata": {"resourceVersion": "1"}, "spec": {"replicas": 4}});
            Some(cluster.merge_patch(&set_path, &body).await)
        }
        Step::ChangeClaimTemplates => {
            let current = cluster.get(&set_path).await.ok("get the set").body;
            let mut templates = current["spec"]["volumeClaimTemplates"].clone();
            templates[0]["spec"]["resources"]["requests"]["storage"] = json!("2Gi");
            Some(
                cluster
                    .merge_patch(&set_path, &json!({"spec": {"volumeClaimTemplates": templates}}))
                    .await,
            )
        }
        Step::GetMissing(name) => Some(cluster.get(&object_path("statefulsets", name)).await),
        Step::PublishNotReady => {
            let body = json!({"spec": {"publishNotReadyAddresses": true}});
            patch(cluster, &object_path("services", service), body).await
        }
    }
}

/// A merge patch setting the image of the set's first container (the whole container list,
/// as a merge patch replaces lists).
pub async fn image_patch(cluster: &Cluster, set: &str, image: &str) -> Value {
    let current = cluster
        .get(&object_path("statefulsets", set))
        .await
        .ok("get the set")
        .body;
    let mut containers = current["spec"]["template"]["spec"]["containers"].clone();
    containers[0]["image"] = json!(image);
    json!({"spec": {"template": {"spec": {"containers": containers}}}})
}

async fn delete(cluster: &Cluster, path: &str, options: Option<&Value>) -> Option<Reply> {
    cluster.delete(path, options).await.ok("delete");
    None
}

async fn patch(cluster: &Cluster, path: &str, body: Value) -> Option<Reply> {
    cluster.merge_patch(path, &body).await.ok("patch");
    None
}

/// Evicts each pod in turn; every answer but the last must succeed.
async fn evict_all(cluster: &Cluster, pods: &[&str]) -> Option<Reply> {
    let mut last = None;
    for (i, pod) in pods.iter().enumerate() {
        let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod}});
        let reply = cluster
            .post(&format!("{}/{pod}/eviction", list_path("pods")), &eviction)
            .await;
        if i + 1 < pods.len() {
            reply.clone().ok("the first evictions");
        }
        last = Some(reply);
    }
    last
}
