//! Black-box tests of `plan -f`: the web fixture's manifest changed the ways charts and
//! overlays change it, planned against the live set — in place, rolled out, re-created (as the
//! API server's own dry runs say), refused — with the exit code a pipeline branches on, and
//! never a write.

use serde_json::Value;

use crate::common::setup::{json_of, run_ok, web_cluster, web_manifest};
use crate::common::{Cluster, fixture, stderr_of, stdout_of};

/// Requests that could change something and are not dry runs (a plan's dry-run create and
/// updates change nothing: the server only answers what it would do).
fn writes(cluster: &Cluster) -> usize {
    let requests = cluster.requests();
    requests
        .iter()
        .filter(|r| r.is_mutating() && !r.query.contains("dryRun=All"))
        .count()
}

/// Runs `plan -f -` on `manifest` with `args`, asserting it wrote nothing.
fn plan(cluster: &Cluster, manifest: &str, args: &[&str]) -> std::process::Output {
    let writes_before = writes(cluster);
    let output = cluster
        .sts()
        .args(["plan", "-f", "-"])
        .args(args)
        .write_stdin(manifest)
        .output()
        .unwrap();
    assert_eq!(
        writes(cluster),
        writes_before,
        "plan wrote: {}",
        stderr_of(&output)
    );
    output
}

/// The planned change of `path` in the first set of a `-o json` plan.
fn change<'a>(doc: &'a Value, path: &str) -> &'a Value {
    doc["sets"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == path)
        .unwrap_or_else(|| panic!("no change of {path}: {doc:#}"))
}

