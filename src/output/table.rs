//! kubectl-looking tables (upper-case headers, no borders). A value is never split inside a
//! cell: on a terminal too narrow for every column, the least important ones are left out
//! (`fit`, with a line saying which, and that `-o wide` shows them); otherwise lines run long,
//! as kubectl's do. Output that is not a terminal is never fitted.

use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, presets};

use super::Style;

/// The space after each column.
const GAP: u16 = 3;

/// A borderless table with these headers, each value on one line of its cell, never wrapped.
pub fn new_table(headers: &[&str], style: Style) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    table
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    if style.color {
        table.enforce_styling();
    }
    table.set_header(headers.iter().map(Cell::new));
    for column in table.column_iter_mut() {
        column.set_padding((0, GAP));
    }
    table
}

/// Leaves out columns of `table` named in `least_important` (in that order) until it fits the
/// terminal's width; nothing when there is no width (not a terminal), with `-o wide`, or when
/// it fits. Returns the line to print after the table, naming the columns left out.
pub fn fit(table: &mut Table, style: Style, least_important: &[&str]) -> Option<String> {
    let width = style.width.filter(|_| !style.wide)?;
    let headers: Vec<String> = table
        .header()
        .map(|h| h.cell_iter().map(|c| c.content()).collect())
        .unwrap_or_default();
    let widths = table.column_max_content_widths();
    let mut total: u32 = widths.iter().map(|w| u32::from(*w) + u32::from(GAP)).sum();
    let mut left_out = Vec::new();
    for name in least_important {
        if total.saturating_sub(u32::from(GAP)) <= u32::from(width) {
            break;
        }
        let Some(index) = headers.iter().position(|h| h == name) else {
            continue;
        };
        if let Some(column) = table.column_mut(index) {
            column.set_constraint(ColumnConstraint::Hidden);
            total -= u32::from(widths[index]) + u32::from(GAP);
            left_out.push(*name);
        }
    }
    (!left_out.is_empty()).then(|| {
        let note = format!(
            "({} not shown to fit {width} columns; -o wide shows every column)",
            left_out.join(", ")
        );
        wrap(&note, width)
    })
}

/// `text` broken into lines of at most `width` characters between words (a longer word gets
/// a line of its own; `-o wide` stays whole).
fn wrap(text: &str, width: u16) -> String {
    let mut lines: Vec<String> = Vec::new();
    let kept = text.replace("-o wide", "-o\u{a0}wide");
    for word in kept.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= usize::from(width) => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n").replace('\u{a0}', " ")
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

/// The table as text, then the line saying which columns `fit` left out, if any.
pub fn render_fitted(table: &mut Table, style: Style, least_important: &[&str]) -> String {
    let note = fit(table, style, least_important);
    let mut text = render(table);
    if let Some(note) = note {
        text.push_str(&note);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(width: u16) -> Style {
        Style {
            width: Some(width),
            ..Style::plain()
        }
    }

    fn wide_table() -> Table {
        let mut table = new_table(&["POD", "STATUS", "IP", "DNS"], Style::plain());
        table.add_row(vec![
            "web-0",
            "Running",
            "10.244.14.158",
            "web-0.nginx.default.svc.cluster.local",
        ]);
        table
    }

    #[test]
    fn values_are_never_split_and_the_least_important_columns_go_first() {
        let text = render_fitted(&mut wide_table(), style(40), &["DNS", "IP"]);
        assert_eq!(
            text,
            "POD     STATUS    IP\nweb-0   Running   10.244.14.158\n\
             (DNS not shown to fit 40 columns;\n-o wide shows every column)\n"
        );
        let narrow = render_fitted(&mut wide_table(), style(30), &["DNS", "IP"]);
        assert!(narrow.contains("web-0   Running\n"), "{narrow}");
        assert!(
            narrow.ends_with("(DNS, IP not shown to fit 30\ncolumns; -o wide shows every\ncolumn)\n"),
            "the note fits too: {narrow}"
        );
    }

    #[test]
    fn without_a_width_or_with_wide_every_column_stays_on_long_lines() {
        let everything = "web-0   Running   10.244.14.158   web-0.nginx.default.svc.cluster.local\n";
        let plain = render_fitted(&mut wide_table(), Style::plain(), &["DNS", "IP"]);
        assert!(plain.ends_with(everything), "{plain}");
        let wide = Style {
            wide: true,
            ..style(40)
        };
        let text = render_fitted(&mut wide_table(), wide, &["DNS", "IP"]);
        assert!(text.ends_with(everything), "{text}");
        assert!(!text.contains("not shown"), "{text}");
    }
}
