//! A runnable provider and consumer of `examples/progress-api.yaml`, on 127.0.0.1 only.
//!
//! - [`provider`]: implements `startJob` (`POST /jobs/{jobId}/start`) on `callback-outbox`.
//!   The handler asks for the job's callbacks with the `Callbacks` extractor; the
//!   `CallbacksLayer` validates each payload against the callback operation's schema
//!   (`Progress`, `Completion`), resolves the URLs for the request it handled and the `202` it
//!   gives, and stores the messages in the outbox (SQLite by default) before that `202` leaves.
//!   The outbox's worker delivers them, signed with the Standard Webhooks scheme, through the
//!   URL policy against request forgery, which refuses loopback unless allow-listed (the demo
//!   allow-lists the consumer's loopback address and nothing else). A provider killed mid-job
//!   and started again on the same outbox delivers the rest.
//! - [`consumer`]: receives the callbacks, verifies the signature with
//!   [`verify_headers`](callback_delivery::verify_headers), checks the payload against the
//!   same document, and records each one.
//!
//! The binaries `provider` and `consumer` run them; `tests/end_to_end.rs` runs both in one
//! process, `tests/restart.rs` kills the provider binary mid-job and starts it again. See the workspace README, section "Delivering callbacks".

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use callback_delivery::SigningSecret;

pub mod consumer;
pub mod provider;

/// The demo's shared signing secret, used by both binaries unless `--secret` or the
/// `CALLBACK_DEMO_SECRET` environment variable gives another. Not a secret at all: it is printed
/// here. A real provider generates one per subscriber and hands it over once.
pub const DEMO_SECRET: &str = "whsec_Y2FsbGJhY2stZGVtbzogbm90IGEgcHJvZHVjdGlvbiBrZXkh";

/// The example API, `examples/progress-api.yaml`.
pub fn api_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../progress-api.yaml"))
}

/// The secret given, else `CALLBACK_DEMO_SECRET`, else [`DEMO_SECRET`].
pub fn secret(given: Option<&str>) -> Result<SigningSecret, String> {
    let text = match given {
        Some(text) => text.to_owned(),
        None => std::env::var("CALLBACK_DEMO_SECRET").unwrap_or_else(|_| DEMO_SECRET.to_owned()),
    };
    text.trim()
        .parse()
        .map_err(|err| format!("the signing secret cannot be used: {err}"))
}

/// Binds a listener, on a loopback address only: the demo never listens on a public or private
/// interface.
pub async fn bind_loopback(addr: SocketAddr) -> io::Result<tokio::net::TcpListener> {
    if !addr.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{addr} is not a loopback address: the demo listens on 127.0.0.1 or ::1 only"),
        ));
    }
    tokio::net::TcpListener::bind(addr).await
}
