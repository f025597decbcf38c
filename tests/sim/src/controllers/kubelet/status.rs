//! The pod status a kubelet reports (see `traces/objects/pod.json` and `pod-crashloop.json`):
//! conditions that keep their transition time while unchanged, container states for normal,
//! `slow`, `broken` and `flaky` images, and the scheduler's conditions. Pure.

use std::time::Duration;

use serde_json::{Value, json};

use crate::config::Timings;
use crate::controllers::obj;

/// Where and since when a pod runs.
pub struct Placement<'a> {
    pub host_ip: &'a str,
    pub pod_ip: &'a str,
    /// `status.startTime`, also each container's `startedAt`.
    pub started_at: &'a str,
    /// Time since the containers started.
    pub elapsed: Duration,
    /// Timestamp of this status write.
    pub now: &'a str,
}

/// Sets one condition, keeping `lastTransitionTime` when its status does not change.
pub fn set_condition(conditions: &mut Vec<Value>, kind: &str, status: bool, extra: Option<Value>, now: &str) {
    let status = if status { "True" } else { "False" };
    let old = conditions.iter().position(|c| c["type"] == kind);
    let since = old
        .map(|i| &conditions[i])
        .filter(|c| c["status"] == status)
        .and_then(|c| c.get("lastTransitionTime").cloned())
        .unwrap_or_else(|| json!(now));
    let mut condition =
        json!({"lastProbeTime": null, "lastTransitionTime": since, "status": status, "type": kind});
    if let Some(Value::Object(extra)) = extra {
        condition.as_object_mut().expect("object").extend(extra);
    }
    match old {
        Some(i) => conditions[i] = condition,
        None => conditions.push(condition),
    }
}

/// The scheduler's verdict for a pod whose claims are not bound.
pub fn unschedulable(pod: &Value, nodes: usize, now: &str) -> Value {
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut conditions = status["conditions"].as_array().cloned().unwrap_or_default();
    // kube-scheduler v1.36 words it so (its PostFilter finds nothing to preempt: "not found").
    let message =
        format!("0/{nodes} nodes are available: pod has unbound immediate PersistentVolumeClaims. not found");
    let extra = json!({"reason": "Unschedulable", "message": message});
    set_condition(&mut conditions, "PodScheduled", false, Some(extra), now);
    status["conditions"] = Value::Array(conditions);
    status["phase"] = json!("Pending");
    status
}

/// The scheduler's PodScheduled condition after binding.
pub fn scheduled(pod: &Value, now: &str) -> Value {
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut conditions: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    conditions.retain(|c| c["type"] != "PodScheduled");
    set_condition(&mut conditions, "PodScheduled", true, None, now);
    status["conditions"] = Value::Array(conditions);
    status
}

fn image_delay(image: &str, timings: &Timings) -> Duration {
    if image.contains("slow") {
        timings.slow_ready
    } else {
        timings.ready
    }
}

/// One container's status at `p.elapsed`, and when it changes next.
fn container_status(c: &Value, p: &Placement, timings: &Timings) -> (Value, Option<Duration>) {
    let image = obj::str_at(c, "/image");
    let mut status = json!({
        "image": image, "imageID": format!("lab://{image}"), "lastState": {},
        "name": obj::str_at(c, "/name"), "ready": false, "restartCount": 0, "started": true,
        "state": {"running": {"startedAt": p.started_at}},
    });
    if image.contains("broken") {
        let period = timings.crash_restart.max(Duration::from_millis(1));
        let crashes = p.elapsed.as_nanos() / period.as_nanos();
        if crashes > 0 {
            status["restartCount"] = json!(crashes as u64);
            status["started"] = json!(false);
            status["state"] = json!({"waiting": {"message": "back-off restarting failed container", "reason": "CrashLoopBackOff"}});
        }
        let into = Duration::from_nanos((p.elapsed.as_nanos() % period.as_nanos()) as u64);
        return (status, Some(period - into));
    }
    if image.contains("flaky") && p.elapsed >= timings.flaky_restart {
        return flaky_restarted(status, p, timings);
    }
    let delay = image_delay(image, timings);
    if image.contains("flaky") && p.elapsed >= delay {
        status["ready"] = json!(true);
        return (status, Some(timings.flaky_restart - p.elapsed));
    }
    if p.elapsed >= delay {
        status["ready"] = json!(true);
        return (status, None);
    }
    (status, Some(delay - p.elapsed))
}

