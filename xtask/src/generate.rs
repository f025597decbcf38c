//! `generate`: the files committed under completions/ and man/, written by the plugin's own
//! hidden `completion SHELL` and `man DIR` commands, and docs/reference.md, assembled from its
//! `--help` (so all of them come from the clap definition). tests/it/completion.rs fails when
//! they are out of date.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::{cargo, reference};

/// The shells, as `completion` names them, and the file each script is committed as.
pub const SCRIPTS: [(&str, &str); 4] = [
    ("bash", "kubectl-sts.bash"),
    ("zsh", "_kubectl-sts"),
    ("fish", "kubectl-sts.fish"),
    ("powershell", "kubectl-sts.ps1"),
];

/// Builds the debug binary and rewrites completions/, man/ and docs/reference.md.
pub fn generate() -> Result<()> {
    let root = cargo::workspace_root();
    let meta = cargo::metadata()?;
    cargo::run(
        cargo::cargo()
            .current_dir(&root)
            .args(["build", "--locked", "--package", cargo::PACKAGE]),
    )?;
    let binary =
        meta.target_dir
            .join("debug")
            .join(format!("{}{}", cargo::PACKAGE, std::env::consts::EXE_SUFFIX));
    let completions = root.join("completions");
    std::fs::create_dir_all(&completions)
        .with_context(|| format!("cannot create {}", completions.display()))?;
    for (shell, file) in SCRIPTS {
        let script = output_of(Command::new(&binary).args(["completion", shell]))?;
        write(&completions.join(file), &script)?;
    }
    let man = root.join("man");
    remove_pages(&man)?;
    output_of(Command::new(&binary).arg("man").arg(&man))?;
    let page = root.join(reference::PATH);
    if let Some(dir) = page.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write(
        &page,
        reference::render(&binary).map_err(anyhow::Error::msg)?.as_bytes(),
    )?;
    println!("wrote completions/, man/ and {}; commit them", reference::PATH);
    Ok(())
}

fn output_of(command: &mut Command) -> Result<Vec<u8>> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(output.stdout)
}

fn write(path: &Path, content: &[u8]) -> Result<()> {
    std::fs::write(path, content).with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Removes the pages of commands that may no longer exist.
fn remove_pages(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "1") {
            std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}
