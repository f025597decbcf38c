//! Storage: the default StorageClass (expandable, Immediate binding), a provisioner that makes a
//! PersistentVolume for each pending claim of an existing class (whatever its provisioner) (the controller manager's volume
//! binder then binds the two), deletes released volumes with reclaim policy Delete, and a
//! resizer in the simulator's stages (`volume_objects::advance_resize`): `Resizing`, the volume
//! grown with `FileSystemResizePending`, then the claim's capacity once a running pod on a live
//! node mounts it (the node grows the file system).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use futures::StreamExt;
use std::collections::HashSet;

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::reflector::Store;
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Api, Resource};
use serde_json::{Value, json};
use sts_sim::controllers::events::{self, Kind, Source};
use sts_sim::controllers::obj;
use sts_sim::controllers::volume_objects::{ResizeStage, advance_resize, resize_stage};
use tokio::time::Instant;

use crate::{PROVISIONER, STORAGE_CLASS, Shared};

const TICK: Duration = Duration::from_millis(50);
const RETRY: Duration = Duration::from_secs(2);

/// Creates the default storage class (kept if it exists).
pub async fn storage_class(shared: &Shared) -> Result<()> {
    let class: StorageClass = serde_json::from_value(json!({
        "metadata": {"name": STORAGE_CLASS,
                     "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": PROVISIONER, "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate", "allowVolumeExpansion": true,
    }))?;
    let api: Api<StorageClass> = Api::all(shared.client.clone());
    match api.create(&PostParams::default(), &class).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A watch cache of every object of kind K.
fn cache<K>(client: &kube::Client) -> Store<K>
where
    K: Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (reader, writer) = reflector::store::<K>();
    let stream = reflector(
        writer,
        watcher(Api::<K>::all(client.clone()), watcher::Config::default()).default_backoff(),
    );
    tokio::spawn(stream.for_each(|_| futures::future::ready(())));
    reader
}

/// Provisioner, reclaimer and resizer, looking at claims and volumes every tick.
pub async fn run(shared: Arc<Shared>) {
    let claims = cache::<PersistentVolumeClaim>(&shared.client);
    let volumes = cache::<PersistentVolume>(&shared.client);
    let pods = cache::<Pod>(&shared.client);
    let classes = cache::<StorageClass>(&shared.client);
    // What was acted on (claim or volume uid), at which resourceVersion, and when.
    let mut done: HashMap<String, (String, Instant)> = HashMap::new();
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        done.retain(|_, (_, at)| at.elapsed() < RETRY);
        let mounted = mounted_claims(&shared, &pods);
        for claim in claims
            .state()
            .iter()
            .filter_map(|c| serde_json::to_value(&**c).ok())
        {
            let version = obj::str_at(&claim, "/metadata/resourceVersion").to_string();
            let acted = done.get(obj::uid(&claim)).is_some_and(|(v, _)| *v == version);
            let class = obj::str_at(&claim, "/spec/storageClassName");
            let known = classes
                .state()
                .iter()
                .any(|c| c.metadata.name.as_deref() == Some(class));
            if acted || !known {
                continue;
            }
            let key = (obj::namespace(&claim).to_string(), obj::name(&claim).to_string());
            if let Some(action) = claim_action(&claim, mounted.contains(&key)) {
                done.insert(obj::uid(&claim).to_string(), (version, Instant::now()));
                tokio::spawn(action.apply(shared.client.clone(), claim));
            }
        }
        for volume in volumes
            .state()
            .iter()
            .filter_map(|v| serde_json::to_value(&**v).ok())
        {
            if !done.contains_key(obj::uid(&volume)) && released_for_deletion(&volume) {
                done.insert(obj::uid(&volume).to_string(), (String::new(), Instant::now()));
                tokio::spawn(delete_volume(
                    shared.client.clone(),
                    obj::name(&volume).to_string(),
                ));
            }
        }
    }
}

/// Claims (namespace, name) mounted by a running pod on a live node of the stand-in.
fn mounted_claims(shared: &Shared, pods: &Store<Pod>) -> HashSet<(String, String)> {
    let mut mounted = HashSet::new();
    for pod in pods
        .state()
        .iter()
        .filter_map(|p| serde_json::to_value(&**p).ok())
    {
        let node = obj::str_at(&pod, "/spec/nodeName");
        if node.is_empty() || !shared.serves(node) || obj::pod_phase(&pod) != "Running" {
            continue;
        }
        for claim in obj::pod_claim_names(&pod) {
            mounted.insert((obj::namespace(&pod).to_string(), claim.to_string()));
        }
    }
    mounted
}

