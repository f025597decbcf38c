//! Reading cluster state into model snapshots: a fixed number of requests whatever the size
//! of the set (one get, then one list per kind, issued concurrently).

use anyhow::Result;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, ResourceQuota, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::{StorageClass, VolumeAttachment};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams};
use kube::core::Selector;

use crate::context::Context;
use crate::error::{ApiCall, StsError, is_not_found};
use crate::lean;
use crate::model::diagnosis::list::{SetList, orphaned_names, summarize_sets};
use crate::model::diagnosis::orphans::{self, Orphaned, POD_NAME_LABEL};
use crate::model::diagnosis::why::{self, Around};
use crate::model::dns::report::DnsSnapshot;
use crate::model::flow::record::{self, RECORD_LABEL, Record, record_map_name};
use crate::model::set::snapshot::{SetSnapshot, own_pods};
use crate::model::set::{self, close_names};
use crate::model::storage::claims::Storage;

/// The API call record for a namespaced list.
pub fn list_call<'a>(resource: &'static str, namespace: &'a str) -> ApiCall<'a> {
    ApiCall::list(resource, Some(namespace))
}

/// Gets the set `name` in the context's namespace; when there is none, the error names the
/// sets whose names are close (one more request, on that path only).
/// The set's pod selector, for lists and watches of its pods.
pub fn pod_selector(sts: &StatefulSet) -> Result<Selector> {
    set::selector(sts).map_err(|e| {
        anyhow::anyhow!(
            "statefulset {}/{} has a selector that cannot be read ({e}); check `spec.selector`",
            sts.metadata.namespace.as_deref().unwrap_or_default(),
            set::name(sts)
        )
    })
}

pub async fn statefulset(ctx: &Context, name: &str) -> Result<StatefulSet> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let call = ApiCall::on("get", "statefulsets", &ctx.namespace, name);
    match ctx.call(call, || api.get(name)).await {
        Err(err) if is_not_found(&err) => Err(not_found_with_hint(ctx, name).await.into()),
        other => other,
    }
}

/// `statefulset NS/NAME not found` with the close names of the namespace, or the namespaces
/// that have a set of that name, or where to look.
pub async fn not_found_with_hint(ctx: &Context, name: &str) -> StsError {
    let names: Vec<String> = statefulsets(ctx)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| s.metadata.name)
        .collect();
    let close = close_names(name, &names);
    let elsewhere = match close.is_empty() {
        true => namespaces_holding(ctx, name).await,
        false => Vec::new(),
    };
    let hint = match (close.as_slice(), elsewhere.as_slice()) {
        ([], [namespace]) => format!("namespace {namespace} has one: add `-n {namespace}`"),
        ([], [_, ..]) => format!(
            "namespaces {} have one: add `-n` with one of them",
            elsewhere.join(", ")
        ),
        ([], []) if names.is_empty() => format!(
            "namespace {} has no StatefulSets (check -n/--namespace and --context; `{}` lists every namespace)",
            ctx.namespace,
            ctx.sts("list -A")
        ),
        ([], []) => format!("`{}` lists its StatefulSets", ctx.sts("list")),
        (close, _) => format!("did you mean {}?", close.join(" or ")),
    };
    StsError::NotFound {
        kind: "statefulset",
        namespace: ctx.namespace.clone(),
        name: name.to_string(),
        hint: Some(hint),
    }
}

/// The other namespaces with a set named `name` (one list across namespaces, by field
/// selector); none when listing across namespaces is forbidden.
async fn namespaces_holding(ctx: &Context, name: &str) -> Vec<String> {
    let api: Api<StatefulSet> = Api::all(ctx.client.clone());
    let params = ListParams::default().fields(&format!("metadata.name={name}"));
    let answer = ctx
        .answer(ApiCall::list("statefulsets", None), || api.list_metadata(&params))
        .await;
    let Ok(Ok(list)) = answer else {
        return Vec::new();
    };
    let mut namespaces: Vec<String> = list
        .items
        .into_iter()
        .filter(|s| s.metadata.name.as_deref() == Some(name))
        .filter_map(|s| s.metadata.namespace)
        .filter(|ns| *ns != ctx.namespace)
        .collect();
    namespaces.sort();
    namespaces.dedup();
    namespaces
}

