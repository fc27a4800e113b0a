//! The PostgreSQL store, shared by several provider nodes: claims take rows with `FOR UPDATE
//! SKIP LOCKED` (two nodes never take the same row, and neither waits for the other), expired
//! leases are taken back by the claim itself (no leader, no sweeper), and every time is the
//! server's clock.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool};
use std::str::FromStr;

use super::rows;
use super::{
    AttemptRecord, Candidate, Change, ChangeOutcome, ClaimRequest, Claimed, ConnectOptions, Counts,
    Due, Enqueued, ListFilter, Recorded, Settle, Settled,
};
use crate::error::OutboxError;
use crate::message::{AttemptOutcome, MessageDetail, NewMessage, State};
use crate::time::Timestamp;

/// The database clock, in milliseconds since the epoch (`clock_timestamp()`, not the
/// transaction's start).
macro_rules! now {
    () => {
        "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
    };
}

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
        let op = work.operation();
        let mut tx = self.pool.begin().await.map_err(db(op))?;
        // The clock, and whether any lease has run out (then the claim takes those back).
        let (now, expired): (i64, bool) = sqlx::query_as(concat!(
            "SELECT now, EXISTS (SELECT 1 FROM callback_message WHERE state = 'in-flight' \
             AND lease_until <= now) FROM (SELECT ",
            now!(),
            " AS now) AS clock"
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

/// Claims due messages (see [`Outbox::claim`](super::Outbox::claim)) inside a transaction
/// begun at `now`. `expired`: some lease has run out (its claim is taken back).
async fn claim_on(
    tx: &mut PgConnection,
    request: &ClaimRequest,
    now: i64,
    expired: bool,
) -> Result<Vec<Claimed>, OutboxError> {
    let op = "claiming messages";
    if expired {
        // Attempts whose lease ran out without a result: their worker died or stalled. Rows
        // another node is working on are skipped, never waited for.
        sqlx::query(
            "UPDATE callback_attempt SET outcome = 'interrupted', ended_at = $1, \
             error = 'the lease expired before a result was recorded' \
             WHERE (message_id, number) IN (SELECT message_id, number FROM callback_attempt \
                 WHERE outcome = 'in-progress' AND lease_until <= $1 FOR UPDATE SKIP LOCKED)",
        )
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db(op))?;
        // An expired claim on the last attempt of a round: dead, not tried forever.
        sqlx::query(
            "UPDATE callback_message SET state = 'dead', claim_token = NULL, lease_until = NULL, \
             claimed_by = NULL, finished_at = $1, \
             last_error = 'the lease of its last attempt expired before a result was recorded' \
             WHERE id IN (SELECT id FROM callback_message WHERE state = 'in-flight' \
                 AND lease_until <= $1 AND attempts - schedule_base >= $2 FOR UPDATE SKIP LOCKED)",
        )
        .bind(now)
        .bind(i64::from(request.max_attempts))
        .execute(&mut *tx)
        .await
        .map_err(db(op))?;
    }
    let wanted = if request.per_origin.is_some() {
        request.limit.saturating_mul(4)
    } else {
        request.limit
    };
    // Due pending messages in the order of their index (a claim reads the rows it takes,
    // not every due one), and expired claims (few) beside them.
    let candidates: Vec<(String, String, String)> = sqlx::query_as(
        "WITH due AS (SELECT id, origin, state, next_attempt_at FROM callback_message \
                 WHERE state = 'pending' AND next_attempt_at <= $1 AND NOT (origin = ANY($2)) \
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED), \
              expired AS (SELECT id, origin, state, next_attempt_at FROM callback_message \
                 WHERE state = 'in-flight' AND lease_until <= $1 AND NOT (origin = ANY($2)) \
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
         SELECT id, origin, state FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS c \
         ORDER BY next_attempt_at, id LIMIT $3",
    )
    .bind(now)
    .bind(request.saturated())
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
    let ids: Vec<String> = chosen.iter().map(|c| c.id.clone()).collect();
    let rows: Vec<PgRow> = sqlx::query(concat!(
        "UPDATE callback_message SET state = 'in-flight', attempts = attempts + 1, \
         claim_token = $1, claimed_by = $2, lease_until = $3 \
         WHERE id = ANY($4) RETURNING ",
        message_columns!()
    ))
    .bind(&token)
    .bind(&request.worker)
    .bind(lease_until)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await
    .map_err(db(op))?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in &rows {
        let row = rows::message(row)?;
        let reclaimed = chosen.iter().any(|c| c.id == row.message.id && c.reclaimed);
        let number = row.message.attempts;
        let kind = rows::claim_kind(reclaimed, number, row.schedule_base, row.message.replays);
        claimed.push(Claimed {
            round_attempt: number.saturating_sub(row.schedule_base),
            message: row.message,
            token: token.clone(),
            number,
            kind,
            lease_until: Timestamp::from_millis(lease_until),
        });
    }
    let message_ids: Vec<&str> = claimed.iter().map(|c| c.message.id.as_str()).collect();
    let numbers: Vec<i64> = claimed.iter().map(|c| i64::from(c.number)).collect();
    let kinds: Vec<&str> = claimed.iter().map(|c| c.kind.as_str()).collect();
    sqlx::query(
        "INSERT INTO callback_attempt (message_id, number, kind, claim_token, claimed_by, \
         started_at, lease_until, outcome) \
         SELECT m, n, k, $4, $5, $6, $7, 'in-progress' \
         FROM UNNEST($1::text[], $2::bigint[], $3::text[]) AS t(m, n, k)",
    )
    .bind(&message_ids)
    .bind(&numbers)
    .bind(&kinds)
    .bind(&token)
    .bind(&request.worker)
    .bind(now)
    .bind(lease_until)
    .execute(&mut *tx)
    .await
    .map_err(db(op))?;
    claimed.sort_by_key(|c| ids.iter().position(|id| *id == c.message.id));
    Ok(claimed)
}

/// Records results (see [`Outbox::record`](super::Outbox::record)) inside a transaction
/// begun at `now`.
async fn record_on(
    tx: &mut PgConnection,
    records: &[AttemptRecord],
    now: i64,
) -> Result<Vec<Recorded>, sqlx::Error> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let states: Vec<&str> = records.iter().map(|r| r.new_state().as_str()).collect();
    let nexts: Vec<Option<i64>> = records
        .iter()
        .map(|r| (r.new_state() == State::Pending).then(|| now.saturating_add(r.wait_ms())))
        .collect();
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let tokens: Vec<&str> = records.iter().map(|r| r.token.as_str()).collect();
    let statuses: Vec<Option<i64>> = records.iter().map(|r| r.status.map(i64::from)).collect();
    let errors: Vec<Option<&str>> = records.iter().map(|r| r.error.as_deref()).collect();
    // One statement for the batch; only rows whose claim is still current change.
    let applied: Vec<String> = sqlx::query_scalar(
        "UPDATE callback_message AS m SET state = r.state, \
         next_attempt_at = COALESCE(r.next, m.next_attempt_at), \
         lease_until = NULL, claim_token = NULL, claimed_by = NULL, \
         last_status = r.status, last_error = r.error, \
         finished_at = CASE WHEN r.state = 'pending' THEN NULL ELSE $1 END \
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[]) \
             AS r(id, token, state, next, status, error) \
         WHERE m.id = r.id AND m.claim_token = r.token AND m.state = 'in-flight' \
         RETURNING m.id",
    )
    .bind(now)
    .bind(&ids)
    .bind(&tokens)
    .bind(&states)
    .bind(&nexts)
    .bind(&statuses)
    .bind(&errors)
    .fetch_all(&mut *tx)
    .await?;
    let mut results = Vec::with_capacity(records.len());
    let mut outcomes = Vec::with_capacity(records.len());
    let mut attempt_nexts = Vec::with_capacity(records.len());
    for (record, next) in records.iter().zip(&nexts) {
        let state = record.new_state();
        if applied.contains(&record.id) {
            outcomes.push(outcome_of(state).as_str());
            attempt_nexts.push(*next);
            results.push(Recorded::Applied {
                state,
                next_attempt_at: next.map(Timestamp::from_millis),
            });
        } else {
            outcomes.push(AttemptOutcome::Superseded.as_str());
            attempt_nexts.push(None);
            results.push(Recorded::Superseded);
        }
    }
    let numbers: Vec<i64> = records.iter().map(|r| i64::from(r.number)).collect();
    let kinds: Vec<Option<&str>> = records
        .iter()
        .map(|r| r.failure.map(|f| f.as_str()))
        .collect();
    let addresses: Vec<Option<&str>> = records.iter().map(|r| r.address.as_deref()).collect();
    let responses: Vec<Option<&str>> = records.iter().map(|r| r.response.as_deref()).collect();
    sqlx::query(
        "UPDATE callback_attempt AS a SET ended_at = $1, outcome = r.outcome, \
         status = r.status, error_kind = r.kind, error = r.error, address = r.address, \
         response = r.response, next_attempt_at = r.next \
         FROM UNNEST($2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], \
             $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[]) \
             AS r(id, number, token, outcome, status, kind, error, address, response, next) \
         WHERE a.message_id = r.id AND a.number = r.number AND a.claim_token = r.token",
    )
    .bind(now)
    .bind(&ids)
    .bind(&numbers)
    .bind(&tokens)
    .bind(&outcomes)
    .bind(&statuses)
    .bind(&kinds)
    .bind(&errors)
    .bind(&addresses)
    .bind(&responses)
    .bind(&attempt_nexts)
    .execute(&mut *tx)
    .await?;
    Ok(results)
}

