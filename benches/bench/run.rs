//! Running a binary the way a person would (fresh process, kubeconfig from `KUBECONFIG`, no
//! terminal) and measuring it: wall time from spawn to exit, when its first output reached
//! stdout (on request), and the child's own peak memory (`ru_maxrss` from `wait4`). Linux charges a child with the peak of the address space it was
//! forked from, so measured runs are started by a small spawner process (this benchmark run in
//! `STS_BENCH_SPAWNER` mode), not by the benchmark that holds the whole simulated cluster.
//! Also the statistics the report prints.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Set in the environment of the spawner process.
pub const SPAWNER_ENV: &str = "STS_BENCH_SPAWNER";

/// How one run ended.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub wall: Duration,
    /// CPU time of the child (user + system).
    pub cpu: Duration,
    /// Peak resident memory of the child, KiB.
    pub max_rss_kib: u64,
    pub code: i32,
    /// When the child was seen to exit.
    pub ended: Instant,
    /// From spawn to the first byte on its stdout, when watched (`Spawner::run_to_output`).
    pub first_output: Option<Duration>,
}

/// A started child.
pub struct Running {
    child: Child,
    started: Instant,
}

/// Starts `bin args…` with only `KUBECONFIG` and `NO_COLOR` in its environment, output
/// discarded.
pub fn spawn(bin: &Path, args: &[&str], kubeconfig: &Path, extra_env: &[(&str, &str)]) -> Running {
    start(bin, args, kubeconfig, extra_env, Stdio::null())
}

/// `spawn`, its stdout going to `stdout`.
fn start(bin: &Path, args: &[&str], kubeconfig: &Path, extra_env: &[(&str, &str)], stdout: Stdio) -> Running {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env_clear()
        .env("KUBECONFIG", kubeconfig)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, OsStr::new(v));
    }
    let started = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    Running { child, started }
}

impl Running {
    /// Blocks until the child exits; its wall time, peak memory and, if its stdout is a pipe,
    /// when the first byte came through it (the rest is read and discarded).
    pub fn finish(mut self) -> Outcome {
        let first_output = self.child.stdout.take().and_then(|mut out| {
            let mut first = [0u8; 1];
            let seen = (out.read(&mut first).ok()? == 1).then(|| self.started.elapsed());
            std::io::copy(&mut out, &mut std::io::sink()).ok()?;
            seen
        });
        let pid = self.child.id() as libc::pid_t;
        let mut status: libc::c_int = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own unreaped child; both out-pointers are valid for the call.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let ended = Instant::now();
        assert_eq!(reaped, pid, "wait4 on the child failed");
        // The child is reaped: `Child` must not wait on it again, dropping it does not.
        drop(self.child);
        let code = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        let time = |t: libc::timeval| Duration::from_micros(t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64);
        Outcome {
            wall: ended - self.started,
            cpu: time(usage.ru_utime) + time(usage.ru_stime),
            max_rss_kib: usage.ru_maxrss as u64,
            code,
            ended,
            first_output,
        }
    }
}

/// Runs to completion, from this process (its peak memory is not the child's own).
pub fn run(bin: &Path, args: &[&str], kubeconfig: &Path, extra_env: &[(&str, &str)]) -> Outcome {
    spawn(bin, args, kubeconfig, extra_env).finish()
}

/// A small process that starts the measured runs and reports how they went.
pub struct Spawner {
    _process: Child,
    requests: ChildStdin,
    answers: BufReader<ChildStdout>,
}

impl Spawner {
    /// Starts this benchmark's binary in spawner mode.
    pub fn start() -> Spawner {
        let exe = std::env::current_exe().expect("the benchmark's own path");
        let mut process = Command::new(exe)
            .env(SPAWNER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the spawner starts");
        let requests = process.stdin.take().expect("spawner stdin");
        let answers = BufReader::new(process.stdout.take().expect("spawner stdout"));
        Spawner {
            _process: process,
            requests,
            answers,
        }
    }

    /// Runs `bin args…` to completion in the spawner.
    pub fn run(
        &mut self,
        bin: &Path,
        args: &[&str],
        kubeconfig: &Path,
        extra_env: &[(&str, &str)],
    ) -> Outcome {
        self.request(bin, args, kubeconfig, extra_env, false)
    }

    /// `run`, also timing the first byte of its stdout (`Outcome::first_output`).
    pub fn run_to_output(&mut self, bin: &Path, args: &[&str], kubeconfig: &Path) -> Outcome {
        self.request(bin, args, kubeconfig, &[], true)
    }

    fn request(
        &mut self,
        bin: &Path,
        args: &[&str],
        kubeconfig: &Path,
        extra_env: &[(&str, &str)],
        watch_output: bool,
    ) -> Outcome {
        let request = json!({
            "bin": bin, "args": args, "kubeconfig": kubeconfig, "env": extra_env, "watch_output": watch_output
        });
        writeln!(self.requests, "{request}").expect("request to the spawner");
        let mut line = String::new();
        self.answers.read_line(&mut line).expect("answer of the spawner");
        let answer: Value = serde_json::from_str(&line).expect("the spawner answers JSON");
        let number = |key: &str| answer[key].as_u64().expect("a number");
        Outcome {
            wall: Duration::from_nanos(number("wall_ns")),
            cpu: Duration::from_nanos(number("cpu_ns")),
            max_rss_kib: number("max_rss_kib"),
            code: answer["code"].as_i64().unwrap_or(-1) as i32,
            ended: Instant::now(),
            first_output: answer["first_output_ns"].as_u64().map(Duration::from_nanos),
        }
    }
}

/// The spawner's loop: one JSON request per line on stdin, one answer per line on stdout.
pub fn serve_spawner() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines().map_while(Result::ok) {
        let request: Value = serde_json::from_str(&line).expect("a JSON request");
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let args: Vec<String> = request["args"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        let env: Vec<(String, String)> = request["env"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|pair| (text(&pair[0]), text(&pair[1])))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let bin = PathBuf::from(text(&request["bin"]));
        let output = match request["watch_output"].as_bool() {
            Some(true) => Stdio::piped(),
            _ => Stdio::null(),
        };
        let kubeconfig = text(&request["kubeconfig"]);
        let outcome = start(&bin, &args, Path::new(&kubeconfig), &env, output).finish();
        let answer = json!({
            "wall_ns": outcome.wall.as_nanos() as u64, "cpu_ns": outcome.cpu.as_nanos() as u64, "max_rss_kib": outcome.max_rss_kib, "code": outcome.code,
            "first_output_ns": outcome.first_output.map(|d| d.as_nanos() as u64)
        });
        writeln!(stdout, "{answer}").expect("answer to the benchmark");
    }
}

/// The median and 90th percentile (nearest rank) of some durations.
pub fn median_p90(samples: &[Duration]) -> (Duration, Duration) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return (Duration::ZERO, Duration::ZERO);
    }
    let rank = |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    (rank(0.5), rank(0.9))
}

/// `12.3 ms`.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// `21.4 MiB`.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
