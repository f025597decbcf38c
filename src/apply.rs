//! Writes with preconditions, so that nothing planned against one state is applied to another:
//! pods are deleted or evicted only while they are still the pod that was planned (uid), sets
//! are patched only at the resourceVersion the plan was made from; sets and claims are
//! deleted only while they still have the uid that was planned.

use anyhow::Result;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::{
    Api, DeleteParams, EvictParams, Patch, PatchParams, PostParams, Preconditions, PropagationPolicy,
};
use serde_json::{Value, json};

use crate::context::Context;
use crate::error::{ApiCall, describe_kube_error};

/// What became of a pod we asked to take down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodRemoval {
    /// Deleted or evicted now (it may stay Terminating for its grace period).
    Requested,
    /// It was already gone, or replaced by a pod with another uid.
    AlreadyGone,
    /// A PodDisruptionBudget refused the eviction (429): the budget's message.
    Blocked(String),
}

fn pod_call<'a>(ctx: &'a Context, verb: &'static str, name: &'a str) -> ApiCall<'a> {
    ApiCall::on(verb, "pods", &ctx.namespace, name)
}

/// Patch parameters, server-side dry run or not.
fn patch_params(dry_run: bool) -> PatchParams {
    if dry_run {
        PatchParams::default().dry_run()
    } else {
        PatchParams::default()
    }
}

fn uid_precondition(uid: &str) -> Option<Preconditions> {
    Some(Preconditions {
        uid: Some(uid.to_string()),
        resource_version: None,
    })
}

/// Deletes pod `name` if it still has `uid`.
pub async fn delete_pod(ctx: &Context, name: &str, uid: &str, dry_run: bool) -> Result<PodRemoval> {
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let params = DeleteParams {
        dry_run,
        preconditions: uid_precondition(uid),
        ..DeleteParams::default()
    };
    let call = pod_call(ctx, "delete", name);
    removal(
        ctx,
        call,
        ctx.answer(call, || api.delete(name, &params)).await?.map(|_| ()),
    )
}

/// Evicts pod `name` (if it still has `uid`) through the Eviction API, which honours
/// PodDisruptionBudgets.
pub async fn evict_pod(ctx: &Context, name: &str, uid: &str, dry_run: bool) -> Result<PodRemoval> {
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let delete_options = DeleteParams {
        dry_run,
        preconditions: uid_precondition(uid),
        ..DeleteParams::default()
    };
    let mut params = EvictParams {
        delete_options: Some(delete_options),
        ..EvictParams::default()
    };
    params.post_options.dry_run = dry_run;
    let call = pod_call(ctx, "evict", name);
    removal(
        ctx,
        call,
        ctx.answer(call, || api.evict(name, &params)).await?.map(|_| ()),
    )
}

fn removal(ctx: &Context, call: ApiCall<'_>, answer: Result<(), kube::Error>) -> Result<PodRemoval> {
    match answer {
        Ok(()) => Ok(PodRemoval::Requested),
        Err(kube::Error::Api(status)) if status.code == 404 || status.code == 409 => {
            Ok(PodRemoval::AlreadyGone)
        }
        Err(kube::Error::Api(status)) if status.code == 429 => {
            let cause = status
                .details
                .as_ref()
                .and_then(|d| d.causes.first())
                .map(|c| c.message.clone());
            Ok(PodRemoval::Blocked(
                cause.unwrap_or_else(|| status.message.clone()),
            ))
        }
        Err(err) => Err(describe_kube_error(&err, call, &ctx.target)),
    }
}

/// Patches set `name`; a patch carrying `metadata.resourceVersion` fails with a Conflict
/// (`error::is_conflict`) if the set changed since.
pub async fn patch_set(
    ctx: &Context,
    name: &str,
    patch: &Patch<Value>,
    dry_run: bool,
) -> Result<StatefulSet> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let params = patch_params(dry_run);
    let call = ApiCall::on("patch", "statefulsets", &ctx.namespace, name);
    ctx.call(call, || api.patch(name, &params, patch)).await
}

/// Sets `spec.replicas` through the scale subresource, on condition that the set is still at
/// the resourceVersion it was read at (a Conflict otherwise: `error::is_conflict`).
pub async fn scale_set(ctx: &Context, sts: &StatefulSet, replicas: i32, dry_run: bool) -> Result<()> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let name = sts.metadata.name.as_deref().unwrap_or_default();
    let rv = sts.metadata.resource_version.clone().unwrap_or_default();
    let patch = json!({"metadata": {"resourceVersion": rv}, "spec": {"replicas": replicas}});
    let params = patch_params(dry_run);
    let call = ApiCall::on("patch", "statefulsets", &ctx.namespace, name);
    let body = Patch::Merge(&patch);
    ctx.call(call, || api.patch_scale(name, &params, &body)).await?;
    Ok(())
}

/// What a delete request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// Accepted; the object stays a while (finalizers, grace period).
    Pending,
    /// The object is gone.
    Gone,
    /// There was nothing to delete (404).
    Absent,
}

/// Deletes `name` of `resource` with `propagation`, on condition that it is still the object
/// `preconditions` name (uid, and resourceVersion if given): a Conflict otherwise
/// (`error::is_conflict`).
pub async fn delete_object<K>(
    ctx: &Context,
    resource: &'static str,
    name: &str,
    preconditions: Preconditions,
    propagation: PropagationPolicy,
    dry_run: bool,
) -> Result<Deleted>
where
    K: kube::Resource<Scope = NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let params = DeleteParams {
        dry_run,
        propagation_policy: Some(propagation),
        preconditions: Some(preconditions),
        ..DeleteParams::default()
    };
    let call = ApiCall::on("delete", resource, &ctx.namespace, name);
    match ctx.answer(call, || api.delete(name, &params)).await? {
        Ok(answer) if answer.is_left() => Ok(Deleted::Pending),
        Ok(_) => Ok(Deleted::Gone),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(Deleted::Absent),
        Err(err) => Err(describe_kube_error(&err, call, &ctx.target)),
    }
}

/// Deletes claim `name` if it still has `uid`.
pub async fn delete_claim(ctx: &Context, name: &str, uid: &str, dry_run: bool) -> Result<Deleted> {
    let preconditions = uid_precondition(uid).unwrap_or_default();
    delete_object::<PersistentVolumeClaim>(
        ctx,
        "persistentvolumeclaims",
        name,
        preconditions,
        PropagationPolicy::Background,
        dry_run,
    )
    .await
}

/// Sets claim `name`'s storage request to `size`, on condition that it is still at
/// `resource_version`.
pub async fn resize_claim(
    ctx: &Context,
    name: &str,
    resource_version: &str,
    size: &str,
    dry_run: bool,
) -> Result<PersistentVolumeClaim> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let patch = json!({"metadata": {"resourceVersion": resource_version},
                       "spec": {"resources": {"requests": {"storage": size}}}});
    let params = patch_params(dry_run);
    let call = ApiCall::on("patch", "persistentvolumeclaims", &ctx.namespace, name);
    let body = Patch::Merge(&patch);
    ctx.call(call, || api.patch(name, &params, &body)).await
}

/// Creates a set.
pub async fn create_set(ctx: &Context, sts: &StatefulSet) -> Result<StatefulSet> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let call = ApiCall {
        verb: "create",
        resource: "statefulsets",
        namespace: Some(&ctx.namespace),
        name: sts.metadata.name.as_deref(),
    };
    let params = PostParams::default();
    ctx.call(call, || api.create(&params, sts)).await
}
