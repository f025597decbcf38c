//! Everything a command needs from its surroundings, built once: the kube Client from
//! kubeconfig / context / namespace flags (as kubectl resolves them), the output format, and
//! the prompt policy. Commands never read flags or the environment themselves.

use std::future::Future;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::auth::Credentials;
use crate::cli::{GlobalArgs, OutputFormat};
use crate::error::{ApiCall, Target, describe_kube_error, unreachable_server};
use crate::model::set::scope::Scope;
use crate::proxy::Proxy;
use crate::retry::{Backoff, REFUSED_WINDOW, Transience, transience};

/// A command's view of the world.
#[derive(Clone)]
pub struct Context {
    pub client: Client,
    /// The namespace commands act in (flag, else context, else `default`).
    pub namespace: String,
    /// `-n` was given: a manifest naming another namespace is refused rather than followed.
    pub namespace_given: bool,
    /// Server, context and user, for error messages.
    pub target: Target,
    /// `table` for `-o wide`.
    pub output: OutputFormat,
    /// `-o wide`: plans and progress list every pod, however many.
    pub wide: bool,
    /// `--yes`: confirmations are answered yes.
    pub assume_yes: bool,
    /// `--timeout`: the deadline of waits.
    pub timeout: Duration,
    request_timeout: Option<Duration>,
    /// When the command must be done: transient server errors are retried until then.
    deadline: tokio::time::Instant,
    /// stdin and stderr are terminals: prompts and live progress are possible.
    pub interactive: bool,
    /// Where results go: stdout, or a buffer of its own when many contexts answer at once.
    sink: Option<Sink>,
    /// `--context` and `--kubeconfig` as given: printed next commands repeat them.
    context_flag: Option<String>,
    kubeconfig_flag: Option<String>,
}

/// The buffer one context's results are written to in a fleet run.
pub type Sink = std::sync::Arc<std::sync::Mutex<Vec<u8>>>;

/// Writes into a `Sink`.
struct SinkWriter(Sink);

impl std::io::Write for SinkWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("sink").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Context {
    /// Resolves the cluster and policies from the global flags.
    pub async fn new(global: &GlobalArgs) -> Result<Context> {
        Self::from_kubeconfig(global, kubeconfig_of(global)?).await
    }

