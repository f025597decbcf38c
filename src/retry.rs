//! Which API failures are transient and how long they are retried: overload and server errors
//! (429, 5xx) until the command's deadline, connection failures and unanswered requests for
//! the request timeout, with exponential backoff. Writes are safe to retry because every write
//! carries a precondition (resourceVersion or uid): a retried write that already took effect
//! answers 409/404, which the commands treat as "re-read and re-plan" or "already done".

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
    /// No answer (connection refused or reset, request timeout): retry within the request
    /// timeout, so that an unreachable cluster is reported in that time.
    Unreachable,
}

/// Classifies a kube error; `evicting` marks the Eviction API, whose 429 is a refusal by a
/// PodDisruptionBudget, not overload.
pub fn transience(err: &kube::Error, evicting: bool) -> Transience {
    match err {
        kube::Error::Api(status) => match status.code {
            429 if evicting => Transience::Permanent,
            429 | 500 | 502 | 503 | 504 => Transience::ServerSide,
            _ => Transience::Permanent,
        },
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::ReadEvents(_) => {
            Transience::Unreachable
        }
        _ => Transience::Permanent,
    }
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
