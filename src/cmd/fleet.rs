//! `--contexts a,b,c` / `--all-contexts`: a read command asked of many kubeconfig contexts at
//! once (at most `CONCURRENCY` at a time), each with its own cluster, credentials and
//! namespace, its results written to a buffer of its own. The answering contexts are shown —
//! `list` as one table with a CONTEXT column, the others one section per context, in the order
//! given — and each failing one is one line on stderr; `-o json|yaml` prints one document with
//! a result or an error per context. Only the read commands take the flags (any other command's
//! help does not offer them, and refuses them as any unknown flag: exit 2).

use std::io::Write as _;

use anyhow::{Result, anyhow};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;

use std::sync::Arc;

use kube::config::Kubeconfig;

use crate::cli::{Cli, Command, FleetArgs, GlobalArgs, OutputFormat};
use crate::context::{Context, Sink, kubeconfig_of};
use crate::error::StsError;
use crate::fetch::Orphans;
use crate::model::diagnosis::list::SetList;
use crate::output::{Style, list::write_list, write_document};

/// How many contexts are asked at the same time: more than most fleets have, since each wave
/// beyond the first costs a whole round trip more.
const CONCURRENCY: usize = 32;

/// Whether the command is asked of many contexts.
pub fn requested(command: &Command) -> bool {
    command.fleet().is_some_and(FleetArgs::requested)
}

/// What one context answered: its results (the buffer, or the list) or why it did not.
struct Answer {
    context: String,
    written: Vec<u8>,
    list: Option<SetList>,
    error: Option<anyhow::Error>,
}

