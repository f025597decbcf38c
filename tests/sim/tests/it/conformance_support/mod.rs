//! The harness of the conformance tests: a simulated cluster driven over HTTP (`cluster`),
//! pod transitions from the store (`observe`), the state in the traces' shape (`snapshot`),
//! comparison with uids and revisions matched one-to-one (`compare`), trace replay
//! (`replay`), and the events of a run compared with a real control plane's (`events`).

pub mod cluster;
pub mod compare;
pub mod events;
pub mod observe;
pub mod replay;
pub mod snapshot;

pub use cluster::{Cluster, NS, list_path, object_path};
pub use replay::{Fixture, Step, image_patch, replay, settle};
