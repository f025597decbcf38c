//! The request log tests read: every request the server answered, with its verb, resource,
//! user, status and connection, the number of watch streams open now and of connections
//! accepted so far.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// One request, as recorded for tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.
    pub verb: String,
    /// Resource plural (`statefulsets`), empty for discovery and other non-resource paths.
    pub resource: String,
    /// `scale`, `status`, `eviction`.
    pub subresource: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// The authenticated user, empty when there was none.
    pub user: String,
    pub user_agent: String,
    /// The HTTP status answered; 0 when the connection was dropped without an answer.
    pub status: u16,
    /// The injected fault that answered (`conflict`, `error`, `close`), if one did.
    pub fault: Option<String>,
    /// `HTTP/1.1` or `HTTP/2` (negotiated by ALPN over TLS).
    pub http_version: String,
    /// Which connection the request came on: requests with the same number shared one.
    pub connection: u64,
}

impl LoggedRequest {
    /// Whether the request could change something (a verb other than get, list or watch; an
    /// access review, which only asks, does not).
    pub fn is_mutating(&self) -> bool {
        !matches!(self.verb.as_str(), "get" | "list" | "watch") && self.resource != "selfsubjectaccessreviews"
    }
}

/// Every request the server answered, in order.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<Vec<LoggedRequest>>,
    open_watches: AtomicUsize,
    connections: AtomicU64,
}

impl RequestLog {
    /// A copy of the entries so far.
    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// Records one request.
    pub fn push(&self, entry: LoggedRequest) {
        if let Ok(mut e) = self.entries.lock() {
            e.push(entry);
        }
    }

    /// The entries whose verb can change something (not get, list or watch).
    pub fn mutating(&self) -> Vec<LoggedRequest> {
        self.entries()
            .into_iter()
            .filter(LoggedRequest::is_mutating)
            .collect()
    }

    /// The entries with `verb` on `resource` (plural), e.g. `("patch", "statefulsets")`.
    pub fn with(&self, verb: &str, resource: &str) -> Vec<LoggedRequest> {
        self.entries()
            .into_iter()
            .filter(|e| e.verb == verb && e.resource == resource)
            .collect()
    }

    /// Forgets every entry so far.
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }

    /// Watch streams being served now (a closed connection ends its stream).
    pub fn open_watches(&self) -> usize {
        self.open_watches.load(Ordering::SeqCst)
    }

    /// Connections accepted so far (TCP, whether or not a TLS handshake or a request followed;
    /// `clear` does not reset it).
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }

    /// Counts a new connection; its number (`LoggedRequest::connection`).
    pub(crate) fn connection_accepted(&self) -> u64 {
        self.connections.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub(crate) fn watch_opened(&self) {
        self.open_watches.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn watch_closed(&self) {
        self.open_watches.fetch_sub(1, Ordering::SeqCst);
    }
}
