//! The module graph of `src/` has no cycle. Every path a module names (`use` trees,
//! `crate::`/`super::`/`self::` paths in code, and paths through a module it imported) is an
//! edge to the deepest module it reaches; an edge is judged between the two children of the
//! modules' closest common ancestor (`model::diagnosis::why::set_level` naming
//! `model::rollout::progressive` is the edge `diagnosis -> rollout` inside `model`), so a cycle
//! through any depth shows, while a module and its own descendants may name each other.
//! Test-only code (`#[cfg(test)]` items and modules) is left out: nothing depends on it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module path below the crate root, `["model", "set", "health"]`.
type ModPath = Vec<String>;

/// One file of the crate, as its module path and its code.
struct Source {
    module: ModPath,
    file: String,
    code: String,
}

/// A named path, with where it was named.
struct Reference {
    from: ModPath,
    to: ModPath,
    at: String,
}

#[test]
fn src_module_graph_has_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources = read_sources(&src);
    assert!(
        sources.iter().any(|s| s.module == ["model", "set"]),
        "the walk of src/ found no model::set: {} files",
        sources.len()
    );
    let cycles = find_cycles(&edges(&sources));
    assert!(
        cycles.is_empty(),
        "import cycles among src/ modules (each edge with where it is named):\n{}",
        cycles.join("\n")
    );
}

#[test]
fn a_cycle_through_a_submodule_is_found() {
    let source = |module: &[&str], code: &str| Source {
        module: module.iter().map(|s| s.to_string()).collect(),
        file: format!("{}.rs", module.join("/")),
        code: code.to_string(),
    };
    let sources = [
        source(&["model"], "pub mod a; pub mod b;"),
        source(
            &["model", "a"],
            "pub mod deep;\n#[cfg(test)]\nmod tests { use crate::model::b; }",
        ),
        source(&["model", "a", "deep"], "use crate::model::{b::{self, x as y}};"),
        source(
            &["model", "b"],
            "use super::a;\nfn f() { a::deep::g(); } // crate::model::c",
        ),
    ];
    let found = cycles(&sources);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("model::a -> model::b"), "{}", found[0]);
    assert!(found[0].contains("model/a/deep.rs:1"), "{}", found[0]);
    assert!(found[0].contains("model::b -> model::a"), "{}", found[0]);

    let without_back_edge = [
        source(&["model"], "pub mod a; pub mod b;"),
        source(&["model", "a"], "pub mod deep; use crate::model::b;"),
        source(&["model", "a", "deep"], "use super::super::b; use super::*;"),
        source(
            &["model", "b"],
            "#[cfg(test)]\nuse crate::model::a;\nconst S: &str = \"crate::model::a\";",
        ),
    ];
    assert_eq!(cycles(&without_back_edge), Vec::<String>::new());
}

/// The modules of `src/model/`, lowest first, as its `//!` says (`refusal`, the vocabulary of
/// every plan, then the domains): each may name only those before it.
const MODEL_LAYERS: [&str; 9] = [
    "refusal",
    "set",
    "flow",
    "storage",
    "dns",
    "rollout",
    "scale",
    "change",
    "diagnosis",
];

#[test]
fn model_domains_depend_only_on_lower_ones() {
    let sources = read_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let domains: BTreeSet<&str> = sources
        .iter()
        .filter(|s| s.module.len() >= 2 && s.module[0] == "model")
        .map(|s| s.module[1].as_str())
        .collect();
    assert_eq!(
        domains,
        MODEL_LAYERS.into_iter().collect(),
        "src/model/ and MODEL_LAYERS differ"
    );
    let layer = |module: &ModPath| {
        MODEL_LAYERS
            .iter()
            .position(|d| module.len() == 2 && module[0] == "model" && module[1] == *d)
    };
    let upward: Vec<String> = edges(&sources)
        .iter()
        .filter(|((from, to), _)| matches!((layer(from), layer(to)), (Some(a), Some(b)) if b >= a))
        .map(|((from, to), at)| format!("  {} -> {} ({at})", from.join("::"), to.join("::")))
        .collect();
    assert!(
        upward.is_empty(),
        "model domains naming a domain above them:\n{}",
        upward.join("\n")
    );
}

