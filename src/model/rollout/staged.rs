//! Planning staged rollouts: validating `--image CONTAINER=IMAGE`, choosing the partition,
//! which ordinals move now and which stay, what is already in flight; and promoting a staged
//! rollout by lowering the partition (never raising it).

use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde::Serialize;

use crate::model::refusal::Refusal;
use crate::model::set::health::{Stuckness, find_stuck};
use crate::model::set::revision::{ContainerImage, template_images};
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};

/// The annotation on the set recording the partition in effect before a rollout was staged,
/// so that `abort` can put it back.
pub const PARTITION_BEFORE: &str = "kubectl-sts.io/partition-before-rollout";
/// The annotation on the set recording the revision a rollout was staged from (OnDelete sets
/// do not advance `currentRevision`, so `abort` needs it to know where to go back to).
pub const REVISION_BEFORE: &str = "kubectl-sts.io/revision-before-rollout";
/// The annotation on the set naming the revisions a revert left before they were fully rolled
/// out (an aborted rollout, an undo away from pods not all Ready), comma-separated, newest
/// last: `undo` does not go back to them unless asked by number.
pub const ABANDONED_REVISIONS: &str = "kubectl-sts.io/abandoned-revisions";

/// One container's image change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageChange {
    pub container: String,
    pub init: bool,
    pub from: String,
    pub to: String,
}

/// The plan of `rollout` and `canary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolloutPlan {
    pub namespace: String,
    pub name: String,
    pub strategy: Strategy,
    pub changes: Vec<ImageChange>,
    /// The partition to set (RollingUpdate), or the first ordinal offset to roll (OnDelete).
    pub partition: i32,
    /// The partition before the rollout, recorded for `abort` (RollingUpdate only).
    pub partition_before: Option<i32>,
    /// The revision the rollout starts from, recorded for `abort`.
    pub revision_before: Option<String>,
    /// Ordinals that move to the new template now, highest first.
    pub moves_now: Vec<i32>,
    /// Pods that stay on their revision until promoted.
    pub stays: Vec<String>,
    /// A rollout already in flight that this one replaces: its update revision.
    pub in_flight: Option<String>,
    pub notes: Vec<String>,
}

/// Whether `reference` is a well-formed image reference: `[host[:port]/]path[:tag][@digest]`.
pub fn valid_image_reference(reference: &str) -> bool {
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (reference, None),
    };
    let digest_ok = digest.is_none_or(|d| {
        d.split_once(':').is_some_and(|(algo, hex)| {
            !algo.is_empty() && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
    });
    let (path, tag) = match rest.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') => (path, Some(tag)),
        _ => (rest, None),
    };
    let tag_ok = tag.is_none_or(|t| {
        !t.is_empty()
            && t.len() <= 128
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            && !t.starts_with(['.', '-'])
    });
    let path_ok = !path.is_empty()
        && path.split('/').enumerate().all(|(i, part)| {
            let host = i == 0 && path.contains('/') && (part.contains(['.', ':']) || part == "localhost");
            !part.is_empty()
                && part.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b"._-".contains(&b)
                        || (host && (b == b':' || b.is_ascii_uppercase()))
                })
        });
    digest_ok && tag_ok && path_ok && reference.len() <= 4096
}

/// One `--image CONTAINER=IMAGE`: the image a container (or init container) is to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImage {
    pub container: String,
    pub image: String,
}

/// Checks each `container=image` against the template and returns the changes (unchanged
/// images left out).
pub fn image_changes(
    template: &PodTemplateSpec,
    wanted: &[NewImage],
    set_name: &str,
) -> Result<Vec<ImageChange>, Refusal> {
    let current = template_images(template);
    let mut changes = Vec::new();
    for NewImage { container, image } in wanted {
        let Some(found) = current.iter().find(|c| &c.container == container) else {
            return Err(Refusal::usage(unknown_container(container, &current, set_name)));
        };
        if !valid_image_reference(image) {
            return Err(Refusal::usage(format!(
                "{image:?} is not a valid image reference (expected e.g. registry.example.com/team/app:1.2.3)"
            )));
        }
        if changes.iter().any(|c: &ImageChange| &c.container == container) {
            return Err(Refusal::usage(format!(
                "container {container:?} is given twice in --image"
            )));
        }
        if &found.image != image {
            changes.push(ImageChange {
                container: container.clone(),
                init: found.init,
                from: found.image.clone(),
                to: image.clone(),
            });
        }
    }
    Ok(changes)
}

