//! The message state machine against a model: random sequences of enqueue, claim, record and
//! release (on current and on stale claims), lease expiry, replay, replay of every dead message
//! and cancel, run on a real SQLite file and a real PostgreSQL database; after every step the
//! store and the model must agree, and a stale claim must never have changed a state.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod support;

use std::time::Duration;

use callback_outbox::{
    AttemptKind, AttemptOutcome, AttemptRecord, ChangeOutcome, ClaimRequest, Claimed,
    ConnectOptions, Decision, NewMessage, Outbox, Recorded, State,
};
use proptest::prelude::*;
use proptest::sample::Index;
use support::{Kind, TestDb};

/// Attempts per round in every claim of the model.
const MAX_ATTEMPTS: u32 = 3;

#[derive(Clone, Debug)]
enum Op {
    Enqueue,
    Claim(usize),
    /// Record the result of one of the claims made so far (current or stale).
    Record(Index, Outcome),
    /// Give one of the claims made so far back unattempted (current or stale).
    Release(Index),
    /// The lease of a message runs out.
    Expire(Index),
    /// A pending message waiting for a later attempt becomes due.
    MakeDue(Index),
    Replay(Index),
    ReplayDead,
    Cancel(Index),
}

#[derive(Clone, Copy, Debug)]
enum Outcome {
    Delivered,
    RetryNow,
    RetryLater,
    Dead,
}

