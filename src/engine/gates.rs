//! Running a roll's gates (`model::rollout::gates`): the leader command before each pod, the
//! hooks around it, and the pod check after it until it passes enough times in a row. Each runs
//! through `sh -c` as a progressive step's check does (`engine::check`), its output shown
//! behind a prefix; a failure is a `CheckFailed` naming the pod, the command, how it ended and
//! its last lines, and says that no other pod was taken down. A RollingUpdate set a gated roll
//! drove as OnDelete gets its strategy back here.

use std::ops::Range;

use anyhow::Result;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::cli::GateArgs;
use crate::context::Context;
use crate::engine::check::{CheckRun, run_check};
use crate::engine::write::{self, Write};
use crate::engine::{Ending, MAX_REPLANS};
use crate::error::StsError;
use crate::error::is_conflict;
use crate::fetch;
use crate::model::flow::record::{self, Record};
use crate::model::rollout::gates::{GateScope, Gates, Passes, gate_env, leader_ordinal, restored_strategy};
use crate::model::set;
use crate::model::set::scope::quote;
use crate::model::set::snapshot::SetSnapshot;

impl From<&GateArgs> for Gates {
    fn from(args: &GateArgs) -> Gates {
        Gates {
            pod_check: args.pod_check.clone(),
            passes: args.pod_check_passes,
            interval: args.pod_check_interval,
            check_timeout: args.pod_check_timeout,
            before_each: args.before_each.clone(),
            after_each: args.after_each.clone(),
            leader: args.leader.clone(),
            max_unavailable: args.max_unavailable,
        }
    }
}

/// The step of the record a roll without one of its own writes while a pod check runs.
const CHECK_STEP: &str = "pod-check";

/// Each command of the gates whose program is a path must be there and executable: said
/// before anything is written (a usage error), not after the first pod went down.
pub fn check_programs(gates: &Gates) -> Result<()> {
    let named = [
        ("--pod-check", &gates.pod_check),
        ("--before-each", &gates.before_each),
        ("--after-each", &gates.after_each),
        ("--leader", &gates.leader),
    ];
    for (flag, command) in named {
        let Some(program) = command.as_deref().and_then(|c| c.split_whitespace().next()) else {
            continue;
        };
        if !program.contains('/') {
            continue;
        }
        use std::os::unix::fs::PermissionsExt;
        let executable =
            std::fs::metadata(program).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
        if !executable {
            return Err(StsError::Usage(format!(
                "{flag}: {program} is not an executable file (check the path, `chmod +x` it, or run it as `sh {program}`); nothing was changed"
            ))
            .into());
        }
    }
    Ok(())
}

/// The gates as flags, to repeat in a resume command.
pub fn gate_flags(gates: &Gates) -> String {
    let mut flags = String::new();
    let mut add = |flag: &str, value: Option<String>| {
        if let Some(value) = value {
            flags.push_str(&format!(" {flag} {}", quote(&value)));
        }
    };
    add("--pod-check", gates.pod_check.clone());
    if gates.pod_check.is_some() {
        add(
            "--pod-check-passes",
            (gates.passes > 1).then(|| gates.passes.to_string()),
        );
        add(
            "--pod-check-interval",
            Some(humantime::format_duration(gates.interval).to_string()),
        );
    }
    add("--before-each", gates.before_each.clone());
    add("--after-each", gates.after_each.clone());
    add("--leader", gates.leader.clone());
    add(
        "--max-unavailable",
        (gates.max_unavailable > 1).then(|| gates.max_unavailable.to_string()),
    );
    if !gates.is_empty() {
        add(
            "--pod-check-timeout",
            Some(humantime::format_duration(gates.check_timeout).to_string()),
        );
    }
    flags
}

/// The gate flags `gate_flags` may start with (`--pod-check` covers its `-passes`, `-interval`
/// and `-timeout`): a run with other gates resumes what a run of the same command left
/// (`record::same_but_flags`).
pub const GATE_FLAGS: [&str; 5] = [
    "--pod-check",
    "--before-each",
    "--after-each",
    "--leader",
    "--max-unavailable",
];

/// The set's own strategy put back after a roll drove it as OnDelete: as it was when the roll
/// is done; when it `stopped`, its partition raised to hold every pod not yet on the update
/// revision. The record of the step becomes `record` (`None` removes it). At the set's
/// resourceVersion, re-read after a conflict. The partition it holds at, if it holds.
pub async fn restore_strategy(
    ctx: &Context,
    name: &str,
    original: &Value,
    stopped: bool,
    record: Option<Record>,
) -> Result<Option<i64>> {
    for _ in 0..MAX_REPLANS {
        let snap = fetch::snapshot(ctx, name).await?;
        let hold = if stopped { highest_outdated(&snap) } else { None };
        let strategy = restored_strategy(original, hold);
        let restore = Write::SetStrategy {
            set: name.to_string(),
            resource_version: snap.set.metadata.resource_version.clone().unwrap_or_default(),
            strategy: strategy.clone(),
            restarted_at: None,
            record: record.clone(),
        };
        match write::apply(ctx, &restore, false).await {
            Ok(_) => return Ok(hold.and(strategy["rollingUpdate"]["partition"].as_i64())),
            Err(err) if is_conflict(&err) => continue,
            Err(err) => return Err(err),
        }
    }
    Err(StsError::Conflict(format!(
        "statefulset {}/{name}: its strategy could not be put back (it changed under every one of {MAX_REPLANS} attempts); it is still driven as OnDelete: re-run the command to finish",
        ctx.namespace
    ))
    .into())
}

