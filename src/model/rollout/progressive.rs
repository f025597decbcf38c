//! Planning progressive rollouts (`rollout --steps`): the step list (counts or percentages of
//! the replicas, rounded up, strictly increasing), each step's count, partition and pods
//! (highest ordinals first, from `ordinals.start`), the progress recorded on the set so that
//! re-running the same command resumes at the step reached, the environment of the user's
//! check, and the verdict on the moved pods during a bake. Pure: no I/O, no printing.

use std::fmt;
use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::jiff::Timestamp;
use k8s_openapi::jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::flow::record::Record;
use crate::model::refusal::Refusal;
use crate::model::rollout::gates::Gates;
use crate::model::rollout::staged::{ImageChange, RolloutPlan};
use crate::model::set::health::pod_health;
use crate::model::set::snapshot::SetSnapshot;
use crate::model::set::{self, Strategy};

/// One entry of `--steps`: a number of pods or a percentage of the replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepSpec {
    Count(i32),
    Percent(u32),
}

impl fmt::Display for StepSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepSpec::Count(n) => write!(f, "{n}"),
            StepSpec::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// The steps of `--steps`, as parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepList(pub Vec<StepSpec>);

impl fmt::Display for StepList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<String> = self.0.iter().map(StepSpec::to_string).collect();
        f.write_str(&steps.join(","))
    }
}

/// Parses `--steps 1,25%,50%,100%`: what can be judged without the replica count (no empty or
/// zero step, no percentage over 100, counts and percentages each strictly increasing).
pub fn parse_steps(text: &str) -> Result<Vec<StepSpec>, String> {
    let mut steps: Vec<StepSpec> = Vec::new();
    for entry in text.split(',').map(str::trim) {
        let step = parse_step(entry)?;
        let earlier = steps.iter().rev().find(|s| same_kind(s, &step));
        if let Some(earlier) = earlier.filter(|e| !increases(e, &step)) {
            return Err(format!(
                "steps must increase: {step} comes after {earlier} (e.g. --steps 1,25%,50%,100%)"
            ));
        }
        steps.push(step);
    }
    Ok(steps)
}

fn parse_step(entry: &str) -> Result<StepSpec, String> {
    let bad =
        || format!("{entry:?} is not a step: use a pod count or a percentage (e.g. --steps 1,25%,50%,100%)");
    if entry.is_empty() {
        return Err("an empty step in --steps (e.g. --steps 1,25%,50%,100%)".into());
    }
    let step = match entry.strip_suffix('%') {
        Some(number) => StepSpec::Percent(number.trim().parse().map_err(|_| bad())?),
        None => StepSpec::Count(entry.parse().map_err(|_| bad())?),
    };
    match step {
        StepSpec::Count(0) | StepSpec::Percent(0) => Err(format!("a step of {entry} moves no pod")),
        StepSpec::Count(n) if n < 0 => Err(bad()),
        StepSpec::Percent(p) if p > 100 => Err(format!("a step of {entry} is over 100%")),
        step => Ok(step),
    }
}

fn same_kind(a: &StepSpec, b: &StepSpec) -> bool {
    matches!(
        (a, b),
        (StepSpec::Count(_), StepSpec::Count(_)) | (StepSpec::Percent(_), StepSpec::Percent(_))
    )
}

fn increases(earlier: &StepSpec, later: &StepSpec) -> bool {
    match (earlier, later) {
        (StepSpec::Count(a), StepSpec::Count(b)) => b > a,
        (StepSpec::Percent(a), StepSpec::Percent(b)) => b > a,
        _ => true,
    }
}

