//! The StatefulSet controller (`pkg/controller/statefulset`): one sync per set, woken by changes
//! of the set, its pods, claims and revisions. A sync adopts and releases pods, resolves the
//! revisions, plans (`plan.rs`), acts (`control.rs`), reports status and prunes history.

mod control;
mod history;
mod plan;
mod pods;
mod retention;
pub mod revisions;
pub mod spec;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use self::spec::SetSpec;
use super::cache::Cache;
use super::obj;
use super::runner::Reconciler;
use super::write;
use crate::error::ApiError;
use crate::resources::{CONTROLLER_REVISIONS, PODS, PVCS, STATEFULSETS};
use crate::store::{EventKind, Part, Store, WatchEvent};

/// A set: namespace and name.
pub type Key = (String, String);

/// The controller's memory: what it has seen of sets, pods, claims and revisions, and the
/// retry backoff of failing syncs.
pub struct StatefulSetController {
    failures: HashMap<Key, u32>,
    cache: Cache,
}

impl Default for StatefulSetController {
    fn default() -> Self {
        StatefulSetController {
            failures: HashMap::new(),
            cache: Cache::new(&[&STATEFULSETS, &PODS, &PVCS, &CONTROLLER_REVISIONS]),
        }
    }
}

impl Reconciler for StatefulSetController {
    type Key = Key;

    fn all_keys(&mut self, store: &Store) -> Vec<Key> {
        self.cache.fill(store);
        self.cache.keys(&STATEFULSETS)
    }

