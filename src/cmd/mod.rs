//! One file per command: validate the arguments, fetch a snapshot, plan (in `model`),
//! confirm, apply, report. This module dispatches, and answers for the read commands when the
//! set they ask about is gone but left pods, claims or a record behind.

pub mod apply;
pub mod completion;
pub mod delete;
pub mod dns;
pub mod fleet;
pub mod history;
pub mod list;
pub mod plan;
pub mod progressive;
pub mod promote;
pub mod pvc;
pub mod recover;
pub mod resize;
pub mod restart;
pub mod revert;
pub mod roll;
pub mod rollout;
pub mod scale;
pub mod status;
pub mod wait;
pub mod why;

use anyhow::Result;

use crate::cli::{Cli, Command, PvcAction};
use crate::context::Context;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Completion(args) => completion::run_completion(args),
        Command::Man(args) => completion::run_man(args),
        _ => run_against_cluster(cli).await,
    }
}

/// Runs a command that talks to the cluster (or, with `--contexts`, to many).
async fn run_against_cluster(cli: Cli) -> Result<()> {
    let quiet_on_interrupt = reads_only(&cli.command);
    let work = async move {
        if fleet::requested(&cli.command) {
            return fleet::run(std::sync::Arc::new(cli)).await;
        }
        let ctx = Context::new(&cli.global).await?;
        dispatch(&ctx, &cli.command).await
    };
    tokio::pin!(work);
    let result = tokio::select! {
        biased;
        result = &mut work => result,
        () = crate::wait::interrupted() => match crate::wait::finishes_on_interrupt() {
            // The command sees the interrupt too, and puts back what it must first.
            true => tokio::time::timeout(crate::wait::FINISH_GRACE, &mut work)
                .await
                .unwrap_or_else(|_| Err(interrupted())),
            false => Err(interrupted()),
        },
    };
    match result {
        Err(err) if quiet_on_interrupt && crate::error::is_interrupted(&err) => {
            Err(crate::error::StsError::EndedByUser.into())
        }
        other => other,
    }
}

/// The interrupt, with what the command in flight asked it to say.
fn interrupted() -> anyhow::Error {
    crate::error::StsError::Interrupted(crate::wait::interrupt_note().unwrap_or_else(|| {
        "interrupted; re-running the same command resumes from the cluster's state".into()
    }))
    .into()
}

/// Commands that change nothing: an interrupt (ending `status --watch`, say) leaves nothing
/// to resume or explain, so they end quietly.
fn reads_only(command: &Command) -> bool {
    match command {
        Command::List(_)
        | Command::Status(_)
        | Command::Why(_)
        | Command::Wait(_)
        | Command::Plan(_)
        | Command::History(_)
        | Command::Dns(_) => true,
        Command::Pvc(args) => args.action.is_none() && !args.prune,
        _ => false,
    }
}

/// A read command's own run, for the fleet: only the commands it runs across contexts, so
/// that each context's future stays small (the guided commands' state is large, and the
/// fleet's contexts run on worker threads' stacks).
pub(crate) async fn dispatch_read(ctx: &Context, command: &Command) -> Result<()> {
    match command {
        Command::List(args) => list::run(ctx, args).await,
        Command::Status(args) => status::run(ctx, args).await,
        Command::Why(args) => why::run(ctx, args).await,
        Command::History(args) => history::run(ctx, args).await,
        Command::Dns(args) => dns::run(ctx, args).await,
        Command::Pvc(args) if args.action.is_none() => pvc::run(ctx, args).await,
        _ => Err(crate::error::StsError::Usage("only the read commands go across contexts".into()).into()),
    }
}

/// The command's own run.
pub(crate) async fn dispatch(ctx: &Context, command: &Command) -> Result<()> {
    match command {
        Command::List(args) => list::run(ctx, args).await,
        Command::Status(args) => status::run(ctx, args).await,
        Command::Why(args) => why::run(ctx, args).await,
        Command::Wait(args) => wait::run(ctx, args).await,
        Command::Plan(args) => plan::run(ctx, args).await,
        // Boxed: its state (a plan per set, the engine's, the re-create's) would make every
        // command's future as large, and the fleet's read commands run on worker stacks.
        Command::Apply(args) => Box::pin(apply::run(ctx, args)).await,
        Command::Scale(args) => scale::run(ctx, args).await,
        Command::Rollout(args) => match &args.steps {
            Some(steps) => progressive::run(ctx, args, &steps.0).await,
            None => rollout::run_rollout(ctx, args).await,
        },
        Command::Canary(args) => rollout::run_canary(ctx, args).await,
        Command::Promote(args) => promote::run(ctx, args).await,
        Command::Abort(args) => revert::run_abort(ctx, args).await,
        Command::Recover(args) => recover::run(ctx, args).await,
        Command::History(args) => history::run(ctx, args).await,
        Command::Undo(args) => revert::run_undo(ctx, args).await,
        Command::Roll(args) => roll::run(ctx, args).await,
        Command::Restart(args) => restart::run(ctx, args).await,
        Command::Delete(args) => delete::run(ctx, args).await,
        Command::Dns(args) => dns::run(ctx, args).await,
        Command::Pvc(args) => match &args.action {
            Some(PvcAction::Resize(resize)) => resize::run(ctx, resize).await,
            None => pvc::run(ctx, args).await,
        },
        Command::Completion(_) | Command::Man(_) => unreachable!("answered without a cluster"),
    }
}

/// For `status` and `pvc` on a set that is not found: what it left under its name, if
/// anything (pods without a set, claims, a step in flight), shown before the error.
pub(crate) async fn left_behind(ctx: &Context, name: &str, not_found: anyhow::Error) -> anyhow::Error {
    let left = match crate::fetch::orphaned(ctx, name).await {
        Ok(Some(left)) => left,
        Ok(None) => return not_found,
        Err(err) => return err,
    };
    let mut out = ctx.stdout();
    let printed = match ctx.output {
        crate::cli::OutputFormat::Table => {
            crate::output::orphans::write_orphaned(&mut out, &left, crate::output::Style::for_stdout())
        }
        format => crate::output::write_document(&mut out, format, &left),
    };
    if let Err(err) = printed.and_then(|()| Ok(std::io::Write::flush(&mut out)?)) {
        return err;
    }
    anyhow::anyhow!(
        "statefulset {}/{} not found; it left {} pod(s) and {} claim(s) (listed above): {}",
        ctx.namespace,
        name,
        left.pods.len(),
        left.claims.len(),
        left.next
    )
}
