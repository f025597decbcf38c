//! Running the user's check after a progressive step: `sh -c CMD` with the step's environment,
//! its stdout and stderr shown on stderr line by line behind a prefix, the last lines kept for
//! the report. Past its timeout it is killed and counts as failed; an interrupt kills it and
//! ends the wait. It never reads the terminal (stdin is closed).

use std::collections::VecDeque;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, Result};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::error::StsError;
use crate::model::rollout::progressive::CheckOutcome;

/// How many of the check's last lines are kept for the report.
pub const TAIL_LINES: usize = 5;

/// How a check ran, and its last lines of output (stdout and stderr, in the order they came).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRun {
    pub outcome: CheckOutcome,
    pub tail: Vec<String>,
}

impl CheckRun {
    /// It exited 0 in time.
    pub fn passed(&self) -> bool {
        self.outcome.exit_code == Some(0) && !self.outcome.timed_out
    }
}

/// Runs `command` through `sh -c` with `env`, each output line shown behind `prefix`.
/// An interrupt kills it and is an `Interrupted` error.
pub async fn run_check(
    command: &str,
    env: &[(String, String)],
    timeout: Duration,
    prefix: &str,
) -> Result<CheckRun> {
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot run the check `{command}` through sh"))?;
    let (lines_tx, mut lines) = mpsc::unbounded_channel();
    forward(child.stdout.take(), lines_tx.clone());
    forward(child.stderr.take(), lines_tx);
    let mut tail = VecDeque::new();
    let deadline = started + timeout;
    let mut timed_out = false;
    loop {
        tokio::select! {
            line = lines.recv() => match line {
                Some(line) => {
                    eprintln!("{prefix}{line}");
                    tail.push_back(line);
                    if tail.len() > TAIL_LINES {
                        tail.pop_front();
                    }
                }
                None => break,
            },
            _ = tokio::time::sleep_until(deadline) => {
                timed_out = true;
                let _ = child.start_kill();
                break;
            }
            _ = crate::wait::interrupted() => {
                let _ = child.start_kill();
                return Err(StsError::Interrupted("interrupted while the check ran".into()).into());
            }
        }
    }
    let status = tokio::select! {
        status = child.wait() => status.context("waiting for the check")?,
        _ = tokio::time::sleep_until(deadline.max(Instant::now()) + Duration::from_secs(1)) => {
            timed_out = true;
            let _ = child.start_kill();
            child.wait().await.context("waiting for the check")?
        }
    };
    let outcome = CheckOutcome {
        exit_code: if timed_out { None } else { status.code() },
        seconds: started.elapsed().as_secs_f64(),
        timed_out,
    };
    Ok(CheckRun {
        outcome,
        tail: tail.into(),
    })
}

/// Sends each line of `stream` to `lines` until it ends.
fn forward(stream: Option<impl AsyncRead + Unpin + Send + 'static>, lines: mpsc::UnboundedSender<String>) {
    let Some(stream) = stream else {
        return;
    };
    tokio::spawn(async move {
        let mut reader = BufReader::new(stream).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
}
