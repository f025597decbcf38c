//! Target triples and what krew calls them: `os`/`arch` selector labels, the archive's name,
//! the binary's name.

use anyhow::{Result, anyhow};

/// The krew `(os, arch)` pairs a release ships for, in the order the manifest lists them.
pub const SUPPORTED: [(&str, &str); 5] = [
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];

/// Where `os`/`arch` comes in [`SUPPORTED`], or `None` if a release does not ship for it.
pub fn rank(os: &str, arch: &str) -> Option<usize> {
    SUPPORTED.iter().position(|&(o, a)| o == os && a == arch)
}

/// The supported platforms as `os/arch`, in [`SUPPORTED`] order.
pub fn supported() -> Vec<String> {
    SUPPORTED
        .iter()
        .map(|(os, arch)| format!("{os}/{arch}"))
        .collect()
}

/// A target the plugin ships for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub triple: String,
    /// krew's `os` label: linux, darwin, windows.
    pub os: &'static str,
    /// krew's `arch` label: amd64, arm64.
    pub arch: &'static str,
}

impl Platform {
    /// The platform of a Rust target triple.
    pub fn from_triple(triple: &str) -> Result<Platform> {
        let arch = match triple.split('-').next() {
            Some("x86_64") => "amd64",
            Some("aarch64") => "arm64",
            _ => return Err(anyhow!("no krew arch for target {triple}")),
        };
        let os = if triple.contains("-linux-") {
            "linux"
        } else if triple.ends_with("-apple-darwin") {
            "darwin"
        } else if triple.contains("-windows-") {
            "windows"
        } else {
            return Err(anyhow!("no krew os for target {triple}"));
        };
        Ok(Platform {
            triple: triple.to_string(),
            os,
            arch,
        })
    }

    /// `os/arch`, as people and the selector read it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.os, self.arch)
    }

    /// Fails unless a release ships this platform (one of [`SUPPORTED`]).
    pub fn check_shipped(&self) -> Result<()> {
        match rank(self.os, self.arch) {
            Some(_) => Ok(()),
            None => Err(anyhow!(
                "{} ({}) is not a platform of the release, which ships {}",
                self.label(),
                self.triple,
                supported().join(", ")
            )),
        }
    }

    /// The executable's file name: `kubectl-sts`, `kubectl-sts.exe` on Windows.
    pub fn binary(&self) -> String {
        let suffix = if self.os == "windows" { ".exe" } else { "" };
        format!("{}{suffix}", crate::cargo::PACKAGE)
    }

    /// The release archive's file name for a version.
    pub fn archive(&self, version: &str) -> String {
        format!("{}-v{version}-{}.tar.gz", crate::cargo::PACKAGE, self.triple)
    }

    /// The platform and version of an archive named by [`Platform::archive`].
    pub fn of_archive(file_name: &str) -> Result<(Platform, String)> {
        let stem = file_name
            .strip_prefix(&format!("{}-v", crate::cargo::PACKAGE))
            .and_then(|s| s.strip_suffix(".tar.gz"))
            .ok_or_else(|| anyhow!("{file_name} is not named kubectl-sts-vVERSION-TRIPLE.tar.gz"))?;
        // The version may hold dashes itself (1.0.0-rc.1): the triple is the first tail that is one.
        stem.match_indices('-')
            .find_map(|(at, _)| {
                let platform = Platform::from_triple(&stem[at + 1..]).ok()?;
                Some((platform, stem[..at].to_string()))
            })
            .ok_or_else(|| anyhow!("{file_name} names no supported target triple"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_map_to_krew_labels() {
        let cases = [
            ("x86_64-unknown-linux-gnu", "linux", "amd64"),
            ("aarch64-unknown-linux-musl", "linux", "arm64"),
            ("x86_64-apple-darwin", "darwin", "amd64"),
            ("aarch64-apple-darwin", "darwin", "arm64"),
            ("x86_64-pc-windows-msvc", "windows", "amd64"),
        ];
        for (triple, os, arch) in cases {
            let p = Platform::from_triple(triple).unwrap();
            assert_eq!((p.os, p.arch), (os, arch), "{triple}");
        }
        assert!(Platform::from_triple("riscv64gc-unknown-linux-gnu").is_err());
        assert!(Platform::from_triple("x86_64-unknown-freebsd").is_err());
    }

    #[test]
    fn supported_platforms_rank_in_manifest_order() {
        assert_eq!(rank("linux", "amd64"), Some(0));
        assert_eq!(rank("windows", "amd64"), Some(4));
        assert_eq!(
            rank("windows", "arm64"),
            None,
            "a windows/arm64 build is not shipped"
        );
        let p = Platform::from_triple("aarch64-apple-darwin").unwrap();
        assert_eq!(
            supported().iter().position(|l| *l == p.label()),
            rank(p.os, p.arch)
        );
        assert_eq!(supported().len(), SUPPORTED.len());
    }

    #[test]
    fn archive_names_round_trip() {
        let p = Platform::from_triple("x86_64-pc-windows-msvc").unwrap();
        assert_eq!(p.binary(), "kubectl-sts.exe");
        let name = p.archive("1.2.3");
        assert_eq!(name, "kubectl-sts-v1.2.3-x86_64-pc-windows-msvc.tar.gz");
        assert_eq!(Platform::of_archive(&name).unwrap(), (p, "1.2.3".to_string()));
        assert!(Platform::of_archive("kubectl-sts.tar.gz").is_err());
        let (p, version) =
            Platform::of_archive("kubectl-sts-v1.0.0-rc.1-aarch64-apple-darwin.tar.gz").unwrap();
        assert_eq!(
            (p.triple.as_str(), version.as_str()),
            ("aarch64-apple-darwin", "1.0.0-rc.1")
        );
    }
}
