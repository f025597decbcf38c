//! The simulated etcd + registry: objects as JSON, one global resourceVersion counter,
//! generations, uids, graceful deletion with finalizers, and the event history watches replay.
//! It knows nothing of HTTP or of controllers; both go through it, as they would through the
//! real API server's storage layer.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value, json};
use tokio::sync::broadcast;

use crate::error::ApiError;
use crate::resources::{self, Resource};
use crate::{defaults, validation};

/// How many events are kept for watches that resume from a resourceVersion; older ones answer
/// 410 Expired, as a compacted etcd does.
pub const DEFAULT_HISTORY: usize = 20_000;

/// How many live events a subscriber may fall behind before it lags.
pub const DEFAULT_WATCH_BUFFER: usize = 65_536;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Added,
    Modified,
    Deleted,
}

impl EventKind {
    /// The watch event `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Added => "ADDED",
            EventKind::Modified => "MODIFIED",
            EventKind::Deleted => "DELETED",
        }
    }
}

/// One change, as stored in the history and sent to subscribers.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    pub rv: u64,
    pub kind: EventKind,
    pub resource: &'static Resource,
    pub namespace: String,
    pub name: String,
    /// The object after the change (for `Deleted`: its last state, with the deletion's rv).
    pub object: Value,
    /// For `Modified`: the object before the change (watches with selectors turn an object
    /// leaving the selection into `DELETED` and one entering it into `ADDED`).
    pub previous: Option<Value>,
}

/// Read access to the stored objects under the store lock, for admission-like checks in
/// defaulting and validation (the default StorageClass, allocated cluster IPs, ...).
pub trait ObjectView {
    /// One stored object.
    fn get(&self, res: &'static Resource, ns: &str, name: &str) -> Option<&Value>;
    /// Every stored object of a kind, in all namespaces.
    fn all(&self, res: &'static Resource) -> Vec<&Value>;
}

/// The events to replay and the receiver of everything after them (`Store::watch_from`).
pub type WatchStart = (Vec<Arc<WatchEvent>>, broadcast::Receiver<Arc<WatchEvent>>);

/// Which part of an object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The main resource: status is kept as it was (for resources with a status subresource).
    Main,
    /// The `/status` subresource: only status changes.
    Status,
    /// Everything, including metadata the API keeps immutable for clients (controllers' own
    /// bookkeeping such as finalizers or deletion state goes through here). The generation is
    /// left alone, as for the `pods/binding` subresource setting `spec.nodeName`.
    Internal,
}

/// `propagationPolicy` of a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

/// The options of a DELETE (query parameters or DeleteOptions body).
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub grace_period_seconds: Option<i64>,
    pub propagation: Option<Propagation>,
    pub precondition_uid: Option<String>,
    pub precondition_rv: Option<String>,
    pub dry_run: bool,
}

/// The object store.
pub struct Store {
    state: Mutex<State>,
    events: broadcast::Sender<Arc<WatchEvent>>,
}

struct State {
    rv: u64,
    objects: HashMap<&'static str, BTreeMap<(String, String), Value>>,
    history: VecDeque<Arc<WatchEvent>>,
    history_limit: usize,
    /// Highest rv dropped from the history; a watch from at or below it is expired.
    compacted: u64,
    uid_seed: u64,
    uid_counter: u64,
}

impl Default for Store {
    fn default() -> Self {
        Self::new(DEFAULT_HISTORY)
    }
}

impl Store {
    /// An empty store keeping `history_limit` events for watches.
    pub fn new(history_limit: usize) -> Self {
        Self::with_watch_buffer(history_limit, DEFAULT_WATCH_BUFFER)
    }

