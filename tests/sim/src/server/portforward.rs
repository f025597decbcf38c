//! `pods/{name}/portforward` over WebSocket, as the API server proxies it to the pod's kubelet:
//! the `v4.channel.k8s.io` channel protocol, a data and an error channel per requested port
//! (`2i`, `2i+1`), each opened with a frame holding the port (little-endian u16). Bytes on a
//! data channel go to the pod's port and back; a port nothing listens on gets the kubelet's
//! error on its error channel. Where ports listen is `network::PodNetwork`'s business.

use std::net::SocketAddr;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::route::Params;
use super::{App, Call};
use crate::error::ApiError;
use crate::resources::PODS;

/// The binary channel protocol the kubelet speaks for port-forward.
const V4_BINARY: &str = "v4.channel.k8s.io";

/// One requested port and where it listens, if anywhere.
struct Port {
    number: u16,
    listener: Option<SocketAddr>,
}

/// Upgrades the request and forwards its ports in a task of their own.
pub(super) async fn handle(app: &App, call: Call) -> Result<Response, ApiError> {
    let t = &call.target;
    let pod = app.store.get(&PODS, t.ns(), t.name())?;
    let numbers = requested_ports(&call.params)?;
    check_pod(&pod)?;
    let protocol = negotiate(&call.headers)?;
    let key = call
        .headers
        .get(header::SEC_WEBSOCKET_KEY)
        .filter(|_| is_websocket(&call.headers))
        .ok_or_else(|| ApiError::bad_request("port-forward needs a WebSocket upgrade request"))?;
    let accept = derive_accept_key(key.as_bytes());
    let upgrade = call
        .upgrade
        .ok_or_else(|| ApiError::bad_request("the connection cannot be upgraded"))?;
    let ports: Vec<Port> = numbers
        .into_iter()
        .map(|number| Port {
            number,
            listener: app.net.address_of(&pod, number),
        })
        .collect();
    let refusal = refusal_text(&pod);
    tokio::spawn(async move {
        if let Ok(upgraded) = upgrade.await {
            let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
            forward(ws, ports, refusal).await;
        }
    });
    let mut response = (
        StatusCode::SWITCHING_PROTOCOLS,
        [(header::UPGRADE, "websocket"), (header::CONNECTION, "Upgrade")],
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::SEC_WEBSOCKET_ACCEPT,
        HeaderValue::from_str(&accept).map_err(|e| ApiError::bad_request(e.to_string()))?,
    );
    if let Some(protocol) = protocol {
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(protocol));
    }
    Ok(response)
}

/// `ports=53` or `ports=53,9153`, as `PodPortForwardOptions` carries them.
fn requested_ports(params: &Params) -> Result<Vec<u16>, ApiError> {
    let text = params
        .get("ports")
        .ok_or_else(|| ApiError::bad_request("query parameter \"port\" is required"))?;
    text.split(',')
        .map(|p| match p.trim().parse::<u16>() {
            Ok(port) if port > 0 => Ok(port),
            _ => Err(ApiError::bad_request(format!(
                "unable to parse \"{text}\" as a port: must be 1-65535"
            ))),
        })
        .collect()
}

/// The API server refuses pods that are not running on a node.
fn check_pod(pod: &Value) -> Result<(), ApiError> {
    let name = pod["metadata"]["name"].as_str().unwrap_or("");
    if pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(ApiError::bad_request(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    let phase = pod.pointer("/status/phase").and_then(Value::as_str).unwrap_or("");
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(ApiError::bad_request(
            "cannot port forward to a completed pod, current phase is ".to_string() + phase,
        ));
    }
    Ok(())
}

fn is_websocket(headers: &HeaderMap) -> bool {
    let has = |name: header::HeaderName, word: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|v| v.trim().eq_ignore_ascii_case(word))
    };
    has(header::UPGRADE, "websocket") && has(header::CONNECTION, "upgrade")
}

