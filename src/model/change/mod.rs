//! A set changed from its manifest (`plan -f`): the manifest's objects read from YAML or JSON,
//! compared field by field with the live set, and each change planned — in place, rolled
//! out, re-created with pods and claims kept, or refused. Depends on `set` and `storage`.

pub mod diff;
pub mod documents;
pub mod plan;
