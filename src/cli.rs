//! The command line, as clap derive structs only: global flags and one Args struct per
//! command. Every flag's `///` doc is its `--help` text. No logic lives here.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

use crate::model::rollout::progressive::StepList;
use crate::model::rollout::staged::{NewImage, valid_image_reference};

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
    after_help = "Examples:\n  kubectl sts list\n  kubectl sts status web -n db\n  \
                        kubectl sts scale web --replicas 5\n\n\
                        Exit codes: 0 done or nothing to do, 1 error or refused by the set's state, \
                        2 usage or a value that does not fit the set, 3 blocked or failed, \
                        4 timed out (re-run to resume), 5 plan: changes, 130 interrupted."
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
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE", value_parser = parse_namespace)]
    pub namespace: Option<String>,

    /// Kubeconfig context to use (default: the current context)
    #[arg(long, global = true, value_name = "CONTEXT")]
    pub context: Option<String>,

    /// Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
    #[arg(long, global = true, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub kubeconfig: Option<PathBuf>,

    /// Output format: tables for people (`wide`: every pod listed), one JSON or YAML document
    /// for scripts
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

    /// Act as a member of this group (impersonation, with --as); repeat for several groups
    #[arg(long = "as-group", global = true, value_name = "GROUP", requires = "as_user")]
    pub as_group: Vec<String>,

    /// Bearer token to authenticate with, instead of the kubeconfig user's credentials (its
    /// client certificate, token or exec plugin)
    #[arg(long, global = true, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Address of the API server, instead of the kubeconfig cluster's
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,

    /// CA certificate file that verifies the API server, instead of the kubeconfig cluster's
    #[arg(long, global = true, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub certificate_authority: Option<PathBuf>,

    /// Do not verify the API server's certificate (insecure: anyone on the way can read and
    /// change what is sent; a warning is printed)
    #[arg(long, global = true, conflicts_with = "certificate_authority")]
    pub insecure_skip_tls_verify: bool,
}

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    /// Tables that list every pod, however large the set (plans and progress of more than 20
    /// pods are otherwise grouped and summed up)
    Wide,
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

    /// Explain what keeps a StatefulSet from converging: each finding with the cluster's
    /// evidence (conditions, container states, events, quotas, volumes) and the command to run
    #[command(
        after_help = "Examples:\n  kubectl sts why web\n  kubectl sts why web -o json | jq '.findings[0]'\n\n\
                            Exit codes: 0 nothing blocks (warnings and info may be listed), 3 something \
                            blocks (the first blocker is named), 1 error."
    )]
    Why(WhyArgs),

    /// Wait until a StatefulSet has converged under its own strategy (for CI after `helm
    /// upgrade` or a GitOps sync): every member Ready and available, every pod the strategy
    /// updates by itself on the update revision; stop as soon as something blocks
    #[command(
        after_help = "Examples:\n  kubectl sts wait web\n  kubectl sts wait web --timeout 5m -o json\n\n\
                            Pods a RollingUpdate partition holds back, and an OnDelete set's outdated pods, \
                            do not keep a set from converging: they are named, with the command that moves \
                            them.\n\n\
                            Exit codes: 0 converged, 3 something blocks (named as `why` words it), 4 timed \
                            out (--timeout, default 10m), 1 error or the set deleted while waiting, 130 \
                            interrupted."
    )]
    Wait(WaitArgs),

    /// Plan a changed manifest (Helm, kustomize, a repository) against the live StatefulSets,
    /// field by field: in place, rolled out (which pods, in which order), re-created with pods
    /// and claims kept (fields the API server refuses to update), or refused with the reason
    #[command(after_help = "Examples:\n  kubectl sts plan -f web.yaml\n  \
                            helm template db ./chart | kubectl sts plan -f -\n  \
                            kustomize build overlays/prod | kubectl sts plan -f - -o json\n\n\
                            Objects that are not StatefulSets are listed as not handled here. Changes nothing: \
                            the server's defaulting and its refusals are asked with dry runs.\n\n\
                            Exit codes: 0 no change, 5 changes to carry out, 3 a change is refused (the reason \
                            is given), 1 error or bad input (a file that cannot be read, YAML that does not \
                            parse, an object without a kind, a namespace other than -n), 2 usage.")]
    Plan(PlanArgs),

    /// Carry out a manifest's plan in one ordered, crash-safe sequence: claims grown, the set
    /// re-created with its pods and claims kept when a field cannot be updated, then the
    /// template applied and its rollout followed until the set has converged
    #[command(after_help = "Examples:\n  kubectl sts apply -f web.yaml\n  \
                            helm template db ./chart | kubectl sts apply -f - --yes\n  \
                            kubectl sts apply -f web.yaml --dry-run\n\n\
                            Writes are server-side applies under the field manager kubectl-sts (--field-manager). \
                            Objects that are not StatefulSets are left alone (kubectl apply them).\n\n\
                            Exit codes: 0 applied and converged (or nothing to do), 3 refused or blocked, \
                            4 timed out, 1 error or bad input, 2 usage.")]
    Apply(ApplyArgs),

    /// Scale a StatefulSet in order, showing which pods come and go and what happens to their
    /// claims, then wait pod by pod
    #[command(after_help = "Examples:\n  kubectl sts scale web --replicas 5\n  \
                            kubectl sts scale web --replicas 2 --dry-run\n  \
                            kubectl sts scale web --replicas 4 --yes -o json")]
    Scale(ScaleArgs),

    /// Stage a new template: images and partition in one write, so no pod restarts before the
    /// partition is in place (default partition: the replica count, nothing moves until promoted)
    #[command(
        after_help = "Examples:\n  kubectl sts rollout web --image nginx=nginx:1.26\n  \
                            kubectl sts rollout web --image nginx=nginx:1.26 --partition 3"
    )]
    Rollout(RolloutArgs),

    /// Roll a new template out to the K highest ordinals only and wait until they are Ready
    #[command(
        after_help = "Examples:\n  kubectl sts canary web --image nginx=nginx:1.26\n  \
                            kubectl sts canary web --image nginx=nginx:1.26 --count 2 -o json"
    )]
    Canary(CanaryArgs),

    /// Lower the partition of a staged rollout and wait for each newly updated pod; on a terminal
    /// without a choice, offers the next pod, half of the rest, or all
    #[command(
        after_help = "Examples:\n  kubectl sts promote web --step 1\n  kubectl sts promote web --partition 2\n  \
                            kubectl sts promote web --full"
    )]
    Promote(PromoteArgs),

    /// Stop a staged rollout: template back to the revision it started from, broken pods on the
    /// aborted revision deleted so they come back, partition restored
    #[command(after_help = "Examples:\n  kubectl sts abort web\n  kubectl sts abort web --dry-run")]
    Abort(AbortArgs),

    /// List the revisions of a StatefulSet with what changed in each (images, env, resources, …)
    #[command(after_help = "Examples:\n  kubectl sts history web\n  kubectl sts history web -o json")]
    History(HistoryArgs),

    /// Go back to an earlier revision (the previous one by default)
    #[command(after_help = "Examples:\n  kubectl sts undo web\n  kubectl sts undo web --to-revision 3")]
    Undo(UndoArgs),

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

    /// Recover members stranded on a dead node: prove the node down (Ready condition, Lease,
    /// taints, volume attachments), then force-delete the pods or fence the node out of
    /// service, and wait until each member is Ready again on a live node
    #[command(
        after_help = "Examples:\n  kubectl sts recover db --dry-run\n  kubectl sts recover db --force-delete\n  \
                            kubectl sts recover db --out-of-service --yes\n\n\
                            Exit codes: 0 recovered (or nothing to recover), 1 refused (a node may be alive, a \
                            finalizer holds a pod) or error, 2 no remedy chosen without a terminal, 3 a replacement \
                            cannot start, 4 timed out, 130 interrupted."
    )]
    Recover(RecoverArgs),

    /// Delete a StatefulSet safely: an ordered teardown (scale to 0 pod by pod, then delete),
    /// or with --orphan only the set, its pods left running and its claims in place
    #[command(
        after_help = "Examples:\n  kubectl sts delete web\n  kubectl sts delete web --orphan\n  \
                            kubectl sts delete web --delete-pvcs --yes\n  kubectl sts delete web --dry-run"
    )]
    Delete(DeleteArgs),

    /// A StatefulSet's claims per ordinal and template (leftovers included) with volumes,
    /// sizes, classes and reclaim policies; prune leftovers; grow a template with `pvc resize`
    #[command(
        after_help = "Examples:\n  kubectl sts pvc web\n  kubectl sts pvc web -o json\n  \
                            kubectl sts pvc web --prune\n  kubectl sts pvc resize web --template www --size 2Gi"
    )]
    Pvc(PvcArgs),

    /// Check every pod's DNS name (`<pod>.<service>.<ns>.svc.<domain>`) and say why one would not
    /// resolve: Service, headless, selector, endpoints, readiness, label lengths, SRV names;
    /// with --resolve, ask the cluster's DNS and compare its answers with the pod IPs
    #[command(
        after_help = "Examples:\n  kubectl sts dns web\n  kubectl sts dns web --resolve\n  \
                            kubectl sts dns web --resolve --nameserver 10.96.0.10:53\n  \
                            kubectl sts dns web --cluster-domain k8s.internal -o json\n\n\
                            Exit codes: 0 every name resolves (or would), 3 a name would not resolve or \
                            answered wrongly (the first is named), 1 error."
    )]
    Dns(DnsArgs),

    /// Print a shell completion script for `kubectl-sts`, generated from these definitions
    #[command(
        hide = true,
        after_help = "Examples:\n  kubectl sts completion bash > ~/.local/share/bash-completion/completions/kubectl-sts\n  \
                            kubectl sts completion zsh > \"${fpath[1]}/_kubectl-sts\""
    )]
    Completion(CompletionArgs),

    /// Write the man pages (roff), one per command, generated from these definitions
    #[command(
        hide = true,
        after_help = "Examples:\n  kubectl sts man /usr/local/share/man/man1\n  kubectl sts man . && man ./kubectl-sts.1"
    )]
    Man(ManArgs),
}

