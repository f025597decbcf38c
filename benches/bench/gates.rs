//! What a pod check between pods costs a roll: an OnDelete set of 3 rolled with
//! `--pod-check 'sleep 0.2'`, the gap from each replacement becoming Ready to the next pod's
//! deletion (both timestamped from the store's change events), less the check's own run time
//! (the same command run here, outside the tool); and the same gap without a check.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sts_sim::store::EventKind;

use crate::cluster::{Cluster, container};
use crate::run;

const NS: &str = "gates";
const SET: &str = "gates";
const CHECK: &str = "sleep 0.2";

/// When each pod name was first seen Ready, and first seen deleted (since the last clear).
#[derive(Default)]
struct Seen {
    ready: HashMap<String, Instant>,
    deleted: HashMap<String, Instant>,
}

#[derive(Clone, Default)]
struct Moments(Arc<Mutex<Seen>>);

impl Moments {
    fn record(cluster: &Cluster) -> Moments {
        let moments = Moments::default();
        let sink = moments.clone();
        let mut events = cluster.sim.store.subscribe();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime");
            while let Ok(event) = runtime.block_on(events.recv()) {
                let at = Instant::now();
                if event.resource.plural != "pods" || event.namespace != NS {
                    continue;
                }
                let mut seen = sink.0.lock().expect("lock");
                let deleting = event.kind == EventKind::Deleted
                    || event.object["metadata"]["deletionTimestamp"].is_string();
                if deleting {
                    seen.deleted.entry(event.name.clone()).or_insert(at);
                } else if ready(&event.object) {
                    seen.ready.entry(event.name.clone()).or_insert(at);
                }
            }
        });
        moments
    }

    fn clear(&self) {
        let mut seen = self.0.lock().expect("lock");
        seen.ready.clear();
        seen.deleted.clear();
    }

    /// From `pod`'s replacement Ready to `next`'s deletion.
    fn gap(&self, pod: &str, next: &str) -> Duration {
        let seen = self.0.lock().expect("lock");
        let ready = seen.ready.get(pod).expect("the replacement was seen Ready");
        let deleted = seen.deleted.get(next).expect("the next pod was seen deleted");
        deleted.saturating_duration_since(*ready)
    }
}

fn ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// Prints the gaps with and without a check, `runs` rolls each.
pub fn measure(cluster: &Cluster, bin: &Path, runs: usize) {
    cluster.create_set(NS, SET, 3, |set| {
        set["spec"]["updateStrategy"] = json!({"type": "OnDelete"});
    });
    cluster.wait_settled(NS, SET, 3);
    let moments = Moments::record(cluster);
    let check_alone = run::median_p90(&(0..runs).map(|_| time_check()).collect::<Vec<_>>()).0;
    let mut with = Vec::new();
    let mut without = Vec::new();
    for i in 0..runs * 2 {
        let image = format!("nginx:1.{}", 26 + i);
        cluster.patch_set(
            NS,
            SET,
            &json!({"spec": {"template": {"spec": {"containers": [container(&image)]}}}}),
        );
        moments.clear();
        let checked = i % 2 == 0;
        let mut args = vec!["roll", SET, "--yes", "-n", NS];
        if checked {
            args.extend(["--pod-check", CHECK, "--pod-check-interval", "100ms"]);
        }
        let outcome = run::run(bin, &args, &cluster.kubeconfig, &[]);
        assert_eq!(outcome.code, 0, "roll failed");
        let gaps = [
            moments.gap("gates-2", "gates-1"),
            moments.gap("gates-1", "gates-0"),
        ];
        match checked {
            true => with.extend(gaps.map(|g| g.saturating_sub(check_alone))),
            false => without.extend(gaps),
        }
    }
    let (with_median, with_p90) = run::median_p90(&with);
    let (without_median, without_p90) = run::median_p90(&without);
    println!("\n### A pod check between pods (OnDelete roll of 3: replacement Ready -> next deletion)\n");
    println!("| | median | p90 | goal |\n|---|---|---|---|");
    println!(
        "| `--pod-check '{CHECK}'`, less the check's own {} | {} | {} | within 200 ms |",
        run::ms(check_alone),
        run::ms(with_median),
        run::ms(with_p90)
    );
    println!(
        "| no check | {} | {} | |",
        run::ms(without_median),
        run::ms(without_p90)
    );
}

/// The check's own run time, as `sh -c` runs it here.
fn time_check() -> Duration {
    let started = Instant::now();
    let status = std::process::Command::new("sh")
        .args(["-c", CHECK])
        .status()
        .expect("sh runs");
    assert!(status.success());
    started.elapsed()
}