fn unknown_container(container: &str, current: &[ContainerImage], set_name: &str) -> String {
    let names = |init: bool| {
        current
            .iter()
            .filter(|c| c.init == init)
            .map(|c| c.container.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let init = names(true);
    let init = if init.is_empty() {
        String::new()
    } else {
        format!("; init containers: {init}")
    };
    format!(
        "container {container:?} is not in statefulset {set_name} (containers: {}{init})",
        names(false)
    )
}

/// The revision in flight, if any: the update revision while some pod is not on it (or, for
/// RollingUpdate, while it differs from the current revision).
pub fn in_flight(snap: &SetSnapshot) -> Option<String> {
    let update = set::update_revision(&snap.set)?;
    let differs = set::current_revision(&snap.set) != Some(update);
    let outdated = snap
        .pods
        .iter()
        .any(|p| crate::model::set::health::revision_of(p) != Some(update));
    let flying = match set::strategy(&snap.set) {
        Strategy::RollingUpdate => differs,
        Strategy::OnDelete => outdated,
    };
    flying.then(|| update.to_string())
}

/// Plans staging `wanted` images with `partition` (default: the replica count, so nothing
/// moves until promoted).
pub fn plan_rollout(
    snap: &SetSnapshot,
    wanted: &[NewImage],
    partition: Option<i32>,
) -> Result<RolloutPlan, Refusal> {
    let set = &snap.set;
    let replicas = set::desired_replicas(set);
    let requested = partition;
    let partition = partition.unwrap_or(replicas);
    if !(0..=replicas).contains(&partition) {
        return Err(Refusal::usage(format!(
            "partition {partition} is outside 0..={replicas} (the replica count of statefulset {}/{})",
            snap.namespace(),
            snap.name()
        )));
    }
    let template = set.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    let changes = image_changes(
        &template,
        wanted,
        &format!("{}/{}", snap.namespace(), snap.name()),
    )?;
    if changes.is_empty() {
        refuse_partition_only(snap, requested)?;
    }
    let start = set::ordinal_start(set);
    let moves_now: Vec<i32> = set::ordinals(set)
        .rev()
        .filter(|o| *o >= start + partition)
        .collect();
    let stays = set::ordinals(set)
        .filter(|o| *o < start + partition)
        .map(|o| set::pod_name(set, o))
        .collect();
    let strategy = set::strategy(set);
    let in_flight = in_flight(snap);
    let recorded = |key: &str| {
        in_flight
            .as_ref()
            .and(set.metadata.annotations.as_ref()?.get(key).cloned())
    };
    let partition_before = recorded(PARTITION_BEFORE)
        .and_then(|v| v.parse().ok())
        .or(set::partition(set));
    let revision_before = recorded(REVISION_BEFORE).or_else(|| match in_flight {
        None => set::update_revision(set).map(str::to_string),
        Some(_) => set::current_revision(set).map(str::to_string),
    });
    let mut notes = Vec::new();
    if strategy == Strategy::OnDelete {
        notes.push(format!("OnDelete: the controller moves no pod by itself; the ordinals that move now are rolled by this command, one at a time; `{}` rolls more", snap.sts(&format!("promote {}", snap.name()))));
    }
    Ok(RolloutPlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        strategy,
        changes,
        partition,
        partition_before: (strategy == Strategy::RollingUpdate).then(|| partition_before.unwrap_or(0)),
        revision_before,
        moves_now,
        stays,
        in_flight,
        notes,
    })
}

/// The template already runs the images: a different partition asked for would move pods
/// without a template change, which is `promote`'s job (it never raises the partition and
/// waits for each pod), so it is refused before any plan is shown.
fn refuse_partition_only(snap: &SetSnapshot, requested: Option<i32>) -> Result<(), Refusal> {
    let current = set::partition(&snap.set).unwrap_or(0);
    let Some(wanted) = requested.filter(|w| *w != current) else {
        return Ok(());
    };
    if set::strategy(&snap.set) == Strategy::OnDelete {
        return Ok(());
    }
    let whole = format!("statefulset {}/{}", snap.namespace(), snap.name());
    let next = if wanted < current {
        format!(
            "use `{}`",
            snap.sts(&format!("promote {} --partition {wanted}", snap.name()))
        )
    } else {
        format!(
            "raising it moves no pod back; to leave the new revision use `{}`",
            snap.sts(&format!("abort {}", snap.name()))
        )
    };
    Err(Refusal::usage(format!(
        "{whole} already has these images in its template, so only the partition would change ({current} -> {wanted}): {next}"
    )))
}

/// How far `promote` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoteTo {
    /// Lower the partition by this many ordinals.
    Step(i32),
    /// Set this partition.
    Partition(i32),
    /// Partition 0: every pod.
    Full,
}