/// Gives claims back unattempted (see [`Outbox::release`](super::Outbox::release)) inside a
/// transaction: each message whose claim is still current is `pending` again, due as it was,
/// its attempt uncounted and its attempt row removed.
async fn release_on(tx: &mut PgConnection, claims: &[Claimed]) -> Result<Vec<bool>, sqlx::Error> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = claims.iter().map(|c| c.message.id.as_str()).collect();
    let tokens: Vec<&str> = claims.iter().map(|c| c.token.as_str()).collect();
    let numbers: Vec<i64> = claims.iter().map(|c| i64::from(c.number)).collect();
    let released: Vec<String> = sqlx::query_scalar(
        "WITH given AS (UPDATE callback_message AS m SET state = 'pending', \
             attempts = m.attempts - 1, claim_token = NULL, lease_until = NULL, claimed_by = NULL \
             FROM UNNEST($1::text[], $2::text[], $3::bigint[]) AS r(id, token, number) \
             WHERE m.id = r.id AND m.claim_token = r.token AND m.attempts = r.number \
               AND m.state = 'in-flight' \
             RETURNING m.id, r.token, r.number), \
         removed AS (DELETE FROM callback_attempt AS a USING given AS g \
             WHERE a.message_id = g.id AND a.number = g.number AND a.claim_token = g.token \
               AND a.outcome = 'in-progress') \
         SELECT id FROM given",
    )
    .bind(&ids)
    .bind(&tokens)
    .bind(&numbers)
    .fetch_all(&mut *tx)
    .await?;
    Ok(claims
        .iter()
        .map(|c| released.contains(&c.message.id))
        .collect())
}
