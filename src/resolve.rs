//! Asking the cluster's DNS the questions `model::dns::resolution` plans, and turning the
//! answers into plain `model::dns::answers::Answer`s. Two ways to the server: `--nameserver HOST:PORT` directly (UDP,
//! truncated answers again over TCP), or through the API server: a port-forward to a cluster
//! DNS pod (kube-system, `k8s-app=kube-dns`, port 53) carrying DNS over TCP, so no pod is
//! created and no image pulled. The DNS wire format is hickory-proto's; nothing is judged here.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use hickory_proto::op::{Edns, Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{Instant, timeout_at};

use crate::context::Context;
use crate::error::ApiCall;
use crate::model::dns::answers::{Answer, Question, RecordKind, SrvTarget};
use crate::model::set::health::pod_health;

/// Where cluster DNS pods are and how they are labelled.
const DNS_NAMESPACE: &str = "kube-system";
const DNS_SELECTOR: &str = "k8s-app=kube-dns";
const DNS_PORT: u16 = 53;

/// How long a UDP window may wait, how many rounds there are, and how long a whole TCP
/// exchange may take.
const UDP_WAIT: Duration = Duration::from_secs(1);
/// Datagrams in flight at once.
const UDP_WINDOW: usize = 64;
const UDP_ROUNDS: usize = 3;
const TCP_WAIT: Duration = Duration::from_secs(15);
/// Questions in flight at once (message ids are unique within a batch).
const BATCH: usize = 2048;
/// The UDP payload size offered over EDNS.
const EDNS_PAYLOAD: u16 = 1232;

/// The hint for when cluster DNS cannot be reached through the API server.
const NAMESERVER_HINT: &str = "pass --nameserver HOST:PORT of the cluster's DNS server (from inside the cluster, \
                               or where cluster DNS is routable)";

/// The answers and who gave them.
pub struct Asked {
    /// `127.0.0.1:53 (--nameserver)` or `kube-system/coredns-…:53 (port-forward)`.
    pub server: String,
    pub answers: HashMap<Question, Answer>,
}

/// Asks `questions` of `nameserver`, or of a cluster DNS pod through a port-forward.
pub async fn ask(ctx: &Context, nameserver: Option<&str>, questions: &[Question]) -> Result<Asked> {
    match nameserver {
        Some(server) => {
            let addr = tokio::net::lookup_host(server)
                .await
                .ok()
                .and_then(|mut addrs| addrs.next())
                .ok_or_else(|| anyhow!("--nameserver {server}: cannot resolve the address"))?;
            let answers = ask_direct(addr, questions).await;
            Ok(Asked {
                server: format!("{addr} (--nameserver)"),
                answers,
            })
        }
        None => ask_through_api(ctx, questions).await,
    }
}

/// Asks over UDP, re-asking truncated answers over TCP.
async fn ask_direct(server: SocketAddr, questions: &[Question]) -> HashMap<Question, Answer> {
    let mut answers = HashMap::new();
    for batch in questions.chunks(BATCH) {
        let queries = encode_all(batch, true);
        let (mut replies, failure) = match udp_exchange(server, &queries).await {
            Ok(replies) => (replies, None),
            Err(e) => (HashMap::new(), Some(e.to_string())),
        };
        let truncated: Vec<(u16, Vec<u8>)> = queries
            .iter()
            .filter(|(id, _)| replies.get(id).is_some_and(|m| m.metadata.truncation))
            .cloned()
            .collect();
        if !truncated.is_empty() {
            let retried = match TcpStream::connect(server).await {
                Ok(stream) => stream_exchange(stream, &truncated).await,
                Err(_) => HashMap::new(),
            };
            replies.extend(retried);
        }
        collect(batch, &queries, &replies, failure.as_deref(), &mut answers);
    }
    answers
}

/// Lists the cluster DNS pods, port-forwards to a running one and asks over TCP.
async fn ask_through_api(ctx: &Context, questions: &[Question]) -> Result<Asked> {
    let pod = dns_pod(ctx).await?;
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), DNS_NAMESPACE);
    let call = ApiCall::on("create", "pods/portforward", DNS_NAMESPACE, &pod);
    let mut forwarder = match ctx.answer(call, || api.portforward(&pod, &[DNS_PORT])).await? {
        Ok(forwarder) => forwarder,
        Err(kube::Error::Api(status)) if status.code == 403 => {
            return Err(anyhow!(
                "forbidden: user {:?} may not create pods/portforward in namespace {DNS_NAMESPACE}, which --resolve \
                 uses to reach cluster DNS ({}); {NAMESERVER_HINT}",
                ctx.target.user,
                status.message
            ));
        }
        Err(err) => {
            return Err(anyhow!(
                "cannot port-forward to {DNS_NAMESPACE}/{pod} port {DNS_PORT}: {err}; {NAMESERVER_HINT}"
            ));
        }
    };
    let stream = forwarder.take_stream(DNS_PORT).ok_or_else(|| {
        anyhow!("the port-forward to {DNS_NAMESPACE}/{pod} gave no stream for port {DNS_PORT}")
    })?;
    let failed = forwarder.take_error(DNS_PORT);
    let answers = forwarded_exchange(stream, failed, questions)
        .await
        .with_context(|| {
            format!("the port-forward to {DNS_NAMESPACE}/{pod} port {DNS_PORT} failed; {NAMESERVER_HINT}")
        })?;
    forwarder.abort();
    Ok(Asked {
        server: format!("{DNS_NAMESPACE}/{pod}:{DNS_PORT} (port-forward through the API server)"),
        answers,
    })
}

