//! `kubectl sts list [-A]`: every StatefulSet of the namespace (or all), and the names whose
//! set is gone but left pods or a step in flight: three lists at once.

use std::io::Write;

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams};

use crate::cli::{ListArgs, OutputFormat};
use crate::context::Context;
use crate::error::ApiCall;
use crate::model::list::{SetList, orphaned_names, summarize_sets};
use crate::model::orphans::POD_NAME_LABEL;
use crate::model::record::RECORD_LABEL;
use crate::output::{Style, list::write_list, write_document};

/// Lists the sets.
pub async fn run(ctx: &Context, args: &ListArgs) -> Result<()> {
    let list = read(ctx, args).await?;
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

/// The sets of the namespace (or all), with the names of sets gone that left something.
pub async fn read(ctx: &Context, args: &ListArgs) -> Result<SetList> {
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
    let (pods, maps) = (scoped::<Pod>(ctx, args), scoped::<ConfigMap>(ctx, args));
    let (pod_params, map_params) = (
        ListParams::default().labels(POD_NAME_LABEL),
        ListParams::default().labels(RECORD_LABEL),
    );
    let (sets, pods, maps) = tokio::try_join!(
        ctx.call(call, || api.list(&params)),
        ctx.call(ApiCall::list("pods", namespace), || pods.list(&pod_params)),
        ctx.call(ApiCall::list("configmaps", namespace), || maps.list(&map_params)),
    )?;
    let mut list = summarize_sets(&sets.items, Timestamp::now());
    list.orphaned = orphaned_names(&list, &pods.items, &maps.items);
    Ok(list)
}

/// The API of `K` in the namespace, or in all with `-A`.
fn scoped<K>(ctx: &Context, args: &ListArgs) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
{
    match args.all_namespaces {
        true => Api::all(ctx.client.clone()),
        false => Api::namespaced(ctx.client.clone(), &ctx.namespace),
    }
}
