//! Watches on the simulated API server: the 410 ERROR event of a compacted resourceVersion and
//! kube's watcher recovering from it, selectors turning objects in and out of view, bookmarks,
//! streaming lists, timeouts, and streams freed when the client goes away.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::watcher::{self, Event};
use serde_json::{Value, json};
use sts_sim::Sim;

use crate::api_support::*;

const LIMIT: Duration = Duration::from_secs(15);

fn service(name: &str, labels: Value) -> Service {
    serde_json::from_value(json!({"metadata": {"name": name, "labels": labels},
        "spec": {"ports": [{"port": 80}], "selector": {"app": name}}}))
    .unwrap()
}

async fn add(api: &Api<Service>, name: &str, labels: Value) {
    api.create(&PostParams::default(), &service(name, labels))
        .await
        .unwrap();
}

async fn relabel(api: &Api<Service>, name: &str, labels: Value) {
    let patch = Patch::Merge(json!({"metadata": {"labels": labels}}));
    api.patch(name, &PatchParams::default(), &patch).await.unwrap();
}

/// Waits, under `LIMIT`, until `done` holds for the sim.
async fn eventually(sim: &Sim, done: impl Fn(&Sim) -> bool) {
    tokio::time::timeout(LIMIT, async {
        while !done(sim) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("condition reached in time");
}

#[tokio::test]
async fn watch_from_a_compacted_version_is_one_410_error_event() {
    let sim = start();
    let client = admin(&sim).await;
    add(&Api::default_namespaced(client.clone()), "a", json!({})).await;
    sim.store.compact();
    let reply = get(
        &client,
        "/api/v1/namespaces/default/services?watch=1&resourceVersion=1",
    )
    .await;
    assert_eq!(reply.status, 200);
    let lines: Vec<&str> = reply.text.lines().collect();
    assert_eq!(lines.len(), 1, "{}", reply.text);
    let event: Value = serde_json::from_str(lines[0]).unwrap();
    let recorded: Value =
        serde_json::from_str(include_str!("../../traces/objects/watch-too-old.txt").trim()).unwrap();
    let message = event["object"]["message"].as_str().unwrap().to_string();
    assert!(message.starts_with("too old resource version: 1 ("), "{message}");
    let mut expected = recorded;
    expected["object"]["message"] = json!(message);
    assert_eq!(event, expected);
}

#[tokio::test]
async fn watcher_lists_again_after_410() {
    let sim = start();
    namespace(&sim, "watched");
    let client = admin(&sim).await;
    let watched: Api<Service> = Api::namespaced(client.clone(), "watched");
    add(&watched, "first", json!({})).await;
    let config = watcher::Config::default().timeout(1).disable_bookmarks();
    let mut events = watcher::watcher(watched.clone(), config).boxed();
    let mut inits = 0;
    let mut listed: Vec<String> = Vec::new();
    tokio::time::timeout(LIMIT, async {
        while let Some(event) = events.next().await {
            match event {
                Ok(Event::Init) => {
                    inits += 1;
                    listed.clear();
                }
                Ok(Event::InitApply(s)) => listed.push(s.metadata.name.unwrap()),
                Ok(Event::InitDone) if inits == 1 => {
                    add(&watched, "second", json!({})).await;
                    add(&Api::default_namespaced(client.clone()), "elsewhere", json!({})).await;
                    sim.store.compact();
                }
                Ok(Event::InitDone) => break,
                _ => {}
            }
        }
    })
    .await
    .expect("the watcher listed again");
    assert_eq!(inits, 2);
    assert_eq!(listed, ["first", "second"]);
    let lists = sim
        .log
        .entries()
        .into_iter()
        .filter(|e| e.verb == "list" && e.namespace.as_deref() == Some("watched"));
    assert_eq!(lists.count(), 2, "one list at the start, one after the 410");
}

#[tokio::test]
async fn selectors_turn_objects_in_and_out_of_view() {
    let sim = start();
    let services: Api<Service> = Api::default_namespaced(admin(&sim).await);
    let params = WatchParams::default().labels("team=a").disable_bookmarks();
    let mut stream = services.watch(&params, "0").await.unwrap().boxed();
    add(&services, "x", json!({"team": "a"})).await;
    add(&services, "y", json!({"team": "b"})).await;
    relabel(&services, "x", json!({"team": "b"})).await;
    relabel(&services, "y", json!({"team": "a"})).await;
    services.delete("y", &Default::default()).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let event = tokio::time::timeout(LIMIT, stream.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let (kind, svc) = match event {
            WatchEvent::Added(s) => ("ADDED", s),
            WatchEvent::Modified(s) => ("MODIFIED", s),
            WatchEvent::Deleted(s) => ("DELETED", s),
            other => panic!("unexpected {other:?}"),
        };
        let team = svc.metadata.labels.unwrap()["team"].clone();
        seen.push(format!("{kind} {} {team}", svc.metadata.name.unwrap()));
    }
    assert_eq!(seen, ["ADDED x a", "DELETED x a", "ADDED y a", "DELETED y a"]);
}

#[tokio::test]
async fn bookmarks_come_when_asked_for() {
    let sim = start();
    let services: Api<Service> = Api::default_namespaced(admin(&sim).await);
    add(&services, "x", json!({})).await;
    let mut stream = services
        .watch(&WatchParams::default(), "0")
        .await
        .unwrap()
        .boxed();
    let first = tokio::time::timeout(LIMIT, stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(matches!(first, WatchEvent::Added(ref s) if s.metadata.name.as_deref() == Some("x")));
    let next = tokio::time::timeout(LIMIT, stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let WatchEvent::Bookmark(bookmark) = next else {
        panic!("expected a bookmark, got {next:?}");
    };
    let rv: u64 = bookmark.metadata.resource_version.parse().unwrap();
    assert!(rv >= sim.store.current_rv() - 10 && rv > 0);
    assert_eq!(bookmark.types.kind, "Service");
}

#[tokio::test]
async fn streaming_lists_end_with_the_initial_events_bookmark() {
    let sim = start();
    let services: Api<Service> = Api::default_namespaced(admin(&sim).await);
    for name in ["a", "b"] {
        add(&services, name, json!({})).await;
    }
    let mut events = watcher::watcher(services, watcher::Config::default().streaming_lists()).boxed();
    let mut names = Vec::new();
    tokio::time::timeout(LIMIT, async {
        while let Some(event) = events.next().await {
            match event.unwrap() {
                Event::InitApply(s) => names.push(s.metadata.name.unwrap()),
                Event::InitDone => break,
                _ => {}
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(names, ["a", "b"]);
    let services_log: Vec<String> = sim
        .log
        .entries()
        .into_iter()
        .filter(|e| e.resource == "services")
        .map(|e| e.verb)
        .collect();
    assert_eq!(
        services_log,
        ["create", "create", "watch"],
        "no list: the watch sent the initial state"
    );
    assert!(
        sim.log
            .entries()
            .iter()
            .any(|e| e.query.contains("sendInitialEvents=true"))
    );
}

#[tokio::test]
async fn timeout_seconds_ends_the_stream() {
    let sim = start();
    let services: Api<Service> = Api::default_namespaced(admin(&sim).await);
    let params = WatchParams::default().timeout(1).disable_bookmarks();
    let started = std::time::Instant::now();
    let mut stream = services.watch(&params, "0").await.unwrap().boxed();
    let end = tokio::time::timeout(LIMIT, stream.try_next())
        .await
        .unwrap()
        .unwrap();
    assert!(end.is_none(), "the stream ends without events");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_closed_connection_frees_the_watch() {
    let sim = start();
    let services: Api<Service> = Api::default_namespaced(admin(&sim).await);
    let stream = services
        .watch(&WatchParams::default().disable_bookmarks(), "0")
        .await
        .unwrap()
        .boxed();
    eventually(&sim, |s| s.log.open_watches() == 1).await;
    drop(stream);
    eventually(&sim, |s| s.log.open_watches() == 0).await;
}

#[tokio::test]
async fn field_selectors_filter_watches_and_lists() {
    let sim = start();
    let client = admin(&sim).await;
    let services: Api<Service> = Api::default_namespaced(client.clone());
    let params = WatchParams::default()
        .fields("metadata.name=wanted")
        .disable_bookmarks();
    let mut stream = services.watch(&params, "0").await.unwrap().boxed();
    add(&services, "other", json!({})).await;
    add(&services, "wanted", json!({})).await;
    let event = tokio::time::timeout(LIMIT, stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(matches!(event, WatchEvent::Added(ref s) if s.metadata.name.as_deref() == Some("wanted")));
    let reply = get(
        &client,
        "/api/v1/namespaces/default/services?fieldSelector=spec.bogus%3Dx",
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["message"].clone()),
        (400, json!("field label not supported: spec.bogus"))
    );
    let reply = get(
        &client,
        "/api/v1/services?fieldSelector=metadata.namespace%3Ddefault,metadata.name%3Dother",
    )
    .await;
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(reply.body["kind"], "ServiceList");
}

#[tokio::test]
async fn a_watcher_that_falls_behind_gets_410() {
    let mut config = sts_sim::SimConfig::fast();
    config.watch_buffer = 256;
    let sim = Sim::start(config).unwrap();
    let client = admin(&sim).await;
    let events = &sts_sim::resources::EVENTS;
    let busy = json!({"metadata": {"name": "busy"}, "message": "x".repeat(4096)});
    sim.store.create(events, "default", busy, false).unwrap();
    let rv = sim.store.current_rv();
    let path = format!("/api/v1/namespaces/default/events?watch=1&timeoutSeconds=60&resourceVersion={rv}");
    let req = axum::http::Request::get(path)
        .body(kube::client::Body::from(Vec::new()))
        .unwrap();
    let response = client.send(req).await.unwrap();
    let store = sim.store.clone();
    let flood = 20_000;
    tokio::task::spawn_blocking(move || {
        for i in 0..flood {
            let write = |e: &mut Value| {
                e["count"] = json!(i);
                Ok(())
            };
            store
                .modify(
                    events,
                    "default",
                    "busy",
                    sts_sim::store::Part::Main,
                    false,
                    write,
                )
                .unwrap();
        }
    })
    .await
    .unwrap();
    let body = axum::body::to_bytes(axum::body::Body::new(response.into_body()), usize::MAX);
    let bytes = tokio::time::timeout(LIMIT, body).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "ERROR");
    assert_eq!(
        (last["object"]["code"].clone(), last["object"]["reason"].clone()),
        (json!(410), json!("Expired"))
    );
    assert!(
        text.lines().count() < flood,
        "the stream ended early instead of sending everything"
    );
}
