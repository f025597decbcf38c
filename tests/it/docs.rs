//! The documentation's relative links resolve: every `[text](path)` and `[text](path#anchor)`
//! (and `[label]: path` definition) in the repository's Markdown names a file or directory of
//! the repository that exists, and each `#anchor` in a Markdown file names one of its headings
//! as GitHub slugs them (lowercase, spaces to `-`, punctuation other than `-` and `_` dropped,
//! `-1`, `-2` … for repeats). Links with a scheme (`https:`, `mailto:`) are not followed; code
//! blocks and code spans are not read for links.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Directories never searched for Markdown: build output, git's own, and third-party code.
const SKIPPED_DIRS: [&str; 5] = ["target", ".git", "node_modules", "vendor", "third_party"];

#[test]
fn relative_links_in_the_markdown_resolve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = markdown_files(root);
    assert!(
        files.iter().any(|f| f.ends_with("README.md")),
        "no README.md found under {}",
        root.display()
    );
    let broken = broken_links(root, &files);
    assert!(
        broken.is_empty(),
        "{} broken link(s) in the Markdown of the repository:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn a_missing_file_or_heading_is_reported_with_its_file_and_line() {
    let root = std::env::temp_dir().join(format!("kubectl-sts-docs-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "README.md",
        "# Tool\n\nSee [the guide](docs/guide.md#the-flow-step-by-step), [gone](docs/gone.md),\n\
         [a heading that is not there](docs/guide.md#nowhere) and [up](../outside.md).\n\n\
         ```sh\n[not a link](in-a-code-block.md)\n```\n\n\
         `[not a link](in/a/code/span.md)`, [web](https://example.com/x.md), [here](#tool)\n\n\
         [ref]: docs/missing-too.md\n",
    );
    write(
        "docs/guide.md",
        "# Guide\n\n## The flow, step by step\n\n## `scale NAME`\n\n## Flow\n\n## Flow\n\n\
         [back](../README.md#tool), [scale](#scale-name), [twice](#flow-1), [code](../src/main.rs#L3)\n",
    );
    write("src/main.rs", "fn main() {}\n");
    write("target/debug/skipped.md", "[skipped](nowhere.md)\n");
    let files = markdown_files(&root);
    let broken = broken_links(&root, &files);
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(
        broken,
        [
            "README.md:3: (docs/gone.md) no such file: docs/gone.md",
            "README.md:4: (../outside.md) leads outside the repository",
            "README.md:4: (docs/guide.md#nowhere) docs/guide.md has no heading #nowhere",
            "README.md:12: (docs/missing-too.md) no such file: docs/missing-too.md",
        ]
    );
}

#[test]
fn headings_are_slugged_as_github_slugs_them() {
    assert_eq!(slug("Install"), "install");
    assert_eq!(slug("`scale NAME --replicas N`"), "scale-name---replicas-n");
    assert_eq!(
        slug("Many clusters: `--contexts a,b,c`"),
        "many-clusters---contexts-abc"
    );
    assert_eq!(
        slug("Faults, a read-only user_name"),
        "faults-a-read-only-user_name"
    );
    assert_eq!(slug("Waits … on large sets"), "waits--on-large-sets");
    assert_eq!(slug("See [the guide](x.md)"), "see-the-guide");
}

/// Every Markdown file under `root`, relative to it, sorted.
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                if !SKIPPED_DIRS.iter().any(|s| entry.file_name() == *s) {
                    walk(root, &path, out);
                }
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "md") {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// `file:line: (target) why` for each link of `files` that does not resolve.
fn broken_links(root: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut anchors: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut broken = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        for (line, target) in links(&text) {
            if let Err(why) = check(root, file, &target, &mut anchors) {
                broken.push(format!("{}:{line}: ({target}) {why}", shown(file)));
            }
        }
    }
    broken
}

/// Whether one link of `file` resolves.
fn check(
    root: &Path,
    file: &Path,
    target: &str,
    anchors: &mut BTreeMap<PathBuf, BTreeSet<String>>,
) -> Result<(), String> {
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let path = percent_decoded(path);
    let resolved = if path.is_empty() {
        file.to_path_buf()
    } else if let Some(from_root) = path.strip_prefix('/') {
        normalized(Path::new(from_root)).ok_or("leads outside the repository")?
    } else {
        let dir = file.parent().unwrap_or(Path::new(""));
        normalized(&dir.join(&path)).ok_or("leads outside the repository")?
    };
    let on_disk = root.join(&resolved);
    if !on_disk.exists() {
        return Err(format!("no such file: {}", shown(&resolved)));
    }
    if anchor.is_empty() {
        return Ok(());
    }
    if on_disk.is_dir() {
        return Err(format!("#{anchor} on a directory: {}", shown(&resolved)));
    }
    if resolved.extension().is_none_or(|e| e != "md") {
        return Ok(()); // `src/main.rs#L3`: a line of a source file, not a heading
    }
    let headings = anchors
        .entry(resolved.clone())
        .or_insert_with(|| headings(&std::fs::read_to_string(&on_disk).unwrap_or_default()));
    let anchor = percent_decoded(anchor);
    if headings.contains(&anchor) {
        Ok(())
    } else {
        Err(format!("{} has no heading #{anchor}", shown(&resolved)))
    }
}

