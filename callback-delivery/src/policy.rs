//! The URL policy: which callback URLs may be called, decided without any I/O.
//!
//! A callback URL comes from the client's own request, so a provider that calls it blindly can be
//! made to call its own internal network (server-side request forgery). [`check_url`] parses the URL
//! the way a browser does (WHATWG URL parsing, so `127.1`, `2130706433`, `0x7f000001`,
//! `0177.0.0.1`, `%31%32%37.0.0.1`, full-width digits and a trailing dot all become the IPv4
//! address they mean) and refuses, unless the [allow-list](UrlPolicy::allow) says otherwise:
//!
//! - a scheme other than `http` and `https`, and `http` unless [`UrlPolicy::allow_http`] is set or
//!   the host is allow-listed;
//! - user information (`https://user:pass@host/`): **refused, not stripped**. Credentials chosen by
//!   the client have no business in a provider's outgoing call, and silently dropping them would
//!   hide a malformed or hostile subscription from the provider;
//! - the names `localhost` and `*.localhost`, which resolve to loopback addresses (RFC 6761);
//! - every special-purpose address of [`special_purpose`]: loopback, private (RFC 1918),
//!   carrier-grade NAT, link-local (with the cloud metadata addresses), unique-local, multicast,
//!   unspecified, broadcast, documentation, benchmarking and reserved ranges, and the IPv6 forms that
//!   embed such an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, NAT64) or hide one (Teredo).
//!
//! A host name cannot be judged by its spelling: [`CheckedTarget::with_addresses`] checks every
//! address it resolved to, and the delivery client connects to those checked addresses only, so a
//! second lookup (DNS rebinding) cannot swap them. Resolution itself is not done here.
//!
//! ```
//! use callback_delivery::policy::{check_url, DenyRule, UrlPolicy};
//!
//! let policy = UrlPolicy::default();
//! let denied = check_url(&policy, "https://0x7f000001/hook").unwrap_err();
//! assert_eq!(denied.rule, DenyRule::Loopback);
//! assert_eq!(denied.to_string(), "refused (loopback): 127.0.0.1 is a loopback address");
//!
//! let target = check_url(&policy, "https://1.1.1.1/hook")?;
//! assert_eq!(target.addresses(), ["1.1.1.1".parse::<std::net::IpAddr>()?]);
//!
//! // An allow-listed address may be used, over http too.
//! let local = UrlPolicy::default().with_allowed("127.0.0.1".parse()?);
//! assert!(check_url(&local, "http://127.0.0.1:8080/hook").is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

/// The rule that refused a URL or an address. Serializes as its kebab-case name (`"loopback"`,
/// `"carrier-grade-nat"`, …), which is also what [`Display`](fmt::Display) prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DenyRule {
    /// The text is not an absolute URL, or its host is malformed.
    InvalidUrl,
    /// The scheme is neither `http` nor `https`.
    Scheme,
    /// `http` (not `https`) while the policy does not allow it for this host.
    HttpNotAllowed,
    /// The URL carries a user name or password.
    Credentials,
    /// `localhost` or a name under `.localhost`, which always means the local machine.
    LocalName,
    /// 127.0.0.0/8, ::1.
    Loopback,
    /// RFC 1918 private ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16.
    Private,
    /// Carrier-grade NAT, 100.64.0.0/10 (RFC 6598).
    CarrierGradeNat,
    /// 169.254.0.0/16, fe80::/10.
    LinkLocal,
    /// A cloud instance-metadata endpoint: 169.254.169.254, fd00:ec2::254, 100.100.100.200.
    CloudMetadata,
    /// fc00::/7 (RFC 4193).
    UniqueLocal,
    /// 224.0.0.0/4, ff00::/8.
    Multicast,
    /// 0.0.0.0/8 ("this network"), ::.
    Unspecified,
    /// 255.255.255.255.
    Broadcast,
    /// 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// 198.18.0.0/15, 2001:2::/48.
    Benchmarking,
    /// Any other special-purpose or unassigned range: 192.0.0.0/24, 192.88.99.0/24, 240.0.0.0/4,
    /// IPv6 outside 2000::/3, 2001::/23 protocol assignments, discard-only 100::/64, site-local,
    /// deprecated IPv4-compatible addresses, local-use NAT64.
    Reserved,
    /// A Teredo tunnel address (2001::/32), which hides an IPv4 address behind a relay.
    Tunnel,
    /// The host name resolved to no address at all.
    NoAddresses,
}

