//! The check of a callback URL: its scheme, credentials and host against the policy, and then
//! the addresses a host name resolved to.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Serialize, Serializer};
use url::Url;

use super::allow::AllowEntry;
use super::denied::Denied;
use super::host::{HostKind, parse_host};
use super::rule::DenyRule;
use super::url_policy::UrlPolicy;

/// The scheme of a checked URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Scheme {
    /// `http`.
    Http,
    /// `https`.
    Https,
}

/// A URL that passed the policy, with the addresses that may be connected to.
///
/// Only the policy makes one. For an IP-literal host the address is known and checked; for a host
/// name the addresses are empty until [`with_addresses`](Self::with_addresses) checks what the name
/// resolved to ([`addresses_checked`](Self::addresses_checked) tells which).
///
/// Serializes as `{"url", "scheme", "host", "port", "addresses", "addresses_checked",
/// "allowed_by"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckedTarget {
    #[serde(serialize_with = "serialize_url")]
    url: Url,
    scheme: Scheme,
    host: String,
    port: u16,
    addresses: Vec<IpAddr>,
    addresses_checked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_by: Option<AllowEntry>,
    #[serde(skip)]
    host_allowed: bool,
}

fn serialize_url<S: Serializer>(url: &Url, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(url.as_str())
}

impl CheckedTarget {
    /// The URL as parsed (normalized: the host in canonical form, the default port left out).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host as in the URL: a lowercase name, a dotted IPv4 address or a bracketed IPv6
    /// address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the host is a name (not an IP literal) and so must be resolved.
    pub fn is_domain(&self) -> bool {
        !self.host.starts_with('[') && self.host.parse::<Ipv4Addr>().is_err()
    }

    /// The checked addresses: the IP literal, or the resolved addresses once checked.
    pub fn addresses(&self) -> &[IpAddr] {
        &self.addresses
    }

    /// Whether [`addresses`](Self::addresses) is final (false for a host name not resolved yet).
    pub fn addresses_checked(&self) -> bool {
        self.addresses_checked
    }

    /// The allow-list entry that opened an exception, if one was needed.
    pub fn allowed_by(&self) -> Option<&AllowEntry> {
        self.allowed_by.as_ref()
    }

    /// Checks every address a host name resolved to (order kept, duplicates dropped). All must
    /// pass: one refused address refuses the target, so a name cannot smuggle an internal address
    /// beside a public one. An allow-listed host name accepts every address. Pure: resolution is
    /// the caller's.
    ///
    /// ```
    /// use callback_delivery::policy::{check_url, DenyRule, UrlPolicy};
    ///
    /// let policy = UrlPolicy::default();
    /// let pending = check_url(&policy, "https://hooks.example/cb")?;
    /// assert!(!pending.addresses_checked());
    /// let denied = pending
    ///     .clone()
    ///     .with_addresses(&policy, &["93.184.215.14".parse()?, "10.1.2.3".parse()?])
    ///     .unwrap_err();
    /// assert_eq!(denied.rule, DenyRule::Private);
    /// assert_eq!(denied.host.as_deref(), Some("hooks.example"));
    /// assert!(pending.with_addresses(&policy, &["93.184.215.14".parse()?]).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_addresses(
        mut self,
        policy: &UrlPolicy,
        resolved: &[IpAddr],
    ) -> Result<Self, Denied> {
        let with_host = |mut denied: Denied, host: &str| {
            denied.host = Some(host.to_owned());
            denied
        };
        if !self.is_domain() {
            // An IP literal has exactly its own address; anything else is a caller's mistake.
            for ip in resolved {
                if !self.addresses.contains(ip) {
                    return Err(with_host(
                        Denied::new(
                            DenyRule::InvalidUrl,
                            format!("{ip} is not the address written in the URL"),
                        ),
                        &self.host,
                    ));
                }
            }
            return Ok(self);
        }
        if resolved.is_empty() {
            return Err(with_host(
                Denied::new(
                    DenyRule::NoAddresses,
                    format!("{} resolved to no address", self.host),
                ),
                &self.host,
            ));
        }
        let mut addresses: Vec<IpAddr> = Vec::with_capacity(resolved.len());
        for &ip in resolved {
            if !self.host_allowed
                && let Some(entry) = policy.check_ip(ip).map_err(|d| with_host(d, &self.host))?
            {
                self.allowed_by.get_or_insert_with(|| entry.clone());
            }
            if !addresses.contains(&ip) {
                addresses.push(ip);
            }
        }
        self.addresses = addresses;
        self.addresses_checked = true;
        Ok(self)
    }
}

