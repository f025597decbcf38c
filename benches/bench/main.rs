//! `cargo bench`: kubectl-sts against the simulated cluster (over TLS, as an API server
//! serves), started in-process, running the real release binary (or the build
//! `STS_BENCH_BIN` names, to compare builds). Measures wall time and peak memory of `status` on
//! 1000 pods side by side with a single-list client (`benches/floor.rs`), round trips of the
//! read and guided commands at 3 replicas, API requests per command for 3, 100 and 1000
//! replicas, reaction time to the last awaited pod becoming Ready, and start-up time of
//! `--version`; prints Markdown tables (the tables of BENCHMARKS.md).
//! `STS_BENCH_COMPARE=PATH` also runs another build's `status` on 1000 pods, taking turns.
//! Waits on large sets (`scale 0 -> N`, an OnDelete `roll`): CPU time and peak memory;
//! `STS_BENCH_ONLY=waits` measures only those. Last, `list --all-contexts` over twenty
//! clusters (`STS_BENCH_NO_FLEET` skips it, `STS_BENCH_ONLY=fleet` runs only that).
//! `STS_BENCH_ONLY=latency` measures only the round trips at 3 replicas (`plan -f` among them).
//! `STS_BENCH_ONLY=gates` measures only what a pod check between pods adds to a roll.
//! `STS_BENCH_ONLY=gzip` measures `status` on 1000 pods of a real control plane with and without
//! gzipped responses (needs `STS_CLUSTER_BIN`; not part of a plain `cargo bench`).
//! `STS_BENCH_ONLY=resume` measures how soon `status --watch` shows a change after the API server
//! of a real control plane restarts (needs `STS_CLUSTER_BIN`; not part of a plain `cargo bench`).

mod cluster;
mod fleet;
mod gates;
mod gzip;
mod latency;
mod plane;
mod reaction;
mod requests;
mod resume;
mod run;
mod waits;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cluster::{Cluster, SELECTOR};
use run::{mib, ms};

/// Runs of each timed measurement (`STS_BENCH_RUNS` overrides).
fn runs(default: usize) -> usize {
    std::env::var("STS_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::var_os(run::SPAWNER_ENV).is_some() {
        return run::serve_spawner();
    }
    let mut spawner = run::Spawner::start();
    let bin = std::env::var_os("STS_BENCH_BIN")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_kubectl-sts")), PathBuf::from);
    let available = commands(&bin);
    if std::env::var("STS_BENCH_ONLY").is_ok_and(|only| only == "fleet") {
        return fleet::measure(&mut spawner, &bin, runs(15));
    }
    if std::env::var("STS_BENCH_ONLY").as_deref() == Ok("latency") {
        println!("## kubectl-sts benchmarks\n\nMeasured: `{}`", bin.display());
        return latency::measure(&mut spawner, &bin, &available, runs(21));
    }
    if std::env::var("STS_BENCH_ONLY").as_deref() == Ok("gzip") {
        println!("## kubectl-sts benchmarks\n\nMeasured: `{}`", bin.display());
        return gzip::measure(&mut spawner, &bin, runs(11));
    }
    if std::env::var("STS_BENCH_ONLY").as_deref() == Ok("resume") {
        println!("## kubectl-sts benchmarks\n\nMeasured: `{}`", bin.display());
        return resume::measure(&bin, runs(11));
    }
    let cluster = Cluster::start();
    if std::env::var("STS_BENCH_ONLY").as_deref() == Ok("waits") {
        println!("## kubectl-sts benchmarks\n\nMeasured: `{}`", bin.display());
        return waits::measure(&cluster, &mut spawner, &bin, runs(3));
    }
    if std::env::var("STS_BENCH_ONLY").as_deref() == Ok("gates") {
        println!("## kubectl-sts benchmarks\n\nMeasured: `{}`", bin.display());
        return gates::measure(&cluster, &bin, runs(11));
    }
    let sizes = requests::sizes();
    let started = std::time::Instant::now();
    for &n in &sizes {
        cluster.create_set(&requests::namespace(n), "web", n, |_| {});
    }
    for &n in &sizes {
        cluster.wait_settled(&requests::namespace(n), "web", n);
    }
    eprintln!(
        "bench: sets of {sizes:?} replicas ready after {:?}",
        started.elapsed()
    );
    println!("## kubectl-sts benchmarks\n\nMeasured: `{}`\n", bin.display());
    let largest = *sizes.last().expect("at least one size");
    status_and_floor(&cluster, &mut spawner, &bin, largest, runs(15));
    if std::env::var("STS_BENCH_ONLY").as_deref() == Ok("status") {
        return;
    }
    latency::measure(&mut spawner, &bin, &available, runs(21));
    let (rows, skipped) = requests::measure(&cluster, &bin, &available);
    print_requests(&rows, &skipped);
    let reactions = reaction::measure(&cluster, &bin, runs(15));
    let (median, p90) = run::median_p90(&reactions);
    println!("\n### Reaction time (`scale` up by one: last awaited pod Ready -> command exits)\n");
    println!("| runs | median | p90 | goal |\n|---|---|---|---|");
    println!(
        "| {} | {} | {} | median < 50 ms |",
        reactions.len(),
        ms(median),
        ms(p90)
    );
    startup(&mut spawner, &bin, &cluster.kubeconfig, runs(50));
    waits::measure(&cluster, &mut spawner, &bin, runs(3));
    gates::measure(&cluster, &bin, runs(11));
    if available.iter().any(|c| c == "list") && std::env::var_os("STS_BENCH_NO_FLEET").is_none() {
        fleet::measure(&mut spawner, &bin, runs(15));
    }
}

