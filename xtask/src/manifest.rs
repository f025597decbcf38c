//! Rewrites krew-manifest.yaml in place, line by line, so its hand-written parts (description,
//! caveats, comments) stay as they are: `spec.version`, and per platform block its `uri` and
//! `sha256`. The structure itself is checked by the root package's tests/krew.rs.

use anyhow::{Result, anyhow, bail};

use crate::platform::Platform;

/// The sha256 of a platform whose archive has not been recorded for the current version.
pub const UNRECORDED: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The file, relative to the workspace root.
pub const FILE: &str = "krew-manifest.yaml";

/// An archive to record: its platform and sha256.
pub struct Recorded {
    pub platform: Platform,
    pub sha256: String,
}

/// The manifest text with `version` (without the `v`) and the recorded archives written in.
/// Every platform's uri names the version; on a version change the platforms not recorded now
/// get [`UNRECORDED`], since their old archives are of another version.
pub fn update(text: &str, version: &str, recorded: &[Recorded]) -> Result<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let homepage = scalar(&lines, "homepage")?;
    let version_changed = scalar(&lines, "version")? != format!("v{version}");
    set_scalar(&mut lines, "version", &format!("v{version}"))?;
    let mut seen = Vec::new();
    for block in platform_blocks(&lines)? {
        let (os, arch) = (
            block_value(&lines[block.clone()], "os")?,
            block_value(&lines[block.clone()], "arch")?,
        );
        let triple = triple_of_uri(&block_value(&lines[block.clone()], "uri")?)?;
        let now = recorded
            .iter()
            .find(|r| r.platform.os == os && r.platform.arch == arch);
        let platform = now.map_or_else(|| Platform::from_triple(&triple), |r| Ok(r.platform.clone()))?;
        let uri = format!(
            "{homepage}/releases/download/v{version}/{}",
            platform.archive(version)
        );
        set_block_value(&mut lines[block.clone()], "uri", &uri)?;
        match now {
            Some(r) => set_block_value(&mut lines[block], "sha256", &quoted(&r.sha256))?,
            None if version_changed => set_block_value(&mut lines[block], "sha256", &quoted(UNRECORDED))?,
            None => {}
        }
        seen.push((os, arch));
    }
    if let Some(r) = recorded
        .iter()
        .find(|r| !seen.contains(&(r.platform.os.to_string(), r.platform.arch.to_string())))
    {
        bail!(
            "{FILE} has no platform {}/{} for {}",
            r.platform.os,
            r.platform.arch,
            r.platform.triple
        );
    }
    Ok(lines.join("\n") + "\n")
}

/// Platforms whose sha256 is still [`UNRECORDED`], as `os/arch`.
pub fn unrecorded(text: &str) -> Result<Vec<String>> {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut missing = Vec::new();
    for block in platform_blocks(&lines)? {
        let block = &lines[block];
        if block_value(block, "sha256")? == UNRECORDED {
            missing.push(format!(
                "{}/{}",
                block_value(block, "os")?,
                block_value(block, "arch")?
            ));
        }
    }
    Ok(missing)
}

/// The indentation of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The line index of `key:` directly under `spec:`.
fn spec_line(lines: &[String], key: &str) -> Result<usize> {
    let spec = lines
        .iter()
        .position(|l| l == "spec:")
        .ok_or_else(|| anyhow!("{FILE} has no spec:"))?;
    let child = lines[spec + 1..]
        .iter()
        .find(|l| !l.trim().is_empty())
        .map_or(2, |l| indent(l));
    lines[spec + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) >= child)
        .position(|l| indent(l) == child && l.trim_start().starts_with(&format!("{key}:")))
        .map(|at| spec + 1 + at)
        .ok_or_else(|| anyhow!("{FILE} has no spec.{key}"))
}

fn scalar(lines: &[String], key: &str) -> Result<String> {
    let line = &lines[spec_line(lines, key)?];
    Ok(value_of(line, key))
}

fn set_scalar(lines: &mut [String], key: &str, value: &str) -> Result<()> {
    let at = spec_line(lines, key)?;
    lines[at] = format!("{}{key}: {value}", " ".repeat(indent(&lines[at])));
    Ok(())
}

/// The value after `key:` on a line, unquoted.
fn value_of(line: &str, key: &str) -> String {
    let rest = line.trim_start().trim_start_matches("- ");
    let value = rest[key.len() + 1..].trim();
    value.trim_matches('"').trim_matches('\'').to_string()
}

