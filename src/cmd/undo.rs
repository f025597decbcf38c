//! `kubectl sts undo NAME [--to-revision N]`: restore the template of an earlier revision (the
//! previous one by default) through the same plan / confirm / wait path as `abort`.

use anyhow::Result;

use crate::cli::UndoArgs;
use crate::cmd::abort::{RevertOptions, revert};
use crate::context::Context;
use crate::model::revert::Purpose;

/// Undoes to the chosen revision.
pub async fn run(ctx: &Context, args: &UndoArgs) -> Result<()> {
    let options = RevertOptions {
        verb: "Undo",
        kind: "UndoResult",
        no_wait: args.no_wait,
        dry_run: args.dry_run,
    };
    revert(ctx, &args.name, Purpose::Undo(args.to_revision), options).await
}
