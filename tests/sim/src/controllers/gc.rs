//! The garbage collector (`pkg/controller/garbagecollector`): a graph of owner references
//! built from store events; dependents whose owners are all gone are deleted, owners deleted
//! with `orphan` release their dependents, owners deleted with `foregroundDeletion` wait for
//! their blocking dependents to go. Decisions are pure (`decide`); the rest is store I/O.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde_json::Value;

use super::obj::{self, OwnerRef};
use super::runner::Reconciler;
use super::write;
use crate::error::ApiError;
use crate::resources::{self, Resource};
use crate::store::{DeleteOptions, EventKind, Part, Propagation, Store, WatchEvent};

const ORPHAN: &str = "orphan";
const FOREGROUND: &str = "foregroundDeletion";

/// An object: resource plural, namespace, name.
pub type Key = (&'static str, String, String);

/// What an owner reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerState {
    /// Exists with the referenced uid.
    Solid,
    /// Gone, or replaced by an object with another uid.
    Dangling,
    /// Being deleted in the foreground: waiting for its dependents.
    Waiting,
}

/// What to do with a dependent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Nothing,
    /// Drop the references to these owner uids (other owners remain).
    RemoveRefs(Vec<String>),
    Delete(Propagation),
}

/// `attemptToDeleteItem`: the fate of a dependent given the state of each owner.
pub fn decide(refs: &[(OwnerRef, OwnerState)], has_dependents: bool, finalizers: &[&str]) -> Decision {
    let with = |s: OwnerState| {
        refs.iter()
            .filter(move |(_, st)| *st == s)
            .map(|(r, _)| r.uid.clone())
    };
    let (solid, dangling, waiting) = (
        with(OwnerState::Solid).count(),
        with(OwnerState::Dangling).collect::<Vec<_>>(),
        with(OwnerState::Waiting).collect::<Vec<_>>(),
    );
    if refs.is_empty() || (dangling.is_empty() && waiting.is_empty()) {
        return Decision::Nothing;
    }
    if solid > 0 {
        return Decision::RemoveRefs(dangling.into_iter().chain(waiting).collect());
    }
    if !waiting.is_empty() && has_dependents {
        return Decision::Delete(Propagation::Foreground);
    }
    Decision::Delete(if finalizers.contains(&ORPHAN) {
        Propagation::Orphan
    } else if finalizers.contains(&FOREGROUND) {
        Propagation::Foreground
    } else {
        Propagation::Background
    })
}

/// The garbage collector and its graph.
#[derive(Default)]
pub struct GarbageCollector {
    /// Owner uid → dependents.
    dependents: HashMap<String, BTreeSet<Key>>,
    /// Dependent → the owner uids it references.
    owners: HashMap<Key, Vec<String>>,
}

fn resource(plural: &str) -> Option<&'static Resource> {
    resources::ALL.iter().copied().find(|r| r.plural == plural)
}

fn key_of(res: &'static Resource, obj: &Value) -> Key {
    (
        res.plural,
        obj::namespace(obj).to_string(),
        obj::name(obj).to_string(),
    )
}

