//! Following the controller through a rolling update: one progress line per pod in the order
//! the controller takes them (an aggregate for large sets), until every awaited ordinal is on
//! the update revision and available, a pod is stuck (exit 3), the deadline passes (exit 4) or
//! the user interrupts (exit 130). Shared by restart and the rollout commands; `follow` does
//! the same for a few pods judged on snapshots (`recover`).

use k8s_openapi::api::apps::v1::StatefulSet;
use tokio::time::Instant;

use super::Ending;
use crate::context::Context;
use crate::error::StsError;
use crate::model::flow::step::{PodOutcome, StepState};
use crate::model::rollout::update::{UpdateVerdict, UpdateWait};
use crate::model::set;
use crate::model::set::snapshot::SetSnapshot;
use crate::output::progress::PodProgress;
use crate::wait::{Check, SetWatch, WaitEnd};

/// How following ended, with each awaited pod's last state.
pub struct Followed {
    pub pods: Vec<PodOutcome>,
    /// The error to exit with, when it did not end well.
    pub error: Option<anyhow::Error>,
}

impl Followed {
    /// The ending, with `done` as the message when every awaited pod made it.
    pub fn ending(self, done: String) -> Ending {
        match self.error {
            None => Ending::done(done, self.pods),
            Some(error) => Ending::failed(error, self.pods),
        }
    }
}

/// What to tell the user to do when following stops early.
#[derive(Clone, Copy)]
pub struct Advice<'a> {
    /// What to do about a stuck pod (e.g. "roll back with `kubectl sts abort web`").
    pub when_stuck: &'a str,
    /// The command that picks up waiting again.
    pub resume: &'a str,
}

/// Follows `ordinals` (highest first) of `sts` to its update revision, re-judging only the
/// pods that changed.
pub async fn follow_update(
    ctx: &Context,
    sts: &StatefulSet,
    ordinals: &[i32],
    deadline: Instant,
    advice: Advice<'_>,
) -> Followed {
    let mut watch = SetWatch::start(ctx, sts);
    let names: Vec<String> = ordinals.iter().map(|o| set::pod_name(sts, *o)).collect();
    let mut progress = PodProgress::new(names.clone(), ctx.interactive, ctx.wide);
    let mut keeper = UpdateWait::new(sts, ordinals);
    let result = watch
        .follow(deadline, &mut keeper, |keeper, view| {
            progress.update(&keeper.tracked.take_changes());
            check_of(keeper.verdict(&view.set), &advice)
        })
        .await;
    followed(ctx, &names, progress, result, &advice)
}

/// Follows the pods `names` of `sts` as `judge` sees them in a snapshot on every change (for
/// a few pods: the snapshot is rebuilt each time), until it says they are done, one is
/// stuck, the deadline passes or the user interrupts.
pub async fn follow(
    ctx: &Context,
    sts: &StatefulSet,
    names: Vec<String>,
    deadline: Instant,
    advice: Advice<'_>,
    mut judge: impl FnMut(&SetSnapshot) -> (Vec<StepState>, UpdateVerdict),
) -> Followed {
    let mut watch = SetWatch::start(ctx, sts);
    let mut progress = PodProgress::new(names.clone(), ctx.interactive, ctx.wide);
    let result = watch
        .until(deadline, |snap| {
            let (states, verdict) = judge(snap);
            progress.update(&states);
            check_of(verdict, &advice)
        })
        .await;
    followed(ctx, &names, progress, result, &advice)
}

/// The wait's next step for a verdict: a stuck pod ends it with exit 3 and the advice.
fn check_of(verdict: UpdateVerdict, advice: &Advice<'_>) -> Check<()> {
    match verdict {
        UpdateVerdict::Done => Check::Done(()),
        UpdateVerdict::Waiting { recheck_at: None } => Check::Waiting,
        UpdateVerdict::Waiting { recheck_at: Some(at) } => Check::WaitingUntil(at),
        UpdateVerdict::Stuck { pod, reason } => Check::Failed(
            StsError::CheckFailed(format!(
                "{pod} will not become Ready: {reason}; {}",
                advice.when_stuck
            ))
            .into(),
        ),
    }
}

/// Each awaited pod's last state and time, and the error the wait ended with.
fn followed(
    ctx: &Context,
    names: &[String],
    mut progress: PodProgress,
    result: Result<(), WaitEnd>,
    advice: &Advice<'_>,
) -> Followed {
    progress.finish();
    let pods = names
        .iter()
        .map(|pod| {
            let seconds = progress.seconds_to_done(pod);
            let state = progress.last_state(pod).unwrap_or_else(|| "unknown".into());
            PodOutcome {
                pod: pod.clone(),
                state,
                done: seconds.is_some(),
                seconds,
                old_uid: None,
                new_uid: None,
            }
        })
        .collect();
    let error = result.err().map(|end| {
        let resume = format!("`{}` picks up waiting", advice.resume);
        end.into_error(
            ctx.timeout,
            "the controller goes on by itself",
            &resume,
            "the statefulset was deleted",
        )
    });
    Followed { pods, error }
}
