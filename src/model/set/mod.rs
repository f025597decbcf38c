//! Facts derived from a StatefulSet's spec and status: ordinals, names of pods and claims,
//! strategy, partition, retention policy, selector. Defaults follow the API server's.
//! Below it: what is read with a set (`snapshot`), what a pod's status means (`health`), its
//! revisions, its manifest, the disruption budgets over its pods, and how the user reaches it
//! (`scope`: the flags a printed next command carries). The bottom of `model`:
//! nothing here depends on another domain.

pub mod budget;
#[cfg(test)]
pub mod fixtures;
pub mod health;
pub mod manifest;
pub mod revision;
pub mod scope;
pub mod snapshot;

use std::ops::Range;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::core::{ParseExpressionError, Selector};
use serde::Serialize;

/// `spec.updateStrategy.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Strategy {
    RollingUpdate,
    OnDelete,
}

/// `spec.podManagementPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PodManagement {
    OrderedReady,
    Parallel,
}

/// The set's name.
pub fn name(set: &StatefulSet) -> &str {
    set.metadata.name.as_deref().unwrap_or_default()
}

/// `spec.ordinals.start` (default 0).
pub fn ordinal_start(set: &StatefulSet) -> i32 {
    spec(set)
        .and_then(|s| s.ordinals.as_ref())
        .and_then(|o| o.start)
        .unwrap_or(0)
}

/// `spec.replicas` (default 1).
pub fn desired_replicas(set: &StatefulSet) -> i32 {
    spec(set).and_then(|s| s.replicas).unwrap_or(1)
}

/// The ordinals the set should have: `start .. start + replicas`.
pub fn ordinals(set: &StatefulSet) -> Range<i32> {
    let start = ordinal_start(set);
    start..start + desired_replicas(set).max(0)
}

/// The update strategy.
pub fn strategy(set: &StatefulSet) -> Strategy {
    match spec(set)
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.type_.as_deref())
    {
        Some("OnDelete") => Strategy::OnDelete,
        _ => Strategy::RollingUpdate,
    }
}

/// The partition of a RollingUpdate set (default 0); `None` for OnDelete.
pub fn partition(set: &StatefulSet) -> Option<i32> {
    if strategy(set) == Strategy::OnDelete {
        return None;
    }
    let rolling = spec(set)
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.rolling_update.as_ref());
    Some(rolling.and_then(|r| r.partition).unwrap_or(0))
}

/// `rollingUpdate.maxUnavailable` of a RollingUpdate set, when it lets the controller replace
/// more than one pod at a time: the API server keeps the field only where the
/// `MaxUnavailableStatefulSet` feature gate is on (by default from Kubernetes 1.37, whose
/// server also writes `1` into every set; up to 1.36 it drops the field), so what is left is
/// what the controller does. `None` for one at a time.
pub fn max_unavailable(set: &StatefulSet) -> Option<String> {
    if strategy(set) == Strategy::OnDelete {
        return None;
    }
    let rolling = spec(set)?.update_strategy.as_ref()?.rolling_update.as_ref()?;
    more_than_one(rolling.max_unavailable.as_ref()?)
}

/// A `maxUnavailable` as it is written (`2`, `50%`), unless it is 1.
pub fn more_than_one(value: &IntOrString) -> Option<String> {
    match value {
        IntOrString::Int(1) => None,
        IntOrString::Int(n) => Some(n.to_string()),
        IntOrString::String(text) => Some(text.clone()),
    }
}

/// The pod management policy.
pub fn pod_management(set: &StatefulSet) -> PodManagement {
    match spec(set).and_then(|s| s.pod_management_policy.as_deref()) {
        Some("Parallel") => PodManagement::Parallel,
        _ => PodManagement::OrderedReady,
    }
}

/// `spec.minReadySeconds` (default 0).
pub fn min_ready_seconds(set: &StatefulSet) -> i32 {
    spec(set).and_then(|s| s.min_ready_seconds).unwrap_or(0)
}

/// `spec.serviceName` (may be empty).
pub fn service_name(set: &StatefulSet) -> &str {
    spec(set)
        .and_then(|s| s.service_name.as_deref())
        .unwrap_or_default()
}

/// `persistentVolumeClaimRetentionPolicy`, each field `Retain` when unset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retention {
    pub when_deleted: String,
    pub when_scaled: String,
}

