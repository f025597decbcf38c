//! The HTTP face of the simulated API server: routing, list/watch/get/create/replace/patch/
//! delete, subresources, Status errors, the request log. Behaviour lives in the store.

use std::sync::Arc;

use crate::store::Store;

/// One request, as recorded for tests.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Kubernetes verb: get, list, watch, create, update, patch, delete.
    pub verb: String,
    pub user_agent: String,
    pub status: u16,
}

/// Every request the server answered, in order.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: std::sync::Mutex<Vec<LoggedRequest>>,
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
}

/// Serves the API on `listener` until the runtime stops.
pub async fn serve(_store: Arc<Store>, _log: Arc<RequestLog>, _listener: tokio::net::TcpListener) {}
