//! kubectl's plugin completion (kubectl ≥ 1.26): `kubectl sts <TAB>` runs
//! `kubectl_complete-sts` with the words typed after `sts`, the last one being the word to
//! complete, and reads cobra's `__complete` answer: one candidate per line (`value\tdescription`),
//! then `:<directive>`. Subcommands and flags come from the clap definition; StatefulSet names,
//! namespaces and contexts from the cluster and kubeconfig the typed flags point at. It never
//! writes to stderr and always exits 0 with a directive: on any error it offers nothing.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, Args, Command, CommandFactory, FromArgMatches, ValueHint};

use crate::cli::{Cli, GlobalArgs};

/// The executable kubectl looks for on PATH; a link to `kubectl-sts` under this name answers
/// completion requests.
pub const EXEC_NAME: &str = "kubectl_complete-sts";

/// The hidden first argument that asks for the same answer (`kubectl-sts __complete WORD…`).
pub const REQUEST_ARG: &str = "__complete";

/// How long the cluster may take to answer, everything included: a shell is waiting.
const CLUSTER_BUDGET: Duration = Duration::from_secs(2);

/// cobra's ShellCompDirective bits.
mod directive {
    /// Let the shell complete file names.
    pub const FILES: u32 = 0;
    /// Offer only the candidates, no file names.
    pub const NO_FILE_COMP: u32 = 4;
    /// Let the shell complete directory names only.
    pub const DIRS: u32 = 16;
}

/// The words to complete, when this process was started to answer a completion request: as
/// `kubectl_complete-sts WORD…` or as `kubectl-sts __complete WORD…`.
pub fn requested(args: impl IntoIterator<Item = OsString>) -> Option<Vec<String>> {
    let mut args = args.into_iter();
    let program = args.next()?;
    let program = program.to_string_lossy();
    let base = program.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.strip_suffix(".exe").unwrap_or(base);
    let words: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    if stem == EXEC_NAME {
        return Some(words);
    }
    match words.split_first() {
        Some((first, rest)) if first == REQUEST_ARG => Some(rest.to_vec()),
        _ => None,
    }
}

/// Answers a completion request on stdout.
pub fn run(words: &[String]) -> ExitCode {
    let answer = answer(words);
    let mut text = String::new();
    for candidate in &answer.candidates {
        text.push_str(candidate);
        text.push('\n');
    }
    text.push_str(&format!(":{}\n", answer.directive));
    // A shell that went away is no error worth reporting.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    ExitCode::SUCCESS
}

/// Candidates and the directive for the shell.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    candidates: Vec<String>,
    directive: u32,
}

/// What the word under the cursor is.
#[derive(Debug, PartialEq, Eq)]
enum Want {
    /// Flags of the command at this path.
    Flags(Vec<String>),
    /// The value of a flag (by id) of the command at this path.
    Value(Vec<String>, String),
    /// A subcommand of the command at this path and/or its first free positional.
    Positional(Vec<String>, usize),
}

/// The request, read from the words: what to complete, the prefix typed so far, and the
/// cluster flags (by id, last one wins) typed before it.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    want: Want,
    prefix: String,
    cluster_flags: Vec<(String, String)>,
}

/// The cluster flags that decide where names come from.
const CLUSTER_FLAGS: [&str; 4] = ["namespace", "context", "kubeconfig", "as_user"];

/// The candidates for the last word, given the words before it.
fn answer(words: &[String]) -> Answer {
    let mut root = Cli::command();
    root.build();
    let request = read_request(&root, words);
    let (candidates, directive) = match &request.want {
        Want::Flags(path) => (flag_candidates(command_at(&root, path)), directive::NO_FILE_COMP),
        Want::Value(path, id) => value_candidates(&request, command_at(&root, path), id),
        Want::Positional(path, index) => positional_candidates(&request, command_at(&root, path), *index),
    };
    let candidates = candidates
        .into_iter()
        .filter(|c| c.starts_with(request.prefix.as_str()))
        .collect();
    Answer {
        candidates,
        directive,
    }
}

/// The subcommand at a path of names below the root.
fn command_at<'a>(root: &'a Command, path: &[String]) -> &'a Command {
    path.iter()
        .fold(root, |cmd, name| cmd.find_subcommand(name).unwrap_or(cmd))
}

/// Walks the typed words the way clap would parse them, then classifies the last one.
fn read_request(root: &Command, words: &[String]) -> Request {
    let (current, typed) = match words.split_last() {
        Some((last, typed)) => (last.clone(), typed),
        None => (String::new(), &[][..]),
    };
    let mut walk = Walk::default();
    let mut pending: Option<String> = None;
    for word in typed {
        let cmd = command_at(root, &walk.path);
        pending = match pending.take() {
            Some(id) => {
                walk.value(&id, word);
                None
            }
            None => walk.word(cmd, word),
        };
    }
    let cmd = command_at(root, &walk.path);
    let (want, prefix) = match pending {
        Some(id) => (Want::Value(walk.path.clone(), id), current),
        None => classify(cmd, &walk, current),
    };
    Request {
        want,
        prefix,
        cluster_flags: walk.cluster_flags,
    }
}

