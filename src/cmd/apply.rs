//! `kubectl sts apply -f FILE…`: a manifest's plan (`plan -f`) carried out by the guided
//! engine, set by set, in one ordered sequence: the claims of a growing template patched (as
//! `pvc resize`); when a field cannot be updated, the set saved, recorded beside it and
//! deleted with `--orphan`, claims without data replaced (`--replace-pending-claims`), the set
//! created again with its live template and its pods' adoption verified (uids kept); then the
//! manifest server-side applied (its template rolls under the set's strategy) and the set
//! followed until it has converged, as `wait` follows it. Every set of the input is planned
//! before anything is written: one refused change stops all. The record beside the set lets
//! a re-run of the same command resume after a kill at any point.
//!
//! With gates (`--pod-check`, hooks, `--leader`, `--max-unavailable`) the pods do not move
//! under the set's strategy alone: a RollingUpdate set is applied with its partition held,
//! then walked down to the manifest's partition a batch at a time (`engine::walk`); an
//! OnDelete set's outdated pods are rolled after the apply (`engine::replace`). Neither
//! needs a record: a re-run finds the walk's partition, or the outdated pods, and goes on.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::Api;
use kube::runtime::watcher;
use serde_json::{Value, json};

use crate::cli::ApplyArgs;
use crate::context::Context;
use crate::engine::converge;
use crate::engine::follow::Advice;
use crate::engine::gates::{GATE_FLAGS, Gated, check_programs, gate_flags};
use crate::engine::recreate::Recreation;
use crate::engine::replace;
use crate::engine::walk::{Stretch, leader_refused, walk_partition};
use crate::engine::write::{self, Write};
use crate::engine::{Ending, Flags, Guided, Planned, Question, Read};
use crate::error::StsError;
use crate::fetch;
use crate::manifest::{Allowed, apply_conflicts, namespace_of, plan_document, read_documents};
use crate::model::change::apply::{
    ApplyPlan, GatedMove, Live, Stage, applied_object, gated_move, ownership, stage_words, stages,
};
use crate::model::change::documents::Document;
use crate::model::change::plan::{Action, How, SetPlan};
use crate::model::diagnosis::convergence::{WaitOutcome, WaitReport};
use crate::model::flow::record::{Record, same_but_flags};
use crate::model::flow::step::{PodOutcome, StepState};
use crate::model::rollout::gates::Gates;
use crate::model::rollout::roll::{Method, plan_roll};
use crate::model::set;
use crate::model::set::snapshot::SetSnapshot;
use crate::model::storage::quantity;
use crate::model::storage::resize::{PodMark, ResizePlan, judge_adoption, judge_claims, mark, plan_resize};
use crate::output::Style;
use crate::output::plan::write_apply_plan;
use crate::output::progress::PodProgress;
use crate::preflight::{self, Need};
use crate::wait::{Check, KindWatch, SetWatch, WaitEnd, deadline_after, observed_snapshot};

/// Plans every set of the input, refuses before any write if one change is refused, then
/// applies each set in the order of the input.
pub async fn run(ctx: &Context, args: &ApplyArgs) -> Result<()> {
    let gates = Gates::from(&args.gates);
    check_programs(&gates)?;
    let documents = read_documents(&args.manifest.files)?;
    let (sets, others): (Vec<Document>, Vec<Document>) =
        documents.into_iter().partition(Document::is_statefulset);
    if sets.is_empty() {
        eprintln!("no StatefulSet in the input: nothing to do");
        return Ok(());
    }
    for document in &sets {
        let ctx = namespace_of(ctx, document)?;
        let asked = plan_document(&ctx, document, (&args.manifest).into()).await?;
        if let Some(refused) = asked.plan.first_refusal() {
            return Err(StsError::CheckFailed(format!("{refused}; nothing was applied")).into());
        }
        if gates.leader.is_some() {
            refuse_leader_walk(&ctx, document, asked.live.as_ref())?;
        }
    }
    if !others.is_empty() {
        let places: Vec<String> = others.iter().map(Document::place).collect();
        eprintln!(
            "not handled here (left alone; `kubectl apply -f` them): {}",
            places.join("; ")
        );
    }
    for document in &sets {
        let ctx = namespace_of(ctx, document)?;
        let mut command = ApplySet {
            args,
            gates: &gates,
            document,
            resume: Resume::Fresh,
            manifest_path: None,
            new_uid: None,
            states: Vec::new(),
            converged: None,
        };
        crate::engine::run(&ctx, &mut command, Flags::waiting(args.dry_run)).await?;
    }
    Ok(())
}

