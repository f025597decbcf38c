//! The node stand-in on a real control plane: a stopped node is found unreachable by the node
//! lifecycle controller (Ready `Unknown`, `unreachable` taints, its Lease no longer renewed)
//! and is Ready and untainted again once started. Needs the control plane of `tests/cluster`:
//! runs with `STS_TEST_CLUSTER=real`, and says it skipped otherwise.

use std::io::Write;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Node;
use kube::Api;
use node_standin::Config;
use node_standin::cluster::ControlPlane;

const UNREACHABLE: &str = "node.kubernetes.io/unreachable";

/// The node's Ready condition status and whether it carries the unreachable taint.
fn health(node: &Node) -> (String, bool) {
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.clone())
        .unwrap_or_default();
    let taints = node.spec.as_ref().and_then(|s| s.taints.as_ref());
    let tainted = taints.is_some_and(|ts| ts.iter().any(|t| t.key == UNREACHABLE));
    (ready, tainted)
}

/// Polls the node until `done` holds for its health, within `timeout`.
async fn wait_for(nodes: &Api<Node>, name: &str, timeout: Duration, done: impl Fn(&(String, bool)) -> bool) {
    let deadline = Instant::now() + timeout;
    loop {
        let now = health(&nodes.get(name).await.expect("node"));
        if done(&now) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} still {now:?} after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_stopped_node_becomes_unreachable_and_recovers_when_started() {
    if !std::env::var("STS_TEST_CLUSTER").is_ok_and(|v| v == "real") {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: needs the real control plane (STS_TEST_CLUSTER=real)"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("node-standin-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let cluster_dir = dir.join("cluster");
    let plane = tokio::task::spawn_blocking(move || ControlPlane::start(&cluster_dir, Config::default()))
        .await
        .expect("launcher thread")
        .expect("control plane starts");
    let client = node_standin::client_for(&plane.kubeconfig("admin"))
        .await
        .expect("client");
    let nodes: Api<Node> = Api::all(client);
    wait_for(&nodes, "node-2", Duration::from_secs(30), |(ready, tainted)| {
        ready == "True" && !tainted
    })
    .await;

    plane.standin.stop_node("node-2");
    // The grace period is 10 s; the controller looks every second.
    wait_for(&nodes, "node-2", Duration::from_secs(40), |(ready, tainted)| {
        ready == "Unknown" && *tainted
    })
    .await;
    let (other, _) = health(&nodes.get("node-1").await.expect("node-1"));
    assert_eq!(other, "True", "the other nodes stay Ready");

    plane.standin.start_node("node-2");
    wait_for(&nodes, "node-2", Duration::from_secs(40), |(ready, tainted)| {
        ready == "True" && !tainted
    })
    .await;
    drop(plane);
    let _ = std::fs::remove_dir_all(&dir);
}
