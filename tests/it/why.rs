//! Black-box tests of `why`: each kind of blocker produced the way a cluster produces it (the
//! scheduler, the controllers, admission, the kubelet), then the findings, their evidence and
//! the next command as the user sees them; no mutating request, and a request count that does
//! not grow with the replicas.

use std::time::Duration;

use serde_json::{Value, json};
use sts_sim::resources;

use crate::common::setup::{
    crash_looping_cluster, hold_terminating, json_of, release_pod, staged_cluster, web_cluster,
};
use crate::common::{self, Cluster, patch, skip_on_simulator, stderr_of, stdout_of};

/// Runs `why NAME` and returns (exit code, stdout, stderr).
fn why(cluster: &Cluster, name: &str) -> (i32, String, String) {
    let output = cluster.sts().args(["why", name]).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        stdout_of(&output),
        stderr_of(&output),
    )
}

/// The findings of `why NAME -o json`.
fn findings(cluster: &Cluster, name: &str) -> Vec<Value> {
    let output = cluster.sts().args(["why", name, "-o", "json"]).output().unwrap();
    json_of(&output)["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn finding_on<'a>(findings: &'a [Value], object: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["object"] == object)
        .unwrap_or_else(|| panic!("no finding on {object}: {findings:#?}"))
}

/// A one-claim set `name` of `replicas` pods whose claims ask for storage class `class`.
fn set_with_class(name: &str, replicas: i64, class: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: {name}}}
spec:
  serviceName: {name}
  replicas: {replicas}
  podManagementPolicy: Parallel
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - {{name: app, image: registry.local/{name}:1}}
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: {class}
      resources: {{requests: {{storage: 1Gi}}}}
"
    )
}

#[test]
fn a_healthy_set_has_nothing_blocking_and_why_writes_nothing() {
    let cluster = web_cluster();
    let writes = cluster.write_count();
    let (code, out, err) = why(&cluster, "web");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("nothing blocks statefulset default/web"), "{out}");
    assert!(out.contains("steady: 3/3 pods ready"), "{out}");
    assert_eq!(cluster.write_count(), writes, "why wrote to the cluster");
}

#[test]
fn why_costs_the_same_requests_at_3_and_at_100_replicas() {
    let _turn = common::one_large_set_at_a_time();
    let cluster = Cluster::start();
    let parallel =
        common::fixture("web.yaml").replace("replicas: 3", "replicas: 3\n  podManagementPolicy: Parallel");
    cluster.apply_yaml(&parallel);
    cluster.wait_ready("web", 3);
    let requests_of_why = || {
        let before = cluster.request_count();
        let (code, out, err) = why(&cluster, "web");
        assert_eq!(code, 0, "{out}{err}");
        cluster.request_count() - before
    };
    let at_three = requests_of_why();
    patch(
        &cluster,
        &resources::STATEFULSETS,
        "web",
        json!({"spec": {"replicas": 100}}),
    );
    cluster.wait_ready("web", 100);
    let at_hundred = requests_of_why();
    assert_eq!(at_three, at_hundred, "requests grew with the replicas");
    // One get of the set, then ten lists (the nodes' Leases among them) and the get of its
    // Service at once.
    assert!(at_three <= 12, "{at_three} requests");
}

#[test]
fn a_crash_looping_pod_of_a_rollout_is_blocked_with_its_container_and_abort() {
    let cluster = crash_looping_cluster();
    let (code, out, err) = why(&cluster, "web");
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("BLOCKED  pod web-2: container nginx keeps failing (CrashLoopBackOff"),
        "{out}"
    );
    assert!(out.contains("image nginx:broken: CrashLoopBackOff"), "{out}");
    assert!(out.contains("event BackOff"), "{out}");
    assert!(out.contains("`kubectl sts abort web -n default`"), "{out}");
    assert!(
        err.contains("statefulset default/web is blocked: pod web-2: container nginx keeps failing"),
        "{err}"
    );
    let status = stdout_of(&cluster.sts().args(["status", "web"]).output().unwrap());
    assert!(
        status.contains("Blocked:   pod web-2: container nginx keeps failing")
            && status.contains("(see `kubectl sts why web -n default`)"),
        "{status}"
    );
}

