//! Why a plan cannot be made: one line for the user, and whether what was asked or the set's
//! state stands in the way (the two exit differently). Shared by every domain of `model`,
//! below all of them.

/// A plan refused, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    pub kind: RefusalKind,
    pub reason: String,
}

/// What stands in the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// What was asked makes no sense for this set (a step above its replica count): a usage
    /// error, though it can only be judged once the set is read.
    Usage,
    /// The set's state does not allow it (no rollout in flight to abort, a class that cannot
    /// expand, a node that may be alive).
    State,
    /// The input cannot be used as given (a manifest that is not YAML, an object without a
    /// kind): bad input that passed parsing of the flags.
    Input,
    /// The set is already where the command would take it (no rollout in flight to promote or
    /// abort, no earlier revision to undo to): nothing is written, exit 0.
    NothingToDo,
}

impl Refusal {
    pub fn usage(reason: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Usage,
            reason: reason.into(),
        }
    }

    pub fn input(reason: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Input,
            reason: reason.into(),
        }
    }

    pub fn nothing_to_do(reason: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::NothingToDo,
            reason: reason.into(),
        }
    }

    pub fn state(reason: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::State,
            reason: reason.into(),
        }
    }
}

/// A reason alone is a refusal by the set's state, the common case.
impl From<String> for Refusal {
    fn from(reason: String) -> Refusal {
        Refusal::state(reason)
    }
}

impl From<&str> for Refusal {
    fn from(reason: &str) -> Refusal {
        Refusal::state(reason)
    }
}
