//! Error kinds the program branches on, their exit codes, and the friendly one-line texts for
//! API failures (401/403/404/409/422, unreachable servers). Nothing else decides exit codes.

use std::process::ExitCode;

use crate::model::refusal::{Refusal, RefusalKind};

/// Exit codes, as documented in docs/concepts.md (0 is success, 2 is clap's usage error):
/// one meaning each, whichever command, and whether a value is judged before or after the
/// cluster is read.
pub mod exit {
    /// Done, or nothing to do.
    pub const SUCCESS: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const CHECK_FAILED: u8 = 3;
    pub const TIMED_OUT: u8 = 4;
    /// `plan`: the manifest changes the cluster (as `terraform plan -detailed-exitcode`).
    pub const CHANGES: u8 = 5;
    pub const INTERRUPTED: u8 = 130;
}

/// A failure with a meaning of its own (and an exit code to match).
#[derive(Debug, thiserror::Error)]
pub enum StsError {
    /// The object does not exist: `statefulset default/nope not found`.
    #[error("{kind} {namespace}/{name} not found{}", then(hint))]
    NotFound {
        kind: &'static str,
        namespace: String,
        name: String,
        /// What to do next (names close to the one asked for), appended after `; `.
        hint: Option<String>,
    },
    /// Someone else changed the object since it was read (409): re-read and re-plan.
    #[error("{0}")]
    Conflict(String),
    /// The arguments passed parsing but make no sense for this cluster state.
    #[error("{0}")]
    BadInput(String),
    /// Arguments that make no sense for this set, judged once it is read (a step above its
    /// replica count): a usage error, exit 2, nothing changed.
    #[error("{0}")]
    Usage(String),
    /// A change needs confirmation and there is no TTY to ask on and no `--yes`.
    #[error("{0}")]
    NeedsConfirmation(String),
    /// A check found problems or a rollout failed (a pod crash-looping): exit 3.
    #[error("{0}")]
    CheckFailed(String),
    /// A wait passed its deadline: exit 4. The message says where things stand.
    #[error("{0}")]
    TimedOut(String),
    /// Ctrl-C / SIGTERM: exit 130. The message says what was in flight.
    #[error("{0}")]
    Interrupted(String),
    /// Another writer changed what the command planned or waits on (the plan, the set itself):
    /// the command stopped rather than overwrite or wait on something else. Exit 1.
    #[error("{0}")]
    Superseded(String),
    /// The user ended a command that changes nothing (Ctrl-C on `status --watch`): exit 130,
    /// nothing printed.
    #[error("ended by the user")]
    EndedByUser,
    /// `plan` found changes to carry out: exit 5, the plan printed already says them.
    #[error("changes to carry out")]
    ChangesPending,
    /// The cluster is already where the command leads (`nothing to promote`): exit 0, the
    /// message said as a result rather than as an error.
    #[error("{0}")]
    NothingToDo(String),
}

/// A refused plan exits as what stands in the way: the request (usage, 2), the set's state or
/// the input (1).
impl From<Refusal> for StsError {
    fn from(refusal: Refusal) -> StsError {
        match refusal.kind {
            RefusalKind::Usage => StsError::Usage(refusal.reason),
            RefusalKind::NothingToDo => StsError::NothingToDo(refusal.reason),
            RefusalKind::State | RefusalKind::Input => StsError::BadInput(refusal.reason),
        }
    }
}

/// `; hint` when there is one.
fn then(hint: &Option<String>) -> String {
    hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default()
}

impl StsError {
    /// The process exit code of this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            StsError::CheckFailed(_) => exit::CHECK_FAILED,
            StsError::Usage(_) => exit::USAGE,
            StsError::TimedOut(_) => exit::TIMED_OUT,
            StsError::Interrupted(_) | StsError::EndedByUser => exit::INTERRUPTED,
            StsError::ChangesPending => exit::CHANGES,
            StsError::NothingToDo(_) => exit::SUCCESS,
            StsError::NotFound { .. }
            | StsError::Conflict(_)
            | StsError::Superseded(_)
            | StsError::BadInput(_)
            | StsError::NeedsConfirmation(_) => exit::ERROR,
        }
    }
}

