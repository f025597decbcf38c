//! Planning a restart: the template annotation `kubectl.kubernetes.io/restartedAt` (as
//! `kubectl rollout restart` sets it, so both tools agree) makes a new revision; which pods
//! then get replaced, and by whom, depends on the update strategy and partition.

use serde::Serialize;

use crate::model::rollout::roll::Method;
use crate::model::rollout::update::ordinals_to_update;
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};

/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The restart plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestartPlan {
    pub namespace: String,
    pub name: String,
    pub strategy: Strategy,
    /// The value written to the annotation.
    pub restarted_at: String,
    /// Pods that will be replaced, highest ordinal first.
    pub pods: Vec<String>,
    /// Who replaces them: the controller (RollingUpdate) or this command (OnDelete).
    pub replaced_by: String,
    /// Pods below the partition, which keep running the old revision.
    pub not_restarted: Vec<String>,
}

/// Plans restarting every pod of the set at `restarted_at`; an OnDelete set's pods are taken
/// down by `method`.
pub fn plan_restart(snap: &SetSnapshot, restarted_at: &str, method: Method) -> RestartPlan {
    let strategy = set::strategy(&snap.set);
    let updated = match strategy {
        Strategy::RollingUpdate => ordinals_to_update(snap),
        Strategy::OnDelete => set::ordinals(&snap.set).rev().collect(),
    };
    let not_restarted = set::ordinals(&snap.set)
        .filter(|o| !updated.contains(o))
        .map(|o| set::pod_name(&snap.set, o))
        .collect();
    let at_a_time = match set::max_unavailable(&snap.set) {
        Some(n) => format!("up to {n} at a time (maxUnavailable)"),
        None => "one at a time".to_string(),
    };
    let replaced_by = match (strategy, method) {
        (Strategy::RollingUpdate, _) => {
            format!("the controller (RollingUpdate), {at_a_time}, highest ordinal first")
        }
        (Strategy::OnDelete, Method::Delete) => {
            "this command (OnDelete): each deleted after every other member is Ready".to_string()
        }
        (Strategy::OnDelete, Method::Evict) => {
            "this command (OnDelete): each evicted (PodDisruptionBudgets honoured) after every other member is Ready"
                .to_string()
        }
    };
    RestartPlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        strategy,
        restarted_at: restarted_at.to_string(),
        pods: updated.iter().map(|o| set::pod_name(&snap.set, *o)).collect(),
        replaced_by,
        not_restarted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{SetBuilder, snapshot};

    #[test]
    fn rolling_update_restarts_from_the_partition_up() {
        let snap = snapshot(
            SetBuilder::new("web").replicas(4).partition(2).build(),
            vec![],
            vec![],
            vec![],
        );
        let plan = plan_restart(&snap, "2026-11-22T01:00:00Z", Method::Delete);
        assert_eq!(plan.pods, ["web-3", "web-2"]);
        assert_eq!(plan.not_restarted, ["web-0", "web-1"]);
    }

    #[test]
    fn on_delete_restarts_every_pod_by_itself() {
        let snap = snapshot(SetBuilder::new("zk").on_delete().build(), vec![], vec![], vec![]);
        let plan = plan_restart(&snap, "t", Method::Delete);
        assert_eq!(plan.pods, ["zk-2", "zk-1", "zk-0"]);
        assert!(plan.replaced_by.starts_with("this command"));
        let evicted = plan_restart(&snap, "t", Method::Evict);
        assert!(
            evicted.replaced_by.contains("each evicted"),
            "{}",
            evicted.replaced_by
        );
        assert!(plan.not_restarted.is_empty());
    }
}