/// The plan of `promote`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromotePlan {
    pub namespace: String,
    pub name: String,
    pub strategy: Strategy,
    pub update_revision: String,
    /// The partition now and after (RollingUpdate); for OnDelete, the ordinal offsets.
    pub from_partition: i32,
    pub to_partition: i32,
    /// Ordinals that move with this promotion, highest first (OnDelete: the pods to roll).
    pub moves: Vec<i32>,
    /// Ordinals to wait for: already promoted ones that are not done yet, and the new ones.
    pub awaited: Vec<i32>,
    /// Pods on the update revision once the promotion is done.
    pub on_update_after: usize,
}

/// The partition each interactive choice leads to: next pod, half of the rest, all.
pub fn promote_choices(current: i32) -> [(String, i32); 3] {
    let next = (current - 1).max(0);
    let half = current / 2;
    [
        (format!("next pod (partition {next})"), next),
        (format!("half of the rest (partition {half})"), half),
        ("all (partition 0)".to_string(), 0),
    ]
}

/// The partition a promotion currently stands at: the set's partition (RollingUpdate), or, for
/// OnDelete, the lowest offset from which every pod is on the update revision.
pub fn effective_partition(snap: &SetSnapshot, update: &str) -> i32 {
    if let Some(partition) = set::partition(&snap.set) {
        return partition;
    }
    let start = set::ordinal_start(&snap.set);
    let mut partition = set::desired_replicas(&snap.set);
    for ordinal in set::ordinals(&snap.set).rev() {
        match snap.pod(ordinal) {
            Some(pod) if crate::model::set::health::revision_of(pod) == Some(update) => {
                partition = ordinal - start
            }
            _ => break,
        }
    }
    partition
}