/// How far an earlier run of the same apply got, by its record beside the set.
enum Resume {
    Fresh,
    /// The set was deleted with `--orphan` (its manifest in the record): create it again.
    Gone {
        old: Box<StatefulSet>,
        data: Value,
    },
    /// The set was created again: verify the adoption, then apply.
    Recreated {
        data: Value,
    },
}

/// `--leader` on a live set the apply leaves RollingUpdate: refused before any write (the
/// walk lowers the partition, highest ordinals first), pointing at staging and `promote`.
fn refuse_leader_walk(ctx: &Context, document: &Document, live: Option<&SetSnapshot>) -> Result<()> {
    let Some(snap) = live else {
        return Ok(());
    };
    let object = applied_object(Some(&serde_json::to_value(&snap.set)?), &document.object, false);
    if object["spec"]["updateStrategy"]["type"] == "OnDelete" {
        return Ok(());
    }
    let whole = format!("statefulset {}/{}", ctx.namespace, document.name);
    let instead = format!(
        "stage the change instead: apply the manifest without --leader and with `updateStrategy.rollingUpdate.partition: {}` (no pod moves), then `{}` moves every pod with the leader last",
        object["spec"]["replicas"].as_i64().unwrap_or(1),
        ctx.sts(&format!("promote {} --full --leader CMD", document.name))
    );
    Err(leader_refused(&whole, "the rollout of `apply -f`", &instead))
}

/// One set's apply.
struct ApplySet<'a> {
    args: &'a ApplyArgs,
    gates: &'a Gates,
    document: &'a Document,
    resume: Resume,
    /// Where the set's manifest was saved before its orphan delete.
    manifest_path: Option<String>,
    /// The uid of the set created again.
    new_uid: Option<String>,
    states: Vec<PodOutcome>,
    /// Where the set ended, as `wait` reports it.
    converged: Option<Value>,
}

