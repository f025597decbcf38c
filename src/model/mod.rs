//! Pure planning and interpretation of cluster state: no I/O, no printing. Everything here
//! takes a snapshot (k8s-openapi objects) and returns plain data, and is unit-tested on
//! fixture builders. A plan that cannot be made is a `refusal::Refusal`. Grouped by domain, each domain depending only on the ones listed before
//! it (`tests/it/layout.rs` checks this, and that no cycle runs through `src/`):
//! `set` (facts of one set and what was read with it), `flow` (what guided commands keep
//! between looks at the cluster), `storage`, `dns`, `rollout`, `scale`, `change` (a manifest
//! against the live set), `diagnosis`.

pub mod change;
pub mod diagnosis;
pub mod dns;
pub mod flow;
pub mod refusal;
pub mod rollout;
pub mod scale;
pub mod set;
pub mod storage;
