//! Checked addresses carried by the request itself.
//!
//! The HTTP client is built once per [`Deliverer`](crate::Deliverer), with one pool of
//! connections, but each delivery may go only to the addresses its own lookup checked. The client
//! gives its connector nothing but the request's scheme and authority (which are also what it
//! pools connections by), so the checked addresses travel there: in the user-information part of
//! the authority, which a callback URL never has (the policy refuses URLs with credentials) and
//! which is never sent (HTTP/1.1 requests carry the path only, and the `Host` header is set from
//! the URL as written). `http://consumer.test:8080/cb`, checked to `127.0.0.1`, is requested as
//! `http://v4-7f000001@consumer.test:8080/cb`:
//!
//! - the connector connects to those addresses and nothing else, and refuses a URI without them,
//!   so it never needs a lookup, and a second lookup (DNS rebinding) cannot happen;
//! - connections are pooled per host *and* address set: a pooled connection is reused only by
//!   a delivery whose own check gave the same addresses.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use http::Uri;
use http::header::HeaderValue;
use url::Position;

use crate::policy::{CheckedTarget, Scheme};

/// The request URI and `Host` header for a checked target, its addresses pinned.
#[derive(Debug)]
pub(super) struct PinnedRequest {
    /// `scheme://ADDRESSES@host:port/path?query`.
    pub(super) uri: Uri,
    /// The `Host` header: the host as in the URL, and the port when it is not the default.
    pub(super) host: HeaderValue,
}

/// The target as the connector reads it back from a pinned URI.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Pinned {
    /// `https` (TLS) or `http`.
    pub(super) tls: bool,
    /// The host as in the URL, for the TLS server name (brackets removed from an IPv6 literal).
    pub(super) host: String,
    /// The checked addresses with the port, in the order they are tried.
    pub(super) addresses: Vec<SocketAddr>,
}

/// Why a URI cannot be pinned or read back.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct PinError(pub(super) String);

/// The pinned request for a target whose addresses are checked.
pub(super) fn pin(target: &CheckedTarget) -> Result<PinnedRequest, PinError> {
    if !target.addresses_checked() || target.addresses().is_empty() {
        return Err(PinError(format!(
            "{} has no checked address to connect to",
            target.host()
        )));
    }
    let url = target.url();
    let mut userinfo = String::new();
    for (i, ip) in target.addresses().iter().enumerate() {
        if i > 0 {
            userinfo.push('.');
        }
        // Infallible: writing into a String.
        let _ = match ip {
            IpAddr::V4(v4) => write!(userinfo, "v4-{:08x}", u32::from(*v4)),
            IpAddr::V6(v6) => write!(userinfo, "v6-{:032x}", u128::from(*v6)),
        };
    }
    let scheme = match target.scheme() {
        Scheme::Https => "https",
        Scheme::Http => "http",
    };
    let path_and_query = &url[Position::BeforePath..Position::AfterQuery];
    let text = format!(
        "{scheme}://{userinfo}@{}:{}{path_and_query}",
        target.host(),
        target.port()
    );
    let uri: Uri = text
        .parse()
        .map_err(|e| PinError(format!("the URL {} cannot be requested: {e}", url.as_str())))?;
    let host_text = match url.port() {
        Some(port) => format!("{}:{port}", target.host()),
        None => target.host().to_owned(),
    };
    let host = HeaderValue::from_str(&host_text)
        .map_err(|_| PinError(format!("the host {host_text} is not a valid Host header")))?;
    Ok(PinnedRequest { uri, host })
}

/// Reads the target back from a URI made by [`pin`]; any other URI is refused, so that nothing
/// is ever connected to that was not checked.
pub(super) fn unpin(uri: &Uri) -> Result<Pinned, PinError> {
    let refuse = || {
        PinError(format!(
            "refusing to connect to {uri}: not a target whose addresses were checked"
        ))
    };
    let tls = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(refuse()),
    };
    let authority = uri.authority().ok_or_else(refuse)?;
    let (userinfo, _) = authority.as_str().rsplit_once('@').ok_or_else(refuse)?;
    let port = authority.port_u16().ok_or_else(refuse)?;
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .to_owned();
    let addresses = userinfo
        .split('.')
        .map(|part| {
            let ip = if let Some(hex) = part.strip_prefix("v4-") {
                u32::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 8)
                    .map(|n| IpAddr::V4(Ipv4Addr::from(n)))
            } else if let Some(hex) = part.strip_prefix("v6-") {
                u128::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 32)
                    .map(|n| IpAddr::V6(Ipv6Addr::from(n)))
            } else {
                None
            };
            ip.map(|ip| SocketAddr::new(ip, port)).ok_or_else(refuse)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Pinned {
        tls,
        host,
        addresses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::UrlPolicy;

    fn checked(url: &str, addresses: &[&str]) -> CheckedTarget {
        let policy = UrlPolicy::default()
            .with_allowed("127.0.0.0/8".parse().expect("cidr"))
            .with_allowed("::1".parse().expect("address"))
            .with_http(true);
        let target = policy.check_url(url).expect("allowed");
        if target.addresses_checked() {
            return target;
        }
        let ips: Vec<IpAddr> = addresses
            .iter()
            .map(|a| a.parse().expect("address"))
            .collect();
        target.with_addresses(&policy, &ips).expect("checked")
    }

    #[test]
    fn a_name_is_pinned_to_its_checked_addresses_and_read_back() {
        let target = checked(
            "http://Consumer.Test:8080/cb/%7Bx%7D?a=1&b={2}#frag",
            &["127.0.0.1", "::1"],
        );
        let pinned = pin(&target).expect("pinned");
        assert_eq!(
            pinned.uri.to_string(),
            "http://v4-7f000001.v6-00000000000000000000000000000001@consumer.test:8080/cb/%7Bx%7D?a=1&b={2}"
        );
        assert_eq!(pinned.host, "consumer.test:8080");
        assert_eq!(
            unpin(&pinned.uri).expect("read back"),
            Pinned {
                tls: false,
                host: "consumer.test".to_owned(),
                addresses: vec![
                    "127.0.0.1:8080".parse().expect("socket address"),
                    "[::1]:8080".parse().expect("socket address"),
                ],
            }
        );
    }

    #[test]
    fn an_ip_literal_and_the_default_port() {
        let target = checked("https://[::1]/", &[]);
        let pinned = pin(&target).expect("pinned");
        assert_eq!(pinned.host, "[::1]");
        let back = unpin(&pinned.uri).expect("read back");
        assert!(back.tls);
        assert_eq!(back.host, "::1");
        assert_eq!(back.addresses, ["[::1]:443".parse().expect("address")]);
    }

    #[test]
    fn a_target_without_checked_addresses_is_not_pinned() {
        let pending = UrlPolicy::default()
            .check_url("https://hooks.example/cb")
            .expect("allowed");
        assert!(pin(&pending).is_err());
    }

    #[test]
    fn nothing_but_a_pinned_uri_is_accepted() {
        for uri in [
            "http://consumer.test:8080/",
            "http://127.0.0.1:80/",
            "http://user@consumer.test:80/",
            "http://v4-7f00001@consumer.test:80/",
            "http://v4-7f000001.v5-00@consumer.test:80/",
            "ftp://v4-7f000001@consumer.test:21/",
            "http://v4-7f000001@consumer.test/",
        ] {
            let uri: Uri = uri.parse().expect("a URI");
            assert!(unpin(&uri).is_err(), "{uri}");
        }
    }
}
