//! Black-box tests of `dns`: the real binary against the simulated cluster and its DNS server
//! (CoreDNS's rules, answers from the EndpointSlices, a configurable propagation delay).

use std::time::Duration;

use serde_json::json;
use sts_sim::dns::DnsConfig;
use sts_sim::resources::{self, ENDPOINT_SLICES, PODS};
use sts_sim::store::DeleteOptions;
use sts_sim::{SimConfig, sim::VIEWER_TOKEN};

use crate::common::setup::json_of;
use crate::common::{self, Cluster, fixture, patch, stderr_of, stdout_of};

const FQDNS: [&str; 3] = [
    "web-0.nginx.default.svc.cluster.local",
    "web-1.nginx.default.svc.cluster.local",
    "web-2.nginx.default.svc.cluster.local",
];

/// A cluster with DNS answering `delay` after each change, the web fixture's manifest (as
/// changed by `edit`) applied, and, when `wait`, every pod Ready and answered by DNS.
fn cluster_with(delay: Duration, edit: impl Fn(String) -> String, wait: bool) -> Cluster {
    let config = SimConfig {
        dns: Some(DnsConfig {
            propagation_delay: delay,
            ..DnsConfig::default()
        }),
        ..SimConfig::fast()
    };
    let cluster = Cluster::start_with(config);
    cluster.apply_yaml(&edit(fixture("web.yaml")));
    if wait {
        cluster.wait_ready("web", 3);
        wait_dns(&cluster);
    }
    cluster
}

fn web_cluster() -> Cluster {
    cluster_with(Duration::ZERO, |y| y, true)
}

fn wait_dns(cluster: &Cluster) {
    cluster.wait_for("DNS to catch up", Duration::from_secs(30), |c| match c.plane() {
        // CoreDNS has caught up once every name resolves to its pod.
        Some(_) => {
            let server = nameserver(c);
            let args = ["dns", "web", "--resolve", "--nameserver", &server];
            c.sts().args(args).output().is_ok_and(|o| o.status.success())
        }
        None => c.sim.dns_caught_up(),
    });
}

fn nameserver(cluster: &Cluster) -> String {
    cluster.dns_addr()
}

/// The row of `pod` in the table.
fn row<'a>(text: &'a str, pod: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(&format!("{pod} ")))
        .unwrap_or_else(|| panic!("no row for {pod} in\n{text}"))
}

