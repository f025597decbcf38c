//! `kubectl sts promote NAME [--step K | --partition P | --full]`: lower the partition of a
//! staged rollout (never raise it), then wait for each newly included pod in the order the
//! controller takes them. Re-running with the same `--partition` resumes waiting. OnDelete
//! sets have their next ordinals rolled instead. With gates, a RollingUpdate set is driven as
//! OnDelete while the pods that move are rolled one at a time (as `restart` does), then gets
//! its own strategy back at the new partition — on a stop, at a partition holding the pods
//! not yet moved.

use anyhow::Result;
use serde_json::Value;

use crate::cli::PromoteArgs;
use crate::context::Context;
use crate::engine::follow::{Advice, follow_update};
use crate::engine::gates::{Gated, check_programs, gate_flags, put_strategy_back};
use crate::engine::replace;
use crate::engine::write::{self, Write};
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read};
use crate::error::StsError;
use crate::model::flow::record::{self, Record};
use crate::model::rollout::gates::{Gates, driven_strategy};
use crate::model::rollout::roll::{Method, plan_roll};
use crate::model::rollout::staged::{
    PromotePlan, PromoteTo, effective_partition, in_flight, plan_promote, promote_choices,
};
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};
use crate::output::prompt::choose;
use crate::output::rollout::write_promote_plan;
use crate::preflight::{DELETE_PODS, Need, PATCH_SETS};
use crate::wait::{deadline_after, finish_on_interrupt, observed_snapshot, planning_snapshot};

/// Promotes the rollout in flight.
pub async fn run(ctx: &Context, args: &PromoteArgs) -> Result<()> {
    let gates = Gates::from(&args.gates);
    check_programs(&gates)?;
    let mut command = Promote {
        args,
        to: requested(args),
        chosen: false,
        gates,
        own_strategy: None,
    };
    let flags = Flags {
        dry_run: args.dry_run,
        no_wait: args.no_wait,
    };
    crate::engine::run(ctx, &mut command, flags).await
}

struct Promote<'a> {
    args: &'a PromoteArgs,
    /// How far: from the flags, or chosen on the terminal at the first plan.
    to: Option<PromoteTo>,
    chosen: bool,
    gates: Gates,
    /// The set's own update strategy, at the new partition, while a gated promotion drives it
    /// as OnDelete (planned, or from the record of an earlier run).
    own_strategy: Option<Value>,
}

