//! Black-box tests of authentication as kubectl does it: client certificates from files and
//! inline data, a `tokenFile` ending in a newline and rotated during a rollout and a watch, exec
//! credential plugins (run once per process while valid, again once expired or refused with 401
//! before its expiry, the request then sent once more; their failures
//! and absence in one line), the `oidc` auth-provider (an expired ID token refreshed from the
//! control plane's issuer, the rotated refresh token written back, a spent one refused in one
//! line), `--token`, `--as` with `--as-group` (seen in the audit log),
//! `--server`, `--certificate-authority`, `--insecure-skip-tls-verify`, an expired client
//! certificate refused before any request, and a rejected credential named with its kubeconfig
//! user entry. Who made each request is read from the
//! audit log (real control plane) or the request log (simulator).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::setup::{progressive_web, run_ok_with, run_with, web_cluster};
use crate::common::{Cluster, real, skip_on_simulator, stderr_of};

/// Requests made as `user` so far.
fn requests_by(cluster: &Cluster, user: &str) -> usize {
    match cluster.plane() {
        Some(plane) => plane
            .audit_events()
            .iter()
            .filter(|event| event["user"]["username"] == user)
            .count(),
        None => cluster
            .sim
            .log
            .entries()
            .iter()
            .filter(|r| r.user == user)
            .count(),
    }
}

/// The kubeconfig with its user entry's credentials replaced by `user`.
fn with_user(cluster: &Cluster, name: &str, user: Value) -> PathBuf {
    cluster.kubeconfig_edited(name, |doc| doc["users"][0]["user"] = user)
}

/// The kubeconfig's user entry name.
fn user_entry(cluster: &Cluster) -> String {
    let mut entry = String::new();
    cluster.kubeconfig_edited("entry-name", |doc| {
        entry = doc["users"][0]["name"].as_str().unwrap().to_string();
    });
    entry
}

fn run_ok(cluster: &Cluster, kubeconfig: &Path, args: &[&str]) -> String {
    run_ok_with(cluster, kubeconfig, &[], args)
}

#[test]
fn client_certificates_from_inline_data_and_from_files() {
    if skip_on_simulator("the simulator authenticates by token only") {
        return;
    }
    let cluster = web_cluster();
    assert!(run_ok(&cluster, &cluster.kubeconfig, &["status", "web"]).contains("web-2"));
    let mut files = json!({});
    let kubeconfig = cluster.kubeconfig_edited("cert-files", |doc| {
        let user = &mut doc["users"][0]["user"];
        for (data, file) in [
            ("client-certificate-data", "client-certificate"),
            ("client-key-data", "client-key"),
        ] {
            use base64::Engine as _;
            let pem = base64::engine::general_purpose::STANDARD
                .decode(user[data].as_str().unwrap())
                .unwrap();
            let path = cluster.dir.join(file);
            std::fs::write(&path, pem).unwrap();
            files[file] = Value::from(path.display().to_string());
        }
        *user = files.clone();
    });
    let before = requests_by(&cluster, "test-user");
    assert!(run_ok(&cluster, &kubeconfig, &["status", "web"]).contains("web-2"));
    assert!(
        requests_by(&cluster, "test-user") > before,
        "as the certificate's user"
    );
}

