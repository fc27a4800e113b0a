//! Durable, at-least-once delivery of OpenAPI callbacks.
//!
//! A provider that answers `202` and calls the consumer back later must not lose the call when
//! it restarts, and several provider nodes must be able to share the work. This crate keeps the
//! callbacks in a table of the provider's database — **SQLite** by default (one file, embedded,
//! nothing to install), **PostgreSQL** (feature `postgres`) when several nodes share it — and
//! delivers them with a worker, through [`callback_delivery`] (the URL policy against request
//! forgery, pinned addresses, timeouts, capped reads, Standard Webhooks signatures). No queue
//! server, no second store: the row is the queue entry.
//!
//! - [`prepare`] turns "this operation got this exchange; send this payload to callback X" into
//!   [`NewMessage`]s: the payload validated against the callback operation's schema (invalid:
//!   nothing to store), the URL resolved (unresolvable: [`Planned::Skipped`], no call, as the
//!   specification says), everything that will be sent fixed now.
//! - [`Outbox`] stores them ([`Outbox::enqueue`], or [`Outbox::enqueue_in`] inside the
//!   caller's own transaction), and offers the operators' commands: [`list`](Outbox::list),
//!   [`get`](Outbox::get) with the attempts, [`replay`](Outbox::replay) and
//!   [`replay_dead`](Outbox::replay_dead), [`cancel`](Outbox::cancel),
//!   [`purge`](Outbox::purge).
//! - [`Worker`] claims due messages, delivers them, records every attempt, and reschedules them
//!   on the [`Schedule`] or finishes them, with bounded concurrency overall and per origin, and
//!   a graceful shutdown on a cancellation token.
//! - With the feature `axum`, `CallbacksLayer` and the `Callbacks` extractor (module `layer`)
//!   do this for the handlers of an axum application: the callbacks a handler asks for are
//!   resolved for the request it received and the response it gives, and enqueued before that
//!   response leaves, so a client holding its `202` knows its callbacks are durable
//!   (`layer.rs`: `callbacks_are_stored_before_the_response_leaves`, `other_bodies_stream_through`,
//!   `a_client_that_disconnects_mid_handler_loses_nothing`).
//!
//! # A message's life
//!
//! `pending` → `in-flight` → `delivered` | `dead` | `cancelled`, and back to `pending` with the
//! time of the next attempt after a failed one. A claim makes a message `in-flight` with a
//! **lease** (on the database's clock) and a **claim token**; every later write about that
//! attempt presents the token, so a worker whose lease expired and whose message was taken over
//! cannot overwrite the newer state (its result is kept as a `superseded` attempt). No
//! transaction is held while a callback is sent: a worker writes in short transactions, each
//! recording the results finished since the last one and claiming the next messages (ahead of
//! its free slots, so that sending goes on while a transaction commits; what it has not sent at
//! shutdown it gives back, [`Outbox::release`]). PostgreSQL claims with `FOR UPDATE SKIP LOCKED`; SQLite with
//! `BEGIN IMMEDIATE`.
//! Expired leases are taken back by the claims themselves, so no node leads and nothing sweeps.
//!
//! What follows an attempt ([`decide`]): `2xx` delivered; `410 Gone` dead at once; a refusal by
//! the URL policy (checked again at every attempt, after the host name is looked up) dead at
//! once; connection errors, timeouts, `408`, `429` and `5xx` retried on the schedule (by
//! default Standard Webhooks': 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, ±20 %);
//! other `4xx` and redirects retried unless [`Worker::retry_client_errors`] says not to. A
//! consumer's `Retry-After` is honoured up to the schedule's largest step.
//!
//! # Guarantees
//!
//! Each is proved by a test, named here.
//!
//! 1. **Every committed enqueue is delivered at least once, or ends `dead` or `cancelled`** —
//!    across a worker killed at any moment and a restart of the database: an attempt whose
//!    result was not recorded keeps its message `in-flight` until the lease expires, and the
//!    next claim takes it back. `crash.rs`: provider processes killed with SIGKILL at random
//!    moments (`kill_at_random_moments`), right after a claim committed
//!    (`kill_after_the_claim`) and after the consumer answered but before the result was
//!    recorded (`kill_after_the_send`), restarted and drained, then checked: nothing committed
//!    lost. `postgres_nodes.rs`: three nodes on one PostgreSQL outbox, one killed, the server
//!    crashed and restarted mid-run.
//! 2. **An enqueue whose transaction rolled back is never sent**: the same crash tests (the
//!    providers roll some of their transactions back; the checker finds none of them stored or
//!    received), `conformance.rs`
//!    (`transactional_enqueue_commits_or_rolls_back_with_the_caller`).
//! 3. **The id and the body never change**: every attempt and every replay carries the message
//!    id as `webhook-id` and the exact bytes stored; the `webhook-timestamp` and the signature
//!    are computed anew at each attempt, with the secret looked up at that attempt (the outbox
//!    stores a secret's name, never the secret): `conformance.rs`
//!    (`worker_delivers_with_the_same_id_and_body_and_a_fresh_signature`,
//!    `worker_looks_the_secret_up_at_each_attempt`,
//!    `replay_keeps_id_and_body_and_starts_a_round`), and the crash tests' checker (every copy
//!    received has the stored bytes).
//! 4. **Duplicates only after a lease expired**: a message is claimed again only when it is due
//!    or its claim's lease ran out before a result was recorded, so a crash causes at most one
//!    extra send per message sent and not yet recorded: at most `concurrency + max_unrecorded`
//!    per killed worker ([`Worker::max_unrecorded`]). The crash tests' checker (extra acceptances
//!    ≤ kills × that), `postgres_nodes.rs` (no two claims of a message under overlapping leases),
//!    `conformance.rs` (`concurrent_claimants_never_share_a_message`).
//! 5. **A worker paused past its lease changes nothing**: its late result is `superseded` and
//!    the state its successor wrote stays: `crash.rs` (`paused_worker_is_superseded`: SIGSTOP
//!    after the send, SIGCONT after another worker delivered), `model.rs` (random sequences
//!    against a model, stale records included), `conformance.rs`
//!    (`a_stale_claim_cannot_change_the_state`).
//! 6. **No ordering promise**: messages are claimed oldest due first, but attempts run
//!    concurrently and retries reorder them. Consumers deduplicate on `webhook-id`.
//!
//! What is not promised: nothing survives the loss of the database itself; SQLite is durable
//! across power loss with `synchronous = FULL` (the default, [`ConnectOptions`]) and across a
//! crash of the process with `NORMAL`. A provider that writes its business data and then
//! enqueues in a separate transaction can lose the callback between the two commits: enqueue in
//! the same transaction ([`Outbox::enqueue_in`]) to close that gap.
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use callback_outbox::{Outbox, Planned, prepare};
//! use expr_eval::{OwnedExchange, OwnedRequest};
//!
//! # let dir = tempfile::tempdir()?;
//! # let url = format!("sqlite:{}", dir.path().join("callbacks.db").display());
//! let outbox = Outbox::connect(&url).await?; // "sqlite:callbacks.db", or postgres://…
//! let doc = oas_callbacks::Document::load("../examples/progress-api.yaml")?;
//! let op = doc.operation("startJob").expect("declared");
//! let request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/7/start")?
//!     .with_header("progressUrl", "https://client.example.net/progress/7");
//! let exchange = OwnedExchange::new(request);
//!
//! let planned = prepare(&doc, op, &exchange, "progress", None,
//!     r#"{"jobId": "7", "percent": 0, "state": "queued"}"#)?;
//! let messages: Vec<_> = planned.into_iter().filter_map(|p| match p {
//!     Planned::Message(m) => Some(m),
//!     _ => None,
//! }).collect();
//! let stored = outbox.enqueue(&messages).await?;
//! assert_eq!(stored.len(), 1);
//! // Then, in this process or another: Worker::new(outbox, options).run(shutdown).await
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("callback-outbox needs a store: enable the `sqlite` feature, `postgres`, or both");

mod error;
#[cfg(feature = "axum")]
pub mod layer;
mod message;
mod prepare;
mod schedule;
mod secrets;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod time;
mod worker;

pub use error::{OutboxError, PrepareError};
#[cfg(feature = "axum")]
pub use layer::{Callbacks, CallbacksLayer, CallbacksReport, SendOptions};
pub use message::{
    Attempt, AttemptKind, AttemptOutcome, Message, MessageDetail, NewMessage, State, UnknownState,
};
pub use prepare::{Planned, Skipped, prepare};
pub use schedule::{Decision, Failure, MAX_STEP, MAX_STEPS, Schedule, ScheduleError, decide};
pub use secrets::{OneSecret, SecretFile, Secrets, Unsigned};
pub use store::{
    AttemptRecord, Change, ChangeOutcome, ClaimRequest, Claimed, ConnectOptions, Counts, Enqueued,
    Enqueueing, InTransaction, ListFilter, Outbox, Recorded,
};
pub use time::Timestamp;
pub use worker::{AttemptReport, MAX_CONCURRENCY, MAX_UNRECORDED, RunSummary, Worker};
