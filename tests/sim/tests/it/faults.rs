//! Fault injection: each fault happens as specified (what answers, for how many requests,
//! with which Status and headers, and what the request log records), through the Rust handle,
//! the admin endpoint, and with the store and controllers living on across a restart.

use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{Value, json};
use sts_sim::error::ApiError;
use sts_sim::faults::Action;
use sts_sim::resources::{self, STATEFULSETS};
use sts_sim::server::LoggedRequest;
use sts_sim::sim::VIEWER_TOKEN;
use sts_sim::{Fault, Sim};

use crate::api_support::*;

/// A client that does not retry on its own (kube retries 429/503 by default), so that every
/// answer of the server is seen.
async fn plain_client(kubeconfig: &str) -> Client {
    let kc = Kubeconfig::from_yaml(kubeconfig).expect("kubeconfig parses");
    let mut config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig loads");
    config.default_retry = false;
    Client::try_from(config).expect("client builds")
}

/// A cluster with the `web` set and a plain admin client.
async fn cluster() -> (Sim, Client) {
    let sim = start();
    sim.store
        .create(&STATEFULSETS, "default", web_set(), false)
        .expect("set created");
    let client = plain_client(&sim.kubeconfig()).await;
    (sim, client)
}

/// A raw request: status, `Retry-After` header and body; `None` when no answer came.
async fn send(
    client: &Client,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Option<(u16, Option<String>, Value)> {
    let content_type = if method == "PATCH" {
        "application/merge-patch+json"
    } else {
        "application/json"
    };
    let req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .body(kube::client::Body::from(
            body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
        ))
        .expect("request builds");
    let res = client.send(req).await.ok()?;
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = axum::body::to_bytes(axum::body::Body::new(res.into_body()), usize::MAX)
        .await
        .ok()?;
    Some((
        status,
        retry_after,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

const SET: &str = "/apis/apps/v1/namespaces/default/statefulsets/web";
const PODS: &str = "/api/v1/namespaces/default/pods";

fn label_patch(value: &str) -> Option<Value> {
    Some(json!({"metadata": {"labels": {"touched": value}}}))
}

/// The log entries an injected fault answered.
fn faulted(sim: &Sim) -> Vec<LoggedRequest> {
    sim.log
        .entries()
        .into_iter()
        .filter(|e| e.fault.is_some())
        .collect()
}

#[tokio::test]
async fn conflict_answers_the_next_writes_of_a_resource_with_the_stores_409() {
    let (sim, client) = cluster().await;
    sim.faults()
        .inject(Fault::conflict(2).on("statefulsets"))
        .unwrap();
    let (status, _, body) = send(&client, "GET", SET, None).await.unwrap();
    assert_eq!(status, 200, "reads pass");
    let stale = send(&client, "PUT", SET, Some(body.clone())).await.unwrap();
    assert_eq!(stale.0, 409);
    let expected = ApiError::conflict(&STATEFULSETS, "web").to_status();
    assert_eq!(stale.2, expected, "same Status as a stale resourceVersion gets");
    let (status, _, _) = send(&client, "PATCH", SET, label_patch("1")).await.unwrap();
    assert_eq!(status, 409);
    let other = send(
        &client,
        "POST",
        PODS,
        Some(json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}})),
    );
    assert_eq!(other.await.unwrap().0, 201, "other resources are not affected");
    let (status, _, patched) = send(&client, "PATCH", SET, label_patch("2")).await.unwrap();
    assert_eq!(status, 200, "only two writes conflict");
    assert_eq!(patched["metadata"]["labels"]["touched"], "2");
    let log = faulted(&sim);
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|e| e.status == 409 && e.fault.as_deref() == Some("conflict"))
    );
    assert_eq!((log[0].verb.as_str(), log[1].verb.as_str()), ("update", "patch"));
}

