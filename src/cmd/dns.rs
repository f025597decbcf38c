//! `kubectl sts dns NAME [--resolve] [--nameserver ADDR] [--cluster-domain D]`: every pod's DNS
//! name judged from four API requests (the set, its Service, its pods, the Service's
//! EndpointSlices), and with `--resolve` the cluster's DNS asked as well. Exit 3 naming the
//! first name that would not resolve or answered wrongly.

use std::io::Write;

use anyhow::Result;

use crate::cli::{DnsArgs, OutputFormat};
use crate::context::Context;
use crate::error::StsError;
use crate::fetch;
use crate::model::dns::report::{DnsReport, cluster_domain, dns_report, summary};
use crate::model::dns::resolution::{attach, judge, questions};
use crate::output::dns::write_dns;
use crate::output::{Style, write_document};
use crate::resolve;

/// Checks the names, and resolves them with `--resolve`.
pub async fn run(ctx: &Context, args: &DnsArgs) -> Result<()> {
    let domain = cluster_domain(&args.cluster_domain).map_err(StsError::Usage)?;
    let snap = fetch::dns_snapshot(ctx, &args.name).await?;
    let mut report = dns_report(&snap, &domain);
    if args.resolve {
        match resolve::ask(ctx, args.nameserver.as_deref(), &questions(&report)).await {
            Ok(asked) => {
                let resolution = judge(&report, asked.server, &asked.answers);
                attach(&mut report, resolution);
            }
            Err(err) => {
                print(ctx, &report)?;
                return Err(
                    err.context("cannot query the cluster's DNS (the checks above come from the API alone)")
                );
            }
        }
    }
    print(ctx, &report)?;
    match summary(&report) {
        Some(line) => Err(StsError::CheckFailed(line).into()),
        None => Ok(()),
    }
}

fn print(ctx: &Context, report: &DnsReport) -> Result<()> {
    let mut out = ctx.stdout();
    match ctx.output {
        OutputFormat::Table => write_dns(&mut out, report, Style::for_stdout())?,
        format => write_document(&mut out, format, report)?,
    }
    out.flush()?;
    Ok(())
}
