//! The simulated cluster's DNS (what CoreDNS is in a real one): a server on loopback, over UDP
//! and TCP on one port, answering from a lagging copy of the store's Services and
//! EndpointSlices (`view`) by CoreDNS's rules (`answer`), and the kube-system objects that make
//! it findable as a cluster addon (`cluster`): CoreDNS pods labelled `k8s-app=kube-dns`, whose
//! port 53 is this server, and the `kube-dns` Service.

pub mod answer;
pub mod cluster;
mod serve;
pub mod view;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::network::PodNetwork;
use crate::store::Store;

/// Settings of the cluster DNS.
#[derive(Debug, Clone)]
pub struct DnsConfig {
    /// The cluster domain names end in (`cluster.local` on most clusters).
    pub cluster_domain: String,
    /// How long a change of a Service or EndpointSlice takes to show in answers (CoreDNS's
    /// informer and cache lag).
    pub propagation_delay: Duration,
    /// Port on 127.0.0.1 for both UDP and TCP (0: any free port).
    pub port: u16,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            cluster_domain: "cluster.local".into(),
            propagation_delay: Duration::ZERO,
            port: 0,
        }
    }
}

/// The server's sockets, bound before the runtime that serves them starts.
pub struct Listeners {
    udp: std::net::UdpSocket,
    tcp: std::net::TcpListener,
}

impl Listeners {
    /// Binds UDP and TCP on the same loopback port (`port`, or any port free for both).
    pub fn bind(port: u16) -> Result<Listeners> {
        for _ in 0..20 {
            let tcp = std::net::TcpListener::bind(("127.0.0.1", port))
                .with_context(|| format!("cannot listen on 127.0.0.1:{port} (TCP) for DNS"))?;
            let bound = tcp.local_addr()?.port();
            match std::net::UdpSocket::bind(("127.0.0.1", bound)) {
                Ok(udp) => {
                    tcp.set_nonblocking(true)?;
                    udp.set_nonblocking(true)?;
                    return Ok(Listeners { udp, tcp });
                }
                Err(e) if port != 0 => {
                    return Err(e)
                        .with_context(|| format!("cannot listen on 127.0.0.1:{port} (UDP) for DNS"));
                }
                Err(_) => continue,
            }
        }
        anyhow::bail!("found no loopback port free for both UDP and TCP for DNS")
    }

    /// The address both listen on.
    pub fn addr(&self) -> SocketAddr {
        self.tcp.local_addr().expect("bound listener")
    }
}

/// The cluster's DNS, as the simulator keeps it: its address and how far it has caught up.
pub struct Dns {
    pub addr: SocketAddr,
    view: Arc<view::View>,
    store: Arc<Store>,
}

impl Dns {
    /// Whether every change of the store so far shows in the answers.
    pub fn caught_up(&self) -> bool {
        self.view.applied_rv() >= self.store.current_rv()
    }
}

/// What is left to start on the cluster's runtime.
pub struct Starting {
    listeners: Listeners,
    view: Arc<view::View>,
    follower: view::Follower,
    domain: String,
}

/// Binds the server, installs the addon's objects in `store` and routes its pods' port 53;
/// the server answers once `Starting::spawn` runs on the cluster's runtime.
pub fn prepare(store: &Arc<Store>, net: &PodNetwork, config: &DnsConfig) -> Result<(Dns, Starting)> {
    let listeners = Listeners::bind(config.port)?;
    let addr = listeners.addr();
    cluster::install(store, net, addr)?;
    let (view, follower) = view::start(store.clone(), config.propagation_delay);
    let dns = Dns {
        addr,
        view: view.clone(),
        store: store.clone(),
    };
    let starting = Starting {
        listeners,
        view,
        follower,
        domain: config.cluster_domain.trim_end_matches('.').to_ascii_lowercase(),
    };
    Ok((dns, starting))
}

impl Starting {
    /// Serves DNS on the current tokio runtime.
    pub fn spawn(self) {
        self.follower.spawn();
        let addr = self.listeners.addr();
        let (udp, tcp) = match (
            tokio::net::UdpSocket::from_std(self.listeners.udp),
            tokio::net::TcpListener::from_std(self.listeners.tcp),
        ) {
            (Ok(udp), Ok(tcp)) => (udp, tcp),
            _ => {
                eprintln!("sts-sim: cannot serve DNS on {addr}");
                return;
            }
        };
        tokio::spawn(serve::udp(udp, self.view.clone(), self.domain.clone()));
        tokio::spawn(serve::tcp(tcp, self.view, self.domain));
    }
}
