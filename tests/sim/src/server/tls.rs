//! TLS for clients that send credentials only over TLS (kubectl): a fixed
//! loopback certificate (127.0.0.1, ::1, localhost) signed by a fixed test CA whose
//! certificate kubeconfigs carry. Test material only: the key is public, it guards nothing.
//!
//! Handshakes are answered the way kube-apiserver (Go's crypto/tls, asking for a client
//! certificate) answers them, because a client's latency depends on it: after a full TLS 1.3
//! handshake one session ticket follows the client's Finished at once; a resumed one (a
//! ClientHello offering a ticket) gets its tickets in the server's first flight, so nothing
//! follows the client's Finished and the kernel delays its ACK (40 ms on Linux). A client
//! that writes its request while Nagle's algorithm waits for that ACK stalls, as it does on a
//! real API server.

mod hello;

use std::sync::Arc;

use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::ServerSessionMemoryCache;
use tokio_rustls::rustls::{ServerConfig, crypto};
use tokio_rustls::server::TlsStream;

pub(super) use hello::Replay;

/// The CA that signed the server certificate (PEM).
pub const CA_PEM: &str = include_str!("tls/ca.crt");
const CERT_PEM: &str = include_str!("tls/server.crt");
const KEY_PEM: &str = include_str!("tls/server.key");

/// `CA_PEM` in base64, as a kubeconfig's `certificate-authority-data`.
pub fn ca_data() -> String {
    base64(CA_PEM.as_bytes())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The TLS side of every connection (`listen::run`).
#[derive(Clone)]
pub(super) struct Tls {
    /// For full handshakes: one ticket when the client's Finished arrives.
    full: TlsAcceptor,
    /// For resumptions: nothing after the client's Finished.
    resumed: TlsAcceptor,
}

impl Tls {
    pub(super) fn new() -> Tls {
        let full = server_config();
        let mut resumed = full.clone();
        resumed.send_tls13_tickets = 0;
        Tls {
            full: TlsAcceptor::from(Arc::new(full)),
            resumed: TlsAcceptor::from(Arc::new(resumed)),
        }
    }

    /// The handshake on `tcp`, answered as described above.
    pub(super) async fn accept(&self, mut tcp: TcpStream) -> std::io::Result<TlsStream<Replay>> {
        let first = hello::read_record(&mut tcp).await?;
        let acceptor = if hello::offers_psk(&first) {
            &self.resumed
        } else {
            &self.full
        };
        acceptor.accept(Replay::new(first, tcp)).await
    }
}

/// A TLS server of the tests' own on the built-in loopback certificate (an `https://` proxy),
/// speaking HTTP/1.1.
pub fn loopback_acceptor() -> TlsAcceptor {
    let mut config = server_config();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    TlsAcceptor::from(Arc::new(config))
}

/// The built-in certificate, HTTP/2 and HTTP/1.1 (as kube-apiserver offers them), and one
/// session store (shared by both acceptors).
fn server_config() -> ServerConfig {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT_PEM.as_bytes())
        .collect::<Result<_, _>>()
        .expect("the built-in certificate parses");
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes()).expect("the built-in key parses");
    let mut config = ServerConfig::builder_with_provider(Arc::new(crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("the built-in certificate matches its key");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.session_storage = ServerSessionMemoryCache::new(1024);
    config.send_tls13_tickets = 1;
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn the_built_in_certificate_loads() {
        let _ = Tls::new();
    }
}
