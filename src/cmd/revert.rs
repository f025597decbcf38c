//! `kubectl sts abort NAME` and `kubectl sts undo NAME [--to-revision N]`: back to a stored
//! revision, through the engine's revert (`engine::revert`), which a failed progressive
//! rollout also uses for its automatic abort.

use anyhow::Result;

use crate::cli::{AbortArgs, UndoArgs};
use crate::context::Context;
use crate::engine::Flags;
use crate::engine::revert::Revert;
use crate::model::rollout::revert::Purpose;

/// `abort`: back to the revision the staged rollout started from.
pub async fn run_abort(ctx: &Context, args: &AbortArgs) -> Result<()> {
    let mut command = Revert::new(&args.name, Purpose::Abort);
    run(ctx, &mut command, args.dry_run, args.no_wait).await
}

/// `undo`: back to an earlier revision (in a staged rollout: what `abort` does).
pub async fn run_undo(ctx: &Context, args: &UndoArgs) -> Result<()> {
    let mut command = Revert::new(&args.name, Purpose::Undo(args.to_revision));
    run(ctx, &mut command, args.dry_run, args.no_wait).await
}

async fn run(ctx: &Context, command: &mut Revert<'_>, dry_run: bool, no_wait: bool) -> Result<()> {
    crate::engine::run(ctx, command, Flags { dry_run, no_wait }).await
}
