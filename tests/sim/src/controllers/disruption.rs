//! The disruption controller (`pkg/controller/disruption`) and the eviction subresource's
//! budget check (`pkg/registry/core/pod/storage/eviction.go`). The status of a
//! PodDisruptionBudget is computed from the pods as they are (`budget_status`, pure); an
//! eviction first brings that status up to date, then follows eviction.go: terminal, pending
//! or terminating pods go without a check, an unready pod goes while the budget holds
//! (`unhealthyPodEvictionPolicy`), otherwise one disruption is taken from the budget or 429.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::cache::Cache;
use super::events::{self, Kind, Source};
use super::obj;
use super::runner::Reconciler;
use super::write;
use crate::error::ApiError;
use crate::resources::{self, PDBS, PODS, STATEFULSETS};
use crate::selector::LabelSelector;
use crate::store::{self, DeleteOptions, Store, WatchEvent};

/// How long an eviction's entry in `disruptedPods` keeps its pod out of the healthy count.
const DELETION_TIMEOUT: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);

/// A PodDisruptionBudget: namespace and name.
pub type Key = (String, String);

/// The disruption controller and what it has seen of budgets, pods and sets.
pub struct Disruption {
    cache: Cache,
    /// Budgets (uids) already reported as covering no pod.
    reported_empty: std::collections::HashSet<String>,
}

impl Default for Disruption {
    fn default() -> Self {
        Disruption {
            cache: Cache::new(&[&PDBS, &PODS, &STATEFULSETS]),
            reported_empty: std::collections::HashSet::new(),
        }
    }
}

impl Disruption {
    fn budgets_in(&self, ns: &str) -> Vec<Key> {
        self.cache
            .list(&PDBS, ns)
            .iter()
            .map(|p| (ns.to_string(), obj::name(p).to_string()))
            .collect()
    }

    /// The replicas of a pod's controller, as the disruption controller's finders read them.
    fn scale_of(&self, ns: &str, controller: &obj::OwnerRef) -> Option<i64> {
        let res = resources::by_kind(&controller.api_version, &controller.kind)?;
        let owner = self.cache.get(res, ns, &controller.name)?;
        replicas_of(&owner, controller)
    }
}

impl Reconciler for Disruption {
    type Key = Key;

    fn all_keys(&mut self, store: &Store) -> Vec<Key> {
        self.cache.fill(store);
        self.cache.keys(&PDBS)
    }

    fn keys_for(&mut self, _store: &Store, event: &WatchEvent) -> Vec<Key> {
        self.cache.observe(event);
        match event.resource.plural {
            "poddisruptionbudgets" => vec![(event.namespace.clone(), event.name.clone())],
            "pods" if obj::pod_changed(event.previous.as_ref(), Some(&event.object)) => {
                self.budgets_in(&event.namespace)
            }
            "statefulsets" => self.budgets_in(&event.namespace),
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, store: &Store, key: &Key) -> Option<Duration> {
        let pdb = self.cache.get(&PDBS, &key.0, &key.1)?;
        let pods = self.cache.list(&PODS, &key.0);
        let pods: Vec<&Value> = pods.iter().map(|p| &**p).collect();
        if covered(&pdb, &pods).is_empty() && self.reported_empty.insert(obj::uid(&pdb).to_string()) {
            // As kube-controller-manager's disruption controller reports it.
            let source = Source {
                component: "controllermanager",
                host: None,
            };
            events::record(
                store,
                &PDBS,
                &pdb,
                source,
                Kind::Normal,
                "NoPods",
                "No matching pods found",
            );
        }
        match refresh(store, &pdb, &pods, &|c| self.scale_of(&key.0, c)) {
            Ok(status) => next_expiry(&status),
            Err(_) => Some(Duration::from_millis(50)),
        }
    }
}

/// The numbers of a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub expected: i64,
    pub desired: i64,
    pub current: i64,
    pub allowed: i64,
}

