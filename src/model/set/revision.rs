//! ControllerRevisions: the pod template each stores, its images, and which role a revision
//! plays for a set (current, update, or neither).

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde::Serialize;

use crate::model::set;

/// One container's image in a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerImage {
    pub container: String,
    pub image: String,
    /// An init container.
    pub init: bool,
}

/// A revision as shown to people: name, number and images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionSummary {
    pub name: String,
    pub number: Option<i64>,
    pub images: Vec<ContainerImage>,
}

/// Which revision a pod runs, relative to the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionRole {
    /// `status.currentRevision` (and not the update revision).
    Current,
    /// `status.updateRevision`.
    Update,
    /// Neither: a revision left behind (e.g. a broken pod after a template revert).
    Other,
    /// The pod carries no revision label.
    Unknown,
}

/// The raw template stored in a revision (`data.spec.template` without `$patch`), exactly
/// as the controller hashed it: what to write back to return to it.
pub fn stored_template(revision: &ControllerRevision) -> Option<serde_json::Value> {
    let mut template = revision.data.as_ref()?.0.pointer("/spec/template")?.clone();
    template.as_object_mut()?.remove("$patch");
    Some(template)
}

/// The pod template stored in a revision.
pub fn template_of(revision: &ControllerRevision) -> Option<PodTemplateSpec> {
    serde_json::from_value(stored_template(revision)?).ok()
}

/// Containers and init containers of a template with their images.
pub fn template_images(template: &PodTemplateSpec) -> Vec<ContainerImage> {
    let Some(spec) = template.spec.as_ref() else {
        return Vec::new();
    };
    let init = spec.init_containers.iter().flatten().map(|c| (c, true));
    init.chain(spec.containers.iter().map(|c| (c, false)))
        .map(|(c, init)| ContainerImage {
            container: c.name.clone(),
            image: c.image.clone().unwrap_or_default(),
            init,
        })
        .collect()
}

/// Summary of the revision `name`, looked up among `revisions` (images empty if it is gone).
pub fn summarize(name: &str, revisions: &[ControllerRevision]) -> RevisionSummary {
    let found = revisions
        .iter()
        .find(|r| r.metadata.name.as_deref() == Some(name));
    RevisionSummary {
        name: name.to_string(),
        number: found.map(|r| r.revision),
        images: found
            .and_then(template_of)
            .map(|t| template_images(&t))
            .unwrap_or_default(),
    }
}

/// The role of revision `name` for `set`.
pub fn role(set: &StatefulSet, name: Option<&str>) -> RevisionRole {
    match name {
        None => RevisionRole::Unknown,
        Some(n) if Some(n) == set::update_revision(set) => RevisionRole::Update,
        Some(n) if Some(n) == set::current_revision(set) => RevisionRole::Current,
        Some(_) => RevisionRole::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{SetBuilder, revision};

    #[test]
    fn summary_reads_images_from_the_stored_template() {
        let revisions = vec![
            revision("web", "web-r1", 1, "nginx:1.25"),
            revision("web", "web-r2", 2, "nginx:1.26"),
        ];
        let summary = summarize("web-r2", &revisions);
        assert_eq!(summary.number, Some(2));
        assert_eq!(summary.images[0].image, "nginx:1.26");
        assert_eq!(summarize("gone", &revisions).number, None);
    }

    #[test]
    fn roles_prefer_update_when_both_match() {
        let set = SetBuilder::new("web").revisions("web-r1", "web-r2").build();
        assert_eq!(role(&set, Some("web-r1")), RevisionRole::Current);
        assert_eq!(role(&set, Some("web-r2")), RevisionRole::Update);
        assert_eq!(role(&set, Some("web-r0")), RevisionRole::Other);
        let steady = SetBuilder::new("web").build();
        assert_eq!(role(&steady, Some("web-r1")), RevisionRole::Update);
    }
}