impl Command {
    /// The contexts a read command is asked of (`--contexts`, `--all-contexts`).
    pub fn fleet(&self) -> Option<&FleetArgs> {
        match self {
            Command::List(args) => Some(&args.fleet),
            Command::Status(args) => Some(&args.fleet),
            Command::Why(args) => Some(&args.fleet),
            Command::History(args) => Some(&args.fleet),
            Command::Pvc(args) => Some(&args.fleet),
            Command::Dns(args) => Some(&args.fleet),
            _ => None,
        }
    }
}

/// Many kubeconfig contexts at once: the read commands only (`list`, `status`, `why`,
/// `history`, `pvc`, `dns`), so that no other command's help offers them.
#[derive(Debug, Args, Clone, Default)]
pub struct FleetArgs {
    /// Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT
    /// column) per context
    #[arg(
        long,
        value_name = "CONTEXT,…",
        value_delimiter = ',',
        conflicts_with = "context"
    )]
    pub contexts: Vec<String>,

    /// Ask every context of the kubeconfig at once, as --contexts
    #[arg(long, conflicts_with_all = ["context", "contexts"])]
    pub all_contexts: bool,
}

impl FleetArgs {
    /// Whether a fleet run is asked for.
    pub fn requested(&self) -> bool {
        self.all_contexts || !self.contexts.is_empty()
    }
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// List StatefulSets in every namespace
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// Redraw on every change of the set, its pods or claims, until interrupted or --timeout
    #[arg(short = 'w', long)]
    pub watch: bool,

    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `recover`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("remedy").args(["force_delete", "out_of_service"]))]
