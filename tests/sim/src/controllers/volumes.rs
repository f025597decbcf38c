//! Storage: the PV controller and provisioner (claims bound `timings.pv_bind` after they
//! appear, to a new `pvc-<uid>` volume of their StorageClass or to a fitting Available volume),
//! reclaiming volumes of deleted claims, the resizer (PV first, then the claim after the node
//! finished), and the pvc-protection / pv-protection finalizers. Object shapes come from
//! `volume_objects.rs`.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::events::{self, Kind, Source};
use super::obj;
use super::runner::Reconciler;
use super::volume_objects as shapes;
use super::write;
use crate::config::SimConfig;
use crate::error::ApiError;
use crate::resources::{PODS, PVCS, PVS, STORAGE_CLASSES};
use crate::store::{DeleteOptions, EventKind, Part, Store, WatchEvent};

const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
const PV_PROTECTION: &str = "kubernetes.io/pv-protection";

/// A claim (namespace, name) or a volume (name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Claim(String, String),
    Volume(String),
}

/// PV binder, provisioner, resizer and protection controllers.
pub struct Volumes {
    delay: Duration,
    /// Claim uid → when it was first seen unbound.
    first_seen: HashMap<String, Instant>,
    /// Claim uid → the resize stage it is in and since when.
    resizing: HashMap<String, (shapes::ResizeStage, Instant)>,
    /// Claims whose missing storage class was reported (ProvisioningFailed), by uid.
    reported_missing_class: std::collections::HashSet<String>,
}

impl Volumes {
    pub fn new(config: &SimConfig) -> Self {
        Volumes {
            delay: config.timings.pv_bind,
            first_seen: HashMap::new(),
            resizing: HashMap::new(),
            reported_missing_class: std::collections::HashSet::new(),
        }
    }
}

fn claim_key(c: &Value) -> Key {
    Key::Claim(obj::namespace(c).to_string(), obj::name(c).to_string())
}

impl Reconciler for Volumes {
    type Key = Key;

    fn all_keys(&mut self, store: &Store) -> Vec<Key> {
        let (claims, _) = store.list(&PVCS, None, &|_| true);
        let (volumes, _) = store.list(&PVS, None, &|_| true);
        let claims = claims.iter().map(claim_key);
        claims
            .chain(volumes.iter().map(|v| Key::Volume(obj::name(v).to_string())))
            .collect()
    }

    fn keys_for(&mut self, store: &Store, event: &WatchEvent) -> Vec<Key> {
        let o = &event.object;
        match event.resource.plural {
            "persistentvolumeclaims" => {
                let mut keys = vec![claim_key(o)];
                if event.kind == EventKind::Deleted {
                    self.first_seen.remove(obj::uid(o));
                    self.resizing.remove(obj::uid(o));
                    keys.extend(volume_of_claim(store, o).map(Key::Volume));
                }
                keys
            }
            "persistentvolumes" => {
                let mut keys = vec![Key::Volume(event.name.clone())];
                if let Some(r) = obj::at(o, "/spec/claimRef") {
                    keys.push(Key::Claim(
                        obj::str_at(r, "/namespace").into(),
                        obj::str_at(r, "/name").into(),
                    ));
                }
                keys
            }
            "pods" => obj::pod_claim_names(o)
                .into_iter()
                .map(|c| Key::Claim(event.namespace.clone(), c.to_string()))
                .collect(),
            "storageclasses" => {
                let (pending, _) = store.list(&PVCS, None, &|c| obj::str_at(c, "/status/phase") != "Bound");
                pending.iter().map(claim_key).collect()
            }
            _ => Vec::new(),
        }
    }

    fn reconcile(&mut self, store: &Store, key: &Key) -> Option<Duration> {
        let result = match key {
            Key::Claim(ns, name) => match store.try_get(&PVCS, ns, name) {
                Some(claim) => self.sync_claim(store, &claim),
                None => Ok(None),
            },
            Key::Volume(name) => match store.try_get(&PVS, "", name) {
                Some(volume) => sync_volume(store, &volume).map(|()| None),
                None => Ok(None),
            },
        };
        result.unwrap_or(Some(Duration::from_millis(50)))
    }
}

