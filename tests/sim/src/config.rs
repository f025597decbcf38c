//! Settings of a simulated cluster: timings of kubelets and controllers, nodes, users.

use std::time::Duration;

/// How long the simulated cluster takes for what a real one does in its own time.
#[derive(Debug, Clone)]
pub struct Timings {
    /// From pod creation to being bound to a node and started.
    pub schedule: Duration,
    /// From container start to Ready (traces: about 0.5 s).
    pub ready: Duration,
    /// From container start to Ready for images containing `slow`.
    pub slow_ready: Duration,
    /// From deletionTimestamp to the kubelet confirming the pod is gone (traces: about 0.3 s).
    pub terminate: Duration,
    /// Between restarts of a crash-looping (`broken`) container.
    pub crash_restart: Duration,
    /// From container start to the one restart of a `flaky` container (Ready before and
    /// again `ready` after it).
    pub flaky_restart: Duration,
    /// From claim creation to being bound to a volume.
    pub pv_bind: Duration,
}

impl Timings {
    /// As observed on a real control plane (the traces).
    pub fn real_like() -> Self {
        Timings {
            schedule: Duration::from_millis(50),
            ready: Duration::from_millis(500),
            slow_ready: Duration::from_secs(6),
            terminate: Duration::from_millis(300),
            crash_restart: Duration::from_secs(2),
            flaky_restart: Duration::from_secs(8),
            pv_bind: Duration::from_millis(100),
        }
    }

    /// Short, for tests: the same order of events, a fraction of the time.
    pub fn fast() -> Self {
        Timings {
            schedule: Duration::from_millis(5),
            ready: Duration::from_millis(60),
            slow_ready: Duration::from_millis(900),
            terminate: Duration::from_millis(40),
            crash_restart: Duration::from_millis(300),
            flaky_restart: Duration::from_secs(2),
            pv_bind: Duration::from_millis(10),
        }
    }
}

/// A simulated cluster's settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub timings: Timings,
    /// Node names pods are scheduled onto, round-robin.
    pub nodes: Vec<String>,
    /// Port to listen on (0: any free port).
    pub port: u16,
    /// Events kept for resuming watches (older resourceVersions get 410 Expired).
    pub history: usize,
    /// Live events a watch may fall behind its reader before it ends with 410 Expired.
    pub watch_buffer: usize,
    /// Serve HTTPS (a built-in loopback certificate the kubeconfig trusts) instead of HTTP:
    /// kubectl sends tokens only over TLS.
    pub tls: bool,
    /// Cluster DNS (CoreDNS pods in kube-system and a server on loopback); `None`: no DNS.
    pub dns: Option<crate::dns::DnsConfig>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            timings: Timings::real_like(),
            nodes: vec!["node-1".into(), "node-2".into(), "node-3".into()],
            port: 0,
            history: crate::store::DEFAULT_HISTORY,
            watch_buffer: crate::store::DEFAULT_WATCH_BUFFER,
            tls: false,
            dns: None,
        }
    }
}

impl SimConfig {
    /// Defaults with test timings.
    pub fn fast() -> Self {
        SimConfig {
            timings: Timings::fast(),
            ..Self::default()
        }
    }
}
