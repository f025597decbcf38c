//! Storage: the default StorageClass (expandable, Immediate binding), a provisioner that makes a
//! PersistentVolume for each pending claim of that class (the controller manager's volume
//! binder then binds the two), deletes released volumes with reclaim policy Delete, and a
//! resizer that grows a bound claim's volume and capacity to what the claim requests.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use futures::StreamExt;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::reflector::Store;
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Api, Resource};
use serde_json::{Value, json};
use sts_sim::controllers::obj;
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
    let mut done: HashMap<String, Instant> = HashMap::new();
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        done.retain(|_, at| at.elapsed() < RETRY);
        for claim in claims
            .state()
            .iter()
            .filter_map(|c| serde_json::to_value(&**c).ok())
        {
            let key = format!("claim/{}", obj::uid(&claim));
            if done.contains_key(&key) || obj::str_at(&claim, "/spec/storageClassName") != STORAGE_CLASS {
                continue;
            }
            if let Some(action) = claim_action(&claim) {
                done.insert(key, Instant::now());
                tokio::spawn(action.apply(shared.client.clone(), claim));
            }
        }
        for volume in volumes
            .state()
            .iter()
            .filter_map(|v| serde_json::to_value(&**v).ok())
        {
            let key = format!("volume/{}", obj::uid(&volume));
            if !done.contains_key(&key) && released_for_deletion(&volume) {
                done.insert(key, Instant::now());
                tokio::spawn(delete_volume(
                    shared.client.clone(),
                    obj::name(&volume).to_string(),
                ));
            }
        }
    }
}

/// What a claim of the class needs.
enum ClaimAction {
    Provision,
    Resize(String),
}

fn claim_action(claim: &Value) -> Option<ClaimAction> {
    let wanted = obj::str_at(claim, "/spec/resources/requests/storage");
    match obj::str_at(claim, "/status/phase") {
        "Pending" if obj::str_at(claim, "/spec/volumeName").is_empty() && !obj::is_deleting(claim) => {
            Some(ClaimAction::Provision)
        }
        "Bound" => {
            let has = obj::quantity(obj::str_at(claim, "/status/capacity/storage"))?;
            (obj::quantity(wanted)? > has).then(|| ClaimAction::Resize(wanted.to_string()))
        }
        _ => None,
    }
}

impl ClaimAction {
    async fn apply(self, client: kube::Client, claim: Value) {
        let result = match self {
            ClaimAction::Provision => provision(&client, &claim).await,
            ClaimAction::Resize(size) => resize(&client, &claim, &size).await,
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
            "storageClassName": STORAGE_CLASS,
            "volumeMode": "Filesystem",
            "hostPath": {"path": format!("/tmp/standin-volumes/{name}")},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                         "namespace": obj::namespace(claim), "name": obj::name(claim), "uid": obj::uid(claim)},
        },
    }))?;
    match Api::<PersistentVolume>::all(client.clone())
        .create(&PostParams::default(), &volume)
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Grows the claim's volume, then reports the new capacity on the claim.
async fn resize(client: &kube::Client, claim: &Value, size: &str) -> Result<()> {
    let volume = obj::str_at(claim, "/spec/volumeName");
    let grow = json!({"spec": {"capacity": {"storage": size}}});
    Api::<PersistentVolume>::all(client.clone())
        .patch(volume, &PatchParams::default(), &Patch::Merge(&grow))
        .await?;
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), obj::namespace(claim));
    let status = json!({"status": {"capacity": {"storage": size}, "allocatedResources": {"storage": size}}});
    claims
        .patch_status(obj::name(claim), &PatchParams::default(), &Patch::Merge(&status))
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
