//! Writes with preconditions, so that nothing planned against one state is applied to another:
//! pods are deleted or evicted only while they are still the pod that was planned (uid), sets
//! are patched only at the resourceVersion the plan was made from.

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, EvictParams, Patch, PatchParams, Preconditions};
use serde_json::Value;

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
    ApiCall {
        verb,
        resource: "pods",
        namespace: Some(&ctx.namespace),
        name: Some(name),
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
        ctx.answer(call, api.delete(name, &params)).await?.map(|_| ()),
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
        ctx.answer(call, api.evict(name, &params)).await?.map(|_| ()),
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
    let params = if dry_run {
        PatchParams::default().dry_run()
    } else {
        PatchParams::default()
    };
    let call = ApiCall {
        verb: "patch",
        resource: "statefulsets",
        namespace: Some(&ctx.namespace),
        name: Some(name),
    };
    ctx.call(call, api.patch(name, &params, patch)).await
}
