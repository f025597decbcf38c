//! `sts-sim`: a simulated Kubernetes control plane on loopback for testing kubectl-sts.
//! An HTTP API server (`server`) over an object store (`store`), with background loops playing
//! the StatefulSet controller, garbage collector, EndpointSlice controller, PV binder,
//! disruption controller and kubelets (`controllers`), following docs/statefulset-behaviour.md.

pub mod config;
pub mod controllers;
pub mod defaults;
pub mod dns;
pub mod error;
pub mod faults;
pub mod helpers;
pub mod network;
pub mod quota;
pub mod resources;
pub mod selector;
pub mod server;
pub mod sim;
pub mod store;
pub mod validation;

pub use config::{SimConfig, Timings};
pub use faults::{Fault, Faults};
pub use sim::Sim;
