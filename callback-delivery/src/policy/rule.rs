//! The rules that refuse a URL or an address, by name.

use std::fmt;

use serde::{Deserialize, Serialize};

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
    /// A cloud instance-metadata or credentials endpoint: 169.254.169.254 (most clouds),
    /// 169.254.170.2 and 169.254.170.23 (AWS ECS, EKS), fd00:ec2::254 and fd00:ec2::23 (AWS over
    /// IPv6), fd20:ce::254 (Google Cloud over IPv6), 168.63.129.16 (the Azure platform address),
    /// 100.100.100.200 (Alibaba Cloud), 192.0.0.192 (Oracle Cloud), in every spelling.
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
    pub(super) fn address_phrase(self) -> &'static str {
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
