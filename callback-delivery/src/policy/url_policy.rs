//! The policy's settings: whether `http` is allowed, and the allow-list; and the check of one
//! address against them.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::allow::AllowEntry;
use super::denied::Denied;
use super::ranges::special_purpose;

/// Which callback URLs may be called. The default refuses everything
/// [`check_url`](super::check_url) describes and allows `https` only; `with_*` methods open
/// exceptions. Serializes as `{"allow_http": false, "allow": ["127.0.0.1/32", "hooks.test"]}`.
///
/// ```
/// use callback_delivery::UrlPolicy;
///
/// let policy = UrlPolicy::default().with_allowed("10.0.0.0/8".parse()?).with_http(true);
/// assert!(policy.allows_http());
/// assert_eq!(policy.allowed()[0].to_string(), "10.0.0.0/8");
/// assert!(policy.check_url("http://10.1.2.3/hook").is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UrlPolicy {
    allow_http: bool,
    allow: Vec<AllowEntry>,
}

impl UrlPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an exception: a host name or an address range that may be called even though the
    /// rules would refuse it. An allow-listed host name is trusted with every address it resolves
    /// to, and an allow-listed host (a name, or an IP literal inside an allowed range) may use
    /// `http`.
    #[must_use]
    pub fn with_allowed(mut self, entry: AllowEntry) -> Self {
        self.allow.push(entry);
        self
    }

    /// Allows `http` for every host (by default only allow-listed hosts may use it).
    #[must_use]
    pub fn with_http(mut self, allow_http: bool) -> Self {
        self.allow_http = allow_http;
        self
    }

    /// Whether `http` is allowed for every host.
    pub fn allows_http(&self) -> bool {
        self.allow_http
    }

    /// The allow-list, in the order given.
    pub fn allowed(&self) -> &[AllowEntry] {
        &self.allow
    }

    /// The allow-list range that contains `ip` (an IPv4-mapped address also matches the range of
    /// the IPv4 address it carries).
    pub fn allowed_net(&self, ip: IpAddr) -> Option<&AllowEntry> {
        let canonical = ip.to_canonical();
        self.allow.iter().find(|entry| match entry {
            AllowEntry::Net(net) => net.contains(&ip) || net.contains(&canonical),
            AllowEntry::Host(_) => false,
        })
    }

    /// The allow-list entry for a host name (lowercase, trailing dot ignored).
    pub fn allowed_host(&self, name: &str) -> Option<&AllowEntry> {
        let name = name.strip_suffix('.').unwrap_or(name);
        self.allow.iter().find(|entry| match entry {
            AllowEntry::Host(host) => host.eq_ignore_ascii_case(name),
            AllowEntry::Net(_) => false,
        })
    }

    /// Checks one address: `Ok` with the allow-list entry that opened an exception, if one was
    /// needed, or the refusal.
    pub fn check_ip(&self, ip: IpAddr) -> Result<Option<&AllowEntry>, Denied> {
        if let Some(entry) = self.allowed_net(ip) {
            return Ok(Some(entry));
        }
        match special_purpose(ip) {
            None => Ok(None),
            Some(special) => Err(Denied::address(ip, special)),
        }
    }
}