/// The set's claim retention policy, defaults `Retain`.
pub fn retention(set: &StatefulSet) -> Retention {
    let policy = spec(set).and_then(|s| s.persistent_volume_claim_retention_policy.as_ref());
    let pick = |v: Option<&String>| v.cloned().unwrap_or_else(|| "Retain".to_string());
    Retention {
        when_deleted: pick(policy.and_then(|p| p.when_deleted.as_ref())),
        when_scaled: pick(policy.and_then(|p| p.when_scaled.as_ref())),
    }
}

/// The cluster domain assumed for DNS names (the `dns` command checks it).
pub const DEFAULT_CLUSTER_DOMAIN: &str = "cluster.local";

/// A member's DNS name under the governing Service, in the default cluster domain.
pub fn pod_fqdn(pod: &str, service: &str, namespace: &str) -> String {
    format!("{pod}.{service}.{namespace}.svc.{DEFAULT_CLUSTER_DOMAIN}")
}

/// Names of the `volumeClaimTemplates`, in order.
pub fn claim_templates(set: &StatefulSet) -> Vec<String> {
    spec(set)
        .and_then(|s| s.volume_claim_templates.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|t| t.metadata.name.clone())
        .collect()
}

/// `<set>-<ordinal>`.
pub fn pod_name(set: &StatefulSet, ordinal: i32) -> String {
    format!("{}-{ordinal}", name(set))
}

/// `<template>-<set>-<ordinal>`.
pub fn claim_name(set: &StatefulSet, template: &str, ordinal: i32) -> String {
    format!("{template}-{}-{ordinal}", name(set))
}

/// The ordinal in a pod name `<set>-<ordinal>`, if it is one of this set's.
pub fn ordinal_of_pod(set: &StatefulSet, pod_name: &str) -> Option<i32> {
    parse_ordinal(pod_name.strip_prefix(name(set))?.strip_prefix('-')?)
}

/// The template and ordinal of a claim name `<template>-<set>-<ordinal>`.
pub fn claim_template_and_ordinal(set: &StatefulSet, claim_name: &str) -> Option<(String, i32)> {
    claim_templates(set).into_iter().find_map(|template| {
        let rest = claim_name.strip_prefix(&template)?.strip_prefix('-')?;
        let ordinal = parse_ordinal(rest.strip_prefix(name(set))?.strip_prefix('-')?)?;
        Some((template, ordinal))
    })
}

/// A canonical non-negative decimal ordinal (no sign, no leading zeros).
pub fn parse_ordinal(text: &str) -> Option<i32> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

/// The pods' label selector, as kube's `Selector` (its `Display` is the `labelSelector`
/// query; `ListParams::labels_from` takes it). Fails only on a selector the API server does
/// not store (an unknown operator, `In` without values).
pub fn selector(set: &StatefulSet) -> Result<Selector, ParseExpressionError> {
    Selector::try_from(spec(set).map(|s| s.selector.clone()).unwrap_or_default())
}

/// The selector as the `-l` of a kubectl command a person can paste.
pub fn selector_text(set: &StatefulSet) -> String {
    selector(set).map(|s| s.to_string()).unwrap_or_default()
}

/// `status.observedGeneration < metadata.generation`: the controller has not caught up.
pub fn status_is_stale(set: &StatefulSet) -> bool {
    let generation = set.metadata.generation.unwrap_or(0);
    let observed = set
        .status
        .as_ref()
        .and_then(|s| s.observed_generation)
        .unwrap_or(0);
    observed < generation
}

/// `status.updateRevision`.
pub fn update_revision(set: &StatefulSet) -> Option<&str> {
    set.status.as_ref()?.update_revision.as_deref()
}

/// `status.currentRevision`.
pub fn current_revision(set: &StatefulSet) -> Option<&str> {
    set.status.as_ref()?.current_revision.as_deref()
}