    /// An empty store keeping `history_limit` events, whose subscribers may fall `buffer`
    /// events behind before they lag (a lagging watch ends with 410 Expired).
    pub fn with_watch_buffer(history_limit: usize, buffer: usize) -> Self {
        let (events, _) = broadcast::channel(buffer.max(1));
        let uid_seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Store {
            state: Mutex::new(State {
                rv: 1000,
                objects: HashMap::new(),
                history: VecDeque::new(),
                history_limit,
                compacted: 1000,
                uid_seed,
                uid_counter: 0,
            }),
            events,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The current resourceVersion (of the last write).
    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    /// The highest resourceVersion dropped from the history: watches and list continuations
    /// from at or below it are expired.
    pub fn compacted_rv(&self) -> u64 {
        self.lock().compacted
    }

    /// Drops all history up to now, so every watch from an older resourceVersion gets 410.
    pub fn compact(&self) {
        let mut state = self.lock();
        state.history.clear();
        state.compacted = state.rv;
    }

    /// A receiver of every future change.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.events.subscribe()
    }

    /// Atomically: the stored events after `rv` and a receiver for everything after them.
    /// `rv` older than the kept history gives 410 Expired.
    pub fn watch_from(&self, rv: u64) -> Result<WatchStart, ApiError> {
        let state = self.lock();
        if rv < state.compacted {
            return Err(ApiError::expired(rv, state.compacted));
        }
        let replay = state.history.iter().filter(|e| e.rv > rv).cloned().collect();
        Ok((replay, self.events.subscribe()))
    }

    /// One object.
    pub fn get(&self, res: &'static Resource, ns: &str, name: &str) -> Result<Value, ApiError> {
        self.lock()
            .find(res, ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(res, name))
    }

    /// One object, if it exists.
    pub fn try_get(&self, res: &'static Resource, ns: &str, name: &str) -> Option<Value> {
        self.lock().find(res, ns, name).cloned()
    }

    /// Objects of a kind (in one namespace, or all with `None`) that pass `filter`, ordered by
    /// namespace and name, with the list resourceVersion.
    pub fn list(
        &self,
        res: &'static Resource,
        ns: Option<&str>,
        filter: &dyn Fn(&Value) -> bool,
    ) -> (Vec<Value>, u64) {
        self.with_list(res, ns, filter, |items, rv| {
            (items.into_iter().cloned().collect(), rv)
        })
    }

    /// Like `list`, but lends `read` the selected objects under the store lock instead of
    /// copying them (an answer serialized at once needs no deep copy of a thousand pods).
    pub fn with_list<T>(
        &self,
        res: &'static Resource,
        ns: Option<&str>,
        filter: &dyn Fn(&Value) -> bool,
        read: impl FnOnce(Vec<&Value>, u64) -> T,
    ) -> T {
        let state = self.lock();
        let items = state
            .objects
            .get(res.plural)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(|((obj_ns, _), _)| ns.is_none_or(|ns| ns == obj_ns))
            .map(|(_, obj)| obj)
            .filter(|obj| filter(obj))
            .collect();
        read(items, state.rv)
    }

    /// Creates an object (defaults filled in, uid, resourceVersion, timestamps); honours
    /// `generateName`. 409 AlreadyExists, 404 for a missing namespace, 422 from validation.
    pub fn create(
        &self,
        res: &'static Resource,
        ns: &str,
        mut obj: Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let mut state = self.lock();
        let ns = if res.namespaced { ns } else { "" };
        if res.namespaced {
            let Some(namespace) = state.find(&resources::NAMESPACES, "", ns) else {
                return Err(ApiError::not_found(&resources::NAMESPACES, ns));
            };
            if namespace.pointer("/metadata/deletionTimestamp").is_some() {
                let name = obj
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let why =
                    format!("unable to create new content in namespace {ns} because it is being terminated");
                return Err(ApiError::forbidden_by_admission(res, name, &why));
            }
        }
        let name = state.choose_name(res, ns, &obj)?;
        if state.find(res, ns, &name).is_some() {
            return Err(ApiError::already_exists(res, &name));
        }
        if res.plural == "pods" {
            crate::quota::admit_pod(&*state, ns, &name)?;
        }
        let uid = state.next_uid();
        prepare_new(res, ns, &name, &uid, &mut obj);
        defaults::apply(res, &mut obj);
        validation::validate_create(res, &obj, &*state)?;
        defaults::admit_create(res, &mut obj, &*state)?;
        if dry_run {
            return Ok(obj);
        }
        Ok(self.commit(&mut state, res, ns, &name, EventKind::Added, obj, None))
    }

    /// Read-modify-write of one object under the store lock. `change` edits a copy; the write
    /// then follows the rules of `part` (status kept or alone changed), rejects a stale
    /// `metadata.resourceVersion` left in the copy with 409, raises the generation when the
    /// spec changed, and writes nothing (no new resourceVersion, no event) when nothing changed.
    pub fn modify(
        &self,
        res: &'static Resource,
        ns: &str,
        name: &str,
        part: Part,
        dry_run: bool,
        change: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let mut state = self.lock();
        let ns = if res.namespaced { ns } else { "" };
        let old = state
            .find(res, ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(res, name))?;
        let mut new = old.clone();
        change(&mut new)?;
        let sent_rv = new
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let old_rv = old
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !sent_rv.is_empty() && sent_rv != old_rv {
            return Err(ApiError::conflict(res, name));
        }
        let mut new = merge_write(res, part, &old, new);
        if part != Part::Internal {
            defaults::admit_update(res, &old, &mut new);
            validation::validate_update(res, &old, &new, &*state)?;
        }
        if without_rv(&new) == without_rv(&old) || dry_run {
            return Ok(if dry_run { new } else { old });
        }
        if is_finalized(&new) {
            return Ok(self.remove(&mut state, res, ns, name, new));
        }
        Ok(self.commit(&mut state, res, ns, name, EventKind::Modified, new, Some(old)))
    }

    /// Replaces an object (PUT): `modify` with the sent object as the new state; an empty
    /// `metadata.resourceVersion` in it means an unconditional update.
    pub fn replace(
        &self,
        res: &'static Resource,
        ns: &str,
        name: &str,
        part: Part,
        dry_run: bool,
        sent: Value,
    ) -> Result<Value, ApiError> {
        self.modify(res, ns, name, part, dry_run, |current| {
            *current = sent;
            Ok(())
        })
    }

    /// Deletes an object as the API server does: preconditions (409), then graceful deletion
    /// for pods on a node (deletionTimestamp set, the kubelet finishes), finalizers for
    /// `Orphan` / `Foreground` propagation (the garbage collector finishes), otherwise removal.
    /// Returns the object as it is after the call.
    pub fn delete(
        &self,
        res: &'static Resource,
        ns: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Value, ApiError> {
        let mut state = self.lock();
        let ns = if res.namespaced { ns } else { "" };
        let old = state
            .find(res, ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(res, name))?;
        check_preconditions(res, ns, name, &old, opts)?;
        let mut new = old.clone();
        let grace = grace_period(res, &old, opts);
        let meta = new["metadata"]
            .as_object_mut()
            .expect("stored objects have metadata");
        match opts.propagation {
            Some(Propagation::Orphan) => add_finalizer(meta, "orphan"),
            Some(Propagation::Foreground) => add_finalizer(meta, "foregroundDeletion"),
            _ => {}
        }
        let already = meta.contains_key("deletionTimestamp");
        let old_grace = meta.get("deletionGracePeriodSeconds").and_then(Value::as_i64);
        if !already || old_grace.is_some_and(|g| grace < g) {
            let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(grace);
            meta.insert("deletionTimestamp".into(), json!(format_time(at)));
            meta.insert("deletionGracePeriodSeconds".into(), json!(grace));
        }
        if opts.dry_run {
            return Ok(new);
        }
        if is_finalized(&new) {
            return Ok(self.remove(&mut state, res, ns, name, new));
        }
        if without_rv(&new) == without_rv(&old) {
            return Ok(old);
        }
        Ok(self.commit(&mut state, res, ns, name, EventKind::Modified, new, Some(old)))
    }

    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        state: &mut State,
        res: &'static Resource,
        ns: &str,
        name: &str,
        kind: EventKind,
        mut obj: Value,
        previous: Option<Value>,
    ) -> Value {
        state.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(state.rv.to_string());
        state
            .objects
            .entry(res.plural)
            .or_default()
            .insert((ns.to_string(), name.to_string()), obj.clone());
        self.publish(state, res, ns, name, kind, obj.clone(), previous);
        obj
    }

    fn remove(
        &self,
        state: &mut State,
        res: &'static Resource,
        ns: &str,
        name: &str,
        mut obj: Value,
    ) -> Value {
        state.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(state.rv.to_string());
        if let Some(m) = state.objects.get_mut(res.plural) {
            m.remove(&(ns.to_string(), name.to_string()));
        }
        self.publish(state, res, ns, name, EventKind::Deleted, obj.clone(), None);
        obj
    }

    #[allow(clippy::too_many_arguments)]
    fn publish(
        &self,
        state: &mut State,
        res: &'static Resource,
        ns: &str,
        name: &str,
        kind: EventKind,
        object: Value,
        previous: Option<Value>,
    ) {
        let event = Arc::new(WatchEvent {
            rv: state.rv,
            kind,
            resource: res,
            namespace: ns.to_string(),
            name: name.to_string(),
            object,
            previous,
        });
        state.history.push_back(event.clone());
        while state.history.len() > state.history_limit {
            if let Some(dropped) = state.history.pop_front() {
                state.compacted = dropped.rv;
            }
        }
        // No receivers is fine: nobody is watching yet.
        let _ = self.events.send(event);
    }
}

impl ObjectView for State {
    fn get(&self, res: &'static Resource, ns: &str, name: &str) -> Option<&Value> {
        self.find(res, ns, name)
    }

