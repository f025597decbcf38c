//! Every change a guided command makes, as a typed value turned into its API request in one
//! place, each with its precondition, so that nothing planned against one state is applied to
//! another: pods are deleted or evicted only while they are still the pod that was planned
//! (uid), sets and claims are patched only at the resourceVersion the plan was made from, sets
//! and claims are deleted only while they still have the uid that was planned.

use anyhow::Result;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Pod};
use kube::api::{
    Api, DeleteParams, EvictParams, Patch, PatchParams, PostParams, Preconditions, PropagationPolicy,
};
use serde_json::{Map, Value, json};

use crate::context::Context;
use crate::error::{ApiCall, describe_kube_error};
use crate::model::flow::record::{
    IN_FLIGHT, MANIFEST_KEY, RECORD_KEY, RECORD_LABEL, Record, record_map_name,
};
use crate::model::rollout::restart::RESTARTED_AT;
use crate::model::rollout::staged::{ABANDONED_REVISIONS, PARTITION_BEFORE, REVISION_BEFORE, RolloutPlan};
use crate::preflight::{self, Need};

/// One change to the cluster, with its precondition.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// `spec.replicas` through the scale subresource, at the set's resourceVersion.
    Scale {
        set: String,
        resource_version: String,
        replicas: i32,
    },
    /// `spec.replicas` with the record of the step, in one patch of the set at its
    /// resourceVersion (the scale subresource carries no annotation).
    ScaleRecorded {
        set: String,
        resource_version: String,
        replicas: i32,
        record: Record,
    },
    /// The partition, at the set's resourceVersion.
    SetPartition {
        set: String,
        resource_version: String,
        partition: i32,
    },
    /// A new template (strategic merge of the changed fields) with the partition and the
    /// rollout records (`annotations`), in one patch at the set's resourceVersion.
    StageTemplate {
        set: String,
        resource_version: String,
        template: Value,
        partition: Option<i32>,
        annotations: Value,
    },
    /// A stored template written back whole (`$patch: replace`, as `kubectl rollout undo`), at
    /// the set's resourceVersion.
    RestoreTemplate {
        set: String,
        resource_version: String,
        template: Value,
        record: Option<Record>,
        /// The set's new list of abandoned revisions, when the revert changes it.
        abandoned: Option<String>,
    },
    /// A template annotation (`kubectl.kubernetes.io/restartedAt`), with the record of the
    /// step, at the set's resourceVersion.
    AnnotateTemplate {
        set: String,
        resource_version: String,
        key: String,
        value: String,
        record: Option<Record>,
    },
    /// The record of a step in flight on the set (`None` removes it).
    Record { set: String, record: Option<Record> },
    /// `spec.updateStrategy` replaced by `strategy` (a gated roll drives a RollingUpdate set
    /// as OnDelete, then puts its strategy back), with the template's restart annotation when
    /// given and the record of the step (`None` removes it), at the set's resourceVersion.
    SetStrategy {
        set: String,
        resource_version: String,
        strategy: Value,
        restarted_at: Option<String>,
        record: Option<Record>,
    },
    /// The record beside the set, with its manifest, for steps in which the set goes away.
    RecordBeside {
        set: String,
        record: Record,
        manifest: Option<String>,
    },
    /// The record beside the set removed.
    ForgetBeside { set: String },
    /// The rollout is over: its records (and the step in flight) removed, and the partition
    /// put back when given.
    EndRollout { set: String, partition: Option<i32> },
    /// A pod deleted while it has this uid.
    DeletePod { pod: String, uid: String },
    /// A pod stranded on a dead node deleted at once (grace period 0) while it has this uid.
    ForceDeletePod { pod: String, uid: String },
    /// A dead node's taints replaced by these (the out-of-service taint added), at the node's
    /// resourceVersion.
    TaintNode {
        node: String,
        resource_version: String,
        taints: Value,
    },
    /// A pod evicted (PodDisruptionBudgets honoured) while it has this uid.
    EvictPod { pod: String, uid: String },
    /// The set deleted while it has this uid (and resourceVersion, when given).
    DeleteSet {
        set: String,
        uid: String,
        resource_version: Option<String>,
        orphan: bool,
    },
    /// A claim deleted while it has this uid.
    DeleteClaim { claim: String, uid: String },
    /// A claim's storage request, at its resourceVersion.
    ResizeClaim {
        claim: String,
        resource_version: String,
        size: String,
    },
    /// A set created from a manifest.
    CreateSet(Box<StatefulSet>),
    /// A server-side apply of the set (`object`: the applied configuration; a
    /// `metadata.resourceVersion` in it is a precondition), creating it when it does not
    /// exist; `force` takes fields other managers hold.
    ApplySet {
        set: String,
        object: Value,
        manager: String,
        force: bool,
    },
}

