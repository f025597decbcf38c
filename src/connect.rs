//! The kube Client, assembled from kube's own pieces (the cluster's base URI, impersonation
//! headers, the TLS configuration of the kubeconfig: CA, client certificates,
//! `tls-server-name`) and the credentials of `auth`, over connections of our making:
//! TCP_NODELAY, through the cluster's proxy if it has one (an HTTP CONNECT tunnel or SOCKS5),
//! HTTP/2 when the server offers it, the requests a command starts at once sharing the first
//! connection, pooled connections closed after `dial::IDLE_TIMEOUT` idle, before a load
//! balancer drops them, and large responses gzipped unless the kubeconfig disables
//! compression. Which requests are made, and how they are retried, is the commands' business.
//!
//! Why: kube's default builder leaves Nagle's algorithm on (kube-rs/kube#2056), and a request
//! written right after a resumed TLS handshake then waits in the kernel for the ACK of the
//! client's Finished, which the API server delays (40 ms on Linux). And over HTTP/1.1 each
//! concurrent request opens a connection of its own: a TCP and TLS handshake each.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use http::{Request, Response, Uri, header};
use hyper::body::Incoming;
use hyper_rustls::{FixedServerNameResolver, HttpsConnector, HttpsConnectorBuilder};
use hyper_timeout::TimeoutConnector;
use kube::client::{Body, ClientBuilder, ConfigExt, RustlsTlsError};
use kube::{Client, Config};
use tokio::sync::watch;
use tower::{BoxError, Service, ServiceBuilder};
use tower_http::decompression::DecompressionLayer;

use crate::auth::Credentials;
use crate::dial::{Dial, HttpClient, dial, http_client};
use crate::proxy::Proxy;

type Connector = TimeoutConnector<HttpsConnector<Dial>>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A client for `config`: kube's layers and `credentials` over `Route`, every connection
/// dialled through `proxy` when there is one (kube's own `proxy_url` is not used).
pub fn client(
    config: Config,
    proxy: Option<&Proxy>,
    credentials: Credentials,
) -> Result<Client, kube::Error> {
    let tls = config.rustls_client_config()?;
    // Built once (an https:// proxy's verifier reads the system's roots), shared by both pools.
    let tcp = dial(proxy, &config)?;
    let first = FirstConnection::default();
    let route = Route {
        shared: http_client(FirstUp {
            inner: connector(&config, tcp.clone(), tls.clone(), true)?,
            first: first.clone(),
        }),
        upgrades: http_client(connector(&config, tcp, tls, false)?),
        first,
    };
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .layer(gzip(&config))
        .layer(credentials.layer())
        .layer(config.extra_headers_layer()?)
        .map_err(BoxError::from)
        .service(route);
    Ok(ClientBuilder::new(service, config.default_namespace).build())
}

/// Responses gzipped where the server offers it (the API server compresses bodies over 128 KiB
/// for a client that accepts it: large lists), unless the kubeconfig's cluster says
/// `disable-compression: true`, as kubectl does. kube asks for watch streams uncompressed.
fn gzip(config: &Config) -> DecompressionLayer {
    DecompressionLayer::new()
        .no_br()
        .no_deflate()
        .no_zstd()
        .gzip(!config.disable_compression)
}

/// TCP with TCP_NODELAY (to the proxy, if any, and through it), then TLS with kube's
/// configuration `tls` (HTTP/2 offered by ALPN if `http2`), under the config's connect, read
/// and write timeouts.
fn connector(
    config: &Config,
    tcp: Dial,
    tls: rustls::ClientConfig,
    http2: bool,
) -> Result<Connector, kube::Error> {
    let mut tls = HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http();
    if let Some(name) = &config.tls_server_name {
        let name = name.clone().try_into().map_err(RustlsTlsError::InvalidServerName);
        tls = tls.with_server_name_resolver(FixedServerNameResolver::new(
            name.map_err(kube::Error::RustlsTls)?,
        ));
    }
    let https = match http2 {
        true => tls.enable_all_versions().wrap_connector(tcp),
        false => tls.enable_http1().wrap_connector(tcp),
    };
    let mut connector = TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    connector.set_reset_reader_on_write(config.reset_reader_on_write);
    Ok(connector)
}

/// Sends each request on a connection of the `shared` client (HTTP/2 when the server speaks
/// it), except WebSocket upgrades (port-forward), which HTTP/1.1 carries, on `upgrades`.
#[derive(Clone)]
struct Route {
    shared: HttpClient<FirstUp<Connector>>,
    upgrades: HttpClient<Connector>,
    first: FirstConnection,
}

impl Service<Request<Body>> for Route {
    type Response = Response<Incoming>;
    type Error = hyper_util::client::legacy::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if request.headers().contains_key(header::UPGRADE) {
            return Box::pin(self.upgrades.request(request));
        }
        let (shared, first) = (self.shared.clone(), self.first.clone());
        Box::pin(async move {
            let _leading = first.wait_turn().await;
            shared.request(request).await
        })
    }
}

