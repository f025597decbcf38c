//! What a pod's status means for a StatefulSet: Running, Ready, available (minReadySeconds),
//! Terminating, and, when it is not Ready, why — and whether waiting can fix it.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;

/// How long a pod may stay unschedulable before waiting on it is given up: the scheduler
/// reports unbound claims and full nodes while provisioners and autoscalers are still at work.
pub const UNSCHEDULABLE_GRACE_SECONDS: i64 = 60;

/// Container waiting reasons that do not go away by waiting.
pub const STUCK_REASONS: [&str; 7] = [
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

/// Why a pod is not Ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `CrashLoopBackOff`, `Unschedulable`, `ContainerCreating`, `NotReady`, `Terminating`, …
    pub reason: String,
    pub message: Option<String>,
    /// Waiting will not fix it (crash loop, image pull failure, failed, or unschedulable for
    /// longer than `UNSCHEDULABLE_GRACE_SECONDS`).
    pub stuck: bool,
    /// When a problem that may still clear up by itself will count as stuck (an unschedulable
    /// pod, often only waiting for its claim to bind).
    #[serde(skip)]
    pub stuck_at: Option<Timestamp>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(message) if !message.is_empty() => write!(f, "{} ({message})", self.reason),
            _ => f.write_str(&self.reason),
        }
    }
}

/// A pod's state as the StatefulSet controller judges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodHealth {
    pub phase: String,
    pub ready: bool,
    /// Ready for at least `minReadySeconds`.
    pub available: bool,
    pub terminating: bool,
    pub restarts: i32,
    pub problem: Option<Problem>,
}

/// Judges `pod` at `now` with the set's `minReadySeconds`.
pub fn pod_health(pod: &Pod, min_ready_seconds: i32, now: Timestamp) -> PodHealth {
    let status = pod.status.as_ref();
    let phase = status
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    let ready_since = ready_since(pod);
    let ready = ready_since.is_some();
    let available = ready_since.is_some_and(|since| {
        min_ready_seconds <= 0 || (now - since).get_seconds() >= i64::from(min_ready_seconds)
    });
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let restarts = containers(pod).map(|c| c.restart_count).sum();
    let problem = if ready && !terminating {
        None
    } else {
        Some(problem_of(pod, &phase, terminating, now))
    };
    PodHealth {
        phase,
        ready,
        available,
        terminating,
        restarts,
        problem,
    }
}

/// Among some pods: the first that waiting will not fix, else the earliest instant one of them
/// may come to count as such (a re-check is due then even if nothing changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stuckness {
    Stuck { pod: String, reason: String },
    NotYet { recheck_at: Option<Timestamp> },
}

/// Judges `pods` (in the order they should be named) at `now`.
pub fn find_stuck<'a>(
    pods: impl IntoIterator<Item = &'a Pod>,
    min_ready_seconds: i32,
    now: Timestamp,
) -> Stuckness {
    let mut recheck_at: Option<Timestamp> = None;
    for pod in pods {
        let Some(problem) = pod_health(pod, min_ready_seconds, now).problem else {
            continue;
        };
        if problem.stuck {
            let pod = pod.metadata.name.clone().unwrap_or_default();
            return Stuckness::Stuck {
                pod,
                reason: problem.to_string(),
            };
        }
        if let Some(at) = problem.stuck_at {
            recheck_at = Some(recheck_at.map_or(at, |r| r.min(at)));
        }
    }
    Stuckness::NotYet { recheck_at }
}

/// When the Ready condition last became True, if it is True.
pub fn ready_since(pod: &Pod) -> Option<Timestamp> {
    let conditions = pod.status.as_ref()?.conditions.as_ref()?;
    let ready = conditions
        .iter()
        .find(|c| c.type_ == "Ready" && c.status == "True")?;
    Some(
        ready
            .last_transition_time
            .as_ref()
            .map_or(Timestamp::UNIX_EPOCH, |t| t.0),
    )
}

/// The pod's `controller-revision-hash` label.
pub fn revision_of(pod: &Pod) -> Option<&str> {
    pod.metadata
        .labels
        .as_ref()?
        .get("controller-revision-hash")
        .map(String::as_str)
}

/// The images of the pod's containers, in order.
pub fn images(pod: &Pod) -> Vec<String> {
    pod.spec
        .iter()
        .flat_map(|s| &s.containers)
        .filter_map(|c| c.image.clone())
        .collect()
}

/// The statuses of the pod's init containers, then of its containers.
pub fn containers(pod: &Pod) -> impl Iterator<Item = &ContainerStatus> {
    let status = pod.status.as_ref();
    let init = status
        .and_then(|s| s.init_container_statuses.as_ref())
        .into_iter()
        .flatten();
    init.chain(
        status
            .and_then(|s| s.container_statuses.as_ref())
            .into_iter()
            .flatten(),
    )
}

