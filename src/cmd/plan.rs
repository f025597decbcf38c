//! `kubectl sts plan -f FILE…`: a changed manifest against the live sets. Reads the files (or
//! stdin) and plans every StatefulSet in them as `manifest::plan_document` asks the server
//! (the plan itself is `model::change::plan`'s). Changes nothing. Exit 0 no change, 5
//! changes, 3 refused.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::cli::{OutputFormat, PlanArgs};
use crate::context::Context;
use crate::error::StsError;
use crate::manifest::{namespace_of, plan_document, read_documents};
use crate::model::change::documents::Document;
use crate::model::change::plan::{Action, SetPlan};
use crate::output::plan::write_plan;
use crate::output::{Style, write_document};

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
    let documents = read_documents(&args.manifest.files)?;
    let (sets, others): (Vec<Document>, Vec<Document>) =
        documents.into_iter().partition(Document::is_statefulset);
    let mut plans = Vec::new();
    for document in &sets {
        let ctx = &namespace_of(ctx, document)?;
        plans.push(plan_document(ctx, document, (&args.manifest).into()).await?.plan);
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
            let first = document.sets.iter().find_map(SetPlan::first_refusal);
            Err(StsError::CheckFailed(first.unwrap_or_else(|| "a change is refused".into())).into())
        }
    }
}
