//! The SQLite store: one file, WAL, every write transaction `BEGIN IMMEDIATE` (it takes the
//! write lock at once, so two writers never deadlock upgrading a read lock), and one writer at
//! a time inside this process (SQLite has one write lock anyway; waiting on an async mutex
//! costs nothing, waiting on SQLite's busy handler costs its sleeps).

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{ConnectOptions as _, Connection as _, SqliteConnection, SqlitePool};
use tokio::sync::Mutex;

use super::rows;
use super::{
    AttemptRecord, Candidate, Change, ChangeOutcome, ClaimRequest, Claimed, ConnectOptions, Counts,
    Due, Enqueued, ListFilter, Recorded, Settle, Settled,
};
use crate::error::OutboxError;
use crate::message::{AttemptOutcome, MessageDetail, NewMessage, State};
use crate::time::Timestamp;

/// The database clock, in milliseconds since the epoch.
macro_rules! now {
    () => {
        "CAST(unixepoch('subsec') * 1000 AS INTEGER)"
    };
}

pub(super) struct Store {
    pool: SqlitePool,
    write: Mutex<()>,
}

const BEGIN: &str = "BEGIN IMMEDIATE";

fn db(operation: &'static str) -> impl FnOnce(sqlx::Error) -> OutboxError {
    OutboxError::database(operation)
}

