//! Shell integration: the committed completion scripts and man pages are what the clap
//! definition generates, the bash script completes a subcommand's flags, and kubectl's plugin
//! completion (`kubectl_complete-sts`, cobra's `__complete` protocol) offers the simulated
//! cluster's StatefulSets, namespaces and contexts, quickly and silently when it cannot.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{self, Cluster, stderr_of, stdout_of};

/// Each shell as `completion` names it, and the file its script is committed as.
const SCRIPTS: [(&str, &str); 4] = [
    ("bash", "kubectl-sts.bash"),
    ("zsh", "_kubectl-sts"),
    ("fish", "kubectl-sts.fish"),
    ("powershell", "kubectl-sts.ps1"),
];

const REGENERATE: &str = "run `cargo xtask generate` and commit completions/, man/ and docs/reference.md";

#[path = "../../xtask/src/reference.rs"]
mod reference;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The binary with no cluster configured at all.
fn offline() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("kubectl-sts").expect("binary built");
    cmd.env_remove("KUBECONFIG").env_remove("HOME");
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn succeeded(output: Output) -> Output {
    assert!(output.status.success(), "{}", stderr_of(&output));
    output
}

#[test]
fn committed_completion_scripts_are_up_to_date() {
    for (shell, file) in SCRIPTS {
        let output = succeeded(offline().args(["completion", shell]).output().unwrap());
        let committed = std::fs::read(repo("completions").join(file)).unwrap_or_default();
        assert!(
            output.stdout == committed,
            "completions/{file} is not what `kubectl-sts completion {shell}` prints: {REGENERATE}"
        );
    }
}

#[test]
fn committed_man_pages_are_up_to_date() {
    let dir = common::scratch_dir().join("man");
    succeeded(offline().arg("man").arg(&dir).output().unwrap());
    let pages = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut pages: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "1"))
                    .map(|p| {
                        (
                            p.file_name().unwrap().to_string_lossy().into_owned(),
                            std::fs::read(&p).unwrap(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        pages.sort();
        pages
    };
    let (generated, committed) = (pages(&dir), pages(&repo("man")));
    let names = |p: &[(String, Vec<u8>)]| p.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert!(
        names(&generated).contains(&"kubectl-sts-pvc-resize.1".to_string()),
        "{:?}",
        names(&generated)
    );
    assert_eq!(
        names(&committed),
        names(&generated),
        "man/ holds other pages: {REGENERATE}"
    );
    for ((name, ours), (_, theirs)) in committed.iter().zip(&generated) {
        assert!(ours == theirs, "man/{name} is out of date: {REGENERATE}");
    }
}

#[test]
fn bash_script_loads_and_completes_a_subcommands_flags() {
    let script = repo("completions/kubectl-sts.bash");
    let program = r#"
        source "$1" || exit 9
        COMP_WORDS=(kubectl-sts scale web --r); COMP_CWORD=3
        _kubectl__sts kubectl-sts --r web
        printf '%s\n' "${COMPREPLY[@]}"
        COMP_WORDS=(kubectl-sts pvc resize web --t); COMP_CWORD=4
        _kubectl__sts kubectl-sts --t web
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let output = std::process::Command::new("bash")
        .args(["-c", program, "bash"])
        .arg(&script)
        .output()
        .expect("bash runs");
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{}",
        stderr_of(&output)
    );
    let offered: Vec<String> = stdout_of(&output).lines().map(str::to_string).collect();
    assert_eq!(
        offered,
        [
            "--replicas",
            "--request-timeout",
            "--template",
            "--timeout",
            "--token"
        ]
    );
}

/// Runs the binary as kubectl does for `kubectl sts WORDS…<TAB>`: under the name
/// `kubectl_complete-sts` (a link), with the words as arguments.
fn kubectl_complete(cluster: &Cluster, words: &[&str]) -> Output {
    let link = cluster.dir.join("kubectl_complete-sts");
    if !link.exists() {
        link_binary(&link);
    }
    let mut cmd = assert_cmd::Command::new(&link);
    cmd.env("KUBECONFIG", &cluster.kubeconfig)
        .env_remove("HOME")
        .args(words)
        .timeout(Duration::from_secs(60));
    cmd.output().unwrap()
}

#[cfg(unix)]
fn link_binary(link: &Path) {
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("kubectl-sts"), link).unwrap();
}

#[cfg(not(unix))]
fn link_binary(link: &Path) {
    std::fs::copy(assert_cmd::cargo::cargo_bin("kubectl-sts"), link).unwrap();
}

