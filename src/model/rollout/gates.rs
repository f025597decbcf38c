//! Gates around each pod a roll takes down, for systems where Ready is not enough (quorum
//! members, brokers, shards): a check run after a pod comes back until it passes several times
//! in a row, hooks before and after each pod, and a leader asked before each pod and taken
//! down last. What they are, the environment they get, how passes count and which pod goes
//! next. Pure: the engine runs the commands.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::set;

/// The gates of a roll (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Gates {
    /// Run after each pod is back, updated and Ready, until it passes.
    pub pod_check: Option<String>,
    /// Consecutive passes the check needs (a flapping signal does not count).
    pub passes: u32,
    #[serde(with = "humantime_serde_secs")]
    pub interval: Duration,
    /// How long a pod's check may take to pass, all runs together.
    #[serde(with = "humantime_serde_secs")]
    pub check_timeout: Duration,
    /// Run before each pod is taken down; a failure stops the roll before that pod.
    pub before_each: Option<String>,
    /// Run after each pod is back Ready; a failure stops the roll.
    pub after_each: Option<String>,
    /// Prints the pod (name or ordinal) that must go last; asked before each pod.
    pub leader: Option<String>,
    /// Pods taken down at once (every other member Ready first); 1 unless asked.
    pub max_unavailable: u32,
}

/// Durations as whole seconds in the plan document.
mod humantime_serde_secs {
    pub fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }
}

impl Gates {
    pub fn is_empty(&self) -> bool {
        self.pod_check.is_none()
            && self.before_each.is_none()
            && self.after_each.is_none()
            && self.leader.is_none()
    }

    /// A staged step moves its pods itself, a batch at a time, rather than all at once: any
    /// gate, or batches of more than one pod.
    pub fn walks(&self) -> bool {
        !self.is_empty() || self.max_unavailable > 1
    }

    /// The gates in words, for the plan.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.max_unavailable > 1 {
            lines.push(format!(
                "up to {} pods at once, once every other member is Ready (never more than {} not Ready)",
                self.max_unavailable, self.max_unavailable
            ));
        }
        if let Some(leader) = &self.leader {
            lines.push(format!(
                "leader last: `{leader}` is asked before each pod; the pod it names goes last"
            ));
        }
        if let Some(hook) = &self.before_each {
            lines.push(format!(
                "before each pod: `{hook}` (a failure stops before that pod is touched)"
            ));
        }
        if let Some(hook) = &self.after_each {
            lines.push(format!("after each pod is Ready: `{hook}`"));
        }
        if let Some(check) = &self.pod_check {
            lines.push(format!(
                "after each pod: `{check}` until it passes {} time(s) in a row, every {}, within {} (no other pod is taken down before)",
                self.passes,
                humantime::format_duration(self.interval),
                humantime::format_duration(self.check_timeout)
            ));
        }
        lines
    }
}

/// Where the roll stands for a gate's environment.
pub struct GateScope<'a> {
    pub namespace: &'a str,
    pub set: &'a str,
    pub service: &'a str,
    pub pod: &'a str,
    pub ordinal: i32,
    pub updated: &'a [String],
    pub remaining: &'a [String],
}

