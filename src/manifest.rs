//! Manifests read from files, and what the API server says about them: the objects of every
//! `-f` (stdin for `-`), the namespace each goes to, and for a StatefulSet its plan against
//! the live set — the manifest as the server would store it (a dry-run create: its defaulting,
//! never a hand-kept list), for each changed top-level field whether the server accepts it as
//! an update (a dry-run update of that field alone: the list differs between Kubernetes
//! versions), and which fields a server-side apply would take from another field manager.
//! Shared by `plan -f` and `apply -f`; nothing here writes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use anyhow::{Context as _, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::Value;

use crate::cli::ManifestArgs;
use crate::context::Context;
use crate::engine::MAX_REPLANS;
use crate::error::{ApiCall, StsError, is_conflict, is_not_found};
use crate::fetch;
use crate::model::change::apply::{Conflict, conflicts_of};
use crate::model::change::documents::{Document, parse};
use crate::model::change::plan::{Facts, SetPlan, changed_fields, plan_change, plan_create};
use crate::model::set;
use crate::model::set::snapshot::SetSnapshot;

/// The field manager the tool's writes and dry runs go under, unless `--field-manager` names
/// another.
pub const FIELD_MANAGER: &str = "kubectl-sts";

/// Top-level fields whose plan does not hang on the server's answer to an update.
const PLANNED_WITHOUT_ASKING: [&str; 4] = ["selector", "serviceName", "template", "volumeClaimTemplates"];

/// What the user allows beyond the safe default (flags shared by `plan` and `apply`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Allowed {
    pub service_name_change: bool,
    pub replacing_pending_claims: bool,
}

impl From<&ManifestArgs> for Allowed {
    fn from(args: &ManifestArgs) -> Allowed {
        Allowed {
            service_name_change: args.allow_service_name_change,
            replacing_pending_claims: args.replace_pending_claims,
        }
    }
}

/// A StatefulSet of the input, planned against the cluster.
pub struct Asked {
    pub plan: SetPlan,
    /// The live set with its pods and claims (`None`: it does not exist).
    pub live: Option<SetSnapshot>,
}

/// Every object of every file, in order; `-` is stdin.
pub fn read_documents(files: &[String]) -> Result<Vec<Document>> {
    let mut documents = Vec::new();
    for file in files {
        let mut text = String::new();
        let read = match file.as_str() {
            "-" => std::io::stdin().read_to_string(&mut text).map(|_| ()),
            path => std::fs::read_to_string(path).map(|t| text = t),
        };
        read.map_err(|e| StsError::BadInput(format!("cannot read {file}: {e}")))?;
        let source = if file == "-" { "stdin" } else { file };
        documents.extend(parse(source, &text).map_err(StsError::from)?);
    }
    Ok(documents)
}

/// The context in the document's namespace: its own when it names one (refused when it is not
/// the one `-n` names), else the command's.
pub fn namespace_of(ctx: &Context, document: &Document) -> Result<Context> {
    match &document.namespace {
        Some(namespace) if namespace != &ctx.namespace && ctx.namespace_given => Err(StsError::BadInput(format!(
            "{} is in namespace {namespace}, not {} as -n says: drop -n, or the namespace from the manifest",
            document.place(),
            ctx.namespace
        ))
        .into()),
        Some(namespace) => Ok(ctx.in_namespace(namespace)),
        None => Ok(ctx.in_namespace(&ctx.namespace)),
    }
}

/// Plans one StatefulSet document against the live set (a create when there is none). The
/// dry runs ask under the resourceVersion just read: a write by someone else meanwhile (a
/// Conflict) plans again from a fresh read, at most `MAX_REPLANS` times.
pub async fn plan_document(ctx: &Context, document: &Document, allowed: Allowed) -> Result<Asked> {
    let mut attempt = 1;
    loop {
        match plan_once(ctx, document, allowed).await {
            Err(err) if is_conflict(&err) && attempt < MAX_REPLANS => attempt += 1,
            other => return other,
        }
    }
}

async fn plan_once(ctx: &Context, document: &Document, allowed: Allowed) -> Result<Asked> {
    let manifest = &document.object;
    let (place, origin) = (document.place(), document.origin());
    let snap = match fetch::snapshot(ctx, &document.name).await {
        Err(err) if is_not_found(&err) => {
            dry_run_create(ctx, manifest, false)
                .await?
                .map_err(|why| refused_by_server(&place, &why))?;
            let plan = plan_create(manifest, &ctx.namespace, &origin);
            return Ok(Asked { plan, live: None });
        }
        other => other?,
    };
    let live = serde_json::to_value(&snap.set)?;
    let desired = dry_run_create(ctx, manifest, true)
        .await?
        .map_err(|why| refused_by_server(&place, &why))?;
    let mut facts = Facts {
        claims: claims_by_template(&snap),
        unbound: unbound_claims(&snap),
        allow_service_name_change: allowed.service_name_change,
        replace_pending_claims: allowed.replacing_pending_claims,
        ..Facts::default()
    };
    for field in changed_fields(&live, manifest, &desired) {
        if !PLANNED_WITHOUT_ASKING.contains(&field.as_str())
            && !updatable(ctx, &live, &desired, &field).await?
        {
            facts.refused_by_server.push(field);
        }
    }
    let plan = plan_change(&live, manifest, &desired, &facts, &origin);
    Ok(Asked {
        plan,
        live: Some(snap),
    })
}

