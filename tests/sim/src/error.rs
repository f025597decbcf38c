//! API errors and their `Status` bodies, worded as kube-apiserver words them
//! (see `traces/api_errors.json`). Only construction and rendering live here.

use serde_json::{Value, json};

use crate::resources::Resource;

/// An error answer of the API server: HTTP code, `reason`, `message` and optional `details`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    fn name_details(res: &Resource, name: &str) -> Value {
        json!({"name": name, "group": res.group, "kind": res.plural})
    }

    /// 404 `statefulsets.apps "nope" not found`.
    pub fn not_found(res: &Resource, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{}\" not found", res.qualified_plural(), name),
        )
        .with_details(Self::name_details(res, name))
    }

    /// 409 for a stale resourceVersion.
    pub fn conflict(res: &Resource, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                res.qualified_plural(),
                name
            ),
        )
        .with_details(Self::name_details(res, name))
    }

    /// 409 for a failed uid or resourceVersion precondition on delete.
    pub fn precondition_failed(res: &Resource, name: &str, what: &str, want: &str, have: &str) -> Self {
        Self::precondition_failed_in(res, "", name, what, want, have)
    }

    /// 409 for a failed uid (`what` = `UID`) or resourceVersion (`ResourceVersion`)
    /// precondition on delete of `ns/name`, with the storage layer's wording.
    pub fn precondition_failed_in(
        res: &Resource,
        ns: &str,
        name: &str,
        what: &str,
        want: &str,
        have: &str,
    ) -> Self {
        let plural = if res.plural == "services" {
            "services/specs"
        } else {
            res.plural
        };
        let key = if ns.is_empty() {
            format!("/registry/{plural}/{name}")
        } else {
            format!("/registry/{plural}/{ns}/{name}")
        };
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{}\": StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: {what} in precondition: {want}, {what} in object meta: {have}",
                res.qualified_plural(),
                name,
            ),
        )
        .with_details(Self::name_details(res, name))
    }

    /// 409 AlreadyExists.
    pub fn already_exists(res: &Resource, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{}\" already exists", res.qualified_plural(), name),
        )
        .with_details(Self::name_details(res, name))
    }

    /// 422 Invalid with one cause.
    pub fn invalid(res: &Resource, name: &str, field: &str, cause_reason: &str, cause_message: &str) -> Self {
        Self::new(
            422,
            "Invalid",
            format!(
                "{} \"{}\" is invalid: {}: {}",
                res.qualified_kind(),
                name,
                field,
                cause_message
            ),
        )
        .with_details(json!({
            "name": name, "group": res.group, "kind": res.kind,
            "causes": [{"reason": cause_reason, "message": cause_message, "field": field}]
        }))
    }

    /// 422 Invalid with several causes, `(field, reason, message)`, joined as kube-apiserver
    /// joins a field.ErrorList: `is invalid: [a: ..., b: ...]` when there is more than one.
    pub fn invalid_causes(res: &Resource, name: &str, causes: &[(String, &str, String)]) -> Self {
        let rendered: Vec<String> = causes.iter().map(|(f, _, m)| format!("{f}: {m}")).collect();
        let list = match rendered.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        let causes: Vec<Value> = causes
            .iter()
            .map(|(field, reason, message)| json!({"reason": reason, "message": message, "field": field}))
            .collect();
        Self::new(
            422,
            "Invalid",
            format!("{} \"{}\" is invalid: {}", res.qualified_kind(), name, list),
        )
        .with_details(json!({"name": name, "group": res.group, "kind": res.kind, "causes": causes}))
    }

    /// 422 from a JSON patch that cannot be applied (a failed `test` operation, a missing
    /// path): kube-apiserver answers with a generic Invalid Status and no details.
    pub fn patch_not_applicable() -> Self {
        Self::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
        )
        .with_details(json!({}))
    }

    /// 403 from an admission plugin: `persistentvolumeclaims "x" is forbidden: <why>`.
    pub fn forbidden_by_admission(res: &Resource, name: &str, why: &str) -> Self {
        Self::new(
            403,
            "Forbidden",
            format!("{} \"{}\" is forbidden: {}", res.qualified_plural(), name, why),
        )
        .with_details(Self::name_details(res, name))
    }

    /// 410 Expired for a list `continue` token older than the kept history.
    pub fn continue_expired() -> Self {
        Self::new(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
        )
    }

    /// 403 Forbidden, worded like RBAC denials.
    pub fn forbidden(
        user: &str,
        verb: &str,
        res: &Resource,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Self {
        Self::forbidden_on(user, verb, res, res.plural, namespace, name)
    }

    /// 403 Forbidden for `resource` (`pods`, or a subresource such as `pods/eviction`).
    pub fn forbidden_on(
        user: &str,
        verb: &str,
        res: &Resource,
        resource: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Self {
        let what = match name {
            Some(n) => format!("{} \"{}\" is forbidden", res.qualified_plural(), n),
            None => format!("{} is forbidden", res.qualified_plural()),
        };
        let scope = match namespace {
            Some(ns) => format!(" in the namespace \"{ns}\""),
            None => " at the cluster scope".to_string(),
        };
        let group = if res.group.is_empty() {
            "\"\"".to_string()
        } else {
            format!("\"{}\"", res.group)
        };
        Self::new(
            403,
            "Forbidden",
            format!(
                "{what}: User \"{user}\" cannot {verb} resource \"{resource}\" in API group {group}{scope}"
            ),
        )
        .with_details(json!({"name": name.unwrap_or(""), "group": res.group, "kind": res.plural}))
    }

    /// 403 Forbidden on a non-resource path, worded like RBAC denials.
    pub fn forbidden_path(user: &str, verb: &str, path: &str) -> Self {
        Self::new(
            403,
            "Forbidden",
            format!("forbidden: User \"{user}\" cannot {verb} path \"{path}\""),
        )
        .with_details(json!({}))
    }

    /// 401 Unauthorized.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// 410 Expired, as sent in a watch ERROR event for a compacted resourceVersion.
    pub fn expired(requested: u64, oldest: u64) -> Self {
        Self::new(
            410,
            "Expired",
            format!("too old resource version: {requested} ({oldest})"),
        )
    }

    /// 429 from the eviction subresource when a PodDisruptionBudget would be violated.
    pub fn disruption_budget(pdb: &str, needed: i64, healthy: i64) -> Self {
        Self::new(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.")
            .with_details(json!({"causes": [{
                "reason": "DisruptionBudget",
                "message": format!("The disruption budget {pdb} needs {needed} healthy pods and has {healthy} currently")
            }]}))
    }

    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    /// 415 UnsupportedMediaType for an unknown patch content type.
    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {content_type})"
            ),
        )
    }

    /// 415 UnsupportedMediaType for a request body in an encoding the server does not read.
    pub fn unsupported_body(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {content_type})"
            ),
        )
    }

    /// 500 InternalError (fault injection).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    /// 500 InternalError as kube-apiserver wraps a storage failure (`NewInternalError`).
    pub fn internal_error(cause: &str) -> Self {
        Self::new(500, "InternalError", format!("Internal error occurred: {cause}"))
            .with_details(json!({"causes": [{"message": cause}]}))
    }

    /// 429 TooManyRequests from API priority and fairness (sent with `Retry-After`).
    pub fn too_many_requests(retry_after_seconds: u32) -> Self {
        Self::new(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
        )
        .with_details(json!({"retryAfterSeconds": retry_after_seconds}))
    }

    /// 503 ServiceUnavailable, as a server that is shutting down or not ready answers.
    pub fn service_unavailable() -> Self {
        Self::new(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        )
    }

    /// The `Status` object sent as the body.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.code, self.reason, self.message)
    }
}

impl std::error::Error for ApiError {}
