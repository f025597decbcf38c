//! `release`: build the release binary, pack it, hash it, write the manifest; `record`: write
//! archives built elsewhere into the manifest.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::archive::{self, Entry};
use crate::cargo::{self, Metadata};
use crate::manifest::{self, Recorded};
use crate::platform::Platform;

/// Where archives are written, relative to the workspace root.
const DIST: &str = "dist";

/// Builds and packs the plugin for `target` (default: the host) and records the archive.
pub fn release(target: Option<&str>) -> Result<()> {
    let root = cargo::workspace_root();
    let meta = cargo::metadata()?;
    let triple = match target {
        Some(triple) => triple.to_string(),
        None => cargo::host_triple()?,
    };
    let platform = Platform::from_triple(&triple)?;
    let binary = build(&root, &meta, target, &platform)?;
    let dist = root.join(DIST);
    std::fs::create_dir_all(&dist).with_context(|| format!("cannot create {}", dist.display()))?;
    let path = dist.join(platform.archive(&meta.version));
    archive::pack(
        &path,
        &[
            Entry {
                name: &platform.binary(),
                source: &binary,
                mode: 0o755,
            },
            Entry {
                name: "LICENSE",
                source: &root.join("LICENSE"),
                mode: 0o644,
            },
        ],
    )?;
    record_archives(&root, &meta.version, &[(platform, path)])
}

/// Records archives already built, named as `release` names them.
pub fn record(archives: &[PathBuf]) -> Result<()> {
    let root = cargo::workspace_root();
    let meta = cargo::metadata()?;
    let mut found = Vec::new();
    for path in archives {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (platform, version) = Platform::of_archive(&name)?;
        if version != meta.version {
            bail!(
                "{name} is of version {version}, but the workspace is at {}",
                meta.version
            );
        }
        found.push((platform, path.clone()));
    }
    record_archives(&root, &meta.version, &found)
}

/// `cargo build --release` of the plugin, with the checkout's and cargo's paths remapped so
/// that the binary does not depend on where the sources lie. Returns the binary's path.
fn build(root: &Path, meta: &Metadata, target: Option<&str>, platform: &Platform) -> Result<PathBuf> {
    let mut command = cargo::cargo();
    command
        .current_dir(root)
        .args(["build", "--release", "--locked", "--package", cargo::PACKAGE])
        .env("RUSTFLAGS", rustflags(root));
    let mut out = meta.target_dir.clone();
    if let Some(triple) = target {
        command.args(["--target", triple]);
        out.push(triple);
    }
    cargo::run(&mut command)?;
    Ok(out.join("release").join(platform.binary()))
}

/// RUSTFLAGS (the caller's, if any) plus path remapping.
fn rustflags(root: &Path) -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|h| h.join(".cargo")));
    let mut flags: Vec<String> = std::env::var("RUSTFLAGS").ok().into_iter().collect();
    flags.push(format!("--remap-path-prefix={}=kubectl-sts", root.display()));
    if let Some(home) = cargo_home {
        flags.push(format!("--remap-path-prefix={}=cargo", home.display()));
    }
    flags.join(" ")
}

/// Hashes the archives, writes `ARCHIVE.sha256` beside each, and updates the manifest.
fn record_archives(root: &Path, version: &str, archives: &[(Platform, PathBuf)]) -> Result<()> {
    let mut recorded = Vec::new();
    for (platform, path) in archives {
        let sha256 = archive::sha256(path)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let sum = path.with_file_name(format!("{name}.sha256"));
        std::fs::write(&sum, format!("{sha256}  {name}\n"))
            .with_context(|| format!("cannot write {}", sum.display()))?;
        println!("{}  {sha256}", path.display());
        recorded.push(Recorded {
            platform: platform.clone(),
            sha256,
        });
    }
    let file = root.join(manifest::FILE);
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let updated = manifest::update(&text, version, &recorded)?;
    std::fs::write(&file, &updated).with_context(|| format!("cannot write {}", file.display()))?;
    println!(
        "{}: version v{version}, {} archive(s) recorded",
        manifest::FILE,
        recorded.len()
    );
    let missing = manifest::unrecorded(&updated)?;
    if !missing.is_empty() {
        println!(
            "not yet recorded for v{version}: {} (build there with `cargo xtask release`, or `cargo xtask record ARCHIVE…`)",
            missing.join(", ")
        );
    }
    Ok(())
}
