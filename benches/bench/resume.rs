//! `STS_BENCH_ONLY=resume`: how soon `status --watch` shows a change made right after the API
//! server restarts, on a real control plane (`STS_CLUSTER_BIN`). Each run restarts the API
//! server, changes the set's partition as soon as the server answers again, and times the
//! watching `status` from that write to the document showing it: the watches are set up again
//! on their own backoff, so a change made before they are waits for them.

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use crate::run::{median_p90, ms};

/// Measures `runs` restarts, one `status --watch` following them all.
pub fn measure(bin: &Path, runs: usize) {
    let Some((plane, admin)) = crate::plane::start("resume") else {
        return;
    };
    crate::plane::create_set(&plane, &admin, 1);
    let mut watching = Command::new(bin)
        .args(["status", "web", "--watch", "--timeout", "1h", "-o", "json"])
        .env("KUBECONFIG", &admin)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("status --watch starts");
    let (shown, documents) = mpsc::channel();
    let stdout = std::io::BufReader::new(watching.stdout.take().expect("piped"));
    std::thread::spawn(move || {
        stdout
            .lines()
            .map_while(Result::ok)
            .try_for_each(|line| shown.send((line, Instant::now())))
    });
    documents
        .recv_timeout(Duration::from_secs(60))
        .expect("the first document");
    let (mut restarts, mut lags) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let began = Instant::now();
        plane.restart_apiserver().expect("the API server restarts");
        restarts.push(began.elapsed());
        let written = set_partition(&plane, &admin, run);
        let seen = loop {
            let (document, at) = documents
                .recv_timeout(Duration::from_secs(120))
                .expect("status --watch shows the new partition");
            if document.contains(&format!("\"partition\":{run},")) {
                break at;
            }
        };
        lags.push(seen.saturating_duration_since(written));
    }
    let _ = watching.kill();
    let _ = watching.wait();
    report(&restarts, &lags);
}

/// Sets the partition once the API server takes the write; when it did.
fn set_partition(plane: &node_standin::cluster::ControlPlane, admin: &Path, partition: usize) -> Instant {
    plane.standin.block_on(async {
        let client = node_standin::client_for(admin).await.expect("admin client");
        let sets = Api::<StatefulSet>::namespaced(client, "default");
        let body = json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": partition}}}});
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match sets
                .patch("web", &PatchParams::default(), &Patch::Merge(&body))
                .await
            {
                Ok(_) => return Instant::now(),
                Err(e) => assert!(Instant::now() < deadline, "the partition not set: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
}

fn report(restarts: &[Duration], lags: &[Duration]) {
    let (restart, _) = median_p90(restarts);
    let (median, p90) = median_p90(lags);
    let longest = lags.iter().max().copied().unwrap_or_default();
    println!(
        "### `status --watch` across an API server restart (a change written once it answers -> shown)\n"
    );
    println!("| runs | restart (median) | median | p90 | longest |\n|---|---|---|---|---|");
    println!(
        "| {} | {} | {} | {} | {} |",
        lags.len(),
        ms(restart),
        ms(median),
        ms(p90),
        ms(longest)
    );
}
