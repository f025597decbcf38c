//! `kubectl sts plan -f FILE…`: a changed manifest against the live sets. Reads the files (or
//! stdin), and for every StatefulSet in them: the live set with its claims, the manifest as
//! the API server would store it (a dry-run create: its defaulting, never a hand-kept list),
//! and for each changed top-level field whether the server accepts it as an update (a dry-run
//! update of that field alone: the list differs between Kubernetes versions). The plan is
//! `model::change::plan`'s. Changes nothing. Exit 0 no change, 5 changes, 3 refused.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use anyhow::{Context as _, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use serde::Serialize;
use serde_json::Value;

use crate::cli::{OutputFormat, PlanArgs};
use crate::context::Context;
use crate::error::{ApiCall, StsError, is_not_found};
use crate::fetch;
use crate::model::change::documents::{Document, parse};
use crate::model::change::plan::{Action, Facts, SetPlan, changed_fields, plan_change, plan_create};
use crate::model::set;
use crate::model::set::snapshot::SetSnapshot;
use crate::output::plan::write_plan;
use crate::output::{Style, write_document};

/// The field manager the tool's writes and dry runs go under.
const FIELD_MANAGER: &str = "kubectl-sts";

/// Top-level fields whose plan does not hang on the server's answer to an update.
const PLANNED_WITHOUT_ASKING: [&str; 4] = ["selector", "serviceName", "template", "volumeClaimTemplates"];

/// What `plan -o json` prints.
#[derive(Debug, Serialize)]
struct PlanDocument {
    kind: &'static str,
    version: &'static str,
    sets: Vec<SetPlan>,
    /// Objects of the input that are not StatefulSets: left alone.
    not_handled: Vec<String>,
    outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    NoChange,
    Changes,
    Refused,
}

/// Plans every StatefulSet of the input; prints; exits by the outcome.
pub async fn run(ctx: &Context, args: &PlanArgs) -> Result<()> {
    let documents = read_documents(&args.files)?;
    let (sets, others): (Vec<Document>, Vec<Document>) =
        documents.into_iter().partition(Document::is_statefulset);
    let mut plans = Vec::new();
    for document in &sets {
        let ctx = &namespace_of(ctx, document)?;
        plans.push(plan_one(ctx, document, args.allow_service_name_change).await?);
    }
    let outcome = match () {
        _ if plans.iter().any(|p| p.action == Action::Refused) => Outcome::Refused,
        _ if plans.iter().any(|p| p.action != Action::NoChange) => Outcome::Changes,
        _ => Outcome::NoChange,
    };
    let document = PlanDocument {
        kind: "StatefulSetManifestPlan",
        version: "v1",
        sets: plans,
        not_handled: others.iter().map(Document::place).collect(),
        outcome,
    };
    print(ctx, &document)?;
    verdict(&document)
}

/// Every object of every file, in order; `-` is stdin.
fn read_documents(files: &[String]) -> Result<Vec<Document>> {
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
fn namespace_of(ctx: &Context, document: &Document) -> Result<Context> {
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

async fn plan_one(ctx: &Context, document: &Document, allow_service_name_change: bool) -> Result<SetPlan> {
    let manifest = &document.object;
    let (place, origin) = (document.place(), document.origin());
    let snap = match fetch::snapshot(ctx, &document.name).await {
        Err(err) if is_not_found(&err) => {
            dry_run_create(ctx, manifest, false)
                .await?
                .map_err(|why| refused_by_server(&place, &why))?;
            return Ok(plan_create(manifest, &ctx.namespace, &origin));
        }
        other => other?,
    };
    let live = serde_json::to_value(&snap.set)?;
    let desired = dry_run_create(ctx, manifest, true)
        .await?
        .map_err(|why| refused_by_server(&place, &why))?;
    let mut facts = Facts {
        claims: claims_by_template(&snap),
        allow_service_name_change,
        ..Facts::default()
    };
    for field in changed_fields(&live, manifest, &desired) {
        if !PLANNED_WITHOUT_ASKING.contains(&field.as_str())
            && !updatable(ctx, &live, &desired, &field).await?
        {
            facts.refused_by_server.push(field);
        }
    }
    Ok(plan_change(&live, manifest, &desired, &facts, &origin))
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

fn print(ctx: &Context, document: &PlanDocument) -> Result<()> {
    let mut out = ctx.stdout();
    match ctx.output {
        OutputFormat::Table | OutputFormat::Wide => write_plan(
            &mut out,
            &document.sets,
            &document.not_handled,
            Style::for_stdout(),
        )?,
        format => write_document(&mut out, format, document)?,
    }
    out.flush()?;
    Ok(())
}

/// 0 no change, 5 changes to carry out, 3 a change refused (named).
fn verdict(document: &PlanDocument) -> Result<()> {
    match document.outcome {
        Outcome::NoChange => Ok(()),
        Outcome::Changes => {
            let count: usize = document.sets.iter().map(|s| s.changes.len()).sum();
            let created = document
                .sets
                .iter()
                .filter(|s| s.action == Action::Create)
                .count();
            eprintln!("{count} change(s) to live sets and {created} set(s) to create (exit 5)");
            Err(StsError::ChangesPending.into())
        }
        Outcome::Refused => {
            let first = document
                .sets
                .iter()
                .flat_map(|s| s.changes.iter().map(move |c| (s, c)))
                .find(|(_, c)| c.how == crate::model::change::plan::How::Refused);
            let text = match first {
                Some((set, change)) => format!(
                    "statefulset {}/{}: {} is refused: {}",
                    set.namespace,
                    set.name,
                    change.path,
                    change.note.as_deref().unwrap_or_default()
                ),
                None => "a change is refused".to_string(),
            };
            Err(StsError::CheckFailed(text).into())
        }
    }
}
