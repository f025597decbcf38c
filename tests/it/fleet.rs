//! Black-box tests of `--contexts` / `--all-contexts`: one kubeconfig naming several simulated
//! clusters (and addresses where nothing listens or nothing answers); the read commands across
//! all of them, their tables, sections and document, the exit codes, and a change refused.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use sts_sim::sim::fleet_kubeconfig;
use sts_sim::{Sim, SimConfig};

use crate::common::{self, scratch_dir, stderr_of, stdout_of};

/// Simulated clusters, each with the web fixture (or nothing), and one kubeconfig naming them.
struct Fleet {
    sims: Vec<Sim>,
    kubeconfig: PathBuf,
    /// Keeps a silent listener open for the test's length.
    _silent: Option<TcpListener>,
}

/// `names` with a cluster each (`web` Ready in those of `with_web`), plus `extra` contexts
/// pointing elsewhere, in the order given by `order`.
fn fleet(
    names: &[&str],
    with_web: &[&str],
    extra: Vec<(String, String)>,
    silent: Option<TcpListener>,
) -> Fleet {
    let mut sims = Vec::new();
    let mut contexts = Vec::new();
    for name in names {
        let sim = Sim::start(SimConfig::fast()).expect("simulator starts");
        if with_web.contains(name) {
            sim.apply_yaml("default", &common::fixture("web.yaml"))
                .expect("fixture");
        }
        contexts.push(sim.context_entry(name));
        sims.push(sim);
    }
    contexts.extend(extra);
    let kubeconfig = scratch_dir().join("kubeconfig");
    std::fs::write(&kubeconfig, fleet_kubeconfig(&contexts)).unwrap();
    let fleet = Fleet {
        sims,
        kubeconfig,
        _silent: silent,
    };
    for (sim, name) in fleet.sims.iter().zip(names) {
        if with_web.contains(name) {
            wait_ready(sim);
        }
    }
    fleet
}

fn wait_ready(sim: &Sim) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let set = sim
            .store
            .try_get(&sts_sim::resources::STATEFULSETS, "default", "web");
        if set.is_some_and(|s| s["status"]["readyReplicas"] == 3) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("web not ready");
}

impl Fleet {
    fn sts(&self, args: &[&str]) -> std::process::Output {
        assert_cmd::Command::cargo_bin("kubectl-sts")
            .unwrap()
            .env("KUBECONFIG", &self.kubeconfig)
            .env("NO_COLOR", "1")
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    }

    fn requests(&self) -> usize {
        self.sims.iter().map(|s| s.log.entries().len()).sum()
    }
}

