//! Rules of docs/statefulset-behaviour.md and upstream that the traces do not show, checked on the
//! simulated cluster over HTTP: minReadySeconds, OrderedReady stopping at a crash-looping pod,
//! `slow` images, Failed pods, `whenScaled: Delete` alone, claim expansion, pvc-protection,
//! foreground deletion, PodDisruptionBudgets with percentages, adoption and release, revision
//! history, the objects and Events the controllers write, the words of what blocks a set
//! (ProvisioningFailed, quota FailedCreate) and the shapes of Nodes and Leases.

use std::time::Duration;

use serde_json::{Value, json};
use sts_sim::Sim;
use sts_sim::resources::{CONTROLLER_REVISIONS, EVENTS, PODS, PVCS, PVS, STATEFULSETS};
use sts_sim::store::{EventKind, WatchEvent};

use crate::conformance_support::{Cluster, Fixture, NS, image_patch, list_path, object_path, settle};

/// The web fixture with `change` applied to its StatefulSet, created and settled.
async fn web(change: impl Fn(&mut Value)) -> Cluster {
    let cluster = Cluster::start().await;
    let mut docs = Fixture::web().docs();
    docs.iter_mut()
        .filter(|d| d["kind"] == "StatefulSet")
        .for_each(&change);
    cluster.create_all(&docs).await;
    settle(&cluster, "web", "nginx").await;
    cluster
}

fn replicas(n: i64) -> impl Fn(&mut Value) {
    move |set: &mut Value| set["spec"]["replicas"] = json!(n)
}

fn pod(sim: &Sim, name: &str) -> Option<Value> {
    sim.store.try_get(&PODS, NS, name)
}

fn set_status(sim: &Sim) -> Value {
    sim.store
        .try_get(&STATEFULSETS, NS, "web")
        .map(|s| s["status"].clone())
        .unwrap_or(Value::Null)
}

fn ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

