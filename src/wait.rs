//! Waiting on the cluster: caches of a set, its pods, claims and revisions fed by watches,
//! re-checked on every change under a deadline; and the user's interrupt (Ctrl-C / SIGTERM).
//! Never a sleep loop: every wake-up is an event from the API server (or an instant a check
//! asked for). A burst of events is taken in at once before one re-check; `follow` hands a
//! keeper (`model::flow::tracked`) only the ordinals that changed, and reads single objects from
//! the caches instead of copying them into a snapshot.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{BoxStream, StreamExt, TryStreamExt, select_all};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::Timestamp;
use kube::api::Api;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::time::Instant;

use crate::context::Context;
use crate::fetch::{own_claims, owned_revisions};
use crate::model::flow::tracked::Keeper;
use crate::model::set;
use crate::model::set::scope::Scope;
use crate::model::set::snapshot::{Claims, Look, SetSnapshot, own_pods};

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

/// Set while a command is in a step that must put something back when interrupted (a set a
/// gated roll drives as OnDelete gets its own strategy back): the interrupt then lets the
/// command finish that, for at most `FINISH_GRACE`, instead of ending the process at once.
static FINISH_ON_INTERRUPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// How long an interrupted command in such a step may take to put things back.
pub const FINISH_GRACE: Duration = Duration::from_secs(10);

/// Marks (or, with `false`, unmarks) a step that an interrupt lets finish.
pub fn finish_on_interrupt(on: bool) {
    FINISH_ON_INTERRUPT.store(on, std::sync::atomic::Ordering::SeqCst);
}

/// Whether an interrupt now lets the command finish its step.
pub fn finishes_on_interrupt() -> bool {
    FINISH_ON_INTERRUPT.load(std::sync::atomic::Ordering::SeqCst)
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

/// One object that changed (by kind and name), or `Relisted`: a watch started over and any of
/// its objects may have changed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Touched {
    Set,
    Pod(String),
    Claim(String),
    Revision,
    Relisted,
}

type Changes = BoxStream<'static, Result<Touched, watcher::Error>>;

/// What changed since the last look, gathered from a burst of events.
#[derive(Debug, Default)]
struct Changed {
    everything: bool,
    pods: HashSet<String>,
    claims: HashSet<String>,
}

impl Changed {
    fn everything() -> Changed {
        Changed {
            everything: true,
            ..Changed::default()
        }
    }

    fn add(&mut self, touched: Touched) {
        match touched {
            Touched::Pod(name) => drop(self.pods.insert(name)),
            Touched::Claim(name) => drop(self.claims.insert(name)),
            Touched::Relisted => self.everything = true,
            Touched::Set | Touched::Revision => {}
        }
    }
}

/// Watches of one set and everything that belongs to it, kept in caches.
pub struct SetWatch {
    name: String,
    namespace: String,
    /// The flags next commands printed about the set carry.
    scope: Scope,
    sets: Store<StatefulSet>,
    pods: Store<Pod>,
    claims: Store<PersistentVolumeClaim>,
    revisions: Store<ControllerRevision>,
    changes: Changes,
    /// What `follow` has not handed its keeper yet.
    unseen: Changed,
}

/// The set as a wait reads it now: single objects from the caches, nothing copied.
pub struct View<'a> {
    watch: &'a SetWatch,
    pub set: Arc<StatefulSet>,
    pub now: Timestamp,
}

impl View<'_> {
    /// The pod of `ordinal`, if there is one.
    pub fn pod(&self, ordinal: i32) -> Option<Arc<Pod>> {
        let name = set::pod_name(&self.set, ordinal);
        self.watch
            .pods
            .get(&ObjectRef::new(&name).within(&self.watch.namespace))
    }

    /// Calls `judge` with what judging `ordinal` needs.
    pub fn look<R>(&self, ordinal: i32, judge: impl FnOnce(&Look<'_>) -> R) -> R {
        let pod = self.pod(ordinal);
        judge(&Look {
            set: &self.set,
            pod: pod.as_deref(),
            claims: self,
            now: self.now,
        })
    }
}

impl Claims for View<'_> {
    fn has_claim(&self, name: &str) -> bool {
        self.watch
            .claims
            .get(&ObjectRef::new(name).within(&self.watch.namespace))
            .is_some()
    }
}

/// First ordinal, replicas, minReadySeconds, generation, status stale, update and current
/// revision, partition.
type Shape = (
    i32,
    i32,
    i32,
    Option<i64>,
    bool,
    Option<String>,
    Option<String>,
    Option<i32>,
);

