//! Cluster DNS of the simulated cluster: CoreDNS's answers from the EndpointSlices over UDP and
//! TCP, the propagation delay that lets a stale answer be seen, the kube-system addon objects,
//! and `pods/{name}/portforward` over WebSocket as kube-rs speaks it (DNS through a DNS pod, the
//! kubelet's error for a port nothing listens on, 403 for a read-only user).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use serde_json::Value;
use sts_sim::dns::DnsConfig;
use sts_sim::resources::{PODS, SERVICES, STATEFULSETS};
use sts_sim::sim::VIEWER_TOKEN;
use sts_sim::store::DeleteOptions;
use sts_sim::{Sim, SimConfig};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::api_support;

const WEB_0: &str = "web-0.nginx.default.svc.cluster.local.";

fn start(delay: Duration) -> Sim {
    let config = SimConfig {
        dns: Some(DnsConfig {
            propagation_delay: delay,
            ..DnsConfig::default()
        }),
        ..SimConfig::fast()
    };
    let sim = Sim::start(config).expect("the simulated cluster starts");
    sim.store
        .create(&SERVICES, "default", api_support::nginx_service(), false)
        .expect("service");
    sim.store
        .create(&STATEFULSETS, "default", api_support::web_set(), false)
        .expect("set");
    sim
}

/// Waits, re-checking on every change and every 50 ms, until `done` holds.
async fn wait_until(sim: &Sim, what: &str, done: impl Fn(&Sim) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut changes = sim.store.subscribe();
    while !done(sim) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        let _ = tokio::time::timeout(Duration::from_millis(50), changes.recv()).await;
    }
}

fn pod(sim: &Sim, ns: &str, name: &str) -> Option<Value> {
    sim.store.try_get(&PODS, ns, name)
}

fn ready_ip(sim: &Sim, name: &str) -> Option<String> {
    let pod = pod(sim, "default", name)?;
    let ready = pod["status"]["conditions"]
        .as_array()?
        .iter()
        .any(|c| c["type"] == "Ready" && c["status"] == "True");
    let ip = pod["status"]["podIP"].as_str()?;
    (ready && pod["metadata"]["deletionTimestamp"].is_null()).then(|| ip.to_string())
}

async fn web_ready_and_published(sim: &Sim) {
    wait_until(sim, "3 ready pods answered by DNS", |s| {
        (0..3).all(|o| ready_ip(s, &format!("web-{o}")).is_some()) && s.dns_caught_up()
    })
    .await;
}

fn query(name: &str, kind: RecordType) -> Vec<u8> {
    let mut message = Message::query();
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(Name::from_ascii(name).unwrap(), kind));
    message.to_vec().unwrap()
}

async fn ask_udp(server: SocketAddr, name: &str, kind: RecordType) -> Message {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket.send_to(&query(name, kind), server).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let (len, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf))
        .await
        .expect("an answer within 5s")
        .unwrap();
    Message::from_vec(&buf[..len]).unwrap()
}

async fn ask_stream<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    name: &str,
    kind: RecordType,
) -> Message {
    let bytes = query(name, kind);
    stream
        .write_all(&(bytes.len() as u16).to_be_bytes())
        .await
        .unwrap();
    stream.write_all(&bytes).await.unwrap();
    let mut len = [0u8; 2];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut len))
        .await
        .expect("an answer within 5s")
        .unwrap();
    let mut reply = vec![0u8; u16::from_be_bytes(len) as usize];
    stream.read_exact(&mut reply).await.unwrap();
    Message::from_vec(&reply).unwrap()
}

fn addresses(message: &Message) -> Vec<String> {
    message
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0).to_string()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn pod_and_service_names_are_answered_over_udp_and_tcp_from_the_endpoint_slices() {
    let sim = start(Duration::ZERO);
    web_ready_and_published(&sim).await;
    let server = sim.dns_addr().expect("DNS is enabled");
    let web0 = ready_ip(&sim, "web-0").unwrap();
    let udp = ask_udp(server, WEB_0, RecordType::A).await;
    assert_eq!(udp.metadata.response_code, ResponseCode::NoError);
    assert_eq!(addresses(&udp), std::slice::from_ref(&web0));
    let mut tcp = tokio::net::TcpStream::connect(server).await.unwrap();
    assert_eq!(
        addresses(&ask_stream(&mut tcp, WEB_0, RecordType::A).await),
        [web0]
    );
    let service = ask_stream(&mut tcp, "nginx.default.svc.cluster.local.", RecordType::A).await;
    assert_eq!(addresses(&service).len(), 3);
    let srv = ask_stream(
        &mut tcp,
        "_web._tcp.nginx.default.svc.cluster.local.",
        RecordType::SRV,
    )
    .await;
    assert_eq!(srv.answers.len(), 3);
    let nope = ask_udp(server, "web-7.nginx.default.svc.cluster.local.", RecordType::A).await;
    assert_eq!(nope.metadata.response_code, ResponseCode::NXDomain);
    let api = ask_udp(server, "kubernetes.default.svc.cluster.local.", RecordType::A).await;
    assert_eq!(addresses(&api), ["10.96.0.1"]);
}

