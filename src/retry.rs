//! Which API failures are transient and how long they are retried: overload and server errors
//! (429, 5xx) until the command's deadline, dropped connections and unanswered requests for
//! the request timeout, with exponential backoff; a refused connection or a name that does not
//! resolve is an answer, tried once more at once and then reported. Writes are safe to retry because every write
//! carries a precondition (resourceVersion or uid): a retried write that already took effect
//! answers 409/404, which the commands treat as "re-read and re-plan" or "already done".
//!
//! Written here rather than taken from a retry crate (tower's retry, backoff crates): the
//! decision hangs on Kubernetes' own meanings — a 429 from the Eviction API is a disruption
//! budget's refusal, not overload, and must not be retried blindly — and on the command's one
//! deadline, which those crates do not know.

use std::time::Duration;

use tokio::time::Instant;

/// The first pause between attempts; it doubles up to `MAX_DELAY`.
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(2);

/// How a failed attempt may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transience {
    /// Not transient: report at once.
    Permanent,
    /// The server answered that it is overloaded or failing (429, 5xx): retry until the
    /// command's deadline.
    ServerSide,
    /// No answer (connection reset or dropped, request timeout): retry within the request
    /// timeout, so that an unreachable cluster is reported in that time.
    Unreachable,
    /// Nothing listens at the address, or the host name does not resolve: one quick retry
    /// (a server restarting), then report.
    Refused,
}

/// How long a refused connection is retried: one more attempt after the first pause.
pub const REFUSED_WINDOW: Duration = Duration::from_millis(250);

/// Classifies a kube error; `evicting` marks the Eviction API, whose 429 is a refusal by a
/// PodDisruptionBudget, not overload.
pub fn transience(err: &kube::Error, evicting: bool) -> Transience {
    if credential_error(err).is_some() || untrusted_certificate(err).is_some() {
        return Transience::Permanent;
    }
    match err {
        kube::Error::Api(status) => match status.code {
            429 if evicting => Transience::Permanent,
            429 | 500 | 502 | 503 | 504 => Transience::ServerSide,
            _ => Transience::Permanent,
        },
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::ReadEvents(_)
            if refusal(err).is_some() =>
        {
            Transience::Refused
        }
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::ReadEvents(_) => {
            Transience::Unreachable
        }
        _ => Transience::Permanent,
    }
}

/// The error and every cause under it, what an io::Error wraps included: its `source()` skips
/// that, and hyper-rustls and tokio-rustls wrap a handshake's error so.
pub fn causes<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |current| {
        match current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
            None => current.source(),
        }
    })
}

/// A credential that could not be presented (an exec plugin that failed, say): not a fault of
/// the network, and reported as it is worded.
pub fn credential_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a crate::exec::CredentialError> {
    causes(err).find_map(|cause| cause.downcast_ref::<crate::exec::CredentialError>())
}

/// Why a TLS handshake did not trust the certificate it was shown (its issuer unknown, expired,
/// for another name): not a fault of the network, and the same at every attempt.
pub fn untrusted_certificate(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    causes(err).find_map(|cause| match cause.downcast_ref::<rustls::Error>() {
        Some(rustls::Error::InvalidCertificate(why)) => Some(format!("{why:?}")),
        _ => None,
    })
}

/// Whether the error chain passed through the proxy (`dial::ProxyFailed`): the connection to
/// the proxy failed, not the one to the server.
pub fn at_the_proxy(err: &(dyn std::error::Error + 'static)) -> bool {
    causes(err).any(|cause| cause.is::<crate::dial::ProxyFailed>())
}

/// Why a connection could not even be attempted, in words a person reads: `connection refused`
/// or `cannot resolve host` (hyper's connector says "dns error" above the resolver's message).
pub fn refusal(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    causes(err).find_map(|cause| {
        let io = cause.downcast_ref::<std::io::Error>();
        if io.is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused) {
            return Some("connection refused: nothing listens at that address");
        }
        cause
            .to_string()
            .starts_with("dns error")
            .then_some("cannot resolve the server's host name")
    })
}

/// The retry schedule of one request.
#[derive(Debug)]
pub struct Backoff {
    delay: Duration,
    started: Instant,
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            delay: FIRST_DELAY,
            started: Instant::now(),
            attempts: 1,
        }
    }
}

impl Backoff {
    /// The pause before the next attempt, or `None` when it would end past `deadline`.
    pub fn next(&mut self, deadline: Instant) -> Option<Duration> {
        let pause = self.delay;
        if Instant::now() + pause >= deadline {
            return None;
        }
        self.delay = (self.delay * 2).min(MAX_DELAY);
        self.attempts += 1;
        Some(pause)
    }

    /// When the request was first tried.
    pub fn started(&self) -> Instant {
        self.started
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16) -> kube::Error {
        kube::Error::Api(Box::new(kube::core::Status {
            code,
            ..Default::default()
        }))
    }

    #[test]
    fn overload_and_server_errors_are_retried_but_not_client_errors() {
        for code in [429, 500, 502, 503, 504] {
            assert_eq!(transience(&api(code), false), Transience::ServerSide, "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422] {
            assert_eq!(transience(&api(code), false), Transience::Permanent, "{code}");
        }
        assert_eq!(transience(&api(429), true), Transience::Permanent);
    }

    #[test]
    fn a_refused_connection_is_an_answer_not_a_transient_fault() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let err = kube::Error::Service(Box::new(refused));
        assert_eq!(transience(&err, false), Transience::Refused);
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let err = kube::Error::Service(Box::new(reset));
        assert_eq!(transience(&err, false), Transience::Unreachable);
    }

    #[test]
    fn backoff_doubles_and_stops_at_the_deadline() {
        let mut backoff = Backoff::default();
        let deadline = Instant::now() + Duration::from_secs(60);
        let pauses: Vec<Duration> = std::iter::from_fn(|| {
            let pause = backoff.next(deadline)?;
            Some(pause)
        })
        .take(3)
        .collect();
        assert_eq!(
            pauses,
            [
                Duration::from_millis(100),
                Duration::from_millis(200),
                Duration::from_millis(400)
            ]
        );
        assert_eq!(backoff.attempts, 4);
        assert_eq!(backoff.next(Instant::now() + Duration::from_millis(50)), None);
    }
}
