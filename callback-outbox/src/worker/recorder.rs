//! What becomes of a result once the pump has recorded it (whatever finished is written in one
//! transaction, a group commit): it is counted, traced, and the observer is told.

use std::time::Duration;

use super::{AttemptReport, RunSummary, Shared};
use crate::message::{AttemptOutcome, State};
use crate::store::{AttemptRecord, Claimed, Recorded};

/// A finished attempt waiting to be recorded. Its slot is free; the pump counts it among the
/// results sent but unrecorded (at most `max_unrecorded` beyond the sends under way), which
/// bounds the messages a crash can leave sent but unrecorded.
pub(super) struct Finished {
    pub(super) claimed: Claimed,
    pub(super) record: AttemptRecord,
    pub(super) elapsed: Duration,
    pub(super) span: tracing::Span,
}

/// Counts a result in the summary, traces it and tells the observer.
pub(super) fn report(
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
