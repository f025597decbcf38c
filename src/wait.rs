//! Waiting on the cluster: caches of a set, its pods, claims and revisions fed by watches,
//! re-checked on every change under a deadline; and the user's interrupt (Ctrl-C / SIGTERM).
//! Never a sleep loop: every wake-up is an event from the API server.

use std::time::Duration;

use futures::stream::{BoxStream, StreamExt, select_all};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::Timestamp;
use kube::api::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::time::Instant;

use crate::context::Context;
use crate::fetch::{own_claims, owned_revisions};
use crate::model::set;
use crate::model::snapshot::{SetSnapshot, own_pods};

/// Resolves once the user has interrupted (SIGINT) or the process was asked to stop
/// (SIGTERM), at any time since the first call: the signals are latched by one listener for the
/// whole process, so that every waiter sees them, however often it re-creates this future.
pub async fn interrupted() {
    let mut latch = INTERRUPT.get_or_init(listen_for_interrupts).clone();
    let _ = latch.wait_for(|interrupted| *interrupted).await;
}

static INTERRUPT: std::sync::OnceLock<tokio::sync::watch::Receiver<bool>> = std::sync::OnceLock::new();

fn listen_for_interrupts() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        signal_received().await;
        let _ = tx.send(true);
        // Keep the sender alive: waiters must see `true`, not a closed channel.
        std::future::pending::<()>().await;
    });
    rx
}

async fn signal_received() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What an interrupt outside a wait must tell the user, while a command is in a step that
/// leaves the cluster needing more than a re-run (e.g. a set deleted with `--orphan` and not
/// yet created again).
static INTERRUPT_NOTE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Sets (or, with `None`, clears) what an interrupt from now on must say.
pub fn set_interrupt_note(note: Option<String>) {
    if let Ok(mut current) = INTERRUPT_NOTE.lock() {
        *current = note;
    }
}

/// What an interrupt now must say, if a command set it.
pub fn interrupt_note() -> Option<String> {
    INTERRUPT_NOTE.lock().ok().and_then(|note| note.clone())
}

/// The instant a wait of `timeout` started now must end.
pub fn deadline_after(timeout: Duration) -> Instant {
    Instant::now() + timeout
}

/// What a check says about a snapshot.
pub enum Check<T> {
    /// The goal is reached.
    Done(T),
    /// Not yet: wait for the next change.
    Waiting,
    /// Not yet: wait for the next change, or until this instant at the latest (a problem that
    /// may clear up by itself is given until then).
    WaitingUntil(k8s_openapi::jiff::Timestamp),
    /// It will not be reached by waiting (a crash-looping pod, …).
    Failed(anyhow::Error),
}

/// How a wait ended without reaching its goal.
#[derive(Debug)]
pub enum WaitEnd {
    TimedOut,
    Interrupted,
    /// The set was deleted while waiting.
    SetGone,
    Failed(anyhow::Error),
}

impl WaitEnd {
    /// The error to exit with: where things stand (`state`) and how to go on (`resume`) for a
    /// timeout or an interrupt; `what_went` says what disappeared for `SetGone`.
    pub fn into_error(self, timeout: Duration, state: &str, resume: &str, what_went: &str) -> anyhow::Error {
        use crate::error::StsError;
        match self {
            WaitEnd::TimedOut => StsError::TimedOut(format!(
                "timed out after {}: {state}; {resume}",
                humantime::format_duration(timeout)
            ))
            .into(),
            WaitEnd::Interrupted => StsError::Interrupted(format!("interrupted: {state}; {resume}")).into(),
            WaitEnd::SetGone => StsError::Superseded(format!("{what_went} while waiting; {resume}")).into(),
            WaitEnd::Failed(err) => err,
        }
    }
}

type Changes = BoxStream<'static, Result<(), watcher::Error>>;

/// Watches of one set and everything that belongs to it, kept in caches.
pub struct SetWatch {
    name: String,
    sets: Store<StatefulSet>,
    pods: Store<Pod>,
    claims: Store<PersistentVolumeClaim>,
    revisions: Store<ControllerRevision>,
    changes: Changes,
}

