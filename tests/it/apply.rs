//! Black-box tests of `apply -f`: a changed manifest carried out in order — claims grown, the
//! set re-created with every pod kept (uids checked) when a field cannot be updated, then the
//! template rolled — asserting on the cluster (uids, owners, images, sizes, who owns the
//! fields), on the order of deletions, and on what the user sees; refusals write nothing.
//! With gates, the rollout goes a pod at a time with checks and hooks between (the order of
//! deletions and the scripts' own logs), and a re-run after a stop goes on.

use std::time::Duration;

use serde_json::Value;
use sts_sim::resources;

use crate::common::setup::{
    json_of, pod_images, pod_marks, set_image, web_cluster, web_manifest, zk_cluster,
};
use crate::common::{Cluster, fixture, record_deletions, skip_on_simulator, stderr_of, stdout_of};
use crate::gates::{deleted_pods, lines};

/// Writes that are not dry runs.
fn writes(cluster: &Cluster) -> usize {
    cluster
        .requests()
        .iter()
        .filter(|r| r.is_mutating() && !r.query.contains("dryRun=All"))
        .count()
}

/// `apply -f -` of `manifest` with `args` (and `--yes`, the backup directory).
fn apply(cluster: &Cluster, manifest: &str, args: &[&str]) -> std::process::Output {
    cluster
        .sts()
        .args(["apply", "-f", "-", "--yes", "--backup-dir"])
        .arg(&cluster.dir)
        .args(args)
        .write_stdin(manifest)
        .timeout(Duration::from_secs(240))
        .output()
        .unwrap()
}

/// On the real control plane (the simulator keeps no field managers): the set's fields are
/// held by `kubectl-sts` through server-side apply, first when `first`.
fn assert_applied_by_us(cluster: &Cluster, name: &str, first: bool) {
    if !crate::common::real() {
        return;
    }
    let managers = managers(cluster, name);
    let ours = "kubectl-sts/Apply".to_string();
    match first {
        true => assert_eq!(managers.first(), Some(&ours), "{managers:?}"),
        false => assert!(managers.contains(&ours), "{managers:?}"),
    }
}

