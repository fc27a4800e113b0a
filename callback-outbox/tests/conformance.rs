//! One conformance suite, run against both stores: a real SQLite file and a real PostgreSQL
//! server (started by the test itself; without PostgreSQL's programs every PostgreSQL case
//! fails and says what to install). Each case is named `<store>::<case>`.
//!
//! Lease expiry is made deterministic by moving times into the past with SQL (as Convoy and
//! graphile_worker test it); real kills and pauses are in `crash.rs`.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod support;

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callback_delivery::{DeliveryOptions, UrlPolicy};
use callback_outbox::{
    AttemptKind, AttemptOutcome, AttemptRecord, AttemptReport, ChangeOutcome, ClaimRequest,
    Decision, Failure, ListFilter, NewMessage, OneSecret, Outbox, Recorded, Schedule, SecretFile,
    State, Worker,
};
use libtest_mimic::{Arguments, Failed, Trial};
use support::{Answer, Consumer, Kind, TestDb, secret};
use tokio_util::sync::CancellationToken;

type Case = fn(&TestDb) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        &[$((stringify!($name), {
            fn run(db: &TestDb) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
                Box::pin($name(db))
            }
            run as Case
        })),*]
    };
}

const CASES: &[(&str, Case)] = cases![
    enqueue_keeps_every_byte,
    dedupe_key_returns_the_first_message,
    transactional_enqueue_commits_or_rolls_back_with_the_caller,
    claim_takes_each_due_message_once,
    claim_leaves_messages_that_are_not_due,
    claim_respects_the_room_per_origin,
    concurrent_claimants_never_share_a_message,
    leases_and_retries_use_the_database_clock,
    record_delivered_finishes_the_message,
    record_retry_reschedules_it,
    record_dead_finishes_it,
    a_stale_claim_cannot_change_the_state,
    release_gives_a_claim_back_unattempted,
    a_claim_released_after_its_lease_ran_out_keeps_no_attempt,
    an_expired_last_attempt_is_dead,
    cancel_stops_pending_and_in_flight_messages,
    replay_keeps_id_and_body_and_starts_a_round,
    replay_dead_replays_every_dead_message,
    purge_deletes_only_old_finished_messages,
    list_filters_and_pages,
    migrations_are_idempotent_and_kept_apart,
    worker_delivers_with_the_same_id_and_body_and_a_fresh_signature,
    worker_honours_retry_after_up_to_the_largest_step,
    worker_gives_up_at_once_on_410,
    worker_retries_other_4xx_only_when_told,
    worker_checks_the_url_policy_at_each_attempt,
    worker_looks_the_secret_up_at_each_attempt,
    worker_retries_timeouts,
    worker_bounds_concurrency_overall_and_per_origin,
    worker_shutdown_finishes_the_attempts_under_way,
    worker_dead_after_the_schedule,
];

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for kind in Kind::BOTH {
        for (name, case) in CASES {
            let case = *case;
            trials.push(Trial::test(format!("{}::{name}", kind.name()), move || {
                run(kind, case)
            }));
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    support::stop_postgres();
    conclusion.exit();
}

fn run(kind: Kind, case: Case) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = TestDb::new(kind).await?;
        tokio::time::timeout(Duration::from_secs(60), case(&db))
            .await
            .map_err(|_| "the case took more than 60 s")?;
        Ok::<(), Failed>(())
    })
}

fn message(url: &str, body: &'static [u8]) -> NewMessage {
    NewMessage::new(http::Method::POST, url, body)
        .unwrap()
        .callback("startJob", "progress", "{$request.header.progressUrl}")
}

fn claim_request(limit: usize) -> ClaimRequest {
    ClaimRequest::new(limit, Duration::from_secs(60), "test-worker", 3)
}

async fn enqueue_keeps_every_byte(db: &TestDb) {
    let outbox = db.outbox().await;
    // Not UTF-8, not JSON: the outbox stores bytes, not text.
    let body: &'static [u8] = b"\xff\x00{\"a\":1}\n\xfe";
    let new = message("https://consumer.example/cb?x=1", body)
        .header("x-trace", "abc")
        .header("x-trace", "def")
        .secret_ref("acme")
        .dedupe_key("k1");
    let stored = outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    assert_eq!(stored[0].id, new.id());
    assert_eq!(stored[0].state, State::Pending);
    assert!(!stored[0].duplicate);
    let got = outbox.get(new.id()).await.unwrap().unwrap();
    let m = &got.message;
    assert_eq!(m.body.as_ref(), body);
    assert_eq!(m.url, "https://consumer.example/cb?x=1");
    assert_eq!(m.origin, "https://consumer.example:443");
    assert_eq!(m.method, "POST");
    assert_eq!(m.callback, "progress");
    assert_eq!(m.operation, "startJob");
    assert_eq!(m.expression, "{$request.header.progressUrl}");
    assert_eq!(
        m.headers,
        [
            ("x-trace".into(), "abc".into()),
            ("x-trace".into(), "def".into())
        ]
    );
    assert_eq!(m.secret_ref.as_deref(), Some("acme"));
    assert_eq!(m.dedupe_key.as_deref(), Some("k1"));
    assert_eq!(m.attempts, 0);
    assert!(got.attempt_log.is_empty());
    assert!(outbox.get("msg_nothing").await.unwrap().is_none());
    // The secret itself is nowhere in the row: only its name.
    assert_eq!(
        db.number("SELECT COUNT(*) FROM callback_message WHERE secret_ref = 'acme'")
            .await,
        1
    );
}