    fn all(&self, res: &'static Resource) -> Vec<&Value> {
        self.objects
            .get(res.plural)
            .map(|m| m.values().collect())
            .unwrap_or_default()
    }
}

impl State {
    fn find(&self, res: &Resource, ns: &str, name: &str) -> Option<&Value> {
        let ns = if res.namespaced { ns } else { "" };
        self.objects
            .get(res.plural)?
            .get(&(ns.to_string(), name.to_string()))
    }

    fn next_uid(&mut self) -> String {
        self.uid_counter += 1;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        h.write_u64(self.uid_seed);
        h.write_u64(self.uid_counter);
        let a = h.finish();
        h.write_u64(a);
        let b = h.finish();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// `metadata.name`, or `generateName` plus five random characters.
    fn choose_name(&mut self, res: &Resource, ns: &str, obj: &Value) -> Result<String, ApiError> {
        if let Some(name) = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            return Ok(name.to_string());
        }
        let Some(prefix) = obj.pointer("/metadata/generateName").and_then(Value::as_str) else {
            return Err(ApiError::invalid(
                res,
                "",
                "metadata.name",
                "FieldValueRequired",
                "Required value: name or generateName is required",
            ));
        };
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        loop {
            let mut n = u64::from_str_radix(&self.next_uid()[..8], 16).unwrap_or(0);
            let suffix: String = (0..5)
                .map(|_| {
                    let c = ALPHABET[(n % ALPHABET.len() as u64) as usize] as char;
                    n /= ALPHABET.len() as u64;
                    c
                })
                .collect();
            let name = format!("{prefix}{suffix}");
            if self.find(res, ns, &name).is_none() {
                return Ok(name);
            }
        }
    }
}

/// RFC 3339 at second precision, as the API server writes timestamps.
pub fn format_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Now, as the API server writes timestamps.
pub fn now() -> String {
    format_time(jiff::Timestamp::now())
}

fn prepare_new(res: &Resource, ns: &str, name: &str, uid: &str, obj: &mut Value) {
    if !obj.is_object() {
        *obj = json!({});
    }
    obj["apiVersion"] = json!(res.api_version());
    obj["kind"] = json!(res.kind);
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    let meta = obj["metadata"].as_object_mut().expect("metadata is an object");
    meta.insert("name".into(), json!(name));
    if res.namespaced {
        meta.insert("namespace".into(), json!(ns));
    } else {
        meta.remove("namespace");
    }
    meta.insert("uid".into(), json!(uid));
    meta.insert("creationTimestamp".into(), json!(now()));
    for field in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "managedFields",
        "selfLink",
    ] {
        meta.remove(field);
    }
    if res.has_generation {
        meta.insert("generation".into(), json!(1));
    } else {
        meta.remove("generation");
    }
    if !res.has_status {
        return;
    }
    // Clients cannot set status on create, except for the few kinds whose status defaults.
    if let Some(o) = obj.as_object_mut() {
        o.remove("status");
    }
}

