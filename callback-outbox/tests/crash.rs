//! Crash tests with real processes on a real SQLite file: a provider process (this binary,
//! started again as a child) enqueues callbacks in its own transactions — most committed, some
//! rolled back — and delivers them to a consumer on 127.0.0.1; it is killed with SIGKILL at
//! random moments, or at chosen points (after a claim committed, before the send; after the
//! consumer answered, before the result was recorded), restarted each time, and finally drained.
//! A checker (Jepsen's total-queue, with a lease's duplicate bound) then asserts:
//!
//! - lost: nothing committed is missing or unfinished; every message `delivered` was answered
//!   `2xx` by the consumer, every message `dead` was answered `410` or lost its last attempt;
//! - unexpected: nothing rolled back was stored or received, nothing received is unknown;
//! - duplicates: at most one extra `2xx` per message sent but unrecorded at each kill (kills ×
//!   the worker's concurrency and its results waiting to be recorded, `max_unrecorded`, in
//!   all), and every copy carries the same body.
//!
//! And a worker paused with SIGSTOP past its lease, then continued, changes nothing: its late
//! result is `superseded`. Each test prints its figures (kills, messages, duplicates, losses).
#![allow(clippy::unwrap_used, unreachable_pub)]

mod support;

use std::time::{Duration, Instant};

use callback_outbox::{AttemptOutcome, State};
use libtest_mimic::{Arguments, Failed, Trial};
use nix::sys::signal::Signal;
use support::checker::{answer, check};
use support::child::{Child, ChildConfig, CrashPoint, Produce};
use support::{Answer, Consumer, Kind, TestDb};

fn main() {
    if support::child::run_if_child() {
        return;
    }
    let args = Arguments::from_args();
    let trials = vec![
        Trial::test("kill_at_random_moments", || {
            crash_test(
                "kill_at_random_moments",
                (0..10)
                    .map(|i| Kill::Random(Duration::from_millis(150 + 130 * i)))
                    .collect(),
            )
        }),
        Trial::test("kill_after_the_claim", || {
            crash_test(
                "kill_after_the_claim",
                [1, 40, 12, 70, 25].map(|n| Kill::At("claimed", n)).to_vec(),
            )
        }),
        Trial::test("kill_after_the_send", || {
            crash_test(
                "kill_after_the_send",
                [1, 35, 10, 60, 20].map(|n| Kill::At("sent", n)).to_vec(),
            )
        }),
        Trial::test("paused_worker_is_superseded", paused_worker_is_superseded),
    ];
    libtest_mimic::run(&args, trials).exit();
}

#[derive(Clone, Copy, Debug)]
enum Kill {
    /// SIGKILL after this long.
    Random(Duration),
    /// SIGKILL at the n-th event of this name.
    At(&'static str, usize),
}

const CONCURRENCY: usize = 8;
/// The results a worker may hold sent and not yet recorded, beyond its sends under way.
const MAX_UNRECORDED: usize = 8;
/// What one kill can leave sent but unrecorded: each may be sent again.
const UNRECORDED_PER_KILL: usize = CONCURRENCY + MAX_UNRECORDED;
const TRANSACTIONS_PER_RUN: usize = 50;

fn base_config(db: &TestDb) -> ChildConfig {
    ChildConfig {
        url: db.url.clone(),
        name: "provider".into(),
        allow: "127.0.0.1".into(),
        lease_ms: 1500,
        timeout_ms: 300,
        schedule: "50ms,100ms,200ms,400ms,800ms".into(),
        concurrency: CONCURRENCY,
        max_unrecorded: MAX_UNRECORDED,
        until_idle: false,
        crash: None,
        produce: None,
    }
}

fn crash_test(name: &str, kills: Vec<Kill>) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let db = TestDb::new(Kind::Sqlite).await?;
        let outbox = db.outbox().await;
        let consumer = Consumer::start(vec![], answer).await;
        let mut lines = Vec::new();
        let started = Instant::now();
        let mut at_points = 0;
        for (run, kill) in kills.iter().enumerate() {
            let mut config = base_config(&db);
            config.produce = Some(Produce {
                consumer: consumer.url("/callback"),
                transactions: TRANSACTIONS_PER_RUN,
                rollback_every: 7,
                first: run * TRANSACTIONS_PER_RUN,
            });
            if let Kill::At(point, after) = kill {
                config.crash = Some(CrashPoint {
                    at: (*point).into(),
                    after: *after,
                    wait_ms: None,
                });
            }
            let mut child = Child::spawn(&config);
            match kill {
                Kill::Random(after) => std::thread::sleep(*after),
                Kill::At(point, _) => {
                    // Generous: on a loaded 2-core machine (a CI runner building other
                    // crates), a child's first sends can take many seconds.
                    let reached = tokio::task::block_in_place(|| {
                        child.wait_line(&format!("at {point}"), Duration::from_secs(120))
                    });
                    if reached.is_none() {
                        let said = child.lines();
                        panic!(
                            "run {run}: the child never reached the point `{point}` in 120 s; \
                             it printed {} lines, the last: {:?}",
                            said.len(),
                            said.iter().rev().take(5).collect::<Vec<_>>()
                        );
                    }
                    at_points += 1;
                }
            }
            child.kill();
            lines.extend(child.lines());
        }
        // Restarted once more, without a crash point: it drains the outbox and exits.
        let mut config = base_config(&db);
        config.until_idle = true;
        let mut last = Child::spawn(&config);
        let status = tokio::task::block_in_place(|| last.wait(Duration::from_secs(120)));
        lines.extend(last.lines());
        assert!(
            status.is_some_and(|s| s.success()),
            "the last run drains and exits 0: {status:?}"
        );
        let figures = check(&db, &outbox, &consumer, &lines, kills.len() * UNRECORDED_PER_KILL).await;
        println!(
            "{name}: kills {} ({} at chosen points), committed messages {}, rolled back {}, delivered {}, \
             dead {}, attempts {}, consumer requests {}, duplicates {} (bound {}), lost 0, \
             unexpected 0, {:.1} s",
            kills.len(),
            at_points,
            figures.committed,
            figures.rolled_back,
            figures.delivered,
            figures.dead,
            figures.attempts,
            figures.requests,
            figures.duplicates,
            kills.len() * UNRECORDED_PER_KILL,
            started.elapsed().as_secs_f64()
        );
        Ok::<(), Failed>(())
    })
}