fn pod_names(sim: &Sim) -> Vec<String> {
    let (pods, _) = sim.store.list(&PODS, Some(NS), &|_| true);
    pods.iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

async fn patch_set(cluster: &Cluster, body: Value) {
    cluster
        .merge_patch(&object_path("statefulsets", "web"), &body)
        .await
        .ok("patch the set");
}

/// Every change the store publishes from now on, collected until `take` is called.
struct Changes(tokio::sync::broadcast::Receiver<std::sync::Arc<WatchEvent>>);

impl Changes {
    fn watch(sim: &Sim) -> Changes {
        Changes(sim.store.subscribe())
    }

    fn take(&mut self) -> Vec<std::sync::Arc<WatchEvent>> {
        std::iter::from_fn(|| self.0.try_recv().ok()).collect()
    }
}

#[tokio::test]
async fn min_ready_seconds_delays_availability_and_the_next_pod() {
    let cluster = Cluster::start().await;
    let docs = Fixture::web_with(|set| {
        set["spec"]["replicas"] = json!(2);
        set["spec"]["minReadySeconds"] = json!(2);
    })
    .docs();
    cluster.create_all(&docs).await;
    cluster
        .eventually("web-0 counts as ready", |sim| {
            set_status(sim)["readyReplicas"] == 1
        })
        .await;
    assert_eq!(
        set_status(&cluster.sim)["availableReplicas"],
        0,
        "ready but not yet available"
    );
    assert!(
        pod(&cluster.sim, "web-1").is_none(),
        "web-1 waits for web-0 to be available"
    );
    cluster
        .eventually("both available", |sim| set_status(sim)["availableReplicas"] == 2)
        .await;
    settle(&cluster, "web", "nginx").await;
    let ready_0 = cluster
        .recorder
        .find("READY", "web-0")
        .expect("web-0 became ready")
        .at;
    let added_1 = cluster
        .recorder
        .find("ADDED", "web-1")
        .expect("web-1 was created")
        .at;
    assert!(
        added_1 - ready_0 > Duration::from_secs(1),
        "web-1 created {:?} after web-0 was ready",
        added_1 - ready_0
    );
}

#[tokio::test]
async fn ordered_ready_scale_up_stops_at_a_crash_looping_pod() {
    let cluster = web(|set| set["spec"]["replicas"] = json!(2)).await;
    let mut staged = image_patch(&cluster, "web", "nginx:broken").await;
    staged["spec"]["updateStrategy"] = json!({"rollingUpdate": {"partition": 2}});
    patch_set(&cluster, staged).await;
    patch_set(&cluster, json!({"spec": {"replicas": 4}})).await;
    cluster
        .eventually("web-2 restarted twice", |sim| {
            pod(sim, "web-2")
                .is_some_and(|p| p["status"]["containerStatuses"][0]["restartCount"].as_i64() >= Some(2))
        })
        .await;
    settle(&cluster, "web", "nginx").await;
    assert_eq!(
        pod_names(&cluster.sim),
        ["web-0", "web-1", "web-2"],
        "web-3 is never created"
    );
    let broken = pod(&cluster.sim, "web-2").unwrap();
    assert!(!ready(&broken));
    assert_eq!(
        broken["spec"]["containers"][0]["image"], "nginx:broken",
        "new pods at and above the partition are updated"
    );
    let state = &broken["status"]["containerStatuses"][0]["state"]["waiting"];
    assert_eq!(state["reason"], "CrashLoopBackOff");
    assert_eq!(state["message"], "back-off restarting failed container");
    let status = set_status(&cluster.sim);
    assert_eq!(
        (status["replicas"].as_i64(), status["readyReplicas"].as_i64()),
        (Some(3), Some(2))
    );
}

#[tokio::test]
async fn slow_images_become_ready_later() {
    let cluster = web(replicas(1)).await;
    let quick = cluster.recorder.find("READY", "web-0").unwrap().at
        - cluster.recorder.find("ADDED", "web-0").unwrap().at;
    let mark = cluster.recorder.len();
    let slow = image_patch(&cluster, "web", "registry.lab/nginx-slow:1.25").await;
    patch_set(&cluster, slow).await;
    let replaced = |sim: &Sim| {
        pod(sim, "web-0").is_some_and(|p| ready(&p) && p["spec"]["containers"][0]["image"] != "nginx:1.25")
    };
    cluster.eventually("the slow pod is ready", replaced).await;
    settle(&cluster, "web", "nginx").await;
    let after = cluster.recorder.since(mark);
    let at = |event: &str| {
        after
            .iter()
            .find(|t| t.event == event && t.pod == "web-0")
            .map(|t| t.at)
    };
    let slow = at("READY").expect("the slow pod became ready") - at("ADDED").expect("the pod was replaced");
    let slow_ready = cluster.sim.config.timings.slow_ready;
    assert!(slow >= slow_ready, "slow image ready after {slow:?}");
    assert!(quick < slow_ready, "normal image ready after {quick:?}");
}

#[tokio::test]
async fn failed_pods_are_deleted_and_recreated() {
    let cluster = web(replicas(2)).await;
    let old_uid = pod(&cluster.sim, "web-1").unwrap()["metadata"]["uid"].clone();
    let mark = cluster.recorder.len();
    let status = json!({"status": {"phase": "Failed"}});
    let path = format!("{}/status", object_path("pods", "web-1"));
    cluster.merge_patch(&path, &status).await.ok("fail the pod");
    cluster
        .eventually("web-1 replaced and ready", |sim| {
            pod(sim, "web-1").is_some_and(|p| p["metadata"]["uid"] != old_uid && ready(&p))
        })
        .await;
    settle(&cluster, "web", "nginx").await;
    let events: Vec<String> = cluster
        .recorder
        .since(mark)
        .iter()
        .map(|t| t.event.clone())
        .collect();
    assert_eq!(
        events,
        ["DELETED", "ADDED", "READY"],
        "a Failed pod goes at once and comes back"
    );
}

#[tokio::test]
async fn when_scaled_delete_alone_deletes_claims_of_removed_pods_only() {
    let cluster = web(|set| {
        set["spec"]["persistentVolumeClaimRetentionPolicy"] =
            json!({"whenScaled": "Delete", "whenDeleted": "Retain"});
    })
    .await;
    let claims = |sim: &Sim| sim.store.list(&PVCS, Some(NS), &|_| true).0;
    assert!(
        claims(&cluster.sim)
            .iter()
            .all(|c| c["metadata"].get("ownerReferences").is_none())
    );
    patch_set(&cluster, json!({"spec": {"replicas": 1}})).await;
    settle(&cluster, "web", "nginx").await;
    let left: Vec<Value> = claims(&cluster.sim);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["metadata"]["name"], "www-web-0");
    let options = json!({"propagationPolicy": "Background"});
    cluster
        .delete(&object_path("statefulsets", "web"), Some(&options))
        .await
        .ok("delete the set");
    cluster
        .eventually("pods gone", |sim| pod_names(sim).is_empty())
        .await;
    settle(&cluster, "web", "nginx").await;
    assert_eq!(
        claims(&cluster.sim).len(),
        1,
        "whenDeleted: Retain keeps the last claim"
    );
}

