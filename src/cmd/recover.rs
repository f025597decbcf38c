//! `kubectl sts recover NAME [--force-delete | --out-of-service] [--dry-run]`: free the members
//! of a set stranded on a dead node. The node is proven down first (Ready condition, Lease,
//! taints, volume attachments; `model::diagnosis::recover`); a node that may be alive, or a pod
//! held by a finalizer, is refused with no write. Then the chosen remedy, and a wait until each member
//! is Ready on a live node.

use anyhow::Result;
use k8s_openapi::api::core::v1::Node;
use serde_json::{Value, json};

use crate::cli::RecoverArgs;
use crate::context::Context;
use crate::engine::follow::{Advice, follow};
use crate::engine::write::Write;
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read};
use crate::error::StsError;
use crate::fetch;
use crate::model::diagnosis::recover::{
    NodeFacts, OUT_OF_SERVICE, RecoverPlan, Remedy, judge_recovery, plan_recover,
};
use crate::output::prompt::choose;
use crate::output::recover::write_recover_plan;
use crate::wait::deadline_after;

/// Recovers the set's stranded members.
pub async fn run(ctx: &Context, args: &RecoverArgs) -> Result<()> {
    let remedy = match (args.force_delete, args.out_of_service) {
        (true, _) => Some(Remedy::ForceDelete),
        (_, true) => Some(Remedy::OutOfService),
        _ => None,
    };
    if remedy.is_none() && !args.dry_run && !ctx.interactive {
        return Err(StsError::Usage(format!(
            "recover {}: choose a remedy, --force-delete or --out-of-service (without a terminal nothing is asked; `--dry-run` shows what each would do)",
            args.name
        ))
        .into());
    }
    let mut command = Recover {
        args,
        remedy,
        chosen: false,
        nodes: Vec::new(),
    };
    let flags = Flags::waiting(args.dry_run);
    crate::engine::run(ctx, &mut command, flags).await
}

struct Recover<'a> {
    args: &'a RecoverArgs,
    /// From the flags, or chosen on the terminal once the stranded members are shown.
    remedy: Option<Remedy>,
    chosen: bool,
    /// The nodes as read with the plan (their taints and resourceVersions, for fencing).
    nodes: Vec<Node>,
}

impl Recover<'_> {
    /// On a terminal without a flag: both remedies with their consequences, naming the nodes.
    fn ask(&mut self, ctx: &Context, plan: &RecoverPlan) -> Result<()> {
        let mut shown = Vec::new();
        write_recover_plan(&mut shown, plan)?;
        eprint!("{}", String::from_utf8_lossy(&shown));
        let remedies = [Remedy::ForceDelete, Remedy::OutOfService];
        let labels: Vec<String> = remedies.iter().map(|r| r.consequences(&plan.nodes)).collect();
        let prompt = format!("Node(s) {} are down. Recover how?", plan.nodes.join(", "));
        match choose(ctx, &prompt, &labels)? {
            Some(index) => {
                self.remedy = Some(remedies[index]);
                self.chosen = true;
                Ok(())
            }
            None => Err(StsError::Usage("choose a remedy: --force-delete or --out-of-service".into()).into()),
        }
    }

    /// The taints of `node` with the out-of-service taint added; `None` when it has it already.
    fn fenced_taints(&self, node: &str) -> Option<(String, Value)> {
        let node = self
            .nodes
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(node))?;
        let mut taints: Vec<Value> = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .map(|ts| ts.iter().filter_map(|t| serde_json::to_value(t).ok()).collect())
            .unwrap_or_default();
        if taints.iter().any(|t| t["key"] == OUT_OF_SERVICE) {
            return None;
        }
        taints.push(json!({"key": OUT_OF_SERVICE, "value": "nodeshutdown", "effect": "NoExecute"}));
        Some((
            node.metadata.resource_version.clone().unwrap_or_default(),
            Value::Array(taints),
        ))
    }
}

