//! Changing a set's pod template and moving pods onto it: staged and progressive rollouts,
//! promotion, updates in progress, restarts, rolls of OnDelete sets, returns to an earlier
//! revision (`abort`, `undo`) and the revision history. Depends on `set` and `flow`.

pub mod gates;
pub mod history;
pub mod progressive;
pub mod restart;
pub mod revert;
pub mod roll;
pub mod staged;
pub mod update;
