//! The kubelets of the stand-in's nodes: a pod bound to a running node starts at once (IP,
//! container statuses) and becomes Ready after `timings.ready` (`slow` images:
//! `timings.slow_ready`); `broken` images crash-loop with BackOff events; a pod being deleted is
//! removed (grace 0, uid precondition) after `timings.terminate`. Statuses are the simulator
//! kubelet's (`sts_sim::controllers::kubelet::status`), written whenever what they say changes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use serde_json::{Value, json};
use sts_sim::controllers::events::{self, Kind, Source};
use sts_sim::controllers::kubelet::status::{self, Placement, running};
use sts_sim::controllers::obj;
use tokio::time::Instant;

use crate::Shared;

const TICK: Duration = Duration::from_millis(20);
/// A write or delete not reflected by the watch after this long is tried again.
const RETRY: Duration = Duration::from_secs(2);

/// Events of one kind: (reason, message) each.
type Messages = Vec<(&'static str, String)>;

/// What the kubelet remembers of one pod (by uid).
struct Track {
    started: Instant,
    started_at: String,
    pod_ip: String,
    deleting_since: Option<Instant>,
    last_write: Option<(String, Instant)>,
    restarts: u64,
    /// Its containers' start was reported (Pulled, Created, Started).
    announced: bool,
}

/// The kubelet loop: a watch cache of pods, looked at every tick.
pub async fn run(shared: Arc<Shared>) {
    let (reader, writer) = reflector::store::<Pod>();
    let pods: Api<Pod> = Api::all(shared.client.clone());
    let stream = reflector(
        writer,
        watcher(pods, watcher::Config::default()).default_backoff(),
    );
    tokio::spawn(stream.for_each(|_| futures::future::ready(())));
    let mut kubelet = Kubelet {
        shared,
        tracks: HashMap::new(),
        next_ip: HashMap::new(),
        busy: Arc::default(),
        settled: HashMap::new(),
    };
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        let state = reader.state();
        let live: HashSet<String> = state.iter().filter_map(|p| p.metadata.uid.clone()).collect();
        kubelet.tracks.retain(|uid, _| live.contains(uid));
        kubelet.settled.retain(|uid, _| live.contains(uid));
        for pod in state {
            let (uid, version) = (
                pod.metadata.uid.as_deref(),
                pod.metadata.resource_version.as_deref(),
            );
            if uid.is_some_and(|uid| kubelet.settled.get(uid).map(String::as_str) == version) {
                continue;
            }
            if let Ok(pod) = serde_json::to_value(&*pod) {
                kubelet.visit(&pod);
            }
        }
    }
}

struct Kubelet {
    shared: Arc<Shared>,
    tracks: HashMap<String, Track>,
    next_ip: HashMap<usize, u32>,
    /// Pods (uids) with a write in flight.
    busy: Arc<Mutex<HashSet<String>>>,
    /// Pods with nothing left to do until they change (uid -> the resourceVersion seen): not
    /// scheduled, or with their status written and nothing left to change by itself. They are not looked at again, so that
    /// hundreds of running pods do not cost a core (a look serializes the pod).
    settled: HashMap<String, String>,
}

impl Kubelet {
    fn visit(&mut self, pod: &Value) {
        let node = obj::str_at(pod, "/spec/nodeName");
        if node.is_empty() || obj::pod_terminal(pod) {
            self.settle(pod);
            return;
        }
        // A stopped node's pods are looked at again when it comes back.
        if !self.shared.serves(node) {
            return;
        }
        let uid = obj::uid(pod).to_string();
        if self.busy.lock().unwrap().contains(&uid) {
            return;
        }
        if !self.tracks.contains_key(&uid) {
            let track = self.new_track(pod, node);
            self.tracks.insert(uid.clone(), track);
        }
        if obj::is_deleting(pod) {
            self.terminate(pod, &uid);
        } else {
            self.report(pod, node, &uid);
        }
    }

    fn new_track(&mut self, pod: &Value, node: &str) -> Track {
        let index = self.shared.index(node);
        let pod_ip = match obj::str_at(pod, "/status/podIP") {
            "" => {
                let next = self.next_ip.entry(index).or_insert(1);
                *next = *next % 253 + 1;
                format!("10.244.{index}.{}", *next + 1)
            }
            ip => ip.to_string(),
        };
        let started_at = match obj::str_at(pod, "/status/startTime") {
            "" => sts_sim::store::now(),
            since => since.to_string(),
        };
        let restarts = status::restarts(&pod["status"]);
        Track {
            started: Instant::now(),
            started_at,
            pod_ip,
            deleting_since: None,
            last_write: None,
            restarts,
            // A pod already running (the stand-in restarted) was announced before.
            announced: obj::pod_phase(pod) == "Running",
        }
    }

    /// Nothing to do for the pod until it changes.
    fn settle(&mut self, pod: &Value) {
        let version = obj::str_at(pod, "/metadata/resourceVersion").to_string();
        self.settled.insert(obj::uid(pod).to_string(), version);
    }

