//! Crash safety: every guided command killed (SIGKILL, no chance to say anything) at every
//! boundary between its writes, then run again, ends where an uninterrupted run ends: the
//! same set spec, pods (kept uids where the command keeps pods), claims, and no record left.
//! The simulator's `Hang` fault stops the process dead after exactly N writes.

use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sts_sim::faults::Fault;
use sts_sim::resources;

use crate::common::setup::{run_ok, set_image, staged_cluster, web_cluster, zk_cluster};
use crate::common::{self, Cluster};

/// One command and the cluster it runs on.
struct Case {
    /// A cluster ready for the command.
    setup: fn() -> Cluster,
    args: &'static [&'static str],
}

/// What must be the same after an uninterrupted run and after a killed one run again.
fn state(cluster: &Cluster, before: &BTreeMap<String, String>) -> Value {
    let set = cluster
        .get(&resources::STATEFULSETS, "web")
        .or_else(|| cluster.get(&resources::STATEFULSETS, "zk"));
    let set_state = set.as_ref().map(|s| {
        let spec = &s["spec"];
        let annotations: Vec<String> = s["metadata"]["annotations"]
            .as_object()
            .map(|a| a.keys().filter(|k| k.starts_with("kubectl-sts.io")).cloned().collect())
            .unwrap_or_default();
        json!({
            "replicas": spec["replicas"],
            "images": spec["template"]["spec"]["containers"].as_array().map(|c| c.iter().map(|c| c["image"].clone()).collect::<Vec<_>>()),
            "restarted": spec["template"]["metadata"]["annotations"].get("kubectl.kubernetes.io/restartedAt").is_some(),
            "partition": spec["updateStrategy"]["rollingUpdate"]["partition"],
            "claim_sizes": spec["volumeClaimTemplates"].as_array().map(|t| t.iter().map(|t| t["spec"]["resources"]["requests"]["storage"].clone()).collect::<Vec<_>>()),
            "annotations": annotations,
        })
    });
    let update = set.as_ref().map(|s| s["status"]["updateRevision"].clone());
    let mut pods: Vec<Value> = cluster
        .pods()
        .iter()
        .map(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or_default().to_string();
            json!({
                "pod": name,
                "image": p["spec"]["containers"][0]["image"],
                "on_update_revision": update.as_ref().map(|u| &p["metadata"]["labels"]["controller-revision-hash"] == u),
                "kept_uid": before.get(&name).map(|uid| p["metadata"]["uid"] == json!(uid)),
                "owned": p["metadata"]["ownerReferences"].is_array(),
            })
        })
        .collect();
    pods.sort_by_key(|p| p["pod"].to_string());
    let mut claims: Vec<Value> = cluster
        .sim
        .store
        .list(&resources::PVCS, Some("default"), &|_| true)
        .0
        .iter()
        .map(|c| {
            json!([
                c["metadata"]["name"],
                c["spec"]["resources"]["requests"]["storage"]
            ])
        })
        .collect();
    claims.sort_by_key(|c| c.to_string());
    let records = cluster
        .sim
        .store
        .list(&resources::CONFIG_MAPS, Some("default"), &|_| true)
        .0
        .len();
    json!({"set": set_state, "pods": pods, "claims": claims, "records": records})
}

