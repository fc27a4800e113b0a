//! The outbox table and its protocol: enqueue, claim, record, and the operators' commands, on
//! SQLite or PostgreSQL.
//!
//! Every statement that changes a claimed message checks its claim token (`… AND claim_token =
//! ? AND state = 'in-flight'`): a worker whose lease expired, and whose message another worker
//! took over, cannot overwrite the newer state; its result is kept as a `superseded` attempt.
//! Every time compared (due, lease) comes from the database's clock. No transaction is held
//! while a callback is sent: a claim and a record are each one short transaction.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;

use crate::error::OutboxError;
use crate::message::{AttemptKind, Message, MessageDetail, NewMessage, State};
use crate::schedule::{Decision, Failure};
use crate::time::Timestamp;

/// The columns of a message, in the order `rows::message` reads them.
macro_rules! message_columns {
    () => {
        "id, state, attempts, operation, callback, expression, method, url, origin, headers, \
         body, dedupe_key, secret_ref, next_attempt_at, lease_until, claimed_by, last_status, \
         last_error, replays, created_at, finished_at, claim_token, schedule_base"
    };
}

/// The columns of an attempt, in the order `rows::attempt` reads them.
macro_rules! attempt_columns {
    () => {
        "number, kind, claimed_by, started_at, lease_until, ended_at, outcome, status, \
         error_kind, error, address, response, next_attempt_at"
    };
}

mod migrations;
#[cfg(feature = "postgres")]
mod postgres;
mod rows;
#[cfg(feature = "sqlite")]
mod sqlite;

/// The outbox: a table of callback messages in a database, and the protocol to enqueue, claim
/// and record them. Cheap to clone (a pool inside); share one per process.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use callback_outbox::{NewMessage, Outbox, State};
///
/// # let dir = tempfile::tempdir()?;
/// # let url = format!("sqlite:{}", dir.path().join("callbacks.db").display());
/// let outbox = Outbox::connect(&url).await?; // creates the file and the schema
/// let message = NewMessage::new(http::Method::POST, "https://consumer.example/cb", "{}")?;
/// let stored = outbox.enqueue(&[message]).await?;
/// assert_eq!(stored[0].state, State::Pending);
/// let listed = outbox.list(&Default::default()).await?;
/// assert_eq!(listed[0].id, stored[0].id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Outbox {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    /// Wakes this process's workers when this process enqueues.
    wake: Notify,
}

enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::Store),
    #[cfg(feature = "postgres")]
    Postgres(postgres::Store),
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("backend", &self.backend_name())
            .finish_non_exhaustive()
    }
}

/// How to open an outbox ([`Outbox::connect_with`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Connections in the pool. Default 8 (SQLite: 4; an in-memory SQLite database: 1).
    pub max_connections: u32,
    /// Run the outbox's migrations on connect. Default `true`.
    pub migrate: bool,
    /// SQLite: `synchronous = FULL` (durable across power loss) rather than `NORMAL` (durable
    /// across a crash of the process, not of the machine). Default `true`.
    pub sqlite_full_sync: bool,
    /// SQLite: how long to wait for another process's write lock. Default 5 s.
    pub sqlite_busy_timeout: Duration,
    /// The longest wait for a connection from the pool. Default 30 s.
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            migrate: true,
            sqlite_full_sync: true,
            sqlite_busy_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

/// A message as enqueue left it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Enqueued {
    /// The id (that of the earlier message, for a duplicate).
    pub id: String,
    /// Its state (`pending` unless a duplicate's earlier message moved on).
    pub state: State,
    /// Whether an earlier message had the same deduplication key: nothing new was stored.
    pub duplicate: bool,
}

/// What [`Outbox::claim`] should take.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClaimRequest {
    /// At most this many messages.
    pub limit: usize,
    /// The lease of each claim: after it, another worker may take the message back.
    pub lease: Duration,
    /// The claimant's name, kept with the claim and the attempt (for operators).
    pub worker: String,
    /// Attempts per schedule round: an expired claim on a message that used its last attempt
    /// makes it dead instead of claiming it again (so a message that kills its worker is bounded).
    pub max_attempts: u32,
    /// At most this many messages in flight per origin, counting `in_flight`.
    pub per_origin: Option<usize>,
    /// Messages this claimant already has in flight, by origin.
    pub in_flight: HashMap<String, usize>,
}

