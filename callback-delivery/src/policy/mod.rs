//! The URL policy: which callback URLs may be called, decided without any I/O.
//!
//! A callback URL comes from the client's own request, so a provider that calls it blindly can be
//! made to call its own internal network (server-side request forgery). [`check_url`] parses the URL
//! the way a browser does (WHATWG URL parsing, so `127.1`, `2130706433`, `0x7f000001`,
//! `0177.0.0.1`, `%31%32%37.0.0.1`, full-width digits and a trailing dot all become the IPv4
//! address they mean) and refuses, unless the [allow-list](UrlPolicy::with_allowed) says otherwise:
//!
//! - a scheme other than `http` and `https`, and `http` unless [`UrlPolicy::with_http`] is set or
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

mod allow;
mod check;
mod denied;
mod host;
mod ranges;
mod rule;
mod url_policy;

pub use allow::{AllowEntry, AllowEntryError};
pub use check::{CheckedTarget, Scheme, check_url};
pub use denied::Denied;
pub use ranges::{Embedded, Embedding, SpecialAddress, special_purpose};
pub use rule::DenyRule;
pub use url_policy::UrlPolicy;
