//! kubectl-looking tables (upper-case headers, no borders) sized to the terminal.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::Style;

/// A borderless table with these headers, wrapping to the terminal width when there is one.
pub fn new_table(headers: &[&str], style: Style) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    match style.width {
        Some(width) => {
            table
                .set_width(width)
                .set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.force_no_tty();
        }
    }
    if style.color {
        table.enforce_styling();
    }
    table.set_header(headers.iter().map(Cell::new));
    for column in table.column_iter_mut() {
        column.set_padding((0, 3));
    }
    table
}

/// A cell coloured green (good) or red (bad) when colour is allowed.
pub fn verdict_cell(text: impl ToString, good: bool, style: Style) -> Cell {
    let cell = Cell::new(text);
    if !style.color {
        return cell;
    }
    cell.fg(if good { Color::Green } else { Color::Red })
}

/// The table as text with trailing spaces trimmed from each line.
pub fn render(table: &Table) -> String {
    let mut text: String = table.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    if text.is_empty() {
        text.push('\n');
    }
    text
}
