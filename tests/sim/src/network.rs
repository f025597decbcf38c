//! The pod network as far as the simulated cluster has one: which pods' ports are really
//! listening, and where on loopback. A kubelet's port-forward reaches a pod's port only
//! through this; every other port of every pod refuses connections, as a port nothing listens
//! on does. It never sends traffic anywhere but loopback.

use std::net::SocketAddr;
use std::sync::Mutex;

use serde_json::Value;

use crate::selector::LabelSelector;

/// One port served for the pods of a namespace that carry a label.
struct Exposed {
    namespace: String,
    selector: LabelSelector,
    port: u16,
    addr: SocketAddr,
}

/// Ports of pods that are backed by a loopback listener.
#[derive(Default)]
pub struct PodNetwork {
    exposed: Mutex<Vec<Exposed>>,
}

impl PodNetwork {
    /// Serves `port` of every pod in `namespace` whose labels match `selector` (as
    /// `key=value,…`) at `addr`.
    pub fn expose(&self, namespace: &str, selector: &str, port: u16, addr: SocketAddr) {
        let selector = LabelSelector::parse(selector).expect("a valid label selector");
        self.exposed.lock().expect("pod network lock").push(Exposed {
            namespace: namespace.to_string(),
            selector,
            port,
            addr,
        });
    }

    /// Where `port` of `pod` listens, if anything listens there.
    pub fn address_of(&self, pod: &Value, port: u16) -> Option<SocketAddr> {
        let namespace = pod.pointer("/metadata/namespace").and_then(Value::as_str)?;
        self.exposed
            .lock()
            .expect("pod network lock")
            .iter()
            .find(|e| e.namespace == namespace && e.port == port && e.selector.matches_object(pod))
            .map(|e| e.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_matching_pods_and_ports_listen() {
        let net = PodNetwork::default();
        let addr: SocketAddr = "127.0.0.1:5353".parse().unwrap();
        net.expose("kube-system", "k8s-app=kube-dns", 53, addr);
        let dns = json!({"metadata": {"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}}});
        let web = json!({"metadata": {"namespace": "default", "labels": {"k8s-app": "kube-dns"}}});
        assert_eq!(net.address_of(&dns, 53), Some(addr));
        assert_eq!(net.address_of(&dns, 9153), None);
        assert_eq!(net.address_of(&web, 53), None);
    }
}
