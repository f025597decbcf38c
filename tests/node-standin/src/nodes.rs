//! Node registration (returning once the nodes are schedulable) and heartbeats: each running node renews its Lease in `kube-node-lease`
//! every second and reports Ready in its status every few seconds, as a kubelet does; a
//! stopped node does neither, so the node lifecycle controller marks it unreachable.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Node;
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::Shared;

const LEASE_RENEW: Duration = Duration::from_secs(1);
/// Status heartbeats come every this many lease renewals.
const STATUS_EVERY: u32 = 4;

/// Creates the nodes (an existing one is kept) and their first status.
pub async fn register(shared: &Shared) -> Result<()> {
    let api: Api<Node> = Api::all(shared.client.clone());
    for (index, name) in shared.config.nodes.iter().enumerate() {
        let node: Node = serde_json::from_value(node_object(name, index))?;
        match api.create(&PostParams::default(), &node).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => return Err(e.into()),
        }
        beat(shared, name, true).await?;
    }
    untainted(&api, &shared.config.nodes).await
}

/// Waits until the node lifecycle controller has seen every node Ready and lifted the
/// `not-ready` taint a new node starts with (pods would not be scheduled before).
async fn untainted(api: &Api<Node>, names: &[String]) -> Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    for name in names {
        loop {
            let node = api.get(name).await?;
            let taints = node.spec.and_then(|s| s.taints).unwrap_or_default();
            if !taints.iter().any(|t| t.key == "node.kubernetes.io/not-ready") {
                break;
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "{name} is still tainted not-ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

fn node_object(name: &str, index: usize) -> Value {
    json!({
        "metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        }},
        "spec": {"podCIDR": format!("10.244.{index}.0/24"), "podCIDRs": [format!("10.244.{index}.0/24")]},
    })
}

/// The status a healthy node reports.
fn node_status(name: &str, index: usize, now: &str) -> Value {
    let resources = json!({"cpu": "8", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"});
    let condition = |kind: &str, ok: bool, reason: &str, message: &str| {
        json!({"type": kind, "status": if ok { "True" } else { "False" }, "reason": reason,
               "message": message, "lastHeartbeatTime": now})
    };
    json!({
        "capacity": resources, "allocatable": resources,
        "addresses": [{"type": "InternalIP", "address": host_ip(index)}, {"type": "Hostname", "address": name}],
        "conditions": [
            condition("MemoryPressure", false, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            condition("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", true, "KubeletReady", "kubelet is posting ready status"),
        ],
        "nodeInfo": {
            "architecture": "amd64", "operatingSystem": "linux", "osImage": "node stand-in",
            "kernelVersion": std::env::consts::OS, "kubeletVersion": "v1.36.3", "kubeProxyVersion": "",
            "containerRuntimeVersion": "standin://1.0", "machineID": name, "systemUUID": name, "bootID": name,
        },
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
    })
}

/// The node's address; pods on it report it as their host IP.
pub fn host_ip(index: usize) -> String {
    format!("10.0.0.{}", 10 + index)
}

/// One heartbeat: the Lease renewed, and with `status` the node's status reported.
async fn beat(shared: &Shared, name: &str, status: bool) -> Result<()> {
    let now = sts_sim::store::now();
    let micro = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S.%6fZ")
        .to_string();
    let leases: Api<Lease> = Api::namespaced(shared.client.clone(), "kube-node-lease");
    let lease = json!({
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name},
        "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": micro},
    });
    let apply = PatchParams::apply("node-standin").force();
    leases.patch(name, &apply, &Patch::Apply(&lease)).await?;
    if status {
        let nodes: Api<Node> = Api::all(shared.client.clone());
        let body = json!({"status": node_status(name, shared.index(name), &now)});
        nodes
            .patch_status(name, &PatchParams::default(), &Patch::Strategic(&body))
            .await?;
    }
    Ok(())
}

/// Heartbeats of every running node, for ever.
pub async fn heartbeats(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(LEASE_RENEW);
    let mut round: u32 = 0;
    let mut was_stopped = std::collections::HashSet::new();
    loop {
        tick.tick().await;
        round = round.wrapping_add(1);
        for name in &shared.config.nodes {
            if !shared.serves(name) {
                was_stopped.insert(name.clone());
                continue;
            }
            // A node coming back reports its status at once, as a restarted kubelet does.
            let status = round.is_multiple_of(STATUS_EVERY) || was_stopped.remove(name);
            if let Err(e) = beat(&shared, name, status).await {
                eprintln!("node-standin: heartbeat of {name}: {e}");
            }
        }
    }
}
