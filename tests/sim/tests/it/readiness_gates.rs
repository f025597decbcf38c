//! Pod readiness gates, the hook that lets a test or benchmark choose the instant a pod
//! becomes Ready: the kubelet holds Ready until the gate's condition is True, then marks the
//! pod Ready at once; the set's status follows.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sts_sim::resources::{PODS, STATEFULSETS};
use sts_sim::{Sim, SimConfig};

const GATE: &str = "example.com/released";

fn ready(pod: &Value) -> Option<&Value> {
    pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Ready")
}

/// Waits (checking every 5 ms) until `done` holds for pod `name`.
fn wait_pod(sim: &Sim, name: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(pod) = sim.store.try_get(&PODS, "default", name).filter(|p| done(p)) {
            return pod;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {name}: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_gated_pod_is_ready_only_once_its_condition_is_set() {
    let sim = Sim::start(SimConfig::fast()).unwrap();
    let set = json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "gated"},
        "spec": {
            "replicas": 1, "serviceName": "gated", "selector": {"matchLabels": {"app": "gated"}},
            "template": {"metadata": {"labels": {"app": "gated"}}, "spec": {
                "readinessGates": [{"conditionType": GATE}],
                "containers": [{"name": "c", "image": "nginx:1.25"}]
            }}
        }
    });
    sim.store.create(&STATEFULSETS, "default", set, false).unwrap();
    let held = wait_pod(&sim, "gated-0", "containers ready", |p| {
        p["status"]["containerStatuses"][0]["ready"] == true
    });
    let condition = ready(&held).unwrap();
    assert_eq!(
        (condition["status"].as_str(), condition["reason"].as_str()),
        (Some("False"), Some("ReadinessGatesNotReady"))
    );
    std::thread::sleep(SimConfig::fast().timings.ready * 3);
    let still = sim.store.try_get(&PODS, "default", "gated-0").unwrap();
    assert_eq!(ready(&still).unwrap()["status"], "False", "held however long");
    sim.set_pod_condition("default", "gated-0", GATE, true).unwrap();
    let released = Instant::now();
    wait_pod(&sim, "gated-0", "Ready", |p| {
        ready(p).is_some_and(|c| c["status"] == "True")
    });
    assert!(
        released.elapsed() < Duration::from_millis(500),
        "Ready right after the release"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.store.get(&STATEFULSETS, "default", "gated").unwrap()["status"]["readyReplicas"] != 1 {
        assert!(Instant::now() < deadline, "the set counts the pod ready");
        std::thread::sleep(Duration::from_millis(5));
    }
}
