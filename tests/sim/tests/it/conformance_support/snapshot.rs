//! The state of a scenario in the shape the traces record it: the set (generation, replicas,
//! partition, status counters with zeros as null, revisions, pods), the claims and the
//! endpoints of the set's Service. Read over HTTP for comparison, or from the store to notice
//! when the namespace has gone quiet.

use serde_json::{Value, json};
use sts_sim::Sim;
use sts_sim::resources::{ENDPOINT_SLICES, PODS, PVCS, STATEFULSETS};

use super::cluster::{Cluster, NS, list_path, object_path};

/// The objects a state is taken from.
pub struct World {
    pub set: Option<Value>,
    pub pods: Vec<Value>,
    pub claims: Vec<Value>,
    pub slices: Vec<Value>,
}

fn items(reply_body: Value) -> Vec<Value> {
    reply_body["items"].as_array().cloned().unwrap_or_default()
}

impl World {
    /// Over HTTP, as a client sees it.
    pub async fn fetch(cluster: &Cluster, set: &str, service: &str) -> World {
        let reply = cluster.get(&object_path("statefulsets", set)).await;
        let set = (reply.status == 200).then_some(reply.body);
        let pods = items(cluster.get(&list_path("pods")).await.body);
        let claims = items(cluster.get(&list_path("persistentvolumeclaims")).await.body);
        let slices_path = format!(
            "{}?labelSelector=kubernetes.io%2Fservice-name%3D{service}",
            list_path("endpointslices")
        );
        let slices = items(cluster.get(&slices_path).await.body);
        World {
            set,
            pods,
            claims,
            slices,
        }
    }

    /// From the store, cheaply.
    pub fn read(sim: &Sim, set: &str, service: &str) -> World {
        let set = sim.store.try_get(&STATEFULSETS, NS, set);
        let (pods, _) = sim.store.list(&PODS, Some(NS), &|_| true);
        let (claims, _) = sim.store.list(&PVCS, Some(NS), &|_| true);
        let (slices, _) = sim.store.list(&ENDPOINT_SLICES, Some(NS), &|s| {
            s.pointer("/metadata/labels/kubernetes.io~1service-name")
                .and_then(Value::as_str)
                == Some(service)
        });
        World {
            set,
            pods,
            claims,
            slices,
        }
    }

    /// `{set, claims, endpoints}` as in a trace step.
    pub fn state(&self) -> Value {
        json!({"set": self.set_state(), "claims": self.claims_state(), "endpoints": self.endpoints_state()})
    }

    fn set_state(&self) -> Value {
        let Some(set) = &self.set else {
            return json!({"exists": false, "code": 404});
        };
        let count = |field: &str| match set["status"][field].as_i64() {
            Some(0) | None => Value::Null,
            Some(n) => json!(n),
        };
        let mut pods: Vec<Value> = self.pods.iter().map(pod_state).collect();
        pods.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        json!({
            "exists": true,
            "generation": set["metadata"]["generation"],
            "spec_replicas": set["spec"]["replicas"],
            "partition": set.pointer("/spec/updateStrategy/rollingUpdate/partition").cloned().unwrap_or(Value::Null),
            "status": {
                "replicas": count("replicas"),
                "ready_replicas": count("readyReplicas"),
                "available_replicas": count("availableReplicas"),
                "current_replicas": count("currentReplicas"),
                "updated_replicas": count("updatedReplicas"),
                "observed_generation": count("observedGeneration"),
            },
            "current_revision": set["status"]["currentRevision"],
            "update_revision": set["status"]["updateRevision"],
            "pods": pods,
        })
    }

    fn claims_state(&self) -> Value {
        let mut claims: Vec<Value> = self
            .claims
            .iter()
            .map(|c| {
                json!({
                    "name": c["metadata"]["name"],
                    "phase": c["status"]["phase"],
                    "labels": c["metadata"]["labels"],
                    "owners": owners(c, false),
                })
            })
            .collect();
        claims.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        Value::Array(claims)
    }

    fn endpoints_state(&self) -> Value {
        let mut endpoints: Vec<Value> = self
            .slices
            .iter()
            .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
            .map(|e| {
                json!({
                    "hostname": e["hostname"],
                    "ready": e["conditions"]["ready"],
                    "serving": e["conditions"]["serving"],
                    "terminating": e["conditions"]["terminating"],
                    "target": e["targetRef"]["name"],
                })
            })
            .collect();
        endpoints.sort_by(|a, b| a["target"].as_str().cmp(&b["target"].as_str()));
        Value::Array(endpoints)
    }
}

/// `[[kind, name(, controller)]]` of an object's owner references.
fn owners(obj: &Value, with_controller: bool) -> Value {
    let refs = obj["metadata"]["ownerReferences"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    refs.iter()
        .map(|r| {
            if with_controller {
                json!([r["kind"], r["name"], r["controller"].as_bool().unwrap_or(false)])
            } else {
                json!([r["kind"], r["name"]])
            }
        })
        .collect()
}

fn pod_state(pod: &Value) -> Value {
    json!({
        "name": pod["metadata"]["name"],
        "uid": pod["metadata"]["uid"],
        "revision": pod["metadata"]["labels"]["controller-revision-hash"],
        "image": pod["spec"]["containers"][0]["image"],
        "hostname": pod["spec"]["hostname"],
        "subdomain": pod["spec"]["subdomain"],
        "pod_index_label": pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
        "owner": owners(pod, true),
    })
}
