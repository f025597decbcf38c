//! Black-box tests of how the tool reaches its cluster: through an HTTP CONNECT proxy (also one
//! spoken to over TLS, trusted as kubectl trusts it or by the system's roots) and a SOCKS5 proxy
//! named by the kubeconfig's `proxy-url` (every command family, watches and a
//! fleet read included; the proxies' own logs show each connection), through `HTTPS_PROXY`
//! unless `NO_PROXY` names the server, never through the environment's proxy for a loopback
//! server, a refused proxy scheme, a load balancer that resets idle connections, and large
//! lists arriving gzipped unless the kubeconfig disables compression. The
//! server's name in the proxied kubeconfigs resolves only at the proxies, so a connection that
//! bypassed them would fail.

use std::time::Duration;

use serde_json::{Value, json};
use sts_sim::resources;

use crate::common::net::{Loopback, PROXIED_HOST};
use crate::common::setup::{progressive_web, run_ok_with, run_with, web_cluster};
use crate::common::{Cluster, skip_on_simulator, stderr_of, stdout_of};

/// The server's port.
fn port(cluster: &Cluster) -> String {
    let url = cluster.server_url();
    url.rsplit(':').next().unwrap().trim_end_matches('/').to_string()
}

/// The server's scheme: `https`, or `http` for a simulator serving plain HTTP.
fn scheme(cluster: &Cluster) -> String {
    let url = cluster.server_url();
    url.split("://").next().unwrap().to_string()
}

/// The kubeconfig with the server named `kubernetes.default.svc` (resolved by the proxies
/// only; the certificate is checked for `localhost`) and `proxy-url` when given.
fn proxied_kubeconfig(cluster: &Cluster, name: &str, proxy_url: Option<&str>) -> std::path::PathBuf {
    let server = format!("{}://{PROXIED_HOST}:{}", scheme(cluster), port(cluster));
    cluster.kubeconfig_edited(name, |doc| {
        let entry = &mut doc["clusters"][0]["cluster"];
        entry["server"] = Value::from(server);
        entry["tls-server-name"] = Value::from("localhost");
        if let Some(url) = proxy_url {
            entry["proxy-url"] = Value::from(url);
        }
    })
}

/// Every line of the proxy's log is a connection to the API server by its proxied name.
fn assert_all_to_server(proxy: &Loopback, cluster: &Cluster, kind: &str) {
    let log = proxy.log();
    let expected = format!("{kind} {PROXIED_HOST}:{}", port(cluster));
    assert!(!log.is_empty(), "the proxy carried nothing");
    assert!(log.iter().all(|line| *line == expected), "{log:?}");
}

/// The read commands, a fleet read, and a guided scale that waits on watches.
fn every_family(cluster: &Cluster, kubeconfig: &std::path::Path, env: &[(&str, &str)]) {
    assert!(run_ok_with(cluster, kubeconfig, env, &["list"]).contains("web"));
    assert!(run_ok_with(cluster, kubeconfig, env, &["status", "web"]).contains("web-2"));
    for read in [
        &["why", "web"][..],
        &["history", "web"],
        &["pvc", "web"],
        &["dns", "web"],
    ] {
        run_ok_with(cluster, kubeconfig, env, read);
    }
    assert!(run_ok_with(cluster, kubeconfig, env, &["list", "--all-contexts"]).contains("web"));
    run_ok_with(
        cluster,
        kubeconfig,
        env,
        &["scale", "web", "--replicas", "2", "--yes"],
    );
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 2);
    assert_eq!(cluster.pods().len(), 2, "the scale was waited for");
}

#[test]
fn every_command_family_goes_through_an_http_connect_proxy_of_the_kubeconfig() {
    let cluster = web_cluster();
    let proxy = Loopback::http_proxy();
    let kubeconfig = proxied_kubeconfig(&cluster, "via-http", Some(&proxy.url("http")));
    every_family(&cluster, &kubeconfig, &[]);
    assert_all_to_server(&proxy, &cluster, "CONNECT");
}

#[test]
fn every_command_family_goes_through_a_socks5_proxy_of_the_kubeconfig() {
    let cluster = web_cluster();
    let proxy = Loopback::socks5_proxy();
    let kubeconfig = proxied_kubeconfig(&cluster, "via-socks", Some(&proxy.url("socks5")));
    every_family(&cluster, &kubeconfig, &[]);
    assert_all_to_server(&proxy, &cluster, "SOCKS5");
}

/// `SSL_CERT_FILE` naming the simulator's authority (which signed the `https://` proxy's
/// certificate), or an empty file: the system's roots as the tool sees them.
fn system_roots(cluster: &Cluster, trusting_the_proxy: bool) -> String {
    let path = cluster.dir.join(format!("system-roots-{trusting_the_proxy}.pem"));
    let pem = if trusting_the_proxy {
        sts_sim::server::CA_PEM
    } else {
        ""
    };
    std::fs::write(&path, pem).unwrap();
    path.display().to_string()
}

