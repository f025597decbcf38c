//! The cost of waiting on large sets: CPU time (user + system, from `wait4`) and peak memory
//! of the tool while it follows `scale 0 -> N` of a Parallel set without claims, and an
//! OnDelete `roll` of N pods, each at two sizes to see how the cost grows; and `status` on the
//! scaled set, the memory a wait is compared with. Each run on a set of its own.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::cluster::{Cluster, container};
use crate::run::{self, Outcome};

/// Sizes of `scale 0 -> N` and of the roll (`STS_BENCH_WAIT_SIZES=500,1000;100,200`).
fn wait_sizes() -> (Vec<i64>, Vec<i64>) {
    let parse = |s: &str| s.split(',').filter_map(|n| n.trim().parse().ok()).collect();
    match std::env::var("STS_BENCH_WAIT_SIZES") {
        Ok(text) => {
            let (scale, roll) = text.split_once(';').unwrap_or((&text, ""));
            (parse(scale), parse(roll))
        }
        Err(_) => (vec![500, 1000], vec![100, 200]),
    }
}

/// A set without claims, Parallel, `replicas` pods.
fn bare(cluster: &Cluster, ns: &str, replicas: i64, on_delete: bool) {
    cluster.create_set(ns, "web", replicas, |set| {
        set["spec"]["volumeClaimTemplates"] = Value::Null;
        set["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = Value::Null;
        if on_delete {
            set["spec"]["updateStrategy"] = json!({"type": "OnDelete"});
        }
    });
    cluster.wait_settled(ns, "web", replicas);
}

/// One `scale 0 -> n`, then `status` on the scaled set.
fn scale_run(
    cluster: &Cluster,
    spawner: &mut run::Spawner,
    bin: &Path,
    n: i64,
    run: usize,
) -> (Outcome, Outcome) {
    let ns = format!("scale{n}-{run}");
    bare(cluster, &ns, 0, false);
    let to = n.to_string();
    let args = ["scale", "web", "--replicas", &to, "--yes", "-n", &ns];
    let scale = spawner.run(bin, &args, &cluster.kubeconfig, &[]);
    assert_eq!(scale.code, 0, "scale 0 -> {n} failed");
    let status = spawner.run(bin, &["status", "web", "-n", &ns], &cluster.kubeconfig, &[]);
    assert_eq!(status.code, 0, "status on {n} pods failed");
    cluster.patch_set(&ns, "web", &json!({"spec": {"replicas": 0}}));
    (scale, status)
}

/// One OnDelete roll of `n` outdated pods.
fn roll_run(cluster: &Cluster, spawner: &mut run::Spawner, bin: &Path, n: i64, run: usize) -> Outcome {
    let ns = format!("roll{n}-{run}");
    bare(cluster, &ns, n, true);
    let mut image = container("nginx:1.26");
    image["volumeMounts"] = Value::Null;
    let patch = json!({"spec": {"template": {"spec": {"containers": [image]}}}});
    cluster.patch_set(&ns, "web", &patch);
    cluster.wait_for("the new revision", Duration::from_secs(120), |c| {
        let set = c.set(&ns, "web");
        set["status"]["observedGeneration"] == set["metadata"]["generation"]
            && set["status"]["updateRevision"] != set["status"]["currentRevision"]
    });
    let roll = spawner.run(
        bin,
        &["roll", "web", "--yes", "-n", &ns],
        &cluster.kubeconfig,
        &[],
    );
    assert_eq!(roll.code, 0, "roll of {n} failed");
    cluster.patch_set(&ns, "web", &json!({"spec": {"replicas": 0}}));
    roll
}

/// The medians of CPU time and the peak memory of some runs.
fn summary(outcomes: &[Outcome]) -> (Duration, Duration, u64) {
    let cpus: Vec<Duration> = outcomes.iter().map(|o| o.cpu).collect();
    let walls: Vec<Duration> = outcomes.iter().map(|o| o.wall).collect();
    let rss = outcomes.iter().map(|o| o.max_rss_kib).max().unwrap_or(0);
    (run::median_p90(&cpus).0, run::median_p90(&walls).0, rss)
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Measures and prints the section.
pub fn measure(cluster: &Cluster, spawner: &mut run::Spawner, bin: &Path, runs: usize) {
    let (scale_sizes, roll_sizes) = wait_sizes();
    println!("\n### Waits on large sets (CPU time and peak memory of the tool, medians of {runs} runs)\n");
    println!("| command | CPU | wall | peak RSS | `status` peak RSS |\n|---|---|---|---|---|");
    let mut scale_cpu = Vec::new();
    for &n in &scale_sizes {
        let (scales, statuses): (Vec<_>, Vec<_>) =
            (0..runs).map(|r| scale_run(cluster, spawner, bin, n, r)).unzip();
        let (cpu, wall, rss) = summary(&scales);
        let status_rss = summary(&statuses).2;
        println!(
            "| `scale 0 -> {n}` | {} | {} | {} | {} |",
            seconds(cpu),
            seconds(wall),
            run::mib(rss),
            run::mib(status_rss)
        );
        scale_cpu.push((n, cpu, rss as f64 / 1024.0 - status_rss as f64 / 1024.0));
    }
    let mut roll_cpu = Vec::new();
    for &n in &roll_sizes {
        let rolls: Vec<Outcome> = (0..runs).map(|r| roll_run(cluster, spawner, bin, n, r)).collect();
        let (cpu, wall, rss) = summary(&rolls);
        println!(
            "| OnDelete `roll` of {n} | {} | {} | {} | |",
            seconds(cpu),
            seconds(wall),
            run::mib(rss)
        );
        roll_cpu.push((n, cpu, 0.0));
    }
    println!();
    growth("scale", &scale_cpu);
    growth("roll", &roll_cpu);
    if let Some((n, _, extra)) = scale_cpu.last() {
        println!("- peak memory of `scale 0 -> {n}` - `status`: {extra:+.1} MiB (goal: within 10 MiB)");
    }
}

/// CPU of the largest size against the one before (goal: under 1.5 s and 2.3x).
fn growth(what: &str, rows: &[(i64, Duration, f64)]) {
    if let [.., (small, small_cpu, _), (large, large_cpu, _)] = rows {
        let ratio = large_cpu.as_secs_f64() / small_cpu.as_secs_f64().max(1e-9);
        println!(
            "- `{what}`: CPU({large}) {} (goal: under 1.5 s), CPU({large}) / CPU({small}) {ratio:.2}x (goal: under 2.3x)",
            seconds(*large_cpu)
        );
    }
}
