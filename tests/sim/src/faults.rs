//! Fault injection: what a test, an `sts-sim` flag or a person (`POST /sim/faults`) asks the
//! API server to do wrong, and the bookkeeping of armed faults (which request gets which
//! answer). The HTTP side (answering, closing, restarting) lives in `server::faults` and
//! `server::listen`; nothing here touches the store, so an unused `Faults` changes nothing.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// One fault to inject, as `Faults::inject` takes it and `POST /sim/faults` reads it
/// (`{"fault": "conflict", "count": 2, "resource": "statefulsets"}`).
///
/// `resource` narrows a fault to one resource plural (`statefulsets`, which also matches its
/// subresources) or one subresource (`pods/eviction`); `verb` to one Kubernetes verb (`get`,
/// `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`), `write` (any
/// of the writes) or `read` (get, list, watch). Faults apply only to requests the user is
/// allowed to make: a request answered 401 or 403 is answered so and consumes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "fault",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Fault {
    /// End every open watch stream now, as a restarting API server ends them (the response
    /// ends; clients watch again from their last resourceVersion).
    DropWatches,
    /// Answer the next `count` writes (create, update, patch, delete, eviction) with 409
    /// Conflict, the Status a stale resourceVersion gets.
    Conflict {
        count: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<String>,
    },
    /// Answer with `code` (500 InternalError, 503 ServiceUnavailable, or 429 TooManyRequests
    /// with a `Retry-After` of `retry_after` seconds, default 1, as API priority and fairness
    /// does) the next `count` requests, or every request for `ms` milliseconds.
    Error {
        code: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verb: Option<String>,
    },
    /// Drop the connection of the next `count` requests without answering them.
    Close {
        count: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verb: Option<String>,
    },
    /// Carry out the next `count` requests, then drop their connection without the answer: a
    /// write that took effect though its client never heard so.
    LoseAnswer {
        count: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verb: Option<String>,
    },
    /// Withdraw the user's permission to write (as if their RoleBinding were removed) once
    /// `after` more writes (of `resource`, if given) were let through: every later one gets
    /// the 403 RBAC answers. Access reviews still say yes, as a cached pre-flight would.
    Revoke {
        after: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<String>,
    },
    /// Hold the next write (of `resource`, if given) after `after` more were let through, and
    /// every request after it, without an answer until the faults are cleared: a client stopped
    /// dead at that point (then killed by a test) has made exactly `after` writes.
    Hang {
        after: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<String>,
    },
    /// Restart the server keeping its state: stop accepting, drop every connection and watch,
    /// listen again on the same port after `pause_ms` (the store and controllers live on).
    Restart { pause_ms: u64 },
    /// Delay every answer by `ms` milliseconds (0: no delay).
    Latency { ms: u64 },
    /// Disarm every fault and remove the latency.
    Clear,
}

impl Fault {
    /// 409 on the next `count` writes of any resource.
    pub fn conflict(count: u32) -> Fault {
        Fault::Conflict {
            count,
            resource: None,
        }
    }

    /// `code` (500, 503, 429) on the next `count` requests of any kind.
    pub fn errors(code: u16, count: u32) -> Fault {
        Fault::Error {
            code,
            count: Some(count),
            ms: None,
            retry_after: None,
            resource: None,
            verb: None,
        }
    }

    /// `code` (500, 503, 429) on every request for `duration`.
    pub fn errors_for(code: u16, duration: Duration) -> Fault {
        Fault::Error {
            code,
            count: None,
            ms: Some(duration.as_millis() as u64),
            retry_after: None,
            resource: None,
            verb: None,
        }
    }

    /// The connection of the next `count` requests closed without an answer.
    pub fn close(count: u32) -> Fault {
        Fault::Close {
            count,
            resource: None,
            verb: None,
        }
    }

    /// The next `count` requests carried out, their answers lost with their connection.
    pub fn lose_answer(count: u32) -> Fault {
        Fault::LoseAnswer {
            count,
            resource: None,
            verb: None,
        }
    }

    /// Narrows a conflict, error, close or lose-answer fault to `resource` (`statefulsets`,
    /// `pods/eviction`).
    pub fn on(mut self, what: &str) -> Fault {
        match &mut self {
            Fault::Conflict { resource, .. }
            | Fault::Error { resource, .. }
            | Fault::Close { resource, .. }
            | Fault::LoseAnswer { resource, .. } => *resource = Some(what.to_string()),
            _ => {}
        }
        self
    }

    /// Narrows an error, close or lose-answer fault to `verb` (a Kubernetes verb, `write` or
    /// `read`).
    pub fn verb(mut self, which: &str) -> Fault {
        if let Fault::Error { verb, .. } | Fault::Close { verb, .. } | Fault::LoseAnswer { verb, .. } =
            &mut self
        {
            *verb = Some(which.to_string());
        }
        self
    }