/// The pods a budget covers (policy/v1: an empty selector covers the namespace).
fn covered<'a>(pdb: &Value, pods: &[&'a Value]) -> Vec<&'a Value> {
    let selector = LabelSelector::from_object(obj::at(pdb, "/spec/selector"));
    pods.iter()
        .copied()
        .filter(|p| selector.matches_object(p))
        .collect()
}

/// The scale of the controllers of `pods` (`getExpectedScale`); `scale_of` gives a
/// controller's replicas.
fn expected_scale(pods: &[&Value], scale_of: &dyn Fn(&obj::OwnerRef) -> Option<i64>) -> Result<i64, String> {
    let mut seen: HashMap<String, i64> = HashMap::new();
    for pod in pods {
        let Some(controller) = obj::controller_ref(pod) else {
            return Err(format!("found no controller ref for pod \"{}\"", obj::name(pod)));
        };
        if seen.contains_key(&controller.uid) {
            continue;
        }
        let scale = scale_of(&controller)
            .ok_or_else(|| format!("found no controllers for pod \"{}\"", obj::name(pod)))?;
        seen.insert(controller.uid, scale);
    }
    Ok(seen.values().sum())
}

/// Expected and desired healthy pods (`getExpectedPodCount`).
fn expected_and_desired(
    pdb: &Value,
    pods: &[&Value],
    scale_of: &dyn Fn(&obj::OwnerRef) -> Option<i64>,
) -> Result<(i64, i64), String> {
    let spec = &pdb["spec"];
    if let Some(max_unavailable) = spec.get("maxUnavailable").filter(|v| !v.is_null()) {
        let expected = expected_scale(pods, scale_of)?;
        let max = obj::int_or_percent(max_unavailable, expected, true).ok_or("invalid maxUnavailable")?;
        return Ok((expected, (expected - max).max(0)));
    }
    match spec.get("minAvailable") {
        Some(Value::String(_)) => {
            let expected = expected_scale(pods, scale_of)?;
            let min =
                obj::int_or_percent(&spec["minAvailable"], expected, true).ok_or("invalid minAvailable")?;
            Ok((expected, min))
        }
        Some(v) => Ok((pods.len() as i64, v.as_i64().unwrap_or(0))),
        None => Ok((pods.len() as i64, 0)),
    }
}

/// Entries of `disruptedPods` still pending: the pod exists, is not being deleted, and the
/// entry has not timed out.
fn live_disruptions(pdb: &Value, pods: &[&Value], now: jiff::Timestamp) -> Map<String, Value> {
    let stored = obj::at(pdb, "/status/disruptedPods")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    stored
        .into_iter()
        .filter(|(name, at)| {
            let pending = pods.iter().any(|p| obj::name(p) == name && !obj::is_deleting(p));
            let fresh = at
                .as_str()
                .and_then(obj::parse_time)
                .is_some_and(|t| t + DELETION_TIMEOUT > now);
            pending && fresh
        })
        .collect()
}

/// The budget of `pdb` over the namespace's `pods` (`trySync`, `countHealthyPods`).
pub fn budget(
    pdb: &Value,
    pods: &[&Value],
    scale_of: &dyn Fn(&obj::OwnerRef) -> Option<i64>,
    now: jiff::Timestamp,
) -> Result<(Budget, Map<String, Value>), String> {
    let covered = covered(pdb, pods);
    let (expected, desired) = expected_and_desired(pdb, &covered, scale_of)?;
    let disrupted = live_disruptions(pdb, &covered, now);
    let current = covered
        .iter()
        .filter(|p| !obj::is_deleting(p) && !disrupted.contains_key(obj::name(p)) && obj::pod_ready(p))
        .count() as i64;
    let allowed = if expected <= 0 {
        0
    } else {
        (current - desired).max(0)
    };
    Ok((
        Budget {
            expected,
            desired,
            current,
            allowed,
        },
        disrupted,
    ))
}