#[tokio::test]
async fn claims_grow_through_resizing_and_file_system_resize() {
    let cluster = web(replicas(1)).await;
    let mut changes = Changes::watch(&cluster.sim);
    let grow = json!({"spec": {"resources": {"requests": {"storage": "2Gi"}}}});
    cluster
        .merge_patch(&object_path("persistentvolumeclaims", "www-web-0"), &grow)
        .await
        .ok("grow the claim");
    let grown = |sim: &Sim| {
        sim.store
            .try_get(&PVCS, NS, "www-web-0")
            .is_some_and(|c| c["status"]["capacity"]["storage"] == "2Gi")
    };
    cluster.eventually("the claim has grown", grown).await;
    let claim = cluster.sim.store.try_get(&PVCS, NS, "www-web-0").unwrap();
    assert_eq!(claim["status"]["allocatedResources"]["storage"], "2Gi");
    assert!(claim["status"].get("conditions").is_none());
    let volume = cluster
        .sim
        .store
        .try_get(&PVS, "", claim["spec"]["volumeName"].as_str().unwrap())
        .unwrap();
    assert_eq!(volume["spec"]["capacity"]["storage"], "2Gi");
    let stages: Vec<String> = changes
        .take()
        .iter()
        .filter(|e| e.resource.plural == "persistentvolumeclaims")
        .filter_map(|e| {
            e.object["status"]["conditions"][0]["type"]
                .as_str()
                .map(String::from)
        })
        .collect();
    let mut distinct = stages.clone();
    distinct.dedup();
    assert_eq!(distinct, ["Resizing", "FileSystemResizePending"], "{stages:?}");
}

#[tokio::test]
async fn a_claim_in_use_stays_terminating_until_its_pod_is_gone() {
    let cluster = web(replicas(1)).await;
    let claim_path = object_path("persistentvolumeclaims", "www-web-0");
    let volume = cluster.sim.store.try_get(&PVCS, NS, "www-web-0").unwrap()["spec"]["volumeName"].clone();
    cluster.delete(&claim_path, None).await.ok("delete the claim");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let claim = cluster
        .sim
        .store
        .try_get(&PVCS, NS, "www-web-0")
        .expect("the claim is still there");
    assert!(claim["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(
        claim["metadata"]["finalizers"],
        json!(["kubernetes.io/pvc-protection"])
    );
    patch_set(&cluster, json!({"spec": {"replicas": 0}})).await;
    cluster
        .eventually("the claim is gone", |sim| {
            sim.store.try_get(&PVCS, NS, "www-web-0").is_none()
        })
        .await;
    let name = volume.as_str().unwrap().to_string();
    cluster
        .eventually("its volume is reclaimed", move |sim| {
            sim.store.try_get(&PVS, "", &name).is_none()
        })
        .await;
}

#[tokio::test]
async fn foreground_deletion_removes_the_set_after_its_pods() {
    let cluster = web(replicas(3)).await;
    let mut changes = Changes::watch(&cluster.sim);
    let options = json!({"propagationPolicy": "Foreground"});
    cluster
        .delete(&object_path("statefulsets", "web"), Some(&options))
        .await
        .ok("delete the set");
    let set = cluster
        .sim
        .store
        .try_get(&STATEFULSETS, NS, "web")
        .expect("the set waits for its pods");
    assert!(set["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(set["metadata"]["finalizers"], json!(["foregroundDeletion"]));
    cluster
        .eventually("the set is gone", |sim| {
            sim.store.try_get(&STATEFULSETS, NS, "web").is_none()
        })
        .await;
    let deletions: Vec<String> = changes
        .take()
        .iter()
        .filter(|e| e.kind == EventKind::Deleted && matches!(e.resource.plural, "pods" | "statefulsets"))
        .map(|e| e.resource.plural.to_string())
        .collect();
    assert_eq!(deletions, ["pods", "pods", "pods", "statefulsets"]);
    assert_eq!(
        cluster.sim.store.list(&PVCS, Some(NS), &|_| true).0.len(),
        3,
        "claims are retained"
    );
}

#[tokio::test]
async fn a_percentage_min_available_budget_allows_one_eviction_of_three() {
    let cluster = web(replicas(3)).await;
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web-pdb"},
        "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "nginx"}}}});
    cluster.create_all(&[pdb]).await;
    let pdb_path = object_path("poddisruptionbudgets", "web-pdb");
    let allowed = |sim: &Sim| {
        sim.store
            .try_get(&sts_sim::resources::PDBS, NS, "web-pdb")
            .is_some_and(|p| p["status"]["disruptionsAllowed"] == 1)
    };
    cluster.eventually("the budget is computed", allowed).await;
    let status = cluster.get(&pdb_path).await.body["status"].clone();
    assert_eq!(
        (
            &status["expectedPods"],
            &status["desiredHealthy"],
            &status["currentHealthy"]
        ),
        (&json!(3), &json!(2), &json!(3))
    );
    assert_eq!(status["conditions"][0]["reason"], "SufficientPods");
    let evict = |pod: &str| {
        let body = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod}});
        (format!("{}/{pod}/eviction", list_path("pods")), body)
    };
    let (path, body) = evict("web-0");
    cluster.post(&path, &body).await.ok("the first eviction");
    let (path, body) = evict("web-1");
    let refused = cluster.post(&path, &body).await;
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused.body["details"]["causes"][0]["message"],
        "The disruption budget web-pdb needs 2 healthy pods and has 2 currently"
    );
}