/// What a write did.
#[derive(Debug, Clone)]
pub enum Effect {
    /// A patch or a create took effect (the set as the server answered, where it is one).
    Written(Option<Box<StatefulSet>>),
    /// A pod deletion or eviction.
    Removal(PodRemoval),
    /// A set or claim deletion was accepted (or there was nothing left to delete).
    Deleted,
}

impl Effect {
    /// What became of the pod a deletion or eviction was about.
    pub fn removal(&self) -> PodRemoval {
        match self {
            Effect::Removal(removal) => removal.clone(),
            _ => PodRemoval::Requested,
        }
    }

    /// The set as the server answered a patch or create of it.
    pub fn into_set(self) -> Option<StatefulSet> {
        match self {
            Effect::Written(set) => set.map(|s| *s),
            _ => None,
        }
    }
}

impl Write {
    /// The permission the write needs.
    pub fn need(&self) -> Need {
        match self {
            Write::Scale { .. } => preflight::SCALE_SETS,
            Write::SetPartition { .. }
            | Write::ScaleRecorded { .. }
            | Write::StageTemplate { .. }
            | Write::RestoreTemplate { .. }
            | Write::AnnotateTemplate { .. }
            | Write::Record { .. }
            | Write::SetStrategy { .. }
            | Write::EndRollout { .. }
            | Write::ApplySet { .. } => preflight::PATCH_SETS,
            Write::RecordBeside { .. } => preflight::CREATE_CONFIGMAPS,
            Write::ForgetBeside { .. } => preflight::DELETE_CONFIGMAPS,
            Write::DeletePod { .. } | Write::ForceDeletePod { .. } => preflight::DELETE_PODS,
            Write::TaintNode { .. } => preflight::PATCH_NODES,
            Write::EvictPod { .. } => preflight::EVICT_PODS,
            Write::DeleteSet { .. } => preflight::DELETE_SETS,
            Write::DeleteClaim { .. } => preflight::DELETE_CLAIMS,
            Write::ResizeClaim { .. } => preflight::PATCH_CLAIMS,
            Write::CreateSet(_) => preflight::CREATE_SETS,
        }
    }
}

/// Turns a write into its API request (a server-side dry run with `dry_run`).
pub async fn apply(ctx: &Context, write: &Write, dry_run: bool) -> Result<Effect> {
    let written = |sts: StatefulSet| Effect::Written(Some(Box::new(sts)));
    Ok(match write {
        Write::Scale {
            set,
            resource_version,
            replicas,
        } => {
            scale_set(ctx, set, resource_version, *replicas, dry_run).await?;
            Effect::Written(None)
        }
        Write::DeletePod { pod, uid } => Effect::Removal(delete_pod(ctx, pod, uid, None, dry_run).await?),
        Write::ForceDeletePod { pod, uid } => {
            Effect::Removal(delete_pod(ctx, pod, uid, Some(0), dry_run).await?)
        }
        Write::TaintNode {
            node,
            resource_version,
            taints,
        } => {
            taint_node(ctx, node, resource_version, taints, dry_run).await?;
            Effect::Written(None)
        }
        Write::EvictPod { pod, uid } => Effect::Removal(evict_pod(ctx, pod, uid, dry_run).await?),
        Write::DeleteSet {
            set,
            uid,
            resource_version,
            orphan,
        } => {
            delete_set(ctx, set, uid, resource_version.clone(), *orphan, dry_run).await?;
            Effect::Deleted
        }
        Write::DeleteClaim { claim, uid } => {
            delete_claim(ctx, claim, uid, dry_run).await?;
            Effect::Deleted
        }
        Write::ResizeClaim {
            claim,
            resource_version,
            size,
        } => {
            resize_claim(ctx, claim, resource_version, size, dry_run).await?;
            Effect::Written(None)
        }
        Write::CreateSet(sts) => written(create_set(ctx, sts, dry_run).await?),
        Write::ApplySet {
            set,
            object,
            manager,
            force,
        } => {
            let mut params = PatchParams::apply(manager);
            params.force = *force;
            params.dry_run = dry_run;
            written(patch_set_with(ctx, set, &Patch::Apply(object.clone()), &params).await?)
        }
        Write::RecordBeside {
            set,
            record,
            manifest,
        } => {
            record_beside(ctx, set, record, manifest.as_deref(), dry_run).await?;
            Effect::Written(None)
        }
        Write::ForgetBeside { set } => {
            let name = record_map_name(set);
            let preconditions = Preconditions::default();
            delete_object::<ConfigMap>(
                ctx,
                "configmaps",
                &name,
                preconditions,
                PropagationPolicy::Background,
                dry_run,
            )
            .await?;
            Effect::Deleted
        }
        patch => {
            let (set, body) = set_patch(patch);
            written(patch_set(ctx, set, &body, dry_run).await?)
        }
    })
}