#[tokio::test]
async fn a_conflicting_create_or_eviction_names_its_object_and_changes_nothing() {
    let (sim, client) = cluster().await;
    sim.faults().inject(Fault::conflict(1).on("pods")).unwrap();
    let pod = json!({"metadata": {"name": "solo"}, "spec": {"containers": [{"name": "c", "image": "i"}]}});
    let (status, _, body) = send(&client, "POST", PODS, Some(pod.clone())).await.unwrap();
    assert_eq!(status, 409);
    assert_eq!(body, ApiError::conflict(&resources::PODS, "solo").to_status());
    assert!(sim.store.try_get(&resources::PODS, "default", "solo").is_none());
    assert_eq!(send(&client, "POST", PODS, Some(pod)).await.unwrap().0, 201);
    sim.faults()
        .inject(Fault::conflict(1).on("pods/eviction"))
        .unwrap();
    let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "solo"}});
    let path = format!("{PODS}/solo/eviction");
    let (status, _, body) = send(&client, "POST", &path, Some(eviction)).await.unwrap();
    assert_eq!((status, body["reason"].as_str()), (409, Some("Conflict")));
    let solo = sim.store.try_get(&resources::PODS, "default", "solo").unwrap();
    assert!(solo["metadata"]["deletionTimestamp"].is_null(), "not evicted");
}

#[tokio::test]
async fn internal_errors_answer_the_next_requests_then_stop() {
    let (sim, client) = cluster().await;
    sim.faults().inject(Fault::errors(500, 2)).unwrap();
    for _ in 0..2 {
        let (status, retry_after, body) = send(&client, "GET", SET, None).await.unwrap();
        assert_eq!((status, retry_after), (500, None));
        assert_eq!(body["reason"], "InternalError");
        assert_eq!(
            body["message"],
            "Internal error occurred: etcdserver: request timed out"
        );
        assert_eq!(
            body["details"]["causes"][0]["message"],
            "etcdserver: request timed out"
        );
    }
    assert_eq!(send(&client, "GET", SET, None).await.unwrap().0, 200);
    let statuses: Vec<u16> = faulted(&sim).iter().map(|e| e.status).collect();
    assert_eq!(statuses, [500, 500]);
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after_for_its_duration() {
    let (sim, client) = cluster().await;
    let started = Instant::now();
    let mut fault = Fault::errors_for(429, Duration::from_millis(400)).verb("write");
    if let Fault::Error { retry_after, .. } = &mut fault {
        *retry_after = Some(2);
    }
    sim.faults().inject(fault).unwrap();
    assert_eq!(
        send(&client, "GET", SET, None).await.unwrap().0,
        200,
        "reads pass"
    );
    let mut throttled = 0;
    while started.elapsed() < Duration::from_millis(300) {
        let (status, retry_after, body) = send(&client, "PATCH", SET, label_patch("x")).await.unwrap();
        assert_eq!((status, retry_after.as_deref()), (429, Some("2")));
        assert_eq!(body["reason"], "TooManyRequests");
        assert_eq!(body["message"], "Too many requests, please try again later.");
        assert_eq!(body["details"]["retryAfterSeconds"], 2);
        throttled += 1;
    }
    assert!(throttled > 0);
    tokio::time::sleep(Duration::from_millis(450).saturating_sub(started.elapsed())).await;
    assert_eq!(
        send(&client, "PATCH", SET, label_patch("y")).await.unwrap().0,
        200
    );
    assert!(faulted(&sim).iter().all(|e| e.status == 429 && e.verb == "patch"));
}

#[tokio::test]
async fn kube_clients_honour_the_retry_after_of_a_throttled_answer() {
    let (sim, _) = cluster().await;
    sim.faults().inject(Fault::errors(429, 1)).unwrap();
    let retrying = admin(&sim).await;
    let sets: Api<StatefulSet> = Api::namespaced(retrying, "default");
    let started = Instant::now();
    sets.get("web").await.expect("answered after the retry");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited Retry-After: 1"
    );
    let statuses: Vec<u16> = sim
        .log
        .with("get", "statefulsets")
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, [429, 200]);
}

