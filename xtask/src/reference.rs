//! The command reference, docs/reference.md: every visible command's `--help`, as the plugin
//! prints it, under a heading of its own, so that it comes from the clap definition like the
//! man pages and cannot go stale. `cargo xtask generate` writes it; the test that checks the
//! generated files includes this file (`#[path]`) and renders the same text to compare, which
//! is why it uses std only.

use std::path::Path;
use std::process::Command;

/// Where the reference is committed, relative to the repository root.
pub const PATH: &str = "docs/reference.md";

/// Help is rendered at this width, so that the file does not depend on who generated it: the
/// child has no terminal (`Command::output` pipes stdout and stderr, stdin is null), and clap
/// then reads `COLUMNS`.
const COLUMNS: &str = "100";

/// The reference, from `binary`'s own help: the top-level command, then each subcommand
/// (and its own subcommands) in the order `--help` lists them. Hidden commands are not listed
/// there, so they are left out.
pub fn render(binary: &Path) -> Result<String, String> {
    let mut commands = Vec::new();
    collect(binary, &mut Vec::new(), &mut commands)?;
    if commands.len() < 2 {
        return Err(format!(
            "`{} --help` lists no commands: is its \"Commands:\" section worded differently?",
            binary.display()
        ));
    }
    let mut out = String::from(
        "# Command reference\n\n\
         Every command's usage and options, as `kubectl sts COMMAND --help` prints them. This page\n\
         is generated from the clap definition (`src/cli.rs`) by `cargo xtask generate`: do not edit\n\
         it by hand, regenerate it. What each command does, with examples, is in the\n\
         [command guides](../README.md#commands).\n\n",
    );
    for (path, _) in &commands {
        out.push_str(&format!("- [`{}`](#{})\n", title(path), slug(path)));
    }
    for (path, help) in &commands {
        let fence = "`".repeat(longest_backtick_run(help).max(2) + 1);
        out.push_str(&format!("\n## `{}`\n\n{fence}text\n{help}{fence}\n", title(path)));
    }
    Ok(out)
}

/// Appends the help of the command at `path` and, depth first, of its subcommands.
fn collect(
    binary: &Path,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) -> Result<(), String> {
    let help = help(binary, path)?;
    let subcommands = subcommands(&help);
    out.push((path.clone(), help));
    for name in subcommands {
        path.push(name);
        collect(binary, path, out)?;
        path.pop();
    }
    Ok(())
}

/// `binary PATH… --help`, each line without trailing blanks, ending in one newline.
fn help(binary: &Path, path: &[String]) -> Result<String, String> {
    let output = Command::new(binary)
        .args(path)
        .arg("--help")
        .env("COLUMNS", COLUMNS)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let shown = format!("`{} {} --help`", binary.display(), path.join(" "));
    if !output.status.success() {
        return Err(format!(
            "{shown} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8(output.stdout).map_err(|_| format!("{shown} printed non-UTF-8"))?;
    let mut help: String = text.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    while help.ends_with("\n\n") {
        help.pop();
    }
    Ok(help)
}

/// The names in a help text's "Commands:" section, but `help`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

fn title(path: &[String]) -> String {
    std::iter::once("kubectl sts")
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The anchor GitHub gives the heading of `path` (`kubectl-sts-pvc-resize`).
fn slug(path: &[String]) -> String {
    title(path).replace(' ', "-")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}
