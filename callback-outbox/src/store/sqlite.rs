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
    Change, ChangeOutcome, ConnectOptions, Counts, Due, Enqueued, ListFilter, Settle, Settled,
};
use crate::error::OutboxError;
use crate::message::{AttemptOutcome, MessageDetail, NewMessage, State};

/// The database clock, in milliseconds since the epoch.
macro_rules! now {
    () => {
        "CAST(unixepoch('subsec') * 1000 AS INTEGER)"
    };
}

mod settle;

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
        let settled = settle::settle_on(&mut tx, work).await?;
        tx.commit().await.map_err(db(op))?;
        Ok(settled)
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