/// Every `.rs` file under `src`, with the module path its place gives it.
fn read_sources(src: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    collect_files(src, &mut files);
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(src).unwrap();
            let mut module: ModPath = relative
                .with_extension("")
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "main")) {
                module.pop();
            }
            Source {
                module,
                file: format!("src/{}", relative.display()),
                code: std::fs::read_to_string(&path).unwrap(),
            }
        })
        .collect()
}

fn collect_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Each cycle among sibling modules, as its edges with where each is named.
fn cycles(sources: &[Source]) -> Vec<String> {
    find_cycles(&edges(sources))
}

/// The graph: every edge between sibling modules, with where it is first named.
fn edges(sources: &[Source]) -> BTreeMap<(ModPath, ModPath), String> {
    let code: Vec<(&Source, String)> = sources.iter().map(|s| (s, strip(&s.code))).collect();
    let test_only: BTreeSet<ModPath> = code
        .iter()
        .flat_map(|(source, stripped)| {
            test_only_children(stripped)
                .into_iter()
                .map(|child| [source.module.clone(), vec![child]].concat())
        })
        .collect();
    let known: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges: BTreeMap<(ModPath, ModPath), String> = BTreeMap::new();
    for (source, stripped) in &code {
        if test_only.iter().any(|t| source.module.starts_with(t)) {
            continue;
        }
        for reference in references(source, &without_test_items(stripped), &known) {
            if let Some(edge) = between_siblings(&reference.from, &reference.to) {
                edges.entry(edge).or_insert(reference.at);
            }
        }
    }
    edges
}

/// Code with comments, string and char literals blanked (newlines kept, so lines still count).
fn strip(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < chars.len() {
        let rest = &chars[i..];
        if rest.starts_with(&['/', '/']) {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            let mut depth = 0;
            loop {
                if chars[i..].starts_with(&['/', '*']) {
                    depth += 1;
                } else if chars[i..].starts_with(&['*', '/']) {
                    depth -= 1;
                }
                let closing = chars[i..].starts_with(&['*', '/']) && depth == 0;
                blank(&mut out, chars[i]);
                i += 1;
                if closing {
                    blank(&mut out, chars[i]);
                    i += 1;
                    break;
                }
            }
        } else if chars[i] == '"' || (chars[i] == 'r' && matches!(rest.get(1), Some('"' | '#'))) {
            i = blank_string(&chars, i, &mut out);
        } else if chars[i] == '\'' && (rest.get(1) == Some(&'\\') || rest.get(2) == Some(&'\'')) {
            let end = (i + 2..chars.len()).find(|&j| chars[j] == '\'').unwrap();
            (i..=end).for_each(|j| blank(&mut out, chars[j]));
            i = end + 1;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Blanks the string literal (plain or raw) starting at `start`; returns the index after it.
fn blank_string(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut i = start;
    let raw = chars[i] == 'r';
    if raw {
        i += 1;
    }
    let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
    i += hashes + 1;
    loop {
        if !raw && chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|&c| c == '#') {
            i += 1 + hashes;
            break;
        }
        i += 1;
    }
    for &c in &chars[start..i] {
        out.push(if c == '\n' { '\n' } else { ' ' });
    }
    i
}

/// The children declared `#[cfg(test)] mod name;`.
fn test_only_children(code: &str) -> Vec<String> {
    test_items(code)
        .filter_map(|(start, end)| {
            let item = code[start..end].trim();
            let item = item
                .strip_prefix("pub(crate) ")
                .or_else(|| item.strip_prefix("pub "))
                .unwrap_or(item);
            let name = item.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_string())
        })
        .collect()
}

/// Code with every `#[cfg(test)]` item blanked.
fn without_test_items(code: &str) -> String {
    let mut out = code.to_string();
    for (start, end) in test_items(code).collect::<Vec<_>>() {
        let blanked: String = code[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blanked);
    }
    out
}

/// The byte ranges of the items that follow a `#[cfg(test)]`: to the first `;` outside
/// braces, or to the brace that closes the item's block.
fn test_items(code: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    code.match_indices("#[cfg(test)]").map(move |(at, attr)| {
        let start = at + attr.len();
        let mut depth = 0;
        for (offset, c) in code[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => return (start, start + offset + 1),
                '}' => depth -= 1,
                ';' if depth == 0 => return (start, start + offset + 1),
                _ => {}
            }
        }
        (start, code.len())
    })
}

