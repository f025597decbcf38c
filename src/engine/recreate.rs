//! A set re-created with its pods and claims kept (`pvc resize`, `apply -f`): its manifest
//! saved to a file and recorded beside it (a ConfigMap that survives the set, naming the
//! command that resumes); the set deleted with `--orphan` on condition of its uid and
//! resourceVersion (re-read, and re-saved when its metadata changed, after a conflict; a
//! changed spec or uid stops); the wait until its pods are released; the create. Any failure
//! between the delete and the create says how to restore the set.

use std::path::Path;

use anyhow::{Context as _, Result};
use k8s_openapi::api::apps::v1::StatefulSet;
use serde_json::Value;

use crate::backup::save_manifest;
use crate::context::Context;
use crate::engine::MAX_REPLANS;
use crate::engine::gone;
use crate::engine::write::{self, Write};
use crate::error::{StsError, is_conflict};
use crate::fetch;
use crate::model::flow::record::{Record, record_map_name};
use crate::model::set::manifest::for_create;
use crate::wait::{deadline_after, set_interrupt_note};

/// A re-create under way.
pub struct Recreation<'a> {
    pub name: &'a str,
    /// The set's uid and generation when planned: a change of either stops the re-create.
    pub uid: Option<String>,
    pub generation: Option<i64>,
    pub backup_dir: &'a Path,
    /// The command that resumes it (the record names it).
    pub command: String,
    /// What the record keeps for a resume beside the manifest.
    pub data: Value,
    /// What was done before the delete, said if the set changed meanwhile ("the claims are
    /// patched and nothing else was changed").
    pub done_before: &'static str,
    /// Where the manifest was saved, once it is.
    pub manifest: Option<String>,
}

impl Recreation<'_> {
    /// Deletes the set with `--orphan` and waits until its pods are released: the set as it
    /// was deleted.
    pub async fn take_down(&mut self, ctx: &Context) -> Result<StatefulSet> {
        let deleted = self.orphan_delete(ctx).await?;
        let selector = fetch::pod_selector(&deleted)?;
        gone::wait_orphaned(ctx, &deleted, &selector, deadline_after(ctx.timeout))
            .await
            .map_err(|end| {
                let state = "the set is being deleted with --orphan; its pods keep running";
                let resume = format!("once it is gone, {}", self.restore_hint(ctx));
                end.into_error(ctx.timeout, state, &resume, "the set is gone")
            })?;
        Ok(deleted)
    }

    /// Creates the set again (`create`: a create or a server-side apply of it).
    pub async fn create(&self, ctx: &Context, create: &Write) -> Result<StatefulSet> {
        let created = write::apply(ctx, create, false).await.with_context(|| {
            format!(
                "statefulset {}/{} was deleted with --orphan but could not be created again; its pods keep running without an owner: {}",
                ctx.namespace,
                self.name,
                self.restore_hint(ctx)
            )
        });
        set_interrupt_note(None);
        created?
            .into_set()
            .context("the server answered the create without the set")
    }

    /// How to finish or undo it, as commands that paste (with the flags that reach the set).
    pub fn restore_hint(&self, ctx: &Context) -> String {
        format!(
            "re-run `{}` (its record, ConfigMap {}, keeps the manifest), or restore the set as it was with `{}`",
            ctx.complete(&self.command),
            record_map_name(self.name),
            self.restore_command(ctx)
        )
    }

    fn restore_command(&self, ctx: &Context) -> String {
        let manifest = self.manifest.as_deref().unwrap_or("<saved manifest>");
        ctx.complete(&format!("kubectl create -f {manifest}"))
    }

    /// Deletes the set with `--orphan` exactly as it was saved: on condition of its uid and
    /// resourceVersion, re-reading (and re-saving if its metadata changed) after a conflict, at
    /// most `MAX_REPLANS` times; a change of its spec stops.
    async fn orphan_delete(&mut self, ctx: &Context) -> Result<StatefulSet> {
        let whose = format!("statefulset {}/{}", ctx.namespace, self.name);
        let mut saved: Option<StatefulSet> = None;
        for _ in 0..MAX_REPLANS {
            let fresh = fetch::statefulset(ctx, self.name).await?;
            if fresh.metadata.uid != self.uid || fresh.metadata.generation != self.generation {
                return Err(StsError::Superseded(format!(
                    "{whose} changed meanwhile (its spec or uid); {}: re-run `{}`",
                    self.done_before,
                    ctx.complete(&self.command)
                ))
                .into());
            }
            if saved.as_ref().map(for_create) != Some(for_create(&fresh)) {
                let path = save_manifest(self.backup_dir, &fresh)?;
                eprintln!("Saved the manifest of {whose} to {}", path.display());
                self.manifest = Some(path.display().to_string());
                self.record(ctx, &fresh).await?;
                saved = Some(fresh.clone());
            }
            set_interrupt_note(Some(self.interrupt_note(ctx, &whose)));
            let delete = Write::DeleteSet {
                set: self.name.to_string(),
                uid: fresh.metadata.uid.clone().unwrap_or_default(),
                resource_version: fresh.metadata.resource_version.clone(),
                orphan: true,
            };
            match write::apply(ctx, &delete, false).await {
                Ok(_) => return Ok(fresh),
                Err(err) if is_conflict(&err) => continue,
                Err(err) => return Err(err),
            }
        }
        Err(StsError::Conflict(format!(
            "{whose} changed under every one of {MAX_REPLANS} attempts (someone else keeps changing it); it was not deleted: re-run `{}`",
            ctx.complete(&self.command)
        ))
        .into())
    }

    /// The record beside the set: the command, the step, what a resume needs, the set as it is.
    async fn record(&self, ctx: &Context, fresh: &StatefulSet) -> Result<()> {
        let record = Record {
            command: self.command.clone(),
            step: "orphan-delete".into(),
            started: crate::model::flow::record::now(),
            data: self.data.clone(),
            yields_to: Vec::new(),
        };
        let manifest = serde_saphyr::to_string(&for_create(fresh))?;
        let write = Write::RecordBeside {
            set: self.name.to_string(),
            record,
            manifest: Some(manifest),
        };
        write::apply(ctx, &write, false).await?;
        Ok(())
    }

    fn interrupt_note(&self, ctx: &Context, whose: &str) -> String {
        format!(
            "interrupted around the orphan delete of {whose} (its pods keep running): if the set is gone, restore it with `{}` (it adopts its pods again) and re-run `{}`; if it still exists, just re-run",
            self.restore_command(ctx),
            ctx.complete(&self.command)
        )
    }
}
