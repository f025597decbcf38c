//! Watch streams: newline-delimited JSON events from the store's history and live changes,
//! filtered by namespace and selectors (objects leaving a selection become `DELETED`, entering
//! it `ADDED`), with bookmarks, initial events, timeouts and the 410 `ERROR` event. A stream
//! lives exactly as long as its HTTP response body: a closed connection drops it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{Instant, Interval};

use crate::error::ApiError;
use crate::resources::Resource;
use crate::selector::{FieldSelector, LabelSelector};
use crate::server::log::RequestLog;
use crate::store::{EventKind, Store, WatchEvent};

/// How often bookmarks are sent when asked for.
const BOOKMARK_EVERY: Duration = Duration::from_secs(1);
/// Watch length when the client gives no `timeoutSeconds` (kube-apiserver: 30 to 60 minutes).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

/// Which objects a watch or list selects.
#[derive(Debug, Clone)]
pub struct Filter {
    pub res: &'static Resource,
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Filter {
    /// Whether a stored object (of `res`) is selected.
    pub fn matches(&self, obj: &Value) -> bool {
        let ns = obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        self.namespace.as_deref().is_none_or(|want| want == ns)
            && self.labels.matches_object(obj)
            && self.fields.matches(obj)
    }

    /// The event this watch sends for a store event, if any.
    fn translate(&self, event: &WatchEvent) -> Option<(&'static str, Value)> {
        if event.resource.plural != self.res.plural || event.resource.group != self.res.group {
            return None;
        }
        if self.namespace.as_deref().is_some_and(|ns| ns != event.namespace) {
            return None;
        }
        let now = self.matches(&event.object);
        let before = event.previous.as_ref().map(|p| self.matches(p)).unwrap_or(now);
        match (event.kind, before, now) {
            (EventKind::Added, _, true) => Some(("ADDED", event.object.clone())),
            (EventKind::Deleted, _, true) => Some(("DELETED", event.object.clone())),
            (EventKind::Modified, true, true) => Some(("MODIFIED", event.object.clone())),
            (EventKind::Modified, false, true) => Some(("ADDED", event.object.clone())),
            (EventKind::Modified, true, false) => {
                let mut gone = event.previous.clone().unwrap_or_else(|| event.object.clone());
                gone["metadata"]["resourceVersion"] = event.object["metadata"]["resourceVersion"].clone();
                Some(("DELETED", gone))
            }
            _ => None,
        }
    }
}

/// Where a watch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// `resourceVersion` unset or "0": synthetic `ADDED` for every current object, then live.
    Now,
    /// `sendInitialEvents=true`: like `Now`, then a bookmark marking the end of initial events.
    InitialEvents,
    /// Replay the history after this resourceVersion, then live.
    From(u64),
}

/// A watch request's options.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub start: Start,
    pub bookmarks: bool,
    pub timeout: Option<Duration>,
    /// Send each object as a one-row Table (`Accept: ...;as=Table`).
    pub table: bool,
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut text = json!({"type": kind, "object": object}).to_string();
    text.push('\n');
    Bytes::from(text)
}

fn bookmark(res: &Resource, rv: u64, initial_end: bool) -> Bytes {
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(
        "BOOKMARK",
        &json!({"kind": res.kind, "apiVersion": res.api_version(), "metadata": metadata}),
    )
}

/// A running watch: what is still to send and where live events come from.
struct Stream {
    filter: Filter,
    pending: VecDeque<Bytes>,
    events: Option<broadcast::Receiver<Arc<WatchEvent>>>,
    store: Arc<Store>,
    last_rv: u64,
    bookmarks: Option<Interval>,
    deadline: Instant,
    table: bool,
    _open: OpenWatch,
}

/// What woke a waiting stream.
enum Step {
    Event(Result<Arc<WatchEvent>, RecvError>),
    Bookmark,
    End,
}

/// Counts the stream in the request log while it exists.
struct OpenWatch(Arc<RequestLog>);

impl Drop for OpenWatch {
    fn drop(&mut self) {
        self.0.watch_closed();
    }
}

