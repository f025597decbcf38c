//! The guided engine: the flow every command that changes a set goes through, written once.
//! Read and plan; refuse a set being deleted; show the plan; stop when there is nothing to do;
//! `--dry-run` (the server checks the writes); permission pre-flight; confirmation; the first
//! writes under their preconditions with one conflict policy; `--no-wait`; the rest of the
//! command (its own steps and the shared waits); one ending — a line or the one JSON/YAML
//! document — and one mapping from how it ended to the outcome and the exit code.
//!
//! A command supplies what is its own (`Guided`): its plan, question, writes, what it waits
//! for and how it resumes. Commands never call each other; what several share lives here.

pub mod check;
pub mod converge;
pub mod follow;
pub mod gates;
pub mod gone;
pub mod recreate;
pub mod replace;
pub mod revert;
pub mod scaling;
pub mod walk;
pub mod write;

use std::io::Write as _;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::error::{StsError, is_conflict};
use crate::model::flow::record;
use crate::model::flow::step::{Outcome, OutcomeKind, PodOutcome};
use crate::model::refusal::Refusal;
use crate::output::prompt::{confirm, confirm_by_typing};
use crate::output::write_document;
use crate::preflight::{self, Need};
use write::Write;

/// How many conflicts in a row the first writes may meet (each followed by a re-plan) before
/// the command gives up: someone else keeps changing the set.
pub const MAX_REPLANS: usize = 5;

/// What a command read and planned: the plan, or why there is none (a one-line reason), and
/// the set it was made from (`None` when the set is gone and only what it left is planned
/// for). A set being deleted is refused before any reason is given.
pub struct Read<P> {
    pub plan: Result<P, Refusal>,
    pub set: Option<StatefulSet>,
}

/// A plan and the set it was made from.
pub struct Planned<P> {
    pub plan: P,
    pub set: Option<StatefulSet>,
}

/// How the user is asked before the first write.
pub enum Question {
    /// `… [y/N]`.
    YesNo(String),
    /// For changes that lose data: type `name` to go on.
    TypeName { question: String, name: String },
    /// The user chose already (an interactive choice is the confirmation).
    Answered,
}

/// The flags every guided command has.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    pub dry_run: bool,
    /// Passed on to `carry_out`: what is left undone without waiting is the command's.
    pub no_wait: bool,
}

impl Flags {
    /// A command without `--no-wait`: it always waits for what it did.
    pub fn waiting(dry_run: bool) -> Flags {
        Flags {
            dry_run,
            no_wait: false,
        }
    }
}

/// How a guided command ended: the outcome, per pod, and the error to exit with.
pub struct Ending {
    pub result: OutcomeKind,
    pub message: String,
    pub pods: Vec<PodOutcome>,
    pub error: Option<anyhow::Error>,
}

impl Ending {
    /// Reached the goal.
    pub fn done(message: String, pods: Vec<PodOutcome>) -> Ending {
        Ending::of(OutcomeKind::Done, message, pods)
    }

    /// `--no-wait`: the change is made, nobody waits.
    pub fn not_waited(message: String) -> Ending {
        Ending::of(OutcomeKind::NotWaited, message, Vec::new())
    }

    /// Ended without an error, as `result` says.
    pub fn of(result: OutcomeKind, message: String, pods: Vec<PodOutcome>) -> Ending {
        Ending {
            result,
            message,
            pods,
            error: None,
        }
    }

    /// Stopped by `error`: its outcome by the one mapping (`outcome_of`), its text the message.
    pub fn failed(error: anyhow::Error, pods: Vec<PodOutcome>) -> Ending {
        Ending {
            result: outcome_of(&error),
            message: format!("{error:#}"),
            pods,
            error: Some(error),
        }
    }

    /// `done` when there is no error, else the error's ending, with these pods either way.
    pub fn from_result(result: Result<String>, pods: Vec<PodOutcome>) -> Ending {
        match result {
            Ok(message) => Ending::done(message, pods),
            Err(error) => Ending::failed(error, pods),
        }
    }
}