/// The set `name` with its pods, claims and revisions.
pub async fn snapshot(ctx: &Context, name: &str) -> Result<SetSnapshot> {
    let sts = statefulset(ctx, name).await?;
    let (pods, claims, revisions) = members(ctx, &sts).await?;
    let pods = own_pods(&sts, pods);
    Ok(SetSnapshot::new(sts, pods, claims, revisions, Timestamp::now()).with_scope(ctx.scope()))
}

/// The set `name` and what proves its members' nodes down or alive: the nodes, their Leases
/// (in `kube-node-lease`) and the volume attachments — one get, then four lists at once.
pub async fn recovery_facts(ctx: &Context, name: &str) -> Result<(SetSnapshot, NodeLists)> {
    let (snap, nodes, leases, attachments) = tokio::try_join!(
        snapshot(ctx, name),
        optional_list::<Node>(ctx, "nodes"),
        optional_in::<Lease>(ctx, "leases", NODE_LEASES),
        optional_list::<VolumeAttachment>(ctx, "volumeattachments"),
    )?;
    Ok((
        snap,
        NodeLists {
            nodes,
            leases,
            attachments,
        },
    ))
}

/// The cluster's nodes, their Leases and volume attachments, each `None` when unreadable.
pub struct NodeLists {
    pub nodes: Option<Vec<Node>>,
    pub leases: Option<Vec<Lease>>,
    pub attachments: Option<Vec<VolumeAttachment>>,
}

/// Everything `why` judges about set `name`: its snapshot, the pods its selector matches that
/// are not its own, the namespace's events, budgets and quotas, and the cluster's volumes,
/// nodes (with their Leases) and storage classes, and the Service it names — one get, then ten
/// lists and a get at once, whatever the size of the set.
/// What may not be read (403) or is not served (404) is left out and named in `unread`.
pub async fn evidence(ctx: &Context, name: &str) -> Result<(SetSnapshot, Around)> {
    let sts = statefulset(ctx, name).await?;
    let service_name = set::service_name(&sts).to_string();
    let (members, service, events, budgets, quotas, volumes, (nodes, leases), classes) = tokio::try_join!(
        members(ctx, &sts),
        readable_service(ctx, &service_name),
        optional_namespaced::<Event>(ctx, "events"),
        optional_namespaced::<PodDisruptionBudget>(ctx, "poddisruptionbudgets"),
        optional_namespaced::<ResourceQuota>(ctx, "resourcequotas"),
        optional_list::<PersistentVolume>(ctx, "persistentvolumes"),
        async {
            tokio::try_join!(
                optional_list::<Node>(ctx, "nodes"),
                optional_in::<Lease>(ctx, "leases", NODE_LEASES),
            )
        },
        optional_list::<StorageClass>(ctx, "storageclasses"),
    )?;
    let (pods, claims, revisions) = members;
    let why::MatchedPods { own, strangers } = why::split_pods(&sts, pods);
    let unread = [
        ("services", service.is_none()),
        ("events", events.is_none()),
        ("poddisruptionbudgets", budgets.is_none()),
        ("resourcequotas", quotas.is_none()),
        ("persistentvolumes", volumes.is_none()),
        ("nodes", nodes.is_none()),
        ("leases", leases.is_none()),
        ("storageclasses", classes.is_none()),
    ]
    .into_iter()
    .filter_map(|(kind, missing)| missing.then_some(kind))
    .collect();
    let snap = SetSnapshot::new(sts, own, claims, revisions, Timestamp::now()).with_scope(ctx.scope());
    let around = Around {
        strangers,
        events: events.unwrap_or_default(),
        budgets: budgets.unwrap_or_default(),
        quotas: quotas.unwrap_or_default(),
        volumes,
        nodes,
        leases,
        classes,
        unread,
        service,
    };
    Ok((snap, around))
}

/// The nodes, and their Leases, of the set's pods that are not Ready or are Terminating
/// (`status::nodes_to_read`): what `status` needs to tell a member whose node is going down.
/// Nothing is read while every pod is Ready; a node or Lease that cannot be read (forbidden,
/// gone) is left out, as `why` leaves out what it cannot read.
pub async fn nodes_of_unready_pods(ctx: &Context, snap: &SetSnapshot) -> Around {
    let names = crate::model::diagnosis::status::nodes_to_read(snap);
    if names.is_empty() {
        return Around::default();
    }
    let nodes_api: Api<Node> = Api::all(ctx.client.clone());
    let leases_api: Api<Lease> = Api::namespaced(ctx.client.clone(), NODE_LEASES);
    let read = names.iter().map(|name| async {
        let node = ctx.answer(ApiCall::on("get", "nodes", "", name), || nodes_api.get(name));
        let lease = ctx.answer(ApiCall::on("get", "leases", NODE_LEASES, name), || {
            leases_api.get(name)
        });
        let (node, lease) = tokio::join!(node, lease);
        (node.ok().and_then(Result::ok), lease.ok().and_then(Result::ok))
    });
    let (nodes, leases): (Vec<_>, Vec<_>) = futures::future::join_all(read).await.into_iter().unzip();
    Around {
        nodes: Some(nodes.into_iter().flatten().collect()),
        leases: Some(leases.into_iter().flatten().collect()),
        ..Around::default()
    }
}