async fn dedupe_key_returns_the_first_message(db: &TestDb) {
    let outbox = db.outbox().await;
    let first = message("https://consumer.example/cb", b"{}").dedupe_key("req-1");
    let again = message("https://consumer.example/cb", b"{\"other\":1}").dedupe_key("req-1");
    let other_callback = NewMessage::new(http::Method::POST, "https://consumer.example/cb", "{}")
        .unwrap()
        .callback("startJob", "completion", "{$request.header.progressUrl}")
        .dedupe_key("req-1");
    let stored = outbox
        .enqueue(&[first.clone(), again, other_callback])
        .await
        .unwrap();
    assert_eq!(stored[0].id, first.id());
    assert_eq!(stored[1].id, first.id());
    assert!(stored[1].duplicate && !stored[0].duplicate && !stored[2].duplicate);
    assert_ne!(stored[2].id, first.id());
    assert_eq!(outbox.counts().await.unwrap().pending, 2);
    // The earlier message's body stays.
    let kept = outbox.get(first.id()).await.unwrap().unwrap();
    assert_eq!(kept.message.body.as_ref(), b"{}");
}

async fn transactional_enqueue_commits_or_rolls_back_with_the_caller(db: &TestDb) {
    let outbox = db.outbox().await;
    let committed = message("https://consumer.example/a", b"{\"n\":1}");
    let rolled_back = message("https://consumer.example/b", b"{\"n\":2}");
    match db.kind {
        Kind::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
            sqlx::query("CREATE TABLE job (id TEXT PRIMARY KEY)")
                .execute(&pool)
                .await
                .unwrap();
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("INSERT INTO job VALUES ('1')")
                .execute(&mut *tx)
                .await
                .unwrap();
            Outbox::enqueue_in(&mut *tx, std::slice::from_ref(&committed))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("INSERT INTO job VALUES ('2')")
                .execute(&mut *tx)
                .await
                .unwrap();
            Outbox::enqueue_in(&mut *tx, std::slice::from_ref(&rolled_back))
                .await
                .unwrap();
            tx.rollback().await.unwrap();
        }
        Kind::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            sqlx::query("CREATE TABLE job (id TEXT PRIMARY KEY)")
                .execute(&pool)
                .await
                .unwrap();
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("INSERT INTO job VALUES ('1')")
                .execute(&mut *tx)
                .await
                .unwrap();
            Outbox::enqueue_in(&mut *tx, std::slice::from_ref(&committed))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("INSERT INTO job VALUES ('2')")
                .execute(&mut *tx)
                .await
                .unwrap();
            Outbox::enqueue_in(&mut *tx, std::slice::from_ref(&rolled_back))
                .await
                .unwrap();
            // Dropped without commit: rolled back.
            drop(tx);
        }
    }
    assert!(outbox.get(committed.id()).await.unwrap().is_some());
    assert!(outbox.get(rolled_back.id()).await.unwrap().is_none());
    assert_eq!(db.number("SELECT COUNT(*) FROM job").await, 1);
    // What a worker can claim is exactly the committed message.
    let claimed = outbox.claim(&claim_request(10)).await.unwrap();
    let ids: Vec<_> = claimed.iter().map(|c| c.message.id.as_str()).collect();
    assert_eq!(ids, [committed.id()]);
}

async fn claim_takes_each_due_message_once(db: &TestDb) {
    let outbox = db.outbox().await;
    let messages: Vec<_> = (0..3)
        .map(|_| message("https://consumer.example/cb", b"{}"))
        .collect();
    outbox.enqueue(&messages).await.unwrap();
    let first = outbox.claim(&claim_request(2)).await.unwrap();
    assert_eq!(first.len(), 2);
    // Oldest first (ids are time-ordered and enqueued in order, all due at once or in order).
    for claimed in &first {
        assert_eq!(claimed.message.state, State::InFlight);
        assert_eq!(claimed.number, 1);
        assert_eq!(claimed.round_attempt, 1);
        assert_eq!(claimed.kind, AttemptKind::Scheduled);
        assert_eq!(claimed.message.claimed_by.as_deref(), Some("test-worker"));
        let detail = outbox.get(&claimed.message.id).await.unwrap().unwrap();
        assert_eq!(detail.message.state, State::InFlight);
        assert_eq!(detail.attempt_log.len(), 1);
        assert_eq!(detail.attempt_log[0].outcome, AttemptOutcome::InProgress);
    }
    let second = outbox.claim(&claim_request(2)).await.unwrap();
    assert_eq!(second.len(), 1);
    assert!(outbox.claim(&claim_request(2)).await.unwrap().is_empty());
    let all: HashSet<_> = first
        .iter()
        .chain(&second)
        .map(|c| c.message.id.clone())
        .collect();
    let expected: HashSet<_> = messages.iter().map(|m| m.id().to_owned()).collect();
    assert_eq!(all, expected);
    assert_eq!(outbox.counts().await.unwrap().in_flight, 3);
}

async fn claim_leaves_messages_that_are_not_due(db: &TestDb) {
    let outbox = db.outbox().await;
    let later = message("https://consumer.example/cb", b"{}").delay(Duration::from_secs(3600));
    outbox.enqueue(std::slice::from_ref(&later)).await.unwrap();
    assert!(outbox.claim(&claim_request(5)).await.unwrap().is_empty());
    let m = outbox.get(later.id()).await.unwrap().unwrap().message;
    assert!(m.next_attempt_at.since(m.created_at) >= Duration::from_secs(3599));
    db.make_due(later.id()).await;
    assert_eq!(outbox.claim(&claim_request(5)).await.unwrap().len(), 1);
}

async fn claim_respects_the_room_per_origin(db: &TestDb) {
    let outbox = db.outbox().await;
    let mut messages = Vec::new();
    for _ in 0..3 {
        messages.push(message("https://a.example/cb", b"{}"));
    }
    for _ in 0..3 {
        messages.push(message("https://b.example/cb", b"{}"));
    }
    outbox.enqueue(&messages).await.unwrap();
    let mut request = claim_request(10);
    request.per_origin = Some(2);
    request.in_flight.insert("https://a.example:443".into(), 1);
    let claimed = outbox.claim(&request).await.unwrap();
    let count = |origin: &str| {
        claimed
            .iter()
            .filter(|c| c.message.origin == origin)
            .count()
    };
    assert_eq!(count("https://a.example:443"), 1);
    assert_eq!(count("https://b.example:443"), 2);
    // A saturated origin is not even a candidate.
    request.in_flight.insert("https://a.example:443".into(), 2);
    request.in_flight.insert("https://b.example:443".into(), 2);
    assert!(outbox.claim(&request).await.unwrap().is_empty());
}

