//! Long lists of pods made to fit a screen: runs of consecutive ordinals that share what is
//! shown about them (a plan's `create web-0 … web-199 (200 pods)`), and which pods of a wait
//! deserve a line of their own (in flight longest first). Lists of at most `FEW` pods, and
//! every list under `-o wide`, are shown whole.

use std::time::Duration;

/// Up to this many pods a plan or a wait lists every pod.
pub const FEW: usize = 20;

/// A pod in flight for longer than this is slow: its every change gets a line of its own.
pub const SLOW: Duration = Duration::from_secs(30);

/// A run of consecutive entries: `start..start + len` of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub len: usize,
}

/// Splits `items` into runs of consecutive ordinals (ascending or descending) with the same
/// `key`, in order.
pub fn runs<T, K: PartialEq>(items: &[T], ordinal: impl Fn(&T) -> i32, key: impl Fn(&T) -> K) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let extends = runs.last().is_some_and(|run| {
            let first = &items[run.start];
            let last = &items[run.start + run.len - 1];
            let step = ordinal(item) - ordinal(last);
            let direction = if run.len > 1 {
                ordinal(last) - ordinal(&items[run.start + run.len - 2])
            } else {
                step
            };
            step.abs() == 1 && step == direction && key(first) == key(item)
        });
        match runs.last_mut() {
            Some(run) if extends => run.len += 1,
            _ => runs.push(Run { start: index, len: 1 }),
        }
    }
    runs
}

/// `web-0 … web-199 (200 pods)` for a run of more than one pod, else the pod's name.
pub fn span(first: &str, last: &str, count: usize) -> String {
    match count {
        1 => first.to_string(),
        _ => format!("{first} … {last} ({count} pods)"),
    }
}

/// The pods of a wait that get a line of their own, at most `limit`: those not done, in
/// flight longest first (slow ones before the others), as (pod, time in flight) pairs.
pub fn in_flight<'a>(
    pods: impl Iterator<Item = (&'a str, bool, Duration)>,
    limit: usize,
) -> Vec<(&'a str, Duration)> {
    let mut open: Vec<(&str, Duration)> = pods
        .filter(|(_, done, _)| !done)
        .map(|(pod, _, since)| (pod, since))
        .collect();
    open.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    open.truncate(limit);
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ordinals_with_the_same_key_make_one_run() {
        let items = [(0, 'c'), (1, 'c'), (2, 'c'), (4, 'c'), (5, 'a'), (6, 'a')];
        let found = runs(&items, |i| i.0, |i| i.1);
        let spans: Vec<(usize, usize)> = found.iter().map(|r| (r.start, r.len)).collect();
        assert_eq!(
            spans,
            [(0, 3), (3, 1), (4, 2)],
            "a gap and a new key each start a run"
        );
    }

    #[test]
    fn descending_runs_and_a_change_of_direction() {
        let items = [9, 8, 7, 8, 9];
        let found = runs(&items, |o| *o, |_| ());
        let spans: Vec<(usize, usize)> = found.iter().map(|r| (r.start, r.len)).collect();
        assert_eq!(spans, [(0, 3), (3, 2)]);
        assert_eq!(span("web-9", "web-7", 3), "web-9 … web-7 (3 pods)");
        assert_eq!(span("web-9", "web-9", 1), "web-9");
    }

    #[test]
    fn the_pods_in_flight_longest_are_shown_first() {
        let secs = Duration::from_secs;
        let pods = [
            ("a", true, secs(30)),
            ("b", false, secs(2)),
            ("c", false, secs(12)),
            ("d", false, secs(5)),
        ];
        let shown = in_flight(pods.into_iter(), 2);
        assert_eq!(shown, [("c", secs(12)), ("d", secs(5))]);
    }
}
