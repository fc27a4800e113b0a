//! The delivery client: check, resolve once, connect to a checked address, retry, report.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, redirect};
use serde::Serialize;

use super::policy::{CheckedTarget, Denied, UrlPolicy, check_url};
use super::retry::{RetryPolicy, is_retryable_status, parse_retry_after};
use super::signing::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, SigningSecret, unix_now};

/// The future a [`Resolve`] returns.
pub type Resolving<'a> = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send + 'a>>;

/// Resolves a host name to addresses. The delivery client calls it once per delivery, checks every
/// address with the policy, and connects only to those addresses.
pub trait Resolve: Send + Sync {
    /// The addresses of `host` (as written in the URL, lowercase, perhaps with a trailing dot).
    fn resolve<'a>(&'a self, host: &'a str, port: u16) -> Resolving<'a>;
}

impl<R: Resolve + ?Sized> Resolve for Arc<R> {
    fn resolve<'a>(&'a self, host: &'a str, port: u16) -> Resolving<'a> {
        (**self).resolve(host, port)
    }
}

/// The operating system's resolver (`getaddrinfo`, through Tokio).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve<'a>(&'a self, host: &'a str, port: u16) -> Resolving<'a> {
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host, port)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// A fixed table of names and addresses, for tests and for deployments that pin consumers. A
/// name not in the table fails to resolve; nothing is ever looked up.
#[derive(Clone, Debug, Default)]
pub struct StaticResolver {
    table: HashMap<String, Vec<IpAddr>>,
}

fn normalize_name(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

impl StaticResolver {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a name (case-insensitive, trailing dot ignored).
    #[must_use]
    pub fn with(mut self, name: &str, addrs: impl IntoIterator<Item = IpAddr>) -> Self {
        self.table
            .entry(normalize_name(name))
            .or_default()
            .extend(addrs);
        self
    }
}

impl Resolve for StaticResolver {
    fn resolve<'a>(&'a self, host: &'a str, _port: u16) -> Resolving<'a> {
        let found = self.table.get(&normalize_name(host)).cloned();
        Box::pin(async move {
            found.ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{host} is not in the table"),
                )
            })
        })
    }
}

/// What reqwest is given as its resolver: nothing. Every name the client may reach is pinned to
/// its checked addresses beforehand, so any other lookup is a bug and must fail, not leak.
struct NoLookups;

impl reqwest::dns::Resolve for NoLookups {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let message = format!(
            "refusing to resolve {}: addresses are resolved and checked before connecting",
            name.as_str()
        );
        Box::pin(async move { Err(message.into()) })
    }
}

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

/// One callback to deliver: the resolved URL, the method, the body and extra headers.
///
/// ```
/// use callback_delivery::DeliveryRequest;
///
/// let request = DeliveryRequest::json("https://consumer.example/progress", &serde_json::json!({"done": 40}))
///     .header("x-trace", "abc")
///     .with_id("msg_2");
/// assert_eq!(request.method, reqwest::Method::POST);
/// assert_eq!(request.body, br#"{"done":40}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRequest {
    /// The callback URL, as resolved from the callback key.
    pub url: String,
    /// The HTTP method of the callback's Path Item operation.
    pub method: Method,
    /// The body, sent as is (and signed as is).
    pub body: Vec<u8>,
    /// Extra headers. `Content-Type` defaults to `application/json`. `Host`, `Content-Length`,
    /// `Transfer-Encoding`, `Connection` and the `webhook-*` headers are the client's own: given
    /// here, they are ignored (and listed in the report).
    pub headers: Vec<(String, String)>,
    /// The message id (`webhook-id`, the idempotency key); generated when `None`.
    pub id: Option<String>,
}

