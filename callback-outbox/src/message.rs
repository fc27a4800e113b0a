//! What the outbox stores: messages, fixed at enqueue, and their attempts.

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use serde::Serialize;

use crate::time::Timestamp;

/// Where a message is in its life.
///
/// `pending` → `in-flight` (claimed by a worker, with a lease and a claim token) → `delivered`,
/// `dead` or `cancelled`; a failed attempt that will be retried goes back to `pending` with the
/// time of the next attempt. A replay takes a finished message back to `pending`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum State {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// Claimed by a worker: an attempt is under way until the lease ends.
    InFlight,
    /// The consumer answered `2xx`.
    Delivered,
    /// Given up: the schedule is exhausted, the consumer answered `410 Gone`, the URL policy
    /// refused the address, or the request could not be built.
    Dead,
    /// Cancelled by an operator.
    Cancelled,
}

impl State {
    /// Every state, in the order of a message's life.
    pub const ALL: [State; 5] = [
        State::Pending,
        State::InFlight,
        State::Delivered,
        State::Dead,
        State::Cancelled,
    ];

    /// The name stored and printed: `pending`, `in-flight`, `delivered`, `dead`, `cancelled`.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::InFlight => "in-flight",
            State::Delivered => "delivered",
            State::Dead => "dead",
            State::Cancelled => "cancelled",
        }
    }

    /// Whether the message is finished: delivered, dead or cancelled (only a replay changes it).
    pub const fn is_finished(self) -> bool {
        matches!(self, State::Delivered | State::Dead | State::Cancelled)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of the five.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a message state (pending, in-flight, delivered, dead, cancelled)")]
pub struct UnknownState(pub String);

impl FromStr for State {
    type Err = UnknownState;

    /// ```
    /// use callback_outbox::State;
    /// assert_eq!("in-flight".parse::<State>(), Ok(State::InFlight));
    /// assert!("lost".parse::<State>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownState(text.to_owned()))
    }
}

impl Serialize for State {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A message to store: everything that will be sent, fixed now. Build it with
/// [`NewMessage::new`], or from a document and an exchange with [`prepare`](crate::prepare).
///
/// ```
/// use callback_outbox::NewMessage;
///
/// let message = NewMessage::new(http::Method::POST, "https://consumer.example/progress", r#"{"done":1}"#)?
///     .callback("startJob", "progress", "{$request.header.progressUrl}")
///     .header("x-trace", "abc")
///     .dedupe_key("job-7-progress-1");
/// assert!(message.id().starts_with("msg_"));
/// assert_eq!(message.origin(), "https://consumer.example:443");
/// # Ok::<(), callback_outbox::PrepareError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    pub(crate) id: String,
    pub(crate) operation: String,
    pub(crate) callback: String,
    pub(crate) expression: String,
    pub(crate) method: http::Method,
    pub(crate) url: String,
    pub(crate) origin: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
    pub(crate) dedupe_key: Option<String>,
    pub(crate) secret_ref: Option<String>,
    pub(crate) delay_ms: i64,
}

impl NewMessage {
    /// A message to `url` (an absolute `http` or `https` URL) with this body, sent as it is.
    /// Its id (`msg_` and a ULID, ordered by time) is generated now.
    pub fn new(
        method: http::Method,
        url: impl Into<String>,
        body: impl Into<Bytes>,
    ) -> Result<Self, crate::PrepareError> {
        let url = url.into();
        let origin = origin_of(&url)?;
        Ok(Self {
            id: new_id(),
            operation: String::new(),
            callback: String::new(),
            expression: String::new(),
            method,
            url,
            origin,
            headers: Vec::new(),
            body: body.into(),
            dedupe_key: None,
            secret_ref: None,
            delay_ms: 0,
        })
    }

    /// Which callback this is: the operation (`operationId` or `METHOD /path`), the callback's
    /// name and the key its URL was resolved from. Shown to operators; not sent.
    #[must_use]
    pub fn callback(
        mut self,
        operation: impl Into<String>,
        name: impl Into<String>,
        expression: impl Into<String>,
    ) -> Self {
        self.operation = operation.into();
        self.callback = name.into();
        self.expression = expression.into();
        self
    }

    /// Adds a header sent with every attempt (`Content-Type` defaults to `application/json`;
    /// the `webhook-*` headers are the worker's own).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A deduplication key: a second message with the same key, callback, key expression and
    /// method is not stored; enqueue returns the first one.
    #[must_use]
    pub fn dedupe_key(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    /// Which signing secret to sign with: a name the worker's [`Secrets`](crate::Secrets)
    /// looks up at each attempt. The secret itself is never stored.
    #[must_use]
    pub fn secret_ref(mut self, name: impl Into<String>) -> Self {
        self.secret_ref = Some(name.into());
        self
    }

    /// The first attempt no sooner than `delay` after the enqueue commits (by the database's
    /// clock). Default: at once.
    #[must_use]
    pub fn delay(mut self, delay: std::time::Duration) -> Self {
        self.delay_ms = crate::time::millis(delay);
        self
    }

    /// The message id: the `webhook-id` header of every attempt and every replay.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The URL it goes to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `scheme://host:port` of the URL.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The body, the exact bytes of every attempt.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The callback's name (empty unless [`callback`](Self::callback) set it).
    pub fn callback_name(&self) -> &str {
        &self.callback
    }
}

/// A new message id: `msg_` and a ULID (time-ordered, so ids sort by creation).
pub(crate) fn new_id() -> String {
    format!("msg_{}", ulid::Ulid::generate())
}

/// `scheme://host:port` of an absolute http(s) URL.
pub(crate) fn origin_of(url: &str) -> Result<String, crate::PrepareError> {
    let invalid = |reason: &str| crate::PrepareError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = url::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("not an http or https URL"));
    }
    let host = parsed.host_str().ok_or_else(|| invalid("no host"))?;
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| invalid("no port"))?;
    Ok(format!("{}://{host}:{port}", parsed.scheme()))
}

