//! A set changed from its manifest (`plan -f`, `apply -f`): the manifest's objects read from
//! YAML or JSON, compared field by field with the live set, each change planned — in place,
//! rolled out, re-created with pods and claims kept, or refused — and the apply's object,
//! ownership and stages. Depends on `set` and `storage`.

pub mod apply;
pub mod diff;
pub mod documents;
pub mod plan;
