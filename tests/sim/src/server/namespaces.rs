//! Namespace deletion as kube-apiserver and the namespace controller do it together: the
//! namespace turns `Terminating` (new content is refused by the store), everything in it is
//! deleted, and the namespace goes once nothing is left in it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::resources::{self, NAMESPACES};
use crate::store::{self, DeleteOptions, Part, Propagation, Store};

/// Starts deleting namespace `name`; answers the namespace as it is now (Terminating).
pub(super) fn delete(store: &Arc<Store>, name: &str, opts: &DeleteOptions) -> Result<Value, ApiError> {
    let check = DeleteOptions {
        dry_run: true,
        ..opts.clone()
    };
    let would_be = store.delete(&NAMESPACES, "", name, &check)?;
    if opts.dry_run {
        return Ok(would_be);
    }
    let terminating = store.modify(&NAMESPACES, "", name, Part::Internal, false, |ns| {
        if ns.pointer("/metadata/deletionTimestamp").is_none() {
            ns["metadata"]["deletionTimestamp"] = json!(store::now());
        }
        ns["status"]["phase"] = json!("Terminating");
        Ok(())
    })?;
    tokio::spawn(finish(store.clone(), name.to_string()));
    Ok(terminating)
}

/// Deletes the namespace's content until none is left, then the namespace.
async fn finish(store: Arc<Store>, name: String) {
    let mut changes = store.subscribe();
    while delete_contents(&store, &name) > 0 {
        let _ = tokio::time::timeout(Duration::from_millis(200), changes.recv()).await;
    }
    let _ = store.delete(&NAMESPACES, "", &name, &DeleteOptions::default());
}

/// Deletes every object in namespace `ns`; returns how many still existed.
fn delete_contents(store: &Store, ns: &str) -> usize {
    let opts = DeleteOptions {
        propagation: Some(Propagation::Background),
        ..DeleteOptions::default()
    };
    let mut remaining = 0;
    for res in resources::ALL.iter().copied().filter(|r| r.namespaced) {
        let (items, _) = store.list(res, Some(ns), &|_| true);
        remaining += items.len();
        for item in items {
            let name = item
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let _ = store.delete(res, ns, name, &opts);
        }
    }
    remaining
}
