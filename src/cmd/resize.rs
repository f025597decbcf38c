//! `kubectl sts pvc resize NAME --template T --size SIZE`, the guided answer to "updates to
//! volumeClaimTemplates are forbidden": check, plan, confirm; patch each claim of the template
//! at its resourceVersion (the engine's first writes); save the set's manifest; delete the set
//! with `--orphan` (uid and resourceVersion preconditions); create it again with the new size;
//! verify that the pods were adopted with the same uids and no restarts and follow each
//! claim's resize. The re-create is `engine::recreate`'s.

use anyhow::{Context as _, Result};
use k8s_openapi::api::apps::v1::StatefulSet;

use crate::cli::PvcResizeArgs;
use crate::context::Context;
use crate::engine::recreate::Recreation;
use crate::engine::write::{self, Write};
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read};
use crate::error::{StsError, is_not_found};
use crate::fetch;
use crate::model::flow::record::Record;
use crate::model::flow::step::{PodOutcome, StepState};
use crate::model::set;
use crate::model::set::scope::Scope;
use crate::model::storage::claims::Storage;
use crate::model::storage::quantity;
use crate::model::storage::resize::{ResizePlan, ResizeVerdict, judge_resize, plan_resize, recreated};
use crate::output::Style;
use crate::output::progress::PodProgress;
use crate::output::resize::{write_resize_plan, write_resize_states};
use crate::preflight::{self, Need};
use crate::wait::{Check, SetWatch, caught_up, deadline_after};

/// Grows the claim template.
pub async fn run(ctx: &Context, args: &PvcResizeArgs) -> Result<()> {
    let mut command = Resize {
        args,
        resume: Resume::Fresh,
        storage: None,
        manifest: None,
        new_uid: None,
        states: Vec::new(),
        scope: ctx.scope(),
    };
    let flags = Flags::waiting(args.dry_run);
    crate::engine::run(ctx, &mut command, flags).await
}

/// How far an earlier run of the same resize got, by its record beside the set.
enum Resume {
    /// No record: from the start.
    Fresh,
    /// The set was deleted with `--orphan` (its manifest is in the record): create it again.
    Gone(Box<StatefulSet>),
    /// The set was created again with the new size: verify, and remove the record.
    Recreated,
}

/// A resize under way.
struct Resize<'a> {
    args: &'a PvcResizeArgs,
    /// Where an earlier, interrupted run of this command stopped (its record says).
    resume: Resume,
    /// The claims as last read: their resourceVersions are the patches' preconditions.
    storage: Option<Storage>,
    /// Where the set's manifest was saved before it was deleted.
    manifest: Option<String>,
    /// The uid of the set created again.
    new_uid: Option<String>,
    states: Vec<PodOutcome>,
    /// How the user reaches the set: what the command prints to re-run it carries.
    scope: Scope,
}