/// The volume a deleted claim was bound to, by name or by the volume's claimRef.
fn volume_of_claim(store: &Store, claim: &Value) -> Option<String> {
    match obj::str_at(claim, "/spec/volumeName") {
        "" => {
            let uid = obj::uid(claim);
            let (volumes, _) = store.list(&PVS, None, &|v| obj::str_at(v, "/spec/claimRef/uid") == uid);
            volumes.first().map(|v| obj::name(v).to_string())
        }
        name => Some(name.to_string()),
    }
}

/// Pods on a node that mount the claim (`podUsesPVC`); with `running`, only Running ones.
fn claim_in_use(store: &Store, claim: &Value, running: bool) -> bool {
    let name = obj::name(claim);
    let (users, _) = store.list(&PODS, Some(obj::namespace(claim)), &|p| {
        !obj::str_at(p, "/spec/nodeName").is_empty()
            && obj::pod_claim_names(p).contains(&name)
            && (!running || obj::pod_phase(p) == "Running")
    });
    !users.is_empty()
}

impl Volumes {
    fn sync_claim(&mut self, store: &Store, claim: &Value) -> Result<Option<Duration>, ApiError> {
        if obj::is_deleting(claim) {
            if obj::has_finalizer(claim, PVC_PROTECTION) && !claim_in_use(store, claim, false) {
                write::drop_finalizer(store, &PVCS, claim, PVC_PROTECTION)?;
            }
            return Ok(None);
        }
        match obj::str_at(claim, "/status/phase") {
            "Bound" => self.resize(store, claim),
            "Lost" => Ok(None),
            _ => self.bind(store, claim),
        }
    }

    /// Binds a claim once `timings.pv_bind` has passed: a pre-bound volume, a provisioned one,
    /// or an Available one that fits.
    fn bind(&mut self, store: &Store, claim: &Value) -> Result<Option<Duration>, ApiError> {
        let now = Instant::now();
        let due = *self.first_seen.entry(obj::uid(claim).to_string()).or_insert(now) + self.delay;
        if now < due {
            return Ok(Some(due - now));
        }
        let class_name = obj::str_at(claim, "/spec/storageClassName");
        let class = (!class_name.is_empty())
            .then(|| store.try_get(&STORAGE_CLASSES, "", class_name))
            .flatten();
        let volume = match obj::str_at(claim, "/spec/volumeName") {
            "" => None,
            name => store.try_get(&PVS, "", name),
        }
        .or_else(|| find_available(store, claim, class_name));
        let provisioner = class
            .as_ref()
            .map(|c| obj::str_at(c, "/provisioner"))
            .unwrap_or("");
        let volume = match volume {
            Some(v) => v,
            None if !provisioner.is_empty() && provisioner != "kubernetes.io/no-provisioner" => {
                let class = class.as_ref().expect("a provisioner comes from a class");
                if shapes::waits_for_consumer(class) && !claim_used_by_any_pod(store, claim) {
                    return Ok(None);
                }
                store.create(&PVS, "", shapes::provisioned_volume(claim, class), false)?
            }
            None if class.is_none() && !class_name.is_empty() => {
                self.report_missing_class(store, claim, class_name);
                return Ok(None);
            }
            None => return Ok(None),
        };
        self.complete_binding(store, claim, &volume, provisioner)?;
        Ok(None)
    }

    /// A claim of a class that does not exist: the PV controller says so on the claim
    /// (`ProvisioningFailed`, worded as upstream) and binds it once the class appears.
    fn report_missing_class(&mut self, store: &Store, claim: &Value, class_name: &str) {
        if self.reported_missing_class.insert(obj::uid(claim).to_string()) {
            let message = format!("storageclass.storage.k8s.io \"{class_name}\" not found");
            events::record(
                store,
                &PVCS,
                claim,
                Source::PV_CONTROLLER,
                Kind::Warning,
                "ProvisioningFailed",
                &message,
            );
        }
    }

