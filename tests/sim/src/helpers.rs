//! What tests and benchmarks do to a running cluster as outside parties would: a controller
//! setting a pod condition (the release of a readiness gate), through the store as it would
//! through `pods/status`. Nothing here runs unless called.

use serde_json::{Value, json};

use crate::controllers::kubelet::status::set_condition;
use crate::error::ApiError;
use crate::resources::PODS;
use crate::sim::Sim;
use crate::store::{self, Part};

impl Sim {
    /// Sets condition `kind` of pod `ns/name` to `status` (True/False), as the controller
    /// owning a readiness gate of that type does: a pod whose template lists
    /// `readinessGates: [{conditionType: kind}]` stays un-Ready until this sets it True, and
    /// the kubelet marks it Ready right after (a test controls that instant).
    pub fn set_pod_condition(
        &self,
        ns: &str,
        name: &str,
        kind: &str,
        status: bool,
    ) -> Result<Value, ApiError> {
        let now = store::now();
        self.store.modify(&PODS, ns, name, Part::Status, false, |pod| {
            let mut conditions = pod
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            set_condition(&mut conditions, kind, status, None, &now);
            pod["status"]["conditions"] = json!(conditions);
            Ok(())
        })
    }
}