impl Guided for ApplySet<'_> {
    type Plan = ApplyPlan;

    fn kind(&self) -> &'static str {
        "ApplyResult"
    }

    fn set_name(&self) -> &str {
        &self.document.name
    }

    /// The command with the flags that say what is applied, then the gates.
    fn command_line(&self) -> String {
        self.identity() + &gate_flags(self.gates)
    }

    /// A run with other gates (or none) resumes what an interrupted run left.
    fn resumes(&self, record: &Record) -> bool {
        same_but_flags(&record.command, &self.identity(), &GATE_FLAGS)
    }

    /// Plans the manifest against the live set; an interrupted run of the same apply is
    /// picked up from its record.
    async fn read(&mut self, ctx: &Context) -> Result<Read<ApplyPlan>> {
        let recorded = fetch::record_beside(ctx, &self.document.name)
            .await?
            .filter(|(r, _)| self.resumes(r));
        let allowed = Allowed::from(&self.args.manifest);
        let asked = plan_document(ctx, self.document, allowed).await?;
        let Some(snap) = asked.live else {
            return match recorded {
                Some((record, Some(manifest))) => self.read_gone(ctx, asked.plan, record, &manifest),
                _ => Ok(Read {
                    plan: Ok(self.plan_create(asked.plan)),
                    set: None,
                }),
            };
        };
        self.resume = match recorded {
            Some((record, _)) if record.data["uid"].as_str() != snap.set.metadata.uid.as_deref() => {
                Resume::Recreated { data: record.data }
            }
            _ => Resume::Fresh,
        };
        let plan = self.plan_live(ctx, asked.plan, &snap).await?;
        Ok(Read {
            plan: Ok(plan),
            set: Some(snap.set),
        })
    }

    fn show(&self, plan: &ApplyPlan, out: &mut dyn std::io::Write) -> Result<()> {
        write_apply_plan(out, plan, Style::for_stdout())
    }

    fn nothing_to_do(&self, plan: &ApplyPlan) -> Option<String> {
        let still = plan.set.action == Action::NoChange && plan.gated.is_none();
        (still && matches!(self.resume, Resume::Fresh)).then(|| {
            format!(
                "statefulset {}/{} matches {}: nothing to do",
                plan.set.namespace, plan.set.name, plan.set.source
            )
        })
    }

    fn question(&self, plan: &ApplyPlan) -> Question {
        let whose = format!("statefulset {}/{}", plan.set.namespace, plan.set.name);
        match plan.set.replaced_claims.is_empty() {
            true => Question::YesNo(format!("Apply the manifest to {whose}?")),
            false => Question::TypeName {
                question: format!(
                    "This deletes claims {} (Pending, no volume) and their Pending pods. Type the set's name to apply the manifest to {whose}:",
                    plan.set.replaced_claims.join(", ")
                ),
                name: plan.set.name.clone(),
            },
        }
    }

    fn action(&self, plan: &ApplyPlan) -> String {
        format!(
            "apply the manifest to statefulset {}/{}",
            plan.set.namespace, plan.set.name
        )
    }

    /// A create or an in-place apply is the first write (under the resourceVersion read); a
    /// re-create's first writes are its claims' growth, the rest follows in `carry_out`.
    fn writes(&self, planned: &Planned<ApplyPlan>) -> Vec<Write> {
        let plan = &planned.plan;
        if !matches!(self.resume, Resume::Fresh) {
            return Vec::new();
        }
        let applies = plan.has(Stage::Create) || plan.has(Stage::Apply);
        match (plan.has(Stage::OrphanDelete), applies) {
            (true, _) => grow_writes(plan),
            (false, true) => vec![self.apply_write(plan, &plan.object, plan.force)],
            // A gated re-run that only goes on moving the pods.
            (false, false) => Vec::new(),
        }
    }

    /// A re-create's delete is checked too; its create cannot be while the set exists (the
    /// plan's dry-run create checked the manifest).
    fn dry_run_writes(&self, planned: &Planned<ApplyPlan>) -> Vec<Write> {
        let plan = &planned.plan;
        let mut writes = self.writes(planned);
        if plan.has(Stage::OrphanDelete) {
            writes.push(Write::DeleteSet {
                set: plan.set.name.clone(),
                uid: plan.uid.clone().unwrap_or_default(),
                resource_version: plan.resource_version.clone(),
                orphan: true,
            });
        }
        writes
    }

    fn needs(&self, planned: &Planned<ApplyPlan>) -> Vec<Need> {
        let plan = &planned.plan;
        if !matches!(self.resume, Resume::Fresh) {
            return Vec::new();
        }
        let mut needs = vec![preflight::PATCH_SETS];
        if plan.has(Stage::Create) || plan.has(Stage::Recreate) {
            needs.push(preflight::CREATE_SETS);
        }
        if plan.has(Stage::GrowClaims) {
            needs.push(preflight::PATCH_CLAIMS);
        }
        if plan.has(Stage::OrphanDelete) {
            needs.extend([
                preflight::DELETE_SETS,
                preflight::CREATE_CONFIGMAPS,
                preflight::DELETE_CONFIGMAPS,
            ]);
        }
        if plan.has(Stage::ReplaceClaims) {
            needs.extend([preflight::DELETE_PODS, preflight::DELETE_CLAIMS]);
        }
        if plan.has(Stage::Roll) && !needs.contains(&preflight::DELETE_PODS) {
            needs.push(preflight::DELETE_PODS);
        }
        needs
    }

    fn same_change(&self, old: &ApplyPlan, new: &ApplyPlan) -> bool {
        (&old.uid, &old.generation, &old.set.changes, &old.stages)
            == (&new.uid, &new.generation, &new.set.changes, &new.stages)
    }

    fn resuming(&self, plan: &ApplyPlan) -> String {
        format!(
            "resuming the apply to statefulset {}/{}",
            plan.set.namespace, plan.set.name
        )
    }

    async fn carry_out(&mut self, ctx: &Context, planned: &Planned<ApplyPlan>, _no_wait: bool) -> Ending {
        let result = self.execute(ctx, &planned.plan).await;
        Ending::from_result(result, self.states.clone())
    }

    fn extra(&self, _plan: &ApplyPlan) -> Option<Value> {
        Some(json!({"manifest": self.manifest_path, "new_uid": self.new_uid, "converged": self.converged}))
    }
}

/// The claim patches of every growing template (a claim grown meanwhile is left alone).
fn grow_writes(plan: &ApplyPlan) -> Vec<Write> {
    plan.grow
        .iter()
        .flat_map(|grow| {
            grow.claims
                .iter()
                .filter(|c| c.patch)
                .map(|claim| Write::ResizeClaim {
                    claim: claim.claim.clone(),
                    resource_version: plan.claim_versions.get(&claim.claim).cloned().unwrap_or_default(),
                    size: grow.to.clone(),
                })
        })
        .collect()
}

