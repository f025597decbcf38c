//! `kubectl sts restart NAME`: set the template annotation `kubectl.kubernetes.io/restartedAt`
//! (as `kubectl rollout restart` does), then for RollingUpdate follow the controller's rollout
//! pod by pod, and for OnDelete replace every pod with the engine's pod replacement.

use anyhow::Result;
use k8s_openapi::jiff::Timestamp;

use crate::cli::RestartArgs;
use crate::context::Context;
use crate::engine::follow::{Advice, follow_update};
use crate::engine::replace;
use crate::engine::write::{self, Write};
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read};
use crate::error::StsError;
use crate::model::flow::record::{self, Record};
use crate::model::rollout::restart::{RESTARTED_AT, RestartPlan, plan_restart};
use crate::model::rollout::roll::{Method, plan_roll};
use crate::model::rollout::update::ordinals_to_update;
use crate::model::set::Strategy;
use crate::model::set::snapshot::SetSnapshot;
use crate::output::restart::write_restart_plan;
use crate::preflight::{DELETE_PODS, EVICT_PODS, Need, PATCH_SETS};
use crate::wait::{deadline_after, observed_snapshot, planning_snapshot};

/// Restarts the set.
pub async fn run(ctx: &Context, args: &RestartArgs) -> Result<()> {
    let mut command = Restart {
        args,
        restarted_at: Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
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
        match self.args.evict {
            true => format!("kubectl sts restart {} --evict", self.args.name),
            false => format!("kubectl sts restart {}", self.args.name),
        }
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<RestartPlan>> {
        let snap = planning_snapshot(ctx, &self.args.name).await?;
        // A restart recorded by an earlier run of this command goes on at its instant.
        let recorded = record::on_set(&snap.set)
            .filter(|r| r.command == self.command_line())
            .and_then(|r| r.data["restarted_at"].as_str().map(str::to_string));
        if let Some(at) = recorded {
            self.restarted_at = at;
        }
        Ok(Read {
            plan: Ok(plan_restart(&snap, &self.restarted_at)),
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &RestartPlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_restart_plan(out, plan)
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
        if template_restarted_at(set) == Some(planned.plan.restarted_at.as_str()) {
            return Vec::new();
        }
        let record = Record {
            command: self.command_line(),
            step: "restart".into(),
            started: planned.plan.restarted_at.clone(),
            data: serde_json::json!({"restarted_at": planned.plan.restarted_at}),
            yields_to: Vec::new(),
        };
        vec![Write::AnnotateTemplate {
            set: planned.plan.name.clone(),
            resource_version: set.metadata.resource_version.clone().unwrap_or_default(),
            key: RESTARTED_AT.into(),
            value: planned.plan.restarted_at.clone(),
            record: Some(record),
        }]
    }

    fn needs(&self, planned: &Planned<RestartPlan>) -> Vec<Need> {
        let take_down = if self.args.evict { EVICT_PODS } else { DELETE_PODS };
        match planned.plan.strategy {
            Strategy::RollingUpdate => vec![PATCH_SETS],
            Strategy::OnDelete => vec![PATCH_SETS, take_down],
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
        let ending = match planned.plan.strategy {
            Strategy::RollingUpdate => follow_rolling(ctx, &fresh, &planned.plan).await,
            Strategy::OnDelete => roll_all(ctx, &fresh, self.args.evict).await,
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

async fn roll_all(ctx: &Context, snap: &SetSnapshot, evict: bool) -> Ending {
    let method = if evict { Method::Evict } else { Method::Delete };
    let roll_plan = match plan_roll(snap, None, method) {
        Ok(plan) => plan,
        Err(refusal) => return Ending::failed(StsError::from(refusal).into(), Vec::new()),
    };
    let resume = ctx.sts(&format!("roll {}", snap.name()));
    let run = replace::execute(ctx, &snap.set, &roll_plan, false, &resume).await;
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
