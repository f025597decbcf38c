//! Builders of k8s-openapi objects for unit tests, shaped like the API server's answers.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use crate::model::set::snapshot::SetSnapshot;

/// The moment every fixture is observed at.
pub fn now() -> Timestamp {
    "2026-11-22T01:00:00Z".parse().unwrap()
}

/// A StatefulSet `name` selecting `app=<name>`, 3 replicas, RollingUpdate, revision `<name>-r1`.
pub struct SetBuilder(Value);

impl SetBuilder {
    pub fn new(name: &str) -> Self {
        SetBuilder(json!({
            "metadata": {"name": name, "namespace": "default", "generation": 1, "uid": format!("uid-{name}"),
                         "creationTimestamp": "2026-11-22T00:00:00Z"},
            "spec": {
                "replicas": 3, "serviceName": "nginx", "podManagementPolicy": "OrderedReady",
                "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}},
                             "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            },
            "status": {"replicas": 3, "readyReplicas": 3, "availableReplicas": 3, "currentReplicas": 3,
                       "updatedReplicas": 3, "observedGeneration": 1,
                       "currentRevision": format!("{name}-r1"), "updateRevision": format!("{name}-r1")}
        }))
    }
    pub fn replicas(mut self, n: i32) -> Self {
        self.0["spec"]["replicas"] = json!(n);
        self
    }
    pub fn start(mut self, start: i32) -> Self {
        self.0["spec"]["ordinals"] = json!({"start": start});
        self
    }
    pub fn partition(mut self, p: i32) -> Self {
        self.0["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = json!(p);
        self
    }
    pub fn on_delete(mut self) -> Self {
        self.0["spec"]["updateStrategy"] = json!({"type": "OnDelete"});
        self
    }
    pub fn parallel(mut self) -> Self {
        self.0["spec"]["podManagementPolicy"] = json!("Parallel");
        self
    }
    pub fn claim_template(mut self, template: &str) -> Self {
        let t = json!({"metadata": {"name": template}, "spec": {"accessModes": ["ReadWriteOnce"],
                       "resources": {"requests": {"storage": "1Gi"}}}});
        match self.0["spec"]["volumeClaimTemplates"].as_array_mut() {
            Some(list) => list.push(t),
            None => self.0["spec"]["volumeClaimTemplates"] = json!([t]),
        }
        self
    }
    pub fn revisions(mut self, current: &str, update: &str) -> Self {
        self.0["status"]["currentRevision"] = json!(current);
        self.0["status"]["updateRevision"] = json!(update);
        self
    }
    pub fn generation(mut self, generation: i64, observed: i64) -> Self {
        self.0["metadata"]["generation"] = json!(generation);
        self.0["status"]["observedGeneration"] = json!(observed);
        self
    }
    pub fn status(mut self, field: &str, value: i32) -> Self {
        self.0["status"][field] = json!(value);
        self
    }
    pub fn build(self) -> StatefulSet {
        serde_json::from_value(self.0).unwrap()
    }
}

/// A pod `<set>-<ordinal>` on revision `rev`, Running and Ready unless told otherwise.
pub struct PodBuilder(Value);

impl PodBuilder {
    pub fn new(set: &str, ordinal: i32, rev: &str) -> Self {
        let name = format!("{set}-{ordinal}");
        PodBuilder(json!({
            "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"),
                         "creationTimestamp": "2026-11-22T00:50:00Z",
                         "labels": {"app": set, "controller-revision-hash": rev,
                                    "statefulset.kubernetes.io/pod-name": name,
                                    "apps.kubernetes.io/pod-index": ordinal.to_string()}},
            "spec": {"nodeName": "node-1", "hostname": name, "subdomain": "nginx",
                     "containers": [{"name": "nginx", "image": "nginx:1.25"}]},
            "status": {"phase": "Running", "podIP": format!("10.244.0.{}", ordinal + 10),
                       "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-22T00:50:01Z"}],
                       "containerStatuses": [{"name": "nginx", "image": "nginx:1.25", "imageID": "", "ready": true,
                                              "restartCount": 0, "state": {"running": {}}}]}
        }))
    }
    pub fn image(mut self, image: &str) -> Self {
        self.0["spec"]["containers"][0]["image"] = json!(image);
        self
    }
    pub fn crash_looping(mut self, restarts: i32) -> Self {
        self.0["status"]["conditions"][0]["status"] = json!("False");
        self.0["status"]["containerStatuses"][0]["ready"] = json!(false);
        self.0["status"]["containerStatuses"][0]["restartCount"] = json!(restarts);
        self.0["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off restarting failed container"}});
        self
    }
    pub fn restarts(mut self, restarts: i32) -> Self {
        self.0["status"]["containerStatuses"][0]["restartCount"] = json!(restarts);
        self
    }
    pub fn unschedulable(mut self, since: &str) -> Self {
        self.0["spec"].as_object_mut().unwrap().remove("nodeName");
        self.0["status"] = json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
            "lastTransitionTime": since,
            "reason": "Unschedulable", "message": "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims"}]});
        self
    }
    pub fn claim(mut self, claim: &str) -> Self {
        self.0["spec"]["volumes"] = json!([{"name": "www", "persistentVolumeClaim": {"claimName": claim}}]);
        self
    }
    pub fn terminating(mut self) -> Self {
        self.0["metadata"]["deletionTimestamp"] = json!("2026-11-22T00:59:59Z");
        self
    }
    pub fn subdomain(mut self, subdomain: &str) -> Self {
        self.0["spec"]["subdomain"] = json!(subdomain);
        self
    }
    pub fn ip(mut self, ip: &str) -> Self {
        self.0["status"]["podIP"] = json!(ip);
        self
    }
    pub fn uid(mut self, uid: &str) -> Self {
        self.0["metadata"]["uid"] = json!(uid);
        self
    }
    pub fn ready_since(mut self, at: &str) -> Self {
        self.0["status"]["conditions"][0]["lastTransitionTime"] = json!(at);
        self
    }
    pub fn build(self) -> Pod {
        serde_json::from_value(self.0).unwrap()
    }
}

