//! Going back to a stored revision, as `abort` and `undo` do, and as a failed progressive
//! rollout does by itself: restore the template (from its ControllerRevision, as stored),
//! delete the pods on a revision being left that the controller would wait on forever (not
//! Ready: kubernetes/kubernetes#67250), wait until every awaited pod is back and Ready, then put
//! back the partition in effect before the rollout and end the rollout's records. Written once,
//! here, so that the automatic abort is exactly `kubectl sts abort`.

use anyhow::Result;

use super::follow::{Advice, follow_update};
use super::replace;
use super::write::{self, PodRemoval, Write};
use super::{Ending, Guided, Planned, Question, Read};
use crate::context::Context;
use crate::error::StsError;
use crate::model::flow::record::{self, Record};
use crate::model::rollout::revert::{Purpose, RevertPlan, plan_revert, plan_revert_resumed};
use crate::model::rollout::roll::{Method, plan_roll};
use crate::model::set::Strategy;
use crate::model::set::snapshot::SetSnapshot;
use crate::output::rollout::write_revert_plan;
use crate::preflight::{DELETE_PODS, Need, PATCH_SETS};
use crate::wait::{deadline_after, observed_snapshot, planning_snapshot};

/// A return to a stored revision of set `name`.
pub struct Revert<'a> {
    name: &'a str,
    purpose: Purpose,
    /// The template was restored by an earlier run of this command (its record says so).
    resumed: bool,
}

impl<'a> Revert<'a> {
    /// A revert of set `name` for `purpose`.
    pub fn new(name: &'a str, purpose: Purpose) -> Revert<'a> {
        Revert {
            name,
            purpose,
            resumed: false,
        }
    }

    fn verb(&self) -> &'static str {
        match self.purpose {
            Purpose::Abort => "Abort",
            Purpose::Undo(_) => "Undo",
        }
    }
}

impl Guided for Revert<'_> {
    type Plan = RevertPlan;

    fn kind(&self) -> &'static str {
        match self.purpose {
            Purpose::Abort => "AbortResult",
            Purpose::Undo(_) => "UndoResult",
        }
    }

    fn set_name(&self) -> &str {
        self.name
    }

    fn command_line(&self) -> String {
        match self.purpose {
            Purpose::Abort => format!("kubectl sts abort {}", self.name),
            Purpose::Undo(None) => format!("kubectl sts undo {}", self.name),
            Purpose::Undo(Some(n)) => format!("kubectl sts undo {} --to-revision {n}", self.name),
        }
    }

    /// A revert this command recorded earlier (the template restored) goes on from there.
    async fn read(&mut self, ctx: &Context) -> Result<Read<RevertPlan>> {
        let snap = planning_snapshot(ctx, self.name).await?;
        let recorded = record::on_set(&snap.set).filter(|r| r.command == self.command_line());
        self.resumed = recorded.is_some();
        let plan = match recorded {
            Some(record) => {
                let to = record.data["to_revision"].as_str().unwrap_or_default();
                let partition = record.data["restore_partition"].as_i64().map(|p| p as i32);
                let ends = record.data["ends_rollout"].as_bool().unwrap_or(true);
                plan_revert_resumed(&snap, to, partition, ends)
            }
            None => plan_revert(&snap, self.purpose),
        };
        Ok(Read {
            plan,
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &RevertPlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_revert_plan(out, self.verb(), plan)
    }

    fn nothing_to_do(&self, _plan: &RevertPlan) -> Option<String> {
        None
    }

    fn question(&self, plan: &RevertPlan) -> Question {
        let deleted = match plan.delete_pods.len() {
            0 => String::new(),
            n => format!(" and delete {n} pod(s)"),
        };
        Question::YesNo(format!(
            "{} statefulset {}/{}: back to {}{deleted}?",
            self.verb(),
            plan.namespace,
            plan.name,
            plan.to_revision.name
        ))
    }

    fn action(&self, plan: &RevertPlan) -> String {
        format!(
            "{} statefulset {}/{}",
            self.verb().to_lowercase(),
            plan.namespace,
            plan.name
        )
    }

    /// The stored template and the record of the revert, in one write (none when resuming).
    fn writes(&self, planned: &Planned<RevertPlan>) -> Vec<Write> {
        let (Some(set), false) = (planned.set.as_ref(), self.resumed) else {
            return Vec::new();
        };
        let plan = &planned.plan;
        let record = Record {
            command: self.command_line(),
            step: "template-restored".into(),
            started: crate::model::flow::record::now(),
            data: serde_json::json!({
                "to_revision": plan.to_revision.name,
                "restore_partition": plan.restore_partition,
                "ends_rollout": plan.ends_rollout,
            }),
            yields_to: Vec::new(),
        };
        vec![Write::RestoreTemplate {
            set: plan.name.clone(),
            resource_version: set.metadata.resource_version.clone().unwrap_or_default(),
            template: plan.template.clone(),
            record: Some(record),
            abandoned: plan.abandoned_after.clone(),
        }]
    }

    fn needs(&self, planned: &Planned<RevertPlan>) -> Vec<Need> {
        let plan = &planned.plan;
        match plan.delete_pods.is_empty() && plan.roll_pods.is_empty() {
            true => vec![PATCH_SETS],
            false => vec![PATCH_SETS, DELETE_PODS],
        }
    }

    fn same_change(&self, old: &RevertPlan, new: &RevertPlan) -> bool {
        old.to_revision.name == new.to_revision.name && old.delete_pods == new.delete_pods
    }

    fn what_changed(&self, old: &RevertPlan, new: &RevertPlan) -> String {
        if old.to_revision.name != new.to_revision.name {
            return format!("it would now go back to {}", new.to_revision.name);
        }
        let pods: Vec<&str> = new.delete_pods.iter().map(|p| p.pod.as_str()).collect();
        match pods.is_empty() {
            true => "no pod needs deleting now".to_string(),
            false => format!("the pods to delete are now {}", pods.join(", ")),
        }
    }

    fn resuming(&self, plan: &RevertPlan) -> String {
        format!("statefulset {}/{}: resuming", plan.namespace, plan.name)
    }

    /// `--no-wait`: the pods left behind are deleted even then.
    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<RevertPlan>, no_wait: bool) -> Ending {
        let plan = &planned.plan;
        // The controller must have the restored template before a deleted pod comes back.
        let fresh = match observed_snapshot(ctx, &plan.name).await {
            Ok(snap) => snap,
            Err(err) => return Ending::failed(err, Vec::new()),
        };
        if let Err(err) = delete_left_behind(ctx, plan).await {
            return Ending::failed(err, Vec::new());
        }
        if no_wait {
            let message = format!(
                "template back to {}; not waiting (--no-wait)",
                plan.to_revision.name
            );
            return Ending::not_waited(message);
        }
        let ending = wait_back(ctx, &fresh, plan).await;
        if ending.error.is_some() {
            return ending;
        }
        match end_rollout(ctx, plan).await {
            Ok(()) => ending,
            Err(err) => Ending::failed(err, ending.pods),
        }
    }
}