/// Where the walk over the typed words stands.
#[derive(Debug, Default)]
struct Walk {
    path: Vec<String>,
    positionals: usize,
    only_positionals: bool,
    cluster_flags: Vec<(String, String)>,
}

impl Walk {
    /// Takes one word; returns the id of a flag whose value is the next word.
    fn word(&mut self, cmd: &Command, word: &str) -> Option<String> {
        if self.only_positionals || word == "-" || !word.starts_with('-') {
            self.positional(cmd, word);
            return None;
        }
        if word == "--" {
            self.only_positionals = true;
            return None;
        }
        let (arg, inline) = find_flag(cmd, word)?;
        let id = arg.get_id().to_string();
        if !takes_value(arg) {
            return None;
        }
        match inline {
            Some(value) => {
                self.value(&id, &value);
                None
            }
            None => Some(id),
        }
    }

    fn positional(&mut self, cmd: &Command, word: &str) {
        if self.positionals == 0 && cmd.find_subcommand(word).is_some() {
            self.path.push(word.to_string());
        } else {
            self.positionals += 1;
        }
    }

    fn value(&mut self, id: &str, value: &str) {
        if CLUSTER_FLAGS.contains(&id) {
            self.cluster_flags.retain(|(known, _)| known != id);
            self.cluster_flags.push((id.to_string(), value.to_string()));
        }
    }
}

/// The flag a word names (`--long`, `--long=value`, `-s`, `-svalue`, `-s=value`), with the
/// value written in the same word. In a cluster of short flags (`-yA`) the last one counts.
fn find_flag<'a>(cmd: &'a Command, word: &str) -> Option<(&'a Arg, Option<String>)> {
    if let Some(long) = word.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (long, None),
        };
        let arg = cmd.get_arguments().find(|a| a.get_long() == Some(name))?;
        return Some((arg, inline));
    }
    let shorts = word.strip_prefix('-')?;
    for (at, short) in shorts.char_indices() {
        let arg = cmd.get_arguments().find(|a| a.get_short() == Some(short))?;
        let rest = &shorts[at + short.len_utf8()..];
        if takes_value(arg) {
            let value = rest.strip_prefix('=').unwrap_or(rest);
            return Some((arg, Some(value.to_string()).filter(|v| !v.is_empty())));
        }
        if rest.is_empty() {
            return Some((arg, None));
        }
    }
    None
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

/// What the word under the cursor asks for, and its prefix.
fn classify(cmd: &Command, walk: &Walk, current: String) -> (Want, String) {
    if !walk.only_positionals && current.starts_with('-') {
        let long_with_value = current.split_once('=').filter(|_| current.starts_with("--"));
        if let Some((arg, value)) =
            long_with_value.and_then(|(flag, value)| Some((find_flag(cmd, flag)?.0, value)))
        {
            return (
                Want::Value(walk.path.clone(), arg.get_id().to_string()),
                value.to_string(),
            );
        }
        return (Want::Flags(walk.path.clone()), current);
    }
    (Want::Positional(walk.path.clone(), walk.positionals), current)
}

/// The flags of a command (its own and the global ones), long forms, with their help.
fn flag_candidates(cmd: &Command) -> Vec<String> {
    cmd.get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
        .filter_map(|a| Some(with_help(&format!("--{}", a.get_long()?), a.get_help())))
        .collect()
}

/// Subcommands (when none is typed yet) and StatefulSet names (when the positional is one).
fn positional_candidates(request: &Request, cmd: &Command, index: usize) -> (Vec<String>, u32) {
    let mut candidates = Vec::new();
    if index == 0 {
        candidates.extend(
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                .map(|s| with_help(s.get_name(), s.get_about())),
        );
    }
    let positional = cmd.get_positionals().nth(index);
    if positional.is_some_and(|p| p.get_id() == "name") {
        candidates.extend(from_cluster(request, Lookup::StatefulSets));
    }
    (candidates, directive::NO_FILE_COMP)
}

