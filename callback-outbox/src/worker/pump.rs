//! The worker's loop. One task owns this worker's claims and writes to the database one
//! transaction at a time; each transaction records the results that finished since the last
//! one (group commit), gives back claims that will not be attempted, and claims the next
//! messages. So claiming costs no commit of its own, and sending goes on while a transaction
//! commits: a slot is free again as soon as its send ends, and the messages it sends next were
//! claimed ahead by an earlier transaction.
//!
//! Bounds: at most `concurrency` sends at once, at most `per_origin` of them to one origin; at
//! most `max_unrecorded` results sent and not yet recorded beyond those (a slot stays taken
//! while both are full), so at most `concurrency + max_unrecorded` messages are sent but
//! unrecorded when the process dies (each may be sent again once its lease expires). Claims
//! ahead: up to `concurrency + max_unrecorded` messages claimed and not yet sent (per origin,
//! the same share of that window as `per_origin` is of `concurrency`). A claim ahead that
//! could not start early enough to end within its lease, and every claim ahead at shutdown, is
//! given back unattempted.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument as _;

use super::recorder::{Finished, report};
use super::{Backoff, RunSummary, Shared};
use crate::error::OutboxError;
use crate::store::{AttemptRecord, ClaimRequest, Claimed, Settle, Settled};

/// The most results recorded in one transaction.
const MAX_BATCH: usize = 256;

/// What the loop needs of the worker's settings.
pub(super) struct Limits {
    pub(super) concurrency: usize,
    pub(super) per_origin: usize,
    pub(super) max_unrecorded: usize,
    pub(super) poll_interval: Duration,
    pub(super) until_idle: bool,
    pub(super) max_attempts: u32,
    /// How long after its claim began a message claimed ahead may still be sent: half the
    /// lease's slack over the longest attempt, so that the attempt ends and its result is
    /// recorded before the lease runs out.
    pub(super) start_within: Duration,
}

impl Limits {
    /// Sends at once and claims ahead, together, at most.
    fn window(&self) -> usize {
        self.concurrency + self.max_unrecorded
    }

    /// The window's share of one origin.
    fn window_per_origin(&self) -> usize {
        (self.per_origin.saturating_mul(self.window())).div_ceil(self.concurrency)
    }
}

/// A message claimed ahead, waiting for a slot.
struct Ahead {
    claimed: Claimed,
    /// When the transaction that claimed it began (its lease began no earlier).
    at: Instant,
}

/// Sends under way and claims ahead, by origin.
#[derive(Clone, Copy, Debug, Default)]
struct Room {
    sending: usize,
    ahead: usize,
}

/// What one transaction carries, given back to the pump with its outcome.
struct Batch {
    finished: Vec<Finished>,
    records: Vec<AttemptRecord>,
    releases: Vec<Claimed>,
    claim: Option<ClaimRequest>,
    began: Instant,
}

type Committing = Pin<Box<dyn Future<Output = (Batch, Result<Settled, OutboxError>)> + Send>>;

struct Pump {
    shared: Arc<Shared>,
    limits: Limits,
    /// Claimed, not yet sent, oldest due first.
    ahead: VecDeque<Ahead>,
    /// Attempts being sent.
    sending: usize,
    /// Results sent and not yet recorded: waiting, and in the transaction under way.
    unrecorded: usize,
    origins: HashMap<String, Room>,
    /// Results waiting for the next transaction.
    finished: Vec<Finished>,
    /// When writing the waiting results first failed.
    failing_since: Option<Instant>,
    /// Claims to give back.
    releases: Vec<Claimed>,
    tracker: TaskTracker,
    to_pump: mpsc::Sender<Finished>,
    summary: RunSummary,
}

/// Runs the worker until shutdown (or, with `until_idle`, until nothing is left); then gives
/// its claims ahead back, lets the attempts under way finish and records them.
pub(super) async fn run(
    shared: Arc<Shared>,
    limits: Limits,
    shutdown: CancellationToken,
) -> Result<RunSummary, OutboxError> {
    let (to_pump, mut results) = mpsc::channel(limits.concurrency);
    let mut pump = Pump {
        shared,
        limits,
        ahead: VecDeque::new(),
        sending: 0,
        unrecorded: 0,
        origins: HashMap::new(),
        finished: Vec::new(),
        failing_since: None,
        releases: Vec::new(),
        tracker: TaskTracker::new(),
        to_pump,
        summary: RunSummary::default(),
    };
    let outcome = pump.run(&mut results, &shutdown).await;
    pump.tracker.close();
    pump.tracker.wait().await;
    outcome.map(|()| pump.summary)
}

