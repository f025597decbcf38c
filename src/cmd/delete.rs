//! `kubectl sts delete NAME`: with `--orphan`, save the manifest, delete the set on condition
//! of its uid, wait until it is gone and its pods are released, then list what is left and how
//! to adopt it; otherwise an ordered teardown: scale to 0 (at the planned resourceVersion, the
//! engine's first write), wait for each pod to go in order, delete the set (uid precondition);
//! with `--delete-pvcs`, its claims after it. Re-running resumes, also once the set is gone.

use anyhow::Result;
use k8s_openapi::api::apps::v1::StatefulSet;

use crate::backup::save_manifest;
use crate::cli::DeleteArgs;
use crate::context::Context;
use crate::engine::write::{self, Write};
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read, gone, scaling};
use crate::error::{StsError, is_not_found};
use crate::fetch;
use crate::model::flow::record::Record;
use crate::model::flow::step::PodOutcome;
use crate::model::scale::delete::{
    DeleteMode, DeletePlan, DeleteStep, Remains, plan_delete, plan_gone, refusal, remains,
};
use crate::model::set;
use crate::model::set::manifest::for_create;
use crate::model::set::scope::Scope;
use crate::model::storage::claims::ClaimRow;
use crate::output::Style;
use crate::output::delete::{adopt_hint, write_delete_plan, write_remains};
use crate::preflight::{self, Need};
use crate::wait::{WaitEnd, caught_up, deadline_after};

/// Deletes the set.
pub async fn run(ctx: &Context, args: &DeleteArgs) -> Result<()> {
    let mut command = Delete {
        args,
        mode: match args.orphan {
            true => DeleteMode::Orphan,
            false => DeleteMode::Ordered,
        },
        manifest: None,
        remains: None,
        finishing: false,
        scope: ctx.scope(),
    };
    let flags = Flags {
        dry_run: args.dry_run,
        no_wait: args.no_wait,
    };
    crate::engine::run(ctx, &mut command, flags).await
}

struct Delete<'a> {
    args: &'a DeleteArgs,
    mode: DeleteMode,
    /// Where the set's manifest was saved (`--orphan`).
    manifest: Option<String>,
    /// What the set left (pods and claims), once it is gone.
    remains: Option<Remains>,
    /// An interrupted `--orphan` run of this command left its record: finish it.
    finishing: bool,
    /// How the user reaches the set: what the command printed to re-run it carries.
    scope: Scope,
}