/// The candidates (without descriptions) and the directive line of an answer.
fn answer(output: &Output) -> (Vec<String>, String) {
    assert!(
        output.status.success(),
        "kubectl ignores answers with a non-zero exit"
    );
    assert!(
        output.stderr.is_empty(),
        "nothing on stderr: {}",
        stderr_of(output)
    );
    let text = stdout_of(output);
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    let directive = lines.pop().expect("a directive line");
    assert!(directive.starts_with(':'), "{text}");
    (lines, directive)
}

/// A second set in `default`.
const DB: &str = "
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
";

/// `web` and `db` in `default`, `zk` in `kube-system`.
fn two_namespaces() -> Cluster {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.apply_yaml_in("kube-system", &common::fixture("zk.yaml"));
    cluster.apply_yaml(DB);
    cluster
}

#[test]
fn kubectl_complete_sts_lists_the_clusters_statefulsets() {
    let cluster = two_namespaces();
    let (names, directive) = answer(&kubectl_complete(&cluster, &["status", ""]));
    assert_eq!(
        (names, directive.as_str()),
        (vec!["db".to_string(), "web".to_string()], ":4")
    );
    let (names, _) = answer(&kubectl_complete(&cluster, &["scale", "w"]));
    assert_eq!(names, ["web"]);
    let (names, _) = answer(&kubectl_complete(&cluster, &["-n", "kube-system", "roll", ""]));
    assert_eq!(names, ["zk"]);
    let (names, _) = answer(&kubectl_complete(
        &cluster,
        &["roll", "--namespace=kube-system", ""],
    ));
    assert_eq!(names, ["zk"]);
    let (names, _) = answer(&kubectl_complete(&cluster, &["pvc", ""]));
    assert_eq!(names, ["resize", "db", "web"]);
}

#[test]
fn kubectl_complete_sts_offers_namespaces_contexts_subcommands_and_flags() {
    let cluster = two_namespaces();
    let (names, _) = answer(&kubectl_complete(&cluster, &["status", "-n", "kube-"]));
    assert_eq!(names, ["kube-node-lease", "kube-public", "kube-system"]);
    let (names, _) = answer(&kubectl_complete(&cluster, &["--context", ""]));
    assert_eq!(names, [cluster.context()]);
    let (names, directive) = answer(&kubectl_complete(&cluster, &["ro"]));
    assert_eq!(
        (names, directive.as_str()),
        (vec!["rollout".to_string(), "roll".to_string()], ":4")
    );
    let (names, _) = answer(&kubectl_complete(&cluster, &["status", "web", "--w"]));
    assert_eq!(names, ["--watch"]);
    let text = stdout_of(&kubectl_complete(&cluster, &["st"]));
    assert_eq!(text, "status\tShow one StatefulSet\n:4\n");
}

#[test]
fn the_shim_script_and_the_hidden_argument_answer_the_same() {
    let cluster = two_namespaces();
    let bin = cluster.dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    link_binary(&bin.join("kubectl-sts"));
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let via_shim = std::process::Command::new("sh")
        .arg(repo("completions/kubectl_complete-sts"))
        .args(["delete", ""])
        .env("PATH", path)
        .env("KUBECONFIG", &cluster.kubeconfig)
        .output()
        .unwrap();
    assert_eq!(answer(&via_shim).0, ["db", "web"]);
    let via_argument = cluster.sts().args(["__complete", "delete", ""]).output().unwrap();
    assert_eq!(stdout_of(&via_argument), stdout_of(&via_shim));
}

#[test]
fn an_unreachable_cluster_gives_no_names_quickly_and_silently() {
    let cluster = Cluster::start();
    // A listener that never answers: connections are accepted by the kernel, requests hang.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let text = std::fs::read_to_string(&cluster.kubeconfig)
        .unwrap()
        .replace(&cluster.server_url(), &url);
    std::fs::write(&cluster.kubeconfig, text).unwrap();
    let started = Instant::now();
    let output = kubectl_complete(&cluster, &["status", ""]);
    let took = started.elapsed();
    assert_eq!(answer(&output), (vec![], ":4".to_string()));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let output = kubectl_complete(&cluster, &["--kubeconfig", "/nonexistent", "status", ""]);
    assert_eq!(answer(&output), (vec![], ":4".to_string()));
}

#[test]
fn committed_command_reference_is_up_to_date() {
    let binary = Path::new(env!("CARGO_BIN_EXE_kubectl-sts"));
    let generated = reference::render(binary).expect("every command prints its --help");
    assert!(
        generated.contains("\n## `kubectl sts pvc resize`\n"),
        "{generated}"
    );
    let committed = std::fs::read_to_string(repo(reference::PATH)).unwrap_or_default();
    assert!(
        generated == committed,
        "{} is out of date: {REGENERATE}",
        reference::PATH
    );
}
