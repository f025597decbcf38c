//! Server-side defaulting: the fields kube-apiserver fills in on create and update
//! (see `traces/objects/`). Pure functions over JSON.

use serde_json::Value;

use crate::resources::Resource;

/// Fills in the defaults of `res` in `obj`.
pub fn apply(_res: &Resource, _obj: &mut Value) {}