/// `metadata` with the record of the step in its annotation.
fn with_record(mut metadata: Value, record: Option<&Record>) -> Value {
    if let Some(record) = record {
        metadata["annotations"] = json!({IN_FLIGHT: serde_json::to_string(record).unwrap_or_default()});
    }
    metadata
}

/// The patch of a write to the set itself.
fn set_patch(write: &Write) -> (&str, Patch<Value>) {
    let at = |rv: &str| json!({"resourceVersion": rv});
    match write {
        Write::SetPartition {
            set,
            resource_version,
            partition,
        } => (
            set,
            Patch::Merge(json!({"metadata": at(resource_version),
                "spec": {"updateStrategy": {"rollingUpdate": {"partition": partition}}}})),
        ),
        Write::StageTemplate {
            set,
            resource_version,
            template,
            partition,
            annotations,
        } => {
            let mut metadata = at(resource_version);
            metadata["annotations"] = annotations.clone();
            let mut spec = json!({"template": template});
            if let Some(partition) = partition {
                spec["updateStrategy"] = json!({"rollingUpdate": {"partition": partition}});
            }
            (set, Patch::Strategic(json!({"metadata": metadata, "spec": spec})))
        }
        Write::RestoreTemplate {
            set,
            resource_version,
            template,
            record,
            abandoned,
        } => {
            let mut template = template.clone();
            template["$patch"] = json!("replace");
            let mut metadata = with_record(at(resource_version), record.as_ref());
            if let Some(list) = abandoned {
                metadata["annotations"][ABANDONED_REVISIONS] = json!(list);
            }
            (
                set,
                Patch::Strategic(json!({"metadata": metadata, "spec": {"template": template}})),
            )
        }
        Write::AnnotateTemplate {
            set,
            resource_version,
            key,
            value,
            record,
        } => (
            set,
            Patch::Strategic(
                json!({"metadata": with_record(at(resource_version), record.as_ref()),
                "spec": {"template": {"metadata": {"annotations": {key: value}}}}}),
            ),
        ),
        Write::ScaleRecorded {
            set,
            resource_version,
            replicas,
            record,
        } => (
            set,
            Patch::Merge(
                json!({"metadata": with_record(at(resource_version), Some(record)),
                "spec": {"replicas": replicas}}),
            ),
        ),
        Write::Record { set, record } => {
            let text = record
                .as_ref()
                .map(|r| json!(serde_json::to_string(r).unwrap_or_default()));
            (
                set,
                Patch::Merge(json!({"metadata": {"annotations": {IN_FLIGHT: text}}})),
            )
        }
        Write::SetStrategy {
            set,
            resource_version,
            strategy,
            restarted_at,
            record,
        } => {
            let text = record
                .as_ref()
                .map(|r| json!(serde_json::to_string(r).unwrap_or_default()));
            let mut spec = json!({"updateStrategy": strategy});
            if let Some(at) = restarted_at {
                spec["template"] = json!({"metadata": {"annotations": {RESTARTED_AT: at}}});
            }
            (
                set,
                Patch::Merge(
                    json!({"metadata": {"resourceVersion": resource_version, "annotations": {IN_FLIGHT: text}}, "spec": spec}),
                ),
            )
        }
        Write::EndRollout { set, partition } => {
            let annotations = json!({PARTITION_BEFORE: null, REVISION_BEFORE: null, IN_FLIGHT: null});
            let mut patch = json!({"metadata": {"annotations": annotations}});
            if let Some(partition) = partition {
                patch["spec"] = json!({"updateStrategy": {"rollingUpdate": {"partition": partition}}});
            }
            (set, Patch::Merge(patch))
        }
        other => unreachable!("not a patch of the set: {other:?}"),
    }
}

