//! The resource quota controller: keeps every quota's status in step with the pods of its
//! namespace (the figures admission and `kubectl describe quota` show).

use std::time::Duration;

use super::obj;
use super::runner::Reconciler;
use super::write;
use crate::quota::{pods_in_use, quota_status};
use crate::resources::{PODS, RESOURCE_QUOTAS};
use crate::store::{Store, WatchEvent};

/// Keyed by namespace: a pod or quota change there re-counts its quotas.
#[derive(Default)]
pub struct QuotaController;

impl Reconciler for QuotaController {
    type Key = String;

    fn all_keys(&mut self, store: &Store) -> Vec<String> {
        let (quotas, _) = store.list(&RESOURCE_QUOTAS, None, &|_| true);
        quotas.iter().map(|q| obj::namespace(q).to_string()).collect()
    }

    fn keys_for(&mut self, _store: &Store, event: &WatchEvent) -> Vec<String> {
        match event.resource.plural {
            "pods" | "resourcequotas" => vec![event.namespace.clone()],
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, store: &Store, ns: &String) -> Option<Duration> {
        let (quotas, _) = store.list(&RESOURCE_QUOTAS, Some(ns), &|_| true);
        if quotas.is_empty() {
            return None;
        }
        let (pods, _) = store.list(&PODS, Some(ns), &|_| true);
        let used = pods_in_use(&pods, ns);
        for quota in &quotas {
            let status = quota_status(quota, used);
            if quota.get("status") != Some(&status) {
                // A quota changed meanwhile is counted again on its own event.
                let _ = write::status(store, &RESOURCE_QUOTAS, quota, status);
            }
        }
        None
    }
}
