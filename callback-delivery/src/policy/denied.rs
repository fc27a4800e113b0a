//! A refusal: the rule, and what it was applied to.

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

use super::ranges::{Embedded, Embedding, SpecialAddress, special_v4};
use super::rule::DenyRule;

/// A refusal: the rule, and what it was applied to.
///
/// Serializes as `{"rule": "loopback", "host": …, "address": …, "embedded": …, "reason": …}`
/// (absent parts left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
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
    pub(super) fn new(rule: DenyRule, reason: impl Into<String>) -> Self {
        Self {
            rule,
            host: None,
            address: None,
            embedded: None,
            reason: reason.into(),
        }
    }

    pub(super) fn address(ip: IpAddr, special: SpecialAddress) -> Self {
        let mut reason = match special.via {
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
        if let Some(service) = special.service {
            reason.push_str(": ");
            reason.push_str(service);
        }
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