/// Plans a promotion of the rollout in flight.
pub fn plan_promote(snap: &SetSnapshot, to: PromoteTo) -> Result<PromotePlan, Refusal> {
    let set = &snap.set;
    let whole = format!("statefulset {}/{}", snap.namespace(), snap.name());
    let recorded = set
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(PARTITION_BEFORE));
    let update = match in_flight(snap) {
        Some(update) => update,
        // A promotion to 0 interrupted after its write: every pod is there, the records are not.
        None if recorded && matches!(to, PromoteTo::Full | PromoteTo::Partition(0)) => {
            set::update_revision(set).unwrap_or_default().to_string()
        }
        None => {
            return Err(Refusal::nothing_to_do(format!(
                "no rollout in flight in {whole}: every pod runs its update revision; nothing to promote"
            )));
        }
    };
    let current = effective_partition(snap, &update);
    let target = match to {
        PromoteTo::Step(k) if k < 1 => {
            return Err(Refusal::usage(format!("--step must be at least 1 (got {k})")));
        }
        PromoteTo::Step(k) => (current - k).max(0),
        PromoteTo::Partition(p) if p > current => {
            return Err(Refusal::usage(format!(
                "partition {p} is above the current partition {current} of {whole}: promote never raises it; \
                 to stage a new rollout use `{}`",
                snap.sts(&format!("rollout {} --image CONTAINER=IMAGE", snap.name()))
            )));
        }
        PromoteTo::Partition(p) if p < 0 => return Err(Refusal::usage(format!("partition {p} is negative"))),
        PromoteTo::Partition(p) => p,
        PromoteTo::Full => 0,
    };
    if let Stuckness::Stuck { pod, reason } = find_stuck(
        updated_pods(snap, &update),
        set::min_ready_seconds(set),
        snap.taken_at,
    ) {
        return Err(format!(
            "{pod} runs the update revision and is not Ready ({reason}): promoting would move more pods onto a broken \
             revision; fix it, or roll back with `{}`",
            snap.sts(&format!("abort {}", snap.name()))
        ).into());
    }
    let start = set::ordinal_start(set);
    let included: Vec<i32> = set::ordinals(set)
        .rev()
        .filter(|o| *o >= start + target)
        .collect();
    let on_update = |o: &i32| {
        snap.pod(*o)
            .is_some_and(|p| crate::model::set::health::revision_of(p) == Some(update.as_str()))
    };
    let settled = |o: &i32| {
        on_update(o)
            && snap.pod(*o).is_some_and(|p| {
                let health =
                    crate::model::set::health::pod_health(p, set::min_ready_seconds(set), snap.taken_at);
                health.available && !health.terminating
            })
    };
    let moves = included.iter().copied().filter(|o| !on_update(o)).collect();
    let awaited = included.iter().copied().filter(|o| !settled(o)).collect();
    Ok(PromotePlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        strategy: set::strategy(set),
        update_revision: update,
        from_partition: current,
        to_partition: target,
        moves,
        awaited,
        on_update_after: included.len(),
    })
}

