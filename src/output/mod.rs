//! Rendering of results: tables for people and JSON/YAML documents for scripts, written to a
//! writer the caller gives (stdout in the program, a buffer in tests). Progress and prompts
//! live in `progress` and `prompt` and use stderr only.

pub mod age;
pub mod claims;
pub mod delete;
pub mod dns;
pub mod list;
pub mod orphans;
pub mod plan;
pub mod progress;
pub mod progressive;
pub mod prompt;
pub mod recover;
pub mod resize;
pub mod restart;
pub mod roll;
pub mod rollout;
pub mod scale;
pub mod status;
pub mod table;
pub mod wait;
pub mod why;

use std::io::{IsTerminal, Write};

use anyhow::Result;
use serde::Serialize;

use crate::cli::OutputFormat;

/// How stdout may be decorated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Colour is allowed: stdout is a terminal and `NO_COLOR` is not set.
    pub color: bool,
    /// Terminal width, when stdout is a terminal.
    pub width: Option<u16>,
}

impl Style {
    /// The style stdout allows.
    pub fn for_stdout() -> Style {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = tty.then(terminal_width).flatten();
        Style {
            color: tty && !no_color,
            width,
        }
    }

    /// No decoration and no width limit (tests).
    #[cfg(test)]
    pub fn plain() -> Style {
        Style {
            color: false,
            width: None,
        }
    }
}

fn terminal_width() -> Option<u16> {
    comfy_table::Table::new().width()
}

/// Writes one JSON (pretty) or YAML document.
pub fn write_document<T: Serialize>(out: &mut dyn Write, format: OutputFormat, doc: &T) -> Result<()> {
    match format {
        OutputFormat::Yaml => out.write_all(serde_saphyr::to_string(doc)?.as_bytes())?,
        _ => {
            serde_json::to_writer_pretty(&mut *out, doc).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// `'text'` for sh, with inner quotes escaped.
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.,:/%@+".contains(&b));
    match plain {
        true => text.to_string(),
        false => format!("'{}'", text.replace('\'', r"'\''")),
    }
}
