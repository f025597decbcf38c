//! Connections of our making, for the cluster and for the servers its credentials need (an OIDC
//! issuer): TCP with TCP_NODELAY, straight or through a proxy (an HTTP CONNECT tunnel or
//! SOCKS5), pooled and closed after `IDLE_TIMEOUT` idle, before a load balancer drops them.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::TryFutureExt;
use http::Uri;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::{SocksV5, Tunnel};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use kube::client::Body;
use tokio::net::TcpStream;
use tower::{BoxError, Service};

use crate::proxy::Proxy;

/// A pooled client over connections `C` makes.
pub type HttpClient<C> = hyper_util::client::legacy::Client<C, Body>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// How long a pooled connection may stay idle before it is closed: well under the 60 s after
/// which common load balancers drop idle connections (without telling the client), and under
/// the API server's own idle timeout.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(25);

/// TCP connections with TCP_NODELAY, through `proxy` if there is one.
pub fn dial(proxy: Option<&Proxy>) -> Dial {
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    Dial::new(tcp, proxy)
}

/// A client for an HTTPS server other than the cluster's (an OIDC issuer).
pub type HttpsClient = HttpClient<HttpsConnector<Dial>>;

/// An HTTP/1.1 client trusting what `tls` trusts, dialling through `proxy` if there is one.
pub fn https_client(tls: rustls::ClientConfig, proxy: Option<&Proxy>) -> HttpsClient {
    let https = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_only()
        .enable_http1()
        .wrap_connector(dial(proxy));
    http_client(https)
}

pub fn http_client<C>(connector: C) -> HttpClient<C>
where
    C: hyper_util::client::legacy::connect::Connect + Clone,
{
    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(IDLE_TIMEOUT)
        .build(connector)
}

/// TCP connections straight to the server, or through an HTTP proxy (CONNECT) or a SOCKS5
/// proxy (which resolves the server's name, as Go's SOCKS5 dialer lets it).
#[derive(Clone)]
pub enum Dial {
    Direct(HttpConnector),
    Tunnel(Tunnel<HttpConnector>),
    Socks5(SocksV5<HttpConnector>),
}

impl Dial {
    fn new(tcp: HttpConnector, proxy: Option<&Proxy>) -> Dial {
        match proxy {
            None => Dial::Direct(tcp),
            Some(Proxy::Http(intercept)) => {
                let tunnel = Tunnel::new(intercept.uri().clone(), tcp);
                Dial::Tunnel(match intercept.basic_auth() {
                    Some(auth) => tunnel.with_auth(auth.clone()),
                    None => tunnel,
                })
            }
            Some(Proxy::Socks5(intercept)) => {
                let socks = SocksV5::new(intercept.uri().clone(), tcp);
                Dial::Socks5(match intercept.raw_auth() {
                    Some((user, password)) => socks.with_auth(user.into(), password.into()),
                    None => socks,
                })
            }
        }
    }
}

impl Service<Uri> for Dial {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = BoxFuture<Result<Self::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match self {
            Dial::Direct(tcp) => tcp.poll_ready(cx).map_err(BoxError::from),
            Dial::Tunnel(tunnel) => tunnel.poll_ready(cx).map_err(BoxError::from),
            Dial::Socks5(socks) => socks.poll_ready(cx).map_err(BoxError::from),
        }
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        match self {
            Dial::Direct(tcp) => Box::pin(tcp.call(uri).err_into()),
            Dial::Tunnel(tunnel) => Box::pin(tunnel.call(uri).err_into()),
            Dial::Socks5(socks) => Box::pin(socks.call(uri).err_into()),
        }
    }
}
