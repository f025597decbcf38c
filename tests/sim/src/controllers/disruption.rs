//! The disruption controller owns this module: evictions checked against PodDisruptionBudgets.

use crate::error::ApiError;
use crate::resources;
use crate::store::{DeleteOptions, Store};

/// Evicts a pod (`POST .../pods/{name}/eviction`): deletes it with `opts`.
pub fn evict(store: &Store, ns: &str, name: &str, opts: &DeleteOptions) -> Result<(), ApiError> {
    store.delete(&resources::PODS, ns, name, opts).map(|_| ())
}