/// Every module path `source` names: its `use` trees, and paths in its code that start with
/// `crate`, `super`, `self` or a module it imported.
fn references(source: &Source, code: &str, known: &BTreeSet<ModPath>) -> Vec<Reference> {
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut imported: BTreeMap<String, ModPath> = BTreeMap::new();
    let mut named = |path: &[String], offset: usize| {
        let (to, whole) = resolve(&source.module, path, known)?;
        found.push(Reference {
            from: source.module.clone(),
            to: to.clone(),
            at: format!("{}:{}", source.file, line_of(offset)),
        });
        whole.then_some(to)
    };
    for (offset, tree) in use_declarations(code) {
        for (path, binding) in expand_use_tree(&tokens(tree)) {
            if let (Some(module), Some(binding)) = (named(&path, offset), binding) {
                imported.insert(binding, module);
            }
        }
    }
    for (offset, path) in code_paths(code) {
        let through_import = imported
            .get(&path[0])
            .map(|module| [vec!["crate".to_string()], module.clone(), path[1..].to_vec()].concat());
        named(through_import.as_deref().unwrap_or(&path), offset);
    }
    found
}

/// Each `use` declaration's tree (the text between `use` and `;`), with its offset.
fn use_declarations(code: &str) -> impl Iterator<Item = (usize, &str)> {
    code.match_indices("use ").filter_map(move |(at, _)| {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let end = at + code[at..].find(';')?;
        Some((at, &code[at + 4..end]))
    })
}

/// Identifiers and the punctuation of a use tree: `::`, `{`, `}`, `,`, `*`.
fn tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
            continue;
        }
        if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".to_string());
            i += 1;
        } else if "{},*".contains(c) {
            tokens.push(c.to_string());
        }
        i += 1;
    }
    tokens
}

/// The full paths a use tree names, each with the name it binds (`a::{b, c as d, self}`;
/// none for a glob).
fn expand_use_tree(tokens: &[String]) -> Vec<(Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut at = 0;
    expand_into(tokens, &mut at, &[], &mut out);
    out
}

/// Expands one branch of a use tree from `tokens[*at]`, below `prefix`.
fn expand_into(
    tokens: &[String],
    at: &mut usize,
    prefix: &[String],
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    let mut path = prefix.to_vec();
    let mut binding = None;
    while let Some(token) = tokens.get(*at) {
        *at += 1;
        match token.as_str() {
            "::" | "self" => binding = path.last().cloned(),
            "{" => {
                while tokens.get(*at).is_some_and(|t| t != "}") {
                    expand_into(tokens, at, &path, out);
                    if tokens.get(*at).is_some_and(|t| t == ",") {
                        *at += 1;
                    }
                }
                *at += 1; // the closing brace
                return;
            }
            "*" => binding = None,
            "as" => {
                binding = tokens.get(*at).cloned();
                *at += 1;
            }
            "," | "}" => {
                *at -= 1;
                break;
            }
            segment => {
                path.push(segment.to_string());
                binding = Some(segment.to_string());
            }
        }
    }
    if !path.is_empty() {
        out.push((path, binding));
    }
}