pub struct RecoverArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// Delete each stranded pod at once (grace period 0), only while it is the pod proven
    /// stranded (uid); the controller re-creates it on a live node
    #[arg(long)]
    pub force_delete: bool,

    /// Taint each dead node node.kubernetes.io/out-of-service=nodeshutdown:NoExecute: the pod
    /// garbage collector removes its pods and its volumes are detached (remove the taint once
    /// the node is repaired)
    #[arg(long)]
    pub out_of_service: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `why`.
#[derive(Debug, Args)]
pub struct WhyArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// A manifest and what its plan may do (`plan` and `apply`).
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Manifest file (`-` for stdin), multi-document YAML or JSON (repeatable)
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    pub files: Vec<String>,

    /// Plan a changed spec.serviceName (every pod's DNS name changes) as a re-create instead of
    /// refusing it
    #[arg(long)]
    pub allow_service_name_change: bool,

    /// A claim template's class, access modes or volume mode may change when every existing
    /// claim of it is Pending without a volume (it holds no data): those claims and their
    /// Pending pods are deleted and created again from the new template
    #[arg(long)]
    pub replace_pending_claims: bool,
}

/// `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,
}

/// `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,

    /// The field manager of the server-side applies (who owns the fields written)
    #[arg(long, value_name = "NAME", default_value = "kubectl-sts")]
    pub field_manager: String,

    /// Take fields that another server-side applier (Flux, Argo CD, `kubectl apply
    /// --server-side`) set to other values; without it such a conflict is refused
    #[arg(long)]
    pub force_conflicts: bool,

    /// Directory to save each re-created set's manifest in before its --orphan delete
    #[arg(long, value_name = "DIR", default_value = ".", value_hint = ValueHint::DirPath)]
    pub backup_dir: PathBuf,

    /// Gates around each pod the template change rolls: a RollingUpdate set is applied with
    /// its partition held and walked down a batch at a time (--leader refused: stage it and
    /// `promote --full --leader`); an OnDelete set's outdated pods are rolled after the apply
    #[command(flatten)]
    pub gates: GateArgs,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,
}