impl Store {
    pub(super) async fn connect(url: &str, options: &ConnectOptions) -> Result<Self, OutboxError> {
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(|e| OutboxError::Url {
                url: url.to_owned(),
                reason: e.to_string(),
            })?
            .create_if_missing(true)
            .synchronous(if options.sqlite_full_sync {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .busy_timeout(options.sqlite_busy_timeout)
            .foreign_keys(true);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            use_wal(&connect).await?;
        }
        let mut pool = SqlitePoolOptions::new().acquire_timeout(options.acquire_timeout);
        pool = if in_memory {
            // Each connection to `:memory:` is a database of its own: keep exactly one.
            pool.max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            pool.max_connections(options.max_connections.clamp(1, 4))
        };
        let pool = pool
            .connect_with(connect)
            .await
            .map_err(db("opening the database"))?;
        Ok(Self::from_pool(pool))
    }

    pub(super) fn from_pool(pool: SqlitePool) -> Self {
        Self {
            pool,
            write: Mutex::new(()),
        }
    }

    pub(super) async fn migrate(&self) -> Result<(), OutboxError> {
        let _write = self.write.lock().await;
        super::migrations::sqlite()
            .run(&self.pool)
            .await
            .map_err(|e| OutboxError::Migrate(Box::new(e)))
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
    }

    pub(super) async fn enqueue(
        &self,
        messages: &[NewMessage],
    ) -> Result<Vec<Enqueued>, OutboxError> {
        let _write = self.write.lock().await;
        let mut tx = self
            .pool
            .begin_with(BEGIN)
            .await
            .map_err(db("enqueueing"))?;
        let stored = enqueue_on(&mut tx, messages).await?;
        tx.commit().await.map_err(db("enqueueing"))?;
        Ok(stored)
    }

    /// One transaction of a worker: claims given back, results recorded, more claimed.
    pub(super) async fn settle(&self, work: &Settle<'_>) -> Result<Settled, OutboxError> {
        let _write = self.write.lock().await;
        let op = work.operation();
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(db(op))?;
        // The clock, and whether any lease has run out (then the claim takes those back).
        let (now, expired): (i64, bool) = sqlx::query_as(concat!(
            "SELECT now, EXISTS (SELECT 1 FROM callback_message WHERE state = 'in-flight' \
             AND lease_until <= now) FROM (SELECT ",
            now!(),
            " AS now)"
        ))
        .fetch_one(&mut *tx)
        .await
        .map_err(db(op))?;
        let released = release_on(&mut tx, work.releases).await.map_err(db(op))?;
        let recorded = record_on(&mut tx, work.records, now)
            .await
            .map_err(db(op))?;
        let claimed = match work.claim {
            Some(request) if request.limit > 0 => claim_on(&mut tx, request, now, expired).await?,
            _ => Vec::new(),
        };
        tx.commit().await.map_err(db(op))?;
        Ok(Settled {
            released,
            recorded,
            claimed,
        })
    }

    pub(super) async fn list(
        &self,
        filter: &ListFilter,
    ) -> Result<Vec<crate::Message>, OutboxError> {
        let rows: Vec<SqliteRow> = sqlx::query(concat!(
            "SELECT ",
            message_columns!(),
            " FROM callback_message WHERE (?1 IS NULL OR state = ?1) \
             AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3"
        ))
        .bind(filter.state.map(State::as_str))
        .bind(&filter.after)
        .bind(filter.limit())
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing messages"))?;
        rows.iter()
            .map(|row| rows::message(row).map(|r| r.message))
            .collect()
    }

    pub(super) async fn get(&self, id: &str) -> Result<Option<MessageDetail>, OutboxError> {
        let op = "reading a message";
        let mut conn = self.pool.acquire().await.map_err(db(op))?;
        let mut tx = conn.begin().await.map_err(db(op))?;
        let row: Option<SqliteRow> = sqlx::query(concat!(
            "SELECT ",
            message_columns!(),
            " FROM callback_message WHERE id = ?1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db(op))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let message = rows::message(&row)?.message;
        let attempts: Vec<SqliteRow> = sqlx::query(concat!(
            "SELECT ",
            attempt_columns!(),
            " FROM callback_attempt WHERE message_id = ?1 ORDER BY number"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db(op))?;
        tx.commit().await.map_err(db(op))?;
        Ok(Some(MessageDetail {
            message,
            attempt_log: attempts
                .iter()
                .map(rows::attempt)
                .collect::<Result<_, _>>()?,
        }))
    }

    pub(super) async fn replay(&self, ids: &[&str]) -> Result<Vec<Change>, OutboxError> {
        let _write = self.write.lock().await;
        let op = "replaying messages";
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(db(op))?;
        let mut changes = Vec::with_capacity(ids.len());
        for id in ids {
            let outcome = match current_state(&mut tx, id).await.map_err(db(op))? {
                None => ChangeOutcome::NotFound,
                Some(from) if from.is_finished() => {
                    sqlx::query(concat!(
                        "UPDATE callback_message SET state = 'pending', next_attempt_at = ",
                        now!(),
                        ", schedule_base = attempts, replays = replays + 1, finished_at = NULL \
                         WHERE id = ?1"
                    ))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db(op))?;
                    ChangeOutcome::Changed {
                        from,
                        state: State::Pending,
                    }
                }
                Some(state) => ChangeOutcome::Unchanged { state },
            };
            changes.push(Change {
                id: (*id).to_owned(),
                outcome,
            });
        }
        tx.commit().await.map_err(db(op))?;
        Ok(changes)
    }

    pub(super) async fn replay_dead(&self) -> Result<Vec<String>, OutboxError> {
        let _write = self.write.lock().await;
        let op = "replaying dead messages";
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(db(op))?;
        let ids: Vec<String> = sqlx::query_scalar(concat!(
            "UPDATE callback_message SET state = 'pending', next_attempt_at = ",
            now!(),
            ", schedule_base = attempts, replays = replays + 1, finished_at = NULL \
             WHERE state = 'dead' RETURNING id"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db(op))?;
        tx.commit().await.map_err(db(op))?;
        let mut ids = ids;
        ids.sort();
        Ok(ids)
    }

    pub(super) async fn cancel(&self, ids: &[&str]) -> Result<Vec<Change>, OutboxError> {
        let _write = self.write.lock().await;
        let op = "cancelling messages";
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(db(op))?;
        let mut changes = Vec::with_capacity(ids.len());
        for id in ids {
            let outcome = match current_state(&mut tx, id).await.map_err(db(op))? {
                None => ChangeOutcome::NotFound,
                Some(from @ (State::Pending | State::InFlight)) => {
                    sqlx::query(concat!(
                        "UPDATE callback_message SET state = 'cancelled', claim_token = NULL, \
                         lease_until = NULL, claimed_by = NULL, finished_at = ",
                        now!(),
                        " WHERE id = ?1"
                    ))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db(op))?;
                    sqlx::query(concat!(
                        "UPDATE callback_attempt SET outcome = 'interrupted', ended_at = ",
                        now!(),
                        ", error = 'cancelled by an operator during the attempt' \
                         WHERE message_id = ?1 AND outcome = 'in-progress'"
                    ))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db(op))?;
                    ChangeOutcome::Changed {
                        from,
                        state: State::Cancelled,
                    }
                }
                Some(state) => ChangeOutcome::Unchanged { state },
            };
            changes.push(Change {
                id: (*id).to_owned(),
                outcome,
            });
        }
        tx.commit().await.map_err(db(op))?;
        Ok(changes)
    }

    pub(super) async fn purge(&self, older_than_ms: i64) -> Result<u64, OutboxError> {
        let _write = self.write.lock().await;
        let op = "purging finished messages";
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(db(op))?;
        sqlx::query(concat!(
            "DELETE FROM callback_attempt WHERE message_id IN (SELECT id FROM callback_message \
             WHERE finished_at IS NOT NULL AND finished_at < ",
            now!(),
            " - ?1 AND state IN ('delivered', 'dead', 'cancelled'))"
        ))
        .bind(older_than_ms)
        .execute(&mut *tx)
        .await
        .map_err(db(op))?;
        let purged = sqlx::query(concat!(
            "DELETE FROM callback_message WHERE finished_at IS NOT NULL AND finished_at < ",
            now!(),
            " - ?1 AND state IN ('delivered', 'dead', 'cancelled')"
        ))
        .bind(older_than_ms)
        .execute(&mut *tx)
        .await
        .map_err(db(op))?
        .rows_affected();
        tx.commit().await.map_err(db(op))?;
        Ok(purged)
    }

    pub(super) async fn counts(&self) -> Result<Counts, OutboxError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM callback_message GROUP BY state")
                .fetch_all(&self.pool)
                .await
                .map_err(db("counting messages"))?;
        let mut counts = Counts::default();
        for (state, n) in rows {
            let state: State = state
                .parse()
                .map_err(|e: crate::message::UnknownState| OutboxError::Corrupt(e.to_string()))?;
            counts.add(state, u64::try_from(n).unwrap_or(0));
        }
        Ok(counts)
    }

    pub(super) async fn due(&self) -> Result<Due, OutboxError> {
        let (now, pending, lease): (i64, Option<i64>, Option<i64>) = sqlx::query_as(concat!(
            "SELECT ",
            now!(),
            ", (SELECT MIN(next_attempt_at) FROM callback_message WHERE state = 'pending'), \
             (SELECT MIN(lease_until) FROM callback_message WHERE state = 'in-flight')"
        ))
        .fetch_one(&self.pool)
        .await
        .map_err(db("looking for due messages"))?;
        Ok(Due::from_times(now, pending, lease))
    }
}

/// Puts the database in WAL mode (readers never block the writer, and a commit is one append).
/// The mode is kept in the file, so it is set once, by one connection: setting it on every
/// connection takes an exclusive lock that SQLite's busy timeout does not wait for.
async fn use_wal(connect: &SqliteConnectOptions) -> Result<(), OutboxError> {
    let op = "putting the database in WAL mode";
    let mut conn = connect.connect().await.map_err(db(op))?;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .map_err(db(op))?;
    if !mode.eq_ignore_ascii_case("wal") {
        let mut tries = 0;
        loop {
            match sqlx::query_scalar::<_, String>("PRAGMA journal_mode = WAL")
                .fetch_one(&mut conn)
                .await
            {
                Ok(_) => break,
                Err(err) if tries < 50 => {
                    tries += 1;
                    tracing::debug!(error = %err, "WAL mode: the database is busy, trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(err) => return Err(db(op)(err)),
            }
        }
    }
    conn.close().await.map_err(db(op))?;
    Ok(())
}

async fn current_state(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<State>, sqlx::Error> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM callback_message WHERE id = ?1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(state.and_then(|s| s.parse().ok()))
}

fn outcome_of(state: State) -> AttemptOutcome {
    match state {
        State::Delivered => AttemptOutcome::Delivered,
        State::Pending => AttemptOutcome::Retry,
        _ => AttemptOutcome::Dead,
    }
}

/// Inserts messages through any SQLite connection (the caller's transaction, or ours).
pub(super) async fn enqueue_on(
    conn: &mut SqliteConnection,
    messages: &[NewMessage],
) -> Result<Vec<Enqueued>, OutboxError> {
    let op = "enqueueing";
    let mut stored = Vec::with_capacity(messages.len());
    for message in messages {
        let inserted: Option<String> = sqlx::query_scalar(concat!(
            "INSERT INTO callback_message (id, state, operation, callback, expression, method, \
             url, origin, headers, body, dedupe_key, secret_ref, next_attempt_at, created_at) \
             VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ",
            now!(),
            " + ?12, ",
            now!(),
            ") ON CONFLICT DO NOTHING RETURNING id"
        ))
        .bind(&message.id)
        .bind(&message.operation)
        .bind(&message.callback)
        .bind(&message.expression)
        .bind(message.method.as_str())
        .bind(&message.url)
        .bind(&message.origin)
        .bind(rows::headers_json(&message.headers))
        .bind(message.body.as_ref())
        .bind(&message.dedupe_key)
        .bind(&message.secret_ref)
        .bind(message.delay_ms)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db(op))?;
        if let Some(id) = inserted {
            stored.push(Enqueued {
                id,
                state: State::Pending,
                duplicate: false,
            });
            continue;
        }
        let earlier: Option<(String, String)> = sqlx::query_as(
            "SELECT id, state FROM callback_message WHERE dedupe_key = ?1 AND callback = ?2 \
             AND expression = ?3 AND method = ?4",
        )
        .bind(&message.dedupe_key)
        .bind(&message.callback)
        .bind(&message.expression)
        .bind(message.method.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db(op))?;
        let (id, state) = earlier.ok_or_else(|| {
            OutboxError::Corrupt(format!(
                "message {} conflicts with a stored one",
                message.id
            ))
        })?;
        stored.push(Enqueued {
            id,
            state: state
                .parse()
                .map_err(|e: crate::message::UnknownState| OutboxError::Corrupt(e.to_string()))?,
            duplicate: true,
        });
    }
    Ok(stored)
}

/// Claims due messages (see [`Outbox::claim`](super::Outbox::claim)) inside a write
/// transaction begun at `now`. `expired`: some lease has run out (its claim is taken back).
async fn claim_on(
    tx: &mut SqliteConnection,
    request: &ClaimRequest,
    now: i64,
    expired: bool,
) -> Result<Vec<Claimed>, OutboxError> {
    let op = "claiming messages";
    if expired {
        // Attempts whose lease ran out without a result: their worker died or stalled.
        sqlx::query(
            "UPDATE callback_attempt SET outcome = 'interrupted', ended_at = ?1, \
             error = 'the lease expired before a result was recorded' \
             WHERE outcome = 'in-progress' AND lease_until <= ?1",
        )
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db(op))?;
        // An expired claim on the last attempt of a round: dead, not tried forever.
        sqlx::query(
            "UPDATE callback_message SET state = 'dead', claim_token = NULL, lease_until = NULL, \
             claimed_by = NULL, finished_at = ?1, \
             last_error = 'the lease of its last attempt expired before a result was recorded' \
             WHERE state = 'in-flight' AND lease_until <= ?1 AND attempts - schedule_base >= ?2",
        )
        .bind(now)
        .bind(i64::from(request.max_attempts))
        .execute(&mut *tx)
        .await
        .map_err(db(op))?;
    }
    let saturated = serde_json::to_string(&request.saturated()).unwrap_or_else(|_| "[]".into());
    let wanted = if request.per_origin.is_some() {
        request.limit.saturating_mul(4)
    } else {
        request.limit
    };
    // Due pending messages in the order of their index (a claim reads the rows it takes, not
    // every due one), and expired claims beside them.
    let candidates: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, origin, state FROM ( \
             SELECT * FROM (SELECT id, origin, state, next_attempt_at FROM callback_message \
                 WHERE state = 'pending' AND next_attempt_at <= ?1 \
                   AND origin NOT IN (SELECT value FROM json_each(?2)) \
                 ORDER BY next_attempt_at, id LIMIT ?3) \
             UNION ALL \
             SELECT * FROM (SELECT id, origin, state, next_attempt_at FROM callback_message \
                 WHERE state = 'in-flight' AND lease_until <= ?1 \
                   AND origin NOT IN (SELECT value FROM json_each(?2)) \
                 ORDER BY next_attempt_at, id LIMIT ?3)) \
         ORDER BY next_attempt_at, id LIMIT ?3",
    )
    .bind(now)
    .bind(saturated)
    .bind(i64::try_from(wanted).unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await
    .map_err(db(op))?;
    let chosen = request.choose(
        candidates
            .into_iter()
            .map(|(id, origin, state)| Candidate {
                id,
                origin,
                reclaimed: state == State::InFlight.as_str(),
            })
            .collect(),
    );
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let token = ulid::Ulid::generate().to_string();
    let lease_until = now.saturating_add(crate::time::millis(request.lease));
    let ids: Vec<&str> = chosen.iter().map(|c| c.id.as_str()).collect();
    let rows: Vec<SqliteRow> = sqlx::query(concat!(
        "UPDATE callback_message SET state = 'in-flight', attempts = attempts + 1, \
         claim_token = ?1, claimed_by = ?2, lease_until = ?3 \
         WHERE id IN (SELECT value FROM json_each(?4)) RETURNING ",
        message_columns!()
    ))
    .bind(&token)
    .bind(&request.worker)
    .bind(lease_until)
    .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
    .fetch_all(&mut *tx)
    .await
    .map_err(db(op))?;
    let mut claimed = Vec::with_capacity(rows.len());
    let mut attempts = Vec::with_capacity(rows.len());
    for row in &rows {
        let row = rows::message(row)?;
        let reclaimed = chosen.iter().any(|c| c.id == row.message.id && c.reclaimed);
        let number = row.message.attempts;
        let kind = rows::claim_kind(reclaimed, number, row.schedule_base, row.message.replays);
        attempts.push(serde_json::json!([row.message.id, number, kind.as_str()]));
        claimed.push(Claimed {
            round_attempt: number.saturating_sub(row.schedule_base),
            message: row.message,
            token: token.clone(),
            number,
            kind,
            lease_until: Timestamp::from_millis(lease_until),
        });
    }
    // One statement for the batch's attempt rows (each statement is a round trip to SQLite's
    // thread).
    sqlx::query(
        "INSERT INTO callback_attempt (message_id, number, kind, claim_token, claimed_by, \
         started_at, lease_until, outcome) \
         SELECT value ->> 0, value ->> 1, value ->> 2, ?1, ?2, ?3, ?4, 'in-progress' \
         FROM json_each(?5)",
    )
    .bind(&token)
    .bind(&request.worker)
    .bind(now)
    .bind(lease_until)
    .bind(serde_json::Value::Array(attempts).to_string())
    .execute(&mut *tx)
    .await
    .map_err(db(op))?;
    // Oldest due first, as they were chosen.
    claimed.sort_by_key(|c| ids.iter().position(|id| *id == c.message.id));
    Ok(claimed)
}

/// Records results (see [`Outbox::record`](super::Outbox::record)) inside a write transaction
/// begun at `now`.
async fn record_on(
    tx: &mut SqliteConnection,
    records: &[AttemptRecord],
    now: i64,
) -> Result<Vec<Recorded>, sqlx::Error> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let nexts: Vec<Option<i64>> = records
        .iter()
        .map(|r| (r.new_state() == State::Pending).then(|| now.saturating_add(r.wait_ms())))
        .collect();
    let messages: Vec<serde_json::Value> = records
        .iter()
        .zip(&nexts)
        .map(|(r, next)| {
            serde_json::json!({
                "id": r.id, "token": r.token, "state": r.new_state().as_str(),
                "next": next, "status": r.status, "error": r.error,
            })
        })
        .collect();
    let messages = serde_json::Value::Array(messages).to_string();
    // The claims still current (inside this write transaction, nothing else changes them): by
    // (id, token), exact even when one batch holds a stale and a current claim of one message.
    let current: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, claim_token FROM callback_message \
         WHERE state = 'in-flight' AND id IN (SELECT value ->> 'id' FROM json_each(?1))",
    )
    .bind(&messages)
    .fetch_all(&mut *tx)
    .await?;
    // One statement for the batch; only rows whose claim is still current change.
    sqlx::query(
        "UPDATE callback_message SET state = r.state, \
         next_attempt_at = COALESCE(r.next, callback_message.next_attempt_at), \
         lease_until = NULL, claim_token = NULL, claimed_by = NULL, \
         last_status = r.status, last_error = r.error, \
         finished_at = CASE WHEN r.state = 'pending' THEN NULL ELSE ?1 END \
         FROM (SELECT value ->> 'id' AS id, value ->> 'token' AS token, \
                      value ->> 'state' AS state, value ->> 'next' AS next, \
                      value ->> 'status' AS status, value ->> 'error' AS error \
               FROM json_each(?2)) AS r \
         WHERE callback_message.id = r.id AND callback_message.claim_token = r.token \
           AND callback_message.state = 'in-flight'",
    )
    .bind(now)
    .bind(&messages)
    .execute(&mut *tx)
    .await?;
    let mut results = Vec::with_capacity(records.len());
    let mut attempts = Vec::with_capacity(records.len());
    for (record, next) in records.iter().zip(&nexts) {
        let state = record.new_state();
        let applied = current
            .iter()
            .any(|(id, token)| *id == record.id && *token == record.token);
        let outcome = if applied {
            outcome_of(state)
        } else {
            AttemptOutcome::Superseded
        };
        attempts.push(serde_json::json!({
            "id": record.id, "number": record.number, "token": record.token,
            "outcome": outcome.as_str(), "status": record.status,
            "kind": record.failure.map(|f| f.as_str()), "error": record.error,
            "address": record.address, "response": record.response,
            "next": if applied { *next } else { None },
        }));
        results.push(if applied {
            Recorded::Applied {
                state,
                next_attempt_at: next.map(Timestamp::from_millis),
            }
        } else {
            Recorded::Superseded
        });
    }
    sqlx::query(
        "UPDATE callback_attempt SET ended_at = ?1, outcome = r.outcome, status = r.status, \
         error_kind = r.kind, error = r.error, address = r.address, response = r.response, \
         next_attempt_at = r.next \
         FROM (SELECT value ->> 'id' AS id, value ->> 'number' AS number, \
                      value ->> 'token' AS token, value ->> 'outcome' AS outcome, \
                      value ->> 'status' AS status, value ->> 'kind' AS kind, \
                      value ->> 'error' AS error, value ->> 'address' AS address, \
                      value ->> 'response' AS response, value ->> 'next' AS next \
               FROM json_each(?2)) AS r \
         WHERE callback_attempt.message_id = r.id AND callback_attempt.number = r.number \
           AND callback_attempt.claim_token = r.token",
    )
    .bind(now)
    .bind(serde_json::Value::Array(attempts).to_string())
    .execute(&mut *tx)
    .await?;
    Ok(results)
}

