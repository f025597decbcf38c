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
    /// An error stopped the command midway (an API error, a broken promise).
    Failed,
}

impl OutcomeKind {
    /// The command reached its goal (or there was none to reach).
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Self::Done | Self::NothingToDo | Self::DryRun | Self::NotWaited
        )
    }
}

/// One pod in an outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodOutcome {
    pub pod: String,
    pub state: String,
    pub done: bool,
    /// Seconds from the start of the wait until it was done.
    pub seconds: Option<f64>,
    /// For replaced pods: the uid before and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_uid: Option<String>,
}

/// The end of a guided command: what happened, in one line and per pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub result: OutcomeKind,
    pub message: String,
    pub pods: Vec<PodOutcome>,
}
