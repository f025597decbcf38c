//! Unit tests of the sync plan: ordering, scale-down, rolling updates, partitions, OnDelete.

use super::*;

#[derive(Clone, Copy)]
enum State {
    Ready,
    NotReady,
    Terminating,
    Failed,
}

fn pod(name: &str, rev: &str, state: State) -> Value {
    let (phase, ready) = match state {
        State::Ready | State::Terminating => ("Running", "True"),
        State::NotReady => ("Running", "False"),
        State::Failed => ("Failed", "False"),
    };
    let mut p = json!({
        "metadata": {"name": name, "namespace": "ns", "uid": format!("uid-{name}"),
            "labels": {"controller-revision-hash": rev, "statefulset.kubernetes.io/pod-name": name}},
        "status": {"phase": phase, "conditions": [
            {"type": "Ready", "status": ready, "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    });
    if matches!(state, State::Terminating) {
        p["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:10Z");
    }
    p
}

fn set(extra: Value) -> Value {
    let mut set = json!({
        "metadata": {"name": "web", "namespace": "ns", "uid": "set-uid", "generation": 1},
        "spec": {"replicas": 3, "serviceName": "nginx", "selector": {"matchLabels": {"app": "nginx"}},
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}}
    });
    for (k, v) in extra.as_object().unwrap() {
        set["spec"][k] = v.clone();
    }
    set
}

fn run(set: &Value, pods: &[Value], current: &str, update: &str) -> Plan {
    let spec = SetSpec::from_object(set);
    let claims = BTreeMap::new();
    let pods: Vec<&Value> = pods.iter().collect();
    plan(&Inputs {
        set,
        spec: &spec,
        current,
        update,
        pods: &pods,
        claims: &claims,
        now: "2026-01-01T01:00:00Z".parse().unwrap(),
    })
}

fn create(ordinal: i64, revision: &str) -> Action {
    Action::CreatePod {
        ordinal,
        revision: revision.into(),
    }
}

fn delete(name: &str, why: Why) -> Action {
    Action::DeletePod {
        name: name.into(),
        why,
    }
}

#[test]
fn ordered_ready_creates_one_pod_at_a_time() {
    let s = set(json!({}));
    assert_eq!(run(&s, &[], "r1", "r1").actions, vec![create(0, "r1")]);
    let pods = [
        pod("web-0", "r1", State::Ready),
        pod("web-1", "r1", State::NotReady),
    ];
    assert!(run(&s, &pods, "r1", "r1").actions.is_empty());
    let pods = [pod("web-0", "r1", State::Ready), pod("web-1", "r1", State::Ready)];
    assert_eq!(run(&s, &pods, "r1", "r1").actions, vec![create(2, "r1")]);
}

#[test]
fn parallel_creates_and_deletes_without_waiting() {
    let s = set(json!({"podManagementPolicy": "Parallel"}));
    let all = run(&s, &[], "r1", "r1").actions;
    assert_eq!(all, vec![create(0, "r1"), create(1, "r1"), create(2, "r1")]);
    let s = set(json!({"podManagementPolicy": "Parallel", "replicas": 1}));
    let pods: Vec<Value> = (0..3)
        .map(|i| pod(&format!("web-{i}"), "r1", State::Ready))
        .collect();
    let actions = run(&s, &pods, "r1", "r1").actions;
    assert_eq!(
        actions,
        vec![delete("web-2", Why::ScaleDown), delete("web-1", Why::ScaleDown)]
    );
}

#[test]
fn ordered_scale_down_takes_the_highest_and_waits_for_it() {
    let s = set(json!({"replicas": 1}));
    let mut pods: Vec<Value> = (0..3)
        .map(|i| pod(&format!("web-{i}"), "r1", State::Ready))
        .collect();
    assert_eq!(
        run(&s, &pods, "r1", "r1").actions,
        vec![delete("web-2", Why::ScaleDown)]
    );
    pods[2] = pod("web-2", "r1", State::Terminating);
    assert!(run(&s, &pods, "r1", "r1").actions.is_empty());
}

#[test]
fn rolling_update_deletes_the_highest_outdated_pod_above_the_partition() {
    let s = set(json!({}));
    let pods: Vec<Value> = (0..3)
        .map(|i| pod(&format!("web-{i}"), "r1", State::Ready))
        .collect();
    let p = run(&s, &pods, "r1", "r2");
    assert_eq!(p.actions, vec![delete("web-2", Why::Update)]);
    assert_eq!(p.counts.current, 2);
    let s = set(json!({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}));
    let pods = [
        pod("web-0", "r1", State::Ready),
        pod("web-1", "r1", State::Ready),
        pod("web-2", "r2", State::Ready),
    ];
    assert!(run(&s, &pods, "r1", "r2").actions.is_empty());
}

#[test]
fn start_ordinal_shifts_the_partition() {
    let s = set(
        json!({"ordinals": {"start": 5}, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}),
    );
    let pods: Vec<Value> = (5..8)
        .map(|i| pod(&format!("web-{i}"), "r1", State::Ready))
        .collect();
    assert_eq!(
        run(&s, &pods, "r1", "r2").actions,
        vec![delete("web-7", Why::Update)]
    );
    let s = set(json!({"replicas": 4, "ordinals": {"start": 5},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}));
    let mut pods = pods;
    pods[2] = pod("web-7", "r2", State::Ready);
    assert_eq!(run(&s, &pods, "r1", "r2").actions, vec![create(8, "r2")]);
}

#[test]
fn pods_below_the_partition_come_back_on_the_current_revision() {
    let s = set(
        json!({"replicas": 5, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}),
    );
    let pods = [
        pod("web-1", "r1", State::Ready),
        pod("web-2", "r2", State::Ready),
        pod("web-3", "r2", State::Ready),
        pod("web-4", "r2", State::Ready),
    ];
    assert_eq!(run(&s, &pods, "r1", "r2").actions, vec![create(0, "r1")]);
}

#[test]
fn a_stuck_rollout_waits_for_the_broken_pod_even_after_a_revert() {
    let s = set(json!({}));
    let pods = [
        pod("web-0", "r1", State::Ready),
        pod("web-1", "r1", State::Ready),
        pod("web-2", "r2", State::NotReady),
    ];
    assert!(run(&s, &pods, "r1", "r1").actions.is_empty());
    assert!(run(&s, &pods, "r1", "r2").actions.is_empty());
}

#[test]
fn on_delete_never_deletes_for_updates_and_recreates_at_the_update_revision() {
    let s = set(json!({"updateStrategy": {"type": "OnDelete"}, "podManagementPolicy": "Parallel"}));
    let pods: Vec<Value> = (0..3)
        .map(|i| pod(&format!("web-{i}"), "r1", State::Ready))
        .collect();
    assert!(run(&s, &pods, "r1", "r2").actions.is_empty());
    assert_eq!(run(&s, &pods[..2], "r1", "r2").actions, vec![create(2, "r2")]);
}

#[test]
fn failed_pods_are_deleted() {
    let s = set(json!({}));
    let pods = [pod("web-0", "r1", State::Failed)];
    assert_eq!(
        run(&s, &pods, "r1", "r1").actions,
        vec![delete("web-0", Why::Failed)]
    );
}

#[test]
fn status_completes_a_rolling_update_only_when_everything_is_updated_and_ready() {
    let spec = SetSpec::from_object(&set(json!({})));
    let all = Counts {
        replicas: 3,
        ready: 3,
        available: 3,
        current: 0,
        updated: 3,
    };
    let st = status(&spec, all, "r1", "r2", 0);
    assert_eq!(
        (st["currentRevision"].as_str(), st["currentReplicas"].as_i64()),
        (Some("r2"), Some(3))
    );
    let partial = Counts {
        ready: 2,
        available: 2,
        ..all
    };
    let st = status(&spec, partial, "r1", "r2", 0);
    assert_eq!(st["currentRevision"], "r1");
    assert!(st.get("currentReplicas").is_none());
    let on_delete = SetSpec::from_object(&set(json!({"updateStrategy": {"type": "OnDelete"}})));
    assert_eq!(status(&on_delete, all, "r1", "r2", 0)["currentRevision"], "r1");
    assert!(status_changed(&json!({}), &st));
    assert!(!status_changed(&st, &st));
}
