//! The worker: claims due messages, delivers each through `callback-delivery`, records every
//! attempt, and reschedules or finishes the message.
//!
//! Concurrency is bounded overall (`concurrency` sends at once) and per origin (`per_origin`,
//! by this worker), and so is what a crash can leave sent but unrecorded (`max_unrecorded`
//! results beyond the sends under way). One task (the pump) writes: each of its transactions
//! records the results finished since the last one (group commit) and claims the next
//! messages, ahead of the free slots, while the sends go on. On shutdown the worker stops
//! claiming, gives back the claims it has not started, lets the attempts under way finish,
//! records them and returns.

mod attempt;
mod pump;
mod recorder;

use std::sync::Arc;
use std::time::{Duration, Instant};

use callback_delivery::{DeliveryOptions, Resolve};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::error::OutboxError;
use crate::message::{AttemptKind, AttemptOutcome};
use crate::schedule::{Decision, Schedule, decide};
use crate::secrets::{Secrets, Unsigned};
use crate::store::{AttemptRecord, Claimed, Outbox};
use crate::time::Timestamp;

/// One attempt as the worker reports it (to [`Worker::on_attempt`]), once its result is
/// recorded. Serializes as one JSON object, the line `outbox run` prints:
///
/// ```json
/// {"id": "msg_01J…", "attempt": 2, "kind": "scheduled", "callback": "progress", "method": "POST",
///  "url": "http://127.0.0.1:8081/progress", "outcome": "retry", "status": 503,
///  "error_kind": "status", "error": "HTTP 503 Service Unavailable",
///  "next_attempt_at": "2026-…Z", "elapsed_ms": 3, "worker": "node-1"}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AttemptReport {
    /// The message id (its `webhook-id`).
    pub id: String,
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// Why it was made.
    pub kind: AttemptKind,
    /// The callback's name.
    pub callback: String,
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// `delivered`, `retry`, `dead` or `superseded`.
    pub outcome: AttemptOutcome,
    /// The status the consumer answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The kind of failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<&'static str>,
    /// The error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the next attempt is due (outcome `retry`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
    /// How long the attempt took, in milliseconds.
    pub elapsed_ms: u64,
    /// The worker.
    pub worker: String,
}

/// What a worker did before it returned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RunSummary {
    /// Attempts recorded.
    pub attempts: u64,
    /// Messages delivered.
    pub delivered: u64,
    /// Attempts that failed and were rescheduled.
    pub retried: u64,
    /// Messages that died.
    pub dead: u64,
    /// Results that came too late (the claim had been taken over or cancelled).
    pub superseded: u64,
    /// Attempts whose result could not be recorded (the database stayed unreachable until
    /// shutdown): their messages go back to others when the lease expires.
    pub unrecorded: u64,
}

type Observer = Arc<dyn Fn(&AttemptReport) + Send + Sync>;

/// Delivers the outbox's messages. Build it, then [`run`](Self::run) it until a cancellation
/// token is cancelled (or, with [`until_idle`](Self::until_idle), until nothing is left to do).
///
/// ```no_run
/// # async fn run(outbox: callback_outbox::Outbox) -> Result<(), Box<dyn std::error::Error>> {
/// use callback_delivery::{DeliveryOptions, UrlPolicy};
/// use callback_outbox::{Schedule, SecretFile, Worker};
/// use tokio_util::sync::CancellationToken;
///
/// let shutdown = CancellationToken::new();
/// let worker = Worker::new(outbox, DeliveryOptions::default())
///     .schedule(Schedule::standard_webhooks())
///     .secrets(SecretFile("/etc/provider/webhook-secret".into()))
///     .concurrency(32)
///     .per_origin(4);
/// let summary = worker.run(shutdown.clone()).await?; // until shutdown.cancel()
/// # Ok(()) }
/// ```
#[must_use]
pub struct Worker {
    outbox: Outbox,
    delivery: DeliveryOptions,
    resolver: Option<Arc<dyn Resolve>>,
    secrets: Arc<dyn Secrets>,
    schedule: Schedule,
    lease: Option<Duration>,
    concurrency: usize,
    per_origin: usize,
    max_unrecorded: Option<usize>,
    name: String,
    poll_interval: Duration,
    retry_client_errors: bool,
    until_idle: bool,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("name", &self.name)
            .field("schedule", &self.schedule)
            .field("lease", &self.effective_lease())
            .field("concurrency", &self.concurrency)
            .field("per_origin", &self.per_origin)
            .field("max_unrecorded", &self.effective_max_unrecorded())
            .finish_non_exhaustive()
    }
}

/// The most attempts a worker makes at once.
pub const MAX_CONCURRENCY: usize = 4096;

