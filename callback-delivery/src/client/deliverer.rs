//! The delivery client: its options, resolver and TLS configuration, built once.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::redirect;

use crate::dry_run::{DryRun, dry_run};
use crate::options::DeliveryOptions;
use crate::policy::CheckedTarget;
use crate::request::DeliveryRequest;

use super::lookup::{Resolve, SystemResolver};
use super::tls::tls_config;

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

/// The client could not be built.
#[derive(Debug)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the delivery client: {}", self.0)
    }
}

impl std::error::Error for BuildError {}

/// Delivers callbacks. Holds the options, the resolver and the TLS configuration; cheap to share
/// (`&self` methods, `Send + Sync`).
///
/// ```no_run
/// use callback_delivery::{Deliverer, DeliveryOptions, DeliveryRequest, SigningSecret};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let secret: SigningSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?;
/// let options = DeliveryOptions::default().with_secret(secret);
/// let deliverer = Deliverer::new(options)?;
/// let request = DeliveryRequest::json("https://consumer.example/progress", &serde_json::json!({"done": 100}));
/// let report = deliverer.deliver(&request).await;
/// println!("{}", serde_json::to_string(&report)?);
/// # Ok(()) }
/// ```
pub struct Deliverer {
    pub(super) options: DeliveryOptions,
    pub(super) resolver: Arc<dyn Resolve>,
    pub(super) tls: rustls::ClientConfig,
}

impl fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deliverer")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Deliverer {
    /// A deliverer with the system resolver.
    pub fn new(options: DeliveryOptions) -> Result<Self, BuildError> {
        let tls = tls_config(options.extra_root_certificates()).map_err(BuildError)?;
        Ok(Self {
            options,
            resolver: Arc::new(SystemResolver),
            tls,
        })
    }

    /// Replaces the resolver (a [`StaticResolver`](crate::StaticResolver) in tests: nothing is looked up).
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
    pub(super) fn client(&self, target: &CheckedTarget) -> Result<reqwest::Client, reqwest::Error> {
        let options = &self.options;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(self.tls.clone())
            .redirect(redirect::Policy::none())
            .referer(false)
            .retry(reqwest::retry::never())
            .no_proxy()
            .connect_timeout(options.connect_timeout())
            .timeout(options.timeout())
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
}
