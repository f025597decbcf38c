//! Connections of our making, for the cluster and for the servers its credentials need (an OIDC
//! issuer): TCP with TCP_NODELAY, straight or through a proxy (an HTTP CONNECT tunnel, over TLS
//! to an `https://` proxy, or SOCKS5), pooled and closed after `IDLE_TIMEOUT` idle, before a
//! load balancer drops them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::TryFutureExt;
use http::Uri;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::{SocksV5, Tunnel};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use kube::client::{Body, ConfigExt};
use rustls::pki_types::CertificateDer;
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

/// TCP connections with TCP_NODELAY, through `proxy` if there is one. An `https://` proxy is
/// verified as `server` (the cluster or issuer the connections lead to) is verified, as kubectl
/// does: by its certificate authority, or not at all under `insecure-skip-tls-verify`; and also
/// by the system's roots, where a corporate proxy's authority is installed.
pub fn dial(proxy: Option<&Proxy>, server: &kube::Config) -> Result<Dial, kube::Error> {
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    Ok(match proxy {
        None => Dial::Direct(tcp),
        Some(Proxy::Http(intercept)) => {
            let to_proxy = match intercept.uri().scheme_str() {
                Some("https") => proxy_tls(server)?,
                // Never used: the proxy is spoken to in the clear.
                _ => rustls::ClientConfig::builder()
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth(),
            };
            let to_proxy = HttpsConnectorBuilder::new()
                .with_tls_config(to_proxy)
                .https_or_http()
                .enable_http1()
                .wrap_connector(tcp);
            let tunnel = Tunnel::new(intercept.uri().clone(), to_proxy);
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
    })
}

/// How the TLS connection to an `https://` proxy is verified (see `dial`); no client
/// certificate is shown to it.
fn proxy_tls(server: &kube::Config) -> Result<rustls::ClientConfig, kube::Error> {
    let mut trust = kube::Config::new(server.cluster_url.clone());
    trust.accept_invalid_certs = server.accept_invalid_certs;
    let mut tls = trust.rustls_client_config()?;
    if let (false, Some(authority)) = (server.accept_invalid_certs, &server.root_cert) {
        let extra = authority.iter().map(|der| CertificateDer::from(der.clone()));
        let verifier =
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra, tls.crypto_provider().clone())
                .map_err(|e| {
                    kube::Error::RustlsTls(kube::client::RustlsTlsError::AddRootCertificate(Box::new(e)))
                })?;
        tls.dangerous().set_certificate_verifier(Arc::new(verifier));
    }
    Ok(tls)
}

/// A client for an HTTPS server other than the cluster's (an OIDC issuer).
pub type HttpsClient = HttpClient<HttpsConnector<Dial>>;

/// An HTTP/1.1 client for `server`, dialling through `proxy` if there is one.
pub fn https_client(server: &kube::Config, proxy: Option<&Proxy>) -> Result<HttpsClient, kube::Error> {
    let https = HttpsConnectorBuilder::new()
        .with_tls_config(server.rustls_client_config()?)
        .https_only()
        .enable_http1()
        .wrap_connector(dial(proxy, server)?);
    Ok(http_client(https))
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

/// TCP connections straight to the server, or through an HTTP proxy (CONNECT, over TLS to an
/// `https://` one) or a SOCKS5 proxy (which resolves the server's name, as Go's SOCKS5 dialer
/// lets it). Each is the stream the server's own TLS then runs over.
#[derive(Clone)]
pub enum Dial {
    Direct(HttpConnector),
    Tunnel(Tunnel<HttpsConnector<HttpConnector>>),
    Socks5(SocksV5<HttpConnector>),
}

/// A connection the proxy did not carry (not reached, its certificate, its refusal): the
/// proxy's fault, not the server's, which messages say.
#[derive(Debug, thiserror::Error)]
#[error("through the proxy: {0}")]
pub struct ProxyFailed(#[source] BoxError);

impl Service<Uri> for Dial {
    type Response = MaybeHttpsStream<TokioIo<TcpStream>>;
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
            Dial::Direct(tcp) => Box::pin(tcp.call(uri).map_ok(MaybeHttpsStream::Http).err_into()),
            Dial::Tunnel(tunnel) => Box::pin(tunnel.call(uri).map_err(|e| ProxyFailed(e.into()).into())),
            Dial::Socks5(socks) => Box::pin(socks.call(uri).map_ok(MaybeHttpsStream::Http).err_into()),
        }
    }
}