/// After a gated roll that drove the set as OnDelete: its own strategy back (`restore_strategy`)
/// — as it was when the roll ended well, else holding the pods not yet `what` ("restarted",
/// "moved"), said on stderr — and the record becomes `keep`.
pub async fn put_strategy_back(
    ctx: &Context,
    name: &str,
    own: &Value,
    ending: Ending,
    keep: Option<Record>,
    what: &str,
) -> Ending {
    let stopped = ending.error.is_some();
    match restore_strategy(ctx, name, own, stopped, keep).await {
        Ok(Some(partition)) => {
            eprintln!(
                "statefulset {}/{name} has its own strategy back, with partition {partition} holding the pods not yet {what}",
                ctx.namespace
            );
            ending
        }
        Ok(None) => ending,
        Err(err) => Ending::failed(err.context(ending.message), ending.pods),
    }
}

/// The highest ordinal whose pod is not on the update revision (missing pods count).
fn highest_outdated(snap: &SetSnapshot) -> Option<i32> {
    let update = set::update_revision(&snap.set);
    set::ordinals(&snap.set).rev().find(|ordinal| {
        snap.pod(*ordinal)
            .is_none_or(|pod| crate::model::set::health::revision_of(pod) != update || update.is_none())
    })
}

/// The gates of a roll, and the commands that name it.
#[derive(Clone, Copy)]
pub struct Gated<'a> {
    pub gates: &'a Gates,
    /// The command that resumes the roll, as a message says it.
    pub resume: &'a str,
    /// The command a record of the roll names (`Guided::command_line`).
    pub command: &'a str,
    /// What to say first when a replacement is stuck (`roll back with …abort…` inside a
    /// rollout); `None`: fix the template.
    pub when_stuck: Option<&'a str>,
}

impl<'a> Gated<'a> {
    /// The gates of a command whose record names `command`, resumed by `resume` (the command
    /// with the flags that reach the set); a stuck replacement says to fix the template.
    pub fn new(gates: &'a Gates, resume: &'a str, command: &'a str) -> Gated<'a> {
        Gated {
            gates,
            resume,
            command,
            when_stuck: None,
        }
    }

    /// The runner of these gates for set `set`.
    pub fn runner(self, ctx: &'a Context, set: &'a str) -> GateRunner<'a> {
        GateRunner {
            gates: self.gates,
            resume: self.resume,
            command: self.command,
            when_stuck: self.when_stuck,
            ctx,
            set,
        }
    }
}

/// The gates of one roll, with what their environment, messages and records need.
pub struct GateRunner<'a> {
    pub gates: &'a Gates,
    /// The command that resumes the roll.
    pub resume: &'a str,
    /// The command the roll's record names.
    pub command: &'a str,
    pub when_stuck: Option<&'a str>,
    pub ctx: &'a Context,
    pub set: &'a str,
}

