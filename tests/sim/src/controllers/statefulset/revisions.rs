//! ControllerRevisions of a StatefulSet (`controller/history` and `stateful_set_utils.go`):
//! the patch a revision stores, its hash and name (the same hash kube-controller-manager
//! computes), ordering, equality, which revision becomes the update revision and which old
//! ones are pruned. Pure; the store I/O lives in `history.rs`.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::spec::SetSpec;
use crate::controllers::obj;
use crate::resources;

/// `controller.kubernetes.io/hash`.
pub const HASH_LABEL: &str = "controller.kubernetes.io/hash";

/// The data of a revision of `template`: `{"spec":{"template":{"$patch":"replace",...}}}`.
pub fn revision_data(template: &Value) -> Value {
    let mut template = template.clone();
    if let Some(t) = template.as_object_mut() {
        t.insert("$patch".into(), json!("replace"));
    }
    json!({"spec": {"template": template}})
}

/// The pod template a revision stores.
pub fn template_of(revision: &Value) -> Value {
    let mut template = revision
        .pointer("/data/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(t) = template.as_object_mut() {
        t.remove("$patch");
    }
    template
}

/// `HashControllerRevision`: FNV-1 (32 bit) of the JSON the controller encodes (keys sorted)
/// followed by the collision count, in the alphabet of `rand.SafeEncodeString`.
pub fn hash(data: &Value, collision_count: i64) -> String {
    let mut text = String::new();
    write_go_json(data, &mut text);
    text.push_str(&collision_count.to_string());
    safe_encode(&fnv1_32(text.as_bytes()).to_string())
}

fn fnv1_32(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0x811c_9dc5u32, |h, b| h.wrapping_mul(0x0100_0193) ^ u32::from(*b))
}

