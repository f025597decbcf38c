//! Where one pod of a plan stands while a command waits on it: shared by every guided flow and
//! shown by the progress display.

use serde::Serialize;

/// One pod's state in a wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepState {
    pub pod: String,
    pub done: bool,
    /// `not created yet`, `Pending`, `CrashLoopBackOff (…)`, `Ready`, `Terminating`, `gone`, …
    pub state: String,
}

/// How a guided command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The goal was reached.
    Done,
    /// The cluster was already there; nothing was changed.
    NothingToDo,
    /// `--dry-run`: checked, nothing changed.
    DryRun,
    /// `--no-wait`: the change was made, nobody waited.
    NotWaited,
    /// A pod cannot make progress (exit 3).
    Stuck,
    /// The deadline passed (exit 4).
    TimedOut,
    /// The user interrupted (exit 130).
    Interrupted,
    /// Someone else changed the object while waiting.
    Superseded,
}

/// One pod in an outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodOutcome {
    pub pod: String,
    pub state: String,
    pub done: bool,
    /// Seconds from the start of the wait until it was done.
    pub seconds: Option<f64>,
}

/// The end of a guided command: what happened, in one line and per pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub result: OutcomeKind,
    pub message: String,
    pub pods: Vec<PodOutcome>,
}
