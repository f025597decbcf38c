//! Waiting on the cluster: watch streams under a deadline, and the user's interrupt
//! (Ctrl-C / SIGTERM). Never a sleep loop: every wake-up is an event from the API server.

use std::time::Duration;

use tokio::time::Instant;

/// Resolves when the user interrupts (SIGINT) or the process is asked to stop (SIGTERM).
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The instant a wait of `timeout` started now must end.
pub fn deadline_after(timeout: Duration) -> Instant {
    Instant::now() + timeout
}