    /// Checks the values a person may get wrong by hand.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Fault::Error { code, count, ms, .. } => {
                if ![429, 500, 503].contains(code) {
                    return Err(format!("error code {code}: only 429, 500 and 503 are injected"));
                }
                if count.is_some() == ms.is_some() {
                    return Err("an error fault needs exactly one of count and ms".into());
                }
            }
            Fault::Conflict { count: 0, .. }
            | Fault::Close { count: 0, .. }
            | Fault::LoseAnswer { count: 0, .. } => {
                return Err("count must be at least 1".into());
            }
            _ => {}
        }
        if let Fault::Error { verb: Some(v), .. }
        | Fault::Close { verb: Some(v), .. }
        | Fault::LoseAnswer { verb: Some(v), .. } = self
            && !VERBS.contains(&v.as_str())
        {
            return Err(format!("unknown verb {v:?} (one of {})", VERBS.join(", ")));
        }
        Ok(())
    }
}

/// The verbs a fault can be narrowed to.
const VERBS: [&str; 10] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "write",
    "read",
];

/// What the server knows of a request when it decides on a fault.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    /// The Kubernetes verb (`get`, `create`, ...).
    pub verb: String,
    /// The resource plural; empty for discovery and other non-resource paths.
    pub resource: String,
    pub subresource: Option<String>,
}

impl RequestInfo {
    /// Whether the request writes (the access review, a create that stores nothing, does not).
    pub fn is_write(&self) -> bool {
        !matches!(self.verb.as_str(), "get" | "list" | "watch" | "")
            && self.resource != "selfsubjectaccessreviews"
    }

    fn matches(&self, resource: Option<&str>, verb: Option<&str>) -> bool {
        let resource_ok = resource.is_none_or(|want| {
            let label = match &self.subresource {
                Some(sub) => format!("{}/{sub}", self.resource),
                None => self.resource.clone(),
            };
            want == self.resource || want == label
        });
        let verb_ok = match verb {
            None => true,
            Some("write") => self.is_write(),
            Some("read") => !self.is_write(),
            Some(v) => v == self.verb,
        };
        resource_ok && verb_ok
    }
}

/// How the server answers a request a fault matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 409 Conflict.
    Conflict,
    /// 500, 503, or 429 with `Retry-After: retry_after`.
    Error { code: u16, retry_after: u32 },
    /// Drop the connection without an answer.
    Close,
    /// Carry the request out, then drop the connection without its answer.
    LoseAnswer,
    /// 403 Forbidden, worded as RBAC words it.
    Forbidden,
    /// No answer until the faults are cleared.
    Hang,
}

impl Action {
    /// The name recorded in the request log (`LoggedRequest::fault`).
    pub fn name(&self) -> &'static str {
        match self {
            Action::Conflict => "conflict",
            Action::Error { .. } => "error",
            Action::Close => "close",
            Action::LoseAnswer => "lose-answer",
            Action::Forbidden => "forbidden",
            Action::Hang => "hang",
        }
    }

    /// The answer in words (`429 TooManyRequests, Retry-After 1`), for `GET /sim/faults`.
    pub fn describe(&self) -> String {
        match self {
            Action::Conflict => "409 Conflict".into(),
            Action::Error {
                code: 429,
                retry_after,
            } => format!("429 TooManyRequests, Retry-After {retry_after}"),
            Action::Error { code: 503, .. } => "503 ServiceUnavailable".into(),
            Action::Error { code, .. } => format!("{code} InternalError"),
            Action::Close => "connection closed, no answer".into(),
            Action::LoseAnswer => "carried out, then the connection closed, no answer".into(),
            Action::Forbidden => "403 Forbidden".into(),
            Action::Hang => "held, no answer until cleared".into(),
        }
    }
}

/// A fault waiting for the requests it applies to.
#[derive(Debug, Clone)]
struct Armed {
    action: Action,
    resource: Option<String>,
    verb: Option<String>,
    /// Matching requests let through before the fault answers.
    skip: u32,
    remaining: Option<u32>,
    until: Option<Instant>,
}

