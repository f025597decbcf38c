//! Following a set until it has converged under its own strategy
//! (`model::diagnosis::convergence`): watches the set, its pods, claims and revisions and
//! judges every change; stops at the first thing `why` calls blocked (worded from a full read
//! of the evidence), or at `--timeout`. `wait`, and the end of `apply -f`.

use anyhow::Result;

use crate::context::Context;
use crate::fetch;
use crate::model::diagnosis::convergence::{WaitOutcome, WaitReport, convergence, wait_report};
use crate::model::diagnosis::why::{Around, Finding, diagnose};
use crate::model::set::snapshot::SetSnapshot;
use crate::wait::{Check, SetWatch, WaitEnd, deadline_after};

/// How often a set that is not there yet is judged again from what the watches hold (no
/// request): grace periods and `minReadySeconds` pass without an event.
const REJUDGE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Where following a set ended: the snapshot it ended on, how, and the blocker.
pub struct Converged {
    pub snap: SetSnapshot,
    pub outcome: WaitOutcome,
    pub blocker: Option<Finding>,
}

/// Follows the set from `first` until it converges, blocks or times out: the report `wait`
/// prints, timed from now.
pub async fn report(ctx: &Context, first: SetSnapshot) -> Result<WaitReport> {
    let started = std::time::Instant::now();
    let Converged {
        snap,
        outcome,
        blocker,
    } = follow(ctx, first).await?;
    Ok(wait_report(&snap, outcome, blocker, started.elapsed()))
}

/// Follows the set from `first` until it converges, blocks or times out (a timeout is an
/// outcome, not an error).
pub async fn follow(ctx: &Context, first: SetSnapshot) -> Result<Converged> {
    let (snap, outcome, blocker) = match judge(&first) {
        Judged::Converged => (first, WaitOutcome::Converged, None),
        Judged::Blocked(finding) => (first, WaitOutcome::Blocked, Some(finding)),
        Judged::Waiting(_) => watch(ctx, first).await?,
    };
    let blocker = match blocker {
        Some(seen) => Some(worded_by_why(ctx, snap.name(), seen).await),
        None => None,
    };
    Ok(Converged {
        snap,
        outcome,
        blocker,
    })
}

/// What one look at the set says.
enum Judged {
    Converged,
    Blocked(Finding),
    /// Not yet: the first thing missing.
    Waiting(String),
}

fn judge(snap: &SetSnapshot) -> Judged {
    let judged = convergence(snap);
    match judged.waiting_on {
        None => Judged::Converged,
        Some(missing) => match diagnose(snap, &Around::default()).top_blocker() {
            Some(blocker) => Judged::Blocked(blocker.clone()),
            None => Judged::Waiting(missing),
        },
    }
}

/// Follows the set until it converges or blocks; the snapshot it ended on, and how. What it
/// waits on goes to stderr each time it changes.
async fn watch(ctx: &Context, first: SetSnapshot) -> Result<(SetSnapshot, WaitOutcome, Option<Finding>)> {
    let mut watch = SetWatch::start(ctx, &first.set);
    let mut last = first;
    let mut said = String::new();
    let ended = watch
        .until(deadline_after(ctx.timeout), |snap| {
            last = snap.clone();
            match judge(snap) {
                Judged::Converged => Check::Done((WaitOutcome::Converged, None)),
                Judged::Blocked(finding) => Check::Done((WaitOutcome::Blocked, Some(finding))),
                Judged::Waiting(missing) => {
                    if missing != said {
                        eprintln!("waiting: {missing}");
                        said = missing;
                    }
                    Check::WaitingUntil(snap.taken_at + REJUDGE_EVERY)
                }
            }
        })
        .await;
    match ended {
        Ok((outcome, blocker)) => Ok((last, outcome, blocker)),
        Err(WaitEnd::TimedOut) => Ok((last, WaitOutcome::TimedOut, None)),
        Err(end) => Err(end.into_error(
            ctx.timeout,
            "nothing was changed",
            "run it again",
            &format!("statefulset {}/{} was deleted", ctx.namespace, last.name()),
        )),
    }
}

/// The blocker as `why` words it from a full read (events, quotas, volumes, nodes), or as the
/// snapshot showed it when that read no longer finds it.
async fn worded_by_why(ctx: &Context, name: &str, seen: Finding) -> Finding {
    match fetch::evidence(ctx, name).await {
        Ok((snap, around)) => diagnose(&snap, &around).top_blocker().cloned().unwrap_or(seen),
        Err(_) => seen,
    }
}
