//! The HTTP face of the simulated API server: one entry point that routes, authenticates,
//! authorizes, dispatches and logs every request. Behaviour lives in the store; the
//! submodules turn HTTP into store calls and store answers into Kubernetes responses.

mod access;
mod auth;
mod discovery;
mod faults;
mod handlers;
mod listen;
mod log;
mod namespaces;
mod patch;
mod portforward;
mod route;
mod subresources;
mod table;
mod tls;
mod watch;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::ApiError;
use crate::faults::Faults;
use crate::network::PodNetwork;
use crate::store::Store;

pub use auth::{ADMIN_USER, VIEWER_USER};
pub use faults::ADMIN_PATH as FAULTS_PATH;
pub use log::{LoggedRequest, RequestLog};
pub use patch::{PatchKind, strategic_merge};
use route::{Params, Route, Target};
pub use tls::{CA_PEM, ca_data, loopback_acceptor};

/// Largest request body accepted.
const MAX_BODY: usize = 64 << 20;

/// What every request handler can reach.
#[derive(Clone)]
struct App {
    store: Arc<Store>,
    log: Arc<RequestLog>,
    faults: Faults,
    /// Where pods' ports listen, for port-forwards.
    net: Arc<PodNetwork>,
}

fn router(app: App) -> axum::Router {
    axum::Router::new()
        .fallback(entry)
        .layer(axum::middleware::from_fn_with_state(app.clone(), faults::layer))
        .with_state(app)
}

/// Serves the API over plain HTTP on `listener` until the runtime stops, with the faults
/// `faults` injects.
pub async fn serve(
    store: Arc<Store>,
    log: Arc<RequestLog>,
    listener: tokio::net::TcpListener,
    faults: Faults,
    net: Arc<PodNetwork>,
) {
    let app = App {
        store,
        log,
        faults,
        net,
    };
    listen::run(router(app.clone()), listener, None, app.faults, app.log).await;
}

/// Serves the API over TLS (certificate for 127.0.0.1 signed by `CA_PEM`) on `listener`.
pub async fn serve_tls(
    store: Arc<Store>,
    log: Arc<RequestLog>,
    listener: tokio::net::TcpListener,
    faults: Faults,
    net: Arc<PodNetwork>,
) {
    let app = App {
        store,
        log,
        faults,
        net,
    };
    listen::run(
        router(app.clone()),
        listener,
        Some(tls::Tls::new()),
        app.faults,
        app.log,
    )
    .await;
}

/// One parsed request, as the handlers see it.
struct Call {
    target: Target,
    verb: &'static str,
    params: Params,
    headers: HeaderMap,
    body: Body,
    /// The connection's upgrade, for WebSocket requests (port-forward).
    upgrade: Option<hyper::upgrade::OnUpgrade>,
}

/// A request's body and, for WebSocket requests, its connection's upgrade.
struct Incoming {
    body: Body,
    upgrade: Option<hyper::upgrade::OnUpgrade>,
}

/// What the log and the fault layer know of a request before it is served.
struct Described {
    entry: LoggedRequest,
    route: Route,
    params: Params,
    user: Result<&'static str, ApiError>,
}

fn describe(parts: &Parts) -> Described {
    let path = parts.uri.path().to_string();
    let params = Params::parse(parts.uri.query());
    let route = route::parse(&path);
    let user = auth::authenticate(&parts.headers);
    let mut entry = LoggedRequest {
        method: parts.method.to_string(),
        verb: route::log_verb(&parts.method, &route, &params),
        user: user.as_ref().map_or("", |u| *u).to_string(),
        user_agent: header_str(&parts.headers, header::USER_AGENT).to_string(),
        path,
        query: parts.uri.query().unwrap_or("").to_string(),
        http_version: format!("{:?}", parts.version),
        connection: parts
            .extensions
            .get::<listen::Connection>()
            .map_or(0, listen::Connection::number),
        ..LoggedRequest::default()
    };
    match &route {
        Route::Resource(t) => {
            entry.resource = t.res.plural.to_string();
            entry.subresource = t.subresource.clone();
            entry.namespace = t.namespace.clone();
            entry.name = t.name.clone();
        }
        Route::AccessReview => {
            entry.resource = access::PLURAL.to_string();
            if parts.method == axum::http::Method::POST {
                entry.verb = "create".into();
            }
        }
        _ => {}
    }
    Described {
        entry,
        route,
        params,
        user,
    }
}

async fn entry(State(app): State<App>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let upgrade = parts.extensions.remove::<hyper::upgrade::OnUpgrade>();
    let body = Incoming { body, upgrade };
    let Described {
        mut entry,
        route,
        params,
        user,
    } = describe(&parts);
    let response = match user {
        Err(e) if !route.is_public() => error(&e),
        _ => {
            let user = user.unwrap_or("");
            dispatch(&app, route, &parts.method, user, params, parts.headers, body).await
        }
    };
    entry.status = response.status().as_u16();
    app.log.push(entry);
    response
}

async fn dispatch(
    app: &App,
    route: Route,
    method: &axum::http::Method,
    user: &str,
    params: Params,
    headers: HeaderMap,
    body: Incoming,
) -> Response {
    let host = header_str(&headers, header::HOST).to_string();
    let found = match route {
        Route::Version => Some(discovery::version()),
        Route::Health => return (StatusCode::OK, "ok").into_response(),
        Route::CoreVersions => Some(discovery::core_versions(&host)),
        Route::Groups => Some(discovery::group_list()),
        Route::Group(name) => discovery::group(&name),
        Route::Resources { group, version } => discovery::resource_list(&group, &version),
        Route::OpenApiIndex => Some(discovery::openapi_index()),
        Route::OpenApiDocument(gv) => discovery::openapi_document(&gv),
        Route::Unknown => None,
        Route::AccessReview => return access::review(method, user, body.body).await,
        Route::Resource(target) => {
            let Some(verb) = route::verb(method, &target, &params) else {
                return error(&ApiError::method_not_allowed());
            };
            if let Err(e) = auth::authorize(user, verb, &target) {
                return error(&e);
            }
            let call = Call {
                target,
                verb,
                params,
                headers,
                body: body.body,
                upgrade: body.upgrade,
            };
            return handlers::handle(app, call).await.unwrap_or_else(|e| error(&e));
        }
    };
    match found {
        Some(doc) => json(StatusCode::OK, &doc),
        None => error(&not_served()),
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The 404 for a path nothing is served at.
fn not_served() -> ApiError {
    ApiError {
        code: 404,
        reason: "NotFound",
        message: "the server could not find the requested resource".into(),
        details: Some(serde_json::json!({})),
    }
}

/// A JSON answer.
fn json(status: StatusCode, body: &Value) -> Response {
    json_text(status, body.to_string())
}

/// A JSON answer already serialized.
fn json_text(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache, private"),
        ],
        body,
    )
        .into_response()
}

/// An error answer: its `Status` body with its code.
fn error(e: &ApiError) -> Response {
    let status = StatusCode::from_u16(e.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(status, &e.to_status())
}
