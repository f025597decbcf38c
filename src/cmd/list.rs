//! `kubectl sts list [-A]`: every StatefulSet of the namespace (or all), and the names whose
//! set is gone but left pods or a step in flight: three lists at once.

use std::io::Write;

use anyhow::Result;

use crate::cli::{ListArgs, OutputFormat};
use crate::context::Context;
use crate::fetch::Orphans;
use crate::output::{Style, list::write_list, write_document};

/// Lists the sets.
pub async fn run(ctx: &Context, args: &ListArgs) -> Result<()> {
    let list = crate::fetch::set_list(ctx, args.all_namespaces, Orphans::Named).await?;
    let mut out = ctx.stdout();
    match ctx.output {
        OutputFormat::Table => write_list(
            &mut out,
            &[(None, &list)],
            args.all_namespaces,
            Style::for_stdout(),
        )?,
        format => write_document(&mut out, format, &list)?,
    }
    out.flush()?;
    Ok(())
}
