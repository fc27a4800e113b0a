//! Callback delivery, the provider's side: after answering, call the consumer
//! back at the URL its request gave, safely.
//!
//! - [`policy`]: which URLs may be called, decided without I/O ([`check_url`]). Loopback,
//!   private, link-local (cloud metadata), unique-local, multicast, documentation and other
//!   special-purpose addresses are refused in every spelling; an allow-list opens exceptions.
//! - [`Deliverer`]: resolves a host name once, checks every address, connects to those addresses
//!   only (no second lookup, no DNS rebinding), follows no redirect, bounds every attempt (connect
//!   and total timeouts, a cap on the response body read), retries connection errors, timeouts,
//!   `408`, `429` and `5xx` with exponential backoff and full jitter (honouring `Retry-After`),
//!   keeps one `webhook-id` across retries, and reports every attempt ([`DeliveryReport`]).
//! - [`signing`]: Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature`) and their verification for consumers.
//!
//! [`dry_run`] tells what a delivery would do without resolving or connecting.
//!
//! ```no_run
//! use callback_delivery::{Deliverer, DeliveryOptions, DeliveryRequest, UrlPolicy};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // A consumer on this machine: allow-list it explicitly (http is then allowed for it).
//! let options = DeliveryOptions {
//!     policy: UrlPolicy::default().with_allowed("127.0.0.1".parse()?),
//!     ..DeliveryOptions::default()
//! };
//! let report = Deliverer::new(options)?
//!     .deliver(&DeliveryRequest::json("http://127.0.0.1:8081/progress", &serde_json::json!({"done": 1})))
//!     .await;
//! println!("{}", serde_json::to_string(&report)?);
//! # Ok(()) }
//! ```

#[cfg(feature = "client")]
mod client;
pub mod policy;
mod retry;
pub mod signing;

#[cfg(feature = "client")]
pub use client::{
    Attempt, BuildError, Deliverer, DeliveryOptions, DeliveryReport, DeliveryRequest, DryRun,
    DryRunOutcome, FailureKind, Outcome, Resolve, Resolving, StaticResolver, SystemResolver,
    deliver, dry_run, new_message_id,
};

pub use policy::{AllowEntry, CheckedTarget, Denied, DenyRule, UrlPolicy, check_url};
pub use retry::{RetryPolicy, is_retryable_status, parse_retry_after};
pub use signing::{SigningSecret, VerifyError, verify, verify_headers};
