//! core/v1 Events as controllers and kubelets record them (`record.EventRecorder`): named
//! `<object>.<hex nanoseconds>`, in the object's namespace. Recording never fails a reconcile.

use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::{Value, json};

use super::obj;
use crate::resources::{self, Resource};
use crate::store::{self, Store};

/// Who records: `source.component` (and `source.host` for kubelets).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub component: &'a str,
    pub host: Option<&'a str>,
}

impl Source<'static> {
    pub const STATEFULSET: Source<'static> = Source {
        component: "statefulset-controller",
        host: None,
    };
    pub const SCHEDULER: Source<'static> = Source {
        component: "default-scheduler",
        host: None,
    };
    pub const PV_CONTROLLER: Source<'static> = Source {
        component: "persistentvolume-controller",
        host: None,
    };
}

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Normal,
    Warning,
}

static LAST_NANOS: AtomicI64 = AtomicI64::new(0);

/// Unique, increasing nanoseconds for event names.
fn unique_nanos() -> i64 {
    let now = jiff::Timestamp::now().as_nanosecond() as i64;
    let mut last = LAST_NANOS.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST_NANOS.compare_exchange(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// The Event object about `involved` (of kind `res`).
pub fn event(
    res: &Resource,
    involved: &Value,
    source: Source,
    kind: Kind,
    reason: &str,
    message: &str,
) -> Value {
    let now = store::now();
    let namespace = match obj::namespace(involved) {
        "" => "default",
        ns => ns,
    };
    let mut src = json!({"component": source.component});
    if let Some(host) = source.host {
        src["host"] = json!(host);
    }
    json!({
        "metadata": {"name": format!("{}.{:x}", obj::name(involved), unique_nanos()), "namespace": namespace},
        "involvedObject": {
            "kind": res.kind,
            "namespace": obj::namespace(involved),
            "name": obj::name(involved),
            "uid": obj::uid(involved),
            "apiVersion": res.api_version(),
            "resourceVersion": obj::str_at(involved, "/metadata/resourceVersion"),
        },
        "reason": reason,
        "message": message,
        "source": src,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "type": if kind == Kind::Normal { "Normal" } else { "Warning" },
        "eventTime": null,
        "reportingComponent": source.component,
        "reportingInstance": source.host.unwrap_or(""),
    })
}

/// Records an Event as kube-scheduler does, through events.k8s.io/v1, seen as core/v1: no
/// `source`, no first/last timestamps or count but `eventTime`, and the `action` it was taking
/// (`Scheduling`, `Binding`).
pub fn record_scheduler(store: &Store, pod: &Value, kind: Kind, reason: &str, action: &str, message: &str) {
    let mut ev = event(&resources::PODS, pod, Source::SCHEDULER, kind, reason, message);
    let micro = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S.%6fZ")
        .to_string();
    if let Some(fields) = ev.as_object_mut() {
        fields.remove("count");
        fields.insert("source".into(), json!({}));
        fields.insert("firstTimestamp".into(), Value::Null);
        fields.insert("lastTimestamp".into(), Value::Null);
        fields.insert("eventTime".into(), json!(micro));
        fields.insert("action".into(), json!(action));
        fields.insert("reportingInstance".into(), json!("default-scheduler-sim"));
    }
    let ns = obj::str_at(&ev, "/metadata/namespace").to_string();
    let _ = store.create(&resources::EVENTS, &ns, ev, false);
}

/// Records an Event about `involved`.
pub fn record(
    store: &Store,
    res: &Resource,
    involved: &Value,
    source: Source,
    kind: Kind,
    reason: &str,
    message: &str,
) {
    let ev = event(res, involved, source, kind, reason, message);
    let ns = obj::str_at(&ev, "/metadata/namespace").to_string();
    // An event that cannot be stored (namespace going away) is dropped, as the recorder does.
    let _ = store.create(&resources::EVENTS, &ns, ev, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_name_their_object_and_source() {
        let set =
            json!({"metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7"}});
        let ev = event(
            &resources::STATEFULSETS,
            &set,
            Source::STATEFULSET,
            Kind::Normal,
            "SuccessfulCreate",
            "create Pod web-0 in StatefulSet web successful",
        );
        assert!(obj::name(&ev).starts_with("web."));
        assert_eq!(ev["involvedObject"]["apiVersion"], "apps/v1");
        assert_eq!(ev["source"]["component"], "statefulset-controller");
        assert_eq!(ev["type"], "Normal");
        let other = event(
            &resources::STATEFULSETS,
            &set,
            Source::STATEFULSET,
            Kind::Normal,
            "x",
            "y",
        );
        assert_ne!(obj::name(&ev), obj::name(&other));
    }
}
