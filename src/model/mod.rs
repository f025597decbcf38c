//! Pure planning and interpretation of cluster state: no I/O, no printing. Everything here
//! takes a snapshot (k8s-openapi objects) and returns plain data, and is unit-tested on
//! fixture builders.

pub mod budget;
pub mod claims;
pub mod delete;
pub mod dns;
pub mod group;
pub mod health;
pub mod history;
pub mod list;
pub mod manifest;
pub mod orphans;
pub mod progress;
pub mod progressive;
pub mod quantity;
pub mod record;
pub mod recover;
pub mod resize;
pub mod resolution;
pub mod restart;
pub mod revert;
pub mod revision;
pub mod roll;
pub mod rollout;
pub mod scale;
pub mod set;
pub mod snapshot;
pub mod status;
pub mod step;
pub mod tracked;
pub mod update;
pub mod why;

#[cfg(test)]
pub mod fixtures;
