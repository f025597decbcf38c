//! `/version`, API discovery (`/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`) and a
//! minimal OpenAPI v3 (the PATCH operations and their `fieldValidation` parameter, which kubectl
//! looks up before create and apply) as a v1.36 kube-apiserver answers them.

use serde_json::{Value, json};

use crate::resources::{self, Resource};

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "36",
        "emulationMajor": "1",
        "emulationMinor": "36",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "35",
        "gitVersion": "v1.36.0",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-04-22T00:00:00Z",
        "goVersion": "go1.26.2",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// `/api`.
pub fn core_versions(host: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]
    })
}

/// The served API groups other than core, in discovery order.
fn groups() -> Vec<(&'static str, &'static str)> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for r in resources::ALL.iter().filter(|r| !r.group.is_empty()) {
        if !seen.contains(&(r.group, r.version)) {
            seen.push((r.group, r.version));
        }
    }
    seen
}

fn group_object(group: &str, version: &str) -> Value {
    let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
    json!({"name": group, "versions": [gv], "preferredVersion": gv})
}

/// The groups discovery lists: those of stored kinds and the access review's.
fn served_groups() -> Vec<(&'static str, &'static str)> {
    let mut all = groups();
    all.push((super::access::GROUP, super::access::VERSION));
    all
}

/// `/apis`.
pub fn group_list() -> Value {
    let groups: Vec<Value> = served_groups()
        .into_iter()
        .map(|(g, v)| group_object(g, v))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`, if served.
pub fn group(name: &str) -> Option<Value> {
    let (g, v) = served_groups().into_iter().find(|(g, _)| *g == name)?;
    let mut obj = group_object(g, v);
    obj["kind"] = json!("APIGroup");
    obj["apiVersion"] = json!("v1");
    Some(obj)
}

fn short_names(res: &Resource) -> &'static [&'static str] {
    match res.plural {
        "pods" => &["po"],
        "services" => &["svc"],
        "persistentvolumeclaims" => &["pvc"],
        "persistentvolumes" => &["pv"],
        "namespaces" => &["ns"],
        "events" => &["ev"],
        "statefulsets" => &["sts"],
        "poddisruptionbudgets" => &["pdb"],
        "storageclasses" => &["sc"],
        _ => &[],
    }
}

/// A subresource: its name, and (group, version, kind) when not the parent's.
pub type Subresource = (&'static str, Option<(&'static str, &'static str, &'static str)>);

/// The subresources served for `res`.
pub fn subresources(res: &Resource) -> &'static [Subresource] {
    match res.plural {
        "statefulsets" => &[("status", None), ("scale", Some(("autoscaling", "v1", "Scale")))],
        "pods" => &[
            ("status", None),
            ("eviction", Some(("policy", "v1", "Eviction"))),
            ("portforward", Some(("", "v1", "PodPortForwardOptions"))),
        ],
        "persistentvolumeclaims"
        | "persistentvolumes"
        | "poddisruptionbudgets"
        | "services"
        | "namespaces" => &[("status", None)],
        _ => &[],
    }
}

/// Whether deletecollection is served (every namespaced kind).
pub fn has_deletecollection(res: &Resource) -> bool {
    res.namespaced
}

fn resource_entry(res: &Resource) -> Value {
    let mut verbs = vec!["create", "delete", "get", "list", "patch", "update", "watch"];
    if has_deletecollection(res) {
        verbs.insert(2, "deletecollection");
    }
    let mut entry = json!({
        "name": res.plural,
        "singularName": res.kind.to_lowercase(),
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": verbs,
    });
    if !short_names(res).is_empty() {
        entry["shortNames"] = json!(short_names(res));
    }
    if matches!(res.plural, "pods" | "services" | "statefulsets") {
        entry["categories"] = json!(["all"]);
    }
    entry
}

fn subresource_entry(res: &Resource, name: &str, gvk: Option<(&str, &str, &str)>) -> Value {
    let verbs = if name == "eviction" {
        json!(["create"])
    } else if name == "portforward" {
        json!(["create", "get"])
    } else {
        json!(["get", "patch", "update"])
    };
    let mut entry = json!({
        "name": format!("{}/{}", res.plural, name),
        "singularName": res.kind.to_lowercase(),
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": verbs,
    });
    if let Some((group, version, kind)) = gvk {
        entry["group"] = json!(group);
        entry["version"] = json!(version);
        entry["kind"] = json!(kind);
    }
    entry
}

/// `/api/v1` or `/apis/{group}/{version}`, if served.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    if (group, version) == (super::access::GROUP, super::access::VERSION) {
        return Some(super::access::resource_list());
    }
    let served: Vec<&Resource> = resources::ALL
        .iter()
        .copied()
        .filter(|r| r.group == group && r.version == version)
        .collect();
    if served.is_empty() {
        return None;
    }
    let mut entries = Vec::new();
    for res in served {
        entries.push(resource_entry(res));
        for (name, gvk) in subresources(res) {
            entries.push(subresource_entry(res, name, *gvk));
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": entries}),
    )
}

/// The URL prefix of a group version: `api/v1` or `apis/{group}/{version}`.
fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: one document per served group version.
pub fn openapi_index() -> Value {
    let mut paths = serde_json::Map::new();
    let mut gvs: Vec<(&str, &str)> = vec![("", "v1")];
    gvs.extend(groups());
    for (group, version) in gvs {
        let path = gv_path(group, version);
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}")}),
        );
    }
    json!({"paths": paths})
}

/// `/openapi/v3/{api/v1 | apis/group/version}`: each object path with its PATCH operation.
pub fn openapi_document(gv: &str) -> Option<Value> {
    let served: Vec<&Resource> = resources::ALL
        .iter()
        .copied()
        .filter(|r| gv_path(r.group, r.version) == gv)
        .collect();
    if served.is_empty() {
        return None;
    }
    let mut paths = serde_json::Map::new();
    for res in served {
        let scope = if res.namespaced {
            "namespaces/{namespace}/"
        } else {
            ""
        };
        let patch = json!({
            "x-kubernetes-group-version-kind": {"group": res.group, "version": res.version, "kind": res.kind},
            "parameters": [
                {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                {"name": "force", "in": "query", "schema": {"type": "boolean"}}
            ],
            "responses": {"200": {"description": "OK"}}
        });
        paths.insert(
            format!("/{gv}/{scope}{}/{{name}}", res.plural),
            json!({"patch": patch}),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.36.0"},
        "paths": paths
    }))
}