/// Gives claims back unattempted (see [`Outbox::release`](super::Outbox::release)) inside a
/// write transaction: each message whose claim is still current is `pending` again, due as it
/// was, its attempt uncounted and its attempt row removed.
async fn release_on(
    tx: &mut SqliteConnection,
    claims: &[Claimed],
) -> Result<Vec<bool>, sqlx::Error> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let given: Vec<serde_json::Value> = claims
        .iter()
        .map(|c| serde_json::json!([c.message.id, c.token, c.number]))
        .collect();
    let given = serde_json::Value::Array(given).to_string();
    let released: Vec<String> = sqlx::query_scalar(
        "UPDATE callback_message SET state = 'pending', attempts = attempts - 1, \
         claim_token = NULL, lease_until = NULL, claimed_by = NULL \
         FROM (SELECT value ->> 0 AS id, value ->> 1 AS token, value ->> 2 AS number \
               FROM json_each(?1)) AS r \
         WHERE callback_message.id = r.id AND callback_message.claim_token = r.token \
           AND callback_message.attempts = r.number AND callback_message.state = 'in-flight' \
         RETURNING id",
    )
    .bind(&given)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM callback_attempt WHERE outcome = 'in-progress' \
         AND (message_id, number, claim_token) IN \
             (SELECT value ->> 0, value ->> 2, value ->> 1 FROM json_each(?1))",
    )
    .bind(
        serde_json::Value::Array(
            claims
                .iter()
                .filter(|c| released.contains(&c.message.id))
                .map(|c| serde_json::json!([c.message.id, c.token, c.number]))
                .collect(),
        )
        .to_string(),
    )
    .execute(&mut *tx)
    .await?;
    Ok(claims
        .iter()
        .map(|c| released.contains(&c.message.id))
        .collect())
}
