//! A controller's local copy of the kinds it reads (what an informer keeps): filled from the
//! store, then kept current from the change events the controller drains before each
//! reconcile, so a sync shares objects instead of copying every one out of the store. Reads
//! are as fresh as the last drained event.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use crate::resources::Resource;
use crate::store::{EventKind, Store, WatchEvent};

type Objects = BTreeMap<(String, String), Arc<Value>>;

/// Objects of some kinds by namespace and name.
pub struct Cache {
    kinds: Vec<&'static Resource>,
    objects: HashMap<&'static str, Objects>,
}

impl Cache {
    /// An empty cache of `kinds`.
    pub fn new(kinds: &[&'static Resource]) -> Cache {
        Cache {
            kinds: kinds.to_vec(),
            objects: HashMap::new(),
        }
    }

    /// Replaces the contents with what the store holds now.
    pub fn fill(&mut self, store: &Store) {
        self.objects.clear();
        for res in self.kinds.clone() {
            let (items, _) = store.list(res, None, &|_| true);
            let map = self.objects.entry(res.plural).or_default();
            for item in items {
                map.insert(key_of(&item), Arc::new(item));
            }
        }
    }

    /// Applies one change, if it is of a cached kind.
    pub fn observe(&mut self, event: &WatchEvent) {
        if !self.kinds.iter().any(|k| std::ptr::eq(*k, event.resource)) {
            return;
        }
        let map = self.objects.entry(event.resource.plural).or_default();
        let key = (event.namespace.clone(), event.name.clone());
        if event.kind == EventKind::Deleted {
            map.remove(&key);
        } else {
            map.insert(key, Arc::new(event.object.clone()));
        }
    }

    /// One object.
    pub fn get(&self, res: &Resource, ns: &str, name: &str) -> Option<Arc<Value>> {
        let ns = if res.namespaced { ns } else { "" };
        self.objects
            .get(res.plural)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// The objects of a kind in one namespace, by name.
    pub fn list(&self, res: &Resource, ns: &str) -> Vec<Arc<Value>> {
        let Some(map) = self.objects.get(res.plural) else {
            return Vec::new();
        };
        map.range((ns.to_string(), String::new())..)
            .take_while(|((n, _), _)| n == ns)
            .map(|(_, v)| Arc::clone(v))
            .collect()
    }

    /// The namespaces and names of every cached object of a kind.
    pub fn keys(&self, res: &Resource) -> Vec<(String, String)> {
        self.objects
            .get(res.plural)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
}

fn key_of(obj: &Value) -> (String, String) {
    let at = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    (at("/metadata/namespace"), at("/metadata/name"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::{PODS, SERVICES};
    use serde_json::json;

    fn event(kind: EventKind, ns: &str, name: &str) -> WatchEvent {
        WatchEvent {
            rv: 1,
            kind,
            resource: &PODS,
            namespace: ns.into(),
            name: name.into(),
            object: json!({"metadata": {"name": name, "namespace": ns}}),
            previous: None,
        }
    }

    #[test]
    fn follows_changes_per_namespace() {
        let mut cache = Cache::new(&[&PODS]);
        cache.observe(&event(EventKind::Added, "a", "p1"));
        cache.observe(&event(EventKind::Added, "b", "p2"));
        cache.observe(&event(EventKind::Added, "a", "p3"));
        assert_eq!(cache.list(&PODS, "a").len(), 2);
        cache.observe(&event(EventKind::Deleted, "a", "p1"));
        assert!(cache.get(&PODS, "a", "p1").is_none());
        assert_eq!(cache.list(&PODS, "a").len(), 1);
        assert!(cache.list(&SERVICES, "a").is_empty());
        assert_eq!(cache.keys(&PODS).len(), 2);
    }
}