    /// As `new`, from a kubeconfig read already (`None`: in-cluster): a fleet reads it once
    /// for all its contexts.
    pub async fn from_kubeconfig(global: &GlobalArgs, kubeconfig: Option<Kubeconfig>) -> Result<Context> {
        let Loaded {
            mut config,
            mut target,
            proxy,
        } = load_config(global, kubeconfig).await?;
        let request_timeout = Some(global.request_timeout).filter(|t| !t.is_zero());
        if let Some(limit) = request_timeout {
            config.connect_timeout = Some(limit);
        }
        // kube's own retry layer retries every 429 for up to minutes, eviction refusals by a
        // PodDisruptionBudget included; commands decide themselves what to retry and until when.
        config.default_retry = false;
        // kube's proxy (its kubeconfig `proxy-url` or `HTTPS_PROXY`) is replaced by `proxy`.
        config.proxy_url = None;
        if let Some(user) = &global.as_user {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !global.as_group.is_empty() {
            config.auth_info.impersonate_groups = Some(global.as_group.clone());
        }
        let namespace = global
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let files = kubeconfig_files(global);
        let credentials =
            Credentials::take(&mut config, &target.entry, global.token.as_deref(), &files).await?;
        target.credential = credentials.describe();
        let client = crate::connect::client(config, proxy.as_ref(), credentials)
            .map_err(|e| unreachable_server(&e, &target))?;
        Ok(Context {
            client,
            namespace,
            namespace_given: global.namespace.is_some(),
            target,
            output: match global.output {
                OutputFormat::Wide => OutputFormat::Table,
                format => format,
            },
            wide: global.output == OutputFormat::Wide,
            assume_yes: global.yes,
            timeout: global.timeout,
            request_timeout,
            deadline: tokio::time::Instant::now() + global.timeout,
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            sink: None,
            context_flag: global.context.clone(),
            kubeconfig_flag: global.kubeconfig.as_ref().map(|p| p.display().to_string()),
        })
    }

    /// The global flags a printed next command repeats to reach the same set: the namespace
    /// acted in, and `--context` / `--kubeconfig` when they were given.
    pub fn scope(&self) -> Scope {
        Scope {
            namespace: self.namespace.clone(),
            context: self.context_flag.clone(),
            kubeconfig: self.kubeconfig_flag.clone(),
        }
    }

    /// `kubectl sts ARGS -n NS [--context C] [--kubeconfig K]`: a next command that pastes.
    pub fn sts(&self, args: &str) -> String {
        self.scope().sts(args)
    }

    /// A whole command as a record stores it (`kubectl sts restart web`), completed with the
    /// flags that reach the set: what to print.
    pub fn complete(&self, command: &str) -> String {
        self.scope().complete(command)
    }

    /// The same cluster and policies, acting in `namespace` (a manifest's own).
    pub fn in_namespace(&self, namespace: &str) -> Context {
        Context {
            namespace: namespace.to_string(),
            ..self.clone()
        }
    }

    /// This context's results go to `sink` (and prompts are off): one of many contexts.
    pub fn with_sink(mut self, sink: Sink) -> Context {
        self.sink = Some(sink);
        self.interactive = false;
        self
    }

    /// Where results are written: stdout, or this context's buffer in a fleet run.
    pub fn stdout(&self) -> Box<dyn std::io::Write + '_> {
        match &self.sink {
            Some(sink) => Box::new(SinkWriter(sink.clone())),
            None => Box::new(std::io::stdout().lock()),
        }
    }

    /// Runs one API request under `--request-timeout`, wording its failure for a person.
    pub async fn call<T, F, Fut>(&self, call: ApiCall<'_>, request: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let outcome = self.answer(call, request).await?;
        outcome.map_err(|e| describe_kube_error(&e, call, &self.target))
    }