impl ApplySet<'_> {
    /// The command with the flags that say what is applied (a record names it, and any gates).
    fn identity(&self) -> String {
        let mut line = String::from("kubectl sts apply");
        for file in &self.args.manifest.files {
            line.push_str(&format!(" -f {file}"));
        }
        for (given, flag) in [
            (
                self.args.manifest.replace_pending_claims,
                " --replace-pending-claims",
            ),
            (
                self.args.manifest.allow_service_name_change,
                " --allow-service-name-change",
            ),
        ] {
            if given {
                line.push_str(flag);
            }
        }
        line
    }

    fn apply_write(&self, plan: &ApplyPlan, object: &Value, force: bool) -> Write {
        let mut object = object.clone();
        if let Some(rv) = &plan.resource_version {
            object["metadata"]["resourceVersion"] = json!(rv);
        }
        Write::ApplySet {
            set: plan.set.name.clone(),
            object,
            manager: self.args.field_manager.clone(),
            force,
        }
    }

    fn finish_plan(&self, set_plan: SetPlan, grows: bool) -> ApplyPlan {
        let stages = stages(&set_plan, grows);
        let steps = stages.iter().map(|s| stage_words(*s, &set_plan)).collect();
        let object = applied_object(None, &self.document.object, false);
        ApplyPlan {
            set: set_plan,
            stages,
            steps,
            ownership: None,
            field_manager: self.args.field_manager.clone(),
            uid: None,
            generation: None,
            resource_version: None,
            recreated_object: object.clone(),
            object,
            force: false,
            grow: Vec::new(),
            claim_versions: BTreeMap::new(),
            pods: Vec::new(),
            gated: None,
            gates: Vec::new(),
        }
    }

    /// With gates, how the pods of the live set move (`ApplyPlan::gate`): `live` is the set
    /// as it is (or was, before an orphan delete).
    fn gate_plan(&self, plan: &mut ApplyPlan, live: Live<'_>) {
        if !self.gates.walks() {
            return;
        }
        let batch = self.gates.max_unavailable;
        let moved = gated_move(&plan.object, &self.document.object, live, batch);
        if let Some(moved) = moved {
            plan.gate(moved, self.gates);
        }
    }

    fn plan_create(&self, set_plan: SetPlan) -> ApplyPlan {
        self.finish_plan(set_plan, false)
    }

    /// The plan against the live set: refused changes stop here (exit 3); growing claim
    /// templates are checked as `pvc resize` checks them; the fields other managers hold are
    /// found with a dry-run apply.
    async fn plan_live(&self, ctx: &Context, set_plan: SetPlan, snap: &SetSnapshot) -> Result<ApplyPlan> {
        if let Some(refused) = set_plan.first_refusal() {
            return Err(StsError::CheckFailed(format!("{refused}; nothing was applied")).into());
        }
        let (grow, claim_versions) = growing_templates(ctx, &set_plan, &snap.set).await?;
        let live = serde_json::to_value(&snap.set)?;
        let mut plan = self.finish_plan(set_plan, !grow.is_empty());
        plan.grow = grow;
        plan.claim_versions = claim_versions;
        plan.uid = snap.set.metadata.uid.clone();
        plan.generation = snap.set.metadata.generation;
        plan.resource_version = snap.set.metadata.resource_version.clone();
        plan.object = applied_object(Some(&live), &self.document.object, false);
        plan.recreated_object = applied_object(Some(&live), &self.document.object, true);
        let replaced = &plan.set.replaced_claims;
        plan.pods = snap
            .pods
            .iter()
            .filter(|p| {
                !replaced
                    .iter()
                    .any(|c| claims_pod(c, &snap.set) == p.metadata.name)
            })
            .map(mark)
            .collect();
        let live = Live {
            set: &live,
            template_changes: plan.set.changes.iter().any(|c| c.how == How::Rollout),
            outdated: outdated(snap),
        };
        self.gate_plan(&mut plan, live);
        if plan.has(Stage::Apply) && !plan.has(Stage::OrphanDelete) {
            let conflicts = apply_conflicts(ctx, &snap.set, &plan.object, &plan.field_manager).await?;
            plan.ownership =
                ownership(&conflicts, self.args.force_conflicts, &plan.field_manager).map_err(|why| {
                    StsError::CheckFailed(format!(
                        "statefulset {}/{}: {why}; nothing was applied",
                        ctx.namespace, plan.set.name
                    ))
                })?;
            plan.force = !conflicts.is_empty();
        }
        if plan.has(Stage::OrphanDelete) {
            plan.ownership = Some(format!(
                "the re-created set is {}'s alone: `kubectl apply` and Helm still write their fields (updates never conflict); a server-side applier takes its own back on its next apply",
                plan.field_manager
            ));
        }
        Ok(plan)
    }

    /// The set is gone (an earlier run deleted it with `--orphan`): plan its re-create from
    /// the manifest its record keeps.
    fn read_gone(
        &mut self,
        ctx: &Context,
        set_plan: SetPlan,
        record: Record,
        manifest: &str,
    ) -> Result<Read<ApplyPlan>> {
        let old: StatefulSet =
            serde_saphyr::from_str(manifest).context("the recorded manifest cannot be read")?;
        eprintln!(
            "statefulset {}/{} was deleted with --orphan by an interrupted `{}`: creating it again",
            ctx.namespace,
            self.document.name,
            ctx.complete(&self.command_line())
        );
        let live = serde_json::to_value(&old)?;
        let mut plan = self.finish_plan(set_plan, false);
        plan.stages = vec![Stage::Recreate, Stage::Apply, Stage::Converge];
        plan.set.replaced_claims = strings(&record.data["replaced_claims"]);
        if !plan.set.replaced_claims.is_empty() {
            plan.stages.insert(0, Stage::ReplaceClaims);
        }
        plan.steps = plan.stages.iter().map(|s| stage_words(*s, &plan.set)).collect();
        plan.object = applied_object(Some(&live), &self.document.object, false);
        plan.recreated_object = applied_object(Some(&live), &self.document.object, true);
        // The manifest's template is taken to change: its walk starts from the replica count.
        let live = Live {
            set: &live,
            template_changes: true,
            outdated: Vec::new(),
        };
        self.gate_plan(&mut plan, live);
        self.resume = Resume::Gone {
            old: Box::new(old),
            data: record.data,
        };
        Ok(Read {
            plan: Ok(plan),
            set: None,
        })
    }

    /// From where the plan (or an earlier run) stands to a converged set; the message.
    async fn execute(&mut self, ctx: &Context, plan: &ApplyPlan) -> Result<String> {
        let recreated = match std::mem::replace(&mut self.resume, Resume::Fresh) {
            Resume::Gone { old, data } => Some(self.create_again(ctx, plan, &old, &data).await?),
            Resume::Recreated { data } => {
                let sts = fetch::statefulset(ctx, &plan.set.name).await?;
                self.verify(ctx, plan, &sts, &marks(&data)).await?;
                Some(sts)
            }
            Resume::Fresh if plan.has(Stage::OrphanDelete) => Some(self.recreate(ctx, plan).await?),
            Resume::Fresh => None,
        };
        if let Some(sts) = &recreated {
            self.new_uid = sts.metadata.uid.clone();
            if plan.object != plan.recreated_object {
                let apply = self.apply_write(
                    &ApplyPlan {
                        resource_version: None,
                        ..plan.clone()
                    },
                    &plan.object,
                    true,
                );
                write::apply(ctx, &apply, false).await?;
            }
            let forget = Write::ForgetBeside {
                set: plan.set.name.clone(),
            };
            write::apply(ctx, &forget, false).await?;
        }
        if let Some(moved) = &plan.gated {
            self.move_gated(ctx, plan, moved).await?;
        }
        self.converge(ctx, plan).await
    }

    /// Moves the pods with the gates once the manifest is applied: the partition walked down
    /// (RollingUpdate), or the outdated pods rolled (OnDelete). A stop leaves the set as the
    /// last pod left it; re-running the same command goes on.
    async fn move_gated(&mut self, ctx: &Context, plan: &ApplyPlan, moved: &GatedMove) -> Result<()> {
        let command = self.command_line();
        let resume = ctx.complete(&command);
        let gated = Gated::new(self.gates, &resume, &command);
        let name = &plan.set.name;
        match moved {
            GatedMove::Walk { from, to, .. } => {
                let when_stuck = format!(
                    "the walk stopped there, the pods below untouched: fix the manifest, then re-run `{resume}`"
                );
                let advice = Advice {
                    when_stuck: &when_stuck,
                    resume: &resume,
                };
                let stretch = Stretch { from: *from, to: *to };
                walk_partition(ctx, name, stretch, gated, advice).await
            }
            GatedMove::Roll { .. } => {
                let snap = observed_snapshot(ctx, name).await?;
                let roll = plan_roll(&snap, None, Method::Delete).map_err(StsError::from)?;
                let run = replace::execute_gated(ctx, &snap.set, &roll, false, gated).await;
                self.states.extend(run.outcome_pods());
                run.end.map_or(Ok(()), Err)
            }
        }
    }

    /// Saves, records and orphan-deletes the set, then creates it again.
    async fn recreate(&mut self, ctx: &Context, plan: &ApplyPlan) -> Result<StatefulSet> {
        let data = json!({
            "uid": plan.uid,
            "pods": plan.pods,
            "replaced_claims": plan.set.replaced_claims,
        });
        let mut recreation = self.recreation(plan, data.clone());
        let old = recreation.take_down(ctx).await;
        self.manifest_path = recreation.manifest.clone();
        let old = old?;
        let new = self.create_again(ctx, plan, &old, &data).await?;
        self.verify_claims_grew(ctx, plan, &new).await?;
        Ok(new)
    }

    fn recreation(&self, plan: &ApplyPlan, data: Value) -> Recreation<'_> {
        Recreation {
            name: &self.document.name,
            uid: plan.uid.clone(),
            generation: plan.generation,
            backup_dir: &self.args.backup_dir,
            command: self.command_line(),
            data,
            done_before: "claims grown (if any) and nothing else was changed",
            manifest: self.manifest_path.clone(),
        }
    }

    /// Replaces the claims without data, creates the set with its live template and verifies
    /// that it adopted its pods.
    async fn create_again(
        &mut self,
        ctx: &Context,
        plan: &ApplyPlan,
        old: &StatefulSet,
        data: &Value,
    ) -> Result<StatefulSet> {
        self.replace_claims(ctx, old, &strings(&data["replaced_claims"]))
            .await?;
        let create = self.apply_write(
            &ApplyPlan {
                resource_version: None,
                ..plan.clone()
            },
            &plan.recreated_object,
            false,
        );
        let sts = self.recreation(plan, data.clone()).create(ctx, &create).await?;
        self.verify(ctx, plan, &sts, &marks(data)).await?;
        Ok(sts)
    }

    /// Deletes each claim that is still Pending without a volume, after the Pending pod that
    /// uses it, and waits until they are gone.
    async fn replace_claims(&self, ctx: &Context, old: &StatefulSet, claims: &[String]) -> Result<()> {
        if claims.is_empty() {
            return Ok(());
        }
        let storage = fetch::storage(ctx).await?;
        let mut deleted: BTreeMap<String, String> = BTreeMap::new();
        for name in claims {
            let Some(claim) = storage.claim(name) else {
                continue;
            };
            if !unbound(claim) {
                return Err(StsError::CheckFailed(format!(
                    "claim {}/{name} got a volume meanwhile (it may hold data now); it was kept: re-run `{}` to plan again",
                    ctx.namespace,
                    ctx.complete(&self.command_line())
                ))
                .into());
            }
            let pending_pod = storage.pods.iter().find(|p| {
                p.metadata.name == claims_pod(name, old)
                    && p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending")
            });
            if let Some(pod) = pending_pod {
                let delete = Write::DeletePod {
                    pod: pod.metadata.name.clone().unwrap_or_default(),
                    uid: pod.metadata.uid.clone().unwrap_or_default(),
                };
                write::apply(ctx, &delete, false).await?;
            }
            let uid = claim.metadata.uid.clone().unwrap_or_default();
            let delete = Write::DeleteClaim {
                claim: name.clone(),
                uid: uid.clone(),
            };
            write::apply(ctx, &delete, false).await?;
            deleted.insert(name.clone(), uid);
        }
        wait_claims_gone(ctx, &deleted).await
    }

    /// Follows the set until the pods of `marks` are adopted with their uids kept.
    async fn verify(
        &mut self,
        ctx: &Context,
        plan: &ApplyPlan,
        sts: &StatefulSet,
        marks: &[PodMark],
    ) -> Result<()> {
        let uid = sts.metadata.uid.clone().unwrap_or_default();
        self.follow_states(ctx, sts, marks.iter().map(|m| m.pod.clone()).collect(), |snap| {
            let (states, broken) = judge_adoption(marks, &uid, snap);
            (states, None, broken)
        })
        .await
        .map_err(|err| {
            err.context(format!(
                "statefulset {}/{} was created again; waiting for it to adopt its pods",
                plan.set.namespace, plan.set.name
            ))
        })
    }

    /// Follows each grown claim until it has its new size.
    async fn verify_claims_grew(&mut self, ctx: &Context, plan: &ApplyPlan, sts: &StatefulSet) -> Result<()> {
        for grow in &plan.grow {
            let names = grow
                .claims
                .iter()
                .filter(|c| c.patch)
                .map(|c| c.claim.clone())
                .collect();
            self.follow_states(ctx, sts, names, |snap| judge_claims(grow, snap))
                .await?;
        }
        Ok(())
    }

    /// Shows the states `judge` gives on every change of the set until all are done; a
    /// broken promise or the timeout ends it.
    async fn follow_states(
        &mut self,
        ctx: &Context,
        sts: &StatefulSet,
        names: Vec<String>,
        mut judge: impl FnMut(
            &SetSnapshot,
        ) -> (
            Vec<StepState>,
            Option<k8s_openapi::jiff::Timestamp>,
            Option<String>,
        ),
    ) -> Result<()> {
        let mut progress = PodProgress::new(names, ctx.interactive, ctx.wide);
        let mut last: Vec<StepState> = Vec::new();
        let mut watch = SetWatch::start(ctx, sts);
        let result = watch
            .until(deadline_after(ctx.timeout), |snap| {
                let (states, recheck_at, broken) = judge(snap);
                progress.update(&states);
                let done = states.iter().all(|s| s.done);
                last = states;
                match (broken, done, recheck_at) {
                    (Some(what), _, _) => Check::Failed(StsError::CheckFailed(what).into()),
                    (None, true, _) => Check::Done(()),
                    (None, false, Some(at)) => Check::WaitingUntil(at),
                    (None, false, None) => Check::Waiting,
                }
            })
            .await;
        progress.finish();
        self.states.extend(last.into_iter().map(|s| PodOutcome {
            seconds: progress.seconds_to_done(&s.pod),
            pod: s.pod,
            state: s.state,
            done: s.done,
            old_uid: None,
            new_uid: None,
        }));
        result.map_err(|end| {
            let resume = format!("re-run `{}`", ctx.complete(&self.command_line()));
            end.into_error(
                ctx.timeout,
                "the set was created again",
                &resume,
                "the set was deleted",
            )
        })
    }

    /// Follows the set until it has converged under its strategy: the message, or blocked
    /// (exit 3) or timed out (exit 4).
    async fn converge(&mut self, ctx: &Context, plan: &ApplyPlan) -> Result<String> {
        let first = fetch::snapshot(ctx, &plan.set.name).await?;
        let report = converge::report(ctx, first).await?;
        self.converged = serde_json::to_value(&report).ok();
        let whose = format!("statefulset {}/{}", plan.set.namespace, plan.set.name);
        let why = format!("`{}`", ctx.sts(&format!("why {}", plan.set.name)));
        match (report.outcome, &report.blocker) {
            (WaitOutcome::Converged, _) => Ok(applied_message(plan, &report, self.new_uid.as_deref())),
            (WaitOutcome::Blocked, blocker) => Err(StsError::CheckFailed(format!(
                "applied, but {whose} is blocked{}; see {why}",
                blocker
                    .as_ref()
                    .map(|b| format!(": {}: {}", b.object, b.what))
                    .unwrap_or_default()
            ))
            .into()),
            (WaitOutcome::TimedOut, _) => Err(StsError::TimedOut(format!(
                "applied, but {whose} has not converged after {}: {}; `{}` goes on waiting",
                humantime::format_duration(ctx.timeout),
                report.waiting_on.as_deref().unwrap_or("it is still changing"),
                ctx.sts(&format!("wait {}", plan.set.name))
            ))
            .into()),
        }
    }
}