async fn concurrent_claimants_never_share_a_message(db: &TestDb) {
    let outbox = db.outbox().await;
    let messages: Vec<_> = (0..300)
        .map(|i| {
            NewMessage::new(
                http::Method::POST,
                format!("https://c{}.example/cb", i % 7),
                "{}",
            )
            .unwrap()
        })
        .collect();
    outbox.enqueue(&messages).await.unwrap();
    // Eight claimants, each with its own pool (for SQLite: its own connections to the file).
    let mut tasks = Vec::new();
    for n in 0..8 {
        let url = db.url.clone();
        tasks.push(tokio::spawn(async move {
            let outbox = Outbox::connect(&url).await.unwrap();
            let mut mine = Vec::new();
            loop {
                let claimed = outbox
                    .claim(&ClaimRequest::new(
                        7,
                        Duration::from_secs(60),
                        format!("w{n}"),
                        3,
                    ))
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|c| c.message.id));
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 300, "every message claimed");
    assert_eq!(unique.len(), 300, "no message claimed twice");
}

async fn leases_and_retries_use_the_database_clock(db: &TestDb) {
    let outbox = db.outbox().await;
    outbox
        .enqueue(&[message("https://consumer.example/cb", b"{}")])
        .await
        .unwrap();
    let mut request = claim_request(1);
    request.lease = Duration::from_millis(45_000);
    let claimed = outbox.claim(&request).await.unwrap().remove(0);
    let attempt = &outbox
        .get(&claimed.message.id)
        .await
        .unwrap()
        .unwrap()
        .attempt_log[0];
    assert_eq!(
        attempt.lease_until.since(attempt.started_at),
        Duration::from_millis(45_000)
    );
    assert_eq!(Some(claimed.lease_until), claimed.message.lease_until);
    let record = AttemptRecord::new(&claimed, Decision::Retry(Duration::from_millis(7_000)));
    outbox.record(&[record]).await.unwrap();
    let detail = outbox.get(&claimed.message.id).await.unwrap().unwrap();
    let ended = detail.attempt_log[0].ended_at.unwrap();
    assert_eq!(
        detail.message.next_attempt_at.since(ended),
        Duration::from_millis(7_000)
    );
    assert_eq!(
        detail.attempt_log[0].next_attempt_at,
        Some(detail.message.next_attempt_at)
    );
}

async fn record_delivered_finishes_the_message(db: &TestDb) {
    let outbox = db.outbox().await;
    outbox
        .enqueue(&[message("https://consumer.example/cb", b"{}")])
        .await
        .unwrap();
    let claimed = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    let mut record = AttemptRecord::new(&claimed, Decision::Delivered);
    record.status = Some(204);
    record.address = Some("192.0.2.1:443".into());
    let recorded = outbox.record(&[record]).await.unwrap();
    assert_eq!(
        recorded,
        [Recorded::Applied {
            state: State::Delivered,
            next_attempt_at: None
        }]
    );
    let detail = outbox.get(&claimed.message.id).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Delivered);
    assert_eq!(detail.message.last_status, Some(204));
    assert!(detail.message.finished_at.is_some());
    assert!(detail.message.lease_until.is_none() && detail.message.claimed_by.is_none());
    let attempt = &detail.attempt_log[0];
    assert_eq!(attempt.outcome, AttemptOutcome::Delivered);
    assert_eq!(attempt.status, Some(204));
    assert_eq!(attempt.address.as_deref(), Some("192.0.2.1:443"));
    assert!(outbox.claim(&claim_request(1)).await.unwrap().is_empty());
}

async fn record_retry_reschedules_it(db: &TestDb) {
    let outbox = db.outbox().await;
    outbox
        .enqueue(&[message("https://consumer.example/cb", b"{}")])
        .await
        .unwrap();
    let claimed = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    let mut record = AttemptRecord::new(&claimed, Decision::Retry(Duration::from_secs(3600)));
    record.status = Some(503);
    record.failure = Some(Failure::Status);
    record.error = Some("HTTP 503 Service Unavailable".into());
    outbox.record(&[record]).await.unwrap();
    let m = outbox
        .get(&claimed.message.id)
        .await
        .unwrap()
        .unwrap()
        .message;
    assert_eq!(m.state, State::Pending);
    assert_eq!(m.attempts, 1);
    assert_eq!(
        m.last_error.as_deref(),
        Some("HTTP 503 Service Unavailable")
    );
    assert!(m.finished_at.is_none());
    assert!(
        outbox.claim(&claim_request(1)).await.unwrap().is_empty(),
        "not due for an hour"
    );
    db.make_due(&m.id).await;
    let again = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    assert_eq!((again.number, again.round_attempt), (2, 2));
    assert_eq!(again.kind, AttemptKind::Scheduled);
    assert_ne!(again.token, claimed.token);
    let detail = outbox.get(&m.id).await.unwrap().unwrap();
    assert_eq!(detail.attempt_log[0].outcome, AttemptOutcome::Retry);
    assert_eq!(detail.attempt_log[0].error_kind.as_deref(), Some("status"));
    assert_eq!(detail.attempt_log[1].outcome, AttemptOutcome::InProgress);
}

async fn record_dead_finishes_it(db: &TestDb) {
    let outbox = db.outbox().await;
    outbox
        .enqueue(&[message("https://consumer.example/cb", b"{}")])
        .await
        .unwrap();
    let claimed = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    let mut record = AttemptRecord::new(&claimed, Decision::Dead);
    record.status = Some(410);
    outbox.record(&[record]).await.unwrap();
    let m = outbox
        .get(&claimed.message.id)
        .await
        .unwrap()
        .unwrap()
        .message;
    assert_eq!(m.state, State::Dead);
    assert!(m.finished_at.is_some());
    assert!(outbox.claim(&claim_request(1)).await.unwrap().is_empty());
}

async fn a_stale_claim_cannot_change_the_state(db: &TestDb) {
    let outbox = db.outbox().await;
    outbox
        .enqueue(&[message("https://consumer.example/cb", b"{}")])
        .await
        .unwrap();
    let stale = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    // Its lease runs out (the worker paused); another claim takes the message back.
    db.expire(&stale.message.id).await;
    let fresh = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    assert_eq!(fresh.message.id, stale.message.id);
    assert_eq!(fresh.kind, AttemptKind::Reclaimed);
    assert_eq!(fresh.number, 2);
    let detail = outbox.get(&stale.message.id).await.unwrap().unwrap();
    assert_eq!(detail.attempt_log[0].outcome, AttemptOutcome::Interrupted);
    // The successor finishes first: delivered.
    let recorded = outbox
        .record(&[AttemptRecord::new(&fresh, Decision::Delivered)])
        .await
        .unwrap();
    assert!(matches!(
        recorded[0],
        Recorded::Applied {
            state: State::Delivered,
            ..
        }
    ));
    // The paused worker comes back with a failure: superseded, the state is not touched.
    for late in [
        Decision::Retry(Duration::ZERO),
        Decision::Dead,
        Decision::Delivered,
    ] {
        let mut record = AttemptRecord::new(&stale, late);
        record.status = Some(500);
        assert_eq!(
            outbox.record(&[record]).await.unwrap(),
            [Recorded::Superseded]
        );
    }
    let detail = outbox.get(&stale.message.id).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Delivered);
    assert_eq!(detail.attempt_log[0].outcome, AttemptOutcome::Superseded);
    assert_eq!(detail.attempt_log[0].status, Some(500));
    assert_eq!(detail.attempt_log[1].outcome, AttemptOutcome::Delivered);
    // A stale token while the successor is still in flight: superseded as well.
    outbox
        .enqueue(&[message("https://consumer.example/cb", b"{}")])
        .await
        .unwrap();
    let first = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    db.expire(&first.message.id).await;
    let second = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    assert_eq!(
        outbox
            .record(&[AttemptRecord::new(&first, Decision::Delivered)])
            .await
            .unwrap(),
        [Recorded::Superseded]
    );
    let m = outbox
        .get(&first.message.id)
        .await
        .unwrap()
        .unwrap()
        .message;
    assert_eq!(m.state, State::InFlight);
    assert_eq!(m.claimed_by.as_deref(), Some("test-worker"));
    assert!(matches!(
        outbox
            .record(&[AttemptRecord::new(&second, Decision::Delivered)])
            .await
            .unwrap()[0],
        Recorded::Applied { .. }
    ));
}

