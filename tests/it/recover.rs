//! Black-box tests of `recover`: a healthy set and the refusals on both backends; members
//! stranded on a node that stopped (the node stand-in of the real control plane: the node
//! lifecycle controller, taint-based eviction, the scheduler and the pod garbage collector are
//! the real ones) recovered with each remedy, and a node just gone NotReady refused until its
//! Lease is stale.

use std::time::Duration;

use serde_json::Value;
use sts_sim::resources;

use crate::common::setup::{hold_terminating, release_pod, web_cluster};
use crate::common::{Cluster, skip_on_simulator, stderr_of, stdout_of};

/// A set `db` of 3 pods (Parallel, no claims) whose pods leave a dead node after
/// `toleration` seconds, and stop within 1 s.
fn db_set(toleration: i64) -> String {
    format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db}}
spec:
  serviceName: db
  replicas: 3
  podManagementPolicy: Parallel
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations:
      - {{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: {toleration}}}
      - {{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: {toleration}}}
      containers:
      - {{name: db, image: registry.local/db:1}}
"
    )
}

fn run(cluster: &Cluster, args: &[&str]) -> (i32, String, String) {
    let output = cluster.sts().args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        stdout_of(&output),
        stderr_of(&output),
    )
}

fn node_of(cluster: &Cluster, pod: &str) -> String {
    cluster.get(&resources::PODS, pod).unwrap()["spec"]["nodeName"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// A real control plane with `db` Ready, the node of db-1 stopped, and that node's name.
fn stranded_db(toleration: i64) -> (Cluster, String) {
    stranded(&db_set(toleration))
}

/// A real control plane with the set `set` (named db) Ready, the node of db-1 stopped, and
/// that node's name.
fn stranded(set: &str) -> (Cluster, String) {
    let cluster = Cluster::start();
    cluster.apply_yaml(set);
    cluster.wait_ready("db", 3);
    let node = node_of(&cluster, "db-1");
    cluster
        .plane()
        .expect("real control plane")
        .plane
        .standin
        .stop_node(&node);
    (cluster, node)
}

/// Waits until `node`'s Lease is older than its 40 s duration.
fn wait_for_stale_lease(cluster: &Cluster, node: &str) {
    cluster.wait_for("the node's Lease to go stale", Duration::from_secs(90), |c| {
        let lease = c
            .plane()
            .unwrap()
            .get(&resources::LEASES, "kube-node-lease", node)
            .unwrap();
        let renewed: k8s_openapi::jiff::Timestamp =
            lease["spec"]["renewTime"].as_str().unwrap().parse().unwrap();
        (k8s_openapi::jiff::Timestamp::now() - renewed).get_seconds() > 41
    });
}

/// Every member back, Ready, on a node other than `dead`.
fn assert_recovered(cluster: &Cluster, dead: &str, old_uid: &str) {
    cluster.wait_for(
        "every member Ready on a live node",
        Duration::from_secs(60),
        |c| {
            (0..3).all(|o| {
                c.get(&resources::PODS, &format!("db-{o}")).is_some_and(|p| {
                    is_ready(&p)
                        && p["spec"]["nodeName"] != dead
                        && p["metadata"]["deletionTimestamp"].is_null()
                })
            })
        },
    );
    let replaced = cluster.get(&resources::PODS, "db-1").unwrap();
    assert_ne!(replaced["metadata"]["uid"], old_uid);
}

#[test]
fn a_healthy_set_has_nothing_to_recover_and_nothing_is_written() {
    let cluster = web_cluster();
    let writes = cluster.write_count();
    let (code, out, err) = run(&cluster, &["recover", "web", "--force-delete", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("nothing to recover: no member of statefulset default/web is stranded"),
        "{out}"
    );
    assert_eq!(cluster.write_count(), writes);
}

#[test]
fn without_a_terminal_a_remedy_must_be_chosen() {
    let cluster = web_cluster();
    let requests = cluster.request_count();
    let (code, _, err) = run(&cluster, &["recover", "web"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("choose a remedy, --force-delete or --out-of-service"),
        "{err}"
    );
    assert_eq!(
        cluster.request_count(),
        requests,
        "asked the cluster before refusing"
    );
    let (code, _, err) = run(
        &cluster,
        &["recover", "web", "--force-delete", "--out-of-service"],
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_pod_held_by_a_finalizer_on_a_live_node_is_refused() {
    let cluster = web_cluster();
    hold_terminating(&cluster, "web-2");
    let writes = cluster.write_count();
    let (code, out, err) = run(&cluster, &["recover", "web", "--force-delete", "--yes"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("web-2 is held by finalizer(s) example.com/hold"),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(cluster.write_count(), writes);
    assert!(cluster.get(&resources::PODS, "web-2").is_some());
    release_pod(&cluster, "web-2");
}

#[test]
fn a_member_terminating_on_a_dead_node_is_force_deleted_and_comes_back_on_a_live_node() {
    if skip_on_simulator("no node of the simulator stops") {
        return;
    }
    let (cluster, dead) = stranded_db(2);
    let old_uid = cluster.get(&resources::PODS, "db-1").unwrap()["metadata"]["uid"].clone();
    cluster.wait_for(
        "db-1 evicted by the taint manager",
        Duration::from_secs(60),
        |c| {
            c.get(&resources::PODS, "db-1")
                .is_some_and(|p| !p["metadata"]["deletionTimestamp"].is_null())
        },
    );
    wait_for_stale_lease(&cluster, &dead);
    let writes = cluster.write_count();
    let (code, out, err) = run(&cluster, &["recover", "db", "--force-delete", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Terminating") && out.contains(&format!("on node {dead}")),
        "{out}"
    );
    assert!(out.contains(&format!("node {dead}: Ready Unknown")), "{out}");
    assert!(out.contains(": stale"), "{out}");
    assert!(out.contains("node.kubernetes.io/unreachable:NoExecute"), "{out}");
    assert!(out.contains("recovered statefulset default/db"), "{out}");
    assert_eq!(cluster.write_count() - writes, 1, "one delete");
    assert_recovered(&cluster, &dead, old_uid.as_str().unwrap());
}

#[test]
fn a_dead_node_fenced_out_of_service_frees_its_member() {
    if skip_on_simulator("no node of the simulator stops") {
        return;
    }
    let (cluster, dead) = stranded_db(2);
    let old_uid = cluster.get(&resources::PODS, "db-1").unwrap()["metadata"]["uid"].clone();
    wait_for_stale_lease(&cluster, &dead);
    let writes = cluster.write_count();
    let (code, out, err) = run(
        &cluster,
        &["recover", "db", "--out-of-service", "--yes", "-o", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let doc: Value = serde_json::from_str(&out).expect("one document");
    assert_eq!(doc["kind"], "RecoverResult");
    assert_eq!(doc["plan"]["remedy"], "out-of-service");
    assert_eq!(doc["plan"]["nodes"][0], dead.as_str());
    assert_eq!(doc["outcome"]["result"], "done");
    assert!(
        doc["outcome"]["message"]
            .as_str()
            .unwrap()
            .contains("node.kubernetes.io/out-of-service-")
    );
    assert_eq!(cluster.write_count() - writes, 1, "one node patch");
    let node = cluster
        .plane()
        .unwrap()
        .get(&resources::NODES, "", &dead)
        .unwrap();
    assert!(
        node["spec"]["taints"]
            .to_string()
            .contains("\"node.kubernetes.io/out-of-service\""),
        "{node:#}"
    );
    assert_recovered(&cluster, &dead, old_uid.as_str().unwrap());
}

#[test]
fn a_node_just_gone_not_ready_is_refused_until_its_lease_is_stale() {
    if skip_on_simulator("no node of the simulator stops") {
        return;
    }
    let (cluster, dead) = stranded_db(300);
    let old_uid = cluster.get(&resources::PODS, "db-1").unwrap()["metadata"]["uid"].clone();
    cluster.wait_for("the node found unreachable", Duration::from_secs(40), |c| {
        let node = c.plane().unwrap().get(&resources::NODES, "", &dead).unwrap();
        node["status"]["conditions"]
            .to_string()
            .contains("NodeStatusUnknown")
    });
    let writes = cluster.write_count();
    let (code, out, err) = run(&cluster, &["recover", "db", "--force-delete", "--yes"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&format!(
            "node {dead} of db-1 may be alive: its Lease was renewed"
        )),
        "{err}"
    );
    assert_eq!(cluster.write_count(), writes);
    wait_for_stale_lease(&cluster, &dead);
    let (code, out2, err) = run(&cluster, &["recover", "db", "--force-delete", "--yes"]);
    assert_eq!(code, 0, "{out}{out2}{err}");
    assert!(out2.contains("not Terminating, its node not Ready"), "{out2}");
    assert_recovered(&cluster, &dead, old_uid.as_str().unwrap());
}

#[test]
fn why_and_status_name_a_member_evicted_from_a_node_going_down_and_when_recover_can_act() {
    if skip_on_simulator("no node of the simulator stops") {
        return;
    }
    // Evicted a second after its node is found unreachable, with two minutes to stop: the
    // first minute, when people run `why`.
    let set = db_set(1).replace(
        "terminationGracePeriodSeconds: 1",
        "terminationGracePeriodSeconds: 120",
    );
    let (cluster, node) = stranded(&set);
    cluster.wait_for("db-1 evicted", Duration::from_secs(60), |c| {
        c.get(&resources::PODS, "db-1")
            .is_some_and(|p| p["metadata"]["deletionTimestamp"].is_string())
    });
    let (code, out, err) = run(&cluster, &["why", "db"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains(&format!(
            "pod db-1: Terminating on node {node}, which is not Ready (evicted)"
        )),
        "{out}"
    );
    assert!(out.contains("its Lease was renewed"), "{out}");
    assert!(
        out.contains(&format!(
            "can prove node {node} down once its Lease is stale, in about"
        )),
        "{out}"
    );
    // `status` says the same from the first second: it reads the nodes of pods not Ready.
    let (code, shown, err) = run(&cluster, &["status", "db"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        shown.contains(&format!(
            "Blocked:   pod db-1: Terminating on node {node}, which is not Ready (evicted)"
        )),
        "{shown}"
    );
    assert!(shown.contains("its Lease was renewed"), "{shown}");
    assert!(
        shown.contains(&format!(
            "can prove node {node} down once its Lease is stale, in about"
        )),
        "{shown}"
    );
}
