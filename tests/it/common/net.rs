//! What stands between the tool and its cluster in the tests, on loopback: an HTTP CONNECT
//! proxy (also spoken to over TLS, on the simulator's loopback certificate) and a SOCKS5 proxy
//! that log each connection they carry (and resolve
//! `kubernetes.default.svc`, a name of the API server's certificate that nothing else
//! resolves, to loopback), and a TCP relay that counts the bytes it carries to the client and
//! resets connections left idle, as a load balancer does. Each runs on a runtime of its own
//! until dropped.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The host name only the test proxies resolve (to 127.0.0.1).
pub const PROXIED_HOST: &str = "kubernetes.default.svc";

/// A loopback server of the tests, stopped when dropped.
pub struct Loopback {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    /// Connections cut for idleness (the relay).
    cuts: Arc<AtomicUsize>,
    /// Bytes carried from the server to the client (the relay).
    down: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

impl Loopback {
    /// What it carried, one line per connection: `CONNECT host:port`, `SOCKS5 host:port`.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Connections the relay reset after they were idle.
    pub fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }

    /// Bytes the relay carried from the server to the client so far.
    pub fn bytes_down(&self) -> usize {
        self.down.load(Ordering::SeqCst)
    }

    /// `http://127.0.0.1:PORT` (or another scheme).
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://{}", self.addr)
    }

    fn start<F, Fut>(serve: F) -> Loopback
    where
        F: FnOnce(TcpListener, Arc<Mutex<Vec<String>>>, Arc<AtomicUsize>, Arc<AtomicUsize>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let addr = listener.local_addr().expect("address");
        let (log, cuts, down) = (Arc::default(), Arc::default(), Arc::default());
        runtime.spawn(serve(
            listener,
            Arc::clone(&log),
            Arc::clone(&cuts),
            Arc::clone(&down),
        ));
        Loopback {
            addr,
            log,
            cuts,
            down,
            _runtime: runtime,
        }
    }

    /// An HTTP proxy that tunnels CONNECT requests.
    pub fn http_proxy() -> Loopback {
        Self::start(|listener, log, _, _| accept(listener, log, connect_handshake))
    }

    /// An HTTP proxy spoken to over TLS: the simulator's loopback certificate, signed by
    /// `sts_sim::server::CA_PEM`.
    pub fn https_proxy() -> Loopback {
        Self::start(|listener, log, _, _| {
            accept(listener, log, |tcp| async move {
                let tls = sts_sim::server::loopback_acceptor().accept(tcp).await?;
                connect_handshake(tls).await
            })
        })
    }

    /// A SOCKS5 proxy (no authentication, CONNECT only).
    pub fn socks5_proxy() -> Loopback {
        Self::start(|listener, log, _, _| accept(listener, log, socks5_handshake))
    }

    /// A relay to `target` that resets a connection idle (no byte either way) for `idle`.
    pub fn idle_cutting_relay(target: SocketAddr, idle: Duration) -> Loopback {
        Self::start(move |listener, log, cuts, down| async move {
            while let Ok((client, _)) = listener.accept().await {
                let (log, cuts, down) = (log.clone(), cuts.clone(), down.clone());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(target).await else {
                        return;
                    };
                    log.lock().unwrap().push(format!("RELAY {target}"));
                    if relay_until_idle(client, server, idle, &down).await {
                        cuts.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        })
    }
}

/// Accepts connections; each one's handshake names where it goes, then bytes are copied.
async fn accept<H, Fut, S>(listener: TcpListener, log: Arc<Mutex<Vec<String>>>, handshake: H)
where
    H: Fn(TcpStream) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = std::io::Result<(S, String, TcpStream)>> + Send,
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    while let Ok((client, _)) = listener.accept().await {
        let log = log.clone();
        tokio::spawn(async move {
            if let Ok((mut client, line, mut server)) = handshake(client).await {
                log.lock().unwrap().push(line);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            }
        });
    }
}

/// Connects to `host:port`, the test's host name resolving to loopback.
async fn dial(host: &str, port: u16) -> std::io::Result<TcpStream> {
    match host {
        PROXIED_HOST => TcpStream::connect(("127.0.0.1", port)).await,
        host => TcpStream::connect((host.trim_matches(['[', ']']), port)).await,
    }
}

/// `CONNECT host:port HTTP/1.1`, answered 200 once the server is reached.
async fn connect_handshake<S>(mut client: S) -> std::io::Result<(S, String, TcpStream)>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(client.read_u8().await?);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let target = head.split_whitespace().nth(1).unwrap_or_default().to_string();
    let (host, port) = target.rsplit_once(':').unwrap_or((&target, "443"));
    let server = dial(host, port.parse().unwrap_or(443)).await?;
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    Ok((client, format!("CONNECT {target}"), server))
}

/// RFC 1928 without authentication: greeting, then CONNECT to an IPv4 address or a name.
async fn socks5_handshake(mut client: TcpStream) -> std::io::Result<(TcpStream, String, TcpStream)> {
    let mut greeting = [0u8; 2];
    client.read_exact(&mut greeting).await?;
    let mut methods = vec![0u8; greeting[1] as usize];
    client.read_exact(&mut methods).await?;
    client.write_all(&[5, 0]).await?;
    let mut request = [0u8; 4];
    client.read_exact(&mut request).await?;
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut name = vec![0u8; client.read_u8().await? as usize];
            client.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).to_string()
        }
        _ => return Err(std::io::Error::other("unsupported SOCKS5 address")),
    };
    let port = client.read_u16().await?;
    let server = dial(&host, port).await?;
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    Ok((client, format!("SOCKS5 {host}:{port}"), server))
}

/// Copies both ways until either side closes (false) or nothing moved for `idle` (true: both
/// sides are then reset, as a load balancer forgetting the connection would). Bytes carried to
/// the client are added to `carried`.
async fn relay_until_idle(
    mut client: TcpStream,
    mut server: TcpStream,
    idle: Duration,
    carried: &AtomicUsize,
) -> bool {
    let (mut up, mut received) = (vec![0u8; 16384], vec![0u8; 16384]);
    loop {
        tokio::select! {
            read = client.read(&mut up) => match read {
                Ok(n) if n > 0 && server.write_all(&up[..n]).await.is_ok() => {}
                _ => return false,
            },
            read = server.read(&mut received) => match read {
                Ok(n) if n > 0 && client.write_all(&received[..n]).await.is_ok() => {
                    carried.fetch_add(n, Ordering::SeqCst);
                }
                _ => return false,
            },
            _ = tokio::time::sleep(idle) => {
                let _ = client.set_zero_linger();
                let _ = server.set_zero_linger();
                return true;
            }
        }
    }
}
