//! The release archive: a gzipped tar of the binary and LICENSE at its top level, the same
//! bytes for the same inputs (fixed mtime, owner and modes; entries in a fixed order); and
//! its sha256.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Context as _, Result};
use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};

/// One file in the archive: its name there, where it comes from, its mode.
pub struct Entry<'a> {
    pub name: &'a str,
    pub source: &'a Path,
    pub mode: u32,
}

/// The modification time of every entry: `SOURCE_DATE_EPOCH` if set, else the epoch, so that
/// the archive depends on the files' contents only.
fn mtime() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Writes a `.tar.gz` holding the entries, in order.
pub fn pack(path: &Path, entries: &[Entry]) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let gz = GzBuilder::new()
        .mtime(mtime() as u32)
        .write(file, Compression::best());
    let mut tar = tar::Builder::new(gz);
    for entry in entries {
        let data =
            std::fs::read(entry.source).with_context(|| format!("cannot read {}", entry.source.display()))?;
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(data.len() as u64);
        header.set_mode(entry.mode);
        header.set_mtime(mtime());
        header.set_uid(0);
        header.set_gid(0);
        tar.append_data(&mut header, entry.name, data.as_slice())
            .with_context(|| format!("cannot add {} to {}", entry.name, path.display()))?;
    }
    tar.into_inner()?.finish()?.sync_all()?;
    Ok(())
}

/// The sha256 of a file, as 64 lowercase hex digits.
pub fn sha256(path: &Path) -> Result<String> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-archive-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn sha256_of_a_known_text() {
        let dir = scratch("sha");
        let path = dir.join("abc");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(
            sha256(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn archives_hold_the_entries_and_are_reproducible() {
        let dir = scratch("pack");
        let (bin, license) = (dir.join("bin"), dir.join("LICENSE"));
        std::fs::write(&bin, b"\x7fELF...").unwrap();
        std::fs::write(&license, "Apache License").unwrap();
        let entries = [
            Entry {
                name: "kubectl-sts",
                source: &bin,
                mode: 0o755,
            },
            Entry {
                name: "LICENSE",
                source: &license,
                mode: 0o644,
            },
        ];
        let (first, second) = (dir.join("a.tar.gz"), dir.join("b.tar.gz"));
        pack(&first, &entries).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        pack(&second, &entries).unwrap();
        assert_eq!(sha256(&first).unwrap(), sha256(&second).unwrap());

        let gz = flate2::read::GzDecoder::new(File::open(&first).unwrap());
        let mut archive = tar::Archive::new(gz);
        let listed: Vec<(String, u32, String)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = e.path().unwrap().to_string_lossy().into_owned();
                let mode = e.header().mode().unwrap();
                let mut text = String::new();
                e.read_to_string(&mut text).unwrap_or_default();
                (name, mode, text)
            })
            .collect();
        assert_eq!(listed[0].0, "kubectl-sts");
        assert_eq!(listed[0].1, 0o755);
        assert_eq!(listed[1], ("LICENSE".into(), 0o644, "Apache License".into()));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
