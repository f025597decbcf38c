//! The `sts-sim` binary: start a simulated cluster by hand, write its kubeconfig, apply
//! manifests, run until interrupted. Parsing and wiring only; the cluster lives in the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::{Parser, ValueEnum};
use serde_json::json;
use sts_sim::{Fault, Sim, SimConfig, Timings, resources};

/// A simulated Kubernetes control plane (API server, StatefulSet controller, garbage
/// collector, EndpointSlices, kubelets) on loopback, for trying kubectl-sts or kubectl.
#[derive(Debug, Parser)]
#[command(name = "sts-sim", version)]
struct Args {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Write the kubeconfig here (otherwise it is printed on stdout).
    #[arg(long, value_name = "PATH")]
    kubeconfig_out: Option<PathBuf>,
    /// Create the objects of this (multi-document) YAML file; repeatable.
    #[arg(long, value_name = "FILE")]
    apply: Vec<PathBuf>,
    /// Namespace for applied objects that do not name one (created if missing).
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// How long the cluster takes: `real` (as observed on a real control plane) or `fast`.
    #[arg(long, value_enum, default_value_t = Speed::Real)]
    timings: Speed,
    /// Override: milliseconds from container start to Ready.
    #[arg(long, value_name = "MS")]
    ready_ms: Option<u64>,
    /// Override: milliseconds from deletion to a Terminating pod being gone.
    #[arg(long, value_name = "MS")]
    terminate_ms: Option<u64>,
    /// Serve plain HTTP instead of HTTPS (by default HTTPS, with a built-in loopback
    /// certificate the kubeconfig trusts: kubectl sends its token only over TLS)
    #[arg(long)]
    plain_http: bool,
    /// Delay every answer by this many milliseconds.
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
    /// Inject a fault, as the body of `POST /sim/faults` (JSON, `afterMs` delays it); repeatable.
    /// E.g. '{"fault":"conflict","count":2,"resource":"statefulsets"}',
    /// '{"fault":"error","code":429,"ms":5000,"retryAfter":1}', '{"fault":"close","count":1}',
    /// '{"fault":"drop-watches","afterMs":10000}', '{"fault":"restart","pauseMs":500,"afterMs":10000}'.
    #[arg(long, value_name = "JSON", value_parser = parse_fault)]
    fault: Vec<(Fault, Option<u64>)>,
    /// Run no cluster DNS (by default CoreDNS pods in kube-system answer on a loopback port).
    #[arg(long)]
    no_dns: bool,
    /// The cluster domain DNS names end in.
    #[arg(long, value_name = "DOMAIN", default_value = "cluster.local")]
    cluster_domain: String,
    /// Milliseconds a change of a Service or EndpointSlice takes to show in DNS answers.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    dns_delay_ms: u64,
    /// Port of the DNS server on 127.0.0.1, UDP and TCP (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    dns_port: u16,
}

/// A `--fault` value: the fault and its `afterMs`.
fn parse_fault(text: &str) -> Result<(Fault, Option<u64>), String> {
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let after = value
        .as_object_mut()
        .and_then(|o| o.remove("afterMs"))
        .and_then(|v| v.as_u64());
    let fault: Fault = serde_json::from_value(value).map_err(|e| e.to_string())?;
    fault.validate()?;
    Ok((fault, after))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Speed {
    Real,
    Fast,
}

impl Args {
    fn config(&self) -> SimConfig {
        let mut timings = match self.timings {
            Speed::Real => Timings::real_like(),
            Speed::Fast => Timings::fast(),
        };
        if let Some(ms) = self.ready_ms {
            timings.ready = Duration::from_millis(ms);
        }
        if let Some(ms) = self.terminate_ms {
            timings.terminate = Duration::from_millis(ms);
        }
        SimConfig {
            timings,
            port: self.port,
            tls: !self.plain_http,
            dns: (!self.no_dns).then(|| sts_sim::dns::DnsConfig {
                cluster_domain: self.cluster_domain.clone(),
                propagation_delay: Duration::from_millis(self.dns_delay_ms),
                port: self.dns_port,
            }),
            ..SimConfig::default()
        }
    }
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sts-sim: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let sim = Sim::start(args.config())?;
    ensure_namespace(&sim, &args.namespace)?;
    for file in &args.apply {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        let created = sim
            .apply_yaml(&args.namespace, &text)
            .with_context(|| format!("cannot apply {}", file.display()))?;
        eprintln!(
            "sts-sim: applied {} object(s) from {}",
            created.len(),
            file.display()
        );
    }
    match &args.kubeconfig_out {
        Some(path) => {
            sim.write_kubeconfig(path)?;
            eprintln!("sts-sim: kubeconfig written to {}", path.display());
        }
        None => print!("{}", sim.kubeconfig()),
    }
    eprintln!("sts-sim listening on {}", sim.url());
    if let Some(dns) = sim.dns_addr() {
        eprintln!(
            "sts-sim: cluster DNS ({}) on {dns}, UDP and TCP",
            args.cluster_domain
        );
    }
    inject_faults(&sim, &args)?;
    if args.plain_http {
        eprintln!(
            "sts-sim: kubectl sends no token over plain HTTP; start without --plain-http to use kubectl"
        );
    }
    wait_for_signal()?;
    eprintln!("sts-sim: stopping");
    Ok(())
}

/// Injects the faults of the flags, and says how to inject more by hand.
fn inject_faults(sim: &Sim, args: &Args) -> Result<()> {
    if let Some(ms) = args.latency_ms {
        sim.faults().set_latency(Duration::from_millis(ms));
    }
    for (fault, after) in &args.fault {
        let (faults, fault) = (sim.faults().clone(), fault.clone());
        match after {
            None => faults.inject(fault).map_err(|e| anyhow!(e))?,
            Some(ms) => {
                let delay = Duration::from_millis(*ms);
                std::thread::spawn(move || {
                    std::thread::sleep(delay);
                    let _ = faults.inject(fault);
                });
            }
        }
    }
    let insecure = if args.plain_http { "" } else { " -k" };
    eprintln!(
        "sts-sim: inject faults with: curl{insecure} -H 'Authorization: Bearer {}' {}{} -d '{{\"fault\":\"drop-watches\"}}'",
        sts_sim::sim::ADMIN_TOKEN,
        sim.url(),
        sts_sim::server::FAULTS_PATH
    );
    Ok(())
}

/// Creates the namespace applied objects go to, unless it exists.
fn ensure_namespace(sim: &Sim, name: &str) -> Result<()> {
    if sim.store.try_get(&resources::NAMESPACES, "", name).is_none() {
        sim.store
            .create(
                &resources::NAMESPACES,
                "",
                json!({"metadata": {"name": name}}),
                false,
            )
            .map_err(|e| anyhow!("cannot create namespace {name}: {e}"))?;
    }
    Ok(())
}

/// Blocks until SIGINT or SIGTERM.
fn wait_for_signal() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        #[cfg(unix)]
        {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r,
                _ = term.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_flags_read_the_admin_body_with_its_delay() {
        let (fault, after) = parse_fault(r#"{"fault":"restart","pauseMs":300,"afterMs":5000}"#).unwrap();
        assert_eq!((fault, after), (Fault::Restart { pause_ms: 300 }, Some(5000)));
        assert!(
            parse_fault(r#"{"fault":"error","code":500}"#).is_err(),
            "needs count or ms"
        );
        let args = Args::try_parse_from([
            "sts-sim",
            "--latency-ms",
            "20",
            "--fault",
            r#"{"fault":"close","count":2}"#,
        ])
        .unwrap();
        assert_eq!(args.fault, [(Fault::close(2), None)]);
    }
}
