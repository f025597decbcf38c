//! The real control plane of the benchmarks that need one (`STS_CLUSTER_BIN`, built by
//! `tests/cluster/build.sh`): a set created on it and awaited until its pods exist.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, PostParams};
use serde_json::json;

/// A control plane without nodes for the benchmark `name`, and its admin kubeconfig; `None`
/// (said) when `STS_CLUSTER_BIN` does not name its binaries.
pub fn start(name: &str) -> Option<(node_standin::cluster::ControlPlane, PathBuf)> {
    if std::env::var_os("STS_CLUSTER_BIN").is_none() {
        println!("{name} not measured: set STS_CLUSTER_BIN (tests/cluster/build.sh prints it)");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("kubectl-sts-bench-{name}-{}", std::process::id()));
    let config = node_standin::Config {
        nodes: Vec::new(),
        ..node_standin::Config::default()
    };
    let plane = node_standin::cluster::ControlPlane::start(&dir, config).expect("control plane starts");
    let admin = plane.kubeconfig("admin");
    Some((plane, admin))
}

/// The set `web` of `pods` replicas with its headless Service, created and awaited until every
/// pod exists (without nodes they stay Pending).
pub fn create_set(plane: &node_standin::cluster::ControlPlane, admin: &Path, pods: i64) {
    plane.standin.block_on(async {
        let client = node_standin::client_for(admin).await.expect("admin client");
        let service = json!({
            "metadata": {"name": "web"},
            "spec": {"clusterIP": "None", "selector": {"app": "bench"}, "ports": [{"name": "web", "port": 80}]}
        });
        let services = Api::<Service>::namespaced(client.clone(), "default");
        let service = serde_json::from_value(service).expect("a Service");
        services.create(&PostParams::default(), &service).await.expect("service created");
        let sets = Api::<StatefulSet>::namespaced(client, "default");
        let set = serde_json::from_value(crate::cluster::set_manifest("web", pods)).expect("a set");
        sets.create(&PostParams::default(), &set).await.expect("set created");
        let deadline = Instant::now() + Duration::from_secs(900);
        loop {
            let set = sets.get("web").await.expect("the set");
            let created = set.status.map_or(0, |s| s.replicas);
            if i64::from(created) == pods {
                return;
            }
            assert!(Instant::now() < deadline, "{created} of {pods} pods created after 15 min");
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
}
