//! `completion SHELL` and `man DIR` (hidden): shell completion scripts and man pages generated
//! from the clap definition in `cli.rs`, so they never drift from the real flags. They need no
//! cluster. The committed copies in `completions/` and `man/` are checked against this output
//! by `tests/it/completion.rs`; `cargo xtask generate` rewrites them.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionArgs, CompletionShell, ManArgs};

/// The name the completion scripts complete: the executable on PATH.
pub const BIN_NAME: &str = "kubectl-sts";

/// Prints the completion script of one shell on stdout.
pub fn run_completion(args: &CompletionArgs) -> Result<()> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN_NAME, &mut script);
    let mut script = String::from_utf8(script).context("the completion script is not UTF-8")?;
    if shell == Shell::Bash {
        script = fix_bash_case_labels(&script);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(script.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// clap_complete (4.6.11) spells the per-command `case` labels of a hyphenated bin name
/// differently from the state its dispatch loop computes (`kubectl__subcmd__sts__subcmd__scale`
/// against `kubectl__sts__subcmd__scale`), so no subcommand's flags would complete
/// (clap-rs/clap#6421). Spell them the loop's way; a no-op once clap_complete is fixed.
fn fix_bash_case_labels(script: &str) -> String {
    script.replace("kubectl__subcmd__sts__subcmd__", "kubectl__sts__subcmd__")
}

/// Writes one man page per visible command into the directory.
pub fn run_man(args: &ManArgs) -> Result<()> {
    write_man_pages(&args.dir)
}

fn write_man_pages(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("cannot write the man pages into {}", dir.display()))
}

#[cfg(test)]
mod tests {
    //! The clap definition is what `--help`, the man pages and the completion descriptions are
    //! made of: check it reads like kubectl's, for every command.

    use clap::{Command, CommandFactory};

    use crate::cli::Cli;

    /// Every command below the root, depth first, with its full name (`pvc resize`).
    fn every_command() -> Vec<(String, Command)> {
        fn walk(prefix: &str, cmd: &Command, into: &mut Vec<(String, Command)>) {
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let name = format!("{prefix}{}", sub.get_name()).trim().to_string();
                into.push((name.clone(), sub.clone()));
                walk(&format!("{name} "), sub, into);
            }
        }
        let mut root = Cli::command();
        root.build();
        let mut all = vec![(String::new(), root.clone())];
        walk("", &root, &mut all);
        all
    }

    #[test]
    fn the_definition_passes_clap_debug_asserts() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_lines_read_kubectl_sts() {
        for (name, mut cmd) in every_command() {
            let usage = cmd.render_usage().to_string();
            let expected = format!("Usage: kubectl sts {name}").trim().to_string();
            assert!(usage.starts_with(&expected), "{name:?}: {usage}");
        }
    }

    #[test]
    fn every_command_has_an_about_and_examples_of_itself() {
        for (name, cmd) in every_command() {
            assert!(
                cmd.get_about().is_some(),
                "`kubectl sts {name}` has no about text"
            );
            let after = cmd.get_after_help().map(|t| t.to_string()).unwrap_or_default();
            let examples: Vec<&str> = after
                .lines()
                .skip_while(|l| !l.starts_with("Examples:"))
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .collect();
            assert!(!examples.is_empty(), "`{name}` has no examples in after_help");
            for example in examples {
                // Run as is, or at the end of a pipe that feeds it (`helm template … | kubectl sts plan -f -`).
                let prefix = format!("  kubectl sts {name}");
                let piped = format!("| kubectl sts {name} ");
                assert!(
                    example.starts_with(&prefix) || example.contains(&piped),
                    "`{name}` example: {example:?}"
                );
            }
        }
    }

    #[test]
    fn every_flag_and_argument_is_documented() {
        for (name, cmd) in every_command() {
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                assert!(!help.trim().is_empty(), "`{name}` --{id} has no help text");
            }
        }
    }
}