fn problem_of(pod: &Pod, phase: &str, terminating: bool, now: Timestamp) -> Problem {
    let problem = |reason: &str, message: Option<String>, stuck: bool| Problem {
        reason: reason.to_string(),
        message,
        stuck,
        stuck_at: None,
    };
    if terminating {
        return problem("Terminating", None, false);
    }
    if phase == "Failed" {
        let message = pod.status.as_ref().and_then(|s| s.message.clone());
        return problem("Failed", message, true);
    }
    if let Some(waiting) = containers(pod).find_map(waiting_problem) {
        return waiting;
    }
    let conditions = pod.status.as_ref().and_then(|s| s.conditions.as_ref());
    let unscheduled = conditions
        .into_iter()
        .flatten()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False");
    if let Some(condition) = unscheduled {
        let reason = condition.reason.clone().unwrap_or_else(|| "Unschedulable".into());
        let since = condition.last_transition_time.as_ref().map_or(now, |t| t.0);
        let stuck_at = since + k8s_openapi::jiff::SignedDuration::from_secs(UNSCHEDULABLE_GRACE_SECONDS);
        let stuck = now >= stuck_at;
        let mut unschedulable = match binding_claims(pod, condition.message.as_deref()) {
            Some(claims) if !stuck => problem(
                "WaitingForClaim",
                Some(format!("waiting for claim {claims} to bind")),
                false,
            ),
            _ => problem(&reason, condition.message.clone(), stuck),
        };
        unschedulable.stuck_at = Some(stuck_at);
        return unschedulable;
    }
    match phase {
        "Pending" => problem("Pending", None, false),
        _ => problem(
            "NotReady",
            Some("running, readiness not yet passed".into()),
            false,
        ),
    }
}

/// The pod's claims, when the scheduler's only objection is that they are not bound yet: a
/// real scheduler says so for every new claim until the volume binder is done.
fn binding_claims(pod: &Pod, message: Option<&str>) -> Option<String> {
    if !message?.contains("unbound immediate PersistentVolumeClaims") {
        return None;
    }
    let claims: Vec<&str> = pod
        .spec
        .as_ref()?
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| Some(v.persistent_volume_claim.as_ref()?.claim_name.as_str()))
        .collect();
    (!claims.is_empty()).then(|| claims.join(", "))
}

fn waiting_problem(container: &ContainerStatus) -> Option<Problem> {
    let waiting = container.state.as_ref()?.waiting.as_ref()?;
    let reason = waiting.reason.clone().unwrap_or_else(|| "Waiting".into());
    let last_exit = container
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .map(|t| {
            format!(
                "last exit {}{}",
                t.exit_code,
                t.reason.as_ref().map(|r| format!(" {r}")).unwrap_or_default()
            )
        });
    let message = match (waiting.message.clone().filter(|m| !m.is_empty()), last_exit) {
        (Some(m), Some(exit)) => Some(format!("{m}; {exit}")),
        (m, exit) => m.or(exit),
    };
    let stuck = STUCK_REASONS.contains(&reason.as_str());
    Some(Problem {
        reason,
        message,
        stuck,
        stuck_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, now};

    #[test]
    fn a_ready_pod_has_no_problem() {
        let health = pod_health(&PodBuilder::new("web", 0, "r1").build(), 0, now());
        assert!(health.ready && health.available && !health.terminating);
        assert_eq!(health.problem, None);
    }

    #[test]
    fn crash_looping_pod_is_stuck_with_its_reason() {
        let health = pod_health(
            &PodBuilder::new("web", 2, "r2").crash_looping(3).build(),
            0,
            now(),
        );
        assert!(!health.ready);
        assert_eq!(health.restarts, 3);
        let problem = health.problem.unwrap();
        assert_eq!(problem.reason, "CrashLoopBackOff");
        assert!(problem.stuck);
    }

    #[test]
    fn unschedulable_pod_is_stuck_once_the_grace_is_over() {
        let recent = PodBuilder::new("web", 3, "r1")
            .unschedulable("2026-11-22T00:59:30Z")
            .claim("www-web-3")
            .build();
        let problem = pod_health(&recent, 0, now()).problem.unwrap();
        assert!(!problem.stuck);
        assert_eq!(problem.stuck_at, Some("2026-11-22T01:00:30Z".parse().unwrap()));
        assert_eq!(problem.reason, "WaitingForClaim");
        assert_eq!(
            problem.to_string(),
            "WaitingForClaim (waiting for claim www-web-3 to bind)"
        );
        let old = PodBuilder::new("web", 3, "r1")
            .unschedulable("2026-11-22T00:58:00Z")
            .claim("www-web-3")
            .build();
        let problem = pod_health(&old, 0, now()).problem.unwrap();
        assert_eq!(problem.reason, "Unschedulable");
        assert!(problem.stuck);
        assert!(
            problem
                .message
                .unwrap()
                .contains("unbound immediate PersistentVolumeClaims")
        );
    }

    #[test]
    fn min_ready_seconds_delays_availability() {
        let pod = PodBuilder::new("web", 0, "r1")
            .ready_since("2026-11-22T00:59:50Z")
            .build();
        assert!(pod_health(&pod, 5, now()).available);
        assert!(!pod_health(&pod, 30, now()).available);
        assert!(pod_health(&pod, 30, now()).ready);
    }

    #[test]
    fn terminating_pod_is_not_stuck() {
        let health = pod_health(&PodBuilder::new("web", 0, "r1").terminating().build(), 0, now());
        assert!(health.terminating);
        assert_eq!(health.problem.unwrap().reason, "Terminating");
    }
}
