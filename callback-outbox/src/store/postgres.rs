//! The PostgreSQL store, shared by several provider nodes: claims take rows with `FOR UPDATE
//! SKIP LOCKED` (two nodes never take the same row, and neither waits for the other), expired
//! leases are taken back by the claim itself (no leader, no sweeper), and every time is the
//! server's clock.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool};
use std::str::FromStr;

use super::rows;
use super::{
    Change, ChangeOutcome, ConnectOptions, Counts, Due, Enqueued, ListFilter, Settle, Settled,
};
use crate::error::OutboxError;
use crate::message::{AttemptOutcome, MessageDetail, NewMessage, State};

/// The database clock, in milliseconds since the epoch (`clock_timestamp()`, not the
/// transaction's start).
macro_rules! now {
    () => {
        "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
    };
}

mod settle;

pub(super) struct Store {
    pool: PgPool,
}

fn db(operation: &'static str) -> impl FnOnce(sqlx::Error) -> OutboxError {
    OutboxError::database(operation)
}

impl Store {
    pub(super) async fn connect(url: &str, options: &ConnectOptions) -> Result<Self, OutboxError> {
        let connect = PgConnectOptions::from_str(url).map_err(|e| OutboxError::Url {
            url: super::redact(url),
            reason: e.to_string(),
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .map_err(db("connecting"))?;
        Ok(Self::from_pool(pool))
    }

    pub(super) fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    pub(super) async fn migrate(&self) -> Result<(), OutboxError> {
        // sqlx takes an advisory lock: nodes starting together migrate once.
        super::migrations::postgres()
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
        let mut tx = self.pool.begin().await.map_err(db("enqueueing"))?;
        let stored = enqueue_on(&mut tx, messages).await?;
        tx.commit().await.map_err(db("enqueueing"))?;
        Ok(stored)
    }

    /// One transaction of a worker: claims given back, results recorded, more claimed.
    pub(super) async fn settle(&self, work: &Settle<'_>) -> Result<Settled, OutboxError> {
        settle::settle(&self.pool, work).await
    }

    pub(super) async fn list(
        &self,
        filter: &ListFilter,
    ) -> Result<Vec<crate::Message>, OutboxError> {
        let rows: Vec<PgRow> = sqlx::query(concat!(
            "SELECT ",
            message_columns!(),
            " FROM callback_message WHERE ($1::text IS NULL OR state = $1) \
             AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3"
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
        let mut tx = self.pool.begin().await.map_err(db(op))?;
        let row: Option<PgRow> = sqlx::query(concat!(
            "SELECT ",
            message_columns!(),
            " FROM callback_message WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db(op))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let message = rows::message(&row)?.message;
        let attempts: Vec<PgRow> = sqlx::query(concat!(
            "SELECT ",
            attempt_columns!(),
            " FROM callback_attempt WHERE message_id = $1 ORDER BY number"
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
        let op = "replaying messages";
        let mut tx = self.pool.begin().await.map_err(db(op))?;
        let mut changes = Vec::with_capacity(ids.len());
        for id in ids {
            let outcome = match current_state(&mut tx, id).await.map_err(db(op))? {
                None => ChangeOutcome::NotFound,
                Some(from) if from.is_finished() => {
                    sqlx::query(concat!(
                        "UPDATE callback_message SET state = 'pending', next_attempt_at = ",
                        now!(),
                        ", schedule_base = attempts, replays = replays + 1, finished_at = NULL \
                         WHERE id = $1"
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
        let mut ids: Vec<String> = sqlx::query_scalar(concat!(
            "UPDATE callback_message SET state = 'pending', next_attempt_at = ",
            now!(),
            ", schedule_base = attempts, replays = replays + 1, finished_at = NULL \
             WHERE state = 'dead' RETURNING id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db("replaying dead messages"))?;
        ids.sort();
        Ok(ids)
    }

    pub(super) async fn cancel(&self, ids: &[&str]) -> Result<Vec<Change>, OutboxError> {
        let op = "cancelling messages";
        let mut tx = self.pool.begin().await.map_err(db(op))?;
        let mut changes = Vec::with_capacity(ids.len());
        for id in ids {
            let outcome = match current_state(&mut tx, id).await.map_err(db(op))? {
                None => ChangeOutcome::NotFound,
                Some(from @ (State::Pending | State::InFlight)) => {
                    sqlx::query(concat!(
                        "UPDATE callback_message SET state = 'cancelled', claim_token = NULL, \
                         lease_until = NULL, claimed_by = NULL, finished_at = ",
                        now!(),
                        " WHERE id = $1"
                    ))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db(op))?;
                    sqlx::query(concat!(
                        "UPDATE callback_attempt SET outcome = 'interrupted', ended_at = ",
                        now!(),
                        ", error = 'cancelled by an operator during the attempt' \
                         WHERE message_id = $1 AND outcome = 'in-progress'"
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
        let op = "purging finished messages";
        let mut tx = self.pool.begin().await.map_err(db(op))?;
        sqlx::query(concat!(
            "DELETE FROM callback_attempt WHERE message_id IN (SELECT id FROM callback_message \
             WHERE finished_at IS NOT NULL AND finished_at < ",
            now!(),
            " - $1 AND state IN ('delivered', 'dead', 'cancelled'))"
        ))
        .bind(older_than_ms)
        .execute(&mut *tx)
        .await
        .map_err(db(op))?;
        let purged = sqlx::query(concat!(
            "DELETE FROM callback_message WHERE finished_at IS NOT NULL AND finished_at < ",
            now!(),
            " - $1 AND state IN ('delivered', 'dead', 'cancelled')"
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

async fn current_state(conn: &mut PgConnection, id: &str) -> Result<Option<State>, sqlx::Error> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM callback_message WHERE id = $1 FOR UPDATE")
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

/// Inserts messages through any PostgreSQL connection (the caller's transaction, or ours).
pub(super) async fn enqueue_on(
    conn: &mut PgConnection,
    messages: &[NewMessage],
) -> Result<Vec<Enqueued>, OutboxError> {
    let op = "enqueueing";
    let mut stored = Vec::with_capacity(messages.len());
    for message in messages {
        let inserted: Option<String> = sqlx::query_scalar(concat!(
            "INSERT INTO callback_message (id, state, operation, callback, expression, method, \
             url, origin, headers, body, dedupe_key, secret_ref, next_attempt_at, created_at) \
             VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ",
            now!(),
            " + $12, ",
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
            "SELECT id, state FROM callback_message WHERE dedupe_key = $1 AND callback = $2 \
             AND expression = $3 AND method = $4",
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
