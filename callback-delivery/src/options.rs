//! How deliveries are made: the policy, the timeouts, the retries, signing.

use std::time::Duration;

use crate::policy::UrlPolicy;
use crate::retry::RetryPolicy;
use crate::signing::SigningSecret;

/// How a delivery is made. [`Default`] is a production setting: the default [`UrlPolicy`]
/// (https only, no internal addresses), 5 s to connect, 15 s per attempt, 5 attempts within 2
/// minutes, 64 KiB of response read, no signing.
#[derive(Clone, Debug)]
pub struct DeliveryOptions {
    /// Which URLs may be called.
    pub policy: UrlPolicy,
    /// The longest wait for a connection (TCP and TLS), and for the name lookup.
    pub connect_timeout: Duration,
    /// The longest one attempt may take, from connecting to the end of the response body.
    pub timeout: Duration,
    /// The longest the whole delivery may take, waits included; no attempt starts, and no wait is
    /// begun, that would end past it. `None`: bounded by the attempts only.
    pub deadline: Option<Duration>,
    /// Retries.
    pub retry: RetryPolicy,
    /// How many bytes of a response body are read at most; the rest is not read and the
    /// connection is dropped.
    pub max_response_body: usize,
    /// Sign with the Standard Webhooks scheme.
    pub secret: Option<SigningSecret>,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Certificates trusted for `https` besides the system's roots (a private CA, or a test's),
    /// each DER bytes or PEM text (which may hold several).
    pub extra_root_certificates: Vec<Vec<u8>>,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            policy: UrlPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            deadline: Some(Duration::from_secs(120)),
            retry: RetryPolicy::default(),
            max_response_body: 64 * 1024,
            secret: None,
            user_agent: concat!("oas-callbacks/", env!("CARGO_PKG_VERSION")).to_owned(),
            extra_root_certificates: Vec::new(),
        }
    }
}