impl ClaimRequest {
    /// Up to `limit` messages for `worker`, each leased for `lease`, with `max_attempts` per
    /// round and no per-origin limit.
    pub fn new(
        limit: usize,
        lease: Duration,
        worker: impl Into<String>,
        max_attempts: u32,
    ) -> Self {
        Self {
            limit,
            lease,
            worker: worker.into(),
            max_attempts,
            per_origin: None,
            in_flight: HashMap::new(),
        }
    }

    /// How many due messages a claim reads to choose from: the limit when every origin has
    /// room for that many (then the first `limit` are taken whatever their origins), else four
    /// times the limit (some of the first may be left out for their origin).
    fn candidates(&self) -> usize {
        let busiest = self.in_flight.values().copied().max().unwrap_or(0);
        match self.per_origin {
            Some(cap) if cap.saturating_sub(busiest) < self.limit => self.limit.saturating_mul(4),
            _ => self.limit,
        }
    }

    /// Origins that have no room left.
    fn saturated(&self) -> Vec<String> {
        match self.per_origin {
            Some(cap) => self
                .in_flight
                .iter()
                .filter(|(_, n)| **n >= cap)
                .map(|(origin, _)| origin.clone())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Picks the candidates to claim (in due order), within the limit and the per-origin room:
    /// the reference the stores' claim statements follow (they choose in SQL, each origin's
    /// first candidates while it has room, the first `limit` of those).
    #[cfg(test)]
    fn choose(&self, candidates: Vec<Candidate>) -> Vec<Candidate> {
        let mut taken: HashMap<&str, usize> = HashMap::new();
        let mut chosen = Vec::new();
        for candidate in &candidates {
            if chosen.len() >= self.limit {
                break;
            }
            if let Some(cap) = self.per_origin {
                let busy = self.in_flight.get(&candidate.origin).copied().unwrap_or(0);
                let here = taken.entry(candidate.origin.as_str()).or_insert(0);
                if busy + *here >= cap {
                    continue;
                }
                *here += 1;
            }
            chosen.push(candidate.id.clone());
        }
        candidates
            .into_iter()
            .filter(|c| chosen.contains(&c.id))
            .collect()
    }
}

/// A due message found by a claim, before it is taken.
#[cfg(test)]
#[derive(Clone, Debug)]
struct Candidate {
    id: String,
    origin: String,
}

/// A message claimed for one attempt.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Claimed {
    /// The message, as it is now (state `in-flight`, its attempts counting this one).
    pub message: Message,
    /// The claim token: every write about this attempt must present it.
    pub token: String,
    /// The attempt's number (from 1, over the message's whole life).
    pub number: u32,
    /// The attempt's number in the current schedule round (from 1; a replay starts a round).
    pub round_attempt: u32,
    /// Why this attempt is made.
    pub kind: AttemptKind,
    /// When the lease ends (database clock).
    pub lease_until: Timestamp,
}

/// The result of one attempt, for [`Outbox::record`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AttemptRecord {
    /// The message.
    pub id: String,
    /// The claim's token.
    pub token: String,
    /// The attempt's number.
    pub number: u32,
    /// What follows: delivered, retry after a wait, or dead.
    pub decision: Decision,
    /// The status the consumer answered.
    pub status: Option<u16>,
    /// The kind of failure.
    pub failure: Option<Failure>,
    /// The error, for people.
    pub error: Option<String>,
    /// The address connected to.
    pub address: Option<String>,
    /// The start of the response body.
    pub response: Option<String>,
}

impl AttemptRecord {
    /// A record of `claimed`'s attempt with this decision and nothing else known.
    pub fn new(claimed: &Claimed, decision: Decision) -> Self {
        Self {
            id: claimed.message.id.clone(),
            token: claimed.token.clone(),
            number: claimed.number,
            decision,
            status: None,
            failure: None,
            error: None,
            address: None,
            response: None,
        }
    }

    fn new_state(&self) -> State {
        match self.decision {
            Decision::Delivered => State::Delivered,
            Decision::Retry(_) => State::Pending,
            Decision::Dead => State::Dead,
        }
    }

    fn wait_ms(&self) -> i64 {
        match self.decision {
            Decision::Retry(wait) => crate::time::millis(wait),
            _ => 0,
        }
    }
}

