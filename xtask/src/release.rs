//! `release`: build the release binary, pack it, hash it, write the manifest; `record`: write
//! archives built elsewhere into the manifest.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::archive::{self, Entry};
use crate::cargo::{self, Metadata};
use crate::manifest::{self, Recorded};
use crate::platform::{self, Platform};

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
    platform.check_shipped()?;
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
        platform.check_shipped()?;
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
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags(root, platform).join("\x1f"))
        .env_remove("RUSTFLAGS");
    let mut out = meta.target_dir.clone();
    if let Some(triple) = target {
        command.args(["--target", triple]);
        out.push(triple);
    }
    cargo::run(&mut command)?;
    Ok(out.join("release").join(platform.binary()))
}

/// The caller's rustflags (`CARGO_ENCODED_RUSTFLAGS`, else `RUSTFLAGS`), plus path remapping
/// and, on Windows (MSVC), the C runtime linked in so that the binary needs no Visual C++
/// redistributable. Passed to cargo encoded, so that paths with spaces stay whole.
fn rustflags(root: &Path, platform: &Platform) -> Vec<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|h| h.join(".cargo")));
    let mut flags: Vec<String> = match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(encoded) => encoded.split('\x1f').map(str::to_string).collect(),
        Err(_) => std::env::var("RUSTFLAGS")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    };
    flags.retain(|f| !f.is_empty());
    flags.push(format!("--remap-path-prefix={}=kubectl-sts", root.display()));
    if let Some(home) = cargo_home {
        flags.push(format!("--remap-path-prefix={}=cargo", home.display()));
    }
    if platform.triple.ends_with("-windows-msvc") {
        flags.push("-Ctarget-feature=+crt-static".to_string());
    }
    flags
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
    report(version, &recorded, &manifest::listed(&updated)?);
    Ok(())
}

/// Says what the manifest lists now, and which platforms still need an archive.
fn report(version: &str, recorded: &[Recorded], listed: &[String]) {
    println!(
        "{}: v{version}, {} archive(s) recorded; lists {}",
        manifest::FILE,
        recorded.len(),
        listed.join(", ")
    );
    let missing: Vec<String> = platform::supported()
        .into_iter()
        .filter(|p| !listed.contains(p))
        .collect();
    if !missing.is_empty() {
        println!(
            "not listed until an archive of v{version} is recorded: {} (the release workflow, \
             .github/workflows/release.yml, builds them; or `cargo xtask release` on such a host, \
             then `cargo xtask record ARCHIVE…`)",
            missing.join(", ")
        );
    }
}
