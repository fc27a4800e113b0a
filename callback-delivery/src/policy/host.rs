//! The host of a callback URL: a name, or an address in any numeric spelling a URL accepts.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

pub(super) enum HostKind {
    Ip(IpAddr),
    Domain(String),
}

/// The host of a parsed `http`/`https` URL. WHATWG parsing has already turned every numeric
/// spelling into a canonical IPv4 address, so the text tells the kind.
pub(super) fn parse_host(url: &Url) -> Option<HostKind> {
    let host = url.host_str()?;
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| HostKind::Ip(ip.into()));
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(HostKind::Ip(ip.into()));
    }
    if host.is_empty() {
        return None;
    }
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    Some(HostKind::Domain(name))
}
