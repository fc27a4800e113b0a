//! A worker's transaction on SQLite as one batch of statements: claims given back, results
//! recorded, the next messages claimed. The batch is a single query (SQLite runs a query's
//! statements in turn, each binding the numbered parameters it names), so the whole
//! transaction is four round trips to SQLite's thread (`BEGIN IMMEDIATE`, the clock, the batch,
//! `COMMIT`) however much it does: on a busy machine each round trip, a hand-off between two
//! threads, costs more than the statements themselves.
//!
//! Every value of the batch is in one parameter, a JSONB document: the clock's round trip turns
//! the JSON text into JSONB once (and adds the clock to it), so the batch's `jsonb_each` and
//! `->>` read it without parsing. Bound as text, every `json_each` parsed the whole document
//! again, the correlated ones once per candidate row: that parsing was most of a transaction's
//! work (callgrind: 60 % of the benchmark's instructions).
//!
//! Every write checks what the separate statements checked: a claim is given back, and a
//! result changes its message, only while the claim's token is current and the message
//! `in-flight`; otherwise the attempt is `superseded`. Claims take due messages oldest first,
//! within the limit and the room per origin (the first `room` due messages of each origin, as
//! [`ClaimRequest::choose`](super::ClaimRequest) picks them), and take expired claims back.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqliteConnection};

use super::super::rows;
use super::super::{AttemptRecord, ClaimRequest, Claimed, Recorded, Settle, Settled};
use super::db;
use crate::error::OutboxError;
use crate::message::{AttemptKind, State};
use crate::time::Timestamp;

/// Claims given back: their attempt rows removed (while the claim is current), then their
/// messages `pending` again, uncounted.
const RELEASE: &str = "\
DELETE FROM callback_attempt WHERE outcome IN ('in-progress', 'interrupted') \
  AND (message_id, number, claim_token) IN \
      (SELECT value ->> 0, value ->> 2, value ->> 1 FROM jsonb_each(?1, '$.releases')) \
  AND EXISTS (SELECT 1 FROM callback_message AS m WHERE m.id = callback_attempt.message_id \
      AND m.claim_token = callback_attempt.claim_token AND m.attempts = callback_attempt.number \
      AND m.state = 'in-flight'); \
UPDATE callback_message INDEXED BY sqlite_autoindex_callback_message_1 \
    SET state = 'pending', attempts = attempts - 1, claim_token = NULL, \
    lease_until = NULL, claimed_by = NULL \
  FROM (SELECT value ->> 0 AS id, value ->> 1 AS token, value ->> 2 AS number \
        FROM jsonb_each(?1, '$.releases')) AS r \
  WHERE callback_message.id = r.id AND callback_message.claim_token = r.token \
    AND callback_message.attempts = r.number AND callback_message.state = 'in-flight' \
  RETURNING id, 'released' AS part;";

/// Results: each attempt row first (its outcome `superseded` unless its claim is still
/// current), then the messages whose claim is current; then one row that names (by their
/// place in the batch) the results that were not applied: their attempt row is `superseded`,
/// or there is none. One row for the whole batch, not one per result: each row returned is
/// copied out of SQLite and handed to the async side, value by value. A result's fields are
/// read by place (`value ->> 3`: see `Record`).
const RECORD: &str = "\
UPDATE callback_attempt SET ended_at = (?1 ->> '$.now'), \
    outcome = CASE WHEN r.current THEN r.outcome ELSE 'superseded' END, \
    status = r.status, error_kind = r.kind, error = r.error, address = r.address, \
    response = r.response, next_attempt_at = CASE WHEN r.current THEN r.next END \
  FROM (SELECT value ->> 0 AS id, value ->> 2 AS number, value ->> 1 AS token, \
               value ->> 4 AS outcome, value ->> 6 AS status, \
               value ->> 7 AS kind, value ->> 8 AS error, \
               value ->> 9 AS address, value ->> 10 AS response, \
               (?1 ->> '$.now') + (value ->> 5) AS next, \
               EXISTS (SELECT 1 FROM callback_message AS m WHERE m.id = value ->> 0 \
                   AND m.claim_token = value ->> 1 AND m.state = 'in-flight') AS current \
        FROM jsonb_each(?1, '$.records')) AS r \
  WHERE callback_attempt.message_id = r.id AND callback_attempt.number = r.number \
    AND callback_attempt.claim_token = r.token; \
UPDATE callback_message INDEXED BY sqlite_autoindex_callback_message_1 SET state = r.state, \
    next_attempt_at = COALESCE(r.next, callback_message.next_attempt_at), \
    lease_until = NULL, claim_token = NULL, claimed_by = NULL, \
    last_status = r.status, last_error = r.error, \
    finished_at = CASE WHEN r.state = 'pending' THEN NULL ELSE (?1 ->> '$.now') END \
  FROM (SELECT value ->> 0 AS id, value ->> 1 AS token, value ->> 3 AS state, \
               (?1 ->> '$.now') + (value ->> 5) AS next, value ->> 6 AS status, \
               value ->> 8 AS error \
        FROM jsonb_each(?1, '$.records')) AS r \
  WHERE callback_message.id = r.id AND callback_message.claim_token = r.token \
    AND callback_message.state = 'in-flight'; \
SELECT (SELECT json_group_array(r.key) FROM jsonb_each(?1, '$.records') AS r \
    WHERE NOT EXISTS (SELECT 1 FROM callback_attempt AS a \
        WHERE a.message_id = r.value ->> 0 AND a.number = r.value ->> 2 \
          AND a.claim_token = r.value ->> 1 AND a.outcome <> 'superseded')), \
  'recorded' AS part;";

