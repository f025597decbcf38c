//! The scheduler and the kubelets of every node: binds pods round-robin once their claims are
//! bound, starts them (IP, container statuses), makes them Ready after `timings.ready`
//! (`slow` images: `timings.slow_ready`), crash-loops `broken` images (a BackOff event at each
//! restart), and finishes graceful deletion after `timings.terminate`. Timing is kept per pod in memory; writes go through the
//! status subresource (binding through an internal write, as `pods/binding` does).

pub mod status;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::events::{self, Kind, Source};
use super::obj;
use super::runner::Reconciler;
use super::write;
use crate::config::SimConfig;
use crate::config::Timings;
use crate::error::ApiError;
use crate::resources::{PODS, PVCS};
use crate::store::{self, DeleteOptions, EventKind, Part, Store, WatchEvent};

/// A pod: namespace and name.
pub type Key = (String, String);

#[derive(Default)]
struct Track {
    first_seen: Option<Instant>,
    started: Option<Instant>,
    deleting_since: Option<Instant>,
}

/// Pod IPs from 10.244.0.0/16, each given to one live pod.
#[derive(Default)]
struct IpPool {
    next: u32,
    used: HashSet<String>,
}

impl IpPool {
    fn allocate(&mut self) -> String {
        loop {
            self.next = (self.next + 1) % (256 * 254);
            let ip = format!("10.244.{}.{}", self.next / 254, self.next % 254 + 1);
            if self.used.insert(ip.clone()) {
                return ip;
            }
        }
    }
}

/// Scheduler and kubelets.
pub struct Kubelet {
    timings: Timings,
    nodes: Vec<String>,
    tracks: HashMap<String, Track>,
    next_node: usize,
    ips: IpPool,
}

impl Kubelet {
    pub fn new(config: &SimConfig) -> Self {
        Kubelet {
            timings: config.timings.clone(),
            nodes: config.nodes.clone(),
            tracks: HashMap::new(),
            next_node: 0,
            ips: IpPool::default(),
        }
    }

    fn host_ip(&self, node: &str) -> String {
        let index = self.nodes.iter().position(|n| n == node).unwrap_or(0);
        format!("10.0.0.{}", 10 + index)
    }
}

impl Reconciler for Kubelet {
    type Key = Key;

    fn all_keys(&mut self, store: &Store) -> Vec<Key> {
        let (pods, _) = store.list(&PODS, None, &|_| true);
        for ip in pods
            .iter()
            .map(|p| obj::str_at(p, "/status/podIP"))
            .filter(|ip| !ip.is_empty())
        {
            self.ips.used.insert(ip.to_string());
        }
        pods.iter().map(key_of).collect()
    }

    fn keys_for(&mut self, store: &Store, event: &WatchEvent) -> Vec<Key> {
        match (event.resource.plural, event.kind) {
            ("pods", EventKind::Deleted) => {
                self.tracks.remove(obj::uid(&event.object));
                self.ips.used.remove(obj::str_at(&event.object, "/status/podIP"));
                Vec::new()
            }
            ("pods", _) => vec![key_of(&event.object)],
            ("persistentvolumeclaims", _) => {
                let claim = event.name.as_str();
                let (waiting, _) = store.list(&PODS, Some(&event.namespace), &|p| {
                    obj::str_at(p, "/spec/nodeName").is_empty() && obj::pod_claim_names(p).contains(&claim)
                });
                waiting.iter().map(key_of).collect()
            }
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, store: &Store, key: &Key) -> Option<Duration> {
        let pod = store.try_get(&PODS, &key.0, &key.1)?;
        let now = Instant::now();
        let track = self.tracks.entry(obj::uid(&pod).to_string()).or_default();
        track.first_seen.get_or_insert(now);
        if obj::is_deleting(&pod) {
            return self.terminate(store, &pod, now);
        }
        if obj::pod_terminal(&pod) {
            return None;
        }
        if obj::str_at(&pod, "/spec/nodeName").is_empty() {
            return self.schedule(store, &pod, now);
        }
        self.run(store, &pod, now)
    }
}

fn key_of(pod: &Value) -> Key {
    (obj::namespace(pod).to_string(), obj::name(pod).to_string())
}

impl Kubelet {
    fn track(&mut self, pod: &Value) -> &mut Track {
        self.tracks.entry(obj::uid(pod).to_string()).or_default()
    }