/// The one mapping from an error to how a guided command ended.
pub fn outcome_of(err: &anyhow::Error) -> OutcomeKind {
    match err.chain().find_map(|cause| cause.downcast_ref::<StsError>()) {
        Some(StsError::TimedOut(_)) => OutcomeKind::TimedOut,
        Some(StsError::Interrupted(_)) => OutcomeKind::Interrupted,
        Some(StsError::CheckFailed(_)) => OutcomeKind::Stuck,
        Some(StsError::Superseded(_)) => OutcomeKind::Superseded,
        _ => OutcomeKind::Failed,
    }
}

/// What a command that changes a set supplies to the engine.
pub trait Guided {
    /// The plan, shown and put in the document.
    type Plan: Serialize;

    /// The document's kind (`ScaleResult`, …).
    fn kind(&self) -> &'static str;

    /// The set the command is about.
    fn set_name(&self) -> &str;

    /// The command as the user types it to run (or finish) it again: what a record names.
    fn command_line(&self) -> String;

    /// Whether `record` is an earlier run of this command, which this run resumes (any other
    /// command's record refuses the command, unless the record yields to it): by default, the
    /// same command line.
    fn resumes(&self, record: &record::Record) -> bool {
        record.command == self.command_line()
    }

    /// Reads the cluster and plans; called again after a conflict.
    async fn read(&mut self, ctx: &Context) -> Result<Read<Self::Plan>>;

    /// Writes the plan for people.
    fn show(&self, plan: &Self::Plan, out: &mut dyn std::io::Write) -> Result<()>;

    /// The message when the cluster is already where the plan leads (exit 0, nothing written).
    fn nothing_to_do(&self, plan: &Self::Plan) -> Option<String>;

    /// The question asked before the first write.
    fn question(&self, plan: &Self::Plan) -> Question;

    /// What is refused without a terminal and without `--yes` ("scale statefulset ns/web").
    fn action(&self, plan: &Self::Plan) -> String;

    /// The first writes, each under its precondition; a conflict re-plans. Empty when only
    /// waiting is left (a re-run after an interrupted wait resumes it).
    fn writes(&self, planned: &Planned<Self::Plan>) -> Vec<Write>;

    /// Every write the server checks under `--dry-run` (default: the first writes).
    fn dry_run_writes(&self, planned: &Planned<Self::Plan>) -> Vec<Write> {
        self.writes(planned)
    }

    /// Every kind of write the command may make, for the permission pre-flight (default: those
    /// of the dry-run writes). Empty: nothing will be written, so nothing is asked.
    fn needs(&self, planned: &Planned<Self::Plan>) -> Vec<Need> {
        let mut needs: Vec<Need> = Vec::new();
        for need in self.dry_run_writes(planned).iter().map(Write::need) {
            if !needs.contains(&need) {
                needs.push(need);
            }
        }
        needs
    }

    /// Whether a plan made again after a conflict makes the same change (it then goes on).
    fn same_change(&self, old: &Self::Plan, new: &Self::Plan) -> bool;

    /// What changed between two plans, for a refusal.
    fn what_changed(&self, _old: &Self::Plan, _new: &Self::Plan) -> String {
        "its plan changed".into()
    }

    /// Said when nothing is written and the command only resumes waiting.
    fn resuming(&self, plan: &Self::Plan) -> String;

    /// Everything after the first writes: the command's own steps and its waits (with
    /// `no_wait`, only the steps that must not be left undone).
    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<Self::Plan>, no_wait: bool) -> Ending;

    /// Whether a set being deleted is planned for rather than refused (`delete` resumes).
    fn takes_a_set_being_deleted(&self) -> bool {
        false
    }

    /// What a table shows at the end of a success (default: the message).
    fn report(&self, _plan: &Self::Plan, ending: &Ending, out: &mut dyn std::io::Write) -> Result<()> {
        writeln!(out, "{}", ending.message)?;
        Ok(())
    }

    /// More fields of the document, beside `plan` and `outcome`.
    fn extra(&self, _plan: &Self::Plan) -> Option<serde_json::Value> {
        None
    }
}

