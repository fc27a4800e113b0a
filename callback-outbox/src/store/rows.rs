//! Reading rows into messages and attempts, the same way for both databases.

use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::error::OutboxError;
use crate::message::{Attempt, AttemptKind, AttemptOutcome, Message, State};
use crate::time::Timestamp;

fn corrupt(err: sqlx::Error) -> OutboxError {
    OutboxError::Corrupt(err.to_string())
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

fn status(value: Option<i64>) -> Option<u16> {
    value.and_then(|v| u16::try_from(v).ok())
}

/// A message (the columns of `message_columns!`), with its schedule base (which the public type does not show).
pub(crate) struct MessageRow {
    pub(crate) message: Message,
    pub(crate) schedule_base: u32,
}

pub(crate) fn message<'r, R>(row: &'r R) -> Result<MessageRow, OutboxError>
where
    R: Row,
    usize: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
{
    let state: String = row.try_get(1).map_err(corrupt)?;
    let state: State = state
        .parse()
        .map_err(|e: crate::message::UnknownState| OutboxError::Corrupt(e.to_string()))?;
    let headers: String = row.try_get(9).map_err(corrupt)?;
    let headers: Vec<(String, String)> = serde_json::from_str(&headers)
        .map_err(|e| OutboxError::Corrupt(format!("headers are not a JSON list of pairs: {e}")))?;
    let body: Vec<u8> = row.try_get(10).map_err(corrupt)?;
    let message = Message {
        id: row.try_get(0).map_err(corrupt)?,
        state,
        attempts: count(row.try_get(2).map_err(corrupt)?),
        operation: row.try_get(3).map_err(corrupt)?,
        callback: row.try_get(4).map_err(corrupt)?,
        expression: row.try_get(5).map_err(corrupt)?,
        method: row.try_get(6).map_err(corrupt)?,
        url: row.try_get(7).map_err(corrupt)?,
        origin: row.try_get(8).map_err(corrupt)?,
        headers,
        body: body.into(),
        dedupe_key: row.try_get(11).map_err(corrupt)?,
        secret_ref: row.try_get(12).map_err(corrupt)?,
        next_attempt_at: Timestamp::from_millis(row.try_get(13).map_err(corrupt)?),
        lease_until: row
            .try_get::<Option<i64>, _>(14)
            .map_err(corrupt)?
            .map(Timestamp::from_millis),
        claimed_by: row.try_get(15).map_err(corrupt)?,
        last_status: status(row.try_get(16).map_err(corrupt)?),
        last_error: row.try_get(17).map_err(corrupt)?,
        replays: count(row.try_get(18).map_err(corrupt)?),
        created_at: Timestamp::from_millis(row.try_get(19).map_err(corrupt)?),
        finished_at: row
            .try_get::<Option<i64>, _>(20)
            .map_err(corrupt)?
            .map(Timestamp::from_millis),
    };
    Ok(MessageRow {
        message,
        schedule_base: count(row.try_get(22).map_err(corrupt)?),
    })
}

pub(crate) fn attempt<'r, R>(row: &'r R) -> Result<Attempt, OutboxError>
where
    R: Row,
    usize: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    let kind: String = row.try_get(1).map_err(corrupt)?;
    let outcome: String = row.try_get(6).map_err(corrupt)?;
    Ok(Attempt {
        number: count(row.try_get(0).map_err(corrupt)?),
        kind: AttemptKind::parse(&kind),
        claimed_by: row.try_get(2).map_err(corrupt)?,
        started_at: Timestamp::from_millis(row.try_get(3).map_err(corrupt)?),
        lease_until: Timestamp::from_millis(row.try_get(4).map_err(corrupt)?),
        ended_at: row
            .try_get::<Option<i64>, _>(5)
            .map_err(corrupt)?
            .map(Timestamp::from_millis),
        outcome: AttemptOutcome::parse(&outcome),
        status: status(row.try_get(7).map_err(corrupt)?),
        error_kind: row.try_get(8).map_err(corrupt)?,
        error: row.try_get(9).map_err(corrupt)?,
        address: row.try_get(10).map_err(corrupt)?,
        response: row.try_get(11).map_err(corrupt)?,
        next_attempt_at: row
            .try_get::<Option<i64>, _>(12)
            .map_err(corrupt)?
            .map(Timestamp::from_millis),
    })
}