/// The most results a worker may hold sent and not yet recorded, beyond its sends under way
/// ([`Worker::max_unrecorded`]).
pub const MAX_UNRECORDED: usize = 65_536;

impl Worker {
    /// A worker for `outbox` that delivers with `delivery`'s URL policy, timeouts and response
    /// cap (its retry settings and secret are not used: retries follow the schedule, secrets
    /// come from [`secrets`](Self::secrets)). Defaults: Standard Webhooks' schedule, 16
    /// attempts at once, 8 per origin, up to four times the concurrency in results sent but not
    /// yet recorded, a lease of twice the attempt timeout plus 10 s, unsigned, a poll every
    /// second when idle, other `4xx` retried.
    pub fn new(outbox: Outbox, delivery: DeliveryOptions) -> Self {
        Self {
            outbox,
            delivery,
            resolver: None,
            secrets: Arc::new(Unsigned),
            schedule: Schedule::standard_webhooks(),
            lease: None,
            concurrency: 16,
            per_origin: 8,
            max_unrecorded: None,
            name: default_name(),
            poll_interval: Duration::from_secs(1),
            retry_client_errors: true,
            until_idle: false,
            observer: None,
        }
    }

    /// The retry schedule.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// How long a claim holds a message: after it, another worker may take the message back
    /// (and send it again). It must be longer than an attempt can take (connect timeout and
    /// attempt timeout), or [`run`](Self::run) refuses it.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = Some(lease);
        self
    }

    /// Attempts at once (1 to [`MAX_CONCURRENCY`]).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Attempts at once to one origin (`scheme://host:port`), at least 1.
    pub fn per_origin(mut self, per_origin: usize) -> Self {
        self.per_origin = per_origin;
        self
    }

    /// How many results may wait, sent and not yet recorded, beyond the sends under way
    /// (0 to [`MAX_UNRECORDED`]; default four times the [`concurrency`](Self::concurrency)).
    ///
    /// A slot is free again as soon as its send ends, and its result is recorded by the next
    /// transaction (with the others that finished meanwhile, one commit for all), so sending
    /// goes on while a transaction commits. When this many results wait, no new send starts
    /// until a transaction records them. This bounds what a crash can cost: a killed worker
    /// leaves at most `concurrency + max_unrecorded` messages sent but unrecorded, each sent
    /// again once its lease expires. With 0, a slot stays taken until its result is recorded.
    pub fn max_unrecorded(mut self, max_unrecorded: usize) -> Self {
        self.max_unrecorded = Some(max_unrecorded);
        self
    }

    /// The worker's name, kept with its claims and attempts (default: host, process id and a
    /// random suffix).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Where each attempt's signing secret comes from (default: unsigned).
    pub fn secrets(mut self, secrets: impl Secrets) -> Self {
        self.secrets = Arc::new(secrets);
        self
    }

    /// How long to wait, when nothing is due, before looking again (a local enqueue wakes the
    /// worker at once). Default 1 s.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Retry `4xx` statuses other than `408`, `410` and `429`, and redirects (default `true`,
    /// as Standard Webhooks says; `false` makes them dead at once).
    pub fn retry_client_errors(mut self, retry: bool) -> Self {
        self.retry_client_errors = retry;
        self
    }

    /// Return once nothing is pending or in flight in the whole outbox.
    pub fn until_idle(mut self, until_idle: bool) -> Self {
        self.until_idle = until_idle;
        self
    }

    /// Called with each attempt once its result is recorded.
    pub fn on_attempt(mut self, observer: impl Fn(&AttemptReport) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Resolves host names with this instead of the system's resolver (tests pin names to
    /// addresses with `callback_delivery::StaticResolver`).
    pub fn resolver(mut self, resolver: impl Resolve + 'static) -> Self {
        self.resolver = Some(Arc::new(resolver));
        self
    }

    fn effective_max_unrecorded(&self) -> usize {
        self.max_unrecorded
            .unwrap_or(self.concurrency.saturating_mul(4).min(MAX_UNRECORDED))
    }

    fn effective_lease(&self) -> Duration {
        self.lease
            .unwrap_or(self.delivery.timeout() * 2 + Duration::from_secs(10))
    }

    fn longest_attempt(&self) -> Duration {
        self.delivery.connect_timeout() + self.delivery.timeout()
    }

    fn check(&self) -> Result<(), OutboxError> {
        let settings = |text: String| Err(OutboxError::Settings(text));
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return settings(format!(
                "the concurrency must be from 1 to {MAX_CONCURRENCY}, not {}",
                self.concurrency
            ));
        }
        if self.per_origin == 0 {
            return settings("the concurrency per origin must be at least 1".into());
        }
        if self.effective_max_unrecorded() > MAX_UNRECORDED {
            return settings(format!(
                "the results sent but not yet recorded (max_unrecorded) must be at most \
                 {MAX_UNRECORDED}, not {}",
                self.effective_max_unrecorded()
            ));
        }
        let longest = self.longest_attempt();
        if self.effective_lease() <= longest {
            return settings(format!(
                "the lease ({}) must be longer than an attempt can take (connect timeout and \
                 timeout: {}), or attempts still under way would be sent again",
                humantime::format_duration(self.effective_lease()),
                humantime::format_duration(longest)
            ));
        }
        Ok(())
    }

    /// Runs until `shutdown` is cancelled: then it stops claiming, gives back the messages it
    /// claimed ahead and has not sent (they are `pending` again, as if never claimed), lets the
    /// attempts under way finish, records them, and returns. With [`until_idle`](Self::until_idle) it also
    /// returns once nothing is pending or in flight. Database errors that may pass (a restart,
    /// a lost connection) are retried with a backoff; others end the run.
    pub async fn run(self, shutdown: CancellationToken) -> Result<RunSummary, OutboxError> {
        self.check()?;
        let lease = self.effective_lease();
        let shared = Arc::new(Shared {
            outbox: self.outbox.clone(),
            clients: attempt::Clients::new(self.delivery.clone(), self.resolver.clone()),
            secrets: self.secrets.clone(),
            schedule: self.schedule.clone(),
            retry_client_errors: self.retry_client_errors,
            observer: self.observer.clone(),
            name: self.name.clone(),
            lease,
        });
        tracing::info!(
            target: "callback_outbox::worker",
            worker = %self.name,
            backend = self.outbox.backend_name(),
            concurrency = self.concurrency,
            per_origin = self.per_origin,
            max_unrecorded = self.effective_max_unrecorded(),
            lease_ms = lease.as_millis() as u64,
            "worker started"
        );
        let limits = pump::Limits {
            concurrency: self.concurrency,
            per_origin: self.per_origin,
            max_unrecorded: self.effective_max_unrecorded(),
            poll_interval: self.poll_interval,
            until_idle: self.until_idle,
            max_attempts: self.schedule.max_attempts(),
            start_within: lease.saturating_sub(self.longest_attempt()) / 2,
        };
        let outcome = pump::run(shared, limits, shutdown).await;
        if let Ok(summary) = &outcome {
            tracing::info!(
                target: "callback_outbox::worker",
                worker = %self.name,
                attempts = summary.attempts,
                delivered = summary.delivered,
                "worker stopped"
            );
        }
        outcome
    }
}

