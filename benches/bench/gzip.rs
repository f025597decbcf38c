//! `STS_BENCH_ONLY=gzip`: what gzipped responses do to `status` on 1000 pods, on a real
//! control plane (the simulator answers uncompressed). The control plane is the one the
//! black-box suites use (`STS_CLUSTER_BIN`, built by `tests/cluster/build.sh`), its node
//! stand-in providing the claims' volumes and no node, so the pods stay Pending; `status` runs with its kubeconfig as it is (gzip) and with `disable-compression: true`,
//! straight over loopback and through relays that pace what the server sends to the bandwidth of
//! a link to a remote cluster. Runs take turns, so that load on the machine falls on every kind.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::run::{self, Outcome, Spawner, mib, ms};

const PODS: i64 = 1000;

/// The links measured besides loopback, in megabits per second.
const LINKS_MBIT: [u64; 2] = [100, 20];

/// Measures `status` on 1000 pods with and without gzip, over loopback and each paced link.
pub fn measure(spawner: &mut Spawner, bin: &Path, runs: usize) {
    let Some((plane, admin)) = crate::plane::start("gzip") else {
        return;
    };
    let dir = admin.parent().expect("the kubeconfig's directory").to_path_buf();
    let began = Instant::now();
    // They stay Pending (no node), as when the figures of BENCHMARKS.md were taken: a running
    // pod's status adds about a third to its size.
    crate::plane::create_set(&plane, &admin, PODS);
    eprintln!(
        "bench: {PODS} pods on the real control plane after {:?}",
        began.elapsed()
    );
    let server: SocketAddr = plane.info["server"]
        .as_str()
        .and_then(|url| url.strip_prefix("https://"))
        .and_then(|addr| addr.parse().ok())
        .expect("the API server's address");
    let relays = Relays::start(server);
    let mut kinds = Vec::new();
    for (link, address) in relays.links() {
        for gzip in [true, false] {
            let name = format!(
                "{}-{}",
                link.replace([' ', '/'], ""),
                if gzip { "gzip" } else { "plain" }
            );
            let kubeconfig = kubeconfig_via(&admin, &dir.join(name), address, gzip);
            kinds.push((link.clone(), gzip, kubeconfig, Vec::new(), 0u64));
        }
    }
    for _ in 0..runs {
        for (_, _, kubeconfig, outcomes, bytes) in &mut kinds {
            let before = relays.carried();
            let outcome = spawner.run(bin, &["status", "web"], kubeconfig, &[]);
            assert_eq!(outcome.code, 0, "status on {PODS} pods failed");
            *bytes = relays.carried() - before;
            outcomes.push(outcome);
        }
    }
    report(&kinds);
}

/// The admin kubeconfig pointed at `address`, with compression disabled unless `gzip`.
fn kubeconfig_via(admin: &Path, path: &Path, address: SocketAddr, gzip: bool) -> PathBuf {
    let text = std::fs::read_to_string(admin).expect("admin kubeconfig");
    let mut doc: Value = serde_saphyr::from_str(&text).expect("kubeconfig is YAML");
    let cluster = &mut doc["clusters"][0]["cluster"];
    cluster["server"] = Value::from(format!("https://{address}"));
    if !gzip {
        cluster["disable-compression"] = Value::from(true);
    }
    std::fs::write(path, doc.to_string()).expect("kubeconfig written");
    path.to_path_buf()
}

fn report(kinds: &[(String, bool, PathBuf, Vec<Outcome>, u64)]) {
    println!("### `status` on {PODS} pods of a real control plane, gzip or not\n");
    println!(
        "| link | responses | runs | median wall | p90 wall | median CPU | peak RSS | bytes from the server |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (link, gzip, _, outcomes, bytes) in kinds {
        let walls: Vec<Duration> = outcomes.iter().map(|o| o.wall).collect();
        let cpus: Vec<Duration> = outcomes.iter().map(|o| o.cpu).collect();
        let (median, p90) = run::median_p90(&walls);
        let (cpu, _) = run::median_p90(&cpus);
        let rss = outcomes.iter().map(|o| o.max_rss_kib).max().unwrap_or(0);
        let bytes = if link == "loopback" {
            "".to_string()
        } else {
            format!("{:.2} MB", *bytes as f64 / 1e6)
        };
        let kind = if *gzip { "gzip" } else { "uncompressed" };
        println!(
            "| {link} | {kind} | {} | {} | {} | {} | {} | {bytes} |",
            outcomes.len(),
            ms(median),
            ms(p90),
            ms(cpu),
            mib(rss)
        );
    }
}

/// Relays to the API server, one per paced link, on a runtime of their own; they count the bytes
/// they carry to the client.
struct Relays {
    server: SocketAddr,
    paced: Vec<(u64, SocketAddr)>,
    carried: Arc<AtomicU64>,
    _runtime: tokio::runtime::Runtime,
}

impl Relays {
    fn start(server: SocketAddr) -> Relays {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let carried = Arc::new(AtomicU64::new(0));
        let paced = LINKS_MBIT
            .iter()
            .map(|&mbit| {
                let listener = runtime
                    .block_on(TcpListener::bind("127.0.0.1:0"))
                    .expect("a loopback port");
                let address = listener.local_addr().expect("address");
                runtime.spawn(relay(
                    listener,
                    server,
                    mbit * 1_000_000 / 8,
                    Arc::clone(&carried),
                ));
                (mbit, address)
            })
            .collect();
        Relays {
            server,
            paced,
            carried,
            _runtime: runtime,
        }
    }

    /// Each link's name and the address to reach the server through it.
    fn links(&self) -> Vec<(String, SocketAddr)> {
        let paced = self
            .paced
            .iter()
            .map(|(mbit, address)| (format!("{mbit} Mbit/s"), *address));
        std::iter::once(("loopback".to_string(), self.server))
            .chain(paced)
            .collect()
    }

    fn carried(&self) -> u64 {
        self.carried.load(Ordering::SeqCst)
    }
}

/// Accepts connections and relays each to `server`, what the server sends paced at
/// `bytes_per_second` (a link's bottleneck: each chunk leaves once the link has carried the ones
/// before it).
async fn relay(listener: TcpListener, server: SocketAddr, bytes_per_second: u64, carried: Arc<AtomicU64>) {
    while let Ok((client, _)) = listener.accept().await {
        let carried = Arc::clone(&carried);
        tokio::spawn(async move {
            let Ok(upstream) = TcpStream::connect(server).await else {
                return;
            };
            let _ = (client.set_nodelay(true), upstream.set_nodelay(true));
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = upstream.into_split();
            let up = tokio::spawn(async move { tokio::io::copy(&mut client_read, &mut server_write).await });
            let mut chunk = vec![0u8; 16384];
            let mut free_at = Instant::now();
            while let Ok(n) = server_read.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                let airtime = Duration::from_secs_f64(n as f64 / bytes_per_second as f64);
                free_at = free_at.max(Instant::now()) + airtime;
                tokio::time::sleep_until(free_at.into()).await;
                if client_write.write_all(&chunk[..n]).await.is_err() {
                    break;
                }
                carried.fetch_add(n as u64, Ordering::SeqCst);
            }
            up.abort();
        });
    }
}