/// The managers of the set's fields, as `manager/operation`.
fn managers(cluster: &Cluster, name: &str) -> Vec<String> {
    cluster.statefulset(name)["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            format!(
                "{}/{}",
                m["manager"].as_str().unwrap_or("?"),
                m["operation"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

fn owner_uid(pod: &Value) -> &Value {
    &pod["metadata"]["ownerReferences"][0]["uid"]
}

#[test]
fn an_image_and_a_claim_template_label_keep_every_pod_through_the_re_create_then_roll() {
    let cluster = web_cluster();
    let before = pod_marks(&cluster);
    let old_uid = cluster.statefulset("web")["metadata"]["uid"].clone();
    let deletions = record_deletions(&cluster);
    let manifest = web_manifest(&[
        ("image: nginx:1.25", "image: nginx:1.26"),
        (
            "- metadata: {name: www}",
            "- metadata: {name: www, labels: {tier: gold}}",
        ),
    ]);
    let output = apply(&cluster, &manifest, &["-o", "json"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let doc = json_of(&output);
    assert_eq!(doc["kind"], "ApplyResult");
    assert_eq!(doc["outcome"]["result"], "done", "{doc:#}");
    let stages: Vec<&str> = doc["plan"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(stages, ["orphan_delete", "recreate", "apply", "converge"]);
    // Adopted with the same uids before the template rolled.
    let adopted: Vec<&Value> = doc["outcome"]["pods"].as_array().unwrap().iter().collect();
    assert_eq!(adopted.len(), 3, "{doc:#}");
    assert!(
        adopted.iter().all(|p| p["state"] == "adopted, same uid"),
        "{doc:#}"
    );
    let set = cluster.statefulset("web");
    assert_ne!(set["metadata"]["uid"], old_uid, "created again");
    assert_eq!(
        set["spec"]["volumeClaimTemplates"][0]["metadata"]["labels"]["tier"],
        "gold"
    );
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.26"; 3]);
    for pod in cluster.pods() {
        assert_eq!(owner_uid(&pod), &set["metadata"]["uid"]);
        let name = pod["metadata"]["name"].as_str().unwrap();
        assert_ne!(
            pod["metadata"]["uid"].as_str(),
            Some(before[name].0.as_str()),
            "{name} rolled"
        );
    }
    // The set went before any pod, and the pods went highest first (the set's own rollout).
    let deleted = deletions.lock().unwrap().clone();
    let pods: Vec<&String> = deleted.iter().filter(|d| d.starts_with("pods/")).collect();
    assert_eq!(
        deleted.first().map(String::as_str),
        Some("statefulsets/web"),
        "{deleted:?}"
    );
    assert_eq!(pods, ["pods/web-2", "pods/web-1", "pods/web-0"], "{deleted:?}");
    assert_applied_by_us(&cluster, "web", false);
    assert!(
        cluster
            .list(&resources::CONFIG_MAPS)
            .iter()
            .all(|m| m["metadata"]["labels"]["kubectl-sts.io/record-of"].is_null()),
        "no record left"
    );
    let again = apply(&cluster, &manifest, &[]);
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert!(
        stdout_of(&again).contains("nothing to do"),
        "{}",
        stdout_of(&again)
    );
}

#[test]
fn claim_growth_and_a_pod_management_policy_change_restart_no_pod() {
    let cluster = web_cluster();
    let before = pod_marks(&cluster);
    let manifest = web_manifest(&[
        (
            "  serviceName: nginx",
            "  serviceName: nginx\n  podManagementPolicy: Parallel",
        ),
        ("requests: {storage: 1Gi}", "requests: {storage: 2Gi}"),
    ]);
    let output = apply(&cluster, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("1. grow the claims of each growing template"),
        "{text}"
    );
    assert!(text.contains("its 3 pod(s) adopted with the same uids"), "{text}");
    let set = cluster.statefulset("web");
    assert_eq!(set["spec"]["podManagementPolicy"], "Parallel");
    assert_eq!(
        set["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
        "2Gi"
    );
    for ordinal in 0..3 {
        let claim = cluster
            .get(&resources::PVCS, &format!("www-web-{ordinal}"))
            .unwrap();
        assert_eq!(
            claim["spec"]["resources"]["requests"]["storage"], "2Gi",
            "{claim}"
        );
    }
    assert_eq!(pod_marks(&cluster), before, "same uids, same restart counts");
}

#[test]
fn refused_changes_write_nothing_and_exit_3() {
    let cluster = web_cluster();
    let selector = web_manifest(&[
        (
            "matchLabels: {app: nginx}",
            "matchLabels: {app: nginx, tier: web}",
        ),
        (
            "      labels: {app: nginx}",
            "      labels: {app: nginx, tier: web}",
        ),
    ]);
    let service = web_manifest(&[("serviceName: nginx", "serviceName: nginx-hs")]);
    let broken = "kind: StatefulSet\nmetadata:\n  name: [web\n".to_string();
    let cases = [
        (
            selector,
            3,
            "error: statefulset default/web: spec.selector.matchLabels.tier is refused: a changed selector strands every pod",
        ),
        (
            service,
            3,
            "error: statefulset default/web: spec.serviceName is refused: every pod's DNS name changes",
        ),
        (
            broken,
            1,
            "error: stdin is not valid YAML or JSON: line 3 column 9",
        ),
    ];
    for (manifest, code, expected) in cases {
        let writes_before = writes(&cluster);
        let output = apply(&cluster, &manifest, &[]);
        let error = stderr_of(&output);
        assert_eq!(output.status.code(), Some(code), "{error}");
        assert!(
            error.starts_with(expected) && error.trim_end().lines().count() == 1,
            "{error}"
        );
        assert_eq!(writes(&cluster), writes_before, "wrote: {error}");
    }
}

#[test]
fn a_new_set_from_stdin_is_created_in_order_and_its_neighbours_are_left_alone() {
    let cluster = web_cluster();
    let manifest = format!(
        "{}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: shop-config}}\ndata: {{a: b}}\n",
        web_manifest(&[
            ("name: web\n", "name: shop\n"),
            ("name: nginx\n", "name: shop-hs\n")
        ])
    );
    let output = apply(&cluster, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("not handled here (left alone; `kubectl apply -f` them): stdin, document 1 (Service shop-hs); stdin, document 3 (ConfigMap shop-config)"),
        "{}",
        stderr_of(&output)
    );
    assert!(
        stdout_of(&output)
            .contains("created statefulset default/shop from stdin, document 2; converged: 3/3 Ready"),
        "{}",
        stdout_of(&output)
    );
    assert!(
        cluster.get(&resources::CONFIG_MAPS, "shop-config").is_none(),
        "left alone"
    );
    assert!(
        cluster.get(&resources::SERVICES, "shop-hs").is_none(),
        "left alone"
    );
    let set = cluster.statefulset("shop");
    assert_eq!(set["status"]["readyReplicas"], 3, "{set}");
    assert_applied_by_us(&cluster, "shop", true);
}

#[test]
fn a_set_stuck_on_a_missing_class_runs_once_its_fixed_manifest_is_applied() {
    let cluster = crate::common::Cluster::start();
    let stuck = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: hole}
spec:
  serviceName: hole
  replicas: 2
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: hole}}
  template:
    metadata: {labels: {app: hole}}
    spec:
      containers:
      - {name: app, image: registry.local/hole:1}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: nowhere
      resources: {requests: {storage: 1Gi}}
";
    cluster.apply_yaml(stuck);
    cluster.wait_for("both claims Pending", Duration::from_secs(60), |c| {
        (0..2).all(|o| {
            c.get(&resources::PVCS, &format!("data-hole-{o}"))
                .is_some_and(|p| p["status"]["phase"] == "Pending")
        })
    });
    // `why`'s advice is what this test follows.
    let why = cluster.sts().args(["why", "hole"]).output().unwrap();
    assert_eq!(why.status.code(), Some(3), "{}", stderr_of(&why));
    assert!(
        stdout_of(&why).contains("fix the class in the set's manifest and apply it with `kubectl sts apply -f MANIFEST --replace-pending-claims"),
        "{}",
        stdout_of(&why)
    );
    let fixed = stuck.replace("      storageClassName: nowhere\n", "");
    let writes_before = writes(&cluster);
    let refused = apply(&cluster, &fixed, &[]);
    let error = stderr_of(&refused);
    assert_eq!(refused.status.code(), Some(3), "{error}");
    assert!(
        error.contains(
            "existing claims data-hole-0, data-hole-1 are Pending without a volume (they hold no data)"
        ),
        "{error}"
    );
    assert!(error.contains("--replace-pending-claims"), "{error}");
    assert_eq!(writes(&cluster), writes_before);

    let old_claims: Vec<Value> = (0..2)
        .map(|o| cluster.get(&resources::PVCS, &format!("data-hole-{o}")).unwrap())
        .collect();
    let output = apply(&cluster, &fixed, &["--replace-pending-claims"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("delete data-hole-0, data-hole-1 (Pending, no volume: no data)"),
        "{}",
        stdout_of(&output)
    );
    for (ordinal, old) in old_claims.iter().enumerate() {
        let claim = cluster
            .get(&resources::PVCS, &format!("data-hole-{ordinal}"))
            .unwrap();
        assert_ne!(claim["metadata"]["uid"], old["metadata"]["uid"], "made again");
        assert_eq!(claim["status"]["phase"], "Bound", "{claim}");
        assert_ne!(claim["spec"]["storageClassName"], "nowhere");
    }
    assert_eq!(cluster.statefulset("hole")["status"]["readyReplicas"], 2);
}

#[test]
fn in_place_changes_take_fields_written_by_update_and_say_so() {
    let cluster = web_cluster();
    let manifest = web_manifest(&[
        ("  replicas: 3", "  replicas: 4"),
        ("image: nginx:1.25", "image: nginx:1.26"),
    ]);
    let output = apply(&cluster, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("apply the manifest to statefulset default/web: its template rolls out"),
        "{text}"
    );
    assert!(text.contains("converged: 4/4 Ready"), "{text}");
    let set = cluster.statefulset("web");
    assert_eq!(set["spec"]["replicas"], 4);
    assert_eq!(pod_images(&cluster, "web", 4), ["nginx:1.26"; 4]);
    assert_applied_by_us(&cluster, "web", false);
    if crate::common::real() {
        // The harness created the set with a plain create (an update's manager): taken, and said.
        assert!(
            text.contains("fields: kubectl-sts takes .spec.replicas"),
            "{text}"
        );
    }
}

#[test]
fn another_server_side_applier_is_refused_without_force_conflicts() {
    if skip_on_simulator("its server-side apply keeps no field managers") {
        return;
    }
    let cluster = Cluster::start();
    let first = fixture("web.yaml");
    let created = apply(&cluster, &first, &["--field-manager", "flux"]);
    assert!(created.status.success(), "{}", stderr_of(&created));
    let changed = web_manifest(&[("image: nginx:1.25", "image: nginx:1.26")]);
    let writes_before = writes(&cluster);
    let refused = apply(&cluster, &changed, &[]);
    let error = stderr_of(&refused);
    assert_eq!(refused.status.code(), Some(3), "{error}");
    assert!(
        error.contains("another server-side applier holds fields this manifest changes"),
        "{error}"
    );
    assert!(error.contains("(flux)"), "{error}");
    assert_eq!(writes(&cluster), writes_before);
    let forced = apply(&cluster, &changed, &["--force-conflicts"]);
    assert!(forced.status.success(), "{}", stderr_of(&forced));
    assert!(
        stdout_of(&forced).contains("from another server-side applier (--force-conflicts)"),
        "{}",
        stdout_of(&forced)
    );
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.26"; 3]);
}

#[test]
fn someone_elses_writes_while_planning_are_planned_again() {
    if crate::common::skip_on_real("injects 409 Conflicts (simulator fault injection)") {
        return;
    }
    let cluster = web_cluster();
    // The dry runs ask under the resourceVersion just read: each conflict plans again.
    let conflict = sts_sim::faults::Fault::conflict(3).on("statefulsets");
    cluster.sim.faults().inject(conflict).unwrap();
    let manifest = web_manifest(&[
        ("  replicas: 3", "  replicas: 4"),
        ("image: nginx:1.25", "image: nginx:1.26"),
    ]);
    let output = apply(&cluster, &manifest, &[]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let conflicts = cluster
        .sim
        .log
        .mutating()
        .iter()
        .filter(|r| r.status == 409)
        .count();
    assert_eq!(conflicts, 3);
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 4);
    assert_eq!(pod_images(&cluster, "web", 4), ["nginx:1.26"; 4]);
}

/// The web set's update strategy.
fn strategy(cluster: &Cluster) -> Value {
    cluster.statefulset("web")["spec"]["updateStrategy"].clone()
}

#[test]
fn gates_walk_a_rolling_update_set_a_pod_at_a_time_and_leave_it_rolling_update() {
    let cluster = web_cluster();
    let deletions = record_deletions(&cluster);
    let log = cluster.dir.join("gates.log");
    let before = format!("echo before $STS_POD >> {}", log.display());
    let check = format!("echo check $STS_POD >> {}", log.display());
    let manifest = web_manifest(&[("image: nginx:1.25", "image: nginx:1.26")]);
    let output = apply(
        &cluster,
        &manifest,
        &["--before-each", &before, "--pod-check", &check],
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    let plan = stdout_of(&output);
    for said in [
        "  pods: RollingUpdate, walked by kubectl-sts: the partition held at 3, lowered to 0, 1 pod(s) at a time, the gates around each pod (the set stays RollingUpdate): web-2, web-1, web-0\n",
        "with its partition held at 3: no pod moves on its own",
        "lower the partition from 3 to 0, 1 pod(s) at a time, the gates around each pod: web-2, web-1, web-0",
        "Gate: before each pod",
        "Gate: after each pod: `echo check",
    ] {
        assert!(plan.contains(said), "{said}: {plan}");
    }
    assert_eq!(
        lines(&log),
        [
            "before web-2",
            "check web-2",
            "before web-1",
            "check web-1",
            "before web-0",
            "check web-0"
        ]
    );
    assert_eq!(deleted_pods(&deletions), ["web-2", "web-1", "web-0"]);
    let strategy = strategy(&cluster);
    assert_eq!(strategy["type"], "RollingUpdate", "never driven as OnDelete");
    assert_eq!(strategy["rollingUpdate"]["partition"], 0, "the manifest's");
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.26"; 3]);
}

#[test]
fn a_failing_pod_check_stops_the_walk_at_its_pod_and_the_same_apply_goes_on() {
    let cluster = web_cluster();
    let deletions = record_deletions(&cluster);
    let healthy = cluster.dir.join("web-1-healthy");
    let check = format!(
        "[ \"$STS_POD\" != web-1 ] || [ -f {} ] || {{ echo web-1 has not caught up; exit 1; }}",
        healthy.display()
    );
    let args = [
        "--pod-check",
        check.as_str(),
        "--pod-check-interval",
        "200ms",
        "--pod-check-timeout",
        "3s",
    ];
    let manifest = web_manifest(&[("image: nginx:1.25", "image: nginx:1.26")]);
    let failed = apply(&cluster, &manifest, &args);
    let error = stderr_of(&failed);
    assert_eq!(failed.status.code(), Some(3), "{error}");
    for said in [
        "web-1: its check did not pass 1 time(s) in a row within 3s",
        "last output: web-1 has not caught up",
        "no other pod was taken down",
        "--pod-check-interval 200ms --pod-check-timeout 3s -n default` to go on",
    ] {
        assert!(error.contains(said), "{said}: {error}");
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(deleted_pods(&deletions), ["web-2", "web-1"], "web-0 untouched");
    assert_eq!(strategy(&cluster)["rollingUpdate"]["partition"], 1);

    std::fs::write(&healthy, "").unwrap();
    let resumed = apply(&cluster, &manifest, &args);
    assert!(resumed.status.success(), "{}", stderr_of(&resumed));
    assert!(
        stdout_of(&resumed).contains("lower the partition from 1 to 0"),
        "{}",
        stdout_of(&resumed)
    );
    assert_eq!(
        deleted_pods(&deletions),
        ["web-2", "web-1", "web-0"],
        "none twice"
    );
    assert_eq!(strategy(&cluster)["rollingUpdate"]["partition"], 0);
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.26"; 3]);
}

/// The zk fixture's manifest with a new image.
fn zk_manifest() -> String {
    fixture("zk.yaml").replacen("image: zookeeper:3.8", "image: zookeeper:3.9.3", 1)
}

#[test]
fn an_on_delete_set_is_rolled_after_the_apply_with_the_leader_last() {
    let cluster = zk_cluster();
    let deletions = record_deletions(&cluster);
    let output = apply(&cluster, &zk_manifest(), &["--leader", "echo zk-1"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("roll zk-2, zk-1, zk-0 with the gates"),
        "{}",
        stdout_of(&output)
    );
    assert_eq!(deleted_pods(&deletions), ["zk-2", "zk-0", "zk-1"]);
    assert_eq!(pod_images(&cluster, "zk", 3), ["zookeeper:3.9.3"; 3]);
}

#[test]
fn a_gated_re_run_rolls_the_pods_an_applied_on_delete_template_left_outdated() {
    let cluster = zk_cluster();
    // As a run killed right after its apply leaves it: the template applied, no pod moved.
    set_image(&cluster, "zk", "zookeeper", "zookeeper:3.9.3");
    let deletions = record_deletions(&cluster);
    let output = apply(&cluster, &zk_manifest(), &["--pod-check", "true"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        !stdout_of(&output).contains("nothing to do"),
        "{}",
        stdout_of(&output)
    );
    assert_eq!(deleted_pods(&deletions), ["zk-2", "zk-1", "zk-0"]);
    assert_eq!(pod_images(&cluster, "zk", 3), ["zookeeper:3.9.3"; 3]);
}

#[test]
fn leader_last_on_a_rolling_update_set_is_refused_without_a_write() {
    let cluster = web_cluster();
    let writes_before = writes(&cluster);
    let manifest = web_manifest(&[("image: nginx:1.25", "image: nginx:1.26")]);
    let refused = apply(&cluster, &manifest, &["--leader", "echo web-0"]);
    let error = stderr_of(&refused);
    assert_eq!(refused.status.code(), Some(2), "{error}");
    assert!(
        error.contains("--leader cannot keep the leader for last in the rollout of `apply -f`")
            && error.contains("promote web --full --leader CMD"),
        "{error}"
    );
    assert_eq!(
        error.lines().filter(|l| l.starts_with("error")).count(),
        1,
        "{error}"
    );
    assert_eq!(writes(&cluster), writes_before);
    assert_eq!(pod_images(&cluster, "web", 3), ["nginx:1.25"; 3]);
}
