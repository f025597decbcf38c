//! The verbs on objects and collections: get, list (selectors, pagination), watch, create,
//! update, patch, delete (options, preconditions) and deletecollection, as store calls.

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::patch::PatchKind;
use super::route::{Params, Target};
use super::watch::{self, Filter, Start, WatchOptions};
use super::{App, Call, MAX_BODY, json as respond, json_text as respond_text};
use crate::error::ApiError;
use crate::resources::Resource;
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{DeleteOptions, Part, Propagation};

/// Answers one call on a resource.
pub(super) async fn handle(app: &App, call: Call) -> Result<Response, ApiError> {
    if let Some(sub) = call.target.subresource.clone() {
        return super::subresources::handle(app, call, &sub).await;
    }
    let cluster_wide = call.target.res.namespaced && call.target.namespace.is_none();
    match call.verb {
        "get" => get(app, &call),
        "list" => list(app, &call),
        "watch" => watch(app, &call),
        "create" | "deletecollection" if cluster_wide => Err(ApiError::method_not_allowed()),
        "create" => create(app, call).await,
        "update" => update(app, call, Part::Main).await,
        "patch" => patch(app, call, Part::Main).await,
        "delete" => delete(app, call).await,
        "deletecollection" => delete_collection(app, call).await,
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// The request body, whole.
pub(super) async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))
}

/// The request body as a JSON object (`None` when empty); JSON or YAML by `Content-Type`,
/// 415 for other encodings (protobuf, which some kubectl commands send, is not spoken here).
pub(super) async fn read_json(call: Call) -> Result<Option<Value>, ApiError> {
    let content_type = header_value(&call, header::CONTENT_TYPE);
    let essence = content_type.split(';').next().unwrap_or("").trim().to_string();
    let bytes = read_body(call.body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value: Value = match essence.as_str() {
        "" | "application/json" | "*/*" => serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?,
        "application/yaml" => serde_saphyr::from_slice(&bytes).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; yaml parse error: {e}"))
        })?,
        _ => {
            return Err(ApiError::unsupported_body(&content_type));
        }
    };
    if !value.is_object() {
        return Err(ApiError::bad_request("the request body is not a JSON object"));
    }
    Ok(Some(value))
}

async fn required_json(call: Call) -> Result<Value, ApiError> {
    read_json(call)
        .await?
        .ok_or_else(|| ApiError::bad_request("the request body is empty"))
}

fn header_value(call: &Call, name: header::HeaderName) -> String {
    call.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn get(app: &App, call: &Call) -> Result<Response, ApiError> {
    let t = &call.target;
    let obj = app.store.get(t.res, t.ns(), t.name())?;
    if super::table::wanted(&call.headers) {
        let metadata = json!({"resourceVersion": obj["metadata"]["resourceVersion"]});
        return Ok(respond(
            StatusCode::OK,
            &super::table::table(t.res, metadata, &[obj]),
        ));
    }
    Ok(respond(StatusCode::OK, &obj))
}

/// Field selectors each kind answers (others are a 400, as kube-apiserver's field label
/// conversion refuses them).
fn supported_fields(res: &Resource) -> &'static [&'static str] {
    match res.plural {
        "pods" => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "namespaces" => &["status.phase"],
        "events" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "type",
        ],
        _ => &[],
    }
}