/// The names among `known` that look like a mistyping of `name`, most alike first (at most
/// three): a few letters off (a swap counts as one), or one name containing the other.
pub fn close_names<'a>(name: &str, known: &'a [String]) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &str)> = known
        .iter()
        .filter_map(|k| {
            let distance = strsim::damerau_levenshtein(name, k);
            let allowed = (name.len().max(k.len()) / 3).max(1);
            let contained = name.len() >= 3 && (k.contains(name) || name.contains(k.as_str()));
            (distance <= allowed || contained).then_some((distance, k.as_str()))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

/// The set is being deleted.
pub fn is_deleting(set: &StatefulSet) -> bool {
    set.metadata.deletion_timestamp.is_some()
}

fn spec(set: &StatefulSet) -> Option<&k8s_openapi::api::apps::v1::StatefulSetSpec> {
    set.spec.as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::SetBuilder;

    #[test]
    fn max_unavailable_is_named_only_above_one_and_only_for_rolling_updates() {
        let with = |value: serde_json::Value| {
            let mut set = SetBuilder::new("web").build();
            set.spec
                .as_mut()
                .unwrap()
                .update_strategy
                .as_mut()
                .unwrap()
                .rolling_update =
                serde_json::from_value(serde_json::json!({"partition": 0, "maxUnavailable": value})).unwrap();
            set
        };
        assert_eq!(
            max_unavailable(&SetBuilder::new("web").build()),
            None,
            "dropped by the server"
        );
        assert_eq!(
            max_unavailable(&with(serde_json::json!(1))),
            None,
            "1.37's default"
        );
        assert_eq!(max_unavailable(&with(serde_json::json!(2))).as_deref(), Some("2"));
        assert_eq!(
            max_unavailable(&with(serde_json::json!("50%"))).as_deref(),
            Some("50%")
        );
        assert_eq!(max_unavailable(&SetBuilder::new("web").on_delete().build()), None);
    }

    #[test]
    fn close_names_catch_typos_but_not_other_sets() {
        let known = ["web".to_string(), "zk".to_string(), "kafka".to_string()];
        assert_eq!(close_names("wbe", &known), ["web"]);
        assert_eq!(close_names("kafak", &known), ["kafka"]);
        assert_eq!(close_names("kafka-0", &known), ["kafka"]);
        assert!(close_names("mysql", &known).is_empty());
        assert!(close_names("zz", &known).len() == 1, "one letter off");
    }

    #[test]
    fn ordinals_honour_the_start() {
        let set = SetBuilder::new("web").replicas(3).start(5).build();
        assert_eq!(ordinals(&set), 5..8);
        assert_eq!(pod_name(&set, 7), "web-7");
        assert_eq!(claim_name(&set, "www", 5), "www-web-5");
    }

    #[test]
    fn pod_and_claim_names_parse_back_only_when_canonical() {
        let set = SetBuilder::new("web").claim_template("www").build();
        assert_eq!(ordinal_of_pod(&set, "web-12"), Some(12));
        assert_eq!(ordinal_of_pod(&set, "web-012"), None);
        assert_eq!(ordinal_of_pod(&set, "web-x"), None);
        assert_eq!(ordinal_of_pod(&set, "webapp-1"), None);
        assert_eq!(
            claim_template_and_ordinal(&set, "www-web-3"),
            Some(("www".into(), 3))
        );
        assert_eq!(claim_template_and_ordinal(&set, "data-web-3"), None);
    }

    #[test]
    fn partition_is_none_for_on_delete_and_zero_by_default() {
        assert_eq!(partition(&SetBuilder::new("web").build()), Some(0));
        assert_eq!(partition(&SetBuilder::new("web").partition(2).build()), Some(2));
        assert_eq!(partition(&SetBuilder::new("zk").on_delete().build()), None);
    }

    #[test]
    fn selector_from_labels_and_expressions() {
        let mut set = SetBuilder::new("web").build();
        assert_eq!(selector_text(&set), "app=web");
        let requirement = |value| serde_json::from_value(value).unwrap();
        let expressions = &mut set.spec.as_mut().unwrap().selector.match_expressions;
        *expressions = Some(vec![requirement(
            serde_json::json!({"key": "tier", "operator": "In", "values": ["db", "cache"]}),
        )]);
        assert_eq!(selector_text(&set), "app=web,tier in (cache,db)");
        let expressions = &mut set.spec.as_mut().unwrap().selector.match_expressions;
        *expressions = Some(vec![requirement(
            serde_json::json!({"key": "x", "operator": "Near"}),
        )]);
        assert!(selector(&set).is_err());
        assert_eq!(selector_text(&set), "");
    }
}
