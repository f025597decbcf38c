//! `kubectl sts rollout NAME --image C=IMG [--partition P]` and `kubectl sts canary NAME
//! --image C=IMG [--count K]`: stage a new template and the partition in one write at the
//! planned resourceVersion (no pod restarts before the partition is in place), recording what
//! `abort` needs, then wait for the ordinals that move now. OnDelete sets get the template
//! staged and the chosen ordinals rolled by the engine's pod replacement.

use anyhow::Result;

use crate::cli::{CanaryArgs, RolloutArgs};
use crate::context::Context;
use crate::engine::follow::{Advice, follow_update};
use crate::engine::gates::Gated;
use crate::engine::replace;
use crate::engine::write::{self, Write};
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read};
use crate::error::StsError;
use crate::model::rollout::gates::Gates;
use crate::model::rollout::roll::{Method, plan_roll};
use crate::model::rollout::staged::{NewImage, RolloutPlan, plan_rollout};
use crate::model::set::scope::Scope;
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};
use crate::output::rollout::write_rollout_plan;
use crate::preflight::{DELETE_PODS, Need, PATCH_SETS};
use crate::wait::{deadline_after, observed_snapshot, planning_snapshot};

/// `rollout`.
pub async fn run_rollout(ctx: &Context, args: &RolloutArgs) -> Result<()> {
    if Gates::from(&args.gates).walks() {
        return Err(StsError::Usage(format!(
            "statefulset {}/{}: the gates (--pod-check, --before-each, --after-each, --leader, --max-unavailable) need --steps (a plain rollout lets the controller move its pods); or stage it, then `{}` moves the pods with them; nothing was changed",
            ctx.namespace,
            args.name,
            ctx.sts(&format!("promote {} --full --pod-check CMD", args.name))
        ))
        .into());
    }
    let mut staging = Staging {
        name: &args.name,
        images: &args.image,
        scope: ctx.scope(),
        kind: Kind::Rollout(args.partition),
    };
    let flags = Flags {
        dry_run: args.dry_run,
        no_wait: args.no_wait,
    };
    crate::engine::run(ctx, &mut staging, flags).await
}

/// `canary`: partition = replicas − count.
pub async fn run_canary(ctx: &Context, args: &CanaryArgs) -> Result<()> {
    let mut staging = Staging {
        name: &args.name,
        images: &args.image,
        scope: ctx.scope(),
        kind: Kind::Canary(args.count),
    };
    let flags = Flags {
        dry_run: args.dry_run,
        no_wait: args.no_wait,
    };
    crate::engine::run(ctx, &mut staging, flags).await
}

/// What is being staged.
struct Staging<'a> {
    name: &'a str,
    images: &'a [NewImage],
    kind: Kind,
    /// How the user reaches the set: the next commands printed carry it.
    scope: Scope,
}

/// `rollout [--partition P]` or `canary --count K`.
#[derive(Clone, Copy)]
enum Kind {
    Rollout(Option<i32>),
    Canary(i32),
}

impl Staging<'_> {
    /// The partition asked for.
    fn partition(&self, snap: &SetSnapshot) -> Result<Option<i32>> {
        let count = match self.kind {
            Kind::Rollout(partition) => return Ok(partition),
            Kind::Canary(count) => count,
        };
        let replicas = set::desired_replicas(&snap.set);
        if count > replicas {
            let message = format!(
                "--count {count} is more than the {replicas} replicas of statefulset {}/{}",
                snap.namespace(),
                snap.name()
            );
            return Err(StsError::Usage(message).into());
        }
        Ok(Some(replicas - count))
    }
}

