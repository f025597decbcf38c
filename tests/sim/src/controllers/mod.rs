//! The control loops of the simulated cluster, each following docs/statefulset-behaviour.md:
//! StatefulSet controller, garbage collector, EndpointSlice controller, PV binder, disruption
//! controller and kubelets. They act only through the store, as real controllers act only through
//! the API.

pub mod cache;
pub mod disruption;
pub mod endpointslices;
pub mod events;
pub mod gc;
pub mod kubelet;
pub mod nodes;
pub mod obj;
pub mod quota;
pub mod runner;
pub mod statefulset;
pub mod volume_objects;
pub mod volumes;
pub mod write;

use std::sync::Arc;

use crate::config::SimConfig;
use crate::store::Store;

/// Starts every control loop on the current tokio runtime.
pub fn spawn_all(store: Arc<Store>, config: &SimConfig) {
    runner::spawn(store.clone(), statefulset::StatefulSetController::default());
    runner::spawn(store.clone(), kubelet::Kubelet::new(config));
    runner::spawn(store.clone(), gc::GarbageCollector::default());
    runner::spawn(store.clone(), volumes::Volumes::new(config));
    runner::spawn(store.clone(), endpointslices::EndpointSlices::default());
    runner::spawn(store.clone(), quota::QuotaController);
    tokio::spawn(nodes::run(store.clone(), config.nodes.clone()));
    runner::spawn(store, disruption::Disruption::default());
}