impl DeliveryRequest {
    /// A request with a raw body.
    pub fn new(method: Method, url: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            url: url.into(),
            method,
            body: body.into(),
            headers: Vec::new(),
            id: None,
        }
    }

    /// A `POST` of a JSON value (compact serialization).
    pub fn json(url: impl Into<String>, body: &serde_json::Value) -> Self {
        Self::new(Method::POST, url, body.to_string())
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the message id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

/// A new message id: `msg_` and 26 random letters and digits.
pub fn new_message_id() -> String {
    let mut id = String::with_capacity(30);
    id.push_str("msg_");
    id.extend(std::iter::repeat_with(fastrand::alphanumeric).take(26));
    id
}

/// Why a delivery or an attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FailureKind {
    /// The request could not be built (a bad header, say). Not retried.
    Request,
    /// The host name could not be resolved.
    Resolve,
    /// No connection (refused, unreachable, TLS handshake failed). Retried.
    Connect,
    /// An attempt ran out of time. Retried.
    Timeout,
    /// The connection failed while the request or response was under way. Retried.
    Transport,
    /// The consumer answered with a status that is not success (the last one, when retried).
    Status,
    /// The consumer answered with a redirect, which is not followed. Not retried.
    Redirect,
    /// The consumer's `Retry-After` asked for a longer wait than allowed.
    RetryAfterTooLong,
    /// The delivery's deadline would have been passed by another wait and attempt.
    Deadline,
}

/// The final outcome. Serialized inline in the report, tagged by `"outcome"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// The consumer answered `2xx`.
    Delivered {
        /// The status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// The policy refused the URL or one of its addresses; no connection was opened.
    Denied(Denied),
    /// Not delivered.
    Failed {
        /// What went wrong, last.
        kind: FailureKind,
        /// The last error, for people.
        error: String,
        /// The last status received, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// Attempts made.
        attempts: u32,
    },
}

/// One attempt: when, where, and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it started, in milliseconds since the delivery started.
    pub started_ms: u64,
    /// How long it took, in milliseconds (body read included).
    pub elapsed_ms: u64,
    /// The address connected to, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<SocketAddr>,
    /// The response status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The error, when the attempt failed (a status that is not success included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The kind of error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<FailureKind>,
    /// Response body bytes read (at most the cap).
    pub response_bytes: u64,
    /// Whether the body was longer than the cap and was not read to its end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub response_truncated: bool,
    /// The `Location` of a redirect that was not followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The consumer's `Retry-After`, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// The wait before the next attempt, in milliseconds, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_ms: Option<u64>,
}

/// The report of one delivery: the outcome and every attempt. Serializes as one JSON object:
///
/// ```json
/// {"url": "http://127.0.0.1:8081/cb", "method": "POST", "webhook_id": "msg_…",
///  "outcome": "delivered", "status": 200, "attempts": 2,
///  "target": {"url": "…", "scheme": "http", "host": "127.0.0.1", "port": 8081,
///             "addresses": ["127.0.0.1"], "addresses_checked": true, "allowed_by": "127.0.0.1/32"},
///  "attempt_log": [{"attempt": 1, "started_ms": 0, "elapsed_ms": 3, "status": 503, …}, …],
///  "elapsed_ms": 130}
/// ```
///
/// A denial reads `"outcome": "denied", "rule": "loopback", "reason": "…"`; a failure
/// `"outcome": "failed", "kind": "timeout", "error": "…", "attempts": 5`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// The URL as given.
    pub url: String,
    /// The method.
    pub method: String,
    /// The message id, the same on every attempt.
    pub webhook_id: String,
    /// The outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The checked target, once the policy accepted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<CheckedTarget>,
    /// Caller headers that were ignored (reserved names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_headers: Vec<String>,
    /// Every attempt, in order.
    pub attempt_log: Vec<Attempt>,
    /// The whole delivery, in milliseconds.
    pub elapsed_ms: u64,
}

impl DeliveryReport {
    /// Whether the consumer accepted the callback.
    pub fn is_delivered(&self) -> bool {
        matches!(self.outcome, Outcome::Delivered { .. })
    }
}

/// What a dry run found: the target and the headers that would be sent, or the refusal. Nothing is
/// resolved or connected; a host name's addresses are checked at delivery time (the target says
/// `"addresses_checked": false`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DryRun {
    /// The URL as given.
    pub url: String,
    /// The method.
    pub method: String,
    /// The message id.
    pub webhook_id: String,
    /// `"would-send"` with the target and headers, `"denied"` with the rule, or `"failed"` (a
    /// request that cannot be built).
    #[serde(flatten)]
    pub outcome: DryRunOutcome,
    /// The body's length in bytes.
    pub body_bytes: usize,
}

