//! What a wait keeps between two looks at the cluster, so that a change costs in proportion to
//! what changed: the last state of each awaited pod (by ordinal, in plan order) with a count
//! of the done ones, and for every member of the set whether it is down, stuck, or due to be
//! judged again at some instant (the unschedulable grace, minReadySeconds). No I/O: a wait
//! feeds it the pods that changed and asks it for the verdict's parts.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use k8s_openapi::api::apps::v1::StatefulSet;

use crate::model::flow::step::StepState;
use crate::model::set;
use crate::model::set::health::{pod_health, ready_since};
use crate::model::set::snapshot::Look;

/// The state a kind of wait keeps, fed ordinal by ordinal with what changed.
pub trait Keeper {
    /// Every ordinal to judge: at the start, and whenever the set's shape changed.
    fn ordinals(&self, sts: &StatefulSet) -> Vec<i32>;
    /// Judges `ordinal` again: its pod, its claims or the clock changed.
    fn rejudge(&mut self, look: &Look<'_>, ordinal: i32);
    /// What it keeps.
    fn tracked(&mut self) -> &mut Tracked;
}

/// How a member of the set stands, as far as the waits care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFacts {
    /// Why it is not available (missing, starting, terminating), if it is not.
    pub down: Option<String>,
    /// Why it will not become Ready by waiting, if so.
    pub stuck: Option<String>,
    /// When it must be judged again even if nothing changes.
    pub revisit_at: Option<Timestamp>,
}

/// Judges one member (`None`: no pod) at `now` with the set's `minReadySeconds`.
pub fn member_facts(pod: Option<&Pod>, min_ready_seconds: i32, now: Timestamp) -> MemberFacts {
    let Some(pod) = pod else {
        return MemberFacts {
            down: Some("missing".into()),
            ..MemberFacts::default()
        };
    };
    let health = pod_health(pod, min_ready_seconds, now);
    let problem = health.problem.as_ref();
    let down = (!health.available || health.terminating)
        .then(|| problem.map_or_else(|| "not yet available".to_string(), ToString::to_string));
    let stuck = problem.filter(|p| p.stuck).map(ToString::to_string);
    let available_at = (health.ready && !health.available)
        .then(|| ready_since(pod))
        .flatten()
        .map(|since| since + SignedDuration::from_secs(i64::from(min_ready_seconds)));
    let revisit_at = problem
        .filter(|p| !p.stuck)
        .and_then(|p| p.stuck_at)
        .or(available_at);
    MemberFacts {
        down,
        stuck,
        revisit_at,
    }
}

/// The state a wait keeps: awaited pods and members of the set.
#[derive(Debug, Default)]
pub struct Tracked {
    /// The awaited pods' ordinals, in plan order.
    order: Vec<i32>,
    steps: HashMap<i32, StepState>,
    done: usize,
    /// Step states that changed since `take_changes`.
    changes: Vec<StepState>,
    members: HashMap<i32, MemberFacts>,
    down: BTreeMap<i32, String>,
    stuck: BTreeMap<i32, String>,
    revisits: BTreeSet<(Timestamp, i32)>,
}

impl Tracked {
    /// Awaits these pods (ordinal and name, in plan order), none of them judged yet.
    pub fn new(steps: impl IntoIterator<Item = (i32, String)>) -> Tracked {
        let mut tracked = Tracked::default();
        for (ordinal, pod) in steps {
            tracked.order.push(ordinal);
            let state = StepState {
                pod,
                done: false,
                state: "not judged yet".into(),
            };
            tracked.steps.insert(ordinal, state);
        }
        tracked
    }

    /// Whether `ordinal` is one of the awaited pods.
    pub fn awaits(&self, ordinal: i32) -> bool {
        self.steps.contains_key(&ordinal)
    }

    /// Records an awaited pod's state; returns it when it differs from the last one.
    pub fn set_step(&mut self, ordinal: i32, state: StepState) -> Option<&StepState> {
        let slot = self.steps.get_mut(&ordinal)?;
        if *slot == state {
            return None;
        }
        match (slot.done, state.done) {
            (false, true) => self.done += 1,
            (true, false) => self.done -= 1,
            _ => {}
        }
        *slot = state;
        self.changes.push(slot.clone());
        Some(slot)
    }

    /// The step states that changed since the last call, oldest first.
    pub fn take_changes(&mut self) -> Vec<StepState> {
        std::mem::take(&mut self.changes)
    }

    /// Judges a member of the set (`ordinal` in its range) again; outside the range it is no
    /// member any more.
    pub fn judge_member(&mut self, look: &Look<'_>, ordinal: i32) {
        let min_ready = set::min_ready_seconds(look.set);
        let facts = set::ordinals(look.set)
            .contains(&ordinal)
            .then(|| member_facts(look.pod, min_ready, look.now));
        self.set_member(ordinal, facts);
    }

    /// The set's ordinals and those judged before (which may have left its range).
    pub fn members_of(&self, sts: &StatefulSet) -> Vec<i32> {
        let mut all: Vec<i32> = set::ordinals(sts).collect();
        all.extend(self.members.keys().filter(|o| !set::ordinals(sts).contains(o)));
        all
    }