/// The DisruptionAllowed condition, keeping its transition time while unchanged.
fn allowed_condition(pdb: &Value, allowed: bool, reason: &str, message: &str, now: &str) -> Value {
    let status = if allowed { "True" } else { "False" };
    let old = obj::condition(pdb, "DisruptionAllowed").filter(|c| c["status"] == status);
    let since = old
        .and_then(|c| c.get("lastTransitionTime").cloned())
        .unwrap_or_else(|| json!(now));
    json!({"type": "DisruptionAllowed", "status": status, "reason": reason, "message": message,
           "lastTransitionTime": since, "observedGeneration": obj::i64_at(pdb, "/metadata/generation").unwrap_or(1)})
}

/// The status for a budget (or for a failed sync).
pub fn budget_status(
    pdb: &Value,
    computed: &Result<(Budget, Map<String, Value>), String>,
    now: &str,
) -> Value {
    let generation = obj::i64_at(pdb, "/metadata/generation").unwrap_or(1);
    let mut status = pdb
        .get("status")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let condition = match computed {
        Ok((b, disrupted)) => {
            status["currentHealthy"] = json!(b.current);
            status["desiredHealthy"] = json!(b.desired);
            status["expectedPods"] = json!(b.expected);
            status["disruptionsAllowed"] = json!(b.allowed);
            if disrupted.is_empty() {
                status.as_object_mut().map(|s| s.remove("disruptedPods"));
            } else {
                status["disruptedPods"] = Value::Object(disrupted.clone());
            }
            let reason = if b.allowed > 0 {
                "SufficientPods"
            } else {
                "InsufficientPods"
            };
            allowed_condition(pdb, b.allowed > 0, reason, "", now)
        }
        Err(message) => {
            status["disruptionsAllowed"] = json!(0);
            allowed_condition(pdb, false, "SyncFailed", message, now)
        }
    };
    status["observedGeneration"] = json!(generation);
    status["conditions"] = json!([condition]);
    status
}

/// A controller's `spec.replicas`, if it is the object the reference means.
fn replicas_of(owner: &Value, controller: &obj::OwnerRef) -> Option<i64> {
    (obj::uid(owner) == controller.uid).then(|| obj::i64_at(owner, "/spec/replicas").unwrap_or(1))
}

/// Computes and writes a budget's status over the namespace's `pods`; returns it.
fn refresh(
    store: &Store,
    pdb: &Value,
    pods: &[&Value],
    scale_of: &dyn Fn(&obj::OwnerRef) -> Option<i64>,
) -> Result<Value, ApiError> {
    let computed = budget(pdb, pods, scale_of, jiff::Timestamp::now());
    let status = budget_status(pdb, &computed, &store::now());
    write_status(store, pdb, status.clone())?;
    Ok(status)
}

fn write_status(store: &Store, pdb: &Value, status: Value) -> Result<(), ApiError> {
    write::status(store, &PDBS, pdb, status).map(|_| ())
}

/// When the oldest `disruptedPods` entry times out.
fn next_expiry(status: &Value) -> Option<Duration> {
    let now = jiff::Timestamp::now();
    status
        .get("disruptedPods")?
        .as_object()?
        .values()
        .filter_map(|t| t.as_str().and_then(obj::parse_time))
        .map(|t| now.duration_until(t + DELETION_TIMEOUT).unsigned_abs())
        .min()
}

/// `POST .../pods/{name}/eviction`: deletes the pod with `opts` unless a
/// PodDisruptionBudget forbids it.
pub fn evict(store: &Store, ns: &str, name: &str, opts: &DeleteOptions) -> Result<(), ApiError> {
    let pod = store.get(&PODS, ns, name)?;
    if can_ignore_budget(&pod) {
        return delete(store, &pod, opts, rv_guard(&pod));
    }
    let (pdbs, _) = store.list(&PDBS, Some(ns), &|p| {
        let selector = LabelSelector::from_object(obj::at(p, "/spec/selector"));
        !selector.is_everything() && selector.matches_object(&pod)
    });
    let pdb = match pdbs.as_slice() {
        [] => return delete(store, &pod, opts, false),
        [one] => one,
        _ => return Err(more_than_one_budget()),
    };
    let (pods, _) = store.list(&PODS, Some(ns), &|_| true);
    let pods: Vec<&Value> = pods.iter().collect();
    let scale_of = |c: &obj::OwnerRef| {
        let res = resources::by_kind(&c.api_version, &c.kind)?;
        replicas_of(&store.try_get(res, ns, &c.name)?, c)
    };
    let status = refresh(store, pdb, &pods, &scale_of)?;
    let (current, desired) = (
        i64_of(&status, "currentHealthy"),
        i64_of(&status, "desiredHealthy"),
    );
    if !obj::pod_ready(&pod) {
        let always = obj::str_at(pdb, "/spec/unhealthyPodEvictionPolicy") == "AlwaysAllow";
        if always || (current >= desired && desired > 0) {
            return delete(store, &pod, opts, true).map_err(|e| rv_conflict_to_429(e, pdb, opts));
        }
    }
    take_disruption(store, pdb, &status, name, opts.dry_run)?;
    delete(store, &pod, opts, false)
}

