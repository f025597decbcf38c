//! `kubectl sts restart NAME`: set the template annotation `kubectl.kubernetes.io/restartedAt`
//! (as `kubectl rollout restart` does), then for RollingUpdate follow the controller's rollout
//! pod by pod, and for OnDelete replace every pod with the engine's pod replacement. With
//! gates (`--pod-check`, hooks, `--leader`) a RollingUpdate set is driven as OnDelete: the
//! annotation, the strategy switch and the record (holding the set's own strategy) in one
//! write, every pod replaced by the gated roll, then the strategy put back — on a stop, with
//! a partition holding the pods not yet restarted, the record kept so that a re-run goes on.

use anyhow::Result;
use serde_json::Value;

use crate::cli::RestartArgs;
use crate::context::Context;
use crate::engine::follow::{Advice, follow_update};
use crate::engine::gates::{Gated, check_programs, gate_flags, put_strategy_back};
use crate::engine::replace;
use crate::engine::write::{self, Write};
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read};
use crate::error::StsError;
use crate::model::flow::record::{self, Record};
use crate::model::rollout::gates::{Gates, driven_strategy};
use crate::model::rollout::restart::{RESTARTED_AT, RestartPlan, plan_restart};
use crate::model::rollout::roll::{Method, plan_roll};
use crate::model::rollout::update::ordinals_to_update;
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};
use crate::output::restart::write_restart_plan;
use crate::preflight::{DELETE_PODS, EVICT_PODS, Need, PATCH_SETS};
use crate::wait::{deadline_after, finish_on_interrupt, observed_snapshot, planning_snapshot};

/// Restarts the set.
pub async fn run(ctx: &Context, args: &RestartArgs) -> Result<()> {
    let gates = Gates::from(&args.gates);
    check_programs(&gates)?;
    let mut command = Restart {
        args,
        restarted_at: crate::model::flow::record::now(),
        gates,
        own_strategy: None,
    };
    let flags = Flags {
        dry_run: args.dry_run,
        no_wait: args.no_wait,
    };
    crate::engine::run(ctx, &mut command, flags).await
}

struct Restart<'a> {
    args: &'a RestartArgs,
    /// Chosen once: a re-plan after a conflict restarts at the same instant.
    restarted_at: String,
    gates: Gates,
    /// The set's own update strategy while a gated restart drives it as OnDelete (read when
    /// planning, or from the record of an earlier run).
    own_strategy: Option<Value>,
}

impl Restart<'_> {
    /// How an OnDelete set's pods are taken down.
    fn method(&self) -> Method {
        match self.args.evict {
            true => Method::Evict,
            false => Method::Delete,
        }
    }
}

