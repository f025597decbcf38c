//! The fault-injection layer in front of the router: added latency, the armed faults' answers
//! (409, 500, 503, 429 with `Retry-After`, a dropped connection, an answer lost after the
//! request was carried out, a withdrawn permission's 403), watch streams ended on
//! demand, each recorded in the request log; and the admin endpoint `/sim/faults` through
//! which a person injects them by hand. With nothing injected, requests pass through untouched.

use std::future::pending;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use serde_json::{Value, json};

use super::listen::Connection;
use super::route::Route;
use super::{App, Described, auth, describe, error, json as respond};
use crate::error::ApiError;
use crate::faults::{Action, Fault, RequestInfo};

/// Where faults are injected by hand (admin token only).
pub const ADMIN_PATH: &str = "/sim/faults";

/// The layer: admin endpoint, latency, then the fault a request gets, if any.
pub(super) async fn layer(State(app): State<App>, req: Request, next: Next) -> Response {
    if req.uri().path() == ADMIN_PATH {
        return admin(&app, req).await;
    }
    let latency = app.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = req.into_parts();
    let described = describe(&parts);
    let info = request_info(&described);
    let action = if subject_to_faults(&described) {
        app.faults.take(&info)
    } else {
        None
    };
    let Some(action) = action else {
        let response = next.run(Request::from_parts(parts, body)).await;
        return if info.verb == "watch" && response.status() == StatusCode::OK {
            end_on_drop(&app, response)
        } else {
            response
        };
    };
    let mut entry = described.entry.clone();
    entry.fault = Some(action.name().to_string());
    if action == Action::Hang {
        app.log.push(entry);
        let mut cleared = app.faults.cleared();
        let _ = cleared.changed().await;
        return error(&ApiError::service_unavailable());
    }
    if matches!(action, Action::Close | Action::LoseAnswer) {
        let connection = parts.extensions.get::<Connection>().cloned();
        if action == Action::LoseAnswer {
            entry.status = next.run(Request::from_parts(parts, body)).await.status().as_u16();
        }
        app.log.push(entry);
        match connection {
            Some(conn) => conn.close(),
            None => eprintln!("sts-sim: no connection to close"),
        }
        return pending().await;
    }
    let response = answer(action, &described, body).await;
    entry.status = response.status().as_u16();
    app.log.push(entry);
    response
}

/// The verb and resource a fault is matched on.
fn request_info(d: &Described) -> RequestInfo {
    RequestInfo {
        verb: d.entry.verb.clone(),
        resource: d.entry.resource.clone(),
        subresource: d.entry.subresource.clone(),
    }
}

/// Whether a fault may answer the request: an API request (not a health probe) the user is
/// allowed to make, so that 401 and 403 keep coming first, as on a real server.
fn subject_to_faults(d: &Described) -> bool {
    let Ok(user) = d.user else {
        return false;
    };
    match &d.route {
        Route::Health | Route::Version => false,
        Route::Resource(target) => {
            let verb = d.entry.verb.as_str();
            verb != "unknown" && auth::authorize(user, verb, target).is_ok()
        }
        _ => true,
    }
}

/// The answer an armed fault gives.
async fn answer(action: Action, d: &Described, body: Body) -> Response {
    match action {
        Action::Conflict => {
            let target = match &d.route {
                Route::Resource(target) => target,
                _ => return error(&ApiError::internal_error("no object to conflict on")),
            };
            let name = match &target.name {
                Some(name) => name.clone(),
                None => created_name(body).await,
            };
            error(&ApiError::conflict(target.res, &name))
        }
        Action::Error {
            code: 429,
            retry_after,
        } => {
            let mut response = error(&ApiError::too_many_requests(retry_after));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            response
        }
        Action::Error { code: 503, .. } => error(&ApiError::service_unavailable()),
        Action::Forbidden => match (&d.route, &d.user) {
            (Route::Resource(target), Ok(user)) => error(&ApiError::forbidden_on(
                user,
                &d.entry.verb,
                target.res,
                &target.resource_label(),
                target.namespace.as_deref(),
                target.name.as_deref(),
            )),
            _ => error(&ApiError::internal_error("no object to forbid")),
        },
        _ => error(&ApiError::internal_error("etcdserver: request timed out")),
    }
}

/// The name in a create's body (a conflicting create names the object it would have made).
async fn created_name(body: Body) -> String {
    let bytes = axum::body::to_bytes(body, super::MAX_BODY)
        .await
        .unwrap_or_default();
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// A watch response whose stream ends (cleanly, as on a server shutdown) when every watch is
/// to be dropped.
fn end_on_drop(app: &App, response: Response) -> Response {
    let mut epoch = app.faults.watch_epoch();
    let dropped = async move {
        let _ = epoch.changed().await;
    };
    let (parts, body) = response.into_parts();
    let stream = body.into_data_stream().take_until(dropped);
    Response::from_parts(parts, Body::from_stream(stream))
}

/// `/sim/faults`: GET shows what is armed, POST injects (one fault or a list; `afterMs`
/// delays one), DELETE clears. Admin only; not recorded in the request log.
async fn admin(app: &App, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    match auth::authenticate(&parts.headers) {
        Err(e) => return error(&e),
        Ok(user) if user != auth::ADMIN_USER => {
            let verb = parts.method.as_str().to_lowercase();
            return error(&ApiError::forbidden_path(user, &verb, ADMIN_PATH));
        }
        Ok(_) => {}
    }
    let result = match parts.method {
        Method::GET => Ok(()),
        Method::DELETE => app.faults.inject(Fault::Clear),
        Method::POST => inject(app, body).await,
        _ => return error(&ApiError::method_not_allowed()),
    };
    match result {
        Ok(()) => respond(StatusCode::OK, &state(app)),
        Err(reason) => error(&ApiError::bad_request(reason)),
    }
}

/// What is armed now, for `GET /sim/faults`.
fn state(app: &App) -> Value {
    let pending: Vec<Value> = app
        .faults
        .pending()
        .into_iter()
        .map(|(action, left)| json!({"answer": action.describe(), "requestsLeft": left}))
        .collect();
    json!({
        "injected": app.faults.injected(),
        "armed": pending,
        "latencyMs": app.faults.latency().as_millis() as u64,
        "restartsDone": app.faults.restarts_done(),
        "openWatches": app.log.open_watches(),
    })
}

/// Injects the fault(s) of a POST body, each now or after its `afterMs`.
async fn inject(app: &App, body: Body) -> Result<(), String> {
    let bytes = axum::body::to_bytes(body, super::MAX_BODY)
        .await
        .map_err(|e| format!("cannot read the body: {e}"))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))?;
    let items = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    let mut planned = Vec::new();
    for mut item in items {
        let after = item
            .as_object_mut()
            .and_then(|o| o.remove("afterMs"))
            .and_then(|v| v.as_u64());
        let fault: Fault = serde_json::from_value(item).map_err(|e| format!("not a fault: {e}"))?;
        fault.validate()?;
        // A restart drops this very connection: let the answer go out first.
        let after = after.or(matches!(fault, Fault::Restart { .. }).then_some(50));
        planned.push((fault, after));
    }
    for (fault, after) in planned {
        match after {
            None => app.faults.inject(fault)?,
            Some(ms) => {
                let faults = app.faults.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                    let _ = faults.inject(fault);
                });
            }
        }
    }
    Ok(())
}