impl DenyRule {
    /// The rule's kebab-case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidUrl => "invalid-url",
            Self::Scheme => "scheme",
            Self::HttpNotAllowed => "http-not-allowed",
            Self::Credentials => "credentials",
            Self::LocalName => "local-name",
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::CarrierGradeNat => "carrier-grade-nat",
            Self::LinkLocal => "link-local",
            Self::CloudMetadata => "cloud-metadata",
            Self::UniqueLocal => "unique-local",
            Self::Multicast => "multicast",
            Self::Unspecified => "unspecified",
            Self::Broadcast => "broadcast",
            Self::Documentation => "documentation",
            Self::Benchmarking => "benchmarking",
            Self::Reserved => "reserved",
            Self::Tunnel => "tunnel",
            Self::NoAddresses => "no-addresses",
        }
    }

    /// What an address refused by this rule is, as a noun phrase ("a loopback address").
    fn address_phrase(self) -> &'static str {
        match self {
            Self::Loopback => "a loopback address",
            Self::Private => "a private (RFC 1918) address",
            Self::CarrierGradeNat => "a carrier-grade NAT address",
            Self::LinkLocal => "a link-local address",
            Self::CloudMetadata => "a cloud metadata address",
            Self::UniqueLocal => "a unique-local address",
            Self::Multicast => "a multicast address",
            Self::Unspecified => "an unspecified address",
            Self::Broadcast => "the broadcast address",
            Self::Documentation => "a documentation address",
            Self::Benchmarking => "a benchmarking address",
            Self::Tunnel => "a Teredo tunnel address",
            _ => "a reserved address",
        }
    }
}

impl fmt::Display for DenyRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An IPv6 form that carries an IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Embedding {
    /// `::ffff:a.b.c.d` (RFC 4291).
    Ipv4Mapped,
    /// `::a.b.c.d`, deprecated (RFC 4291).
    Ipv4Compatible,
    /// `2002:aabb:ccdd::/48` (RFC 3056).
    SixToFour,
    /// `64:ff9b::a.b.c.d`, the NAT64 well-known prefix (RFC 6052).
    Nat64,
    /// `2001:0:…`, whose last 32 bits are the client's IPv4 address, inverted (RFC 4380).
    Teredo,
}

impl Embedding {
    fn phrase(self) -> &'static str {
        match self {
            Self::Ipv4Mapped => "an IPv4-mapped IPv6 address",
            Self::Ipv4Compatible => "an IPv4-compatible IPv6 address",
            Self::SixToFour => "a 6to4 address",
            Self::Nat64 => "a NAT64 address",
            Self::Teredo => "a Teredo address",
        }
    }
}

/// The IPv4 address an IPv6 address carries, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Embedded {
    /// The IPv6 form.
    pub form: Embedding,
    /// The IPv4 address it carries.
    pub ipv4: Ipv4Addr,
}

/// Why an address is special-purpose: the rule, and the embedded IPv4 address that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpecialAddress {
    /// The rule that refuses it.
    pub rule: DenyRule,
    /// The IPv4 address inside an IPv6 form, when that is what decided.
    pub via: Option<Embedded>,
}

