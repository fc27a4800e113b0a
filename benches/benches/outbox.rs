//! Durable delivery's cost (benchmark group `outbox`, a binary that prints figures): the
//! throughput of the outbox worker — what `oas-callbacks outbox run` runs — delivering N
//! messages to a fast consumer on 127.0.0.1, against the same N requests sent by a plain loop
//! over the same HTTP client (`callback_delivery::Deliverer`, one attempt each) with the same
//! concurrency. The durable path claims messages (one transaction per batch) and records every
//! attempt (group commit). Each store is measured at two durability levels:
//!
//! - `sqlite` (`synchronous = FULL`, the default) and `postgres` (`fsync = on`): every commit
//!   reaches the disk, durable across power loss;
//! - `sqlite-normal` (`synchronous = NORMAL`) and `postgres-nofsync` (`fsync = off`): durable
//!   across a crash of the process (what the crash tests kill), not of the machine.
//!
//! Target: the durable path takes at most 2× the bare requests' time. On a disk where one
//! fsync takes milliseconds, the fully synchronous figures are bound by the commits, not by
//! the code.
//!
//! Run: `cargo bench -p benches --bench outbox` (`OUTBOX_BENCH_MESSAGES`, default 4000;
//! `OUTBOX_BENCH_CONCURRENCY`, default 32; `OUTBOX_BENCH_ROUNDS`, default 3, the best round
//! of each is kept; `OUTBOX_BENCH_STORES`, a comma-separated list such as
//! `sqlite,postgres-nofsync`, measures only those stores; `OUTBOX_BENCH_TRANSACTIONS=1` also
//! prints, per store, the worker's transactions: how many, how long each took, how many results
//! and claims each carried). Figures taken while the machine is busy are noisy.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use callback_delivery::{Deliverer, DeliveryOptions, DeliveryRequest, RetryPolicy, UrlPolicy};
use callback_outbox::testing::{TempPostgres, TempPostgresOptions};
use callback_outbox::{ConnectOptions, NewMessage, Outbox, Schedule, Worker};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A consumer that answers `204` at once, keeping connections alive.
async fn consumer() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(|_request| async {
                    Ok::<_, Infallible>(
                        hyper::Response::builder()
                            .status(204)
                            .body(Full::new(Bytes::new()))
                            .expect("a response"),
                    )
                });
                let _ = http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

fn delivery() -> DeliveryOptions {
    DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse().expect("an address")))
        .with_retry(RetryPolicy::none())
        .with_deadline(None)
}

const BODY: &str = r#"{"jobId":"42","percent":50,"state":"running"}"#;