fn uids(cluster: &Cluster) -> BTreeMap<String, String> {
    cluster
        .pods()
        .iter()
        .map(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or_default().to_string();
            (
                name,
                p["metadata"]["uid"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Waits until the set's pods are all Ready and its status caught up, whatever their number.
fn settle(cluster: &Cluster) {
    cluster.wait_for("the cluster to settle", Duration::from_secs(60), |c| {
        let Some(set) = c
            .get(&resources::STATEFULSETS, "web")
            .or_else(|| c.get(&resources::STATEFULSETS, "zk"))
        else {
            return true;
        };
        let replicas = set["spec"]["replicas"].as_i64().unwrap_or(0);
        let status = &set["status"];
        status["observedGeneration"] == set["metadata"]["generation"]
            && status["readyReplicas"].as_i64().unwrap_or(0) == replicas
            && status["replicas"].as_i64().unwrap_or(0) == replicas
    });
}

fn args_for(cluster: &Cluster, case: &Case) -> Vec<String> {
    let mut args: Vec<String> = case.args.iter().map(|a| a.to_string()).collect();
    if args
        .iter()
        .any(|a| a == "--orphan" || a == "resize" || a == "apply")
    {
        args.extend(["--backup-dir".to_string(), cluster.dir.display().to_string()]);
    }
    args.push("--yes".into());
    args
}

/// The uninterrupted run: its writes (dry runs change nothing: not counted) and where it ends.
fn reference(case: &Case) -> (usize, Value) {
    let cluster = (case.setup)();
    let before = uids(&cluster);
    cluster.sim.log.clear();
    run_ok(
        &cluster,
        &args_for(&cluster, case)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let writes = cluster
        .sim
        .log
        .mutating()
        .iter()
        .filter(|e| e.status < 400 && !e.query.contains("dryRun=All"))
        .count();
    settle(&cluster);
    (writes, state(&cluster, &before))
}

fn spawn(cluster: &Cluster, args: &[String]) -> Child {
    cluster
        .sts_process()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts")
}

/// Runs the command until `hang` holds it, kills it (SIGKILL), and lets the server go on.
fn kill_when_held(cluster: &Cluster, args: &[String], hang: Fault) {
    cluster.sim.faults().inject(hang).unwrap();
    let mut child = spawn(cluster, args);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let held = cluster
            .sim
            .log
            .entries()
            .iter()
            .any(|e| e.fault.as_deref() == Some("hang"));
        if held || child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "{args:?} neither held nor done");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().ok();
    child.wait().unwrap();
    cluster.sim.faults().inject(Fault::Clear).unwrap();
}

/// Runs the command until it is held after `writes` writes, kills it, then runs it again.
/// Also returns the writes the two runs made together.
fn killed_then_rerun(case: &Case, writes: u32) -> (Value, usize) {
    let cluster = (case.setup)();
    let before = uids(&cluster);
    let args = args_for(&cluster, case);
    cluster.sim.log.clear();
    kill_when_held(
        &cluster,
        &args,
        Fault::Hang {
            after: writes,
            resource: None,
        },
    );
    run_ok(&cluster, &args.iter().map(String::as_str).collect::<Vec<_>>());
    settle(&cluster);
    let applied = cluster
        .sim
        .log
        .mutating()
        .iter()
        .filter(|e| e.fault.is_none() && e.status < 400 && !e.query.contains("dryRun=All"))
        .count();
    (state(&cluster, &before), applied)
}

fn check(case: Case) {
    let (writes, expected) = reference(&case);
    assert!(writes > 0, "{:?} wrote nothing", case.args);
    assert_eq!(expected["records"], 0, "{expected}");
    for n in 0..writes as u32 {
        let (after, applied) = killed_then_rerun(&case, n);
        assert_eq!(
            after, expected,
            "{:?} killed after {n} of {writes} writes, then run again",
            case.args
        );
        // Resuming does not do again what was done (a pod replaced twice, a second restart):
        // at most the step in flight and its record are written again.
        assert!(
            applied <= writes + 2,
            "{:?} killed after {n}: {applied} writes in all, {writes} uninterrupted",
            case.args
        );
    }
}

fn web_rolled_out() -> Cluster {
    let cluster = web_cluster();
    run_ok(
        &cluster,
        &[
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.26",
            "--partition",
            "0",
            "--yes",
        ],
    );
    settle(&cluster);
    cluster
}

fn zk_outdated() -> Cluster {
    let cluster = zk_cluster();
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9.3");
    cluster
}

/// The web fixture changed in every way `apply -f` orders: a claim that grows, a field the
/// server refuses to update (a re-create) and an image (a rollout).
const CHANGED_WEB: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/crash-apply-web.yaml");

fn web_and_its_changed_manifest() -> Cluster {
    let manifest = common::fixture("web.yaml")
        .replacen("image: nginx:1.25", "image: nginx:1.26", 1)
        .replacen("requests: {storage: 1Gi}", "requests: {storage: 2Gi}", 1)
        .replacen(
            "  serviceName: nginx",
            "  serviceName: nginx\n  podManagementPolicy: Parallel",
            1,
        );
    std::fs::write(CHANGED_WEB, manifest).unwrap();
    web_cluster()
}

const NEW_WEB_IMAGE: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/crash-apply-web-image.yaml");

/// The web fixture and its manifest with a new image (a rollout only).
fn web_and_its_new_image() -> Cluster {
    let manifest = common::fixture("web.yaml").replacen("image: nginx:1.25", "image: nginx:1.26", 1);
    std::fs::write(NEW_WEB_IMAGE, manifest).unwrap();
    web_cluster()
}

fn web_with_leftovers() -> Cluster {
    let cluster = web_cluster();
    run_ok(&cluster, &["scale", "web", "--replicas", "2", "--yes"]);
    cluster
}

#[test]
fn scale_rollout_and_canary() {
    check(Case {
        setup: web_cluster,
        args: &["scale", "web", "--replicas", "5"],
    });
    check(Case {
        setup: web_cluster,
        args: &[
            "rollout",
            "web",
            "--image",
            "nginx=nginx:1.26",
            "--partition",
            "1",
        ],
    });
    check(Case {
        setup: web_cluster,
        args: &["canary", "web", "--image", "nginx=nginx:1.26"],
    });
}

#[test]
fn promote_abort_and_undo() {
    check(Case {
        setup: staged_cluster,
        args: &["promote", "web", "--full"],
    });
    check(Case {
        setup: staged_cluster,
        args: &[
            "promote",
            "web",
            "--full",
            "--pod-check",
            "true",
            "--leader",
            "echo web-1",
        ],
    });
    check(Case {
        setup: staged_cluster,
        args: &["abort", "web"],
    });
    check(Case {
        setup: web_rolled_out,
        args: &["undo", "web", "--to-revision", "1"],
    });
}

#[test]
fn roll_and_restart() {
    check(Case {
        setup: zk_outdated,
        args: &["roll", "zk"],
    });
    check(Case {
        setup: zk_cluster,
        args: &["restart", "zk"],
    });
    check(Case {
        setup: web_cluster,
        args: &["restart", "web"],
    });
    // Gated: the set is driven as OnDelete; killed at any point, a re-run puts its own
    // strategy and partition back with every pod restarted.
    check(Case {
        setup: web_cluster,
        args: &["restart", "web", "--pod-check", "true", "--leader", "echo web-2"],
    });
}

#[test]
fn delete_ordered_and_orphan() {
    check(Case {
        setup: web_cluster,
        args: &["delete", "web"],
    });
    check(Case {
        setup: web_cluster,
        args: &["delete", "web", "--orphan"],
    });
}

#[test]
fn apply_a_changed_manifest() {
    check(Case {
        setup: web_and_its_changed_manifest,
        args: &["apply", "-f", CHANGED_WEB],
    });
    // Gated: the partition held by the apply and walked down; killed anywhere, a re-run goes
    // on from the live partition (never raised) and ends at the manifest's, no record left.
    check(Case {
        setup: web_and_its_new_image,
        args: &["apply", "-f", NEW_WEB_IMAGE, "--pod-check", "true"],
    });
    check(Case {
        setup: web_and_its_changed_manifest,
        args: &["apply", "-f", CHANGED_WEB, "--before-each", "true"],
    });
}

#[test]
fn claims_resize_and_prune() {
    check(Case {
        setup: web_cluster,
        args: &["pvc", "resize", "web", "--template", "www", "--size", "2Gi"],
    });
    check(Case {
        setup: web_with_leftovers,
        args: &["pvc", "web", "--prune"],
    });
}

#[test]
fn a_name_whose_set_is_gone_tells_what_it_left_and_how_to_finish() {
    let cluster = web_cluster();
    let args = args_for(
        &cluster,
        &Case {
            setup: web_cluster,
            args: &["pvc", "resize", "web", "--template", "www", "--size", "2Gi"],
        },
    );
    // Held at the create that follows the orphan delete, then killed.
    let hang = Fault::Hang {
        after: 1,
        resource: Some("statefulsets".into()),
    };
    kill_when_held(&cluster, &args, hang);
    assert!(cluster.get(&resources::STATEFULSETS, "web").is_none());

    for read in [&["status", "web"][..], &["pvc", "web"][..]] {
        let output = cluster.sts().args(read).output().unwrap();
        let (out, err) = (common::stdout_of(&output), common::stderr_of(&output));
        assert_eq!(output.status.code(), Some(1), "{read:?}: {err}");
        assert!(
            out.contains("left 3 pod(s) running without a set and 3 claim(s)"),
            "{out}"
        );
        assert!(out.contains("web-0") && out.contains("www-web-2"), "{out}");
        assert!(
            out.contains("In flight: `kubectl sts pvc resize web --template www --size 2Gi"),
            "{out}"
        );
        assert!(err.contains("run it again to finish"), "{err}");
    }
    let list = common::stdout_of(&cluster.sts().arg("list").output().unwrap());
    assert!(
        list.lines()
            .any(|l| l.starts_with("web ") && l.contains("orphaned")),
        "{list}"
    );
    let refused = cluster.sts().args(["delete", "web", "--yes"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        common::stderr_of(&refused).contains("has a step in flight"),
        "{}",
        common::stderr_of(&refused)
    );

    run_ok(&cluster, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        cluster.statefulset("web")["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
        "2Gi"
    );
    let list = common::stdout_of(&cluster.sts().arg("list").output().unwrap());
    assert!(!list.contains("orphaned"), "{list}");
}

#[test]
fn status_names_a_step_in_flight_on_the_set() {
    let cluster = zk_cluster();
    let args = args_for(
        &cluster,
        &Case {
            setup: zk_cluster,
            args: &["restart", "zk"],
        },
    );
    kill_when_held(
        &cluster,
        &args,
        Fault::Hang {
            after: 1,
            resource: None,
        },
    );
    let status = common::stdout_of(&run_ok(&cluster, &["status", "zk"]));
    assert!(
        status.contains("In flight: `kubectl sts restart zk -n default` (step restart"),
        "{status}"
    );
    let refused = cluster
        .sts()
        .args(["scale", "zk", "--replicas", "4", "--yes"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        common::stderr_of(&refused).contains("run `kubectl sts restart zk -n default` to finish it first"),
        "{}",
        common::stderr_of(&refused)
    );
}