async fn release_gives_a_claim_back_unattempted(db: &TestDb) {
    let outbox = db.outbox().await;
    let new = message("https://consumer.example/cb", b"{}");
    outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    let before = outbox.get(new.id()).await.unwrap().unwrap().message;
    let claimed = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    assert_eq!(
        outbox
            .release(std::slice::from_ref(&claimed))
            .await
            .unwrap(),
        [true]
    );
    // As if never claimed: pending, due as it was, no attempt counted or kept.
    let detail = outbox.get(new.id()).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Pending);
    assert_eq!(detail.message.attempts, 0);
    assert_eq!(detail.message.next_attempt_at, before.next_attempt_at);
    assert_eq!(detail.message.claimed_by, None);
    assert!(detail.attempt_log.is_empty());
    // Released twice, or its result recorded after: the claim is no longer current.
    assert_eq!(
        outbox
            .release(std::slice::from_ref(&claimed))
            .await
            .unwrap(),
        [false]
    );
    assert_eq!(
        outbox
            .record(&[AttemptRecord::new(&claimed, Decision::Delivered)])
            .await
            .unwrap(),
        [Recorded::Superseded]
    );
    assert_eq!(
        outbox.get(new.id()).await.unwrap().unwrap().message.state,
        State::Pending
    );
    // Claimed again: the first attempt.
    let again = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    assert_eq!((again.number, again.kind), (1, AttemptKind::Scheduled));
    // A stale claim (its lease ran out, another worker took the message) gives nothing back.
    db.expire(&again.message.id).await;
    let successor = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    assert_eq!(
        outbox.release(std::slice::from_ref(&again)).await.unwrap(),
        [false]
    );
    let detail = outbox.get(new.id()).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::InFlight);
    assert_eq!(detail.message.attempts, successor.number);
    let outcomes: Vec<_> = detail.attempt_log.iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        [AttemptOutcome::Interrupted, AttemptOutcome::InProgress]
    );
}

async fn a_claim_released_after_its_lease_ran_out_keeps_no_attempt(db: &TestDb) {
    // Two leases run out; a claim of one takes back both attempts (interrupted) but takes only
    // one message. The other's holder then gives its claim back: the message is as if never
    // claimed, its interrupted attempt row gone with it (the model test found this case).
    let outbox = db.outbox().await;
    let first = message("https://consumer.example/a", b"{}");
    let second = message("https://consumer.example/b", b"{}");
    outbox
        .enqueue(&[first.clone(), second.clone()])
        .await
        .unwrap();
    let held = outbox.claim(&claim_request(2)).await.unwrap();
    assert_eq!(held.len(), 2);
    for claimed in &held {
        db.expire(&claimed.message.id).await;
    }
    let taken = outbox.claim(&claim_request(1)).await.unwrap();
    assert_eq!(taken.len(), 1);
    let left = held
        .iter()
        .find(|c| c.message.id != taken[0].message.id)
        .unwrap();
    assert_eq!(
        outbox.release(std::slice::from_ref(left)).await.unwrap(),
        [true]
    );
    let detail = outbox.get(&left.message.id).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Pending);
    assert_eq!(detail.message.attempts, 0);
    assert!(detail.attempt_log.is_empty(), "{:?}", detail.attempt_log);
}