/// N requests through one Deliverer, `concurrency` at a time.
async fn bare(addr: SocketAddr, messages: usize, concurrency: usize) -> Duration {
    let deliverer = Deliverer::new(delivery()).expect("a client");
    let next = Arc::new(AtomicUsize::new(0));
    let url = format!("http://{addr}/progress");
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (deliverer, next, url) = (deliverer.clone(), next.clone(), url.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < messages {
                    let request = DeliveryRequest::new(http::Method::POST, url.clone(), BODY)
                        .with_id(callback_delivery::new_message_id());
                    let report = deliverer.deliver(&request).await;
                    assert!(report.is_delivered(), "{report:?}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a sender");
    }
    started.elapsed()
}

/// N messages enqueued (not timed), then delivered by the worker until the outbox is idle.
async fn durable(
    outbox: &Outbox,
    addr: SocketAddr,
    messages: usize,
    concurrency: usize,
) -> Duration {
    let url = format!("http://{addr}/progress");
    for chunk in (0..messages).collect::<Vec<_>>().chunks(500) {
        let batch: Vec<NewMessage> = chunk
            .iter()
            .map(|_| NewMessage::new(http::Method::POST, url.clone(), BODY).expect("a message"))
            .collect();
        outbox.enqueue(&batch).await.expect("enqueued");
    }
    let started = Instant::now();
    let summary = Worker::new(outbox.clone(), delivery())
        .schedule(Schedule::standard_webhooks())
        .concurrency(concurrency)
        .per_origin(concurrency)
        .poll_interval(Duration::from_millis(20))
        .until_idle(true)
        .run(CancellationToken::new())
        .await
        .expect("the worker runs");
    let elapsed = started.elapsed();
    assert_eq!(summary.delivered, messages as u64, "{summary:?}");
    outbox.purge(Duration::ZERO).await.expect("purged");
    elapsed
}

/// One transaction of the worker, from its `transaction` event.
#[derive(Clone, Copy, Debug, Default)]
struct Transaction {
    elapsed_us: u64,
    results: u64,
    claimed: u64,
}

/// Collects the worker's `transaction` events; every other callsite stays disabled, so spans
/// and the other events cost what they cost without a subscriber.
#[derive(Clone, Default)]
struct Transactions(Arc<Mutex<Vec<Transaction>>>);

impl Transactions {
    fn take(&self) -> Vec<Transaction> {
        std::mem::take(&mut *self.0.lock().expect("the log"))
    }
}

fn is_transaction(meta: &tracing::Metadata<'_>) -> bool {
    meta.is_event()
        && meta.target() == "callback_outbox::worker"
        && meta.fields().field("claimed").is_some()
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Transactions {
    fn register_callsite(
        &self,
        meta: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if is_transaction(meta) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(
        &self,
        meta: &tracing::Metadata<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        is_transaction(meta)
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(Transaction);
        impl tracing::field::Visit for Fields {
            fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
                match field.name() {
                    "elapsed_us" => self.0.elapsed_us = value,
                    "results" => self.0.results = value,
                    "claimed" => self.0.claimed = value,
                    _ => {}
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut fields = Fields(Transaction::default());
        event.record(&mut fields);
        self.0.lock().expect("the log").push(fields.0);
    }
}

/// How many transactions, their median and largest duration, results and claims per one.
fn summary(transactions: &[Transaction]) -> String {
    if transactions.is_empty() {
        return "no transactions".into();
    }
    let n = transactions.len();
    let mut times: Vec<u64> = transactions.iter().map(|t| t.elapsed_us).collect();
    times.sort_unstable();
    let results: u64 = transactions.iter().map(|t| t.results).sum();
    let claimed: u64 = transactions.iter().map(|t| t.claimed).sum();
    format!(
        "{n} transactions, {:.2} ms median, {:.2} ms p90, {:.2} ms max, {:.1} results and {:.1} claims each",
        times[n / 2] as f64 / 1000.0,
        times[n * 9 / 10] as f64 / 1000.0,
        times[n - 1] as f64 / 1000.0,
        results as f64 / n as f64,
        claimed as f64 / n as f64
    )
}

fn per_second(messages: usize, elapsed: Duration) -> f64 {
    messages as f64 / elapsed.as_secs_f64()
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--test`: a smoke run then.
    let smoke = std::env::args().any(|a| a == "--test");
    let messages = if smoke {
        50
    } else {
        setting("OUTBOX_BENCH_MESSAGES", 4000)
    };
    let concurrency = setting("OUTBOX_BENCH_CONCURRENCY", 32);
    let rounds = if smoke {
        1
    } else {
        setting("OUTBOX_BENCH_ROUNDS", 3)
    };
    let transactions = std::env::var_os("OUTBOX_BENCH_TRANSACTIONS").map(|_| {
        use tracing_subscriber::layer::SubscriberExt as _;
        let log = Transactions::default();
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(log.clone()))
            .expect("one subscriber");
        log
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let addr = consumer().await;
        let dir = tempfile::tempdir().expect("a directory");
        let sqlite_at = |file: &str, full_sync: bool| {
            let url = format!("sqlite:{}", dir.path().join(file).display());
            let mut options = ConnectOptions::default();
            options.sqlite_full_sync = full_sync;
            async move {
                Outbox::connect_with(&url, options)
                    .await
                    .expect("the SQLite outbox")
            }
        };
        let postgres_with = |fsync: bool| {
            let mut options = TempPostgresOptions::default();
            options.fsync = fsync;
            TempPostgres::start_with(options)
                .expect("a PostgreSQL server (see callback_outbox::testing)")
        };
        // `OUTBOX_BENCH_STORES` (a comma-separated list of the names below) measures only some.
        let selected = std::env::var("OUTBOX_BENCH_STORES").ok();
        let wanted = |name: &str| {
            selected
                .as_deref()
                .is_none_or(|list| list.split(',').any(|n| n.trim() == name))
        };
        let synced_server = wanted("postgres").then(|| postgres_with(true));
        let unsynced_server = wanted("postgres-nofsync").then(|| postgres_with(false));
        let mut stores = Vec::new();
        for (name, full_sync) in [("sqlite", true), ("sqlite-normal", false)] {
            if wanted(name) {
                stores.push((name, sqlite_at(&format!("{name}.db"), full_sync).await));
            }
        }
        for (name, server) in [
            ("postgres", &synced_server),
            ("postgres-nofsync", &unsynced_server),
        ] {
            if let Some(server) = server {
                let outbox = Outbox::connect(&server.url())
                    .await
                    .expect("the PostgreSQL outbox");
                stores.push((name, outbox));
            }
        }
        // Warm up the consumer's connections and every database.
        bare(addr, concurrency * 4, concurrency).await;
        for (_, outbox) in &stores {
            durable(outbox, addr, concurrency * 4, concurrency).await;
        }
        let mut best_bare = Duration::MAX;
        let mut best = vec![Duration::MAX; stores.len()];
        let mut logs = vec![String::new(); stores.len()];
        if let Some(log) = &transactions {
            log.take();
        }
        for _ in 0..rounds {
            best_bare = best_bare.min(bare(addr, messages, concurrency).await);
            for (((_, outbox), best), logged) in stores.iter().zip(&mut best).zip(&mut logs) {
                let elapsed = durable(outbox, addr, messages, concurrency).await;
                if let Some(log) = &transactions {
                    let round = log.take();
                    if elapsed < *best {
                        *logged = summary(&round);
                    }
                }
                *best = (*best).min(elapsed);
            }
        }
        let ratio = |d: Duration| d.as_secs_f64() / best_bare.as_secs_f64();
        println!("outbox: {messages} messages, concurrency {concurrency}, best of {rounds}");
        println!(
            "outbox/bare             {:>9.0} deliveries/s  ({:.3} s)",
            per_second(messages, best_bare),
            best_bare.as_secs_f64()
        );
        for ((name, _), elapsed) in stores.iter().zip(best) {
            println!(
                "outbox/{name:<16} {:>9.0} deliveries/s  ({:.3} s)  {:.2}× the bare requests' time (target ≤ 2×){}",
                per_second(messages, elapsed),
                elapsed.as_secs_f64(),
                ratio(elapsed),
                if ratio(elapsed) <= 2.0 { "" } else { "  MISSED" }
            );
        }
        if transactions.is_some() {
            for ((name, _), logged) in stores.iter().zip(&logs) {
                println!("outbox/{name:<16} best round: {logged}");
            }
        }
        for (_, outbox) in &stores {
            outbox.close().await;
        }
        drop((synced_server, unsynced_server));
    });
}