#[test]
fn a_token_file_ending_in_a_newline_is_trimmed_and_read_again_when_rotated() {
    let cluster = web_cluster();
    let (token, user) = cluster.bearer_token("tester");
    let file = cluster.dir.join("token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    let kubeconfig = with_user(&cluster, "token-file", json!({"tokenFile": file}));
    assert!(run_ok(&cluster, &kubeconfig, &["status", "web"]).contains("web-2"));
    assert!(requests_by(&cluster, &user) > 0, "{user} made the requests");
    if !real() {
        return; // the simulator has one user who may write: nothing to rotate to
    }
    // Rotated in place between the rollout's steps (by its check): the second step's writes
    // are made with the new token.
    let (rotated, rotated_user) = cluster.bearer_token("rotated");
    let next = cluster.dir.join("next-token");
    std::fs::write(&next, format!("  {rotated}\n\n")).unwrap();
    let rotate = format!("cp {} {}", next.display(), file.display());
    progressive_web(&cluster, &kubeconfig, &["--check", &rotate]);
    let writes_after = cluster
        .plane()
        .unwrap()
        .audit_events()
        .into_iter()
        .filter(|e| e["user"]["username"] == rotated_user.as_str() && e["verb"] == "patch")
        .count();
    assert!(writes_after > 0, "the rotated token made the later writes");
}

#[test]
fn a_token_file_rotated_during_a_watch_is_presented_when_the_watch_is_set_up_again() {
    use std::io::BufRead;
    if skip_on_simulator("the simulator has one user who may write: nothing to rotate to") {
        return;
    }
    let cluster = web_cluster();
    let (token, _) = cluster.bearer_token("tester");
    let file = cluster.dir.join("watch-token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    let kubeconfig = with_user(&cluster, "watch-token-file", json!({"tokenFile": file}));
    let mut watching = cluster
        .sts_process()
        .env("KUBECONFIG", &kubeconfig)
        .args(["status", "web", "--watch", "--timeout", "120s", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (shown, documents) = std::sync::mpsc::channel();
    let stdout = std::io::BufReader::new(watching.stdout.take().unwrap());
    std::thread::spawn(move || {
        stdout
            .lines()
            .map_while(Result::ok)
            .try_for_each(|l| shown.send(l))
    });
    documents
        .recv_timeout(Duration::from_secs(30))
        .expect("the first document");
    let (rotated, rotated_user) = cluster.bearer_token("rotated-watch");
    std::fs::write(&file, format!("{rotated}\n")).unwrap();
    // The API server restarts: every watch ends, and is set up again with the file's token.
    let plane = cluster.plane().unwrap();
    plane.plane.restart_apiserver().expect("the API server restarts");
    let partition = json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 2}}}});
    crate::common::patch(&cluster, &sts_sim::resources::STATEFULSETS, "web", partition);
    let redrawn = loop {
        match documents.recv_timeout(Duration::from_secs(60)) {
            Ok(document) if document.contains("\"partition\":2,") => break document,
            Ok(_) => continue,
            Err(e) => panic!("the watch never showed the new partition ({e})"),
        }
    };
    let _ = watching.kill();
    let _ = watching.wait();
    assert!(redrawn.contains("\"name\":\"web\""), "{redrawn}");
    let watches_after = plane
        .audit_events()
        .into_iter()
        .filter(|e| e["user"]["username"] == rotated_user.as_str() && e["verb"] == "watch")
        .count();
    assert!(
        watches_after > 0,
        "the watches set up again presented the rotated token"
    );
}

/// An exec plugin script `name` that counts its runs in `name.runs`, keeps its
/// KUBERNETES_EXEC_INFO in `name.info`, and answers `token` (expanded by the shell) valid for
/// `valid` seconds.
fn exec_plugin(cluster: &Cluster, name: &str, token: &str, valid: u64) -> (PathBuf, PathBuf) {
    let script = cluster.dir.join(name);
    let (runs, info) = (script.with_extension("runs"), script.with_extension("info"));
    let text = format!(
        "#!/bin/sh\necho run >> {runs}\nprintf '%s' \"$KUBERNETES_EXEC_INFO\" > {info}\n\
         exp=$(date -u -d \"@$(( $(date +%s) + {valid} ))\" +%Y-%m-%dT%H:%M:%SZ)\n\
         printf '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\
         \"status\":{{\"token\":\"%s\",\"expirationTimestamp\":\"%s\"}}}}\\n' \"{token}\" \"$exp\"\n",
        runs = runs.display(),
        info = info.display(),
    );
    std::fs::write(&script, text).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (script, runs)
}

fn exec_user(script: &Path, extra: Value) -> Value {
    let mut exec = json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": script,
        "interactiveMode": "IfAvailable",
    });
    for (key, value) in extra.as_object().unwrap() {
        exec[key] = value.clone();
    }
    json!({ "exec": exec })
}

fn runs(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap_or_default().lines().count()
}