fn finalizers(obj: &Value) -> Vec<&str> {
    obj::at(obj, "/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

impl GarbageCollector {
    /// Records the owners of `key` (none when deleted); returns whether they changed.
    fn index(&mut self, key: &Key, owner_uids: Vec<String>) -> bool {
        let old = self.owners.remove(key).unwrap_or_default();
        for uid in &old {
            if let Some(set) = self.dependents.get_mut(uid) {
                set.remove(key);
                if set.is_empty() {
                    self.dependents.remove(uid);
                }
            }
        }
        for uid in &owner_uids {
            self.dependents
                .entry(uid.clone())
                .or_default()
                .insert(key.clone());
        }
        let changed = old != owner_uids;
        if !owner_uids.is_empty() {
            self.owners.insert(key.clone(), owner_uids);
        }
        changed
    }

    fn dependents_of(&self, uid: &str) -> Vec<Key> {
        self.dependents
            .get(uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl Reconciler for GarbageCollector {
    type Key = Key;

    fn all_keys(&mut self, store: &Store) -> Vec<Key> {
        let mut keys = Vec::new();
        for res in resources::ALL.iter().copied().filter(|r| r.plural != "events") {
            let (objects, _) = store.list(res, None, &|o| {
                obj::at(o, "/metadata/ownerReferences").is_some() || obj::is_deleting(o)
            });
            for o in &objects {
                let key = key_of(res, o);
                self.index(&key, obj::owner_refs(o).into_iter().map(|r| r.uid).collect());
                keys.push(key);
            }
        }
        keys
    }

    fn keys_for(&mut self, _store: &Store, event: &WatchEvent) -> Vec<Key> {
        if event.resource.plural == "events" {
            return Vec::new();
        }
        let o = &event.object;
        let key = key_of(event.resource, o);
        let refs = obj::owner_refs(o);
        if event.kind == EventKind::Deleted {
            self.index(&key, Vec::new());
            let mut keys = self.dependents_of(obj::uid(o));
            keys.extend(refs.iter().flat_map(|r| self.owner_keys(r, &key)));
            return keys;
        }
        let changed = self.index(&key, refs.iter().map(|r| r.uid.clone()).collect());
        let deleting =
            obj::is_deleting(o) && (obj::has_finalizer(o, ORPHAN) || obj::has_finalizer(o, FOREGROUND));
        if changed || event.kind == EventKind::Added || deleting {
            vec![key]
        } else {
            Vec::new()
        }
    }

    fn reconcile(&mut self, store: &Store, key: &Key) -> Option<Duration> {
        let res = resource(key.0)?;
        let o = store.try_get(res, &key.1, &key.2)?;
        let result = if obj::is_deleting(&o) {
            self.finish_owner(store, res, &o)
        } else {
            self.attempt_to_delete(store, res, &o)
        };
        result.err().map(|_| Duration::from_millis(50))
    }
}

impl GarbageCollector {
    /// The keys of objects that may be the owner `r` of `dependent` (waiting owners are
    /// looked at again when a dependent goes).
    fn owner_keys(&self, r: &OwnerRef, dependent: &Key) -> Vec<Key> {
        match resources::by_kind(&r.api_version, &r.kind) {
            Some(res) => {
                let ns = if res.namespaced {
                    dependent.1.clone()
                } else {
                    String::new()
                };
                vec![(res.plural, ns, r.name.clone())]
            }
            None => Vec::new(),
        }
    }

    fn owner_state(store: &Store, ns: &str, r: &OwnerRef) -> OwnerState {
        let Some(res) = resources::by_kind(&r.api_version, &r.kind) else {
            return OwnerState::Solid;
        };
        match store.try_get(res, if res.namespaced { ns } else { "" }, &r.name) {
            Some(owner) if obj::uid(&owner) == r.uid => {
                if obj::is_deleting(&owner) && obj::has_finalizer(&owner, FOREGROUND) {
                    OwnerState::Waiting
                } else {
                    OwnerState::Solid
                }
            }
            _ => OwnerState::Dangling,
        }
    }

    fn attempt_to_delete(&self, store: &Store, res: &'static Resource, o: &Value) -> Result<(), ApiError> {
        let refs: Vec<(OwnerRef, OwnerState)> = obj::owner_refs(o)
            .into_iter()
            .map(|r| {
                let state = Self::owner_state(store, obj::namespace(o), &r);
                (r, state)
            })
            .collect();
        let has_dependents = !self.dependents_of(obj::uid(o)).is_empty();
        let uid = obj::uid(o).to_string();
        match decide(&refs, has_dependents, &finalizers(o)) {
            Decision::Nothing => Ok(()),
            Decision::RemoveRefs(uids) => {
                write::same(store, res, o, Part::Main, |d| {
                    uids.iter().for_each(|u| {
                        obj::remove_owner_refs(d, u);
                    })
                })?;
                Ok(())
            }
            Decision::Delete(propagation) => {
                let opts = DeleteOptions {
                    propagation: Some(propagation),
                    precondition_uid: Some(uid),
                    ..DeleteOptions::default()
                };
                ignore_gone(store.delete(res, obj::namespace(o), obj::name(o), &opts))
            }
        }
    }

    /// An owner being deleted: orphans its dependents or waits for them.
    fn finish_owner(&self, store: &Store, res: &'static Resource, o: &Value) -> Result<(), ApiError> {
        let uid = obj::uid(o);
        if obj::has_finalizer(o, ORPHAN) {
            for (plural, ns, name) in self.dependents_of(uid) {
                let dep_res = resource(plural).expect("indexed resources are served");
                ignore_gone(store.modify(dep_res, &ns, &name, Part::Main, false, |d| {
                    obj::remove_owner_refs(d, uid);
                    Ok(())
                }))?;
            }
            return remove_finalizer(store, res, o, ORPHAN);
        }
        if !obj::has_finalizer(o, FOREGROUND) {
            return Ok(());
        }
        let mut blocking = 0;
        for (plural, ns, name) in self.dependents_of(uid) {
            let dep_res = resource(plural).expect("indexed resources are served");
            let Some(dep) = store.try_get(dep_res, &ns, &name) else {
                continue;
            };
            if !obj::owner_refs(&dep)
                .iter()
                .any(|r| r.uid == uid && r.block_owner_deletion)
            {
                continue;
            }
            blocking += 1;
            if !obj::is_deleting(&dep) {
                self.attempt_to_delete(store, dep_res, &dep)?;
            }
        }
        if blocking == 0 {
            return remove_finalizer(store, res, o, FOREGROUND);
        }
        Ok(())
    }
}

fn remove_finalizer(
    store: &Store,
    res: &'static Resource,
    o: &Value,
    finalizer: &str,
) -> Result<(), ApiError> {
    ignore_gone(write::same(store, res, o, Part::Internal, |x| {
        obj::remove_finalizer(x, finalizer);
    }))
}

/// Not found (or replaced: a uid conflict) means the work is done.
fn ignore_gone(result: Result<Value, ApiError>) -> Result<(), ApiError> {
    match result {
        Err(e) if e.code == 404 || (e.code == 409 && e.reason == "Conflict") => Ok(()),
        other => other.map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(uid: &str) -> OwnerRef {
        OwnerRef {
            api_version: "apps/v1".into(),
            kind: "StatefulSet".into(),
            name: "web".into(),
            uid: uid.into(),
            controller: true,
            block_owner_deletion: true,
        }
    }

    #[test]
    fn dependents_of_vanished_owners_are_deleted() {
        use OwnerState::*;
        assert_eq!(decide(&[(r("a"), Solid)], false, &[]), Decision::Nothing);
        assert_eq!(decide(&[], false, &[]), Decision::Nothing);
        assert_eq!(
            decide(&[(r("a"), Dangling)], false, &[]),
            Decision::Delete(Propagation::Background)
        );
        assert_eq!(
            decide(&[(r("a"), Dangling), (r("b"), Solid)], false, &[]),
            Decision::RemoveRefs(vec!["a".into()])
        );
        assert_eq!(
            decide(&[(r("a"), Waiting)], true, &[]),
            Decision::Delete(Propagation::Foreground)
        );
        assert_eq!(
            decide(&[(r("a"), Waiting)], false, &[]),
            Decision::Delete(Propagation::Background)
        );
        assert_eq!(
            decide(&[(r("a"), Dangling)], false, &["orphan"]),
            Decision::Delete(Propagation::Orphan)
        );
    }

    #[test]
    fn the_graph_follows_owner_references() {
        let mut gc = GarbageCollector::default();
        let pod: Key = ("pods", "ns".into(), "web-0".into());
        assert!(gc.index(&pod, vec!["set".into()]));
        assert!(!gc.index(&pod, vec!["set".into()]));
        assert_eq!(gc.dependents_of("set"), vec![pod.clone()]);
        gc.index(&pod, Vec::new());
        assert!(gc.dependents_of("set").is_empty());
    }
}