/// A stored message, as [`Outbox::get`](crate::Outbox::get) and
/// [`Outbox::list`](crate::Outbox::list) give it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Message {
    /// The id, the `webhook-id` of every attempt.
    pub id: String,
    /// Its state.
    pub state: State,
    /// Attempts started so far (a replay does not reset it).
    pub attempts: u32,
    /// The operation whose callback this is.
    pub operation: String,
    /// The callback's name.
    pub callback: String,
    /// The callback key the URL was resolved from.
    pub expression: String,
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// `scheme://host:port`.
    pub origin: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    #[serde(skip)]
    pub body: Bytes,
    /// The deduplication key, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedupe_key: Option<String>,
    /// The name of the signing secret, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<String>,
    /// When the next attempt is due (pending), or was due (others).
    pub next_attempt_at: Timestamp,
    /// When the current claim's lease ends (in-flight).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<Timestamp>,
    /// Which worker holds it (in-flight).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
    /// The last status received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    /// The last error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// How many times an operator replayed it.
    pub replays: u32,
    /// When it was enqueued.
    pub created_at: Timestamp,
    /// When it finished (delivered, dead or cancelled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
}

/// Why an attempt was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AttemptKind {
    /// The first attempt, or a retry the schedule planned.
    Scheduled,
    /// The first attempt after an operator's replay.
    Manual,
    /// The message was taken back from a claim whose lease expired.
    Reclaimed,
}

impl AttemptKind {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            AttemptKind::Scheduled => "scheduled",
            AttemptKind::Manual => "manual",
            AttemptKind::Reclaimed => "reclaimed",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "manual" => AttemptKind::Manual,
            "reclaimed" => AttemptKind::Reclaimed,
            _ => AttemptKind::Scheduled,
        }
    }
}

/// What became of an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// Under way (or its worker died; a later claim marks it `interrupted`).
    InProgress,
    /// The consumer answered `2xx`: the message is delivered.
    Delivered,
    /// Failed; another attempt is scheduled.
    Retry,
    /// Failed; the message is dead.
    Dead,
    /// The worker's claim was no longer current when it recorded the result (its lease had
    /// expired and another claim took over, or an operator cancelled the message): the result
    /// is kept here, the message's state was left alone.
    Superseded,
    /// The lease expired before a result was recorded (the worker was killed or paused), or
    /// the message was cancelled during the attempt.
    Interrupted,
}

impl AttemptOutcome {
    /// The name stored and printed.
    pub const fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::InProgress => "in-progress",
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::Retry => "retry",
            AttemptOutcome::Dead => "dead",
            AttemptOutcome::Superseded => "superseded",
            AttemptOutcome::Interrupted => "interrupted",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "delivered" => AttemptOutcome::Delivered,
            "retry" => AttemptOutcome::Retry,
            "dead" => AttemptOutcome::Dead,
            "superseded" => AttemptOutcome::Superseded,
            "interrupted" => AttemptOutcome::Interrupted,
            _ => AttemptOutcome::InProgress,
        }
    }
}

impl fmt::Display for AttemptOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One attempt of a message, for operators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Attempt {
    /// 1 for the message's first attempt.
    pub number: u32,
    /// Why it was made.
    pub kind: AttemptKind,
    /// Which worker made it.
    pub claimed_by: String,
    /// When it was claimed.
    pub started_at: Timestamp,
    /// When its lease ended.
    pub lease_until: Timestamp,
    /// When its result was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// What became of it.
    pub outcome: AttemptOutcome,
    /// The status the consumer answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The kind of error (`connect`, `timeout`, `status`, `denied`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<String>,
    /// The error, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The address connected to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The start of the response body, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// When the next attempt was scheduled (outcome `retry`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
}

/// A message with its attempts, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MessageDetail {
    /// The message.
    #[serde(flatten)]
    pub message: Message,
    /// Its attempts.
    pub attempt_log: Vec<Attempt>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>(), Ok(state));
            assert_eq!(state.to_string(), state.as_str());
        }
        assert!(State::Dead.is_finished() && !State::InFlight.is_finished());
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://127.0.0.1:8081/cb?x=1").ok().as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(
            origin_of("https://Consumer.Example/x").ok().as_deref(),
            Some("https://consumer.example:443")
        );
        assert!(origin_of("ftp://x/").is_err());
        assert!(origin_of("/relative").is_err());
    }

    #[test]
    fn ids_are_time_ordered_and_unique() {
        let a = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id();
        assert!(a < b, "{a} {b}");
        assert!(a.starts_with("msg_") && a.len() == 30 && !a.contains('.'));
    }
}
