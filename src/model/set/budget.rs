//! PodDisruptionBudgets as they bear on a set: which budgets select its pods, and what a
//! given number of replicas means for them (disruptions allowed, or every eviction refused).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::core::{Selector, SelectorExt};
use serde::Serialize;

/// What a budget will allow once the set has a number of pods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetEffect {
    pub name: String,
    /// `minAvailable 2`, `maxUnavailable 25%`.
    pub rule: String,
    /// Voluntary disruptions (evictions, node drains) allowed with every pod healthy.
    pub disruptions_allowed: i32,
    /// One line for people.
    pub effect: String,
}

/// Whether `selector` selects a pod with `labels` (an empty selector selects everything; one
/// the API server would not store selects nothing).
pub fn selects(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    Selector::try_from(selector.clone()).is_ok_and(|selector| selector.matches(labels))
}

/// The budgets whose selector matches the set's pod template labels.
pub fn budgets_of<'a>(set: &StatefulSet, budgets: &'a [PodDisruptionBudget]) -> Vec<&'a PodDisruptionBudget> {
    let labels = set
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    budgets
        .iter()
        .filter(|b| {
            b.spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|sel| selects(sel, &labels))
        })
        .collect()
}

/// What `budget` allows when the set has `pods` healthy pods (scaled as upstream does:
/// percentages round up).
pub fn effect_at(budget: &PodDisruptionBudget, pods: i32) -> BudgetEffect {
    let name = budget.metadata.name.clone().unwrap_or_default();
    let spec = budget.spec.as_ref();
    let (rule, desired_healthy) = match (
        spec.and_then(|s| s.min_available.as_ref()),
        spec.and_then(|s| s.max_unavailable.as_ref()),
    ) {
        (Some(min), _) => (format!("minAvailable {}", show(min)), scaled(min, pods)),
        (None, Some(max)) => (format!("maxUnavailable {}", show(max)), pods - scaled(max, pods)),
        (None, None) => ("no rule".to_string(), 0),
    };
    let allowed = (pods - desired_healthy).max(0);
    let effect = if pods == 0 {
        "selects no pods at 0 replicas".to_string()
    } else if allowed == 0 {
        format!("at {pods} pods it allows no disruption: every eviction (node drain) will be refused")
    } else {
        format!("at {pods} pods it allows {allowed} disruption(s) at a time")
    };
    BudgetEffect {
        name,
        rule,
        disruptions_allowed: allowed,
        effect,
    }
}

fn scaled(value: &IntOrString, total: i32) -> i32 {
    match value {
        IntOrString::Int(n) => *n,
        IntOrString::String(s) => {
            let percent: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            ((percent * i64::from(total) + 99) / 100) as i32
        }
    }
}

fn show(value: &IntOrString) -> String {
    match value {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pdb(spec: serde_json::Value) -> PodDisruptionBudget {
        serde_json::from_value(json!({"metadata": {"name": "pdb"}, "spec": spec})).unwrap()
    }

    #[test]
    fn min_available_above_the_replica_count_refuses_every_eviction() {
        let budget = pdb(json!({"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}));
        assert_eq!(effect_at(&budget, 1).disruptions_allowed, 0);
        assert!(effect_at(&budget, 1).effect.contains("every eviction"));
        assert_eq!(effect_at(&budget, 5).disruptions_allowed, 3);
    }

    #[test]
    fn percentages_round_up_like_upstream() {
        let budget = pdb(json!({"maxUnavailable": "25%", "selector": {}}));
        assert_eq!(effect_at(&budget, 5).disruptions_allowed, 2);
        let budget = pdb(json!({"minAvailable": "50%", "selector": {}}));
        assert_eq!(effect_at(&budget, 5).disruptions_allowed, 2);
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let labels = BTreeMap::from([("app".to_string(), "zk".to_string())]);
        let sel: LabelSelector =
            serde_json::from_value(json!({"matchLabels": {"app": "zk"}, "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}))
                .unwrap();
        assert!(selects(&sel, &labels));
        let other: LabelSelector = serde_json::from_value(json!({"matchLabels": {"app": "web"}})).unwrap();
        assert!(!selects(&other, &labels));
    }
}
