//! A worker's transaction on PostgreSQL as one statement: claims given back, results recorded,
//! expired leases taken back, the next messages claimed, each a data-modifying `WITH` query of
//! one statement (one round trip, one commit, atomic like the transaction it replaces; every
//! part sees the same snapshot and one clock reading).
//!
//! Every write checks what the separate statements checked: a claim is given back, and a
//! result changes its message, only while the claim's token is current and the message
//! `in-flight`; otherwise the attempt is `superseded`. Claims take rows with `FOR UPDATE SKIP
//! LOCKED` (due pending messages in the order of their index, and expired claims), oldest due
//! first, within the limit and the room per origin (each origin's first ones while it has room,
//! as [`ClaimRequest::choose`](super::ClaimRequest) picks them). Rows this statement gives back
//! or records are never also taken back by it (one statement must not change a row twice).

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row as _};

use super::super::rows;
use super::super::{Claimed, Recorded, Settle, Settled};
use super::{db, outcome_of};
use crate::error::OutboxError;
use crate::message::State;
use crate::time::Timestamp;

/// The statement. Parameters: `$1..$3` the claims to give back (ids, tokens, numbers);
/// `$4..$14` the results (ids, tokens, numbers, new states, waits before the next attempt,
/// statuses, failure kinds, errors, addresses, responses, attempt outcomes); `$15` how many to
/// claim (0: none), `$16` how many candidates to read, `$17` the room per origin (or NULL),
/// `$18`/`$19` what is in flight by origin, `$20` the origins without room, `$21` the new
/// claim token, `$22` the worker, `$23` the lease in milliseconds, `$24` attempts per round.
///
/// The results' attempt rows learn which results were applied through `IN (SELECT … FROM
/// applied)`, which PostgreSQL runs as one hashed subplan: joined to `applied` instead, they
/// were planned as a nested loop (a CTE's size is estimated at one row) that scanned it again
/// for every result (EXPLAIN ANALYZE, 71 results: 4.1 ms of 11.3 ms; 1.4 ms with the subplan).
macro_rules! settle_sql {
    () => {
        concat!(
            "WITH clock AS (SELECT ",
            now!(),
            " AS now), \
             rel AS (SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[]) \
                 AS r(id, token, number)), \
             released AS (UPDATE callback_message AS m SET state = 'pending', \
                     attempts = m.attempts - 1, claim_token = NULL, lease_until = NULL, \
                     claimed_by = NULL \
                 FROM rel AS r WHERE m.id = r.id AND m.claim_token = r.token \
                   AND m.attempts = r.number AND m.state = 'in-flight' \
                 RETURNING m.id, r.token, r.number), \
             unopened AS (DELETE FROM callback_attempt AS a USING released AS g \
                 WHERE a.message_id = g.id AND a.number = g.number AND a.claim_token = g.token \
                   AND a.outcome IN ('in-progress', 'interrupted')), \
             rec AS (SELECT * FROM UNNEST($4::text[], $5::text[], $6::bigint[], $7::text[], \
                     $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[], \
                     $13::text[], $14::text[]) \
                 AS r(id, token, number, state, wait, status, kind, error, address, response, \
                      outcome)), \
             applied AS (UPDATE callback_message AS m SET state = r.state, \
                     next_attempt_at = CASE WHEN r.state = 'pending' \
                         THEN (SELECT now FROM clock) + r.wait ELSE m.next_attempt_at END, \
                     lease_until = NULL, claim_token = NULL, claimed_by = NULL, \
                     last_status = r.status, last_error = r.error, \
                     finished_at = CASE WHEN r.state = 'pending' THEN NULL \
                         ELSE (SELECT now FROM clock) END \
                 FROM rec AS r WHERE m.id = r.id AND m.claim_token = r.token \
                   AND m.state = 'in-flight' \
                 RETURNING m.id, r.number, m.state, m.next_attempt_at), \
             attempted AS (UPDATE callback_attempt AS a SET ended_at = (SELECT now FROM clock), \
                     outcome = CASE WHEN (r.id, r.number) IN (SELECT id, number FROM applied) \
                         THEN r.outcome ELSE 'superseded' END, \
                     status = r.status, error_kind = r.kind, error = r.error, \
                     address = r.address, response = r.response, \
                     next_attempt_at = CASE WHEN r.state = 'pending' \
                         AND (r.id, r.number) IN (SELECT id, number FROM applied) \
                         THEN (SELECT now FROM clock) + r.wait END \
                 FROM rec AS r \
                 WHERE a.message_id = r.id AND a.number = r.number AND a.claim_token = r.token), \
             taken_back AS (UPDATE callback_attempt SET outcome = 'interrupted', \
                     ended_at = (SELECT now FROM clock), \
                     error = 'the lease expired before a result was recorded' \
                 WHERE (message_id, number) IN (SELECT message_id, number FROM callback_attempt \
                     WHERE $15 > 0 AND outcome = 'in-progress' \
                       AND lease_until <= (SELECT now FROM clock) \
                       AND NOT (message_id = ANY($1)) AND NOT (message_id = ANY($4)) \
                     FOR UPDATE SKIP LOCKED)), \
             died AS (UPDATE callback_message SET state = 'dead', claim_token = NULL, \
                     lease_until = NULL, claimed_by = NULL, finished_at = (SELECT now FROM clock), \
                     last_error = 'the lease of its last attempt expired before a result was \
                         recorded' \
                 WHERE id IN (SELECT id FROM callback_message WHERE $15 > 0 \
                     AND state = 'in-flight' AND lease_until <= (SELECT now FROM clock) \
                     AND attempts - schedule_base >= $24 \
                     AND NOT (id = ANY($1)) AND NOT (id = ANY($4)) FOR UPDATE SKIP LOCKED)), \
             due AS (SELECT id, origin, state, next_attempt_at, attempts, schedule_base, replays \
                 FROM callback_message WHERE state = 'pending' \
                   AND next_attempt_at <= (SELECT now FROM clock) AND NOT (origin = ANY($20)) \
                 ORDER BY next_attempt_at, id LIMIT $16 FOR UPDATE SKIP LOCKED), \
             expired AS (SELECT id, origin, state, next_attempt_at, attempts, schedule_base, \
                     replays \
                 FROM callback_message WHERE state = 'in-flight' \
                   AND lease_until <= (SELECT now FROM clock) AND NOT (origin = ANY($20)) \
                   AND attempts - schedule_base < $24 \
                   AND NOT (id = ANY($1)) AND NOT (id = ANY($4)) \
                 ORDER BY next_attempt_at, id LIMIT $16 FOR UPDATE SKIP LOCKED), \
             ranked AS (SELECT c.*, row_number() OVER \
                     (PARTITION BY c.origin ORDER BY c.next_attempt_at, c.id) AS nth \
                 FROM (SELECT * FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS u \
                     ORDER BY next_attempt_at, id LIMIT $16) AS c), \
             chosen AS (SELECT c.id AS chosen_id, c.state AS was FROM ranked AS c \
                 LEFT JOIN UNNEST($18::text[], $19::bigint[]) AS b(origin, busy) \
                     ON b.origin = c.origin \
                 WHERE $17::bigint IS NULL OR c.nth + COALESCE(b.busy, 0) <= $17 \
                 ORDER BY c.next_attempt_at, c.id LIMIT $15), \
             claimed AS (UPDATE callback_message AS m SET state = 'in-flight', \
                     attempts = m.attempts + 1, claim_token = $21, claimed_by = $22, \
                     lease_until = (SELECT now FROM clock) + $23 \
                 FROM chosen WHERE m.id = chosen.chosen_id \
                 RETURNING ",
            message_columns!(),
            ", chosen.was), \
             opened AS (INSERT INTO callback_attempt (message_id, number, kind, claim_token, \
                     claimed_by, started_at, lease_until, outcome) \
                 SELECT id, attempts, \
                     CASE WHEN was = 'in-flight' THEN 'reclaimed' \
                          WHEN replays > 0 AND attempts = schedule_base + 1 THEN 'manual' \
                          ELSE 'scheduled' END, \
                     $21, $22, (SELECT now FROM clock), lease_until, 'in-progress' \
                 FROM claimed) \
             SELECT c.*, s.released, s.recorded_ids, s.recorded_numbers, s.recorded_nexts \
             FROM (SELECT (SELECT array_agg(id) FROM released) AS released, \
                     (SELECT array_agg(id ORDER BY id, number) FROM applied) AS recorded_ids, \
                     (SELECT array_agg(number ORDER BY id, number) FROM applied) \
                         AS recorded_numbers, \
                     (SELECT array_agg(next_attempt_at ORDER BY id, number) FROM applied) \
                         AS recorded_nexts) AS s \
             LEFT JOIN claimed AS c ON true"
        )
    };
}