impl Guided for Resize<'_> {
    type Plan = ResizePlan;

    fn kind(&self) -> &'static str {
        "PvcResizeResult"
    }

    fn set_name(&self) -> &str {
        &self.args.name
    }

    fn command_line(&self) -> String {
        self.resume_command()
    }

    /// Reads the set and its storage (after the controller caught up), checks and plans; an
    /// interrupted run of the same resize is picked up from its record.
    async fn read(&mut self, ctx: &Context) -> Result<Read<ResizePlan>> {
        let name = &self.args.name;
        let recorded = fetch::record_beside(ctx, name)
            .await?
            .filter(|(r, _)| r.command == self.command_line());
        let (sts, storage) = match fetch::set_storage(ctx, name).await {
            Ok(found) => found,
            Err(err) if is_not_found(&err) => return self.read_gone(ctx, recorded, err).await,
            Err(err) => return Err(err),
        };
        let (sts, storage) = match set::status_is_stale(&sts) && !set::is_deleting(&sts) {
            true => {
                caught_up(ctx, storage.set_snapshot(&sts)).await?;
                fetch::set_storage(ctx, name).await?
            }
            false => (sts, storage),
        };
        let plan = plan_resize(&sts, &storage, self.args.template.as_deref(), &self.args.size);
        if recorded.is_some() && plan.as_ref().is_ok_and(|p| !p.recreate) {
            self.resume = Resume::Recreated;
        }
        self.storage = Some(storage);
        Ok(Read { plan, set: Some(sts) })
    }

    fn show(&self, plan: &ResizePlan, out: &mut dyn std::io::Write) -> Result<()> {
        let backup_dir = self.args.backup_dir.display().to_string();
        write_resize_plan(out, plan, &backup_dir, Style::for_stdout())
    }

    fn nothing_to_do(&self, plan: &ResizePlan) -> Option<String> {
        (plan.is_empty() && matches!(self.resume, Resume::Fresh)).then(|| {
            format!(
                "claim template {} of statefulset {}/{} and each of its claims already ask for {}; nothing to do (`{}` shows each claim's resize state)",
                plan.template,
                plan.namespace,
                plan.name,
                plan.to,
                self.scope.sts(&format!("pvc {}", plan.name))
            )
        })
    }

    fn question(&self, plan: &ResizePlan) -> Question {
        Question::YesNo(format!(
            "Grow claim template {} of statefulset {}/{} to {}?",
            plan.template, plan.namespace, plan.name, plan.to
        ))
    }

    fn action(&self, plan: &ResizePlan) -> String {
        format!(
            "resize the claims of statefulset {}/{}",
            plan.namespace, plan.name
        )
    }

    /// Each claim's request, at the resourceVersion just read; a claim that grew meanwhile to
    /// at least the size is left alone.
    fn writes(&self, planned: &Planned<ResizePlan>) -> Vec<Write> {
        let plan = &planned.plan;
        let Ok(size) = quantity::parse(&plan.to) else {
            return Vec::new();
        };
        let storage = self.storage.as_ref();
        plan.claims
            .iter()
            .filter(|c| c.patch)
            .filter_map(|c| storage?.claim(&c.claim))
            .filter(|live| requested(live).is_none_or(|r| r < size))
            .map(|live| Write::ResizeClaim {
                claim: live.metadata.name.clone().unwrap_or_default(),
                resource_version: live.metadata.resource_version.clone().unwrap_or_default(),
                size: plan.to.clone(),
            })
            .collect()
    }

    fn needs(&self, planned: &Planned<ResizePlan>) -> Vec<Need> {
        let mut needs = vec![preflight::PATCH_CLAIMS];
        if planned.plan.recreate {
            needs.extend([
                preflight::DELETE_SETS,
                preflight::CREATE_SETS,
                preflight::CREATE_CONFIGMAPS,
            ]);
        }
        needs.push(preflight::DELETE_CONFIGMAPS);
        needs
    }

    fn same_change(&self, old: &ResizePlan, new: &ResizePlan) -> bool {
        (old.uid.as_ref(), old.generation, &old.to) == (new.uid.as_ref(), new.generation, &new.to)
    }

    fn resuming(&self, plan: &ResizePlan) -> String {
        format!(
            "resuming the resize of statefulset {}/{}",
            plan.namespace, plan.name
        )
    }

    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<ResizePlan>, _no_wait: bool) -> Ending {
        let result = self.execute(ctx, &planned.plan).await;
        Ending::from_result(result, self.states.clone())
    }

    /// Each pod's and claim's state, then the message.
    fn report(&self, _plan: &ResizePlan, ending: &Ending, out: &mut dyn std::io::Write) -> Result<()> {
        write_resize_states(out, &self.states, Style::for_stdout())?;
        writeln!(out, "{}", ending.message)?;
        Ok(())
    }

    fn extra(&self, _plan: &ResizePlan) -> Option<serde_json::Value> {
        Some(serde_json::json!({"manifest": self.manifest, "new_uid": self.new_uid}))
    }
}

/// A claim's storage request.
fn requested(claim: &k8s_openapi::api::core::v1::PersistentVolumeClaim) -> Option<quantity::Quantity> {
    let request = claim
        .spec
        .as_ref()?
        .resources
        .as_ref()?
        .requests
        .as_ref()?
        .get("storage")?;
    quantity::parse(&request.0).ok()
}