#[test]
fn a_staged_rollout_waits_on_a_person() {
    let cluster = staged_cluster();
    let (code, out, err) = why(&cluster, "web");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("WARNING  statefulset web: staged rollout"), "{out}");
    assert!(
        out.contains("`kubectl sts promote web -n default` to go on, or `kubectl sts abort web -n default`"),
        "{out}"
    );
}

#[test]
fn a_budget_that_allows_no_disruption_is_a_warning() {
    let cluster = web_cluster();
    cluster.apply_yaml(
        "apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-all}
spec:
  minAvailable: 3
  selector: {matchLabels: {app: nginx}}
",
    );
    cluster.wait_for("the budget's status", Duration::from_secs(30), |c| {
        c.get(&resources::PDBS, "web-all")
            .is_some_and(|b| b["status"]["expectedPods"] == 3)
    });
    let found = findings(&cluster, "web");
    let budget = finding_on(&found, "poddisruptionbudget web-all");
    assert_eq!(budget["severity"], "warning");
    assert_eq!(
        budget["evidence"][0],
        "disruptionsAllowed 0: currentHealthy 3, desiredHealthy 3, expectedPods 3"
    );
}

#[test]
fn a_pod_held_terminating_by_a_finalizer_names_the_finalizer_and_its_node() {
    let cluster = web_cluster();
    hold_terminating(&cluster, "web-2");
    let found = findings(&cluster, "web");
    let pod = finding_on(&found, "pod web-2");
    assert_eq!(pod["severity"], "blocked");
    assert!(
        pod["what"].as_str().unwrap().contains("past its grace period"),
        "{pod:#}"
    );
    assert_eq!(pod["evidence"][0], "held by finalizer(s): example.com/hold");
    let node = cluster.get(&resources::PODS, "web-2").unwrap()["spec"]["nodeName"].clone();
    if let Some(node) = node.as_str() {
        assert!(
            pod["evidence"][1]
                .as_str()
                .unwrap()
                .starts_with(&format!("on node {node}")),
            "{pod:#}"
        );
    }
    release_pod(&cluster, "web-2");
}

#[test]
fn a_pod_ready_but_not_yet_available_is_info() {
    let cluster = web_cluster();
    // The pods became Ready seconds ago: none has been Ready for ten minutes.
    patch(
        &cluster,
        &resources::STATEFULSETS,
        "web",
        json!({"spec": {"minReadySeconds": 600}}),
    );
    let found = findings(&cluster, "web");
    let pod = finding_on(&found, "pod web-2");
    assert_eq!(pod["severity"], "info");
    assert!(
        pod["what"].as_str().unwrap().contains("(minReadySeconds 600)"),
        "{pod:#}"
    );
}

#[test]
fn a_pod_matching_the_selector_that_is_not_the_sets_is_a_warning() {
    let cluster = web_cluster();
    cluster.apply_yaml(
        "apiVersion: v1
kind: Pod
metadata: {name: intruder, labels: {app: nginx}}
spec:
  containers:
  - {name: app, image: nginx:1.25}
",
    );
    let found = findings(&cluster, "web");
    let pod = finding_on(&found, "pod intruder");
    assert_eq!(pod["severity"], "warning");
    assert!(
        pod["what"]
            .as_str()
            .unwrap()
            .contains("not the set's (owned by no controller)"),
        "{pod:#}"
    );
}

#[test]
fn a_claim_of_a_missing_storage_class_blocks_its_pod() {
    let cluster = Cluster::start();
    cluster.apply_yaml(&set_with_class("hole", 1, "nowhere"));
    cluster.wait_for("hole-0 created", Duration::from_secs(30), |c| {
        c.get(&resources::PODS, "hole-0").is_some()
    });
    cluster.wait_for("ProvisioningFailed", Duration::from_secs(30), |c| {
        c.list(&resources::EVENTS)
            .iter()
            .any(|e| e["reason"] == "ProvisioningFailed")
    });
    let (code, out, err) = why(&cluster, "hole");
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("BLOCKED  claim data-hole-0: Pending: storage class nowhere does not exist"),
        "{out}"
    );
    assert!(out.contains("event ProvisioningFailed"), "{out}");
    assert!(
        out.contains("storageclass.storage.k8s.io \"nowhere\" not found"),
        "{out}"
    );
    assert!(out.contains("next: create StorageClass nowhere"), "{out}");
}