impl Guided for Promote<'_> {
    type Plan = PromotePlan;

    fn kind(&self) -> &'static str {
        "PromoteResult"
    }

    fn set_name(&self) -> &str {
        &self.args.name
    }

    fn command_line(&self) -> String {
        format!(
            "kubectl sts promote {}{}",
            self.args.name,
            gate_flags(&self.gates)
        )
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<PromotePlan>> {
        let snap = planning_snapshot(ctx, &self.args.name).await?;
        let to = match self.to {
            Some(to) => to,
            None if crate::model::set::is_deleting(&snap.set) => PromoteTo::Full,
            None => {
                plan_promote(&snap, PromoteTo::Full).map_err(StsError::from)?;
                self.chosen = true;
                *self.to.insert(ask(ctx, &snap)?)
            }
        };
        let plan = plan_promote(&snap, to);
        self.own_strategy = self.own_strategy_of(&snap, plan.as_ref().ok())?;
        Ok(Read {
            plan,
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &PromotePlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_promote_plan(out, plan)?;
        if self.own_strategy.is_some() {
            writeln!(
                out,
                "  gated: the set is driven as OnDelete while its pods move (one at a time, by this command), then its strategy is put back at partition {}",
                plan.to_partition
            )?;
        }
        for line in self.gates.describe() {
            writeln!(out, "  {line}")?;
        }
        Ok(())
    }

    fn nothing_to_do(&self, _plan: &PromotePlan) -> Option<String> {
        None
    }

    fn question(&self, plan: &PromotePlan) -> Question {
        match self.chosen {
            true => Question::Answered,
            false => Question::YesNo(format!(
                "Promote statefulset {}/{} ({} pod(s) move)?",
                plan.namespace,
                plan.name,
                plan.moves.len()
            )),
        }
    }

    fn action(&self, plan: &PromotePlan) -> String {
        format!("promote statefulset {}/{}", plan.namespace, plan.name)
    }

    fn writes(&self, planned: &Planned<PromotePlan>) -> Vec<Write> {
        let plan = &planned.plan;
        let rv = planned
            .set
            .as_ref()
            .and_then(|s| s.metadata.resource_version.clone());
        if let Some(own) = self
            .own_strategy
            .as_ref()
            .filter(|_| plan.strategy == Strategy::RollingUpdate)
        {
            let record = Record {
                command: self.command_line(),
                step: "promote".into(),
                started: crate::model::flow::record::now(),
                data: serde_json::json!({"strategy": own, "partition": plan.to_partition}),
                yields_to: Vec::new(),
            };
            return vec![Write::SetStrategy {
                set: plan.name.clone(),
                resource_version: rv.unwrap_or_default(),
                strategy: driven_strategy(),
                restarted_at: None,
                record: Some(record),
            }];
        }
        if plan.strategy == Strategy::OnDelete || plan.to_partition == plan.from_partition {
            return Vec::new();
        }
        vec![Write::SetPartition {
            set: plan.name.clone(),
            resource_version: rv.unwrap_or_default(),
            partition: plan.to_partition,
        }]
    }

    fn needs(&self, planned: &Planned<PromotePlan>) -> Vec<Need> {
        let plan = &planned.plan;
        match plan.strategy {
            Strategy::RollingUpdate if self.own_strategy.is_some() => vec![PATCH_SETS, DELETE_PODS],
            Strategy::RollingUpdate if plan.to_partition != plan.from_partition => vec![PATCH_SETS],
            Strategy::OnDelete if !plan.moves.is_empty() => vec![DELETE_PODS],
            _ => Vec::new(),
        }
    }

    fn same_change(&self, old: &PromotePlan, new: &PromotePlan) -> bool {
        (old.from_partition, old.to_partition, &old.moves)
            == (new.from_partition, new.to_partition, &new.moves)
    }

    fn what_changed(&self, _old: &PromotePlan, new: &PromotePlan) -> String {
        format!("the partition is now {}", new.from_partition)
    }

    fn resuming(&self, plan: &PromotePlan) -> String {
        format!(
            "partition already at {}; waiting for the pods (resuming)",
            plan.to_partition
        )
    }

    /// `--no-wait`: an OnDelete set still rolls its next pod.
    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<PromotePlan>, no_wait: bool) -> Ending {
        let plan = &planned.plan;
        if no_wait && plan.strategy == Strategy::RollingUpdate {
            let message = format!("partition is now {}; not waiting (--no-wait)", plan.to_partition);
            return Ending::not_waited(message);
        }
        let fresh = match observed_snapshot(ctx, &plan.name).await {
            Ok(snap) => snap,
            Err(err) => return Ending::failed(err, Vec::new()),
        };
        let gates = &self.gates;
        let command = self.command_line();
        let ending = match (&self.own_strategy, plan.strategy) {
            (Some(own), _) => {
                finish_on_interrupt(true);
                let ending = roll_next(ctx, &fresh, plan, no_wait, gates, &command).await;
                let ending = put_strategy_back(ctx, &plan.name, own, ending, None, "moved").await;
                finish_on_interrupt(false);
                ending
            }
            (None, Strategy::RollingUpdate) => follow(ctx, &fresh, plan).await,
            (None, Strategy::OnDelete) => roll_next(ctx, &fresh, plan, no_wait, gates, &command).await,
        };
        let finished = ending.error.is_none() && !no_wait && plan.to_partition == 0;
        match finished {
            true => end_rollout(ctx, plan, ending).await,
            false => ending,
        }
    }
}

/// The rollout is complete: its records go.
async fn end_rollout(ctx: &Context, plan: &PromotePlan, ending: Ending) -> Ending {
    let records = Write::EndRollout {
        set: plan.name.clone(),
        partition: None,
    };
    match write::apply(ctx, &records, false).await {
        Ok(_) => ending,
        Err(err) => Ending::failed(err, ending.pods),
    }
}

impl Promote<'_> {
    /// The set's own strategy at the new partition, kept while a gated promotion drives the set
    /// as OnDelete: from the record of an earlier run of this command, or planned now.
    fn own_strategy_of(&self, snap: &SetSnapshot, plan: Option<&PromotePlan>) -> Result<Option<Value>> {
        let recorded = record::on_set(&snap.set)
            .filter(|r| r.command == self.command_line())
            .map(|r| r.data["strategy"].clone())
            .filter(|s| !s.is_null());
        if recorded.is_some() || self.gates.is_empty() || set::strategy(&snap.set) != Strategy::RollingUpdate
        {
            return Ok(recorded);
        }
        let Some(plan) = plan else { return Ok(None) };
        let mut own = serde_json::to_value(snap.set.spec.as_ref().and_then(|s| s.update_strategy.clone()))?;
        own["rollingUpdate"]["partition"] = serde_json::json!(plan.to_partition);
        Ok(Some(own))
    }
}