/// `rand.SafeEncodeString`: every byte mapped into an alphabet without vowels.
fn safe_encode(text: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    text.bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

/// JSON as Go's `encoding/json` writes a `map[string]interface{}`: compact, keys sorted,
/// `<`, `>`, `&`, U+2028 and U+2029 escaped.
fn write_go_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(key, out);
                out.push(':');
                write_go_json(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_go_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A new ControllerRevision of `set` (`newRevision`): owned by the set, labelled with the
/// template's labels and the hash, annotated like the set, named `<set>-<hash>`.
pub fn new_revision(set: &Value, spec: &SetSpec, number: i64, collision_count: i64) -> Value {
    let template = set
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let data = revision_data(&template);
    let hash = hash(&data, collision_count);
    let mut labels: Map<String, Value> = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.insert(HASH_LABEL.into(), json!(hash));
    let mut meta = json!({
        "name": revision_name(&spec.name, &hash),
        "namespace": spec.namespace,
        "labels": labels,
        "ownerReferences": [obj::new_controller_ref(&resources::STATEFULSETS, set)],
    });
    if let Some(annotations) = set.pointer("/metadata/annotations").filter(|a| a.is_object()) {
        meta["annotations"] = annotations.clone();
    }
    json!({"metadata": meta, "data": data, "revision": number})
}

/// `ControllerRevisionName`: the set's name (cut to 223 characters), a dash, the hash.
pub fn revision_name(set_name: &str, hash: &str) -> String {
    let prefix: String = set_name.chars().take(223).collect();
    format!("{prefix}-{hash}")
}

/// The `revision` number.
pub fn number(revision: &Value) -> i64 {
    obj::i64_at(revision, "/revision").unwrap_or(0)
}

/// Sorts by revision number, then creation time, then name (`SortControllerRevisions`).
pub fn sort(revisions: &mut [Value]) {
    revisions.sort_by(|a, b| {
        number(a)
            .cmp(&number(b))
            .then_with(|| {
                obj::str_at(a, "/metadata/creationTimestamp")
                    .cmp(obj::str_at(b, "/metadata/creationTimestamp"))
            })
            .then_with(|| obj::name(a).cmp(obj::name(b)))
    });
}

/// Same stored template (`EqualRevision`).
pub fn equal(a: &Value, b: &Value) -> bool {
    let hash_a = obj::label(a, HASH_LABEL);
    let hash_b = obj::label(b, HASH_LABEL);
    if hash_a.is_some() && hash_b.is_some() && hash_a != hash_b {
        return false;
    }
    a.get("data") == b.get("data")
}

/// How the update revision is found (`getStatefulSetRevisions`).
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateRevision {
    /// The newest revision already stores the template.
    Latest(String),
    /// An older revision stores it: it gets the next number (a rollback).
    Renumber { name: String, number: i64 },
    /// No revision stores it: create this one.
    Create(Value),
}

/// Chooses the update revision for `candidate` (built with the next number) among `sorted`.
pub fn choose_update(sorted: &[Value], candidate: Value) -> UpdateRevision {
    let Some(equal_rev) = sorted.iter().rev().find(|r| equal(r, &candidate)) else {
        return UpdateRevision::Create(candidate);
    };
    let latest = sorted.last().expect("an equal revision exists");
    if equal(latest, equal_rev) {
        return UpdateRevision::Latest(obj::name(latest).to_string());
    }
    UpdateRevision::Renumber {
        name: obj::name(equal_rev).to_string(),
        number: number(&candidate),
    }
}

/// The next revision number: one more than the highest.
pub fn next_number(sorted: &[Value]) -> i64 {
    sorted.last().map_or(1, |r| number(r) + 1)
}

/// Revisions to delete to keep `limit` non-live ones (`truncateHistory`), oldest first.
pub fn to_prune(sorted: &[Value], live: &HashSet<String>, limit: i64) -> Vec<String> {
    let history: Vec<&Value> = sorted.iter().filter(|r| !live.contains(obj::name(r))).collect();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if history.len() <= limit {
        return Vec::new();
    }
    history[..history.len() - limit]
        .iter()
        .map(|r| obj::name(r).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nginx_template(image: &str) -> Value {
        json!({
            "metadata": {"labels": {"app": "nginx"}},
            "spec": {
                "containers": [{
                    "image": image, "imagePullPolicy": "IfNotPresent", "name": "nginx",
                    "ports": [{"containerPort": 80, "name": "web", "protocol": "TCP"}],
                    "resources": {}, "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "volumeMounts": [{"mountPath": "/usr/share/nginx/html", "name": "www"}]
                }],
                "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
                "schedulerName": "default-scheduler", "securityContext": {},
                "terminationGracePeriodSeconds": 30
            }
        })
    }

    #[test]
    fn hash_matches_the_real_controller() {
        // traces/objects/controllerrevisions.json: web-7649495d95.
        assert_eq!(
            hash(&revision_data(&nginx_template("nginx:1.25")), 0),
            "7649495d95"
        );
        assert_ne!(
            hash(&revision_data(&nginx_template("nginx:1.25")), 1),
            "7649495d95"
        );
    }

    #[test]
    fn go_escaping() {
        let mut out = String::new();
        write_go_json(&json!({"b": "<&>", "a": [1, "x\ny"]}), &mut out);
        assert_eq!(out, r#"{"a":[1,"x\ny"],"b":"\u003c\u0026\u003e"}"#);
    }

    fn rev(name: &str, number: i64, image: &str) -> Value {
        json!({"metadata": {"name": name}, "revision": number, "data": revision_data(&nginx_template(image))})
    }

    #[test]
    fn update_revision_is_reused_renumbered_or_created() {
        let sorted = vec![rev("a", 1, "v1"), rev("b", 2, "v2")];
        assert_eq!(
            choose_update(&sorted, rev("new", 3, "v2")),
            UpdateRevision::Latest("b".into())
        );
        assert_eq!(
            choose_update(&sorted, rev("new", 3, "v1")),
            UpdateRevision::Renumber {
                name: "a".into(),
                number: 3
            }
        );
        assert!(matches!(
            choose_update(&sorted, rev("new", 3, "v3")),
            UpdateRevision::Create(_)
        ));
        assert_eq!(next_number(&sorted), 3);
        assert_eq!(next_number(&[]), 1);
    }

    #[test]
    fn pruning_keeps_live_revisions_and_the_newest_history() {
        let sorted: Vec<Value> = (1..=5)
            .map(|n| rev(&format!("r{n}"), n, &format!("v{n}")))
            .collect();
        let live: HashSet<String> = ["r1".to_string(), "r5".to_string()].into();
        assert_eq!(to_prune(&sorted, &live, 1), vec!["r2", "r3"]);
        assert!(to_prune(&sorted, &live, 3).is_empty());
    }
}