#[test]
fn the_unchanged_manifest_plans_no_change_and_names_the_service_it_leaves_alone() {
    let cluster = web_cluster();
    let before = cluster.request_count();
    let output = plan(&cluster, &fixture("web.yaml"), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    // As `status` (the set, then its pods, claims and revisions at once), and one dry-run create.
    assert_eq!(
        cluster.request_count() - before,
        5,
        "{:#?}",
        &cluster.requests()[before..]
    );
    let text = stdout_of(&output);
    assert!(
        text.contains("statefulset default/web (stdin, document 2): no change"),
        "{text}"
    );
    assert!(
        text.contains("not handled here (left alone): stdin, document 1 (Service nginx)"),
        "{text}"
    );
}

#[test]
fn an_image_and_a_claim_template_label_plan_a_rollout_and_a_re_create() {
    let cluster = web_cluster();
    let manifest = web_manifest(&[
        ("image: nginx:1.25", "image: nginx:1.26"),
        (
            "- metadata: {name: www}",
            "- metadata: {name: www, labels: {tier: gold}}",
        ),
    ]);
    let output = plan(&cluster, &manifest, &["-o", "json"]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr_of(&output));
    let doc = json_of(&output);
    assert_eq!(doc["outcome"], "changes");
    assert_eq!(doc["sets"][0]["action"], "change");
    let image = change(&doc, "spec.template.spec.containers[nginx].image");
    assert_eq!(
        (
            image["old"].as_str(),
            image["new"].as_str(),
            image["how"].as_str()
        ),
        (Some("nginx:1.25"), Some("nginx:1.26"), Some("rollout"))
    );
    assert_eq!(
        change(&doc, "spec.volumeClaimTemplates[www].metadata.labels.tier")["how"],
        "recreate"
    );
    assert_eq!(
        doc["sets"][0]["restarts"],
        serde_json::json!(["web-2", "web-1", "web-0"])
    );
}

#[test]
fn fields_the_api_server_refuses_to_update_are_learned_from_it_as_re_creates() {
    let cluster = web_cluster();
    let manifest = web_manifest(&[
        (
            "  serviceName: nginx",
            "  serviceName: nginx\n  podManagementPolicy: Parallel",
        ),
        ("requests: {storage: 1Gi}", "requests: {storage: 2Gi}"),
        ("  replicas: 3", "  replicas: 4"),
    ]);
    let output = plan(&cluster, &manifest, &["-o", "json"]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr_of(&output));
    let doc = json_of(&output);
    assert_eq!(change(&doc, "spec.podManagementPolicy")["how"], "recreate");
    assert_eq!(change(&doc, "spec.replicas")["how"], "in_place");
    let growth = change(
        &doc,
        "spec.volumeClaimTemplates[www].spec.resources.requests.storage",
    );
    assert_eq!(growth["how"], "recreate");
    let note = growth["note"].as_str().unwrap();
    assert!(
        note.contains("existing claims www-web-0, www-web-1, www-web-2 grown"),
        "{note}"
    );
    assert_eq!(
        doc["sets"][0]["restarts"],
        serde_json::json!([]),
        "no pod restarts: {doc:#}"
    );
}

#[test]
fn a_selector_change_is_refused_with_exit_3() {
    let cluster = web_cluster();
    let manifest = web_manifest(&[
        (
            "matchLabels: {app: nginx}",
            "matchLabels: {app: nginx, tier: web}",
        ),
        (
            "      labels: {app: nginx}",
            "      labels: {app: nginx, tier: web}",
        ),
    ]);
    let output = plan(&cluster, &manifest, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let error = stderr_of(&output);
    assert!(
        error.contains("statefulset default/web: spec.selector.matchLabels.tier is refused: a changed selector strands every pod"),
        "{error}"
    );
    assert!(
        stdout_of(&output).contains("refused (nothing will be done)"),
        "{}",
        stdout_of(&output)
    );
}

#[test]
fn a_service_name_change_is_refused_without_its_flag_naming_every_dns_name() {
    let cluster = web_cluster();
    let manifest = web_manifest(&[("serviceName: nginx", "serviceName: nginx-hs")]);
    let refused = plan(&cluster, &manifest, &[]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr_of(&refused));
    let error = stderr_of(&refused);
    assert!(
        error.contains("web-0.nginx -> web-0.nginx-hs, web-1.nginx -> web-1.nginx-hs"),
        "{error}"
    );
    assert!(error.contains("--allow-service-name-change"), "{error}");
    let allowed = plan(
        &cluster,
        &manifest,
        &["--allow-service-name-change", "-o", "json"],
    );
    assert_eq!(allowed.status.code(), Some(5), "{}", stderr_of(&allowed));
    assert_eq!(change(&json_of(&allowed), "spec.serviceName")["how"], "recreate");
}

#[test]
fn a_set_that_does_not_exist_is_planned_as_an_ordered_create_beside_other_objects() {
    let cluster = web_cluster();
    let manifest = format!(
        "{}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: shop-config}}\ndata: {{a: b}}\n",
        web_manifest(&[("name: web\n", "name: shop\n")])
    );
    let output = plan(&cluster, &manifest, &[]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("statefulset default/shop (stdin, document 2): does not exist: created"),
        "{text}"
    );
    assert!(
        text.contains(
            "created one by one, each Ready before the next (OrderedReady): shop-0, shop-1, shop-2"
        ),
        "{text}"
    );
    assert!(
        text.contains("stdin, document 1 (Service nginx); stdin, document 3 (ConfigMap shop-config)"),
        "{text}"
    );
    assert!(
        cluster.get(&sts_sim::resources::STATEFULSETS, "shop").is_none(),
        "a plan creates nothing"
    );
}

#[test]
fn the_restart_mark_a_manifest_drops_is_named_as_a_restart_of_every_pod() {
    let cluster = web_cluster();
    run_ok(&cluster, &["restart", "web", "--yes"]);
    let output = plan(&cluster, &fixture("web.yaml"), &[]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("spec.template.metadata.annotations.kubectl.kubernetes.io/restartedAt"),
        "{text}"
    );
    assert!(
        text.contains("dropped: the template annotation kubectl.kubernetes.io/restartedAt (")
            && text.contains("every pod restarts"),
        "{text}"
    );
}

#[test]
fn bad_input_is_one_line_and_no_request_is_written() {
    let cluster = web_cluster();
    let cases: [(&str, &[&str], &str); 3] = [
        (
            "kind: StatefulSet\nmetadata:\n  name: [web\n",
            &[],
            "error: stdin is not valid YAML or JSON: line 3 column 9: unclosed bracket '['",
        ),
        (
            "apiVersion: v1\nmetadata: {name: x}\n",
            &[],
            "error: stdin, document 1: no kind (every object needs apiVersion and kind)",
        ),
        (
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web, namespace: other}\nspec: {}\n",
            &["-n", "default"],
            "error: stdin, document 1 (StatefulSet web) is in namespace other, not default as -n says",
        ),
    ];
    for (manifest, args, expected) in cases {
        let output = plan(&cluster, manifest, args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{manifest}: {}",
            stderr_of(&output)
        );
        let error = stderr_of(&output);
        assert!(
            error.starts_with(expected) && error.lines().count() == 1,
            "{error}"
        );
    }
    let missing = cluster
        .sts()
        .args(["plan", "-f", "/no/such/web.yaml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr_of(&missing).starts_with("error: cannot read /no/such/web.yaml: No such file or directory"),
        "{}",
        stderr_of(&missing)
    );
}