#[test]
fn an_exec_plugin_runs_once_per_process_while_valid_and_again_once_expired() {
    let cluster = web_cluster();
    let (token, user) = cluster.bearer_token("plugged");
    let (script, counted) = exec_plugin(&cluster, "plugin", &token, 3600);
    let extra = json!({"provideClusterInfo": true});
    let kubeconfig = with_user(&cluster, "exec", exec_user(&script, extra));
    assert!(run_ok(&cluster, &kubeconfig, &["status", "web"]).contains("web-2"));
    assert_eq!(runs(&counted), 1, "one run for one status");
    assert!(requests_by(&cluster, &user) > 0);
    let info = std::fs::read_to_string(script.with_extension("info")).unwrap();
    let info: Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["spec"]["interactive"], false, "{info}");
    let server = info["spec"]["cluster"]["server"].as_str().unwrap_or_default();
    assert!(
        cluster.server_url().starts_with(server.trim_end_matches('/')),
        "{info}"
    );

    // Two contexts of one user entry, asked at once: one run for both.
    let (script, counted) = exec_plugin(&cluster, "fleet-plugin", &token, 3600);
    let kubeconfig = cluster.kubeconfig_edited("exec-fleet", |doc| {
        doc["users"][0]["user"] = exec_user(&script, json!({}));
        let mut again = doc["contexts"][0].clone();
        again["name"] = json!("again");
        doc["contexts"].as_array_mut().unwrap().push(again);
    });
    let listed = run_ok(&cluster, &kubeconfig, &["list", "--all-contexts"]);
    assert!(listed.contains("again") && listed.contains("web"), "{listed}");
    assert_eq!(runs(&counted), 1, "one run for the contexts of one user entry");

    // A credential valid for 3 s, through a rollout that bakes 4 s: run again once expired.
    let (script, counted) = exec_plugin(&cluster, "short-plugin", &token, 3);
    let kubeconfig = with_user(&cluster, "exec-short", exec_user(&script, json!({})));
    let began = std::time::Instant::now();
    progressive_web(&cluster, &kubeconfig, &["--pause", "4s"]);
    let most = began.elapsed().as_secs() as usize / 3 + 2;
    assert!((2..=most).contains(&runs(&counted)), "{} runs", runs(&counted));
}

