//! What a StatefulSet that is gone left behind under its name: pods of that name that no set
//! owns (still running, e.g. after `delete --orphan` or an interrupted `pvc resize`), claims
//! named after it, and the record of a step in flight, with the command that finishes it.

use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Pod};
use serde::Serialize;

use crate::model::flow::record::{self, RECORD_LABEL, Record};
use crate::model::set::health::pod_health;
use crate::model::set::scope::Scope;

/// The label the StatefulSet controller puts on each pod: its name.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";

/// A pod left running without a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrphanPod {
    pub pod: String,
    pub phase: String,
    pub ready: bool,
    pub uid: String,
}

/// What is left under the name of a set that does not exist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Orphaned {
    pub namespace: String,
    pub name: String,
    pub pods: Vec<OrphanPod>,
    pub claims: Vec<String>,
    /// The step that was in flight, if a command recorded one.
    pub record: Option<Record>,
    /// The ConfigMap holding the record and the set's manifest.
    pub record_map: Option<String>,
    /// What to do next.
    pub next: String,
    /// How the user reaches the namespace: the flags commands printed for people carry.
    #[serde(skip)]
    pub scope: Scope,
}

/// Whether `pod` is `<name>-<ordinal>` and no set (no controller) owns it.
fn is_orphan_of(pod: &Pod, name: &str) -> bool {
    let owned = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true));
    let Some(rest) = pod.metadata.name.as_deref().and_then(|n| n.strip_prefix(name)) else {
        return false;
    };
    !owned
        && rest
            .strip_prefix('-')
            .is_some_and(|o| !o.is_empty() && o.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether claim `claim` is `<template>-<name>-<ordinal>`.
fn is_claim_of(claim: &str, name: &str) -> bool {
    let Some((head, ordinal)) = claim.rsplit_once('-') else {
        return false;
    };
    !ordinal.is_empty() && ordinal.bytes().all(|b| b.is_ascii_digit()) && head.ends_with(&format!("-{name}"))
}

/// What set `name` left, or `None` when nothing at all is left under its name.
pub fn orphaned(
    scope: &Scope,
    name: &str,
    pods: &[Pod],
    claims: &[PersistentVolumeClaim],
    map: Option<&ConfigMap>,
) -> Option<Orphaned> {
    let now = k8s_openapi::jiff::Timestamp::now();
    let pods: Vec<OrphanPod> = pods
        .iter()
        .filter(|p| is_orphan_of(p, name))
        .map(|p| {
            let health = pod_health(p, 0, now);
            OrphanPod {
                pod: p.metadata.name.clone().unwrap_or_default(),
                phase: health.phase,
                ready: health.ready,
                uid: p.metadata.uid.clone().unwrap_or_default(),
            }
        })
        .collect();
    let claims: Vec<String> = claims
        .iter()
        .filter_map(|c| c.metadata.name.clone())
        .filter(|c| is_claim_of(c, name))
        .collect();
    let record = map.and_then(record::in_map).map(|(r, _)| r);
    if pods.is_empty() && claims.is_empty() && record.is_none() {
        return None;
    }
    let record_map = map.and_then(|m| m.metadata.name.clone());
    let next = match (&record, &record_map) {
        (Some(record), Some(map)) => format!(
            "`{}` was interrupted at step {}: run it again to finish; or restore the set as it was from the manifest in ConfigMap {map} (`kubectl get configmap {map} -o jsonpath='{{.data.statefulset\\.yaml}}' | kubectl create -f -`)",
            scope.complete(&record.command),
            record.step
        ),
        _ => format!(
            "no set owns them: create a StatefulSet named {name} whose selector matches the pods to adopt them (the claims are re-attached by name)"
        ),
    };
    Some(Orphaned {
        scope: scope.clone(),
        namespace: scope.namespace.clone(),
        name: name.to_string(),
        pods,
        claims,
        record,
        record_map,
        next,
    })
}

/// The names under which pods run without a set, or a record waits, among `pods` and `maps`
/// of one namespace, other than those of `sets`.
pub fn orphaned_names(pods: &[Pod], maps: &[ConfigMap], sets: &[String]) -> Vec<String> {
    let from_pods = pods.iter().filter_map(|p| {
        let name = p.metadata.labels.as_ref()?.get(POD_NAME_LABEL)?;
        let (set, _) = name.rsplit_once('-')?;
        is_orphan_of(p, set).then(|| set.to_string())
    });
    let from_maps = maps
        .iter()
        .filter_map(|m| m.metadata.labels.as_ref()?.get(RECORD_LABEL).cloned());
    let mut names: Vec<String> = from_pods.chain(from_maps).filter(|n| !sets.contains(n)).collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, claim};

    fn orphan(ordinal: i32) -> Pod {
        let mut pod = PodBuilder::new("web", ordinal, "web-r1").build();
        pod.metadata.owner_references = None;
        pod
    }

    #[test]
    fn pods_without_a_set_and_claims_of_its_name_are_found() {
        let pods = vec![orphan(0), orphan(1), PodBuilder::new("webapp", 0, "x").build()];
        let claims = vec![claim("www-web-0", "Bound"), claim("www-webapp-0", "Bound")];
        let left = orphaned(&Scope::namespace("default"), "web", &pods, &claims, None).unwrap();
        assert_eq!(
            left.pods.iter().map(|p| p.pod.as_str()).collect::<Vec<_>>(),
            ["web-0", "web-1"]
        );
        assert_eq!(left.claims, ["www-web-0"]);
        assert!(
            left.next.contains("create a StatefulSet named web"),
            "{}",
            left.next
        );
        assert!(orphaned(&Scope::namespace("default"), "zk", &pods, &claims, None).is_none());
    }

    #[test]
    fn owned_pods_are_not_orphans_and_names_are_listed_once() {
        let mut owned = PodBuilder::new("db", 0, "db-r1").build();
        owned.metadata.owner_references = Some(vec![
            k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                api_version: "apps/v1".into(),
                kind: "StatefulSet".into(),
                name: "db".into(),
                uid: "uid-db".into(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            },
        ]);
        let pods = vec![orphan(0), orphan(1), owned];
        assert_eq!(orphaned_names(&pods, &[], &[]), ["web"]);
        assert!(orphaned_names(&pods, &[], &["web".to_string()]).is_empty());
    }
}