/// The object to store for a write of `sent` over `old` to `part`.
fn merge_write(res: &Resource, part: Part, old: &Value, mut sent: Value) -> Value {
    if !sent.is_object() {
        sent = json!({});
    }
    match part {
        Part::Internal => {}
        Part::Status => {
            let mut new = old.clone();
            match sent.get("status") {
                Some(status) => new["status"] = status.clone(),
                None => {
                    new.as_object_mut().map(|o| o.remove("status"));
                }
            }
            sent = new;
        }
        Part::Main => {
            keep_immutable_metadata(old, &mut sent);
            if res.has_status {
                match old.get("status") {
                    Some(status) => sent["status"] = status.clone(),
                    None => {
                        sent.as_object_mut().map(|o| o.remove("status"));
                    }
                }
            }
            sent["apiVersion"] = old["apiVersion"].clone();
            sent["kind"] = old["kind"].clone();
            defaults::apply(res, &mut sent);
        }
    }
    if res.has_generation && part != Part::Internal && sent.get("spec") != old.get("spec") {
        let generation = old
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        sent["metadata"]["generation"] = json!(generation + 1);
    }
    sent
}

fn keep_immutable_metadata(old: &Value, sent: &mut Value) {
    if !sent["metadata"].is_object() {
        sent["metadata"] = json!({});
    }
    for field in [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "generation",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generateName",
    ] {
        match old["metadata"].get(field) {
            Some(v) => sent["metadata"][field] = v.clone(),
            None => {
                sent["metadata"].as_object_mut().map(|m| m.remove(field));
            }
        }
    }
    // A client may not add finalizers or change them once deletion started; it may remove them.
}