#[tokio::test]
async fn service_unavailable_is_injected_too() {
    let (sim, client) = cluster().await;
    sim.faults()
        .inject(Fault::errors(503, 1).on("statefulsets"))
        .unwrap();
    let (status, _, body) = send(&client, "GET", SET, None).await.unwrap();
    assert_eq!(
        (status, body["reason"].as_str()),
        (503, Some("ServiceUnavailable"))
    );
}

#[tokio::test]
async fn close_drops_the_connection_without_an_answer() {
    let (sim, client) = cluster().await;
    sim.faults().inject(Fault::close(1).verb("patch")).unwrap();
    assert_eq!(send(&client, "GET", SET, None).await.unwrap().0, 200);
    assert!(
        send(&client, "PATCH", SET, label_patch("lost")).await.is_none(),
        "no answer"
    );
    let set = sim.store.try_get(&STATEFULSETS, "default", "web").unwrap();
    assert!(set["metadata"]["labels"]["touched"].is_null(), "not applied");
    assert_eq!(
        send(&client, "PATCH", SET, label_patch("ok")).await.unwrap().0,
        200
    );
    let log = faulted(&sim);
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].status, log[0].fault.as_deref()), (0, Some("close")));
}

/// Waits until `done` holds, checking every 10 ms, for at most `limit`.
async fn until(limit: Duration, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn drop_watches_ends_every_open_stream_and_a_watcher_resumes() {
    let (sim, client) = cluster().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let sets: Api<StatefulSet> = Api::namespaced(client, "default");
    let mut pod_stream = pods.watch(&WatchParams::default(), "0").await.unwrap().boxed();
    let mut set_stream = sets.watch(&WatchParams::default(), "0").await.unwrap().boxed();
    until(Duration::from_secs(5), "two open watches", || {
        sim.log.open_watches() == 2
    })
    .await;
    sim.faults().drop_watches();
    let drain = async {
        while pod_stream.next().await.is_some() {}
        while set_stream.next().await.is_some() {}
    };
    tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .expect("both streams end");
    until(Duration::from_secs(5), "no open watch", || {
        sim.log.open_watches() == 0
    })
    .await;
    let rv = sim.store.current_rv().to_string();
    let mut again = sets.watch(&WatchParams::default(), &rv).await.unwrap().boxed();
    sets.patch(
        "web",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"a": "b"}}})),
    )
    .await
    .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), again.next())
        .await
        .unwrap();
    assert!(
        matches!(event, Some(Ok(kube::api::WatchEvent::Modified(_)))),
        "{event:?}"
    );
}

#[tokio::test]
async fn restart_drops_connections_refuses_then_serves_the_same_state() {
    let (sim, client) = cluster().await;
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), "default");
    let before = sets.get("web").await.unwrap();
    let mut stream = sets.watch(&WatchParams::default(), "0").await.unwrap().boxed();
    until(Duration::from_secs(5), "an open watch", || {
        sim.log.open_watches() == 1
    })
    .await;
    sim.faults().restart(Duration::from_millis(300));
    let drain = async { while let Some(Ok(_)) = stream.next().await {} };
    tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .expect("the watch is cut");
    let refused = tokio::net::TcpStream::connect(sim.addr).await;
    assert!(refused.is_err(), "nothing listens during the pause");
    until(Duration::from_secs(5), "the server back", || {
        sim.faults().restarts_done() == 1
    })
    .await;
    let after = sets.get("web").await.expect("served again on the same port");
    assert_eq!(after.metadata.uid, before.metadata.uid);
    let rv = |s: &StatefulSet| {
        s.metadata
            .resource_version
            .clone()
            .unwrap_or_default()
            .parse::<u64>()
            .unwrap()
    };
    assert!(rv(&after) >= rv(&before), "the same history goes on");
    let scale = Patch::Merge(json!({"spec": {"replicas": 4}}));
    sets.patch("web", &PatchParams::default(), &scale).await.unwrap();
    until(Duration::from_secs(20), "the controller creating web-3", || {
        sim.store.try_get(&resources::PODS, "default", "web-3").is_some()
    })
    .await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    assert!(pods.get("web-3").await.is_ok(), "controllers lived on");
}

