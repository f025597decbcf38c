//! The loop every controller runs in: a de-duplicating work queue of keys fed by store events
//! and by timers the reconcilers ask for. No polling: the loop sleeps until an event arrives or
//! the next timer is due. Knows nothing of what a key means.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

use crate::store::{Store, WatchEvent};

/// One control loop: which keys an event concerns, and how to reconcile one key.
pub trait Reconciler: Send + 'static {
    type Key: Ord + Clone + Hash + Send + 'static;

    /// Every key to look at: at start and after missing events.
    fn all_keys(&mut self, store: &Store) -> Vec<Self::Key>;

    /// The keys a change concerns.
    fn keys_for(&mut self, store: &Store, event: &WatchEvent) -> Vec<Self::Key>;

    /// Brings one key towards its desired state; returns when to look at it again, if the
    /// reconciler waits on time rather than on a change.
    fn reconcile(&mut self, store: &Store, key: &Self::Key) -> Option<Duration>;
}

/// Keys ready to reconcile and keys waiting for their time.
pub struct WorkQueue<K> {
    ready: BTreeSet<K>,
    timers: BTreeSet<(Instant, K)>,
    deadline_of: HashMap<K, Instant>,
}

impl<K: Ord + Clone + Hash> Default for WorkQueue<K> {
    fn default() -> Self {
        WorkQueue {
            ready: BTreeSet::new(),
            timers: BTreeSet::new(),
            deadline_of: HashMap::new(),
        }
    }
}

impl<K: Ord + Clone + Hash> WorkQueue<K> {
    /// Queues a key now (once, however often it is added).
    pub fn add(&mut self, key: K) {
        self.ready.insert(key);
    }

    /// Queues a key at `at`, keeping the earlier deadline when it already waits.
    pub fn add_at(&mut self, key: K, at: Instant) {
        if let Some(&old) = self.deadline_of.get(&key) {
            if old <= at {
                return;
            }
            self.timers.remove(&(old, key.clone()));
        }
        self.deadline_of.insert(key.clone(), at);
        self.timers.insert((at, key));
    }

    /// Moves every key whose time has come to the ready set.
    pub fn promote_due(&mut self, now: Instant) {
        while let Some((at, _)) = self.timers.first() {
            if *at > now {
                break;
            }
            let (_, key) = self.timers.pop_first().expect("first exists");
            self.deadline_of.remove(&key);
            self.ready.insert(key);
        }
    }

    /// The next ready key.
    pub fn pop(&mut self) -> Option<K> {
        self.ready.pop_first()
    }

    /// When the next timer fires.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.first().map(|(at, _)| *at)
    }
}

/// Keeps one key from taking more than half of a thread: after a reconcile that took `d`,
/// the same key waits `d` before the next one. Small objects reconcile in microseconds and
/// never notice; a set of a thousand pods is synced in batches of changes instead of once per
/// change.
pub struct Pace<K> {
    not_before: HashMap<K, Instant>,
}

impl<K: Ord + Clone + Hash> Default for Pace<K> {
    fn default() -> Self {
        Pace {
            not_before: HashMap::new(),
        }
    }
}

impl<K: Ord + Clone + Hash> Pace<K> {
    /// When `key` may run again, if not now.
    pub fn wait_until(&self, key: &K) -> Option<Instant> {
        self.not_before
            .get(key)
            .copied()
            .filter(|at| *at > Instant::now())
    }

    /// Records a reconcile of `key` that began at `started`.
    pub fn ran(&mut self, key: &K, started: Instant) {
        let now = Instant::now();
        if now - started < Duration::from_millis(1) {
            self.not_before.remove(key);
        } else {
            self.not_before.insert(key.clone(), now + (now - started));
        }
    }
}

/// Runs `reconciler` on the current tokio runtime until the store's event channel closes.
pub fn spawn<R: Reconciler>(store: Arc<Store>, reconciler: R) {
    tokio::spawn(run(store, reconciler));
}

async fn run<R: Reconciler>(store: Arc<Store>, mut reconciler: R) {
    let mut events = store.subscribe();
    let mut queue = WorkQueue::default();
    let mut pace = Pace::default();
    reconciler.all_keys(&store).into_iter().for_each(|k| queue.add(k));
    loop {
        loop {
            match events.try_recv() {
                Ok(event) => queue_event(&store, &mut reconciler, &mut queue, &event),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Lagged(_)) => resync(&store, &mut reconciler, &mut queue),
                Err(TryRecvError::Closed) => return,
            }
        }
        queue.promote_due(Instant::now());
        if let Some(key) = queue.pop() {
            if let Some(at) = pace.wait_until(&key) {
                queue.add_at(key, at);
                continue;
            }
            let started = Instant::now();
            let after = reconciler.reconcile(&store, &key);
            pace.ran(&key, started);
            if let Some(after) = after {
                queue.add_at(key, Instant::now() + after);
            }
            tokio::task::yield_now().await;
            continue;
        }
        let deadline = queue.next_deadline();
        tokio::select! {
            received = events.recv() => match received {
                Ok(event) => queue_event(&store, &mut reconciler, &mut queue, &event),
                Err(RecvError::Lagged(_)) => resync(&store, &mut reconciler, &mut queue),
                Err(RecvError::Closed) => return,
            },
            _ = sleep_until(deadline) => {}
        }
    }
}

fn queue_event<R: Reconciler>(
    store: &Store,
    reconciler: &mut R,
    queue: &mut WorkQueue<R::Key>,
    event: &WatchEvent,
) {
    reconciler
        .keys_for(store, event)
        .into_iter()
        .for_each(|k| queue.add(k));
}

fn resync<R: Reconciler>(store: &Store, reconciler: &mut R, queue: &mut WorkQueue<R::Key>) {
    reconciler.all_keys(store).into_iter().for_each(|k| queue.add(k));
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deduplicated_and_timers_keep_the_earliest_deadline() {
        let mut q = WorkQueue::default();
        q.add("a");
        q.add("a");
        let now = Instant::now();
        q.add_at("b", now + Duration::from_secs(5));
        q.add_at("b", now + Duration::from_secs(1));
        q.add_at("b", now + Duration::from_secs(3));
        assert_eq!(q.next_deadline(), Some(now + Duration::from_secs(1)));
        assert_eq!(q.pop(), Some("a"));
        assert_eq!(q.pop(), None);
        q.promote_due(now + Duration::from_secs(2));
        assert_eq!(q.pop(), Some("b"));
        assert_eq!(q.next_deadline(), None);
    }

    #[test]
    fn slow_keys_wait_as_long_as_they_took() {
        let mut pace = Pace::default();
        let long_ago = Instant::now() - Duration::from_secs(1);
        pace.ran(&"slow", long_ago);
        assert!(pace.wait_until(&"slow").is_some());
        pace.ran(&"quick", Instant::now());
        assert!(pace.wait_until(&"quick").is_none());
    }
}