/// Leases that ran out: their open attempts interrupted, and a claim on the last attempt of a
/// round makes its message dead (a message that kills its worker is not tried forever).
const TAKE_BACK: &str = "\
UPDATE callback_attempt SET outcome = 'interrupted', ended_at = (?1 ->> '$.now'), \
    error = 'the lease expired before a result was recorded' \
  WHERE outcome = 'in-progress' AND lease_until <= (?1 ->> '$.now'); \
UPDATE callback_message INDEXED BY callback_message_lease \
    SET state = 'dead', claim_token = NULL, lease_until = NULL, \
    claimed_by = NULL, finished_at = (?1 ->> '$.now'), \
    last_error = 'the lease of its last attempt expired before a result was recorded' \
  WHERE state = 'in-flight' AND lease_until <= (?1 ->> '$.now') AND attempts - schedule_base >= (?1 ->> '$.max_attempts');";

/// The claim: the chosen messages' attempt rows (the kind from the message as it was), then
/// the messages themselves, found again through their new attempt rows, each as one JSON
/// object (with its attempt's kind) and its body (`rows::claimed_json`). Candidates: the due
/// pending messages in the order of their index and the expired claims, oldest due first, the
/// first `wanted`; of those, each origin's first ones while it has room (`busy`: what is in
/// flight by origin, `cap`: the room per origin), the first `limit`.
const CLAIM: &str = "INSERT INTO callback_attempt (message_id, number, kind, claim_token, claimed_by, \
                 started_at, lease_until, outcome) \
             SELECT id, attempts + 1, \
                 CASE WHEN state = 'in-flight' THEN 'reclaimed' \
                      WHEN replays > 0 AND attempts = schedule_base THEN 'manual' \
                      ELSE 'scheduled' END, \
                 (?1 ->> '$.token'), (?1 ->> '$.worker'), (?1 ->> '$.now'), (?1 ->> '$.lease_until'), 'in-progress' \
             FROM (SELECT * FROM ( \
                     SELECT c.*, row_number() OVER \
                         (PARTITION BY origin ORDER BY next_attempt_at, id) AS nth \
                     FROM (SELECT * FROM ( \
                             SELECT * FROM (SELECT id, origin, state, next_attempt_at, \
                                     attempts, schedule_base, replays FROM callback_message \
                                     INDEXED BY callback_message_due_order \
                                 WHERE state = 'pending' AND next_attempt_at <= (?1 ->> '$.now') \
                                   AND origin NOT IN \
                                       (SELECT key FROM jsonb_each(?1, '$.busy') WHERE value >= (?1 ->> '$.cap')) \
                                 ORDER BY next_attempt_at, id LIMIT (?1 ->> '$.wanted')) \
                             UNION ALL \
                             SELECT * FROM (SELECT id, origin, state, next_attempt_at, \
                                     attempts, schedule_base, replays FROM callback_message \
                                     INDEXED BY callback_message_lease \
                                 WHERE state = 'in-flight' AND lease_until <= (?1 ->> '$.now') \
                                   AND origin NOT IN \
                                       (SELECT key FROM jsonb_each(?1, '$.busy') WHERE value >= (?1 ->> '$.cap')) \
                                 ORDER BY next_attempt_at, id LIMIT (?1 ->> '$.wanted'))) \
                         ORDER BY next_attempt_at, id LIMIT (?1 ->> '$.wanted')) AS c) \
                 WHERE (?1 ->> '$.cap') IS NULL \
                    OR nth + COALESCE((SELECT value FROM jsonb_each(?1, '$.busy') WHERE key = origin), 0) \
                       <= (?1 ->> '$.cap') \
                 ORDER BY next_attempt_at, id LIMIT (?1 ->> '$.limit')); \
             UPDATE callback_message SET state = 'in-flight', attempts = attempts + 1, \
                 claim_token = (?1 ->> '$.token'), claimed_by = (?1 ->> '$.worker'), lease_until = (?1 ->> '$.lease_until') \
               WHERE id IN (SELECT message_id FROM callback_attempt \
                   WHERE outcome = 'in-progress' AND lease_until = (?1 ->> '$.lease_until') AND claim_token = (?1 ->> '$.token')) \
               RETURNING json_object('id', id, 'state', state, 'attempts', attempts, \
                   'operation', operation, 'callback', callback, 'expression', expression, \
                   'method', method, 'url', url, 'origin', origin, 'headers', headers, \
                   'dedupe_key', dedupe_key, 'secret_ref', secret_ref, \
                   'next_attempt_at', next_attempt_at, 'lease_until', lease_until, \
                   'claimed_by', claimed_by, 'last_status', last_status, \
                   'last_error', last_error, 'replays', replays, 'created_at', created_at, \
                   'finished_at', finished_at, 'schedule_base', schedule_base, \
                   'kind', (SELECT kind FROM callback_attempt AS a \
                       WHERE a.message_id = callback_message.id \
                         AND a.number = callback_message.attempts)), \
                 body, 'claimed' AS part;";

