//! Rewrites krew-manifest.yaml in place, line by line, so that its hand-written parts
//! (description, caveats, comments, and the blocks of the platforms it lists) stay as they
//! are. It writes `spec.version`, each recorded platform's `uri` and `sha256`, and adds or
//! drops whole platform blocks: the manifest lists exactly the platforms whose archive of the
//! current version has been recorded. The structure is checked by the root package's
//! tests/it/krew.rs.

use std::ops::Range;

use anyhow::{Result, anyhow, bail};

use crate::platform::{Platform, rank, supported};

/// The file, relative to the workspace root.
pub const FILE: &str = "krew-manifest.yaml";

/// An archive to record: its platform and sha256.
pub struct Recorded {
    pub platform: Platform,
    pub sha256: String,
}

/// One item of `spec.platforms`: its selector's `os` and `arch`, and its lines as written.
struct Block {
    os: String,
    arch: String,
    lines: Vec<String>,
}

/// Where the items of `spec.platforms` lie, and how far they are indented.
struct Section {
    items: Range<usize>,
    indent: usize,
}

/// The manifest text with `version` (without the `v`) and the recorded archives written in.
/// A recorded platform the manifest does not list yet gets a block of its own, in the order of
/// [`SUPPORTED`](crate::platform::SUPPORTED). On a version change the platforms not recorded
/// now are dropped, since their archives are of another version; on the same version they stay
/// as they are.
pub fn update(text: &str, version: &str, recorded: &[Recorded]) -> Result<String> {
    check_recorded(recorded)?;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let homepage = scalar(&lines, "homepage")?;
    let tag = format!("v{version}");
    let version_changed = scalar(&lines, "version")? != tag;
    set_scalar(&mut lines, "version", &tag)?;
    let section = section(&lines)?;
    let mut blocks = blocks(&lines, &section)?;
    if version_changed {
        blocks.retain(|b| recorded.iter().any(|r| b.is(&r.platform)));
    }
    for r in recorded {
        let uri = format!(
            "{homepage}/releases/download/{tag}/{}",
            r.platform.archive(version)
        );
        let sha256 = quoted(&r.sha256);
        match blocks.iter_mut().find(|b| b.is(&r.platform)) {
            Some(block) => {
                set_block_value(&mut block.lines, "uri", &uri)?;
                set_block_value(&mut block.lines, "sha256", &sha256)?;
            }
            None => blocks.push(Block::new(&r.platform, &uri, &sha256, section.indent)),
        }
    }
    blocks.sort_by_key(|b| rank(&b.os, &b.arch));
    lines.splice(section.items, blocks.into_iter().flat_map(|b| b.lines));
    Ok(lines.join(eol) + eol)
}

/// The platforms the manifest lists, as `os/arch`, in its order.
pub fn listed(text: &str) -> Result<Vec<String>> {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let blocks = blocks(&lines, &section(&lines)?)?;
    Ok(blocks.iter().map(|b| format!("{}/{}", b.os, b.arch)).collect())
}

/// Refuses archives of a platform a release does not ship, and two archives of one platform.
fn check_recorded(recorded: &[Recorded]) -> Result<()> {
    for (n, r) in recorded.iter().enumerate() {
        let p = &r.platform;
        p.check_shipped()?;
        if let Some(other) = recorded[..n].iter().find(|o| o.platform.label() == p.label()) {
            bail!(
                "two archives for {}: {} and {}",
                p.label(),
                other.platform.triple,
                p.triple
            );
        }
    }
    Ok(())
}

impl Block {
    /// A new platform block, in the shape of the hand-written ones.
    fn new(platform: &Platform, uri: &str, sha256: &str, indent: usize) -> Block {
        let bin = platform.binary();
        let lines = [
            "- selector:".to_string(),
            "    matchLabels:".to_string(),
            format!("      os: {}", platform.os),
            format!("      arch: {}", platform.arch),
            format!("  uri: {uri}"),
            format!("  sha256: {sha256}"),
            "  files:".to_string(),
            format!("  - from: {bin}"),
            "    to: .".to_string(),
            "  - from: LICENSE".to_string(),
            "    to: .".to_string(),
            format!("  bin: {bin}"),
        ];
        Block {
            os: platform.os.to_string(),
            arch: platform.arch.to_string(),
            lines: lines.map(|l| format!("{}{l}", " ".repeat(indent))).to_vec(),
        }
    }

