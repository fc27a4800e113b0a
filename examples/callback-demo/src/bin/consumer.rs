//! The example consumer: receives the callbacks of `examples/progress-api.yaml` on 127.0.0.1,
//! verifies their Standard Webhooks signatures and their payloads, and prints each one as one
//! JSON line.
//!
//! ```text
//! cargo run -p callback-demo --bin consumer -- [--listen 127.0.0.1:8081] [--fail-first N]
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use callback_demo::consumer::{Consumer, ConsumerConfig};
use clap::Parser;
use oas_callbacks::Document;
use tokio::sync::mpsc;

#[derive(Debug, Parser)]
#[command(about = "The example API consumer: receives and verifies the callbacks")]
struct Args {
    /// Where to listen (a loopback address only).
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// The signing secret (`whsec_…`); default: $CALLBACK_DEMO_SECRET, else the demo's own.
    #[arg(long, value_name = "WHSEC")]
    secret: Option<String>,
    /// The API description the payloads are checked against.
    #[arg(long, default_value_os_t = callback_demo::api_path())]
    api: PathBuf,
    /// Answer 503 to the first N callbacks, to watch the provider retry.
    #[arg(long, value_name = "N", default_value_t = 0)]
    fail_first: u64,
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
    let secret = callback_demo::secret(args.secret.as_deref())?;
    let config = ConsumerConfig {
        fail_first: args.fail_first,
        ..ConsumerConfig::default()
    };
    let (received, mut rx) = mpsc::unbounded_channel();
    let consumer = Arc::new(Consumer::new(secret, Some(doc), config, received));
    let listener = callback_demo::bind_loopback(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!(
        "consumer: progress callbacks to http://{addr}/progress/{{jobId}}, completion to http://{addr}/done"
    );
    tokio::spawn(async move {
        while let Some(request) = rx.recv().await {
            match serde_json::to_string(&request) {
                Ok(line) => println!("{line}"),
                Err(err) => eprintln!("error: {err}"),
            }
        }
    });
    axum::serve(listener, consumer.router())
        .await
        .map_err(|e| e.to_string())
}
