//! The krew plugin manifest (`krew-manifest.yaml`): the structure krew and the krew index
//! expect, platforms among the five a release ships that do not overlap, archive uris of the
//! current version, real sha256s (never a placeholder), and the binary and LICENSE in every
//! platform's files. `cargo xtask release`/`record` write the version and the platform blocks
//! of recorded archives; this checks what they wrote and what people wrote around it.

use std::collections::BTreeSet;

use serde_json::Value;

/// The platforms a release ships, in the order the xtask lists them.
const SUPPORTED_PLATFORMS: [(&str, &str); 5] = [
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];

fn manifest() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/krew-manifest.yaml");
    let text = std::fs::read_to_string(path).expect("krew-manifest.yaml is readable");
    serde_saphyr::from_str(&text).expect("krew-manifest.yaml is valid YAML")
}

fn text<'a>(doc: &'a Value, pointer: &str) -> &'a str {
    doc.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} is missing or not a string"))
}

fn platforms(doc: &Value) -> &Vec<Value> {
    doc.pointer("/spec/platforms")
        .and_then(Value::as_array)
        .expect("spec.platforms is a list")
}

/// A platform's `(os, arch)` from its selector, which must be exactly those two labels.
fn selector(platform: &Value) -> (String, String) {
    let selector = platform["selector"].as_object().expect("selector is a map");
    assert_eq!(
        selector.keys().collect::<Vec<_>>(),
        ["matchLabels"],
        "selector uses matchLabels only: {platform}"
    );
    let labels = selector["matchLabels"].as_object().expect("matchLabels is a map");
    let mut keys: Vec<&String> = labels.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["arch", "os"],
        "matchLabels has os and arch only: {platform}"
    );
    (
        labels["os"].as_str().unwrap().to_string(),
        labels["arch"].as_str().unwrap().to_string(),
    )
}

#[test]
fn names_and_descriptions() {
    let doc = manifest();
    assert_eq!(
        text(&doc, "/apiVersion"),
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(text(&doc, "/kind"), "Plugin");
    assert_eq!(
        text(&doc, "/metadata/name"),
        "sts",
        "the plugin runs as `kubectl sts`"
    );
    assert!(text(&doc, "/spec/homepage").starts_with("https://"));
    let short = text(&doc, "/spec/shortDescription");
    assert!(
        !short.is_empty() && short.len() <= 50 && !short.ends_with('.'),
        "{short:?}"
    );
    for field in ["/spec/description", "/spec/caveats"] {
        assert!(text(&doc, field).trim().len() > 40, "{field} says something");
    }
    assert!(
        text(&doc, "/spec/caveats").contains("kubectl_complete-sts"),
        "caveats tell how to enable completion"
    );
}

/// The subcommands `kubectl sts --help` lists (help, completion and man are not features).
fn subcommands() -> Vec<String> {
    let output = assert_cmd::Command::cargo_bin("kubectl-sts")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    let commands = help
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("Options:").next())
        .expect("--help lists its commands");
    commands
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| !["help", "completion", "man"].contains(name))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_description_names_every_command_so_it_cannot_go_stale() {
    let doc = manifest();
    let description = text(&doc, "/spec/description");
    let words: BTreeSet<&str> = description
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .collect();
    let commands = subcommands();
    assert!(commands.len() >= 15, "{commands:?}");
    let missing: Vec<&String> = commands.iter().filter(|c| !words.contains(c.as_str())).collect();
    assert!(missing.is_empty(), "krew's description does not name {missing:?}");
    for feature in ["--steps", "--all-contexts", "--pod-check"] {
        assert!(
            description.contains(feature),
            "krew's description does not name {feature}"
        );
    }
}

#[test]
fn version_is_the_packages() {
    let doc = manifest();
    assert_eq!(
        text(&doc, "/spec/version"),
        format!("v{}", env!("CARGO_PKG_VERSION")),
        "run `cargo xtask release` after changing the version in Cargo.toml"
    );
}

#[test]
fn platforms_are_supported_listed_once_in_order_and_include_linux_amd64() {
    let doc = manifest();
    let selectors: Vec<(String, String)> = platforms(&doc).iter().map(selector).collect();
    let distinct: BTreeSet<&(String, String)> = selectors.iter().collect();
    assert_eq!(
        distinct.len(),
        selectors.len(),
        "two platforms select the same os/arch: {selectors:?}"
    );
    let ranks: Vec<usize> = selectors
        .iter()
        .map(|(os, arch)| {
            SUPPORTED_PLATFORMS
                .iter()
                .position(|&(o, a)| o == os && a == arch)
                .unwrap_or_else(|| panic!("{os}/{arch} is not a platform a release ships"))
        })
        .collect();
    assert!(
        ranks.is_sorted(),
        "platforms are in the order the xtask writes them: {selectors:?}"
    );
    assert!(
        selectors.contains(&("linux".to_string(), "amd64".to_string())),
        "the committed manifest lists at least linux/amd64: {selectors:?}"
    );
}

#[test]
fn every_uri_is_an_archive_of_this_version_for_its_platform() {
    let doc = manifest();
    let version = text(&doc, "/spec/version");
    let homepage = text(&doc, "/spec/homepage");
    for platform in platforms(&doc) {
        let (os, arch) = selector(platform);
        let uri = platform["uri"].as_str().expect("uri");
        let prefix = format!("{homepage}/releases/download/{version}/kubectl-sts-{version}-");
        let triple = uri
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tar.gz"))
            .unwrap_or_else(|| panic!("{os}/{arch}: {uri} is not {prefix}TRIPLE.tar.gz"));
        let arch_part = match arch.as_str() {
            "amd64" => "x86_64-",
            _ => "aarch64-",
        };
        let os_part = match os.as_str() {
            "linux" => "-linux-",
            "darwin" => "-apple-darwin",
            _ => "-windows-",
        };
        assert!(
            triple.starts_with(arch_part) && format!("{triple}-").contains(os_part),
            "{os}/{arch} downloads a {triple} build"
        );
    }
}

#[test]
fn sha256s_are_64_lowercase_hex_digits_and_never_zeros() {
    let doc = manifest();
    for platform in platforms(&doc) {
        let sha = platform["sha256"]
            .as_str()
            .expect("sha256 is a string (quote it)");
        assert!(
            sha.len() == 64
                && sha
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{:?}: sha256 {sha:?}",
            selector(platform)
        );
        assert!(
            sha.chars().any(|c| c != '0'),
            "{:?}: a sha256 of zeros is no archive; list only recorded platforms",
            selector(platform)
        );
    }
}

#[test]
fn every_platform_ships_its_binary_and_the_license() {
    let doc = manifest();
    let license = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("LICENSE");
    assert!(license.is_file(), "LICENSE exists to be packed");
    for platform in platforms(&doc) {
        let (os, arch) = selector(platform);
        let files: Vec<(&str, &str)> = platform["files"]
            .as_array()
            .unwrap_or_else(|| panic!("{os}/{arch} has files"))
            .iter()
            .map(|f| (f["from"].as_str().unwrap(), f["to"].as_str().unwrap()))
            .collect();
        let binary = if os == "windows" {
            "kubectl-sts.exe"
        } else {
            "kubectl-sts"
        };
        assert!(
            files.contains(&("LICENSE", ".")),
            "{os}/{arch} ships LICENSE: {files:?}"
        );
        assert!(
            files.contains(&(binary, ".")),
            "{os}/{arch} ships {binary}: {files:?}"
        );
        assert_eq!(platform["bin"].as_str(), Some(binary), "{os}/{arch} bin");
    }
}