impl Guided for Delete<'_> {
    type Plan = DeletePlan;

    fn kind(&self) -> &'static str {
        "DeleteResult"
    }

    fn set_name(&self) -> &str {
        &self.args.name
    }

    fn command_line(&self) -> String {
        self.resume_command()
    }

    /// A set that is gone already is planned from what it left.
    async fn read(&mut self, ctx: &Context) -> Result<Read<DeletePlan>> {
        let name = &self.args.name;
        let (sts, storage) = match fetch::set_storage(ctx, name).await {
            Ok(found) => found,
            Err(err) if is_not_found(&err) => return self.plan_gone(ctx).await,
            Err(err) => return Err(err),
        };
        if let Some(reason) = refusal(&sts, self.mode, self.args.delete_pvcs) {
            return Err(StsError::BadInput(reason).into());
        }
        let stale = self.mode == DeleteMode::Ordered && set::status_is_stale(&sts) && !set::is_deleting(&sts);
        let (sts, storage) = match stale {
            true => {
                caught_up(ctx, storage.set_snapshot(&sts)).await?;
                fetch::set_storage(ctx, name).await?
            }
            false => (sts, storage),
        };
        let plan = plan_delete(&sts, &storage, self.mode, self.args.delete_pvcs);
        if plan.steps.is_empty() {
            self.remains = Some(remains(&plan, &storage));
        }
        Ok(Read {
            plan: Ok(plan),
            set: Some(sts),
        })
    }

    fn show(&self, plan: &DeletePlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_delete_plan(out, plan, Style::for_stdout())
    }

    fn nothing_to_do(&self, plan: &DeletePlan) -> Option<String> {
        (plan.steps.is_empty() && !self.finishing).then(|| {
            format!(
                "statefulset {}/{} is already gone; nothing to do ({} pod(s) and {} claim(s) it left are listed)",
                plan.namespace,
                plan.name,
                plan.pods.len(),
                plan.claims.len()
            )
        })
    }

    /// Typing the set's name when claims are deleted, else yes/no.
    fn question(&self, plan: &DeletePlan) -> Question {
        let whose = whose(plan);
        let doomed = plan.claims_to_delete().len();
        if doomed == 0 {
            return Question::YesNo(match plan.mode {
                DeleteMode::Orphan => {
                    format!("Delete {whose}, leaving its pods running and its claims in place?")
                }
                DeleteMode::Ordered => format!("Delete {whose}, removing its pods {}?", plan.removal().asked),
            });
        }
        let question = match plan.exists {
            true => format!(
                "Delete {whose} and {doomed} claim(s)? Volumes with reclaimPolicy Delete lose their data."
            ),
            false => format!(
                "Delete the {doomed} claim(s) {whose} left? Volumes with reclaimPolicy Delete lose their data."
            ),
        };
        Question::TypeName {
            question,
            name: plan.name.clone(),
        }
    }

    fn action(&self, plan: &DeletePlan) -> String {
        match plan.claims_to_delete().is_empty() {
            true => format!("delete {}", whose(plan)),
            false => format!("delete {} and its claims", whose(plan)),
        }
    }

    /// The teardown's scale to 0; every other write waits for its turn.
    fn writes(&self, planned: &Planned<DeletePlan>) -> Vec<Write> {
        let scales = planned.plan.has(|s| matches!(s, DeleteStep::ScaleToZero { .. }));
        match (&planned.set, scales) {
            (Some(sts), true) => vec![Write::ScaleRecorded {
                set: planned.plan.name.clone(),
                resource_version: sts.metadata.resource_version.clone().unwrap_or_default(),
                replicas: 0,
                record: Record {
                    command: self.command_line(),
                    step: "teardown".into(),
                    started: crate::model::flow::record::now(),
                    data: serde_json::Value::Null,
                    yields_to: Vec::new(),
                },
            }],
            _ => Vec::new(),
        }
    }

    fn dry_run_writes(&self, planned: &Planned<DeletePlan>) -> Vec<Write> {
        let mut writes = self.writes(planned);
        if self.finishing {
            writes.push(forget_record(&planned.plan));
        }
        writes.extend(delete_set(planned, self.mode));
        writes.extend(planned.plan.claims_to_delete().into_iter().map(delete_claim));
        writes
    }

    /// The writes' permissions, and the record's beside the set for `--orphan`.
    fn needs(&self, planned: &Planned<DeletePlan>) -> Vec<Need> {
        let mut needs: Vec<Need> = self.dry_run_writes(planned).iter().map(Write::need).collect();
        if self.mode == DeleteMode::Orphan {
            needs.extend([preflight::CREATE_CONFIGMAPS, preflight::DELETE_CONFIGMAPS]);
        }
        needs.dedup();
        needs
    }

    fn same_change(&self, old: &DeletePlan, new: &DeletePlan) -> bool {
        new.same_changes(old)
    }

    fn resuming(&self, plan: &DeletePlan) -> String {
        format!("resuming the deletion of {}", whose(plan))
    }

    fn takes_a_set_being_deleted(&self) -> bool {
        true
    }

    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<DeletePlan>, no_wait: bool) -> Ending {
        let mut pods = Vec::new();
        let result = self.execute(ctx, planned, no_wait, &mut pods).await;
        match result {
            Ok(Some(not_waited)) => Ending::not_waited(not_waited),
            Ok(None) => Ending::done(done_message(&planned.plan), pods),
            Err(err) => Ending::failed(err, pods),
        }
    }

    /// What was left and the message.
    fn report(&self, plan: &DeletePlan, ending: &Ending, out: &mut dyn std::io::Write) -> Result<()> {
        let listed = plan.mode == DeleteMode::Orphan || !plan.exists;
        if let Some(left) = self.remains.as_ref().filter(|_| listed) {
            write_remains(out, plan, left, self.manifest.as_deref(), Style::for_stdout())?;
        }
        writeln!(out, "{}", ending.message)?;
        Ok(())
    }

    fn extra(&self, plan: &DeletePlan) -> Option<serde_json::Value> {
        let adopt = self
            .remains
            .as_ref()
            .and_then(|r| adopt_hint(plan, r, self.manifest.as_deref()));
        Some(serde_json::json!({
            "manifest": self.manifest,
            "remains": self.remains,
            "adopt": adopt,
        }))
    }
}