async fn an_expired_last_attempt_is_dead(db: &TestDb) {
    let outbox = db.outbox().await;
    outbox
        .enqueue(&[message("https://consumer.example/cb", b"{}")])
        .await
        .unwrap();
    let mut request = claim_request(1);
    request.max_attempts = 1;
    let claimed = outbox.claim(&request).await.unwrap().remove(0);
    db.expire(&claimed.message.id).await;
    assert!(outbox.claim(&request).await.unwrap().is_empty());
    let detail = outbox.get(&claimed.message.id).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Dead);
    assert!(detail.message.last_error.unwrap().contains("lease"));
    assert_eq!(detail.attempt_log[0].outcome, AttemptOutcome::Interrupted);
}

async fn cancel_stops_pending_and_in_flight_messages(db: &TestDb) {
    let outbox = db.outbox().await;
    let a = message("https://consumer.example/a", b"{}");
    let b = message("https://consumer.example/b", b"{}").delay(Duration::from_secs(3600));
    outbox.enqueue(&[a.clone(), b.clone()]).await.unwrap();
    let in_flight = outbox.claim(&claim_request(1)).await.unwrap().remove(0);
    assert_eq!(in_flight.message.id, a.id());
    let changes = outbox
        .cancel(&[a.id(), b.id(), "msg_missing"])
        .await
        .unwrap();
    assert_eq!(
        changes[0].outcome,
        ChangeOutcome::Changed {
            from: State::InFlight,
            state: State::Cancelled
        }
    );
    assert_eq!(
        changes[1].outcome,
        ChangeOutcome::Changed {
            from: State::Pending,
            state: State::Cancelled
        }
    );
    assert_eq!(changes[2].outcome, ChangeOutcome::NotFound);
    // The attempt under way comes back: superseded, still cancelled.
    assert_eq!(
        outbox
            .record(&[AttemptRecord::new(&in_flight, Decision::Delivered)])
            .await
            .unwrap(),
        [Recorded::Superseded]
    );
    assert_eq!(
        outbox.get(a.id()).await.unwrap().unwrap().message.state,
        State::Cancelled
    );
    // Cancelling a finished message changes nothing.
    assert_eq!(
        outbox.cancel(&[a.id()]).await.unwrap()[0].outcome,
        ChangeOutcome::Unchanged {
            state: State::Cancelled
        }
    );
    assert!(outbox.claim(&claim_request(5)).await.unwrap().is_empty());
}