impl Armed {
    fn from_fault(fault: &Fault) -> Option<Armed> {
        let armed = |action, resource: &Option<String>, verb: Option<&str>, count| Armed {
            action,
            resource: resource.clone(),
            verb: verb.map(str::to_string),
            skip: 0,
            remaining: Some(count),
            until: None,
        };
        match fault {
            Fault::Conflict { count, resource } => {
                Some(armed(Action::Conflict, resource, Some("write"), *count))
            }
            Fault::Close {
                count,
                resource,
                verb,
            } => Some(armed(Action::Close, resource, verb.as_deref(), *count)),
            Fault::LoseAnswer {
                count,
                resource,
                verb,
            } => Some(armed(Action::LoseAnswer, resource, verb.as_deref(), *count)),
            Fault::Error {
                code,
                count,
                ms,
                retry_after,
                resource,
                verb,
            } => {
                let action = Action::Error {
                    code: *code,
                    retry_after: retry_after.unwrap_or(1),
                };
                let mut a = armed(action, resource, verb.as_deref(), count.unwrap_or(0));
                a.remaining = *count;
                a.until = ms.map(|ms| Instant::now() + Duration::from_millis(ms));
                Some(a)
            }
            Fault::Hang { after, resource } => Some(Armed {
                skip: *after,
                remaining: None,
                ..armed(Action::Hang, resource, Some("write"), 0)
            }),
            Fault::Revoke { after, resource } => Some(Armed {
                skip: *after,
                remaining: None,
                ..armed(Action::Forbidden, resource, Some("write"), 0)
            }),
            _ => None,
        }
    }

    fn live(&self, now: Instant) -> bool {
        self.remaining.is_none_or(|n| n > 0) && self.until.is_none_or(|t| now < t)
    }
}

/// The fault controls of one simulated cluster; clones share them. Created with the cluster
/// (`Sim::faults`); with nothing injected, every request is served as usual.
#[derive(Clone)]
pub struct Faults {
    inner: Arc<Inner>,
}

struct Inner {
    armed: Mutex<Vec<Armed>>,
    latency_us: AtomicU64,
    /// Bumped to end every open watch.
    watch_epoch: watch::Sender<u64>,
    /// Bumped (with the pause) to restart the server.
    restart: watch::Sender<(u64, Duration)>,
    /// Restarts finished: the server listens again.
    restarted: watch::Sender<u64>,
    injected: Mutex<Vec<Fault>>,
    /// A hang fired: every request is held until the faults are cleared.
    held: AtomicBool,
    /// Bumped when the faults are cleared (held requests are let go).
    cleared: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            inner: Arc::new(Inner {
                armed: Mutex::new(Vec::new()),
                latency_us: AtomicU64::new(0),
                watch_epoch: watch::channel(0).0,
                restart: watch::channel((0, Duration::ZERO)).0,
                restarted: watch::channel(0).0,
                injected: Mutex::new(Vec::new()),
                held: AtomicBool::new(false),
                cleared: watch::channel(0).0,
            }),
        }
    }
}

impl Faults {
    /// Injects one fault (see `Fault`); an invalid one is refused with the reason.
    pub fn inject(&self, fault: Fault) -> Result<(), String> {
        fault.validate()?;
        match &fault {
            Fault::DropWatches => {
                self.inner.watch_epoch.send_modify(|e| *e += 1);
            }
            Fault::Restart { pause_ms } => {
                let pause = Duration::from_millis(*pause_ms);
                self.inner.restart.send_modify(|(n, p)| {
                    *n += 1;
                    *p = pause;
                });
            }
            Fault::Latency { ms } => self.inner.latency_us.store(ms * 1000, Ordering::SeqCst),
            Fault::Clear => {
                self.armed().clear();
                self.inner.latency_us.store(0, Ordering::SeqCst);
                self.inner.held.store(false, Ordering::SeqCst);
                self.inner.cleared.send_modify(|n| *n += 1);
            }
            other => self.armed().extend(Armed::from_fault(other)),
        }
        if let Ok(mut list) = self.inner.injected.lock() {
            list.push(fault);
        }
        Ok(())
    }

    /// Ends every open watch stream now.
    pub fn drop_watches(&self) {
        let _ = self.inject(Fault::DropWatches);
    }

    /// Restarts the server keeping its state, listening again after `pause`.
    pub fn restart(&self, pause: Duration) {
        let _ = self.inject(Fault::Restart {
            pause_ms: pause.as_millis() as u64,
        });
    }

    /// Delays every answer by `delay`.
    pub fn set_latency(&self, delay: Duration) {
        self.inner
            .latency_us
            .store(delay.as_micros() as u64, Ordering::SeqCst);
    }

    /// Disarms every fault and removes the latency.
    pub fn clear(&self) {
        let _ = self.inject(Fault::Clear);
    }