fn updated_pods<'a>(
    snap: &'a SetSnapshot,
    update: &'a str,
) -> impl Iterator<Item = &'a k8s_openapi::api::core::v1::Pod> {
    snap.pods
        .iter()
        .filter(move |p| crate::model::set::health::revision_of(p) == Some(update))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, snapshot};

    fn web(revs: &[&str], partition: i32) -> SetSnapshot {
        let update = if revs.contains(&"web-r2") {
            "web-r2"
        } else {
            "web-r1"
        };
        let set = SetBuilder::new("web")
            .replicas(revs.len() as i32)
            .partition(partition)
            .revisions("web-r1", update)
            .build();
        let pods = revs
            .iter()
            .enumerate()
            .map(|(o, r)| PodBuilder::new("web", o as i32, r).build())
            .collect();
        snapshot(set, pods, vec![], vec![])
    }

    fn image(c: &str, i: &str) -> Vec<NewImage> {
        vec![NewImage {
            container: c.to_string(),
            image: i.to_string(),
        }]
    }

    #[test]
    fn image_references() {
        for good in [
            "nginx:1.26",
            "nginx",
            "registry.example.com:5000/team/app:v1.2-rc.1",
            "localhost/x",
            "ghcr.io/a/b@sha256:0123456789abcdef0123456789abcdef",
        ] {
            assert!(valid_image_reference(good), "{good}");
        }
        for bad in [
            "",
            "nginx:",
            "Nginx:1",
            "nginx 1.26",
            "nginx:-x",
            "a//b",
            "nginx@sha256:xyz",
        ] {
            assert!(!valid_image_reference(bad), "{bad}");
        }
    }

    #[test]
    fn default_partition_moves_nothing_and_records_the_old_one() {
        let plan = plan_rollout(&web(&["web-r1"; 5], 0), &image("nginx", "nginx:1.26"), None).unwrap();
        assert_eq!(plan.partition, 5);
        assert!(plan.moves_now.is_empty());
        assert_eq!(plan.stays.len(), 5);
        assert_eq!(plan.partition_before, Some(0));
        assert_eq!(plan.changes[0].from, "nginx:1.25");
    }

    #[test]
    fn canary_partition_moves_the_highest_ordinals() {
        let plan = plan_rollout(&web(&["web-r1"; 5], 0), &image("nginx", "nginx:1.26"), Some(3)).unwrap();
        assert_eq!(plan.moves_now, [4, 3]);
    }

    #[test]
    fn bad_rollout_input_is_explained() {
        let snap = web(&["web-r1"; 3], 0);
        let err = plan_rollout(&snap, &image("app", "nginx:1.26"), None)
            .unwrap_err()
            .reason;
        assert_eq!(
            err,
            "container \"app\" is not in statefulset default/web (containers: nginx)"
        );
        assert!(
            plan_rollout(&snap, &image("nginx", "nginx:1.26"), Some(4))
                .unwrap_err()
                .reason
                .contains("outside 0..=3")
        );
        assert!(
            plan_rollout(&snap, &image("nginx", "NGINX"), None)
                .unwrap_err()
                .reason
                .contains("not a valid image reference")
        );
    }

    #[test]
    fn the_same_images_with_another_partition_point_to_promote_before_any_plan() {
        let snap = web(&["web-r1", "web-r1", "web-r2"], 2);
        let same = image("nginx", "nginx:1.25");
        let lower = plan_rollout(&snap, &same, Some(0)).unwrap_err().reason;
        assert!(
            lower.contains("use `kubectl sts promote web --partition 0 -n default`"),
            "{lower}"
        );
        let higher = plan_rollout(&snap, &same, Some(3)).unwrap_err().reason;
        assert!(higher.contains("kubectl sts abort web"), "{higher}");
        let unchanged = plan_rollout(&snap, &same, Some(2)).unwrap();
        assert!(unchanged.changes.is_empty());
    }

    #[test]
    fn in_flight_rollout_is_detected() {
        let snap = web(&["web-r1", "web-r1", "web-r2"], 2);
        assert_eq!(in_flight(&snap).as_deref(), Some("web-r2"));
        assert_eq!(in_flight(&web(&["web-r1"; 3], 0)), None);
    }

    #[test]
    fn promote_lowers_the_partition_and_never_raises_it() {
        let snap = web(&["web-r1", "web-r1", "web-r1", "web-r1", "web-r2"], 4);
        let plan = plan_promote(&snap, PromoteTo::Step(2)).unwrap();
        assert_eq!((plan.from_partition, plan.to_partition), (4, 2));
        assert_eq!(plan.moves, [3, 2]);
        assert_eq!(
            plan.awaited,
            [3, 2],
            "web-4 is on the update revision and Ready already"
        );
        assert_eq!(plan.on_update_after, 3);
        assert_eq!(plan_promote(&snap, PromoteTo::Full).unwrap().to_partition, 0);
        assert!(
            plan_promote(&snap, PromoteTo::Partition(5))
                .unwrap_err()
                .reason
                .contains("never raises it")
        );
        assert!(
            plan_promote(&web(&["web-r1"; 3], 0), PromoteTo::Full)
                .unwrap_err()
                .reason
                .contains("no rollout in flight")
        );
    }

    #[test]
    fn promote_refuses_while_a_promoted_pod_is_broken() {
        let mut snap = web(&["web-r1", "web-r1", "web-r2"], 2);
        snap.pods[2] = PodBuilder::new("web", 2, "web-r2").crash_looping(3).build();
        assert!(
            plan_promote(&snap, PromoteTo::Full)
                .unwrap_err()
                .reason
                .contains("kubectl sts abort web")
        );
    }

    #[test]
    fn on_delete_partition_is_where_updated_pods_begin() {
        let set = SetBuilder::new("zk")
            .on_delete()
            .revisions("zk-r1", "zk-r2")
            .build();
        let pods = ["zk-r1", "zk-r1", "zk-r2"]
            .iter()
            .enumerate()
            .map(|(o, r)| PodBuilder::new("zk", o as i32, r).build())
            .collect();
        let snap = snapshot(set, pods, vec![], vec![]);
        assert_eq!(effective_partition(&snap, "zk-r2"), 2);
        let plan = plan_promote(&snap, PromoteTo::Step(1)).unwrap();
        assert_eq!(plan.moves, [1]);
    }

    #[test]
    fn interactive_choices() {
        let choices = promote_choices(4);
        assert_eq!(choices.map(|c| c.1), [3, 2, 0]);
    }
}
