//! Records the results of attempts: whatever has finished is written in one transaction (group
//! commit), then the attempts' slots are freed and the observer is told.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::{AttemptReport, Backoff, RunSummary, Shared};
use crate::message::{AttemptOutcome, State};
use crate::store::{AttemptRecord, Claimed, Recorded};

/// A finished attempt waiting to be recorded. Its slot (the permit) is held until then, so
/// the number of messages a crash can leave sent-but-unrecorded is bounded by the concurrency.
pub(super) struct Finished {
    pub(super) claimed: Claimed,
    pub(super) record: AttemptRecord,
    pub(super) elapsed: Duration,
    pub(super) span: tracing::Span,
    pub(super) _permit: tokio::sync::OwnedSemaphorePermit,
}

/// The most results written in one transaction.
const MAX_BATCH: usize = 256;

pub(super) async fn run(shared: Arc<Shared>, mut results: mpsc::Receiver<Finished>) -> RunSummary {
    let mut summary = RunSummary::default();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = results.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match results.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let outcomes = write(&shared, &batch).await;
        for (finished, outcome) in batch.drain(..).zip(outcomes) {
            report(&shared, &mut summary, &finished, outcome);
            shared.release(&finished.claimed.message.origin);
        }
    }
    summary
}

/// Writes a batch, retrying while the database is unavailable. A worker that keeps failing
/// gives up after one lease (its claims have expired by then: others take the messages back).
async fn write(shared: &Shared, batch: &[Finished]) -> Vec<Option<Recorded>> {
    let records: Vec<AttemptRecord> = batch.iter().map(|f| f.record.clone()).collect();
    let started = Instant::now();
    let mut backoff = Backoff::new();
    loop {
        match shared.outbox.record(&records).await {
            Ok(recorded) => return recorded.into_iter().map(Some).collect(),
            Err(err) if err.is_transient() && started.elapsed() < shared.lease => {
                let wait = backoff.next();
                tracing::warn!(
                    target: "callback_outbox::worker",
                    error = %err,
                    results = records.len(),
                    retry_in_ms = wait.as_millis() as u64,
                    "recording failed"
                );
                tokio::time::sleep(wait).await;
            }
            Err(err) => {
                tracing::error!(
                    target: "callback_outbox::worker",
                    error = %err,
                    results = records.len(),
                    "cannot record attempts: their messages will be taken back when the lease expires"
                );
                return vec![None; records.len()];
            }
        }
    }
}

fn report(
    shared: &Shared,
    summary: &mut RunSummary,
    finished: &Finished,
    outcome: Option<Recorded>,
) {
    let (outcome, next_attempt_at) = match outcome {
        Some(Recorded::Applied {
            state,
            next_attempt_at,
        }) => (
            match state {
                State::Delivered => AttemptOutcome::Delivered,
                State::Pending => AttemptOutcome::Retry,
                _ => AttemptOutcome::Dead,
            },
            next_attempt_at,
        ),
        Some(Recorded::Superseded) => (AttemptOutcome::Superseded, None),
        None => {
            summary.unrecorded += 1;
            (AttemptOutcome::InProgress, None)
        }
    };
    if outcome != AttemptOutcome::InProgress {
        summary.attempts += 1;
    }
    match outcome {
        AttemptOutcome::Delivered => summary.delivered += 1,
        AttemptOutcome::Retry => summary.retried += 1,
        AttemptOutcome::Dead => summary.dead += 1,
        AttemptOutcome::Superseded => summary.superseded += 1,
        _ => {}
    }
    let message = &finished.claimed.message;
    let record = &finished.record;
    finished.span.in_scope(|| {
        tracing::info!(
            target: "callback_outbox::worker",
            outcome = outcome.as_str(),
            status = record.status,
            error = record.error.as_deref(),
            next_attempt_at = next_attempt_at.map(|t| t.to_string()),
            "recorded"
        );
    });
    if let Some(observer) = &shared.observer {
        observer(&AttemptReport {
            id: message.id.clone(),
            attempt: finished.claimed.number,
            kind: finished.claimed.kind,
            callback: message.callback.clone(),
            method: message.method.clone(),
            url: message.url.clone(),
            outcome,
            status: record.status,
            error_kind: record.failure.map(|f| f.as_str()),
            error: record.error.clone(),
            next_attempt_at,
            elapsed_ms: u64::try_from(finished.elapsed.as_millis()).unwrap_or(u64::MAX),
            worker: shared.name.clone(),
        });
    }
}
