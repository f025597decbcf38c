//! `persistentVolumeClaimRetentionPolicy`: which owner references a claim must carry
//! (`isClaimOwnerUpToDate`, `updateClaimOwnerRefForSetAndPod`, `PodClaimIsStale`). Pure.

use serde_json::Value;

use super::spec::{SetSpec, ordinal_of};
use crate::controllers::obj::{self, OwnerRef};
use crate::resources::{self, Resource};

/// Who the claim's owner references are compared with: the set and one of its pods.
pub struct Owners<'a> {
    pub set: &'a Value,
    pub pod: &'a Value,
}

fn matches_ref(r: &OwnerRef, res: &Resource, owner: &Value) -> bool {
    r.api_version == res.api_version() && r.kind == res.kind && r.name == obj::name(owner)
}

fn has_owner_ref(claim: &Value, owner: &Value) -> bool {
    obj::owner_refs(claim).iter().any(|r| r.uid == obj::uid(owner))
}

/// A reference to the object by name and kind, but with another uid.
fn has_stale_owner_ref(claim: &Value, res: &Resource, owner: &Value) -> bool {
    obj::owner_refs(claim)
        .iter()
        .find(|r| matches_ref(r, res, owner))
        .is_some_and(|r| r.uid != obj::uid(owner))
}

fn has_unexpected_controller(claim: &Value, spec: &SetSpec, o: &Owners) -> bool {
    if !spec.retention.when_deleted && !spec.retention.when_scaled {
        return false;
    }
    obj::owner_refs(claim).iter().any(|r| {
        if matches_ref(r, &resources::STATEFULSETS, o.set) {
            r.uid != obj::uid(o.set)
        } else if matches_ref(r, &resources::PODS, o.pod) {
            r.uid != obj::uid(o.pod)
        } else {
            r.controller
        }
    })
}

fn has_non_controller_owner(claim: &Value, o: &Owners) -> bool {
    obj::owner_refs(claim)
        .iter()
        .any(|r| (r.uid == obj::uid(o.set) || r.uid == obj::uid(o.pod)) && !r.controller)
}

/// Which owners the policy wants on the claim of a pod: (set, pod).
fn wanted(spec: &SetSpec, pod: &Value) -> (bool, bool) {
    let scaled_down = !spec.in_range(ordinal_of(pod));
    match (spec.retention.when_scaled, spec.retention.when_deleted) {
        (false, false) => (false, false),
        (false, true) => (true, false),
        (true, false) => (false, scaled_down),
        (true, true) => (!scaled_down, scaled_down),
    }
}

/// The claim's owner references agree with the policy (or must not be touched).
pub fn claim_up_to_date(claim: &Value, spec: &SetSpec, o: &Owners) -> bool {
    if has_stale_owner_ref(claim, &resources::STATEFULSETS, o.set)
        || has_stale_owner_ref(claim, &resources::PODS, o.pod)
    {
        return true;
    }
    if has_unexpected_controller(claim, spec, o) {
        return !(has_owner_ref(claim, o.set) || has_owner_ref(claim, o.pod));
    }
    if has_non_controller_owner(claim, o) {
        return false;
    }
    let (want_set, want_pod) = wanted(spec, o.pod);
    has_owner_ref(claim, o.set) == want_set && has_owner_ref(claim, o.pod) == want_pod
}

/// The claim with its owner references set as the policy wants.
pub fn claim_with_owners(claim: &Value, spec: &SetSpec, o: &Owners) -> Value {
    let unexpected = has_unexpected_controller(claim, spec, o);
    let mut claim = claim.clone();
    let ours: Vec<String> = obj::owner_refs(&claim)
        .into_iter()
        .filter(|r| {
            matches_ref(r, &resources::STATEFULSETS, o.set) || matches_ref(r, &resources::PODS, o.pod)
        })
        .map(|r| r.uid)
        .collect();
    for uid in ours {
        obj::remove_owner_refs(&mut claim, &uid);
    }
    if unexpected {
        return claim;
    }
    let (want_set, want_pod) = wanted(spec, o.pod);
    if want_pod {
        obj::push_owner_ref(&mut claim, obj::new_controller_ref(&resources::PODS, o.pod));
    }
    if want_set {
        obj::push_owner_ref(
            &mut claim,
            obj::new_controller_ref(&resources::STATEFULSETS, o.set),
        );
    }
    claim
}

/// A claim still owned by an earlier pod of the same name (about to be garbage collected):
/// the pod must not be created on it yet (`PodClaimIsStale`).
pub fn claim_is_stale(claim: &Value, spec: &SetSpec, pod: &Value) -> bool {
    spec.retention.when_scaled && has_stale_owner_ref(claim, &resources::PODS, pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(when_scaled: &str, when_deleted: &str, replicas: i64) -> Value {
        json!({"metadata": {"name": "web", "uid": "s1"}, "spec": {"replicas": replicas,
            "persistentVolumeClaimRetentionPolicy": {"whenScaled": when_scaled, "whenDeleted": when_deleted}}})
    }

    fn owners(claim: &Value) -> Vec<(String, bool)> {
        obj::owner_refs(claim)
            .into_iter()
            .map(|r| (r.kind, r.controller))
            .collect()
    }

    #[test]
    fn delete_delete_moves_the_claim_from_set_to_pod_on_scale_down() {
        let pod = json!({"metadata": {"name": "web-2", "uid": "p2"}});
        let claim = json!({"metadata": {"name": "www-web-2"}});
        let s = set("Delete", "Delete", 3);
        let spec = SetSpec::from_object(&s);
        let o = Owners { set: &s, pod: &pod };
        assert!(!claim_up_to_date(&claim, &spec, &o));
        let owned = claim_with_owners(&claim, &spec, &o);
        assert_eq!(owners(&owned), vec![("StatefulSet".to_string(), true)]);
        assert!(claim_up_to_date(&owned, &spec, &o));
        let s1 = set("Delete", "Delete", 1);
        let spec1 = SetSpec::from_object(&s1);
        let o1 = Owners { set: &s1, pod: &pod };
        assert!(!claim_up_to_date(&owned, &spec1, &o1));
        assert_eq!(
            owners(&claim_with_owners(&owned, &spec1, &o1)),
            vec![("Pod".to_string(), true)]
        );
    }

    #[test]
    fn retain_retain_leaves_no_owner_and_stale_claims_are_left_alone() {
        let pod = json!({"metadata": {"name": "web-0", "uid": "p0"}});
        let s = set("Retain", "Retain", 3);
        let spec = SetSpec::from_object(&s);
        let o = Owners { set: &s, pod: &pod };
        let claim = json!({"metadata": {"ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "s1", "controller": true}]}});
        assert!(!claim_up_to_date(&claim, &spec, &o));
        assert!(owners(&claim_with_owners(&claim, &spec, &o)).is_empty());
        let stale = json!({"metadata": {"ownerReferences": [
            {"apiVersion": "v1", "kind": "Pod", "name": "web-0", "uid": "old", "controller": true}]}});
        assert!(claim_up_to_date(&stale, &spec, &o));
        let scaled = SetSpec::from_object(&set("Delete", "Retain", 3));
        let unborn = json!({"metadata": {"name": "web-0"}});
        assert!(claim_is_stale(&stale, &scaled, &unborn));
        assert!(!claim_is_stale(&stale, &spec, &unborn));
    }
}