impl Outcome {
    fn decision(self) -> Decision {
        match self {
            Outcome::Delivered => Decision::Delivered,
            Outcome::RetryNow => Decision::Retry(Duration::ZERO),
            Outcome::RetryLater => Decision::Retry(Duration::from_secs(3600)),
            Outcome::Dead => Decision::Dead,
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    let outcome = prop_oneof![
        Just(Outcome::Delivered),
        Just(Outcome::RetryNow),
        Just(Outcome::RetryLater),
        Just(Outcome::Dead),
    ];
    prop_oneof![
        3 => Just(Op::Enqueue),
        4 => (1usize..4).prop_map(Op::Claim),
        5 => (any::<Index>(), outcome).prop_map(|(i, o)| Op::Record(i, o)),
        1 => any::<Index>().prop_map(Op::Release),
        2 => any::<Index>().prop_map(Op::Expire),
        1 => any::<Index>().prop_map(Op::MakeDue),
        1 => any::<Index>().prop_map(Op::Replay),
        1 => Just(Op::ReplayDead),
        1 => any::<Index>().prop_map(Op::Cancel),
    ]
}

/// What the model knows of one message.
#[derive(Clone, Debug)]
struct Model {
    id: String,
    state: State,
    token: Option<String>,
    attempts: u32,
    base: u32,
    due: bool,
    expired: bool,
}

struct Run<'a> {
    db: &'a TestDb,
    outbox: Outbox,
    models: Vec<Model>,
    claims: Vec<Claimed>,
}

impl Run<'_> {
    async fn step(&mut self, op: &Op) {
        match op {
            Op::Enqueue => {
                let message =
                    NewMessage::new(http::Method::POST, "https://consumer.example/cb", "{}")
                        .unwrap();
                self.outbox
                    .enqueue(std::slice::from_ref(&message))
                    .await
                    .unwrap();
                self.models.push(Model {
                    id: message.id().to_owned(),
                    state: State::Pending,
                    token: None,
                    attempts: 0,
                    base: 0,
                    due: true,
                    expired: false,
                });
            }
            Op::Claim(limit) => {
                // Expired claims on a round's last attempt die first.
                for m in &mut self.models {
                    if m.state == State::InFlight
                        && m.expired
                        && m.attempts - m.base >= MAX_ATTEMPTS
                    {
                        m.state = State::Dead;
                        m.token = None;
                    }
                }
                let claimable: Vec<usize> = (0..self.models.len())
                    .filter(|&i| {
                        let m = &self.models[i];
                        (m.state == State::Pending && m.due)
                            || (m.state == State::InFlight && m.expired)
                    })
                    .collect();
                let request =
                    ClaimRequest::new(*limit, Duration::from_secs(600), "model", MAX_ATTEMPTS);
                let claimed = self.outbox.claim(&request).await.unwrap();
                assert_eq!(
                    claimed.len(),
                    (*limit).min(claimable.len()),
                    "claims what is due, up to the limit"
                );
                for c in claimed {
                    let i = self
                        .models
                        .iter()
                        .position(|m| m.id == c.message.id)
                        .unwrap();
                    assert!(
                        claimable.contains(&i),
                        "claimed {} which is not due",
                        c.message.id
                    );
                    let m = &mut self.models[i];
                    let reclaimed = m.state == State::InFlight;
                    assert_eq!(c.kind == AttemptKind::Reclaimed, reclaimed);
                    assert_eq!(c.number, m.attempts + 1);
                    assert_eq!(c.round_attempt, m.attempts + 1 - m.base);
                    assert_ne!(Some(&c.token), m.token.as_ref(), "a new token per claim");
                    m.state = State::InFlight;
                    m.token = Some(c.token.clone());
                    m.attempts += 1;
                    m.expired = false;
                    m.due = false;
                    self.claims.push(c);
                }
            }
            Op::Record(index, outcome) => {
                if self.claims.is_empty() {
                    return;
                }
                let claim = self.claims[index.index(self.claims.len())].clone();
                let m = self
                    .models
                    .iter_mut()
                    .find(|m| m.id == claim.message.id)
                    .unwrap();
                let current = m.state == State::InFlight && m.token.as_ref() == Some(&claim.token);
                let mut record = AttemptRecord::new(&claim, outcome.decision());
                record.status = Some(599);
                let recorded = self.outbox.record(&[record]).await.unwrap();
                if current {
                    let state = match outcome {
                        Outcome::Delivered => State::Delivered,
                        Outcome::RetryNow | Outcome::RetryLater => State::Pending,
                        Outcome::Dead => State::Dead,
                    };
                    assert!(
                        matches!(recorded[0], Recorded::Applied { state: s, .. } if s == state),
                        "{recorded:?}"
                    );
                    m.state = state;
                    m.token = None;
                    m.due = matches!(outcome, Outcome::RetryNow);
                } else {
                    assert_eq!(
                        recorded[0],
                        Recorded::Superseded,
                        "a stale claim changes nothing"
                    );
                }
            }
            Op::Release(index) => {
                if self.claims.is_empty() {
                    return;
                }
                let claim = self.claims[index.index(self.claims.len())].clone();
                let m = self
                    .models
                    .iter_mut()
                    .find(|m| m.id == claim.message.id)
                    .unwrap();
                let current = m.state == State::InFlight && m.token.as_ref() == Some(&claim.token);
                let released = self
                    .outbox
                    .release(std::slice::from_ref(&claim))
                    .await
                    .unwrap();
                assert_eq!(released, [current], "only a current claim is given back");
                if current {
                    // As before the claim: pending and due, the attempt not counted.
                    m.state = State::Pending;
                    m.token = None;
                    m.attempts -= 1;
                    m.due = true;
                    m.expired = false;
                }
            }
            Op::Expire(index) => {
                if let Some(i) = pick(index, self.models.len())
                    && self.models[i].state == State::InFlight
                {
                    let id = self.models[i].id.clone();
                    self.db
                        .exec(&format!(
                            "UPDATE callback_message SET lease_until = lease_until - 3600000 \
                             WHERE id = '{id}'; UPDATE callback_attempt \
                             SET lease_until = lease_until - 3600000 WHERE message_id = '{id}'"
                        ))
                        .await;
                    self.models[i].expired = true;
                }
            }
            Op::MakeDue(index) => {
                if let Some(i) = pick(index, self.models.len())
                    && self.models[i].state == State::Pending
                {
                    self.db.make_due(&self.models[i].id).await;
                    self.models[i].due = true;
                }
            }
            Op::Replay(index) => {
                if let Some(i) = pick(index, self.models.len()) {
                    let id = self.models[i].id.clone();
                    let change = self.outbox.replay(&[&id]).await.unwrap().remove(0);
                    let m = &mut self.models[i];
                    if m.state.is_finished() {
                        assert_eq!(
                            change.outcome,
                            ChangeOutcome::Changed {
                                from: m.state,
                                state: State::Pending
                            }
                        );
                        replayed(m);
                    } else {
                        assert_eq!(change.outcome, ChangeOutcome::Unchanged { state: m.state });
                    }
                }
            }
            Op::ReplayDead => {
                let ids: Vec<String> = self
                    .outbox
                    .replay_dead()
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|c| c.id)
                    .collect();
                let mut expected: Vec<String> = self
                    .models
                    .iter()
                    .filter(|m| m.state == State::Dead)
                    .map(|m| m.id.clone())
                    .collect();
                expected.sort();
                assert_eq!(ids, expected);
                for m in &mut self.models {
                    if m.state == State::Dead {
                        replayed(m);
                    }
                }
            }
            Op::Cancel(index) => {
                if let Some(i) = pick(index, self.models.len()) {
                    let id = self.models[i].id.clone();
                    let change = self.outbox.cancel(&[&id]).await.unwrap().remove(0);
                    let m = &mut self.models[i];
                    if matches!(m.state, State::Pending | State::InFlight) {
                        assert_eq!(
                            change.outcome,
                            ChangeOutcome::Changed {
                                from: m.state,
                                state: State::Cancelled
                            }
                        );
                        m.state = State::Cancelled;
                        m.token = None;
                    } else {
                        assert_eq!(change.outcome, ChangeOutcome::Unchanged { state: m.state });
                    }
                }
            }
        }
    }

    /// The store agrees with the model.
    async fn check(&self) {
        let counts = self.outbox.counts().await.unwrap();
        let count = |s| self.models.iter().filter(|m| m.state == s).count() as u64;
        assert_eq!(
            (
                counts.pending,
                counts.in_flight,
                counts.delivered,
                counts.dead,
                counts.cancelled
            ),
            (
                count(State::Pending),
                count(State::InFlight),
                count(State::Delivered),
                count(State::Dead),
                count(State::Cancelled)
            )
        );
        for m in &self.models {
            let detail = self.outbox.get(&m.id).await.unwrap().unwrap();
            let stored = &detail.message;
            assert_eq!(stored.state, m.state, "{}", m.id);
            assert_eq!(stored.attempts, m.attempts, "{}", m.id);
            let in_flight = m.state == State::InFlight;
            assert_eq!(stored.lease_until.is_some(), in_flight);
            assert_eq!(stored.claimed_by.is_some(), in_flight);
            assert_eq!(stored.finished_at.is_some(), m.state.is_finished());
            // One attempt row per claim, numbered from 1.
            let numbers: Vec<u32> = detail.attempt_log.iter().map(|a| a.number).collect();
            assert_eq!(numbers, (1..=m.attempts).collect::<Vec<_>>());
            let open = detail
                .attempt_log
                .iter()
                .filter(|a| a.outcome == AttemptOutcome::InProgress)
                .count();
            if in_flight {
                let last = detail.attempt_log.last().unwrap();
                assert!(matches!(
                    last.outcome,
                    AttemptOutcome::InProgress | AttemptOutcome::Interrupted
                ));
                assert!(open <= 1);
            } else {
                assert_eq!(
                    open, 0,
                    "a finished or pending message has no attempt under way"
                );
            }
        }
    }
}