/// The namespace of the nodes' heartbeat Leases.
const NODE_LEASES: &str = "kube-node-lease";

/// The pods (by the set's selector: the caller keeps those it wants), claims (by name) and
/// revisions (owned by the set) of `sts`, listed concurrently; pods and claims read lean.
async fn members(
    ctx: &Context,
    sts: &StatefulSet,
) -> Result<(Vec<Pod>, Vec<PersistentVolumeClaim>, Vec<ControllerRevision>)> {
    let ns = ctx.namespace.as_str();
    let by_selector = ListParams::default().labels_from(&pod_selector(sts)?);
    let everything = ListParams::default();
    let revisions_api: Api<ControllerRevision> = Api::namespaced(ctx.client.clone(), ns);
    let client = &ctx.client;
    let pods = ctx.call(list_call("pods", ns), || {
        lean::list::<Pod>(client, ns, &by_selector)
    });
    let claims = ctx.call(list_call("persistentvolumeclaims", ns), || {
        lean::list::<PersistentVolumeClaim>(client, ns, &everything)
    });
    let revisions = ctx.call(list_call("controllerrevisions", ns), || {
        revisions_api.list(&by_selector)
    });
    let (pods, claims, revisions) = tokio::try_join!(pods, claims, revisions)?;
    Ok((
        pods,
        own_claims(sts, claims),
        owned_revisions(sts, revisions.items),
    ))
}

/// Claims named after one of the set's templates: `<template>-<set>-<ordinal>`.
pub fn own_claims(sts: &StatefulSet, claims: Vec<PersistentVolumeClaim>) -> Vec<PersistentVolumeClaim> {
    claims
        .into_iter()
        .filter(|c| {
            set::claim_template_and_ordinal(sts, c.metadata.name.as_deref().unwrap_or_default()).is_some()
        })
        .collect()
}

/// Revisions whose controller is this set (by uid).
pub fn owned_revisions(sts: &StatefulSet, revisions: Vec<ControllerRevision>) -> Vec<ControllerRevision> {
    let uid = sts.metadata.uid.as_deref();
    let mut owned: Vec<ControllerRevision> = revisions
        .into_iter()
        .filter(|r| {
            r.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| Some(o.uid.as_str()) == uid)
        })
        .collect();
    owned.sort_by_key(|r| r.revision);
    owned
}

/// The PodDisruptionBudgets of the context's namespace.
pub async fn budgets(ctx: &Context) -> Result<Vec<k8s_openapi::api::policy::v1::PodDisruptionBudget>> {
    let api: Api<k8s_openapi::api::policy::v1::PodDisruptionBudget> =
        Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let params = ListParams::default();
    let list = ctx
        .call(list_call("poddisruptionbudgets", &ctx.namespace), || {
            api.list(&params)
        })
        .await?;
    Ok(list.items)
}

/// The namespace's claims and pods and the cluster's volumes and storage classes, listed
/// concurrently (four requests). Volumes and classes are `None` when the user may not list
/// them (403): what depends on them is then reported as unknown.
pub async fn storage(ctx: &Context) -> Result<Storage> {
    let ns = ctx.namespace.as_str();
    let everything = ListParams::default();
    let claims_api: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), ns);
    let pods_api: Api<Pod> = Api::namespaced(ctx.client.clone(), ns);
    let (claims, pods, volumes, classes) = tokio::try_join!(
        ctx.call(list_call("persistentvolumeclaims", ns), || claims_api
            .list(&everything)),
        ctx.call(list_call("pods", ns), || pods_api.list(&everything)),
        optional_list::<PersistentVolume>(ctx, "persistentvolumes"),
        optional_list::<StorageClass>(ctx, "storageclasses"),
    )?;
    Ok(Storage {
        claims: claims.items,
        pods: pods.items,
        volumes,
        classes,
        taken_at: Timestamp::now(),
        scope: ctx.scope(),
    })
}