impl UrlPolicy {
    /// Checks a URL; see [`check_url`].
    pub fn check_url(&self, url: &str) -> Result<CheckedTarget, Denied> {
        check_url(self, url)
    }
}

/// Checks a callback URL against the policy. Pure: no resolution, no connection.
///
/// Refusals are checked in this order: the URL must parse; the scheme must be `http` or `https`;
/// no credentials; the host must not be `localhost`/`*.localhost` or a special-purpose address
/// (unless allow-listed); then `http` needs [`UrlPolicy::with_http`] or an allow-listed host. A
/// host name passes with its addresses still to be checked
/// ([`CheckedTarget::with_addresses`]), unless the name itself is allow-listed.
///
/// ```
/// use callback_delivery::policy::{check_url, DenyRule, UrlPolicy};
///
/// let policy = UrlPolicy::default();
/// let rule = |url| check_url(&policy, url).unwrap_err().rule;
/// assert_eq!(rule("https://127.1/"), DenyRule::Loopback);
/// assert_eq!(rule("https://[::ffff:169.254.169.254]/"), DenyRule::CloudMetadata);
/// assert_eq!(rule("https://user:pw@example.org/"), DenyRule::Credentials);
/// assert_eq!(rule("http://example.org/"), DenyRule::HttpNotAllowed);
/// assert_eq!(rule("ftp://example.org/"), DenyRule::Scheme);
/// ```
pub fn check_url(policy: &UrlPolicy, url: &str) -> Result<CheckedTarget, Denied> {
    let parsed = Url::parse(url)
        .map_err(|e| Denied::new(DenyRule::InvalidUrl, format!("not an absolute URL: {e}")))?;
    let scheme = match parsed.scheme() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => {
            return Err(Denied::new(
                DenyRule::Scheme,
                format!("scheme `{other}` is not http or https"),
            ));
        }
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Denied::new(
            DenyRule::Credentials,
            "the URL carries credentials (user information); a callback URL must not",
        ));
    }
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| Denied::new(DenyRule::InvalidUrl, "no port"))?;
    let host_text = parsed.host_str().unwrap_or_default().to_owned();
    let kind = parse_host(&parsed)
        .ok_or_else(|| Denied::new(DenyRule::InvalidUrl, "the URL has no valid host"))?;

    let (addresses, allowed_by, host_allowed) = match kind {
        HostKind::Ip(ip) => {
            let allowed = policy.check_ip(ip)?.cloned();
            let host_allowed = allowed.is_some();
            (vec![ip], allowed, host_allowed)
        }
        HostKind::Domain(name) => {
            let allowed = policy.allowed_host(&name).cloned();
            if allowed.is_none() && (name == "localhost" || name.ends_with(".localhost")) {
                let mut denied = Denied::new(
                    DenyRule::LocalName,
                    format!("{name} always names the local machine"),
                );
                denied.host = Some(name);
                return Err(denied);
            }
            let host_allowed = allowed.is_some();
            (Vec::new(), allowed, host_allowed)
        }
    };
    if scheme == Scheme::Http && !policy.allows_http() && !host_allowed {
        let mut denied = Denied::new(
            DenyRule::HttpNotAllowed,
            "http is not allowed (https only, unless the host is allow-listed or http is allowed)",
        );
        denied.host = Some(host_text);
        return Err(denied);
    }
    let addresses_checked = !addresses.is_empty();
    Ok(CheckedTarget {
        url: parsed,
        scheme,
        host: host_text,
        port,
        addresses,
        addresses_checked,
        allowed_by,
        host_allowed,
    })
}
