//! `kubectl sts why NAME`: what keeps a set from converging. Reads the set and everything
//! around it in a fixed number of requests (`fetch::evidence`), judges it
//! (`model::diagnosis::why`) and prints the findings; exit 3 when one blocks, naming the first.

use std::io::Write;

use anyhow::Result;

use crate::cli::{OutputFormat, WhyArgs};
use crate::context::Context;
use crate::error::{StsError, is_not_found};
use crate::fetch;
use crate::model::diagnosis::why::diagnose;
use crate::output::why::write_diagnosis;
use crate::output::{Style, write_document};

/// Explains the set, or what it left behind when it is gone.
pub async fn run(ctx: &Context, args: &WhyArgs) -> Result<()> {
    let (snap, around) = match fetch::evidence(ctx, &args.name).await {
        Err(err) if is_not_found(&err) => return Err(super::left_behind(ctx, &args.name, err).await),
        other => other?,
    };
    let diagnosis = diagnose(&snap, &around);
    let mut out = ctx.stdout();
    match ctx.output {
        OutputFormat::Table => write_diagnosis(&mut out, &diagnosis, Style::for_stdout())?,
        format => write_document(&mut out, format, &diagnosis)?,
    }
    out.flush()?;
    match diagnosis.top_blocker() {
        Some(first) => Err(StsError::CheckFailed(format!(
            "statefulset {}/{} is blocked: {}: {}",
            diagnosis.namespace, diagnosis.name, first.object, first.what
        ))
        .into()),
        None => Ok(()),
    }
}
