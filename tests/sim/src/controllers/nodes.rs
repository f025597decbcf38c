//! The nodes' side of the node lifecycle: each simulated node is registered Ready (labelled
//! with its hostname, as the recorded node is) and renews its Lease in `kube-node-lease`
//! every 10 s, as a kubelet does with the default 40 s lease duration. No node stops in the simulator; a node that
//! does is tested on the real control plane (the node stand-in).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::resources::{LEASES, NODES};
use crate::store::{Part, Store};

/// How long a Lease holds without renewal.
pub const LEASE_DURATION_SECONDS: i64 = 40;
/// How often a Lease is renewed (a quarter of its duration, as the kubelet does).
const RENEW_EVERY: Duration = Duration::from_secs(10);

fn micro_now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S.%6fZ")
        .to_string()
}

fn seconds_now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The Node object of `name`, Ready.
pub fn node(name: &str) -> Value {
    let now = seconds_now();
    json!({
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {},
        "status": {"conditions": [{
            "type": "Ready", "status": "True", "reason": "KubeletReady",
            "message": "kubelet is posting ready status",
            "lastHeartbeatTime": now, "lastTransitionTime": now}]}
    })
}

/// The Lease of node `name`, renewed now.
pub fn lease(name: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": "kube-node-lease"},
        "spec": {"holderIdentity": name, "leaseDurationSeconds": LEASE_DURATION_SECONDS, "renewTime": micro_now()}
    })
}

/// Registers the nodes, then renews their Leases until the runtime stops.
pub async fn run(store: Arc<Store>, nodes: Vec<String>) {
    for name in &nodes {
        // Created without status, as the API server does; the kubelet reports it next.
        let registered = node(name);
        let _ = store.create(&NODES, "", registered.clone(), false);
        let _ = store.modify(&NODES, "", name, Part::Status, false, |stored| {
            stored["status"] = registered["status"].clone();
            Ok(())
        });
        let _ = store.create(&LEASES, "kube-node-lease", lease(name), false);
    }
    let mut ticks = tokio::time::interval(RENEW_EVERY);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        for name in &nodes {
            let _ = store.modify(&LEASES, "kube-node-lease", name, Part::Main, false, |lease| {
                lease["spec"]["renewTime"] = json!(micro_now());
                Ok(())
            });
        }
    }
}