fn i64_of(status: &Value, field: &str) -> i64 {
    status.get(field).and_then(Value::as_i64).unwrap_or(0)
}

/// Terminal, Pending and terminating pods are evicted without looking at budgets.
fn can_ignore_budget(pod: &Value) -> bool {
    obj::pod_terminal(pod) || obj::pod_phase(pod) == "Pending" || obj::is_deleting(pod)
}

/// Whether the delete must be conditional on the pod's resourceVersion.
fn rv_guard(pod: &Value) -> bool {
    !(obj::pod_terminal(pod) || obj::is_deleting(pod))
}

fn delete(store: &Store, pod: &Value, opts: &DeleteOptions, guard_rv: bool) -> Result<(), ApiError> {
    let mut opts = opts.clone();
    if guard_rv && opts.precondition_rv.is_none() {
        opts.precondition_rv = Some(obj::str_at(pod, "/metadata/resourceVersion").to_string());
    }
    store
        .delete(&PODS, obj::namespace(pod), obj::name(pod), &opts)
        .map(|_| ())
}

/// `checkAndDecrement`: one disruption taken from the budget, recorded in `disruptedPods`.
fn take_disruption(
    store: &Store,
    pdb: &Value,
    status: &Value,
    pod: &str,
    dry_run: bool,
) -> Result<(), ApiError> {
    let name = obj::name(pdb);
    let generation = obj::i64_at(pdb, "/metadata/generation").unwrap_or(1);
    if i64_of(status, "observedGeneration") < generation {
        return Err(still_processing(name));
    }
    let allowed = i64_of(status, "disruptionsAllowed");
    if allowed < 0 {
        return Err(budget_forbidden(name, "pdb disruptions allowed is negative"));
    }
    let disrupted = status
        .get("disruptedPods")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    if disrupted > 2000 {
        let why = "DisruptedPods map too big - too many evictions not confirmed by PDB controller";
        return Err(budget_forbidden(name, why));
    }
    if allowed == 0 {
        let (desired, current) = (i64_of(status, "desiredHealthy"), i64_of(status, "currentHealthy"));
        return Err(ApiError::disruption_budget(name, desired, current));
    }
    if dry_run {
        return Ok(());
    }
    let now = store::now();
    let mut status = status.clone();
    status["disruptionsAllowed"] = json!(allowed - 1);
    status["disruptedPods"][pod] = json!(now);
    if allowed == 1 {
        status["conditions"] = json!([allowed_condition(pdb, false, "InsufficientPods", "", &now)]);
    }
    write_status(store, pdb, status)
}

fn rv_conflict_to_429(e: ApiError, pdb: &Value, opts: &DeleteOptions) -> ApiError {
    if e.code == 409 && opts.precondition_rv.is_none() {
        return still_processing(obj::name(pdb));
    }
    e
}

fn still_processing(pdb: &str) -> ApiError {
    ApiError {
        code: 429,
        reason: "TooManyRequests",
        message: "Cannot evict pod as it would violate the pod's disruption budget.".into(),
        details: Some(json!({"causes": [{"reason": "DisruptionBudget",
            "message": format!("The disruption budget {pdb} is still being processed by the server.")}],
            "retryAfterSeconds": 10})),
    }
}