/// The template change, the partition and the records for `abort` (and the record of a step
/// in flight, when given), in one write at the set's resourceVersion.
pub fn stage(plan: &RolloutPlan, resource_version: String, record: Option<&Record>) -> Write {
    let containers = |init: bool| -> Vec<Value> {
        plan.changes
            .iter()
            .filter(|c| c.init == init)
            .map(|c| json!({"name": c.container, "image": c.to}))
            .collect()
    };
    let mut pod_spec = Map::new();
    for (field, init) in [("containers", false), ("initContainers", true)] {
        let list = containers(init);
        if !list.is_empty() {
            pod_spec.insert(field.to_string(), Value::Array(list));
        }
    }
    let mut annotations = Map::new();
    if let Some(before) = &plan.revision_before {
        annotations.insert(REVISION_BEFORE.into(), json!(before));
    }
    if let Some(before) = plan.partition_before {
        annotations.insert(PARTITION_BEFORE.into(), json!(before.to_string()));
    }
    if let Some(record) = record {
        annotations.insert(
            IN_FLIGHT.into(),
            json!(serde_json::to_string(record).unwrap_or_default()),
        );
    }
    Write::StageTemplate {
        set: plan.name.clone(),
        resource_version,
        template: json!({"spec": pod_spec}),
        partition: plan.partition_before.map(|_| plan.partition),
        annotations: Value::Object(annotations),
    }
}

/// What became of a pod we asked to take down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodRemoval {
    /// Deleted or evicted now (it may stay Terminating for its grace period).
    Requested,
    /// It was already gone (404).
    AlreadyGone,
    /// 409: the precondition failed (a pod of that name with another uid), or the server
    /// refused the write as a conflict; the caller looks at the pod to tell which.
    Conflict,
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
async fn delete_pod(
    ctx: &Context,
    name: &str,
    uid: &str,
    grace: Option<u32>,
    dry_run: bool,
) -> Result<PodRemoval> {
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let params = DeleteParams {
        dry_run,
        grace_period_seconds: grace,
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
async fn evict_pod(ctx: &Context, name: &str, uid: &str, dry_run: bool) -> Result<PodRemoval> {
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
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(PodRemoval::AlreadyGone),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(PodRemoval::Conflict),
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
async fn patch_set(ctx: &Context, name: &str, patch: &Patch<Value>, dry_run: bool) -> Result<StatefulSet> {
    patch_set_with(ctx, name, patch, &patch_params(dry_run)).await
}

async fn patch_set_with(
    ctx: &Context,
    name: &str,
    patch: &Patch<Value>,
    params: &PatchParams,
) -> Result<StatefulSet> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let call = ApiCall::on("patch", "statefulsets", &ctx.namespace, name);
    ctx.call(call, || api.patch(name, params, patch)).await
}

/// Replaces node `name`'s taints, on condition that it is still at the resourceVersion it was
/// read at (a Conflict otherwise: `error::is_conflict`), as `kubectl taint` updates a node.
async fn taint_node(ctx: &Context, name: &str, rv: &str, taints: &Value, dry_run: bool) -> Result<()> {
    let api: Api<k8s_openapi::api::core::v1::Node> = Api::all(ctx.client.clone());
    let patch = json!({"metadata": {"resourceVersion": rv}, "spec": {"taints": taints}});
    let params = patch_params(dry_run);
    let call = ApiCall {
        verb: "patch",
        resource: "nodes",
        namespace: None,
        name: Some(name),
    };
    let body = Patch::Merge(&patch);
    ctx.call(call, || api.patch(name, &params, &body)).await?;
    Ok(())
}

/// Sets `spec.replicas` through the scale subresource, on condition that the set is still at
/// the resourceVersion it was read at (a Conflict otherwise: `error::is_conflict`).
async fn scale_set(ctx: &Context, name: &str, rv: &str, replicas: i32, dry_run: bool) -> Result<()> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let patch = json!({"metadata": {"resourceVersion": rv}, "spec": {"replicas": replicas}});
    let params = patch_params(dry_run);
    let call = ApiCall::on("patch", "statefulsets", &ctx.namespace, name);
    let body = Patch::Merge(&patch);
    ctx.call(call, || api.patch_scale(name, &params, &body)).await?;
    Ok(())
}

/// Deletes `name` of `resource` with `propagation`, on condition that it is still the object
/// `preconditions` name (uid, and resourceVersion if given): a Conflict otherwise
/// (`error::is_conflict`).
async fn delete_object<K>(
    ctx: &Context,
    resource: &'static str,
    name: &str,
    preconditions: Preconditions,
    propagation: PropagationPolicy,
    dry_run: bool,
) -> Result<()>
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
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(err) => Err(describe_kube_error(&err, call, &ctx.target)),
    }
}