/// The message of an apply that converged.
fn applied_message(plan: &ApplyPlan, report: &WaitReport, new_uid: Option<&str>) -> String {
    let whose = format!("statefulset {}/{}", plan.set.namespace, plan.set.name);
    let mut message = match plan.set.action {
        Action::Create => format!("created {whose} from {}", plan.set.source),
        _ => format!("applied {} to {whose}", plan.set.source),
    };
    if let Some(uid) = new_uid {
        message.push_str(&format!(
            "; re-created (uid {uid}), its {} pod(s) adopted with the same uids",
            plan.pods.len()
        ));
    }
    message.push_str(&format!(
        "; converged: {}/{} Ready ({})",
        report.ready_replicas, report.replicas, report.progress
    ));
    if !report.left_outdated.is_empty() {
        message.push_str(&format!(
            "; {} left on the old revision by the strategy{}",
            report.left_outdated.join(", "),
            report
                .left_to
                .as_deref()
                .map(|c| format!(": `{c}` moves them"))
                .unwrap_or_default()
        ));
    }
    message
}

/// The claim templates the plan grows, each planned (and checked) as `pvc resize` does, and
/// the resourceVersion of each claim (the patches' preconditions).
async fn growing_templates(
    ctx: &Context,
    plan: &SetPlan,
    sts: &StatefulSet,
) -> Result<(Vec<ResizePlan>, BTreeMap<String, String>)> {
    let growing: Vec<(String, String)> = plan
        .changes
        .iter()
        .filter(|c| c.how == How::Recreate)
        .filter_map(|c| {
            let rest = c.path.strip_prefix("spec.volumeClaimTemplates[")?;
            let (template, leaf) = rest.split_once(']')?;
            (leaf == ".spec.resources.requests.storage").then(|| {
                (
                    template.to_string(),
                    c.new.as_str().unwrap_or_default().to_string(),
                )
            })
        })
        .collect();
    if growing.is_empty() {
        return Ok((Vec::new(), BTreeMap::new()));
    }
    let storage = fetch::storage(ctx).await?;
    let mut plans = Vec::new();
    for (template, size) in growing {
        let size = quantity::parse(&size)
            .map_err(|e| StsError::BadInput(format!("claim template {template}: {e}")))?;
        let grow = plan_resize(sts, &storage, Some(&template), &size)
            .map_err(|refusal| StsError::CheckFailed(format!("{}; nothing was applied", refusal.reason)))?;
        plans.push(grow);
    }
    let versions = storage
        .claims
        .iter()
        .filter_map(|c| Some((c.metadata.name.clone()?, c.metadata.resource_version.clone()?)))
        .collect();
    Ok((plans, versions))
}