/// A worker stopped with SIGSTOP after the consumer answered and before it recorded the
/// result, kept stopped past its lease while another worker takes the message over and
/// delivers it, then continued: its late result is superseded, the message stays delivered.
fn paused_worker_is_superseded() -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = TestDb::new(Kind::Sqlite).await?;
        let outbox = db.outbox().await;
        // The first request fails (the paused worker would make it `pending` again), the
        // second is accepted.
        let consumer = Consumer::start(vec![], |_, n| Answer::status(if n == 1 { 500 } else { 200 })).await;
        let message = callback_outbox::NewMessage::new(http::Method::POST, consumer.url("/cb"), "{\"n\":1}")?;
        outbox.enqueue(std::slice::from_ref(&message)).await?;
        let mut config = base_config(&db);
        config.name = "paused".into();
        config.until_idle = true;
        config.lease_ms = 1000;
        config.crash = Some(CrashPoint {
            at: "sent".into(),
            after: 1,
            // Long enough that SIGSTOP always lands while the child holds its result, even
            // when a loaded runner reads the child's line late (300 ms once was not).
            wait_ms: Some(3000),
        });
        let mut paused = Child::spawn(&config);
        let reached = tokio::task::block_in_place(|| paused.wait_line("at sent", Duration::from_secs(30)));
        assert!(reached.is_some(), "the first worker sent");
        paused.signal(Signal::SIGSTOP);
        // Past its lease, a second worker takes the message back and delivers it.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let summary = callback_outbox::Worker::new(
            outbox.clone(),
            callback_delivery::DeliveryOptions::default()
                .with_policy(callback_delivery::UrlPolicy::default().with_allowed("127.0.0.1".parse()?))
                .with_connect_timeout(Duration::from_millis(500))
                .with_timeout(Duration::from_millis(300)),
        )
        .name("successor")
        .lease(Duration::from_secs(5))
        .schedule("50ms".parse()?)
        .poll_interval(Duration::from_millis(20))
        .until_idle(true)
        .run(tokio_util::sync::CancellationToken::new())
        .await?;
        assert_eq!(summary.delivered, 1);
        let before = outbox.get(message.id()).await?.unwrap();
        assert_eq!(before.message.state, State::Delivered);
        // Continued, the paused worker records its 500: superseded.
        paused.signal(Signal::SIGCONT);
        let status = tokio::task::block_in_place(|| paused.wait(Duration::from_secs(30)));
        assert!(status.is_some_and(|s| s.success()), "{status:?}");
        let report = paused
            .lines()
            .into_iter()
            .find_map(|l| l.strip_prefix("report ").map(str::to_owned))
            .unwrap();
        let report: serde_json::Value = serde_json::from_str(&report)?;
        assert_eq!(report["outcome"], "superseded");
        assert_eq!(report["status"], 500);
        let after = outbox.get(message.id()).await?.unwrap();
        assert_eq!(after.message.state, State::Delivered, "the late result changed nothing");
        assert_eq!(after.message.next_attempt_at, before.message.next_attempt_at);
        assert_eq!(after.message.last_status, Some(200));
        let outcomes: Vec<_> = after
            .attempt_log
            .iter()
            .map(|a| (a.claimed_by.as_str(), a.outcome, a.status))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("paused", AttemptOutcome::Superseded, Some(500)),
                ("successor", AttemptOutcome::Delivered, Some(200)),
            ]
        );
        // The one duplicate send is the successor's, after the lease expired.
        let seen = consumer.seen();
        assert_eq!(seen.len(), 2);
        assert!(seen[1].at.duration_since(seen[0].at) >= Duration::from_millis(1000));
        println!(
            "paused past its lease: 1 message, 2 sends (1 duplicate, after the lease), late result superseded"
        );
        Ok::<(), Failed>(())
    })
}