#[tokio::test]
async fn latency_delays_every_answer_until_cleared() {
    let (sim, client) = cluster().await;
    sim.faults().set_latency(Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(send(&client, "GET", SET, None).await.unwrap().0, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    sim.faults().clear();
    let started = Instant::now();
    assert_eq!(send(&client, "GET", SET, None).await.unwrap().0, 200);
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn forbidden_writes_stay_403_worded_as_rbac_and_consume_no_fault() {
    let (sim, _) = cluster().await;
    sim.faults().inject(Fault::conflict(1)).unwrap();
    let viewer = plain_client(&sim.kubeconfig_for("viewer", VIEWER_TOKEN)).await;
    let cases = [
        (
            "PATCH",
            SET.to_string(),
            "statefulsets.apps \"web\" is forbidden: User \"viewer\" cannot patch resource \"statefulsets\" in API group \"apps\" in the namespace \"default\"",
        ),
        (
            "PUT",
            format!("{SET}/scale"),
            "statefulsets.apps \"web\" is forbidden: User \"viewer\" cannot update resource \"statefulsets/scale\" in API group \"apps\" in the namespace \"default\"",
        ),
        (
            "DELETE",
            format!("{PODS}/web-0"),
            "pods \"web-0\" is forbidden: User \"viewer\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\"",
        ),
        (
            "POST",
            format!("{PODS}/web-0/eviction"),
            "pods \"web-0\" is forbidden: User \"viewer\" cannot create resource \"pods/eviction\" in API group \"\" in the namespace \"default\"",
        ),
    ];
    for (method, path, message) in cases {
        let (status, _, body) = send(&viewer, method, &path, label_patch("v")).await.unwrap();
        assert_eq!(
            (status, body["reason"].as_str()),
            (403, Some("Forbidden")),
            "{method} {path}"
        );
        assert_eq!(body["message"], message);
    }
    assert_eq!(send(&viewer, "GET", SET, None).await.unwrap().0, 200);
    assert_eq!(sim.faults().pending(), [(Action::Conflict, Some(1))]);
}

#[tokio::test]
async fn the_admin_endpoint_injects_for_the_admin_only_and_is_not_logged() {
    let (sim, client) = cluster().await;
    let path = sts_sim::server::FAULTS_PATH;
    let viewer = plain_client(&sim.kubeconfig_for("viewer", VIEWER_TOKEN)).await;
    let (status, _, body) = send(&viewer, "POST", path, Some(json!({"fault": "close", "count": 1})))
        .await
        .unwrap();
    assert_eq!(status, 403);
    assert_eq!(
        body["message"],
        "forbidden: User \"viewer\" cannot post path \"/sim/faults\""
    );
    assert_eq!(
        send(&anonymous(&sim).await, "GET", path, None).await.unwrap().0,
        401
    );
    let bad = send(
        &client,
        "POST",
        path,
        Some(json!({"fault": "error", "code": 404, "count": 1})),
    );
    assert_eq!(bad.await.unwrap().0, 400);
    let faults = json!([
        {"fault": "conflict", "count": 1, "resource": "statefulsets"},
        {"fault": "latency", "ms": 0},
        {"fault": "drop-watches", "afterMs": 60000}
    ]);
    let (status, _, state) = send(&client, "POST", path, Some(faults)).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        state["armed"],
        json!([{"answer": "409 Conflict", "requestsLeft": 1}])
    );
    assert_eq!(
        send(&client, "PATCH", SET, label_patch("a")).await.unwrap().0,
        409
    );
    assert_eq!(send(&client, "DELETE", path, None).await.unwrap().0, 200);
    assert!(
        sim.log.entries().iter().all(|e| e.path != path),
        "not in the request log"
    );
}
