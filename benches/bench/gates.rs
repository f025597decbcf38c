//! What a pod check between pods costs a roll: an OnDelete set of 3 rolled with a check that
//! sleeps 0.2 s, the gap from each replacement becoming Ready to the next pod's deletion (both
//! timestamped from the store's change events), less that check's own run time (it writes
//! the instants it starts and ends); and the same gap without a check.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use sts_sim::store::EventKind;

use crate::cluster::{Cluster, container};
use crate::run;

const NS: &str = "gates";
const SET: &str = "gates";
/// How long the check sleeps.
const SLEEP: &str = "0.2";

/// When each pod name was first seen Ready, and first seen deleted (since the last clear).
#[derive(Default)]
struct Seen {
    ready: HashMap<String, SystemTime>,
    deleted: HashMap<String, SystemTime>,
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
                let at = SystemTime::now();
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
        deleted.duration_since(*ready).unwrap_or_default()
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
    let log = std::env::temp_dir().join(format!("kubectl-sts-bench-checks-{}", std::process::id()));
    let check = format!(
        "echo $STS_POD $(date +%s.%N) >> {log}; sleep {SLEEP}; echo $STS_POD $(date +%s.%N) >> {log}",
        log = log.display()
    );
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
        let _ = std::fs::remove_file(&log);
        let checked = i % 2 == 0;
        let mut args = vec!["roll", SET, "--yes", "-n", NS];
        if checked {
            args.extend(["--pod-check", check.as_str()]);
        }
        let outcome = run::run(bin, &args, &cluster.kubeconfig, &[]);
        assert_eq!(outcome.code, 0, "roll failed");
        for (pod, next) in [("gates-2", "gates-1"), ("gates-1", "gates-0")] {
            let gap = moments.gap(pod, next);
            match checked {
                true => with.push(gap.saturating_sub(check_time(&log, pod))),
                false => without.push(gap),
            }
        }
    }
    let _ = std::fs::remove_file(&log);
    let (with_median, with_p90) = run::median_p90(&with);
    let (without_median, without_p90) = run::median_p90(&without);
    println!("\n### A pod check between pods (OnDelete roll of 3: replacement Ready -> next deletion)\n");
    println!("| | median | p90 | goal |\n|---|---|---|---|");
    println!(
        "| `--pod-check` (sleeps {SLEEP} s), less the check's own run time | {} | {} | within 200 ms |",
        run::ms(with_median),
        run::ms(with_p90)
    );
    println!(
        "| no check | {} | {} | |",
        run::ms(without_median),
        run::ms(without_p90)
    );
}

/// The run time of `pod`'s check, from the instants it wrote to `log`.
fn check_time(log: &Path, pod: &str) -> Duration {
    let text = std::fs::read_to_string(log).expect("the check wrote its log");
    let instants: Vec<f64> = text
        .lines()
        .filter_map(|line| line.strip_prefix(pod)?.trim().parse().ok())
        .collect();
    let [start, end] = instants[..] else {
        panic!("{pod}'s check ran once: {text}");
    };
    Duration::from_secs_f64(end - start)
}
