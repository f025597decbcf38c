//! Accepting and serving connections (plain HTTP/1.1, or TLS with HTTP/2 or HTTP/1.1 as ALPN
//! settles, as kube-apiserver serves), one task per connection, with the hooks fault injection
//! needs: a request can have its own connection dropped (`Connection::close`), and a restart
//! stops accepting, drops every connection and listens again on the same port. What is
//! answered is the router's business, not this module's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

use super::log::RequestLog;
use super::tls::Tls;
use crate::faults::Faults;

/// The connection a request came on, in the request's extensions: closing it drops the TCP
/// connection without an answer.
#[derive(Clone)]
pub struct Connection {
    kill: Arc<Notify>,
    number: u64,
}

impl Connection {
    /// Drops the connection (the request being served gets no answer, nor does any other
    /// request multiplexed on it).
    pub fn close(&self) {
        self.kill.notify_one();
    }

    /// The connection's number, counting from 1 since the server started
    /// (`RequestLog::connections`).
    pub fn number(&self) -> u64 {
        self.number
    }
}

/// Serves `router` on `listener` until the runtime stops, restarting when `faults` asks.
pub async fn run(
    router: Router,
    listener: TcpListener,
    tls: Option<Tls>,
    faults: Faults,
    log: Arc<RequestLog>,
) {
    let Ok(addr) = listener.local_addr() else {
        return;
    };
    let mut listener = Some(listener);
    let mut restarts = faults.restart_requests();
    let (generation, _) = watch::channel(0u64);
    loop {
        let accepted = tokio::select! {
            accepted = accept(listener.as_ref()) => accepted,
            changed = restarts.changed() => {
                if changed.is_err() {
                    return;
                }
                let pause = restarts.borrow_and_update().1;
                drop(listener.take());
                generation.send_modify(|g| *g += 1);
                listener = rebind(addr, pause).await;
                faults.restart_finished();
                continue;
            }
        };
        let Some(tcp) = accepted else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let (router, tls, stop) = (router.clone(), tls.clone(), generation.subscribe());
        let number = log.connection_accepted();
        tokio::spawn(connection(tcp, number, router, tls, stop));
    }
}

async fn accept(listener: Option<&TcpListener>) -> Option<TcpStream> {
    match listener {
        Some(l) => l.accept().await.ok().map(|(tcp, _)| tcp),
        None => std::future::pending().await,
    }
}

/// Listens on `addr` again after `pause`, retrying while the port is still held.
async fn rebind(addr: SocketAddr, pause: Duration) -> Option<TcpListener> {
    tokio::time::sleep(pause).await;
    for _ in 0..100 {
        if let Ok(l) = TcpListener::bind(addr).await {
            return Some(l);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("sts-sim: cannot listen on {addr} again after a restart");
    None
}

async fn connection(
    tcp: TcpStream,
    number: u64,
    router: Router,
    tls: Option<Tls>,
    stop: watch::Receiver<u64>,
) {
    let _ = tcp.set_nodelay(true);
    match tls {
        Some(tls) => {
            if let Ok(stream) = tls.accept(tcp).await {
                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                serve_io(stream, h2, number, router, stop).await;
            }
        }
        None => serve_io(tcp, false, number, router, stop).await,
    }
}

/// Serves HTTP/2 (`h2`) or HTTP/1.1 on one connection until it ends, a request closes it or a
/// restart.
async fn serve_io<I>(io: I, h2: bool, number: u64, router: Router, mut stop: watch::Receiver<u64>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let kill = Connection {
        kill: Arc::new(Notify::new()),
        number,
    };
    let handle = kill.clone();
    let inner = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(handle.clone());
        inner.call(req)
    });
    let io = TokioIo::new(io);
    let served = async {
        if h2 {
            let conn = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
            let _ = conn.serve_connection(io, service).await;
        } else {
            let conn = hyper::server::conn::http1::Builder::new();
            let _ = conn.serve_connection(io, service).with_upgrades().await;
        }
    };
    tokio::select! {
        _ = served => {}
        _ = kill.kill.notified() => {}
        _ = stop.changed() => {}
    }
}
