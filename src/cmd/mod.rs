//! One file per command: validate the arguments, fetch a snapshot, plan (in `model`),
//! confirm, apply, report. This module only dispatches.

pub mod list;
pub mod restart;
pub mod roll;
pub mod scale;
pub mod status;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::context::Context;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<()> {
    let ctx = Context::new(&cli.global).await?;
    match &cli.command {
        Command::List(args) => list::run(&ctx, args).await,
        Command::Status(args) => status::run(&ctx, args).await,
        Command::Scale(args) => scale::run(&ctx, args).await,
        Command::Roll(args) => roll::run(&ctx, args).await,
        Command::Restart(args) => restart::run(&ctx, args).await,
    }
}