#[tokio::test]
async fn the_dns_addon_runs_in_kube_system() {
    let sim = start(Duration::ZERO);
    wait_until(&sim, "the CoreDNS pods to run", |s| {
        let (pods, _) = s.store.list(&PODS, Some("kube-system"), &|p| {
            p.pointer("/metadata/labels/k8s-app") == Some(&Value::from("kube-dns"))
                && p.pointer("/status/phase") == Some(&Value::from("Running"))
        });
        pods.len() == 2
    })
    .await;
    let svc = sim
        .store
        .try_get(&SERVICES, "kube-system", "kube-dns")
        .expect("kube-dns");
    assert_eq!(svc["spec"]["clusterIP"], "10.96.0.10");
}

#[tokio::test]
async fn a_recreated_pod_is_answered_with_its_old_ip_until_dns_catches_up() {
    let sim = start(Duration::from_secs(5));
    web_ready_and_published(&sim).await;
    let server = sim.dns_addr().unwrap();
    let old = ready_ip(&sim, "web-1").unwrap();
    let old_uid = pod(&sim, "default", "web-1").unwrap()["metadata"]["uid"].clone();
    sim.store
        .delete(&PODS, "default", "web-1", &DeleteOptions::default())
        .expect("delete");
    wait_until(&sim, "web-1 back with a new IP", |s| {
        pod(s, "default", "web-1").is_some_and(|p| p["metadata"]["uid"] != old_uid)
            && ready_ip(s, "web-1").is_some()
    })
    .await;
    let new = ready_ip(&sim, "web-1").unwrap();
    assert_ne!(new, old);
    let name = "web-1.nginx.default.svc.cluster.local.";
    assert!(!sim.dns_caught_up(), "the test must ask before DNS catches up");
    assert_eq!(addresses(&ask_udp(server, name, RecordType::A).await), [old]);
    wait_until(&sim, "DNS to catch up", Sim::dns_caught_up).await;
    assert_eq!(addresses(&ask_udp(server, name, RecordType::A).await), [new]);
}

async fn dns_pod_name(sim: &Sim) -> String {
    wait_until(sim, "a running CoreDNS pod", |s| {
        let (pods, _) = s.store.list(&PODS, Some("kube-system"), &|p| {
            p.pointer("/status/phase") == Some(&Value::from("Running"))
        });
        !pods.is_empty()
    })
    .await;
    let (pods, _) = sim.store.list(&PODS, Some("kube-system"), &|p| {
        p.pointer("/status/phase") == Some(&Value::from("Running"))
    });
    pods[0]["metadata"]["name"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_port_forward_to_a_dns_pod_carries_dns_over_tcp() {
    let sim = start(Duration::ZERO);
    web_ready_and_published(&sim).await;
    let client = api_support::admin(&sim).await;
    let pods: Api<Pod> = Api::namespaced(client, "kube-system");
    let mut forwarder = pods
        .portforward(&dns_pod_name(&sim).await, &[53])
        .await
        .expect("port-forward");
    let mut stream = forwarder.take_stream(53).expect("a stream for port 53");
    let web0 = ready_ip(&sim, "web-0").unwrap();
    for _ in 0..2 {
        assert_eq!(
            addresses(&ask_stream(&mut stream, WEB_0, RecordType::A).await),
            std::slice::from_ref(&web0)
        );
    }
    drop(stream);
    tokio::time::timeout(Duration::from_secs(5), forwarder.join())
        .await
        .expect("the forward ends when the stream is dropped")
        .expect("it ends cleanly");
    let logged = sim
        .log
        .entries()
        .into_iter()
        .find(|e| e.subresource.as_deref() == Some("portforward"))
        .expect("the request is logged");
    assert_eq!((logged.verb.as_str(), logged.status), ("create", 101));
}

#[tokio::test]
async fn a_port_nothing_listens_on_gets_the_kubelets_error() {
    let sim = start(Duration::ZERO);
    web_ready_and_published(&sim).await;
    let client = api_support::admin(&sim).await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let mut forwarder = pods
        .portforward("web-0", &[80])
        .await
        .expect("the upgrade succeeds");
    let error = forwarder.take_error(80).expect("an error channel");
    let message = tokio::time::timeout(Duration::from_secs(5), error)
        .await
        .expect("an error within 5s")
        .expect("an error message");
    assert!(
        message.starts_with("error forwarding port 80 to pod web-0_default")
            && message.contains("connection refused"),
        "{message}"
    );
}

#[tokio::test]
async fn a_read_only_user_may_not_port_forward() {
    let sim = start(Duration::ZERO);
    let name = dns_pod_name(&sim).await;
    let viewer = api_support::client_from(&sim.kubeconfig_for("viewer", VIEWER_TOKEN)).await;
    let pods: Api<Pod> = Api::namespaced(viewer, "kube-system");
    match pods.portforward(&name, &[53]).await {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 403);
            assert!(
                status
                    .message
                    .contains("cannot create resource \"pods/portforward\""),
                "{}",
                status.message
            );
        }
        Err(other) => panic!("expected 403, got {other}"),
        Ok(_) => panic!("expected 403, got a port-forward"),
    }
}
