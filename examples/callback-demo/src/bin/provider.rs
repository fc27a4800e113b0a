//! The example provider: `startJob` of `examples/progress-api.yaml` on 127.0.0.1, calling the
//! consumer back. Prints each callback's outcome (with the delivery report) as one JSON line.
//!
//! ```text
//! cargo run -p callback-demo --bin provider -- [--listen 127.0.0.1:8080] [--allow 127.0.0.1]...
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use callback_delivery::{AllowEntry, DeliveryOptions, RetryPolicy, UrlPolicy};
use callback_demo::provider::{Provider, ProviderConfig};
use clap::Parser;
use oas_callbacks::Document;
use tokio::sync::mpsc;

#[derive(Debug, Parser)]
#[command(about = "The example API provider: answers startJob with 202, then calls back")]
struct Args {
    /// Where to listen (a loopback address only).
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
    /// Milliseconds between the job's progress steps.
    #[arg(long, default_value_t = 500)]
    step_ms: u64,
    /// Attempts per callback, the first one included.
    #[arg(long, default_value_t = 4)]
    attempts: u32,
    /// Milliseconds one attempt may take.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
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
    let mut policy = UrlPolicy::default();
    for entry in &args.allow {
        policy = policy.with_allowed(entry.clone());
    }
    let delivery = DeliveryOptions::default()
        .with_policy(policy)
        .with_secret(callback_demo::secret(args.secret.as_deref())?)
        .with_connect_timeout(Duration::from_secs(2))
        .with_timeout(Duration::from_millis(args.timeout_ms))
        .with_deadline(Duration::from_secs(30))
        .with_retry(
            RetryPolicy::default()
                .with_max_attempts(args.attempts.max(1))
                .with_initial_backoff(Duration::from_millis(250))
                .with_max_backoff(Duration::from_secs(4))
                .with_max_retry_after(Duration::from_secs(10)),
        );
    let config = ProviderConfig {
        step_interval: Duration::from_millis(args.step_ms),
        ..ProviderConfig::new(delivery)
    };
    let (events, mut rx) = mpsc::unbounded_channel();
    let provider = Arc::new(Provider::new(doc, config, events)?);
    let listener = callback_demo::bind_loopback(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!(
        "provider: POST http://{addr}/jobs/{{jobId}}/start; callbacks allowed to {}",
        args.allow
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            match serde_json::to_string(&event) {
                Ok(line) => println!("{line}"),
                Err(err) => eprintln!("error: {err}"),
            }
        }
    });
    axum::serve(listener, provider.router())
        .await
        .map_err(|e| e.to_string())
}
