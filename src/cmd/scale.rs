//! `kubectl sts scale NAME --replicas N`: plan from a fresh snapshot (after the controller
//! caught up), write `spec.replicas` through the scale subresource at the planned
//! resourceVersion, then wait pod by pod on watches. The flow is the engine's.

use anyhow::Result;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use crate::cli::ScaleArgs;
use crate::context::Context;
use crate::engine::write::Write;
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read, scaling};
use crate::fetch;
use crate::model::scale::ordered::{ScalePlan, blocked_scale, plan_scale};
use crate::output::Style;
use crate::output::scale::write_scale_plan;
use crate::wait::planning_snapshot;

/// Scales the set.
pub async fn run(ctx: &Context, args: &ScaleArgs) -> Result<()> {
    let flags = Flags {
        dry_run: args.dry_run,
        no_wait: args.no_wait,
    };
    let mut command = Scale {
        name: &args.name,
        replicas: args.replicas,
        budgets: None,
        wide: ctx.wide,
    };
    crate::engine::run(ctx, &mut command, flags).await
}

struct Scale<'a> {
    name: &'a str,
    replicas: i32,
    /// Read once: budgets do not change what a re-plan writes.
    budgets: Option<Vec<PodDisruptionBudget>>,
    /// `-o wide`: every pod of the plan listed.
    wide: bool,
}

impl Guided for Scale<'_> {
    type Plan = ScalePlan;
    fn kind(&self) -> &'static str {
        "ScaleResult"
    }

    fn set_name(&self) -> &str {
        self.name
    }

    fn command_line(&self) -> String {
        format!("kubectl sts scale {} --replicas {}", self.name, self.replicas)
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<ScalePlan>> {
        let snap = planning_snapshot(ctx, self.name).await?;
        if self.budgets.is_none() {
            self.budgets = Some(fetch::budgets(ctx).await?);
        }
        let plan = plan_scale(&snap, self.replicas, self.budgets.as_deref().unwrap_or_default());
        let plan = match blocked_scale(&snap, &plan) {
            Some(refusal) => Err(refusal),
            None => Ok(plan),
        };
        Ok(Read {
            plan,
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &ScalePlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_scale_plan(out, plan, Style::for_stdout(), self.wide)
    }

    fn nothing_to_do(&self, plan: &ScalePlan) -> Option<String> {
        (!plan.changes_spec() && plan.pods.is_empty()).then(|| {
            format!(
                "statefulset {}/{} already has {} replicas; nothing to do",
                plan.namespace, plan.name, plan.to
            )
        })
    }

    fn question(&self, plan: &ScalePlan) -> Question {
        Question::YesNo(format!(
            "Scale statefulset {}/{} from {} to {} replicas?",
            plan.namespace, plan.name, plan.from, plan.to
        ))
    }

    fn action(&self, plan: &ScalePlan) -> String {
        format!("scale statefulset {}/{}", plan.namespace, plan.name)
    }

    fn writes(&self, planned: &Planned<ScalePlan>) -> Vec<Write> {
        let Some(set) = planned.set.as_ref().filter(|_| planned.plan.changes_spec()) else {
            return Vec::new();
        };
        vec![Write::Scale {
            set: planned.plan.name.clone(),
            resource_version: set.metadata.resource_version.clone().unwrap_or_default(),
            replicas: planned.plan.to,
        }]
    }

    fn same_change(&self, old: &ScalePlan, new: &ScalePlan) -> bool {
        new.same_changes(old)
    }

    fn what_changed(&self, _old: &ScalePlan, new: &ScalePlan) -> String {
        format!("spec.replicas is now {}", new.from)
    }

    fn resuming(&self, plan: &ScalePlan) -> String {
        format!(
            "spec.replicas is already {}; waiting for the controller to finish",
            plan.to
        )
    }

    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<ScalePlan>, no_wait: bool) -> Ending {
        let plan = &planned.plan;
        if no_wait {
            return Ending::not_waited(format!(
                "spec.replicas is now {}; not waiting for the pods (--no-wait)",
                plan.to
            ));
        }
        let sts = match fetch::statefulset(ctx, &plan.name).await {
            Ok(sts) => sts,
            Err(err) => return Ending::failed(err, scaling::outcome_pods(plan, None)),
        };
        let (result, progress) = scaling::wait(ctx, plan, &sts).await;
        let pods = scaling::outcome_pods(plan, Some(&progress));
        let resume = format!(
            "re-run `{}` to resume waiting",
            ctx.sts(&format!("scale {} --replicas {}", plan.name, plan.to))
        );
        let state = format!("spec.replicas is {} and the controller goes on", plan.to);
        match result {
            Ok(()) => Ending::done(
                format!(
                    "scaled statefulset {}/{} to {} replicas",
                    plan.namespace, plan.name, plan.to
                ),
                pods,
            ),
            Err(end) => Ending::failed(
                end.into_error(
                    ctx.timeout,
                    &state,
                    &resume,
                    &format!("statefulset {} was deleted", plan.name),
                ),
                pods,
            ),
        }
    }
}
