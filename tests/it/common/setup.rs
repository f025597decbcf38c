//! The set-ups and readings the black-box suites share: a cluster with a fixture's set Ready,
//! a run that must succeed, a document, a colleague's template change, and what a set's pods
//! and claims look like.

use std::collections::BTreeMap;
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};
use sts_sim::resources;

use super::{Cluster, stderr_of, stdout_of};

/// A cluster with `tests/fixtures/<fixture>` applied and set `set` Ready with `replicas` pods.
pub fn ready_cluster(fixture: &str, set: &str, replicas: i64) -> Cluster {
    let cluster = Cluster::start();
    cluster.apply_fixture(fixture);
    cluster.wait_ready(set, replicas);
    cluster
}

/// The web fixture: 3 Ready pods, RollingUpdate, one claim template.
pub fn web_cluster() -> Cluster {
    ready_cluster("web.yaml", "web", 3)
}

/// The ZooKeeper fixture: 3 Ready pods, OnDelete, Parallel, a budget allowing one down.
pub fn zk_cluster() -> Cluster {
    ready_cluster("zk.yaml", "zk", 3)
}

/// The web fixture with nginx:1.26 staged at partition 2: web-2 moved, web-0 and web-1 not.
pub fn staged_cluster() -> Cluster {
    let cluster = web_cluster();
    stage_rollout(&cluster);
    cluster
}

/// Stages nginx:1.26 on the web set at partition 2.
pub fn stage_rollout(cluster: &Cluster) {
    run_ok(
        cluster,
        &[
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.26",
            "--partition",
            "2",
            "--yes",
        ],
    );
}

/// Runs the binary and asserts it succeeded.
pub fn run_ok(cluster: &Cluster, args: &[&str]) -> Output {
    let output = cluster.sts().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    output
}

/// stdout as the one JSON document it must be.
pub fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout_of(output)))
}

/// A new image in the template of `set`, as a colleague with kubectl would write it, once the
/// controller has observed it.
pub fn set_image(cluster: &Cluster, set: &str, container: &str, image: &str) {
    let patch =
        json!({"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}});
    super::patch(cluster, &resources::STATEFULSETS, set, patch);
    cluster.wait_for(
        "the controller to observe the change",
        Duration::from_secs(30),
        |c| {
            let sts = c.statefulset(set);
            sts["status"]["observedGeneration"] == sts["metadata"]["generation"]
        },
    );
}

/// The web fixture's template moved to `nginx:broken` (partition 0): web-2 is replaced first
/// and crash-loops, which stops the rollout there; web-0 and web-1 stay on the old revision.
pub fn crash_looping_cluster() -> Cluster {
    let cluster = web_cluster();
    set_image(&cluster, "web", "nginx", "nginx:broken");
    cluster.wait_for("web-2 to crash-loop", Duration::from_secs(60), |c| {
        c.get(&resources::PODS, "web-2").is_some_and(|p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        })
    });
    cluster
}

/// The partition of set `set`.
pub fn partition(cluster: &Cluster, set: &str) -> Value {
    cluster.statefulset(set)["spec"]["updateStrategy"]["rollingUpdate"]["partition"].clone()
}

/// Pod name -> (uid, restart count): equal before and after means no pod was replaced or
/// restarted.
pub fn pod_marks(cluster: &Cluster) -> BTreeMap<String, (String, i64)> {
    cluster
        .pods()
        .iter()
        .map(|p| {
            let restarts = p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .unwrap_or(0);
            let uid = p["metadata"]["uid"].as_str().unwrap_or_default().to_string();
            (
                p["metadata"]["name"].as_str().unwrap_or_default().to_string(),
                (uid, restarts),
            )
        })
        .collect()
}

/// The image of each pod of set `set`, by ordinal from 0.
pub fn pod_images(cluster: &Cluster, set: &str, replicas: usize) -> Vec<String> {
    (0..replicas)
        .map(|o| {
            let pod = cluster
                .get(&resources::PODS, &format!("{set}-{o}"))
                .expect("pod exists");
            pod["spec"]["containers"][0]["image"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Whether claim `name` exists.
pub fn claim_exists(cluster: &Cluster, name: &str) -> bool {
    cluster.get(&resources::PVCS, name).is_some()
}

/// Holds `pod` Terminating past its grace period: a finalizer, then a deletion with a grace
/// period of 1 s, then 2 s. `release_pod` lets it go.
pub fn hold_terminating(cluster: &Cluster, pod: &str) {
    super::patch(
        cluster,
        &resources::PODS,
        pod,
        json!({"metadata": {"finalizers": ["example.com/hold"]}}),
    );
    super::delete_pod(cluster, pod, 1);
    std::thread::sleep(Duration::from_secs(2));
}

/// Removes the finalizer `hold_terminating` put on `pod`.
pub fn release_pod(cluster: &Cluster, pod: &str) {
    super::patch(
        cluster,
        &resources::PODS,
        pod,
        json!({"metadata": {"finalizers": null}}),
    );
}

/// The web fixture's text with each `(from, to)` replaced once (a manifest changed the ways
/// charts and overlays change it).
pub fn web_manifest(edits: &[(&str, &str)]) -> String {
    let mut text = super::fixture("web.yaml");
    for (from, to) in edits {
        assert!(text.contains(from), "{from} is not in web.yaml");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Runs the binary with `kubeconfig`.
pub fn run_with(cluster: &Cluster, kubeconfig: &std::path::Path, args: &[&str]) -> Output {
    cluster
        .sts()
        .env("KUBECONFIG", kubeconfig)
        .args(args)
        .output()
        .unwrap()
}

/// Runs the binary with `kubeconfig` and `env`, asserting it succeeded; its stdout.
pub fn run_ok_with(
    cluster: &Cluster,
    kubeconfig: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> String {
    let mut cmd = cluster.sts();
    cmd.env("KUBECONFIG", kubeconfig).args(args);
    let output = cmd.envs(env.iter().copied()).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", stderr_of(&output));
    stdout_of(&output)
}

/// A progressive rollout of the web set to nginx:1.26 (one pod, then all) with `extra` flags
/// through `kubeconfig`, checked to have moved every pod.
pub fn progressive_web(cluster: &Cluster, kubeconfig: &std::path::Path, extra: &[&str]) {
    let args = [
        "rollout",
        "web",
        "--image",
        "nginx=nginx:1.26",
        "--steps",
        "1,100%",
        "--yes",
    ];
    run_ok_with(cluster, kubeconfig, &[], &[&args[..], extra].concat());
    let images = pod_images(cluster, "web", 3);
    assert!(images.iter().all(|image| image == "nginx:1.26"), "{images:?}");
}
