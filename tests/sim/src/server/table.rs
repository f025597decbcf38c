//! Server-side printing: `meta.k8s.io/v1` Tables for clients that ask for them
//! (`Accept: application/json;as=Table;...`, as `kubectl get` does), with the columns kubectl
//! users know for the served kinds and `NAME`, `AGE` for the others.

use axum::http::{HeaderMap, header};
use serde_json::{Value, json};

use crate::resources::Resource;

/// Whether the client asked for a Table.
pub fn wanted(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("as=Table"))
}

/// One column: name, type, priority (1: only with `-o wide`).
type Column = (&'static str, &'static str, u8);

fn columns(res: &Resource) -> &'static [Column] {
    match res.plural {
        "pods" => &[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
        ],
        "statefulsets" => &[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
        ],
        "services" => &[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Cluster-IP", "string", 0),
            ("External-IP", "string", 0),
            ("Port(s)", "string", 0),
            ("Age", "string", 0),
            ("Selector", "string", 1),
        ],
        "persistentvolumeclaims" => &[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Volume", "string", 0),
            ("Capacity", "string", 0),
            ("Access Modes", "string", 0),
            ("StorageClass", "string", 0),
            ("Age", "string", 0),
        ],
        "persistentvolumes" => &[
            ("Name", "string", 0),
            ("Capacity", "string", 0),
            ("Access Modes", "string", 0),
            ("Reclaim Policy", "string", 0),
            ("Status", "string", 0),
            ("Claim", "string", 0),
            ("StorageClass", "string", 0),
            ("Age", "string", 0),
        ],
        "namespaces" => &[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Age", "string", 0),
        ],
        "controllerrevisions" => &[
            ("Name", "string", 0),
            ("Controller", "string", 0),
            ("Revision", "integer", 0),
            ("Age", "string", 0),
        ],
        "poddisruptionbudgets" => &[
            ("Name", "string", 0),
            ("Min Available", "string", 0),
            ("Max Unavailable", "string", 0),
            ("Allowed Disruptions", "integer", 0),
            ("Age", "string", 0),
        ],
        _ => &[("Name", "string", 0), ("Age", "string", 0)],
    }
}

fn text(obj: &Value, pointer: &str, empty: &str) -> String {
    match obj.pointer(pointer) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => empty.to_string(),
    }
}

fn joined(items: Option<&Value>, each: impl Fn(&Value) -> String) -> String {
    let parts: Vec<String> = items
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(each)
        .collect();
    parts.join(",")
}

fn access_modes(obj: &Value, pointer: &str) -> String {
    joined(obj.pointer(pointer), |m| {
        match m.as_str().unwrap_or("") {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        }
        .to_string()
    })
}

/// kubectl's `STATUS` of a pod: Terminating, a waiting or terminated reason, or the phase.
fn pod_status(pod: &Value) -> String {
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return "Terminating".into();
    }
    let statuses = pod.pointer("/status/containerStatuses").and_then(Value::as_array);
    for status in statuses.into_iter().flatten() {
        for state in ["/state/waiting/reason", "/state/terminated/reason"] {
            if let Some(reason) = status
                .pointer(state)
                .and_then(Value::as_str)
                .filter(|r| !r.is_empty())
            {
                return reason.to_string();
            }
        }
    }
    text(pod, "/status/phase", "Pending")
}

fn pod_cells(pod: &Value) -> Vec<Value> {
    let statuses = pod.pointer("/status/containerStatuses").and_then(Value::as_array);
    let total = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ready = statuses
        .into_iter()
        .flatten()
        .filter(|s| s["ready"] == true)
        .count();
    let restarts: i64 = statuses
        .into_iter()
        .flatten()
        .filter_map(|s| s["restartCount"].as_i64())
        .sum();
    vec![
        json!(format!("{ready}/{total}")),
        json!(pod_status(pod)),
        json!(restarts.to_string()),
        json!(age(pod)),
        json!(text(pod, "/status/podIP", "<none>")),
        json!(text(pod, "/spec/nodeName", "<none>")),
    ]
}

fn statefulset_cells(sts: &Value) -> Vec<Value> {
    let containers = sts.pointer("/spec/template/spec/containers");
    vec![
        json!(format!(
            "{}/{}",
            sts.pointer("/status/readyReplicas")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            sts.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1)
        )),
        json!(age(sts)),
        json!(joined(containers, |c| text(c, "/name", ""))),
        json!(joined(containers, |c| text(c, "/image", ""))),
    ]
}

fn service_cells(svc: &Value) -> Vec<Value> {
    let ports = joined(svc.pointer("/spec/ports"), |p| {
        format!("{}/{}", text(p, "/port", ""), text(p, "/protocol", "TCP"))
    });
    let selector = svc.pointer("/spec/selector").and_then(Value::as_object).map(|m| {
        let pairs: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect();
        pairs.join(",")
    });
    vec![
        json!(text(svc, "/spec/type", "ClusterIP")),
        json!(text(svc, "/spec/clusterIP", "<none>")),
        json!("<none>"),
        json!(if ports.is_empty() {
            "<none>".to_string()
        } else {
            ports
        }),
        json!(age(svc)),
        json!(
            selector
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "<none>".into())
        ),
    ]
}

fn claim_cells(pvc: &Value) -> Vec<Value> {
    vec![
        json!(text(pvc, "/status/phase", "")),
        json!(text(pvc, "/spec/volumeName", "")),
        json!(text(pvc, "/status/capacity/storage", "")),
        json!(access_modes(pvc, "/status/accessModes")),
        json!(text(pvc, "/spec/storageClassName", "<unset>")),
        json!(age(pvc)),
    ]
}

