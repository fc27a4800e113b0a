//! Several provider nodes on one PostgreSQL outbox: three worker processes (this binary started
//! again as children), one of which also enqueues in its own transactions (some rolled back),
//! deliver to a consumer on 127.0.0.1. Mid-run one node is killed with SIGKILL and restarted, and
//! the database server itself is stopped at once (`pg_ctl stop -m immediate`, a crash) and
//! started again while deliveries are under way. Then the nodes get SIGTERM and must exit 0.
//!
//! The checker of `crash.rs` (nothing committed lost, nothing rolled back sent, duplicates
//! within the bound), and: every node did part of the work (none starved), and no message was
//! ever claimed by two nodes under leases that overlapped (from the attempt rows: a new claim
//! starts only after the previous attempt was recorded or its lease had expired).
#![allow(clippy::unwrap_used, unreachable_pub)]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use callback_outbox::testing::TempPostgres;
use callback_outbox::{AttemptOutcome, ListFilter, NewMessage, Outbox};
use libtest_mimic::{Arguments, Failed, Trial};
use nix::sys::signal::Signal;
use support::checker::{answer, check};
use support::child::{Child, ChildConfig, Produce};
use support::{Consumer, Kind, TestDb};

fn main() {
    if support::child::run_if_child() {
        return;
    }
    let args = Arguments::from_args();
    let trials = vec![Trial::test(
        "three_nodes_one_killed_and_the_database_restarted",
        three_nodes,
    )];
    libtest_mimic::run(&args, trials).exit();
}

const NODES: [&str; 3] = ["node-1", "node-2", "node-3"];
const CONCURRENCY: usize = 8;
/// The results a node may hold sent and not yet recorded, beyond its sends under way.
const MAX_UNRECORDED: usize = 8;
/// What one crash can leave sent but unrecorded on one node: each may be sent again.
const UNRECORDED_PER_NODE: usize = CONCURRENCY + MAX_UNRECORDED;
const MESSAGES: usize = 1500;

fn node(url: &str, name: &str, consumer: &Consumer, produce: bool) -> ChildConfig {
    ChildConfig {
        url: url.to_owned(),
        name: name.to_owned(),
        allow: "127.0.0.1".into(),
        lease_ms: 3000,
        timeout_ms: 300,
        schedule: "50ms,100ms,200ms,400ms,800ms".into(),
        concurrency: CONCURRENCY,
        max_unrecorded: MAX_UNRECORDED,
        until_idle: false,
        crash: None,
        produce: produce.then(|| Produce {
            consumer: consumer.url("/callback"),
            transactions: 60,
            rollback_every: 5,
            first: 0,
        }),
    }
}

async fn delivered(outbox: &Outbox) -> u64 {
    let counts = outbox.counts().await.unwrap_or_default();
    counts.delivered + counts.dead
}