    /// The scheduler: waits `timings.schedule`, then binds to the next node if every claim
    /// of the pod is bound.
    fn schedule(&mut self, store: &Store, pod: &Value, now: Instant) -> Option<Duration> {
        let due = self.track(pod).first_seen.unwrap_or(now) + self.timings.schedule;
        if now < due {
            return Some(due - now);
        }
        let (ns, name) = key_of(pod);
        let stamp = store::now();
        if !claims_bound(store, pod) {
            let status = status::unschedulable(pod, self.nodes.len(), &stamp);
            let already = obj::condition(pod, "PodScheduled").is_some_and(|c| c["reason"] == "Unschedulable");
            if !already && write_status(store, pod, status).is_ok() {
                let message = obj::str_at(
                    &status::unschedulable(pod, self.nodes.len(), &stamp),
                    "/conditions/0/message",
                )
                .to_string();
                events::record_scheduler(
                    store,
                    pod,
                    Kind::Warning,
                    "FailedScheduling",
                    "Scheduling",
                    &message,
                );
            }
            return None;
        }
        let node = self.nodes[self.next_node % self.nodes.len().max(1)].clone();
        self.next_node += 1;
        let unbound = |p: &Value| obj::str_at(p, "/spec/nodeName").is_empty();
        let bound = write::guarded(store, &PODS, pod, Part::Internal, unbound, |p| {
            p["spec"]["nodeName"] = Value::String(node.clone());
            p["status"] = status::scheduled(p, &stamp);
        });
        if bound.is_ok() {
            let message = format!("Successfully assigned {ns}/{name} to {node}");
            events::record_scheduler(store, pod, Kind::Normal, "Scheduled", "Binding", &message);
        }
        None
    }

    /// The kubelet of a bound pod: starts it, then reports container progress.
    fn run(&mut self, store: &Store, pod: &Value, now: Instant) -> Option<Duration> {
        let first_start = self.track(pod).started.is_none();
        let started = *self.track(pod).started.get_or_insert(now);
        let node = obj::str_at(pod, "/spec/nodeName").to_string();
        let host_ip = self.host_ip(&node);
        let pod_ip = match obj::str_at(pod, "/status/podIP") {
            "" => self.ips.allocate(),
            ip => ip.to_string(),
        };
        let stamp = store::now();
        let started_at = match obj::str_at(pod, "/status/startTime") {
            "" => stamp.clone(),
            t => t.to_string(),
        };
        let placement = status::Placement {
            host_ip: &host_ip,
            pod_ip: &pod_ip,
            started_at: &started_at,
            elapsed: now - started,
            now: &stamp,
        };
        let (new_status, next) = status::running(pod, &placement, &self.timings);
        let was_starting = obj::pod_phase(pod) != "Running";
        let restarted = status::restarts(&new_status) > status::restarts(&pod["status"]);
        if write_status(store, pod, new_status).is_ok() {
            if first_start && was_starting {
                container_events(store, pod, &node);
            }
            if restarted {
                for (_, message) in status::back_off_messages(pod) {
                    let source = kubelet_source(&node);
                    events::record(store, &PODS, pod, source, Kind::Warning, "BackOff", &message);
                }
            }
        }
        next
    }

    /// Finishes a graceful deletion `timings.terminate` after it began.
    fn terminate(&mut self, store: &Store, pod: &Value, now: Instant) -> Option<Duration> {
        let node = obj::str_at(pod, "/spec/nodeName").to_string();
        if node.is_empty() {
            return None;
        }
        let first = self.track(pod).deleting_since.is_none();
        let since = *self.track(pod).deleting_since.get_or_insert(now);
        if first {
            for (reason, message) in status::stop_messages(pod) {
                events::record(
                    store,
                    &PODS,
                    pod,
                    kubelet_source(&node),
                    Kind::Normal,
                    reason,
                    &message,
                );
            }
        }
        let due = since + self.timings.terminate;
        if now < due {
            return Some(due - now);
        }
        let opts = DeleteOptions {
            grace_period_seconds: Some(0),
            precondition_uid: Some(obj::uid(pod).to_string()),
            ..DeleteOptions::default()
        };
        // Already gone, or replaced by a pod of the same name: nothing left to do.
        let _ = store.delete(&PODS, obj::namespace(pod), obj::name(pod), &opts);
        None
    }
}

fn kubelet_source(node: &str) -> Source<'_> {
    Source {
        component: "kubelet",
        host: Some(node),
    }
}

fn container_events(store: &Store, pod: &Value, node: &str) {
    let source = kubelet_source(node);
    for (reason, message) in status::start_messages(pod) {
        events::record(store, &PODS, pod, source, Kind::Normal, reason, &message);
    }
}

/// Every claim the pod mounts exists and is Bound.
fn claims_bound(store: &Store, pod: &Value) -> bool {
    obj::pod_claim_names(pod).into_iter().all(|claim| {
        store
            .try_get(&PVCS, obj::namespace(pod), claim)
            .is_some_and(|c| obj::str_at(&c, "/status/phase") == "Bound")
    })
}

/// Writes a pod's status if it is still the same pod, alive and not finished.
fn write_status(store: &Store, pod: &Value, status: Value) -> Result<Value, ApiError> {
    let running = |p: &Value| !obj::is_deleting(p) && !obj::pod_terminal(p);
    write::guarded(store, &PODS, pod, Part::Status, running, |p| {
        let mut status = status;
        status::keep_gate_conditions(p, &mut status);
        p["status"] = status;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_ips_are_unique() {
        let mut pool = IpPool::default();
        let ips: HashSet<String> = (0..1000).map(|_| pool.allocate()).collect();
        assert_eq!(ips.len(), 1000);
        assert!(ips.iter().all(|ip| ip.starts_with("10.244.")));
    }
}
