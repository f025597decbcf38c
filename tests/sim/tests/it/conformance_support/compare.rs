//! Comparing a run with a trace: uids and revision names are matched one-to-one with the
//! trace's `u1`, `r1`, … as they first appear (a pod keeping `u3` must keep its uid); the rest
//! must be equal. Transitions compare in order where order is the contract, per pod otherwise.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::observe::Transition;

/// A one-to-one mapping between the trace's labels and the run's values.
#[derive(Default)]
pub struct Bijection {
    forward: HashMap<String, String>,
    backward: HashMap<String, String>,
}

impl Bijection {
    /// Whether `label` and `actual` correspond (recording the pair when both are new).
    pub fn check(&mut self, label: &str, actual: &str) -> bool {
        match (self.forward.get(label), self.backward.get(actual)) {
            (Some(a), _) => a == actual,
            (None, Some(_)) => false,
            (None, None) => {
                self.forward.insert(label.to_string(), actual.to_string());
                self.backward.insert(actual.to_string(), label.to_string());
                true
            }
        }
    }
}

/// The name mappings of one scenario.
#[derive(Default)]
pub struct Names {
    pub uids: Bijection,
    pub revisions: Bijection,
}

impl Names {
    fn check_key(&mut self, key: &str, expected: &Value, actual: &Value) -> Option<bool> {
        let bijection = match key {
            "uid" => &mut self.uids,
            "revision" | "current_revision" | "update_revision" => &mut self.revisions,
            _ => return None,
        };
        Some(match (expected.as_str(), actual.as_str()) {
            (Some(e), Some(a)) => bijection.check(e, a),
            _ => expected == actual,
        })
    }

    /// Compares a recorded value with the run's, collecting differences under `path`.
    pub fn compare(
        &mut self,
        path: &str,
        key: &str,
        expected: &Value,
        actual: &Value,
        diffs: &mut Vec<String>,
    ) {
        if let Some(same) = self.check_key(key, expected, actual) {
            if !same {
                diffs.push(format!("{path}: trace {expected} but got {actual}"));
            }
            return;
        }
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => {
                let keys: std::collections::BTreeSet<&String> = e.keys().chain(a.keys()).collect();
                for k in keys {
                    let (ev, av) = (e.get(k).unwrap_or(&Value::Null), a.get(k).unwrap_or(&Value::Null));
                    self.compare(&format!("{path}.{k}"), k, ev, av, diffs);
                }
            }
            (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    self.compare(&format!("{path}[{i}]"), key, ev, av, diffs);
                }
            }
            _ if expected != actual => diffs.push(format!("{path}: trace {expected} but got {actual}")),
            _ => {}
        }
    }

    fn same_transition(&mut self, expected: &Value, actual: &Transition) -> bool {
        let field = |i: usize| expected[i].as_str().unwrap_or("");
        let (event, pod, uid, revision) = (field(0), field(1), field(2), field(3));
        event == actual.event
            && pod == actual.pod
            && self.uids.check(uid, &actual.uid)
            && self.revisions.check(revision, &actual.revision)
    }

    /// Transitions in the recorded order.
    pub fn compare_ordered(&mut self, expected: &[Value], actual: &[Transition], diffs: &mut Vec<String>) {
        let same = expected.len() == actual.len()
            && expected
                .iter()
                .zip(actual)
                .all(|(e, a)| self.same_transition(e, a));
        if !same {
            diffs.push(format!(
                "transitions: trace {} but got {}",
                show_expected(expected),
                show(actual)
            ));
        }
    }

    /// Transitions per pod, and which kinds of transition all came before which others.
    pub fn compare_per_pod(&mut self, expected: &[Value], actual: &[Transition], diffs: &mut Vec<String>) {
        let mut by_pod: BTreeMap<&str, (Vec<&Value>, Vec<&Transition>)> = BTreeMap::new();
        for e in expected {
            by_pod.entry(e[1].as_str().unwrap_or("")).or_default().0.push(e);
        }
        for a in actual {
            by_pod.entry(a.pod.as_str()).or_default().1.push(a);
        }
        for (pod, (e, a)) in by_pod {
            let same = e.len() == a.len() && e.iter().zip(&a).all(|(e, a)| self.same_transition(e, a));
            if !same {
                let e: Vec<Value> = e.into_iter().cloned().collect();
                let a: Vec<Transition> = a.into_iter().cloned().collect();
                diffs.push(format!(
                    "transitions of {pod}: trace {} but got {}",
                    show_expected(&e),
                    show(&a)
                ));
            }
        }
        let kinds_e: Vec<&str> = expected.iter().map(|e| e[0].as_str().unwrap_or("")).collect();
        let kinds_a: Vec<&str> = actual.iter().map(|a| a.event.as_str()).collect();
        for (first, then) in precedences(&kinds_e) {
            if !all_before(&kinds_a, first, then) {
                diffs.push(format!(
                    "every {first} came before every {then} in the trace, not in {}",
                    show(actual)
                ));
            }
        }
    }
}

/// Whether every `first` precedes every `then`.
fn all_before(kinds: &[&str], first: &str, then: &str) -> bool {
    let last_first = kinds.iter().rposition(|k| *k == first);
    let first_then = kinds.iter().position(|k| *k == then);
    match (last_first, first_then) {
        (Some(l), Some(f)) => l < f,
        _ => true,
    }
}

/// Pairs of transition kinds that the trace orders completely.
fn precedences<'a>(kinds: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut distinct: Vec<&str> = kinds.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let mut pairs = Vec::new();
    for &a in &distinct {
        for &b in &distinct {
            if a != b && all_before(kinds, a, b) {
                pairs.push((a, b));
            }
        }
    }
    pairs
}

fn show(transitions: &[Transition]) -> String {
    let items: Vec<String> = transitions.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn show_expected(transitions: &[Value]) -> String {
    let items: Vec<String> = transitions
        .iter()
        .map(|t| {
            let parts: Vec<&str> = t
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            parts.join(" ")
        })
        .collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_map_one_to_one() {
        let mut b = Bijection::default();
        assert!(b.check("u1", "aaa"));
        assert!(b.check("u1", "aaa"));
        assert!(!b.check("u1", "bbb"));
        assert!(!b.check("u2", "aaa"));
        let mut names = Names::default();
        let mut diffs = Vec::new();
        names.compare(
            "",
            "",
            &json!({"uid": "u1", "n": 1}),
            &json!({"uid": "x", "n": 1}),
            &mut diffs,
        );
        names.compare("", "", &json!({"uid": "u2"}), &json!({"uid": "x"}), &mut diffs);
        assert_eq!(diffs.len(), 1);
    }

    #[test]
    fn orderings_the_trace_keeps_complete() {
        let kinds = ["ADDED", "ADDED", "READY", "READY"];
        assert_eq!(precedences(&kinds), vec![("ADDED", "READY")]);
        assert!(!all_before(&["ADDED", "READY", "ADDED"], "ADDED", "READY"));
    }
}