/// `scale`.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// The number of replicas wanted
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = clap::value_parser!(i32).range(0..=100_000))]
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
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// Replace only these ordinals, in this order (e.g. 2,0); default: every outdated pod,
    /// highest ordinal first
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        allow_negative_numbers = true,
        conflicts_with = "leader",
        value_parser = clap::value_parser!(i32).range(0..)
    )]
    pub ordinals: Option<Vec<i32>>,

    /// Take pods down through the Eviction API, so that PodDisruptionBudgets are honoured
    #[arg(long)]
    pub evict: bool,

    #[command(flatten)]
    pub gates: GateArgs,

    /// Take down only the next pod and return without waiting (re-run to go on)
    #[arg(long, conflicts_with_all = ["pod_check", "after_each", "leader"])]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Checks and hooks around each pod a roll takes down (quorum systems: Ready is not enough).
#[derive(Debug, Args, Clone)]
pub struct GateArgs {
    /// After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no
    /// other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL,
    /// STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS
    #[arg(long, value_name = "CMD")]
    pub pod_check: Option<String>,

    /// Consecutive passes the pod check needs (a flapping signal does not count)
    #[arg(long, value_name = "N", default_value_t = 1, requires = "pod_check", value_parser = clap::value_parser!(u32).range(1..))]
    pub pod_check_passes: u32,

    /// Time between two runs of the pod check
    #[arg(long, value_name = "DURATION", default_value = "5s", requires = "pod_check", value_parser = parse_duration)]
    pub pod_check_interval: Duration,

    /// How long a pod's check may take to pass, all runs together (also the limit of each hook)
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub pod_check_timeout: Duration,

    /// Run CMD before each pod is taken down (a switchover, draining a broker); a failure
    /// stops the roll before that pod is touched. Same environment as --pod-check
    #[arg(long, value_name = "CMD")]
    pub before_each: Option<String>,

