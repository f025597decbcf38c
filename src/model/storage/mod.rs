//! A set's claims: exact resource quantities, the `pvc` report of claims per ordinal and
//! template, and the plan of `pvc resize`. Depends on `set` and `flow`.

pub mod claims;
pub mod quantity;
pub mod resize;
