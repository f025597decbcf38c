//! `kubectl sts status NAME [--watch]`: the one screen about a set. With `--watch`, redraw on
//! every change of the set, its pods, claims or revisions (watches, not polling).

use std::io::{IsTerminal, Write};

use anyhow::Result;
use futures::stream::{BoxStream, StreamExt, select_all};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::Timestamp;
use kube::api::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};

use crate::cli::{OutputFormat, StatusArgs};
use crate::context::Context;
use crate::error::StsError;
use crate::fetch::{self, own_claims, owned_revisions};
use crate::model::set;
use crate::model::snapshot::{SetSnapshot, own_pods};
use crate::model::status::status_report;
use crate::output::{Style, status::write_status, write_document};
use crate::wait::{deadline_after, interrupted};

/// Shows the set once, or keeps showing it with `--watch`.
pub async fn run(ctx: &Context, args: &StatusArgs) -> Result<()> {
    let snap = fetch::snapshot(ctx, &args.name).await?;
    if !args.watch {
        return render(ctx, &snap, false);
    }
    watch(ctx, snap).await
}

fn render(ctx: &Context, snap: &SetSnapshot, redraw: bool) -> Result<()> {
    let report = status_report(snap);
    let mut out = std::io::stdout().lock();
    match ctx.output {
        OutputFormat::Table => {
            if redraw && std::io::stdout().is_terminal() {
                out.write_all(b"\x1b[H\x1b[2J")?;
            } else if redraw {
                writeln!(out, "---")?;
            }
            write_status(&mut out, &report, Style::for_stdout())?;
        }
        OutputFormat::Json if redraw => {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        }
        format => write_document(&mut out, format, &report)?,
    }
    out.flush()?;
    Ok(())
}

/// Caches of everything the status screen shows, fed by watches.
struct Caches {
    sets: Store<StatefulSet>,
    pods: Store<Pod>,
    claims: Store<PersistentVolumeClaim>,
    revisions: Store<ControllerRevision>,
}

impl Caches {
    /// A snapshot from the caches, or `None` once the set is gone.
    fn snapshot(&self, name: &str) -> Option<SetSnapshot> {
        let sts = self
            .sets
            .state()
            .into_iter()
            .find(|s| set::name(s) == name)?
            .as_ref()
            .clone();
        let pods = own_pods(
            &sts,
            self.pods.state().iter().map(|p| p.as_ref().clone()).collect(),
        );
        let claims = own_claims(
            &sts,
            self.claims.state().iter().map(|c| c.as_ref().clone()).collect(),
        );
        let revisions = owned_revisions(
            &sts,
            self.revisions
                .state()
                .iter()
                .map(|r| r.as_ref().clone())
                .collect(),
        );
        Some(SetSnapshot {
            set: sts,
            pods,
            claims,
            revisions,
            service: None,
            slices: vec![],
            taken_at: Timestamp::now(),
        })
    }
}

async fn watch(ctx: &Context, first: SetSnapshot) -> Result<()> {
    let name = first.name().to_string();
    render(ctx, &first, false)?;
    let (caches, mut changes) = start_watches(ctx, &first);
    let deadline = tokio::time::sleep_until(deadline_after(ctx.timeout));
    tokio::pin!(deadline);
    let mut last = None;
    loop {
        tokio::select! {
            change = changes.next() => match change {
                Some(Ok(())) => {}
                Some(Err(e)) => { eprintln!("watch interrupted ({e}); resuming"); continue; }
                None => return Ok(()),
            },
            _ = &mut deadline => return Ok(()),
            _ = interrupted() => return Err(StsError::Interrupted("stopped watching".into()).into()),
        }
        let Some(snap) = caches.snapshot(&name) else {
            if caches.sets.is_ready_now() {
                eprintln!("statefulset {}/{name} was deleted", ctx.namespace);
                return Ok(());
            }
            continue;
        };
        let report = serde_json::to_value(status_report(&snap))?;
        if last.as_ref() != Some(&report) {
            render(ctx, &snap, true)?;
            last = Some(report);
        }
    }
}

trait ReadyNow {
    fn is_ready_now(&self) -> bool;
}

impl<K: kube::Resource + Clone + 'static> ReadyNow for Store<K>
where
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    /// The store has received its initial list.
    fn is_ready_now(&self) -> bool {
        futures::FutureExt::now_or_never(self.wait_until_ready()).is_some_and(|r| r.is_ok())
    }
}

type Changes = BoxStream<'static, Result<(), watcher::Error>>;

fn start_watches(ctx: &Context, first: &SetSnapshot) -> (Caches, Changes) {
    let ns = ctx.namespace.as_str();
    let by_name = watcher::Config::default().fields(&format!("metadata.name={}", first.name()));
    let by_selector = watcher::Config::default().labels(&set::selector_query(&first.set));
    let (sets, s1) = cached(Api::namespaced(ctx.client.clone(), ns), by_name);
    let (pods, s2) = cached(Api::namespaced(ctx.client.clone(), ns), by_selector.clone());
    let (claims, s3) = cached(
        Api::namespaced(ctx.client.clone(), ns),
        watcher::Config::default(),
    );
    let (revisions, s4) = cached(Api::namespaced(ctx.client.clone(), ns), by_selector);
    (
        Caches {
            sets,
            pods,
            claims,
            revisions,
        },
        select_all([s1, s2, s3, s4]).boxed(),
    )
}

/// A watch feeding a cache; the stream yields once per change.
fn cached<K>(api: Api<K>, config: watcher::Config) -> (Store<K>, Changes)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (reader, writer) = reflector::store();
    let stream = watcher(api, config)
        .default_backoff()
        .reflect(writer)
        .map(|event| event.map(|_| ()))
        .boxed();
    (reader, stream)
}
