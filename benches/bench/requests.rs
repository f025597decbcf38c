//! API requests per command, read from the simulator's request log, for sets of 3, 100 and
//! 1000 replicas: the read-only commands on a settled set, then `promote` on a staged rollout
//! and `roll` on an OnDelete set with outdated pods, the mutating ones in `--dry-run`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::cluster::Cluster;
use crate::run;

/// The set sizes measured (`STS_BENCH_SIZES=3,10,30` for a quick try; the first is the
/// smallest, the last the one `status` is timed on).
pub fn sizes() -> Vec<i64> {
    std::env::var("STS_BENCH_SIZES")
        .ok()
        .and_then(|s| s.split(',').map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![3, 100, 1000])
}

/// The namespace of the set of `n` replicas (each set is named `web`).
pub fn namespace(n: i64) -> String {
    format!("n{n}")
}

/// The set's state a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Settled,
    Staged,
    OnDelete,
}

/// One command measured: its arguments (`{next}` stands for the replicas plus one), and
/// whether its request count must not grow with the replicas.
struct Case {
    phase: Phase,
    args: &'static str,
    constant: bool,
}

impl Case {
    fn args(&self, n: i64) -> Vec<String> {
        let text = self.args.replace("{next}", &(n + 1).to_string());
        text.split_whitespace().map(str::to_string).collect()
    }
}

const CASES: [Case; 8] = [
    Case {
        phase: Phase::Settled,
        args: "status web",
        constant: true,
    },
    Case {
        phase: Phase::Settled,
        args: "list",
        constant: true,
    },
    Case {
        phase: Phase::Settled,
        args: "history web",
        constant: false,
    },
    Case {
        phase: Phase::Settled,
        args: "pvc web",
        constant: true,
    },
    Case {
        phase: Phase::Settled,
        args: "dns web",
        constant: true,
    },
    Case {
        phase: Phase::Settled,
        args: "scale web --replicas {next} --dry-run --yes",
        constant: false,
    },
    Case {
        phase: Phase::Staged,
        args: "promote web --step 1 --dry-run --yes",
        constant: false,
    },
    Case {
        phase: Phase::OnDelete,
        args: "roll web --dry-run --yes",
        constant: false,
    },
];

/// One row of the report: the command, its requests per size, and whether they must not grow.
pub struct Row {
    pub command: String,
    pub counts: Vec<String>,
    pub constant: bool,
    pub grows: bool,
}

/// Runs every case whose command `available` lists; the others are reported as skipped.
pub fn measure(cluster: &Cluster, bin: &Path, available: &[String]) -> (Vec<Row>, Vec<String>) {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for phase in [Phase::Settled, Phase::Staged, Phase::OnDelete] {
        prepare(cluster, phase);
        for case in CASES.iter().filter(|c| c.phase == phase) {
            let args = case.args(0);
            if !available.contains(&args[0]) {
                skipped.push(args[0].clone());
                continue;
            }
            rows.push(measure_case(cluster, bin, case));
        }
    }
    (rows, skipped)
}

fn measure_case(cluster: &Cluster, bin: &Path, case: &Case) -> Row {
    let mut counts = Vec::new();
    let mut totals = Vec::new();
    for n in sizes() {
        let ns = namespace(n);
        let mut args = case.args(n);
        args.extend(["-n".to_string(), ns]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cluster.sim.log.clear();
        let outcome = run::run(bin, &args, &cluster.kubeconfig, &[]);
        let entries = cluster.sim.log.entries();
        let mut by_verb: BTreeMap<String, usize> = BTreeMap::new();
        for e in &entries {
            *by_verb.entry(e.verb.clone()).or_default() += 1;
        }
        let verbs: Vec<String> = by_verb.iter().map(|(v, k)| format!("{k} {v}")).collect();
        let exit = if outcome.code == 0 {
            String::new()
        } else {
            format!(", exit {}", outcome.code)
        };
        counts.push(format!("{} ({}{exit})", entries.len(), verbs.join(", ")));
        totals.push(entries.len());
    }
    let command = case.args.replace("{next}", "N+1");
    Row {
        command,
        counts,
        constant: case.constant,
        grows: totals.windows(2).any(|w| w[1] > w[0]),
    }
}

/// Brings every measured set into the state `phase` needs.
fn prepare(cluster: &Cluster, phase: Phase) {
    for n in sizes() {
        let ns = namespace(n);
        let patch = match phase {
            Phase::Settled => continue,
            Phase::Staged => json!({"spec": {
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": n}},
                "template": {"spec": {"containers": [crate::cluster::container("nginx:1.26")]}}
            }}),
            Phase::OnDelete => {
                json!({"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": null}}})
            }
        };
        cluster.patch_set(&ns, "web", &patch);
        cluster.wait_for(
            &format!("{ns}/web to observe its new spec"),
            Duration::from_secs(120),
            |c| {
                let set = c.set(&ns, "web");
                set["status"]["observedGeneration"] == set["metadata"]["generation"]
                    && set["status"]["updateRevision"] != set["status"]["currentRevision"]
            },
        );
    }
}
