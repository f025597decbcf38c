//! `kubectl sts history NAME`: every ControllerRevision of the set with what changed.

use std::io::Write;

use anyhow::Result;

use crate::cli::{HistoryArgs, OutputFormat};
use crate::context::Context;
use crate::fetch;
use crate::model::rollout::history::history;
use crate::output::rollout::write_history;
use crate::output::{Style, write_document};

/// Shows the history.
pub async fn run(ctx: &Context, args: &HistoryArgs) -> Result<()> {
    let snap = fetch::snapshot(ctx, &args.name).await?;
    let history = history(&snap);
    let mut out = ctx.stdout();
    match ctx.output {
        OutputFormat::Table => write_history(&mut out, &history, Style::for_stdout().wide(ctx.wide))?,
        format => write_document(&mut out, format, &history)?,
    }
    out.flush()?;
    Ok(())
}