async fn replay_keeps_id_and_body_and_starts_a_round(db: &TestDb) {
    let outbox = db.outbox().await;
    let new = message("https://consumer.example/cb", b"{\"exact\": \"bytes\"}");
    outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    let mut request = claim_request(1);
    request.max_attempts = 2;
    for _ in 0..2 {
        let claimed = outbox.claim(&request).await.unwrap().remove(0);
        let decision = if claimed.round_attempt < 2 {
            Decision::Retry(Duration::ZERO)
        } else {
            Decision::Dead
        };
        outbox
            .record(&[AttemptRecord::new(&claimed, decision)])
            .await
            .unwrap();
    }
    assert_eq!(
        outbox.get(new.id()).await.unwrap().unwrap().message.state,
        State::Dead
    );
    let pending = message("https://consumer.example/cb", b"{}");
    outbox
        .enqueue(std::slice::from_ref(&pending))
        .await
        .unwrap();
    let changes = outbox
        .replay(&[new.id(), pending.id(), "msg_missing"])
        .await
        .unwrap();
    assert_eq!(
        changes[0].outcome,
        ChangeOutcome::Changed {
            from: State::Dead,
            state: State::Pending
        }
    );
    assert_eq!(
        changes[1].outcome,
        ChangeOutcome::Unchanged {
            state: State::Pending
        }
    );
    assert_eq!(changes[2].outcome, ChangeOutcome::NotFound);
    request.limit = 5;
    let replayed = outbox.claim(&request).await.unwrap();
    let again = replayed.iter().find(|c| c.message.id == new.id()).unwrap();
    assert_eq!(again.kind, AttemptKind::Manual);
    assert_eq!((again.number, again.round_attempt), (3, 1));
    assert_eq!(again.message.body.as_ref(), b"{\"exact\": \"bytes\"}");
    assert_eq!(again.message.replays, 1);
    outbox
        .record(&[AttemptRecord::new(again, Decision::Delivered)])
        .await
        .unwrap();
    // A delivered message can be replayed too (a resend), with the same id.
    let changes = outbox.replay(&[new.id()]).await.unwrap();
    assert_eq!(
        changes[0].outcome,
        ChangeOutcome::Changed {
            from: State::Delivered,
            state: State::Pending
        }
    );
    let detail = outbox.get(new.id()).await.unwrap().unwrap();
    let numbers: Vec<_> = detail.attempt_log.iter().map(|a| a.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
}

async fn replay_dead_replays_every_dead_message(db: &TestDb) {
    let outbox = db.outbox().await;
    let messages: Vec<_> = (0..4)
        .map(|_| message("https://consumer.example/cb", b"{}"))
        .collect();
    outbox.enqueue(&messages).await.unwrap();
    let claimed = outbox.claim(&claim_request(4)).await.unwrap();
    let records: Vec<_> = claimed
        .iter()
        .enumerate()
        .map(|(i, c)| {
            AttemptRecord::new(
                c,
                if i < 3 {
                    Decision::Dead
                } else {
                    Decision::Delivered
                },
            )
        })
        .collect();
    outbox.record(&records).await.unwrap();
    let mut dead: Vec<_> = claimed[..3].iter().map(|c| c.message.id.clone()).collect();
    dead.sort();
    let replayed: Vec<_> = outbox
        .replay_dead()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(replayed, dead);
    let counts = outbox.counts().await.unwrap();
    assert_eq!((counts.pending, counts.delivered, counts.dead), (3, 1, 0));
}

async fn purge_deletes_only_old_finished_messages(db: &TestDb) {
    let outbox = db.outbox().await;
    let messages: Vec<_> = (0..3)
        .map(|_| message("https://consumer.example/cb", b"{}"))
        .collect();
    outbox.enqueue(&messages).await.unwrap();
    let claimed = outbox.claim(&claim_request(2)).await.unwrap();
    let records: Vec<_> = claimed
        .iter()
        .map(|c| AttemptRecord::new(c, Decision::Delivered))
        .collect();
    outbox.record(&records).await.unwrap();
    assert_eq!(outbox.purge(Duration::from_secs(3600)).await.unwrap(), 0);
    // One of them finished two hours ago.
    db.exec(&format!(
        "UPDATE callback_message SET finished_at = finished_at - 7200000 WHERE id = '{}'",
        claimed[0].message.id
    ))
    .await;
    assert_eq!(outbox.purge(Duration::from_secs(3600)).await.unwrap(), 1);
    assert!(outbox.get(&claimed[0].message.id).await.unwrap().is_none());
    assert_eq!(
        db.number(&format!(
            "SELECT COUNT(*) FROM callback_attempt WHERE message_id = '{}'",
            claimed[0].message.id
        ))
        .await,
        0
    );
    assert_eq!(outbox.purge(Duration::ZERO).await.unwrap(), 1);
    let counts = outbox.counts().await.unwrap();
    assert_eq!((counts.pending, counts.delivered), (1, 0));
}

async fn list_filters_and_pages(db: &TestDb) {
    let outbox = db.outbox().await;
    let mut messages = Vec::new();
    for _ in 0..5 {
        messages.push(message("https://consumer.example/cb", b"{}"));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    outbox.enqueue(&messages).await.unwrap();
    let claimed = outbox.claim(&claim_request(2)).await.unwrap();
    let all = outbox.list(&ListFilter::default()).await.unwrap();
    let ids: Vec<_> = all.iter().map(|m| m.id.clone()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "by id, that is by creation");
    assert_eq!(ids.len(), 5);
    let in_flight = outbox
        .list(&ListFilter::state(State::InFlight))
        .await
        .unwrap();
    assert_eq!(in_flight.len(), 2);
    assert!(
        in_flight
            .iter()
            .all(|m| claimed.iter().any(|c| c.message.id == m.id))
    );
    let mut page = ListFilter::default();
    page.limit = Some(2);
    let first = outbox.list(&page).await.unwrap();
    page.after = Some(first[1].id.clone());
    let second = outbox.list(&page).await.unwrap();
    assert_eq!(
        first
            .iter()
            .chain(&second)
            .map(|m| m.id.clone())
            .collect::<Vec<_>>(),
        ids[..4]
    );
    let counts = outbox.counts().await.unwrap();
    assert_eq!((counts.pending, counts.in_flight), (3, 2));
    assert!(!counts.is_idle());
}

async fn migrations_are_idempotent_and_kept_apart(db: &TestDb) {
    let first = db.outbox().await;
    first
        .enqueue(&[message("https://consumer.example/cb", b"{}")])
        .await
        .unwrap();
    let second = db.outbox().await;
    second.migrate().await.unwrap();
    assert_eq!(second.counts().await.unwrap().pending, 1);
    // Each of the shipped migrations ran once.
    assert_eq!(
        db.number("SELECT COUNT(*) FROM callback_outbox_migrations")
            .await,
        2
    );
    // The application's own sqlx migrations table is left to the application.
    let apps = match db.kind {
        Kind::Sqlite => {
            db.number("SELECT COUNT(*) FROM sqlite_master WHERE name = '_sqlx_migrations'")
                .await
        }
        Kind::Postgres => {
            db.number("SELECT COUNT(*) FROM pg_tables WHERE tablename = '_sqlx_migrations'")
                .await
        }
    };
    assert_eq!(apps, 0);
}

// ---- The worker, against a consumer on 127.0.0.1.

fn delivery() -> DeliveryOptions {
    DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed("127.0.0.0/8".parse().unwrap()))
        .with_connect_timeout(Duration::from_secs(1))
        .with_timeout(Duration::from_secs(2))
}

fn schedule(text: &str) -> Schedule {
    text.parse::<Schedule>().unwrap().with_jitter(0.0).unwrap()
}

fn worker(outbox: &Outbox, steps: &str) -> Worker {
    Worker::new(outbox.clone(), delivery())
        .schedule(schedule(steps))
        .poll_interval(Duration::from_millis(20))
        .until_idle(true)
        .name("conformance")
}

/// Runs a worker until nothing is left, collecting its reports.
async fn drain(worker: Worker) -> Vec<AttemptReport> {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    worker
        .on_attempt(move |r| sink.lock().unwrap().push(r.clone()))
        .run(CancellationToken::new())
        .await
        .unwrap();
    reports.lock().unwrap().clone()
}

async fn worker_delivers_with_the_same_id_and_body_and_a_fresh_signature(db: &TestDb) {
    let outbox = db.outbox().await;
    let consumer = Consumer::start(vec![secret(1)], |_, n| {
        Answer::status(if n == 1 { 503 } else { 200 })
    })
    .await;
    let body: &'static [u8] = br#"{"jobId":"7","percent":50}"#;
    let new = message(&consumer.url("/progress"), body).header("x-extra", "yes");
    outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    // 1.1 s between the attempts: the second's timestamp (in seconds) must differ.
    let reports = drain(worker(&outbox, "1100ms").secrets(OneSecret(secret(1)))).await;
    let seen = consumer.seen();
    assert_eq!(seen.len(), 2);
    for s in &seen {
        assert_eq!(
            s.id,
            new.id(),
            "webhook-id is the message id on every attempt"
        );
        assert_eq!(s.body.as_ref(), body, "the exact bytes");
        assert_eq!(s.verified_by, Some(0), "signed with the secret");
        assert_eq!(s.header("x-extra"), Some("yes"));
        assert_eq!(s.header("content-type"), Some("application/json"));
        assert_eq!(s.path, "/progress");
    }
    assert_ne!(
        seen[0].header("webhook-timestamp"),
        seen[1].header("webhook-timestamp")
    );
    assert_ne!(
        seen[0].header("webhook-signature"),
        seen[1].header("webhook-signature")
    );
    let outcomes: Vec<_> = reports
        .iter()
        .map(|r| (r.attempt, r.outcome, r.status))
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, AttemptOutcome::Retry, Some(503)),
            (2, AttemptOutcome::Delivered, Some(200))
        ]
    );
    assert!(seen[1].at.duration_since(seen[0].at) >= Duration::from_millis(1100));
    let detail = outbox.get(new.id()).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Delivered);
    assert_eq!(detail.attempt_log.len(), 2);
    assert!(
        detail.attempt_log[0]
            .address
            .as_deref()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
}