/// The first running cluster DNS pod, Ready ones first.
async fn dns_pod(ctx: &Context) -> Result<String> {
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), DNS_NAMESPACE);
    let call = crate::fetch::list_call("pods", DNS_NAMESPACE);
    let by_label = ListParams::default().labels(DNS_SELECTOR);
    let list = match ctx.answer(call, || api.list(&by_label)).await? {
        Ok(list) => list,
        Err(kube::Error::Api(status)) if status.code == 403 => {
            return Err(anyhow!(
                "forbidden: user {:?} may not list pods in namespace {DNS_NAMESPACE} to find cluster DNS ({}); {NAMESERVER_HINT}",
                ctx.target.user,
                status.message
            ));
        }
        Err(err) => return Err(crate::error::describe_kube_error(&err, call, &ctx.target)),
    };
    let now = k8s_openapi::jiff::Timestamp::now();
    let mut running: Vec<(bool, String)> = list
        .items
        .iter()
        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .map(|p| {
            (
                !pod_health(p, 0, now).ready,
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    running.sort();
    running.into_iter().next().map(|(_, name)| name).ok_or_else(|| {
        anyhow!("no cluster DNS pod is running in namespace {DNS_NAMESPACE} (label {DNS_SELECTOR}) to reach through a port-forward; {NAMESERVER_HINT}")
    })
}

/// Asks over the forwarded stream, giving up when the port-forward reports an error.
async fn forwarded_exchange<S>(
    mut stream: S,
    failed: Option<impl Future<Output = Option<String>>>,
    questions: &[Question],
) -> Result<HashMap<Question, Answer>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let exchange = async {
        let mut answers = HashMap::new();
        for batch in questions.chunks(BATCH) {
            let queries = encode_all(batch, false);
            let replies = stream_exchange(&mut stream, &queries).await;
            collect(
                batch,
                &queries,
                &replies,
                Some("no answer through the port-forward"),
                &mut answers,
            );
        }
        answers
    };
    let Some(failed) = failed else {
        return Ok(exchange.await);
    };
    tokio::pin!(exchange, failed);
    tokio::select! {
        answers = &mut exchange => Ok(answers),
        message = &mut failed => match message {
            Some(message) => Err(anyhow!("{message}")),
            None => Ok(exchange.await),
        },
    }
}

/// Each question as a query message with its id.
fn encode_all(questions: &[Question], udp: bool) -> Vec<(u16, Vec<u8>)> {
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos()) as u16;
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let id = base.wrapping_add(i as u16);
            (id, encode(q, id, udp).unwrap_or_default())
        })
        .collect()
}

fn encode(question: &Question, id: u16, udp: bool) -> Option<Vec<u8>> {
    let name = Name::from_ascii(format!("{}.", question.name.trim_end_matches('.'))).ok()?;
    let kind = match question.kind {
        RecordKind::A => RecordType::A,
        RecordKind::Aaaa => RecordType::AAAA,
        RecordKind::Srv => RecordType::SRV,
        RecordKind::Ptr => RecordType::PTR,
        RecordKind::Soa => RecordType::SOA,
    };
    let mut message = Message::query();
    message.metadata.id = id;
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name, kind));
    if udp {
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_PAYLOAD);
        message.set_edns(edns);
    }
    message.to_vec().ok()
}

/// Sends the queries over UDP a window at a time (so that replies are read as they come, not
/// dropped by a full socket buffer), collecting replies by id; re-sends the unanswered.
async fn udp_exchange(
    server: SocketAddr,
    queries: &[(u16, Vec<u8>)],
) -> std::io::Result<HashMap<u16, Message>> {
    let local: SocketAddr = if server.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }
        .parse()
        .expect("address");
    let socket = UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    let mut replies: HashMap<u16, Message> = HashMap::new();
    let mut buf = vec![0u8; 65535];
    for _ in 0..UDP_ROUNDS {
        let pending: Vec<&(u16, Vec<u8>)> = queries
            .iter()
            .filter(|(id, bytes)| !bytes.is_empty() && !replies.contains_key(id))
            .collect();
        for window in pending.chunks(UDP_WINDOW) {
            for (_, bytes) in window {
                socket.send(bytes).await?;
            }
            let deadline = Instant::now() + UDP_WAIT;
            while !window.iter().all(|(id, _)| replies.contains_key(id)) {
                let Ok(Ok(len)) = timeout_at(deadline, socket.recv(&mut buf)).await else {
                    break;
                };
                if let Ok(message) = Message::from_vec(&buf[..len]) {
                    replies.insert(message.metadata.id, message);
                }
            }
        }
    }
    Ok(replies)
}