#[test]
fn every_command_family_goes_through_an_https_proxy_trusted_by_the_system_roots() {
    let cluster = web_cluster();
    let proxy = Loopback::https_proxy();
    let kubeconfig = proxied_kubeconfig(&cluster, "via-https", Some(&proxy.url("https")));
    let roots = system_roots(&cluster, true);
    every_family(&cluster, &kubeconfig, &[("SSL_CERT_FILE", &roots)]);
    assert_all_to_server(&proxy, &cluster, "CONNECT");
}

#[test]
fn an_https_proxy_is_trusted_by_the_clusters_authority_as_kubectl_trusts_it_and_refused_otherwise() {
    if skip_on_simulator("the simulator's authority signs the proxy's certificate too: nothing to refuse") {
        return;
    }
    let cluster = web_cluster();
    let proxy = Loopback::https_proxy();
    let url = proxy.url("https");
    let untrusted = proxied_kubeconfig(&cluster, "via-untrusted-https", Some(&url));
    let no_roots = system_roots(&cluster, false);
    let before = cluster.request_count();
    let mut cmd = cluster.sts();
    cmd.env("KUBECONFIG", &untrusted).env("SSL_CERT_FILE", &no_roots);
    let output = cmd.args(["status", "web"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr_of(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(&format!("error: the proxy {url}")), "{err}");
    assert!(
        err.contains("presented a certificate that is not trusted (UnknownIssuer)"),
        "{err}"
    );
    assert!(proxy.log().is_empty(), "no CONNECT was sent: {:?}", proxy.log());
    assert_eq!(cluster.request_count(), before, "nothing reached the cluster");

    // kubectl verifies the proxy by the cluster's authority: a bundle holding both works.
    let bundled = cluster.kubeconfig_edited("via-bundled-https", |doc| {
        let entry = &mut doc["clusters"][0]["cluster"];
        let text = std::fs::read_to_string(&untrusted).unwrap();
        let proxied: Value = serde_saphyr::from_str(&text).unwrap();
        *entry = proxied["clusters"][0]["cluster"].clone();
        let own = entry["certificate-authority-data"]
            .as_str()
            .expect("an inline authority");
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD;
        let mut pem = engine.decode(own).unwrap();
        pem.extend_from_slice(sts_sim::server::CA_PEM.as_bytes());
        entry["certificate-authority-data"] = Value::from(engine.encode(pem));
    });
    assert!(
        run_ok_with(
            &cluster,
            &bundled,
            &[("SSL_CERT_FILE", &no_roots)],
            &["status", "web"]
        )
        .contains("web-2")
    );
    assert_all_to_server(&proxy, &cluster, "CONNECT");
}

#[test]
fn https_proxy_is_honoured_unless_no_proxy_names_the_server() {
    let cluster = web_cluster();
    let proxy = Loopback::http_proxy();
    let kubeconfig = proxied_kubeconfig(&cluster, "via-env", None);
    let url = proxy.url("http");
    // HTTPS_PROXY for an https:// server, HTTP_PROXY for the simulator's plain http://.
    let via_env = [
        ("HTTPS_PROXY", url.as_str()),
        ("HTTP_PROXY", url.as_str()),
        ("NO_PROXY", "example.com,10.0.0.0/8"),
    ];
    assert!(run_ok_with(&cluster, &kubeconfig, &via_env, &["status", "web"]).contains("web-2"));
    assert_all_to_server(&proxy, &cluster, "CONNECT");
    let carried = proxy.log().len();

    // NO_PROXY names the server: the tool goes straight to it, where the name resolves not.
    let bypass = [
        ("HTTPS_PROXY", url.as_str()),
        ("HTTP_PROXY", url.as_str()),
        ("NO_PROXY", ".svc"),
    ];
    let mut cmd = cluster.sts();
    cmd.env("KUBECONFIG", &kubeconfig).args(["status", "web"]);
    let output = cmd.envs(bypass).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr_of(&output);
    assert!(err.contains("cannot resolve the server's host name"), "{err}");
    assert_eq!(proxy.log().len(), carried, "NO_PROXY bypasses the proxy");

    // A loopback server is never reached through the environment's proxy (as kubectl).
    let dead = [
        ("HTTPS_PROXY", "http://127.0.0.1:9"),
        ("HTTP_PROXY", "http://127.0.0.1:9"),
    ];
    assert!(run_ok_with(&cluster, &cluster.kubeconfig, &dead, &["status", "web"]).contains("web-2"));
}

#[test]
fn an_unsupported_proxy_scheme_is_one_line_naming_the_cluster_entry() {
    let cluster = web_cluster();
    let before = cluster.request_count();
    let mut entry = String::new();
    let kubeconfig = cluster.kubeconfig_edited("ftp-proxy", |doc| {
        doc["clusters"][0]["cluster"]["proxy-url"] = json!("ftp://proxy.example:21");
        entry = doc["clusters"][0]["name"].as_str().unwrap().to_string();
    });
    let output = run_with(&cluster, &kubeconfig, &["status", "web"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: proxy-url \"ftp://proxy.example:21\" of cluster \"{entry}\" in the kubeconfig has the unsupported scheme \"ftp\"; use http://HOST:PORT, https://HOST:PORT or socks5://HOST:PORT\n"
        )
    );
    assert_eq!(cluster.request_count(), before, "no request was sent");
}

/// The writes of a progressive rollout (steps 1 and all, a 3 s bake) through `kubeconfig`.
fn progressive_writes(cluster: &Cluster, kubeconfig: &std::path::Path) -> usize {
    let before = cluster.write_count();
    progressive_web(cluster, kubeconfig, &["--pause", "3s"]);
    cluster.write_count() - before
}

#[test]
fn a_load_balancer_resetting_idle_connections_is_survived_with_no_write_repeated() {
    let direct = web_cluster();
    let expected = progressive_writes(&direct, &direct.kubeconfig);
    drop(direct);

    let cluster = web_cluster();
    let server: std::net::SocketAddr = format!("127.0.0.1:{}", port(&cluster)).parse().unwrap();
    // The simulator sends a watch bookmark every second: its idle limit is shorter.
    let idle = Duration::from_millis(if crate::common::real() { 2000 } else { 700 });
    let relay = Loopback::idle_cutting_relay(server, idle);
    let kubeconfig = cluster.kubeconfig_edited("via-relay", |doc| {
        doc["clusters"][0]["cluster"]["server"] = Value::from(relay.url(&scheme(&cluster)));
    });
    // Two reads more than the idle limit apart, in one process: the watch of `status --watch`
    // is cut and set up again, and the change made meanwhile is shown.
    let watching = cluster
        .sts_process()
        .env("KUBECONFIG", &kubeconfig)
        .args(["status", "web", "--watch", "--timeout", "8s", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    let partition = json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 2}}}});
    crate::common::patch(&cluster, &resources::STATEFULSETS, "web", partition);
    let output = watching.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(relay.cuts() >= 1, "the relay cut an idle connection");
    assert!(
        stdout_of(&output).contains("\"partition\":2,"),
        "{}",
        stdout_of(&output)
    );
    assert!(!stderr_of(&output).contains("error"), "{}", stderr_of(&output));
    crate::common::patch(
        &cluster,
        &resources::STATEFULSETS,
        "web",
        json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 0}}}}),
    );
    assert_eq!(
        progressive_writes(&cluster, &kubeconfig),
        expected,
        "the same writes as a direct run: none repeated"
    );
    assert!(relay.cuts() >= 2, "cut during the bake too: {}", relay.cuts());
}

