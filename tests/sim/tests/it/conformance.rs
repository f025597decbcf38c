//! The simulated cluster against every recorded trace (`traces/*.json`): the same fixture and
//! steps, over HTTP, compared transition by transition and state by state with what a real
//! v1.36 control plane did.

use serde_json::{Value, json};
use sts_sim::{SimConfig, Timings};

use crate::conformance_support::{Fixture, Step, replay};

#[tokio::test]
async fn ordered_create_scale() {
    let steps = [Step::Create, Step::Scale(5), Step::Scale(2), Step::Scale(4)];
    replay("ordered_create_scale", Fixture::web(), &steps).await;
}

#[tokio::test]
async fn parallel_create_scale() {
    let fixture = Fixture::web_with(|set: &mut Value| set["spec"]["podManagementPolicy"] = json!("Parallel"));
    let steps = [Step::Create, Step::Scale(5), Step::Scale(1)];
    replay("parallel_create_scale", fixture, &steps).await;
}

#[tokio::test]
async fn partitioned_rollout() {
    let fixture = Fixture::web_with(|set: &mut Value| set["spec"]["replicas"] = json!(5));
    let steps = [
        Step::Create,
        Step::Image("nginx:1.26", Some(4)),
        Step::Partition(2),
        Step::DeletePod("web-0"),
        Step::Partition(0),
    ];
    replay("partitioned_rollout", fixture, &steps).await;
}

#[tokio::test]
async fn stuck_rollout_forced_rollback() {
    let steps = [
        Step::Create,
        Step::Image("nginx:broken", Some(0)),
        Step::Image("nginx:1.25", None),
        Step::DeletePod("web-2"),
    ];
    replay("stuck_rollout_forced_rollback", Fixture::web(), &steps).await;
}

#[tokio::test]
async fn ondelete() {
    let steps = [
        Step::Create,
        Step::Image("zookeeper:3.9", None),
        Step::DeletePod("zk-2"),
        Step::DeletePod("zk-1"),
        Step::DeletePod("zk-0"),
        Step::Evict(&["zk-2", "zk-1"]),
    ];
    // The two evictions must land while the first pod is still terminating, as they did on
    // the real cluster (pods went 0.3 s after deletion): real-like termination time.
    let mut config = SimConfig::fast();
    config.timings.terminate = Timings::real_like().terminate;
    replay("ondelete", Fixture::zk().with_config(config), &steps).await;
}

#[tokio::test]
async fn orphan_delete_adopt() {
    let steps = [
        Step::Create,
        Step::DeleteSet("Orphan"),
        Step::CreateSet,
        Step::DeleteSet("Background"),
    ];
    replay("orphan_delete_adopt", Fixture::web(), &steps).await;
}

#[tokio::test]
async fn retention_delete() {
    let fixture = Fixture::web_with(|set: &mut Value| {
        set["spec"]["persistentVolumeClaimRetentionPolicy"] =
            json!({"whenScaled": "Delete", "whenDeleted": "Delete"});
    });
    let steps = [Step::Create, Step::Scale(1), Step::DeleteSet("Background")];
    replay("retention_delete", fixture, &steps).await;
}

#[tokio::test]
async fn start_ordinal() {
    let fixture = Fixture::web_with(|set: &mut Value| set["spec"]["ordinals"] = json!({"start": 5}));
    let steps = [Step::Create, Step::Image("nginx:1.26", Some(2)), Step::Scale(4)];
    replay("start_ordinal", fixture, &steps).await;
}

#[tokio::test]
async fn endpoints_readiness() {
    let steps = [
        Step::Create,
        Step::Image("nginx:broken", None),
        Step::PublishNotReady,
    ];
    replay("endpoints_readiness", Fixture::web(), &steps).await;
}

#[tokio::test]
async fn api_errors() {
    let steps = [
        Step::Create,
        Step::StalePatch,
        Step::ChangeClaimTemplates,
        Step::GetMissing("nope"),
    ];
    replay("api_errors", Fixture::web(), &steps).await;
}