/// The subprotocol to answer with: `v4.channel.k8s.io` when offered, none when the client
/// offers none (plain binary channels); 400 when it offers only others.
fn negotiate(headers: &HeaderMap) -> Result<Option<&'static str>, ApiError> {
    let offered: Vec<String> = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if offered.is_empty() {
        return Ok(None);
    }
    if offered.iter().any(|p| p == V4_BINARY) {
        return Ok(Some(V4_BINARY));
    }
    Err(ApiError::bad_request(format!(
        "unable to upgrade connection: requested protocol(s) are not supported: {offered:?}; supported: [\"{V4_BINARY}\"]"
    )))
}

/// What the kubelet reports for a port nothing listens on (`{}` is the port).
fn refusal_text(pod: &Value) -> String {
    let at = |p: &str| pod.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    let (name, ns, uid) = (
        at("/metadata/name"),
        at("/metadata/namespace"),
        at("/metadata/uid"),
    );
    format!(
        "error forwarding port {{}} to pod {name}_{ns}, uid {uid}: failed to execute portforward in network \
         namespace \"/var/run/netns/cni-{uid}\": failed to connect to localhost:{{}} inside namespace \
         \"{name}_{ns}\", IPv4: dial tcp4 127.0.0.1:{{}}: connect: connection refused"
    )
}

type Ws = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Runs the channels until the client closes or every port is done.
async fn forward(ws: Ws, ports: Vec<Port>, refusal: String) {
    let (mut sink, mut incoming) = ws.split();
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(64);
    let sender = tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if sink.send(Message::binary(frame)).await.is_err() {
                break;
            }
        }
        // Every port is done: close the channel (answering a client's Close), and flush it.
        let _ = sink.send(Message::Close(None)).await;
        let _ = sink.close().await;
    });
    let mut writers = open_ports(&ports, &tx, &refusal).await;
    drop(tx);
    while let Some(Ok(message)) = incoming.next().await {
        match message {
            Message::Binary(data) if data.len() > 1 => {
                let index = usize::from(data[0] / 2);
                let writer = writers.get_mut(index).filter(|_| data[0] % 2 == 0);
                if let Some(Some(writer)) = writer
                    && writer.write_all(&data[1..]).await.is_err()
                {
                    writers[index] = None;
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
    drop(writers);
    let _ = sender.await;
    // The client closes the connection once it has the Close; a client that does not is let go.
    let drain = async { while let Some(Ok(_)) = incoming.next().await {} };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), drain).await;
}

/// Sends each channel's opening frame, connects each port and starts copying what it sends
/// back; a port that cannot be reached gets the refusal on its error channel.
async fn open_ports(
    ports: &[Port],
    tx: &mpsc::Sender<Vec<u8>>,
    refusal: &str,
) -> Vec<Option<OwnedWriteHalf>> {
    let mut writers = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let data = u8::try_from(2 * i).unwrap_or(u8::MAX - 1);
        let [lo, hi] = port.number.to_le_bytes();
        for channel in [data, data + 1] {
            let _ = tx.send(vec![channel, lo, hi]).await;
        }
        let connected = match port.listener {
            Some(addr) => TcpStream::connect(addr).await.ok(),
            None => None,
        };
        match connected {
            Some(stream) => {
                let (read, write) = stream.into_split();
                tokio::spawn(copy_back(read, data, tx.clone()));
                writers.push(Some(write));
            }
            None => {
                let mut frame = vec![data + 1];
                frame.extend_from_slice(refusal.replace("{}", &port.number.to_string()).as_bytes());
                let _ = tx.send(frame).await;
                writers.push(None);
            }
        }
    }
    writers
}

/// Copies what the pod's port sends onto its data channel until it closes.
async fn copy_back(mut read: OwnedReadHalf, channel: u8, tx: mpsc::Sender<Vec<u8>>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match read.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let mut frame = Vec::with_capacity(n + 1);
                frame.push(channel);
                frame.extend_from_slice(&buf[..n]);
                if tx.send(frame).await.is_err() {
                    return;
                }
            }
        }
    }
}
