//! Fleet: `list --all-contexts` over twenty simulated clusters (each with a set of 3 pods)
//! against one context's `list`, taking turns run by run: wall time, CPU, peak memory and API
//! requests per context; and the same for the floor client (`benches/floor.rs`: kube's own
//! client per context, one list each), which shows what any client pays on this machine.

use std::path::Path;
use std::time::Duration;

use sts_sim::sim::fleet_kubeconfig;

use crate::cluster::Cluster;
use crate::run::{self, Spawner, mib, ms};

/// How many clusters, and the namespace of their sets.
const CLUSTERS: usize = 20;
const NS: &str = "fleet";

/// How long each simulated cluster takes to answer in the second pass: a cluster some way off,
/// or an API server with work to do (the first pass answers at once, on loopback).
const ANSWER_LATENCY: Duration = Duration::from_millis(10);

/// Measures `runs` rounds and prints the table; then a few rounds with `ANSWER_LATENCY`.
pub fn measure(spawner: &mut Spawner, bin: &Path, runs: usize) {
    let clusters: Vec<Cluster> = (0..CLUSTERS).map(|_| Cluster::start()).collect();
    for cluster in &clusters {
        cluster.create_set(NS, "web", 3, |_| {});
    }
    for cluster in &clusters {
        cluster.wait_settled(NS, "web", 3);
    }
    let contexts: Vec<(String, String)> = clusters
        .iter()
        .enumerate()
        .map(|(i, c)| c.sim.context_entry(&format!("c{i:02}")))
        .collect();
    let kubeconfig = clusters[0].kubeconfig.with_file_name("fleet-kubeconfig");
    std::fs::write(&kubeconfig, fleet_kubeconfig(&contexts)).expect("fleet kubeconfig");
    let every: Vec<&str> = contexts.iter().map(|(name, _)| name.as_str()).collect();
    let floor = crate::floor_binary();
    let mut rounds = Rounds::new(spawner, bin, &kubeconfig, every.join(","));
    rounds.take(floor.as_deref(), runs);
    let before: Vec<usize> = clusters.iter().map(|c| c.sim.log.entries().len()).collect();
    rounds.spawner.run(bin, &ALL, &kubeconfig, &[]);
    let per_context: Vec<usize> = clusters
        .iter()
        .zip(&before)
        .map(|(c, b)| c.sim.log.entries().len() - b)
        .collect();
    print(&rounds.single, &rounds.fleet, &per_context);
    if floor.is_some() {
        print_floor(&rounds.floor_single, &rounds.floor_fleet);
    }
    for cluster in &clusters {
        cluster.sim.faults().set_latency(ANSWER_LATENCY);
    }
    let mut slow = Rounds::new(rounds.spawner, bin, &kubeconfig, rounds.every);
    slow.take(None, runs.div_ceil(3));
    print_with_latency(&slow.single, &slow.fleet);
}

const ONE: [&str; 5] = ["list", "-n", NS, "--context", "c00"];
const ALL: [&str; 4] = ["list", "-n", NS, "--all-contexts"];

/// Runs taken in turn: the tool on one context and on all, and the floor client likewise.
struct Rounds<'a> {
    spawner: &'a mut Spawner,
    bin: &'a Path,
    kubeconfig: &'a Path,
    every: String,
    single: Vec<run::Outcome>,
    fleet: Vec<run::Outcome>,
    floor_single: Vec<run::Outcome>,
    floor_fleet: Vec<run::Outcome>,
}

impl<'a> Rounds<'a> {
    fn new(spawner: &'a mut Spawner, bin: &'a Path, kubeconfig: &'a Path, every: String) -> Self {
        Rounds {
            spawner,
            bin,
            kubeconfig,
            every,
            single: Vec::new(),
            fleet: Vec::new(),
            floor_single: Vec::new(),
            floor_fleet: Vec::new(),
        }
    }