    /// Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll
    #[arg(long, value_name = "CMD")]
    pub after_each: Option<String>,

    /// CMD prints the pod that must go last (a name or an ordinal); it is asked again before
    /// each pod, since leadership moves during a roll
    #[arg(long, value_name = "CMD")]
    pub leader: Option<String>,

    /// Take up to N pods down at once, once every other member is Ready (never more than N
    /// not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_unavailable: u32,
}

/// `restart`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// OnDelete sets: take pods down through the Eviction API (PodDisruptionBudgets honoured)
    #[arg(long)]
    pub evict: bool,

    /// Gates around each pod; on a RollingUpdate set they drive it as OnDelete for the
    /// restart (its strategy and partition put back at the end)
    #[command(flatten)]
    pub gates: GateArgs,

    /// Set the annotation and return without waiting for the pods
    #[arg(long, conflicts_with_all = ["pod_check", "before_each", "after_each", "leader"])]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// Delete only the set (propagationPolicy Orphan): its pods keep running, its claims stay
    #[arg(long, conflicts_with = "delete_pvcs")]
    pub orphan: bool,

    /// Also delete the set's claims once it is gone; asks to type the set's name (volumes with
    /// reclaimPolicy Delete lose their data)
    #[arg(long)]
    pub delete_pvcs: bool,

    /// Directory to save the set's manifest in before an --orphan delete
    #[arg(long, value_name = "DIR", default_value = ".", value_hint = ValueHint::DirPath)]
    pub backup_dir: PathBuf,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Start the teardown (scale to 0) or the orphan delete and return without waiting;
    /// re-run to finish
    #[arg(long)]
    pub no_wait: bool,
}

/// `pvc`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct PvcArgs {
    #[command(subcommand)]
    pub action: Option<PvcAction>,

    /// Name of the StatefulSet
    #[arg(required = true, value_parser = parse_name)]
    pub name: Option<String>,

    /// Delete leftover claims (ordinals outside the set) that no pod uses, after confirmation
    #[arg(long)]
    pub prune: bool,

    /// With --prune: print the plan and check it with the server; delete nothing
    #[arg(long, requires = "prune")]
    pub dry_run: bool,

    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// What `pvc` can do besides showing claims.
#[derive(Debug, Subcommand)]
pub enum PvcAction {
    /// Grow a claim template: patch each claim, orphan-delete the set and create it again with
    /// the new size; the pods are adopted without restarts
    #[command(
        after_help = "Examples:\n  kubectl sts pvc resize web --template www --size 2Gi\n  \
                            kubectl sts pvc resize web --template www --size 10Gi --dry-run"
    )]
    Resize(PvcResizeArgs),
}

/// `pvc resize`.
#[derive(Debug, Args)]
pub struct PvcResizeArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// The claim template to grow (a name under spec.volumeClaimTemplates); needed only when the
    /// set has several
    #[arg(long, value_name = "T")]
    pub template: Option<String>,

    /// The new size: a quantity above the current one (e.g. 2Gi, 1.5Ti, 500G)
    #[arg(long, value_name = "SIZE", value_parser = crate::model::storage::quantity::parse)]
    pub size: crate::model::storage::quantity::Quantity,

    /// Directory to save the set's manifest in before it is deleted
    #[arg(long, value_name = "DIR", default_value = ".", value_hint = ValueHint::DirPath)]
    pub backup_dir: PathBuf,

    /// Print the plan and have the server check the claim patches (server-side dry run);
    /// change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `dns`.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// Also query the cluster's DNS for every pod name (A/AAAA), the Service name and its SRV
    /// names, and compare the answers with the pod IPs (by default through a port-forward to a
    /// cluster DNS pod in kube-system: nothing is created)
    #[arg(long)]
    pub resolve: bool,

    /// With --resolve: ask this DNS server directly (HOST:PORT, port 53 if left out) instead of
    /// going through the API server
    #[arg(long, value_name = "HOST:PORT", requires = "resolve", value_parser = parse_nameserver)]
    pub nameserver: Option<String>,

    /// The cluster's DNS domain; with --resolve it is checked against the server's answers
    #[arg(long, value_name = "DOMAIN", default_value = "cluster.local")]
    pub cluster_domain: String,

    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `rollout`.
