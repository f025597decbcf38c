//! Black-box tests of `status` and `list`: the real binary against the simulated cluster.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sts_sim::resources;

use crate::common::setup::{crash_looping_cluster, web_cluster};
use crate::common::{self, Cluster, stderr_of, stdout_of};

#[test]
fn status_shows_every_pod_ready_with_claim_and_dns_name() {
    let cluster = web_cluster();
    let output = cluster.sts().args(["status", "web"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.contains("StatefulSet default/web"), "{text}");
    assert!(
        text.contains("3 desired, 3 existing, 3 ready, 3 available, 3 updated"),
        "{text}"
    );
    for ordinal in 0..3 {
        let line = text
            .lines()
            .find(|l| l.contains(&format!(" web-{ordinal} ")))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(line.contains("Running") && line.contains("yes"), "{line}");
        assert!(line.contains(&format!("www-web-{ordinal} Bound")), "{line}");
        assert!(
            line.contains(&format!("web-{ordinal}.nginx.default.svc.cluster.local")),
            "{line}"
        );
    }
    assert!(
        text.contains("Progress:  steady: 3/3 pods ready on web-"),
        "{text}"
    );
}

/// Whether the controller may replace more than one pod at a time is the cluster's
/// `MaxUnavailableStatefulSet` gate (on by default from 1.37): where it is off the API server
/// drops `rollingUpdate.maxUnavailable`. `status` names the value the server kept, and no other.
#[test]
fn status_names_a_max_unavailable_only_where_the_server_keeps_it() {
    let cluster = web_cluster();
    let max = json!({"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 2}}}});
    common::patch(&cluster, &resources::STATEFULSETS, "web", max);
    let kept =
        cluster.statefulset("web")["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"].clone();
    let (expected, in_json) = match kept.as_i64() {
        Some(2) => (
            "Strategy:    RollingUpdate, partition 0, maxUnavailable 2; OrderedReady",
            json!("2"),
        ),
        _ => (
            "Strategy:    RollingUpdate, partition 0; OrderedReady",
            Value::Null,
        ),
    };
    let output = cluster.sts().args(["status", "web"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains(expected),
        "the server kept maxUnavailable {kept}:\n{text}"
    );
    let json = cluster
        .sts()
        .args(["status", "web", "-o", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    assert_eq!(
        doc["max_unavailable"], in_json,
        "the server kept maxUnavailable {kept}"
    );
}

#[test]
fn status_json_carries_the_same_facts() {
    let cluster = web_cluster();
    let output = cluster
        .sts()
        .args(["status", "web", "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(doc["kind"], "StatefulSetStatus");
    assert_eq!(doc["version"], "v1");
    assert_eq!(doc["replicas"]["ready"], 3);
    let pods = doc["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 3);
    for (ordinal, pod) in pods.iter().enumerate() {
        let live = cluster.get(&resources::PODS, &format!("web-{ordinal}")).unwrap();
        assert_eq!(pod["uid"], live["metadata"]["uid"]);
        assert_eq!(pod["ip"], live["status"]["podIP"]);
        assert_eq!(pod["ready"], true);
        assert_eq!(pod["claims"][0]["name"], format!("www-web-{ordinal}"));
        assert_eq!(pod["claims"][0]["phase"], "Bound");
        assert_eq!(
            pod["dns_name"],
            format!("web-{ordinal}.nginx.default.svc.cluster.local")
        );
    }
    let yaml = cluster
        .sts()
        .args(["status", "web", "-o", "yaml"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&yaml).contains("kind: StatefulSetStatus"),
        "{}",
        stdout_of(&yaml)
    );
}

#[test]
fn status_mid_rollout_names_the_crash_looping_pod() {
    let cluster = crash_looping_cluster();
    let output = cluster.sts().args(["status", "web"]).output().unwrap();
    let text = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(text.contains("rolling update: 1/3 pods on"), "{text}");
    assert!(text.contains("waiting on web-2: CrashLoopBackOff"), "{text}");
    let row = text.lines().find(|l| l.contains(" web-2 ")).unwrap();
    assert!(
        row.contains("CrashLoopBackOff") && row.contains("nginx:broken") && row.contains("(update)"),
        "{row}"
    );
}

#[test]
fn status_of_a_missing_set_exits_1_naming_it() {
    let cluster = web_cluster();
    let output = cluster.sts().args(["status", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr_of(&output).trim(),
        "error: statefulset default/nope not found; `kubectl sts list -n default` lists its StatefulSets"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn global_flags_work_after_the_subcommand_and_namespace_is_honoured() {
    let cluster = web_cluster();
    let output = cluster
        .sts()
        .args(["status", "web", "-n", "kube-system"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).contains("statefulset kube-system/web not found"),
        "{}",
        stderr_of(&output)
    );
    let output = cluster.sts().args(["-o", "json", "list"]).output().unwrap();
    assert!(output.status.success());
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["items"][0]["name"], "web");
}

#[test]
fn wrong_context_exits_1_naming_it() {
    let cluster = web_cluster();
    let output = cluster
        .sts()
        .args(["--context", "prod-eu", "status", "web"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr_of(&output);
    assert!(
        err.contains("context \"prod-eu\" not found") && err.contains(cluster.context()),
        "{err}"
    );
}

#[test]
fn unreachable_server_exits_1_within_the_request_timeout() {
    let cluster = web_cluster();
    // A listener that never answers: connections are accepted by the kernel, requests hang.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let text = std::fs::read_to_string(&cluster.kubeconfig)
        .unwrap()
        .replace(&cluster.server_url(), &url);
    let kubeconfig = cluster.dir.join("silent-kubeconfig");
    std::fs::write(&kubeconfig, text).unwrap();
    let started = Instant::now();
    let output = cluster
        .sts()
        .env("KUBECONFIG", &kubeconfig)
        .args(["status", "web", "--request-timeout", "1s"])
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr_of(&output);
    assert!(
        err.contains("cannot reach the cluster at") && err.contains(&url[7..]),
        "{err}"
    );
}

#[test]
fn missing_kubeconfig_is_explained() {
    let cluster = web_cluster();
    let home = common::scratch_dir();
    let output = cluster
        .sts()
        .env_remove("KUBECONFIG")
        .env("HOME", &home)
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).contains("no kubeconfig found"),
        "{}",
        stderr_of(&output)
    );
    let output = cluster
        .sts()
        .args(["--kubeconfig", "/nonexistent/config", "list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).contains("kubeconfig /nonexistent/config does not exist"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn rejected_credentials_name_the_user() {
    let cluster = web_cluster();
    let (kubeconfig, user) = cluster.rejected_kubeconfig();
    let output = cluster
        .sts()
        .env("KUBECONFIG", &kubeconfig)
        .args(["status", "web"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr_of(&output);
    assert!(
        err.contains(&format!("rejected the credentials of user \"{user}\"")),
        "{err}"
    );
}

#[test]
fn status_request_count_does_not_grow_with_replicas() {
    let _turn = common::one_large_set_at_a_time();
    let count_for = |replicas: i64| {
        let cluster = Cluster::start();
        cluster.apply_yaml(&common::fixture("web.yaml").replace(
            "replicas: 3",
            &format!("replicas: {replicas}\n  podManagementPolicy: Parallel"),
        ));
        cluster.wait_ready("web", replicas);
        let before = cluster.request_count();
        let output = cluster
            .sts()
            .args(["status", "web", "-o", "json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
        let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(doc["pods"].as_array().unwrap().len() as i64, replicas);
        cluster.request_count() - before
    };
    let small = count_for(3);
    let large = count_for(100);
    assert_eq!(small, large, "requests for 3 replicas: {small}, for 100: {large}");
    assert!(small <= 5, "status made {small} requests");
}

#[test]
fn list_shows_sets_and_rollouts_in_flight() {
    let cluster = web_cluster();
    cluster.apply_fixture("zk.yaml");
    cluster.wait_ready("zk", 3);
    let output = cluster.sts().args(["list"]).output().unwrap();
    let text = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let web = text
        .lines()
        .find(|l| l.starts_with("web "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(web.contains("3/3") && web.contains("RollingUpdate"), "{web}");
    let zk = text
        .lines()
        .find(|l| l.starts_with("zk "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(zk.contains("OnDelete"), "{zk}");
    let all = cluster.sts().args(["list", "-A", "-o", "json"]).output().unwrap();
    let doc: Value = serde_json::from_slice(&all.stdout).unwrap();
    let names: Vec<&str> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web", "zk"]);
    assert_eq!(doc["items"][0]["namespace"], "default");
}

#[test]
fn status_watch_redraws_on_changes_until_the_timeout() {
    let cluster = web_cluster();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-sts"))
        .env("KUBECONFIG", &cluster.kubeconfig)
        .args(["status", "web", "--watch", "-o", "json", "--timeout", "4s"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    common::patch(
        &cluster,
        &resources::STATEFULSETS,
        "web",
        json!({"spec": {"replicas": 4}}),
    );
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = stdout_of(&output);
    let frames: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON document per line"))
        .collect();
    assert_eq!(frames[0]["pods"].as_array().unwrap().len(), 3, "{text}");
    assert!(
        frames
            .iter()
            .any(|f| f["pods"].as_array().unwrap().len() == 4 && f["pods"][3]["ready"] == true),
        "{text}"
    );
}