fn without_rv(obj: &Value) -> Value {
    let mut copy = obj.clone();
    if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
    }
    copy
}

/// Deletion is complete: deletionTimestamp set, no finalizers left, no grace period pending.
fn is_finalized(obj: &Value) -> bool {
    let meta = &obj["metadata"];
    meta.get("deletionTimestamp").is_some()
        && meta
            .get("finalizers")
            .and_then(Value::as_array)
            .is_none_or(|f| f.is_empty())
        && meta
            .get("deletionGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            == 0
}

fn add_finalizer(meta: &mut Map<String, Value>, finalizer: &str) {
    let list = meta.entry("finalizers").or_insert_with(|| json!([]));
    if let Some(list) = list.as_array_mut()
        && !list.iter().any(|f| f == finalizer)
    {
        list.push(json!(finalizer));
    }
}

fn check_preconditions(
    res: &Resource,
    ns: &str,
    name: &str,
    obj: &Value,
    opts: &DeleteOptions,
) -> Result<(), ApiError> {
    let uid = obj.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or("");
    if let Some(want) = &opts.precondition_uid
        && want != uid
    {
        return Err(ApiError::precondition_failed_in(res, ns, name, "UID", want, uid));
    }
    let rv = obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(want) = &opts.precondition_rv
        && want != rv
    {
        return Err(ApiError::precondition_failed_in(
            res,
            ns,
            name,
            "ResourceVersion",
            want,
            rv,
        ));
    }
    Ok(())
}

/// The grace period a delete gets: only pods have one, and only while bound to a node and not
/// in a terminal phase (pod strategy `CheckGracefulDelete`).
fn grace_period(res: &Resource, obj: &Value, opts: &DeleteOptions) -> i64 {
    if res.plural != "pods" {
        return 0;
    }
    let bound = obj
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    let phase = obj.pointer("/status/phase").and_then(Value::as_str).unwrap_or("");
    if !bound || phase == "Failed" || phase == "Succeeded" {
        return 0;
    }
    let default = obj
        .pointer("/spec/terminationGracePeriodSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(30);
    opts.grace_period_seconds.unwrap_or(default).max(0)
}