/// What [`Outbox::record`] did with one result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recorded {
    /// The message took the new state; the next attempt (if any) is due then.
    Applied {
        /// The message's new state.
        state: State,
        /// When the next attempt is due (a retry).
        next_attempt_at: Option<Timestamp>,
    },
    /// The claim was no longer current (lease expired and taken over, or cancelled): the
    /// message was left alone and the attempt recorded as `superseded`.
    Superseded,
}

/// One transaction of a worker ([`Outbox::settle`]): claims it gives back unattempted, results
/// it records, and the messages it claims next. One commit for all three.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Settle<'a> {
    pub(crate) releases: &'a [Claimed],
    pub(crate) records: &'a [AttemptRecord],
    pub(crate) claim: Option<&'a ClaimRequest>,
}

impl Settle<'_> {
    /// What the transaction does, for its errors.
    fn operation(&self) -> &'static str {
        match (self.records.is_empty(), self.claim.is_some()) {
            (false, true) => "recording attempts and claiming messages",
            (false, false) => "recording attempts",
            (true, true) => "claiming messages",
            (true, false) => "giving claims back",
        }
    }
}

/// What [`Outbox::settle`] did.
#[derive(Debug, Default)]
pub(crate) struct Settled {
    /// For each claim given back: whether it was still current (and is `pending` again).
    pub(crate) released: Vec<bool>,
    /// For each result, what was recorded.
    pub(crate) recorded: Vec<Recorded>,
    /// The messages claimed.
    pub(crate) claimed: Vec<Claimed>,
}

/// Which messages [`Outbox::list`] gives.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ListFilter {
    /// Only messages in this state.
    pub state: Option<State>,
    /// Only messages whose id sorts after this one (ids sort by creation): the next page.
    pub after: Option<String>,
    /// At most this many (default 1,000; at most 10,000).
    pub limit: Option<usize>,
}

impl ListFilter {
    /// Messages in `state`.
    pub fn state(state: State) -> Self {
        Self {
            state: Some(state),
            ..Self::default()
        }
    }

    fn limit(&self) -> i64 {
        i64::try_from(self.limit.unwrap_or(1000).min(10_000)).unwrap_or(1000)
    }
}

/// What an operator's command did to one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// The message.
    pub id: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: ChangeOutcome,
}

/// The result of an operator's command on one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChangeOutcome {
    /// Done: the message went from one state to the other.
    Changed {
        /// Its state before.
        from: State,
        /// Its state now.
        state: State,
    },
    /// Not allowed in the message's state (replaying a pending message, cancelling a delivered
    /// one): nothing changed.
    Unchanged {
        /// Its state.
        state: State,
    },
    /// No message has this id.
    NotFound,
}

/// How many messages are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Counts {
    /// Waiting for an attempt.
    pub pending: u64,
    /// Claimed.
    pub in_flight: u64,
    /// Delivered.
    pub delivered: u64,
    /// Dead.
    pub dead: u64,
    /// Cancelled.
    pub cancelled: u64,
}

impl Counts {
    /// No message is pending or in flight.
    pub fn is_idle(&self) -> bool {
        self.pending == 0 && self.in_flight == 0
    }

    fn add(&mut self, state: State, n: u64) {
        match state {
            State::Pending => self.pending += n,
            State::InFlight => self.in_flight += n,
            State::Delivered => self.delivered += n,
            State::Dead => self.dead += n,
            State::Cancelled => self.cancelled += n,
        }
    }
}

/// What the database has for a worker to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Due {
    /// How long until the next pending message is due or the next lease expires; `None` when
    /// nothing is pending or in flight.
    pub(crate) next_in: Option<Duration>,
}

impl Due {
    fn from_times(now: i64, pending: Option<i64>, lease: Option<i64>) -> Self {
        let next = match (pending, lease) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Due {
            next_in: next.map(|at| {
                Duration::from_millis(u64::try_from(at.saturating_sub(now)).unwrap_or(0))
            }),
        }
    }
}

/// The outbox URL with any password hidden, for error messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

macro_rules! dispatch {
    ($self:ident, $store:ident => $body:expr) => {
        match &$self.inner.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite($store) => $body,
            #[cfg(feature = "postgres")]
            Backend::Postgres($store) => $body,
        }
    };
}

