//! Waiting on a scale pod by pod (`scale`, and the ordered teardown of `delete`): up, until
//! each new pod is Running, Ready and available; down, until each removed pod is gone (and its
//! claims, under `whenScaled: Delete`); a stuck pod or another writer's change stops it.

use k8s_openapi::api::apps::v1::StatefulSet;

use crate::context::Context;
use crate::error::StsError;
use crate::model::flow::step::PodOutcome;
use crate::model::scale::ordered::{ScalePlan, ScaleVerdict, ScaleWait};
use crate::output::progress::PodProgress;
use crate::wait::{Check, SetWatch, WaitEnd, deadline_after};

/// Waits pod by pod until the scale of `plan` is done, showing progress (shared with the
/// ordered teardown of `delete`).
pub async fn wait(ctx: &Context, plan: &ScalePlan, sts: &StatefulSet) -> (Result<(), WaitEnd>, PodProgress) {
    let mut watch = SetWatch::start(ctx, sts);
    let mut progress = PodProgress::new(
        plan.pods.iter().map(|p| p.pod.clone()).collect(),
        ctx.interactive,
        ctx.wide,
    );
    let mut keeper = ScaleWait::new(plan);
    let result = watch
        .follow(deadline_after(ctx.timeout), &mut keeper, |keeper, view| {
            progress.update(&keeper.tracked.take_changes());
            match keeper.verdict(&view.set) {
                ScaleVerdict::Done => Check::Done(()),
                ScaleVerdict::Waiting { recheck_at: None } => Check::Waiting,
                ScaleVerdict::Waiting { recheck_at: Some(at) } => Check::WaitingUntil(at),
                ScaleVerdict::Stuck { pod, reason } => Check::Failed(StsError::CheckFailed(format!(
                    "{pod} cannot become Ready: {reason}; the set keeps replicas {} as the controller has it (no rollback): see `{}`",
                    plan.to, ctx.sts(&format!("status {}", plan.name))
                )).into()),
                ScaleVerdict::Superseded { replicas } => Check::Failed(StsError::Superseded(format!(
                    "someone changed spec.replicas of statefulset {}/{} to {replicas} while waiting; stopped waiting",
                    plan.namespace, plan.name
                )).into()),
            }
        })
        .await;
    progress.finish();
    (result, progress)
}

/// Each pod of the scale of `plan` with its last state (`unchanged` without a wait).
pub fn outcome_pods(plan: &ScalePlan, progress: Option<&PodProgress>) -> Vec<PodOutcome> {
    plan.pods
        .iter()
        .map(|step| {
            let seconds = progress.and_then(|p| p.seconds_to_done(&step.pod));
            let state = progress
                .and_then(|p| p.last_state(&step.pod))
                .unwrap_or_else(|| "unchanged".into());
            PodOutcome {
                pod: step.pod.clone(),
                state,
                done: seconds.is_some(),
                seconds,
                old_uid: None,
                new_uid: None,
            }
        })
        .collect()
}