/// The set `name` and `storage`, all five requests at once.
pub async fn set_storage(ctx: &Context, name: &str) -> Result<(StatefulSet, Storage)> {
    tokio::try_join!(statefulset(ctx, name), storage(ctx))
}

/// The StatefulSets of the context's namespace.
pub async fn statefulsets(ctx: &Context) -> Result<Vec<StatefulSet>> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let call = list_call("statefulsets", &ctx.namespace);
    let params = ListParams::default();
    Ok(ctx.call(call, || api.list(&params)).await?.items)
}

/// Every object of a cluster-scoped kind, or `None` if listing it is forbidden.
async fn optional_list<K>(ctx: &Context, resource: &'static str) -> Result<Option<Vec<K>>>
where
    K: kube::Resource<Scope = k8s_openapi::ClusterResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::all(ctx.client.clone());
    let call = ApiCall::list(resource, None);
    let params = ListParams::default();
    unless_refused(ctx, call, ctx.answer(call, || api.list(&params)).await?)
}

/// Every object of a kind in the context's namespace, or `None` if listing it is forbidden or
/// the server does not serve the kind.
async fn optional_namespaced<K>(ctx: &Context, resource: &'static str) -> Result<Option<Vec<K>>>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    optional_in(ctx, resource, &ctx.namespace).await
}

/// Every object of a kind in `namespace`, or `None` if listing it is forbidden or not served.
async fn optional_in<K>(ctx: &Context, resource: &'static str, namespace: &str) -> Result<Option<Vec<K>>>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(ctx.client.clone(), namespace);
    let call = list_call(resource, namespace);
    let params = ListParams::default();
    unless_refused(ctx, call, ctx.answer(call, || api.list(&params)).await?)
}

/// A list's items; `None` for 403 (not allowed) and 404 (a kind the server does not serve).
fn unless_refused<K>(
    ctx: &Context,
    call: ApiCall<'_>,
    answer: Result<kube::core::ObjectList<K>, kube::Error>,
) -> Result<Option<Vec<K>>>
where
    K: Clone,
{
    match answer {
        Ok(list) => Ok(Some(list.items)),
        Err(kube::Error::Api(status)) if status.code == 403 || status.code == 404 => Ok(None),
        Err(err) => Err(crate::error::describe_kube_error(&err, call, &ctx.target)),
    }
}

/// The set `name`, the Service its `spec.serviceName` names (`None` if it does not exist),
/// its pods (by the set's selector) and that Service's EndpointSlices (by the label
/// `kubernetes.io/service-name`): one get, then three requests at once, whatever the size.
pub async fn dns_snapshot(ctx: &Context, name: &str) -> Result<DnsSnapshot> {
    let sts = statefulset(ctx, name).await?;
    let ns = ctx.namespace.as_str();
    let service = set::service_name(&sts).to_string();
    let pods_api: Api<Pod> = Api::namespaced(ctx.client.clone(), ns);
    let by_selector = ListParams::default().labels_from(&pod_selector(&sts)?);
    let (service, pods, slices) = tokio::try_join!(
        optional_service(ctx, &service),
        ctx.call(list_call("pods", ns), || pods_api.list(&by_selector)),
        service_slices(ctx, &service),
    )?;
    let pods = own_pods(&sts, pods.items);
    Ok(DnsSnapshot {
        set: sts,
        service,
        pods,
        slices,
        taken_at: Timestamp::now(),
    })
}

/// The Service `name` of the context's namespace, `None` when it does not exist (or no name).
async fn optional_service(ctx: &Context, name: &str) -> Result<Option<Service>> {
    if name.is_empty() {
        return Ok(None);
    }
    let api: Api<Service> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let call = ApiCall::on("get", "services", &ctx.namespace, name);
    match ctx.answer(call, || api.get(name)).await? {
        Ok(service) => Ok(Some(service)),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(None),
        Err(err) => Err(crate::error::describe_kube_error(&err, call, &ctx.target)),
    }
}

/// Service `name` as `why` reads it: `Some(None)` when it does not exist (or the set names
/// none), `None` when it may not be read.
async fn readable_service(ctx: &Context, name: &str) -> Result<Option<Option<Service>>> {
    if name.is_empty() {
        return Ok(Some(None));
    }
    let api: Api<Service> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let call = ApiCall::on("get", "services", &ctx.namespace, name);
    match ctx.answer(call, || api.get(name)).await? {
        Ok(service) => Ok(Some(Some(service))),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(Some(None)),
        Err(kube::Error::Api(status)) if status.code == 403 => Ok(None),
        Err(err) => Err(crate::error::describe_kube_error(&err, call, &ctx.target)),
    }
}