/// The subcommands the binary offers, from its `--help`.
fn commands(bin: &Path) -> Vec<String> {
    let help = std::process::Command::new(bin)
        .arg("--help")
        .output()
        .expect("kubectl-sts --help runs");
    let text = String::from_utf8_lossy(&help.stdout).into_owned();
    text.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

fn print_requests(rows: &[requests::Row], skipped: &[String]) {
    println!("\n### API requests per command (total, by verb)\n");
    let sizes: Vec<String> = requests::sizes()
        .iter()
        .map(|n| format!("{n} replicas"))
        .collect();
    println!("| command | {} | must stay constant |", sizes.join(" | "));
    println!("|---|{}---|", "---|".repeat(sizes.len()));
    for row in rows {
        let constant = match (row.constant, row.grows) {
            (true, false) => "yes: constant",
            (true, true) => "yes: GROWS",
            (false, _) => "no",
        };
        println!("| `{}` | {} | {constant} |", row.command, row.counts.join(" | "));
    }
    if !skipped.is_empty() {
        println!(
            "\nNot measured (no such command in this build): {}",
            skipped.join(", ")
        );
    }
}

/// `status` on the 1000-pod set and the floor client, interleaved run by run.
fn status_and_floor(cluster: &Cluster, spawner: &mut run::Spawner, bin: &Path, pods: i64, runs: usize) {
    let ns = requests::namespace(pods);
    let floor = floor_binary();
    let env = [
        ("STS_FLOOR_NAMESPACE", ns.as_str()),
        ("STS_FLOOR_SELECTOR", SELECTOR),
    ];
    let compare = std::env::var_os("STS_BENCH_COMPARE").map(PathBuf::from);
    let args = ["status", "web", "-n", &ns];
    let (mut status, mut lists, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let outcome = spawner.run(bin, &args, &cluster.kubeconfig, &[]);
        assert_eq!(outcome.code, 0, "status on {pods} pods failed");
        status.push(outcome);
        if let Some(floor) = &floor {
            let outcome = spawner.run(floor, &[], &cluster.kubeconfig, &env);
            assert_eq!(outcome.code, 0, "the floor client failed");
            lists.push(outcome);
        }
        if let Some(compare) = &compare {
            other.push(spawner.run(compare, &args, &cluster.kubeconfig, &[]));
        }
    }
    println!("### `status` on a {pods}-pod set, and its floor (one list of the pods)\n");
    println!("| program | runs | median wall | p90 wall | peak RSS |\n|---|---|---|---|---|");
    let row = |name: &str, outcomes: &[run::Outcome]| {
        let walls: Vec<Duration> = outcomes.iter().map(|o| o.wall).collect();
        let (median, p90) = run::median_p90(&walls);
        let rss = outcomes.iter().map(|o| o.max_rss_kib).max().unwrap_or(0);
        println!(
            "| {name} | {} | {} | {} | {} |",
            outcomes.len(),
            ms(median),
            ms(p90),
            mib(rss)
        );
        (median, rss)
    };
    let (status_median, status_rss) = row("`kubectl-sts status web`", &status);
    if let Some(compare) = &compare {
        row(&format!("`status web` by `{}`", compare.display()), &other);
    }
    match floor {
        Some(_) => {
            let (floor_median, floor_rss) = row("floor: one `list pods`", &lists);
            let ratio = status_median.as_secs_f64() / floor_median.as_secs_f64().max(1e-9);
            let extra = status_rss as f64 / 1024.0 - floor_rss as f64 / 1024.0;
            println!(
                "\n`status` / floor: median wall {ratio:.2}x (goal: within 1.3x); peak RSS {extra:+.1} MiB (goal: within 5 MiB)"
            );
        }
        None => println!("\nfloor not measured: run `cargo bench` (it builds benches/floor.rs)"),
    }
}

/// The floor client, built by `cargo bench` as the bench target `floor` next to this one.
pub fn floor_binary() -> Option<PathBuf> {
    let dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let mut candidates: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("floor-") && !name.contains('.')
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, path)| path)
}

/// Start-up time of `--version`.
fn startup(spawner: &mut run::Spawner, bin: &Path, kubeconfig: &Path, runs: usize) {
    let walls: Vec<Duration> = (0..runs)
        .map(|_| spawner.run(bin, &["--version"], kubeconfig, &[]).wall)
        .collect();
    let (median, p90) = run::median_p90(&walls);
    println!("\n### Start-up (`kubectl-sts --version`)\n");
    println!("| runs | median | p90 | goal |\n|---|---|---|---|");
    println!("| {runs} | {} | {} | < 5 ms |", ms(median), ms(p90));
}