/// The outcome of a dry run, tagged by `"outcome"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum DryRunOutcome {
    /// The policy accepts the URL.
    WouldSend {
        /// The checked target.
        target: CheckedTarget,
        /// The headers that would be sent (a signature computed now).
        headers: Vec<(String, String)>,
        /// Caller headers that would be ignored.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        ignored_headers: Vec<String>,
    },
    /// The policy refuses it.
    Denied(Denied),
    /// The request cannot be built.
    Failed {
        /// Always [`FailureKind::Request`].
        kind: FailureKind,
        /// Why.
        error: String,
    },
}

/// The client could not be built.
#[derive(Debug)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the delivery client: {}", self.0)
    }
}

impl std::error::Error for BuildError {}

const RESERVED: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    HEADER_ID,
    HEADER_TIMESTAMP,
    HEADER_SIGNATURE,
];

/// The headers of one attempt (the signature is computed with `timestamp`), and the caller
/// headers ignored.
fn build_headers(
    options: &DeliveryOptions,
    request: &DeliveryRequest,
    id: &str,
    timestamp: i64,
) -> Result<(HeaderMap, Vec<String>), String> {
    let mut headers = HeaderMap::new();
    let mut ignored = Vec::new();
    let value =
        |v: &str| HeaderValue::from_str(v).map_err(|_| format!("invalid header value {v:?}"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::USER_AGENT, value(&options.user_agent)?);
    let mut content_type_given = false;
    for (name, v) in &request.headers {
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("invalid header name {name:?}"))?;
        if RESERVED.contains(&name.as_str()) {
            ignored.push(name.as_str().to_owned());
            continue;
        }
        if name == header::CONTENT_TYPE && !content_type_given {
            content_type_given = true;
            headers.remove(header::CONTENT_TYPE);
        }
        if name == header::USER_AGENT {
            headers.remove(header::USER_AGENT);
        }
        headers.append(name, value(v)?);
    }
    headers.insert(HeaderName::from_static(HEADER_ID), value(id)?);
    if let Some(secret) = &options.secret {
        let signed = secret.headers(id, timestamp, &request.body);
        headers.insert(
            HeaderName::from_static(HEADER_TIMESTAMP),
            value(&signed.timestamp.to_string())?,
        );
        headers.insert(
            HeaderName::from_static(HEADER_SIGNATURE),
            value(&signed.signature)?,
        );
    }
    Ok((headers, ignored))
}

/// Checks a delivery without sending it: the policy, and the headers that would go out. Pure: no
/// resolution, no connection.
///
/// ```
/// use callback_delivery::{dry_run, DeliveryOptions, DeliveryRequest, DryRunOutcome};
///
/// let request = DeliveryRequest::json("https://169.254.169.254/latest/meta-data/", &serde_json::json!({}));
/// let run = dry_run(&DeliveryOptions::default(), &request);
/// assert!(matches!(run.outcome, DryRunOutcome::Denied(ref d) if d.rule.as_str() == "cloud-metadata"));
/// let json = serde_json::to_value(&run)?;
/// assert_eq!(json["outcome"], "denied");
/// assert_eq!(json["rule"], "cloud-metadata");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn dry_run(options: &DeliveryOptions, request: &DeliveryRequest) -> DryRun {
    let id = request.id.clone().unwrap_or_else(new_message_id);
    let outcome = match check_url(&options.policy, &request.url) {
        Err(denied) => DryRunOutcome::Denied(denied),
        Ok(target) => match build_headers(options, request, &id, unix_now()) {
            Ok((headers, ignored_headers)) => DryRunOutcome::WouldSend {
                target,
                headers: headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                ignored_headers,
            },
            Err(error) => DryRunOutcome::Failed {
                kind: FailureKind::Request,
                error,
            },
        },
    };
    DryRun {
        url: request.url.clone(),
        method: request.method.to_string(),
        webhook_id: id,
        outcome,
        body_bytes: request.body.len(),
    }
}

/// Delivers callbacks. Holds the options, the resolver and the TLS configuration; cheap to share
/// (`&self` methods, `Send + Sync`).
///
/// ```no_run
/// use callback_delivery::{Deliverer, DeliveryOptions, DeliveryRequest};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let options = DeliveryOptions {
///     secret: Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?),
///     ..DeliveryOptions::default()
/// };
/// let deliverer = Deliverer::new(options)?;
/// let request = DeliveryRequest::json("https://consumer.example/progress", &serde_json::json!({"done": 100}));
/// let report = deliverer.deliver(&request).await;
/// println!("{}", serde_json::to_string(&report)?);
/// # Ok(()) }
/// ```
pub struct Deliverer {
    options: DeliveryOptions,
    resolver: Arc<dyn Resolve>,
    tls: rustls::ClientConfig,
}