fn refused_by_server(place: &str, why: &str) -> anyhow::Error {
    StsError::BadInput(format!("{place}: the API server refuses it: {why}")).into()
}

fn sets_api(ctx: &Context) -> Api<DynamicObject> {
    Api::namespaced_with(
        ctx.client.clone(),
        &ctx.namespace,
        &ApiResource::erase::<StatefulSet>(&()),
    )
}

fn dry_run() -> PostParams {
    PostParams {
        dry_run: true,
        field_manager: Some(FIELD_MANAGER.to_string()),
    }
}

/// The manifest as the server would store it (its defaults filled in), by a dry-run create —
/// under a generated name when the set exists; or the server's reason for refusing it.
async fn dry_run_create(ctx: &Context, manifest: &Value, beside_live: bool) -> Result<Result<Value, String>> {
    let mut object = manifest.clone();
    object["metadata"]["namespace"] = Value::String(ctx.namespace.clone());
    if beside_live {
        let name = manifest["metadata"]["name"].as_str().unwrap_or_default();
        object["metadata"]["generateName"] = Value::String(format!("{name}-plan-"));
        object["metadata"].as_object_mut().map(|m| m.remove("name"));
    }
    let object: DynamicObject = serde_json::from_value(object).context("the manifest is not an object")?;
    let name = manifest["metadata"]["name"].as_str().unwrap_or_default();
    let api = sets_api(ctx);
    let call = ApiCall::on("create (dry run)", "statefulsets", &ctx.namespace, name);
    let params = dry_run();
    let answer = ctx.answer(call, || api.create(&params, &object)).await?;
    server_verdict(
        answer.map(|created| serde_json::to_value(created).unwrap_or_default()),
        call,
        ctx,
    )
}

/// Whether the server takes a change of `field` alone as an update of the live set (a dry-run
/// update under the live resourceVersion).
async fn updatable(ctx: &Context, live: &Value, desired: &Value, field: &str) -> Result<bool> {
    let mut object = live.clone();
    object["spec"][field] = desired["spec"][field].clone();
    object.as_object_mut().map(|o| o.remove("status"));
    let object: DynamicObject = serde_json::from_value(object)?;
    let name = live["metadata"]["name"].as_str().unwrap_or_default();
    let api = sets_api(ctx);
    let call = ApiCall::on("update (dry run)", "statefulsets", &ctx.namespace, name);
    let params = dry_run();
    let answer = ctx.answer(call, || api.replace(name, &params, &object)).await?;
    Ok(server_verdict(answer.map(|_| ()), call, ctx)?.is_ok())
}

/// The fields a server-side apply of `object` by `manager` would take from other managers
/// (a dry-run apply without force: the server's 409 names each field and manager), with how
/// each of those managers writes (`live`'s managedFields).
pub async fn apply_conflicts(
    ctx: &Context,
    live: &StatefulSet,
    object: &Value,
    manager: &str,
) -> Result<Vec<Conflict>> {
    let name = set::name(live);
    let api = sets_api(ctx);
    let call = ApiCall::on("apply (dry run)", "statefulsets", &ctx.namespace, name);
    let params = PatchParams::apply(manager).dry_run();
    let patch = Patch::Apply(object.clone());
    match ctx.answer(call, || api.patch(name, &params, &patch)).await? {
        Ok(_) => Ok(Vec::new()),
        Err(kube::Error::Api(status)) if status.code == 409 => {
            let causes = serde_json::to_value(&status.details)?;
            let managed = serde_json::to_value(&live.metadata.managed_fields)?;
            Ok(conflicts_of(&causes, &managed))
        }
        // Refused as an update (a field that needs the re-create): no manager holds it then.
        Err(kube::Error::Api(status)) if status.code == 422 => Ok(Vec::new()),
        Err(err) => Err(crate::error::describe_kube_error(&err, call, &ctx.target)),
    }
}

/// A 422 is the server's verdict on the object (its message); anything else an error.
fn server_verdict<T>(
    answer: Result<T, kube::Error>,
    call: ApiCall<'_>,
    ctx: &Context,
) -> Result<Result<T, String>> {
    match answer {
        Ok(value) => Ok(Ok(value)),
        Err(kube::Error::Api(status)) if status.code == 422 => Ok(Err(status.message)),
        Err(err) => Err(crate::error::describe_kube_error(&err, call, &ctx.target)),
    }
}

/// The existing claims of each claim template, by name.
fn claims_by_template(snap: &SetSnapshot) -> BTreeMap<String, Vec<String>> {
    let mut claims: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for claim in &snap.claims {
        let name = claim.metadata.name.clone().unwrap_or_default();
        if let Some((template, _)) = set::claim_template_and_ordinal(&snap.set, &name) {
            claims.entry(template.to_string()).or_default().push(name);
        }
    }
    claims
}

/// The claims that never got a volume (Pending, none bound): they hold no data.
fn unbound_claims(snap: &SetSnapshot) -> BTreeSet<String> {
    snap.claims
        .iter()
        .filter(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending"))
        .filter(|c| {
            c.spec
                .as_ref()
                .and_then(|s| s.volume_name.as_deref())
                .is_none_or(str::is_empty)
        })
        .filter_map(|c| c.metadata.name.clone())
        .collect()
}