impl Delete<'_> {
    async fn plan_gone(&mut self, ctx: &Context) -> Result<Read<DeletePlan>> {
        let (others, storage) = tokio::try_join!(fetch::statefulsets(ctx), fetch::storage(ctx))?;
        let plan = plan_gone(
            &ctx.namespace,
            &self.args.name,
            &storage,
            &others,
            self.mode,
            self.args.delete_pvcs,
        );
        let recorded = fetch::record_beside(ctx, &self.args.name).await?;
        self.finishing = recorded.is_some_and(|(r, _)| r.command == self.command_line());
        if plan.pods.is_empty() && plan.claims.is_empty() && !self.finishing {
            return Err(fetch::not_found_with_hint(ctx, &self.args.name).await.into());
        }
        Ok(Read {
            plan: Ok(plan),
            set: None,
        })
    }

    /// The steps after the scale to 0; `Some(message)` when `--no-wait` stops early.
    async fn execute(
        &mut self,
        ctx: &Context,
        planned: &Planned<DeletePlan>,
        no_wait: bool,
        pods: &mut Vec<PodOutcome>,
    ) -> Result<Option<String>> {
        let plan = &planned.plan;
        if let Some(sts) = &planned.set {
            let stopped_early = match self.mode {
                DeleteMode::Orphan => self.orphan(ctx, planned, sts, no_wait).await?,
                DeleteMode::Ordered => self.teardown(ctx, planned, no_wait, pods).await?,
            };
            if stopped_early.is_some() {
                return Ok(stopped_early);
            }
        }
        if plan.has(|s| matches!(s, DeleteStep::DeleteClaims { .. })) {
            self.delete_claims(ctx, plan).await?;
        }
        if self.mode == DeleteMode::Orphan {
            write::apply(ctx, &forget_record(plan), false).await?;
        }
        self.remains = Some(remains(plan, &fetch::storage(ctx).await?));
        Ok(None)
    }

    /// `--orphan`: save the manifest, delete the set, wait until it is gone and its pods are free.
    async fn orphan(
        &mut self,
        ctx: &Context,
        planned: &Planned<DeletePlan>,
        sts: &StatefulSet,
        no_wait: bool,
    ) -> Result<Option<String>> {
        let plan = &planned.plan;
        if let Some(delete) = delete_set(planned, DeleteMode::Orphan) {
            let path = save_manifest(&self.args.backup_dir, sts)?;
            eprintln!("Saved the manifest of {} to {}", whose(plan), path.display());
            self.manifest = Some(path.display().to_string());
            write::apply(ctx, &self.record(sts)?, false).await?;
            write::apply(ctx, &delete, false).await?;
        }
        if no_wait {
            return Ok(Some(format!(
                "deletion of {} requested with --orphan; not waiting (--no-wait): its pods keep running",
                whose(plan)
            )));
        }
        let selector = fetch::pod_selector(sts)?;
        gone::wait_orphaned(ctx, sts, &selector, deadline_after(ctx.timeout))
            .await
            .map_err(|end| {
                self.stopped(
                    ctx,
                    end,
                    "the set is being deleted with --orphan; its pods keep running",
                )
            })?;
        Ok(None)
    }

    /// Ordered teardown after the scale to 0: wait for each pod to go, delete the set, wait.
    async fn teardown(
        &self,
        ctx: &Context,
        planned: &Planned<DeletePlan>,
        no_wait: bool,
        pods: &mut Vec<PodOutcome>,
    ) -> Result<Option<String>> {
        let plan = &planned.plan;
        if no_wait {
            return Ok(Some(format!(
                "spec.replicas of {} is 0; not waiting (--no-wait): the controller removes the pods {}; re-run `{}` to finish",
                whose(plan),
                plan.removal().done,
                self.scope.complete(&self.resume_command())
            )));
        }
        let sts = fetch::statefulset(ctx, &plan.name).await?;
        if let Some(scale) = plan.scale.as_ref().filter(|s| !s.pods.is_empty()) {
            let (result, progress) = scaling::wait(ctx, scale, &sts).await;
            *pods = scaling::outcome_pods(scale, Some(&progress));
            result.map_err(|end| {
                self.stopped(
                    ctx,
                    end,
                    "spec.replicas is 0 and the controller goes on removing pods",
                )
            })?;
        }
        if let Some(delete) = delete_set(planned, DeleteMode::Ordered) {
            write::apply(ctx, &delete, false).await?;
        }
        gone::wait_set_gone(ctx, &sts, deadline_after(ctx.timeout))
            .await
            .map_err(|end| self.stopped(ctx, end, "the set is being deleted"))?;
        Ok(None)
    }

    /// Deletes the confirmed claims that are still the same claims and unused, then waits until
    /// they are gone.
    async fn delete_claims(&self, ctx: &Context, plan: &DeletePlan) -> Result<()> {
        let storage = fetch::storage(ctx).await?;
        let mut doomed: Vec<ClaimRow> = Vec::new();
        for row in plan.claims_to_delete() {
            let live = storage.claim(&row.claim).filter(|c| c.metadata.uid == row.uid);
            let users = storage.users(&row.claim);
            if live.is_some() && !users.is_empty() {
                eprintln!(
                    "Keeping claim {}: it is now in use by pod {}",
                    row.claim,
                    users.join(", ")
                );
                continue;
            }
            if live.is_some() {
                write::apply(ctx, &delete_claim(row), false).await?;
            }
            doomed.push(row.clone());
        }
        gone::wait_claims_gone(ctx, &doomed)
            .await
            .map_err(|end| self.stopped(ctx, end, "the claims are being deleted"))
    }

    /// The error for a wait that stopped early: where things stand and how to resume.
    fn stopped(&self, ctx: &Context, end: WaitEnd, state: &str) -> anyhow::Error {
        let resume = format!(
            "re-run `{}` to resume",
            self.scope.complete(&self.resume_command())
        );
        end.into_error(
            ctx.timeout,
            state,
            &resume,
            &format!("statefulset {} was deleted", self.args.name),
        )
    }

    /// The record beside the set, written before the orphan delete: the command that
    /// finishes it and the set's manifest, for `status` and a re-run to find.
    fn record(&self, sts: &StatefulSet) -> Result<Write> {
        Ok(Write::RecordBeside {
            set: self.args.name.clone(),
            record: Record {
                command: self.command_line(),
                step: "orphan-delete".into(),
                started: crate::model::flow::record::now(),
                data: serde_json::Value::Null,
                yields_to: Vec::new(),
            },
            manifest: Some(serde_saphyr::to_string(&for_create(sts))?),
        })
    }

    fn resume_command(&self) -> String {
        let mut command = format!("kubectl sts delete {}", self.args.name);
        if self.args.orphan {
            command.push_str(" --orphan");
        }
        if self.args.delete_pvcs {
            command.push_str(" --delete-pvcs");
        }
        command
    }
}

