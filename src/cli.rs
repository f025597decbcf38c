//! The command line, as clap derive structs only: global flags and one Args struct per
//! command. Every flag's `///` doc is its `--help` text. No logic lives here.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Guided StatefulSet lifecycle: scale, staged rollouts, OnDelete rolls, orphan delete,
/// claims and per-pod DNS, with plans, confirmations and waits on the cluster's own signals.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-sts",
    bin_name = "kubectl sts",
    version,
    propagate_version = true
)]
#[command(
    after_help = "Exit codes: 0 done, 1 error, 2 usage, 3 check failed or rollout failed, \
                        4 timed out (re-run to resume), 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts, before or after the subcommand.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Namespace of the StatefulSet (default: the context's namespace, else `default`)
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Kubeconfig context to use (default: the current context)
    #[arg(long, global = true, value_name = "CONTEXT")]
    pub context: Option<String>,

    /// Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// Output format: tables for people, one JSON or YAML document for scripts
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Answer yes to confirmations (required to change anything without a TTY)
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// How long to wait for the cluster to reach the goal (e.g. 30s, 5m)
    #[arg(long, global = true, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,

    /// How long a single API request may take (e.g. 5s); 0 means no limit
    #[arg(long, global = true, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Act as this user (impersonation), like `kubectl --as`
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
}

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Yaml,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List StatefulSets with their replicas, strategy, partition and rollouts in flight
    #[command(after_help = "Examples:\n  kubectl sts list\n  kubectl sts list -A -o json")]
    List(ListArgs),

    /// Show one StatefulSet: revisions, every ordinal's pod and claims, DNS names, and what
    /// the controller is doing or waiting on
    #[command(
        after_help = "Examples:\n  kubectl sts status web\n  kubectl sts status web --watch\n  \
                            kubectl sts status web -o json | jq '.pods[] | select(.ready | not)'"
    )]
    Status(StatusArgs),

    /// Scale a StatefulSet in order, showing which pods come and go and what happens to their
    /// claims, then wait pod by pod
    #[command(after_help = "Examples:\n  kubectl sts scale web --replicas 5\n  \
                            kubectl sts scale web --replicas 2 --dry-run\n  \
                            kubectl sts scale web --replicas 4 --yes -o json")]
    Scale(ScaleArgs),

    /// Replace the outdated pods of an OnDelete set one at a time (or chosen ordinals of any
    /// set), each after every other member is Ready; resumable
    #[command(
        after_help = "Examples:\n  kubectl sts roll zk\n  kubectl sts roll zk --evict\n  \
                            kubectl sts roll zk --ordinals 2,0 --dry-run"
    )]
    Roll(RollArgs),

    /// Restart every pod (the `kubectl.kubernetes.io/restartedAt` template annotation, as
    /// `kubectl rollout restart` sets it), following the rollout; OnDelete sets are rolled
    #[command(after_help = "Examples:\n  kubectl sts restart web\n  kubectl sts restart zk --evict --yes")]
    Restart(RestartArgs),
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// List StatefulSets in every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

/// `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Name of the StatefulSet
    pub name: String,

    /// Redraw on every change of the set, its pods or claims, until interrupted or --timeout
    #[arg(short = 'w', long)]
    pub watch: bool,
}

/// `scale`.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// Name of the StatefulSet
    pub name: String,

    /// The number of replicas wanted
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(0..=100_000))]
    pub replicas: i32,

    /// Change spec.replicas and return without waiting for the pods
    #[arg(long)]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `roll`.
#[derive(Debug, Args)]
pub struct RollArgs {
    /// Name of the StatefulSet
    pub name: String,

    /// Replace only these ordinals, in this order (e.g. 2,0); default: every outdated pod,
    /// highest ordinal first
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub ordinals: Option<Vec<i32>>,

    /// Take pods down through the Eviction API, so that PodDisruptionBudgets are honoured
    #[arg(long)]
    pub evict: bool,

    /// Take down only the next pod and return without waiting (re-run to go on)
    #[arg(long)]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `restart`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Name of the StatefulSet
    pub name: String,

    /// OnDelete sets: take pods down through the Eviction API (PodDisruptionBudgets honoured)
    #[arg(long)]
    pub evict: bool,

    /// Set the annotation and return without waiting for the pods
    #[arg(long)]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Parses `30s`, `5m`, `1h30m`, or a bare `0`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    if text.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(text.trim()).map_err(|e| format!("{e} (expected e.g. 30s, 5m, 1h)"))
}
