//! The first TLS record of a connection (the ClientHello), read before the handshake so that
//! the server can tell a resumption from a full handshake, then replayed to rustls: parsing
//! only, no TLS state.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// TLS extension `pre_shared_key` (RFC 8446, 4.2.11): the client offers a session ticket.
const PRE_SHARED_KEY: u16 = 41;

/// Reads the connection's first TLS record (5-byte header and payload), whatever it holds.
pub async fn read_record(tcp: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut record = vec![0u8; 5];
    tcp.read_exact(&mut record).await?;
    let len = usize::from(u16::from_be_bytes([record[3], record[4]]));
    record.resize(5 + len, 0);
    tcp.read_exact(&mut record[5..]).await?;
    Ok(record)
}

/// Whether `record` is a ClientHello offering a pre-shared key (a TLS 1.3 resumption).
pub fn offers_psk(record: &[u8]) -> bool {
    extension_types(record).is_some_and(|types| types.contains(&PRE_SHARED_KEY))
}

/// The extension types of a ClientHello record, in order; `None` if it is not one.
fn extension_types(record: &[u8]) -> Option<Vec<u16>> {
    let mut hello = Reader(record);
    (hello.u8()? == 22).then_some(())?; // handshake record
    hello.take(4)?; // version, length
    (hello.u8()? == 1).then_some(())?; // client_hello
    hello.take(3 + 2 + 32)?; // length, legacy version, random
    for width in [1, 2, 1] {
        // session id, cipher suites, compression methods
        let len = hello.length(width)?;
        hello.take(len)?;
    }
    let len = hello.length(2)?;
    let mut extensions = Reader(hello.take(len)?);
    let mut types = Vec::new();
    while !extensions.0.is_empty() {
        types.push(u16::try_from(extensions.length(2)?).ok()?);
        let len = extensions.length(2)?;
        extensions.take(len)?;
    }
    Some(types)
}

/// A cursor over bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    /// A big-endian length of `width` bytes.
    fn length(&mut self, width: usize) -> Option<usize> {
        Some(self.take(width)?.iter().fold(0, |n, b| n << 8 | usize::from(*b)))
    }
}

/// A connection whose first bytes, already read, are read again.
pub struct Replay {
    head: Vec<u8>,
    read: usize,
    tcp: TcpStream,
}

impl Replay {
    pub fn new(head: Vec<u8>, tcp: TcpStream) -> Replay {
        Replay { head, read: 0, tcp }
    }
}

impl AsyncRead for Replay {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let left = &this.head[this.read..];
        if left.is_empty() {
            return Pin::new(&mut this.tcp).poll_read(cx, buf);
        }
        let n = left.len().min(buf.remaining());
        buf.put_slice(&left[..n]);
        this.read += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Replay {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ClientHello record with the given extensions (type, payload).
    fn client_hello(extensions: &[(u16, &[u8])]) -> Vec<u8> {
        let mut exts = Vec::new();
        for (kind, data) in extensions {
            exts.extend(kind.to_be_bytes());
            exts.extend((data.len() as u16).to_be_bytes());
            exts.extend(*data);
        }
        let mut body = vec![3, 3];
        body.extend([7u8; 32]);
        body.extend([32]);
        body.extend([9u8; 32]);
        body.extend([0, 2, 0x13, 0x01, 1, 0]);
        body.extend((exts.len() as u16).to_be_bytes());
        body.extend(exts);
        let mut handshake = vec![1, 0];
        handshake.extend((body.len() as u16).to_be_bytes());
        handshake.extend(body);
        let mut record = vec![22, 3, 1];
        record.extend((handshake.len() as u16).to_be_bytes());
        record.extend(handshake);
        record
    }

    #[test]
    fn a_pre_shared_key_is_a_resumption() {
        let hello = client_hello(&[(0, b"\0\0"), (43, &[2, 3, 4]), (41, &[0; 40])]);
        assert_eq!(extension_types(&hello), Some(vec![0, 43, 41]));
        assert!(offers_psk(&hello));
        assert!(!offers_psk(&client_hello(&[(0, b"\0\0"), (43, &[2, 3, 4])])));
    }

    #[test]
    fn what_is_not_a_client_hello_offers_nothing() {
        let hello = client_hello(&[(41, &[0; 40])]);
        assert!(!offers_psk(&hello[..hello.len() - 3]));
        assert!(!offers_psk(b"GET / HTTP/1.1\r\n\r\n"));
        assert!(!offers_psk(&[]));
    }
}
