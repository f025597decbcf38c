//! Every next command the tool prints pastes as it is: it names the namespace, and the
//! context and kubeconfig the user gave. The tests act on a set in a namespace of its own
//! through `--kubeconfig` (a path with a space), `--context` and `-n`, with no `KUBECONFIG`
//! and no home directory, capture the commands printed by status, a failure, an in-flight
//! refusal, an interrupt and `delete --no-wait`, split them as a shell would and run them
//! with that environment: they can only reach the set through the flags they carry.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use sts_sim::resources;

use crate::common::{self, Cluster, stderr_of, stdout_of};

/// The namespace the tests' set lives in (the kubeconfig's own is `default`).
const NS: &str = "shop";

/// A cluster with `web` (3 replicas, Ready) in namespace `shop`, and a copy of its kubeconfig
/// at a path with a space in it.
fn shop() -> (Cluster, PathBuf) {
    let cluster = Cluster::start();
    cluster.apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n");
    cluster.apply_yaml_in(NS, &common::fixture("web.yaml"));
    let dir = cluster.dir.join("my configs");
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kube config");
    std::fs::copy(&cluster.kubeconfig, &kubeconfig).unwrap();
    cluster.wait_for("web Ready in shop", Duration::from_secs(60), |c| {
        ready_replicas(c) == 3
    });
    (cluster, kubeconfig)
}

fn set(cluster: &Cluster) -> Option<Value> {
    cluster.get_in(&resources::STATEFULSETS, NS, "web")
}

fn ready_replicas(cluster: &Cluster) -> i64 {
    set(cluster).map_or(0, |s| s["status"]["readyReplicas"].as_i64().unwrap_or(0))
}

