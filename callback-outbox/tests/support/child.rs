//! A provider process for the crash tests: the test binary started again with
//! `CALLBACK_OUTBOX_CHILD` set to a JSON [`ChildConfig`]. It enqueues callbacks in transactions
//! of its own (committing most, rolling some back) and runs a worker, printing what it did on
//! stdout, one line each: `committed ID`, `rolledback ID`, `report JSON`, `at POINT`, `done`.
//!
//! A crash point stops it at a chosen place in the worker's code: the `claimed` event (after the
//! claim committed, before the send) or the `sent` event (after the consumer answered, before the
//! result is recorded). There it prints `at POINT` and waits (forever, or a while): the parent
//! kills it with SIGKILL, or pauses it with SIGSTOP. No hook in the library: the points are the
//! worker's own `tracing` events, watched by a layer installed here.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use callback_delivery::{DeliveryOptions, UrlPolicy};
use callback_outbox::{ConnectOptions, NewMessage, Outbox, Schedule, Worker};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::layer::SubscriberExt as _;

pub const CHILD_VAR: &str = "CALLBACK_OUTBOX_CHILD";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChildConfig {
    pub url: String,
    pub name: String,
    pub allow: String,
    pub lease_ms: u64,
    pub timeout_ms: u64,
    pub schedule: String,
    pub concurrency: usize,
    /// Results the worker may hold sent and not yet recorded, beyond its sends under way.
    pub max_unrecorded: usize,
    pub until_idle: bool,
    #[serde(default)]
    pub crash: Option<CrashPoint>,
    #[serde(default)]
    pub produce: Option<Produce>,
}

/// Where to stop.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CrashPoint {
    /// `claimed` or `sent`.
    pub at: String,
    /// At the n-th such event (from 1).
    pub after: usize,
    /// How long to wait there before going on; `None`: forever (until killed).
    pub wait_ms: Option<u64>,
}

/// Callbacks to enqueue while the worker runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Produce {
    /// The consumer's URL (each message gets `?n=<serial>`).
    pub consumer: String,
    /// Transactions to run (each enqueues 1 to 4 messages).
    pub transactions: usize,
    /// Every n-th transaction is rolled back.
    pub rollback_every: usize,
    /// Serial number of the first transaction (so a restarted child goes on where it was).
    pub first: usize,
}

/// Runs the child when the environment says this process is one; `false` otherwise.
pub fn run_if_child() -> bool {
    let Ok(config) = std::env::var(CHILD_VAR) else {
        return false;
    };
    let config: ChildConfig = serde_json::from_str(&config).expect("a child configuration");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(child(config));
    true
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Watches the worker's events and stops at the crash point.
struct CrashLayer {
    point: CrashPoint,
    seen: AtomicUsize,
}

struct MessageField(Option<String>);

impl tracing::field::Visit for MessageField {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CrashLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "callback_outbox::worker" {
            return;
        }
        let mut message = MessageField(None);
        event.record(&mut message);
        if message.0.as_deref() != Some(self.point.at.as_str()) {
            return;
        }
        if self.seen.fetch_add(1, Ordering::SeqCst) + 1 != self.point.after {
            return;
        }
        say(&format!("at {}", self.point.at));
        match self.point.wait_ms {
            Some(ms) => std::thread::sleep(Duration::from_millis(ms)),
            None => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
        }
    }
}

async fn child(config: ChildConfig) {
    if let Some(point) = config.crash.clone() {
        let subscriber = tracing_subscriber::registry().with(CrashLayer {
            point,
            seen: AtomicUsize::new(0),
        });
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
    }
    let mut options = ConnectOptions::default();
    options.max_connections = 4;
    let outbox = Outbox::connect_with(&config.url, options)
        .await
        .expect("the outbox opens");
    let shutdown = CancellationToken::new();
    {
        // SIGTERM: stop claiming, finish the attempts under way, exit 0.
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("a SIGTERM handler");
            term.recv().await;
            shutdown.cancel();
        });
    }
    let producer = config
        .produce
        .clone()
        .map(|produce| tokio::spawn(produce_messages(config.url.clone(), produce)));
    let delivery = DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed(config.allow.parse().expect("allow")))
        .with_connect_timeout(Duration::from_millis(500))
        .with_timeout(Duration::from_millis(config.timeout_ms));
    let worker = Worker::new(outbox.clone(), delivery)
        .name(&config.name)
        .schedule(config.schedule.parse::<Schedule>().expect("schedule"))
        .lease(Duration::from_millis(config.lease_ms))
        .concurrency(config.concurrency)
        .per_origin(config.concurrency)
        .max_unrecorded(config.max_unrecorded)
        .poll_interval(Duration::from_millis(50))
        .on_attempt(|report| {
            say(&format!(
                "report {}",
                serde_json::to_string(report).unwrap_or_default()
            ))
        });
    // A producing child drains only once it has produced everything.
    let run = if let Some(producer) = producer {
        let worker_run = tokio::spawn(worker.until_idle(false).run(shutdown.clone()));
        let _ = producer.await;
        say("produced");
        if config.until_idle {
            let waiter = tokio::spawn(wait_idle(outbox.clone(), shutdown.clone()));
            let _ = waiter.await;
        }
        worker_run.await.expect("the worker task")
    } else {
        worker
            .until_idle(config.until_idle)
            .run(shutdown.clone())
            .await
    };
    run.expect("the worker runs");
    outbox.close().await;
    say("done");
}