    fn take(&mut self, floor: Option<&Path>, runs: usize) {
        for _ in 0..runs {
            for (args, outcomes) in [(&ONE[..], &mut self.single), (&ALL[..], &mut self.fleet)] {
                let outcome = self.spawner.run(self.bin, args, self.kubeconfig, &[]);
                assert_eq!(outcome.code, 0, "{args:?} failed");
                outcomes.push(outcome);
            }
            let Some(floor) = floor else { continue };
            for (contexts, outcomes) in [
                ("c00", &mut self.floor_single),
                (self.every.as_str(), &mut self.floor_fleet),
            ] {
                let env = [("STS_FLOOR_NAMESPACE", NS), ("STS_FLOOR_CONTEXTS", contexts)];
                let outcome = self.spawner.run(floor, &[], self.kubeconfig, &env);
                assert_eq!(outcome.code, 0, "the floor client failed on {contexts}");
                outcomes.push(outcome);
            }
        }
    }
}

/// The tool's figures when every cluster answers after `ANSWER_LATENCY`.
fn print_with_latency(single: &[run::Outcome], fleet: &[run::Outcome]) {
    let (one, all) = (Medians::of(single), Medians::of(fleet));
    println!(
        "| every answer after {} ms: one context / {CLUSTERS} contexts, median wall ({} runs) | {} / {} = {:.2}x | |",
        ANSWER_LATENCY.as_millis(),
        fleet.len(),
        ms(one.wall),
        ms(all.wall),
        all.wall.as_secs_f64() / one.wall.as_secs_f64()
    );
}

/// The floor client's figures, one context against all.
fn print_floor(single: &[run::Outcome], fleet: &[run::Outcome]) {
    let (one, all) = (Medians::of(single), Medians::of(fleet));
    println!(
        "| floor client: one context / {CLUSTERS} contexts, median wall | {} / {} = {:.2}x | |",
        ms(one.wall),
        ms(all.wall),
        all.wall.as_secs_f64() / one.wall.as_secs_f64()
    );
    println!(
        "| floor client: CPU time, one context / {CLUSTERS} contexts | {} / {} | |",
        ms(one.cpu),
        ms(all.cpu)
    );
}

/// Median wall (and its p90) and median CPU time of some runs.
struct Medians {
    wall: Duration,
    wall_p90: Duration,
    cpu: Duration,
}

impl Medians {
    fn of(outcomes: &[run::Outcome]) -> Medians {
        let (wall, wall_p90) = run::median_p90(&outcomes.iter().map(|o| o.wall).collect::<Vec<_>>());
        let (cpu, _) = run::median_p90(&outcomes.iter().map(|o| o.cpu).collect::<Vec<_>>());
        Medians { wall, wall_p90, cpu }
    }
}

fn print(single: &[run::Outcome], fleet: &[run::Outcome], per_context: &[usize]) {
    let (one, all) = (Medians::of(single), Medians::of(fleet));
    let peak = fleet.iter().map(|o| o.max_rss_kib).max().unwrap_or(0);
    let (low, high) = (
        per_context.iter().min().copied().unwrap_or(0),
        per_context.iter().max().copied().unwrap_or(0),
    );
    println!("\n### Fleet: `list --all-contexts` over {CLUSTERS} clusters against one context's `list`\n");
    println!("| measurement | result | goal |\n|---|---|---|");
    println!("| one context, median wall | {} | |", ms(one.wall));
    println!(
        "| {CLUSTERS} contexts, median (p90) wall | {} ({}) = {:.2}x | < 2x |",
        ms(all.wall),
        ms(all.wall_p90),
        all.wall.as_secs_f64() / one.wall.as_secs_f64()
    );
    println!(
        "| CPU time (user+sys), one context / {CLUSTERS} contexts | {} / {} | |",
        ms(one.cpu),
        ms(all.cpu)
    );
    println!("| {CLUSTERS} contexts, peak memory | {} | < 50 MiB |", mib(peak));
    println!("| requests per context | {low}-{high} | 1 |");
}