impl Outbox {
    /// Opens the outbox at `url` and brings its schema up to date: `sqlite:PATH` (the file is
    /// created if missing; `sqlite::memory:` for a database that lives as long as the outbox) or
    /// `postgres://user@host:port/db` (also `postgresql://`).
    pub async fn connect(url: &str) -> Result<Self, OutboxError> {
        Self::connect_with(url, ConnectOptions::default()).await
    }

    /// [`connect`](Self::connect) with options.
    pub async fn connect_with(url: &str, options: ConnectOptions) -> Result<Self, OutboxError> {
        let unsupported = |reason: String| OutboxError::Url {
            url: redact(url),
            reason,
        };
        let backend = if url.starts_with("sqlite:") {
            #[cfg(feature = "sqlite")]
            {
                Backend::Sqlite(sqlite::Store::connect(url, &options).await.map_err(
                    |e| match e {
                        OutboxError::Url { reason, .. } => unsupported(reason),
                        other => other,
                    },
                )?)
            }
            #[cfg(not(feature = "sqlite"))]
            return Err(unsupported(
                "this build has no SQLite store (the `sqlite` feature of callback-outbox)".into(),
            ));
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            #[cfg(feature = "postgres")]
            {
                Backend::Postgres(postgres::Store::connect(url, &options).await?)
            }
            #[cfg(not(feature = "postgres"))]
            return Err(unsupported(
                "this build has no PostgreSQL store (the `postgres` feature of callback-outbox)"
                    .into(),
            ));
        } else {
            return Err(unsupported(
                "expected sqlite:PATH or postgres://user@host:port/db".into(),
            ));
        };
        let outbox = Self::from_backend(backend);
        if options.migrate {
            outbox.migrate().await?;
        }
        Ok(outbox)
    }

    /// An outbox in a database the application already has a pool for (its migrations are not
    /// run: call [`migrate`](Self::migrate)). Set the pool's connections to WAL mode and a busy
    /// timeout, as [`connect`](Self::connect) does.
    #[cfg(feature = "sqlite")]
    pub fn from_sqlite_pool(pool: sqlx::SqlitePool) -> Self {
        Self::from_backend(Backend::Sqlite(sqlite::Store::from_pool(pool)))
    }

    /// An outbox in a PostgreSQL database the application already has a pool for (its
    /// migrations are not run: call [`migrate`](Self::migrate)).
    #[cfg(feature = "postgres")]
    pub fn from_postgres_pool(pool: sqlx::PgPool) -> Self {
        Self::from_backend(Backend::Postgres(postgres::Store::from_pool(pool)))
    }

    fn from_backend(backend: Backend) -> Self {
        Self {
            inner: Arc::new(Inner {
                backend,
                wake: Notify::new(),
            }),
        }
    }