fn budget_forbidden(pdb: &str, why: &str) -> ApiError {
    ApiError {
        code: 403,
        reason: "Forbidden",
        message: format!("poddisruptionbudget.policy \"{pdb}\" is forbidden: {why}"),
        details: Some(json!({"name": pdb, "group": "policy", "kind": "poddisruptionbudget"})),
    }
}

fn more_than_one_budget() -> ApiError {
    ApiError {
        code: 500,
        reason: "",
        message:
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
                .into(),
        details: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, ready: bool, deleting: bool) -> Value {
        let mut p = json!({"metadata": {"name": name, "labels": {"app": "zk"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "zk", "uid": "s", "controller": true}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}});
        if deleting {
            p["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        }
        p
    }

    fn pdb(spec: Value) -> Value {
        let mut pdb = json!({"metadata": {"name": "zk-pdb", "generation": 1}, "spec": {"selector": {"matchLabels": {"app": "zk"}}}});
        for (k, v) in spec.as_object().unwrap() {
            pdb["spec"][k] = v.clone();
        }
        pdb
    }

    fn run(pdb: &Value, pods: &[Value]) -> Budget {
        let now = "2026-01-01T00:00:30Z".parse().unwrap();
        let pods: Vec<&Value> = pods.iter().collect();
        budget(pdb, &pods, &|_| Some(3), now).unwrap().0
    }

    #[test]
    fn max_unavailable_counts_the_controllers_scale() {
        let pods = [
            pod("zk-0", true, false),
            pod("zk-1", true, false),
            pod("zk-2", true, false),
        ];
        let b = run(&pdb(json!({"maxUnavailable": 1})), &pods);
        assert_eq!(
            b,
            Budget {
                expected: 3,
                desired: 2,
                current: 3,
                allowed: 1
            }
        );
        let pods = [
            pod("zk-0", true, false),
            pod("zk-1", true, false),
            pod("zk-2", true, true),
        ];
        let b = run(&pdb(json!({"maxUnavailable": 1})), &pods);
        assert_eq!((b.current, b.allowed), (2, 0));
    }

    #[test]
    fn min_available_as_a_number_or_a_percentage() {
        let pods = [
            pod("zk-0", true, false),
            pod("zk-1", false, false),
            pod("zk-2", true, false),
        ];
        let b = run(&pdb(json!({"minAvailable": 2})), &pods);
        assert_eq!(
            b,
            Budget {
                expected: 3,
                desired: 2,
                current: 2,
                allowed: 0
            }
        );
        let b = run(&pdb(json!({"minAvailable": "50%"})), &pods);
        assert_eq!(
            b,
            Budget {
                expected: 3,
                desired: 2,
                current: 2,
                allowed: 0
            }
        );
        let b = run(&pdb(json!({"minAvailable": "30%"})), &pods);
        assert_eq!((b.desired, b.allowed), (1, 1));
    }

    #[test]
    fn status_and_conditions() {
        let p = pdb(json!({"maxUnavailable": 1}));
        let pods = [pod("zk-0", true, false)];
        let computed = budget(&p, &[&pods[0]], &|_| Some(1), jiff::Timestamp::now());
        let status = budget_status(&p, &computed, "t");
        assert_eq!(status["disruptionsAllowed"], 1);
        assert_eq!(status["conditions"][0]["reason"], "SufficientPods");
        let failed = budget_status(&p, &Err("found no controller ref for pod \"x\"".into()), "t");
        assert_eq!(failed["conditions"][0]["reason"], "SyncFailed");
        assert_eq!(failed["disruptionsAllowed"], 0);
    }

    #[test]
    fn pods_without_controllers_cannot_be_counted_by_scale() {
        let mut orphan = pod("zk-0", true, false);
        orphan["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("ownerReferences");
        let now = jiff::Timestamp::now();
        assert!(budget(&pdb(json!({"maxUnavailable": 1})), &[&orphan], &|_| Some(1), now).is_err());
        assert!(budget(&pdb(json!({"minAvailable": 1})), &[&orphan], &|_| Some(1), now).is_ok());
    }
}
