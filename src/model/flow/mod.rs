//! What every guided command keeps while it works: where each pod of a plan stands, the
//! incremental state of a wait, the record left in the cluster before an intermediate state,
//! and long pod lists grouped to fit a screen. Depends on `set` only.

pub mod group;
pub mod record;
pub mod step;
pub mod tracked;