    fn keys_for(&mut self, _store: &Store, event: &WatchEvent) -> Vec<Key> {
        self.cache.observe(event);
        let ns = event.namespace.clone();
        let o = &event.object;
        match event.resource.plural {
            "statefulsets" => vec![(ns, event.name.clone())],
            "pods" if obj::pod_changed(event.previous.as_ref(), Some(o)) => {
                let mut keys: Vec<Key> = owner_set(o).into_iter().map(|n| (ns.clone(), n)).collect();
                if let Some((parent, _)) = spec::parent_and_ordinal(&event.name) {
                    keys.push((ns, parent.to_string()));
                }
                keys
            }
            "controllerrevisions" => match owner_set(o) {
                Some(name) => vec![(ns, name)],
                None => self.sets_in(&ns),
            },
            "persistentvolumeclaims" if claim_changed(event) => self.sets_in(&ns),
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, store: &Store, key: &Key) -> Option<Duration> {
        match sync(store, &self.cache, &key.0, &key.1) {
            Ok(requeue) => {
                self.failures.remove(key);
                requeue
            }
            Err(_) => {
                let failures = self.failures.entry(key.clone()).or_insert(0);
                *failures = (*failures + 1).min(18);
                // The work queue's rate limiter: 5ms doubling per failure.
                Some(Duration::from_millis(5) * 2u32.pow(*failures))
            }
        }
    }
}

impl StatefulSetController {
    fn sets_in(&self, ns: &str) -> Vec<Key> {
        self.cache
            .list(&STATEFULSETS, ns)
            .iter()
            .map(|s| (ns.to_string(), obj::name(s).to_string()))
            .collect()
    }
}

/// Claims matter to the controller when they come, go, start going or change owners.
fn claim_changed(event: &WatchEvent) -> bool {
    let watched = |c: &Value| {
        (
            obj::is_deleting(c),
            obj::at(c, "/metadata/ownerReferences").cloned(),
        )
    };
    event.kind != EventKind::Modified
        || event
            .previous
            .as_ref()
            .is_none_or(|p| watched(p) != watched(&event.object))
}

fn owner_set(obj: &Value) -> Option<String> {
    obj::controller_ref(obj)
        .filter(|r| r.kind == "StatefulSet" && r.api_version == "apps/v1")
        .map(|r| r.name)
}

/// One sync of a set; returns when availability (minReadySeconds) needs another look.
fn sync(store: &Store, cache: &Cache, ns: &str, name: &str) -> Result<Option<Duration>, ApiError> {
    let Some(set) = cache.get(&STATEFULSETS, ns, name) else {
        return Ok(None);
    };
    let spec = SetSpec::from_object(&set);
    let mut revisions = history::list_and_adopt(store, cache, &set, &spec);
    let owned = claim_pods(store, cache, &set, &spec);
    let pods: Vec<&Value> = owned.iter().map(|p| &**p).collect();
    let (current, update, collision) = history::resolve(store, &set, &spec, &mut revisions)?;
    let claim_list = cache.list(&PVCS, ns);
    let claims: BTreeMap<String, &Value> = claim_list
        .iter()
        .map(|c| (obj::name(c).to_string(), &**c))
        .collect();
    let now = jiff::Timestamp::now();
    let inputs = plan::Inputs {
        set: &set,
        spec: &spec,
        current: &current,
        update: &update,
        pods: &pods,
        claims: &claims,
        now,
    };
    let plan = plan::plan(&inputs);
    let control = control::Control {
        store,
        set: &set,
        spec: &spec,
        revisions: revisions
            .iter()
            .map(|r| (obj::name(r).to_string(), r.clone()))
            .collect(),
    };
    let acted = control.run(&plan.actions);
    write_status(
        store,
        &set,
        plan::status(&spec, plan.counts, &current, &update, collision),
    )?;
    let mut live: HashSet<String> = pods.iter().map(|p| spec::revision_of(p).to_string()).collect();
    live.extend([current, update]);
    history::truncate(store, &spec, &revisions, &live);
    acted?;
    Ok(next_availability(&spec, &pods, now))
}

fn write_status(store: &Store, set: &Value, status: Value) -> Result<(), ApiError> {
    if !plan::status_changed(&set["status"], &status) {
        return Ok(());
    }
    write::status(store, &STATEFULSETS, set, status)?;
    Ok(())
}

/// When the next Ready pod becomes available, if the set waits on `minReadySeconds`.
fn next_availability(spec: &SetSpec, pods: &[&Value], now: jiff::Timestamp) -> Option<Duration> {
    if spec.min_ready_seconds <= 0 {
        return None;
    }
    pods.iter()
        .filter(|p| obj::pod_ready(p) && !obj::pod_available(p, spec.min_ready_seconds, now))
        .filter_map(|p| obj::available_at(p, spec.min_ready_seconds))
        .map(|at| now.duration_until(at).unsigned_abs() + Duration::from_millis(20))
        .min()
}

/// The pods the set owns after adopting matching orphans and releasing pods that no longer
/// match (`ClaimPods`).
fn claim_pods(store: &Store, cache: &Cache, set: &Value, spec: &SetSpec) -> Vec<Arc<Value>> {
    let mut owned = Vec::new();
    for pod in cache.list(&PODS, &spec.namespace) {
        if !spec.is_member(obj::name(&pod)) {
            continue;
        }
        let matches = spec.selector.matches_object(&pod);
        match obj::controller_ref(&pod) {
            Some(r) if r.uid == spec.uid => {
                if matches {
                    owned.push(pod);
                } else if !spec.deleting {
                    set_owner(store, &pod, |p| {
                        obj::remove_owner_refs(p, &spec.uid);
                    });
                }
            }
            Some(_) => {}
            None if matches && !spec.deleting && !obj::is_deleting(&pod) => {
                let reference = obj::new_controller_ref(&STATEFULSETS, set);
                if let Some(adopted) = set_owner(store, &pod, |p| obj::push_owner_ref(p, reference)) {
                    owned.push(Arc::new(adopted));
                }
            }
            None => {}
        }
    }
    owned
}

/// Changes a pod's owner references if it is still the same pod with the same controller.
fn set_owner(store: &Store, pod: &Value, change: impl FnOnce(&mut Value)) -> Option<Value> {
    let before = obj::controller_ref(pod).map(|r| r.uid);
    let unchanged = |p: &Value| obj::controller_ref(p).map(|r| r.uid) == before;
    write::guarded(store, &PODS, pod, Part::Main, unchanged, change).ok()
}
