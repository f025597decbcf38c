//! The shapes the storage controllers write: provisioned PersistentVolumes, claim references,
//! bound claims (`traces/objects/pvc.json`), whether a volume fits a claim, and the stages of a
//! claim expansion with their status fields. Pure.

use serde_json::{Value, json};

use super::obj;

/// A StorageClass with `volumeBindingMode: WaitForFirstConsumer`.
pub fn waits_for_consumer(class: &Value) -> bool {
    obj::str_at(class, "/volumeBindingMode") == "WaitForFirstConsumer"
}

/// `spec.claimRef` pointing at a claim.
pub fn claim_ref(claim: &Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "name": obj::name(claim),
        "namespace": obj::namespace(claim),
        "resourceVersion": obj::str_at(claim, "/metadata/resourceVersion"),
        "uid": obj::uid(claim),
    })
}

/// The size a claim asks for.
pub fn requested_size(claim: &Value) -> &str {
    obj::str_at(claim, "/spec/resources/requests/storage")
}

/// The volume a provisioner makes for a claim: `pvc-<claim uid>`, the claim's size and access
/// modes, the class's reclaim policy.
pub fn provisioned_volume(claim: &Value, class: &Value) -> Value {
    let name = format!("pvc-{}", obj::uid(claim));
    let reclaim = match obj::str_at(class, "/reclaimPolicy") {
        "" => "Delete",
        policy => policy,
    };
    let mode = match obj::str_at(claim, "/spec/volumeMode") {
        "" => "Filesystem",
        m => m,
    };
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": name,
            "annotations": {"pv.kubernetes.io/provisioned-by": obj::str_at(class, "/provisioner")},
        },
        "spec": {
            "accessModes": obj::at(claim, "/spec/accessModes").cloned().unwrap_or_else(|| json!(["ReadWriteOnce"])),
            "capacity": {"storage": requested_size(claim)},
            "claimRef": claim_ref(claim),
            "hostPath": {"path": format!("/var/lib/sts-sim/volumes/{name}"), "type": ""},
            "persistentVolumeReclaimPolicy": reclaim,
            "storageClassName": obj::name(class),
            "volumeMode": mode,
        },
    })
}

/// Marks a claim bound to `volume` (spec, annotations, status).
pub fn bind_claim(claim: &mut Value, volume: &Value, provisioner: &str) {
    claim["spec"]["volumeName"] = json!(obj::name(volume));
    if !claim["metadata"]["annotations"].is_object() {
        claim["metadata"]["annotations"] = json!({});
    }
    let annotations = &mut claim["metadata"]["annotations"];
    annotations["pv.kubernetes.io/bind-completed"] = json!("yes");
    annotations["pv.kubernetes.io/bound-by-controller"] = json!("yes");
    if !provisioner.is_empty() {
        annotations["volume.beta.kubernetes.io/storage-provisioner"] = json!(provisioner);
        annotations["volume.kubernetes.io/storage-provisioner"] = json!(provisioner);
    }
    claim["status"] = json!({
        "phase": "Bound",
        "accessModes": obj::at(volume, "/spec/accessModes").cloned().unwrap_or_else(|| json!([])),
        "capacity": obj::at(volume, "/spec/capacity").cloned().unwrap_or_else(|| json!({})),
    });
}

/// A volume's capacity in bytes.
pub fn capacity(volume: &Value) -> f64 {
    obj::quantity(obj::str_at(volume, "/spec/capacity/storage")).unwrap_or(0.0)
}

/// An Available, unclaimed (or pre-bound to this claim) volume of the class, at least as big
/// as the request, offering every access mode asked for.
pub fn volume_fits(volume: &Value, claim: &Value, class_name: &str) -> bool {
    let reserved_for = obj::str_at(volume, "/spec/claimRef/name");
    let free = reserved_for.is_empty()
        || (reserved_for == obj::name(claim)
            && obj::str_at(volume, "/spec/claimRef/namespace") == obj::namespace(claim));
    let modes = |o: &Value| -> Vec<String> {
        obj::at(o, "/spec/accessModes")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default()
    };
    let offered = modes(volume);
    free && !obj::is_deleting(volume)
        && obj::str_at(volume, "/status/phase") == "Available"
        && obj::str_at(volume, "/spec/storageClassName") == class_name
        && capacity(volume) >= obj::quantity(requested_size(claim)).unwrap_or(0.0)
        && modes(claim).iter().all(|m| offered.contains(m))
}

/// Where a claim expansion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResizeStage {
    /// The request exceeds the capacity; nothing started yet.
    Requested,
    /// The resizer is growing the volume (`Resizing`).
    ControllerInProgress,
    /// The volume grew; the node must grow the file system (`FileSystemResizePending`).
    NodePending,
}

