//! `node-standin`: the nodes of a test control plane, run by hand against a kubeconfig
//! (`node-standin KUBECONFIG [NODE...]`) until interrupted.

use std::path::PathBuf;

use anyhow::{Context, Result};
use node_standin::{Config, NodeStandin};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let kubeconfig: PathBuf = args
        .next()
        .context("usage: node-standin KUBECONFIG [NODE...]")?
        .into();
    let mut config = Config {
        timings: sts_sim::Timings::real_like(),
        ..Config::default()
    };
    let nodes: Vec<String> = args.collect();
    if !nodes.is_empty() {
        config.nodes = nodes;
    }
    let standin = NodeStandin::start(&kubeconfig, config)?;
    eprintln!("node-standin: nodes registered; Ctrl-C stops");
    standin.block_on(tokio::signal::ctrl_c())?;
    Ok(())
}