/// The environment a check or hook runs with.
pub fn gate_env(scope: &GateScope<'_>) -> Vec<(String, String)> {
    [
        ("STS_NAMESPACE", scope.namespace.to_string()),
        ("STS_NAME", scope.set.to_string()),
        ("STS_POD", scope.pod.to_string()),
        ("STS_ORDINAL", scope.ordinal.to_string()),
        (
            "STS_POD_FQDN",
            set::pod_fqdn(scope.pod, scope.service, scope.namespace),
        ),
        ("STS_UPDATED_PODS", scope.updated.join(" ")),
        ("STS_REMAINING_PODS", scope.remaining.join(" ")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The strategy a gated roll drives a RollingUpdate set with: OnDelete, so that the roll takes
/// each pod down itself in its own order, the controller replacing none on its own.
pub fn driven_strategy() -> Value {
    json!({"type": "OnDelete", "rollingUpdate": null})
}

/// The set's own strategy put back: as it was (`hold_below`: `None`, the roll is done), or,
/// when the roll stopped, with its partition raised to hold every pod from `hold_below` down
/// on its revision (the controller would otherwise roll them with no gate).
pub fn restored_strategy(original: &Value, hold_below: Option<i32>) -> Value {
    let mut strategy = original.clone();
    if strategy["type"] == "OnDelete" {
        strategy["rollingUpdate"] = Value::Null;
        return strategy;
    }
    if let Some(held) = hold_below {
        let partition = original["rollingUpdate"]["partition"].as_i64().unwrap_or(0);
        strategy["rollingUpdate"]["partition"] = json!(partition.max(i64::from(held) + 1));
    }
    strategy
}

/// Consecutive passes of a pod's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passes {
    pub needed: u32,
    pub in_a_row: u32,
}

impl Passes {
    pub fn new(needed: u32) -> Passes {
        Passes {
            needed: needed.max(1),
            in_a_row: 0,
        }
    }

    /// Counts one run; true once enough passes came in a row (a failure starts again).
    pub fn record(&mut self, passed: bool) -> bool {
        self.in_a_row = if passed { self.in_a_row + 1 } else { 0 };
        self.in_a_row >= self.needed
    }
}

/// The ordinal the leader command named: its first word, a pod of the set (`zk-2`, or a
/// fully qualified name starting so) or an ordinal; `Err` when it names no pod of the set.
pub fn leader_ordinal(output: &str, set_name: &str, ordinals: &std::ops::Range<i32>) -> Result<i32, String> {
    let word = output.split_whitespace().next().unwrap_or_default();
    let host = word.split('.').next().unwrap_or_default();
    let ordinal = host
        .strip_prefix(set_name)
        .and_then(|rest| rest.strip_prefix('-'))
        .unwrap_or(host)
        .parse::<i32>()
        .map_err(|_| format!("the leader command printed {word:?}, which names no pod of statefulset {set_name} (a pod name or an ordinal is expected)"))?;
    match ordinals.contains(&ordinal) {
        true => Ok(ordinal),
        false => Err(format!(
            "the leader command named ordinal {ordinal}, not one of statefulset {set_name}'s ({}..={})",
            ordinals.start,
            ordinals.end - 1
        )),
    }
}

/// Which of the pods still to go (ordinals, in the plan's order) go next, as positions: up to
/// `size` that are not the leader; the leader alone when it is the only one left.
pub fn next_batch(remaining: &[i32], leader: Option<i32>, size: usize) -> Vec<usize> {
    let batch: Vec<usize> = (0..remaining.len())
        .filter(|&i| Some(remaining[i]) != leader)
        .take(size.max(1))
        .collect();
    match (batch.is_empty(), remaining.is_empty()) {
        (true, false) => vec![0],
        _ => batch,
    }
}

/// The partition a gated walk of a RollingUpdate set lowers to next, from `partition` down to
/// `to`: up to `size` pods at once, never below `to`.
pub fn next_partition(partition: i32, to: i32, size: u32) -> i32 {
    let size = i32::try_from(size.max(1)).unwrap_or(i32::MAX);
    partition.saturating_sub(size).max(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leader_goes_last_and_alone_even_when_it_moves() {
        assert_eq!(next_batch(&[2, 1, 0], Some(2), 1), [1]);
        assert_eq!(next_batch(&[2, 0], Some(0), 1), [0]);
        assert_eq!(next_batch(&[2], Some(2), 1), [0]);
        assert!(next_batch(&[], Some(2), 1).is_empty());
        assert_eq!(next_batch(&[2, 1, 0], None, 1), [0]);
        assert_eq!(next_batch(&[4, 3, 2, 1, 0], Some(3), 2), [0, 2]);
        assert_eq!(next_batch(&[3], Some(3), 2), [0]);
        assert_eq!(next_batch(&[2, 1, 0], None, 5), [0, 1, 2]);
    }

    #[test]
    fn a_leader_is_read_as_a_pod_name_a_dns_name_or_an_ordinal() {
        let range = 0..3;
        assert_eq!(leader_ordinal("zk-1\n", "zk", &range), Ok(1));
        assert_eq!(
            leader_ordinal("zk-2.zk-hs.default.svc.cluster.local", "zk", &range),
            Ok(2)
        );
        assert_eq!(leader_ordinal(" 0 ", "zk", &range), Ok(0));
        assert!(
            leader_ordinal("zk-7", "zk", &range)
                .unwrap_err()
                .contains("not one of")
        );
        assert!(
            leader_ordinal("", "zk", &range)
                .unwrap_err()
                .contains("names no pod")
        );
        assert!(
            leader_ordinal("kafka-1", "zk", &range)
                .unwrap_err()
                .contains("names no pod")
        );
    }

    #[test]
    fn a_stopped_roll_puts_the_strategy_back_holding_the_pods_not_yet_rolled() {
        let original =
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 1}});
        assert_eq!(restored_strategy(&original, None), original);
        assert_eq!(
            restored_strategy(&original, Some(1)),
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 2, "maxUnavailable": 1}})
        );
        let partitioned = json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 3}});
        assert_eq!(
            restored_strategy(&partitioned, Some(0))["rollingUpdate"]["partition"],
            3
        );
        assert_eq!(driven_strategy()["type"], "OnDelete");
    }

    #[test]
    fn a_walk_lowers_the_partition_a_batch_at_a_time_never_below_its_step() {
        assert_eq!(next_partition(5, 2, 1), 4);
        assert_eq!(next_partition(5, 2, 2), 3);
        assert_eq!(next_partition(3, 2, 2), 2);
        assert_eq!(next_partition(2, 0, 5), 0);
        assert_eq!(next_partition(1, 0, 0), 0, "a batch is at least one pod");
    }

    #[test]
    fn passes_count_only_in_a_row() {
        let mut passes = Passes::new(3);
        assert!(!passes.record(true));
        assert!(!passes.record(true));
        assert!(!passes.record(false));
        assert!(!passes.record(true));
        assert!(!passes.record(true));
        assert!(passes.record(true));
    }

    #[test]
    fn the_environment_names_the_pod_and_the_roll() {
        let updated = ["zk-2".to_string()];
        let remaining = ["zk-0".to_string()];
        let env = gate_env(&GateScope {
            namespace: "data",
            set: "zk",
            service: "zk-hs",
            pod: "zk-1",
            ordinal: 1,
            updated: &updated,
            remaining: &remaining,
        });
        let get = |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("STS_POD"), Some("zk-1"));
        assert_eq!(get("STS_ORDINAL"), Some("1"));
        assert_eq!(get("STS_POD_FQDN"), Some("zk-1.zk-hs.data.svc.cluster.local"));
        assert_eq!(get("STS_UPDATED_PODS"), Some("zk-2"));
        assert_eq!(get("STS_REMAINING_PODS"), Some("zk-0"));
    }
}