impl fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deliverer")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn tls_config(extra_roots: &[Vec<u8>]) -> Result<rustls::ClientConfig, BuildError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots: Vec<CertificateDer<'static>> = Vec::new();
    for (i, bytes) in extra_roots.iter().enumerate() {
        if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
            for cert in CertificateDer::pem_slice_iter(bytes) {
                roots.push(
                    cert.map_err(|e| BuildError(format!("extra root certificate {}: {e}", i + 1)))?,
                );
            }
        } else {
            roots.push(CertificateDer::from(bytes.clone()));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = if roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone())
    }
    .map_err(|e| BuildError(e.to_string()))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError(e.to_string()))?
        .dangerous() // not dangerous: the platform verifier is the standard one
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn classify(error: &reqwest::Error) -> FailureKind {
    if error.is_timeout() {
        FailureKind::Timeout
    } else if error.is_connect() {
        FailureKind::Connect
    } else if error.is_builder() {
        FailureKind::Request
    } else {
        FailureKind::Transport
    }
}

/// The error and its causes, on one line.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// What one attempt ended with, for the retry decision.
enum Step {
    Delivered(u16),
    Retry {
        kind: FailureKind,
        error: String,
        status: Option<u16>,
        retry_after: Option<Duration>,
    },
    Stop {
        kind: FailureKind,
        error: String,
        status: Option<u16>,
    },
}

impl Deliverer {
    /// A deliverer with the system resolver.
    pub fn new(options: DeliveryOptions) -> Result<Self, BuildError> {
        let tls = tls_config(&options.extra_root_certificates)?;
        Ok(Self {
            options,
            resolver: Arc::new(SystemResolver),
            tls,
        })
    }

    /// Replaces the resolver (a [`StaticResolver`] in tests: nothing is looked up).
    #[must_use]
    pub fn with_resolver(mut self, resolver: impl Resolve + 'static) -> Self {
        self.resolver = Arc::new(resolver);
        self
    }

    /// The options.
    pub fn options(&self) -> &DeliveryOptions {
        &self.options
    }

    /// Checks without sending; see [`dry_run`].
    pub fn dry_run(&self, request: &DeliveryRequest) -> DryRun {
        dry_run(&self.options, request)
    }

    /// Delivers one callback: checks the URL, resolves a host name once and checks every address,
    /// then sends to those addresses only, retrying as [`RetryPolicy`] says. Never panics and never
    /// returns an error: everything that happened is in the report.
    pub async fn deliver(&self, request: &DeliveryRequest) -> DeliveryReport {
        let started = Instant::now();
        let id = request.id.clone().unwrap_or_else(new_message_id);
        let mut report = DeliveryReport {
            url: request.url.clone(),
            method: request.method.to_string(),
            webhook_id: id.clone(),
            outcome: Outcome::Failed {
                kind: FailureKind::Request,
                error: String::new(),
                status: None,
                attempts: 0,
            },
            target: None,
            ignored_headers: Vec::new(),
            attempt_log: Vec::new(),
            elapsed_ms: 0,
        };
        report.outcome = self.run(request, &id, started, &mut report).await;
        report.elapsed_ms = millis(started.elapsed());
        report
    }

