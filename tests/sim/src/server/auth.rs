//! Authentication (bearer tokens to users) and authorization (what each user may do), with
//! the 401 and RBAC-worded 403 answers. The tokens are the simulator's own, from `sim`.

use axum::http::HeaderMap;

use crate::error::ApiError;
use crate::server::route::Target;
use crate::sim::{ADMIN_TOKEN, VIEWER_TOKEN};

/// The cluster admin: everything is allowed.
pub const ADMIN_USER: &str = "sts-sim-admin";
/// The read-only user: get, list and watch only.
pub const VIEWER_USER: &str = "viewer";

/// The user a request's bearer token belongs to; 401 without one or with an unknown one.
pub fn authenticate(headers: &HeaderMap) -> Result<&'static str, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    match token {
        Some(ADMIN_TOKEN) => Ok(ADMIN_USER),
        Some(VIEWER_TOKEN) => Ok(VIEWER_USER),
        _ => Err(ApiError::unauthorized()),
    }
}

/// The rule every decision follows (requests and access reviews alike): the admin may do
/// anything, the viewer get, list and watch only; the binding that allows it, if any.
pub fn rule(user: &str, verb: &str) -> Option<&'static str> {
    let read_only = matches!(verb, "get" | "list" | "watch");
    match user {
        ADMIN_USER => Some(
            "RBAC: allowed by ClusterRoleBinding \"sts-sim-admin\" of ClusterRole \"cluster-admin\" to User \"sts-sim-admin\"",
        ),
        VIEWER_USER if read_only => {
            Some("RBAC: allowed by ClusterRoleBinding \"viewer\" of ClusterRole \"view\" to User \"viewer\"")
        }
        _ => None,
    }
}

/// Whether `user` may do `verb` on `target`; 403 as RBAC words it otherwise.
pub fn authorize(user: &str, verb: &str, target: &Target) -> Result<(), ApiError> {
    if rule(user, verb).is_some() {
        return Ok(());
    }
    Err(ApiError::forbidden_on(
        user,
        verb,
        target.res,
        &target.resource_label(),
        target.namespace.as_deref(),
        target.name.as_deref(),
    ))
}
