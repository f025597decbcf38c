//! The verdict vocabulary of every DNS check, from the API or from live answers: one check,
//! its verdict and the sentence a person reads.

use serde::Serialize;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

/// One check and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `service-exists`, `headless`, `selector`, `endpoint`, `ready`, …
    pub check: &'static str,
    pub verdict: Verdict,
    pub message: String,
}

impl Check {
    pub fn new(check: &'static str, verdict: Verdict, message: impl Into<String>) -> Check {
        Check {
            check,
            verdict,
            message: message.into(),
        }
    }
    pub fn pass(check: &'static str, message: impl Into<String>) -> Check {
        Check::new(check, Verdict::Pass, message)
    }
    pub fn fail(check: &'static str, message: impl Into<String>) -> Check {
        Check::new(check, Verdict::Fail, message)
    }
}