/// What the worker's tasks share.
struct Shared {
    outbox: Outbox,
    clients: attempt::Clients,
    secrets: Arc<dyn Secrets>,
    schedule: Schedule,
    retry_client_errors: bool,
    observer: Option<Observer>,
    name: String,
    lease: Duration,
}

impl Shared {
    /// One attempt: deliver, decide. The claim is already committed; the record is the
    /// recorder's.
    async fn attempt(&self, claimed: Claimed) -> recorder::Finished {
        tracing::debug!(
            target: "callback_outbox::worker",
            kind = claimed.kind.as_str(),
            lease_until = %claimed.lease_until,
            "claimed"
        );
        let started = Instant::now();
        let response = self.clients.attempt(&*self.secrets, &claimed).await;
        let elapsed = started.elapsed();
        tracing::debug!(
            target: "callback_outbox::worker",
            status = response.status,
            failure = response.failure.map(|f| f.as_str()),
            elapsed_ms = elapsed.as_millis() as u64,
            "sent"
        );
        let decision = decide(
            &self.schedule,
            claimed.round_attempt,
            response.status,
            response.failure,
            response.retry_after,
            self.retry_client_errors,
            fastrand::f64(),
        );
        let mut record = AttemptRecord::new(&claimed, decision);
        record.status = response.status;
        record.failure = response.failure;
        record.error = response.error;
        record.address = response.address;
        if let Decision::Delivered = decision {
            record.error = None;
        }
        recorder::Finished {
            claimed,
            record,
            elapsed,
            span: tracing::Span::current(),
        }
    }
}

fn default_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_owned());
    let suffix: String = std::iter::repeat_with(fastrand::alphanumeric)
        .take(6)
        .collect();
    format!("{host}-{}-{suffix}", std::process::id())
}

/// Waits between retries of a failing database: 100 ms doubling to 5 s.
pub(crate) struct Backoff(Duration);

impl Backoff {
    pub(crate) fn new() -> Self {
        Self(Duration::ZERO)
    }

    pub(crate) fn next(&mut self) -> Duration {
        self.0 = (self.0 * 2).clamp(Duration::from_millis(100), Duration::from_secs(5));
        self.0
    }

    pub(crate) fn reset(&mut self) {
        self.0 = Duration::ZERO;
    }
}
