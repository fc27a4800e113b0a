//! Allow-list entries: the host names and address ranges that open exceptions to the rules.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

use super::host::{HostKind, parse_host};

/// An allow-list entry: a host name, or an address range.
///
/// Parsed from text ([`FromStr`]) as a CIDR (`10.0.0.0/8`, `fd00::/8`), a single address
/// (`127.0.0.1`, `::1`, `[::1]`, and every spelling a URL accepts, such as `127.1`), or a host
/// name (`consumer.internal`; compared case-insensitively, a trailing dot ignored, IDNs in their
/// ASCII form). Serializes as that text.
///
/// ```
/// use callback_delivery::policy::AllowEntry;
/// assert_eq!("127.1".parse::<AllowEntry>()?.to_string(), "127.0.0.1/32");
/// assert_eq!("[::1]".parse::<AllowEntry>()?.to_string(), "::1/128");
/// assert_eq!("Consumer.Example.".parse::<AllowEntry>()?.to_string(), "consumer.example");
/// assert!("http://x/".parse::<AllowEntry>().is_err());
/// # Ok::<(), callback_delivery::policy::AllowEntryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AllowEntry {
    /// A host name, exactly (no wildcard). Every address it resolves to is accepted.
    Host(String),
    /// An address range; a single address is a /32 or /128.
    Net(IpNet),
}

/// An allow-list entry that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowEntryError {
    input: String,
    reason: String,
}

impl fmt::Display for AllowEntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid allow-list entry `{}`: {}",
            self.input, self.reason
        )
    }
}

impl std::error::Error for AllowEntryError {}

impl FromStr for AllowEntry {
    type Err = AllowEntryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| AllowEntryError {
            input: s.to_owned(),
            reason: reason.to_owned(),
        };
        let text = s.trim();
        if text.is_empty() {
            return Err(err("empty"));
        }
        if text.contains('/') {
            return IpNet::from_str(text)
                .map(|net| Self::Net(net.trunc()))
                .map_err(|_| err("not a CIDR range such as 10.0.0.0/8 or fd00::/8"));
        }
        let bare = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(text);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Self::Net(IpNet::from(ip)));
        }
        if text.contains([':', '@', '?', '#', '\\', ' ']) {
            return Err(err("expected a host name, an address or a CIDR range"));
        }
        let url = Url::parse(&format!("http://{text}/"))
            .map_err(|e| err(&format!("not a valid host name ({e})")))?;
        match parse_host(&url) {
            Some(HostKind::Ip(ip)) => Ok(Self::Net(IpNet::from(ip))),
            Some(HostKind::Domain(name)) => Ok(Self::Host(name)),
            None => Err(err("not a valid host name")),
        }
    }
}

impl fmt::Display for AllowEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Host(name) => f.write_str(name),
            Self::Net(net) => write!(f, "{net}"),
        }
    }
}

impl Serialize for AllowEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AllowEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
