//! Lists read lean: each item is trimmed of what the tool never looks at as soon as it is
//! decoded, so that a list of a thousand pods never holds a thousand copies of the service
//! account token volume, the tolerations every pod gets by default, or managed fields.
//! Requests, errors and retries are kube's and `Context::call`'s, as for any list.

use std::fmt;
use std::marker::PhantomData;

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::ListParams;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// What of an object the tool never reads.
pub trait Trim {
    fn trim(&mut self);
}

/// A pod keeps its metadata (but managed fields), its containers, node and status, and of its
/// volumes only the claims, and those only until it is placed on a node: what reads them is
/// the judgement of a pod the scheduler cannot place (its "unbound claims" message, a claim's
/// volume pinned to a node). A volume is the largest part of a decoded pod.
impl Trim for Pod {
    fn trim(&mut self) {
        self.metadata.managed_fields = None;
        if let Some(spec) = &mut self.spec {
            spec.tolerations = None;
            match (&spec.node_name, &mut spec.volumes) {
                (Some(_), volumes) => *volumes = None,
                (None, Some(volumes)) => {
                    volumes.retain(|v| v.persistent_volume_claim.is_some());
                    volumes.shrink_to_fit();
                }
                (None, None) => {}
            }
        }
    }
}

impl Trim for PersistentVolumeClaim {
    fn trim(&mut self) {
        self.metadata.managed_fields = None;
    }
}

/// The items of a list of `K` in `namespace`, each trimmed as it is read.
pub async fn list<K>(client: &kube::Client, namespace: &str, params: &ListParams) -> kube::Result<Vec<K>>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + DeserializeOwned
        + Trim,
{
    let mut request = kube::core::Request::new(K::url_path(&(), Some(namespace)))
        .list(params)
        .map_err(kube::Error::BuildRequest)?;
    request.extensions_mut().insert("list");
    let text = client.request_text(request).await?;
    let list: Items<K> = serde_json::from_str(&text).map_err(kube::Error::SerdeError)?;
    Ok(list.0)
}

/// The `items` of a list, trimmed one by one.
struct Items<K>(Vec<K>);

impl<'de, K: DeserializeOwned + Trim> Deserialize<'de> for Items<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ListVisitor(PhantomData))
    }
}

struct ListVisitor<K>(PhantomData<K>);

impl<'de, K: DeserializeOwned + Trim> Visitor<'de> for ListVisitor<K> {
    type Value = Items<K>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Kubernetes objects")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items<K>, A::Error> {
        let mut items = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "items" => items = map.next_value_seed(Trimmed(PhantomData))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Items(items))
    }
}

/// A sequence (or `null`) of objects, each trimmed as soon as it is decoded.
struct Trimmed<K>(PhantomData<K>);

impl<'de, K: DeserializeOwned + Trim> DeserializeSeed<'de> for Trimmed<K> {
    type Value = Vec<K>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<K>, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, K: DeserializeOwned + Trim> Visitor<'de> for Trimmed<K> {
    type Value = Vec<K>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence of objects")
    }

    fn visit_none<E: de::Error>(self) -> Result<Vec<K>, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<K>, D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<K>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(mut item) = seq.next_element::<K>()? {
            item.trim();
            items.push(item);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_not_yet_placed_keep_their_claims_and_lose_the_rest_of_their_volumes() {
        let text = serde_json::json!({
            "kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "7"},
            "items": [{
                "metadata": {"name": "web-0", "managedFields": [{"manager": "kubelet"}]},
                "spec": {
                    "containers": [{"name": "nginx", "image": "nginx:1.25"}],
                    "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists"}],
                    "volumes": [
                        {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}},
                        {"name": "kube-api-access-x", "projected": {"sources": []}}
                    ]
                },
                "status": {"phase": "Running"}
            }]
        })
        .to_string();
        let pods: Items<Pod> = serde_json::from_str(&text).unwrap();
        let pod = &pods.0[0];
        let spec = pod.spec.as_ref().unwrap();
        let volumes: Vec<&str> = spec.volumes.iter().flatten().map(|v| v.name.as_str()).collect();
        assert_eq!(volumes, ["www"]);
        assert!(spec.tolerations.is_none() && pod.metadata.managed_fields.is_none());
        assert_eq!(spec.containers[0].image.as_deref(), Some("nginx:1.25"));
        assert_eq!(pod.status.as_ref().unwrap().phase.as_deref(), Some("Running"));
    }

    #[test]
    fn a_pod_placed_on_a_node_keeps_no_volumes() {
        let text = serde_json::json!({"items": [{
            "metadata": {"name": "web-0"},
            "spec": {
                "nodeName": "node-1",
                "containers": [{"name": "nginx"}],
                "volumes": [{"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}]
            }
        }]})
        .to_string();
        let pods: Items<Pod> = serde_json::from_str(&text).unwrap();
        let spec = pods.0[0].spec.as_ref().unwrap();
        assert!(spec.volumes.is_none());
        assert_eq!(spec.node_name.as_deref(), Some("node-1"));
    }

    #[test]
    fn a_list_without_items_is_empty() {
        for text in [r#"{"kind":"PodList","items":null}"#, r#"{"kind":"PodList"}"#] {
            let pods: Items<Pod> = serde_json::from_str(text).unwrap();
            assert!(pods.0.is_empty());
        }
    }
}