/// Pods of a rollout of `set` stuck on its highest pod: `<set>-0`, `<set>-1` on `<set>-r1`,
/// `<set>-2` on `<set>-r2` crash-looping with nginx:broken (4 restarts).
pub fn stuck_update_pods(set: &str) -> Vec<Pod> {
    let (current, update) = (format!("{set}-r1"), format!("{set}-r2"));
    vec![
        PodBuilder::new(set, 0, &current).build(),
        PodBuilder::new(set, 1, &current).build(),
        PodBuilder::new(set, 2, &update)
            .image("nginx:broken")
            .crash_looping(4)
            .build(),
    ]
}

/// A Bound claim `name` of 1Gi.
/// One Ready pod of set `set` per revision of `revs`, ordinals from 0.
pub fn pods_on(set: &str, revs: &[&str]) -> Vec<Pod> {
    revs.iter()
        .enumerate()
        .map(|(o, r)| PodBuilder::new(set, o as i32, r).build())
        .collect()
}

pub fn claim(name: &str, phase: &str) -> PersistentVolumeClaim {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2026-11-22T00:00:00Z"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "volumeName": format!("pv-{name}")},
        "status": {"phase": phase, "capacity": {"storage": "1Gi"}}
    }))
    .unwrap()
}

/// A ControllerRevision `name` number `number` whose template runs `image`.
pub fn revision(set: &str, name: &str, number: i64, image: &str) -> ControllerRevision {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2026-11-22T00:00:00Z"},
        "revision": number,
        "data": {"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": set}},
                 "spec": {"containers": [{"name": "nginx", "image": image}]}}}}
    }))
    .unwrap()
}

/// A snapshot of `set` with these pods, claims and revisions, taken at `now()`.
pub fn snapshot(
    set: StatefulSet,
    pods: Vec<Pod>,
    claims: Vec<PersistentVolumeClaim>,
    revisions: Vec<ControllerRevision>,
) -> SetSnapshot {
    SetSnapshot::new(set, pods, claims, revisions, now())
}

/// A headless Service `name` selecting `app=<app>` with one port `web` 80/TCP.
pub struct ServiceBuilder(Value);

impl ServiceBuilder {
    pub fn new(name: &str, app: &str) -> Self {
        ServiceBuilder(json!({
            "metadata": {"name": name, "namespace": "default", "uid": format!("uid-svc-{name}")},
            "spec": {"clusterIP": "None", "clusterIPs": ["None"], "selector": {"app": app},
                     "ports": [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": 80}]}
        }))
    }
    pub fn cluster_ip(mut self, ip: &str) -> Self {
        self.0["spec"]["clusterIP"] = json!(ip);
        self.0["spec"]["clusterIPs"] = json!([ip]);
        self
    }
    pub fn publish_not_ready(mut self) -> Self {
        self.0["spec"]["publishNotReadyAddresses"] = json!(true);
        self
    }
    pub fn build(self) -> Service {
        serde_json::from_value(self.0).unwrap()
    }
}

/// The EndpointSlice the controller makes for Service `svc` over `pods` (each with its IP,
/// uid, readiness, and a hostname when its subdomain is `svc`); `publish` as
/// `publishNotReadyAddresses`.
pub fn slice(svc: &str, pods: &[&Pod], publish: bool) -> EndpointSlice {
    let endpoints: Vec<Value> = pods
        .iter()
        .map(|pod| {
            let spec = pod.spec.as_ref().unwrap();
            let ready = crate::model::set::health::ready_since(pod).is_some();
            let mut ep = json!({
                "addresses": [pod.status.as_ref().unwrap().pod_ip.clone().unwrap()],
                "conditions": {"ready": ready || publish, "serving": ready, "terminating": false},
                "targetRef": {"kind": "Pod", "name": pod.metadata.name, "namespace": "default", "uid": pod.metadata.uid},
            });
            if spec.subdomain.as_deref() == Some(svc) {
                ep["hostname"] = json!(spec.hostname);
            }
            ep
        })
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": format!("{svc}-x1"), "namespace": "default",
                     "labels": {"kubernetes.io/service-name": svc}},
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": [{"name": "web", "port": 80, "protocol": "TCP"}]
    }))
    .unwrap()
}
