//! Pod transitions as the traces list them (`ADDED`, `READY`, `UNREADY`, `TERMINATING`,
//! `DELETED`), derived from the store's change events of one namespace.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sts_sim::store::{EventKind, Store, WatchEvent};
use tokio::sync::broadcast::error::RecvError;

/// One transition: event, pod, uid, revision, and when it was seen.
#[derive(Debug, Clone)]
pub struct Transition {
    pub event: String,
    pub pod: String,
    pub uid: String,
    pub revision: String,
    pub at: std::time::Instant,
}

impl std::fmt::Display for Transition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {} {}", self.event, self.pod, self.uid, self.revision)
    }
}

/// What was known of a pod: Ready, terminating.
type Seen = HashMap<String, (bool, bool)>;

fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// The transitions one change of a pod makes.
pub fn transitions(kind: EventKind, pod: &Value, seen: &mut Seen) -> Vec<Transition> {
    let uid = str_at(pod, "/metadata/uid").to_string();
    let make = |event: &str| Transition {
        event: event.to_string(),
        pod: str_at(pod, "/metadata/name").to_string(),
        uid: uid.clone(),
        revision: str_at(pod, "/metadata/labels/controller-revision-hash").to_string(),
        at: std::time::Instant::now(),
    };
    let (was_ready, was_deleting) = seen.get(&uid).copied().unwrap_or((false, false));
    let (is_ready, is_deleting) = (ready(pod), pod.pointer("/metadata/deletionTimestamp").is_some());
    let mut out = Vec::new();
    if kind == EventKind::Added {
        out.push(make("ADDED"));
    }
    if is_ready && !was_ready {
        out.push(make("READY"));
    }
    if !is_ready && was_ready && kind != EventKind::Deleted {
        out.push(make("UNREADY"));
    }
    if is_deleting && !was_deleting && kind != EventKind::Deleted {
        out.push(make("TERMINATING"));
    }
    if kind == EventKind::Deleted {
        out.push(make("DELETED"));
        seen.remove(&uid);
    } else {
        seen.insert(uid, (is_ready, is_deleting));
    }
    out
}

/// Records the transitions of the pods of a namespace from now on.
pub struct Recorder {
    log: Arc<Mutex<Vec<Transition>>>,
}

impl Recorder {
    pub fn start(store: Arc<Store>, ns: &str) -> Recorder {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut events = store.subscribe();
        let (ns, sink) = (ns.to_string(), Arc::clone(&log));
        tokio::spawn(async move {
            let mut seen = Seen::new();
            loop {
                let event: Arc<WatchEvent> = match events.recv().await {
                    Ok(e) => e,
                    Err(RecvError::Lagged(n)) => panic!("the transition recorder missed {n} events"),
                    Err(RecvError::Closed) => return,
                };
                if event.resource.plural == "pods" && event.namespace == ns {
                    let found = transitions(event.kind, &event.object, &mut seen);
                    sink.lock().expect("recorder lock").extend(found);
                }
            }
        });
        Recorder { log }
    }

    /// Records from a watch of the namespace's pods (a real control plane).
    pub fn watch(client: kube::Client, ns: &str) -> Recorder {
        use futures::StreamExt;
        use kube::runtime::watcher::{self, Event};
        let log = Arc::new(Mutex::new(Vec::new()));
        let pods: kube::Api<k8s_openapi::api::core::v1::Pod> = kube::Api::namespaced(client, ns);
        let sink = Arc::clone(&log);
        tokio::spawn(async move {
            let (mut seen, mut known) = (Seen::new(), std::collections::HashSet::new());
            let mut stream = std::pin::pin!(watcher::watcher(pods, watcher::Config::default()));
            while let Some(event) = stream.next().await {
                let (kind, pod) = match event {
                    Ok(Event::Apply(pod) | Event::InitApply(pod)) => {
                        let new = known.insert(pod.metadata.uid.clone().unwrap_or_default());
                        (
                            if new {
                                EventKind::Added
                            } else {
                                EventKind::Modified
                            },
                            pod,
                        )
                    }
                    Ok(Event::Delete(pod)) => (EventKind::Deleted, pod),
                    _ => continue,
                };
                let pod = serde_json::to_value(pod).expect("pod as JSON");
                let found = transitions(kind, &pod, &mut seen);
                sink.lock().expect("recorder lock").extend(found);
            }
        });
        Recorder { log }
    }

    /// How many transitions were seen.
    pub fn len(&self) -> usize {
        self.log.lock().expect("recorder lock").len()
    }

    /// Every transition so far.
    pub fn all(&self) -> Vec<Transition> {
        self.since(0)
    }

    /// The first transition `event` of `pod`, if seen.
    pub fn find(&self, event: &str, pod: &str) -> Option<Transition> {
        self.all().into_iter().find(|t| t.event == event && t.pod == pod)
    }

    /// The transitions from position `mark` on.
    pub fn since(&self, mark: usize) -> Vec<Transition> {
        self.log.lock().expect("recorder lock")[mark..].to_vec()
    }
}