#[test]
fn list_across_two_healthy_contexts_has_a_context_column() {
    let fleet = fleet(&["east", "west"], &["east", "west"], Vec::new(), None);
    let output = fleet.sts(&["list", "--all-contexts"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("CONTEXT") && header.contains("NAME"), "{text}");
    let east = text
        .lines()
        .find(|l| l.starts_with("east"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(east.contains("web") && east.contains("3/3"), "{east}");
    assert!(
        text.lines().any(|l| l.starts_with("west") && l.contains("web")),
        "{text}"
    );
    let requests_per_context: Vec<usize> = fleet.sims.iter().map(|s| s.log.entries().len()).collect();
    assert_eq!(requests_per_context, [1, 1], "one list of the sets per context");
}

#[test]
fn status_across_contexts_has_a_section_each_and_one_document() {
    let fleet = fleet(&["east", "west"], &["east", "west"], Vec::new(), None);
    let output = fleet.sts(&["status", "web", "--contexts", "west,east"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    let west = text.find("=== context west ===").expect("west section");
    let east = text.find("=== context east ===").expect("east section");
    assert!(west < east, "sections in the order given: {text}");
    assert_eq!(text.matches("StatefulSet default/web").count(), 2, "{text}");
    let output = fleet.sts(&["status", "web", "--all-contexts", "-o", "json"]);
    let doc: Value = serde_json::from_slice(&output.stdout).expect("one document");
    assert_eq!(doc["kind"], "FleetResult");
    assert_eq!(doc["command"], "status");
    assert_eq!(doc["results"][0]["context"], "east");
    assert_eq!(doc["results"][0]["result"]["kind"], "StatefulSetStatus");
    assert_eq!(doc["results"][1]["result"]["replicas"]["ready"], 3);
}

#[test]
fn dead_and_silent_contexts_cost_the_request_timeout_and_are_named() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("https://{}", silent.local_addr().unwrap());
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("https://{}", closed.local_addr().unwrap());
    drop(closed);
    let extra = vec![
        ("down".to_string(), closed_url),
        ("silent".to_string(), silent_url),
    ];
    let fleet = fleet(&["east", "west"], &["east", "west"], extra, Some(silent));
    let started = Instant::now();
    let output = fleet.sts(&["list", "--all-contexts", "--request-timeout", "2s"]);
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(took < Duration::from_secs(6), "took {took:?}");
    let (text, err) = (stdout_of(&output), stderr_of(&output));
    assert!(text.lines().any(|l| l.starts_with("east")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("west")), "{text}");
    assert!(
        err.contains("context down: ") && err.contains("context silent: "),
        "{err}"
    );
    assert!(
        err.contains("2 of 4 contexts failed or lack the set: down, silent"),
        "{err}"
    );
}

#[test]
fn a_set_missing_in_one_context_exits_1_and_the_others_are_shown() {
    let fleet = fleet(&["east", "empty"], &["east"], Vec::new(), None);
    let output = fleet.sts(&["status", "web", "--all-contexts"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout_of(&output).contains("=== context east ==="));
    let err = stderr_of(&output);
    assert!(
        err.contains("context empty: statefulset default/web not found"),
        "{err}"
    );
    let output = fleet.sts(&["why", "web", "--all-contexts", "-o", "json"]);
    let doc: Value = serde_json::from_slice(&output.stdout).expect("one document");
    assert_eq!(doc["results"][0]["result"]["kind"], "StatefulSetDiagnosis");
    assert!(
        doc["results"][1]["error"].as_str().unwrap().contains("not found"),
        "{doc:#}"
    );
}

#[test]
fn a_blocker_in_one_context_makes_why_exit_3() {
    let fleet = fleet(&["east", "west"], &["east", "west"], Vec::new(), None);
    let west = &fleet.sims[1];
    west.store
        .modify(
            &sts_sim::resources::STATEFULSETS,
            "default",
            "web",
            sts_sim::store::Part::Main,
            false,
            |set| {
                set["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:broken".into();
                Ok(())
            },
        )
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let output = fleet.sts(&["why", "web", "--all-contexts"]);
        if output.status.code() == Some(3) {
            let err = stderr_of(&output);
            assert!(
                err.contains("context west: statefulset default/web is blocked"),
                "{err}"
            );
            assert!(err.contains("problems found in 1 of 2 contexts: west"), "{err}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no blocker found: {}",
            stdout_of(&output)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_change_across_contexts_is_refused_before_any_request() {
    let fleet = fleet(&["east", "west"], &["east", "west"], Vec::new(), None);
    let before = fleet.requests();
    for args in [
        vec![
            "scale",
            "web",
            "--replicas",
            "2",
            "--contexts",
            "east,west",
            "--yes",
        ],
        vec!["pvc", "web", "--prune", "--all-contexts"],
        vec!["status", "web", "--watch", "--all-contexts"],
    ] {
        let output = fleet.sts(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr_of(&output));
    }
    let output = fleet.sts(&["list", "--context", "east", "--contexts", "west"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(fleet.requests(), before, "a refused command asked a cluster");
    // Only the read commands' help offers the flags.
    let help = |command: &str| stdout_of(&fleet.sts(&[command, "--help"]));
    assert!(!help("scale").contains("--contexts"), "{}", help("scale"));
    assert!(!help("scale").contains("--all-contexts"));
    assert!(help("status").contains("--all-contexts"), "{}", help("status"));
}

#[test]
fn contexts_complete_comma_separated() {
    let fleet = fleet(&["east", "west"], &[], Vec::new(), None);
    let output = assert_cmd::Command::cargo_bin("kubectl-sts")
        .unwrap()
        .env("KUBECONFIG", &fleet.kubeconfig)
        .args(["__complete", "list", "--contexts", "east,"])
        .output()
        .unwrap();
    let text = stdout_of(&output);
    assert_eq!(text.lines().next(), Some("east,west"), "{text}");
}
