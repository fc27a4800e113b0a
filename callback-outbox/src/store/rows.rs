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
    let fields = MessageFields {
        id: row.try_get(0).map_err(corrupt)?,
        state: row.try_get(1).map_err(corrupt)?,
        attempts: row.try_get(2).map_err(corrupt)?,
        operation: row.try_get(3).map_err(corrupt)?,
        callback: row.try_get(4).map_err(corrupt)?,
        expression: row.try_get(5).map_err(corrupt)?,
        method: row.try_get(6).map_err(corrupt)?,
        url: row.try_get(7).map_err(corrupt)?,
        origin: row.try_get(8).map_err(corrupt)?,
        headers: row.try_get(9).map_err(corrupt)?,
        dedupe_key: row.try_get(11).map_err(corrupt)?,
        secret_ref: row.try_get(12).map_err(corrupt)?,
        next_attempt_at: row.try_get(13).map_err(corrupt)?,
        lease_until: row.try_get(14).map_err(corrupt)?,
        claimed_by: row.try_get(15).map_err(corrupt)?,
        last_status: row.try_get(16).map_err(corrupt)?,
        last_error: row.try_get(17).map_err(corrupt)?,
        replays: row.try_get(18).map_err(corrupt)?,
        created_at: row.try_get(19).map_err(corrupt)?,
        finished_at: row.try_get(20).map_err(corrupt)?,
        schedule_base: row.try_get(22).map_err(corrupt)?,
        attempt_kind: None,
    };
    fields.into_row(row.try_get(10).map_err(corrupt)?)
}

/// A message's stored fields but its body, as the database gives them: read from the columns
/// of `message_columns!`, or from the one JSON object SQLite's claim returns per message.
#[derive(serde::Deserialize)]
struct MessageFields {
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
    /// The kind of the attempt a claim opened: SQLite's claim gives it with the fields (a
    /// field of its own would be one more value per row); the columns do not.
    #[serde(default, rename = "kind")]
    attempt_kind: Option<String>,
}

impl MessageFields {
    fn into_row(self, body: Vec<u8>) -> Result<MessageRow, OutboxError> {
        let state: State = self
            .state
            .parse()
            .map_err(|e: crate::message::UnknownState| OutboxError::Corrupt(e.to_string()))?;
        let headers: Vec<(String, String)> = serde_json::from_str(&self.headers).map_err(|e| {
            OutboxError::Corrupt(format!("headers are not a JSON list of pairs: {e}"))
        })?;
        let message = Message {
            id: self.id,
            state,
            attempts: count(self.attempts),
            operation: self.operation,
            callback: self.callback,
            expression: self.expression,
            method: self.method,
            url: self.url,
            origin: self.origin,
            headers,
            body: body.into(),
            dedupe_key: self.dedupe_key,
            secret_ref: self.secret_ref,
            next_attempt_at: Timestamp::from_millis(self.next_attempt_at),
            lease_until: self.lease_until.map(Timestamp::from_millis),
            claimed_by: self.claimed_by,
            last_status: status(self.last_status),
            last_error: self.last_error,
            replays: count(self.replays),
            created_at: Timestamp::from_millis(self.created_at),
            finished_at: self.finished_at.map(Timestamp::from_millis),
        };
        Ok(MessageRow {
            message,
            schedule_base: count(self.schedule_base),
        })
    }
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

/// A claimed message as SQLite's claim returns it: its fields (but the body) as one JSON object
/// with its attempt's kind (`kind`), and its body. One value per row instead of two dozen: each
/// value of a row is copied out of SQLite, handed over and read on its own (callgrind: about
/// 40k instructions per claimed message for 25 columns). The kind is `None` when the claim
/// opened no attempt row for it.
#[cfg(feature = "sqlite")]
pub(crate) fn claimed_json(
    text: &str,
    body: Vec<u8>,
) -> Result<(MessageRow, Option<String>), OutboxError> {
    let mut fields: MessageFields = serde_json::from_str(text)
        .map_err(|e| OutboxError::Corrupt(format!("a claimed message cannot be read: {e}")))?;
    let kind = fields.attempt_kind.take();
    Ok((fields.into_row(body)?, kind))
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
