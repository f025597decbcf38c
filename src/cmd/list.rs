//! `kubectl sts list [-A]`: every StatefulSet of the namespace (or all) in one request.

use std::io::Write;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams};

use crate::cli::{ListArgs, OutputFormat};
use crate::context::Context;
use crate::error::ApiCall;
use crate::model::list::summarize_sets;
use crate::output::{Style, list::write_list, write_document};

/// Lists the sets.
pub async fn run(ctx: &Context, args: &ListArgs) -> Result<()> {
    let (api, namespace): (Api<StatefulSet>, Option<&str>) = if args.all_namespaces {
        (Api::all(ctx.client.clone()), None)
    } else {
        (
            Api::namespaced(ctx.client.clone(), &ctx.namespace),
            Some(ctx.namespace.as_str()),
        )
    };
    let call = ApiCall::list("statefulsets", namespace);
    let params = ListParams::default();
    let sets = ctx.call(call, || api.list(&params)).await?;
    let list = summarize_sets(&sets.items, Timestamp::now());
    let mut out = std::io::stdout().lock();
    match ctx.output {
        OutputFormat::Table => write_list(&mut out, &list, args.all_namespaces, Style::for_stdout())?,
        format => write_document(&mut out, format, &list)?,
    }
    out.flush()?;
    Ok(())
}
