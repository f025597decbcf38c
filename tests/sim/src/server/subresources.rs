//! Subresources: `/status` (the status part of an object), `statefulsets/{name}/scale` (an
//! autoscaling/v1 Scale over the set's `spec.replicas`) and `pods/{name}/eviction` (handed to
//! the disruption controller, which honours PodDisruptionBudgets).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::handlers::{self, delete_options, patch_document, read_json};
use super::{App, Call, discovery, json as respond, not_served};
use crate::error::ApiError;
use crate::resources::Resource;
use crate::store::Part;

/// Answers a call on subresource `sub` of the call's target.
pub(super) async fn handle(app: &App, call: Call, sub: &str) -> Result<Response, ApiError> {
    let res = call.target.res;
    if !discovery::subresources(res).iter().any(|(name, _)| *name == sub) {
        return Err(not_served());
    }
    match (sub, call.verb) {
        ("portforward", "create") => super::portforward::handle(app, call).await,
        ("status", "get") => {
            let t = &call.target;
            Ok(respond(StatusCode::OK, &app.store.get(res, t.ns(), t.name())?))
        }
        ("status", "update") => handlers::update(app, call, Part::Status).await,
        ("status", "patch") => handlers::patch(app, call, Part::Status).await,
        ("scale", "get") => {
            let t = &call.target;
            Ok(respond(
                StatusCode::OK,
                &scale_of(&app.store.get(res, t.ns(), t.name())?),
            ))
        }
        ("scale", "update") => scale_update(app, call).await,
        ("scale", "patch") => scale_patch(app, call).await,
        ("eviction", "create") => evict(app, call).await,
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Names the Scale in its 422 answers.
static SCALE: Resource = Resource {
    group: "autoscaling",
    version: "v1",
    plural: "scale",
    kind: "Scale",
    namespaced: true,
    has_status: false,
    has_generation: false,
};

/// A label selector object as the string form `LabelSelectorAsSelector(...).String()` gives:
/// requirements sorted by key, `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
pub fn selector_string(selector: &Value) -> String {
    let mut terms: Vec<(String, String)> = Vec::new();
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in labels {
            terms.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
        }
    }
    for expr in selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = expr["key"].as_str().unwrap_or("").to_string();
        let mut values: Vec<&str> = expr["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort();
        let term = match expr["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => continue,
        };
        terms.push((key, term));
    }
    terms.sort();
    terms.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// The autoscaling/v1 Scale of a StatefulSet (see `traces/objects/scale.json`).
fn scale_of(sts: &Value) -> Value {
    let meta = &sts["metadata"];
    let mut spec = json!({});
    if let Some(replicas) = sts
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .filter(|r| *r != 0)
    {
        spec["replicas"] = json!(replicas);
    }
    let mut status =
        json!({"replicas": sts.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0)});
    let selector = selector_string(&sts["spec"]["selector"]);
    if !selector.is_empty() {
        status["selector"] = json!(selector);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": spec,
        "status": status,
    })
}

/// Writes a Scale's `spec.replicas` into the set, carrying the Scale's resourceVersion as the
/// write's precondition (a stale one is a 409 from the store).
fn set_replicas(sts: &mut Value, scale: &Value, name: &str) -> Result<(), ApiError> {
    let replicas = scale
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if replicas < 0 {
        let message = format!("Invalid value: {replicas}: must be greater than or equal to 0");
        return Err(ApiError::invalid(
            &SCALE,
            name,
            "spec.replicas",
            "FieldValueInvalid",
            &message,
        ));
    }
    if let Some(rv) = scale
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|rv| !rv.is_empty())
    {
        sts["metadata"]["resourceVersion"] = json!(rv);
    }
    sts["spec"]["replicas"] = json!(replicas);
    Ok(())
}

async fn scale_update(app: &App, call: Call) -> Result<Response, ApiError> {
    let t = call.target.clone();
    let dry = call.params.dry_run();
    let scale = read_json(call).await?.unwrap_or_else(|| json!({}));
    let sts = app
        .store
        .modify(t.res, t.ns(), t.name(), Part::Main, dry, |sts| {
            set_replicas(sts, &scale, t.name())
        })?;
    Ok(respond(StatusCode::OK, &scale_of(&sts)))
}

async fn scale_patch(app: &App, call: Call) -> Result<Response, ApiError> {
    let t = call.target.clone();
    let (kind, doc, params) = patch_document(call).await?;
    let sts = app
        .store
        .modify(t.res, t.ns(), t.name(), Part::Main, params.dry_run(), |sts| {
            let mut scale = scale_of(sts);
            kind.apply(&mut scale, &doc)?;
            set_replicas(sts, &scale, t.name())
        })?;
    Ok(respond(StatusCode::OK, &scale_of(&sts)))
}

async fn evict(app: &App, call: Call) -> Result<Response, ApiError> {
    let (t, params) = (call.target.clone(), call.params.clone());
    let body = read_json(call).await?;
    let named = body
        .as_ref()
        .and_then(|b| b.pointer("/metadata/name"))
        .and_then(Value::as_str);
    if named.is_some_and(|n| n != t.name()) {
        return Err(ApiError::bad_request(
            "name in URL does not match name in Eviction object",
        ));
    }
    let opts = delete_options(&params, body.as_ref().and_then(|b| b.get("deleteOptions")))?;
    crate::controllers::disruption::evict(&app.store, t.ns(), t.name(), &opts)?;
    Ok(respond(
        StatusCode::CREATED,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    ))
}
