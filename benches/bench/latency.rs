//! Round trips, on a cluster of its own holding one set of 3 replicas (the shared benchmark
//! cluster's thousand volumes would swell the cluster-wide lists of `pvc` and `delete`): each
//! read command's wall time against `list` (one request), and each guided command's time to
//! its plan on screen (the first byte on stdout) against `status`'s wall time, and `plan -f` of
//! the set's manifest with a new image (it prints when every set is planned) against `status`'s
//! wall time too. The commands take turns run by run, so that a busy moment of the machine
//! falls on all of them alike.

use std::path::Path;
use std::time::Duration;

use crate::cluster::Cluster;
use crate::run::{self, Spawner, ms};

/// The set's size and namespace.
const REPLICAS: i64 = 3;
const NS: &str = "rtt";

/// Read commands, against the first (`list`); `why` once the build has it.
const READS: [&str; 6] = [
    "list",
    "status web",
    "pvc web",
    "dns web",
    "history web",
    "why web",
];

/// Guided commands on a settled set (dry runs: the plan, then a server-side dry run).
const GUIDED: [&str; 3] = [
    "scale web --replicas {next} --dry-run --yes",
    "rollout web --image nginx=nginx:1.26 --dry-run --yes",
    "delete web --dry-run --yes",
];

/// `plan -f` of the set's own manifest with a new image (`{manifest}`: where it is written).
const PLAN: &str = "plan -f {manifest}";

/// Goal: a read command's median wall time within this many times `list`'s.
const READ_GOAL: f64 = 1.5;
/// Goal: a guided command's median time to its plan within this many times `status`'s wall.
const PLAN_GOAL: f64 = 1.5;

/// One command's samples.
struct Samples {
    command: String,
    times: Vec<Duration>,
}

impl Samples {
    fn median(&self) -> Duration {
        run::median_p90(&self.times).0
    }
}

/// The commands `available` offers, with `{next}` and the namespace of the `replicas` set.
fn commands(list: &[&str], available: &[String], replicas: i64, ns: &str) -> Vec<Vec<String>> {
    list.iter()
        .map(|c| c.replace("{next}", &(replicas + 1).to_string()))
        .filter(|c| {
            available
                .iter()
                .any(|a| c.split_whitespace().next() == Some(a.as_str()))
        })
        .map(|c| {
            c.split_whitespace()
                .chain(["-n", ns])
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// Measures `runs` rounds on a fresh cluster and prints both tables.
pub fn measure(spawner: &mut Spawner, bin: &Path, available: &[String], runs: usize) {
    let cluster = Cluster::start();
    cluster.create_set(NS, "web", REPLICAS, |_| {});
    cluster.wait_settled(NS, "web", REPLICAS);
    let kubeconfig = cluster.kubeconfig.as_path();
    let manifest = changed_manifest(&cluster);
    let reads = commands(&READS, available, REPLICAS, NS);
    let guided = commands(&GUIDED, available, REPLICAS, NS);
    let plans = commands(&[PLAN], available, REPLICAS, NS)
        .into_iter()
        .map(|args| {
            args.into_iter()
                .map(|a| a.replace("{manifest}", &manifest.display().to_string()))
                .collect()
        })
        .collect::<Vec<Vec<String>>>();
    let mut read_samples = samples(&reads);
    let mut plan_samples = samples(&guided);
    let mut manifest_samples = samples(&plans);
    for sample in &mut manifest_samples {
        sample.command = sample
            .command
            .replace(&manifest.display().to_string(), "MANIFEST");
    }
    for _ in 0..runs {
        for (args, into) in reads.iter().zip(&mut read_samples) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let outcome = spawner.run(bin, &args, kubeconfig, &[]);
            assert!(matches!(outcome.code, 0 | 3), "{} failed", into.command);
            into.times.push(outcome.wall);
        }
        for (args, into) in guided.iter().zip(&mut plan_samples) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let outcome = spawner.run_to_output(bin, &args, kubeconfig);
            assert_eq!(outcome.code, 0, "{} failed", into.command);
            into.times.push(outcome.first_output.expect("a plan on stdout"));
        }
        for (args, into) in plans.iter().zip(&mut manifest_samples) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let outcome = spawner.run(bin, &args, kubeconfig, &[]);
            assert_eq!(outcome.code, 5, "{} planned no change", into.command);
            into.times.push(outcome.wall);
        }
    }
    println!("\n### Round trips at {REPLICAS} replicas: read commands against `list`\n");
    print_table("median wall", &read_samples, &read_samples[0], READ_GOAL);
    println!("\n### Guided commands at {REPLICAS} replicas: the plan on screen against `status`\n");
    let status = read_samples.iter().find(|s| s.command.starts_with("status"));
    let status = status.expect("status is measured");
    print_table("median to the plan", &plan_samples, status, PLAN_GOAL);
    if !manifest_samples.is_empty() {
        println!("\n### `plan -f` of the set's manifest with a new image, against `status`\n");
        print_table("median wall", &manifest_samples, status, PLAN_GOAL);
    }
    let _ = std::fs::remove_file(&manifest);
}

/// The bench set's manifest as a repository would hold it, with a new image, in a file.
fn changed_manifest(cluster: &Cluster) -> std::path::PathBuf {
    let live = cluster.set(NS, "web");
    let mut manifest = serde_json::json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": NS},
        "spec": live["spec"].clone(),
    });
    manifest["spec"]["template"]["spec"]["containers"][0]["image"] = serde_json::json!("nginx:1.26");
    let path = std::env::temp_dir().join(format!("sts-bench-plan-{}.json", std::process::id()));
    std::fs::write(&path, manifest.to_string()).expect("the manifest is written");
    path
}

fn samples(commands: &[Vec<String>]) -> Vec<Samples> {
    commands
        .iter()
        .map(|args| Samples {
            command: args[..args.len() - 2].join(" "),
            times: Vec::new(),
        })
        .collect()
}

/// One row per command: its median and p90, and its median over `base`'s, against `goal`.
fn print_table(what: &str, rows: &[Samples], base: &Samples, goal: f64) {
    println!(
        "| command | runs | {what} | p90 | / `{}` | goal: within {goal}x |",
        base.command
    );
    println!("|---|---|---|---|---|---|");
    for row in rows {
        let (median, p90) = run::median_p90(&row.times);
        let ratio = median.as_secs_f64() / base.median().as_secs_f64().max(1e-9);
        let verdict = if std::ptr::eq(row, base) {
            "-"
        } else if ratio <= goal {
            "met"
        } else {
            "MISSED"
        };
        println!(
            "| `{}` | {} | {} | {} | {ratio:.2}x | {verdict} |",
            row.command,
            row.times.len(),
            ms(median),
            ms(p90)
        );
    }
}