/// `scale web --replicas 4 --yes` with `kubeconfig`, refused in one line (exit 1): that line.
fn refused_scale(cluster: &Cluster, kubeconfig: &Path) -> String {
    let output = run_with(cluster, kubeconfig, &["scale", "web", "--replicas", "4", "--yes"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr_of(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// Requests the tool made as anyone (its user agent), answered or refused.
fn requests_of_the_tool(cluster: &Cluster) -> usize {
    match cluster.plane() {
        Some(plane) => plane
            .audit_events()
            .iter()
            .filter(|e| e["userAgent"].as_str().is_some_and(|a| a.contains("kubectl-sts")))
            .count(),
        None => cluster.sim.log.entries().len(),
    }
}

#[test]
fn an_expired_client_certificate_is_one_line_naming_the_user_entry_and_nothing_is_sent() {
    use base64::Engine as _;
    let cluster = web_cluster();
    let entry = user_entry(&cluster);
    let fixture = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(path).unwrap())
    };
    let user = json!({
        "client-certificate-data": fixture("expired-client.crt"),
        "client-key-data": fixture("expired-client.key"),
    });
    let kubeconfig = with_user(&cluster, "expired-certificate", user);
    let before = requests_of_the_tool(&cluster);
    let err = refused_scale(&cluster, &kubeconfig);
    let expected = format!(
        "the client certificate of user \"{entry}\" in the kubeconfig expired at 2025-01-01T00:00:00Z; renew it"
    );
    assert!(err.contains(&expected), "{err}");
    assert_eq!(requests_of_the_tool(&cluster), before, "nothing was sent");
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 3);
}

#[test]
fn a_credential_refused_before_its_expiry_is_obtained_again_and_the_request_sent_once_more() {
    let cluster = web_cluster();
    let (token, user) = cluster.bearer_token("revoked");
    // The first run answers a token the server does not take (revoked before the expiry the
    // plugin gave it), the next ones a valid token.
    let runs_file = cluster.dir.join("revoking-plugin.runs");
    let answer = format!(
        "$(test $(wc -l < {}) -ge 2 && echo {token} || echo revoked)",
        runs_file.display()
    );
    let (script, counted) = exec_plugin(&cluster, "revoking-plugin", &answer, 3600);
    let kubeconfig = with_user(&cluster, "revoking", exec_user(&script, json!({})));
    run_ok(
        &cluster,
        &kubeconfig,
        &["scale", "web", "--replicas", "4", "--yes"],
    );
    assert_eq!(runs(&counted), 2, "run again once, after the 401");
    assert!(requests_by(&cluster, &user) > 0);
    assert_eq!(cluster.statefulset("web")["spec"]["replicas"], 4);
}

#[test]
fn a_failing_or_missing_exec_plugin_is_one_line_naming_the_user_entry() {
    let cluster = web_cluster();
    let entry = user_entry(&cluster);
    let before = cluster.request_count();
    let script = cluster.dir.join("failing-plugin");
    std::fs::write(&script, "#!/bin/sh\necho 'looking up the SSO session' >&2\necho 'error: the SSO session has expired; run sso login' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let failing = with_user(&cluster, "failing", exec_user(&script, json!({})));
    let output = run_with(&cluster, &failing, &["status", "web"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: the exec credential plugin \"{}\" of user \"{entry}\" in the kubeconfig failed: it exited with status 1: error: the SSO session has expired; run sso login\n",
            script.display()
        )
    );
    let hint = json!({"installHint": "Install it with:\n  brew install sts-login"});
    let missing = with_user(
        &cluster,
        "missing",
        exec_user(Path::new("sts-login-not-installed"), hint),
    );
    let output = run_with(&cluster, &missing, &["status", "web"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: the exec credential plugin \"sts-login-not-installed\" of user \"{entry}\" in the kubeconfig is not installed (not found on PATH): Install it with: brew install sts-login\n"
        )
    );
    let always = with_user(
        &cluster,
        "always",
        exec_user(&script, json!({"interactiveMode": "Always"})),
    );
    let err = stderr_of(&run_with(&cluster, &always, &["status", "web"]));
    assert!(
        err.contains("interactiveMode is Always but standard input is not a terminal"),
        "{err}"
    );
    assert_eq!(cluster.request_count(), before, "no request was sent");
}

#[test]
fn the_token_flag_replaces_the_kubeconfig_credentials() {
    let cluster = web_cluster();
    let (kubeconfig, _) = cluster.rejected_kubeconfig();
    let (token, user) = cluster.bearer_token("flagged");
    assert!(run_ok(&cluster, &kubeconfig, &["status", "web", "--token", &token]).contains("web-2"));
    assert!(requests_by(&cluster, &user) > 0, "{user} made the requests");
    // Over the real control plane's client certificate as well.
    if real() {
        let before = requests_by(&cluster, &user);
        run_ok(&cluster, &cluster.kubeconfig, &["list", "--token", &token]);
        assert!(
            requests_by(&cluster, &user) > before,
            "the token, not the certificate"
        );
    }
}

#[test]
fn a_rejected_credential_names_the_user_entry_and_what_it_presented() {
    let cluster = web_cluster();
    let entry = user_entry(&cluster);
    let file = cluster.dir.join("stale-token");
    std::fs::write(&file, "stale\n").unwrap();
    let kubeconfig = with_user(&cluster, "stale", json!({"tokenFile": file}));
    let output = run_with(&cluster, &kubeconfig, &["status", "web"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr_of(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    let expected = format!(
        "rejected the credentials of user \"{entry}\" in the kubeconfig (context \"{}\"): the token of tokenFile {} was not accepted; log in again or pick another --context",
        cluster.context(),
        file.display()
    );
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn as_and_as_group_impersonate_a_user_whose_rights_come_from_a_group() {
    if skip_on_simulator("the simulator does not impersonate") {
        return;
    }
    let cluster = web_cluster();
    let plane = cluster.plane().unwrap();
    let admin = cluster.dir.join("admin.kubeconfig");
    std::fs::write(&admin, plane.kubeconfig_in("admin", &cluster.namespace)).unwrap();
    let output = run_with(&cluster, &admin, &["status", "web", "--as", "jane"]);
    assert_eq!(output.status.code(), Some(1), "jane alone may not read");
    assert!(
        stderr_of(&output).contains("forbidden: user \"jane\""),
        "{}",
        stderr_of(&output)
    );
    let args = [
        "status",
        "web",
        "--as",
        "jane",
        "--as-group",
        "sts-testers",
        "--as-group",
        "auditors",
    ];
    assert!(run_ok(&cluster, &admin, &args).contains("web-2"));
    let impersonated: Vec<Value> = plane
        .audit_events()
        .into_iter()
        .filter(|e| e["impersonatedUser"]["username"] == "jane")
        .collect();
    let groups = |e: &Value| {
        e["impersonatedUser"]["groups"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        impersonated.iter().any(|e| e["responseStatus"]["code"] == 200
            && groups(e).starts_with(&[json!("sts-testers"), json!("auditors")])),
        "{impersonated:?}"
    );
    let output = run_with(&cluster, &admin, &["status", "web", "--as-group", "sts-testers"]);
    assert_eq!(output.status.code(), Some(2), "--as-group needs --as");
}

#[test]
fn server_certificate_authority_and_insecure_skip_tls_verify_flags() {
    let cluster = web_cluster();
    let elsewhere = cluster.kubeconfig_edited("elsewhere", |doc| {
        doc["clusters"][0]["cluster"]["server"] = json!("https://127.0.0.1:9");
    });
    let server = cluster.server_url();
    assert!(run_ok(&cluster, &elsewhere, &["status", "web", "--server", &server]).contains("web-2"));
    if !server.starts_with("https://") {
        return; // the simulator serves plain HTTP to the tests: no certificate to verify
    }
    let mut ca = Vec::new();
    let unverified = cluster.kubeconfig_edited("no-ca", |doc| {
        let entry = doc["clusters"][0]["cluster"].as_object_mut().unwrap();
        use base64::Engine as _;
        let data = entry.remove("certificate-authority-data").unwrap();
        ca = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
    });
    let err = stderr_of(&run_with(&cluster, &unverified, &["status", "web"]));
    assert!(
        err.contains(
            "presented a certificate that is not trusted (UnknownIssuer); check the certificate-authority"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "refused at once, not retried: {err}");
    let ca_file = cluster.dir.join("ca.crt");
    std::fs::write(&ca_file, ca).unwrap();
    let with_ca = [
        "status",
        "web",
        "--certificate-authority",
        ca_file.to_str().unwrap(),
    ];
    assert!(run_ok(&cluster, &unverified, &with_ca).contains("web-2"));
    let output = run_with(
        &cluster,
        &unverified,
        &["status", "web", "--insecure-skip-tls-verify"],
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        "warning: --insecure-skip-tls-verify: the server's certificate is not verified, so anyone on the way can read and change what is sent\n"
    );
}

/// The control plane's OIDC issuer (`cluster-up`): its URL, certificate authority and log of
/// token requests.
fn oidc_issuer(cluster: &Cluster) -> (String, String, PathBuf) {
    let info = &cluster.plane().expect("a real control plane").info["oidc"];
    let text = |key: &str| info[key].as_str().unwrap().to_string();
    (text("issuer"), text("ca"), PathBuf::from(text("log")))
}

/// The issuer's log: one `refresh <token> -> <outcome>` line per token request.
fn token_requests(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines().map(str::to_string).collect()
}

/// An ID token that expired long ago (its signature is never checked: the tool refreshes it
/// before sending it).
fn expired_id_token() -> String {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let part = |json: &str| engine.encode(json);
    format!(
        "{}.{}.c2ln",
        part(r#"{"alg":"ES256"}"#),
        part(r#"{"sub":"alice","exp":1000}"#)
    )
}

/// The `oidc` auth-provider settings of the kubeconfig `path`.
fn oidc_settings(path: &Path) -> Value {
    let doc: Value = serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["users"][0]["user"]["auth-provider"]["config"].clone()
}

/// Writes the kubeconfig's `oidc` auth-provider: an expired ID token and `refresh_token`.
fn oidc_user(cluster: &Cluster, name: &str, refresh_token: &str) -> PathBuf {
    let (issuer, ca, _) = oidc_issuer(cluster);
    let provider = json!({"name": "oidc", "config": {
        "idp-issuer-url": issuer, "client-id": "kubectl-sts", "idp-certificate-authority": ca,
        "id-token": expired_id_token(), "refresh-token": refresh_token,
    }});
    with_user(cluster, name, json!({"auth-provider": provider}))
}

#[test]
fn an_oidc_auth_provider_refreshes_an_expired_id_token_and_keeps_the_rotated_refresh_token() {
    if skip_on_simulator("the OIDC issuer is the real control plane's") {
        return;
    }
    let cluster = web_cluster();
    let (_, _, log) = oidc_issuer(&cluster);
    let kubeconfig = oidc_user(&cluster, "oidc", "mint:alice:1h");
    assert!(run_ok(&cluster, &kubeconfig, &["status", "web"]).contains("web-2"));
    assert_eq!(
        token_requests(&log),
        ["refresh mint:alice:1h -> issued rotated-1"]
    );
    assert!(
        requests_by(&cluster, "oidc:alice") > 0,
        "the API server took the ID token"
    );
    let settings = oidc_settings(&kubeconfig);
    assert_eq!(
        settings["refresh-token"], "rotated-1",
        "the rotated token is kept"
    );
    assert_ne!(settings["id-token"].as_str(), Some(expired_id_token().as_str()));

    // The kept ID token is still valid: no refresh.
    run_ok(&cluster, &kubeconfig, &["status", "web"]);
    assert_eq!(token_requests(&log).len(), 1, "{:?}", token_requests(&log));

    // A token valid for 1 s more (11 s, less 10 s to spare) is refreshed again during a
    // rollout with a 3 s bake, each time with the refresh token the last refresh returned.
    let short = oidc_user(&cluster, "oidc-short", "mint:alice:11s");
    progressive_web(&cluster, &short, &["--pause", "3s"]);
    let requests = token_requests(&log);
    assert!(requests.len() >= 3, "{requests:?}");
    assert!(
        requests.iter().all(|line| line.contains("-> issued")),
        "{requests:?}"
    );
    let last = requests.last().unwrap().rsplit(' ').next().unwrap().to_string();
    assert_eq!(oidc_settings(&short)["refresh-token"], Value::from(last));
}

#[test]
fn an_oidc_refresh_token_refused_by_the_issuer_is_one_line_and_nothing_is_sent() {
    if skip_on_simulator("the OIDC issuer is the real control plane's") {
        return;
    }
    let cluster = web_cluster();
    let entry = user_entry(&cluster);
    let (issuer, _, _) = oidc_issuer(&cluster);
    let kubeconfig = oidc_user(&cluster, "spent", "spent-long-ago");
    let err = refused_scale(&cluster, &kubeconfig);
    let expected = format!(
        "the oidc auth-provider of user \"{entry}\" in the kubeconfig cannot refresh its id-token: {issuer}/token answered 400 Bad Request invalid_grant: the refresh token is unknown or spent; log in again"
    );
    assert!(err.contains(&expected), "{err}");
    assert_eq!(requests_by(&cluster, "oidc:alice"), 0);
    assert_eq!(
        cluster.statefulset("web")["spec"]["replicas"],
        3,
        "nothing written"
    );

    let gcp = with_user(
        &cluster,
        "gcp",
        json!({"auth-provider": {"name": "gcp", "config": {}}}),
    );
    let output = run_with(&cluster, &gcp, &["status", "web"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr_of(&output);
    assert!(err.contains(&format!("the auth-provider \"gcp\" of user \"{entry}\" in the kubeconfig is not supported (kubectl dropped it in 1.26); use gke-gcloud-auth-plugin as an exec credential plugin")), "{err}");
}
