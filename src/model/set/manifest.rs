//! A set's manifest as `kubectl create -f` takes it: the object read from the server without
//! its status and the fields the server sets. Pure.

use k8s_openapi::api::apps::v1::StatefulSet;

/// The set as `kubectl create -f` takes it: without status and the fields the server sets
/// (uid, resourceVersion, managedFields, creationTimestamp, generation, deletion fields, the
/// orphan finalizer).
pub fn for_create(sts: &StatefulSet) -> StatefulSet {
    let mut clean = sts.clone();
    clean.status = None;
    let meta = &mut clean.metadata;
    meta.uid = None;
    meta.resource_version = None;
    meta.managed_fields = None;
    meta.creation_timestamp = None;
    meta.generation = None;
    meta.deletion_timestamp = None;
    meta.deletion_grace_period_seconds = None;
    meta.self_link = None;
    if let Some(finalizers) = meta.finalizers.as_mut() {
        finalizers.retain(|f| f != "orphan" && f != "foregroundDeletion");
    }
    if meta.finalizers.as_ref().is_some_and(Vec::is_empty) {
        meta.finalizers = None;
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::SetBuilder;

    #[test]
    fn server_fields_go_and_the_spec_stays() {
        let mut set = SetBuilder::new("web").claim_template("www").build();
        set.metadata.resource_version = Some("42".into());
        set.metadata.finalizers = Some(vec!["orphan".into(), "example.com/keep".into()]);
        let clean = for_create(&set);
        assert!(clean.status.is_none() && clean.metadata.uid.is_none());
        assert!(clean.metadata.resource_version.is_none() && clean.metadata.generation.is_none());
        assert!(clean.metadata.creation_timestamp.is_none());
        assert_eq!(
            clean.metadata.finalizers,
            Some(vec!["example.com/keep".to_string()])
        );
        assert_eq!(clean.spec, set.spec);
    }
}
