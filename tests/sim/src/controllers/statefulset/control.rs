//! Carrying out a sync's actions through the store (`stateful_pod_control.go`): claims before
//! pods, pod deletion, identity and claim-ownership repairs, with the Events the real
//! controller records. The first failed action stops the sync.

use std::collections::BTreeMap;

use serde_json::Value;

use super::plan::Action;
use super::pods;
use super::retention::{self, Owners};
use super::revisions;
use super::spec::{SetSpec, parent_and_ordinal};
use crate::controllers::events::{self, Kind, Source};
use crate::controllers::obj;
use crate::error::ApiError;
use crate::resources::{CONTROLLER_REVISIONS, PODS, PVCS, STATEFULSETS};
use crate::store::{DeleteOptions, Part, Store};

/// What the actions of one sync work with.
pub struct Control<'a> {
    pub store: &'a Store,
    pub set: &'a Value,
    pub spec: &'a SetSpec,
    /// Revisions by name.
    pub revisions: BTreeMap<String, Value>,
}

impl Control<'_> {
    /// Runs the actions in order; stops at the first error.
    pub fn run(&self, actions: &[Action]) -> Result<(), ApiError> {
        for action in actions {
            match action {
                Action::CreatePod { ordinal, revision } => self.create_pod(*ordinal, revision)?,
                Action::DeletePod { name, .. } => self.delete_pod(name)?,
                Action::CreateClaims { ordinal } => self.create_missing_claims(*ordinal)?,
                Action::FixPod { name } => self.fix_pod(name)?,
                Action::FixClaims { name } => self.fix_claims(name)?,
            }
        }
        Ok(())
    }

    fn event(&self, kind: Kind, reason: &str, message: &str) {
        events::record(
            self.store,
            &STATEFULSETS,
            self.set,
            Source::STATEFULSET,
            kind,
            reason,
            message,
        );
    }

    fn pod_event(&self, verb: &str, pod: &str, result: &Result<(), ApiError>) {
        let (set, title) = (&self.spec.name, title_case(verb));
        match result {
            Ok(()) => self.event(
                Kind::Normal,
                &format!("Successful{title}"),
                &format!("{title} Pod {pod} in StatefulSet {set} successful"),
            ),
            Err(e) => self.event(
                Kind::Warning,
                &format!("Failed{title}"),
                &format!(
                    "{title} Pod {pod} in StatefulSet {set} failed error: {}",
                    e.message
                ),
            ),
        }
    }

    /// `CreateStatefulPod`: claims, then the pod, then the claims' owners.
    fn create_pod(&self, ordinal: i64, revision: &str) -> Result<(), ApiError> {
        let pod_name = self.spec.pod_name(ordinal);
        let result = self.create_claims(ordinal).and_then(|()| {
            let template = self
                .revisions
                .get(revision)
                .map(revisions::template_of)
                .ok_or_else(|| ApiError::not_found(&CONTROLLER_REVISIONS, revision))?;
            let pod = pods::new_pod(self.set, self.spec, &template, ordinal, revision);
            let created = self.store.create(&PODS, &self.spec.namespace, pod, false)?;
            self.update_claim_owners(&created)
        });
        if !matches!(&result, Err(e) if e.reason == "AlreadyExists") {
            self.pod_event("create", &pod_name, &result);
        }
        result
    }

    /// `createPersistentVolumeClaims`: creates the missing claims of an ordinal; a claim being
    /// deleted is an error (the pod waits for it to go).
    fn create_claims(&self, ordinal: i64) -> Result<(), ApiError> {
        let pod_name = self.spec.pod_name(ordinal);
        for (claim_name, template) in self.spec.claims_of(ordinal) {
            match self.store.try_get(&PVCS, &self.spec.namespace, &claim_name) {
                Some(existing) if obj::is_deleting(&existing) => {
                    return Err(ApiError::internal(format!("pvc {claim_name} is being deleted")));
                }
                Some(_) => {}
                None => {
                    let claim = pods::new_claim(self.spec, template, &claim_name);
                    let result = self
                        .store
                        .create(&PVCS, &self.spec.namespace, claim, false)
                        .map(|_| ());
                    self.claim_event(&claim_name, &pod_name, &result);
                    result?;
                }
            }
        }
        Ok(())
    }

    fn claim_event(&self, claim: &str, pod: &str, result: &Result<(), ApiError>) {
        let set = &self.spec.name;
        match result {
            Ok(()) => self.event(
                Kind::Normal,
                "SuccessfulCreate",
                &format!("Create Claim {claim} Pod {pod} in StatefulSet {set} success"),
            ),
            Err(e) if e.reason == "AlreadyExists" => {}
            Err(e) => self.event(
                Kind::Warning,
                "FailedCreate",
                &format!(
                    "Create Claim {claim} for Pod {pod} in StatefulSet {set} failed error: {}",
                    e.message
                ),
            ),
        }
    }

    fn create_missing_claims(&self, ordinal: i64) -> Result<(), ApiError> {
        self.create_claims(ordinal)?;
        match self
            .store
            .try_get(&PODS, &self.spec.namespace, &self.spec.pod_name(ordinal))
        {
            Some(pod) => self.update_claim_owners(&pod),
            None => Ok(()),
        }
    }

    fn delete_pod(&self, name: &str) -> Result<(), ApiError> {
        let result = self
            .store
            .delete(&PODS, &self.spec.namespace, name, &DeleteOptions::default())
            .map(|_| ());
        self.pod_event("delete", name, &result);
        result
    }

    /// `UpdateStatefulPod`: identity labels and the claims' owner references.
    fn fix_pod(&self, name: &str) -> Result<(), ApiError> {
        let Some(pod) = self.store.try_get(&PODS, &self.spec.namespace, name) else {
            return Ok(());
        };
        if !pods::storage_matches(self.spec, &pod) {
            self.create_claims(super::spec::ordinal_of(&pod))?;
        }
        self.update_claim_owners(&pod)?;
        if pods::identity_matches(self.spec, &pod) {
            return Ok(());
        }
        let result = self
            .store
            .modify(&PODS, &self.spec.namespace, name, Part::Main, false, |p| {
                *p = pods::with_identity(p);
                Ok(())
            })
            .map(|_| ());
        self.pod_event("update", name, &result);
        result
    }

    fn fix_claims(&self, name: &str) -> Result<(), ApiError> {
        match self.store.try_get(&PODS, &self.spec.namespace, name) {
            Some(pod) => self.update_claim_owners(&pod),
            None => Ok(()),
        }
    }

    /// `UpdatePodClaimForRetentionPolicy`.
    fn update_claim_owners(&self, pod: &Value) -> Result<(), ApiError> {
        let Some((_, ordinal)) = parent_and_ordinal(obj::name(pod)) else {
            return Ok(());
        };
        let owners = Owners { set: self.set, pod };
        for (claim_name, _) in self.spec.claims_of(ordinal) {
            let Some(claim) = self.store.try_get(&PVCS, &self.spec.namespace, &claim_name) else {
                continue;
            };
            if retention::claim_up_to_date(&claim, self.spec, &owners) {
                continue;
            }
            self.store
                .modify(&PVCS, &self.spec.namespace, &claim_name, Part::Main, false, |c| {
                    *c = retention::claim_with_owners(c, self.spec, &owners);
                    Ok(())
                })?;
        }
        Ok(())
    }
}

/// `create` → `Create` (`strings.Title` of a verb).
fn title_case(verb: &str) -> String {
    let mut chars = verb.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn verbs_become_reasons() {
        assert_eq!(super::title_case("create"), "Create");
        assert_eq!(super::title_case(""), "");
    }
}