#[tokio::test]
async fn pods_that_stop_matching_are_released_and_orphans_adopted() {
    let cluster = web(replicas(2)).await;
    let uid = pod(&cluster.sim, "web-1").unwrap()["metadata"]["uid"].clone();
    let owned = |sim: &Sim| pod(sim, "web-1").is_some_and(|p| p["metadata"].get("ownerReferences").is_some());
    let label = |app: &str| json!({"metadata": {"labels": {"app": app}}});
    cluster
        .merge_patch(&object_path("pods", "web-1"), &label("debug"))
        .await
        .ok("relabel web-1");
    cluster.eventually("web-1 released", |sim| !owned(sim)).await;
    settle(&cluster, "web", "nginx").await;
    assert_eq!(
        pod(&cluster.sim, "web-1").unwrap()["metadata"]["uid"],
        uid,
        "the released pod keeps the name"
    );
    assert_eq!(set_status(&cluster.sim)["replicas"], 1);
    cluster
        .merge_patch(&object_path("pods", "web-1"), &label("nginx"))
        .await
        .ok("relabel web-1 back");
    cluster.eventually("web-1 adopted", owned).await;
    settle(&cluster, "web", "nginx").await;
    assert_eq!(
        pod(&cluster.sim, "web-1").unwrap()["metadata"]["uid"],
        uid,
        "adopted without a restart"
    );
    assert_eq!(set_status(&cluster.sim)["readyReplicas"], 2);
}

#[tokio::test]
async fn history_is_pruned_and_a_rollback_renumbers_the_old_revision() {
    let cluster = web(|set| {
        set["spec"]["replicas"] = json!(1);
        set["spec"]["revisionHistoryLimit"] = json!(1);
    })
    .await;
    let first = set_status(&cluster.sim)["updateRevision"].clone();
    for image in ["nginx:1.26", "nginx:1.27", "nginx:1.25"] {
        let body = image_patch(&cluster, "web", image).await;
        patch_set(&cluster, body).await;
        settle(&cluster, "web", "nginx").await;
    }
    let (revisions, _) = cluster.sim.store.list(&CONTROLLER_REVISIONS, Some(NS), &|_| true);
    let mut numbered: Vec<(i64, String)> = revisions
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    numbered.sort();
    assert_eq!(numbered.len(), 2, "the live revision and one more: {numbered:?}");
    assert_eq!(
        numbered[1],
        (4, first.as_str().unwrap().to_string()),
        "back to the first template: same name, next number"
    );
}