/// The exit code for an error chain: the first `StsError` in it decides, anything else is 1.
pub fn exit_code_of(err: &anyhow::Error) -> ExitCode {
    let code = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<StsError>())
        .map_or(exit::ERROR, StsError::exit_code);
    ExitCode::from(code)
}

/// What the caller was doing, for wording API errors: `get`, `statefulsets`, namespace, name.
#[derive(Debug, Clone, Copy)]
pub struct ApiCall<'a> {
    pub verb: &'static str,
    pub resource: &'static str,
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
}

impl<'a> ApiCall<'a> {
    /// A call on one named object of a namespace.
    pub fn on(verb: &'static str, resource: &'static str, namespace: &'a str, name: &'a str) -> Self {
        ApiCall {
            verb,
            resource,
            namespace: Some(namespace),
            name: Some(name),
        }
    }

    /// Whether the call only reads (get, list, watch): sending it again changes nothing.
    pub fn is_read(&self) -> bool {
        matches!(self.verb, "get" | "list" | "watch")
    }

    /// A list in one namespace, or in all with `None`.
    pub fn list(resource: &'static str, namespace: Option<&'a str>) -> Self {
        ApiCall {
            verb: "list",
            resource,
            namespace,
            name: None,
        }
    }
}

/// Who and where, for wording connection and credential errors.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub server: String,
    pub context: String,
    /// Who acts: `--as`, else the kubeconfig user entry.
    pub user: String,
    /// The kubeconfig user entry whose credentials are presented.
    pub entry: String,
    /// What those credentials are (`the token of tokenFile …`).
    pub credential: String,
    /// The proxy the server is reached through.
    pub proxy: Option<String>,
}

impl Target {
    /// ` through proxy URL`, or nothing.
    fn via(&self) -> String {
        self.proxy
            .as_ref()
            .map(|proxy| format!(" through proxy {proxy}"))
            .unwrap_or_default()
    }
}

/// Turns a kube error into a one-line message a person can act on.
pub fn describe_kube_error(err: &kube::Error, call: ApiCall<'_>, target: &Target) -> anyhow::Error {
    let place = match (call.namespace, call.name) {
        (Some(ns), Some(name)) => format!("{} {ns}/{name}", singular(call.resource)),
        (Some(ns), None) => format!("{} in namespace {ns}", call.resource),
        (None, Some(name)) => format!("{} {name}", singular(call.resource)),
        (None, None) => format!("{} in all namespaces", call.resource),
    };
    match err {
        kube::Error::Api(status) => match status.code {
            404 if call.name.is_some() => anyhow::Error::new(StsError::NotFound {
                kind: singular(call.resource),
                namespace: call.namespace.unwrap_or_default().to_string(),
                name: call.name.unwrap_or_default().to_string(),
                hint: None,
            }),
            401 => anyhow::anyhow!(
                "the server {} rejected the credentials of user {:?} in the kubeconfig (context {:?}): {} {}; log in again or pick another --context",
                target.server,
                target.entry,
                target.context,
                target.credential,
                status_reason(&status.message)
            ),
            403 => anyhow::anyhow!(
                "forbidden: user {:?} may not {} {place}: {} (ask for RBAC permission or use another --context/--as)",
                target.user,
                call.verb,
                status.message
            ),
            409 => anyhow::Error::new(StsError::Conflict(format!(
                "conflict on {place}: someone else changed it ({}); re-run to plan against the new state",
                status.message
            ))),
            _ => anyhow::anyhow!(
                "cannot {} {place}: {} ({})",
                call.verb,
                status.message,
                status.code
            ),
        },
        other => unreachable_server(other, target),
    }
}

/// Whether the error chain holds a 409 Conflict.
pub fn is_conflict(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| matches!(cause.downcast_ref::<StsError>(), Some(StsError::Conflict(_))))
}