/// Paths of two or more segments in code (`set::name`, `crate::fetch::x`), not inside a
/// longer path, with their offsets.
fn code_paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut paths = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let inside_longer = i > 0 && (is_ident(bytes[i - 1]) || bytes[..i].ends_with(b"::"));
        let starts_here = is_ident(bytes[i]) && !inside_longer;
        if !starts_here {
            i += 1;
            continue;
        }
        let start = i;
        let mut segments = Vec::new();
        loop {
            let begin = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            segments.push(code[begin..i].to_string());
            if bytes.get(i..i + 2) == Some(b"::") && bytes.get(i + 2).is_some_and(|&b| is_ident(b)) {
                i += 2;
            } else {
                break;
            }
        }
        if segments.len() > 1 {
            paths.push((start, segments));
        }
    }
    paths
}

/// The deepest known module `path` reaches from `from`, and whether that is the whole path;
/// None for paths outside the crate.
fn resolve(from: &[String], path: &[String], known: &BTreeSet<ModPath>) -> Option<(ModPath, bool)> {
    let mut base: ModPath = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "super" | "self" => from.to_vec(),
        _ => return None,
    };
    let mut rest = &path[1..];
    if path[0] == "super" {
        base.pop();
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
    }
    for segment in rest {
        let deeper = [base.clone(), vec![segment.clone()]].concat();
        if !known.contains(&deeper) {
            return Some((base, false));
        }
        base = deeper;
    }
    Some((base, true))
}

/// The edge between the two children of the modules' closest common ancestor, or None when
/// one module contains the other.
fn between_siblings(from: &[String], to: &[String]) -> Option<(ModPath, ModPath)> {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    if common == from.len() || common == to.len() {
        return None;
    }
    Some((from[..=common].to_vec(), to[..=common].to_vec()))
}

/// Each strongly connected group of modules, as one cycle through it: `a -> b (named at …)`
/// lines.
fn find_cycles(edges: &BTreeMap<(ModPath, ModPath), String>) -> Vec<String> {
    let mut next: BTreeMap<&ModPath, Vec<&ModPath>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
        next.entry(to).or_default();
    }
    let mut cycles = Vec::new();
    let mut seen: BTreeSet<&ModPath> = BTreeSet::new();
    for &start in next.keys() {
        if seen.contains(start) {
            continue;
        }
        if let Some(cycle) = shortest_cycle(start, &next) {
            seen.extend(cycle.iter().copied());
            cycles.push(describe(&cycle, edges));
        }
    }
    cycles
}

/// The shortest path from `start` back to itself, by breadth-first search.
fn shortest_cycle<'a>(
    start: &'a ModPath,
    next: &BTreeMap<&'a ModPath, Vec<&'a ModPath>>,
) -> Option<Vec<&'a ModPath>> {
    let mut came_from: BTreeMap<&ModPath, &ModPath> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &target in &next[node] {
            if target == start {
                let mut cycle = vec![node];
                while let Some(&previous) = came_from.get(cycle.last().unwrap()) {
                    cycle.push(previous);
                }
                cycle.reverse();
                return Some(cycle);
            }
            if !came_from.contains_key(target) {
                came_from.insert(target, node);
                queue.push_back(target);
            }
        }
    }
    None
}

/// A cycle's edges, each with where it is first named.
fn describe(members: &[&ModPath], edges: &BTreeMap<(ModPath, ModPath), String>) -> String {
    let lines: Vec<String> = (0..members.len())
        .map(|i| {
            let (from, to) = (members[i], members[(i + 1) % members.len()]);
            let at = &edges[&(from.clone(), to.clone())];
            format!("  {} -> {} ({at})", from.join("::"), to.join("::"))
        })
        .collect();
    format!("cycle:\n{}", lines.join("\n"))
}