fn image(cluster: &Cluster) -> String {
    let set = set(cluster).expect("web exists in shop");
    set["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The binary with no kubeconfig of its own to fall back on.
fn bare(cluster: &Cluster) -> std::process::Command {
    let mut command = cluster.sts_process();
    command.env_remove("KUBECONFIG").stdin(Stdio::null());
    command
}

/// A command of the user's: the flags that reach `shop`, then `args`.
fn user(cluster: &Cluster, kubeconfig: &Path, args: &[&str]) -> Output {
    bare(cluster)
        .args([
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--context",
            cluster.context(),
        ])
        .args(["-n", NS])
        .args(args)
        .output()
        .unwrap()
}

/// Every `kubectl sts …` between backticks in `text`, in order.
fn printed(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|quoted| quoted.starts_with("kubectl sts "))
        .map(str::to_string)
        .collect()
}

/// The first printed command in `text` that runs `verb`.
fn hint(text: &str, verb: &str) -> String {
    printed(text)
        .into_iter()
        .find(|c| c.starts_with(&format!("kubectl sts {verb} ")))
        .unwrap_or_else(|| panic!("no `kubectl sts {verb} …` in:\n{text}"))
}

/// Runs a printed command as a shell would split it (plus `extra`, the answer a person gives
/// at the prompt), after checking it carries the flags that reach the set.
fn run(cluster: &Cluster, kubeconfig: &Path, command: &str, extra: &[&str]) -> Output {
    let words = shell_words::split(command).expect("a printed command splits as a shell would");
    assert_eq!(&words[..2], ["kubectl", "sts"], "{command}");
    let flag = |name: &str| {
        let at = words.iter().position(|w| w == name);
        at.map(|i| words[i + 1].clone())
    };
    assert_eq!(flag("-n").as_deref(), Some(NS), "{command}");
    assert_eq!(flag("--context").as_deref(), Some(cluster.context()), "{command}");
    assert_eq!(flag("--kubeconfig").as_deref(), kubeconfig.to_str(), "{command}");
    bare(cluster).args(&words[2..]).args(extra).output().unwrap()
}

#[test]
fn a_failed_canary_and_status_print_commands_that_reach_the_set() {
    let (cluster, kubeconfig) = shop();
    let canary = user(
        &cluster,
        &kubeconfig,
        &["canary", "web", "--image", "nginx=nginx:broken", "--yes"],
    );
    assert_eq!(canary.status.code(), Some(3), "{}", stderr_of(&canary));
    let failed = stderr_of(&canary);
    assert!(
        failed.contains("roll back with `kubectl sts abort web -n shop"),
        "{failed}"
    );
    let status = user(&cluster, &kubeconfig, &["status", "web"]);
    let shown = stdout_of(&status);
    let hint_line = shown
        .lines()
        .find(|l| l.starts_with("Hint:"))
        .unwrap_or_else(|| panic!("no Hint: line in\n{shown}"));
    let abort = hint(hint_line, "abort");
    assert_eq!(
        abort,
        hint(&failed, "abort"),
        "status and the failure say the same"
    );

    let why = run(&cluster, &kubeconfig, &hint(&shown, "why"), &[]);
    assert!(
        stdout_of(&why).contains("web-2"),
        "why names the broken canary: {}{}",
        stdout_of(&why),
        stderr_of(&why)
    );
    assert_eq!(why.status.code(), Some(3), "{}", stderr_of(&why));

    let aborted = run(&cluster, &kubeconfig, &abort, &["--yes"]);
    assert!(aborted.status.success(), "{}", stderr_of(&aborted));
    assert_eq!(image(&cluster), "nginx:1.25", "the set in shop is rolled back");
    assert_eq!(ready_replicas(&cluster), 3);
}

#[test]
fn an_interrupted_progressive_rollout_resumes_with_the_command_it_printed() {
    let (cluster, kubeconfig) = shop();
    let mut rollout = bare(&cluster);
    rollout
        .args([
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--context",
            cluster.context(),
        ])
        .args(["-n", NS, "rollout", "web", "--image", "nginx=nginx:1.26"])
        .args(["--steps", "1,2,3", "--pause", "4s", "--yes"]);
    let (mut child, rest) = common::spawn_until(&mut rollout, "step 2/3: baking");
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let code = child.wait().unwrap().code();
    let err = rest.join().unwrap();
    assert_eq!(code, Some(130), "{err}");
    let resume = hint(&err, "rollout");
    assert!(
        err.contains(&format!("re-run `{resume}` to resume at step 2")),
        "{err}"
    );

    let resumed = run(&cluster, &kubeconfig, &resume, &["--yes"]);
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    let web = set(&cluster).unwrap();
    assert_eq!(image(&cluster), "nginx:1.26");
    assert_eq!(web["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 0);
    assert_eq!(ready_replicas(&cluster), 3);
}

#[test]
fn a_delete_left_in_flight_is_finished_by_the_command_its_refusal_names() {
    let (cluster, kubeconfig) = shop();
    let started = user(&cluster, &kubeconfig, &["delete", "web", "--no-wait", "--yes"]);
    assert!(started.status.success(), "{}", stderr_of(&started));
    let rerun = hint(&stdout_of(&started), "delete");
    assert!(stdout_of(&started).contains(&format!("re-run `{rerun}` to finish")));

    let refused = user(
        &cluster,
        &kubeconfig,
        &["scale", "web", "--replicas", "2", "--yes"],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", stderr_of(&refused));
    let finish = hint(&stderr_of(&refused), "delete");
    assert!(
        stderr_of(&refused).contains(&format!("run `{finish}` to finish it first")),
        "{}",
        stderr_of(&refused)
    );
    assert_eq!(finish, rerun, "the record names the command that started it");

    let finished = run(&cluster, &kubeconfig, &finish, &["--yes"]);
    assert!(finished.status.success(), "{}", stderr_of(&finished));
    assert!(set(&cluster).is_none(), "the set in shop is gone");
}

#[test]
fn a_missing_name_says_which_namespace_has_it_and_delete_suggests_close_names() {
    let cluster = crate::common::setup::web_cluster();
    let elsewhere = cluster
        .sts()
        .args(["status", "web", "-n", "kube-system"])
        .output()
        .unwrap();
    let error = stderr_of(&elsewhere);
    assert_eq!(elsewhere.status.code(), Some(1), "{error}");
    assert!(error.contains("statefulset kube-system/web not found"), "{error}");
    assert!(
        error.contains(&cluster.namespace),
        "names the namespace that has it: {error}"
    );
    assert!(error.contains("add `-n"), "{error}");

    let typo = cluster.sts().args(["delete", "wbe", "--yes"]).output().unwrap();
    let error = stderr_of(&typo);
    assert_eq!(typo.status.code(), Some(1), "{error}");
    assert!(error.contains("did you mean web?"), "{error}");
    assert_eq!(
        cluster.statefulset("web")["spec"]["replicas"],
        3,
        "nothing changed"
    );
}
