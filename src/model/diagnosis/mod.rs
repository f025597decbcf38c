//! Reading what a set is doing and what keeps it from converging: the `status` report, the
//! controller's progress, whether it has converged (`wait`), `why`'s findings, `recover`'s
//! proof of a dead node, the `list` rows and what a deleted set left behind. Depends on `set`, `flow` and `rollout`; no other domain
//! depends on it.

pub mod convergence;
pub mod list;
pub mod orphans;
pub mod progress;
pub mod recover;
pub mod status;
pub mod why;
