//! The state of one StatefulSet as read at one moment: the set, its pods, claims and revisions. Fetching is done by `crate::fetch`; this module only holds and indexes the data.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::Timestamp;

use super::set;

/// One StatefulSet and its pods, claims and revisions.
#[derive(Debug, Clone)]
pub struct SetSnapshot {
    pub set: k8s_openapi::api::apps::v1::StatefulSet,
    pub pods: Vec<Pod>,
    pub claims: Vec<PersistentVolumeClaim>,
    pub revisions: Vec<ControllerRevision>,
    /// When the snapshot was taken (ages are computed against it).
    pub taken_at: Timestamp,
}

impl SetSnapshot {
    /// The set's name.
    pub fn name(&self) -> &str {
        self.set.metadata.name.as_deref().unwrap_or_default()
    }

    /// The set's namespace.
    pub fn namespace(&self) -> &str {
        self.set.metadata.namespace.as_deref().unwrap_or_default()
    }

    /// The pod of an ordinal (controlled by this set or not, as long as the name matches).
    pub fn pod(&self, ordinal: i32) -> Option<&Pod> {
        let name = set::pod_name(&self.set, ordinal);
        self.pods
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(name.as_str()))
    }

    /// What judging `ordinal` needs, from this snapshot.
    #[cfg(test)]
    pub fn look(&self, ordinal: i32) -> Look<'_> {
        Look {
            set: &self.set,
            pod: self.pod(ordinal),
            claims: self,
            now: self.taken_at,
        }
    }

    /// The claim with this name.
    pub fn claim(&self, name: &str) -> Option<&PersistentVolumeClaim> {
        self.claims
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some(name))
    }
}

/// What judging one ordinal needs: the set, that ordinal's pod, which claims exist, and the
/// moment of judging. Built from a snapshot, or from a wait's caches without copying them.
pub struct Look<'a> {
    pub set: &'a StatefulSet,
    pub pod: Option<&'a Pod>,
    pub claims: &'a dyn Claims,
    pub now: Timestamp,
}

impl Look<'_> {
    /// Whether the claim `name` exists.
    pub fn has_claim(&self, name: &str) -> bool {
        self.claims.has_claim(name)
    }
}

/// Which claims exist.
pub trait Claims {
    fn has_claim(&self, name: &str) -> bool;
}

impl Claims for SetSnapshot {
    fn has_claim(&self, name: &str) -> bool {
        self.claim(name).is_some()
    }
}

/// Keeps only the pods whose name is `<set>-<ordinal>` (the selector may match others).
pub fn own_pods(set: &StatefulSet, pods: Vec<Pod>) -> Vec<Pod> {
    pods.into_iter()
        .filter(|p| set::ordinal_of_pod(set, p.metadata.name.as_deref().unwrap_or_default()).is_some())
        .collect()
}