/// The number of pods on the new revision after each step, for `replicas` (percentages
/// rounded up): strictly increasing, at most the replica count.
pub fn resolve_steps(specs: &[StepSpec], replicas: i32, whose: &str) -> Result<Vec<i32>, Refusal> {
    let mut counts: Vec<i32> = Vec::new();
    for spec in specs {
        let count = match *spec {
            StepSpec::Count(n) if n > replicas => {
                return Err(Refusal::usage(format!(
                    "step {spec} is above the {replicas} replicas of {whose}"
                )));
            }
            StepSpec::Count(n) => n,
            StepSpec::Percent(p) => (u64::from(replicas.max(0) as u32) * u64::from(p)).div_ceil(100) as i32,
        };
        if let Some(&last) = counts.last().filter(|last| count <= **last) {
            return Err(Refusal::usage(format!(
                "steps must increase: {spec} of the {replicas} replicas of {whose} is {count} pod(s), not more than the {last} of the step before"
            )));
        }
        counts.push(count);
    }
    match counts.first() {
        Some(0) | None => Err(Refusal::usage(format!(
            "{whose} has no replicas to roll out to in steps"
        ))),
        _ => Ok(counts),
    }
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepPlan {
    /// 1-based.
    pub step: usize,
    /// As given (`25%`).
    pub spec: String,
    /// Pods on the new revision once the step is done.
    pub count: i32,
    /// The partition of the step (RollingUpdate; for OnDelete, where the updated pods begin).
    pub partition: i32,
    /// Pods the step moves, highest ordinal first.
    pub moves: Vec<String>,
    /// Every pod on the new revision after the step, highest ordinal first.
    pub updated: Vec<String>,
}

impl StepPlan {
    /// The ordinals on the new revision after the step, highest first.
    pub fn updated_ordinals(&self, sts: &StatefulSet) -> Vec<i32> {
        let first = set::ordinal_start(sts) + self.partition;
        set::ordinals(sts).rev().filter(|o| *o >= first).collect()
    }
}

/// Each step of `counts` on set `sts`: its partition and pods, highest ordinals first.
pub fn plan_steps(sts: &StatefulSet, specs: &[StepSpec], counts: &[i32]) -> Vec<StepPlan> {
    let replicas = set::desired_replicas(sts);
    let start = set::ordinal_start(sts);
    let mut before = 0;
    let mut steps = Vec::new();
    for (index, (spec, &count)) in specs.iter().zip(counts).enumerate() {
        let pods = |from: i32| -> Vec<String> {
            set::ordinals(sts)
                .rev()
                .filter(|o| *o >= start + replicas - from)
                .map(|o| set::pod_name(sts, o))
                .collect()
        };
        let updated = pods(count);
        let moves = updated.iter().skip(before as usize).cloned().collect();
        steps.push(StepPlan {
            step: index + 1,
            spec: spec.to_string(),
            count,
            partition: replicas - count,
            moves,
            updated,
        });
        before = count;
    }
    steps
}

/// The options of a progressive rollout, as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Options {
    #[serde(rename = "pause_seconds", serialize_with = "as_seconds")]
    pub pause: Duration,
    pub check: Option<String>,
    #[serde(rename = "check_timeout_seconds", serialize_with = "as_seconds")]
    pub check_timeout: Duration,
    pub auto_abort: bool,
    /// Gates around each pod of each step.
    pub gates: Gates,
}

fn as_seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// The plan of a progressive rollout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressivePlan {
    pub namespace: String,
    pub name: String,
    pub strategy: Strategy,
    /// The image changes staged by the first step (empty when resuming).
    pub changes: Vec<ImageChange>,
    pub steps: Vec<StepPlan>,
    /// The step this run starts at (1-based): after the steps an earlier run passed.
    pub start_at: usize,
    /// An earlier run recorded the rollout: this run goes on from its step (nothing staged).
    pub resumed: bool,
    pub options: Options,
    /// The partition before the rollout, put back by an abort (RollingUpdate).
    pub partition_before: Option<i32>,
    /// A staged rollout this one replaces: its update revision.
    pub in_flight: Option<String>,
    pub notes: Vec<String>,
    /// The staging write's plan (the first step of a fresh rollout).
    #[serde(skip)]
    pub staging: Option<RolloutPlan>,
}

impl ProgressivePlan {
    /// The partition `step` starts from: the step before's, or the replica count.
    pub fn step_start(&self, step: &StepPlan) -> i32 {
        match step.step {
            0 | 1 => step.count + step.partition,
            n => self.steps[n - 2].partition,
        }
    }
}

