//! A RollingUpdate set's partition walked down with gates between its pods, as a gated step
//! of `rollout --steps` moves them: `--before-each` for each pod of a batch (up to
//! `--max-unavailable`), the partition lowered by the batch (the controller replaces those
//! pods, highest first, as it always does), the batch followed until updated and Ready, then
//! `--after-each` and `--pod-check` for each. The set stays RollingUpdate throughout: other
//! writers see only its partition move, as in any staged rollout, and a stop leaves the
//! partition where the last batch put it (every pod below it untouched).

use anyhow::Result;
use tokio::time::Instant;

use crate::context::Context;
use crate::engine::MAX_REPLANS;
use crate::engine::follow::{Advice, follow_update};
use crate::engine::gates::{GateRunner, Gated};
use crate::engine::write::{self, Write};
use crate::error::{StsError, is_conflict};
use crate::model::rollout::gates::{GateScope, next_partition};
use crate::model::set;
use crate::model::set::snapshot::SetSnapshot;
use crate::wait::{deadline_after, observed_snapshot};

/// The stretch of partitions a walk covers: from the partition its step started at down to
/// the step's own.
#[derive(Debug, Clone, Copy)]
pub struct Stretch {
    pub from: i32,
    pub to: i32,
}

/// Walks set `name`'s partition down over `stretch` with `gated`'s gates between batches.
/// Pods an earlier run moved within the stretch are awaited and checked again first: no pod
/// is taken down before the last one's check passed.
pub async fn walk_partition(
    ctx: &Context,
    name: &str,
    stretch: Stretch,
    gated: Gated<'_>,
    advice: Advice<'_>,
) -> Result<()> {
    let snap = observed_snapshot(ctx, name).await?;
    let walk = Walk {
        runner: gated.runner(ctx, name),
        advice,
        stretch,
        start: set::ordinal_start(&snap.set),
        service: set::service_name(&snap.set).to_string(),
        deadline: deadline_after(ctx.timeout),
    };
    let mut partition = set::partition(&snap.set)
        .unwrap_or(0)
        .clamp(stretch.to, stretch.from);
    if partition < stretch.from {
        walk.moved(&snap, partition, stretch.from, false).await?;
    }
    while partition > stretch.to {
        let next = next_partition(partition, stretch.to, gated.gates.max_unavailable);
        let pods = walk.pods(&snap, next);
        for ordinal in walk.ordinals(next, partition) {
            let pod = set::pod_name(&snap.set, ordinal);
            walk.runner.before(&walk.scope(&pods, &pod, ordinal)).await?;
        }
        let lowered = lower_partition(ctx, name, next).await?;
        walk.moved(&lowered, next, partition, true).await?;
        partition = next;
    }
    Ok(())
}

/// A walk under way.
struct Walk<'a> {
    runner: GateRunner<'a>,
    advice: Advice<'a>,
    stretch: Stretch,
    start: i32,
    service: String,
    deadline: Instant,
}

impl Walk<'_> {
    /// The ordinals partitions `low..high` cover, highest first.
    fn ordinals(&self, low: i32, high: i32) -> Vec<i32> {
        (low..high).rev().map(|p| self.start + p).collect()
    }

    /// The pods of partitions `low..high` followed until updated and Ready, then each one's
    /// `--after-each` (when `newly` moved by this run) and `--pod-check`.
    async fn moved(&self, snap: &SetSnapshot, low: i32, high: i32, newly: bool) -> Result<()> {
        let batch = self.ordinals(low, high);
        let followed = follow_update(self.runner.ctx, &snap.set, &batch, self.deadline, self.advice).await;
        if let Some(err) = followed.error {
            return Err(err);
        }
        let pods = self.pods(snap, low);
        for &ordinal in &batch {
            let pod = set::pod_name(&snap.set, ordinal);
            let scope = self.scope(&pods, &pod, ordinal);
            self.runner.after(&scope, newly).await?;
            self.runner.pod_check(&scope).await?;
        }
        Ok(())
    }

    /// The gates' view of pod `pod`.
    fn scope<'s>(&'s self, pods: &'s PodsAt, pod: &'s str, ordinal: i32) -> GateScope<'s> {
        GateScope {
            namespace: &self.runner.ctx.namespace,
            set: self.runner.set,
            service: &self.service,
            pod,
            ordinal,
            updated: &pods.updated,
            remaining: &pods.remaining,
        }
    }

    /// Which pods are on the new revision and which are still to go, at `partition`.
    fn pods(&self, snap: &SetSnapshot, partition: i32) -> PodsAt {
        let names = |low: i32, high: i32| -> Vec<String> {
            self.ordinals(low, high)
                .into_iter()
                .map(|o| set::pod_name(&snap.set, o))
                .collect()
        };
        PodsAt {
            updated: names(partition, set::desired_replicas(&snap.set)),
            remaining: names(self.stretch.to, partition),
        }
    }
}

/// The pods on the new revision and those still to go, highest first.
struct PodsAt {
    updated: Vec<String>,
    remaining: Vec<String>,
}

/// `--leader` asked of a command that walks a RollingUpdate set's partition (`walking`, "a
/// progressive rollout"): refused before any write, a usage error, since lowering a partition
/// moves the highest ordinals first whoever leads; `instead` says how to get the leader last.
pub fn leader_refused(whole: &str, walking: &str, instead: &str) -> anyhow::Error {
    StsError::Usage(format!(
        "{whole}: --leader cannot keep the leader for last in {walking} of a RollingUpdate set (lowering the partition moves the highest ordinals first); {instead}; nothing was changed"
    ))
    .into()
}

/// Lowers the partition to `partition` (never raises it) at the set's resourceVersion; on a
/// conflict, reads the set again and tries again, at most `MAX_REPLANS` times.
pub async fn lower_partition(ctx: &Context, name: &str, partition: i32) -> Result<SetSnapshot> {
    for _ in 0..MAX_REPLANS {
        let snap = observed_snapshot(ctx, name).await?;
        if set::partition(&snap.set).unwrap_or(0) <= partition {
            return Ok(snap);
        }
        let write = Write::SetPartition {
            set: name.to_string(),
            resource_version: snap.set.metadata.resource_version.clone().unwrap_or_default(),
            partition,
        };
        match write::apply(ctx, &write, false).await {
            Err(err) if is_conflict(&err) => continue,
            Err(err) => return Err(err),
            Ok(_) => return observed_snapshot(ctx, name).await,
        }
    }
    Err(StsError::Conflict(format!(
        "statefulset {}/{name}: the partition could not be lowered to {partition}: the set changed under every one of {MAX_REPLANS} attempts (someone else keeps changing it); re-run later",
        ctx.namespace
    ))
    .into())
}