/// Whether the error chain holds an interrupt (Ctrl-C, SIGTERM).
pub fn is_interrupted(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| matches!(cause.downcast_ref::<StsError>(), Some(StsError::Interrupted(_))))
}

/// Whether the error ends the process quietly: the user ended a command that changes nothing.
pub fn is_silent(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<StsError>(),
        Some(StsError::EndedByUser | StsError::ChangesPending)
    )
}

/// Whether the error chain holds a 404 Not Found of a named object.
pub fn is_not_found(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| matches!(cause.downcast_ref::<StsError>(), Some(StsError::NotFound { .. })))
}

/// The cluster could not be reached at all (refused, DNS, TLS, timeout).
pub fn unreachable_server(err: &(dyn std::error::Error + 'static), target: &Target) -> anyhow::Error {
    if let Some(credential) = crate::retry::credential_error(err) {
        return anyhow::anyhow!("{credential}");
    }
    if let Some(why) = crate::retry::untrusted_certificate(err) {
        return untrusted(err, &why, target);
    }
    if let Some(why) = crate::retry::refusal(err) {
        return anyhow::anyhow!(
            "cannot reach the cluster at {}{} (context {:?}): {why}; check the server is up and --context/--kubeconfig",
            target.server,
            target.via(),
            target.context
        );
    }
    let detail = crate::retry::causes(err)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    anyhow::anyhow!(
        "cannot reach the cluster at {}{} (context {:?}): {detail}; check the server is up and --context/--kubeconfig",
        target.server,
        target.via(),
        target.context
    )
}

/// A certificate the handshake did not trust: the proxy's (trusted by the system's roots or the
/// cluster's authority) or the server's (by the cluster's authority).
fn untrusted(err: &(dyn std::error::Error + 'static), why: &str, target: &Target) -> anyhow::Error {
    match (crate::retry::at_the_proxy(err), &target.proxy) {
        (true, Some(proxy)) => anyhow::anyhow!(
            "the proxy {proxy} of context {:?} presented a certificate that is not trusted ({why}); add its authority to the system's roots (SSL_CERT_FILE names a bundle) or to the cluster's certificate-authority; nothing was sent to the cluster",
            target.context
        ),
        _ => anyhow::anyhow!(
            "the cluster at {}{} (context {:?}) presented a certificate that is not trusted ({why}); check the certificate-authority of its kubeconfig cluster entry (or --certificate-authority)",
            target.server,
            target.via(),
            target.context
        ),
    }
}

/// Why a 401 was given, from the server's message: `was not accepted` for the usual bare
/// `Unauthorized`, else the server's words.
fn status_reason(message: &str) -> String {
    match message.trim() {
        "" | "Unauthorized" => "was not accepted".into(),
        said => format!("was not accepted ({said})"),
    }
}

/// `statefulsets` -> `statefulset`.
fn singular(resource: &'static str) -> &'static str {
    match resource {
        "statefulsets" => "statefulset",
        "pods" => "pod",
        "persistentvolumeclaims" => "persistentvolumeclaim",
        "services" => "service",
        "controllerrevisions" => "controllerrevision",
        "endpointslices" => "endpointslice",
        "poddisruptionbudgets" => "poddisruptionbudget",
        other => other,
    }
}

/// Output was cut short by a closed pipe (`kubectl sts list | head`): not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_names_the_object_and_appends_the_hint() {
        let missing = |hint: Option<&str>| StsError::NotFound {
            kind: "statefulset",
            namespace: "default".to_string(),
            name: "wbe".to_string(),
            hint: hint.map(str::to_string),
        };
        assert_eq!(missing(None).to_string(), "statefulset default/wbe not found");
        assert_eq!(
            missing(Some("did you mean web?")).to_string(),
            "statefulset default/wbe not found; did you mean web?"
        );
        assert_eq!(StsError::EndedByUser.to_string(), "ended by the user");
        assert_eq!(StsError::TimedOut("late".into()).exit_code(), exit::TIMED_OUT);
    }
}
