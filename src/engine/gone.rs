//! Waiting for things to go: a set (by uid), the release of its pods after an orphan delete
//! (no ownerReference to it left), and claims (by name and uid). For waits that outlive the
//! set (`delete`, `pvc --prune`, `pvc resize`).

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::Api;
use kube::core::Selector;
use kube::runtime::watcher;
use tokio::time::Instant;

use crate::context::Context;
use crate::model::scale::delete::still_owned;
use crate::model::set;
use crate::model::storage::claims::{ClaimRow, deletion_states};
use crate::output::progress::PodProgress;
use crate::wait::{Check, KindWatch, WaitEnd, deadline_after};

/// Waits until the set `sts` (by uid) is gone and no pod of its selector carries an
/// ownerReference to it (the garbage collector released them).
pub async fn wait_orphaned(
    ctx: &Context,
    sts: &StatefulSet,
    selector: &Selector,
    deadline: Instant,
) -> Result<(), WaitEnd> {
    wait_set_gone(ctx, sts, deadline).await?;
    let uid = sts.metadata.uid.clone().unwrap_or_default();
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let mut pods = KindWatch::start(api, watcher::Config::default().labels_from(selector));
    pods.until(deadline, |pods| {
        match still_owned(pods.iter().map(|p| p.as_ref()), &uid).is_empty() {
            true => Check::Done(()),
            false => Check::Waiting,
        }
    })
    .await
}

/// Waits until no set of that name has `sts`'s uid.
pub async fn wait_set_gone(ctx: &Context, sts: &StatefulSet, deadline: Instant) -> Result<(), WaitEnd> {
    let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let by_name = watcher::Config::default().fields(&format!("metadata.name={}", set::name(sts)));
    let mut sets = KindWatch::start(api, by_name);
    sets.until(deadline, |sets| {
        match sets.iter().any(|s| s.metadata.uid == sts.metadata.uid) {
            true => Check::Waiting,
            false => Check::Done(()),
        }
    })
    .await
}

/// Waits until none of `claims` (name and uid) is left, showing each one's state.
pub async fn wait_claims_gone(ctx: &Context, claims: &[ClaimRow]) -> Result<(), WaitEnd> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let mut watch = KindWatch::start(api, watcher::Config::default());
    let names = claims.iter().map(|c| c.claim.clone()).collect();
    let mut progress = PodProgress::new(names, ctx.interactive, ctx.wide).with_goal("gone");
    let result = watch
        .until(deadline_after(ctx.timeout), |live| {
            let live: Vec<PersistentVolumeClaim> = live.iter().map(|c| c.as_ref().clone()).collect();
            let states = deletion_states(claims, &live);
            progress.update(&states);
            match states.iter().all(|s| s.done) {
                true => Check::Done(()),
                false => Check::Waiting,
            }
        })
        .await;
    progress.finish();
    result
}