/// The stage of a bound claim's expansion, if one is due or in progress.
pub fn resize_stage(claim: &Value) -> Option<ResizeStage> {
    match obj::str_at(claim, "/status/allocatedResourceStatuses/storage") {
        "ControllerResizeInProgress" => return Some(ResizeStage::ControllerInProgress),
        "NodeResizePending" => return Some(ResizeStage::NodePending),
        _ => {}
    }
    let requested = obj::quantity(requested_size(claim))?;
    let capacity = obj::quantity(obj::str_at(claim, "/status/capacity/storage"))?;
    (requested > capacity).then_some(ResizeStage::Requested)
}

fn set_condition(status: &mut Value, kind: &str, message: Option<&str>, now: &str) {
    let mut condition =
        json!({"type": kind, "status": "True", "lastProbeTime": null, "lastTransitionTime": now});
    if let Some(m) = message {
        condition["message"] = json!(m);
    }
    status["conditions"] = json!([condition]);
}

/// The claim status after `stage` is done.
pub fn advance_resize(claim: &mut Value, stage: ResizeStage, now: &str) {
    let size = requested_size(claim).to_string();
    let status = &mut claim["status"];
    match stage {
        ResizeStage::Requested => {
            status["allocatedResources"] = json!({"storage": size});
            status["allocatedResourceStatuses"] = json!({"storage": "ControllerResizeInProgress"});
            set_condition(status, "Resizing", None, now);
        }
        ResizeStage::ControllerInProgress => {
            status["allocatedResourceStatuses"] = json!({"storage": "NodeResizePending"});
            let message =
                "Waiting for user to (re-)start a pod to finish file system resize of volume on node.";
            set_condition(status, "FileSystemResizePending", Some(message), now);
        }
        ResizeStage::NodePending => {
            let allocated = obj::at(status, "/allocatedResources/storage")
                .cloned()
                .unwrap_or(json!(size));
            status["capacity"]["storage"] = allocated;
            if let Some(s) = status.as_object_mut() {
                s.remove("allocatedResourceStatuses");
                s.remove("conditions");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(request: &str) -> Value {
        json!({"metadata": {"name": "www-web-0", "namespace": "ns", "uid": "c1", "resourceVersion": "5"},
               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": request}}}})
    }

    #[test]
    fn provisioned_volumes_follow_claim_and_class() {
        let class = json!({"metadata": {"name": "standard"}, "provisioner": "lab/hostpath"});
        let pv = provisioned_volume(&claim("1Gi"), &class);
        assert_eq!(obj::name(&pv), "pvc-c1");
        assert_eq!(pv["spec"]["capacity"]["storage"], "1Gi");
        assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Delete");
        assert_eq!(pv["spec"]["claimRef"]["uid"], "c1");
        let mut c = claim("1Gi");
        bind_claim(&mut c, &pv, "lab/hostpath");
        assert_eq!(c["status"]["phase"], "Bound");
        assert_eq!(c["spec"]["volumeName"], "pvc-c1");
        assert_eq!(
            c["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"],
            "yes"
        );
    }

    #[test]
    fn available_volumes_must_fit() {
        let pv = |size: &str, class: &str| {
            json!({"spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce", "ReadWriteMany"],
                "storageClassName": class}, "status": {"phase": "Available"}})
        };
        assert!(volume_fits(&pv("10Gi", ""), &claim("1Gi"), ""));
        assert!(!volume_fits(&pv("512Mi", ""), &claim("1Gi"), ""));
        assert!(!volume_fits(&pv("10Gi", "fast"), &claim("1Gi"), ""));
    }

    #[test]
    fn expansion_goes_through_its_stages() {
        let mut c = claim("2Gi");
        c["status"] = json!({"phase": "Bound", "capacity": {"storage": "1Gi"}});
        assert_eq!(resize_stage(&c), Some(ResizeStage::Requested));
        advance_resize(&mut c, ResizeStage::Requested, "t");
        assert_eq!(c["status"]["conditions"][0]["type"], "Resizing");
        assert_eq!(resize_stage(&c), Some(ResizeStage::ControllerInProgress));
        advance_resize(&mut c, ResizeStage::ControllerInProgress, "t");
        assert_eq!(c["status"]["conditions"][0]["type"], "FileSystemResizePending");
        assert_eq!(resize_stage(&c), Some(ResizeStage::NodePending));
        advance_resize(&mut c, ResizeStage::NodePending, "t");
        assert_eq!(c["status"]["capacity"]["storage"], "2Gi");
        assert!(c["status"].get("conditions").is_none());
        assert_eq!(resize_stage(&c), None);
    }
}