    /// Whether the block selects `platform`.
    fn is(&self, platform: &Platform) -> bool {
        self.os == platform.os && self.arch == platform.arch
    }
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

/// Whether a line starts a list item.
fn is_item(line: &str) -> bool {
    let item = line.trim_start();
    item.starts_with("- ") || item == "-"
}

/// The items of `spec.platforms`: from its first `- ` line up to the first line that is
/// indented less, or as much without being an item. Empty (right after the key) if it has none.
fn section(lines: &[String]) -> Result<Section> {
    let key = spec_line(lines, "platforms")?;
    if !value_of(&lines[key], "platforms").is_empty() {
        bail!("{FILE}: write spec.platforms as a block list, one `- selector:` item per platform");
    }
    let first = (key + 1..lines.len()).find(|&i| !lines[i].trim().is_empty());
    let (start, item) = match first {
        Some(i) if is_item(&lines[i]) && indent(&lines[i]) >= indent(&lines[key]) => (i, indent(&lines[i])),
        Some(i) if indent(&lines[i]) > indent(&lines[key]) => {
            bail!(
                "{FILE}: spec.platforms holds a line that is no `- ` item: {}",
                lines[i].trim()
            )
        }
        _ => {
            return Ok(Section {
                items: key + 1..key + 1,
                indent: indent(&lines[key]),
            });
        }
    };
    let end = (start..lines.len())
        .find(|&i| {
            let line = &lines[i];
            !line.trim().is_empty() && (indent(line) < item || (indent(line) == item && !is_item(line)))
        })
        .unwrap_or(lines.len());
    Ok(Section {
        items: start..end,
        indent: item,
    })
}

/// The platform blocks of the section, refusing a platform a release does not ship and a
/// platform listed twice.
fn blocks(lines: &[String], section: &Section) -> Result<Vec<Block>> {
    let starts: Vec<usize> = section
        .items
        .clone()
        .filter(|&i| indent(&lines[i]) == section.indent && is_item(&lines[i]))
        .collect();
    let mut blocks: Vec<Block> = Vec::new();
    for (n, &from) in starts.iter().enumerate() {
        let to = starts.get(n + 1).copied().unwrap_or(section.items.end);
        let block = lines[from..to].to_vec();
        let (os, arch) = (block_value(&block, "os")?, block_value(&block, "arch")?);
        if rank(&os, &arch).is_none() {
            bail!(
                "{FILE} lists {os}/{arch}, but a release ships {}",
                supported().join(", ")
            );
        }
        if blocks.iter().any(|b| b.os == os && b.arch == arch) {
            bail!("{FILE} lists {os}/{arch} twice");
        }
        blocks.push(Block {
            os,
            arch,
            lines: block,
        });
    }
    Ok(blocks)
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

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    /// The committed manifest, with `\n` line ends even in a checkout with `\r\n` ones.
    static MANIFEST: LazyLock<String> =
        LazyLock::new(|| include_str!("../../krew-manifest.yaml").replace("\r\n", "\n"));

    fn recorded(triple: &str, digit: char) -> Recorded {
        Recorded {
            platform: Platform::from_triple(triple).unwrap(),
            sha256: digit.to_string().repeat(64),
        }
    }

    /// The committed manifest's version, without the `v`.
    fn version() -> String {
        let lines: Vec<String> = MANIFEST.lines().map(str::to_string).collect();
        scalar(&lines, "version")
            .unwrap()
            .trim_start_matches('v')
            .to_string()
    }

    /// The committed manifest with archives of every supported platform recorded.
    fn all_five() -> String {
        let triples = [
            "x86_64-unknown-linux-gnu",
            "aarch64-unknown-linux-gnu",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc",
        ];
        let five: Vec<Recorded> = triples.iter().map(|t| recorded(t, 'e')).collect();
        update(&MANIFEST, &version(), &five).unwrap()
    }

    #[test]
    fn the_committed_manifest_lists_only_linux_amd64() {
        assert_eq!(listed(&MANIFEST).unwrap(), ["linux/amd64"]);
    }

    #[test]
    fn recording_a_new_platform_adds_its_block_in_order_and_keeps_the_rest() {
        let now = [
            recorded("x86_64-pc-windows-msvc", 'a'),
            recorded("aarch64-unknown-linux-gnu", 'b'),
        ];
        let after = update(&MANIFEST, &version(), &now).unwrap();
        assert_eq!(
            listed(&after).unwrap(),
            ["linux/amd64", "linux/arm64", "windows/amd64"]
        );
        assert!(
            after.starts_with(MANIFEST.as_str()),
            "everything written before stays:\n{after}"
        );
        let windows = &after[after.find("os: windows").unwrap()..];
        for line in [
            format!("sha256: \"{}\"", "a".repeat(64)),
            "- from: kubectl-sts.exe".to_string(),
            "bin: kubectl-sts.exe".to_string(),
            format!(
                "/releases/download/v{0}/kubectl-sts-v{0}-x86_64-pc-windows-msvc.tar.gz",
                version()
            ),
        ] {
            assert!(windows.contains(&line), "{line} in\n{windows}");
        }
        assert_eq!(update(&after, &version(), &now).unwrap(), after, "idempotent");
        assert_eq!(
            update(&after, &version(), &[]).unwrap(),
            after,
            "nothing recorded, nothing changes"
        );
    }

    #[test]
    fn an_added_block_has_the_shape_of_the_hand_written_one() {
        let line = MANIFEST
            .lines()
            .find(|l| l.trim_start().starts_with("sha256:"))
            .unwrap();
        let sha256 = value_of(line, "sha256");
        let other = update(&MANIFEST, "9.9.9", &[recorded("aarch64-apple-darwin", 'd')]).unwrap();
        assert_eq!(listed(&other).unwrap(), ["darwin/arm64"]);
        let linux = Recorded {
            platform: Platform::from_triple("x86_64-unknown-linux-gnu").unwrap(),
            sha256,
        };
        assert_eq!(update(&other, &version(), &[linux]).unwrap(), *MANIFEST);
    }

    #[test]
    fn a_new_version_drops_the_platforms_not_recorded_in_that_run() {
        let after = update(
            &all_five(),
            "9.8.7",
            &[
                recorded("aarch64-apple-darwin", 'b'),
                recorded("x86_64-unknown-linux-gnu", 'c'),
            ],
        )
        .unwrap();
        assert!(after.contains("\n  version: v9.8.7\n"), "{after}");
        assert_eq!(listed(&after).unwrap(), ["linux/amd64", "darwin/arm64"]);
        let uris: Vec<&str> = after
            .lines()
            .filter(|l| l.trim_start().starts_with("uri:"))
            .collect();
        assert_eq!(uris.len(), 2);
        assert!(
            uris.iter().all(|u| u.contains("/v9.8.7/kubectl-sts-v9.8.7-")),
            "{uris:?}"
        );
        let sums: Vec<&str> = after
            .lines()
            .filter(|l| l.trim_start().starts_with("sha256:"))
            .collect();
        assert_eq!(
            sums,
            [
                format!("    sha256: \"{}\"", "c".repeat(64)),
                format!("    sha256: \"{}\"", "b".repeat(64))
            ]
        );
        let (head, _) = after.split_once("  platforms:").unwrap();
        let (committed, _) = MANIFEST.split_once("  platforms:").unwrap();
        assert_eq!(
            head.replace("v9.8.7", "VERSION"),
            committed.replace(&format!("v{}", version()), "VERSION")
        );
    }

    #[test]
    fn the_same_version_keeps_the_platforms_not_recorded_now() {
        let five = all_five();
        assert_eq!(listed(&five).unwrap().len(), 5);
        let after = update(&five, &version(), &[recorded("x86_64-apple-darwin", 'f')]).unwrap();
        assert_eq!(listed(&after).unwrap(), listed(&five).unwrap());
        assert_eq!(after.matches(&"e".repeat(64)).count(), 4);
        assert_eq!(after.matches(&"f".repeat(64)).count(), 1);
    }

    #[test]
    fn archives_of_an_unknown_platform_or_twice_the_same_are_refused() {
        let err = update(&MANIFEST, &version(), &[recorded("aarch64-pc-windows-msvc", 'c')]).unwrap_err();
        assert!(
            err.to_string()
                .contains("windows/arm64 (aarch64-pc-windows-msvc) is not a platform"),
            "{err}"
        );
        let twice = [
            recorded("x86_64-unknown-linux-gnu", 'a'),
            recorded("x86_64-unknown-linux-musl", 'b'),
        ];
        let err = update(&MANIFEST, &version(), &twice).unwrap_err();
        assert!(err.to_string().contains("two archives for linux/amd64"), "{err}");
        let listed_twice = MANIFEST.replace(
            "  platforms:\n",
            &format!(
                "  platforms:\n{}",
                &MANIFEST[MANIFEST.find("  - selector:").unwrap()..]
            ),
        );
        let err = update(&listed_twice, &version(), &[]).unwrap_err();
        assert!(err.to_string().contains("lists linux/amd64 twice"), "{err}");
    }

    #[test]
    fn a_key_after_the_platforms_and_crlf_line_ends_are_kept() {
        let (head, platforms) = MANIFEST.split_once("  platforms:\n").unwrap();
        let (head, caveats) = head.split_once("  caveats: |\n").unwrap();
        let moved = format!("{head}  platforms:\n{platforms}  caveats: |\n{caveats}").replace('\n', "\r\n");
        let after = update(&moved, &version(), &[recorded("aarch64-apple-darwin", 'a')]).unwrap();
        assert!(
            after.ends_with(&format!("  caveats: |\r\n{}", caveats.replace('\n', "\r\n"))),
            "{after}"
        );
        assert_eq!(after.matches('\n').count(), after.matches("\r\n").count());
        assert_eq!(listed(&after).unwrap(), ["linux/amd64", "darwin/arm64"]);
    }

    #[test]
    fn an_empty_platform_list_gets_its_first_block() {
        let start = MANIFEST.find("  - selector:").unwrap();
        let empty = &MANIFEST[..start];
        assert!(listed(empty).unwrap().is_empty());
        let after = update(empty, &version(), &[recorded("x86_64-pc-windows-msvc", 'a')]).unwrap();
        assert_eq!(listed(&after).unwrap(), ["windows/amd64"]);
        assert!(
            after.contains("\n  platforms:\n  - selector:\n      matchLabels:\n"),
            "{after}"
        );
    }
}