impl Resize<'_> {
    /// Re-creates (when the template grows) and verifies, from where an earlier run stopped;
    /// then the record goes. The message when all went well.
    async fn execute(&mut self, ctx: &Context, plan: &ResizePlan) -> Result<String> {
        let current = match std::mem::replace(&mut self.resume, Resume::Fresh) {
            Resume::Gone(old) => self.create(ctx, plan, &old).await?,
            Resume::Fresh if plan.recreate => self.recreate(ctx, plan).await?,
            Resume::Fresh | Resume::Recreated => fetch::statefulset(ctx, &plan.name).await?,
        };
        self.new_uid = current.metadata.uid.clone();
        self.verify(ctx, plan, &current).await?;
        let forget = Write::ForgetBeside {
            set: plan.name.clone(),
        };
        write::apply(ctx, &forget, false).await?;
        Ok(done_message(plan, self))
    }

    /// The set is gone (an earlier run deleted it with `--orphan`): plan from the manifest its
    /// record keeps.
    async fn read_gone(
        &mut self,
        ctx: &Context,
        recorded: Option<(Record, Option<String>)>,
        not_found: anyhow::Error,
    ) -> Result<Read<ResizePlan>> {
        let Some((_, Some(manifest))) = recorded else {
            return Err(not_found);
        };
        let old: StatefulSet =
            serde_saphyr::from_str(&manifest).context("the recorded manifest cannot be read")?;
        let storage = fetch::storage(ctx).await?;
        let plan = plan_resize(&old, &storage, self.args.template.as_deref(), &self.args.size);
        eprintln!(
            "statefulset {}/{} was deleted with --orphan by an interrupted `{}`: creating it again with the new size",
            ctx.namespace,
            self.args.name,
            self.shown()
        );
        self.storage = Some(storage);
        self.resume = Resume::Gone(Box::new(old));
        Ok(Read { plan, set: None })
    }

    /// Deletes the set with `--orphan` (saved and recorded first), waits until its pods are
    /// released and creates it again with the new size.
    async fn recreate(&mut self, ctx: &Context, plan: &ResizePlan) -> Result<StatefulSet> {
        let mut recreation = self.recreation(plan);
        let deleted = recreation.take_down(ctx).await;
        self.manifest = recreation.manifest.clone();
        let deleted = deleted?;
        self.create(ctx, plan, &deleted).await
    }

    /// Creates the set again from `old` with the new size.
    async fn create(&mut self, ctx: &Context, plan: &ResizePlan, old: &StatefulSet) -> Result<StatefulSet> {
        let new = Write::CreateSet(Box::new(recreated(old, &plan.template, &plan.to)));
        self.recreation(plan).create(ctx, &new).await
    }

    fn recreation(&self, plan: &ResizePlan) -> Recreation<'_> {
        Recreation {
            name: &self.args.name,
            uid: plan.uid.clone(),
            generation: plan.generation,
            backup_dir: &self.args.backup_dir,
            command: self.resume_command(),
            data: serde_json::Value::Null,
            done_before: "the claims are patched and nothing else was changed",
            manifest: self.manifest.clone(),
        }
    }

    /// Follows the set until its pods are adopted (same uids, no restarts) and the claims grew.
    async fn verify(&mut self, ctx: &Context, plan: &ResizePlan, sts: &StatefulSet) -> Result<()> {
        let uid = sts.metadata.uid.clone().unwrap_or_default();
        let mut names: Vec<String> = plan.pods.iter().map(|p| p.pod.clone()).collect();
        names.extend(plan.claims.iter().filter(|c| c.patch).map(|c| c.claim.clone()));
        let mut progress = PodProgress::new(names, ctx.interactive, ctx.wide);
        let mut last: Vec<StepState> = Vec::new();
        let mut watch = SetWatch::start(ctx, sts);
        let result = watch
            .until(deadline_after(ctx.timeout), |snap| {
                let (states, verdict) = judge_resize(plan, &uid, snap);
                progress.update(&states);
                last = states;
                match verdict {
                    ResizeVerdict::Done => Check::Done(()),
                    ResizeVerdict::Waiting { recheck_at: None } => Check::Waiting,
                    ResizeVerdict::Waiting { recheck_at: Some(at) } => Check::WaitingUntil(at),
                    ResizeVerdict::Failed { what } => Check::Failed(StsError::CheckFailed(what).into()),
                }
            })
            .await;
        progress.finish();
        self.states = last
            .into_iter()
            .map(|s| PodOutcome {
                seconds: progress.seconds_to_done(&s.pod),
                pod: s.pod,
                state: s.state,
                done: s.done,
                old_uid: None,
                new_uid: None,
            })
            .collect();
        let resume = format!(
            "re-run `{}` to see each claim's resize state",
            ctx.sts(&format!("pvc {}", plan.name))
        );
        result.map_err(|end| {
            let state =
                "the claims are patched and the set has the new size; waiting on adoption and expansion";
            end.into_error(ctx.timeout, state, &resume, "the set was deleted")
        })
    }

    /// The command that finishes the resize, to print: with the flags that reach the set.
    fn shown(&self) -> String {
        self.scope.complete(&self.resume_command())
    }

    fn resume_command(&self) -> String {
        let template = match &self.args.template {
            Some(template) => format!(" --template {template}"),
            None => String::new(),
        };
        format!(
            "kubectl sts pvc resize {}{template} --size {}",
            self.args.name, self.args.size
        )
    }
}

fn done_message(plan: &ResizePlan, run: &Resize<'_>) -> String {
    let patched = plan.claims.iter().filter(|c| c.patch).count();
    let mut message = format!(
        "resized claim template {} of statefulset {}/{} to {}: {patched} claim(s) patched",
        plan.template, plan.namespace, plan.name, plan.to
    );
    if plan.recreate {
        message.push_str(&format!(
            "; the set was created again (uid {}) and adopted its {} pod(s) with the same uids; update your own copy of the manifest to {} too (volumeClaimTemplates are immutable: applying the old one fails)",
            run.new_uid.as_deref().unwrap_or("?"),
            plan.pods.len(),
            plan.to
        ));
    }
    let restarted: Vec<&str> = run
        .states
        .iter()
        .filter(|s| s.state.contains("restartCount"))
        .map(|s| s.pod.as_str())
        .collect();
    if !restarted.is_empty() {
        message.push_str(&format!(
            "; note: restartCount rose for {} meanwhile",
            restarted.join(", ")
        ));
    }
    message
}