impl GateRunner<'_> {
    /// Asks the leader command which pod must go last: its ordinal (`None` without `--leader`).
    pub async fn leader(&self, scope: &GateScope<'_>, ordinals: &Range<i32>) -> Result<Option<i32>> {
        let Some(command) = &self.gates.leader else {
            return Ok(None);
        };
        let env: Vec<(String, String)> = gate_env(scope)
            .into_iter()
            .filter(|(key, _)| !matches!(key.as_str(), "STS_POD" | "STS_ORDINAL" | "STS_POD_FQDN"))
            .collect();
        let run = run_check(command, &env, self.gates.check_timeout, "[leader] ").await?;
        if !run.passed() {
            return Err(self.failed("the leader command", command, &run, "before the next pod"));
        }
        let said = run.tail.last().cloned().unwrap_or_default();
        leader_ordinal(&said, scope.set, ordinals)
            .map(Some)
            .map_err(|why| {
                StsError::CheckFailed(format!(
                    "{why}; no other pod was taken down: fix it, then re-run `{}`",
                    self.resume
                ))
                .into()
            })
    }

    /// `--before-each`: a failure stops the roll before the pod is touched.
    pub async fn before(&self, scope: &GateScope<'_>) -> Result<()> {
        self.hook("before", self.gates.before_each.as_deref(), scope)
            .await
    }

    /// `--after-each` once the pod is back Ready (`newly`: not on a resumed, earlier pod).
    pub async fn after(&self, scope: &GateScope<'_>, newly: bool) -> Result<()> {
        let command = self.gates.after_each.as_deref().filter(|_| newly);
        self.hook("after", command, scope).await
    }

    /// Runs the hook `--{when}-each` for the scope's pod; its failure stops the roll.
    async fn hook(&self, when: &str, command: Option<&str>, scope: &GateScope<'_>) -> Result<()> {
        let Some(command) = command else {
            return Ok(());
        };
        let prefix = format!("[{when} {}] ", scope.pod);
        let run = run_check(command, &gate_env(scope), self.gates.check_timeout, &prefix).await?;
        match run.passed() {
            true => Ok(()),
            false => Err(self.failed(
                &format!("{}: --{when}-each", scope.pod),
                command,
                &run,
                &format!("{when} {}", scope.pod),
            )),
        }
    }

    /// `--pod-check` until it passes `--pod-check-passes` times in a row, a run every
    /// `--pod-check-interval`, within `--pod-check-timeout`.
    pub async fn pod_check(&self, scope: &GateScope<'_>) -> Result<()> {
        let Some(command) = &self.gates.pod_check else {
            return Ok(());
        };
        let since = record::now();
        self.note_check(Some(json!({"pod": scope.pod, "since": since})))
            .await?;
        let checked = self.check_until_passed(command, scope, &since).await;
        self.note_check(None).await?;
        checked
    }

    async fn check_until_passed(&self, command: &str, scope: &GateScope<'_>, since: &str) -> Result<()> {
        let deadline = Instant::now() + self.gates.check_timeout;
        let mut passes = Passes::new(self.gates.passes);
        let prefix = format!("[check {}] ", scope.pod);
        let mut said = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let run = run_check(
                command,
                &gate_env(scope),
                left.max(std::time::Duration::from_secs(1)),
                &prefix,
            )
            .await?;
            if passes.record(run.passed()) {
                return Ok(());
            }
            if Instant::now() + self.gates.interval >= deadline {
                let what = format!(
                    "{}: its check did not pass {} time(s) in a row within {}",
                    scope.pod,
                    passes.needed,
                    humantime::format_duration(self.gates.check_timeout)
                );
                return Err(self.failed(&what, command, &run, &format!("after {}", scope.pod)));
            }
            let last = run.tail.join(" | ");
            if !run.passed() && last != said {
                self.note_check(Some(json!({"pod": scope.pod, "since": since, "last": last})))
                    .await?;
                said = last;
            }
            tokio::select! {
                () = tokio::time::sleep(self.gates.interval) => {}
                () = crate::wait::interrupted() => {
                    return Err(StsError::Interrupted(format!(
                        "interrupted while checking {}; re-running `{}` checks it again and goes on",
                        scope.pod, self.resume
                    ))
                    .into());
                }
            }
        }
    }

    /// Records on the set the pod check the roll waits on (`None`: none any more), for
    /// `status` and `why`: in the roll's own record when it has one, else in a record of its
    /// own, removed once the check is over.
    async fn note_check(&self, check: Option<Value>) -> Result<()> {
        let live = fetch::statefulset(self.ctx, self.set).await?;
        let ours = record::on_set(&live).filter(|r| r.command == self.command);
        let record = match (ours, check) {
            (Some(mut record), Some(check)) => {
                record.data["check"] = check;
                Some(record)
            }
            (Some(record), None) if record.step == CHECK_STEP => None,
            (Some(mut record), None) => {
                record.data.as_object_mut().map(|d| d.remove("check"));
                Some(record)
            }
            (None, Some(check)) => Some(Record {
                command: self.command.to_string(),
                step: CHECK_STEP.into(),
                started: check["since"].as_str().unwrap_or_default().to_string(),
                data: json!({"check": check}),
                yields_to: Vec::new(),
            }),
            (None, None) => return Ok(()),
        };
        let write = Write::Record {
            set: self.set.to_string(),
            record,
        };
        write::apply(self.ctx, &write, false).await?;
        Ok(())
    }

    /// `what` failed: how the command ended, its last lines, and that the roll stopped.
    fn failed(&self, what: &str, command: &str, run: &CheckRun, stopped: &str) -> anyhow::Error {
        let ended = match (run.outcome.timed_out, run.outcome.exit_code) {
            (true, _) => "timed out".to_string(),
            (false, Some(code)) => format!("exit {code}"),
            (false, None) => "killed by a signal".to_string(),
        };
        let tail = match run.tail.is_empty() {
            true => String::new(),
            false => format!("; last output: {}", run.tail.join(" | ")),
        };
        StsError::CheckFailed(format!(
            "{what} (`{command}`: {ended}){tail}; the roll stopped {stopped}, no other pod was taken down: re-run `{}` to go on",
            self.resume
        ))
        .into()
    }
}