/// What of a set decides how each of its pods is judged: a change of it judges them all again.
fn shape(sts: &StatefulSet) -> Shape {
    (
        set::ordinal_start(sts),
        set::desired_replicas(sts),
        set::min_ready_seconds(sts),
        sts.metadata.generation,
        set::status_is_stale(sts),
        set::update_revision(sts).map(str::to_string),
        set::current_revision(sts).map(str::to_string),
        set::partition(sts),
    )
}

/// The ordinal of a claim named `<template>-<set>-<ordinal>`.
fn claim_ordinal(set_name: &str, claim: &str) -> Option<i32> {
    let (rest, ordinal) = claim.rsplit_once('-')?;
    rest.strip_suffix(set_name)?.ends_with('-').then_some(())?;
    ordinal.parse().ok()
}

impl SetWatch {
    /// Starts watching `sts` (by name), its pods and revisions (by selector) and the claims of
    /// its namespace.
    pub fn start(ctx: &Context, sts: &StatefulSet) -> SetWatch {
        let ns = ctx.namespace.as_str();
        let name = set::name(sts).to_string();
        let by_name = watcher::Config::default().fields(&format!("metadata.name={name}"));
        // Every wait follows a read of the set, which refused a selector it could not read
        // (`fetch::pod_selector`), so the text here is the selector's.
        let by_selector = watcher::Config::default().labels(&set::selector_text(sts));
        let (sets, s1) = cached(Api::namespaced(ctx.client.clone(), ns), by_name, |_| Touched::Set);
        let (pods, s2) = cached(
            Api::namespaced(ctx.client.clone(), ns),
            by_selector.clone(),
            Touched::Pod,
        );
        let (claims, s3) = cached(
            Api::namespaced(ctx.client.clone(), ns),
            watcher::Config::default(),
            Touched::Claim,
        );
        let (revisions, s4) = cached(Api::namespaced(ctx.client.clone(), ns), by_selector, |_| {
            Touched::Revision
        });
        let changes = select_all([s1, s2, s3, s4]).boxed();
        SetWatch {
            name,
            namespace: ns.to_string(),
            scope: ctx.scope(),
            sets,
            pods,
            claims,
            revisions,
            changes,
            unseen: Changed::everything(),
        }
    }

    /// The set from its cache; `None` once it is gone.
    fn set(&self) -> Option<Arc<StatefulSet>> {
        self.sets.get(&ObjectRef::new(&self.name).within(&self.namespace))
    }

    /// The set as it is now, read from the caches; `None` once it is gone (or before the
    /// caches are complete).
    pub fn view(&self) -> Option<View<'_>> {
        let set = self.ready().then(|| self.set()).flatten()?;
        Some(View {
            watch: self,
            set,
            now: Timestamp::now(),
        })
    }

    /// The current snapshot from the caches; `None` once the set is gone.
    pub fn snapshot(&self) -> Option<SetSnapshot> {
        let sts = self.set()?.as_ref().clone();
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
        Some(SetSnapshot::new(sts, pods, claims, revisions, Timestamp::now()).with_scope(self.scope.clone()))
    }

    fn ready(&self) -> bool {
        is_ready(&self.sets) && is_ready(&self.pods) && is_ready(&self.claims) && is_ready(&self.revisions)
    }

    /// Re-checks a snapshot after every burst of changes until `check` is done or fails, the
    /// deadline passes, or the user interrupts. Only complete caches are checked. For small
    /// waits: each check copies the whole set (`follow` does not).
    pub async fn until<T>(
        &mut self,
        deadline: Instant,
        mut check: impl FnMut(&SetSnapshot) -> Check<T>,
    ) -> Result<T, WaitEnd> {
        loop {
            let mut recheck = deadline;
            if self.ready() {
                self.unseen = Changed::everything();
                let Some(snap) = self.snapshot() else {
                    return Err(WaitEnd::SetGone);
                };
                if let Some(end) = settle(check(&snap), &mut recheck) {
                    return end;
                }
            }
            let mut ignored = Changed::default();
            wake(&mut self.changes, &mut ignored, recheck, deadline).await?;
        }
    }

    /// Follows the set with `keeper`: hands it, after every burst of changes, only the
    /// ordinals whose pod or claims changed or that it asked to see again at some instant
    /// (all of them on the first call, after a watch started over, or when the set's shape
    /// changed), then asks `check` for the verdict. The same keeper must be passed to every
    /// call on this watch: what a call took in is not handed over again.
    pub async fn follow<K: Keeper, T>(
        &mut self,
        deadline: Instant,
        keeper: &mut K,
        mut check: impl FnMut(&mut K, &View<'_>) -> Check<T>,
    ) -> Result<T, WaitEnd> {
        let mut last_shape = None;
        loop {
            let mut recheck = deadline;
            let mut unseen = std::mem::take(&mut self.unseen);
            if let Some(view) = self.view() {
                let now_shape = Some(shape(&view.set));
                if last_shape != now_shape {
                    unseen.everything |= last_shape.is_some();
                    last_shape = now_shape;
                }
                for ordinal in dirty(&view, &unseen, keeper) {
                    view.look(ordinal, |look| keeper.rejudge(look, ordinal));
                }
                if let Some(at) = keeper.tracked().next_revisit() {
                    recheck = recheck.min(instant_of(at));
                }
                if let Some(end) = settle(check(keeper, &view), &mut recheck) {
                    return end;
                }
            } else if self.ready() {
                return Err(WaitEnd::SetGone);
            } else {
                self.unseen = unseen;
            }
            wake(&mut self.changes, &mut self.unseen, recheck, deadline).await?;
        }
    }
}