/// Waits until `cond` holds (or fails the test after `limit`).
async fn until<F: std::future::Future<Output = bool>>(
    what: &str,
    limit: Duration,
    mut cond: impl FnMut() -> F,
) {
    let start = Instant::now();
    while !cond().await {
        assert!(start.elapsed() < limit, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn three_nodes() -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let started = Instant::now();
        // A server of this test's own: it is crashed and restarted below.
        let mut server = TempPostgres::start()?;
        let url = server.create_database("nodes").await?;
        let db = TestDb::existing(Kind::Postgres, &url);
        let outbox = Outbox::connect(&url).await?;
        // Slow enough that the run lasts a few seconds.
        let consumer = Consumer::start(vec![], |seen, n| {
            let reply = answer(seen, n);
            if reply.delay.is_zero() {
                reply.after(Duration::from_millis(40))
            } else {
                reply
            }
        })
        .await;
        // Committed before the nodes start, and a few rolled back.
        let mut lines = Vec::new();
        for batch in 0..MESSAGES / 100 {
            let messages: Vec<NewMessage> = (0..100)
                .map(|i| {
                    let s = 100_000 + batch * 100 + i;
                    NewMessage::new(
                        http::Method::POST,
                        consumer.url(&format!("/callback?s={s}")),
                        format!("{{\"s\":{s}}}"),
                    )
                    .unwrap()
                })
                .collect();
            let pool = sqlx::PgPool::connect(&url).await?;
            let mut tx = pool.begin().await?;
            Outbox::enqueue_in(&mut *tx, &messages).await?;
            let commit = batch % 5 != 4;
            if commit {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            pool.close().await;
            let word = if commit { "committed" } else { "rolledback" };
            lines.extend(messages.iter().map(|m| format!("{word} {}", m.id())));
        }
        let total = outbox.counts().await?.pending;
        let mut nodes: Vec<Child> = NODES
            .iter()
            .enumerate()
            .map(|(i, name)| Child::spawn(&node(&url, name, &consumer, i == 0)))
            .collect();

        // A third done: node-2 is killed, and restarted half a second later.
        until("a third is delivered", Duration::from_secs(60), || async {
            delivered(&outbox).await >= total / 3
        })
        .await;
        nodes[1].kill();
        lines.extend(nodes[1].lines());
        tokio::time::sleep(Duration::from_millis(500)).await;
        nodes[1] = Child::spawn(&node(&url, NODES[1], &consumer, false));

        // Two thirds done: the database crashes, and comes back a second later.
        until("two thirds are delivered", Duration::from_secs(60), || async {
            delivered(&outbox).await >= 2 * total / 3
        })
        .await;
        let at_crash = delivered(&outbox).await;
        server.crash()?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        server.restart()?;
        println!("database crashed and restarted with {at_crash} of {total} (+ produced) finished");

        // node-1 finishes producing; then everything drains.
        let produced = tokio::task::block_in_place(|| {
            nodes[0].wait_line("produced", Duration::from_secs(120))
        });
        assert!(produced.is_some(), "node-1 produced its messages");
        until("everything is finished", Duration::from_secs(120), || async {
            outbox.counts().await.is_ok_and(|c| c.is_idle())
        })
        .await;
        // SIGTERM: each node stops claiming, finishes, exits 0.
        for node in &nodes {
            node.signal(Signal::SIGTERM);
        }
        for node in &mut nodes {
            let status = tokio::task::block_in_place(|| node.wait(Duration::from_secs(30)));
            assert!(status.is_some_and(|s| s.success()), "a node exits 0 on SIGTERM: {status:?}");
            lines.extend(node.lines());
        }

        // One kill and one database crash, each with up to every node's sends under way and
        // results waiting to be recorded.
        let bound = UNRECORDED_PER_NODE + NODES.len() * UNRECORDED_PER_NODE;
        let figures = check(&db, &outbox, &consumer, &lines, bound).await;

        // No node starved.
        let mut filter = ListFilter::default();
        filter.limit = Some(10_000);
        let mut by_node: HashMap<String, usize> = HashMap::new();
        let mut overlaps = 0;
        for message in outbox.list(&filter).await? {
            let detail = outbox.get(&message.id).await?.unwrap();
            for attempt in &detail.attempt_log {
                if attempt.outcome == AttemptOutcome::Delivered {
                    *by_node.entry(attempt.claimed_by.clone()).or_default() += 1;
                }
            }
            // A claim starts only once the previous attempt was recorded, or its lease expired.
            for pair in detail.attempt_log.windows(2) {
                let (before, after) = (&pair[0], &pair[1]);
                let recorded_first = before.outcome == AttemptOutcome::Retry
                    && before.ended_at.is_some_and(|end| after.started_at >= end);
                if !(recorded_first || after.started_at >= before.lease_until) {
                    overlaps += 1;
                    eprintln!("overlapping claims on {}: {before:?} then {after:?}", message.id);
                }
            }
        }
        assert_eq!(overlaps, 0, "two live claims on one message");
        for name in NODES {
            assert!(
                by_node.get(name).copied().unwrap_or(0) > 0,
                "{name} delivered nothing: {by_node:?}"
            );
        }
        println!(
            "three_nodes: 3 nodes, 1 killed, 1 database crash; committed messages {}, rolled back {}, \
             delivered {}, dead {}, attempts {}, consumer requests {}, duplicates {} (bound {bound}), \
             lost 0, unexpected 0, overlapping leases 0; delivered by node {:?}; {:.1} s",
            figures.committed,
            figures.rolled_back,
            figures.delivered,
            figures.dead,
            figures.attempts,
            figures.requests,
            figures.duplicates,
            by_node,
            started.elapsed().as_secs_f64()
        );
        drop(server);
        Ok::<(), Failed>(())
    })
}
