//! Live progress of a wait on stderr. Up to `FEW` pods (or with `-o wide`): one line per pod
//! plus the total, drawn with indicatif on a terminal, or one plain line per change otherwise
//! (CI logs). More pods: one aggregate bar (`N/M Ready`, elapsed, rate) and a few lines for
//! the pods in flight longest; without a terminal a line per change of a slow pod and an
//! aggregate line every few seconds. A pod's time counts from when it was first shown (its
//! turn began).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::flow::group::{FEW, SLOW, in_flight};
use crate::model::flow::step::StepState;

/// Lines for pods in flight under the aggregate bar.
const IN_FLIGHT_LINES: usize = 6;

/// How often a plain aggregate line is written without a terminal.
const AGGREGATE_EVERY: Duration = Duration::from_secs(5);

/// How the progress is drawn.
enum Drawing {
    /// A line per pod on a terminal.
    Bars {
        total: ProgressBar,
        bars: Vec<ProgressBar>,
    },
    /// A plain line per change.
    Lines,
    /// The aggregate bar and lines for the pods in flight, on a terminal.
    LiveSum {
        total: ProgressBar,
        slots: Vec<ProgressBar>,
    },
    /// Plain aggregate lines and the changes of slow pods.
    PlainSum { last_line: Instant },
}

/// The progress display of one wait.
pub struct PodProgress {
    drawing: Drawing,
    _multi: Option<MultiProgress>,
    pods: Vec<String>,
    /// What a pod reaches when done (`Ready`, `gone`).
    goal: &'static str,
    started: Instant,
    last: HashMap<String, StepState>,
    /// When each pod was first shown: its time counts from then.
    first_seen: HashMap<String, Instant>,
    done_after: HashMap<String, Duration>,
}

impl PodProgress {
    /// A display for these pods; `live` draws bars (stderr is a terminal); `wide` lists every
    /// pod however many there are.
    pub fn new(pods: Vec<String>, live: bool, wide: bool) -> PodProgress {
        let summed = pods.len() > FEW && !wide;
        let multi = live.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        let drawing = match (&multi, summed) {
            (Some(multi), false) => per_pod_bars(multi, &pods),
            (Some(multi), true) => live_sum(multi, pods.len()),
            (None, false) => Drawing::Lines,
            (None, true) => Drawing::PlainSum {
                last_line: Instant::now(),
            },
        };
        PodProgress {
            drawing,
            _multi: multi,
            pods,
            goal: "Ready",
            started: Instant::now(),
            last: HashMap::new(),
            first_seen: HashMap::new(),
            done_after: HashMap::new(),
        }
    }

    /// What the aggregate counts the pods as when done (`Ready` unless said).
    pub fn with_goal(mut self, goal: &'static str) -> PodProgress {
        self.goal = goal;
        if let Drawing::LiveSum { total, .. } = &self.drawing {
            total.set_message(goal);
        }
        self
    }

    /// Shows the latest state of each pod (only changes are shown).
    pub fn update(&mut self, lines: &[StepState]) {
        for line in lines {
            let since = *self
                .first_seen
                .entry(line.pod.clone())
                .or_insert_with(Instant::now);
            if self.last.get(&line.pod) == Some(line) {
                continue;
            }
            if line.done {
                self.done_after
                    .entry(line.pod.clone())
                    .or_insert_with(|| since.elapsed());
            }
            self.show(line, since.elapsed());
            self.last.insert(line.pod.clone(), line.clone());
        }
        self.show_sum(false);
    }

    fn show(&self, line: &StepState, in_flight: Duration) {
        let mark = if line.done { "✓" } else { "…" };
        let took = self
            .done_after
            .get(&line.pod)
            .map(|d| format!(" after {:.1}s", d.as_secs_f64()))
            .unwrap_or_default();
        match &self.drawing {
            Drawing::Bars { bars, .. } => {
                let index = self.pods.iter().position(|p| *p == line.pod);
                if let Some(bar) = index.and_then(|i| bars.get(i)) {
                    bar.set_message(format!("{mark} {}{took}", line.state));
                    if line.done {
                        bar.finish();
                    }
                }
            }
            Drawing::Lines => eprintln!("  {} {}: {}{took}", mark, line.pod, line.state),
            Drawing::PlainSum { .. } if in_flight >= SLOW => {
                eprintln!(
                    "  {} {}: {}{took} (in flight {:.0}s)",
                    mark,
                    line.pod,
                    line.state,
                    in_flight.as_secs_f64()
                );
            }
            Drawing::PlainSum { .. } | Drawing::LiveSum { .. } => {}
        }
    }

