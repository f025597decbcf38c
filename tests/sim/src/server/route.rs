//! Request paths and query strings into what is asked: which resource, namespace, name and
//! subresource, and the Kubernetes verb. No store access, no answers.

use std::collections::HashMap;

use axum::http::Method;

use crate::resources::{self, Resource};

/// The object or collection a resource request addresses.
#[derive(Debug, Clone)]
pub struct Target {
    pub res: &'static Resource,
    /// The request's namespace (`None` for cluster-scoped kinds and cluster-wide lists).
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

impl Target {
    /// The namespace for store calls ("" when none).
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    /// The object name ("" for collections).
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    /// `pods`, or `pods/eviction` for a subresource.
    pub fn resource_label(&self) -> String {
        match &self.subresource {
            Some(sub) => format!("{}/{}", self.res.plural, sub),
            None => self.res.plural.to_string(),
        }
    }
}

/// What a request path asks for.
#[derive(Debug, Clone)]
pub enum Route {
    Version,
    Health,
    /// `/api`: the core group's versions.
    CoreVersions,
    /// `/apis`: every group.
    Groups,
    /// `/apis/{group}`.
    Group(String),
    /// `/api/v1`, `/apis/{group}/{version}`: the resource list.
    Resources {
        group: String,
        version: String,
    },
    Resource(Target),
    /// `/apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (answered, never stored).
    AccessReview,
    /// `/openapi/v3`.
    OpenApiIndex,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/{group}/{version}`.
    OpenApiDocument(String),
    /// Nothing is served here.
    Unknown,
}

impl Route {
    /// Whether the path may be read without credentials.
    pub fn is_public(&self) -> bool {
        matches!(self, Route::Version | Route::Health)
    }
}

/// Parses a request path.
pub fn parse(path: &str) -> Route {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "readyz" | "livez", ..] => Route::Health,
        ["api"] => Route::CoreVersions,
        ["api", "v1", rest @ ..] => resource_route("", "v1", rest),
        ["apis"] => Route::Groups,
        ["apis", group] => Route::Group(group.to_string()),
        ["apis", "authorization.k8s.io", "v1", "selfsubjectaccessreviews"] => Route::AccessReview,
        ["apis", group, version, rest @ ..] => resource_route(group, version, rest),
        ["openapi", "v3"] => Route::OpenApiIndex,
        ["openapi", "v3", gv @ ..] => Route::OpenApiDocument(gv.join("/")),
        _ => Route::Unknown,
    }
}

fn resource_route(group: &str, version: &str, rest: &[&str]) -> Route {
    if rest.is_empty() {
        return Route::Resources {
            group: group.into(),
            version: version.into(),
        };
    }
    let target = |res, namespace: Option<&str>, tail: &[&str]| {
        if tail.len() > 2 {
            return Route::Unknown;
        }
        Route::Resource(Target {
            res,
            namespace: namespace.map(str::to_string),
            name: tail.first().map(|s| s.to_string()),
            subresource: tail.get(1).map(|s| s.to_string()),
        })
    };
    if let ["namespaces", ns, plural, tail @ ..] = rest
        && let Some(res) = resources::by_plural(group, version, plural).filter(|r| r.namespaced)
    {
        return target(res, Some(ns), tail);
    }
    let Some(res) = resources::by_plural(group, version, rest[0]) else {
        return Route::Unknown;
    };
    if res.namespaced && rest.len() > 1 {
        return Route::Unknown;
    }
    target(res, None, &rest[1..])
}

/// Query parameters, decoded.
#[derive(Debug, Clone, Default)]
pub struct Params(pub HashMap<String, String>);

impl Params {
    /// Decodes a query string (`None`: no parameters).
    pub fn parse(query: Option<&str>) -> Self {
        let uri = format!("/?{}", query.unwrap_or(""));
        let parsed = uri
            .parse::<axum::http::Uri>()
            .ok()
            .and_then(|uri| axum::extract::Query::<HashMap<String, String>>::try_from_uri(&uri).ok());
        Params(parsed.map(|q| q.0).unwrap_or_default())
    }

    /// A parameter, if present and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A boolean parameter (`true` or `1`).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }

    /// `dryRun=All`.
    pub fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }
}

/// The Kubernetes verb of a request on `target` (`get`, `list`, `watch`, `create`, `update`,
/// `patch`, `delete`, `deletecollection`), or `None` for a method the path does not take.
pub fn verb(method: &Method, target: &Target, params: &Params) -> Option<&'static str> {
    let named = target.name.is_some();
    let verb = match *method {
        // Connecting to a pod (port-forward, exec, attach) over a WebSocket GET needs `create`,
        // as over a POST (AuthorizePodWebsocketUpgradeCreatePermission, on since 1.35).
        Method::GET if named && is_connect(target) => "create",
        Method::GET if named => "get",
        Method::GET if params.flag("watch") => "watch",
        Method::GET => "list",
        Method::POST if !named || target.subresource.is_some() => "create",
        Method::PUT if named => "update",
        Method::PATCH if named => "patch",
        Method::DELETE if named && target.subresource.is_none() => "delete",
        Method::DELETE if !named => "deletecollection",
        _ => return None,
    };
    Some(verb)
}

/// A pod's connect subresources, whatever the method.
fn is_connect(target: &Target) -> bool {
    target.res.plural == "pods"
        && matches!(
            target.subresource.as_deref(),
            Some("portforward" | "exec" | "attach")
        )
}

/// The verb of any request, for the log (`get` for discovery and other reads).
pub fn log_verb(method: &Method, route: &Route, params: &Params) -> String {
    match route {
        Route::Resource(target) => verb(method, target, params).unwrap_or("unknown").to_string(),
        _ if method == Method::GET => "get".into(),
        _ => method.as_str().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str) -> Target {
        match parse(path) {
            Route::Resource(t) => t,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn namespaces_are_objects_and_scopes() {
        let ns = target("/api/v1/namespaces/default");
        assert_eq!(
            (ns.res.plural, ns.name.as_deref(), ns.namespace),
            ("namespaces", Some("default"), None)
        );
        let status = target("/api/v1/namespaces/default/status");
        assert_eq!(status.subresource.as_deref(), Some("status"));
        let pods = target("/api/v1/namespaces/default/pods");
        assert_eq!(
            (pods.res.plural, pods.namespace.as_deref(), pods.name),
            ("pods", Some("default"), None)
        );
    }

    #[test]
    fn subresources_and_cluster_lists() {
        let scale = target("/apis/apps/v1/namespaces/ns/statefulsets/web/scale");
        assert_eq!(
            (scale.name(), scale.subresource.as_deref()),
            ("web", Some("scale"))
        );
        let all = target("/api/v1/pods");
        assert_eq!(
            (all.res.plural, all.namespace.clone(), all.name.clone()),
            ("pods", None, None)
        );
        assert!(matches!(parse("/api/v1/pods/web-0"), Route::Unknown));
        let pv = target("/api/v1/persistentvolumes/pv-1");
        assert_eq!(pv.name(), "pv-1");
        assert!(matches!(parse("/apis/apps/v1"), Route::Resources { .. }));
        assert!(matches!(
            parse("/apis/apps/v1/namespaces/ns/widgets"),
            Route::Unknown
        ));
    }

    #[test]
    fn verbs() {
        let params = Params::parse(Some("watch=1&labelSelector=app%3Dweb"));
        assert_eq!(params.get("labelSelector"), Some("app=web"));
        let coll = target("/api/v1/namespaces/ns/pods");
        assert_eq!(verb(&Method::GET, &coll, &params), Some("watch"));
        assert_eq!(verb(&Method::DELETE, &coll, &params), Some("deletecollection"));
        let evict = target("/api/v1/namespaces/ns/pods/web-0/eviction");
        assert_eq!(verb(&Method::POST, &evict, &params), Some("create"));
        assert_eq!(verb(&Method::PUT, &coll, &params), None);
    }
}