/// Values of a flag: namespaces and contexts looked up, enumerations from the definition,
/// paths left to the shell.
fn value_candidates(request: &Request, cmd: &Command, id: &str) -> (Vec<String>, u32) {
    let Some(arg) = cmd.get_arguments().find(|a| a.get_id() == id) else {
        return (Vec::new(), directive::NO_FILE_COMP);
    };
    match id {
        "namespace" => return (from_cluster(request, Lookup::Namespaces), directive::NO_FILE_COMP),
        "context" => return (contexts(request), directive::NO_FILE_COMP),
        "contexts" => return (context_lists(request), directive::NO_FILE_COMP),
        _ => {}
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| with_help(v.get_name(), v.get_help()))
        .collect();
    let directive = match arg.get_value_hint() {
        _ if !values.is_empty() => directive::NO_FILE_COMP,
        ValueHint::DirPath => directive::DIRS,
        ValueHint::AnyPath | ValueHint::FilePath => directive::FILES,
        _ => directive::NO_FILE_COMP,
    };
    (values, directive)
}

/// `value`, or `value\tdescription` for shells that show descriptions.
fn with_help(value: &str, help: Option<&clap::builder::StyledStr>) -> String {
    let help = help.map(|h| h.to_string()).unwrap_or_default();
    match short_description(&help) {
        Some(line) => format!("{value}\t{line}"),
        None => value.to_string(),
    }
}

/// The gist of a help text for a completion menu: up to its first `:` or `;`, at most
/// [`DESCRIPTION_WIDTH`] characters, cut at a word.
fn short_description(help: &str) -> Option<String> {
    let line = help.lines().next()?.trim();
    let gist = line.split([':', ';']).next()?.trim();
    if gist.is_empty() {
        return None;
    }
    if gist.chars().count() <= DESCRIPTION_WIDTH {
        return Some(gist.to_string());
    }
    let cut: String = gist.chars().take(DESCRIPTION_WIDTH).collect();
    let at_word = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    Some(format!("{}…", at_word.trim_end_matches([',', ' '])))
}

/// Longest description offered with a candidate.
const DESCRIPTION_WIDTH: usize = 60;

/// The global flags for a client that honours the typed cluster flags and gives up quickly.
fn global_args(request: &Request) -> Option<GlobalArgs> {
    let parser = GlobalArgs::augment_args(Command::new("kubectl-sts"));
    let mut argv = vec!["kubectl-sts".to_string()];
    for (id, value) in &request.cluster_flags {
        let long = parser.get_arguments().find(|a| a.get_id() == id)?.get_long()?;
        argv.push(format!("--{long}={value}"));
    }
    argv.push(format!("--request-timeout={}s", CLUSTER_BUDGET.as_secs()));
    let matches = parser.try_get_matches_from(argv).ok()?;
    GlobalArgs::from_arg_matches(&matches).ok()
}

/// The names offered from the cluster.
#[derive(Debug, Clone, Copy)]
enum Lookup {
    StatefulSets,
    Namespaces,
}

/// Names from the cluster, or none on any error or past the budget.
fn from_cluster(request: &Request, lookup: Lookup) -> Vec<String> {
    let Some(global) = global_args(request) else {
        return Vec::new();
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return Vec::new();
    };
    runtime.block_on(async {
        tokio::time::timeout(CLUSTER_BUDGET, names(&global, lookup))
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    })
}

async fn names(global: &GlobalArgs, lookup: Lookup) -> Option<Vec<String>> {
    use k8s_openapi::api::apps::v1::StatefulSet;
    use k8s_openapi::api::core::v1::Namespace;
    use kube::api::{Api, ListParams, ResourceExt};

    let ctx = crate::context::Context::new(global).await.ok()?;
    let params = ListParams::default();
    let mut names: Vec<String> = match lookup {
        Lookup::StatefulSets => {
            let api: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
            api.list(&params)
                .await
                .ok()?
                .iter()
                .map(|s| s.name_any())
                .collect()
        }
        Lookup::Namespaces => {
            let api: Api<Namespace> = Api::all(ctx.client.clone());
            api.list(&params)
                .await
                .ok()?
                .iter()
                .map(|n| n.name_any())
                .collect()
        }
    };
    names.sort();
    Some(names)
}

/// `--contexts a,b,…`: the typed list followed by each context not in it yet.
fn context_lists(request: &Request) -> Vec<String> {
    let (typed, _) = request.prefix.rsplit_once(',').unwrap_or(("", ""));
    let taken: Vec<&str> = typed.split(',').filter(|c| !c.is_empty()).collect();
    let lead = if typed.is_empty() {
        String::new()
    } else {
        format!("{typed},")
    };
    contexts(request)
        .into_iter()
        .filter(|c| !taken.contains(&c.as_str()))
        .map(|c| format!("{lead}{c}"))
        .collect()
}