/// A `flaky` container after its one restart (`timings.flaky_restart` after it started):
/// restart count 1, the crash as its last state, Ready again `timings.ready` later.
fn flaky_restarted(mut status: Value, p: &Placement, timings: &Timings) -> (Value, Option<Duration>) {
    status["restartCount"] = json!(1);
    status["lastState"] =
        json!({"terminated": {"exitCode": 137, "reason": "Error", "startedAt": p.started_at}});
    let up_again = timings.flaky_restart + timings.ready;
    if p.elapsed >= up_again {
        status["ready"] = json!(true);
        return (status, None);
    }
    (status, Some(up_again - p.elapsed))
}

/// Init containers ran to completion before the containers started.
fn init_status(c: &Value, p: &Placement) -> Value {
    let image = obj::str_at(c, "/image");
    json!({
        "image": image, "imageID": format!("lab://{image}"), "lastState": {},
        "name": obj::str_at(c, "/name"), "ready": true, "restartCount": 0, "started": false,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": p.started_at, "finishedAt": p.started_at}},
    })
}

/// The condition types of the pod's `spec.readinessGates`.
fn gate_types(pod: &Value) -> impl Iterator<Item = &str> {
    obj::at(pod, "/spec/readinessGates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|g| obj::str_at(g, "/conditionType"))
}

/// Why the readiness gates keep a pod with ready containers from being Ready, worded as the
/// kubelet words it; `None` when every gate's condition is True (or there are none).
fn unready_gates(pod: &Value, conditions: &[Value]) -> Option<String> {
    let messages: Vec<String> = gate_types(pod)
        .filter_map(|gate| match conditions.iter().find(|c| c["type"] == gate) {
            None => Some(format!(
                "corresponding condition of pod readiness gate \"{gate}\" does not exist."
            )),
            Some(c) if c["status"] != "True" => Some(format!(
                "the status of pod readiness gate \"{gate}\" is not \"True\", but {}",
                obj::str_at(c, "/status")
            )),
            Some(_) => None,
        })
        .collect();
    (!messages.is_empty()).then(|| messages.join(", "))
}

/// Keeps in `status` the readiness-gate conditions of `current` (they belong to whoever sets
/// them, not to the kubelet, whose status write must not undo a change it has not seen yet).
pub fn keep_gate_conditions(current: &Value, status: &mut Value) {
    let Some(conditions) = status["conditions"].as_array_mut() else {
        return;
    };
    for gate in gate_types(current) {
        let theirs = obj::at(current, "/status/conditions")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| c["type"] == gate));
        conditions.retain(|c| c["type"] != gate);
        conditions.extend(theirs.cloned());
    }
}

/// The kubelet's events as it starts the pod's containers: (reason, message), in order.
pub fn start_messages(pod: &Value) -> Vec<(&'static str, String)> {
    let containers = obj::at(pod, "/spec/containers").and_then(Value::as_array);
    let mut messages = Vec::new();
    for c in containers.into_iter().flatten() {
        let (name, image) = (obj::str_at(c, "/name"), obj::str_at(c, "/image"));
        messages.push((
            "Pulled",
            format!("Container image \"{image}\" already present on machine"),
        ));
        messages.push(("Created", format!("Created container: {name}")));
        messages.push(("Started", format!("Started container {name}")));
    }
    messages
}

/// The kubelet's events as it stops the pod's containers: (reason, message).
pub fn stop_messages(pod: &Value) -> Vec<(&'static str, String)> {
    let containers = obj::at(pod, "/spec/containers").and_then(Value::as_array);
    let stop = |c: &Value| {
        (
            "Killing",
            format!("Stopping container {}", obj::str_at(c, "/name")),
        )
    };
    containers.into_iter().flatten().map(stop).collect()
}