#[test]
fn a_volume_pinned_to_a_node_that_does_not_exist_blocks_its_pod() {
    if skip_on_simulator("its scheduler has no nodes and ignores volume node affinity") {
        return;
    }
    let cluster = Cluster::start();
    cluster.apply_yaml(
        "apiVersion: v1
kind: PersistentVolume
metadata: {name: pin-volume}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: pinned
  hostPath: {path: /srv/volumes/pin}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [node-9]}
",
    );
    cluster.apply_yaml(&set_with_class("pin", 1, "pinned"));
    cluster.wait_for("pin-0 found unschedulable", Duration::from_secs(60), |c| {
        c.get(&resources::PODS, "pin-0")
            .is_some_and(|p| p["status"]["conditions"].to_string().contains("node affinity"))
    });
    let (code, out, err) = why(&cluster, "pin");
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains(
            "BLOCKED  pod pin-0: cannot be scheduled: its volume is pinned to a node that does not exist"
        ),
        "{out}"
    );
    assert!(
        out.contains("didn't match PersistentVolume's node affinity"),
        "{out}"
    );
    assert!(
        out.contains("claim data-pin-0 is bound to volume pin-volume, usable only on nodes where kubernetes.io/hostname In [node-9]; no node in the cluster matches"),
        "{out}"
    );
    assert!(out.contains("kubectl delete pvc data-pin-0 -n default"), "{out}");
}

#[test]
fn a_set_past_its_pods_quota_names_the_quota_and_its_figures() {
    let cluster = Cluster::start();
    cluster.apply_yaml(
        "apiVersion: v1
kind: ResourceQuota
metadata: {name: pods}
spec:
  hard: {pods: \"2\"}
",
    );
    cluster.wait_for("the quota's status", Duration::from_secs(30), |c| {
        c.get(&resources::RESOURCE_QUOTAS, "pods")
            .is_some_and(|q| !q["status"]["hard"].is_null())
    });
    cluster.apply_yaml(&set_with_class("web", 3, "standard"));
    cluster.wait_for("FailedCreate", Duration::from_secs(60), |c| {
        c.list(&resources::EVENTS)
            .iter()
            .any(|e| e["reason"] == "FailedCreate")
    });
    let (code, out, err) = why(&cluster, "web");
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("BLOCKED  statefulset web: cannot create its pods: resourcequota pods is used up"),
        "{out}"
    );
    assert!(
        out.contains("exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2"),
        "{out}"
    );
    assert!(out.contains("resourcequota pods: pods 2/2 used"), "{out}");
    assert!(
        out.contains("kubectl edit resourcequota pods -n default"),
        "{out}"
    );
}

#[test]
fn why_on_a_missing_set_is_not_found_with_a_hint() {
    let cluster = web_cluster();
    let (code, _, err) = why(&cluster, "wbe");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("did you mean web?"), "{err}");
}

#[test]
fn a_service_that_is_not_headless_is_a_warning_pointing_to_dns() {
    let cluster = Cluster::start();
    cluster.apply_yaml(&common::fixture("web.yaml").replace("  clusterIP: None\n", ""));
    cluster.wait_ready("web", 3);
    let (code, out, err) = why(&cluster, "web");
    assert_eq!(code, 0, "the set converges all the same: {out}{err}");
    assert!(
        out.contains("WARNING  service nginx: Service nginx is not headless (clusterIP "),
        "{out}"
    );
    assert!(
        out.contains("next: `kubectl sts dns web -n default` checks every member's name"),
        "{out}"
    );
    assert!(
        !out.contains("nothing blocks statefulset default/web (0 warning(s)"),
        "{out}"
    );
}
