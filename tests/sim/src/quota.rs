//! ResourceQuota for pods: admission refuses a pod that would take its namespace past a
//! quota's `pods` limit, worded as the API server words it, and the quota controller keeps
//! each quota's `status.hard`/`status.used` (`quota_status`, pure).

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::resources::{PODS, RESOURCE_QUOTAS};
use crate::store::ObjectView;

/// Pods of namespace `ns` that count against a quota: those not in a terminal phase.
pub fn pods_in_use<'a>(pods: impl IntoIterator<Item = &'a Value>, ns: &str) -> i64 {
    pods.into_iter()
        .filter(|p| p.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns))
        .filter(|p| {
            let phase = p.pointer("/status/phase").and_then(Value::as_str).unwrap_or("");
            phase != "Succeeded" && phase != "Failed"
        })
        .count() as i64
}

/// The `pods` limit of a quota, if it sets one.
fn pods_limit(quota: &Value) -> Option<i64> {
    let hard = quota.pointer("/spec/hard/pods")?;
    hard.as_i64().or_else(|| hard.as_str()?.parse().ok())
}

/// Admission of a new pod `name` in `ns`: 403 naming the first quota it would exceed.
pub fn admit_pod(view: &dyn ObjectView, ns: &str, name: &str) -> Result<(), ApiError> {
    let used = pods_in_use(view.all(&PODS), ns);
    let exceeded = view
        .all(&RESOURCE_QUOTAS)
        .into_iter()
        .filter(|q| q.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns))
        .find_map(|q| {
            pods_limit(q)
                .filter(|limit| used + 1 > *limit)
                .map(|limit| (q, limit))
        });
    match exceeded {
        Some((quota, limit)) => {
            let quota_name = quota
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let why = format!(
                "exceeded quota: {quota_name}, requested: pods=1, used: pods={used}, limited: pods={limit}"
            );
            Err(ApiError::forbidden_by_admission(&PODS, name, &why))
        }
        None => Ok(()),
    }
}

/// The status the quota controller writes: `hard` as the spec says, `used` as counted (only
/// `pods` is counted here; other resources read 0).
pub fn quota_status(quota: &Value, pods_used: i64) -> Value {
    let hard = quota.pointer("/spec/hard").cloned().unwrap_or_else(|| json!({}));
    let used: serde_json::Map<String, Value> = hard
        .as_object()
        .into_iter()
        .flatten()
        .map(|(resource, _)| {
            let figure = if resource == "pods" {
                pods_used.to_string()
            } else {
                "0".into()
            };
            (resource.clone(), json!(figure))
        })
        .collect();
    json!({"hard": hard, "used": used})
}

#[cfg(test)]
mod tests {
    use super::*;

    struct View(Vec<Value>, Vec<Value>);

    impl ObjectView for View {
        fn get(&self, _: &'static crate::resources::Resource, _: &str, _: &str) -> Option<&Value> {
            None
        }
        fn all(&self, res: &'static crate::resources::Resource) -> Vec<&Value> {
            if res.plural == "pods" {
                self.0.iter().collect()
            } else {
                self.1.iter().collect()
            }
        }
    }

    fn pod(ns: &str, phase: &str) -> Value {
        json!({"metadata": {"namespace": ns}, "status": {"phase": phase}})
    }

    #[test]
    fn a_pod_past_the_quota_is_refused_with_the_api_servers_words() {
        let quota =
            json!({"metadata": {"name": "pods", "namespace": "v13"}, "spec": {"hard": {"pods": "2"}}});
        let pods = vec![
            pod("v13", "Running"),
            pod("v13", "Pending"),
            pod("v13", "Succeeded"),
            pod("other", "Running"),
        ];
        let view = View(pods, vec![quota.clone()]);
        let refused = admit_pod(&view, "v13", "web-2").unwrap_err();
        assert_eq!(refused.code, 403);
        assert_eq!(
            refused.message,
            "pods \"web-2\" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2"
        );
        assert!(admit_pod(&view, "other", "x-0").is_ok());
        assert_eq!(
            quota_status(&quota, 2),
            json!({"hard": {"pods": "2"}, "used": {"pods": "2"}})
        );
    }
}