/// The namespace and selectors of a list, watch or deletecollection.
fn filter(call: &Call) -> Result<Filter, ApiError> {
    let res = call.target.res;
    let labels = LabelSelector::parse(call.params.get("labelSelector").unwrap_or(""))
        .map_err(ApiError::bad_request)?;
    let field_text = call.params.get("fieldSelector").unwrap_or("");
    let fields = FieldSelector::parse(field_text).map_err(ApiError::bad_request)?;
    for term in field_text.split(',').filter(|t| !t.trim().is_empty()) {
        let field = term.split(['!', '=']).next().unwrap_or("").trim();
        let known = ["metadata.name", "metadata.namespace"].contains(&field)
            || supported_fields(res).contains(&field);
        if !known {
            return Err(ApiError::bad_request(format!(
                "field label not supported: {field}"
            )));
        }
    }
    Ok(Filter {
        res,
        namespace: call.target.namespace.clone(),
        labels,
        fields,
    })
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A `continue` token: the list's resourceVersion and the last key sent.
fn continue_token(rv: u64, key: &(String, String)) -> String {
    hex(&json!({"rv": rv, "start": [key.0, key.1]}).to_string())
}

fn parse_continue(token: &str) -> Result<(u64, (String, String)), ApiError> {
    let invalid = || ApiError::bad_request(format!("continue key is not valid: {token}"));
    let value: Value = unhex(token)
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(invalid)?;
    let rv = value["rv"].as_u64().ok_or_else(invalid)?;
    let part = |i: usize| value["start"][i].as_str().map(str::to_string).ok_or_else(invalid);
    Ok((rv, (part(0)?, part(1)?)))
}

fn key_of(obj: &Value) -> (String, String) {
    let s = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    (s("/metadata/namespace"), s("/metadata/name"))
}

/// `{kind: XList, apiVersion, metadata, items}`.
fn list_body(res: &Resource, metadata: Value, items: Vec<Value>) -> Value {
    json!({"kind": format!("{}List", res.kind), "apiVersion": res.api_version(), "metadata": metadata, "items": items})
}

fn list(app: &App, call: &Call) -> Result<Response, ApiError> {
    let filter = filter(call)?;
    let resume = call.params.get("continue").map(parse_continue).transpose()?;
    if resume
        .as_ref()
        .is_some_and(|(rv, _)| *rv < app.store.compacted_rv())
    {
        return Err(ApiError::continue_expired());
    }
    let limit = call
        .params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let table = super::table::wanted(&call.headers);
    let ns = filter.namespace.as_deref();
    let answer = app
        .store
        .with_list(filter.res, ns, &|o| filter.matches(o), |items, now| {
            let rv = resume.as_ref().map_or(now, |(rv, _)| *rv);
            let mut items: Vec<&Value> = match &resume {
                Some((_, after)) => items.into_iter().filter(|o| key_of(o) > *after).collect(),
                None => items,
            };
            let mut metadata = json!({"resourceVersion": rv.to_string()});
            if let Some(limit) = limit.filter(|l| items.len() > *l) {
                let remaining = items.split_off(limit);
                let last = items.last().map(|o| key_of(o)).unwrap_or_default();
                metadata["continue"] = json!(continue_token(rv, &last));
                metadata["remainingItemCount"] = json!(remaining.len());
            }
            if table {
                let owned: Vec<Value> = items.into_iter().cloned().collect();
                return super::table::table(filter.res, metadata, &owned).to_string();
            }
            list_text(filter.res, &metadata, &items)
        });
    Ok(respond_text(StatusCode::OK, answer))
}

/// `{apiVersion, items, kind, metadata}` as JSON text, written straight from the stored
/// objects (keys in the order `list_body` gives them).
fn list_text(res: &Resource, metadata: &Value, items: &[&Value]) -> String {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ListRef<'a> {
        api_version: String,
        items: &'a [&'a Value],
        kind: String,
        metadata: &'a Value,
    }
    let list = ListRef {
        api_version: res.api_version(),
        items,
        kind: format!("{}List", res.kind),
        metadata,
    };
    serde_json::to_string(&list).expect("JSON values serialize")
}

fn watch(app: &App, call: &Call) -> Result<Response, ApiError> {
    let filter = filter(call)?;
    let start = if call.params.flag("sendInitialEvents") {
        Start::InitialEvents
    } else {
        match call.params.get("resourceVersion") {
            None | Some("0") => Start::Now,
            Some(rv) => Start::From(rv.parse().map_err(|_| {
                ApiError::bad_request(format!(
                    "resourceVersion: Invalid value: {rv:?}: must be a valid resource version"
                ))
            })?),
        }
    };
    let timeout = call
        .params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    let opts = WatchOptions {
        start,
        bookmarks: call.params.flag("allowWatchBookmarks"),
        timeout,
        table: super::table::wanted(&call.headers),
    };
    Ok(watch::serve(app.store.clone(), app.log.clone(), filter, opts))
}

/// 400 when the body names another namespace (or, with `name`, another object) than the URL.
fn check_identity(obj: &Value, target: &Target, name: Option<&str>) -> Result<(), ApiError> {
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    if target.res.namespaced && !ns.is_empty() && ns != target.ns() {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    let sent = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(url) = name
        && sent != url
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({sent}) does not match the name on the URL ({url})"
        )));
    }
    Ok(())
}

