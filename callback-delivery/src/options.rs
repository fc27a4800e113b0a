//! How deliveries are made: the policy, the timeouts, the retries, signing.

use std::time::Duration;

use crate::policy::UrlPolicy;
use crate::retry::RetryPolicy;
use crate::signing::SigningSecret;

/// How deliveries are made, built with `with_*` methods from the [`Default`], which is a
/// production setting: the default [`UrlPolicy`] (https only, no internal addresses), 5 s to
/// connect, 15 s per attempt, 5 attempts within 2 minutes, 64 KiB of a response read, no signing.
///
/// ```
/// use std::time::Duration;
/// use callback_delivery::{DeliveryOptions, RetryPolicy, UrlPolicy};
///
/// let options = DeliveryOptions::default()
///     .with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse()?))
///     .with_timeout(Duration::from_secs(2))
///     .with_retry(RetryPolicy::default().with_max_attempts(3))
///     .with_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse::<callback_delivery::SigningSecret>()?);
/// assert_eq!(options.timeout(), Duration::from_secs(2));
/// assert_eq!(options.connect_timeout(), Duration::from_secs(5));
/// assert_eq!(options.retry().max_attempts(), 3);
/// assert!(options.secret().is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct DeliveryOptions {
    policy: UrlPolicy,
    connect_timeout: Duration,
    timeout: Duration,
    deadline: Option<Duration>,
    retry: RetryPolicy,
    max_response_body: usize,
    secret: Option<SigningSecret>,
    user_agent: String,
    extra_root_certificates: Vec<Vec<u8>>,
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

impl DeliveryOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Which URLs may be called.
    #[must_use]
    pub fn with_policy(mut self, policy: UrlPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The longest wait for a connection (TCP and TLS, every checked address tried in turn), and
    /// for the name lookup. Default 5 s.
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The longest one attempt may take, from connecting to the end of the response body read.
    /// Default 15 s.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest a whole delivery may take, waits included: no attempt starts, and no wait is
    /// begun, that would end past it. `None`: bounded by the attempts only. Default 120 s.
    #[must_use]
    pub fn with_deadline(mut self, deadline: impl Into<Option<Duration>>) -> Self {
        self.deadline = deadline.into();
        self
    }

    /// How often and how long apart a delivery is attempted.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How many bytes of a response body are read at most; the rest is not read and the
    /// connection is dropped (the attempt says `response_truncated`). Default 64 KiB.
    #[must_use]
    pub fn with_max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Signs every attempt with the Standard Webhooks scheme (or, with `None`, does not sign).
    #[must_use]
    pub fn with_secret(mut self, secret: impl Into<Option<SigningSecret>>) -> Self {
        self.secret = secret.into();
        self
    }

    /// The `User-Agent` header. Default `oas-callbacks/` and the crate's version.
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Trusts a certificate for `https` besides the system's roots (a private CA, or a test's):
    /// DER bytes, or PEM text (which may hold several). May be given several times.
    #[must_use]
    pub fn with_extra_root_certificate(mut self, certificate: impl Into<Vec<u8>>) -> Self {
        self.extra_root_certificates.push(certificate.into());
        self
    }

    /// Which URLs may be called.
    pub fn policy(&self) -> &UrlPolicy {
        &self.policy
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The timeout of one attempt.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The deadline of a whole delivery, if any.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The retry settings.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The cap on a response body read.
    pub fn max_response_body(&self) -> usize {
        self.max_response_body
    }

    /// The signing secret, if any.
    pub fn secret(&self) -> Option<&SigningSecret> {
        self.secret.as_ref()
    }

    /// The `User-Agent` header.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The extra root certificates.
    pub fn extra_root_certificates(&self) -> &[Vec<u8>] {
        &self.extra_root_certificates
    }
}
