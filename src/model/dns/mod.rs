//! Per-pod DNS: whether cluster DNS will answer each member's name, judged from the API
//! (`report`) and, with `--resolve`, from live answers (`answers` as data, judged in
//! `resolution`), in the shared verdict vocabulary of `check`. Depends on `set` only.

pub mod answers;
pub mod check;
pub mod report;
pub mod resolution;