/// Restarts of the pod's containers, summed.
pub fn restarts(status: &Value) -> u64 {
    status["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["restartCount"].as_u64())
        .sum()
}

/// The kubelet's BackOff events after a restart: (container, message) for each crash-looping
/// container of the pod.
pub fn back_off_messages(pod: &Value) -> Vec<(String, String)> {
    let containers = obj::at(pod, "/spec/containers").and_then(Value::as_array);
    containers
        .into_iter()
        .flatten()
        .filter(|c| obj::str_at(c, "/image").contains("broken"))
        .map(|c| {
            let name = obj::str_at(c, "/name");
            let message = format!(
                "Back-off restarting failed container {name} in pod {}_{}({})",
                obj::name(pod),
                obj::namespace(pod),
                obj::uid(pod)
            );
            (name.to_string(), message)
        })
        .collect()
}

/// The status of a started pod at `p.elapsed`, and when it changes next.
pub fn running(pod: &Value, p: &Placement, timings: &Timings) -> (Value, Option<Duration>) {
    let containers = obj::at(pod, "/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (statuses, nexts): (Vec<Value>, Vec<Option<Duration>>) =
        containers.iter().map(|c| container_status(c, p, timings)).unzip();
    let ready = statuses.iter().all(|s| s["ready"] == true);
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut conditions: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    set_condition(&mut conditions, "PodScheduled", true, None, p.now);
    set_condition(&mut conditions, "Initialized", true, None, p.now);
    set_condition(&mut conditions, "ContainersReady", ready, None, p.now);
    let gates = ready.then(|| unready_gates(pod, &conditions)).flatten();
    let gates_reason = gates
        .clone()
        .map(|message| json!({"reason": "ReadinessGatesNotReady", "message": message}));
    set_condition(
        &mut conditions,
        "Ready",
        ready && gates.is_none(),
        gates_reason,
        p.now,
    );
    let order = ["PodScheduled", "Initialized", "ContainersReady", "Ready"];
    conditions.sort_by_key(|c| order.iter().position(|o| c["type"] == *o).unwrap_or(order.len()));
    status["conditions"] = Value::Array(conditions);
    status["containerStatuses"] = Value::Array(statuses);
    if let Some(init) = obj::at(pod, "/spec/initContainers").and_then(Value::as_array) {
        status["initContainerStatuses"] = init.iter().map(|c| init_status(c, p)).collect();
    }
    status["hostIP"] = json!(p.host_ip);
    status["hostIPs"] = json!([{"ip": p.host_ip}]);
    status["phase"] = json!("Running");
    status["podIP"] = json!(p.pod_ip);
    status["podIPs"] = json!([{"ip": p.pod_ip}]);
    status["startTime"] = json!(p.started_at);
    if status.get("qosClass").is_none() {
        status["qosClass"] = json!("BestEffort");
    }
    (status, nexts.into_iter().flatten().min())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(image: &str) -> Value {
        json!({"spec": {"containers": [{"name": "c", "image": image}]}, "status": {"phase": "Pending", "qosClass": "BestEffort"}})
    }

    fn at(elapsed_ms: u64) -> Placement<'static> {
        Placement {
            host_ip: "10.0.0.10",
            pod_ip: "10.244.0.2",
            started_at: "2026-01-01T00:00:00Z",
            elapsed: Duration::from_millis(elapsed_ms),
            now: "2026-01-01T00:00:01Z",
        }
    }

    #[test]
    fn a_normal_image_becomes_ready_after_the_ready_delay() {
        let t = Timings::fast();
        let (s, next) = running(&pod("nginx:1.25"), &at(0), &t);
        assert_eq!(s["phase"], "Running");
        assert!(!obj::condition_true(&json!({"status": s}), "Ready"));
        assert_eq!(next, Some(t.ready));
        let (s, next) = running(&pod("nginx:1.25"), &at(t.ready.as_millis() as u64), &t);
        assert!(obj::condition_true(&json!({"status": s}), "Ready"));
        assert_eq!(s["containerStatuses"][0]["imageID"], "lab://nginx:1.25");
        assert_eq!(next, None);
    }

    #[test]
    fn slow_images_take_longer() {
        let t = Timings::fast();
        let (_, next) = running(&pod("registry/slow-app:1"), &at(0), &t);
        assert_eq!(next, Some(t.slow_ready));
    }

    #[test]
    fn flaky_images_restart_once_after_being_ready() {
        let t = Timings::fast();
        let (s, next) = running(&pod("nginx:flaky-1.26"), &at(t.ready.as_millis() as u64), &t);
        assert_eq!(s["containerStatuses"][0]["ready"], true);
        assert_eq!(next, Some(t.flaky_restart - t.ready));
        let (s, next) = running(
            &pod("nginx:flaky-1.26"),
            &at(t.flaky_restart.as_millis() as u64),
            &t,
        );
        assert_eq!(s["containerStatuses"][0]["restartCount"], 1);
        assert_eq!(s["containerStatuses"][0]["ready"], false);
        assert_eq!(next, Some(t.ready));
        let later = (t.flaky_restart + t.ready).as_millis() as u64;
        let (s, next) = running(&pod("nginx:flaky-1.26"), &at(later), &t);
        assert_eq!(s["containerStatuses"][0]["ready"], true);
        assert_eq!(s["containerStatuses"][0]["restartCount"], 1);
        assert_eq!(next, None);
    }

    #[test]
    fn broken_images_crash_loop() {
        let t = Timings::fast();
        let ms = t.crash_restart.as_millis() as u64;
        let (s, next) = running(&pod("nginx:broken"), &at(ms * 3 + 1), &t);
        let c = &s["containerStatuses"][0];
        assert_eq!(c["restartCount"], 3);
        assert_eq!(c["state"]["waiting"]["reason"], "CrashLoopBackOff");
        assert_eq!(c["ready"], false);
        assert!(next.is_some());
        assert_eq!(restarts(&s), 3);
        assert!(!obj::condition_true(&json!({"status": s}), "Ready"));
        let mut named = pod("nginx:broken");
        named["metadata"] = json!({"name": "web-2", "namespace": "default", "uid": "u1"});
        assert_eq!(
            back_off_messages(&named),
            [(
                "c".to_string(),
                "Back-off restarting failed container c in pod web-2_default(u1)".to_string()
            )]
        );
        assert!(back_off_messages(&pod("nginx:1.25")).is_empty());
    }

    #[test]
    fn readiness_gates_hold_ready_until_their_condition_is_true() {
        let t = Timings::fast();
        let mut gated = pod("nginx:1.25");
        gated["spec"]["readinessGates"] = json!([{"conditionType": "example.com/lb"}]);
        let later = at(t.ready.as_millis() as u64);
        let (s, _) = running(&gated, &later, &t);
        let ready = obj::condition(&json!({"status": s.clone()}), "Ready")
            .cloned()
            .unwrap();
        assert_eq!(ready["status"], "False");
        assert_eq!(ready["reason"], "ReadinessGatesNotReady");
        assert_eq!(
            ready["message"],
            "corresponding condition of pod readiness gate \"example.com/lb\" does not exist."
        );
        assert!(obj::condition_true(
            &json!({"status": s.clone()}),
            "ContainersReady"
        ));
        gated["status"] = s;
        let gate = json!({"type": "example.com/lb", "status": "True"});
        gated["status"]["conditions"].as_array_mut().unwrap().push(gate);
        let (s, _) = running(&gated, &later, &t);
        assert!(obj::condition_true(&json!({"status": s.clone()}), "Ready"));
        let mut stale = json!({"conditions": [{"type": "Ready", "status": "False"}]});
        keep_gate_conditions(&json!({"spec": gated["spec"], "status": s}), &mut stale);
        assert_eq!(stale["conditions"][1]["type"], "example.com/lb");
    }

    #[test]
    fn conditions_keep_their_transition_time() {
        let mut conditions = vec![];
        set_condition(&mut conditions, "Ready", false, None, "t1");
        set_condition(&mut conditions, "Ready", false, None, "t2");
        assert_eq!(conditions[0]["lastTransitionTime"], "t1");
        set_condition(&mut conditions, "Ready", true, None, "t3");
        assert_eq!(conditions[0]["lastTransitionTime"], "t3");
        let s = unschedulable(&json!({}), 3, "t");
        assert_eq!(s["conditions"][0]["reason"], "Unschedulable");
        assert_eq!(
            s["conditions"][0]["message"],
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found"
        );
    }
}
