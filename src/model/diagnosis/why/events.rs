//! The namespace's events, looked up by the object they are about (kind, name and, when known,
//! uid — so that a re-created pod is not blamed for its predecessor's events) and worded as
//! evidence: `FailedScheduling (×3, last 12s ago): 0/3 nodes are available: …`.

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::jiff::Timestamp;

/// Events indexed for lookups, newest first.
pub struct EventIndex<'a> {
    events: Vec<&'a Event>,
    now: Timestamp,
}

impl<'a> EventIndex<'a> {
    /// Indexes `events`, judged at `now`.
    pub fn new(events: &'a [Event], now: Timestamp) -> EventIndex<'a> {
        let mut events: Vec<&Event> = events.iter().collect();
        events.sort_by_key(|e| std::cmp::Reverse(last_seen(e)));
        EventIndex { events, now }
    }

    /// The events about object `kind`/`name` (and `uid`, when given and the event names one)
    /// with one of `reasons` (any reason when empty), newest first.
    pub fn about(&self, kind: &str, name: &str, uid: Option<&str>, reasons: &[&str]) -> Vec<&'a Event> {
        self.events
            .iter()
            .copied()
            .filter(|e| {
                let object = &e.involved_object;
                object.kind.as_deref() == Some(kind)
                    && object.name.as_deref() == Some(name)
                    && (uid.is_none() || object.uid.is_none() || object.uid.as_deref() == uid)
                    && (reasons.is_empty() || reasons.contains(&e.reason.as_deref().unwrap_or_default()))
            })
            .collect()
    }

    /// The newest Warning event about the object, if any.
    pub fn latest_warning(&self, kind: &str, name: &str, uid: Option<&str>) -> Option<&'a Event> {
        self.about(kind, name, uid, &[])
            .into_iter()
            .find(|e| e.type_.as_deref() == Some("Warning"))
    }

    /// One line of evidence for `event`.
    pub fn describe(&self, event: &Event) -> String {
        let reason = event.reason.as_deref().unwrap_or("Event");
        let message = event.message.as_deref().unwrap_or_default().trim();
        let count = times_seen(event);
        let times = if count > 1 {
            format!("×{count}, ")
        } else {
            String::new()
        };
        match last_seen(event) {
            Some(at) => {
                let ago = (self.now - at).get_seconds().max(0);
                format!("event {reason} ({times}last {}s ago): {message}", ago)
            }
            None => format!("event {reason}: {message}"),
        }
    }
}

/// When the event was last seen: its series, last timestamp, event time or creation.
fn last_seen(event: &Event) -> Option<Timestamp> {
    event
        .series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
        .or_else(|| event.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| event.event_time.as_ref().map(|t| t.0))
        .or_else(|| event.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| event.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// How many times the event happened (core `count` or events.k8s.io `series.count`).
fn times_seen(event: &Event) -> i32 {
    event
        .series
        .as_ref()
        .and_then(|s| s.count)
        .or(event.count)
        .unwrap_or(1)
}