    /// Runs one API request under `--request-timeout`, retrying transient failures (see
    /// `retry`); the outer error is an unreachable server, the inner one the API's answer, for
    /// callers that branch on its code (404, 409, 429).
    pub async fn answer<T, F, Fut>(&self, call: ApiCall<'_>, request: F) -> Result<Result<T, kube::Error>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let mut backoff = Backoff::default();
        let mut resent = false;
        loop {
            let (failure, transience) = match self.attempt(request()).await {
                Ok(Ok(value)) => return Ok(Ok(value)),
                Ok(Err(err)) => {
                    let transience = transience(&err, call.verb == "evict");
                    // A read that met a reset or EOF (a pooled connection the server or a load
                    // balancer closed) is sent again at once on a new connection, quietly, once.
                    if transience == Transience::Unreachable && call.is_read() && !resent {
                        resent = true;
                        continue;
                    }
                    (Ok(Err(err)), transience)
                }
                Err(no_answer) => (Err(no_answer), Transience::Unreachable),
            };
            let deadline = match transience {
                Transience::Permanent => return failure.map_err(|e| self.no_answer(call, e)),
                Transience::ServerSide => self.deadline,
                Transience::Unreachable => self
                    .request_timeout
                    .map_or(self.deadline, |t| backoff.started() + t),
                Transience::Refused => backoff.started() + REFUSED_WINDOW,
            };
            let Some(pause) = backoff.next(deadline) else {
                return failure.map_err(|e| self.no_answer(call, e));
            };
            if backoff.attempts == 2 && transience != Transience::Refused {
                let what = match &failure {
                    Ok(Err(err)) => err.to_string(),
                    _ => "no answer".to_string(),
                };
                eprintln!("{} {} failed ({what}); retrying", call.verb, call.resource);
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// One try under the request timeout; `Err` when no answer came in time.
    async fn attempt<T>(
        &self,
        request: impl Future<Output = Result<T, kube::Error>>,
    ) -> Result<Result<T, kube::Error>, Duration> {
        match self.request_timeout {
            Some(limit) => tokio::time::timeout(limit, request).await.map_err(|_| limit),
            None => Ok(request.await),
        }
    }

    fn no_answer(&self, call: ApiCall<'_>, waited: Duration) -> anyhow::Error {
        anyhow!(
            "cannot reach the cluster at {} (context {:?}): no answer to {} {} within {}",
            self.target.server,
            self.target.context,
            call.verb,
            call.resource,
            humantime::format_duration(waited)
        )
    }
}

/// The kubeconfig the flags name: `--kubeconfig`, else `KUBECONFIG` / ~/.kube/config; `None`
/// when there is none (in a pod: the service account is used).
pub fn kubeconfig_of(global: &GlobalArgs) -> Result<Option<Kubeconfig>> {
    match &global.kubeconfig {
        Some(path) => Ok(Some(read_kubeconfig(path)?)),
        None => read_default_kubeconfig(),
    }
}

/// Loads the kube Config for the flags from `kubeconfig`, else the in-cluster service
/// account; with `--server` and `--insecure-skip-tls-verify` applied, and the proxy chosen.
async fn load_config(global: &GlobalArgs, kubeconfig: Option<Kubeconfig>) -> Result<Loaded> {
    let Some(mut kubeconfig) = kubeconfig else {
        return in_cluster(global);
    };
    let context = choose_context(&kubeconfig, global.context.as_deref())?;
    let (cluster, entry) = context_entries(&kubeconfig, &context);
    if let Some(path) = &global.certificate_authority {
        let named = kubeconfig.clusters.iter_mut().find(|c| c.name == cluster);
        if let Some(cluster) = named.and_then(|c| c.cluster.as_mut()) {
            cluster.certificate_authority = Some(path.display().to_string());
            cluster.certificate_authority_data = None;
        }
    }
    let proxy_url = kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == cluster)
        .and_then(|c| c.cluster.as_ref()?.proxy_url.clone());
    let options = KubeConfigOptions {
        context: Some(context.clone()),
        ..Default::default()
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .with_context(|| format!("cannot use context {context:?} of the kubeconfig"))?;
    override_server(global, &mut config)?;
    let proxy = crate::proxy::choose(&cluster, proxy_url.as_deref(), &config.cluster_url)?;
    Ok(Loaded {
        target: target(global, &config, context, entry, proxy.as_ref()),
        config,
        proxy,
    })
}

/// A loaded Config, whom it names, and the proxy to its server.
struct Loaded {
    config: Config,
    target: Target,
    proxy: Option<Proxy>,
}

/// The in-cluster service account (no kubeconfig: in a pod).
fn in_cluster(global: &GlobalArgs) -> Result<Loaded> {
    if global.context.is_some() {
        return Err(anyhow!(
            "no kubeconfig found, so --context cannot be used; set KUBECONFIG or pass --kubeconfig"
        ));
    }
    if global.certificate_authority.is_some() {
        return Err(anyhow!(
            "no kubeconfig found: --certificate-authority goes with a kubeconfig's cluster; set KUBECONFIG or pass --kubeconfig"
        ));
    }
    let mut config = Config::incluster().map_err(|_| {
        anyhow!("no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config")
    })?;
    override_server(global, &mut config)?;
    let proxy = crate::proxy::choose("in-cluster", None, &config.cluster_url)?;
    let entry = "service account".to_string();
    Ok(Loaded {
        target: target(global, &config, "in-cluster".into(), entry, proxy.as_ref()),
        config,
        proxy,
    })
}

/// `--server` and `--insecure-skip-tls-verify` (which drops the CA, as kubectl does, and
/// says on stderr, once, what it gives up).
fn override_server(global: &GlobalArgs, config: &mut Config) -> Result<()> {
    if let Some(server) = &global.server {
        config.cluster_url = server
            .parse::<http::Uri>()
            .ok()
            .filter(|uri| uri.host().is_some())
            .ok_or_else(|| anyhow!("--server {server:?} is not a URL such as https://HOST:6443"))?;
    }
    if global.insecure_skip_tls_verify {
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| {
            eprintln!(
                "warning: --insecure-skip-tls-verify: the server's certificate is not verified, so anyone on the way can read and change what is sent"
            );
        });
        config.accept_invalid_certs = true;
        (config.root_cert, config.root_cert_file) = (None, None);
    }
    Ok(())
}

fn target(
    global: &GlobalArgs,
    config: &Config,
    context: String,
    entry: String,
    proxy: Option<&Proxy>,
) -> Target {
    Target {
        server: config.cluster_url.to_string(),
        context,
        user: global.as_user.clone().unwrap_or_else(|| entry.clone()),
        entry,
        credential: String::new(),
        proxy: proxy.map(|p| p.uri().to_string()),
    }
}

fn read_kubeconfig(path: &Path) -> Result<Kubeconfig> {
    if !path.exists() {
        return Err(anyhow!(
            "kubeconfig {} does not exist; check --kubeconfig",
            path.display()
        ));
    }
    Kubeconfig::read_from(path).with_context(|| format!("cannot read kubeconfig {}", path.display()))
}

/// The kubeconfig files read, in the order they merge: `--kubeconfig`, else those of
/// `KUBECONFIG`, else ~/.kube/config.
fn kubeconfig_files(global: &GlobalArgs) -> Vec<PathBuf> {
    if let Some(path) = &global.kubeconfig {
        return vec![path.clone()];
    }
    match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(paths) => std::env::split_paths(&paths).collect(),
        None => home_kubeconfig().into_iter().collect(),
    }
}

/// ~/.kube/config.
fn home_kubeconfig() -> Option<PathBuf> {
    std::env::home_dir().map(|home| home.join(".kube").join("config"))
}

/// `KUBECONFIG` (several files merged) or ~/.kube/config; `None` when neither exists.
fn read_default_kubeconfig() -> Result<Option<Kubeconfig>> {
    if let Some(paths) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let missing: Vec<PathBuf> = std::env::split_paths(&paths).filter(|p| !p.exists()).collect();
        if missing.len() == std::env::split_paths(&paths).count() {
            return Err(anyhow!(
                "KUBECONFIG names no existing file ({})",
                paths.to_string_lossy()
            ));
        }
        return Kubeconfig::from_env().context("cannot read the kubeconfig files named by KUBECONFIG");
    }
    match home_kubeconfig().filter(|p| p.exists()) {
        Some(path) => read_kubeconfig(&path).map(Some),
        None => Ok(None),
    }
}

/// The context to use: the flag (which must exist) or the current one.
fn choose_context(kubeconfig: &Kubeconfig, wanted: Option<&str>) -> Result<String> {
    let names: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
    match wanted.or(kubeconfig.current_context.as_deref()) {
        Some(name) if names.contains(&name) => Ok(name.to_string()),
        Some(name) => Err(anyhow!(
            "context {name:?} not found in the kubeconfig (available: {}); check --context",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )),
        None => Err(anyhow!(
            "the kubeconfig has no current context; pass --context (available: {})",
            names.join(", ")
        )),
    }
}

/// The names of the context's cluster and user entries.
fn context_entries(kubeconfig: &Kubeconfig, context: &str) -> (String, String) {
    let named = kubeconfig.contexts.iter().find(|c| c.name == context);
    let entry = named.and_then(|c| c.context.as_ref());
    (
        entry.map(|c| c.cluster.clone()).unwrap_or_default(),
        entry.and_then(|c| c.user.clone()).unwrap_or_default(),
    )
}