fn volume_cells(pv: &Value) -> Vec<Value> {
    let claim = match pv.pointer("/spec/claimRef") {
        Some(c) => format!("{}/{}", text(c, "/namespace", ""), text(c, "/name", "")),
        None => String::new(),
    };
    vec![
        json!(text(pv, "/spec/capacity/storage", "")),
        json!(access_modes(pv, "/spec/accessModes")),
        json!(text(pv, "/spec/persistentVolumeReclaimPolicy", "")),
        json!(text(pv, "/status/phase", "")),
        json!(claim),
        json!(text(pv, "/spec/storageClassName", "")),
        json!(age(pv)),
    ]
}

/// The cells after `Name` of one object.
fn cells(res: &Resource, obj: &Value) -> Vec<Value> {
    match res.plural {
        "pods" => pod_cells(obj),
        "statefulsets" => statefulset_cells(obj),
        "services" => service_cells(obj),
        "persistentvolumeclaims" => claim_cells(obj),
        "persistentvolumes" => volume_cells(obj),
        "namespaces" => vec![json!(text(obj, "/status/phase", "")), json!(age(obj))],
        "controllerrevisions" => {
            let owner = obj.pointer("/metadata/ownerReferences/0");
            let controller = owner.map_or("<none>".to_string(), |o| {
                format!(
                    "{}.{}/{}",
                    text(o, "/kind", "").to_lowercase(),
                    "apps",
                    text(o, "/name", "")
                )
            });
            vec![json!(controller), obj["revision"].clone(), json!(age(obj))]
        }
        "poddisruptionbudgets" => vec![
            json!(text(obj, "/spec/minAvailable", "N/A")),
            json!(text(obj, "/spec/maxUnavailable", "N/A")),
            obj.pointer("/status/disruptionsAllowed")
                .cloned()
                .unwrap_or(json!(0)),
            json!(age(obj)),
        ],
        _ => vec![json!(age(obj))],
    }
}

/// kubectl's human duration of an object's age (`5s`, `3m2s`, `4h`, `12d`).
fn age(obj: &Value) -> String {
    let created = obj
        .pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<jiff::Timestamp>().ok());
    match created {
        Some(t) => human_duration((jiff::Timestamp::now() - t).get_seconds()),
        None => "<unknown>".into(),
    }
}

/// apimachinery's `duration.HumanDuration`.
pub fn human_duration(seconds: i64) -> String {
    let (m, h) = (seconds / 60, seconds / 3600);
    match seconds {
        s if s < -1 => "<invalid>".into(),
        s if s < 0 => "0s".into(),
        s if s < 120 => format!("{s}s"),
        _ if m < 10 && seconds % 60 == 0 => format!("{m}m"),
        _ if m < 10 => format!("{m}m{}s", seconds % 60),
        _ if m < 180 => format!("{m}m"),
        _ if h < 8 && m % 60 == 0 => format!("{h}h"),
        _ if h < 8 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if h < 192 && h % 24 == 0 => format!("{}d", h / 24),
        _ if h < 192 => format!("{}d{}h", h / 24, h % 24),
        _ if h < 24 * 365 * 2 => format!("{}d", h / 24),
        _ if h < 24 * 365 * 8 => format!("{}y{}d", h / 24 / 365, (h / 24) % 365),
        _ => format!("{}y", h / 24 / 365),
    }
}

fn row(res: &Resource, obj: &Value) -> Value {
    let mut cells = vec![obj.pointer("/metadata/name").cloned().unwrap_or(json!(""))];
    cells.extend(cells_for(res, obj));
    let mut metadata = obj.get("metadata").cloned().unwrap_or(json!({}));
    if let Some(m) = metadata.as_object_mut() {
        m.remove("managedFields");
    }
    json!({
        "cells": cells,
        "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata}
    })
}

/// The cells after `Name`, trimmed to the columns of the kind.
fn cells_for(res: &Resource, obj: &Value) -> Vec<Value> {
    let mut values = cells(res, obj);
    values.truncate(columns(res).len() - 1);
    values
}

/// A Table of `items` with the list's metadata (resourceVersion, continue).
pub fn table(res: &Resource, metadata: Value, items: &[Value]) -> Value {
    let definitions: Vec<Value> = columns(res)
        .iter()
        .map(|(name, kind, priority)| {
            let format = if *name == "Name" { "name" } else { "" };
            json!({"name": name, "type": kind, "format": format, "description": "", "priority": priority})
        })
        .collect();
    let rows: Vec<Value> = items.iter().map(|o| row(res, o)).collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": definitions,
        "rows": rows
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_kubectl() {
        for (secs, text) in [
            (5, "5s"),
            (119, "119s"),
            (125, "2m5s"),
            (600, "10m"),
            (3 * 3600 + 60, "3h1m"),
            (10 * 3600, "10h"),
            (3 * 86_400 + 3600, "3d1h"),
            (30 * 86_400, "30d"),
        ] {
            assert_eq!(human_duration(secs), text);
        }
    }

    #[test]
    fn pod_rows() {
        let pod = json!({"metadata": {"name": "web-0"}, "spec": {"containers": [{"name": "c"}], "nodeName": "node-1"},
            "status": {"phase": "Running", "podIP": "10.0.0.1",
                "containerStatuses": [{"ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        let table = table(&crate::resources::PODS, json!({}), &[pod]);
        let cells = &table["rows"][0]["cells"];
        assert_eq!(cells[0], "web-0");
        assert_eq!(cells[1], "0/1");
        assert_eq!(cells[2], "CrashLoopBackOff");
        assert_eq!(cells[3], "3");
        assert_eq!(cells[6], "node-1");
    }
}