/// Deletes set `name` while it has `uid` (and `resource_version`, when given).
async fn delete_set(
    ctx: &Context,
    name: &str,
    uid: &str,
    resource_version: Option<String>,
    orphan: bool,
    dry_run: bool,
) -> Result<()> {
    let preconditions = Preconditions {
        uid: Some(uid.to_string()),
        resource_version,
    };
    let propagation = match orphan {
        true => PropagationPolicy::Orphan,
        false => PropagationPolicy::Background,
    };
    delete_object::<StatefulSet>(ctx, "statefulsets", name, preconditions, propagation, dry_run).await
}

/// Deletes claim `name` if it still has `uid`.
async fn delete_claim(ctx: &Context, name: &str, uid: &str, dry_run: bool) -> Result<()> {
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
async fn resize_claim(
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
async fn create_set(ctx: &Context, sts: &StatefulSet, dry_run: bool) -> Result<StatefulSet> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let call = ApiCall {
        verb: "create",
        resource: "statefulsets",
        namespace: Some(&ctx.namespace),
        name: sts.metadata.name.as_deref(),
    };
    let params = PostParams {
        dry_run,
        ..PostParams::default()
    };
    ctx.call(call, || api.create(&params, sts)).await
}

/// Creates (or, when it exists, replaces the data of) the ConfigMap recording a step of set
/// `set`: owned by nobody, so that it survives the set.
async fn record_beside(
    ctx: &Context,
    set: &str,
    record: &Record,
    manifest: Option<&str>,
    dry_run: bool,
) -> Result<()> {
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let name = record_map_name(set);
    let mut data = std::collections::BTreeMap::new();
    data.insert(RECORD_KEY.to_string(), serde_json::to_string(record)?);
    if let Some(manifest) = manifest {
        data.insert(MANIFEST_KEY.to_string(), manifest.to_string());
    }
    let map = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.clone()),
            labels: Some([(RECORD_LABEL.to_string(), set.to_string())].into()),
            ..Default::default()
        },
        data: Some(data.clone()),
        ..Default::default()
    };
    let params = PostParams {
        dry_run,
        ..PostParams::default()
    };
    let call = ApiCall::on("create", "configmaps", &ctx.namespace, &name);
    match ctx.answer(call, || api.create(&params, &map)).await? {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => {
            let call = ApiCall::on("patch", "configmaps", &ctx.namespace, &name);
            let patch = Patch::Merge(json!({"data": data}));
            let params = patch_params(dry_run);
            ctx.call(call, || api.patch(&name, &params, &patch)).await?;
            Ok(())
        }
        Err(err) => Err(describe_kube_error(&err, call, &ctx.target)),
    }
}
