//! Callback delivery, the provider's side: after answering, call the consumer back at the URL its
//! request gave, safely.
//!
//! - [`policy`]: which URLs may be called, decided without I/O ([`check_url`]). Loopback,
//!   private, link-local (cloud metadata), unique-local, multicast, documentation and other
//!   special-purpose addresses are refused in every spelling; an allow-list opens exceptions.
//! - [`Deliverer`] (feature `client`, on by default): resolves a host name once, checks every
//!   address, connects to those addresses only (no second lookup, no DNS rebinding), follows no
//!   redirect, bounds every attempt (connect and total timeouts, a cap on the response body
//!   read), retries connection errors, timeouts, `408`, `429` and `5xx` with exponential backoff
//!   and full jitter (honouring `Retry-After`), keeps one `webhook-id` across retries, and reports
//!   every attempt ([`DeliveryReport`]).
//! - [`signing`]: Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature`) and their verification for consumers.
//!
//! - [`dispatch`]: a provider's whole flow for one callback of an OpenAPI operation
//!   ([`Dispatch`]): the payload validated against the callback operation's schema, the URL
//!   resolved for the exchange taken, the policy checked, the callback delivered
//!   ([`Deliverer::dispatch`]); a typed outcome ([`Dispatched`]) at the end of whichever step
//!   ended it, which serializes as the line `oas-callbacks send` prints.
//!
//! [`dry_run`] tells what a delivery would do without resolving or connecting, and so does
//! [`Dispatch::dry_run`] for a whole dispatch.
//!
//! Without the `client` feature the crate is pure: the policy, signing, the retry schedule, the
//! request and report types and the dry run, with no tokio and no HTTP stack.
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use callback_delivery::{Deliverer, DeliveryOptions, DeliveryRequest, UrlPolicy};
//!
//! // A consumer on this machine: allow-list it explicitly (http is then allowed for it).
//! let options =
//!     DeliveryOptions::default().with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse()?));
//! let report = Deliverer::new(options)?
//!     .deliver(&DeliveryRequest::json("http://127.0.0.1:8081/progress", &serde_json::json!({"done": 1})))
//!     .await;
//! println!("{}", serde_json::to_string(&report)?);
//! # Ok(()) }
//! ```

#[cfg(feature = "client")]
mod client;
pub mod dispatch;
mod dry_run;
mod headers;
mod options;
pub mod policy;
mod report;
mod request;
mod retry;
pub mod signing;

#[cfg(feature = "client")]
pub use client::{BuildError, Deliverer, Resolve, Resolving, StaticResolver, SystemResolver};
pub use dispatch::{Dispatch, DispatchOutcome, Dispatched, Payload};
pub use dry_run::{DryRun, DryRunOutcome, dry_run};
pub use options::DeliveryOptions;
pub use policy::{AllowEntry, CheckedTarget, Denied, DenyRule, UrlPolicy, check_url};
pub use report::{Attempt, DeliveryReport, FailureKind, Outcome};
pub use request::{DeliveryRequest, new_message_id};
pub use retry::{RetryPolicy, is_retryable_status, parse_retry_after};
pub use signing::{SigningSecret, VerifyError, verify, verify_headers};
