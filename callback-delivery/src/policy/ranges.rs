//! The special-purpose address ranges: which addresses a callback must not reach by default, in
//! IPv4 and in the IPv6 forms that carry an IPv4 address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use super::rule::DenyRule;

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
    pub(super) fn phrase(self) -> &'static str {
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
#[non_exhaustive]
pub struct Embedded {
    /// The IPv6 form.
    pub form: Embedding,
    /// The IPv4 address it carries.
    pub ipv4: Ipv4Addr,
}

/// Why an address is special-purpose: the rule, the embedded IPv4 address that decided it, and
/// the service known to listen there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SpecialAddress {
    /// The rule that refuses it.
    pub rule: DenyRule,
    /// The IPv4 address inside an IPv6 form, when that is what decided.
    pub via: Option<Embedded>,
    /// For a cloud metadata address other than the well-known 169.254.169.254, the platform and
    /// service that answer there (`"Azure platform address (WireServer)"`).
    pub service: Option<&'static str>,
}

/// The cloud platforms' instance-metadata and credential endpoints, and what answers there.
/// Most lie in ranges refused anyway (link-local, unique-local, carrier-grade NAT); they are
/// named so that a refusal says what the address is. 168.63.129.16 is a public address, refused
/// only because it is listed here. The well-known 169.254.169.254 (AWS, Google Cloud, Azure,
/// Oracle Cloud, OpenStack, DigitalOcean and others) needs no name.
const METADATA_V4: &[([u8; 4], Option<&str>)] = &[
    ([169, 254, 169, 254], None),
    (
        [169, 254, 170, 2],
        Some("AWS ECS task metadata and credentials"),
    ),
    (
        [169, 254, 170, 23],
        Some("AWS EKS Pod Identity credentials"),
    ),
    (
        [168, 63, 129, 16],
        Some("Azure platform address (WireServer, DNS, health probes)"),
    ),
    (
        [100, 100, 100, 200],
        Some("Alibaba Cloud instance metadata"),
    ),
    ([192, 0, 0, 192], Some("Oracle Cloud instance metadata")),
];

/// The IPv6 ones.
const METADATA_V6: &[([u16; 8], Option<&str>)] = &[
    (
        [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254],
        Some("AWS instance metadata over IPv6"),
    ),
    (
        [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0023],
        Some("AWS EKS Pod Identity credentials over IPv6"),
    ),
    (
        [0xfd20, 0x00ce, 0, 0, 0, 0, 0, 0x0254],
        Some("Google Cloud metadata over IPv6"),
    ),
];

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
/// let azure = special_purpose("168.63.129.16".parse()?).expect("special");
/// assert_eq!(azure.rule, DenyRule::CloudMetadata);
/// assert!(azure.service.is_some_and(|s| s.contains("Azure")));
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
pub fn special_purpose(ip: IpAddr) -> Option<SpecialAddress> {
    match ip {
        IpAddr::V4(v4) => special_v4(v4).map(|(rule, service)| SpecialAddress {
            rule,
            via: None,
            service,
        }),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn in_v4(ip: u32, net: [u8; 4], len: u32) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    ip & mask == u32::from_be_bytes(net) & mask
}

/// The rule for an IPv4 address, and the service of a metadata address.
pub(super) fn special_v4(ip: Ipv4Addr) -> Option<(DenyRule, Option<&'static str>)> {
    use DenyRule::*;
    if let Some((_, service)) = METADATA_V4.iter().find(|(a, _)| Ipv4Addr::from(*a) == ip) {
        return Some((CloudMetadata, *service));
    }
    let n = u32::from(ip);
    // Most specific first.
    const TABLE: &[([u8; 4], u32, DenyRule)] = &[
        ([255, 255, 255, 255], 32, Broadcast),
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
        .map(|(_, _, rule)| (*rule, None))
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
    special_v4(ipv4).map(|(rule, service)| SpecialAddress {
        rule,
        via: Some(Embedded { form, ipv4 }),
        service,
    })
}

fn special_v6(ip: Ipv6Addr) -> Option<SpecialAddress> {
    use DenyRule::*;
    let n = u128::from(ip);
    let plain = |rule| {
        Some(SpecialAddress {
            rule,
            via: None,
            service: None,
        })
    };
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
            service: None,
        }));
    }
    if in_v6(n, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return embedded(Embedding::Nat64, low32);
    }
    if let Some((_, service)) = METADATA_V6.iter().find(|(a, _)| Ipv6Addr::from(*a) == ip) {
        return Some(SpecialAddress {
            rule: CloudMetadata,
            via: None,
            service: *service,
        });
    }
    if in_v6(n, [0x2001, 0, 0, 0, 0, 0, 0, 0], 32) {
        return Some(SpecialAddress {
            rule: Tunnel,
            via: Some(Embedded {
                form: Embedding::Teredo,
                ipv4: Ipv4Addr::from(!((n & 0xffff_ffff) as u32)),
            }),
            service: None,
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