async fn create(app: &App, call: Call) -> Result<Response, ApiError> {
    let dry = call.params.dry_run();
    let t = call.target.clone();
    let obj = required_json(call).await?;
    check_identity(&obj, &t, None)?;
    if obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .is_some_and(|rv| !rv.is_empty())
    {
        return Err(ApiError::bad_request(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    let created = app.store.create(t.res, t.ns(), obj, dry)?;
    Ok(respond(StatusCode::CREATED, &created))
}

/// PUT of an object or its status.
pub(super) async fn update(app: &App, call: Call, part: Part) -> Result<Response, ApiError> {
    let dry = call.params.dry_run();
    let t = call.target.clone();
    let obj = required_json(call).await?;
    check_identity(&obj, &t, Some(t.name()))?;
    let updated = app.store.replace(t.res, t.ns(), t.name(), part, dry, obj)?;
    Ok(respond(StatusCode::OK, &updated))
}

/// The PATCH content type and decoded document of a call.
pub(super) async fn patch_document(call: Call) -> Result<(PatchKind, Value, Params), ApiError> {
    let content_type = call
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let kind = PatchKind::from_content_type(&content_type)?;
    if kind == PatchKind::Apply && call.params.get("fieldManager").is_none() {
        return Err(ApiError::invalid(
            &PATCH_OPTIONS,
            "",
            "fieldManager",
            "FieldValueRequired",
            "Required value: is required for apply patch",
        ));
    }
    let bytes = read_body(call.body).await?;
    Ok((kind, kind.decode(&bytes)?, call.params))
}

/// Names the options object in the 422 for an apply without `fieldManager`.
static PATCH_OPTIONS: Resource = Resource {
    group: "meta.k8s.io",
    version: "v1",
    plural: "patchoptions",
    kind: "PatchOptions",
    namespaced: false,
    has_status: false,
    has_generation: false,
};

/// PATCH of an object or its status; server-side apply creates a missing object.
pub(super) async fn patch(app: &App, call: Call, part: Part) -> Result<Response, ApiError> {
    let t = call.target.clone();
    let (kind, doc, params) = patch_document(call).await?;
    let dry = params.dry_run();
    let patched = app.store.modify(t.res, t.ns(), t.name(), part, dry, |current| {
        kind.apply(current, &doc)
    });
    match patched {
        Err(e) if e.code == 404 && kind == PatchKind::Apply && part == Part::Main => {
            let mut obj = doc;
            obj["metadata"]["name"] = json!(t.name());
            let created = app.store.create(t.res, t.ns(), obj, dry)?;
            Ok(respond(StatusCode::CREATED, &created))
        }
        other => Ok(respond(StatusCode::OK, &other?)),
    }
}

/// DeleteOptions from query parameters and an optional JSON body (the body wins).
pub(super) fn delete_options(params: &Params, body: Option<&Value>) -> Result<DeleteOptions, ApiError> {
    let empty = json!({});
    let body = body.unwrap_or(&empty);
    let text = |key: &str| {
        body[key]
            .as_str()
            .map(str::to_string)
            .or(params.get(key).map(str::to_string))
    };
    let propagation = match text("propagationPolicy").as_deref() {
        None => None,
        Some("Background") => Some(Propagation::Background),
        Some("Foreground") => Some(Propagation::Foreground),
        Some("Orphan") => Some(Propagation::Orphan),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "propagationPolicy: Unsupported value: {other:?}: supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            )));
        }
    };
    let orphan = body["orphanDependents"]
        .as_bool()
        .or(params.get("orphanDependents").map(|o| o == "true"));
    let grace = body["gracePeriodSeconds"]
        .as_i64()
        .or(params.get("gracePeriodSeconds").and_then(|g| g.parse().ok()));
    let dry_run = params.dry_run()
        || body["dryRun"]
            .as_array()
            .is_some_and(|d| d.iter().any(|v| v == "All"));
    Ok(DeleteOptions {
        grace_period_seconds: grace,
        propagation: propagation.or(orphan.map(|o| {
            if o {
                Propagation::Orphan
            } else {
                Propagation::Background
            }
        })),
        precondition_uid: body
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_string),
        precondition_rv: body
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string),
        dry_run,
    })
}

/// Whether a DELETE that removed the object answers with it (core kinds, StorageClasses) or
/// with a `Success` Status (apps, policy, discovery, events): `ReturnDeletedObject` upstream.
fn returns_deleted_object(res: &Resource) -> bool {
    (res.group.is_empty() && res.plural != "events") || res.plural == "storageclasses"
}

fn deleted_status(res: &Resource, obj: &Value) -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {
            "name": obj.pointer("/metadata/name").cloned().unwrap_or(json!("")),
            "group": res.group, "kind": res.plural,
            "uid": obj.pointer("/metadata/uid").cloned().unwrap_or(json!("")),
        }
    })
}

async fn delete(app: &App, call: Call) -> Result<Response, ApiError> {
    let (t, params) = (call.target.clone(), call.params.clone());
    let body = read_json(call).await?;
    let opts = delete_options(&params, body.as_ref())?;
    let result = if t.res.plural == "namespaces" {
        super::namespaces::delete(&app.store, t.name(), &opts)?
    } else {
        app.store.delete(t.res, t.ns(), t.name(), &opts)?
    };
    let uid = result.pointer("/metadata/uid").cloned();
    let remains = app
        .store
        .try_get(t.res, t.ns(), t.name())
        .is_some_and(|o| o.pointer("/metadata/uid").cloned() == uid);
    if opts.dry_run || remains || returns_deleted_object(t.res) {
        Ok(respond(StatusCode::OK, &result))
    } else {
        Ok(respond(StatusCode::OK, &deleted_status(t.res, &result)))
    }
}

async fn delete_collection(app: &App, call: Call) -> Result<Response, ApiError> {
    let filter = filter(&call)?;
    let params = call.params.clone();
    let body = read_json(call).await?;
    let opts = delete_options(&params, body.as_ref())?;
    let (items, _) = app
        .store
        .list(filter.res, filter.namespace.as_deref(), &|o| filter.matches(o));
    let mut deleted = Vec::new();
    for item in items {
        let (ns, name) = key_of(&item);
        match app.store.delete(filter.res, &ns, &name, &opts) {
            Ok(obj) => deleted.push(obj),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let metadata = json!({"resourceVersion": app.store.current_rv().to_string()});
    Ok(respond(StatusCode::OK, &list_body(filter.res, metadata, deleted)))
}
