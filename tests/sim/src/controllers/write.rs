//! Writes a controller makes to an object it read a moment ago: applied only to that same
//! object (same uid) and only while the caller's condition still holds on the stored copy;
//! otherwise a 409, as the API server answers a write whose precondition went stale.

use serde_json::Value;

use super::obj;
use crate::error::ApiError;
use crate::resources::Resource;
use crate::store::{Part, Store};

/// Changes `seen` (an object of kind `res`) in the store if the stored object is the same one
/// and `still` holds for it.
pub fn guarded(
    store: &Store,
    res: &'static Resource,
    seen: &Value,
    part: Part,
    still: impl FnOnce(&Value) -> bool,
    change: impl FnOnce(&mut Value),
) -> Result<Value, ApiError> {
    let uid = obj::uid(seen).to_string();
    store.modify(
        res,
        obj::namespace(seen),
        obj::name(seen),
        part,
        false,
        |stored| {
            if obj::uid(stored) != uid || !still(stored) {
                return Err(ApiError::conflict(res, obj::name(stored)));
            }
            change(stored);
            Ok(())
        },
    )
}

/// Changes `seen` in the store if it is still the same object.
pub fn same(
    store: &Store,
    res: &'static Resource,
    seen: &Value,
    part: Part,
    change: impl FnOnce(&mut Value),
) -> Result<Value, ApiError> {
    guarded(store, res, seen, part, |_| true, change)
}

/// Replaces the status of `seen` if it is still the same object.
pub fn status(store: &Store, res: &'static Resource, seen: &Value, status: Value) -> Result<Value, ApiError> {
    same(store, res, seen, Part::Status, |o| o["status"] = status)
}

/// Removes a finalizer from `seen` if it is still the same object.
pub fn drop_finalizer(
    store: &Store,
    res: &'static Resource,
    seen: &Value,
    finalizer: &str,
) -> Result<Value, ApiError> {
    same(store, res, seen, Part::Main, |o| {
        obj::remove_finalizer(o, finalizer);
    })
}