/// Starts a watch; the response streams until the timeout, an error event or the client leaves.
pub fn serve(store: Arc<Store>, log: Arc<RequestLog>, filter: Filter, opts: WatchOptions) -> Response {
    log.watch_opened();
    let open = OpenWatch(log);
    let timeout = opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let mut stream = Stream {
        filter,
        pending: VecDeque::new(),
        events: None,
        store,
        last_rv: 0,
        bookmarks: opts
            .bookmarks
            .then(|| tokio::time::interval_at(Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY)),
        deadline: Instant::now() + timeout,
        table: opts.table,
        _open: open,
    };
    stream.begin(opts.start);
    let body = futures::stream::unfold(stream, |mut s| async move {
        s.next().await.map(|chunk| (Ok::<_, Infallible>(chunk), s))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, private")
        .body(Body::from_stream(body))
        .expect("static response parts")
}

impl Stream {
    /// An object event, with the object as a one-row Table when asked for.
    fn event(&self, kind: &str, obj: &Value) -> Bytes {
        if !self.table {
            return line(kind, obj);
        }
        let rv = obj
            .pointer("/metadata/resourceVersion")
            .cloned()
            .unwrap_or(json!(""));
        let one = super::table::table(
            self.filter.res,
            json!({"resourceVersion": rv}),
            std::slice::from_ref(obj),
        );
        line(kind, &one)
    }

    /// Queues the initial events (or the single 410 error) and subscribes to live changes.
    fn begin(&mut self, start: Start) {
        let from = match start {
            Start::From(rv) => rv,
            Start::Now | Start::InitialEvents => {
                let filter = self.filter.clone();
                let (items, rv) = self
                    .store
                    .list(self.filter.res, self.filter.namespace.as_deref(), &|o| {
                        filter.matches(o)
                    });
                let added: Vec<Bytes> = items.iter().map(|o| self.event("ADDED", o)).collect();
                self.pending.extend(added);
                if start == Start::InitialEvents {
                    self.pending.push_back(bookmark(self.filter.res, rv, true));
                }
                rv
            }
        };
        match self.store.watch_from(from) {
            Ok((replay, events)) => {
                self.last_rv = from;
                for event in replay {
                    self.last_rv = event.rv;
                    if let Some((kind, obj)) = self.filter.translate(&event) {
                        let chunk = self.event(kind, &obj);
                        self.pending.push_back(chunk);
                    }
                }
                self.events = Some(events);
            }
            Err(expired) => self.fail(expired),
        }
    }

    /// Ends the stream with one `ERROR` event.
    fn fail(&mut self, error: ApiError) {
        self.pending.push_back(line("ERROR", &error.to_status()));
        self.events = None;
    }

    /// The next chunk to send, or `None` to end the response.
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(chunk) = self.pending.pop_front() {
                return Some(chunk);
            }
            let step = {
                let events = self.events.as_mut()?;
                tokio::select! {
                    biased;
                    received = events.recv() => Step::Event(received),
                    _ = tick(&mut self.bookmarks) => Step::Bookmark,
                    _ = tokio::time::sleep_until(self.deadline) => Step::End,
                }
            };
            match step {
                Step::Event(received) => self.receive(received),
                Step::Bookmark => return Some(bookmark(self.filter.res, self.last_rv, false)),
                Step::End => return None,
            }
        }
    }

    fn receive(&mut self, received: Result<Arc<WatchEvent>, RecvError>) {
        match received {
            Ok(event) => {
                self.last_rv = event.rv;
                if let Some((kind, obj)) = self.filter.translate(&event) {
                    let chunk = self.event(kind, &obj);
                    self.pending.push_back(chunk);
                }
            }
            Err(RecvError::Lagged(_)) => {
                let error = ApiError::expired(self.last_rv, self.store.compacted_rv());
                self.fail(error);
            }
            Err(RecvError::Closed) => self.events = None,
        }
    }
}

async fn tick(interval: &mut Option<Interval>) {
    match interval {
        Some(i) => {
            i.tick().await;
        }
        None => std::future::pending().await,
    }
}