impl Guided for Recover<'_> {
    type Plan = RecoverPlan;

    fn kind(&self) -> &'static str {
        "RecoverResult"
    }

    fn set_name(&self) -> &str {
        &self.args.name
    }

    fn command_line(&self) -> String {
        let flag = match self.remedy {
            Some(Remedy::OutOfService) => " --out-of-service",
            _ => " --force-delete",
        };
        format!("kubectl sts recover {}{flag}", self.args.name)
    }

    async fn read(&mut self, ctx: &Context) -> Result<Read<RecoverPlan>> {
        let (snap, lists) = fetch::recovery_facts(ctx, &self.args.name).await?;
        let facts = NodeFacts {
            nodes: lists.nodes.as_deref(),
            leases: lists.leases.as_deref(),
            attachments: lists.attachments.as_deref(),
        };
        let mut plan = plan_recover(&snap, &facts, self.remedy);
        if let Ok(found) = &mut plan
            && self.remedy.is_none()
            && !self.args.dry_run
            && !found.stranded.is_empty()
        {
            self.ask(ctx, found)?;
            found.remedy = self.remedy;
        }
        self.nodes = lists.nodes.unwrap_or_default();
        Ok(Read {
            plan,
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &RecoverPlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_recover_plan(out, plan)
    }

    fn nothing_to_do(&self, plan: &RecoverPlan) -> Option<String> {
        plan.stranded.is_empty().then(|| {
            format!(
                "nothing to recover: no member of statefulset {}/{} is stranded",
                plan.namespace, plan.name
            )
        })
    }

    fn question(&self, plan: &RecoverPlan) -> Question {
        if self.chosen {
            return Question::Answered;
        }
        let pods: Vec<&str> = plan.stranded.iter().map(|s| s.pod.as_str()).collect();
        Question::YesNo(match plan.remedy {
            Some(Remedy::OutOfService) => format!(
                "Taint node(s) {} out of service (every pod on them goes)?",
                plan.nodes.join(", ")
            ),
            _ => format!(
                "Force-delete {} from node(s) {} (proven down)?",
                pods.join(", "),
                plan.nodes.join(", ")
            ),
        })
    }

    fn action(&self, plan: &RecoverPlan) -> String {
        format!("recover statefulset {}/{}", plan.namespace, plan.name)
    }

    fn writes(&self, planned: &Planned<RecoverPlan>) -> Vec<Write> {
        let plan = &planned.plan;
        match plan.remedy {
            Some(Remedy::ForceDelete) => plan
                .stranded
                .iter()
                .map(|s| Write::ForceDeletePod {
                    pod: s.pod.clone(),
                    uid: s.uid.clone(),
                })
                .collect(),
            Some(Remedy::OutOfService) => plan
                .nodes
                .iter()
                .filter_map(|node| {
                    let (resource_version, taints) = self.fenced_taints(node)?;
                    Some(Write::TaintNode {
                        node: node.clone(),
                        resource_version,
                        taints,
                    })
                })
                .collect(),
            None => Vec::new(),
        }
    }

    fn same_change(&self, old: &RecoverPlan, new: &RecoverPlan) -> bool {
        old.stranded == new.stranded && old.nodes == new.nodes && old.remedy == new.remedy
    }

    fn resuming(&self, plan: &RecoverPlan) -> String {
        format!(
            "node(s) {} are fenced already: waiting for the replacements",
            plan.nodes.join(", ")
        )
    }

    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<RecoverPlan>, _no_wait: bool) -> Ending {
        let plan = &planned.plan;
        let Some(set) = planned.set.as_ref() else {
            return Ending::done("nothing to wait for".into(), Vec::new());
        };
        let when_stuck = format!("`{}` says why", ctx.sts(&format!("why {}", plan.name)));
        let resume = ctx.complete(&self.command_line());
        let advice = Advice {
            when_stuck: &when_stuck,
            resume: &resume,
        };
        let names = plan.stranded.iter().map(|s| s.pod.clone()).collect();
        let deadline = deadline_after(ctx.timeout);
        let followed = follow(ctx, set, names, deadline, advice, |snap| {
            judge_recovery(snap, plan)
        })
        .await;
        let mut done = format!(
            "recovered statefulset {}/{}: {} Ready on live nodes",
            plan.namespace,
            plan.name,
            plan.stranded
                .iter()
                .map(|s| s.pod.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if plan.remedy == Some(Remedy::OutOfService) {
            let untaint: Vec<String> = plan
                .nodes
                .iter()
                .map(|n| format!("`kubectl taint node {n} {OUT_OF_SERVICE}-`"))
                .collect();
            done.push_str(&format!("; once the node is repaired: {}", untaint.join(", ")));
        }
        followed.ending(done)
    }
}