    /// The aggregate: the bar's position and the pods in flight on a terminal; a plain line
    /// every `AGGREGATE_EVERY` (or now, with `last`) otherwise.
    fn show_sum(&mut self, last: bool) {
        let done = self.done_after.len();
        match &mut self.drawing {
            Drawing::Bars { total, .. } => total.set_position(done as u64),
            Drawing::LiveSum { total, slots } => {
                total.set_position(done as u64);
                let now = Instant::now();
                let pods = self.last.values().map(|s| {
                    let since = self.first_seen.get(&s.pod).map_or(Duration::ZERO, |t| now - *t);
                    (s.pod.as_str(), s.done, since)
                });
                let shown = in_flight(pods, slots.len());
                for (index, slot) in slots.iter().enumerate() {
                    let text = shown.get(index).map_or_else(String::new, |(pod, since)| {
                        let state = self.last.get(*pod).map_or("", |s| s.state.as_str());
                        format!("{pod}: {state} ({:.0}s)", since.as_secs_f64())
                    });
                    slot.set_message(text);
                }
            }
            Drawing::PlainSum { last_line } if last || last_line.elapsed() >= AGGREGATE_EVERY => {
                *last_line = Instant::now();
                eprintln!(
                    "  {}",
                    aggregate(done, self.pods.len(), self.goal, self.started.elapsed())
                );
            }
            Drawing::PlainSum { .. } | Drawing::Lines => {}
        }
    }

    /// Seconds from the start of the wait until the pod was done, if it is.
    pub fn seconds_to_done(&self, pod: &str) -> Option<f64> {
        self.done_after.get(pod).map(Duration::as_secs_f64)
    }

    /// The last state shown for the pod.
    pub fn last_state(&self, pod: &str) -> Option<String> {
        self.last.get(pod).map(|line| line.state.clone())
    }

    /// Stops drawing (bars stay on screen as last drawn; the aggregate says where it ended).
    pub fn finish(&mut self) {
        self.show_sum(true);
        match &self.drawing {
            Drawing::Bars { total, bars } => {
                bars.iter().for_each(ProgressBar::abandon);
                total.abandon();
            }
            Drawing::LiveSum { total, slots } => {
                slots.iter().for_each(ProgressBar::finish_and_clear);
                let done = self.done_after.len();
                total.set_style(ProgressStyle::with_template("  {bar:30} {msg}").expect("valid template"));
                total.abandon_with_message(aggregate(
                    done,
                    self.pods.len(),
                    self.goal,
                    self.started.elapsed(),
                ));
            }
            Drawing::Lines | Drawing::PlainSum { .. } => {}
        }
    }
}

/// `180/200 Ready, 12s elapsed, 15.0 pods/s`.
fn aggregate(done: usize, total: usize, goal: &str, elapsed: Duration) -> String {
    let rate = done as f64 / elapsed.as_secs_f64().max(1e-3);
    format!(
        "{done}/{total} {goal}, {:.0}s elapsed, {rate:.1} pods/s",
        elapsed.as_secs_f64()
    )
}

fn per_pod_bars(multi: &MultiProgress, pods: &[String]) -> Drawing {
    let style = ProgressStyle::with_template("{spinner} {prefix:<12} {wide_msg}").expect("valid template");
    let bars = pods
        .iter()
        .map(|pod| {
            let bar = multi.add(
                ProgressBar::new_spinner()
                    .with_style(style.clone())
                    .with_prefix(pod.clone()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        })
        .collect();
    let total_style = ProgressStyle::with_template("  {bar:30} {pos}/{len} {msg}").expect("valid template");
    let total = multi.add(ProgressBar::new(pods.len() as u64).with_style(total_style));
    Drawing::Bars { total, bars }
}

fn live_sum(multi: &MultiProgress, count: usize) -> Drawing {
    let style = ProgressStyle::with_template("  {bar:30} {pos}/{len} {msg}, {elapsed} elapsed, {per_sec}")
        .expect("valid template");
    let total = multi.add(ProgressBar::new(count as u64).with_style(style));
    total.set_message("Ready");
    total.enable_steady_tick(Duration::from_millis(500));
    let slot_style = ProgressStyle::with_template("    {wide_msg}").expect("valid template");
    let slots = (0..IN_FLIGHT_LINES)
        .map(|_| multi.add(ProgressBar::new_spinner().with_style(slot_style.clone())))
        .collect();
    Drawing::LiveSum { total, slots }
}