impl Guided for Staging<'_> {
    type Plan = RolloutPlan;
    fn kind(&self) -> &'static str {
        match self.kind {
            Kind::Rollout(_) => "RolloutResult",
            Kind::Canary(_) => "CanaryResult",
        }
    }

    fn set_name(&self) -> &str {
        self.name
    }

    fn command_line(&self) -> String {
        let images: Vec<String> = self
            .images
            .iter()
            .map(|new| format!("--image {}={}", new.container, new.image))
            .collect();
        match self.kind {
            Kind::Rollout(_) => format!("kubectl sts rollout {} {}", self.name, images.join(" ")),
            Kind::Canary(_) => format!("kubectl sts canary {} {}", self.name, images.join(" ")),
        }
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<RolloutPlan>> {
        let snap = planning_snapshot(ctx, self.name).await?;
        let partition = self.partition(&snap)?;
        Ok(Read {
            plan: plan_rollout(&snap, self.images, partition),
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &RolloutPlan, out: &mut dyn std::io::Write) -> Result<()> {
        match plan.changes.is_empty() {
            true => Ok(()),
            false => write_rollout_plan(out, plan),
        }
    }

    fn nothing_to_do(&self, plan: &RolloutPlan) -> Option<String> {
        plan.changes.is_empty().then(|| {
            format!(
                "statefulset {}/{} already runs these images; nothing to roll out",
                plan.namespace, plan.name
            )
        })
    }

    fn question(&self, plan: &RolloutPlan) -> Question {
        Question::YesNo(match &plan.in_flight {
            Some(revision) => format!("A rollout to {revision} is in flight; replace it with this one?"),
            None => format!(
                "Stage the new template on statefulset {}/{}?",
                plan.namespace, plan.name
            ),
        })
    }

    fn action(&self, plan: &RolloutPlan) -> String {
        format!(
            "change the template of statefulset {}/{}",
            plan.namespace, plan.name
        )
    }

    fn writes(&self, planned: &Planned<RolloutPlan>) -> Vec<Write> {
        let rv = planned
            .set
            .as_ref()
            .and_then(|s| s.metadata.resource_version.clone());
        vec![write::stage(&planned.plan, rv.unwrap_or_default(), None)]
    }

    fn needs(&self, planned: &Planned<RolloutPlan>) -> Vec<Need> {
        let plan = &planned.plan;
        match plan.strategy {
            Strategy::OnDelete if !plan.moves_now.is_empty() => vec![PATCH_SETS, DELETE_PODS],
            _ => vec![PATCH_SETS],
        }
    }

    fn same_change(&self, old: &RolloutPlan, new: &RolloutPlan) -> bool {
        old.changes == new.changes && old.moves_now == new.moves_now
    }

    fn resuming(&self, plan: &RolloutPlan) -> String {
        staged_message(plan, &self.scope)
    }

    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<RolloutPlan>, no_wait: bool) -> Ending {
        let plan = &planned.plan;
        if no_wait || plan.moves_now.is_empty() {
            return Ending::not_waited(staged_message(plan, &self.scope));
        }
        match observed_snapshot(ctx, &plan.name).await {
            Ok(fresh) => wait_moved(ctx, &fresh, plan).await,
            Err(err) => Ending::failed(err, Vec::new()),
        }
    }
}

fn staged_message(plan: &RolloutPlan, scope: &Scope) -> String {
    let moved: Vec<String> = plan
        .moves_now
        .iter()
        .map(|o| format!("{}-{o}", plan.name))
        .collect();
    match moved.is_empty() {
        true => format!(
            "staged on statefulset {}/{} at partition {}: no pod restarts until `{}`",
            plan.namespace,
            plan.name,
            plan.partition,
            scope.sts(&format!("promote {}", plan.name))
        ),
        false => format!(
            "staged on statefulset {}/{}; moving now: {} (not waiting)",
            plan.namespace,
            plan.name,
            moved.join(", ")
        ),
    }
}

/// Waits until the ordinals that move now are updated and Ready: followed (RollingUpdate) or
/// rolled (OnDelete).
async fn wait_moved(ctx: &Context, snap: &SetSnapshot, plan: &RolloutPlan) -> Ending {
    let resume = ctx.sts(&format!("promote {} --partition {}", plan.name, plan.partition));
    let when_stuck = format!("roll back with `{}`", ctx.sts(&format!("abort {}", plan.name)));
    if plan.strategy == Strategy::OnDelete {
        let roll_plan = match plan_roll(snap, Some(&plan.moves_now), Method::Delete) {
            Ok(roll_plan) => roll_plan,
            Err(refusal) => return Ending::failed(StsError::from(refusal).into(), Vec::new()),
        };
        let gated = Gated {
            gates: &Gates::default(),
            resume: &resume,
            command: &resume,
            when_stuck: Some(&when_stuck),
        };
        let run = replace::execute_gated(ctx, &snap.set, &roll_plan, false, gated).await;
        return run.ending(moved_message(plan, &ctx.scope()));
    }
    let advice = Advice {
        when_stuck: &when_stuck,
        resume: &resume,
    };
    let deadline = deadline_after(ctx.timeout);
    let followed = follow_update(ctx, &snap.set, &plan.moves_now, deadline, advice).await;
    followed.ending(moved_message(plan, &ctx.scope()))
}

fn moved_message(plan: &RolloutPlan, scope: &Scope) -> String {
    let moved: Vec<String> = plan
        .moves_now
        .iter()
        .map(|o| format!("{}-{o}", plan.name))
        .collect();
    let rest = match plan.stays.is_empty() {
        true => "every pod is on the new template".to_string(),
        false => format!(
            "on the old revision until `{}`: {}",
            scope.sts(&format!("promote {}", plan.name)),
            plan.stays.join(", ")
        ),
    };
    format!("{} updated and Ready; {rest}", moved.join(", "))
}