#[derive(Debug, Args)]
pub struct RolloutArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// New image of a container or init container, as CONTAINER=IMAGE (repeatable)
    #[arg(long, value_name = "CONTAINER=IMAGE", required = true, value_parser = parse_image)]
    pub image: Vec<NewImage>,

    /// Ordinals from start + P move now (default: the replica count: nothing moves until promoted)
    #[arg(long, value_name = "P", allow_negative_numbers = true, value_parser = clap::value_parser!(i32).range(0..))]
    pub partition: Option<i32>,

    /// Progressive rollout: after each step that many pods run the new template, as counts or percentages of the replicas (rounded up, increasing), highest ordinals first, e.g. 1,25%,50%,100%
    #[arg(long, value_name = "LIST", value_parser = parse_steps, conflicts_with_all = ["partition", "no_wait"])]
    pub steps: Option<StepList>,

    /// With --steps: how long each step bakes (its pods watched) before the next, e.g. 30s, 5m
    #[arg(long, value_name = "DURATION", requires = "steps", default_value = "0", value_parser = parse_duration)]
    pub pause: Duration,

    /// With --steps: a command run through `sh -c` after each step (its exit code decides); it gets STS_NAMESPACE, STS_NAME, STS_STEP, STS_STEPS, STS_PARTITION, STS_UPDATE_REVISION, STS_UPDATED_PODS and STS_UPDATED_FQDNS
    #[arg(long, value_name = "CMD", requires = "steps")]
    pub check: Option<String>,

    /// With --check: how long the check may run before it counts as failed
    #[arg(long, value_name = "DURATION", requires = "check", default_value = "5m", value_parser = parse_duration)]
    pub check_timeout: Duration,

    /// With --steps: a failed step stops where it is instead of aborting the rollout
    #[arg(long, requires = "steps")]
    pub no_auto_abort: bool,

    /// With --steps: gates around each pod of each step; on a RollingUpdate set the partition
    /// is lowered a batch of pods at a time (the set stays RollingUpdate), and `--leader` is
    /// refused (partitions move the highest ordinals first)
    #[command(flatten)]
    pub gates: GateArgs,

    /// Stage and return without waiting for the pods that move
    #[arg(long)]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `canary`.
#[derive(Debug, Args)]
pub struct CanaryArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// New image of a container or init container, as CONTAINER=IMAGE (repeatable)
    #[arg(long, value_name = "CONTAINER=IMAGE", required = true, value_parser = parse_image)]
    pub image: Vec<NewImage>,

    /// How many of the highest ordinals become canaries
    #[arg(long, value_name = "K", allow_negative_numbers = true, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..))]
    pub count: i32,

    /// Stage and return without waiting for the canaries
    #[arg(long)]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `promote`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("how_far").args(["step", "partition", "full"]))]
pub struct PromoteArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// Lower the partition by K (K more pods move)
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = clap::value_parser!(i32).range(1..))]
    pub step: Option<i32>,

    /// Set the partition to P (never above the current one)
    #[arg(long, value_name = "P", allow_negative_numbers = true, value_parser = clap::value_parser!(i32).range(0..))]
    pub partition: Option<i32>,

    /// Move every pod (partition 0): finish the rollout
    #[arg(long)]
    pub full: bool,

    /// Gates around each pod that moves; on a RollingUpdate set they drive it as OnDelete for
    /// the promotion (its strategy put back at the new partition at the end)
    #[command(flatten)]
    pub gates: GateArgs,

    /// Lower the partition and return without waiting
    #[arg(long, conflicts_with_all = ["pod_check", "before_each", "after_each", "leader"])]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `abort`.