fn requested(args: &PromoteArgs) -> Option<PromoteTo> {
    match (args.step, args.partition, args.full) {
        (Some(k), _, _) => Some(PromoteTo::Step(k)),
        (_, Some(p), _) => Some(PromoteTo::Partition(p)),
        (_, _, true) => Some(PromoteTo::Full),
        _ => None,
    }
}

/// On a terminal: next pod, half of the rest, or all.
fn ask(ctx: &Context, snap: &SetSnapshot) -> Result<PromoteTo> {
    let update = in_flight(snap).unwrap_or_default();
    let choices = promote_choices(effective_partition(snap, &update));
    let labels: Vec<String> = choices.iter().map(|(label, _)| label.clone()).collect();
    let prompt = format!(
        "Promote statefulset {}/{} how far?",
        snap.namespace(),
        snap.name()
    );
    match choose(ctx, &prompt, &labels)? {
        Some(index) => Ok(PromoteTo::Partition(choices[index].1)),
        None => {
            Err(StsError::Usage("say how far to promote: --step K, --partition P or --full".into()).into())
        }
    }
}

async fn follow(ctx: &Context, snap: &SetSnapshot, plan: &PromotePlan) -> Ending {
    let when_stuck = format!("roll back with `{}`", ctx.sts(&format!("abort {}", plan.name)));
    let resume = ctx.sts(&format!(
        "promote {} --partition {}",
        plan.name, plan.to_partition
    ));
    let advice = Advice {
        when_stuck: &when_stuck,
        resume: &resume,
    };
    let followed = follow_update(ctx, &snap.set, &plan.awaited, deadline_after(ctx.timeout), advice).await;
    followed.ending(promoted_message(plan))
}

/// The pods that move, rolled one at a time with the gates; `command` names the record.
async fn roll_next(
    ctx: &Context,
    snap: &SetSnapshot,
    plan: &PromotePlan,
    no_wait: bool,
    gates: &Gates,
    command: &str,
) -> Ending {
    let roll_plan = match plan_roll(snap, Some(&plan.moves), Method::Delete) {
        Ok(roll_plan) => roll_plan,
        Err(refusal) => return Ending::failed(StsError::from(refusal).into(), Vec::new()),
    };
    let resume = ctx.sts(&format!(
        "promote {} --partition {}{}",
        plan.name,
        plan.to_partition,
        gate_flags(gates)
    ));
    let abort = format!("roll back with `{}`", ctx.sts(&format!("abort {}", plan.name)));
    let gated = Gated {
        gates,
        resume: &resume,
        command,
        when_stuck: Some(&abort),
    };
    let run = replace::execute_gated(ctx, &snap.set, &roll_plan, no_wait, gated).await;
    run.ending(promoted_message(plan))
}

fn promoted_message(plan: &PromotePlan) -> String {
    let done = if plan.to_partition == 0 {
        "; the rollout is complete"
    } else {
        ""
    };
    format!(
        "promoted statefulset {}/{} to partition {}: {} pod(s) on {}{done}",
        plan.namespace, plan.name, plan.to_partition, plan.on_update_after, plan.update_revision
    )
}