fn pod_ip(cluster: &Cluster, name: &str) -> String {
    cluster.get(&PODS, name).expect("pod")["status"]["podIP"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The IPs the Service's EndpointSlices list for `pod` as ready.
fn ready_endpoint_ips(cluster: &Cluster, pod: &str) -> Vec<String> {
    let slices = cluster.list(&ENDPOINT_SLICES);
    slices
        .iter()
        .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["targetRef"]["name"] == pod && e["conditions"]["ready"] == true)
        .flat_map(|e| e["addresses"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_pod_of_the_web_fixture_passes_with_its_name_in_four_requests() {
    let cluster = web_cluster();
    let before = cluster.request_count();
    let output = cluster.sts().args(["dns", "web"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        cluster.request_count() - before,
        4,
        "get set, get service, list pods, list slices"
    );
    let text = stdout_of(&output);
    assert!(
        text.contains("StatefulSet default/web: headless Service nginx, cluster domain cluster.local"),
        "{text}"
    );
    for (ordinal, fqdn) in FQDNS.iter().enumerate() {
        let pod = format!("web-{ordinal}");
        let line = row(&text, &pod);
        assert!(
            line.contains(fqdn) && line.contains(&pod_ip(&cluster, &pod)),
            "{line}"
        );
        assert!(line.trim_end().ends_with("ok"), "{line}");
    }
    assert!(
        text.contains("SRV _web._tcp.nginx.default.svc.cluster.local"),
        "{text}"
    );
    assert!(
        text.contains("Every name has what it needs to resolve."),
        "{text}"
    );
}

#[test]
fn the_json_document_carries_every_check_and_its_verdict() {
    let cluster = web_cluster();
    let output = cluster.sts().args(["dns", "web", "-o", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let doc = json_of(&output);
    assert_eq!(
        (doc["kind"].as_str(), doc["version"].as_str()),
        (Some("StatefulSetDns"), Some("v1"))
    );
    for (pod, fqdn) in doc["pods"].as_array().unwrap().iter().zip(FQDNS) {
        assert_eq!(
            (pod["fqdn"].as_str(), pod["verdict"].as_str()),
            (Some(fqdn), Some("pass"))
        );
        assert!(
            pod["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["verdict"] == "pass"),
            "{pod}"
        );
    }
    assert!(
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["check"] == "headless" && c["verdict"] == "pass")
    );
    let server = nameserver(&cluster);
    let yaml = cluster
        .sts()
        .args(["dns", "web", "--resolve", "--nameserver", &server, "-o", "yaml"])
        .output()
        .unwrap();
    assert!(yaml.status.success(), "{}", stderr_of(&yaml));
    let text = stdout_of(&yaml);
    assert!(
        text.contains("kind: StatefulSetDns") && text.contains("state: resolved"),
        "{text}"
    );
}

/// Runs `dns web`, expecting exit 3, and returns (stdout, stderr).
fn failing_check(cluster: &Cluster) -> (String, String) {
    let output = cluster.sts().args(["dns", "web"]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}\n{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    (stdout_of(&output), stderr_of(&output))
}

#[test]
fn a_service_that_is_not_headless_fails_with_exit_3() {
    let cluster = cluster_with(Duration::ZERO, |y| y.replace("  clusterIP: None\n", ""), false);
    cluster.wait_ready("web", 3);
    let (text, err) = failing_check(&cluster);
    let ip = cluster.get(&resources::SERVICES, "nginx").unwrap()["spec"]["clusterIP"].clone();
    let ip = ip.as_str().unwrap();
    assert!(
        text.contains(&format!("Service nginx is not headless (clusterIP {ip})")),
        "{text}"
    );
    assert!(
        err.contains("web-0.nginx.default.svc.cluster.local will not resolve: Service nginx is not headless"),
        "{err}"
    );
}

#[test]
fn a_selector_that_does_not_match_shows_the_difference_with_exit_3() {
    let cluster = cluster_with(
        Duration::ZERO,
        |y| y.replacen("selector: {app: nginx}", "selector: {app: nginx-db}", 1),
        false,
    );
    cluster.wait_ready("web", 3);
    let (text, err) = failing_check(&cluster);
    assert!(
        text.contains("app=nginx-db (the pod template has app=nginx)"),
        "{text}"
    );
    assert!(
        row(&text, "web-1").contains("FAIL: Service nginx's selector does not match the pods"),
        "{text}"
    );
    assert!(err.contains("selector does not match"), "{err}");
}

#[test]
fn a_missing_service_fails_with_exit_3() {
    let without_service = |y: String| {
        y.split("---")
            .nth(1)
            .expect("the StatefulSet document")
            .to_string()
    };
    let cluster = cluster_with(Duration::ZERO, without_service, false);
    cluster.wait_ready("web", 3);
    let (text, err) = failing_check(&cluster);
    assert!(
        text.contains("Service default/nginx (spec.serviceName) does not exist"),
        "{text}"
    );
    assert!(
        err.starts_with("error: statefulset default/web: web-0.nginx.default.svc.cluster.local will not resolve: Service nginx does not exist"),
        "{err}"
    );
}

#[test]
fn a_pod_that_is_not_ready_has_no_record_unless_the_service_publishes_it() {
    let cluster = web_cluster();
    let broken = json!({"spec": {"template": {"spec": {"containers": [{
        "name": "nginx", "image": "nginx:broken", "ports": [{"name": "web", "containerPort": 80}],
        "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}]}]}}}});
    let old_uid = cluster.get(&PODS, "web-2").unwrap()["metadata"]["uid"].clone();
    patch(&cluster, &resources::STATEFULSETS, "web", broken);
    cluster.wait_for(
        "web-2 to crash-loop with a not-ready endpoint",
        Duration::from_secs(30),
        |c| {
            let restarted = c.get(&PODS, "web-2").is_some_and(|p| {
                p["metadata"]["uid"] != old_uid
                    && p["status"]["containerStatuses"][0]["restartCount"].as_i64() >= Some(1)
            });
            restarted && !pod_ip(c, "web-2").is_empty() && ready_endpoint_ips(c, "web-2").is_empty()
        },
    );
    let (text, err) = failing_check(&cluster);
    let line = row(&text, "web-2");
    assert!(
        line.contains("not ready") && line.contains("FAIL: not Ready (CrashLoopBackOff)"),
        "{line}"
    );
    assert!(err.contains("web-2.nginx.default.svc.cluster.local will not resolve: not Ready (CrashLoopBackOff) and Service nginx does not set publishNotReadyAddresses"), "{err}");
    assert!(row(&text, "web-0").trim_end().ends_with("ok"), "{text}");

    patch(
        &cluster,
        &resources::SERVICES,
        "nginx",
        json!({"spec": {"publishNotReadyAddresses": true}}),
    );
    cluster.wait_for("web-2's endpoint to be published", Duration::from_secs(30), |c| {
        !ready_endpoint_ips(c, "web-2").is_empty()
    });
    let output = cluster.sts().args(["dns", "web"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    assert!(
        row(&stdout_of(&output), "web-2").contains("publishNotReadyAddresses"),
        "{}",
        stdout_of(&output)
    );
}

#[test]
fn resolve_with_a_nameserver_finds_every_name() {
    let cluster = web_cluster();
    let server = nameserver(&cluster);
    let output = cluster
        .sts()
        .args(["dns", "web", "--resolve", "--nameserver", &server])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    let text = stdout_of(&output);
    assert!(
        text.contains(&format!("DNS server {server} (--nameserver):")),
        "{text}"
    );
    for ordinal in 0..3 {
        let pod = format!("web-{ordinal}");
        assert!(row(&text, &pod).contains(&pod_ip(&cluster, &pod)), "{text}");
    }
    assert!(text.contains("the DNS server serves cluster.local"), "{text}");
    assert!(text.contains("Every name resolves to its pods."), "{text}");

    let output = cluster
        .sts()
        .args(["dns", "web", "--resolve", "--nameserver", &server, "-o", "json"])
        .output()
        .unwrap();
    let doc = json_of(&output);
    let live = &doc["resolution"];
    assert!(
        live["pods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["state"] == "resolved"),
        "{live}"
    );
    assert_eq!(live["service"]["state"], "resolved");
    assert_eq!(live["service"]["answered"].as_array().unwrap().len(), 3);
    assert_eq!(
        live["srv"][0]["name"],
        "_web._tcp.nginx.default.svc.cluster.local"
    );
    assert_eq!(live["srv"][0]["state"], "resolved");
    assert_eq!(live["cluster_domain"]["verdict"], "pass");
}

#[test]
fn resolve_through_a_port_forward_to_cluster_dns_finds_every_name() {
    if common::skip_on_real(
        "port-forwards to the simulator's cluster DNS pod (CoreDNS runs outside the test cluster)",
    ) {
        return;
    }
    let cluster = web_cluster();
    let output = cluster
        .sts()
        .args(["dns", "web", "--resolve", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    let doc = json_of(&output);
    let server = doc["resolution"]["server"].as_str().unwrap();
    assert!(
        server.starts_with("kube-system/coredns-") && server.contains("port-forward"),
        "{server}"
    );
    assert!(
        doc["resolution"]["pods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["state"] == "resolved")
    );
    let forwarded = cluster
        .sim
        .log
        .entries()
        .into_iter()
        .filter(|e| e.subresource.as_deref() == Some("portforward"))
        .count();
    assert_eq!(forwarded, 1, "one port-forward carries every question");
    let created_pods = cluster
        .sim
        .log
        .entries()
        .into_iter()
        .filter(|e| e.resource == "pods" && e.verb == "create" && e.subresource.is_none())
        .count();
    assert_eq!(created_pods, 0, "no pod is created");
}

#[test]
fn a_user_who_may_not_port_forward_is_told_which_flag_helps() {
    if common::skip_on_real(
        "port-forwards to the simulator's cluster DNS pod (CoreDNS runs outside the test cluster)",
    ) {
        return;
    }
    let cluster = web_cluster();
    let viewer = cluster.dir.join("viewer.kubeconfig");
    std::fs::write(&viewer, cluster.sim.kubeconfig_for("viewer", VIEWER_TOKEN)).unwrap();
    let output = cluster
        .sts()
        .env("KUBECONFIG", &viewer)
        .args(["dns", "web", "--resolve"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.contains("may not create pods/portforward in namespace kube-system"),
        "{err}"
    );
    assert!(err.contains("pass --nameserver HOST:PORT"), "{err}");
    assert!(
        stdout_of(&output).contains("web-0.nginx.default.svc.cluster.local"),
        "the checks still show"
    );
}

/// Deletes pod `name` and waits until its replacement is Ready with its new IP in the
/// EndpointSlice; returns the old and the new IP.
fn recreate(cluster: &Cluster, name: &str) -> (String, String) {
    let old_ip = pod_ip(cluster, name);
    let old_uid = cluster.get(&PODS, name).unwrap()["metadata"]["uid"].clone();
    cluster
        .sim
        .store
        .delete(&PODS, "default", name, &DeleteOptions::default())
        .expect("delete");
    cluster.wait_for(
        "the pod back, Ready, with its new IP in the slice",
        Duration::from_secs(30),
        |c| {
            c.get(&PODS, name)
                .is_some_and(|p| p["metadata"]["uid"] != old_uid)
                && ready_endpoint_ips(c, name) == [pod_ip(c, name)]
        },
    );
    let new_ip = pod_ip(cluster, name);
    assert_ne!(new_ip, old_ip);
    (old_ip, new_ip)
}

#[test]
fn a_recreated_pod_is_reported_stale_until_dns_catches_up() {
    if common::skip_on_real("needs the simulator's DNS propagation delay") {
        return;
    }
    let cluster = cluster_with(Duration::from_secs(8), |y| y, true);
    let server = nameserver(&cluster);
    let (old_ip, new_ip) = recreate(&cluster, "web-1");
    assert!(
        !cluster.sim.dns_caught_up(),
        "the check must run before DNS catches up"
    );
    let resolve = ["dns", "web", "--resolve", "--nameserver", &server];
    let output = cluster.sts().args(resolve).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}\n{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    let text = stdout_of(&output);
    assert!(
        row(&text, "web-1").contains(&format!("stale: {old_ip}")),
        "{text}"
    );
    let err = stderr_of(&output);
    let stale = format!(
        "web-1.nginx.default.svc.cluster.local: stale: answers {old_ip}, but the pod's IP is now {new_ip}"
    );
    assert!(err.contains(&stale), "{err}");
    assert!(
        !cluster.sim.dns_caught_up(),
        "the answer was seen before DNS caught up"
    );

    wait_dns(&cluster);
    let output = cluster.sts().args(resolve).output().unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout_of(&output),
        stderr_of(&output)
    );
}

#[test]
fn a_wrong_cluster_domain_is_named_with_the_one_the_server_serves() {
    let cluster = web_cluster();
    let server = nameserver(&cluster);
    let output = cluster
        .sts()
        .args([
            "dns",
            "web",
            "--resolve",
            "--nameserver",
            &server,
            "--cluster-domain",
            "corp.example",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stdout_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.contains("--cluster-domain corp.example looks wrong")
            && err.contains("try --cluster-domain cluster.local"),
        "{err}"
    );
    assert!(row(&stdout_of(&output), "web-0").contains("web-0.nginx.default.svc.corp.example"));
}

#[test]
fn bad_input_is_refused() {
    let cluster = web_cluster();
    let output = cluster
        .sts()
        .args(["dns", "web", "--nameserver", "127.0.0.1:53"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "--nameserver needs --resolve");
    let output = cluster
        .sts()
        .args(["dns", "web", "--cluster-domain", "bad_domain"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "a malformed value is usage");
    assert!(
        stderr_of(&output).contains("is not a DNS domain"),
        "{}",
        stderr_of(&output)
    );
    let output = cluster.sts().args(["dns", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_of(&output).contains("statefulset default/nope not found"));
}

#[test]
fn a_cluster_with_another_domain_is_found_out_and_then_resolves() {
    if common::skip_on_real("needs a simulated DNS serving another cluster domain") {
        return;
    }
    let config = SimConfig {
        dns: Some(DnsConfig {
            cluster_domain: "k8s.internal".into(),
            ..DnsConfig::default()
        }),
        ..SimConfig::fast()
    };
    let cluster = Cluster::start_with(config);
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    wait_dns(&cluster);
    let server = nameserver(&cluster);
    let output = cluster
        .sts()
        .args(["dns", "web", "--resolve", "--nameserver", &server])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stdout_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.contains("--cluster-domain cluster.local looks wrong")
            && err.contains("try --cluster-domain k8s.internal"),
        "{err}"
    );
    let output = cluster
        .sts()
        .args([
            "dns",
            "web",
            "--resolve",
            "--nameserver",
            &server,
            "--cluster-domain",
            "k8s.internal",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout_of(&output),
        stderr_of(&output)
    );
    assert!(row(&stdout_of(&output), "web-2").contains("web-2.nginx.default.svc.k8s.internal"));
}

#[test]
fn without_a_cluster_dns_pod_the_error_names_the_flag_that_helps() {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    let output = cluster.sts().args(["dns", "web", "--resolve"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let err = stderr_of(&output);
    assert!(
        err.contains("no cluster DNS pod is running in namespace kube-system (label k8s-app=kube-dns)")
            && err.contains("pass --nameserver HOST:PORT"),
        "{err}"
    );
}
