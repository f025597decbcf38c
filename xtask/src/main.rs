//! Project tasks, run as `cargo xtask …` (an alias in `.cargo/config.toml`): the release
//! archive and krew manifest, and the files generated from the clap definition. Nothing here
//! is part of the plugin.

mod archive;
mod cargo;
mod generate;
mod manifest;
mod platform;
mod reference;
mod release;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Release and generation tasks of kubectl-sts.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Build the release binary, pack it with LICENSE into dist/, and write its version, uri
    /// and sha256 into krew-manifest.yaml (adding its platform if the manifest does not list it)
    Release {
        /// Target triple to build for (default: the host's); its toolchain and linker must be
        /// installed
        #[arg(long, value_name = "TRIPLE")]
        target: Option<String>,
    },
    /// Record archives built elsewhere (e.g. on a macOS or Windows runner) in
    /// krew-manifest.yaml: their uri and sha256, by the target triple in their file name; a new
    /// version lists only the platforms recorded in this run
    Record {
        /// Archives named kubectl-sts-vVERSION-TRIPLE.tar.gz, as `release` names them
        #[arg(required = true, value_name = "ARCHIVE")]
        archives: Vec<std::path::PathBuf>,
    },
    /// Regenerate completions/, man/ and docs/reference.md from the clap definition (via the
    /// debug binary)
    Generate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.task {
        Task::Release { target } => release::release(target.as_deref()),
        Task::Record { archives } => release::record(&archives),
        Task::Generate => generate::generate(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
