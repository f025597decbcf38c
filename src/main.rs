//! kubectl-sts: parse, run, map errors to exit codes. Nothing else.

mod backup;
mod cli;
mod cmd;
mod complete;
mod context;
mod engine;
mod error;
mod fetch;
mod model;
mod output;
mod preflight;
mod resolve;
mod retry;
mod wait;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(words) = complete::requested(std::env::args_os()) {
        return complete::run(&words);
    }
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(error::exit::ERROR);
        }
    };
    match runtime.block_on(cmd::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if error::is_silent(&err) => error::exit_code_of(&err),
        Err(err) => {
            eprintln!("error: {err:#}");
            error::exit_code_of(&err)
        }
    }
}
