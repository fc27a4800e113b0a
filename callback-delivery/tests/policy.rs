//! The URL policy over a table of URLs, through the pure check only: nothing here resolves a name
//! or opens a connection.
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use callback_delivery::policy::{
    AllowEntry, DenyRule, Embedding, UrlPolicy, check_url, special_purpose,
};

/// What the default policy must say about a URL.
#[derive(Debug)]
enum Expect {
    /// Refused by this rule; when given, the address the refusal names (proves how the host was
    /// normalized).
    Deny(DenyRule, Option<&'static str>),
    /// Accepted, an IP literal with this address.
    Ip(&'static str),
    /// Accepted, a host name still to resolve (normalized as given).
    Name(&'static str),
}

use DenyRule::*;
use Expect::{Deny, Ip, Name};

const TABLE: &[(&str, Expect)] = &[
    // Loopback, in every spelling a URL parser accepts.
    ("https://127.0.0.1/", Deny(Loopback, Some("127.0.0.1"))),
    ("https://127.1/", Deny(Loopback, Some("127.0.0.1"))),
    ("https://127.0.1/", Deny(Loopback, Some("127.0.0.1"))),
    ("https://2130706433/", Deny(Loopback, Some("127.0.0.1"))),
    ("https://0x7f000001/", Deny(Loopback, Some("127.0.0.1"))),
    ("https://0X7F000001/", Deny(Loopback, Some("127.0.0.1"))),
    ("https://0x7f.0.0.1/", Deny(Loopback, Some("127.0.0.1"))),
    ("https://0177.0.0.1/", Deny(Loopback, Some("127.0.0.1"))),
    (
        "https://0177.0000.0000.0001/",
        Deny(Loopback, Some("127.0.0.1")),
    ),
    ("https://017700000001/", Deny(Loopback, Some("127.0.0.1"))),
    ("https://127.0.0.1./", Deny(Loopback, Some("127.0.0.1"))),
    ("https://127.1.:8443/x", Deny(Loopback, Some("127.0.0.1"))),
    (
        "https://127.255.255.254/",
        Deny(Loopback, Some("127.255.255.254")),
    ),
    (
        "https://%31%32%37.0.0.1/",
        Deny(Loopback, Some("127.0.0.1")),
    ),
    (
        "https://\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}/",
        Deny(Loopback, Some("127.0.0.1")),
    ),
    ("HTTPS://127.0.0.1/", Deny(Loopback, Some("127.0.0.1"))),
    ("  https://127.0.0.1/  ", Deny(Loopback, Some("127.0.0.1"))),
    ("https://[::1]/", Deny(Loopback, Some("::1"))),
    ("https://[0:0:0:0:0:0:0:1]/", Deny(Loopback, Some("::1"))),
    (
        "https://[::ffff:127.0.0.1]/",
        Deny(Loopback, Some("::ffff:127.0.0.1")),
    ),
    (
        "https://[::ffff:7f00:1]/",
        Deny(Loopback, Some("::ffff:127.0.0.1")),
    ),
    (
        "https://[0:0:0:0:0:ffff:7f00:0001]/",
        Deny(Loopback, Some("::ffff:127.0.0.1")),
    ),
    (
        "https://[::127.0.0.1]/",
        Deny(Loopback, Some("::127.0.0.1")),
    ),
    (
        "https://[64:ff9b::7f00:1]/",
        Deny(Loopback, Some("64:ff9b::7f00:1")),
    ),
    (
        "https://[2002:7f00:1::1]/",
        Deny(Loopback, Some("2002:7f00:1::1")),
    ),
    // Unspecified ("this network").
    ("https://0.0.0.0/", Deny(Unspecified, Some("0.0.0.0"))),
    ("https://0/", Deny(Unspecified, Some("0.0.0.0"))),
    ("https://0x0/", Deny(Unspecified, Some("0.0.0.0"))),
    ("https://0.1.2.3/", Deny(Unspecified, Some("0.1.2.3"))),
    ("https://[::]/", Deny(Unspecified, Some("::"))),
    (
        "https://[::ffff:0.0.0.0]/",
        Deny(Unspecified, Some("::ffff:0.0.0.0")),
    ),
    // RFC 1918.
    ("https://10.0.0.1/", Deny(Private, Some("10.0.0.1"))),
    (
        "https://10.255.255.255/",
        Deny(Private, Some("10.255.255.255")),
    ),
    ("https://012.0.0.1/", Deny(Private, Some("10.0.0.1"))),
    ("https://167772161/", Deny(Private, Some("10.0.0.1"))),
    ("https://172.16.0.1/", Deny(Private, Some("172.16.0.1"))),
    (
        "https://172.31.255.255/",
        Deny(Private, Some("172.31.255.255")),
    ),
    ("https://192.168.1.1/", Deny(Private, Some("192.168.1.1"))),
    ("https://0xc0a80101/", Deny(Private, Some("192.168.1.1"))),
    ("https://192.168.257/", Deny(Private, Some("192.168.1.1"))),
    (
        "https://[::ffff:192.168.1.1]/",
        Deny(Private, Some("::ffff:192.168.1.1")),
    ),
    (
        "https://[::ffff:c0a8:101]/",
        Deny(Private, Some("::ffff:192.168.1.1")),
    ),
    (
        "https://[2002:c0a8:101::1]/",
        Deny(Private, Some("2002:c0a8:101::1")),
    ),
    (
        "https://[64:ff9b::a00:1]/",
        Deny(Private, Some("64:ff9b::a00:1")),
    ),
    // Carrier-grade NAT.
    (
        "https://100.64.0.1/",
        Deny(CarrierGradeNat, Some("100.64.0.1")),
    ),
    (
        "https://100.127.255.254/",
        Deny(CarrierGradeNat, Some("100.127.255.254")),
    ),
    (
        "https://[::ffff:100.64.0.1]/",
        Deny(CarrierGradeNat, Some("::ffff:100.64.0.1")),
    ),
    // Link-local and the cloud metadata endpoints.
    ("https://169.254.0.1/", Deny(LinkLocal, Some("169.254.0.1"))),
    (
        "https://169.254.169.254/",
        Deny(CloudMetadata, Some("169.254.169.254")),
    ),
    (
        "https://169.254.169.254./latest/meta-data/",
        Deny(CloudMetadata, Some("169.254.169.254")),
    ),
    (
        "https://0xa9fea9fe/",
        Deny(CloudMetadata, Some("169.254.169.254")),
    ),
    (
        "https://2852039166/",
        Deny(CloudMetadata, Some("169.254.169.254")),
    ),
    (
        "https://0251.0376.0251.0376/",
        Deny(CloudMetadata, Some("169.254.169.254")),
    ),
    (
        "https://[::ffff:169.254.169.254]/",
        Deny(CloudMetadata, Some("::ffff:169.254.169.254")),
    ),
    (
        "https://[::ffff:a9fe:a9fe]/",
        Deny(CloudMetadata, Some("::ffff:169.254.169.254")),
    ),
    (
        "https://[fd00:ec2::254]/",
        Deny(CloudMetadata, Some("fd00:ec2::254")),
    ),
    (
        "https://100.100.100.200/",
        Deny(CloudMetadata, Some("100.100.100.200")),
    ),
    (
        "https://[::ffff:100.100.100.200]/",
        Deny(CloudMetadata, Some("::ffff:100.100.100.200")),
    ),
    // The Azure platform address (WireServer): a public address, refused by name, in every
    // spelling.
    (
        "https://168.63.129.16/",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "http://168.63.129.16/machine?comp=goalstate",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "https://168.63.129.16./",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "https://2822734096/",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "https://0xa83f8110/",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "https://0250.077.0201.020/",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "https://168.63.33040/",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "https://168.4161808/",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "https://%31%36%38.63.129.16/",
        Deny(CloudMetadata, Some("168.63.129.16")),
    ),
    (
        "https://[::ffff:168.63.129.16]/",
        Deny(CloudMetadata, Some("::ffff:168.63.129.16")),
    ),
    (
        "https://[::ffff:a83f:8110]/",
        Deny(CloudMetadata, Some("::ffff:168.63.129.16")),
    ),
    (
        "https://[::168.63.129.16]/",
        Deny(CloudMetadata, Some("::168.63.129.16")),
    ),
    (
        "https://[64:ff9b::a83f:8110]/",
        Deny(CloudMetadata, Some("64:ff9b::a83f:8110")),
    ),
    (
        "https://[2002:a83f:8110::1]/",
        Deny(CloudMetadata, Some("2002:a83f:8110::1")),
    ),
    // Oracle Cloud's metadata address (in a reserved range, refused as metadata).
    (
        "https://192.0.0.192/",
        Deny(CloudMetadata, Some("192.0.0.192")),
    ),
    (
        "https://3221225664/",
        Deny(CloudMetadata, Some("192.0.0.192")),
    ),
    (
        "https://[::ffff:192.0.0.192]/",
        Deny(CloudMetadata, Some("::ffff:192.0.0.192")),
    ),
    // AWS: ECS task credentials, EKS Pod Identity, and the IPv6 endpoints; Google Cloud over
    // IPv6.
    (
        "http://169.254.170.2/v2/credentials/x",
        Deny(CloudMetadata, Some("169.254.170.2")),
    ),
    (
        "https://169.254.170.23/",
        Deny(CloudMetadata, Some("169.254.170.23")),
    ),
    (
        "https://[fd00:ec2::23]/",
        Deny(CloudMetadata, Some("fd00:ec2::23")),
    ),
    (
        "https://[FD00:EC2:0:0:0:0:0:254]/",
        Deny(CloudMetadata, Some("fd00:ec2::254")),
    ),
    (
        "https://[fd20:ce::254]/",
        Deny(CloudMetadata, Some("fd20:ce::254")),
    ),
    ("https://[fe80::1]/", Deny(LinkLocal, Some("fe80::1"))),
    (
        "https://[FE80::a:b:c:d]/",
        Deny(LinkLocal, Some("fe80::a:b:c:d")),
    ),
    ("https://[febf::1]/", Deny(LinkLocal, Some("febf::1"))),
    // Unique-local.
    ("https://[fc00::1]/", Deny(UniqueLocal, Some("fc00::1"))),
    (
        "https://[fd12:3456:789a::1]/",
        Deny(UniqueLocal, Some("fd12:3456:789a::1")),
    ),
    // Multicast.
    ("https://224.0.0.1/", Deny(Multicast, Some("224.0.0.1"))),
    (
        "https://239.255.255.250/",
        Deny(Multicast, Some("239.255.255.250")),
    ),
    ("https://[ff02::1]/", Deny(Multicast, Some("ff02::1"))),
    ("https://[ff0e::1]/", Deny(Multicast, Some("ff0e::1"))),
    (
        "https://[::ffff:224.0.0.251]/",
        Deny(Multicast, Some("::ffff:224.0.0.251")),
    ),
    // Broadcast.
    (
        "https://255.255.255.255/",
        Deny(Broadcast, Some("255.255.255.255")),
    ),
    (
        "https://4294967295/",
        Deny(Broadcast, Some("255.255.255.255")),
    ),
    (
        "https://0xffffffff/",
        Deny(Broadcast, Some("255.255.255.255")),
    ),
    // Documentation.
    ("https://192.0.2.1/", Deny(Documentation, Some("192.0.2.1"))),
    (
        "https://198.51.100.7/",
        Deny(Documentation, Some("198.51.100.7")),
    ),
    (
        "https://203.0.113.9/",
        Deny(Documentation, Some("203.0.113.9")),
    ),
    (
        "https://[2001:db8::1]/",
        Deny(Documentation, Some("2001:db8::1")),
    ),
    ("https://[3fff::1]/", Deny(Documentation, Some("3fff::1"))),
    (
        "https://[::ffff:192.0.2.1]/",
        Deny(Documentation, Some("::ffff:192.0.2.1")),
    ),
    // Benchmarking.
    (
        "https://198.18.0.1/",
        Deny(Benchmarking, Some("198.18.0.1")),
    ),
    (
        "https://198.19.255.255/",
        Deny(Benchmarking, Some("198.19.255.255")),
    ),
    (
        "https://[2001:2::1]/",
        Deny(Benchmarking, Some("2001:2::1")),
    ),
    // Reserved and other special-purpose space.
    ("https://240.0.0.1/", Deny(Reserved, Some("240.0.0.1"))),
    ("https://192.0.0.8/", Deny(Reserved, Some("192.0.0.8"))),
    ("https://192.88.99.1/", Deny(Reserved, Some("192.88.99.1"))),
    ("https://[::1.1.1.1]/", Deny(Reserved, Some("::1.1.1.1"))),
    ("https://[100::1]/", Deny(Reserved, Some("100::1"))),
    ("https://[fec0::1]/", Deny(Reserved, Some("fec0::1"))),
    (
        "https://[64:ff9b:1::1]/",
        Deny(Reserved, Some("64:ff9b:1::1")),
    ),
    ("https://[2001:10::1]/", Deny(Reserved, Some("2001:10::1"))),
    ("https://[4000::1]/", Deny(Reserved, Some("4000::1"))),
    (
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        Deny(Tunnel, Some("2001:0:4136:e378:8000:63bf:3fff:fdd2")),
    ),
    // Names that always mean this machine.
    ("https://localhost/", Deny(LocalName, None)),
    ("https://LOCALHOST./", Deny(LocalName, None)),
    ("https://localhost:8443/cb", Deny(LocalName, None)),
    ("https://api.localhost/", Deny(LocalName, None)),
    // Schemes.
    ("ftp://example.org/", Deny(Scheme, None)),
    ("file:///etc/passwd", Deny(Scheme, None)),
    ("gopher://127.0.0.1:25/", Deny(Scheme, None)),
    ("javascript:alert(1)", Deny(Scheme, None)),
    ("data:text/plain,hi", Deny(Scheme, None)),
    ("ws://example.org/", Deny(Scheme, None)),
    // Credentials are refused, not stripped.
    ("https://user:pass@example.org/", Deny(Credentials, None)),
    ("https://user@example.org/", Deny(Credentials, None)),
    ("https://:secret@example.org/", Deny(Credentials, None)),
    ("https://example.org@127.0.0.1/", Deny(Credentials, None)),
    // http needs an allow.
    ("http://example.org/", Deny(HttpNotAllowed, None)),
    ("HTTP://EXAMPLE.ORG/cb", Deny(HttpNotAllowed, None)),
    ("http://1.1.1.1/", Deny(HttpNotAllowed, None)),
    // Not URLs, or hosts no parser accepts.
    ("not a url", Deny(InvalidUrl, None)),
    ("/relative/callback", Deny(InvalidUrl, None)),
    ("https://", Deny(InvalidUrl, None)),
    ("https://1.2.3.4.5/", Deny(InvalidUrl, None)),
    ("https://256.0.0.1/", Deny(InvalidUrl, None)),
    ("https://0x100000000/", Deny(InvalidUrl, None)),
    ("https://[::1/", Deny(InvalidUrl, None)),
    ("https://[fe80::1%25eth0]/", Deny(InvalidUrl, None)),
    ("https://exa mple.org/", Deny(InvalidUrl, None)),
    // Public addresses and names pass (a name's addresses are checked once resolved).
    ("https://93.184.215.14/", Ip("93.184.215.14")),
    ("https://1.1.1.1/", Ip("1.1.1.1")),
    ("https://8.8.8.8:8443/hook?x=1", Ip("8.8.8.8")),
    ("https://16843009/", Ip("1.1.1.1")),
    (
        "https://[2606:4700:4700::1111]/",
        Ip("2606:4700:4700::1111"),
    ),
    ("https://[::ffff:1.1.1.1]/", Ip("::ffff:1.1.1.1")),
    ("https://[64:ff9b::101:101]/", Ip("64:ff9b::101:101")),
    ("https://[2002:101:101::1]/", Ip("2002:101:101::1")),
    ("https://172.32.0.1/", Ip("172.32.0.1")),
    ("https://172.15.255.255/", Ip("172.15.255.255")),
    ("https://100.128.0.1/", Ip("100.128.0.1")),
    ("https://169.255.0.1/", Ip("169.255.0.1")),
    ("https://198.20.0.1/", Ip("198.20.0.1")),
    ("https://11.0.0.1/", Ip("11.0.0.1")),
    ("https://223.255.255.255/", Ip("223.255.255.255")),
    ("HTTPS://Example.ORG./cb", Name("example.org.")),
    (
        "https://hooks.example.com/cb?x=1",
        Name("hooks.example.com"),
    ),
    (
        "https://localhost.example.com/",
        Name("localhost.example.com"),
    ),
    ("https://127.0.0.1.nip.io/", Name("127.0.0.1.nip.io")),
    (
        "https://b\u{fc}cher.example/",
        Name("xn--bcher-kva.example"),
    ),
];

#[test]
fn the_table() {
    assert!(TABLE.len() >= 60, "{} cases", TABLE.len());
    let policy = UrlPolicy::default();
    let mut failures = Vec::new();
    for (url, expect) in TABLE {
        let got = check_url(&policy, url);
        let ok = match (expect, &got) {
            (Deny(rule, address), Err(denied)) => {
                denied.rule == *rule
                    && address.is_none_or(|a| denied.address == Some(a.parse().unwrap()))
            }
            (Ip(address), Ok(target)) => {
                !target.is_domain()
                    && target.addresses() == [address.parse::<IpAddr>().unwrap()]
                    && target.addresses_checked()
            }
            (Name(host), Ok(target)) => {
                target.is_domain()
                    && target.host() == *host
                    && target.addresses().is_empty()
                    && !target.addresses_checked()
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{url:?}: expected {expect:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_that_names_an_address_is_in_the_table() {
    for rule in [
        Loopback,
        Private,
        CarrierGradeNat,
        LinkLocal,
        CloudMetadata,
        UniqueLocal,
        Multicast,
        Unspecified,
        Broadcast,
        Documentation,
        Benchmarking,
        Reserved,
        Tunnel,
        LocalName,
        Scheme,
        Credentials,
        HttpNotAllowed,
        InvalidUrl,
    ] {
        assert!(
            TABLE
                .iter()
                .any(|(_, e)| matches!(e, Deny(r, _) if *r == rule)),
            "{rule} untested"
        );
    }
}

#[test]
fn embedded_forms_are_reported() {
    let policy = UrlPolicy::default();
    let cases = [
        (
            "https://[::ffff:10.1.2.3]/",
            Embedding::Ipv4Mapped,
            "10.1.2.3",
        ),
        (
            "https://[::10.1.2.3]/",
            Embedding::Ipv4Compatible,
            "10.1.2.3",
        ),
        (
            "https://[2002:a01:203::]/",
            Embedding::SixToFour,
            "10.1.2.3",
        ),
        ("https://[64:ff9b::10.1.2.3]/", Embedding::Nat64, "10.1.2.3"),
    ];
    for (url, form, v4) in cases {
        let denied = check_url(&policy, url).unwrap_err();
        assert_eq!(denied.rule, Private, "{url}");
        let embedded = denied.embedded.unwrap();
        assert_eq!(
            (embedded.form, embedded.ipv4.to_string().as_str()),
            (form, v4)
        );
        assert!(denied.reason.contains("10.1.2.3"), "{}", denied.reason);
    }
    // Teredo: the client address is the inverted last 32 bits (RFC 4380's example).
    let denied = check_url(&policy, "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/").unwrap_err();
    let embedded = denied.embedded.unwrap();
    assert_eq!(embedded.form, Embedding::Teredo);
    assert_eq!(embedded.ipv4.to_string(), "192.0.2.45");
}

#[test]
fn boundaries_of_the_ranges() {
    let rule = |ip: &str| special_purpose(ip.parse().unwrap()).map(|s| s.rule);
    for (ip, expected) in [
        ("9.255.255.255", None),
        ("10.0.0.0", Some(Private)),
        ("11.0.0.0", None),
        ("172.15.255.255", None),
        ("172.16.0.0", Some(Private)),
        ("172.31.255.255", Some(Private)),
        ("172.32.0.0", None),
        ("192.167.255.255", None),
        ("192.168.0.0", Some(Private)),
        ("192.169.0.0", None),
        ("100.63.255.255", None),
        ("100.64.0.0", Some(CarrierGradeNat)),
        ("100.128.0.0", None),
        ("126.255.255.255", None),
        ("128.0.0.0", None),
        ("169.253.255.255", None),
        ("169.254.255.255", Some(LinkLocal)),
        ("169.254.170.3", Some(LinkLocal)),
        ("168.63.129.15", None),
        ("168.63.129.16", Some(CloudMetadata)),
        ("168.63.129.17", None),
        ("192.0.0.191", Some(Reserved)),
        ("192.0.0.192", Some(CloudMetadata)),
        ("192.0.0.193", Some(Reserved)),
        ("fd00:ec2::253", Some(UniqueLocal)),
        ("fd00:ec2::254", Some(CloudMetadata)),
        ("198.17.255.255", None),
        ("198.18.0.0", Some(Benchmarking)),
        ("198.20.0.0", None),
        ("223.255.255.255", None),
        ("224.0.0.0", Some(Multicast)),
        ("239.255.255.255", Some(Multicast)),
        ("240.0.0.0", Some(Reserved)),
        ("255.255.255.254", Some(Reserved)),
        ("1fff:ffff::1", Some(Reserved)),
        ("2000::1", None),
        ("2001:4860:4860::8888", None),
        ("2001:1ff::1", Some(Reserved)),
        ("2001:200::1", None),
        ("3ffe::1", None),
        ("fbff::1", Some(Reserved)),
        ("fc00::", Some(UniqueLocal)),
        ("fdff:ffff::1", Some(UniqueLocal)),
        ("fe7f::1", Some(Reserved)),
        ("fec0::", Some(Reserved)),
    ] {
        assert_eq!(rule(ip), expected, "{ip}");
    }
}

#[test]
fn allow_list_addresses_and_ranges() {
    let policy = UrlPolicy::default()
        .with_allowed("127.0.0.1".parse().unwrap())
        .with_allowed("10.0.0.0/8".parse().unwrap())
        .with_allowed("[::1]".parse().unwrap());

    // An allow-listed address may be used, over http too, in any spelling.
    for url in [
        "http://127.0.0.1:8080/cb",
        "https://127.1/",
        "http://2130706433:9/",
        "http://[::ffff:127.0.0.1]:8080/",
        "http://[::1]:8080/",
        "http://10.1.2.3/",
        "https://012.0.0.1/",
    ] {
        let target = check_url(&policy, url).unwrap_or_else(|d| panic!("{url}: {d}"));
        assert!(target.allowed_by().is_some(), "{url}");
    }
    let target = check_url(&policy, "http://127.0.0.1:8080/cb").unwrap();
    assert_eq!(target.allowed_by().unwrap().to_string(), "127.0.0.1/32");
    assert_eq!(target.port(), 8080);

    // Only what is listed.
    assert_eq!(
        check_url(&policy, "http://127.0.0.2/").unwrap_err().rule,
        Loopback
    );
    assert_eq!(
        check_url(&policy, "http://192.168.0.1/").unwrap_err().rule,
        Private
    );
    // A public address is fine over https, but http is for allow-listed hosts only.
    assert!(
        check_url(&policy, "https://11.0.0.1/")
            .unwrap()
            .allowed_by()
            .is_none()
    );
    assert_eq!(
        check_url(&policy, "http://11.0.0.1/").unwrap_err().rule,
        HttpNotAllowed
    );
}

#[test]
fn allow_list_host_names() {
    let policy = UrlPolicy::default()
        .with_allowed("consumer.internal".parse().unwrap())
        .with_allowed("localhost".parse().unwrap());

    let target = check_url(&policy, "http://consumer.internal:8080/cb").unwrap();
    assert_eq!(
        target.allowed_by(),
        Some(&AllowEntry::Host("consumer.internal".into()))
    );
    assert!(check_url(&policy, "HTTP://CONSUMER.INTERNAL./cb").is_ok());
    assert!(check_url(&policy, "http://localhost:3000/").is_ok());
    // Not a wildcard.
    assert_eq!(
        check_url(&policy, "http://api.consumer.internal/")
            .unwrap_err()
            .rule,
        HttpNotAllowed
    );
    assert_eq!(
        check_url(&policy, "https://api.localhost/")
            .unwrap_err()
            .rule,
        LocalName
    );

    // An allow-listed name is trusted with whatever it resolves to.
    let resolved = target
        .with_addresses(
            &policy,
            &["10.0.0.5".parse().unwrap(), "::1".parse().unwrap()],
        )
        .unwrap();
    assert_eq!(resolved.addresses().len(), 2);
    assert!(resolved.addresses_checked());
}

#[test]
fn resolved_addresses_are_all_checked() {
    let policy = UrlPolicy::default().with_allowed("10.0.0.0/8".parse().unwrap());
    let pending = check_url(&policy, "https://hooks.example/cb").unwrap();
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();

    // One bad address among good ones refuses the whole target.
    let denied = pending
        .clone()
        .with_addresses(&policy, &[ip("93.184.215.14"), ip("192.168.0.10")])
        .unwrap_err();
    assert_eq!(denied.rule, Private);
    assert_eq!(denied.host.as_deref(), Some("hooks.example"));
    assert_eq!(denied.address, Some(ip("192.168.0.10")));

    // Mapped and metadata forms are caught after resolution too.
    let denied = pending
        .clone()
        .with_addresses(&policy, &[ip("::ffff:169.254.169.254")])
        .unwrap_err();
    assert_eq!(denied.rule, CloudMetadata);

    assert_eq!(
        pending
            .clone()
            .with_addresses(&policy, &[])
            .unwrap_err()
            .rule,
        NoAddresses
    );

    // An allowed range opens its addresses; duplicates are dropped, order kept.
    let target = pending
        .clone()
        .with_addresses(&policy, &[ip("10.0.0.7"), ip("1.1.1.1"), ip("10.0.0.7")])
        .unwrap();
    assert_eq!(target.addresses(), [ip("10.0.0.7"), ip("1.1.1.1")]);
    assert_eq!(target.allowed_by().unwrap().to_string(), "10.0.0.0/8");

    // But http stays reserved for hosts allow-listed as written.
    assert_eq!(
        check_url(&policy, "http://hooks.example/cb")
            .unwrap_err()
            .rule,
        HttpNotAllowed
    );

    // An IP literal keeps its own address.
    let literal = check_url(&policy, "https://1.1.1.1/").unwrap();
    assert!(
        literal
            .clone()
            .with_addresses(&policy, &[ip("1.1.1.1")])
            .is_ok()
    );
    assert!(literal.with_addresses(&policy, &[ip("8.8.8.8")]).is_err());
}

#[test]
fn http_versus_https() {
    let strict = UrlPolicy::default();
    let open = UrlPolicy::default().with_http(true);
    assert_eq!(
        check_url(&strict, "http://example.org/").unwrap_err().rule,
        HttpNotAllowed
    );
    assert!(check_url(&strict, "https://example.org/").is_ok());
    assert!(check_url(&open, "http://example.org/").is_ok());
    assert!(check_url(&open, "http://1.1.1.1/").is_ok());
    // Allowing http opens no address.
    assert_eq!(
        check_url(&open, "http://127.0.0.1/").unwrap_err().rule,
        Loopback
    );
    assert_eq!(
        check_url(&open, "http://[::1]/").unwrap_err().rule,
        Loopback
    );
    // Address rules are reported before the scheme rule: the more telling refusal.
    assert_eq!(
        check_url(&strict, "http://10.0.0.1/").unwrap_err().rule,
        Private
    );
    // Default ports.
    assert_eq!(check_url(&open, "http://example.org/").unwrap().port(), 80);
    assert_eq!(
        check_url(&open, "https://example.org/").unwrap().port(),
        443
    );
}

#[test]
fn allow_entries_parse_and_print() {
    let parsed = |s: &str| s.parse::<AllowEntry>().map(|e| e.to_string());
    assert_eq!(parsed("10.0.0.0/8").unwrap(), "10.0.0.0/8");
    assert_eq!(parsed("10.1.2.3/8").unwrap(), "10.0.0.0/8");
    assert_eq!(parsed("fd00::/8").unwrap(), "fd00::/8");
    assert_eq!(parsed("127.0.0.1").unwrap(), "127.0.0.1/32");
    assert_eq!(parsed("0x7f.1").unwrap(), "127.0.0.1/32");
    assert_eq!(parsed("::1").unwrap(), "::1/128");
    assert_eq!(parsed("[::1]").unwrap(), "::1/128");
    assert_eq!(parsed(" Consumer.Example. ").unwrap(), "consumer.example");
    assert_eq!(
        parsed("b\u{fc}cher.example").unwrap(),
        "xn--bcher-kva.example"
    );
    for bad in [
        "",
        "10.0.0.0/33",
        "http://x/",
        "x:80",
        "user@x",
        "a b",
        "1.2.3.4.5",
    ] {
        assert!(parsed(bad).is_err(), "{bad:?}");
    }
    let policy: UrlPolicy =
        serde_json::from_str(r#"{"allow_http": false, "allow": ["127.0.0.1", "hooks.test"]}"#)
            .unwrap();
    assert_eq!(
        serde_json::to_string(&policy).unwrap(),
        r#"{"allow_http":false,"allow":["127.0.0.1/32","hooks.test"]}"#
    );
}

#[test]
fn refusals_serialize_with_their_rule() {
    let policy = UrlPolicy::default();
    let denied = check_url(&policy, "https://[::ffff:a9fe:a9fe]/").unwrap_err();
    let json = serde_json::to_value(&denied).unwrap();
    assert_eq!(json["rule"], "cloud-metadata");
    assert_eq!(json["address"], "::ffff:169.254.169.254");
    assert_eq!(json["embedded"]["form"], "ipv4-mapped");
    assert_eq!(json["embedded"]["ipv4"], "169.254.169.254");
    assert_eq!(
        denied.to_string(),
        "refused (cloud-metadata): ::ffff:169.254.169.254 is an IPv4-mapped IPv6 address for \
         169.254.169.254, a cloud metadata address"
    );
    let json = serde_json::to_value(check_url(&policy, "http://x.example/").unwrap_err()).unwrap();
    assert_eq!(json["rule"], "http-not-allowed");
    assert_eq!(CarrierGradeNat.to_string(), "carrier-grade-nat");

    let target = check_url(&policy, "https://1.1.1.1:8443/cb").unwrap();
    assert_eq!(
        serde_json::to_value(&target).unwrap(),
        serde_json::json!({
            "url": "https://1.1.1.1:8443/cb", "scheme": "https", "host": "1.1.1.1", "port": 8443,
            "addresses": ["1.1.1.1"], "addresses_checked": true
        })
    );
}

#[test]
fn cloud_metadata_refusals_name_the_platform() {
    let policy = UrlPolicy::default();
    for (url, platform) in [
        ("https://168.63.129.16/", "Azure platform address"),
        ("https://[::ffff:a83f:8110]/", "Azure platform address"),
        ("https://[64:ff9b::a83f:8110]/", "Azure platform address"),
        ("https://192.0.0.192/", "Oracle Cloud"),
        ("https://100.100.100.200/", "Alibaba Cloud"),
        ("https://169.254.170.2/", "AWS ECS"),
        ("https://169.254.170.23/", "AWS EKS Pod Identity"),
        (
            "https://[fd00:ec2::254]/",
            "AWS instance metadata over IPv6",
        ),
        ("https://[fd00:ec2::23]/", "AWS EKS Pod Identity"),
        ("https://[fd20:ce::254]/", "Google Cloud"),
    ] {
        let denied = check_url(&policy, url).unwrap_err();
        assert_eq!(denied.rule, CloudMetadata, "{url}");
        assert!(
            denied.reason.contains("a cloud metadata address: ")
                && denied.reason.contains(platform),
            "{url}: {}",
            denied.reason
        );
    }
    assert_eq!(
        check_url(&policy, "https://2822734096/")
            .unwrap_err()
            .to_string(),
        "refused (cloud-metadata): 168.63.129.16 is a cloud metadata address: Azure platform \
         address (WireServer, DNS, health probes)"
    );
    // After resolution too: a name that resolves to the Azure address is refused.
    let pending = check_url(&policy, "https://hooks.example/cb").unwrap();
    let denied = pending
        .with_addresses(&policy, &["168.63.129.16".parse().unwrap()])
        .unwrap_err();
    assert_eq!(denied.rule, CloudMetadata);
    assert_eq!(denied.host.as_deref(), Some("hooks.example"));
    // An explicit allow-list entry still opens it (the operator's decision, not the client's).
    let open = UrlPolicy::default().with_allowed("168.63.129.16".parse().unwrap());
    assert!(check_url(&open, "https://168.63.129.16/").is_ok());
}