/// Writes every query over a DNS-over-TCP stream while reading replies, until all came, the
/// stream ends, or `TCP_WAIT` passes.
async fn stream_exchange<S>(stream: S, queries: &[(u16, Vec<u8>)]) -> HashMap<u16, Message>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let wanted = queries.iter().filter(|(_, b)| !b.is_empty()).count();
    let write = async {
        for (_, bytes) in queries.iter().filter(|(_, b)| !b.is_empty()) {
            let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX).to_be_bytes();
            if writer.write_all(&len).await.is_err() || writer.write_all(bytes).await.is_err() {
                return;
            }
        }
        let _ = writer.flush().await;
    };
    let read = async {
        let mut replies = HashMap::new();
        let deadline = Instant::now() + TCP_WAIT;
        while replies.len() < wanted {
            let mut len = [0u8; 2];
            let Ok(Ok(_)) = timeout_at(deadline, reader.read_exact(&mut len)).await else {
                break;
            };
            let mut bytes = vec![0u8; usize::from(u16::from_be_bytes(len))];
            let Ok(Ok(_)) = timeout_at(deadline, reader.read_exact(&mut bytes)).await else {
                break;
            };
            if let Ok(message) = Message::from_vec(&bytes) {
                replies.insert(message.metadata.id, message);
            }
        }
        replies
    };
    let ((), replies) = tokio::join!(write, read);
    replies
}

/// Pairs replies with their questions (by the id each query was given, checking the reply
/// asks the same).
fn collect(
    batch: &[Question],
    queries: &[(u16, Vec<u8>)],
    replies: &HashMap<u16, Message>,
    failure: Option<&str>,
    answers: &mut HashMap<Question, Answer>,
) {
    for (question, (id, _)) in batch.iter().zip(queries) {
        let reply = replies.get(id).filter(|m| asks(m, question));
        let answer = match reply {
            Some(message) => to_answer(message),
            None if Name::from_ascii(&question.name).is_err() => Answer {
                error: Some("not a valid DNS name".into()),
                ..Answer::default()
            },
            None => Answer {
                error: Some(failure.unwrap_or("no answer").to_string()),
                ..Answer::default()
            },
        };
        answers.insert(question.clone(), answer);
    }
}

/// Whether `message` answers `question` (same name, case aside, and type).
fn asks(message: &Message, question: &Question) -> bool {
    message.queries.first().is_some_and(|q| {
        q.name()
            .to_ascii()
            .trim_end_matches('.')
            .eq_ignore_ascii_case(question.name.trim_end_matches('.'))
            && encode_kind(q.query_type()) == Some(question.kind)
    })
}

fn encode_kind(kind: RecordType) -> Option<RecordKind> {
    Some(match kind {
        RecordType::A => RecordKind::A,
        RecordType::AAAA => RecordKind::Aaaa,
        RecordType::SRV => RecordKind::Srv,
        RecordType::PTR => RecordKind::Ptr,
        RecordType::SOA => RecordKind::Soa,
        _ => return None,
    })
}

/// The plain answer of a DNS reply.
fn to_answer(message: &Message) -> Answer {
    let text = |name: &Name| name.to_ascii().trim_end_matches('.').to_ascii_lowercase();
    let mut answer = Answer {
        rcode: rcode(message.metadata.response_code),
        authoritative: message.metadata.authoritative,
        truncated: message.metadata.truncation,
        ..Answer::default()
    };
    for record in &message.answers {
        match &record.data {
            RData::A(a) => answer.addresses.push(a.0.into()),
            RData::AAAA(a) => answer.addresses.push(a.0.into()),
            RData::SRV(srv) => answer.srv.push(SrvTarget {
                target: text(&srv.target),
                port: srv.port,
            }),
            RData::PTR(ptr) => answer.names.push(text(&ptr.0)),
            _ => {}
        }
    }
    answer.soa_zone = message
        .answers
        .iter()
        .chain(message.authorities.iter())
        .find(|r| r.record_type() == RecordType::SOA)
        .map(|r| text(&r.name));
    answer
}

fn rcode(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        other => format!("RCODE{}", u16::from(other)),
    }
}