/// A recorded object of `traces/objects/`.
fn recorded(file: &str) -> Value {
    let path = format!("{}/traces/objects/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn revisions_and_pods_look_like_the_real_ones() {
    let cluster = web(replicas(1)).await;
    let revision = &recorded("controllerrevisions.json")["items"][0];
    let name = revision["metadata"]["name"].as_str().unwrap();
    let ours = cluster.sim.store.try_get(&CONTROLLER_REVISIONS, NS, name);
    let ours = ours.expect("the revision has the real controller's name");
    assert_eq!(ours["data"], revision["data"]);
    assert_eq!(ours["metadata"]["labels"], revision["metadata"]["labels"]);
    assert_eq!(ours["revision"], 1);
    let real_pod = recorded("pod.json");
    let pod = pod(&cluster.sim, "web-0").unwrap();
    let pointers = [
        "/metadata/generateName",
        "/metadata/generation",
        "/spec/hostname",
        "/spec/subdomain",
    ];
    for pointer in pointers.into_iter().chain(["/status/phase", "/status/qosClass"]) {
        assert_eq!(pod.pointer(pointer), real_pod.pointer(pointer), "{pointer}");
    }
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(
        keys(&pod["metadata"]["labels"]),
        keys(&real_pod["metadata"]["labels"])
    );
    assert_eq!(pod["spec"]["volumes"][0], real_pod["spec"]["volumes"][0]);
    let container = |p: &Value| keys(&p["status"]["containerStatuses"][0]);
    assert_eq!(container(&pod), container(&real_pod));
    let types = |p: &Value| -> Vec<Value> {
        let conditions = p["status"]["conditions"].as_array().unwrap();
        conditions.iter().map(|c| c["type"].clone()).collect()
    };
    assert_eq!(types(&pod), types(&real_pod));
}

#[tokio::test]
async fn the_controller_records_events_like_the_real_one() {
    let cluster = web(replicas(1)).await;
    let (events, _) = cluster.sim.store.list(&EVENTS, Some(NS), &|e| {
        e["involvedObject"]["kind"] == "StatefulSet"
    });
    let messages: Vec<&str> = events.iter().filter_map(|e| e["message"].as_str()).collect();
    for expected in [
        "Create Claim www-web-0 Pod web-0 in StatefulSet web success",
        "Create Pod web-0 in StatefulSet web successful",
    ] {
        assert!(messages.contains(&expected), "{messages:?}");
    }
    assert!(
        events
            .iter()
            .all(|e| e["source"]["component"] == "statefulset-controller")
    );
}

#[tokio::test]
async fn claims_without_a_class_bind_to_a_fitting_volume_released_when_they_go() {
    let cluster = Cluster::start().await;
    let volume = |name: &str, size: &str| {
        json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
            "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce", "ReadWriteMany"],
                "persistentVolumeReclaimPolicy": "Retain", "hostPath": {"path": format!("/lab/{name}")}}})
    };
    let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
        "spec": {"storageClassName": "", "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}});
    cluster
        .create_all(&[
            volume("lab-pv-small", "512Mi"),
            volume("lab-pv-044", "10Gi"),
            claim,
        ])
        .await;
    let bound = |sim: &Sim| {
        sim.store
            .try_get(&PVCS, NS, "data")
            .is_some_and(|c| c["status"]["phase"] == "Bound")
    };
    cluster.eventually("the claim is bound", bound).await;
    let claim = cluster
        .get(&object_path("persistentvolumeclaims", "data"))
        .await
        .body;
    let real = recorded("pvc.json");
    assert_eq!(
        claim["spec"]["volumeName"], "lab-pv-044",
        "the small volume does not fit"
    );
    assert_eq!(claim["status"], real["status"]);
    assert_eq!(claim["metadata"]["annotations"], real["metadata"]["annotations"]);
    cluster
        .delete(&object_path("persistentvolumeclaims", "data"), None)
        .await
        .ok("delete the claim");
    let released = |sim: &Sim| {
        sim.store
            .try_get(&PVS, "", "lab-pv-044")
            .is_some_and(|v| v["status"]["phase"] == "Released")
    };
    cluster
        .eventually("the volume is released and kept", released)
        .await;
    let kept = cluster.sim.store.try_get(&PVS, "", "lab-pv-044").unwrap();
    assert_eq!(
        kept["spec"]["claimRef"]["name"], "data",
        "a Released volume keeps its claimRef"
    );
}