    /// Records a member's facts (`None`: it is no member any more, e.g. scaled away).
    pub fn set_member(&mut self, ordinal: i32, facts: Option<MemberFacts>) {
        if let Some(old) = self.members.remove(&ordinal)
            && let Some(at) = old.revisit_at
        {
            self.revisits.remove(&(at, ordinal));
        }
        self.down.remove(&ordinal);
        self.stuck.remove(&ordinal);
        let Some(facts) = facts else {
            return;
        };
        if let Some(why) = &facts.down {
            self.down.insert(ordinal, why.clone());
        }
        if let Some(why) = &facts.stuck {
            self.stuck.insert(ordinal, why.clone());
        }
        if let Some(at) = facts.revisit_at {
            self.revisits.insert((at, ordinal));
        }
        self.members.insert(ordinal, facts);
    }

    /// The lowest stuck member other than `except`, with why.
    pub fn first_stuck(&self, except: &[i32]) -> Option<(i32, &str)> {
        first_other(&self.stuck, except)
    }

    /// The lowest member not in `except` that is down, with why.
    pub fn first_down(&self, except: &[i32]) -> Option<(i32, &str)> {
        first_other(&self.down, except)
    }

    /// Ordinals due to be judged again at `now`.
    pub fn due(&self, now: Timestamp) -> Vec<i32> {
        self.revisits
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, ordinal)| *ordinal)
            .collect()
    }

    /// The next instant a member must be judged again.
    pub fn next_revisit(&self) -> Option<Timestamp> {
        self.revisits.first().map(|(at, _)| *at)
    }

    /// How many awaited pods are done.
    #[cfg(test)]
    pub fn done_count(&self) -> usize {
        self.done
    }

    /// Every awaited pod is done.
    pub fn all_done(&self) -> bool {
        self.done == self.order.len()
    }

    /// The awaited pods' states, in plan order.
    #[cfg(test)]
    pub fn states(&self) -> impl Iterator<Item = &StepState> {
        self.order.iter().filter_map(|o| self.steps.get(o))
    }
}

fn first_other<'m>(map: &'m BTreeMap<i32, String>, except: &[i32]) -> Option<(i32, &'m str)> {
    map.iter()
        .find(|(ordinal, _)| !except.contains(ordinal))
        .map(|(ordinal, why)| (*ordinal, why.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::set::fixtures::{PodBuilder, now};

    fn state(pod: &str, done: bool, text: &str) -> StepState {
        StepState {
            pod: pod.into(),
            done,
            state: text.into(),
        }
    }

    #[test]
    fn only_a_changed_state_is_reported_and_done_is_counted_once() {
        let mut tracked = Tracked::new([(0, "web-0".to_string()), (1, "web-1".to_string())]);
        assert!(tracked.set_step(0, state("web-0", false, "Pending")).is_some());
        assert!(tracked.set_step(0, state("web-0", false, "Pending")).is_none());
        assert!(tracked.set_step(0, state("web-0", true, "Ready")).is_some());
        assert!(tracked.set_step(0, state("web-0", true, "Ready")).is_none());
        assert_eq!((tracked.done_count(), tracked.all_done()), (1, false));
        tracked.set_step(1, state("web-1", true, "Ready"));
        assert!(tracked.all_done());
        tracked.set_step(0, state("web-0", false, "Terminating"));
        assert_eq!(tracked.done_count(), 1, "a pod that goes down again is not done");
        assert!(
            tracked.set_step(7, state("web-7", true, "Ready")).is_none(),
            "not awaited"
        );
        let order: Vec<_> = tracked.states().map(|s| s.pod.as_str()).collect();
        assert_eq!(order, ["web-0", "web-1"]);
    }

    #[test]
    fn members_down_and_stuck_are_found_lowest_first_except_one() {
        let mut tracked = Tracked::new([]);
        let crash = PodBuilder::new("web", 2, "r1").crash_looping(2).build();
        tracked.set_member(0, Some(member_facts(None, 0, now())));
        tracked.set_member(
            1,
            Some(member_facts(
                Some(&PodBuilder::new("web", 1, "r1").build()),
                0,
                now(),
            )),
        );
        tracked.set_member(2, Some(member_facts(Some(&crash), 0, now())));
        assert_eq!(tracked.first_down(&[]), Some((0, "missing")));
        assert_eq!(tracked.first_down(&[0]).map(|d| d.0), Some(2));
        assert!(
            tracked
                .first_stuck(&[])
                .unwrap()
                .1
                .starts_with("CrashLoopBackOff")
        );
        assert_eq!(tracked.first_stuck(&[2]), None);
        tracked.set_member(2, None);
        assert_eq!((tracked.first_stuck(&[]), tracked.first_down(&[0])), (None, None));
    }

    #[test]
    fn an_unschedulable_member_is_revisited_when_its_grace_ends() {
        let pod = PodBuilder::new("web", 3, "r1")
            .unschedulable("2026-11-22T00:59:50Z")
            .build();
        let facts = member_facts(Some(&pod), 0, now());
        assert_eq!(facts.stuck, None);
        let at = facts.revisit_at.expect("a revisit at the end of the grace");
        let mut tracked = Tracked::new([]);
        tracked.set_member(3, Some(facts));
        assert_eq!(tracked.next_revisit(), Some(at));
        assert!(tracked.due(now()).is_empty());
        assert_eq!(tracked.due(at), [3]);
        let later = member_facts(Some(&pod), 0, at);
        assert!(later.stuck.is_some(), "stuck once the grace is over");
        tracked.set_member(3, Some(later));
        assert_eq!(
            (tracked.next_revisit(), tracked.first_stuck(&[]).map(|s| s.0)),
            (None, Some(3))
        );
    }
}