async fn worker_honours_retry_after_up_to_the_largest_step(db: &TestDb) {
    let outbox = db.outbox().await;
    // Asks for 1 s, then for a day: the second is capped at the largest step (1.5 s).
    let consumer = Consumer::start(vec![], |_, n| match n {
        1 => Answer::status(429).retry_after("1"),
        2 => Answer::status(503).retry_after("86400"),
        _ => Answer::status(200),
    })
    .await;
    outbox
        .enqueue(&[message(&consumer.url("/cb"), b"{}")])
        .await
        .unwrap();
    drain(worker(&outbox, "100ms,1500ms")).await;
    let seen = consumer.seen();
    assert_eq!(seen.len(), 3);
    let first_wait = seen[1].at.duration_since(seen[0].at);
    let second_wait = seen[2].at.duration_since(seen[1].at);
    assert!(
        first_wait >= Duration::from_millis(1000) && first_wait < Duration::from_millis(1500),
        "Retry-After: 1 honoured over the 100 ms step: {first_wait:?}"
    );
    assert!(
        second_wait >= Duration::from_millis(1500) && second_wait < Duration::from_millis(3000),
        "Retry-After: 86400 capped at the largest step: {second_wait:?}"
    );
}

async fn worker_gives_up_at_once_on_410(db: &TestDb) {
    let outbox = db.outbox().await;
    let consumer = Consumer::start(vec![], |_, _| Answer::status(410)).await;
    let new = message(&consumer.url("/gone"), b"{}");
    outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    let reports = drain(worker(&outbox, "50ms,50ms,50ms")).await;
    assert_eq!(consumer.seen().len(), 1);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].outcome, AttemptOutcome::Dead);
    assert_eq!(
        outbox.get(new.id()).await.unwrap().unwrap().message.state,
        State::Dead
    );
}

async fn worker_retries_other_4xx_only_when_told(db: &TestDb) {
    let outbox = db.outbox().await;
    let consumer =
        Consumer::start(vec![], |_, n| Answer::status(if n < 3 { 404 } else { 200 })).await;
    let retried = message(&consumer.url("/a"), b"{}");
    outbox
        .enqueue(std::slice::from_ref(&retried))
        .await
        .unwrap();
    drain(worker(&outbox, "50ms,50ms,50ms")).await;
    assert_eq!(
        outbox
            .get(retried.id())
            .await
            .unwrap()
            .unwrap()
            .message
            .state,
        State::Delivered
    );
    let not_retried = message(&consumer.url("/b"), b"{}");
    outbox
        .enqueue(std::slice::from_ref(&not_retried))
        .await
        .unwrap();
    drain(worker(&outbox, "50ms,50ms,50ms").retry_client_errors(false)).await;
    let detail = outbox.get(not_retried.id()).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Dead);
    assert_eq!(detail.attempt_log.len(), 1);
    assert_eq!(detail.attempt_log[0].status, Some(404));
}

async fn worker_checks_the_url_policy_at_each_attempt(db: &TestDb) {
    let outbox = db.outbox().await;
    let consumer = Consumer::start(vec![], |_, _| Answer::status(200)).await;
    let new = message(&consumer.url("/cb"), b"{}");
    outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    // The default policy refuses loopback: dead at once, and nothing reaches the consumer.
    let strict = delivery().with_policy(UrlPolicy::default());
    let reports = drain(
        Worker::new(outbox.clone(), strict)
            .schedule(schedule("50ms"))
            .poll_interval(Duration::from_millis(20))
            .until_idle(true),
    )
    .await;
    assert!(consumer.seen().is_empty());
    assert_eq!(reports[0].outcome, AttemptOutcome::Dead);
    assert_eq!(reports[0].error_kind, Some("denied"));
    let detail = outbox.get(new.id()).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Dead);
    assert!(detail.message.last_error.unwrap().contains("loopback"));
    // Replayed under a policy that allows it, the same message is delivered.
    outbox.replay(&[new.id()]).await.unwrap();
    drain(worker(&outbox, "50ms")).await;
    assert_eq!(consumer.seen().len(), 1);
    assert_eq!(consumer.seen()[0].id, new.id());
}