impl Guided for Restart<'_> {
    type Plan = RestartPlan;
    fn kind(&self) -> &'static str {
        "RestartResult"
    }

    fn set_name(&self) -> &str {
        &self.args.name
    }

    fn command_line(&self) -> String {
        let evict = if self.args.evict { " --evict" } else { "" };
        format!(
            "kubectl sts restart {}{evict}{}",
            self.args.name,
            gate_flags(&self.gates)
        )
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<RestartPlan>> {
        let snap = planning_snapshot(ctx, &self.args.name).await?;
        // A restart recorded by an earlier run of this command goes on at its instant.
        let recorded = record::on_set(&snap.set).filter(|r| r.command == self.command_line());
        if let Some(at) = recorded.as_ref().and_then(|r| r.data["restarted_at"].as_str()) {
            self.restarted_at = at.to_string();
        }
        self.own_strategy = match recorded.map(|r| r.data["strategy"].clone()) {
            Some(strategy) if !strategy.is_null() => Some(strategy),
            _ if !self.gates.is_empty() && set::strategy(&snap.set) == Strategy::RollingUpdate => Some(
                serde_json::to_value(snap.set.spec.as_ref().and_then(|s| s.update_strategy.clone()))?,
            ),
            _ => None,
        };
        Ok(Read {
            plan: Ok(plan_restart(&snap, &self.restarted_at, self.method())),
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &RestartPlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_restart_plan(out, plan)?;
        if self.own_strategy.is_some() {
            writeln!(
                out,
                "  gated: the set is driven as OnDelete for the restart (its pods replaced one at a time by this command), then its strategy and partition are put back"
            )?;
        }
        for line in self.gates.describe() {
            writeln!(out, "  {line}")?;
        }
        Ok(())
    }

    fn nothing_to_do(&self, _plan: &RestartPlan) -> Option<String> {
        None
    }

    fn question(&self, plan: &RestartPlan) -> Question {
        Question::YesNo(format!(
            "Restart statefulset {}/{} ({} pod(s))?",
            plan.namespace,
            plan.name,
            plan.pods.len()
        ))
    }

    fn action(&self, plan: &RestartPlan) -> String {
        format!("restart statefulset {}/{}", plan.namespace, plan.name)
    }

    /// The annotation and the record of the restart, in one write; nothing when the template
    /// has it already (a re-run resuming).
    fn writes(&self, planned: &Planned<RestartPlan>) -> Vec<Write> {
        let Some(set) = planned.set.as_ref() else {
            return Vec::new();
        };
        let record = Record {
            command: self.command_line(),
            step: "restart".into(),
            started: planned.plan.restarted_at.clone(),
            data: serde_json::json!({"restarted_at": planned.plan.restarted_at, "strategy": self.own_strategy}),
            yields_to: Vec::new(),
        };
        let resource_version = set.metadata.resource_version.clone().unwrap_or_default();
        if self.own_strategy.is_some() && set::strategy(set) == Strategy::RollingUpdate {
            return vec![Write::SetStrategy {
                set: planned.plan.name.clone(),
                resource_version,
                strategy: driven_strategy(),
                restarted_at: Some(planned.plan.restarted_at.clone()),
                record: Some(record),
            }];
        }
        if template_restarted_at(set) == Some(planned.plan.restarted_at.as_str()) {
            return Vec::new();
        }
        vec![Write::AnnotateTemplate {
            set: planned.plan.name.clone(),
            resource_version,
            key: RESTARTED_AT.into(),
            value: planned.plan.restarted_at.clone(),
            record: Some(record),
        }]
    }

    fn needs(&self, planned: &Planned<RestartPlan>) -> Vec<Need> {
        let take_down = if self.args.evict { EVICT_PODS } else { DELETE_PODS };
        match planned.plan.strategy {
            Strategy::RollingUpdate if self.own_strategy.is_none() => vec![PATCH_SETS],
            _ => vec![PATCH_SETS, take_down],
        }
    }

    /// A restart is the same whatever else changed, as long as the same pods restart.
    fn same_change(&self, old: &RestartPlan, new: &RestartPlan) -> bool {
        old.strategy == new.strategy && old.pods == new.pods
    }

    fn resuming(&self, plan: &RestartPlan) -> String {
        format!(
            "resuming the restart of statefulset {}/{}",
            plan.namespace, plan.name
        )
    }

    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<RestartPlan>, no_wait: bool) -> Ending {
        if no_wait {
            return Ending::not_waited(format!(
                "set {RESTARTED_AT}={}; not waiting (--no-wait)",
                planned.plan.restarted_at
            ));
        }
        let fresh = match observed_snapshot(ctx, &planned.plan.name).await {
            Ok(snap) => snap,
            Err(err) => return Ending::failed(err, Vec::new()),
        };
        let command = self.command_line();
        let resume = ctx.complete(&command);
        let gated = Gated::new(&self.gates, &resume, &command);
        let ending = match (&self.own_strategy, planned.plan.strategy) {
            (Some(own), _) => {
                finish_on_interrupt(true);
                let ending = roll_all(ctx, &fresh, self.method(), gated).await;
                // A stop keeps the record: re-running goes on at the same restart instant.
                let keep = ending.error.as_ref().and(record::on_set(&fresh.set));
                let name = &planned.plan.name;
                let ending = put_strategy_back(ctx, name, own, ending, keep, "restarted").await;
                finish_on_interrupt(false);
                return ending;
            }
            (None, Strategy::RollingUpdate) => follow_rolling(ctx, &fresh, &planned.plan).await,
            (None, Strategy::OnDelete) => roll_all(ctx, &fresh, self.method(), gated).await,
        };
        match ending.error {
            None => forget(ctx, &planned.plan.name, ending).await,
            Some(_) => ending,
        }
    }
}

async fn follow_rolling(ctx: &Context, snap: &SetSnapshot, plan: &RestartPlan) -> Ending {
    let resume = ctx.sts(&format!("status {} --watch", plan.name));
    let advice = Advice {
        when_stuck: "the controller will not go past it: fix its cause, or delete the pod to have it recreated",
        resume: &resume,
    };
    let deadline = deadline_after(ctx.timeout);
    let followed = follow_update(ctx, &snap.set, &ordinals_to_update(snap), deadline, advice).await;
    let done = format!(
        "restarted statefulset {}/{}: {} pod(s) replaced by the controller",
        plan.namespace,
        plan.name,
        followed.pods.len()
    );
    followed.ending(done)
}

async fn roll_all(ctx: &Context, snap: &SetSnapshot, method: Method, gated: Gated<'_>) -> Ending {
    let roll_plan = match plan_roll(snap, None, method) {
        Ok(plan) => plan,
        Err(refusal) => return Ending::failed(StsError::from(refusal).into(), Vec::new()),
    };
    let run = replace::execute_gated(ctx, &snap.set, &roll_plan, false, gated).await;
    let done = format!(
        "restarted statefulset {}/{}: {} pod(s) replaced",
        snap.namespace(),
        snap.name(),
        run.replaced.len()
    );
    run.ending(done)
}

/// The restart annotation of the set's template.
fn template_restarted_at(set: &k8s_openapi::api::apps::v1::StatefulSet) -> Option<&str> {
    let template = set.spec.as_ref()?.template.metadata.as_ref()?;
    template
        .annotations
        .as_ref()?
        .get(RESTARTED_AT)
        .map(String::as_str)
}

/// The restart is done: its record goes.
async fn forget(ctx: &Context, set: &str, ending: Ending) -> Ending {
    let forget = Write::Record {
        set: set.to_string(),
        record: None,
    };
    match write::apply(ctx, &forget, false).await {
        Ok(_) => ending,
        Err(err) => Ending::failed(err, ending.pods),
    }
}
