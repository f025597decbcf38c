//! Reaction time: from the instant the simulator marks the last awaited pod Ready to the
//! command exiting. `scale` up by one on a set whose pods carry a readiness gate: the new pod
//! runs but stays un-Ready until the benchmark releases the gate, so the instant is chosen
//! here, with the command already waiting; the kubelet's Ready write is timestamped from the
//! store's change events.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sts_sim::resources::PODS;
use sts_sim::store::EventKind;

use crate::cluster::Cluster;
use crate::run;

const NS: &str = "react";
const SET: &str = "react";
const GATE: &str = "bench.kubectl-sts/released";

/// When each pod of the namespace was first seen Ready, from the store's change events.
#[derive(Clone, Default)]
struct ReadyTimes(Arc<Mutex<HashMap<String, Instant>>>);

impl ReadyTimes {
    fn record(cluster: &Cluster) -> ReadyTimes {
        let times = ReadyTimes::default();
        let sink = times.clone();
        let mut events = cluster.sim.store.subscribe();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime");
            while let Ok(event) = runtime.block_on(events.recv()) {
                let at = Instant::now();
                let pod = event.resource.plural == "pods" && event.namespace == NS;
                if pod && event.kind != EventKind::Deleted && is_ready(&event.object) {
                    let mut seen = sink.0.lock().expect("lock");
                    seen.entry(event.name.clone()).or_insert(at);
                }
            }
        });
        times
    }

    fn get(&self, pod: &str) -> Option<Instant> {
        self.0.lock().expect("lock").get(pod).copied()
    }
}

fn is_ready(pod: &Value) -> bool {
    condition(pod, "Ready")
}

fn condition(pod: &Value, kind: &str) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == kind && c["status"] == "True"))
}

/// `runs` reaction times of `scale` up by one.
pub fn measure(cluster: &Cluster, bin: &Path, runs: usize) -> Vec<Duration> {
    cluster.create_set(NS, SET, 1, |set| {
        set["spec"]["podManagementPolicy"] = json!("OrderedReady");
        set["spec"]["template"]["spec"]["readinessGates"] = json!([{"conditionType": GATE}]);
    });
    let times = ReadyTimes::record(cluster);
    release_when_running(cluster, &format!("{SET}-0"));
    cluster.wait_settled(NS, SET, 1);
    (1..=runs).map(|i| one_run(cluster, bin, &times, i)).collect()
}

/// Scales to `i + 1` and releases pod `i` once the command waits on it.
fn one_run(cluster: &Cluster, bin: &Path, times: &ReadyTimes, i: usize) -> Duration {
    let replicas = (i + 1).to_string();
    let args = ["scale", SET, "--replicas", &replicas, "--yes", "-n", NS];
    let running = run::spawn(bin, &args, &cluster.kubeconfig, &[]);
    let pod = format!("{SET}-{i}");
    release_when_running(cluster, &pod);
    let outcome = running.finish();
    assert_eq!(outcome.code, 0, "scale to {replicas} failed");
    let ready = times.get(&pod).expect("the pod was seen Ready");
    outcome.ended.saturating_duration_since(ready)
}

/// Waits until `pod`'s containers are ready (the gate holding it), lets the command settle on
/// its watch, then releases the gate.
fn release_when_running(cluster: &Cluster, pod: &str) {
    cluster.wait_for(
        &format!("{pod} running, held by its gate"),
        Duration::from_secs(60),
        |c| {
            c.sim
                .store
                .try_get(&PODS, NS, pod)
                .is_some_and(|p| condition(&p, "ContainersReady"))
        },
    );
    std::thread::sleep(Duration::from_millis(100));
    cluster
        .sim
        .set_pod_condition(NS, pod, GATE, true)
        .expect("gate released");
}
