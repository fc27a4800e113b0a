//! The example provider: `startJob` of `examples/progress-api.yaml` on 127.0.0.1, calling the
//! consumer back through a durable outbox (SQLite by default). Prints each event (a job
//! accepted with the callbacks stored, a payload refused, a delivery attempt) as one JSON line.
//! Killed and started again on the same outbox, it delivers what the last run left.
//!
//! ```text
//! cargo run -p callback-demo --bin provider -- [--listen 127.0.0.1:8080] [--allow 127.0.0.1]...
//!     [--outbox sqlite:callbacks.db] [--step-ms 500] [--schedule 250ms,1s,4s] [--lease-ms N]
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use callback_delivery::{AllowEntry, DeliveryOptions, UrlPolicy};
use callback_demo::provider::{Provider, ProviderConfig};
use callback_outbox::{Outbox, Schedule};
use clap::Parser;
use oas_callbacks::Document;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Parser)]
#[command(about = "The example API provider: answers startJob with 202, then calls back")]
struct Args {
    /// Where to listen (a loopback address only; port 0: any free port, printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The only hosts or CIDRs callbacks may go to besides public https URLs: the consumer's
    /// loopback address. Repeatable.
    #[arg(long, value_name = "HOST_OR_CIDR", default_value = "127.0.0.1")]
    allow: Vec<AllowEntry>,
    /// The signing secret (`whsec_…`); default: $CALLBACK_DEMO_SECRET, else the demo's own.
    #[arg(long, value_name = "WHSEC")]
    secret: Option<String>,
    /// The API description.
    #[arg(long, default_value_os_t = callback_demo::api_path())]
    api: PathBuf,
    /// The outbox: `sqlite:FILE` or `postgres://user@host:port/db` (the one
    /// `oas-callbacks outbox list` reads by default).
    #[arg(
        long,
        value_name = "URL",
        env = "OAS_CALLBACKS_OUTBOX",
        default_value = "sqlite:callbacks.db"
    )]
    outbox: String,
    /// Milliseconds between the job's progress steps.
    #[arg(long, default_value_t = 500)]
    step_ms: u64,
    /// The retry schedule: the waits after each failed attempt.
    #[arg(long, default_value = "250ms,1s,4s")]
    schedule: Schedule,
    /// Milliseconds one attempt may take.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
    /// Milliseconds a claimed message stays with this process before another run may take it
    /// back; longer than an attempt can take (default: twice the timeout plus 10 s).
    #[arg(long)]
    lease_ms: Option<u64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let doc = Document::load(&args.api).map_err(|e| e.to_string())?;
    let outbox = Outbox::connect(&args.outbox)
        .await
        .map_err(|e| e.to_string())?;
    let mut policy = UrlPolicy::default();
    for entry in &args.allow {
        policy = policy.with_allowed(entry.clone());
    }
    let delivery = DeliveryOptions::default()
        .with_policy(policy)
        .with_connect_timeout(Duration::from_millis(args.timeout_ms.min(2000)))
        .with_timeout(Duration::from_millis(args.timeout_ms));
    let config = ProviderConfig {
        secret: Some(callback_demo::secret(args.secret.as_deref())?),
        schedule: args.schedule.clone(),
        lease: args.lease_ms.map(Duration::from_millis),
        step_interval: Duration::from_millis(args.step_ms),
        ..ProviderConfig::new(delivery)
    };
    let (events, mut rx) = mpsc::unbounded_channel();
    let provider = Arc::new(Provider::new(doc, outbox.clone(), config, events)?);
    let listener = callback_demo::bind_loopback(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!(
        "provider: POST http://{addr}/jobs/{{jobId}}/start; outbox {}; callbacks allowed to {}",
        outbox.backend_name(),
        args.allow
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let printer = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            match serde_json::to_string(&event) {
                Ok(line) => println!("{line}"),
                Err(err) => eprintln!("error: {err}"),
            }
        }
    });
    // SIGINT or SIGTERM: stop taking jobs and claiming, finish the attempts in flight. What is
    // left waits in the outbox for the next run.
    let shutdown = CancellationToken::new();
    tokio::spawn({
        let shutdown = shutdown.clone();
        async move {
            stopped().await;
            shutdown.cancel();
        }
    });
    let worker = provider.worker().run(shutdown.clone());
    let server = axum::serve(listener, provider.router())
        .with_graceful_shutdown(shutdown.clone().cancelled_owned());
    // The first to end (a worker that cannot run, a server that fails, or both after a signal)
    // stops the other.
    let (served, worked) = tokio::join!(
        async {
            let served = server.await;
            shutdown.cancel();
            served
        },
        async {
            let worked = worker.await;
            shutdown.cancel();
            worked
        }
    );
    let _ = printer.await;
    worked.map_err(|e| format!("the outbox worker stopped: {e}"))?;
    served.map_err(|e| e.to_string())
}

async fn stopped() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