/// The clock, whether any lease has run out (then the claim takes those back), and the batch's
/// values as JSONB with the clock (`now`) and the new claims' lease (`lease_until`) added.
const CLOCK: &str = concat!(
    "SELECT now, EXISTS (SELECT 1 FROM callback_message WHERE state = 'in-flight' \
     AND lease_until <= now), \
     jsonb_set(jsonb(?1), '$.now', now, '$.lease_until', now + (?1 ->> '$.lease_ms')) \
     FROM (SELECT ",
    now!(),
    " AS now)"
);

/// Runs a worker's transaction's statements inside `tx` (a write transaction).
pub(super) async fn settle_on(
    tx: &mut SqliteConnection,
    work: &Settle<'_>,
) -> Result<Settled, OutboxError> {
    let op = work.operation();
    let claim = work.claim.filter(|request| request.limit > 0);
    let token = ulid::Ulid::generate().to_string();
    // Every value in one JSON parameter: SQLite numbers the parameters of a query across its
    // statements, and sqlx binds a statement's unnamed gaps from a shared count, so several
    // statements naming different numbers would be bound wrongly.
    let values = Values {
        releases: Releases(work.releases),
        records: Records(work.records),
        token: &token,
        worker: claim.map(|request| request.worker.as_str()),
        lease_ms: claim.map(|request| crate::time::millis(request.lease)),
        max_attempts: claim.map(|request| request.max_attempts),
        busy: claim.map(|request| &request.in_flight),
        cap: claim.and_then(|request| request.per_origin),
        wanted: claim.map(ClaimRequest::candidates),
        limit: claim.map(|request| request.limit),
    };
    let values = serde_json::to_string(&values)
        .map_err(|e| OutboxError::Corrupt(format!("the batch's values: {e}")))?;
    let (now, expired, values): (i64, bool, Vec<u8>) = sqlx::query_as(CLOCK)
        .bind(values)
        .fetch_one(&mut *tx)
        .await
        .map_err(db(op))?;
    let mut sql = String::new();
    if !work.releases.is_empty() {
        sql.push_str(RELEASE);
    }
    if !work.records.is_empty() {
        sql.push_str(RECORD);
    }
    if claim.is_some() {
        if expired {
            sql.push_str(TAKE_BACK);
        }
        sql.push_str(CLAIM);
    }
    if sql.is_empty() {
        return Ok(Settled::default());
    }
    let nexts: Vec<Option<i64>> = work
        .records
        .iter()
        .map(|r| (r.new_state() == State::Pending).then(|| now.saturating_add(r.wait_ms())))
        .collect();
    let lease_until = claim.map(|request| now.saturating_add(crate::time::millis(request.lease)));
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(values);
    let rows: Vec<SqliteRow> = query.fetch_all(&mut *tx).await.map_err(db(op))?;
    let part = |row: &SqliteRow| row.try_get::<String, _>("part").unwrap_or_default();
    let released: Vec<String> = rows
        .iter()
        .filter(|row| part(row) == "released")
        .filter_map(|row| row.try_get::<String, _>(0).ok())
        .collect();
    // The places in the batch of the results not applied (superseded).
    let mut unapplied: Option<Vec<usize>> = None;
    let mut claimed = Vec::new();
    for row in &rows {
        match part(row).as_str() {
            "recorded" => {
                let places: String = row.try_get(0).map_err(db(op))?;
                unapplied = Some(serde_json::from_str(&places).map_err(|e| {
                    OutboxError::Corrupt(format!("the results not applied ({places}): {e}"))
                })?);
            }
            "claimed" => {
                let text: String = row.try_get(0).map_err(db(op))?;
                let body: Vec<u8> = row.try_get(1).map_err(db(op))?;
                let (message, kind) = rows::claimed_json(&text, body)?;
                let kind = kind.ok_or_else(|| {
                    OutboxError::Corrupt(format!(
                        "message {} was claimed without an attempt",
                        message.message.id
                    ))
                })?;
                claimed.push((message, AttemptKind::parse(&kind)));
            }
            _ => {}
        }
    }
    let unapplied = match unapplied {
        Some(places) => places,
        None if work.records.is_empty() => Vec::new(),
        None => {
            return Err(OutboxError::Corrupt(
                "the batch did not say which results it applied".into(),
            ));
        }
    };
    // By place, so that a batch of n results is settled in O(n) however many were superseded.
    let mut superseded = vec![false; work.records.len()];
    for place in unapplied {
        if let Some(flag) = superseded.get_mut(place) {
            *flag = true;
        }
    }
    let recorded = work
        .records
        .iter()
        .zip(&nexts)
        .enumerate()
        .map(|(place, (record, next))| {
            if superseded.get(place).copied().unwrap_or(false) {
                Recorded::Superseded
            } else {
                Recorded::Applied {
                    state: record.new_state(),
                    next_attempt_at: next.map(Timestamp::from_millis),
                }
            }
        })
        .collect();
    let mut claimed: Vec<Claimed> = claimed
        .into_iter()
        .map(|(row, kind)| {
            let number = row.message.attempts;
            Claimed {
                round_attempt: number.saturating_sub(row.schedule_base),
                message: row.message,
                token: token.clone(),
                number,
                kind,
                lease_until: Timestamp::from_millis(lease_until.unwrap_or(now)),
            }
        })
        .collect();
    // Oldest due first, as they were chosen.
    claimed.sort_by(|a, b| {
        (a.message.next_attempt_at, &a.message.id).cmp(&(b.message.next_attempt_at, &b.message.id))
    });
    Ok(Settled {
        released: work
            .releases
            .iter()
            .map(|c| released.contains(&c.message.id))
            .collect(),
        recorded,
        claimed,
    })
}

