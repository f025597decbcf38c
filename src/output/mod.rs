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
    /// The width tables fit: `COLUMNS` when set, else the terminal's when stdout is one.
    pub width: Option<u16>,
    /// `-o wide`: every column, however wide the lines.
    pub wide: bool,
}

impl Style {
    /// The style stdout allows.
    pub fn for_stdout() -> Style {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let columns = std::env::var("COLUMNS").ok();
        Style {
            color: tty && !no_color,
            width: width_of(columns.as_deref(), tty.then(terminal_width).flatten()),
            wide: false,
        }
    }

    /// The same, with every column shown when `wide` (`-o wide`).
    pub fn wide(self, wide: bool) -> Style {
        Style { wide, ..self }
    }

    /// No decoration and no width limit (tests).
    #[cfg(test)]
    pub fn plain() -> Style {
        Style {
            color: false,
            width: None,
            wide: false,
        }
    }
}

/// The width to fit: `COLUMNS` (a positive number, as many CLIs honour it), else the
/// terminal's.
fn width_of(columns: Option<&str>, terminal: Option<u16>) -> Option<u16> {
    columns
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|c| *c > 0)
        .or(terminal)
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

#[cfg(test)]
mod tests {
    use super::width_of;

    #[test]
    fn columns_overrides_the_terminal_width() {
        assert_eq!(width_of(Some("80"), Some(200)), Some(80));
        assert_eq!(width_of(None, Some(200)), Some(200));
        assert_eq!(width_of(Some("wide"), None), None);
        assert_eq!(width_of(Some("0"), Some(120)), Some(120));
    }
}