fn replayed(m: &mut Model) {
    m.state = State::Pending;
    m.token = None;
    m.base = m.attempts;
    m.due = true;
}

fn pick(index: &Index, len: usize) -> Option<usize> {
    (len > 0).then(|| index.index(len))
}

async fn run_model(ops: &[Op], db: &TestDb) {
    // Empty tables for every case (one database for the whole property).
    let mut options = ConnectOptions::default();
    options.sqlite_full_sync = false;
    let outbox = Outbox::connect_with(&db.url, options).await.unwrap();
    db.exec("DELETE FROM callback_attempt; DELETE FROM callback_message")
        .await;
    let mut run = Run {
        db,
        outbox,
        models: Vec::new(),
        claims: Vec::new(),
    };
    for op in ops {
        run.step(op).await;
        run.check().await;
    }
    run.outbox.close().await;
}

fn property(kind: Kind, cases: u32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(TestDb::new(kind)).unwrap();
    let config = ProptestConfig {
        cases,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in prop::collection::vec(op(), 1..40))| {
        runtime.block_on(run_model(&ops, &db));
    });
}

#[test]
fn sqlite_store_follows_the_model() {
    property(Kind::Sqlite, 64);
}

#[test]
fn postgres_store_follows_the_model() {
    property(Kind::Postgres, 32);
    support::stop_postgres();
}