/// `path` without `.` and `..` components, or None if it climbs above its start.
fn normalized(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(part) => out.push(part),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The lines of `text` outside fenced code blocks (those inside, fences included, emptied).
fn prose_lines(text: &str) -> Vec<String> {
    let mut fence: Option<(char, usize)> = None;
    let mut out = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|c| *c == m).count());
        match (fence, marker) {
            (None, Some(m)) if run >= 3 => {
                fence = Some((m, run));
                out.push(String::new());
            }
            (Some((m, open)), Some(c)) if c == m && run >= open && trimmed[run..].trim().is_empty() => {
                fence = None;
                out.push(String::new());
            }
            (Some(_), _) => out.push(String::new()),
            (None, _) => out.push(line.to_string()),
        }
    }
    out
}

/// The prose of `text` with the inside of every code span blanked out (newlines kept), so that
/// what looks like a link in code is not taken for one. A span ends at a backtick run of the
/// same length, within its paragraph.
fn without_code_spans(prose: &str) -> String {
    let chars: Vec<char> = prose.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '\n' && chars.get(j + 1) == Some(&'\n') {
                break; // a blank line ends the paragraph
            }
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|c| **c == '`').count();
                if other == run {
                    close = Some(j);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                for c in &mut out[i + run..end] {
                    if *c != '\n' {
                        *c = ' ';
                    }
                }
                i = end + run;
            }
            None => i += run,
        }
    }
    out.into_iter().collect()
}

/// Each link target of `text` with the line it is on: inline links and images
/// (`[text](target "title")`, `[text](<target>)`) and reference definitions (`[label]: target`).
fn links(text: &str) -> Vec<(usize, String)> {
    let prose = without_code_spans(&prose_lines(text).join("\n"));
    let chars: Vec<char> = prose.chars().collect();
    let line_of = |at: usize| chars[..at].iter().filter(|c| **c == '\n').count() + 1;
    let mut out = Vec::new();
    for at in 0..chars.len().saturating_sub(1) {
        if chars[at] == ']'
            && chars[at + 1] == '('
            && opens_link_text(&chars, at)
            && let Some(target) = destination(&chars[at + 2..])
        {
            out.push((line_of(at), target));
        }
    }
    for (n, line) in prose.lines().enumerate() {
        let trimmed = line.trim_start();
        if line.len() - trimmed.len() > 3 || !trimmed.starts_with('[') || trimmed.starts_with("[^") {
            continue;
        }
        if let Some((_, rest)) = trimmed.split_once("]:")
            && let Some(target) = rest.split_whitespace().next()
        {
            out.push((
                n + 1,
                target.trim_start_matches('<').trim_end_matches('>').to_string(),
            ));
        }
    }
    out.sort();
    out.retain(|(_, target)| !target.is_empty() && !has_scheme(target));
    out
}

/// Whether the `]` at `close` ends a link text: a matching `[` before it in its paragraph.
fn opens_link_text(chars: &[char], close: usize) -> bool {
    let mut depth = 0;
    let mut i = close;
    while i > 0 {
        i -= 1;
        match chars[i] {
            ']' => depth += 1,
            '[' if depth == 0 => return i == 0 || chars[i - 1] != '\\',
            '[' => depth -= 1,
            '\n' if i > 0 && chars[i - 1] == '\n' => return false,
            _ => {}
        }
    }
    false
}

/// The destination at the start of `rest` (just after `](`), without its title.
fn destination(rest: &[char]) -> Option<String> {
    let rest: Vec<char> = rest.iter().copied().skip_while(|c| *c == ' ').collect();
    if rest.first() == Some(&'<') {
        let end = rest.iter().position(|c| *c == '>')?;
        return Some(rest[1..end].iter().collect());
    }
    let mut depth = 0;
    let mut out = String::new();
    for c in rest {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(out),
            ')' => depth -= 1,
            c if c.is_whitespace() => return Some(out),
            _ => {}
        }
        out.push(c);
    }
    None
}

/// `https:`, `mailto:` and any other scheme: not a path of the repository.
fn has_scheme(target: &str) -> bool {
    let Some((scheme, _)) = target.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// The anchors of a Markdown file: its ATX headings (`## Title`) outside code blocks, slugged,
/// repeats numbered; and `<a name="…">` / `id="…"` anchors written as HTML.
fn headings(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for line in prose_lines(text) {
        for key in ["name=\"", "id=\""].into_iter().filter(|_| line.contains("<a ")) {
            for (at, _) in line.match_indices(key) {
                if let Some((anchor, _)) = line[at + key.len()..].split_once('"') {
                    out.insert(anchor.to_string());
                }
            }
        }
        let trimmed = line.trim_start();
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        if line.len() - trimmed.len() > 3 || !(1..=6).contains(&level) {
            continue;
        }
        let title = &trimmed[level..];
        if !(title.is_empty() || title.starts_with(' ') || title.starts_with('\t')) {
            continue;
        }
        let title = title.trim().trim_end_matches('#').trim_end();
        let base = slug(title);
        let count = seen.entry(base.clone()).or_insert(0);
        out.insert(if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        });
        *count += 1;
    }
    out
}

/// The anchor GitHub gives a heading: its text (link targets dropped) lowercased, each space a
/// `-`, and every character that is not a letter, a digit, `-` or `_` dropped.
fn slug(title: &str) -> String {
    let mut text = String::new();
    let mut rest = title;
    while let Some(at) = rest.find("](") {
        text.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        rest = after.find(')').map_or("", |end| &after[end + 1..]);
    }
    text.push_str(rest);
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}