impl Pump {
    async fn run(
        &mut self,
        results: &mut mpsc::Receiver<Finished>,
        shutdown: &CancellationToken,
    ) -> Result<(), OutboxError> {
        let shared = self.shared.clone();
        let mut backoff = Backoff::new();
        // Whether to claim even without results to record: until a claim comes back short,
        // and again when this process enqueues or the next poll is due.
        let mut look = true;
        let mut next_look = tokio::time::Instant::now();
        // Whether the database was asked, since the last claim, when the next work is due.
        let mut due_checked = false;
        // Whether `look` was set by the poll timer (not by an enqueue or a result).
        let mut polled = false;
        // The transaction under way.
        let mut committing: Option<Committing> = None;
        // After a failed transaction: not before then.
        let mut retry_at: Option<tokio::time::Instant> = None;
        let mut failure: Option<OutboxError> = None;
        let mut wake = Box::pin(shared.outbox.wake_signal().notified());
        wake.as_mut().enable();
        loop {
            let stopping = shutdown.is_cancelled() || failure.is_some();
            while let Ok(finished) = results.try_recv() {
                self.sent(finished);
            }
            self.give_back_stale(stopping);
            self.dispatch(stopping);
            if let Some(transaction) = committing.as_mut() {
                tokio::select! {
                    (batch, outcome) = transaction => {
                        committing = None;
                        tracing::debug!(
                            target: "callback_outbox::worker",
                            elapsed_us = batch.began.elapsed().as_micros() as u64,
                            results = batch.records.len(),
                            released = batch.releases.len(),
                            claimed = outcome.as_ref().map_or(0, |s| s.claimed.len()),
                            ok = outcome.is_ok(),
                            "transaction"
                        );
                        match outcome {
                            Ok(settled) => {
                                backoff.reset();
                                if let Some(request) = &batch.claim {
                                    look = settled.claimed.len() >= request.limit;
                                    due_checked = false;
                                    next_look =
                                        tokio::time::Instant::now() + self.limits.poll_interval;
                                }
                                self.settled(batch, settled);
                            }
                            Err(err) if err.is_transient() => {
                                let wait = backoff.next();
                                tracing::warn!(
                                    target: "callback_outbox::worker",
                                    error = %err,
                                    results = batch.finished.len(),
                                    retry_in_ms = wait.as_millis() as u64,
                                    "recording and claiming failed"
                                );
                                let since = *self.failing_since.get_or_insert(batch.began);
                                self.put_back(batch);
                                if since.elapsed() >= shared.lease {
                                    self.give_up(&err);
                                }
                                retry_at = Some(tokio::time::Instant::now() + wait);
                            }
                            Err(err) => {
                                self.put_back(batch);
                                self.give_up(&err);
                                failure.get_or_insert(err);
                            }
                        }
                    }
                    Some(finished) = results.recv() => self.sent(finished),
                    () = &mut wake => {
                        look = true;
                        wake = Box::pin(shared.outbox.wake_signal().notified());
                        wake.as_mut().enable();
                    }
                    () = shutdown.cancelled(), if !stopping => {}
                }
                continue;
            }
            if let Some(at) = retry_at {
                if tokio::time::Instant::now() < at {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => retry_at = None,
                        Some(finished) = results.recv() => self.sent(finished),
                        () = shutdown.cancelled(), if !stopping => {}
                    }
                    continue;
                }
                retry_at = None;
            }
            let room = if stopping {
                0
            } else {
                self.limits
                    .window()
                    .saturating_sub(self.sending + self.ahead.len())
            };
            let claim =
                (room > 0 && (look || !self.finished.is_empty())).then(|| self.claim_request(room));
            if self.finished.is_empty() && self.releases.is_empty() && claim.is_none() {
                let idle = self.sending == 0 && self.ahead.is_empty();
                if idle && stopping {
                    break;
                }
                if idle && !look && !due_checked {
                    due_checked = true;
                    match shared.outbox.due().await {
                        Ok(due) => {
                            if self.limits.until_idle && due.next_in.is_none() {
                                break;
                            }
                            next_look = tokio::time::Instant::now() + self.wait(due.next_in);
                        }
                        Err(err) if err.is_transient() => {}
                        Err(err) => failure = Some(err),
                    }
                    continue;
                }
                tokio::select! {
                    Some(finished) = results.recv() => self.sent(finished),
                    () = &mut wake => {
                        look = true;
                        wake = Box::pin(shared.outbox.wake_signal().notified());
                        wake.as_mut().enable();
                    }
                    () = tokio::time::sleep_until(next_look), if !look => {
                        look = true;
                        polled = true;
                    }
                    () = shutdown.cancelled(), if !stopping => {}
                }
                continue;
            }
            if polled && self.finished.is_empty() && self.releases.is_empty() {
                // A poll asks first, without a write lock, whether anything is due: a worker
                // that only waits takes no lock (a stopped process holding SQLite's write lock
                // would stop every other worker).
                polled = false;
                match shared.outbox.due().await {
                    Ok(due) if due.next_in.is_some_and(|next| next.is_zero()) => {}
                    Ok(due) => {
                        let idle = self.sending == 0 && self.ahead.is_empty();
                        if idle && self.limits.until_idle && due.next_in.is_none() {
                            break;
                        }
                        look = false;
                        next_look = tokio::time::Instant::now() + self.wait(due.next_in);
                        continue;
                    }
                    Err(err) if err.is_transient() => {}
                    Err(err) => {
                        failure = Some(err);
                        continue;
                    }
                }
            }
            if claim.is_some() {
                // Enqueues from now on are seen by this claim or wake the next one.
                wake = Box::pin(shared.outbox.wake_signal().notified());
                wake.as_mut().enable();
            }
            committing = Some(self.begin(claim));
        }
        match failure {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Starts a transaction with the waiting results (up to a batch), the claims to give back
    /// and `claim`; it runs while the pump goes on sending.
    fn begin(&mut self, claim: Option<ClaimRequest>) -> Committing {
        let take = self.finished.len().min(MAX_BATCH);
        let finished: Vec<Finished> = self.finished.drain(..take).collect();
        let records = finished.iter().map(|f| f.record.clone()).collect();
        let batch = Batch {
            finished,
            records,
            releases: std::mem::take(&mut self.releases),
            claim,
            began: Instant::now(),
        };
        let outbox = self.shared.outbox.clone();
        Box::pin(async move {
            let work = Settle {
                releases: &batch.releases,
                records: &batch.records,
                claim: batch.claim.as_ref(),
            };
            let outcome = outbox.settle(&work).await;
            (batch, outcome)
        })
    }

    /// A failed transaction's results and claims to give back wait for the next one.
    fn put_back(&mut self, batch: Batch) {
        let mut finished = batch.finished;
        finished.append(&mut self.finished);
        self.finished = finished;
        let mut releases = batch.releases;
        releases.append(&mut self.releases);
        self.releases = releases;
    }

    /// How long to wait before looking again when the next work is due in `next_in` (`None`:
    /// nothing pending or in flight).
    fn wait(&self, next_in: Option<Duration>) -> Duration {
        match next_in {
            // Due but not claimable here (its origin is busy, or another node has it): look
            // again soon.
            Some(next) if next.is_zero() => {
                self.limits.poll_interval.min(Duration::from_millis(50))
            }
            Some(next) => self.limits.poll_interval.min(next),
            None => self.limits.poll_interval,
        }
    }

    /// What to claim: the room left in the window overall and per origin, counting sends
    /// under way and claims ahead.
    fn claim_request(&self, room: usize) -> ClaimRequest {
        let mut request = ClaimRequest::new(
            room,
            self.shared.lease,
            &self.shared.name,
            self.limits.max_attempts,
        );
        request.per_origin = Some(self.limits.window_per_origin());
        request.in_flight = self
            .origins
            .iter()
            .map(|(origin, room)| (origin.clone(), room.sending + room.ahead))
            .collect();
        request
    }

    /// A send ended: its slot is free, its result waits for the next transaction.
    fn sent(&mut self, finished: Finished) {
        self.sending = self.sending.saturating_sub(1);
        self.unrecorded += 1;
        let origin = &finished.claimed.message.origin;
        if let Some(room) = self.origins.get_mut(origin) {
            room.sending = room.sending.saturating_sub(1);
            if room.sending == 0 && room.ahead == 0 {
                self.origins.remove(origin);
            }
        }
        self.finished.push(finished);
    }

    /// Applies a committed transaction: results reported, claims queued.
    fn settled(&mut self, batch: Batch, settled: Settled) {
        self.failing_since = None;
        for (finished, recorded) in batch.finished.iter().zip(settled.recorded) {
            self.report(finished, Some(recorded));
        }
        for claimed in settled.claimed {
            self.room(&claimed.message.origin).ahead += 1;
            self.ahead.push_back(Ahead {
                claimed,
                at: batch.began,
            });
        }
    }

    /// The database stayed unavailable for a lease, or failed for good: the waiting results
    /// are not recorded (their messages go back to others when the lease expires), and the
    /// claims to give back are left to expire.
    fn give_up(&mut self, err: &OutboxError) {
        if !self.finished.is_empty() {
            tracing::error!(
                target: "callback_outbox::worker",
                error = %err,
                results = self.finished.len(),
                "cannot record attempts: their messages will be taken back when the lease expires"
            );
        }
        self.releases.clear();
        self.failing_since = None;
        let finished: Vec<Finished> = self.finished.drain(..).collect();
        for finished in &finished {
            self.report(finished, None);
        }
    }

    fn report(&mut self, finished: &Finished, recorded: Option<crate::store::Recorded>) {
        report(&self.shared, &mut self.summary, finished, recorded);
        self.unrecorded = self.unrecorded.saturating_sub(1);
    }

    fn room(&mut self, origin: &str) -> &mut Room {
        self.origins.entry(origin.to_owned()).or_default()
    }

    /// Claims ahead that must not be sent any more (too close to their lease's end, or the
    /// worker is stopping) are to be given back.
    fn give_back_stale(&mut self, stopping: bool) {
        let start_within = self.limits.start_within;
        if !stopping && self.ahead.iter().all(|a| a.at.elapsed() < start_within) {
            return;
        }
        let mut kept = VecDeque::with_capacity(self.ahead.len());
        for ahead in self.ahead.drain(..) {
            if stopping || ahead.at.elapsed() >= start_within {
                if let Some(room) = self.origins.get_mut(&ahead.claimed.message.origin) {
                    room.ahead = room.ahead.saturating_sub(1);
                }
                self.releases.push(ahead.claimed);
            } else {
                kept.push_back(ahead);
            }
        }
        self.ahead = kept;
        self.origins.retain(|_, room| room.sending + room.ahead > 0);
    }

    /// Starts attempts from the claims ahead while a slot is free (overall and per origin) and
    /// the results sent but unrecorded leave room.
    fn dispatch(&mut self, stopping: bool) {
        let (concurrency, per_origin) = (self.limits.concurrency, self.limits.per_origin);
        let window = self.limits.window();
        while !stopping && self.sending < concurrency && self.sending + self.unrecorded < window {
            let next = self.ahead.iter().position(|a| {
                self.origins
                    .get(&a.claimed.message.origin)
                    .is_none_or(|room| room.sending < per_origin)
            });
            let Some(next) = next.and_then(|i| self.ahead.remove(i)) else {
                return;
            };
            let room = self.room(&next.claimed.message.origin);
            room.ahead = room.ahead.saturating_sub(1);
            room.sending += 1;
            self.sending += 1;
            let claimed = next.claimed;
            let span = tracing::info_span!(
                target: "callback_outbox::worker",
                "callback_attempt",
                message_id = %claimed.message.id,
                attempt = claimed.number,
                callback = %claimed.message.callback,
                url = %claimed.message.url,
                worker = %self.shared.name,
            );
            let shared = self.shared.clone();
            let to_pump = self.to_pump.clone();
            self.tracker.spawn(
                async move {
                    let finished = shared.attempt(claimed).await;
                    // The pump outlives every attempt.
                    let _ = to_pump.send(finished).await;
                }
                .instrument(span),
            );
        }
    }
}