/// Plans a fresh progressive rollout from the staging plan of its first step.
pub fn plan_fresh(
    snap: &SetSnapshot,
    staging: RolloutPlan,
    steps: Vec<StepPlan>,
    options: Options,
) -> ProgressivePlan {
    let mut notes = staging.notes.clone();
    if staging.strategy == Strategy::OnDelete {
        notes.retain(|n| !n.starts_with("OnDelete"));
        notes.push(
            "OnDelete: each step rolls its pods, one at a time, by eviction (PodDisruptionBudgets honoured)"
                .into(),
        );
    }
    ProgressivePlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        strategy: staging.strategy,
        changes: staging.changes.clone(),
        steps,
        start_at: 1,
        resumed: false,
        options,
        partition_before: staging.partition_before,
        in_flight: staging.in_flight.clone(),
        notes,
        staging: Some(staging),
    }
}

/// Plans the rest of a progressive rollout an earlier run of the same command recorded.
pub fn plan_resumed(
    snap: &SetSnapshot,
    progress: &Progress,
    steps: Vec<StepPlan>,
    options: Options,
) -> Result<ProgressivePlan, Refusal> {
    let counts: Vec<i32> = steps.iter().map(|s| s.count).collect();
    let whole = format!("statefulset {}/{}", snap.namespace(), snap.name());
    if progress.steps != counts {
        return Err(format!(
            "{whole} was scaled since the progressive rollout began (its steps were {:?} pods, now {counts:?}): finish it with `{}` and start again",
            progress.steps,
            snap.sts(&format!("abort {}", snap.name()))
        ).into());
    }
    let update = set::update_revision(&snap.set);
    if progress.update_revision.is_some() && progress.update_revision.as_deref() != update {
        return Err(format!(
            "the template of {whole} changed since the progressive rollout began (update revision {}, the rollout's was {}): `{}` goes back",
            update.unwrap_or("?"),
            progress.update_revision.as_deref().unwrap_or("?"),
            snap.sts(&format!("abort {}", snap.name()))
        ).into());
    }
    let start_at = progress.step.clamp(1, steps.len());
    let note = format!(
        "resuming at step {start_at}/{}: {} step(s) passed before are not run again; the pause, check and gates given now apply from there",
        steps.len(),
        start_at - 1
    );
    Ok(ProgressivePlan {
        namespace: snap.namespace().to_string(),
        name: snap.name().to_string(),
        strategy: set::strategy(&snap.set),
        changes: Vec::new(),
        steps,
        start_at,
        resumed: true,
        options,
        partition_before: None,
        in_flight: update.map(str::to_string),
        notes: vec![note],
        staging: None,
    })
}

/// What the step reached is doing, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Moving its pods and waiting for them to be Ready and available.
    Moving,
    /// Running the check.
    Checking,
    /// Baking until `bake_until`.
    Baking,
}

/// The progress of a progressive rollout, recorded in its record on the set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Pods on the new revision after each step.
    pub steps: Vec<i32>,
    /// The step reached (1-based): the steps before it passed.
    pub step: usize,
    pub phase: Phase,
    /// The end of the bake (RFC 3339), while baking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bake_until: Option<String>,
    /// The revision being rolled out, once staged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_revision: Option<String>,
}

/// The key of the progress in a record's data.
const PROGRESS_KEY: &str = "progressive";

impl Progress {
    /// The record of this progress for `command`, which `abort` may take over.
    pub fn record(&self, command: &str, started: &str, set_name: &str) -> Record {
        Record {
            command: command.to_string(),
            step: format!("{}/{} {}", self.step, self.steps.len(), self.phase_word()),
            started: started.to_string(),
            data: json!({PROGRESS_KEY: self}),
            yields_to: vec![format!("kubectl sts abort {set_name}")],
        }
    }

    fn phase_word(&self) -> &'static str {
        match self.phase {
            Phase::Moving => "moving",
            Phase::Checking => "checking",
            Phase::Baking => "baking",
        }
    }

    /// `progressive rollout: step 2/4, baking until 12:04:31` (times in `tz`).
    pub fn describe(&self, tz: &TimeZone) -> String {
        let what = match self.phase {
            Phase::Moving => "waiting for its pods".to_string(),
            Phase::Checking => "waiting on check".to_string(),
            Phase::Baking => match self
                .bake_until
                .as_deref()
                .and_then(|t| t.parse::<Timestamp>().ok())
            {
                Some(until) => format!("baking until {}", until.to_zoned(tz.clone()).strftime("%H:%M:%S")),
                None => "baking".to_string(),
            },
        };
        format!(
            "progressive rollout: step {}/{}, {what}",
            self.step,
            self.steps.len()
        )
    }
}

