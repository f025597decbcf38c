//! The real control plane of the benchmarks that need one (`STS_CLUSTER_BIN`, built by
//! `tests/cluster/build.sh`): a set created on it and awaited until its pods exist.

use std::path::Path;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, PostParams};
use serde_json::json;

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