/// The pod that uses a claim of the set, by the claim's ordinal.
fn claims_pod(claim: &str, sts: &StatefulSet) -> Option<String> {
    set::claim_template_and_ordinal(sts, claim).map(|(_, ordinal)| format!("{}-{ordinal}", set::name(sts)))
}

fn unbound(claim: &PersistentVolumeClaim) -> bool {
    claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending")
        && claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.as_deref())
            .is_none_or(str::is_empty)
}

/// The pods of the set not on its update revision, highest first (an OnDelete set's to roll).
fn outdated(snap: &SetSnapshot) -> Vec<String> {
    plan_roll(snap, None, Method::Delete)
        .map(|roll| roll.replacements().map(|s| s.pod.clone()).collect())
        .unwrap_or_default()
}

fn strings(value: &Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

fn marks(data: &Value) -> Vec<PodMark> {
    serde_json::from_value(data["pods"].clone()).unwrap_or_default()
}

/// Waits until none of the claims (name to uid) is left.
async fn wait_claims_gone(ctx: &Context, claims: &BTreeMap<String, String>) -> Result<()> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let mut watch = KindWatch::start(api, watcher::Config::default());
    let names: Vec<String> = claims.keys().cloned().collect();
    watch
        .until(deadline_after(ctx.timeout), |live| {
            let left = live.iter().any(|c| {
                let name = c.metadata.name.as_deref().unwrap_or_default();
                claims
                    .get(name)
                    .is_some_and(|uid| c.metadata.uid.as_deref() == Some(uid))
            });
            match left {
                true => Check::Waiting,
                false => Check::Done(()),
            }
        })
        .await
        .map_err(|end: WaitEnd| {
            end.into_error(
                ctx.timeout,
                &format!(
                    "claims {} are being deleted; the set is deleted with --orphan",
                    names.join(", ")
                ),
                "re-run the same command once they are gone",
                "",
            )
        })
}
