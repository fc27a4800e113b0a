//! What a delivery did: the outcome and every attempt.

use std::net::SocketAddr;

use serde::Serialize;

use crate::policy::{CheckedTarget, Denied};

/// Why a delivery or an attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FailureKind {
    /// The request could not be built (a bad header, say). Not retried.
    Request,
    /// The host name could not be resolved.
    Resolve,
    /// No connection (refused, unreachable, TLS handshake failed). Retried.
    Connect,
    /// An attempt ran out of time. Retried.
    Timeout,
    /// The connection failed while the request or response was under way. Retried.
    Transport,
    /// The consumer answered with a status that is not success (the last one, when retried).
    Status,
    /// The consumer answered with a redirect, which is not followed. Not retried.
    Redirect,
    /// The consumer's `Retry-After` asked for a longer wait than allowed.
    RetryAfterTooLong,
    /// The delivery's deadline would have been passed by another wait and attempt.
    Deadline,
}

/// The final outcome. Serialized inline in the report, tagged by `"outcome"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// The consumer answered `2xx`.
    Delivered {
        /// The status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// The policy refused the URL or one of its addresses; no connection was opened.
    Denied(Denied),
    /// Not delivered.
    Failed {
        /// What went wrong, last.
        kind: FailureKind,
        /// The last error, for people.
        error: String,
        /// The last status received, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// Attempts made.
        attempts: u32,
    },
}

/// One attempt: when, where, and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Attempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it started, in milliseconds since the delivery started.
    pub started_ms: u64,
    /// How long it took, in milliseconds (body read included).
    pub elapsed_ms: u64,
    /// The address connected to, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<SocketAddr>,
    /// The response status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The error, when the attempt failed (a status that is not success included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The kind of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<FailureKind>,
    /// Response body bytes read (at most the cap).
    pub response_bytes: u64,
    /// Whether the body was longer than the cap and was not read to its end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub response_truncated: bool,
    /// The `Location` of a redirect that was not followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The consumer's `Retry-After`, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// The wait before the next attempt, in milliseconds, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_ms: Option<u64>,
}

/// The report of one delivery: the outcome and every attempt. Serializes as one JSON object:
///
/// ```json
/// {"url": "http://127.0.0.1:8081/cb", "method": "POST", "webhook_id": "msg_…",
///  "outcome": "delivered", "status": 200, "attempts": 2,
///  "target": {"url": "…", "scheme": "http", "host": "127.0.0.1", "port": 8081,
///             "addresses": ["127.0.0.1"], "addresses_checked": true, "allowed_by": "127.0.0.1/32"},
///  "attempt_log": [{"attempt": 1, "started_ms": 0, "elapsed_ms": 3, "status": 503, …}, …],
///  "elapsed_ms": 130}
/// ```
///
/// A denial reads `"outcome": "denied", "rule": "loopback", "reason": "…"`; a failure
/// `"outcome": "failed", "kind": "timeout", "error": "…", "attempts": 5`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DeliveryReport {
    /// The URL as given.
    pub url: String,
    /// The method.
    pub method: String,
    /// The message id, the same on every attempt.
    pub webhook_id: String,
    /// The outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The checked target, once the policy accepted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<CheckedTarget>,
    /// Caller headers that were ignored (reserved names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_headers: Vec<String>,
    /// Every attempt, in order.
    pub attempt_log: Vec<Attempt>,
    /// The whole delivery, in milliseconds.
    pub elapsed_ms: u64,
}

impl DeliveryReport {
    /// Whether the consumer accepted the callback.
    pub fn is_delivered(&self) -> bool {
        matches!(self.outcome, Outcome::Delivered { .. })
    }
}
