//! The state of one StatefulSet as read at one moment: the set, its pods, claims and revisions. Fetching is done by `crate::fetch`; this module only holds and indexes the data.

use std::collections::HashMap;
use std::sync::OnceLock;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::Timestamp;

use crate::model::set;
use crate::model::set::scope::Scope;

/// One StatefulSet and its pods, claims and revisions.
#[derive(Debug, Clone)]
pub struct SetSnapshot {
    pub set: k8s_openapi::api::apps::v1::StatefulSet,
    pub pods: Vec<Pod>,
    pub claims: Vec<PersistentVolumeClaim>,
    pub revisions: Vec<ControllerRevision>,
    /// When the snapshot was taken (ages are computed against it).
    pub taken_at: Timestamp,
    /// How the user reaches this set: the flags every next command printed about it carries
    /// (the set's namespace alone until the command says more, `with_scope`).
    pub scope: Scope,
    /// Where each ordinal's pod and each claim sit in the lists, found on the first lookup:
    /// judging every ordinal of a large set must not scan the lists once per ordinal.
    index: Index,
}

impl SetSnapshot {
    /// A snapshot of these objects, taken at `taken_at`.
    pub fn new(
        set: StatefulSet,
        pods: Vec<Pod>,
        claims: Vec<PersistentVolumeClaim>,
        revisions: Vec<ControllerRevision>,
        taken_at: Timestamp,
    ) -> SetSnapshot {
        let scope = Scope::namespace(set.metadata.namespace.as_deref().unwrap_or_default());
        SetSnapshot {
            scope,
            set,
            pods,
            claims,
            revisions,
            taken_at,
            index: Index::default(),
        }
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        self.set.metadata.name.as_deref().unwrap_or_default()
    }

    /// The same snapshot, reached with `scope`'s flags.
    pub fn with_scope(mut self, scope: Scope) -> SetSnapshot {
        self.scope = scope;
        self
    }

    /// `kubectl sts ARGS` with the flags that reach this set: a next command to print.
    pub fn sts(&self, args: &str) -> String {
        self.scope.sts(args)
    }

    /// The set's namespace.
    pub fn namespace(&self) -> &str {
        self.set.metadata.namespace.as_deref().unwrap_or_default()
    }

    /// The pod of an ordinal (controlled by this set or not, as long as the name matches).
    pub fn pod(&self, ordinal: i32) -> Option<&Pod> {
        let name = set::pod_name(&self.set, ordinal);
        let found = |p: &&Pod| p.metadata.name.as_deref() == Some(name.as_str());
        if let Some(positions) = self.positions() {
            match positions.pods.get(&ordinal).map(|&at| &self.pods[at]) {
                Some(pod) if found(&pod) => return Some(pod),
                None => return None,
                // Replaced in place by another pod since: searched below.
                Some(_) => {}
            }
        }
        self.pods.iter().find(found)
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
        match self.positions() {
            Some(positions) => positions.claims.get(name).map(|&at| &self.claims[at]),
            None => self
                .claims
                .iter()
                .find(|c| c.metadata.name.as_deref() == Some(name)),
        }
    }

    /// The positions, unless the lists changed since they were found (tests change a
    /// snapshot's lists in place; a changed snapshot is then searched the slow way).
    fn positions(&self) -> Option<&Positions> {
        let positions = self.index.0.get_or_init(|| Positions::of(self));
        (positions.lists == Lists::of(self)).then_some(positions)
    }
}

/// The lookup table of a snapshot, found once (a copy finds its own).
#[derive(Debug, Default)]
struct Index(OnceLock<Positions>);

impl Clone for Index {
    fn clone(&self) -> Self {
        Index::default()
    }
}

/// Each ordinal's pod (the first pod of that name) and each claim by name, by position.
#[derive(Debug)]
struct Positions {
    lists: Lists,
    pods: HashMap<i32, usize>,
    claims: HashMap<String, usize>,
}

/// Which lists the positions were found in: their addresses and lengths.
#[derive(Debug, PartialEq, Eq)]
struct Lists {
    pods: (usize, usize),
    claims: (usize, usize),
}

impl Lists {
    fn of(snap: &SetSnapshot) -> Lists {
        Lists {
            pods: (snap.pods.as_ptr() as usize, snap.pods.len()),
            claims: (snap.claims.as_ptr() as usize, snap.claims.len()),
        }
    }
}

impl Positions {
    fn of(snap: &SetSnapshot) -> Positions {
        let mut pods = HashMap::with_capacity(snap.pods.len());
        for (at, pod) in snap.pods.iter().enumerate() {
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            if let Some(ordinal) = set::ordinal_of_pod(&snap.set, name) {
                pods.entry(ordinal).or_insert(at);
            }
        }
        let mut claims = HashMap::with_capacity(snap.claims.len());
        for (at, claim) in snap.claims.iter().enumerate() {
            if let Some(name) = &claim.metadata.name {
                claims.entry(name.clone()).or_insert(at);
            }
        }
        Positions {
            lists: Lists::of(snap),
            pods,
            claims,
        }
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

#[cfg(test)]
mod tests {
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, claim, snapshot};

    #[test]
    fn lookups_find_each_ordinal_and_claim_and_nothing_else() {
        let pods = (0..50)
            .rev()
            .map(|o| PodBuilder::new("web", o, "web-r1").build())
            .collect();
        let claims = (0..50).map(|o| claim(&format!("www-web-{o}"), "Bound")).collect();
        let snap = snapshot(
            SetBuilder::new("web").replicas(50).build(),
            pods,
            claims,
            Vec::new(),
        );
        for ordinal in 0..50 {
            let pod = snap.pod(ordinal).expect("the ordinal's pod");
            assert_eq!(
                pod.metadata.name.as_deref(),
                Some(format!("web-{ordinal}").as_str())
            );
            assert!(snap.claim(&format!("www-web-{ordinal}")).is_some());
        }
        assert!(snap.pod(50).is_none());
        assert!(snap.claim("www-web-50").is_none());
    }

    #[test]
    fn pods_and_claims_added_after_a_lookup_are_found() {
        let pods = vec![PodBuilder::new("web", 0, "web-r1").build()];
        let mut snap = snapshot(SetBuilder::new("web").build(), pods, Vec::new(), Vec::new());
        assert!(snap.pod(1).is_none());
        snap.pods.push(PodBuilder::new("web", 1, "web-r1").build());
        snap.claims.push(claim("www-web-1", "Bound"));
        assert!(snap.pod(1).is_some());
        assert!(snap.claim("www-web-1").is_some());
        snap.pods = vec![PodBuilder::new("web", 2, "web-r1").build()];
        assert!(snap.pod(0).is_none());
        assert!(snap.pod(2).is_some());
    }

    #[test]
    fn a_copy_finds_its_own_objects() {
        let pods = vec![PodBuilder::new("web", 0, "web-r1").build()];
        let snap = snapshot(SetBuilder::new("web").build(), pods, Vec::new(), Vec::new());
        assert!(snap.pod(0).is_some());
        let mut copy = snap.clone();
        copy.pods[0] = PodBuilder::new("web", 1, "web-r1").build();
        assert!(copy.pod(0).is_none());
        assert!(copy.pod(1).is_some());
    }
}
