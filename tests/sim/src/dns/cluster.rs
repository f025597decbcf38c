//! The DNS addon's objects, as a kubeadm cluster has them: two CoreDNS pods in kube-system
//! labelled `k8s-app=kube-dns` (ports 53/UDP, 53/TCP, 9153/TCP), the `kube-dns` Service at
//! 10.96.0.10, and the `kubernetes` Service in `default` every cluster has. The kubelets run
//! the pods like any other; their port 53 is the DNS server (see `network`).

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use crate::network::PodNetwork;
use crate::resources::{PODS, SERVICES};
use crate::store::Store;

/// The label cluster DNS pods carry, as a selector.
pub const DNS_POD_SELECTOR: &str = "k8s-app=kube-dns";

/// The CoreDNS pods' names (a ReplicaSet's, in a real cluster).
const POD_NAMES: [&str; 2] = ["coredns-5d78c9869d-4xk7p", "coredns-5d78c9869d-q2n9w"];

fn coredns_pod(name: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": "kube-system",
                     "labels": {"k8s-app": "kube-dns", "pod-template-hash": "5d78c9869d"}},
        "spec": {
            "priorityClassName": "system-cluster-critical",
            "dnsPolicy": "Default",
            "containers": [{
                "name": "coredns",
                "image": "registry.k8s.io/coredns/coredns:v1.12.0",
                "args": ["-conf", "/etc/coredns/Corefile"],
                "ports": [
                    {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                    {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"},
                    {"name": "metrics", "containerPort": 9153, "protocol": "TCP"}
                ]
            }]
        }
    })
}

fn kube_dns_service() -> Value {
    json!({
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
                     "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"}},
        "spec": {
            "clusterIP": "10.96.0.10",
            "selector": {"k8s-app": "kube-dns"},
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}
            ]
        }
    })
}

fn kubernetes_service() -> Value {
    json!({
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "clusterIP": "10.96.0.1",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]
        }
    })
}

/// Creates the addon's objects and routes the pods' port 53 to `server`.
pub fn install(store: &Store, net: &PodNetwork, server: std::net::SocketAddr) -> Result<()> {
    let create = |res, ns: &str, obj: Value| {
        store
            .create(res, ns, obj, false)
            .map(|_| ())
            .map_err(|e| anyhow!("cannot create the DNS addon: {e}"))
    };
    create(&SERVICES, "default", kubernetes_service())?;
    create(&SERVICES, "kube-system", kube_dns_service())?;
    for name in POD_NAMES {
        create(&PODS, "kube-system", coredns_pod(name))?;
    }
    net.expose("kube-system", DNS_POD_SELECTOR, 53, server);
    Ok(())
}
