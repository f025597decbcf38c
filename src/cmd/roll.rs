//! `kubectl sts roll NAME`: replace outdated pods of an OnDelete set (or chosen ordinals of any
//! set) one at a time, highest ordinal first, through the engine's pod replacement (every
//! other member Ready first; delete by uid or evict honouring PodDisruptionBudgets; the
//! replacement Ready on the update revision), with the gates the user gave around each pod
//! (`engine::gates`: the leader last, hooks, a check between pods). Re-running resumes where a
//! roll stopped.

use anyhow::Result;

use crate::cli::RollArgs;
use crate::context::Context;
use crate::engine::gates::{Gated, check_programs, gate_flags};
use crate::engine::replace::{self, RollRun};
use crate::engine::write::Write;
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read};
use crate::model::flow::group::{FEW, span};
use crate::model::flow::step::PodOutcome;
use crate::model::rollout::gates::Gates;
use crate::model::rollout::roll::{Method, RollPlan, RollStep, plan_roll};
use crate::output::Style;
use crate::output::roll::write_roll_plan;
use crate::wait::planning_snapshot;

/// Rolls the set.
pub async fn run(ctx: &Context, args: &RollArgs) -> Result<()> {
    let gates = Gates::from(&args.gates);
    check_programs(&gates)?;
    let mut command = Roll {
        args,
        wide: ctx.wide,
        gates,
    };
    let flags = Flags {
        dry_run: args.dry_run,
        no_wait: args.no_wait,
    };
    crate::engine::run(ctx, &mut command, flags).await
}

struct Roll<'a> {
    args: &'a RollArgs,
    /// `-o wide`: every pod of the plan listed.
    wide: bool,
    gates: Gates,
}

impl Guided for Roll<'_> {
    type Plan = RollPlan;
    fn kind(&self) -> &'static str {
        "RollResult"
    }

    fn set_name(&self) -> &str {
        &self.args.name
    }

    fn command_line(&self) -> String {
        format!("kubectl sts roll {}{}", self.args.name, gate_flags(&self.gates))
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<RollPlan>> {
        let snap = planning_snapshot(ctx, &self.args.name).await?;
        let method = if self.args.evict {
            Method::Evict
        } else {
            Method::Delete
        };
        Ok(Read {
            plan: plan_roll(&snap, self.args.ordinals.as_deref(), method),
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &RollPlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_roll_plan(out, plan, Style::for_stdout(), self.wide)?;
        for line in self.gates.describe() {
            writeln!(out, "  {line}")?;
        }
        Ok(())
    }

    fn nothing_to_do(&self, plan: &RollPlan) -> Option<String> {
        (plan.replacements().count() == 0)
            .then(|| format!("nothing to roll in statefulset {}/{}", plan.namespace, plan.name))
    }

    fn question(&self, plan: &RollPlan) -> Question {
        let pods: Vec<&str> = plan.replacements().map(|s| s.pod.as_str()).collect();
        let named = match (pods.first(), pods.last()) {
            (Some(first), Some(last)) if pods.len() > FEW => span(first, last, pods.len()),
            _ => pods.join(", "),
        };
        Question::YesNo(format!(
            "Replace {} pod(s) of statefulset {}/{} one at a time ({named})?",
            pods.len(),
            plan.namespace,
            plan.name,
        ))
    }

    fn action(&self, plan: &RollPlan) -> String {
        format!("roll statefulset {}/{}", plan.namespace, plan.name)
    }

    /// Every pod is taken down in its turn, after the others are Ready: nothing is written up
    /// front.
    fn writes(&self, _planned: &Planned<RollPlan>) -> Vec<Write> {
        Vec::new()
    }

    fn dry_run_writes(&self, planned: &Planned<RollPlan>) -> Vec<Write> {
        let plan = &planned.plan;
        plan.replacements()
            .filter_map(|step| replace::take_down(plan, step))
            .collect()
    }

    fn same_change(&self, old: &RollPlan, new: &RollPlan) -> bool {
        old == new
    }

    fn resuming(&self, plan: &RollPlan) -> String {
        format!(
            "resuming the roll of statefulset {}/{}",
            plan.namespace, plan.name
        )
    }

    /// `--no-wait` takes the next pod down and returns.
    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<RollPlan>, no_wait: bool) -> Ending {
        let plan = &planned.plan;
        let Some(set) = planned.set.as_ref() else {
            return Ending::done(String::new(), Vec::new());
        };
        let command = self.command_line();
        let resume = ctx.complete(&command);
        let gated = Gated::new(&self.gates, &resume, &command);
        let run = replace::execute_gated(ctx, set, plan, no_wait, gated).await;
        let done = done_message(plan, &run, no_wait);
        let mut ending = run.ending(done);
        ending.pods.extend(untouched(plan, &ending.pods));
        ending
    }
}

fn done_message(plan: &RollPlan, run: &RollRun, single_step: bool) -> String {
    match single_step {
        true => format!(
            "took down {} of statefulset {}/{}; not waiting (--no-wait): re-run to go on",
            run.replaced.first().map_or("no pod", |r| r.pod.as_str()),
            plan.namespace,
            plan.name
        ),
        false => format!(
            "rolled statefulset {}/{}: {} pod(s) replaced, every one Ready on the update revision",
            plan.namespace,
            plan.name,
            run.replaced.len()
        ),
    }
}

/// The planned pods the run did not reach.
fn untouched(plan: &RollPlan, reached: &[PodOutcome]) -> Vec<PodOutcome> {
    plan.replacements()
        .filter(|s| !reached.iter().any(|p| p.pod == s.pod))
        .map(|step: &RollStep| PodOutcome {
            pod: step.pod.clone(),
            state: "untouched".into(),
            done: false,
            seconds: None,
            old_uid: step.uid.clone(),
            new_uid: None,
        })
        .collect()
}