    /// Deletes the pod for good once its grace in this kubelet is over.
    fn terminate(&mut self, pod: &Value, uid: &str) {
        let track = self.tracks.get_mut(uid).expect("tracked");
        if track.deleting_since.is_none() {
            let (client, pod, node) = (
                self.shared.client.clone(),
                pod.clone(),
                obj::str_at(pod, "/spec/nodeName").to_string(),
            );
            tokio::spawn(async move {
                record_events(&client, &pod, &node, Kind::Normal, status::stop_messages(&pod)).await;
            });
        }
        let since = *track.deleting_since.get_or_insert_with(Instant::now);
        let sent = track
            .last_write
            .as_ref()
            .is_some_and(|(what, at)| what == "delete" && at.elapsed() < RETRY);
        if since.elapsed() < self.shared.config.timings.terminate || sent {
            return;
        }
        track.last_write = Some(("delete".into(), Instant::now()));
        let api: Api<Pod> = Api::namespaced(self.shared.client.clone(), obj::namespace(pod));
        let (name, uid) = (obj::name(pod).to_string(), uid.to_string());
        let params = DeleteParams {
            grace_period_seconds: Some(0),
            preconditions: Some(Preconditions {
                uid: Some(uid),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        tokio::spawn(async move {
            let _ = api.delete(&name, &params).await;
        });
    }

    /// Writes the status the pod has at this moment, if it says something new.
    fn report(&mut self, pod: &Value, node: &str, uid: &str) {
        let host_ip = crate::nodes::host_ip(self.shared.index(node));
        let now = sts_sim::store::now();
        let track = self.tracks.get_mut(uid).expect("tracked");
        let placement = Placement {
            host_ip: &host_ip,
            pod_ip: &track.pod_ip,
            started_at: &track.started_at,
            elapsed: track.started.elapsed(),
            now: &now,
        };
        let (status, next_change) = running(pod, &placement, &self.shared.config.timings);
        let wanted = digest(&status);
        let fresh = track
            .last_write
            .as_ref()
            .is_some_and(|(d, at)| *d == wanted && at.elapsed() < RETRY);
        if wanted == digest(&pod["status"]) {
            // Nothing will change by itself (a `flaky` image restarts later, a `slow` one is
            // Ready later, a `broken` one keeps restarting).
            if next_change.is_none() {
                self.settle(pod);
            }
            return;
        }
        if fresh {
            return;
        }
        let mut events = Vec::new();
        if !track.announced {
            track.announced = true;
            events.push((Kind::Normal, status::start_messages(pod)));
        }
        let restarts = status::restarts(&status);
        if restarts > track.restarts {
            let back_off = status::back_off_messages(pod)
                .into_iter()
                .map(|(_, m)| ("BackOff", m));
            events.push((Kind::Warning, back_off.collect()));
        }
        track.restarts = restarts;
        track.last_write = Some((wanted, Instant::now()));
        self.write(pod, node, status, events);
    }

    /// Writes the status, then records the events (reason, message) that go with it.
    fn write(&self, pod: &Value, node: &str, status: Value, events: Vec<(Kind, Messages)>) {
        let client = self.shared.client.clone();
        let (pod, node, busy) = (pod.clone(), node.to_string(), self.busy.clone());
        let uid = obj::uid(&pod).to_string();
        busy.lock().unwrap().insert(uid.clone());
        tokio::spawn(async move {
            let api: Api<Pod> = Api::namespaced(client.clone(), obj::namespace(&pod));
            let body = json!({"status": status});
            if let Err(e) = api
                .patch_status(obj::name(&pod), &PatchParams::default(), &Patch::Merge(&body))
                .await
            {
                eprintln!("node-standin: status of {}: {e}", obj::name(&pod));
            }
            for (kind, messages) in events {
                record_events(&client, &pod, &node, kind, messages).await;
            }
            busy.lock().unwrap().remove(&uid);
        });
    }
}

/// What a status says that matters to its readers: phase, IP, readiness, container states.
fn digest(status: &Value) -> String {
    let containers: Vec<String> = status["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let state = c["state"]
                .as_object()
                .and_then(|s| s.keys().next().cloned())
                .unwrap_or_default();
            format!("{}:{}:{}:{state}", c["name"], c["ready"], c["restartCount"])
        })
        .collect();
    let ready = |kind: &str| {
        status["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == kind && c["status"] == "True")
    };
    format!(
        "{}|{}|{}|{}|{}",
        status["phase"],
        status["podIP"],
        ready("Ready"),
        ready("ContainersReady"),
        containers.join(",")
    )
}

/// Records the kubelet's events about the pod, (reason, message) each.
async fn record_events(client: &kube::Client, pod: &Value, node: &str, kind: Kind, events: Messages) {
    let api: Api<Event> = Api::namespaced(client.clone(), obj::namespace(pod));
    let source = Source {
        component: "kubelet",
        host: Some(node),
    };
    for (reason, message) in events {
        let event = events::event(&sts_sim::resources::PODS, pod, source, kind, reason, &message);
        let Ok(event) = serde_json::from_value::<Event>(event) else {
            continue;
        };
        if let Err(e) = api.create(&PostParams::default(), &event).await {
            eprintln!("node-standin: {reason} event of {}: {e}", obj::name(pod));
        }
    }
}
