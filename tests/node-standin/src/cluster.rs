//! The launcher's Rust side: builds (once, cached) and starts `cluster-up` from
//! `tests/cluster`, waits for its `ready` line, starts the node stand-in on it, and stops both
//! when dropped (closing the launcher's stdin makes it stop every component by pid), removing
//! the directory unless a test failed.

use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::{Config, NodeStandin};

/// A running control plane with its nodes.
pub struct ControlPlane {
    /// What `cluster-up` wrote to `cluster.json` (server, kubeconfigs, DNS address, audit log).
    pub info: Value,
    pub standin: NodeStandin,
    /// Holding its stdin open keeps `cluster-up` running.
    launcher: Child,
    /// What it says after `ready` (answers to restarts).
    said: Mutex<Lines<BufReader<ChildStdout>>>,
    /// Its directory, removed once it stopped (kept, with its logs, when a test fails).
    dir: PathBuf,
}

static BINARIES: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// The directory of the built components: `STS_CLUSTER_BIN`, or what `tests/cluster/build.sh`
/// prints (building them the first time).
pub fn binaries() -> Result<&'static Path> {
    match BINARIES.get_or_init(|| build().map_err(|e| format!("{e:#}"))) {
        Ok(dir) => Ok(dir),
        Err(e) => bail!("{e}"),
    }
}

fn build() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("STS_CLUSTER_BIN") {
        return Ok(dir.into());
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cluster/build.sh");
    let out = Command::new(&script)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| script.display().to_string())?;
    if !out.status.success() {
        bail!("{} failed", script.display());
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

impl ControlPlane {
    /// Brings up a control plane in `dir` (its launcher's log beside it, `dir` + `.log`) and
    /// the nodes with `config`.
    pub fn start(dir: &Path, config: Config) -> Result<ControlPlane> {
        // A port picked free can be taken by another test's control plane before it is bound:
        // such a start fails at once, and a second one picks other ports.
        let mut attempt = 1;
        loop {
            match Self::start_once(dir, config.clone()) {
                Err(err) if attempt < 3 && !dir.join("cluster.json").exists() => {
                    eprintln!("control plane did not start ({err:#}); trying again");
                    let _ = std::fs::remove_dir_all(dir);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn start_once(dir: &Path, config: Config) -> Result<ControlPlane> {
        let began = Instant::now();
        let log = std::fs::File::create(dir.with_extension("log"))?;
        let mut launcher = Command::new(binaries()?.join("cluster-up"))
            .arg(format!("-dir={}", dir.display()))
            .arg("-exit-on-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("starting cluster-up")?;
        let stdout = launcher.stdout.take().context("launcher stdout")?;
        let mut said = BufReader::new(stdout).lines();
        let ready = said
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.strip_prefix("ready ").map(str::to_string))
            .with_context(|| {
                format!(
                    "cluster-up failed: see {}.log and {}/logs",
                    dir.display(),
                    dir.display()
                )
            })?;
        let info: Value = serde_json::from_str(&std::fs::read_to_string(ready)?)?;
        let admin = PathBuf::from(
            info["kubeconfigs"]["admin"]
                .as_str()
                .context("admin kubeconfig")?,
        );
        let standin = NodeStandin::start(&admin, config)?;
        eprintln!("control plane and nodes ready in {:?}", began.elapsed());
        let said = Mutex::new(said);
        let dir = dir.to_path_buf();
        Ok(ControlPlane {
            info,
            standin,
            launcher,
            said,
            dir,
        })
    }

    /// The kubeconfig of a user (`admin`, `test-user`, `viewer`).
    pub fn kubeconfig(&self, user: &str) -> PathBuf {
        PathBuf::from(self.info["kubeconfigs"][user].as_str().unwrap_or_default())
    }

    /// Restarts the API server (stopped, then started again on the same port with the same
    /// data), returning once it is ready again; its clients see connections and watches end.
    pub fn restart_apiserver(&self) -> Result<()> {
        let pid = libc::pid_t::try_from(self.launcher.id())?;
        // SAFETY: kill(2) on the launcher this value owns; no memory is involved.
        if unsafe { libc::kill(pid, libc::SIGUSR1) } != 0 {
            bail!("signalling cluster-up: {}", std::io::Error::last_os_error());
        }
        let mut said = self.said.lock().expect("launcher output");
        match said.next() {
            Some(Ok(line)) if line == "restarted kube-apiserver" => Ok(()),
            Some(Ok(line)) => bail!("{line}"),
            _ => bail!("cluster-up went away"),
        }
    }

    /// The audit log of the API server.
    pub fn audit_log(&self) -> PathBuf {
        PathBuf::from(self.info["auditLog"].as_str().unwrap_or_default())
    }
}

impl Drop for ControlPlane {
    /// Stops the nodes, then closes the launcher's stdin and waits until it has stopped every
    /// component; removes the directory unless the thread is panicking (a failed test).
    fn drop(&mut self) {
        self.standin.shutdown();
        drop(self.launcher.stdin.take());
        let _ = self.launcher.wait();
        if std::thread::panicking() {
            eprintln!("control plane logs kept in {}", self.dir.display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(self.dir.with_extension("log"));
    }
}