    /// Every fault injected so far, in order.
    pub fn injected(&self) -> Vec<Fault> {
        self.inner.injected.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Requests the armed faults still apply to (`None`: until their time is up).
    pub fn pending(&self) -> Vec<(Action, Option<u32>)> {
        let now = Instant::now();
        let mut armed = self.armed();
        armed.retain(|a| a.live(now));
        armed.iter().map(|a| (a.action, a.remaining)).collect()
    }

    /// How many restarts have finished (the server listens again).
    pub fn restarts_done(&self) -> u64 {
        *self.inner.restarted.borrow()
    }

    /// The delay added to every answer.
    pub fn latency(&self) -> Duration {
        Duration::from_micros(self.inner.latency_us.load(Ordering::SeqCst))
    }

    /// The fault a request gets, if any: the first armed fault that matches it, whose count
    /// it consumes.
    pub fn take(&self, request: &RequestInfo) -> Option<Action> {
        if self.inner.held.load(Ordering::SeqCst) {
            return Some(Action::Hang);
        }
        let now = Instant::now();
        let mut armed = self.armed();
        armed.retain(|a| a.live(now));
        let hit = armed
            .iter_mut()
            .find(|a| request.matches(a.resource.as_deref(), a.verb.as_deref()))?;
        if hit.skip > 0 {
            hit.skip -= 1;
            return None;
        }
        if let Some(n) = &mut hit.remaining {
            *n -= 1;
        }
        if hit.action == Action::Hang {
            self.inner.held.store(true, Ordering::SeqCst);
        }
        Some(hit.action)
    }

    /// A receiver that changes when the faults are cleared.
    pub fn cleared(&self) -> watch::Receiver<u64> {
        self.inner.cleared.subscribe()
    }

    /// A receiver that changes whenever every watch is to end.
    pub fn watch_epoch(&self) -> watch::Receiver<u64> {
        self.inner.watch_epoch.subscribe()
    }

    /// A receiver of restart requests: (how many so far, the pause of the last one).
    pub fn restart_requests(&self) -> watch::Receiver<(u64, Duration)> {
        self.inner.restart.subscribe()
    }

    /// Records that a restart finished.
    pub fn restart_finished(&self) {
        self.inner.restarted.send_modify(|n| *n += 1);
    }

    fn armed(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        self.inner
            .armed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(verb: &str, resource: &str, sub: Option<&str>) -> RequestInfo {
        RequestInfo {
            verb: verb.into(),
            resource: resource.into(),
            subresource: sub.map(str::to_string),
        }
    }

    #[test]
    fn conflicts_count_writes_of_their_resource_only() {
        let faults = Faults::default();
        faults.inject(Fault::conflict(2).on("statefulsets")).unwrap();
        let patch_sts = request("patch", "statefulsets", None);
        assert_eq!(faults.take(&request("get", "statefulsets", None)), None);
        assert_eq!(faults.take(&request("patch", "pods", None)), None);
        assert_eq!(faults.take(&patch_sts), Some(Action::Conflict));
        let scale = request("update", "statefulsets", Some("scale"));
        assert_eq!(faults.take(&scale), Some(Action::Conflict));
        assert_eq!(faults.take(&patch_sts), None);
    }

    #[test]
    fn evictions_are_writes_and_access_reviews_are_not() {
        let faults = Faults::default();
        faults.inject(Fault::conflict(5).on("pods/eviction")).unwrap();
        assert_eq!(faults.take(&request("delete", "pods", None)), None);
        let evict = request("create", "pods", Some("eviction"));
        assert_eq!(faults.take(&evict), Some(Action::Conflict));
        assert!(!request("create", "selfsubjectaccessreviews", None).is_write());
    }

    #[test]
    fn timed_errors_end_and_counted_ones_run_out() {
        let faults = Faults::default();
        faults
            .inject(Fault::errors_for(429, Duration::from_millis(30)))
            .unwrap();
        let get = request("get", "pods", None);
        let throttled = Action::Error {
            code: 429,
            retry_after: 1,
        };
        assert_eq!(faults.take(&get), Some(throttled));
        assert_eq!(faults.take(&get), Some(throttled));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(faults.take(&get), None);
        faults.inject(Fault::close(1).verb("read")).unwrap();
        assert_eq!(faults.take(&request("patch", "pods", None)), None);
        assert_eq!(faults.take(&get), Some(Action::Close));
        assert_eq!(faults.take(&get), None);
        assert!(faults.pending().is_empty());
    }

    #[test]
    fn the_admin_body_reads_as_documented_and_bad_values_are_refused() {
        let fault: Fault =
            serde_json::from_str(r#"{"fault":"error","code":429,"count":3,"retryAfter":2,"verb":"write"}"#)
                .unwrap();
        assert_eq!(
            fault,
            Fault::Error {
                code: 429,
                count: Some(3),
                ms: None,
                retry_after: Some(2),
                resource: None,
                verb: Some("write".into())
            }
        );
        let restart: Fault = serde_json::from_str(r#"{"fault":"restart","pauseMs":200}"#).unwrap();
        assert_eq!(restart, Fault::Restart { pause_ms: 200 });
        assert!(serde_json::from_str::<Fault>(r#"{"fault":"conflict","coutn":1}"#).is_err());
        let faults = Faults::default();
        assert!(faults.inject(Fault::errors(404, 1)).is_err());
        assert!(faults.inject(Fault::conflict(0)).is_err());
        assert!(faults.inject(Fault::close(1).verb("frobnicate")).is_err());
        assert!(faults.injected().is_empty());
    }
}
