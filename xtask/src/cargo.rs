//! What the xtask needs to know from cargo and rustc: the workspace root, the plugin's
//! version, the target directory and the host triple; and running a command loudly.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, anyhow, bail};

/// The package the release ships.
pub const PACKAGE: &str = "kubectl-sts";

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The cargo that runs this xtask (or the one on PATH).
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The plugin's version and the workspace's target directory, from `cargo metadata`.
pub struct Metadata {
    pub version: String,
    pub target_dir: PathBuf,
}

/// Reads [`Metadata`].
pub fn metadata() -> Result<Metadata> {
    let output = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1", "--locked"])
        .current_dir(workspace_root())
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let version = doc["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == PACKAGE))
        .and_then(|p| p["version"].as_str())
        .ok_or_else(|| anyhow!("cargo metadata lists no package {PACKAGE}"))?;
    let target_dir = doc["target_directory"]
        .as_str()
        .ok_or_else(|| anyhow!("cargo metadata gives no target_directory"))?;
    Ok(Metadata {
        version: version.to_string(),
        target_dir: PathBuf::from(target_dir),
    })
}

/// The host's target triple, from `rustc -vV`.
pub fn host_triple() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .context("cannot run rustc -vV")?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| anyhow!("rustc -vV names no host triple"))
}

/// Runs a command, echoing it, and fails unless it succeeds.
pub fn run(command: &mut Command) -> Result<()> {
    eprintln!("$ {command:?}");
    let status = command
        .status()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}