    /// Creates the outbox's tables, or brings them up to date. Its migrations are tracked in
    /// their own table, `callback_outbox_migrations`, apart from the application's.
    pub async fn migrate(&self) -> Result<(), OutboxError> {
        dispatch!(self, store => store.migrate().await)
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match &self.inner.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Stores messages, in one transaction of its own: all or none. A message whose
    /// deduplication key was seen before is not stored again ([`Enqueued::duplicate`]).
    /// Workers of this process are woken.
    pub async fn enqueue(&self, messages: &[NewMessage]) -> Result<Vec<Enqueued>, OutboxError> {
        let stored = dispatch!(self, store => store.enqueue(messages).await)?;
        self.wake();
        Ok(stored)
    }

    /// Stores messages inside the caller's own transaction (the transactional outbox): they are
    /// sent only if that transaction commits, and never if it rolls back. `connection` is a
    /// SQLite or PostgreSQL connection of sqlx 0.9 — a `&mut *transaction`. The database must
    /// hold the outbox's tables ([`migrate`](Self::migrate)). Call [`wake`](Self::wake) after
    /// the commit to have this process's workers look at once; otherwise they find the
    /// messages at their next poll.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use callback_outbox::{NewMessage, Outbox};
    ///
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("app.db");
    /// let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}?mode=rwc", path.display())).await?;
    /// let outbox = Outbox::from_sqlite_pool(pool.clone());
    /// outbox.migrate().await?;
    /// sqlx::query("CREATE TABLE job (id TEXT PRIMARY KEY)").execute(&pool).await?;
    ///
    /// let mut tx = pool.begin().await?;
    /// sqlx::query("INSERT INTO job (id) VALUES ('7')").execute(&mut *tx).await?;
    /// let message = NewMessage::new(http::Method::POST, "https://consumer.example/done", r#"{"job":"7"}"#)?;
    /// Outbox::enqueue_in(&mut *tx, &[message]).await?;
    /// tx.commit().await?; // the job row and its callback, together
    /// outbox.wake();
    /// assert_eq!(outbox.counts().await?.pending, 1);
    /// # Ok(()) }
    /// ```
    pub async fn enqueue_in<C: InTransaction + ?Sized>(
        connection: &mut C,
        messages: &[NewMessage],
    ) -> Result<Vec<Enqueued>, OutboxError> {
        connection.enqueue_here(messages).await
    }

    /// Wakes this process's workers (after a transactional enqueue committed).
    pub fn wake(&self) {
        self.inner.wake.notify_waiters();
    }

    pub(crate) fn wake_signal(&self) -> &Notify {
        &self.inner.wake
    }

    /// Claims due messages for one attempt each: pending messages whose next attempt is due,
    /// and in-flight messages whose lease expired (their open attempt is marked `interrupted`),
    /// oldest due first, within `request`'s limits. Each claimed message is `in-flight` with a
    /// new claim token and a lease on the database's clock, and has an attempt row. One short
    /// transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so nodes never claim the same row;
    /// SQLite: `BEGIN IMMEDIATE`).
    pub async fn claim(&self, request: &ClaimRequest) -> Result<Vec<Claimed>, OutboxError> {
        if request.limit == 0 {
            return Ok(Vec::new());
        }
        let work = Settle {
            claim: Some(request),
            ..Settle::default()
        };
        Ok(self.settle(&work).await?.claimed)
    }

    /// Records the results of attempts, in one transaction: each message takes its new state
    /// only if its claim is still current (token and state checked); otherwise the result is
    /// kept as a `superseded` attempt and the message is left alone.
    pub async fn record(&self, records: &[AttemptRecord]) -> Result<Vec<Recorded>, OutboxError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let work = Settle {
            records,
            ..Settle::default()
        };
        Ok(self.settle(&work).await?.recorded)
    }

    /// Gives claims back without an attempt (a worker that claimed ahead and is shutting
    /// down), in one transaction: each message whose claim is still current (token and state
    /// checked) is `pending` again, due as it was, and its attempt is neither counted nor kept.
    /// Returns, for each claim, whether it was given back (`false`: the claim was no longer
    /// current, and the message was left alone).
    pub async fn release(&self, claims: &[Claimed]) -> Result<Vec<bool>, OutboxError> {
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        let work = Settle {
            releases: claims,
            ..Settle::default()
        };
        Ok(self.settle(&work).await?.released)
    }

    /// One transaction of a worker: gives claims back, records results, claims more.
    pub(crate) async fn settle(&self, work: &Settle<'_>) -> Result<Settled, OutboxError> {
        dispatch!(self, store => store.settle(work).await)
    }

    /// Messages, by id (that is, by creation), in one state or all.
    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<Message>, OutboxError> {
        dispatch!(self, store => store.list(filter).await)
    }

    /// One message with its attempts.
    pub async fn get(&self, id: &str) -> Result<Option<MessageDetail>, OutboxError> {
        dispatch!(self, store => store.get(id).await)
    }

    /// Takes finished messages (delivered, dead or cancelled) back to `pending`, due now, with
    /// the same id and body and a fresh schedule round. Pending and in-flight messages are left
    /// as they are ([`ChangeOutcome::Unchanged`]).
    pub async fn replay(&self, ids: &[&str]) -> Result<Vec<Change>, OutboxError> {
        let changes = dispatch!(self, store => store.replay(ids).await)?;
        self.wake();
        Ok(changes)
    }

    /// Replays every dead message (same ids, same bodies, a fresh schedule round), in id order.
    pub async fn replay_dead(&self) -> Result<Vec<Change>, OutboxError> {
        let ids = dispatch!(self, store => store.replay_dead().await)?;
        self.wake();
        Ok(ids
            .into_iter()
            .map(|id| Change {
                id,
                outcome: ChangeOutcome::Changed {
                    from: State::Dead,
                    state: State::Pending,
                },
            })
            .collect())
    }