/// The line ranges of the items of `spec.platforms`.
fn platform_blocks(lines: &[String]) -> Result<Vec<std::ops::Range<usize>>> {
    let start = spec_line(lines, "platforms")? + 1;
    let item = lines[start..]
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map(|l| indent(l))
        .ok_or_else(|| anyhow!("{FILE} has no platforms"))?;
    let end = lines[start..]
        .iter()
        .position(|l| !l.trim().is_empty() && indent(l) < item)
        .map_or(lines.len(), |at| start + at);
    let starts: Vec<usize> = (start..end)
        .filter(|&i| indent(&lines[i]) == item && lines[i].trim_start().starts_with("- "))
        .collect();
    Ok(starts
        .iter()
        .enumerate()
        .map(|(n, &from)| from..starts.get(n + 1).copied().unwrap_or(end))
        .collect())
}

/// The line of `key:` in a platform block (at any depth, first one).
fn block_line(block: &[String], key: &str) -> Result<usize> {
    block
        .iter()
        .position(|l| {
            l.trim_start()
                .trim_start_matches("- ")
                .starts_with(&format!("{key}:"))
        })
        .ok_or_else(|| anyhow!("a platform in {FILE} has no {key}: line"))
}

fn block_value(block: &[String], key: &str) -> Result<String> {
    Ok(value_of(&block[block_line(block, key)?], key))
}

fn set_block_value(block: &mut [String], key: &str, value: &str) -> Result<()> {
    let at = block_line(block, key)?;
    let line = &block[at];
    let head = &line[..line.find(&format!("{key}:")).expect("found above")];
    block[at] = format!("{head}{key}: {value}");
    Ok(())
}

/// A YAML string in double quotes, so that a hash of digits is never read as a number.
fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

/// The target triple an archive uri names.
fn triple_of_uri(uri: &str) -> Result<String> {
    let file = uri.rsplit('/').next().unwrap_or(uri);
    Ok(Platform::of_archive(file)?.0.triple)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = include_str!("../../krew-manifest.yaml");

    fn recorded(triple: &str, digit: char) -> Recorded {
        Recorded {
            platform: Platform::from_triple(triple).unwrap(),
            sha256: digit.to_string().repeat(64),
        }
    }

    fn changed_lines(before: &str, after: &str) -> Vec<String> {
        before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .map(|(_, b)| b.trim().to_string())
            .collect()
    }

    #[test]
    fn same_version_changes_only_the_recorded_platform() {
        let version = scalar(
            &MANIFEST.lines().map(str::to_string).collect::<Vec<_>>(),
            "version",
        )
        .unwrap();
        let version = version.trim_start_matches('v');
        let after = update(MANIFEST, version, &[recorded("aarch64-apple-darwin", 'a')]).unwrap();
        assert_eq!(after.lines().count(), MANIFEST.lines().count());
        let changed = changed_lines(MANIFEST, &after);
        assert!(changed.len() <= 2, "{changed:?}");
        assert!(after.contains(&format!("sha256: \"{}\"", "a".repeat(64))));
        assert_eq!(update(&after, version, &[]).unwrap(), after, "idempotent");
    }

    #[test]
    fn a_new_version_moves_every_uri_and_forgets_old_hashes() {
        let after = update(MANIFEST, "9.8.7", &[recorded("x86_64-unknown-linux-gnu", 'b')]).unwrap();
        assert!(after.contains("\n  version: v9.8.7\n"), "{after}");
        let uris: Vec<&str> = after
            .lines()
            .filter(|l| l.trim_start().starts_with("uri:"))
            .collect();
        assert_eq!(uris.len(), 5);
        assert!(
            uris.iter().all(|u| u.contains("/v9.8.7/kubectl-sts-v9.8.7-")),
            "{uris:?}"
        );
        assert_eq!(
            unrecorded(&after).unwrap(),
            ["linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"]
        );
        let linux = after.find("-x86_64-unknown-linux-gnu.tar.gz").unwrap();
        assert!(
            after[linux..]
                .trim_start_matches(|c| c != '\n')
                .trim_start()
                .starts_with(&format!("sha256: \"{}\"", "b".repeat(64)))
        );
    }

    #[test]
    fn an_archive_of_an_unknown_platform_is_refused() {
        let err = update(MANIFEST, "0.1.0", &[recorded("aarch64-pc-windows-msvc", 'c')]).unwrap_err();
        assert!(err.to_string().contains("no platform windows/arm64"), "{err}");
    }
}
