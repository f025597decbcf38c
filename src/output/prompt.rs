//! Confirmations: asked on the terminal (stderr), answered by `--yes`, and refused when there
//! is no terminal to ask on.

use anyhow::Result;
use dialoguer::Confirm;
use dialoguer::console::Term;

use crate::context::Context;
use crate::error::StsError;

/// Asks `question` (default no). `what` completes "refusing to …" when nobody can answer.
pub fn confirm(ctx: &Context, question: &str, what: &str) -> Result<()> {
    if ctx.assume_yes {
        return Ok(());
    }
    if !ctx.interactive {
        let message = format!("refusing to {what} without confirmation: no terminal to ask on; pass --yes");
        return Err(StsError::NeedsConfirmation(message).into());
    }
    let answer = Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact_on_opt(&Term::stderr())?;
    match answer {
        Some(true) => Ok(()),
        _ => Err(StsError::NeedsConfirmation("cancelled; nothing was changed".into()).into()),
    }
}
