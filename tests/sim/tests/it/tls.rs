//! The simulated API server over TLS: kube clients work, and handshakes are answered the way
//! kube-apiserver answers them (a session ticket right after a full handshake, silence after a
//! resumed one), since a client's request latency depends on it.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use sts_sim::server::CA_PEM;
use sts_sim::{Sim, SimConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, HandshakeKind, RootCertStore, crypto};

use crate::api_support::client_from;

fn start_tls() -> Sim {
    Sim::start(SimConfig {
        tls: true,
        ..SimConfig::fast()
    })
    .expect("the simulated cluster starts")
}

/// A TLS client trusting the simulator's CA, keeping session tickets for resumption.
fn connector() -> TlsConnector {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(CA_PEM.as_bytes()) {
        roots.add(cert.expect("the CA parses")).expect("the CA is usable");
    }
    let config = ClientConfig::builder_with_provider(Arc::new(crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

async fn handshake(sim: &Sim, tls: &TlsConnector) -> TlsStream<TcpStream> {
    let tcp = TcpStream::connect(sim.addr).await.expect("connects");
    let name = ServerName::try_from("127.0.0.1").expect("a server name");
    tls.connect(name, tcp).await.expect("the handshake succeeds")
}

/// Whether the server sends anything within `wait` after the client's Finished.
async fn server_speaks_within(stream: &TlsStream<TcpStream>, wait: Duration) -> bool {
    let mut byte = [0u8; 1];
    let peek = stream.get_ref().0.peek(&mut byte);
    matches!(tokio::time::timeout(wait, peek).await, Ok(Ok(n)) if n > 0)
}

/// `GET /version` on `stream`, which the server then closes: the status line.
async fn version(mut stream: TlsStream<TcpStream>) -> String {
    stream
        .write_all(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .expect("the request is written");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("an answer");
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn kube_clients_list_over_tls() {
    let sim = start_tls();
    assert!(sim.url().starts_with("https://"));
    let namespaces: Api<Namespace> = Api::all(client_from(&sim.kubeconfig()).await);
    let list = namespaces
        .list(&ListParams::default())
        .await
        .expect("lists over TLS");
    assert!(
        list.items
            .iter()
            .any(|n| n.metadata.name.as_deref() == Some("default"))
    );
}

#[tokio::test]
async fn a_resumed_handshake_leaves_the_clients_finished_unanswered() {
    let sim = start_tls();
    let tls = connector();
    let full = handshake(&sim, &tls).await;
    assert_eq!(full.get_ref().1.handshake_kind(), Some(HandshakeKind::Full));
    assert!(
        server_speaks_within(&full, Duration::from_secs(10)).await,
        "a session ticket follows a full handshake"
    );
    // Reading the answer makes the client take the ticket in.
    assert_eq!(version(full).await, "HTTP/1.1 200 OK");

    let resumed = handshake(&sim, &tls).await;
    assert_eq!(resumed.get_ref().1.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(
        !server_speaks_within(&resumed, Duration::from_millis(300)).await,
        "nothing follows the client's Finished on a resumed handshake"
    );
    assert_eq!(version(resumed).await, "HTTP/1.1 200 OK");
}
