//! The `list` rows: one summary per StatefulSet, judged from the set object alone (no pods),
//! so listing costs one request whatever the number of replicas.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;

use crate::model::flow::record;
use crate::model::set::{self, Strategy};

/// One set in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetSummary {
    pub namespace: String,
    pub name: String,
    pub desired: i32,
    pub ready: i32,
    /// Pods that exist.
    pub existing: i32,
    /// Pods on the update revision.
    pub updated: i32,
    pub strategy: Strategy,
    pub partition: Option<i32>,
    /// What is in flight, if anything: a recorded step (`rollout: step 2/4 baking`), else
    /// `rolling`, `staged`, `ondelete-outdated`, `pending`.
    pub rollout: Option<String>,
    pub created: Option<String>,
    pub age_seconds: Option<i64>,
}

/// A name with no set but pods running without one, or a step in flight recorded beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrphanedName {
    pub namespace: String,
    pub name: String,
}

/// The `list` document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetList {
    pub kind: &'static str,
    pub version: &'static str,
    pub items: Vec<SetSummary>,
    /// Names whose set is gone but which left pods or a record (`kubectl sts status NAME`).
    pub orphaned: Vec<OrphanedName>,
}

/// The orphaned names of each namespace among `pods` and `maps` (record ConfigMaps).
pub fn orphaned_names(
    list: &SetList,
    pods: &[k8s_openapi::api::core::v1::Pod],
    maps: &[k8s_openapi::api::core::v1::ConfigMap],
) -> Vec<OrphanedName> {
    let mut namespaces: Vec<&str> = pods
        .iter()
        .filter_map(|p| p.metadata.namespace.as_deref())
        .chain(maps.iter().filter_map(|m| m.metadata.namespace.as_deref()))
        .collect();
    namespaces.sort();
    namespaces.dedup();
    let in_ns = |ns: &str, of: Option<&String>| of.map(String::as_str) == Some(ns);
    namespaces
        .into_iter()
        .flat_map(|ns| {
            let pods: Vec<_> = pods
                .iter()
                .filter(|p| in_ns(ns, p.metadata.namespace.as_ref()))
                .cloned()
                .collect();
            let maps: Vec<_> = maps
                .iter()
                .filter(|m| in_ns(ns, m.metadata.namespace.as_ref()))
                .cloned()
                .collect();
            let sets: Vec<String> = list
                .items
                .iter()
                .filter(|i| i.namespace == ns)
                .map(|i| i.name.clone())
                .collect();
            crate::model::diagnosis::orphans::orphaned_names(&pods, &maps, &sets)
                .into_iter()
                .map(move |name| OrphanedName {
                    namespace: ns.to_string(),
                    name,
                })
        })
        .collect()
}

/// Summarizes sets, ordered by namespace and name.
pub fn summarize_sets(sets: &[StatefulSet], now: Timestamp) -> SetList {
    let mut items: Vec<SetSummary> = sets.iter().map(|s| summarize(s, now)).collect();
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    SetList {
        kind: "StatefulSetList",
        version: "v1",
        items,
        orphaned: Vec::new(),
    }
}

fn summarize(sts: &StatefulSet, now: Timestamp) -> SetSummary {
    let status = sts.status.as_ref();
    let created = sts.metadata.creation_timestamp.as_ref().map(|t| t.0);
    SetSummary {
        namespace: sts.metadata.namespace.clone().unwrap_or_default(),
        name: set::name(sts).to_string(),
        desired: set::desired_replicas(sts),
        ready: status.and_then(|s| s.ready_replicas).unwrap_or(0),
        existing: status.map_or(0, |s| s.replicas),
        updated: status.and_then(|s| s.updated_replicas).unwrap_or(0),
        strategy: set::strategy(sts),
        partition: set::partition(sts),
        rollout: rollout_in_flight(sts),
        created: created.map(|t| t.to_string()),
        age_seconds: created.map(|t| (now - t).get_seconds().max(0)),
    }
}

/// What is in flight: a step a guided command recorded on the set (`rollout: step 2/4
/// baking`), else the kind of update, judged from the set's status.
fn rollout_in_flight(sts: &StatefulSet) -> Option<String> {
    if let Some(record) = record::on_set(sts) {
        let command = record.command.split_whitespace().nth(2).unwrap_or("kubectl-sts");
        return Some(format!("{command}: step {}", record.step));
    }
    if set::status_is_stale(sts) {
        return Some("pending".into());
    }
    let status = sts.status.as_ref()?;
    let updated = status.updated_replicas.unwrap_or(0);
    let desired = set::desired_replicas(sts);
    match set::strategy(sts) {
        Strategy::OnDelete => (updated < desired).then(|| "ondelete-outdated".into()),
        Strategy::RollingUpdate => {
            if set::update_revision(sts) == set::current_revision(sts) {
                return None;
            }
            let partition = set::partition(sts).unwrap_or(0);
            let staged = partition > 0 && updated >= desired - partition;
            Some(if staged { "staged" } else { "rolling" }.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{SetBuilder, now};

    #[test]
    fn rollouts_in_flight_are_named() {
        let sets = vec![
            SetBuilder::new("steady").build(),
            SetBuilder::new("rolling")
                .revisions("a", "b")
                .status("updatedReplicas", 1)
                .build(),
            SetBuilder::new("staged")
                .replicas(5)
                .partition(4)
                .revisions("a", "b")
                .status("updatedReplicas", 1)
                .build(),
            SetBuilder::new("zk")
                .on_delete()
                .revisions("a", "b")
                .status("updatedReplicas", 1)
                .build(),
        ];
        let list = summarize_sets(&sets, now());
        let got: Vec<_> = list
            .items
            .iter()
            .map(|i| (i.name.as_str(), i.rollout.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("rolling", Some("rolling")),
                ("staged", Some("staged")),
                ("steady", None),
                ("zk", Some("ondelete-outdated"))
            ]
        );
        assert_eq!(list.items[2].age_seconds, Some(3600));
    }

    #[test]
    fn a_recorded_step_is_named_before_the_status() {
        let mut sts = SetBuilder::new("zk")
            .on_delete()
            .revisions("a", "b")
            .status("updatedReplicas", 1)
            .build();
        let record = r#"{"command":"kubectl sts rollout zk --image 'zk=zk:2' --steps 1,100%","step":"2/2 baking","started":"2026-12-07T10:00:00Z"}"#;
        sts.metadata.annotations = Some([(record::IN_FLIGHT.to_string(), record.to_string())].into());
        let list = summarize_sets(&[sts], now());
        assert_eq!(list.items[0].rollout.as_deref(), Some("rollout: step 2/2 baking"));
    }
}