/// Runs a worker's transaction as one statement on `pool` (its own transaction).
pub(super) async fn settle(pool: &PgPool, work: &Settle<'_>) -> Result<Settled, OutboxError> {
    let op = work.operation();
    let claim = work.claim.filter(|request| request.limit > 0);
    let releases = work.releases;
    let records = work.records;
    let rel_ids: Vec<&str> = releases.iter().map(|c| c.message.id.as_str()).collect();
    let rel_tokens: Vec<&str> = releases.iter().map(|c| c.token.as_str()).collect();
    let rel_numbers: Vec<i64> = releases.iter().map(|c| i64::from(c.number)).collect();
    let rec_ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let rec_tokens: Vec<&str> = records.iter().map(|r| r.token.as_str()).collect();
    let rec_numbers: Vec<i64> = records.iter().map(|r| i64::from(r.number)).collect();
    let rec_states: Vec<&str> = records.iter().map(|r| r.new_state().as_str()).collect();
    let rec_waits: Vec<Option<i64>> = records
        .iter()
        .map(|r| (r.new_state() == State::Pending).then(|| r.wait_ms()))
        .collect();
    let rec_statuses: Vec<Option<i64>> = records.iter().map(|r| r.status.map(i64::from)).collect();
    let rec_kinds: Vec<Option<&str>> = records
        .iter()
        .map(|r| r.failure.map(|f| f.as_str()))
        .collect();
    let rec_errors: Vec<Option<&str>> = records.iter().map(|r| r.error.as_deref()).collect();
    let rec_addresses: Vec<Option<&str>> = records.iter().map(|r| r.address.as_deref()).collect();
    let rec_responses: Vec<Option<&str>> = records.iter().map(|r| r.response.as_deref()).collect();
    let rec_outcomes: Vec<&str> = records
        .iter()
        .map(|r| outcome_of(r.new_state()).as_str())
        .collect();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let limit = claim.map_or(0, |request| count(request.limit));
    let wanted = claim.map_or(0, |request| count(request.candidates()));
    let (busy_origins, busy_counts): (Vec<&str>, Vec<i64>) = claim
        .map(|request| {
            request
                .in_flight
                .iter()
                .map(|(origin, n)| (origin.as_str(), count(*n)))
                .unzip()
        })
        .unwrap_or_default();
    let saturated: Vec<String> = claim.map(|r| r.saturated()).unwrap_or_default();
    let token = ulid::Ulid::generate().to_string();
    let rows: Vec<PgRow> = sqlx::query(settle_sql!())
        .bind(&rel_ids)
        .bind(&rel_tokens)
        .bind(&rel_numbers)
        .bind(&rec_ids)
        .bind(&rec_tokens)
        .bind(&rec_numbers)
        .bind(&rec_states)
        .bind(&rec_waits)
        .bind(&rec_statuses)
        .bind(&rec_kinds)
        .bind(&rec_errors)
        .bind(&rec_addresses)
        .bind(&rec_responses)
        .bind(&rec_outcomes)
        .bind(limit)
        .bind(wanted)
        .bind(claim.and_then(|r| r.per_origin).map(count))
        .bind(&busy_origins)
        .bind(&busy_counts)
        .bind(&saturated)
        .bind(&token)
        .bind(claim.map(|r| r.worker.as_str()))
        .bind(claim.map(|r| crate::time::millis(r.lease)))
        .bind(claim.map(|r| i64::from(r.max_attempts)))
        .fetch_all(pool)
        .await
        .map_err(db(op))?;
    // One row at least (the summary), one per claimed message.
    const WAS: usize = 23;
    let summary = rows
        .first()
        .ok_or_else(|| OutboxError::Corrupt("the worker's statement returned no row".into()))?;
    let column = |i: usize| WAS + i;
    let released: Vec<String> = summary
        .try_get::<Option<Vec<String>>, _>(column(1))
        .map_err(db(op))?
        .unwrap_or_default();
    let applied_ids: Vec<String> = summary
        .try_get::<Option<Vec<String>>, _>(column(2))
        .map_err(db(op))?
        .unwrap_or_default();
    let applied_numbers: Vec<i64> = summary
        .try_get::<Option<Vec<i64>>, _>(column(3))
        .map_err(db(op))?
        .unwrap_or_default();
    let applied_nexts: Vec<i64> = summary
        .try_get::<Option<Vec<i64>>, _>(column(4))
        .map_err(db(op))?
        .unwrap_or_default();
    let recorded = records
        .iter()
        .map(|record| {
            let applied = applied_ids
                .iter()
                .zip(&applied_numbers)
                .zip(&applied_nexts)
                .find(|((id, number), _)| {
                    **id == record.id && **number == i64::from(record.number)
                });
            match applied {
                Some((_, next)) => {
                    let state = record.new_state();
                    Recorded::Applied {
                        state,
                        next_attempt_at: (state == State::Pending)
                            .then(|| Timestamp::from_millis(*next)),
                    }
                }
                None => Recorded::Superseded,
            }
        })
        .collect();
    let mut claimed = Vec::new();
    for row in &rows {
        if row
            .try_get::<Option<String>, _>(0)
            .map_err(db(op))?
            .is_none()
        {
            continue;
        }
        let was: String = row.try_get(WAS).map_err(db(op))?;
        let row = rows::message(row)?;
        let number = row.message.attempts;
        let kind = rows::claim_kind(
            was == State::InFlight.as_str(),
            number,
            row.schedule_base,
            row.message.replays,
        );
        let lease_until = row.message.lease_until.ok_or_else(|| {
            OutboxError::Corrupt(format!(
                "message {} was claimed without a lease",
                row.message.id
            ))
        })?;
        claimed.push(Claimed {
            round_attempt: number.saturating_sub(row.schedule_base),
            message: row.message,
            token: token.clone(),
            number,
            kind,
            lease_until,
        });
    }
    // Oldest due first, as they were chosen.
    claimed.sort_by(|a, b| {
        (a.message.next_attempt_at, &a.message.id).cmp(&(b.message.next_attempt_at, &b.message.id))
    });
    Ok(Settled {
        released: releases
            .iter()
            .map(|c| released.contains(&c.message.id))
            .collect(),
        recorded,
        claimed,
    })
}
