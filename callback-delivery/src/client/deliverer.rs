//! The delivery client: its options, resolver and HTTP client (one connection pool), built once.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::dry_run::{DryRun, dry_run};
use crate::options::DeliveryOptions;
use crate::request::DeliveryRequest;

use super::connector::PinnedConnector;
use super::lookup::{Resolve, SystemResolver};
use super::tls::shared_tls_config;

/// The HTTP client: hyper's pooled client over the connector that connects to checked addresses
/// only.
pub(super) type HttpClient = Client<PinnedConnector, Full<Bytes>>;

/// How long an idle connection is kept in the pool.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The client could not be built: the TLS configuration (an extra root certificate that is not
/// a certificate, say).
#[derive(Debug)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the delivery client: {}", self.0)
    }
}

impl std::error::Error for BuildError {}

/// Delivers callbacks. Built once, with the options, the resolver, the TLS configuration and one
/// HTTP client whose connection pool every delivery shares: a connection is reused only for the
/// same host and the same checked addresses. Cheap to clone and to share between tasks (`&self`
/// methods, `Send + Sync`); use it within one Tokio runtime, where its connections live.
///
/// ```no_run
/// use callback_delivery::{Deliverer, DeliveryOptions, DeliveryRequest, SigningSecret};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let secret: SigningSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?;
/// let deliverer = Deliverer::new(DeliveryOptions::default().with_secret(secret))?;
/// let request = DeliveryRequest::json("https://consumer.example/progress", &serde_json::json!({"done": 100}));
/// let report = deliverer.deliver(&request).await;
/// println!("{}", serde_json::to_string(&report)?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Deliverer {
    pub(super) options: DeliveryOptions,
    pub(super) resolver: Arc<dyn Resolve>,
    pub(super) http: HttpClient,
}

impl fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deliverer")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Deliverer {
    /// A deliverer with the system resolver. Builds the HTTP client, with the TLS configuration
    /// of its extra roots (built at the first deliverer of the process that has them, then
    /// shared); opens no connection (and needs no runtime yet).
    pub fn new(options: DeliveryOptions) -> Result<Self, BuildError> {
        let tls = shared_tls_config(options.extra_root_certificates()).map_err(BuildError)?;
        let connector = PinnedConnector::new(tls, options.connect_timeout());
        let http = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            // The Host header is the URL's, set with the other headers.
            .set_host(false)
            .build(connector);
        Ok(Self {
            options,
            resolver: Arc::new(SystemResolver),
            http,
        })
    }

    /// Replaces the resolver (a [`StaticResolver`](crate::StaticResolver) in tests: nothing is
    /// looked up).
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
}