/// The contexts of the kubeconfig the typed flags (or KUBECONFIG) point at.
fn contexts(request: &Request) -> Vec<String> {
    let path = request
        .cluster_flags
        .iter()
        .find(|(id, _)| id == "kubeconfig")
        .map(|(_, path)| path.clone());
    let kubeconfig = match path {
        Some(path) => kube::config::Kubeconfig::read_from(path).ok(),
        None => kube::config::Kubeconfig::read().ok(),
    };
    let mut names: Vec<String> = kubeconfig
        .map(|k| k.contexts.into_iter().map(|c| c.name).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(words: &[&str]) -> Request {
        let mut root = Cli::command();
        root.build();
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        read_request(&root, &words)
    }

    fn path(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn offline(words: &[&str]) -> Vec<String> {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        answer(&words)
            .candidates
            .iter()
            .map(|c| c.split('\t').next().unwrap().to_string())
            .collect()
    }

    #[test]
    fn requested_by_program_name_or_first_argument() {
        let os = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            requested(os(&["/home/me/.krew/bin/kubectl_complete-sts", "status", ""])),
            Some(path(&["status", ""]))
        );
        assert_eq!(
            requested(os(&["C:\\bin\\kubectl_complete-sts.exe", "st"])),
            Some(path(&["st"]))
        );
        assert_eq!(
            requested(os(&["kubectl-sts", "__complete", "-n", ""])),
            Some(path(&["-n", ""]))
        );
        assert_eq!(requested(os(&["kubectl-sts", "status", "__complete"])), None);
        assert_eq!(requested(os(&["kubectl-sts"])), None);
    }

    #[test]
    fn first_word_offers_subcommands_without_hidden_ones() {
        let names = offline(&["s"]);
        assert_eq!(names, ["status", "scale"]);
        let all = offline(&[""]);
        assert!(
            all.contains(&"pvc".to_string()) && all.contains(&"undo".to_string()),
            "{all:?}"
        );
        assert!(
            !all.iter().any(|c| c == "completion" || c == "man" || c == "help"),
            "{all:?}"
        );
    }

    #[test]
    fn name_positional_after_a_subcommand_and_cluster_flags_anywhere() {
        let r = request(&["-n", "db", "status", "--context=lab", ""]);
        assert_eq!(r.want, Want::Positional(path(&["status"]), 0));
        assert_eq!(
            r.cluster_flags,
            [
                ("namespace".into(), "db".into()),
                ("context".into(), "lab".into())
            ]
        );
        let r = request(&["--namespace", "a", "scale", "-nb", "w"]);
        assert_eq!(r.cluster_flags, [("namespace".to_string(), "b".to_string())]);
        assert_eq!(r.prefix, "w");
        let r = request(&["status", "web", ""]);
        assert_eq!(r.want, Want::Positional(path(&["status"]), 1));
    }

    #[test]
    fn flag_values_and_flags() {
        assert_eq!(request(&["-o", "j"]).want, Want::Value(vec![], "output".into()));
        assert_eq!(offline(&["status", "-o", ""]), ["table", "wide", "json", "yaml"]);
        assert_eq!(offline(&["--output=y"]), ["yaml"]);
        assert_eq!(
            offline(&["scale", "web", "--r"]),
            ["--replicas", "--request-timeout"]
        );
        assert_eq!(request(&["-yA", "list", "--"]).want, Want::Flags(path(&["list"])));
        assert_eq!(
            answer(&path(&["delete", "--backup-dir", ""])).directive,
            directive::DIRS
        );
        assert_eq!(answer(&path(&["--kubeconfig", ""])).directive, directive::FILES);
        assert_eq!(
            answer(&path(&["scale", "--replicas", ""])).directive,
            directive::NO_FILE_COMP
        );
    }

    #[test]
    fn nested_subcommand_and_its_name() {
        let r = request(&["pvc", "r"]);
        assert_eq!(
            (r.want, r.prefix.as_str()),
            (Want::Positional(path(&["pvc"]), 0), "r")
        );
        let r = request(&["pvc", "resize", "--template", "www", ""]);
        assert_eq!(r.want, Want::Positional(path(&["pvc", "resize"]), 0));
        let r = request(&["pvc", "web", "--prune", ""]);
        assert_eq!(r.want, Want::Positional(path(&["pvc"]), 1));
    }

    #[test]
    fn descriptions_are_short() {
        assert_eq!(
            short_description("Show one StatefulSet: revisions").as_deref(),
            Some("Show one StatefulSet")
        );
        let long = "List StatefulSets with their replicas, strategy, partition and rollouts in flight";
        assert_eq!(
            short_description(long).as_deref(),
            Some("List StatefulSets with their replicas, strategy, partition…")
        );
        assert_eq!(short_description(""), None);
    }

    #[test]
    fn after_double_dash_everything_is_positional() {
        let r = request(&["status", "--", "-w"]);
        assert_eq!(r.want, Want::Positional(path(&["status"]), 0));
    }
}