/// Until the first connection is up, one request at a time goes to the connection pool: the
/// others then find that connection there (HTTP/2) instead of each opening one, or open their
/// own (HTTP/1.1) once it is up.
#[derive(Clone)]
struct FirstConnection {
    up: Arc<watch::Sender<bool>>,
    led: Arc<AtomicBool>,
}

impl Default for FirstConnection {
    fn default() -> Self {
        FirstConnection {
            up: Arc::new(watch::Sender::new(false)),
            led: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl FirstConnection {
    /// Returns at once for the first request (with a guard that lets the others go when it
    /// ends, whether or not it connected) and once the first connection is up for the others.
    async fn wait_turn(&self) -> Option<Leading> {
        if *self.up.borrow() {
            return None;
        }
        if !self.led.swap(true, Ordering::SeqCst) {
            return Some(Leading(self.clone()));
        }
        let mut up = self.up.subscribe();
        let _ = up.wait_for(|up| *up).await;
        None
    }

    fn open(&self) {
        self.up.send_replace(true);
    }
}

/// The first request in flight; when it ends, nobody waits any longer.
struct Leading(FirstConnection);

impl Drop for Leading {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// A connector that reports to `first` when a connection attempt ends (up or failed).
#[derive(Clone)]
struct FirstUp<C> {
    inner: C,
    first: FirstConnection,
}

impl<C> Service<Uri> for FirstUp<C>
where
    C: Service<Uri>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = C::Error;
    type Future = BoxFuture<Result<C::Response, C::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let (connecting, first) = (self.inner.call(uri), self.first.clone());
        Box::pin(async move {
            let connected = connecting.await;
            first.open();
            connected
        })
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Pod, Service as KubeService};
    use kube::Api;
    use kube::api::ListParams;
    use kube::config::{KubeConfigOptions, Kubeconfig};
    use sts_sim::server::LoggedRequest;
    use sts_sim::{Sim, SimConfig};

    use super::*;

    fn start(tls: bool) -> Sim {
        Sim::start(SimConfig {
            tls,
            ..SimConfig::fast()
        })
        .expect("the simulated cluster starts")
    }

    async fn client_for(sim: &Sim) -> Client {
        let kubeconfig = Kubeconfig::from_yaml(&sim.kubeconfig()).expect("kubeconfig parses");
        let mut config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .expect("kubeconfig loads");
        let credentials = Credentials::take(&mut config, "sts-sim-admin", None, &[])
            .await
            .expect("credentials");
        client(config, None, credentials).expect("client builds")
    }

    /// Four lists at once, as a command starts them; what the server saw.
    async fn four_lists(sim: &Sim) -> Vec<LoggedRequest> {
        let client = client_for(sim).await;
        let params = ListParams::default();
        let (pods, services, claims): (Api<Pod>, Api<KubeService>, Api<PersistentVolumeClaim>) = (
            Api::default_namespaced(client.clone()),
            Api::default_namespaced(client.clone()),
            Api::default_namespaced(client.clone()),
        );
        let namespaces: Api<Namespace> = Api::all(client);
        let lists = tokio::join!(
            pods.list(&params),
            services.list(&params),
            claims.list(&params),
            namespaces.list(&params)
        );
        lists.0.expect("pods");
        lists.1.expect("services");
        lists.2.expect("claims");
        lists.3.expect("namespaces");
        sim.log.entries()
    }

    fn connections(entries: &[LoggedRequest]) -> usize {
        let mut numbers: Vec<u64> = entries.iter().map(|e| e.connection).collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers.len()
    }

    #[tokio::test]
    async fn requests_started_at_once_share_one_http2_connection_over_tls() {
        let sim = start(true);
        let entries = four_lists(&sim).await;
        assert_eq!(entries.len(), 4);
        assert!(
            entries.iter().all(|e| e.http_version == "HTTP/2.0"),
            "{entries:?}"
        );
        assert_eq!(connections(&entries), 1, "{entries:?}");
        assert_eq!(sim.log.connections(), 1, "no connection opened in vain");
    }

    #[tokio::test]
    async fn plain_http_servers_are_spoken_to_in_http1() {
        let sim = start(false);
        let entries = four_lists(&sim).await;
        assert_eq!(entries.len(), 4);
        assert!(
            entries.iter().all(|e| e.http_version == "HTTP/1.1"),
            "{entries:?}"
        );
    }

    #[tokio::test]
    async fn websocket_upgrades_go_over_http1() {
        let sim = start(true);
        let client = client_for(&sim).await;
        let path = "/api/v1/namespaces/default/pods/nowhere/portforward?ports=53";
        let request = Request::get(path).body(Vec::new()).expect("a request");
        assert!(client.connect(request).await.is_err(), "no such pod");
        let entries = sim.log.entries();
        let upgrade = entries.iter().find(|e| e.path.ends_with("/portforward"));
        assert_eq!(
            upgrade.map(|e| e.http_version.as_str()),
            Some("HTTP/1.1"),
            "{entries:?}"
        );
    }
}
