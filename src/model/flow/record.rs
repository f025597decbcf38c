//! What a guided command records in the cluster before a step that leaves an intermediate
//! state, so that the record outlives the machine that ran it: which command finishes it, the
//! step reached and the command's own data. It lives in an annotation on the set, and, for the
//! steps in which the set itself goes away (`pvc resize`, `delete --orphan`), in a ConfigMap
//! next to the pods that also holds the set's manifest (never Secret data: only the set).

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::ConfigMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::set::scope::Scope;

/// The annotation on the set holding the record (JSON).
pub const IN_FLIGHT: &str = "kubectl-sts.io/in-flight";
/// The label every record ConfigMap carries, with the set's name as its value.
pub const RECORD_LABEL: &str = "kubectl-sts.io/record-of";
/// The ConfigMap keys: the record (JSON) and the set's manifest (YAML).
pub const RECORD_KEY: &str = "record.json";
pub const MANIFEST_KEY: &str = "statefulset.yaml";

/// A step in flight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The command that finishes it, as the user types it.
    pub command: String,
    /// The step reached: what was about to be done when the record was written.
    pub step: String,
    /// When the command started (RFC 3339).
    pub started: String,
    /// What the command needs to resume (a timestamp, a partition, a revision).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub data: Value,
    /// Commands that may take over while the step is in flight (a progressive rollout
    /// yields to `kubectl sts abort NAME`, which replaces the record with its own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub yields_to: Vec<String>,
}

impl Record {
    /// The one-line description: `` `kubectl sts restart web -n ns` (step restart, since T)``,
    /// the command completed with the flags that reach the set from where it is read, and the
    /// pod check it waits on, if any.
    pub fn describe(&self, scope: &Scope) -> String {
        let described = format!(
            "`{}` (step {}, since {})",
            scope.complete(&self.command),
            self.step,
            self.started
        );
        match self.waiting_on_check() {
            Some(check) => format!("{described}, {check}"),
            None => described,
        }
    }

    /// The pod check a gated roll waits on, in words: which pod, since when, its last output.
    pub fn waiting_on_check(&self) -> Option<String> {
        let check = self.data.get("check")?;
        let pod = check["pod"].as_str()?;
        let since = check["since"].as_str().unwrap_or("?");
        let last = match check["last"].as_str().filter(|l| !l.is_empty()) {
            Some(last) => format!("; last output: {last}"),
            None => String::new(),
        };
        Some(format!("waiting on the pod check of {pod} since {since}{last}"))
    }
}

/// Now, as records and the annotations of guided commands write it: RFC 3339 to the second
/// (what people read; kubectl prints no fractions either).
pub fn now() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Whether a recorded `command` is `identity` (what names the run), alone or followed by any
/// of `flags` (those a re-run may change): such a record is resumed, not refused.
pub fn same_but_flags(command: &str, identity: &str, flags: &[&str]) -> bool {
    command.strip_prefix(identity).is_some_and(|rest| {
        rest.is_empty()
            || flags
                .iter()
                .any(|flag| rest.strip_prefix(' ').is_some_and(|r| r.starts_with(flag)))
    })
}

/// The name of the ConfigMap recording a step of set `set`.
pub fn record_map_name(set: &str) -> String {
    format!("kubectl-sts-{set}")
}

/// The record in the set's annotation, if any (an unreadable one is ignored).
pub fn on_set(sts: &StatefulSet) -> Option<Record> {
    let text = sts.metadata.annotations.as_ref()?.get(IN_FLIGHT)?;
    serde_json::from_str(text).ok()
}

/// The record and the manifest a record ConfigMap holds.
pub fn in_map(map: &ConfigMap) -> Option<(Record, Option<String>)> {
    let data = map.data.as_ref()?;
    let record = serde_json::from_str(data.get(RECORD_KEY)?).ok()?;
    Some((record, data.get(MANIFEST_KEY).cloned()))
}

/// Why a command other than the one a record names must not start: the record and the
/// command that finishes it, completed with `scope`'s flags so that it pastes. Commands are
/// compared as stored, without those flags: a record lives beside its set, and is read from
/// any kubeconfig.
pub fn refusal(whose: &str, record: &Record, command: &str, scope: &Scope) -> Option<String> {
    let takes_over = record.yields_to.iter().any(|c| c == command);
    (record.command != command && !takes_over).then(|| {
        format!(
            "{whose} has a step in flight: {}; run `{}` to finish it first (nothing was changed)",
            record.describe(scope),
            scope.complete(&record.command)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::SetBuilder;

    fn record() -> Record {
        Record {
            command: "kubectl sts restart web".into(),
            step: "restart".into(),
            started: "2026-11-22T01:00:00Z".into(),
            data: serde_json::json!({"restarted_at": "2026-11-22T01:00:00Z"}),
            yields_to: Vec::new(),
        }
    }

    /// Where the tests' user reaches the set: namespace `db` of context `c`.
    fn db() -> Scope {
        Scope {
            context: Some("c".into()),
            ..Scope::namespace("db")
        }
    }

    #[test]
    fn a_record_is_resumed_by_its_command_with_other_changeable_flags() {
        let identity = "kubectl sts rollout web --steps 1,2";
        let flags = ["--pause", "--pod-check"];
        assert!(same_but_flags(identity, identity, &flags));
        assert!(same_but_flags(
            &format!("{identity} --pause 5m"),
            identity,
            &flags
        ));
        assert!(!same_but_flags(&format!("{identity},3"), identity, &flags));
        assert!(!same_but_flags(
            &format!("{identity} --no-auto-abort"),
            identity,
            &flags
        ));
        assert!(!same_but_flags(
            "kubectl sts rollout db --steps 1,2",
            identity,
            &flags
        ));
    }

    #[test]
    fn a_record_round_trips_through_the_annotation() {
        let mut set = SetBuilder::new("web").build();
        let text = serde_json::to_string(&record()).unwrap();
        set.metadata.annotations = Some([(IN_FLIGHT.to_string(), text)].into());
        assert_eq!(on_set(&set), Some(record()));
        set.metadata.annotations = Some([(IN_FLIGHT.to_string(), "not json".to_string())].into());
        assert_eq!(on_set(&set), None);
    }

    #[test]
    fn only_the_recorded_command_may_go_on() {
        assert_eq!(
            refusal(
                "statefulset default/web",
                &record(),
                "kubectl sts restart web",
                &db()
            ),
            None
        );
        let refused = refusal(
            "statefulset default/web",
            &record(),
            "kubectl sts scale web --replicas 5",
            &db(),
        )
        .unwrap();
        assert!(
            refused.contains("run `kubectl sts restart web -n db --context c` to finish it first"),
            "{refused}"
        );
    }

    #[test]
    fn a_record_may_yield_to_a_named_command() {
        let mut record = record();
        record.yields_to = vec!["kubectl sts abort web".into()];
        let whose = "statefulset default/web";
        assert_eq!(refusal(whose, &record, "kubectl sts abort web", &db()), None);
        assert!(refusal(whose, &record, "kubectl sts promote web", &db()).is_some());
    }
}