    async fn run(
        &self,
        request: &DeliveryRequest,
        id: &str,
        started: Instant,
        report: &mut DeliveryReport,
    ) -> Outcome {
        let options = &self.options;
        let failed = |kind, error: String, status, attempts| Outcome::Failed {
            kind,
            error,
            status,
            attempts,
        };

        // 1. The policy, on the URL as written.
        let mut target = match check_url(&options.policy, &request.url) {
            Ok(target) => target,
            Err(denied) => return Outcome::Denied(denied),
        };
        // The headers are checked before anything goes on the wire.
        match build_headers(options, request, id, unix_now()) {
            Ok((_, ignored)) => report.ignored_headers = ignored,
            Err(error) => return failed(FailureKind::Request, error, None, 0),
        }

        // 2. A host name is resolved once; every address is checked.
        if target.is_domain() {
            let lookup = self.resolver.resolve(target.host(), target.port());
            let resolved = match tokio::time::timeout(options.connect_timeout, lookup).await {
                Ok(Ok(addrs)) => addrs,
                Ok(Err(e)) => {
                    return failed(
                        FailureKind::Resolve,
                        format!("cannot resolve {}: {e}", target.host()),
                        None,
                        0,
                    );
                }
                Err(_) => {
                    return failed(
                        FailureKind::Resolve,
                        format!("resolving {} timed out", target.host()),
                        None,
                        0,
                    );
                }
            };
            target = match target.with_addresses(&options.policy, &resolved) {
                Ok(target) => target,
                Err(denied) => return Outcome::Denied(denied),
            };
        }
        report.target = Some(target.clone());

        // 3. A client for this delivery, pinned to the checked addresses.
        let client = match self.client(&target) {
            Ok(client) => client,
            Err(e) => return failed(FailureKind::Request, e.to_string(), None, 0),
        };

        // 4. Attempts.
        let max_attempts = options.retry.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut timeout = options.timeout;
            if let Some(deadline) = options.deadline {
                let left = deadline.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return failed(
                        FailureKind::Deadline,
                        "the delivery deadline has passed".to_owned(),
                        None,
                        attempt - 1,
                    );
                }
                timeout = timeout.min(left);
            }
            let (step, record) = self
                .attempt(&client, &target, request, id, attempt, started, timeout)
                .await;
            report.attempt_log.push(record);
            let (kind, error, status, retry_after) = match step {
                Step::Delivered(status) => {
                    return Outcome::Delivered {
                        status,
                        attempts: attempt,
                    };
                }
                Step::Stop {
                    kind,
                    error,
                    status,
                } => return failed(kind, error, status, attempt),
                Step::Retry {
                    kind,
                    error,
                    status,
                    retry_after,
                } => (kind, error, status, retry_after),
            };
            if attempt >= max_attempts {
                return failed(kind, error, status, attempt);
            }
            let wait = match retry_after {
                Some(asked) if asked > options.retry.max_retry_after => {
                    return failed(
                        FailureKind::RetryAfterTooLong,
                        format!(
                            "{error}; Retry-After asks for {} s, more than the {} s allowed",
                            asked.as_secs(),
                            options.retry.max_retry_after.as_secs()
                        ),
                        status,
                        attempt,
                    );
                }
                Some(asked) => asked,
                None => options.retry.backoff(attempt, fastrand::f64()),
            };
            if let Some(deadline) = options.deadline
                && started.elapsed() + wait >= deadline
            {
                return failed(
                    FailureKind::Deadline,
                    format!("{error}; no time left for another attempt before the deadline"),
                    status,
                    attempt,
                );
            }
            if let Some(last) = report.attempt_log.last_mut() {
                last.backoff_ms = Some(millis(wait));
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn client(&self, target: &CheckedTarget) -> Result<reqwest::Client, reqwest::Error> {
        let options = &self.options;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(self.tls.clone())
            .redirect(redirect::Policy::none())
            .referer(false)
            .retry(reqwest::retry::never())
            .no_proxy()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .dns_resolver(Arc::new(NoLookups));
        if target.is_domain() {
            let addrs: Vec<SocketAddr> = target
                .addresses()
                .iter()
                .map(|ip| SocketAddr::new(*ip, target.port()))
                .collect();
            builder = builder.resolve_to_addrs(target.host(), &addrs);
        }
        builder.build()
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        client: &reqwest::Client,
        target: &CheckedTarget,
        request: &DeliveryRequest,
        id: &str,
        number: u32,
        started: Instant,
        timeout: Duration,
    ) -> (Step, Attempt) {
        let began = Instant::now();
        let mut record = Attempt {
            attempt: number,
            started_ms: millis(began.duration_since(started)),
            elapsed_ms: 0,
            address: None,
            status: None,
            error: None,
            error_kind: None,
            response_bytes: 0,
            response_truncated: false,
            location: None,
            retry_after_ms: None,
            backoff_ms: None,
        };
        // Signed anew on every attempt (a fresh timestamp), with the same id.
        let headers = match build_headers(&self.options, request, id, unix_now()) {
            Ok((headers, _)) => headers,
            Err(error) => {
                record.error = Some(error.clone());
                record.error_kind = Some(FailureKind::Request);
                let step = Step::Stop {
                    kind: FailureKind::Request,
                    error,
                    status: None,
                };
                return (step, record);
            }
        };
        let sent = client
            .request(request.method.clone(), target.url().clone())
            .headers(headers)
            .body(request.body.clone())
            .timeout(timeout)
            .send()
            .await;
        let step = match sent {
            Err(e) => {
                let kind = classify(&e);
                let error = describe(&e);
                record.error = Some(error.clone());
                record.error_kind = Some(kind);
                if kind == FailureKind::Request {
                    Step::Stop {
                        kind,
                        error,
                        status: None,
                    }
                } else {
                    Step::Retry {
                        kind,
                        error,
                        status: None,
                        retry_after: None,
                    }
                }
            }
            Ok(mut response) => {
                let status = response.status();
                record.status = Some(status.as_u16());
                record.address = response.remote_addr();
                let header_text = |name: header::HeaderName| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let retry_after = header_text(header::RETRY_AFTER)
                    .and_then(|v| parse_retry_after(&v, SystemTime::now()));
                record.retry_after_ms = retry_after.map(millis);
                if status.is_redirection() {
                    record.location = header_text(header::LOCATION);
                }
                // Read the body, at most the cap, chunk by chunk.
                let cap = self.options.max_response_body;
                let mut read: usize = 0;
                let mut body_error = None;
                loop {
                    match response.chunk().await {
                        Ok(Some(chunk)) => {
                            if read + chunk.len() > cap {
                                read = cap;
                                record.response_truncated = true;
                                break;
                            }
                            read += chunk.len();
                        }
                        Ok(None) => break,
                        Err(e) => {
                            body_error = Some(e);
                            break;
                        }
                    }
                }
                drop(response);
                record.response_bytes = read as u64;
                let code = status.as_u16();
                let reason = status.canonical_reason().unwrap_or("");
                let status_error = format!("HTTP {code} {reason}").trim_end().to_owned();
                if status.is_success() {
                    if let Some(e) = body_error {
                        // Accepted all the same; the status is the consumer's answer.
                        record.error = Some(format!("reading the response: {}", describe(&e)));
                    }
                    Step::Delivered(code)
                } else if status.is_redirection() {
                    let error = match &record.location {
                        Some(location) => {
                            format!("{status_error}: redirect to {location} not followed")
                        }
                        None => format!("{status_error}: redirect not followed"),
                    };
                    record.error = Some(error.clone());
                    record.error_kind = Some(FailureKind::Redirect);
                    Step::Stop {
                        kind: FailureKind::Redirect,
                        error,
                        status: Some(code),
                    }
                } else if is_retryable_status(code) {
                    record.error = Some(status_error.clone());
                    record.error_kind = Some(FailureKind::Status);
                    Step::Retry {
                        kind: FailureKind::Status,
                        error: status_error,
                        status: Some(code),
                        retry_after,
                    }
                } else {
                    let error = format!("{status_error} (not retried)");
                    record.error = Some(error.clone());
                    record.error_kind = Some(FailureKind::Status);
                    Step::Stop {
                        kind: FailureKind::Status,
                        error,
                        status: Some(code),
                    }
                }
            }
        };
        record.elapsed_ms = millis(began.elapsed());
        (step, record)
    }
}

/// Delivers one callback with a one-off [`Deliverer`] (system resolver). A client that cannot be
/// built is reported as a failed delivery.
pub async fn deliver(options: &DeliveryOptions, request: &DeliveryRequest) -> DeliveryReport {
    match Deliverer::new(options.clone()) {
        Ok(deliverer) => deliverer.deliver(request).await,
        Err(e) => DeliveryReport {
            url: request.url.clone(),
            method: request.method.to_string(),
            webhook_id: request.id.clone().unwrap_or_else(new_message_id),
            outcome: Outcome::Failed {
                kind: FailureKind::Request,
                error: e.to_string(),
                status: None,
                attempts: 0,
            },
            target: None,
            ignored_headers: Vec::new(),
            attempt_log: Vec::new(),
            elapsed_ms: 0,
        },
    }
}
