//! The DNS wire: UDP datagrams (answers that do not fit the asker's payload size are sent
//! truncated, so it retries over TCP) and TCP connections carrying any number of
//! length-prefixed messages. Answers come from `answer::respond` on the view.

use std::sync::Arc;

use hickory_proto::op::{Edns, Message, ResponseCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

use super::answer::respond;
use super::view::View;

/// What a UDP answer may be without EDNS (RFC 1035).
const CLASSIC_UDP: usize = 512;
/// The payload size this server offers over EDNS.
const EDNS_PAYLOAD: u16 = 1232;

/// The encoded answer to `bytes`, at most `limit` long (`None`: no limit); `None` when the
/// request cannot even be read.
fn answer(view: &View, domain: &str, bytes: &[u8], udp: bool) -> Option<Vec<u8>> {
    let request = match Message::from_vec(bytes) {
        Ok(request) => request,
        Err(_) if bytes.len() >= 2 => {
            let id = u16::from_be_bytes([bytes[0], bytes[1]]);
            let reply = Message::error_msg(id, hickory_proto::op::OpCode::Query, ResponseCode::FormErr);
            return reply.to_vec().ok();
        }
        Err(_) => return None,
    };
    let mut response = respond(&view.read(), domain, &request);
    let limit = request
        .edns
        .as_ref()
        .map_or(CLASSIC_UDP, |e| usize::from(e.max_payload()).max(CLASSIC_UDP));
    if request.edns.is_some() {
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_PAYLOAD);
        response.set_edns(edns);
    }
    if udp {
        let bytes = response.to_vec().ok()?;
        if bytes.len() <= limit {
            return Some(bytes);
        }
        let mut truncated = response.truncate();
        truncated.metadata.id = response.metadata.id;
        return truncated.to_vec().ok();
    }
    fit_tcp(response)
}

/// A TCP answer within one message's 65535 bytes: as many records as fit, and the TC flag
/// when some had to go (as CoreDNS truncates).
fn fit_tcp(mut response: Message) -> Option<Vec<u8>> {
    let bytes = response.to_vec().ok()?;
    if bytes.len() <= usize::from(u16::MAX) {
        return Some(bytes);
    }
    response.metadata.truncation = true;
    response.additionals.clear();
    let mut size = response.to_vec().ok()?.len();
    while size > usize::from(u16::MAX) && !response.answers.is_empty() {
        let keep = response.answers.len() * usize::from(u16::MAX) / size;
        response.answers.truncate(keep.min(response.answers.len() - 1));
        size = response.to_vec().ok()?.len();
    }
    response.to_vec().ok()
}

/// Answers datagrams until the runtime stops.
pub async fn udp(socket: UdpSocket, view: Arc<View>, domain: String) {
    let mut buf = vec![0u8; 65535];
    loop {
        let Ok((len, peer)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        if let Some(reply) = answer(&view, &domain, &buf[..len], true) {
            let _ = socket.send_to(&reply, peer).await;
        }
    }
}

/// Accepts connections until the runtime stops, one task each.
pub async fn tcp(listener: TcpListener, view: Arc<View>, domain: String) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(connection(stream, view.clone(), domain.clone()));
    }
}

/// Answers length-prefixed messages in order until the peer closes.
async fn connection(mut stream: TcpStream, view: Arc<View>, domain: String) {
    loop {
        let mut len = [0u8; 2];
        if stream.read_exact(&mut len).await.is_err() {
            return;
        }
        let mut request = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if stream.read_exact(&mut request).await.is_err() {
            return;
        }
        let Some(reply) = answer(&view, &domain, &request, false) else {
            return;
        };
        let Ok(prefix) = u16::try_from(reply.len()) else {
            return;
        };
        let mut framed = prefix.to_be_bytes().to_vec();
        framed.extend_from_slice(&reply);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use hickory_proto::op::Message;
    use hickory_proto::rr::rdata::A;
    use hickory_proto::rr::{Name, RData, Record};

    use super::fit_tcp;

    #[test]
    fn a_tcp_answer_too_large_for_one_message_keeps_what_fits_and_says_so() {
        let mut response = Message::response(7, hickory_proto::op::OpCode::Query);
        for i in 0..8000u32 {
            let owner = Name::from_ascii(format!("web-{i}.nginx.default.svc.cluster.local.")).unwrap();
            response.add_answer(Record::from_rdata(owner, 5, RData::A(A(Ipv4Addr::from(i)))));
        }
        let bytes = fit_tcp(response).unwrap();
        assert!(bytes.len() <= usize::from(u16::MAX));
        let back = Message::from_vec(&bytes).unwrap();
        assert!(back.metadata.truncation);
        assert!(
            back.answers.len() > 1000 && back.answers.len() < 8000,
            "{}",
            back.answers.len()
        );
    }
}
