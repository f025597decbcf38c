//! The kube Client, assembled from kube's own pieces (the cluster's base URI, credentials with
//! exec plugins and token files, impersonation headers, TLS from the kubeconfig: CA, client
//! certificates, `tls-server-name`) over TCP connections with Nagle's algorithm off. Nothing
//! else: which requests are made, and how they are retried, is the commands' business.
//!
//! kube's default builder leaves Nagle's algorithm on (kube-rs/kube#2056). A request written
//! right after a resumed TLS handshake then waits in the kernel for the ACK of the client's
//! Finished, which the API server delays (40 ms on Linux): concurrent requests on fresh
//! connections stalled that long against a real API server.

use hyper_timeout::TimeoutConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::client::{Body, ClientBuilder, ConfigExt};
use kube::{Client, Config};
use tower::{BoxError, ServiceBuilder};

/// A client for `config`, as kube's `Client::try_from` builds it but with TCP_NODELAY; a
/// config with a proxy (kubeconfig `proxy-url`, `HTTPS_PROXY`) gets kube's own builder.
pub fn client(config: Config) -> Result<Client, kube::Error> {
    if config.proxy_url.is_some() {
        return Client::try_from(config);
    }
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    let mut connector = TimeoutConnector::new(config.rustls_https_connector_with_connector(tcp)?);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    connector.set_reset_reader_on_write(config.reset_reader_on_write);
    let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build::<_, Body>(connector);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(BoxError::from)
        .service(http);
    Ok(ClientBuilder::new(service, config.default_namespace).build())
}