impl SetWatch {
    /// Starts watching `sts` (by name), its pods and revisions (by selector) and the claims of
    /// its namespace.
    pub fn start(ctx: &Context, sts: &StatefulSet) -> SetWatch {
        let ns = ctx.namespace.as_str();
        let name = set::name(sts).to_string();
        let by_name = watcher::Config::default().fields(&format!("metadata.name={name}"));
        let by_selector = watcher::Config::default().labels(&set::selector_query(sts));
        let (sets, s1) = cached(Api::namespaced(ctx.client.clone(), ns), by_name);
        let (pods, s2) = cached(Api::namespaced(ctx.client.clone(), ns), by_selector.clone());
        let (claims, s3) = cached(
            Api::namespaced(ctx.client.clone(), ns),
            watcher::Config::default(),
        );
        let (revisions, s4) = cached(Api::namespaced(ctx.client.clone(), ns), by_selector);
        let changes = select_all([s1, s2, s3, s4]).boxed();
        SetWatch {
            name,
            sets,
            pods,
            claims,
            revisions,
            changes,
        }
    }

    /// The current snapshot from the caches; `None` once the set is gone.
    pub fn snapshot(&self) -> Option<SetSnapshot> {
        let sts = self
            .sets
            .state()
            .into_iter()
            .find(|s| set::name(s) == self.name)?
            .as_ref()
            .clone();
        let pods = own_pods(
            &sts,
            self.pods.state().iter().map(|p| p.as_ref().clone()).collect(),
        );
        let claims = own_claims(
            &sts,
            self.claims.state().iter().map(|c| c.as_ref().clone()).collect(),
        );
        let revisions = owned_revisions(
            &sts,
            self.revisions
                .state()
                .iter()
                .map(|r| r.as_ref().clone())
                .collect(),
        );
        Some(SetSnapshot {
            set: sts,
            pods,
            claims,
            revisions,
            taken_at: Timestamp::now(),
        })
    }

    fn ready(&self) -> bool {
        is_ready(&self.sets) && is_ready(&self.pods) && is_ready(&self.claims) && is_ready(&self.revisions)
    }

    /// Re-checks on every change until `check` is done or fails, the deadline passes, or the
    /// user interrupts. Only complete caches are checked.
    pub async fn until<T>(
        &mut self,
        deadline: Instant,
        mut check: impl FnMut(&SetSnapshot) -> Check<T>,
    ) -> Result<T, WaitEnd> {
        loop {
            let mut recheck = deadline;
            if self.ready() {
                let Some(snap) = self.snapshot() else {
                    return Err(WaitEnd::SetGone);
                };
                match check(&snap) {
                    Check::Done(value) => return Ok(value),
                    Check::Failed(err) => return Err(WaitEnd::Failed(err)),
                    Check::Waiting => {}
                    Check::WaitingUntil(at) => recheck = recheck.min(instant_of(at)),
                }
            }
            wake(&mut self.changes, recheck, deadline).await?;
        }
    }
}

/// Returns at the next change, at `recheck` (if before the deadline), or with how the wait
/// ends: the deadline passed, the user interrupted, the watches ended.
async fn wake(changes: &mut Changes, recheck: Instant, deadline: Instant) -> Result<(), WaitEnd> {
    tokio::select! {
        _ = tokio::time::sleep_until(recheck), if recheck < deadline => Ok(()),
        change = changes.next() => match change {
            Some(Ok(())) => Ok(()),
            Some(Err(err)) => {
                eprintln!("watch interrupted ({err}); resuming");
                Ok(())
            }
            None => Err(WaitEnd::Failed(anyhow::anyhow!("the watches ended unexpectedly"))),
        },
        _ = tokio::time::sleep_until(deadline) => Err(WaitEnd::TimedOut),
        _ = interrupted() => Err(WaitEnd::Interrupted),
    }
}

/// A watch of one kind of object (narrowed by field or label selector) kept in a cache and
/// re-checked on every change: for waits that outlive the set (its deletion, its claims).
pub struct KindWatch<K>
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    store: Store<K>,
    changes: Changes,
}