/// What a claim of the class needs.
enum ClaimAction {
    Provision,
    Resize(ResizeStage),
}

fn claim_action(claim: &Value, in_use: bool) -> Option<ClaimAction> {
    match obj::str_at(claim, "/status/phase") {
        "Pending" if obj::str_at(claim, "/spec/volumeName").is_empty() && !obj::is_deleting(claim) => {
            Some(ClaimAction::Provision)
        }
        "Bound" => match resize_stage(claim)? {
            ResizeStage::NodePending if !in_use => None,
            stage => Some(ClaimAction::Resize(stage)),
        },
        _ => None,
    }
}

impl ClaimAction {
    async fn apply(self, client: kube::Client, claim: Value) {
        let result = match self {
            ClaimAction::Provision => provision(&client, &claim).await,
            ClaimAction::Resize(stage) => resize(&client, claim.clone(), stage).await,
        };
        if let Err(e) = result {
            eprintln!("node-standin: claim {}: {e}", obj::name(&claim));
        }
    }
}

/// A volume for the claim, pre-bound to it.
async fn provision(client: &kube::Client, claim: &Value) -> Result<()> {
    let name = format!("pvc-{}", obj::uid(claim));
    let volume: PersistentVolume = serde_json::from_value(json!({
        "metadata": {"name": name, "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
        "spec": {
            "capacity": {"storage": obj::str_at(claim, "/spec/resources/requests/storage")},
            "accessModes": claim["spec"]["accessModes"],
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": obj::str_at(claim, "/spec/storageClassName"),
            "volumeMode": "Filesystem",
            "hostPath": {"path": format!("/tmp/standin-volumes/{name}")},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                         "namespace": obj::namespace(claim), "name": obj::name(claim), "uid": obj::uid(claim)},
        },
    }))?;
    let volumes = Api::<PersistentVolume>::all(client.clone());
    match volumes.create(&PostParams::default(), &volume).await {
        Ok(_) => provisioned_event(client, claim, &name).await,
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The provisioner's event on the claim, as the simulator's provisioner words it.
async fn provisioned_event(client: &kube::Client, claim: &Value, volume: &str) -> Result<()> {
    let source = Source {
        component: PROVISIONER,
        host: None,
    };
    let message = format!("Successfully provisioned volume {volume}");
    let reason = "ProvisioningSucceeded";
    let event = events::event(
        &sts_sim::resources::PVCS,
        claim,
        source,
        Kind::Normal,
        reason,
        &message,
    );
    let api: Api<Event> = Api::namespaced(client.clone(), obj::namespace(claim));
    api.create(&PostParams::default(), &serde_json::from_value(event)?)
        .await?;
    Ok(())
}

/// One resize stage: the volume grows when the resizer's stage is done, and the claim's status
/// moves on (on condition of its resourceVersion).
async fn resize(client: &kube::Client, mut claim: Value, stage: ResizeStage) -> Result<()> {
    if stage == ResizeStage::ControllerInProgress {
        let size = obj::str_at(&claim, "/spec/resources/requests/storage");
        let grow = json!({"spec": {"capacity": {"storage": size}}});
        let volumes = Api::<PersistentVolume>::all(client.clone());
        volumes
            .patch(
                obj::str_at(&claim, "/spec/volumeName"),
                &PatchParams::default(),
                &Patch::Merge(&grow),
            )
            .await?;
    }
    advance_resize(&mut claim, stage, &sts_sim::store::now());
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), obj::namespace(&claim));
    let name = obj::name(&claim).to_string();
    claims
        .replace_status(&name, &PostParams::default(), &serde_json::from_value(claim)?)
        .await?;
    Ok(())
}

fn released_for_deletion(volume: &Value) -> bool {
    obj::str_at(volume, "/status/phase") == "Released"
        && obj::str_at(volume, "/spec/persistentVolumeReclaimPolicy") == "Delete"
        && obj::str_at(volume, "/metadata/annotations/pv.kubernetes.io~1provisioned-by") == PROVISIONER
}

async fn delete_volume(client: kube::Client, name: String) {
    let _ = Api::<PersistentVolume>::all(client)
        .delete(&name, &DeleteParams::default())
        .await;
}