/// A claimed message as SQLite's claim returns it: its columns (but the body) as one JSON
/// object, with its attempt's kind (`kind`) and its schedule base (`schedule_base`). One value
/// per row instead of two dozen: each value of a row is copied out of SQLite, handed over and
/// read on its own (callgrind: about 40k instructions per claimed message for 25 columns).
#[cfg(feature = "sqlite")]
#[derive(serde::Deserialize)]
struct ClaimedJson {
    id: String,
    state: String,
    attempts: i64,
    operation: String,
    callback: String,
    expression: String,
    method: String,
    url: String,
    origin: String,
    headers: String,
    dedupe_key: Option<String>,
    secret_ref: Option<String>,
    next_attempt_at: i64,
    lease_until: Option<i64>,
    claimed_by: Option<String>,
    last_status: Option<i64>,
    last_error: Option<String>,
    replays: i64,
    created_at: i64,
    finished_at: Option<i64>,
    schedule_base: i64,
    kind: Option<String>,
}

/// A claimed message from SQLite's claim (see `ClaimedJson`) and its body, with its attempt's
/// kind (`None`: the claim opened no attempt row for it).
#[cfg(feature = "sqlite")]
pub(crate) fn claimed_json(
    text: &str,
    body: Vec<u8>,
) -> Result<(MessageRow, Option<String>), OutboxError> {
    let row: ClaimedJson = serde_json::from_str(text)
        .map_err(|e| OutboxError::Corrupt(format!("a claimed message cannot be read: {e}")))?;
    let state: State = row
        .state
        .parse()
        .map_err(|e: crate::message::UnknownState| OutboxError::Corrupt(e.to_string()))?;
    let headers: Vec<(String, String)> = serde_json::from_str(&row.headers)
        .map_err(|e| OutboxError::Corrupt(format!("headers are not a JSON list of pairs: {e}")))?;
    let message = Message {
        id: row.id,
        state,
        attempts: count(row.attempts),
        operation: row.operation,
        callback: row.callback,
        expression: row.expression,
        method: row.method,
        url: row.url,
        origin: row.origin,
        headers,
        body: body.into(),
        dedupe_key: row.dedupe_key,
        secret_ref: row.secret_ref,
        next_attempt_at: Timestamp::from_millis(row.next_attempt_at),
        lease_until: row.lease_until.map(Timestamp::from_millis),
        claimed_by: row.claimed_by,
        last_status: status(row.last_status),
        last_error: row.last_error,
        replays: count(row.replays),
        created_at: Timestamp::from_millis(row.created_at),
        finished_at: row.finished_at.map(Timestamp::from_millis),
    };
    Ok((
        MessageRow {
            message,
            schedule_base: count(row.schedule_base),
        },
        row.kind,
    ))
}

/// The headers of a new message as stored: a JSON list of pairs.
pub(crate) fn headers_json(headers: &[(String, String)]) -> String {
    serde_json::to_string(headers).unwrap_or_else(|_| "[]".to_owned())
}

/// The kind of a claimed attempt, from what the message was before the claim.
pub(crate) fn claim_kind(
    reclaimed: bool,
    attempts: u32,
    schedule_base: u32,
    replays: u32,
) -> AttemptKind {
    if reclaimed {
        AttemptKind::Reclaimed
    } else if replays > 0 && attempts == schedule_base + 1 {
        AttemptKind::Manual
    } else {
        AttemptKind::Scheduled
    }
}
