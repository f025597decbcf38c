//! Running a kubeconfig user's exec credential plugin as client-go runs it: the command with
//! its args and env, `KUBERNETES_EXEC_INFO` (interactive or not, the cluster when
//! `provideClusterInfo`), standard input only when `interactiveMode` allows it and it is a
//! terminal; its stderr passed through, and quoted when it fails. When to run it is `auth`'s
//! business; `CredentialError`, the one-line failure of any credential, lives here, below it.

use std::io::IsTerminal;
use std::process::Stdio;

use jiff::Timestamp;
use kube::config::{ExecConfig, ExecInteractiveMode};
use serde::Deserialize;
use serde_json::json;

/// A credential that could not be presented: the message is the whole story (one line).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CredentialError(pub String);

/// A plugin of one kubeconfig user entry.
#[derive(Clone)]
pub struct ExecPlugin {
    config: ExecConfig,
    command: String,
    entry: String,
}

/// What a plugin answered.
pub struct ExecCredential {
    pub token: Option<String>,
    /// Client certificate and key, PEM.
    pub certificate: Option<(String, String)>,
    pub expires: Option<Timestamp>,
}

#[derive(Deserialize)]
struct Answer {
    status: Option<Status>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
    expiration_timestamp: Option<String>,
}

impl ExecPlugin {
    pub fn new(config: &ExecConfig, entry: &str) -> Result<ExecPlugin, CredentialError> {
        let command = config.command.clone().filter(|c| !c.is_empty()).ok_or_else(|| {
            CredentialError(format!(
                "the exec plugin of user {entry:?} in the kubeconfig names no command"
            ))
        })?;
        Ok(ExecPlugin {
            config: config.clone(),
            command,
            entry: entry.to_string(),
        })
    }

    /// What makes two plugins the same: the user entry and everything about the command.
    pub fn key(&self) -> String {
        let config = serde_json::to_string(&self.config).unwrap_or_default();
        format!("{}\n{config}", self.entry)
    }

    /// The command, as the kubeconfig names it.
    pub fn name(&self) -> &str {
        &self.command
    }

    /// Runs the plugin once and reads its credential.
    pub async fn run(&self) -> Result<ExecCredential, CredentialError> {
        let interactive = self.interactive()?;
        let mut command = tokio::process::Command::new(&self.command);
        command.args(self.config.args.iter().flatten());
        for var in self.config.env.iter().flatten() {
            if let (Some(name), Some(value)) = (var.get("name"), var.get("value")) {
                command.env(name, value);
            }
        }
        for name in self.config.drop_env.iter().flatten() {
            command.env_remove(name);
        }
        command.env("KUBERNETES_EXEC_INFO", self.exec_info(interactive).to_string());
        command.stdin(if interactive {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
        command.stderr(if interactive {
            Stdio::inherit()
        } else {
            Stdio::piped()
        });
        command.stdout(Stdio::piped()).kill_on_drop(true);
        let output = command.output().await.map_err(|e| self.not_started(&e))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            let said = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default();
            let code = output
                .status
                .code()
                .map_or("a signal".into(), |c| format!("status {c}"));
            return Err(self.failed(&format!("it exited with {code}{}", colon(said.trim()))));
        }
        eprint!("{stderr}");
        self.read(&output.stdout)
    }

    /// Whether the plugin gets standard input: `Never` no, `Always` yes (a terminal is
    /// required), `IfAvailable` (the default) when standard input is a terminal.
    fn interactive(&self) -> Result<bool, CredentialError> {
        let terminal = std::io::stdin().is_terminal();
        match self.config.interactive_mode {
            Some(ExecInteractiveMode::Never) => Ok(false),
            Some(ExecInteractiveMode::Always) if !terminal => {
                Err(self.failed("its interactiveMode is Always but standard input is not a terminal"))
            }
            _ => Ok(terminal),
        }
    }

    fn exec_info(&self, interactive: bool) -> serde_json::Value {
        let api_version = self
            .config
            .api_version
            .clone()
            .unwrap_or_else(|| "client.authentication.k8s.io/v1".into());
        let mut spec = json!({ "interactive": interactive });
        if self.config.provide_cluster_info
            && let Some(cluster) = &self.config.cluster
        {
            spec["cluster"] = serde_json::to_value(cluster).unwrap_or_default();
        }
        json!({ "apiVersion": api_version, "kind": "ExecCredential", "spec": spec })
    }

    fn read(&self, stdout: &[u8]) -> Result<ExecCredential, CredentialError> {
        let answer: Answer = serde_saphyr::from_slice(stdout)
            .map_err(|e| self.failed(&format!("its output is not an ExecCredential ({e})")))?;
        let status = answer
            .status
            .ok_or_else(|| self.failed("its ExecCredential has no status"))?;
        let expires = status
            .expiration_timestamp
            .map(|at| at.parse::<Timestamp>())
            .transpose()
            .map_err(|e| self.failed(&format!("its expirationTimestamp is not a time ({e})")))?;
        let certificate = status.client_certificate_data.zip(status.client_key_data);
        if status.token.is_none() && certificate.is_none() {
            return Err(self.failed("its ExecCredential has neither a token nor a client certificate"));
        }
        Ok(ExecCredential {
            token: status.token,
            certificate,
            expires,
        })
    }

    fn not_started(&self, err: &std::io::Error) -> CredentialError {
        if err.kind() != std::io::ErrorKind::NotFound {
            return self.failed(&format!("it could not be started ({err})"));
        }
        let hint = self.config.install_hint.as_deref().unwrap_or_default();
        let hint = hint.split_whitespace().collect::<Vec<_>>().join(" ");
        CredentialError(format!(
            "the exec credential plugin {:?} of user {:?} in the kubeconfig is not installed (not found on PATH){}",
            self.command,
            self.entry,
            colon(&hint)
        ))
    }

    fn failed(&self, why: &str) -> CredentialError {
        CredentialError(format!(
            "the exec credential plugin {:?} of user {:?} in the kubeconfig failed: {why}",
            self.command, self.entry
        ))
    }
}

/// `: text`, or nothing for no text.
fn colon(text: &str) -> String {
    match text {
        "" => String::new(),
        text => format!(": {text}"),
    }
}
