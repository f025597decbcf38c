//! The cluster DNS server's copy of Services and EndpointSlices, kept like CoreDNS's informer
//! cache: listed once at start, then fed by the store's events, each applied only
//! `propagation_delay` after it happened. Between a change and its application the server
//! answers from the old state (a recreated pod's old IP, a pod that is no longer Ready), as a
//! real cluster does while its DNS catches up. No answering here.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use crate::resources::{ENDPOINT_SLICES, SERVICES};
use crate::store::{EventKind, Store, WatchEvent};

/// Objects by namespace and name.
pub type Objects = BTreeMap<(String, String), Value>;

/// What the DNS server knows.
#[derive(Debug, Default, Clone)]
pub struct State {
    pub services: Objects,
    pub slices: Objects,
}

impl State {
    /// Applies one change (older than what is held: ignored).
    fn apply(&mut self, event: &WatchEvent) {
        let objects = match event.resource.plural {
            "services" => &mut self.services,
            "endpointslices" => &mut self.slices,
            _ => return,
        };
        let key = (event.namespace.clone(), event.name.clone());
        let held = objects.get(&key).map_or(0, resource_version);
        if held > event.rv {
            return;
        }
        match event.kind {
            EventKind::Deleted => objects.remove(&key),
            EventKind::Added | EventKind::Modified => objects.insert(key, event.object.clone()),
        };
    }
}

fn resource_version(obj: &Value) -> u64 {
    obj.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .and_then(|rv| rv.parse().ok())
        .unwrap_or(0)
}

/// The lagging copy, shared by the server's tasks.
pub struct View {
    state: RwLock<State>,
    /// The store's resourceVersion up to which changes have been applied.
    applied: AtomicU64,
}

impl View {
    /// The state now (a read lock: keep it short).
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().expect("dns view lock")
    }

    /// The resourceVersion up to which the store's changes are applied.
    pub fn applied_rv(&self) -> u64 {
        self.applied.load(Ordering::SeqCst)
    }

    fn relist(&self, store: &Store) {
        let rv = store.current_rv();
        let list = |res| {
            let (items, _) = store.list(res, None, &|_| true);
            items.into_iter().map(|o| (key_of(&o), o)).collect::<Objects>()
        };
        let state = State {
            services: list(&SERVICES),
            slices: list(&ENDPOINT_SLICES),
        };
        *self.state.write().expect("dns view lock") = state;
        self.applied.fetch_max(rv, Ordering::SeqCst);
    }
}

fn key_of(obj: &Value) -> (String, String) {
    let at = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    (at("/metadata/namespace"), at("/metadata/name"))
}

/// The part of the view that follows the store, to be run on the cluster's runtime.
pub struct Follower {
    view: Arc<View>,
    store: Arc<Store>,
    events: broadcast::Receiver<Arc<WatchEvent>>,
    delay: Duration,
}

/// Lists the store now; the returned follower applies its later changes, each `delay` late.
pub fn start(store: Arc<Store>, delay: Duration) -> (Arc<View>, Follower) {
    let events = store.subscribe();
    let view = Arc::new(View {
        state: RwLock::new(State::default()),
        applied: AtomicU64::new(0),
    });
    view.relist(&store);
    let follower = Follower {
        view: view.clone(),
        store,
        events,
        delay,
    };
    (view, follower)
}

impl Follower {
    /// Follows the store on the current tokio runtime.
    pub fn spawn(self) {
        let Follower {
            view,
            store,
            mut events,
            delay,
        } = self;
        let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Option<Arc<WatchEvent>>)>();
        tokio::spawn(async move {
            loop {
                let item = match events.recv().await {
                    Ok(event) => Some(event),
                    Err(RecvError::Lagged(_)) => None,
                    Err(RecvError::Closed) => return,
                };
                if tx.send((Instant::now(), item)).is_err() {
                    return;
                }
            }
        });
        tokio::spawn(async move {
            while let Some((at, item)) = rx.recv().await {
                tokio::time::sleep_until(at + delay).await;
                match item {
                    Some(event) => {
                        view.state.write().expect("dns view lock").apply(&event);
                        view.applied.fetch_max(event.rv, Ordering::SeqCst);
                    }
                    None => view.relist(&store),
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: EventKind, rv: u64, ip: &str) -> WatchEvent {
        WatchEvent {
            rv,
            kind,
            resource: &ENDPOINT_SLICES,
            namespace: "default".into(),
            name: "nginx-abc".into(),
            object: json!({"metadata": {"name": "nginx-abc", "namespace": "default",
                           "resourceVersion": rv.to_string()},
                           "endpoints": [{"addresses": [ip]}]}),
            previous: None,
        }
    }

    #[test]
    fn later_changes_win_and_older_ones_are_ignored() {
        let mut state = State::default();
        state.apply(&event(EventKind::Added, 5, "10.244.0.1"));
        state.apply(&event(EventKind::Modified, 7, "10.244.0.2"));
        state.apply(&event(EventKind::Modified, 6, "10.244.0.9"));
        let key = ("default".to_string(), "nginx-abc".to_string());
        assert_eq!(state.slices[&key]["endpoints"][0]["addresses"][0], "10.244.0.2");
        state.apply(&event(EventKind::Deleted, 8, "10.244.0.2"));
        assert!(state.slices.is_empty());
    }
}