/// Classifies an address that a callback must not reach by default, or `None` for an ordinary
/// public (globally routable) address. Pure; ignores any allow-list.
///
/// ```
/// use callback_delivery::policy::{special_purpose, DenyRule, Embedding};
///
/// let mapped = special_purpose("::ffff:10.0.0.1".parse()?).expect("special");
/// assert_eq!(mapped.rule, DenyRule::Private);
/// assert_eq!(mapped.via.map(|e| e.form), Some(Embedding::Ipv4Mapped));
/// assert_eq!(special_purpose("169.254.169.254".parse()?).map(|s| s.rule), Some(DenyRule::CloudMetadata));
/// assert_eq!(special_purpose("2606:4700:4700::1111".parse()?), None);
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
pub fn special_purpose(ip: IpAddr) -> Option<SpecialAddress> {
    match ip {
        IpAddr::V4(v4) => special_v4(v4).map(|rule| SpecialAddress { rule, via: None }),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn in_v4(ip: u32, net: [u8; 4], len: u32) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    ip & mask == u32::from_be_bytes(net) & mask
}

fn special_v4(ip: Ipv4Addr) -> Option<DenyRule> {
    use DenyRule::*;
    let n = u32::from(ip);
    // Most specific first.
    const TABLE: &[([u8; 4], u32, DenyRule)] = &[
        ([255, 255, 255, 255], 32, Broadcast),
        ([169, 254, 169, 254], 32, CloudMetadata),
        ([100, 100, 100, 200], 32, CloudMetadata),
        ([0, 0, 0, 0], 8, Unspecified),
        ([10, 0, 0, 0], 8, Private),
        ([172, 16, 0, 0], 12, Private),
        ([192, 168, 0, 0], 16, Private),
        ([100, 64, 0, 0], 10, CarrierGradeNat),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([192, 0, 2, 0], 24, Documentation),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([198, 18, 0, 0], 15, Benchmarking),
        ([192, 0, 0, 0], 24, Reserved),
        ([192, 88, 99, 0], 24, Reserved),
        ([224, 0, 0, 0], 4, Multicast),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    TABLE
        .iter()
        .find(|(net, len, _)| in_v4(n, *net, *len))
        .map(|(_, _, rule)| *rule)
}

fn in_v6(ip: u128, net: [u16; 8], len: u32) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    ip & mask == u128::from(Ipv6Addr::from(net)) & mask
}

fn embedded(form: Embedding, ipv4: Ipv4Addr) -> Option<SpecialAddress> {
    special_v4(ipv4).map(|rule| SpecialAddress {
        rule,
        via: Some(Embedded { form, ipv4 }),
    })
}

fn special_v6(ip: Ipv6Addr) -> Option<SpecialAddress> {
    use DenyRule::*;
    let n = u128::from(ip);
    let plain = |rule| Some(SpecialAddress { rule, via: None });
    let low32 = Ipv4Addr::from((n & 0xffff_ffff) as u32);
    if ip.is_unspecified() {
        return plain(Unspecified);
    }
    if ip.is_loopback() {
        return plain(Loopback);
    }
    if in_v6(n, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96) {
        // Mapped: the connection goes to the IPv4 address itself; judge that address.
        return embedded(Embedding::Ipv4Mapped, low32);
    }
    if in_v6(n, [0; 8], 96) {
        let form = Embedding::Ipv4Compatible;
        return embedded(form, low32).or(Some(SpecialAddress {
            rule: Reserved,
            via: Some(Embedded { form, ipv4: low32 }),
        }));
    }
    if in_v6(n, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return embedded(Embedding::Nat64, low32);
    }
    if in_v6(n, [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254], 128) {
        return plain(CloudMetadata);
    }
    if in_v6(n, [0x2001, 0, 0, 0, 0, 0, 0, 0], 32) {
        return Some(SpecialAddress {
            rule: Tunnel,
            via: Some(Embedded {
                form: Embedding::Teredo,
                ipv4: Ipv4Addr::from(!((n & 0xffff_ffff) as u32)),
            }),
        });
    }
    if in_v6(n, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        let ipv4 = Ipv4Addr::from(((n >> 80) & 0xffff_ffff) as u32);
        return embedded(Embedding::SixToFour, ipv4);
    }
    const TABLE: &[([u16; 8], u32, DenyRule)] = &[
        ([0x2001, 0x0002, 0, 0, 0, 0, 0, 0], 48, Benchmarking),
        ([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32, Documentation),
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, Documentation),
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, Reserved),
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, UniqueLocal),
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, LinkLocal),
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, Reserved),
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, Multicast),
    ];
    if let Some((_, _, rule)) = TABLE.iter().find(|(net, len, _)| in_v6(n, *net, *len)) {
        return plain(*rule);
    }
    // Only the global unicast block is assigned for use on the Internet; everything else
    // (64:ff9b:1::/48, 100::/64, unassigned space) is refused.
    if !in_v6(n, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        return plain(Reserved);
    }
    None
}

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