/// One entry of the document: `{context, result}` or `{context, error}` (both when a check
/// found problems: the result and what it found).
#[derive(Serialize)]
struct Entry {
    context: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct FleetDocument {
    kind: &'static str,
    version: &'static str,
    command: String,
    results: Vec<Entry>,
}

/// Asks every context (each on a task of its own, so that TLS handshakes and decoding run on
/// every core), then reports.
pub async fn run(cli: Arc<Cli>) -> Result<()> {
    let name = reads_only(&cli.command)?;
    let kubeconfig = kubeconfig_of(&cli.global)?.ok_or_else(|| {
        anyhow!("--contexts/--all-contexts need a kubeconfig: set KUBECONFIG or pass --kubeconfig")
    })?;
    let contexts = contexts_of(cli.command.fleet().unwrap_or(&FleetArgs::default()), &kubeconfig)?;
    let kubeconfig = Arc::new(kubeconfig);
    let answers: Vec<Answer> = stream::iter(contexts)
        .map(|context| {
            let (cli, kubeconfig) = (cli.clone(), kubeconfig.clone());
            let task =
                tokio::spawn(
                    async move { answer(&cli.global, &cli.command, &kubeconfig, context.clone()).await },
                );
            async move { task.await.expect("a context's task") }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    match cli.global.output {
        OutputFormat::Table => print_tables(&cli.command, &answers)?,
        format => print_document(format, name, &answers)?,
    }
    verdict(&answers)
}

/// The command's name when it only reads (and may go to many contexts); a usage error else.
fn reads_only(command: &Command) -> Result<&'static str> {
    let name = match command {
        Command::List(_) => "list",
        Command::Status(args) if !args.watch => "status",
        Command::Status(_) => {
            return Err(StsError::Usage(
                "--watch follows one context: drop --contexts/--all-contexts".into(),
            )
            .into());
        }
        Command::Why(_) => "why",
        Command::History(_) => "history",
        Command::Pvc(args) if args.action.is_none() && !args.prune => "pvc",
        Command::Dns(_) => "dns",
        _ => {
            return Err(StsError::Usage(
                "--contexts/--all-contexts go with the read commands only (list, status, why, history, pvc without --prune, dns): a change across a fleet is refused, nothing was asked"
                    .into(),
            )
            .into());
        }
    };
    Ok(name)
}

/// The contexts named, or every context of the kubeconfig in its order.
fn contexts_of(fleet: &FleetArgs, kubeconfig: &Kubeconfig) -> Result<Vec<String>> {
    if !fleet.all_contexts {
        return Ok(fleet.contexts.clone());
    }
    let names: Vec<String> = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    if names.is_empty() {
        return Err(StsError::Usage("--all-contexts: the kubeconfig has no contexts".into()).into());
    }
    Ok(names)
}

/// Runs the command against one context, its results into a buffer of its own (JSON when a
/// document is asked for, to be put in the one document).
async fn answer(global: &GlobalArgs, command: &Command, kubeconfig: &Kubeconfig, context: String) -> Answer {
    let mut one = global.clone();
    one.context = Some(context.clone());
    if one.output != OutputFormat::Table {
        one.output = OutputFormat::Json;
    }
    let sink = Sink::default();
    let mut list = None;
    let result = async {
        let ctx = Context::from_kubeconfig(&one, Some(kubeconfig.clone()))
            .await?
            .with_sink(sink.clone());
        match command {
            Command::List(args) => {
                list = Some(crate::fetch::set_list(&ctx, args.all_namespaces, Orphans::NotLooked).await?);
                Ok(())
            }
            other => super::dispatch_read(&ctx, other).await,
        }
    }
    .await;
    let written = std::mem::take(&mut *sink.lock().expect("sink"));
    Answer {
        context,
        written,
        list,
        error: result.err(),
    }
}

/// `list`: one table with a CONTEXT column; the others: a section per context.
fn print_tables(command: &Command, answers: &[Answer]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if let Command::List(args) = command {
        let lists: Vec<(Option<&str>, &SetList)> = answers
            .iter()
            .filter_map(|a| Some((Some(a.context.as_str()), a.list.as_ref()?)))
            .collect();
        if !lists.is_empty() {
            write_list(&mut out, &lists, args.all_namespaces, Style::for_stdout())?;
        }
    } else {
        let mut first = true;
        for answer in answers.iter().filter(|a| !a.written.is_empty()) {
            if !first {
                writeln!(out)?;
            }
            first = false;
            writeln!(out, "=== context {} ===", answer.context)?;
            out.write_all(&answer.written)?;
        }
    }
    out.flush()?;
    for answer in answers {
        if let Some(error) = &answer.error {
            eprintln!("context {}: {error:#}", answer.context);
        }
    }
    Ok(())
}

/// The one document: a result or an error per context.
fn print_document(format: OutputFormat, command: &str, answers: &[Answer]) -> Result<()> {
    let results = answers
        .iter()
        .map(|a| {
            let result = match &a.list {
                Some(list) => serde_json::to_value(list).ok(),
                None => serde_json::from_slice(&a.written).ok(),
            };
            Entry {
                context: a.context.clone(),
                result,
                error: a.error.as_ref().map(|e| format!("{e:#}")),
            }
        })
        .collect();
    let doc = FleetDocument {
        kind: "FleetResult",
        version: "v1",
        command: command.to_string(),
        results,
    };
    let mut out = std::io::stdout().lock();
    write_document(&mut out, format, &doc)?;
    out.flush()?;
    Ok(())
}

/// The error is a check's verdict (a blocker, a name that would not resolve), not a failure.
fn found_problems(err: &anyhow::Error) -> bool {
    matches!(
        err.chain().find_map(|c| c.downcast_ref::<StsError>()),
        Some(StsError::CheckFailed(_))
    )
}

/// Exit 1 when a context failed (or lacks the set), else 3 when a check found problems in
/// one (`why`, `dns`), else 0.
fn verdict(answers: &[Answer]) -> Result<()> {
    let failed: Vec<&str> = answers
        .iter()
        .filter(|a| a.error.as_ref().is_some_and(|e| !found_problems(e)))
        .map(|a| a.context.as_str())
        .collect();
    if !failed.is_empty() {
        return Err(anyhow!(
            "{} of {} contexts failed or lack the set: {}",
            failed.len(),
            answers.len(),
            failed.join(", ")
        ));
    }
    let found: Vec<&str> = answers
        .iter()
        .filter(|a| a.error.is_some())
        .map(|a| a.context.as_str())
        .collect();
    if !found.is_empty() {
        return Err(StsError::CheckFailed(format!(
            "problems found in {} of {} contexts: {}",
            found.len(),
            answers.len(),
            found.join(", ")
        ))
        .into());
    }
    Ok(())
}