/// The progress a record holds, if it is a progressive rollout's.
pub fn progress_of(record: &Record) -> Option<Progress> {
    serde_json::from_value(record.data.get(PROGRESS_KEY)?.clone()).ok()
}

/// Where the check runs: the step, its pods and the revision.
pub struct CheckScope<'a> {
    pub plan: &'a ProgressivePlan,
    pub step: &'a StepPlan,
    pub update_revision: &'a str,
    pub service: &'a str,
}

/// The environment of the check.
pub fn check_env(scope: &CheckScope<'_>) -> Vec<(String, String)> {
    let plan = scope.plan;
    let fqdns: Vec<String> = scope
        .step
        .updated
        .iter()
        .map(|pod| set::pod_fqdn(pod, scope.service, &plan.namespace))
        .collect();
    [
        ("STS_NAMESPACE", plan.namespace.clone()),
        ("STS_NAME", plan.name.clone()),
        ("STS_STEP", scope.step.step.to_string()),
        ("STS_STEPS", plan.steps.len().to_string()),
        ("STS_PARTITION", scope.step.partition.to_string()),
        ("STS_UPDATE_REVISION", scope.update_revision.to_string()),
        ("STS_UPDATED_PODS", scope.step.updated.join(" ")),
        ("STS_UPDATED_FQDNS", fqdns.join(" ")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// A moved pod as it was when its step's wait ended: watched during the bake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub pod: String,
    pub uid: Option<String>,
    pub restarts: i32,
}

/// The moved pods `names` as they are now.
pub fn watched(snap: &SetSnapshot, names: &[String]) -> Vec<Watched> {
    names
        .iter()
        .map(|name| {
            let pod = snap.pods.iter().find(|p| p.metadata.name.as_ref() == Some(name));
            Watched {
                pod: name.clone(),
                uid: pod.and_then(|p| p.metadata.uid.clone()),
                restarts: pod.map_or(0, |p| pod_health(p, 0, snap.taken_at).restarts),
            }
        })
        .collect()
}

/// Why the bake fails, if it does: a watched pod gone, replaced, not Ready, or restarted.
pub fn judge_bake(snap: &SetSnapshot, watched: &[Watched]) -> Option<String> {
    watched.iter().find_map(|w| {
        let Some(pod) = snap
            .pods
            .iter()
            .find(|p| p.metadata.name.as_ref() == Some(&w.pod))
        else {
            return Some(format!("{} is gone", w.pod));
        };
        if pod.metadata.uid != w.uid {
            return Some(format!(
                "{} was replaced (a new pod, uid {})",
                w.pod,
                pod.metadata.uid.as_deref().unwrap_or("?")
            ));
        }
        let health = pod_health(pod, 0, snap.taken_at);
        if health.restarts > w.restarts {
            return Some(format!(
                "{} restarted (restart count {} -> {})",
                w.pod, w.restarts, health.restarts
            ));
        }
        match (health.terminating, health.ready) {
            (true, _) => Some(format!("{} is being deleted", w.pod)),
            (false, false) => Some(format!(
                "{} is not Ready: {}",
                w.pod,
                health
                    .problem
                    .map_or_else(|| "no reason given".to_string(), |p| p.to_string())
            )),
            (false, true) => None,
        }
    })
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepResult {
    Passed,
    Failed,
    /// Interrupted, or stopped by an error that is not the step's (an API error).
    Stopped,
}

/// How the check of a step ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckOutcome {
    /// `None` when it was killed (timed out).
    pub exit_code: Option<i32>,
    pub seconds: f64,
    pub timed_out: bool,
}

/// How the bake of a step went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BakeOutcome {
    pub planned_seconds: f64,
    pub seconds: f64,
    pub completed: bool,
}

/// What a step did: the document's per-step result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepOutcome {
    pub step: usize,
    pub count: i32,
    pub partition: i32,
    pub pods_moved: Vec<String>,
    /// From the step's first write until its pods were Ready and available.
    pub wait_seconds: Option<f64>,
    pub check: Option<CheckOutcome>,
    pub bake: Option<BakeOutcome>,
    pub result: StepResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

impl StepOutcome {
    /// A step about to run: nothing done yet.
    pub fn begin(step: &StepPlan) -> StepOutcome {
        StepOutcome {
            step: step.step,
            count: step.count,
            partition: step.partition,
            pods_moved: step.moves.clone(),
            wait_seconds: None,
            check: None,
            bake: None,
            result: StepResult::Stopped,
            cause: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, SetBuilder, pods_on, snapshot};

    fn steps(text: &str) -> Vec<StepSpec> {
        parse_steps(text).unwrap()
    }

    #[test]
    fn steps_parse_counts_and_percentages() {
        assert_eq!(
            steps("1, 25%,50%,100%"),
            [
                StepSpec::Count(1),
                StepSpec::Percent(25),
                StepSpec::Percent(50),
                StepSpec::Percent(100)
            ]
        );
        for (bad, why) in [
            ("0,2", "moves no pod"),
            ("1,0%", "moves no pod"),
            ("1,150%", "over 100%"),
            ("2,1", "steps must increase: 1 comes after 2"),
            ("50%,50%", "steps must increase"),
            ("1,,2", "an empty step"),
            ("one", "is not a step"),
            ("-1", "is not a step"),
        ] {
            let err = parse_steps(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn percentages_round_up_and_must_still_increase() {
        let whose = "statefulset default/web";
        assert_eq!(
            resolve_steps(&steps("1,25%,50%,100%"), 10, whose).unwrap(),
            [1, 3, 5, 10]
        );
        assert_eq!(resolve_steps(&steps("1,50%,100%"), 3, whose).unwrap(), [1, 2, 3]);
        let err = resolve_steps(&steps("1,25%"), 3, whose).unwrap_err().reason;
        assert!(
            err.contains("25% of the 3 replicas of statefulset default/web is 1 pod(s)"),
            "{err}"
        );
        let refusal = resolve_steps(&steps("1,4"), 3, whose).unwrap_err();
        assert_eq!(refusal.kind, crate::model::refusal::RefusalKind::Usage);
        let err = refusal.reason;
        assert_eq!(err, "step 4 is above the 3 replicas of statefulset default/web");
        assert!(resolve_steps(&steps("50%"), 0, whose).is_err());
    }

    #[test]
    fn steps_take_the_highest_ordinals_first_from_the_ordinal_start() {
        let set = SetBuilder::new("web").replicas(4).start(10).build();
        let plan = plan_steps(&set, &steps("1,50%,4"), &[1, 2, 4]);
        assert_eq!(plan[0].partition, 3);
        assert_eq!(plan[0].moves, ["web-13"]);
        assert_eq!(plan[1].moves, ["web-12"]);
        assert_eq!(plan[1].updated, ["web-13", "web-12"]);
        assert_eq!(plan[2].partition, 0);
        assert_eq!(plan[2].moves, ["web-11", "web-10"]);
        assert_eq!(plan[1].updated_ordinals(&set), [13, 12]);
    }

    fn progress(step: usize, phase: Phase) -> Progress {
        Progress {
            steps: vec![1, 2, 3],
            step,
            phase,
            bake_until: Some("2026-11-22T12:04:31Z".into()),
            update_revision: Some("web-r2".into()),
        }
    }

    #[test]
    fn progress_round_trips_through_its_record_and_says_where_it_is() {
        let p = progress(2, Phase::Baking);
        let record = p.record("kubectl sts rollout web --steps 1,2,3", "T", "web");
        assert_eq!(progress_of(&record), Some(p.clone()));
        assert_eq!(record.yields_to, ["kubectl sts abort web"]);
        assert_eq!(
            p.describe(&TimeZone::UTC),
            "progressive rollout: step 2/3, baking until 12:04:31"
        );
        assert_eq!(
            progress(1, Phase::Checking).describe(&TimeZone::UTC),
            "progressive rollout: step 1/3, waiting on check"
        );
    }

    fn web(revs: &[&str]) -> SetSnapshot {
        let set = SetBuilder::new("web")
            .replicas(revs.len() as i32)
            .revisions("web-r1", "web-r2")
            .build();
        snapshot(set, pods_on("web", revs), vec![], vec![])
    }

    fn options() -> Options {
        Options {
            pause: Duration::from_secs(30),
            check: None,
            check_timeout: Duration::from_secs(300),
            auto_abort: true,
            gates: Gates::default(),
        }
    }

    #[test]
    fn each_step_starts_where_the_step_before_ended() {
        let snap = web(&["web-r1", "web-r2", "web-r2"]);
        let steps = plan_steps(&snap.set, &steps("1,2,3"), &[1, 2, 3]);
        let plan = plan_resumed(&snap, &progress(2, Phase::Moving), steps, options()).unwrap();
        let starts: Vec<i32> = plan.steps.iter().map(|s| plan.step_start(s)).collect();
        assert_eq!(starts, [3, 2, 1]);
        assert!(plan.resumed);
    }

    #[test]
    fn a_resumed_rollout_starts_at_the_step_reached() {
        let snap = web(&["web-r1", "web-r2", "web-r2"]);
        let steps = plan_steps(&snap.set, &steps("1,2,3"), &[1, 2, 3]);
        let plan = plan_resumed(&snap, &progress(2, Phase::Baking), steps.clone(), options()).unwrap();
        assert_eq!(plan.start_at, 2);
        assert!(
            plan.notes[0].contains("1 step(s) passed before"),
            "{:?}",
            plan.notes
        );
        let mut scaled = progress(2, Phase::Baking);
        scaled.steps = vec![1, 2, 4];
        assert!(
            plan_resumed(&snap, &scaled, steps.clone(), options())
                .unwrap_err()
                .reason
                .contains("was scaled")
        );
        let mut other = progress(2, Phase::Baking);
        other.update_revision = Some("web-r3".into());
        assert!(
            plan_resumed(&snap, &other, steps, options())
                .unwrap_err()
                .reason
                .contains("template")
        );
    }

    #[test]
    fn the_check_gets_the_step_in_its_environment() {
        let snap = web(&["web-r1", "web-r2", "web-r2"]);
        let steps = plan_steps(&snap.set, &steps("1,2,3"), &[1, 2, 3]);
        let plan = plan_resumed(&snap, &progress(2, Phase::Moving), steps, options()).unwrap();
        let scope = CheckScope {
            plan: &plan,
            step: &plan.steps[1],
            update_revision: "web-r2",
            service: "nginx",
        };
        let env: std::collections::HashMap<_, _> = check_env(&scope).into_iter().collect();
        assert_eq!(env["STS_STEP"], "2");
        assert_eq!(env["STS_STEPS"], "3");
        assert_eq!(env["STS_PARTITION"], "1");
        assert_eq!(env["STS_UPDATED_PODS"], "web-2 web-1");
        assert_eq!(
            env["STS_UPDATED_FQDNS"],
            "web-2.nginx.default.svc.cluster.local web-1.nginx.default.svc.cluster.local"
        );
        assert_eq!(env["STS_UPDATE_REVISION"], "web-r2");
    }

    #[test]
    fn a_bake_fails_on_a_restart_a_replacement_or_a_pod_not_ready() {
        let snap = web(&["web-r1", "web-r2", "web-r2"]);
        let names = vec!["web-2".to_string()];
        let base = watched(&snap, &names);
        assert_eq!(judge_bake(&snap, &base), None);
        let mut restarted = snap.clone();
        restarted.pods[2] = PodBuilder::new("web", 2, "web-r2").restarts(1).build();
        assert!(
            judge_bake(&restarted, &base)
                .unwrap()
                .contains("web-2 restarted (restart count 0 -> 1)")
        );
        let mut replaced = snap.clone();
        replaced.pods[2].metadata.uid = Some("other".into());
        assert!(
            judge_bake(&replaced, &base)
                .unwrap()
                .contains("web-2 was replaced")
        );
        let mut broken = snap.clone();
        broken.pods[2] = PodBuilder::new("web", 2, "web-r2").crash_looping(0).build();
        assert!(judge_bake(&broken, &base).unwrap().contains("web-2 is not Ready"));
        let mut gone = snap;
        gone.pods.pop();
        assert_eq!(judge_bake(&gone, &base).unwrap(), "web-2 is gone");
    }
}
