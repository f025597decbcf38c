//! Confirmations: asked on the terminal (stderr), answered by `--yes`, and refused when there
//! is no terminal to ask on.

use anyhow::Result;
use dialoguer::console::Term;
use dialoguer::{Confirm, Input};

use crate::context::Context;
use crate::error::StsError;

/// Asks `question` (default no). `what` completes "refusing to …" when nobody can answer.
pub fn confirm(ctx: &Context, question: &str, what: &str) -> Result<()> {
    if answered_without_asking(ctx, what)? {
        return Ok(());
    }
    let answer = Confirm::new()
        .with_prompt(question)
        .default(false)
        .wait_for_newline(true)
        .interact_on_opt(&Term::stderr())?;
    match answer {
        Some(true) => Ok(()),
        _ => Err(StsError::NeedsConfirmation("cancelled; nothing was changed".into()).into()),
    }
}

/// For changes that lose data: the user must type `expected` (the object's name) to go on.
/// `--yes` answers; without a terminal and without `--yes` it is refused.
pub fn confirm_by_typing(ctx: &Context, question: &str, expected: &str, what: &str) -> Result<()> {
    if answered_without_asking(ctx, what)? {
        return Ok(());
    }
    let typed: String = Input::new()
        .with_prompt(format!("{question} Type {expected:?} to go on"))
        .allow_empty(true)
        .interact_text_on(&Term::stderr())?;
    if typed.trim() == expected {
        return Ok(());
    }
    let message = format!(
        "{:?} is not {expected:?}; cancelled, nothing was changed",
        typed.trim()
    );
    Err(StsError::NeedsConfirmation(message).into())
}

/// `--yes` answers (true); without a terminal nobody can (refused); else ask (false).
fn answered_without_asking(ctx: &Context, what: &str) -> Result<bool> {
    if ctx.assume_yes {
        return Ok(true);
    }
    if !ctx.interactive {
        let message = format!("refusing to {what} without confirmation: no terminal to ask on; pass --yes");
        return Err(StsError::NeedsConfirmation(message).into());
    }
    Ok(false)
}

/// Offers `items` on the terminal and returns the index chosen; `None` without a terminal
/// (the caller then asks for a flag). Choosing is the confirmation.
pub fn choose(ctx: &Context, prompt: &str, items: &[String]) -> Result<Option<usize>> {
    if !ctx.interactive {
        return Ok(None);
    }
    let picked = dialoguer::Select::new()
        .with_prompt(prompt)
        .items(items)
        .default(0)
        .interact_on_opt(&Term::stderr())?;
    match picked {
        Some(index) => Ok(Some(index)),
        None => Err(StsError::NeedsConfirmation("cancelled; nothing was changed".into()).into()),
    }
}
