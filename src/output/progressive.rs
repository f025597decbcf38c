//! A progressive rollout as people see it: the plan (one row per step), the line opening each
//! step, the bake with its countdown (a live line on a terminal, plain lines otherwise, on
//! stderr), and the table of step results at the end.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use comfy_table::Cell;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Style;
use super::rollout::write_changes;
use super::table::{new_table, render, verdict_cell};
use crate::model::rollout::progressive::{ProgressivePlan, StepOutcome, StepPlan, StepResult};
use crate::model::set::Strategy;

/// `1m 30s` as people write it (`1m30s`), `0s` for nothing.
pub fn duration(d: Duration) -> String {
    let whole = Duration::from_secs(d.as_secs());
    let rounded = if whole.is_zero() && !d.is_zero() { d } else { whole };
    humantime::format_duration(rounded).to_string().replace(' ', "")
}

/// The plan: the images, one row per step, what happens after each step.
pub fn write_plan(out: &mut dyn Write, plan: &ProgressivePlan, style: Style) -> Result<()> {
    writeln!(
        out,
        "Progressive rollout of statefulset {}/{} ({:?}), {} steps:",
        plan.namespace,
        plan.name,
        plan.strategy,
        plan.steps.len()
    )?;
    if !plan.resumed {
        write_changes(out, &plan.changes)?;
    }
    if let Some(revision) = plan.in_flight.as_ref().filter(|_| !plan.resumed) {
        writeln!(
            out,
            "Warning: a rollout to {revision} is in flight; this one replaces it"
        )?;
    }
    let mut table = new_table(&["STEP", "STEP AS GIVEN", "PODS", "PARTITION", "MOVES"], style);
    for step in &plan.steps {
        let passed = step.step < plan.start_at;
        let moves = match passed {
            true => "(passed)".to_string(),
            false => step.moves.join(", "),
        };
        table.add_row(vec![
            Cell::new(step.step),
            Cell::new(&step.spec),
            Cell::new(step.count),
            Cell::new(step.partition),
            Cell::new(moves),
        ]);
    }
    out.write_all(render(&table).as_bytes())?;
    writeln!(out, "After each step: {}", after_each_step(plan))?;
    if plan.strategy == Strategy::RollingUpdate && plan.options.gates.walks() {
        writeln!(
            out,
            "Each step lowers the partition {} pod(s) at a time, the gates between (the set stays RollingUpdate)",
            plan.options.gates.max_unavailable
        )?;
    }
    for line in plan.options.gates.describe() {
        writeln!(out, "Gate: {line}")?;
    }
    for note in &plan.notes {
        writeln!(out, "Note: {note}")?;
    }
    Ok(())
}

fn after_each_step(plan: &ProgressivePlan) -> String {
    let options = &plan.options;
    let mut parts = vec!["wait until its pods are Ready and available".to_string()];
    if let Some(check) = &options.check {
        parts.push(format!(
            "run `{check}` (timeout {})",
            duration(options.check_timeout)
        ));
    }
    if !options.pause.is_zero() {
        parts.push(format!("bake {} watching its pods", duration(options.pause)));
    }
    let failure = match options.auto_abort {
        true => format!(
            "a failed step aborts automatically, as `kubectl sts abort {}` does",
            plan.name
        ),
        false => "a failed step stops there (--no-auto-abort)".to_string(),
    };
    format!("{}; {failure}", parts.join(", then "))
}

/// The line opening a step, on stderr.
pub fn announce_step(plan: &ProgressivePlan, step: &StepPlan) {
    let moves = match step.moves.is_empty() {
        true => "no pod moves".to_string(),
        false => format!("moving {}", step.moves.join(", ")),
    };
    eprintln!(
        "Step {}/{} ({}): {} pod(s) on the new template, partition {}; {moves}",
        step.step,
        plan.steps.len(),
        step.spec,
        step.count,
        step.partition
    );
}

/// The bake of one step on stderr: a countdown on a terminal, a line at its start and end
/// otherwise.
pub struct BakeDisplay {
    bar: Option<ProgressBar>,
    label: String,
}

impl BakeDisplay {
    /// Starts showing the bake of `label` (`step 2/4`) until `until` (wall clock, shown).
    pub fn start(label: &str, pause: Duration, until: &str, pods: &[String], live: bool) -> BakeDisplay {
        let watching = pods.join(", ");
        let bar = live.then(|| {
            let style =
                ProgressStyle::with_template("  {spinner} {prefix} {wide_msg}").expect("valid template");
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_style(style)
                .with_prefix(format!("{label}: baking"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        if bar.is_none() {
            eprintln!(
                "  {label}: baking for {} until {until}, watching {watching}",
                duration(pause)
            );
        }
        let display = BakeDisplay {
            bar,
            label: label.to_string(),
        };
        display.left(pause);
        display
    }

    /// The time left (redrawn on a terminal only).
    pub fn left(&self, left: Duration) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} left", duration(left)));
        }
    }

    /// The end of the bake: how long it lasted and why it ended early, if it did.
    pub fn finish(&self, seconds: f64, failure: Option<&str>) {
        let line = match failure {
            None => format!("  ✓ {}: baked {seconds:.1}s", self.label),
            Some(why) => format!("  ✗ {}: bake ended after {seconds:.1}s: {why}", self.label),
        };
        match &self.bar {
            Some(bar) => bar.finish_with_message(line.trim_start().to_string()),
            None => eprintln!("{line}"),
        }
    }
}

/// The results, one row per step run, then the message.
pub fn write_report(
    out: &mut dyn Write,
    outcomes: &[StepOutcome],
    message: &str,
    style: Style,
) -> Result<()> {
    if !outcomes.is_empty() {
        let mut table = new_table(
            &[
                "STEP",
                "PODS",
                "PARTITION",
                "READY AFTER",
                "CHECK",
                "BAKE",
                "RESULT",
            ],
            style,
        );
        for step in outcomes {
            let check = step
                .check
                .as_ref()
                .map_or("-".to_string(), |c| match (c.timed_out, c.exit_code) {
                    (true, _) => format!("timed out after {:.1}s", c.seconds),
                    (false, Some(code)) => format!("exit {code} in {:.1}s", c.seconds),
                    (false, None) => format!("killed after {:.1}s", c.seconds),
                });
            let bake = step
                .bake
                .as_ref()
                .map_or("-".to_string(), |b| format!("{:.1}s", b.seconds));
            let ready = step.wait_seconds.map_or("-".to_string(), |s| format!("{s:.1}s"));
            let result = format!("{:?}", step.result).to_lowercase();
            table.add_row(vec![
                Cell::new(step.step),
                Cell::new(step.count),
                Cell::new(step.partition),
                Cell::new(ready),
                Cell::new(check),
                Cell::new(bake),
                verdict_cell(result, step.result == StepResult::Passed, style),
            ]);
        }
        out.write_all(render(&table).as_bytes())?;
    }
    writeln!(out, "{message}")?;
    Ok(())
}
