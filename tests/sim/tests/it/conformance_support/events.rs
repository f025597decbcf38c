//! The events of a scenario, compared between the simulator and a real control plane: the
//! kinds of event (type, reason, reporting component, object kind, message) each side wrote,
//! with the parts that differ by nature (uids, revision hashes, IPs, nodes, volume provisioner)
//! written the same way. Events only one control plane has by design are left out.

use std::collections::BTreeSet;

use serde_json::Value;

use super::cluster::{Cluster, list_path};

/// Reasons only the real control plane gives: the volume controller waiting for an external
/// provisioner, the node controller registering Node objects (the simulator has none), the API
/// server's cluster IP repair loop catching a Service created while it ran.
const REAL_ONLY: [&str; 3] = ["ExternalProvisioning", "RegisteredNode", "ClusterIPNotAllocated"];

/// One kind of event: type, reason, component and object kind; and the message, unless the
/// recorder folded several messages into this event.
pub type EventKind = (String, Option<String>);

/// Every kind of event in the scenario namespace, normalized.
pub async fn kinds(cluster: &Cluster) -> BTreeSet<EventKind> {
    let reply = cluster.get(&list_path("events")).await.ok("list events");
    let items = reply.body["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter(|e| !REAL_ONLY.contains(&e["reason"].as_str().unwrap_or_default()))
        .map(normalized)
        .collect()
}

fn normalized(event: &Value) -> EventKind {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    // Recorded through events.k8s.io/v1 (the scheduler), an event has no `source`.
    let component = match text(&event["source"]["component"]) {
        c if c.contains("hostpath") => "PROVISIONER".to_string(),
        c if c.is_empty() => format!("{} (events.k8s.io)", text(&event["reportingComponent"])),
        c => c,
    };
    let key = format!(
        "{} {} {} {}",
        text(&event["type"]),
        text(&event["reason"]),
        component,
        text(&event["involvedObject"]["kind"])
    );
    // The real recorder folds many similar events into one (the simulator does not): which
    // messages went into it is lost.
    let message = text(&event["message"]);
    let folded = message.starts_with("(combined from similar events): ");
    (key, (!folded).then(|| generic(&message)))
}

/// The message with uids, revision hashes, addresses and node names replaced by placeholders.
fn generic(message: &str) -> String {
    message
        .split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let hex_run = bare
                .split('-')
                .any(|p| p.len() >= 8 && p.chars().all(|c| c.is_ascii_hexdigit()));
            if bare.starts_with("node-") {
                word.replace(bare, "NODE")
            } else if bare.chars().filter(|c| *c == '.').count() == 3 && bare.starts_with("10") {
                word.replace(bare, "IP")
            } else if hex_run {
                word.replace(bare, "ID")
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Event kinds one side wrote and the other did not (where either side folded events of a
/// kind, only the kind is compared).
pub fn differences(sim: &BTreeSet<EventKind>, real: &BTreeSet<EventKind>) -> Vec<String> {
    let folded: BTreeSet<&String> = sim
        .iter()
        .chain(real)
        .filter(|(_, m)| m.is_none())
        .map(|(k, _)| k)
        .collect();
    let fold = |set: &BTreeSet<EventKind>| -> BTreeSet<String> {
        set.iter()
            .map(|(key, message)| match message {
                Some(m) if !folded.contains(key) => format!("{key}: {m}"),
                _ => key.clone(),
            })
            .collect()
    };
    let (sim, real) = (fold(sim), fold(real));
    let raced = raced_pods(&real);
    let only_sim = sim
        .difference(&real)
        .filter(|e| !raced.iter().any(|pod| e.contains(pod.as_str())))
        .map(|e| format!("only on the simulator: {e}"));
    let only_real = real
        .difference(&sim)
        .filter(|e| !e.contains(CONFLICT) && !lost_a_cache_race(e))
        .map(|e| format!("only on the real control plane: {e}"));
    only_sim.chain(only_real).collect()
}

/// Events a real control plane writes only when one controller's cache is a moment behind
/// another's, which a loaded machine makes happen now and then: the scheduler placing a pod
/// before its informer has the claim the StatefulSet controller created just before it, the
/// disruption controller judging a budget before the set's first pod exists, and the
/// StatefulSet controller updating a pod once more when its cache had not yet seen the claim
/// owners it had just set (a claim retention policy; the conflicting outcome of that race is
/// `raced_pods`). Each pattern is every word that must be in the event.
const CACHE_RACES: [&[&str]; 3] = [
    &["FailedScheduling", "persistentvolumeclaim", "not found"],
    &["NoPods", "PodDisruptionBudget", "No matching pods found"],
    &[
        "SuccessfulUpdate",
        "statefulset-controller",
        "Update Pod",
        "successful",
    ],
];

fn lost_a_cache_race(event: &str) -> bool {
    CACHE_RACES
        .iter()
        .any(|words| words.iter().all(|w| event.contains(w)))
}

/// How a 409 Conflict reads in an event.
const CONFLICT: &str = "the object has been modified";

/// Pods (`Pod <name> in StatefulSet`) whose update lost a race on the real control plane: the
/// controller updates a claim's owners as the volume controller binds it, and on a conflict
/// records that failure instead of the pod's creation. Timing decides it, so neither event is
/// a difference (the simulator has no such race).
fn raced_pods(real: &BTreeSet<String>) -> Vec<String> {
    real.iter()
        .filter(|e| e.contains(CONFLICT))
        .filter_map(|e| e.split(" Pod ").nth(1))
        .filter_map(|rest| rest.split(' ').next())
        .map(|pod| format!(" Pod {pod} in StatefulSet"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::generic;

    #[test]
    fn cache_races_of_the_real_control_plane_are_not_differences() {
        use std::collections::BTreeSet;
        let real: BTreeSet<super::EventKind> = [
            (
                "Warning FailedScheduling default-scheduler (events.k8s.io) Pod".to_string(),
                Some(
                    "0/3 nodes are available: persistentvolumeclaim \"www-web-2\" not found. not found"
                        .to_string(),
                ),
            ),
            (
                "Normal NoPods controllermanager PodDisruptionBudget".to_string(),
                Some("No matching pods found".to_string()),
            ),
            (
                "Normal SuccessfulUpdate statefulset-controller StatefulSet".to_string(),
                Some("Update Pod web-0 in StatefulSet web successful".to_string()),
            ),
            (
                "Warning FailedCreate statefulset-controller StatefulSet".to_string(),
                Some("quota".to_string()),
            ),
        ]
        .into();
        let found = super::differences(&BTreeSet::new(), &real);
        assert_eq!(
            found,
            [
                "only on the real control plane: Warning FailedCreate statefulset-controller StatefulSet: quota"
            ]
        );
    }

    #[test]
    fn messages_lose_what_differs_by_nature() {
        assert_eq!(
            generic("Successfully assigned default/web-0 to node-3"),
            "Successfully assigned default/web-0 to NODE"
        );
        assert_eq!(
            generic("Successfully provisioned volume pvc-5bbb13dd-a43e-4573-accd-d12b15b571c8"),
            "Successfully provisioned volume ID"
        );
        assert_eq!(
            generic("Create Pod web-0 in StatefulSet web successful"),
            "Create Pod web-0 in StatefulSet web successful"
        );
    }

    #[test]
    fn a_lost_race_excuses_its_two_events() {
        use std::collections::BTreeSet;
        let kind = |key: &str, message: &str| (key.to_string(), Some(message.to_string()));
        let created_key = "Normal SuccessfulCreate statefulset-controller StatefulSet";
        let created = kind(created_key, "Create Pod web-2 in StatefulSet web successful");
        let other = kind(created_key, "Create Pod web-1 in StatefulSet web successful");
        let raced = kind(
            "Warning FailedUpdate statefulset-controller StatefulSet",
            "Update Pod web-2 in StatefulSet web failed error: the object has been modified",
        );
        let sim = BTreeSet::from([created, other.clone()]);
        assert!(super::differences(&sim, &BTreeSet::from([raced.clone(), other])).is_empty());
        assert_eq!(
            super::differences(&sim, &BTreeSet::from([raced])).len(),
            1,
            "web-1 still missing"
        );
    }
}
