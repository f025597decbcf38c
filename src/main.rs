//! kubectl-sts: parse, run, map errors to exit codes. Nothing else.

mod auth;
mod backup;
mod certs;
mod cli;
mod cmd;
mod complete;
mod connect;
mod context;
mod dial;
mod engine;
mod error;
mod exec;
mod fetch;
mod lean;
mod manifest;
mod model;
mod oidc;
mod output;
mod preflight;
mod proxy;
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
    // One thread answers one cluster soonest; many contexts at once use every core.
    let runtime = match cmd::fleet::requested(&cli.command) {
        true => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
        false => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    };
    let runtime = match runtime {
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
