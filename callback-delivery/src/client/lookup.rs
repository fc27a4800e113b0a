//! Looking a host name up, once per delivery, and checking every address it gave: the
//! [`Resolve`] trait, its two resolvers, and the lookup step of a delivery.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::policy::{CheckedTarget, Denied, UrlPolicy};

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

    /// Adds a name (case-insensitive, trailing dot ignored) and its addresses.
    #[must_use]
    pub fn with_name(mut self, name: &str, addrs: impl IntoIterator<Item = IpAddr>) -> Self {
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

/// Why a target's addresses could not be had.
pub(super) enum LookupFailure {
    /// The policy refused one of the addresses (or there were none).
    Denied(Denied),
    /// The name could not be resolved (or not in time).
    Failed(String),
}

/// The target with its addresses checked: an IP literal as it is; a host name resolved once
/// (within `timeout`) and every address it gave checked by `policy`.
pub(super) async fn checked_addresses(
    resolver: &dyn Resolve,
    policy: &UrlPolicy,
    target: CheckedTarget,
    timeout: Duration,
) -> Result<CheckedTarget, LookupFailure> {
    if !target.is_domain() {
        return Ok(target);
    }
    let lookup = resolver.resolve(target.host(), target.port());
    let resolved = match tokio::time::timeout(timeout, lookup).await {
        Ok(Ok(addrs)) => addrs,
        Ok(Err(e)) => {
            return Err(LookupFailure::Failed(format!(
                "cannot resolve {}: {e}",
                target.host()
            )));
        }
        Err(_) => {
            return Err(LookupFailure::Failed(format!(
                "resolving {} timed out",
                target.host()
            )));
        }
    };
    target
        .with_addresses(policy, &resolved)
        .map_err(LookupFailure::Denied)
}