/// Deletes the pods the controller would wait on forever, each on condition of its uid.
async fn delete_left_behind(ctx: &Context, plan: &RevertPlan) -> Result<()> {
    for pod in &plan.delete_pods {
        let delete = Write::DeletePod {
            pod: pod.pod.clone(),
            uid: pod.uid.clone(),
        };
        if write::apply(ctx, &delete, false).await?.removal() == PodRemoval::Requested {
            eprintln!(
                "deleted {} so that it comes back on {}",
                pod.pod, plan.to_revision.name
            );
        }
    }
    Ok(())
}

async fn wait_back(ctx: &Context, snap: &SetSnapshot, plan: &RevertPlan) -> Ending {
    let done = format!(
        "statefulset {}/{} is back on {}: every awaited pod Ready",
        plan.namespace, plan.name, plan.to_revision.name
    );
    if plan.strategy == Strategy::OnDelete {
        let roll_plan = match plan_roll(snap, Some(&plan.roll_pods), Method::Delete) {
            Ok(roll_plan) => roll_plan,
            Err(refusal) => return Ending::failed(StsError::from(refusal).into(), Vec::new()),
        };
        let resume = ctx.sts(&format!("roll {}", plan.name));
        return replace::execute(ctx, &snap.set, &roll_plan, false, &resume)
            .await
            .ending(done);
    }
    let when_stuck = format!(
        "revision {} does not come up either: look at `{}`",
        plan.to_revision.name,
        ctx.sts(&format!("status {}", plan.name))
    );
    let resume = ctx.sts(&format!("status {} --watch", plan.name));
    let advice = Advice {
        when_stuck: &when_stuck,
        resume: &resume,
    };
    let followed = follow_update(ctx, &snap.set, &plan.awaited, deadline_after(ctx.timeout), advice).await;
    followed.ending(done)
}

/// The partition from before the rollout (abort) and the records removed (the rollout's
/// unless the set is left in a staged rollout of the restored template; the revert's always).
async fn end_rollout(ctx: &Context, plan: &RevertPlan) -> Result<()> {
    let end = match plan.restore_partition.is_some() || plan.ends_rollout {
        true => Write::EndRollout {
            set: plan.name.clone(),
            partition: plan.restore_partition,
        },
        false => Write::Record {
            set: plan.name.clone(),
            record: None,
        },
    };
    write::apply(ctx, &end, false).await?;
    if let Some(partition) = plan.restore_partition {
        eprintln!(
            "partition of statefulset {}/{} back to {partition}",
            plan.namespace, plan.name
        );
    }
    Ok(())
}