    fn complete_binding(
        &mut self,
        store: &Store,
        claim: &Value,
        volume: &Value,
        provisioner: &str,
    ) -> Result<(), ApiError> {
        let claim_ref = shapes::claim_ref(claim);
        let pv_name = obj::name(volume).to_string();
        store.modify(&PVS, "", &pv_name, Part::Internal, false, |v| {
            let bound_by_us = v["spec"].get("claimRef").is_none_or(Value::is_null);
            v["spec"]["claimRef"] = claim_ref.clone();
            if bound_by_us {
                v["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] = json!("yes");
            }
            v["status"] = json!({"phase": "Bound"});
            Ok(())
        })?;
        let uid = obj::uid(claim).to_string();
        let bound = write::same(store, &PVCS, claim, Part::Internal, |c| {
            shapes::bind_claim(c, volume, provisioner)
        })?;
        self.first_seen.remove(&uid);
        let message = format!("Successfully provisioned volume {pv_name}");
        if !provisioner.is_empty() {
            let source = Source {
                component: provisioner,
                host: None,
            };
            events::record(
                store,
                &PVCS,
                &bound,
                source,
                Kind::Normal,
                "ProvisioningSucceeded",
                &message,
            );
        }
        Ok(())
    }

    /// Expansion: claim status `Resizing`, then the volume grows, then (with a running pod on
    /// a node) the file system and the claim's capacity.
    fn resize(&mut self, store: &Store, claim: &Value) -> Result<Option<Duration>, ApiError> {
        use shapes::ResizeStage::*;
        let uid = obj::uid(claim).to_string();
        let Some(stage) = shapes::resize_stage(claim) else {
            self.resizing.remove(&uid);
            return Ok(None);
        };
        let now = Instant::now();
        let entry = self.resizing.entry(uid.clone()).or_insert((stage, now));
        if entry.0 != stage {
            *entry = (stage, now);
        }
        let due = entry.1 + self.delay;
        if stage == NodePending && !claim_in_use(store, claim, true) {
            return Ok(None);
        }
        if stage != Requested && now < due {
            return Ok(Some(due - now));
        }
        if stage == ControllerInProgress {
            let size = shapes::requested_size(claim).to_string();
            store.modify(
                &PVS,
                "",
                obj::str_at(claim, "/spec/volumeName"),
                Part::Internal,
                false,
                |v| {
                    v["spec"]["capacity"]["storage"] = json!(size);
                    Ok(())
                },
            )?;
        }
        let stamp = crate::store::now();
        write::same(store, &PVCS, claim, Part::Status, |c| {
            shapes::advance_resize(c, stage, &stamp)
        })?;
        Ok(Some(self.delay))
    }
}

/// Some pod (scheduled or not) mounts the claim: its first consumer exists.
fn claim_used_by_any_pod(store: &Store, claim: &Value) -> bool {
    let name = obj::name(claim);
    let (users, _) = store.list(&PODS, Some(obj::namespace(claim)), &|p| {
        obj::pod_claim_names(p).contains(&name)
    });
    !users.is_empty()
}

/// An Available volume of the claim's class, big enough, with the access modes asked for.
fn find_available(store: &Store, claim: &Value, class_name: &str) -> Option<Value> {
    let (volumes, _) = store.list(&PVS, None, &|v| shapes::volume_fits(v, claim, class_name));
    volumes.into_iter().min_by(|a, b| {
        shapes::capacity(a)
            .partial_cmp(&shapes::capacity(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    })
}

/// A volume whose claim is gone is Released, and deleted with reclaim policy Delete; a
/// deleted volume loses pv-protection once it is not Bound.
fn sync_volume(store: &Store, volume: &Value) -> Result<(), ApiError> {
    let name = obj::name(volume).to_string();
    let phase = obj::str_at(volume, "/status/phase");
    if obj::is_deleting(volume) {
        if obj::has_finalizer(volume, PV_PROTECTION) && phase != "Bound" {
            write::drop_finalizer(store, &PVS, volume, PV_PROTECTION)?;
        }
        return Ok(());
    }
    let claim_uid = obj::str_at(volume, "/spec/claimRef/uid");
    if claim_uid.is_empty() || phase == "Failed" {
        return Ok(());
    }
    let claim = store.try_get(
        &PVCS,
        obj::str_at(volume, "/spec/claimRef/namespace"),
        obj::str_at(volume, "/spec/claimRef/name"),
    );
    if claim.is_some_and(|c| obj::uid(&c) == claim_uid) {
        return Ok(());
    }
    if phase != "Released" {
        store.modify(&PVS, "", &name, Part::Status, false, |v| {
            v["status"] = json!({"phase": "Released"});
            Ok(())
        })?;
    }
    if obj::str_at(volume, "/spec/persistentVolumeReclaimPolicy") == "Delete" {
        store.delete(&PVS, "", &name, &DeleteOptions::default())?;
    }
    Ok(())
}