/// `status -o json` of `web` through `relay` with `kubeconfig`: the document (without the pods'
/// ages), and the bytes the server sent.
fn status_through(cluster: &Cluster, relay: &Loopback, kubeconfig: &std::path::Path) -> (Value, usize) {
    let before = relay.bytes_down();
    let out = run_ok_with(cluster, kubeconfig, &[], &["status", "web", "-o", "json"]);
    let mut document: Value = serde_json::from_str(&out).expect("status -o json");
    for pod in document["pods"].as_array_mut().into_iter().flatten() {
        pod["age_seconds"] = Value::Null; // a second may pass between two reads
    }
    (document, relay.bytes_down() - before)
}

#[test]
fn large_lists_arrive_gzipped_unless_the_kubeconfig_disables_compression() {
    if crate::common::skip_on_simulator("the simulator answers uncompressed") {
        return;
    }
    let cluster = Cluster::start();
    // 60 pods: their list is well over the 128 KiB from which the API server compresses.
    let parallel = crate::common::fixture("web.yaml")
        .replace("replicas: 3", "replicas: 60\n  podManagementPolicy: Parallel");
    cluster.apply_yaml(&parallel);
    cluster.wait_ready("web", 60);
    let server: std::net::SocketAddr = format!("127.0.0.1:{}", port(&cluster)).parse().unwrap();
    let relay = Loopback::idle_cutting_relay(server, Duration::from_secs(3600));
    let through_relay = |name: &str, disable_compression: bool| {
        cluster.kubeconfig_edited(name, |doc| {
            let entry = &mut doc["clusters"][0]["cluster"];
            entry["server"] = Value::from(relay.url(&scheme(&cluster)));
            if disable_compression {
                entry["disable-compression"] = Value::from(true);
            }
        })
    };
    let compressed = through_relay("compressed", false);
    let (plain, plain_bytes) = status_through(&cluster, &relay, &through_relay("plain", true));
    let (gzipped, gzipped_bytes) = status_through(&cluster, &relay, &compressed);
    eprintln!("status on 60 pods: {gzipped_bytes} bytes gzipped, {plain_bytes} uncompressed");
    assert_eq!(gzipped["pods"], plain["pods"], "the same pods either way");
    assert_eq!(gzipped["pods"].as_array().map(Vec::len), Some(60));
    assert!(
        gzipped_bytes * 2 < plain_bytes,
        "gzipped {gzipped_bytes} bytes, uncompressed {plain_bytes}"
    );
    // Watches (asked for uncompressed) follow a scale down through the same client.
    run_ok_with(
        &cluster,
        &compressed,
        &[],
        &["scale", "web", "--replicas", "57", "--yes"],
    );
    assert_eq!(cluster.statefulset("web")["status"]["replicas"], 57);
    assert_eq!(cluster.pods().len(), 57, "the scale was waited for");
}