/// The batch's values, the one parameter of its statements (serialized straight from the
/// work, without building a JSON tree first).
#[derive(Serialize)]
struct Values<'a> {
    releases: Releases<'a>,
    records: Records<'a>,
    token: &'a str,
    worker: Option<&'a str>,
    lease_ms: Option<i64>,
    max_attempts: Option<u32>,
    busy: Option<&'a HashMap<String, usize>>,
    cap: Option<usize>,
    wanted: Option<usize>,
    limit: Option<usize>,
}

/// Claims given back, each `[id, token, number]`.
struct Releases<'a>(&'a [Claimed]);

impl Serialize for Releases<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.0
                .iter()
                .map(|c| (c.message.id.as_str(), c.token.as_str(), c.number)),
        )
    }
}

/// Results, each an array of the fields `RECORD` reads, by place: `[id, token, number, state,
/// outcome, wait, status, kind, error, address, response]`. `RECORD` reads each result a
/// score of times; `->> 3` finds an array's element by skipping the ones before it, `->>
/// 'state'` an object's by comparing the names before it.
struct Records<'a>(&'a [AttemptRecord]);

#[derive(Serialize)]
struct Record<'a>(
    &'a str,
    &'a str,
    u32,
    &'static str,
    &'static str,
    Option<i64>,
    Option<u16>,
    Option<&'static str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

impl Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|r| {
            let state = r.new_state();
            Record(
                &r.id,
                &r.token,
                r.number,
                state.as_str(),
                super::outcome_of(state).as_str(),
                (state == State::Pending).then(|| r.wait_ms()),
                r.status,
                r.failure.map(|f| f.as_str()),
                r.error.as_deref(),
                r.address.as_deref(),
                r.response.as_deref(),
            )
        }))
    }
}