impl<K> KindWatch<K>
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    /// Starts watching what `config` selects through `api`.
    pub fn start(api: Api<K>, config: watcher::Config) -> KindWatch<K> {
        let (store, changes) = cached(api, config);
        KindWatch { store, changes }
    }

    /// Re-checks the cached objects on every change until `check` is done or fails, the
    /// deadline passes, or the user interrupts. Only a complete cache is checked.
    pub async fn until<T>(
        &mut self,
        deadline: Instant,
        mut check: impl FnMut(&[std::sync::Arc<K>]) -> Check<T>,
    ) -> Result<T, WaitEnd> {
        loop {
            let mut recheck = deadline;
            if is_ready(&self.store) {
                match check(&self.store.state()) {
                    Check::Done(value) => return Ok(value),
                    Check::Failed(err) => return Err(WaitEnd::Failed(err)),
                    Check::Waiting => {}
                    Check::WaitingUntil(at) => recheck = recheck.min(instant_of(at)),
                }
            }
            wake(&mut self.changes, recheck, deadline).await?;
        }
    }
}

/// The monotonic instant of a wall-clock time (now if it is past).
fn instant_of(at: k8s_openapi::jiff::Timestamp) -> Instant {
    let ahead = (at - k8s_openapi::jiff::Timestamp::now())
        .get_milliseconds()
        .max(0);
    Instant::now() + Duration::from_millis(ahead as u64)
}

fn is_ready<K>(store: &Store<K>) -> bool
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    futures::FutureExt::now_or_never(store.wait_until_ready()).is_some_and(|r| r.is_ok())
}

/// A watch feeding a cache; the stream yields once per change.
fn cached<K>(api: Api<K>, config: watcher::Config) -> (Store<K>, Changes)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (reader, writer) = reflector::store();
    let stream = watcher(api, config)
        .default_backoff()
        .reflect(writer)
        .map(|event| event.map(|_| ()))
        .boxed();
    (reader, stream)
}

/// The snapshot once the controller has observed the set's latest generation (at once if it
/// has). Planning on a stale status would plan on a past state.
pub async fn caught_up(ctx: &Context, snap: SetSnapshot) -> anyhow::Result<SetSnapshot> {
    wait_observed(ctx, snap, true).await
}

/// A fresh snapshot of set `name` to plan from, once the controller has caught up (said so);
/// a set being deleted is returned at once, to be refused (or resumed) by its command.
pub async fn planning_snapshot(ctx: &Context, name: &str) -> anyhow::Result<SetSnapshot> {
    let snap = crate::fetch::snapshot(ctx, name).await?;
    match set::is_deleting(&snap.set) {
        true => Ok(snap),
        false => caught_up(ctx, snap).await,
    }
}

/// A fresh snapshot of set `name` after a write, once the controller has observed it.
pub async fn observed_snapshot(ctx: &Context, name: &str) -> anyhow::Result<SetSnapshot> {
    wait_observed(ctx, crate::fetch::snapshot(ctx, name).await?, false).await
}

async fn wait_observed(ctx: &Context, snap: SetSnapshot, announce: bool) -> anyhow::Result<SetSnapshot> {
    if !set::status_is_stale(&snap.set) {
        return Ok(snap);
    }
    if announce {
        eprintln!(
            "The controller has not yet observed generation {} of statefulset {}/{}; waiting for it before planning…",
            snap.set.metadata.generation.unwrap_or(0),
            snap.namespace(),
            snap.name()
        );
    }
    let mut watch = SetWatch::start(ctx, &snap.set);
    let fresh = |s: &SetSnapshot| {
        if set::status_is_stale(&s.set) {
            Check::Waiting
        } else {
            Check::Done(s.clone())
        }
    };
    watch
        .until(deadline_after(ctx.timeout), fresh)
        .await
        .map_err(|end| match end {
            WaitEnd::TimedOut => crate::error::StsError::TimedOut(format!(
                "the controller did not catch up with statefulset {}/{} within {}; nothing was changed",
                snap.namespace(),
                snap.name(),
                humantime::format_duration(ctx.timeout)
            ))
            .into(),
            WaitEnd::Interrupted => {
                crate::error::StsError::Interrupted("interrupted before anything was changed".into()).into()
            }
            WaitEnd::SetGone => {
                anyhow::anyhow!("statefulset {}/{} was deleted", snap.namespace(), snap.name())
            }
            WaitEnd::Failed(err) => err,
        })
}