/// The EndpointSlices of Service `name` (none without a name).
async fn service_slices(ctx: &Context, name: &str) -> Result<Vec<EndpointSlice>> {
    if name.is_empty() {
        return Ok(Vec::new());
    }
    let api: Api<EndpointSlice> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let by_service = ListParams::default().labels(&format!("kubernetes.io/service-name={name}"));
    let call = list_call("endpointslices", &ctx.namespace);
    Ok(ctx.call(call, || api.list(&by_service)).await?.items)
}

/// The record beside set `name` (a ConfigMap) and the manifest it holds, if there is one.
pub async fn record_beside(ctx: &Context, name: &str) -> Result<Option<(Record, Option<String>)>> {
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let map_name = record_map_name(name);
    let call = ApiCall::on("get", "configmaps", &ctx.namespace, &map_name);
    match ctx.answer(call, || api.get_opt(&map_name)).await? {
        Ok(map) => Ok(map.as_ref().and_then(record::in_map)),
        Err(kube::Error::Api(status)) if status.code == 403 => Ok(None),
        Err(err) => Err(crate::error::describe_kube_error(&err, call, &ctx.target)),
    }
}

/// What a set named `name` that does not exist left: its pods without a set, its claims, the
/// record of a step in flight (three requests at once, asked only when the set is missing).
pub async fn orphaned(ctx: &Context, name: &str) -> Result<Option<Orphaned>> {
    let ns = ctx.namespace.as_str();
    let pods_api: Api<Pod> = Api::namespaced(ctx.client.clone(), ns);
    let claims_api: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), ns);
    let by_label = ListParams::default().labels(POD_NAME_LABEL);
    let everything = ListParams::default();
    let maps_api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), ns);
    let map_name = record_map_name(name);
    let map_call = ApiCall::on("get", "configmaps", ns, &map_name);
    let (pods, claims, map) = tokio::try_join!(
        ctx.call(list_call("pods", ns), || pods_api.list(&by_label)),
        ctx.call(list_call("persistentvolumeclaims", ns), || claims_api
            .list(&everything)),
        ctx.call(map_call, || maps_api.get_opt(&map_name)),
    )?;
    Ok(orphans::orphaned(
        &ctx.scope(),
        name,
        &pods.items,
        &claims.items,
        map.as_ref(),
    ))
}

/// What `set_list` looks for besides the sets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Orphans {
    /// The names of sets gone that left pods or a record: two more lists, at the same time
    /// (`list` in one context).
    Named,
    /// None: one request (`list` across many contexts, where listing every pod of every
    /// cluster would cost more than the overview is worth).
    NotLooked,
}

/// The sets of the namespace (or all of them), and the orphaned names if asked for.
pub async fn set_list(ctx: &Context, all_namespaces: bool, orphans: Orphans) -> Result<SetList> {
    let namespace = (!all_namespaces).then_some(ctx.namespace.as_str());
    let sets_api: Api<StatefulSet> = scoped(ctx, namespace);
    let params = ListParams::default();
    let sets = ctx.call(ApiCall::list("statefulsets", namespace), || {
        sets_api.list(&params)
    });
    if orphans == Orphans::NotLooked {
        return Ok(summarize_sets(&sets.await?.items, Timestamp::now()));
    }
    let (pods, maps): (Api<Pod>, Api<ConfigMap>) = (scoped(ctx, namespace), scoped(ctx, namespace));
    let (pod_params, map_params) = (
        ListParams::default().labels(POD_NAME_LABEL),
        ListParams::default().labels(RECORD_LABEL),
    );
    let (sets, pods, maps) = tokio::try_join!(
        sets,
        ctx.call(ApiCall::list("pods", namespace), || pods.list(&pod_params)),
        ctx.call(ApiCall::list("configmaps", namespace), || maps.list(&map_params)),
    )?;
    let mut list = summarize_sets(&sets.items, Timestamp::now());
    list.orphaned = orphaned_names(&list, &pods.items, &maps.items);
    Ok(list)
}

/// The API of a namespaced kind in `namespace`, or in every namespace.
fn scoped<K>(ctx: &Context, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
{
    match namespace {
        Some(ns) => Api::namespaced(ctx.client.clone(), ns),
        None => Api::all(ctx.client.clone()),
    }
}