/// Runs a guided command from its first read to its exit code. Once there is a plan, every
/// end is reported as an outcome (the one document with `-o json|yaml`), failures included.
pub async fn run<G: Guided>(ctx: &Context, command: &mut G, flags: Flags) -> Result<()> {
    let mut planned = match plan(ctx, command).await {
        Ok(planned) => planned,
        Err(err) => return nothing_planned(ctx, command, err),
    };
    show(ctx, command, &planned.plan)?;
    let ending = match command.nothing_to_do(&planned.plan) {
        Some(message) => Ending::of(OutcomeKind::NothingToDo, message, Vec::new()),
        None if flags.dry_run => dry_run(ctx, command, &planned).await,
        None => match prepare(ctx, command, &mut planned).await {
            Ok(()) => command.carry_out(ctx, &planned, flags.no_wait).await,
            Err(err) => Ending::failed(err, Vec::new()),
        },
    };
    finish(ctx, command, &planned.plan, ending)
}

/// A plan refused because the set is already where the command leads (`nothing to promote`)
/// ends as an empty plan does, exit 0: its message as the result, or the document without a
/// plan. Any other error is returned.
fn nothing_planned<G: Guided>(ctx: &Context, command: &G, err: anyhow::Error) -> Result<()> {
    let Some(StsError::NothingToDo(message)) = err.chain().find_map(|c| c.downcast_ref::<StsError>()) else {
        return Err(err);
    };
    let mut out = std::io::stdout().lock();
    match ctx.output {
        OutputFormat::Table => writeln!(out, "{message}")?,
        format => {
            let doc = Document {
                kind: command.kind(),
                version: "v1",
                plan: &None::<G::Plan>,
                outcome: Outcome {
                    result: OutcomeKind::NothingToDo,
                    message: message.clone(),
                    pods: Vec::new(),
                },
                extra: None,
            };
            write_document(&mut out, format, &doc)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs a guided command inside another one that was confirmed already (the automatic abort
/// of a failed progressive step): planned (the pending record of the outer command must yield
/// to it), its plan shown on stderr for people, its first writes under their preconditions
/// with the same conflict policy, then carried out. Nothing is asked and no document printed:
/// its ending is the outer command's to report.
pub async fn run_within<G: Guided>(ctx: &Context, command: &mut G) -> Ending {
    let mut planned = match plan(ctx, command).await {
        Ok(planned) => planned,
        Err(err) => return Ending::failed(err, Vec::new()),
    };
    show_on_stderr(ctx, command, &planned.plan);
    match write_first(ctx, command, &mut planned, Consent::Given).await {
        Ok(()) => command.carry_out(ctx, &planned, false).await,
        Err(err) => Ending::failed(err, Vec::new()),
    }
}

/// The plan for people on stderr (a command run inside another: stdout is the outer one's).
fn show_on_stderr<G: Guided>(ctx: &Context, command: &G, plan: &G::Plan) {
    if ctx.output == OutputFormat::Table {
        let mut shown = Vec::new();
        if command.show(plan, &mut shown).is_ok() {
            eprint!("{}", String::from_utf8_lossy(&shown));
        }
    }
}

/// The server checks every write; nothing is changed.
async fn dry_run<G: Guided>(ctx: &Context, command: &G, planned: &Planned<G::Plan>) -> Ending {
    let writes = command.dry_run_writes(planned);
    for write in &writes {
        if let Err(err) = write::apply(ctx, write, true).await {
            return Ending::failed(err, Vec::new());
        }
    }
    let message = format!(
        "dry run: the server accepted every write ({}); nothing was changed",
        writes.len()
    );
    Ending::of(OutcomeKind::DryRun, message, Vec::new())
}

/// Everything before the command's own steps: pre-flight, confirmation, the first writes.
/// Nothing to write (a re-run resuming a wait) asks nothing.
async fn prepare<G: Guided>(ctx: &Context, command: &mut G, planned: &mut Planned<G::Plan>) -> Result<()> {
    let needs = command.needs(planned);
    if needs.is_empty() {
        eprintln!("{}", command.resuming(&planned.plan));
        return Ok(());
    }
    preflight::require(ctx, &needs).await?;
    if ask(ctx, command, &planned.plan)? {
        // The answer may have taken a while: plan again, and go on only with the same change.
        replan(ctx, command, planned, Consent::Asked).await?;
    }
    write_first(ctx, command, planned, Consent::Asked).await
}

/// Reads and plans: a set being deleted is refused first (unless the command resumes one),
/// then a step another command left in flight (its record names the command that finishes
/// it), then a plan that cannot be made is bad input.
async fn plan<G: Guided>(ctx: &Context, command: &mut G) -> Result<Planned<G::Plan>> {
    let name = command.set_name().to_string();
    let (read, beside) = tokio::join!(command.read(ctx), crate::fetch::record_beside(ctx, &name));
    let read = read?;
    if let Some(set) = read
        .set
        .as_ref()
        .filter(|s| s.metadata.deletion_timestamp.is_some())
        && !command.takes_a_set_being_deleted()
    {
        return Err(being_deleted(set));
    }
    let pending = read
        .set
        .as_ref()
        .and_then(record::on_set)
        .or(beside?.map(|(r, _)| r));
    let whose = format!("statefulset {}/{name}", ctx.namespace);
    if let Some(refused) = pending
        .filter(|r| !command.resumes(r))
        .and_then(|r| record::refusal(&whose, &r, &command.command_line(), &ctx.scope()))
    {
        return Err(StsError::BadInput(refused).into());
    }
    Ok(Planned {
        plan: read.plan.map_err(StsError::from)?,
        set: read.set,
    })
}

/// One line saying the set is being deleted, since when, and what holds it.
fn being_deleted(set: &StatefulSet) -> anyhow::Error {
    let finalizers = set.metadata.finalizers.clone().unwrap_or_default();
    let held = match finalizers.is_empty() {
        true => String::new(),
        false => format!(", held by finalizer {}", finalizers.join(", ")),
    };
    StsError::BadInput(format!(
        "statefulset {}/{} is being deleted (since {}{held}); nothing was changed",
        set.metadata.namespace.as_deref().unwrap_or_default(),
        crate::model::set::name(set),
        set.metadata
            .deletion_timestamp
            .as_ref()
            .map_or_else(String::new, |t| t.0.to_string()),
    ))
    .into()
}

fn show<G: Guided>(ctx: &Context, command: &G, plan: &G::Plan) -> Result<()> {
    if ctx.output == OutputFormat::Table {
        let mut out = std::io::stdout().lock();
        command.show(plan, &mut out)?;
        out.flush()?;
    }
    Ok(())
}

/// Asks (or takes `--yes`); true when a person answered a prompt.
fn ask<G: Guided>(ctx: &Context, command: &G, plan: &G::Plan) -> Result<bool> {
    let action = command.action(plan);
    let prompted = ctx.interactive && !ctx.assume_yes;
    match command.question(plan) {
        Question::YesNo(question) => confirm(ctx, &question, &action)?,
        Question::TypeName { question, name } => confirm_by_typing(ctx, &question, &name, &action)?,
        Question::Answered => return Ok(false),
    }
    Ok(prompted)
}

/// What a plan made again after a conflict needs before it goes on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Consent {
    /// The user agreed to this plan: a changed one is shown and asked again (or refused).
    Asked,
    /// The command runs inside another that was agreed to and stands for whatever it takes
    /// (the automatic abort): the plan made against the new state goes on, shown again.
    Given,
}

/// The first writes under their preconditions. On a conflict: re-read and re-plan (`replan`);
/// after `MAX_REPLANS` conflicts in a row, a clear error.
async fn write_first<G: Guided>(
    ctx: &Context,
    command: &mut G,
    planned: &mut Planned<G::Plan>,
    consent: Consent,
) -> Result<()> {
    for _ in 0..MAX_REPLANS {
        match write_all(ctx, &command.writes(planned)).await {
            Err(err) if is_conflict(&err) => {}
            other => return other,
        }
        replan(ctx, command, planned, consent).await?;
        if command.nothing_to_do(&planned.plan).is_some() || command.writes(planned).is_empty() {
            return Ok(());
        }
    }
    Err(StsError::Conflict(format!(
        "{}: the set changed under every one of {MAX_REPLANS} attempts (someone else keeps changing it); nothing was changed: re-run later",
        command.action(&planned.plan)
    ))
    .into())
}

/// Plans again: the same change goes on; a changed plan is shown and asked again on a
/// terminal, refused without one (or with `--yes`), naming what changed — unless consent was
/// given for whatever it takes, when the new plan is shown and goes on.
async fn replan<G: Guided>(
    ctx: &Context,
    command: &mut G,
    planned: &mut Planned<G::Plan>,
    consent: Consent,
) -> Result<()> {
    let replanned = plan(ctx, command).await?;
    // Nothing left to write: the set is where the command leads (a write of ours carried out
    // though its answer was lost, sent again and refused under its precondition; or the same
    // change made by someone else). The command goes on to wait, as after its own write.
    let arrived = command.writes(&replanned).is_empty();
    if !arrived && !command.same_change(&planned.plan, &replanned.plan) {
        let changed = command.what_changed(&planned.plan, &replanned.plan);
        if consent == Consent::Given {
            eprintln!("The set changed while planning ({changed}); the new plan:");
            show_on_stderr(ctx, command, &replanned.plan);
        } else if !ctx.interactive || ctx.assume_yes {
            return Err(StsError::Superseded(format!(
                "{} changed while planning ({changed}); nothing was changed: re-run to plan against the new state",
                command.action(&planned.plan)
            ))
            .into());
        } else {
            eprintln!("Someone else changed the set while planning ({changed}); the new plan:");
            show(ctx, command, &replanned.plan)?;
            ask(ctx, command, &replanned.plan)?;
        }
    }
    *planned = replanned;
    Ok(())
}

async fn write_all(ctx: &Context, writes: &[Write]) -> Result<()> {
    for write in writes {
        write::apply(ctx, write, false).await?;
    }
    Ok(())
}

/// The document of a guided command: its plan, how it ended, and the command's own fields.
#[derive(Serialize)]
struct Document<'a, P: Serialize> {
    kind: &'a str,
    version: &'static str,
    plan: &'a P,
    outcome: Outcome,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extra: Option<serde_json::Value>,
}

/// Prints the ending on stdout — the command's report on a success (tables; a failure is told
/// on stderr by `main`), or the whole document — and returns the error to exit with.
fn finish<G: Guided>(ctx: &Context, command: &G, plan: &G::Plan, ending: Ending) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match ctx.output {
        OutputFormat::Table if ending.result.is_success() => command.report(plan, &ending, &mut out)?,
        OutputFormat::Table => {}
        format => {
            let doc = Document {
                kind: command.kind(),
                version: "v1",
                plan,
                outcome: Outcome {
                    result: ending.result,
                    message: ending.message.clone(),
                    pods: ending.pods.clone(),
                },
                extra: command.extra(plan),
            };
            write_document(&mut out, format, &doc)?;
        }
    }
    out.flush()?;
    ending.error.map_or(Ok(()), Err)
}
