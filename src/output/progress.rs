//! Live progress of a wait on stderr: one line per pod plus the total, drawn with indicatif on
//! a terminal, or one plain line per change otherwise (CI logs). A pod's time counts from when
//! it was first shown (its turn began).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::step::StepState;

/// The progress display of one wait.
pub struct PodProgress {
    live: Option<(MultiProgress, ProgressBar, Vec<ProgressBar>)>,
    pods: Vec<String>,
    last: HashMap<String, StepState>,
    /// When each pod was first shown: its time counts from then.
    first_seen: HashMap<String, Instant>,
    done_after: HashMap<String, Duration>,
}

impl PodProgress {
    /// A display for these pods; `live` draws bars (stderr is a terminal).
    pub fn new(pods: Vec<String>, live: bool) -> PodProgress {
        let live = live.then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{spinner} {prefix:<12} {wide_msg}").expect("valid template");
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
            let total_style =
                ProgressStyle::with_template("  {bar:30} {pos}/{len} {msg}").expect("valid template");
            let total = multi.add(ProgressBar::new(pods.len() as u64).with_style(total_style));
            (multi, total, bars)
        });
        PodProgress {
            live,
            pods,
            last: HashMap::new(),
            first_seen: HashMap::new(),
            done_after: HashMap::new(),
        }
    }

    /// Shows the latest state of each pod (only changes are printed without a terminal).
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
            self.show(line);
            self.last.insert(line.pod.clone(), line.clone());
        }
        if let Some((_, total, _)) = &self.live {
            total.set_position(self.done_after.len() as u64);
        }
    }

    fn show(&self, line: &StepState) {
        let mark = if line.done { "✓" } else { "…" };
        let took = self
            .done_after
            .get(&line.pod)
            .map(|d| format!(" after {:.1}s", d.as_secs_f64()))
            .unwrap_or_default();
        match &self.live {
            Some((_, _, bars)) => {
                let index = self.pods.iter().position(|p| *p == line.pod);
                if let Some(bar) = index.and_then(|i| bars.get(i)) {
                    bar.set_message(format!("{mark} {}{took}", line.state));
                    if line.done {
                        bar.finish();
                    }
                }
            }
            None => eprintln!("  {} {}: {}{took}", mark, line.pod, line.state),
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

    /// Stops drawing (bars stay on screen as last drawn).
    pub fn finish(&self) {
        if let Some((_, total, bars)) = &self.live {
            bars.iter().for_each(ProgressBar::abandon);
            total.abandon();
        }
    }
}
