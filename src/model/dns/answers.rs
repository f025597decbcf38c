//! Live DNS as data: the questions `dns --resolve` asks, the answers a server gave, and each
//! name judged. Asked by `crate::resolve`, judged by `resolution`, shown in `report`.

use std::net::IpAddr;

use serde::Serialize;

use crate::model::dns::check::{Check, Verdict};

/// The kind of record asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RecordKind {
    A,
    #[serde(rename = "AAAA")]
    Aaaa,
    #[serde(rename = "SRV")]
    Srv,
    #[serde(rename = "PTR")]
    Ptr,
    #[serde(rename = "SOA")]
    Soa,
}

/// One question for the DNS server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Question {
    pub name: String,
    pub kind: RecordKind,
}

impl Question {
    pub fn new(name: impl Into<String>, kind: RecordKind) -> Question {
        Question {
            name: name.into(),
            kind,
        }
    }
}

/// One SRV record's target and port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SrvTarget {
    pub target: String,
    pub port: u16,
}

/// What the server said to one question, whatever the transport.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// `NOERROR`, `NXDOMAIN`, `SERVFAIL`, … (empty when no answer came).
    pub rcode: String,
    pub authoritative: bool,
    pub addresses: Vec<IpAddr>,
    pub srv: Vec<SrvTarget>,
    /// PTR targets, without the trailing dot.
    pub names: Vec<String>,
    /// The zone of an SOA record in the answer or authority section, without the trailing dot
    /// (`""` for the root).
    pub soa_zone: Option<String>,
    /// Why there is no answer (timeout, connection closed).
    pub error: Option<String>,
    /// The server left records out (more than one message holds).
    pub truncated: bool,
}

/// How a name came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveState {
    /// Answered with what the API says.
    Resolved,
    /// Answered with an address (or target) that is no longer the pod's.
    Stale,
    /// No record (NXDOMAIN or no data).
    Missing,
    /// Answered although the API says it should not be yet.
    Unexpected,
    /// No usable answer (timeout, server failure).
    Error,
}

/// One name, asked and judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameResolution {
    pub name: String,
    /// The pod, for a pod's name.
    pub pod: Option<String>,
    pub state: LiveState,
    pub expected: Vec<String>,
    pub answered: Vec<String>,
    pub verdict: Verdict,
    pub message: String,
}

/// Everything `--resolve` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// Which server answered and how it was reached.
    pub server: String,
    pub pods: Vec<NameResolution>,
    pub service: NameResolution,
    pub srv: Vec<NameResolution>,
    pub cluster_domain: Check,
}
