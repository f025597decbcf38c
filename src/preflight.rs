//! Permission pre-flight: before a guided command changes anything, ask the API server
//! (SelfSubjectAccessReview) whether the user may do every kind of write the plan needs, so
//! that a missing permission ends the command before its first write instead of half-way.
//! Where the review API cannot be used, the check is skipped and the API's own 403 speaks.

use anyhow::Result;
use futures::future::join_all;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

use crate::context::Context;
use crate::error::StsError;

/// One kind of write a plan needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub verb: &'static str,
    /// API group (`apps`, or empty for the core group).
    pub group: &'static str,
    pub resource: &'static str,
    pub subresource: Option<&'static str>,
}

/// `patch nodes` (cluster-scoped: asked without a namespace).
pub const PATCH_NODES: Need = Need {
    verb: "patch",
    group: "",
    resource: "nodes",
    subresource: None,
};

/// Kinds that live outside namespaces.
const CLUSTER_SCOPED: [&str; 1] = ["nodes"];

/// `patch statefulsets`.
pub const PATCH_SETS: Need = Need {
    verb: "patch",
    group: "apps",
    resource: "statefulsets",
    subresource: None,
};
/// `patch statefulsets/scale`.
pub const SCALE_SETS: Need = Need {
    verb: "patch",
    group: "apps",
    resource: "statefulsets",
    subresource: Some("scale"),
};
/// `delete pods`.
pub const DELETE_PODS: Need = Need {
    verb: "delete",
    group: "",
    resource: "pods",
    subresource: None,
};
/// `create pods/eviction`.
pub const EVICT_PODS: Need = Need {
    verb: "create",
    group: "",
    resource: "pods",
    subresource: Some("eviction"),
};

/// `delete statefulsets`.
pub const DELETE_SETS: Need = Need {
    verb: "delete",
    group: "apps",
    resource: "statefulsets",
    subresource: None,
};
/// `create statefulsets`.
pub const CREATE_SETS: Need = Need {
    verb: "create",
    group: "apps",
    resource: "statefulsets",
    subresource: None,
};
/// `delete persistentvolumeclaims`.
pub const DELETE_CLAIMS: Need = Need {
    verb: "delete",
    group: "",
    resource: "persistentvolumeclaims",
    subresource: None,
};
/// `create configmaps` (the record beside a set).
pub const CREATE_CONFIGMAPS: Need = Need {
    verb: "create",
    group: "",
    resource: "configmaps",
    subresource: None,
};
/// `delete configmaps`.
pub const DELETE_CONFIGMAPS: Need = Need {
    verb: "delete",
    group: "",
    resource: "configmaps",
    subresource: None,
};
/// `patch persistentvolumeclaims`.
pub const PATCH_CLAIMS: Need = Need {
    verb: "patch",
    group: "",
    resource: "persistentvolumeclaims",
    subresource: None,
};

/// Fails with one line naming the user, verb, resource and namespace if any need is denied.
pub async fn require(ctx: &Context, needs: &[Need]) -> Result<()> {
    let api: Api<SelfSubjectAccessReview> = Api::all(ctx.client.clone());
    let params = PostParams::default();
    let reviews = needs.iter().map(|need| {
        let review = review_of(ctx, need);
        let api = api.clone();
        let params = params.clone();
        async move { (need, api.create(&params, &review).await) }
    });
    for (need, answer) in join_all(reviews).await {
        let Ok(review) = answer else { continue };
        let status = review.status.unwrap_or_default();
        if !status.allowed {
            return Err(StsError::BadInput(denied(ctx, need, status.reason.as_deref())).into());
        }
    }
    Ok(())
}

fn review_of(ctx: &Context, need: &Need) -> SelfSubjectAccessReview {
    SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: (!CLUSTER_SCOPED.contains(&need.resource)).then(|| ctx.namespace.clone()),
                verb: Some(need.verb.to_string()),
                group: Some(need.group.to_string()),
                resource: Some(need.resource.to_string()),
                subresource: need.subresource.map(str::to_string),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    }
}

fn denied(ctx: &Context, need: &Need, reason: Option<&str>) -> String {
    let resource = match need.subresource {
        Some(sub) => format!("{}/{sub}", need.resource),
        None => need.resource.to_string(),
    };
    let why = reason
        .filter(|r| !r.is_empty())
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    let place = match CLUSTER_SCOPED.contains(&need.resource) {
        true => "cluster-wide".to_string(),
        false => format!("in namespace {}", ctx.namespace),
    };
    format!(
        "forbidden: user {:?} may not {} {resource} {place}{why}; nothing was changed (ask for RBAC permission, or use --as / another --context)",
        ctx.target.user, need.verb
    )
}