/// Cancels `shutdown` once nothing is pending or in flight.
async fn wait_idle(outbox: Outbox, shutdown: CancellationToken) {
    loop {
        if let Ok(counts) = outbox.counts().await
            && counts.is_idle()
        {
            shutdown.cancel();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Enqueues in transactions of its own, as a provider's handlers would: most commit, every
/// `rollback_every`-th rolls back. Prints each id once its transaction's outcome is known.
async fn produce_messages(url: String, produce: Produce) {
    let serial = Arc::new(AtomicUsize::new(0));
    for n in produce.first..produce.first + produce.transactions {
        let count = 1 + n % 4;
        let messages: Vec<NewMessage> = (0..count)
            .map(|k| {
                let s = serial.fetch_add(1, Ordering::Relaxed);
                NewMessage::new(
                    http::Method::POST,
                    format!("{}?tx={n}&k={k}&s={s}", produce.consumer),
                    format!("{{\"tx\":{n},\"k\":{k}}}"),
                )
                .expect("a message")
            })
            .collect();
        let commit = produce.rollback_every == 0 || n % produce.rollback_every != 0;
        if let Err(error) = enqueue_in_transaction(&url, &messages, commit).await {
            eprintln!("producer: transaction {n} failed: {error}");
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        for message in &messages {
            say(&format!(
                "{} {}",
                if commit { "committed" } else { "rolledback" },
                message.id()
            ));
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

/// One transaction of the provider's: `Err` when the database failed (a crash or a restart):
/// whether it committed is then unknown, and nothing is printed for it.
async fn enqueue_in_transaction(
    url: &str,
    messages: &[NewMessage],
    commit: bool,
) -> Result<(), String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.map_err(|e| text(&e))?;
        let mut tx = pool.begin().await.map_err(|e| text(&e))?;
        Outbox::enqueue_in(&mut *tx, messages)
            .await
            .map_err(|e| text(&e))?;
        if commit {
            tx.commit().await.map_err(|e| text(&e))?;
        } else {
            tx.rollback().await.map_err(|e| text(&e))?;
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.map_err(|e| text(&e))?;
        let mut tx = pool.begin().await.map_err(|e| text(&e))?;
        Outbox::enqueue_in(&mut *tx, messages)
            .await
            .map_err(|e| text(&e))?;
        if commit {
            tx.commit().await.map_err(|e| text(&e))?;
        } else {
            tx.rollback().await.map_err(|e| text(&e))?;
        }
        pool.close().await;
    }
    Ok(())
}

/// A child process, seen from the test: its stdout lines as they come.
pub struct Child {
    process: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    all: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Child {
    pub fn spawn(config: &ChildConfig) -> Self {
        let mut process =
            std::process::Command::new(std::env::current_exe().expect("the test binary"))
                .env(
                    CHILD_VAR,
                    serde_json::to_string(config).expect("a configuration"),
                )
                .env_remove("RUST_LOG")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::inherit())
                .spawn()
                .expect("the child starts");
        let stdout = process.stdout.take().expect("its stdout");
        let (send, lines) = std::sync::mpsc::channel();
        let all = Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep = all.clone();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                keep.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(line.clone());
                let _ = send.send(line);
            }
        });
        Self {
            process,
            lines,
            all,
        }
    }

    pub fn pid(&self) -> nix::unistd::Pid {
        nix::unistd::Pid::from_raw(i32::try_from(self.process.id()).expect("a pid"))
    }

    /// Waits for a line starting with `prefix`.
    pub fn wait_line(&self, prefix: &str, limit: Duration) -> Option<String> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.all.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// SIGKILL, and reap it.
    pub fn kill(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }

    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        nix::sys::signal::kill(self.pid(), signal).expect("the signal is sent");
    }

    /// Waits for it to exit (killing it past `limit`); its exit status.
    pub fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.process.try_wait() {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                self.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.process.try_wait() {
            self.kill();
        }
    }
}
