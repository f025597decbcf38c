//! SelfSubjectAccessReview (`authorization.k8s.io/v1`): "may I do this?", answered with the
//! rules requests are authorized by (`auth::rule`), worded as kube-apiserver's RBAC answers
//! (`allowed` with the binding as `reason`; a denial is only `allowed: false`, RBAC having no
//! opinion). Never stored; its discovery entry lives here too.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{auth, error, handlers, json as respond};
use crate::error::ApiError;
use crate::resources::Resource;

pub const GROUP: &str = "authorization.k8s.io";
pub const VERSION: &str = "v1";
pub const PLURAL: &str = "selfsubjectaccessreviews";

/// Names the kind in 422 answers.
static REVIEWS: Resource = Resource {
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    kind: "SelfSubjectAccessReview",
    namespaced: false,
    has_status: false,
    has_generation: false,
};

/// `/apis/authorization.k8s.io/v1`: the review is created, never read.
pub fn resource_list() -> Value {
    json!({
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": format!("{GROUP}/{VERSION}"),
        "resources": [{
            "name": PLURAL, "singularName": "selfsubjectaccessreview", "namespaced": false,
            "kind": REVIEWS.kind, "verbs": ["create"]
        }]
    })
}

/// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` by `user`.
pub async fn review(method: &Method, user: &str, body: Body) -> Response {
    if method != Method::POST {
        return error(&ApiError::method_not_allowed());
    }
    let bytes = match handlers::read_body(body).await {
        Ok(bytes) => bytes,
        Err(e) => return error(&e),
    };
    let review: Value = match serde_json::from_slice(&bytes) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return error(&ApiError::bad_request(
                "couldn't get version/kind; json parse error: expected a SelfSubjectAccessReview object",
            ));
        }
    };
    match decide(user, &review["spec"]) {
        Ok(status) => {
            let spec = review["spec"].clone();
            let answer = json!({
                "kind": REVIEWS.kind, "apiVersion": format!("{GROUP}/{VERSION}"),
                "metadata": {"creationTimestamp": null}, "spec": spec, "status": status
            });
            respond(StatusCode::CREATED, &answer)
        }
        Err(e) => error(&e),
    }
}

/// The review's `status` for `spec` (exactly one of resourceAttributes and
/// nonResourceAttributes, as the API validates).
fn decide(user: &str, spec: &Value) -> Result<Value, ApiError> {
    let attrs =
        ["resourceAttributes", "nonResourceAttributes"].map(|k| spec.get(k).filter(|v| v.is_object()));
    let verb = match attrs {
        [Some(a), None] | [None, Some(a)] => a["verb"].as_str().unwrap_or(""),
        [None, None] => {
            return Err(ApiError::invalid(
                &REVIEWS,
                "",
                "spec.resourceAttributes",
                "FieldValueInvalid",
                "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
            ));
        }
        [Some(_), Some(_)] => {
            return Err(ApiError::invalid(
                &REVIEWS,
                "",
                "spec.nonResourceAttributes",
                "FieldValueInvalid",
                "Invalid value: \"\": cannot be specified in combination with resourceAttributes",
            ));
        }
    };
    Ok(match auth::rule(user, verb) {
        Some(reason) => json!({"allowed": true, "reason": reason}),
        None => json!({"allowed": false}),
    })
}
