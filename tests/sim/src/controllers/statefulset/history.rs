//! ControllerRevisions in the store for one set: listing (owned ones and adopted orphans),
//! finding or creating the update revision (with hash collisions), pruning old history.
//! The decisions come from `revisions.rs`.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::revisions::{self, UpdateRevision};
use super::spec::SetSpec;
use crate::controllers::cache::Cache;
use crate::controllers::obj;
use crate::controllers::write;
use crate::error::ApiError;
use crate::resources::{CONTROLLER_REVISIONS, STATEFULSETS};
use crate::store::{DeleteOptions, Part, Store};

/// The revisions of the set, sorted: those it controls and orphans its selector matches,
/// which it adopts.
pub fn list_and_adopt(store: &Store, cache: &Cache, set: &Value, spec: &SetSpec) -> Vec<Value> {
    let candidates = cache.list(&CONTROLLER_REVISIONS, &spec.namespace);
    let mut revisions: Vec<Value> = candidates
        .iter()
        .filter(|r| spec.selector.matches_object(r))
        .filter_map(|r| match obj::controller_ref(r) {
            Some(c) if c.uid == spec.uid => Some(Value::clone(r)),
            Some(_) => None,
            None if spec.deleting => None,
            None => adopt(store, set, r),
        })
        .collect();
    revisions::sort(&mut revisions);
    revisions
}

fn adopt(store: &Store, set: &Value, revision: &Value) -> Option<Value> {
    let orphan = |r: &Value| obj::controller_ref(r).is_none();
    write::guarded(store, &CONTROLLER_REVISIONS, revision, Part::Main, orphan, |r| {
        obj::push_owner_ref(r, obj::new_controller_ref(&STATEFULSETS, set))
    })
    .ok()
}

/// The current and update revision names and the collision count. May create a revision or
/// give an old one the next number (a rollback); `revisions` is kept up to date and sorted.
pub fn resolve(
    store: &Store,
    set: &Value,
    spec: &SetSpec,
    revisions: &mut Vec<Value>,
) -> Result<(String, String, i64), ApiError> {
    let mut collision = spec.collision_count;
    let candidate = revisions::new_revision(set, spec, revisions::next_number(revisions), collision);
    let update = match revisions::choose_update(revisions, candidate) {
        UpdateRevision::Latest(name) => name,
        UpdateRevision::Renumber { name, number } => {
            let renumbered = store.modify(
                &CONTROLLER_REVISIONS,
                &spec.namespace,
                &name,
                Part::Main,
                false,
                |r| {
                    r["revision"] = json!(number);
                    Ok(())
                },
            )?;
            revisions.retain(|r| obj::name(r) != name);
            revisions.push(renumbered);
            name
        }
        UpdateRevision::Create(_) => {
            let created = create(store, set, spec, &mut collision)?;
            let name = obj::name(&created).to_string();
            revisions.retain(|r| obj::name(r) != name);
            revisions.push(created);
            name
        }
    };
    revisions::sort(revisions);
    let current = revisions
        .iter()
        .find(|r| obj::name(r) == spec.status_current_revision)
        .map_or_else(|| update.clone(), |r| obj::name(r).to_string());
    Ok((current, update, collision))
}

/// `CreateControllerRevision`: a name taken by another template raises the collision count.
fn create(store: &Store, set: &Value, spec: &SetSpec, collision: &mut i64) -> Result<Value, ApiError> {
    loop {
        let (sorted, _) = store.list(&CONTROLLER_REVISIONS, Some(&spec.namespace), &|r| {
            spec.selector.matches_object(r) && obj::controller_ref(r).is_some_and(|c| c.uid == spec.uid)
        });
        let mut sorted = sorted;
        revisions::sort(&mut sorted);
        let revision = revisions::new_revision(set, spec, revisions::next_number(&sorted), *collision);
        match store.create(&CONTROLLER_REVISIONS, &spec.namespace, revision.clone(), false) {
            Err(e) if e.reason == "AlreadyExists" => {
                let existing = store.get(&CONTROLLER_REVISIONS, &spec.namespace, obj::name(&revision))?;
                if existing.get("data") == revision.get("data") {
                    return Ok(existing);
                }
                *collision += 1;
            }
            other => return other,
        }
    }
}

/// Deletes the oldest revisions no pod or status uses beyond `revisionHistoryLimit`.
pub fn truncate(store: &Store, spec: &SetSpec, revisions: &[Value], live: &HashSet<String>) {
    for name in revisions::to_prune(revisions, live, spec.history_limit) {
        // Already gone is as good as deleted.
        let _ = store.delete(
            &CONTROLLER_REVISIONS,
            &spec.namespace,
            &name,
            &DeleteOptions::default(),
        );
    }
}