    /// Cancels pending and in-flight messages: no further attempt. An attempt already under way
    /// may still reach the consumer; its result is recorded as `superseded`.
    pub async fn cancel(&self, ids: &[&str]) -> Result<Vec<Change>, OutboxError> {
        dispatch!(self, store => store.cancel(ids).await)
    }

    /// Deletes finished messages (delivered, dead, cancelled), with their attempts, that
    /// finished more than `older_than` ago (database clock). Returns how many.
    pub async fn purge(&self, older_than: Duration) -> Result<u64, OutboxError> {
        dispatch!(self, store => store.purge(crate::time::millis(older_than)).await)
    }

    /// How many messages are in each state.
    pub async fn counts(&self) -> Result<Counts, OutboxError> {
        dispatch!(self, store => store.counts().await)
    }

    pub(crate) async fn due(&self) -> Result<Due, OutboxError> {
        dispatch!(self, store => store.due().await)
    }

    /// Closes the pool: waits for connections in use to be returned.
    pub async fn close(&self) {
        dispatch!(self, store => store.close().await)
    }
}

/// The future of a transactional enqueue.
pub type Enqueueing<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Vec<Enqueued>, OutboxError>> + Send + 'a>,
>;

/// A connection a transactional enqueue can write through: sqlx 0.9's `SqliteConnection` and
/// `PgConnection` (what `&mut *transaction` gives). Sealed.
pub trait InTransaction: sealed::Sealed + Send {
    #[doc(hidden)]
    fn enqueue_here<'a>(&'a mut self, messages: &'a [NewMessage]) -> Enqueueing<'a>;
}

mod sealed {
    pub trait Sealed {}
}

#[cfg(feature = "sqlite")]
impl sealed::Sealed for sqlx::SqliteConnection {}

#[cfg(feature = "sqlite")]
impl InTransaction for sqlx::SqliteConnection {
    fn enqueue_here<'a>(&'a mut self, messages: &'a [NewMessage]) -> Enqueueing<'a> {
        Box::pin(sqlite::enqueue_on(self, messages))
    }
}

#[cfg(feature = "postgres")]
impl sealed::Sealed for sqlx::PgConnection {}

#[cfg(feature = "postgres")]
impl InTransaction for sqlx::PgConnection {
    fn enqueue_here<'a>(&'a mut self, messages: &'a [NewMessage]) -> Enqueueing<'a> {
        Box::pin(postgres::enqueue_on(self, messages))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;

    fn candidate(id: &str, origin: &str) -> Candidate {
        Candidate {
            id: id.into(),
            origin: origin.into(),
        }
    }

    #[test]
    fn choose_respects_the_limit_and_the_room_per_origin() {
        let mut request = ClaimRequest::new(3, Duration::from_secs(1), "w", 3);
        request.per_origin = Some(2);
        request.in_flight.insert("a".into(), 1);
        let chosen = request.choose(vec![
            candidate("1", "a"),
            candidate("2", "a"),
            candidate("3", "b"),
            candidate("4", "b"),
            candidate("5", "b"),
            candidate("6", "c"),
        ]);
        let ids: Vec<_> = chosen.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["1", "3", "4"]);
        assert_eq!(request.saturated(), Vec::<String>::new());
        request.in_flight.insert("a".into(), 2);
        assert_eq!(request.saturated(), ["a"]);
    }

    #[test]
    fn a_claim_reads_more_candidates_only_when_an_origin_may_run_out_of_room() {
        let mut request = ClaimRequest::new(10, Duration::from_secs(1), "w", 3);
        assert_eq!(request.candidates(), 10);
        request.per_origin = Some(30);
        request.in_flight.insert("a".into(), 20);
        assert_eq!(request.candidates(), 10, "every origin has room for 10");
        request.in_flight.insert("b".into(), 21);
        assert_eq!(request.candidates(), 40, "b has room for 9 only");
        request.in_flight.clear();
        request.per_origin = Some(5);
        assert_eq!(
            request.candidates(),
            40,
            "an origin not in flight has room for 5 only"
        );
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://me:hunter2@db:5432/x"),
            "postgres://me:***@db:5432/x"
        );
        assert_eq!(redact("sqlite:callbacks.db"), "sqlite:callbacks.db");
    }
}