#[derive(Debug, Args)]
pub struct AbortArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// Restore the template, delete the stuck pods and return without waiting
    #[arg(long)]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `undo`.
#[derive(Debug, Args)]
pub struct UndoArgs {
    /// Name of the StatefulSet
    #[arg(value_parser = parse_name)]
    pub name: String,

    /// The revision number to go back to (see `kubectl sts history`); default: the previous one
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..))]
    pub to_revision: Option<i64>,

    /// Restore the template and return without waiting
    #[arg(long)]
    pub no_wait: bool,

    /// Print the plan and check it with the server (server-side dry run); change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `completion`.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to print the completion script of
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write kubectl-sts.1, kubectl-sts-status.1, … into (created if missing)
    #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: PathBuf,
}

/// Shells `completion` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// Parses `CONTAINER=IMAGE`.
fn parse_image(text: &str) -> Result<NewImage, String> {
    match text.split_once('=') {
        Some((_, image)) if !image.trim().is_empty() && !valid_image_reference(image.trim()) => Err(format!(
            "{:?} is not a valid image reference (expected e.g. registry.example.com/team/app:1.2.3)",
            image.trim()
        )),
        Some((container, image)) if !container.trim().is_empty() && !image.trim().is_empty() => {
            Ok(NewImage {
                container: container.trim().to_string(),
                image: image.trim().to_string(),
            })
        }
        _ => Err(format!(
            "expected CONTAINER=IMAGE (e.g. nginx=nginx:1.26), got {text:?}"
        )),
    }
}

/// Parses `HOST:PORT`, `[IPv6]:PORT` or a bare host (port 53).
fn parse_nameserver(text: &str) -> Result<String, String> {
    let text = text.trim();
    let bare_v6 = text.parse::<std::net::Ipv6Addr>().is_ok();
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) if !bare_v6 => (host, port),
        _ => {
            return Ok(if bare_v6 {
                format!("[{text}]:53")
            } else {
                format!("{text}:53")
            });
        }
    };
    match port.parse::<u16>() {
        Ok(port) if port > 0 && !host.is_empty() => Ok(format!("{host}:{port}")),
        _ => Err(format!("expected HOST:PORT (e.g. 10.96.0.10:53), got {text:?}")),
    }
}

/// Checks a StatefulSet name the way the API server validates one (a DNS-1123 subdomain:
/// lower-case letters, digits, `-` and `.`, starting and ending alphanumeric, at most 253
/// characters), so that a malformed name never reaches a request path.
fn parse_name(text: &str) -> Result<String, String> {
    let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if text.is_empty() {
        return Err("a StatefulSet name cannot be empty".into());
    }
    if text.len() > 253 {
        return Err(format!(
            "a StatefulSet name has at most 253 characters (this one has {})",
            text.len()
        ));
    }
    if !text.chars().all(valid_char) || !edge_ok(text.chars().next()) || !edge_ok(text.chars().last()) {
        return Err(format!(
            "{text:?} is not a valid StatefulSet name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
        ));
    }
    Ok(text.to_string())
}

/// Checks a namespace name (a DNS-1123 label: at most 63 characters).
fn parse_namespace(text: &str) -> Result<String, String> {
    let name = parse_name(text).map_err(|e| e.replace("StatefulSet name", "namespace"))?;
    if name.len() > 63 || name.contains('.') {
        return Err(format!(
            "{text:?} is not a valid namespace: at most 63 lower-case letters, digits and '-'"
        ));
    }
    Ok(name)
}

/// Parses `--steps 1,25%,50%,100%`.
fn parse_steps(text: &str) -> Result<StepList, String> {
    crate::model::rollout::progressive::parse_steps(text).map(StepList)
}

/// Parses `30s`, `5m`, `1h30m`, or a bare `0`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    if text.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(text.trim()).map_err(|e| format!("{e} (expected e.g. 30s, 5m, 1h)"))
}