fn whose(plan: &DeletePlan) -> String {
    format!("statefulset {}/{}", plan.namespace, plan.name)
}

/// The set's deletion on condition of its uid, when the plan has it.
fn delete_set(planned: &Planned<DeletePlan>, mode: DeleteMode) -> Option<Write> {
    let sts = planned.set.as_ref()?;
    planned
        .plan
        .has(|s| matches!(s, DeleteStep::DeleteSet { .. }))
        .then(|| Write::DeleteSet {
            set: planned.plan.name.clone(),
            uid: sts.metadata.uid.clone().unwrap_or_default(),
            resource_version: None,
            orphan: mode == DeleteMode::Orphan,
        })
}

fn forget_record(plan: &DeletePlan) -> Write {
    Write::ForgetBeside {
        set: plan.name.clone(),
    }
}

fn delete_claim(row: &ClaimRow) -> Write {
    Write::DeleteClaim {
        claim: row.claim.clone(),
        uid: row.uid.clone().unwrap_or_default(),
    }
}

fn done_message(plan: &DeletePlan) -> String {
    let whose = whose(plan);
    let doomed = plan.claims_to_delete().len();
    let kept = plan.claims.len() - doomed;
    match (plan.exists, plan.mode) {
        (false, _) => format!("deleted {doomed} claim(s) {whose} left"),
        (true, DeleteMode::Orphan) => format!(
            "deleted {whose} with --orphan: its {} pod(s) keep running and its {} claim(s) stay",
            plan.pods.len(),
            plan.claims.len()
        ),
        (true, DeleteMode::Ordered) => format!(
            "deleted {whose}: {} pod(s) removed {}; {doomed} claim(s) deleted, {kept} kept",
            plan.pods.len(),
            plan.removal().done
        ),
    }
}