/// The recorded event of `reason` about `name` in a recorded list.
fn recorded_event(file: &str, reason: &str, name: &str) -> Value {
    let events = recorded(file)["items"].as_array().unwrap().clone();
    events
        .into_iter()
        .find(|e| e["reason"] == reason && e["involvedObject"]["name"] == name)
        .unwrap_or_else(|| panic!("no {reason} about {name} in {file}"))
}

/// What `why` reads from events, as the real controllers write them.
fn event_words(event: &Value) -> Vec<Value> {
    ["type", "reason", "reportingComponent"]
        .iter()
        .map(|k| event[*k].clone())
        .chain([
            event["source"]["component"].clone(),
            event["involvedObject"]["kind"].clone(),
        ])
        .collect()
}

#[tokio::test]
async fn blockers_are_reported_in_the_real_clusters_words() {
    let cluster = Cluster::start().await;
    let quota = json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "pods"},
                       "spec": {"hard": {"pods": "3"}}});
    let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data-hole-0"},
                       "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "nowhere",
                                "resources": {"requests": {"storage": "1Gi"}}}});
    cluster.create_all(&[quota, claim]).await;
    let mut docs = Fixture::web().docs();
    docs.iter_mut()
        .filter(|d| d["kind"] == "StatefulSet")
        .for_each(replicas(4));
    cluster.create_all(&docs).await;
    let event = |reason: &'static str, name: &'static str| {
        move |sim: &Sim| {
            let (found, _) = sim.store.list(&EVENTS, Some(NS), &|e| {
                e["reason"] == reason && e["involvedObject"]["name"] == name
            });
            found.into_iter().next()
        }
    };
    let provisioning = event("ProvisioningFailed", "data-hole-0");
    cluster
        .eventually("ProvisioningFailed", |sim| provisioning(sim).is_some())
        .await;
    let ours = provisioning(&cluster.sim).unwrap();
    let real = recorded_event("events-diagnosis.json", "ProvisioningFailed", "data-hole-0");
    assert_eq!(ours["message"], real["message"]);
    assert_eq!(event_words(&ours), event_words(&real));
    let refused = event("FailedCreate", "web");
    cluster
        .eventually("FailedCreate", |sim| refused(sim).is_some())
        .await;
    let ours = refused(&cluster.sim).unwrap();
    let real = recorded_event("events-diagnosis.json", "FailedCreate", "web");
    let real_message = real["message"].as_str().unwrap().replace("web-1", "web-3");
    assert_eq!(ours["message"].as_str(), Some(real_message.as_str()));
    assert_eq!(event_words(&ours), event_words(&real));
}

#[tokio::test]
async fn nodes_and_leases_look_like_the_real_ones() {
    let cluster = Cluster::start().await;
    cluster
        .eventually("nodes registered", |sim| {
            sim.store
                .try_get(&sts_sim::resources::NODES, "", "node-1")
                .is_some_and(|n| !n["status"].is_null())
        })
        .await;
    let node = cluster
        .sim
        .store
        .try_get(&sts_sim::resources::NODES, "", "node-1")
        .unwrap();
    let real = recorded("node-unreachable.json");
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(
        keys(&node["metadata"]["labels"]),
        keys(&real["metadata"]["labels"])
    );
    let ready = |n: &Value| {
        n["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "Ready")
            .cloned()
            .unwrap()
    };
    assert_eq!(keys(&ready(&node)), keys(&ready(&real)));
    let lease = cluster
        .sim
        .store
        .try_get(&sts_sim::resources::LEASES, "kube-node-lease", "node-1")
        .unwrap();
    let real_lease = recorded("lease-stale.json");
    assert_eq!(keys(&lease["spec"]), keys(&real_lease["spec"]));
    assert_eq!(
        lease["spec"]["leaseDurationSeconds"],
        real_lease["spec"]["leaseDurationSeconds"]
    );
}