async fn worker_looks_the_secret_up_at_each_attempt(db: &TestDb) {
    let outbox = db.outbox().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, secret(1).to_whsec()).unwrap();
    let rotate = file.clone();
    // The consumer knows both secrets; the provider rotates between the attempts.
    let consumer = Consumer::start(vec![secret(1), secret(2)], move |_, n| {
        if n == 1 {
            std::fs::write(&rotate, secret(2).to_whsec()).unwrap();
            Answer::status(500)
        } else {
            Answer::status(200)
        }
    })
    .await;
    let new = message(&consumer.url("/cb"), b"{}").secret_ref("default");
    outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    drain(worker(&outbox, "50ms").secrets(SecretFile(file))).await;
    let seen = consumer.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].verified_by,
        Some(0),
        "first attempt: the old secret"
    );
    assert_eq!(
        seen[1].verified_by,
        Some(1),
        "second attempt: the rotated one"
    );
    // Only its name is stored: the key is in no column of any row.
    let key = &secret(2).to_whsec()[6..];
    let rows = db
        .number(&format!(
            "SELECT COUNT(*) FROM callback_message WHERE id || operation || callback || expression \
             || method || url || headers || COALESCE(secret_ref, '') || COALESCE(last_error, '') \
             LIKE '%{key}%'"
        ))
        .await;
    assert_eq!(rows, 0);
    // A secret that cannot be read fails the attempt: never sent unsigned.
    std::fs::remove_file(dir.path().join("secret")).unwrap();
    let unsigned = message(&consumer.url("/cb"), b"{}");
    outbox
        .enqueue(std::slice::from_ref(&unsigned))
        .await
        .unwrap();
    let reports =
        drain(worker(&outbox, "none").secrets(SecretFile(dir.path().join("secret")))).await;
    assert_eq!(consumer.seen().len(), 2);
    assert_eq!(reports[0].error_kind, Some("secret"));
    assert_eq!(reports[0].outcome, AttemptOutcome::Dead);
}

async fn worker_retries_timeouts(db: &TestDb) {
    let outbox = db.outbox().await;
    let consumer = Consumer::start(vec![], |_, n| {
        if n == 1 {
            Answer::status(200).after(Duration::from_millis(1500))
        } else {
            Answer::status(200)
        }
    })
    .await;
    let new = message(&consumer.url("/slow"), b"{}");
    outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    let options = delivery().with_timeout(Duration::from_millis(300));
    let reports = drain(
        Worker::new(outbox.clone(), options)
            .schedule(schedule("50ms"))
            .poll_interval(Duration::from_millis(20))
            .until_idle(true),
    )
    .await;
    assert_eq!(reports[0].error_kind, Some("timeout"));
    assert_eq!(reports[0].outcome, AttemptOutcome::Retry);
    assert_eq!(reports[1].outcome, AttemptOutcome::Delivered);
}

async fn worker_bounds_concurrency_overall_and_per_origin(db: &TestDb) {
    let outbox = db.outbox().await;
    let slow = |_: &support::Seen, _| Answer::status(200).after(Duration::from_millis(150));
    let a = Consumer::start(vec![], slow).await;
    let b = Consumer::start_on("127.0.0.2:0".parse().unwrap(), vec![], slow).await;
    let mut messages = Vec::new();
    for _ in 0..8 {
        messages.push(message(&a.url("/a"), b"{}"));
        messages.push(message(&b.url("/b"), b"{}"));
    }
    outbox.enqueue(&messages).await.unwrap();
    let started = Instant::now();
    drain(worker(&outbox, "none").concurrency(3).per_origin(2)).await;
    assert_eq!(a.seen().len() + b.seen().len(), 16);
    assert!(a.max_concurrent() <= 2 && b.max_concurrent() <= 2);
    assert!(
        a.max_concurrent() + b.max_concurrent() >= 3,
        "the concurrency is used"
    );
    // 16 attempts of 150 ms, 3 at a time: at least 6 rounds.
    assert!(started.elapsed() >= Duration::from_millis(750));
}

async fn worker_shutdown_finishes_the_attempts_under_way(db: &TestDb) {
    let outbox = db.outbox().await;
    let consumer = Consumer::start(vec![], |_, _| {
        Answer::status(200).after(Duration::from_millis(500))
    })
    .await;
    let messages: Vec<_> = (0..6)
        .map(|_| message(&consumer.url("/cb"), b"{}"))
        .collect();
    outbox.enqueue(&messages).await.unwrap();
    let shutdown = CancellationToken::new();
    let run = tokio::spawn(
        Worker::new(outbox.clone(), delivery())
            .schedule(schedule("none"))
            .concurrency(2)
            .per_origin(2)
            .run(shutdown.clone()),
    );
    consumer.wait_for(2, Duration::from_secs(10)).await;
    shutdown.cancel();
    let summary = run.await.unwrap().unwrap();
    // The two under way were finished and recorded; nothing else was claimed.
    assert_eq!(summary.delivered, 2);
    let counts = outbox.counts().await.unwrap();
    assert_eq!(
        (counts.delivered, counts.in_flight, counts.pending),
        (2, 0, 4)
    );
    assert_eq!(consumer.seen().len(), 2);
}

async fn worker_dead_after_the_schedule(db: &TestDb) {
    let outbox = db.outbox().await;
    let consumer = Consumer::start(vec![], |_, _| Answer::status(500)).await;
    let new = message(&consumer.url("/cb"), b"{}");
    outbox.enqueue(std::slice::from_ref(&new)).await.unwrap();
    let reports = drain(worker(&outbox, "20ms,20ms")).await;
    assert_eq!(consumer.seen().len(), 3);
    let outcomes: Vec<_> = reports.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            AttemptOutcome::Retry,
            AttemptOutcome::Retry,
            AttemptOutcome::Dead
        ]
    );
    let detail = outbox.get(new.id()).await.unwrap().unwrap();
    assert_eq!(detail.message.state, State::Dead);
    assert_eq!(detail.message.attempts, 3);
    assert_eq!(detail.message.last_status, Some(500));
}