/// Which callback URLs may be called. The default refuses everything [`check_url`] describes and
/// allows `https` only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UrlPolicy {
    /// Allow `http` for every host (by default only allow-listed hosts may use it).
    pub allow_http: bool,
    /// Exceptions: host names and address ranges that may be called even though the rules would
    /// refuse them. An allow-listed host name is trusted with every address it resolves to, and an
    /// allow-listed host (a name, or an IP literal inside an allowed range) may use `http`.
    pub allow: Vec<AllowEntry>,
}

impl UrlPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an allow-list entry.
    #[must_use]
    pub fn with_allowed(mut self, entry: AllowEntry) -> Self {
        self.allow.push(entry);
        self
    }

    /// Sets [`allow_http`](Self::allow_http).
    #[must_use]
    pub fn with_http(mut self, allow_http: bool) -> Self {
        self.allow_http = allow_http;
        self
    }

    /// Checks a URL; see [`check_url`].
    pub fn check_url(&self, url: &str) -> Result<CheckedTarget, Denied> {
        check_url(self, url)
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

/// A refusal: the rule, and what it was applied to.
///
/// Serializes as `{"rule": "loopback", "host": …, "address": …, "embedded": …, "reason": …}`
/// (absent parts left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Denied {
    /// The rule that refused.
    pub rule: DenyRule,
    /// The host name, when the refusal concerns a name or its resolved addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The refused address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<IpAddr>,
    /// The IPv4 address inside an IPv6 form, when that decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedded: Option<Embedded>,
    /// A sentence for people.
    pub reason: String,
}

impl Denied {
    fn new(rule: DenyRule, reason: impl Into<String>) -> Self {
        Self {
            rule,
            host: None,
            address: None,
            embedded: None,
            reason: reason.into(),
        }
    }

    fn address(ip: IpAddr, special: SpecialAddress) -> Self {
        let reason = match special.via {
            None => format!("{ip} is {}", special.rule.address_phrase()),
            Some(Embedded {
                form: Embedding::Teredo,
                ipv4,
            }) => format!(
                "{ip} is a Teredo tunnel address (client {ipv4}), which hides where traffic goes"
            ),
            Some(Embedded { form, ipv4 }) if special_v4(ipv4).is_none() => {
                format!("{ip} is {} (deprecated, not routable)", form.phrase())
            }
            Some(Embedded { form, ipv4 }) => format!(
                "{ip} is {} for {ipv4}, {}",
                form.phrase(),
                special.rule.address_phrase()
            ),
        };
        Self {
            rule: special.rule,
            host: None,
            address: Some(ip),
            embedded: special.via,
            reason,
        }
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused ({}): {}", self.rule, self.reason)
    }
}

impl std::error::Error for Denied {}

/// The scheme of a checked URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
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

enum HostKind {
    Ip(IpAddr),
    Domain(String),
}

/// The host of a parsed `http`/`https` URL. WHATWG parsing has already turned every numeric
/// spelling into a canonical IPv4 address, so the text tells the kind.
fn parse_host(url: &Url) -> Option<HostKind> {
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

/// Checks a callback URL against the policy. Pure: no resolution, no connection.
///
/// Refusals are checked in this order: the URL must parse; the scheme must be `http` or `https`;
/// no credentials; the host must not be `localhost`/`*.localhost` or a special-purpose address
/// (unless allow-listed); then `http` needs [`UrlPolicy::allow_http`] or an allow-listed host. A
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
    if scheme == Scheme::Http && !policy.allow_http && !host_allowed {
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
