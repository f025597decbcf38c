//! Changing how many members a set has: the ordered scale with its claims' fates and
//! disruption budgets, and the deletion of a set (orphaning or ordered teardown). Depends on
//! `set`, `flow` and `storage`.

pub mod delete;
pub mod ordered;