/// The ordinals to judge again: every one the keeper follows when everything changed, else
/// those of the pods and claims that changed and those due at this instant.
fn dirty<K: Keeper>(view: &View<'_>, unseen: &Changed, keeper: &mut K) -> Vec<i32> {
    if unseen.everything {
        return keeper.ordinals(&view.set);
    }
    let set_name = set::name(&view.set);
    let mut ordinals: Vec<i32> = unseen
        .pods
        .iter()
        .filter_map(|pod| set::ordinal_of_pod(&view.set, pod))
        .chain(unseen.claims.iter().filter_map(|c| claim_ordinal(set_name, c)))
        .chain(keeper.tracked().due(view.now))
        .collect();
    ordinals.sort_unstable();
    ordinals.dedup();
    ordinals
}

/// How a check ends the wait, if it does; else lowers `recheck` to the instant it asked for.
fn settle<T>(check: Check<T>, recheck: &mut Instant) -> Option<Result<T, WaitEnd>> {
    match check {
        Check::Done(value) => Some(Ok(value)),
        Check::Failed(err) => Some(Err(WaitEnd::Failed(err))),
        Check::Waiting => None,
        Check::WaitingUntil(at) => {
            *recheck = (*recheck).min(instant_of(at));
            None
        }
    }
}

/// Returns after the next change and every other one already arrived (a burst is taken in
/// at once, gathered into `changed`), at `recheck` (if before the deadline), or with how the
/// wait ends: the deadline passed, the user interrupted, the watches ended.
async fn wake<C>(
    changes: &mut BoxStream<'static, Result<C, watcher::Error>>,
    changed: &mut Changed,
    recheck: Instant,
    deadline: Instant,
) -> Result<(), WaitEnd>
where
    C: Relist,
{
    let first = tokio::select! {
        _ = tokio::time::sleep_until(recheck), if recheck < deadline => return Ok(()),
        change = changes.next() => change,
        _ = tokio::time::sleep_until(deadline) => return Err(WaitEnd::TimedOut),
        _ = interrupted() => return Err(WaitEnd::Interrupted),
    };
    let mut next = first;
    loop {
        match next {
            Some(Ok(touched)) => {
                if let Some(touched) = touched.touched() {
                    changed.add(touched);
                }
            }
            // A stream the network cut (an idle connection a load balancer dropped) is
            // resumed from where it was without a word; other failures are said.
            Some(Err(watcher::Error::WatchFailed(_))) => {}
            Some(Err(err)) => eprintln!("watch interrupted ({err}); resuming"),
            None => return Err(WaitEnd::Failed(anyhow::anyhow!("the watches ended unexpectedly"))),
        }
        match futures::FutureExt::now_or_never(changes.next()) {
            Some(more) => next = more,
            None => return Ok(()),
        }
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
    changes: BoxStream<'static, Result<(), watcher::Error>>,
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
        let (store, changes) = cached(api, config, |_| ());
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
            if is_ready(&self.store)
                && let Some(end) = settle(check(&self.store.state()), &mut recheck)
            {
                return end;
            }
            wake(&mut self.changes, &mut Changed::default(), recheck, deadline).await?;
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

/// A watch feeding a cache; the stream yields once per change, what `touched` makes of the
/// changed object's name (`T::from` of nothing when the watch started over).
fn cached<K, T>(
    api: Api<K>,
    config: watcher::Config,
    touched: fn(String) -> T,
) -> (Store<K>, BoxStream<'static, Result<T, watcher::Error>>)
where
    T: Relist + Send + 'static,
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (reader, writer) = reflector::store();
    let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = cut.clone();
    let stream = watcher(api, config)
        .inspect_err(move |err| {
            let was_cut = matches!(err, watcher::Error::WatchFailed(_));
            seen.store(was_cut, std::sync::atomic::Ordering::SeqCst);
        })
        .backoff(Resume::new(cut))
        .reflect(writer)
        .map(move |event| {
            event.map(|event| match event {
                watcher::Event::Apply(obj) | watcher::Event::Delete(obj) | watcher::Event::InitApply(obj) => {
                    touched(obj.meta().name.clone().unwrap_or_default())
                }
                watcher::Event::Init | watcher::Event::InitDone => T::relisted(),
            })
        })
        .boxed();
    (reader, stream)
}

/// What a watch yields per change: what changed, if it tells.
trait Relist {
    /// When the watch started over.
    fn relisted() -> Self;
    /// What changed.
    fn touched(self) -> Option<Touched>;
}

impl Relist for Touched {
    fn relisted() -> Self {
        Touched::Relisted
    }

    fn touched(self) -> Option<Touched> {
        Some(self)
    }
}

impl Relist for () {
    fn relisted() -> Self {}

    fn touched(self) -> Option<Touched> {
        None
    }
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

/// The pause before a watch is set up again: none for a stream that ran (a second or more
/// since the last failure) and was then cut by the network, as a load balancer cuts an idle
/// connection; for anything else (an API server restarting, a watch it refuses to start,
/// streams cut again at once) an exponential backoff from `RESUME_FIRST` that stops growing at
/// `RESUME_LONGEST`, jittered. kube's default (client-go's: 0.8 s doubling to 30 s) is kind to
/// a struggling server shared by a thousand controllers; one person watching a rollout would
/// see a restarted API server's changes as late as it was down (13 s after a 10 s restart).
struct Resume {
    cut: Arc<std::sync::atomic::AtomicBool>,
    last: Option<std::time::Instant>,
    backoff: watcher::ExponentialBackoff,
}

/// The first pause before a failed watch is set up again.
const RESUME_FIRST: Duration = Duration::from_millis(400);
/// The longest pause before jitter (which adds up to as much again).
const RESUME_LONGEST: Duration = Duration::from_millis(1500);

impl Resume {
    fn new(cut: Arc<std::sync::atomic::AtomicBool>) -> Resume {
        let builder = backon::ExponentialBuilder::default()
            .with_min_delay(RESUME_FIRST)
            .with_max_delay(RESUME_LONGEST)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times();
        Resume {
            cut,
            last: None,
            backoff: builder.into(),
        }
    }
}

impl Iterator for Resume {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let now = std::time::Instant::now();
        let ran = self.last.is_none_or(|last| now - last >= Duration::from_secs(1));
        self.last = Some(now);
        if self.cut.swap(false, std::sync::atomic::Ordering::SeqCst) && ran {
            return Some(Duration::ZERO);
        }
        self.backoff.next()
    }
}

impl kube::runtime::utils::Backoff for Resume {
    fn reset(&mut self) {
        self.backoff.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_watch_is_resumed_within_three_seconds_however_long_the_server_is_down() {
        let mut resume = Resume::new(Arc::default());
        let pauses: Vec<Duration> = (0..40).map(|_| resume.next().expect("never gives up")).collect();
        assert!(
            pauses[0] >= RESUME_FIRST && pauses[0] <= 2 * RESUME_FIRST,
            "{pauses:?}"
        );
        assert!(pauses.iter().all(|p| *p <= 2 * RESUME_LONGEST), "{pauses:?}");
        let down_for: Duration = pauses.iter().take(8).sum();
        assert!(down_for >= Duration::from_secs(8), "it backs off: {pauses:?}");
    }

    #[test]
    fn a_stream_the_network_cut_after_it_ran_is_resumed_at_once() {
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let mut resume = Resume::new(cut.clone());
        assert_eq!(resume.next(), Some(Duration::ZERO));
        cut.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(
            resume.next().unwrap() >= RESUME_FIRST,
            "cut again at once: backed off"
        );
    }
}
