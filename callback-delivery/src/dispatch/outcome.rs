//! What became of one dispatched callback, and how it reads as one JSON object.

use oas_callbacks::{SkipReason, Violation};
use serde::{Serialize, Serializer};

use crate::dry_run::{DryRun, DryRunOutcome};
use crate::policy::{CheckedTarget, Denied};
use crate::report::{Attempt, DeliveryReport, Outcome};

/// One dispatched callback: which one (name, key, method, `operationId`) and its outcome.
///
/// Serializes as one flat JSON object, the line `oas-callbacks send` prints:
/// `{"callback", "expression", "method", "operationId", "url", "webhook_id", "outcome", …}` with
/// the fields of the outcome (the delivery report's, the dry run's, or the reason it was not sent).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Dispatched {
    /// The callback's name.
    pub callback: String,
    /// The callback key the URL came from.
    pub expression: String,
    /// The method of the callback operation.
    pub method: http::Method,
    /// The callback operation's `operationId`, if any.
    pub operation_id: Option<String>,
    /// What happened.
    pub outcome: DispatchOutcome,
}

/// What happened to a dispatched callback, step by step: the payload was validated, the URL
/// taken, the policy checked, the callback delivered (or, in a dry run, not).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum DispatchOutcome {
    /// Handed to the delivery client: the report says whether it was delivered (the status),
    /// denied by the policy (the rule, before any connection) or failed (the last error), with
    /// every attempt.
    Delivery(Box<DeliveryReport>),
    /// A dry run: the checked target and the headers that would be sent, or the refusal.
    DryRun(Box<DryRun>),
    /// The payload breaks the callback operation's request-body schema, or cannot be validated
    /// against it: not sent (a provider bug must not reach the consumer).
    InvalidPayload {
        /// The URL, when it resolved.
        url: Option<String>,
        /// Every violation, each with its JSON pointer (empty when `error` says why the payload
        /// could not be validated at all).
        violations: Vec<Violation>,
        /// Why the payload could not be validated (no such schema, a schema that cannot be
        /// used).
        error: Option<String>,
    },
    /// The URL could not be resolved from the exchange (an optional header was not sent, …):
    /// no call, as the specification says.
    Skipped {
        /// Why.
        reason: SkipReason,
    },
    /// The URL resolved to something that is not an absolute http(s) URL: no call.
    InvalidUrl {
        /// What the key resolved to.
        url: String,
        /// Why it cannot be called.
        reason: String,
    },
    /// The URL could not be resolved for another reason than a missing value (a limit was
    /// reached, say): no call, and an error.
    Unresolved {
        /// Why.
        error: String,
    },
}

impl Dispatched {
    /// Whether the dispatch went as a provider wants: delivered, would be sent (a dry run), or
    /// skipped as the specification says. Denied, failed, invalid payloads and URLs are not.
    ///
    /// ```
    /// # use callback_delivery::{Dispatched, DispatchOutcome};
    /// # fn check(dispatched: &Dispatched) {
    /// if !dispatched.is_success() {
    ///     eprintln!("callback {} not delivered: {:?}", dispatched.callback, dispatched.outcome);
    /// }
    /// # }
    /// ```
    pub fn is_success(&self) -> bool {
        match &self.outcome {
            DispatchOutcome::Delivery(report) => report.is_delivered(),
            DispatchOutcome::DryRun(run) => matches!(run.outcome, DryRunOutcome::WouldSend { .. }),
            DispatchOutcome::Skipped { .. } => true,
            DispatchOutcome::InvalidPayload { .. }
            | DispatchOutcome::InvalidUrl { .. }
            | DispatchOutcome::Unresolved { .. } => false,
        }
    }

    /// The delivery report, when the callback was handed to the client.
    pub fn report(&self) -> Option<&DeliveryReport> {
        match &self.outcome {
            DispatchOutcome::Delivery(report) => Some(report),
            _ => None,
        }
    }

    /// The policy's refusal, in a delivery or a dry run.
    pub fn denied(&self) -> Option<&Denied> {
        match &self.outcome {
            DispatchOutcome::Delivery(report) => match &report.outcome {
                Outcome::Denied(denied) => Some(denied),
                _ => None,
            },
            DispatchOutcome::DryRun(run) => match &run.outcome {
                DryRunOutcome::Denied(denied) => Some(denied),
                _ => None,
            },
            _ => None,
        }
    }

    /// The URL, when the key resolved to one.
    pub fn url(&self) -> Option<&str> {
        match &self.outcome {
            DispatchOutcome::Delivery(report) => Some(&report.url),
            DispatchOutcome::DryRun(run) => Some(&run.url),
            DispatchOutcome::InvalidPayload { url, .. } => url.as_deref(),
            DispatchOutcome::InvalidUrl { url, .. } => Some(url),
            DispatchOutcome::Skipped { .. } | DispatchOutcome::Unresolved { .. } => None,
        }
    }
}

/// The JSON line: the callback's fields, then the outcome's.
#[derive(Serialize)]
struct Line<'a> {
    callback: &'a str,
    expression: &'a str,
    method: &'a str,
    #[serde(rename = "operationId", skip_serializing_if = "Option::is_none")]
    operation_id: Option<&'a str>,
    #[serde(flatten)]
    outcome: OutcomeLine<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum OutcomeLine<'a> {
    /// The report, less the method the callback's fields already give.
    Delivery {
        url: &'a str,
        webhook_id: &'a str,
        #[serde(flatten)]
        outcome: &'a Outcome,
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<&'a CheckedTarget>,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        ignored_headers: &'a [String],
        attempt_log: &'a [Attempt],
        elapsed_ms: u64,
    },
    /// The dry run, less its method.
    DryRun {
        url: &'a str,
        webhook_id: &'a str,
        #[serde(flatten)]
        outcome: &'a DryRunOutcome,
        body_bytes: usize,
    },
    NotSent {
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<&'a str>,
        outcome: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        violations: Option<&'a [Violation]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
    },
}

impl Serialize for Dispatched {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let not_sent = |url, outcome, reason, violations, error| OutcomeLine::NotSent {
            url,
            outcome,
            reason,
            violations,
            error,
        };
        let outcome = match &self.outcome {
            DispatchOutcome::Delivery(report) => OutcomeLine::Delivery {
                url: &report.url,
                webhook_id: &report.webhook_id,
                outcome: &report.outcome,
                target: report.target.as_ref(),
                ignored_headers: &report.ignored_headers,
                attempt_log: &report.attempt_log,
                elapsed_ms: report.elapsed_ms,
            },
            DispatchOutcome::DryRun(run) => OutcomeLine::DryRun {
                url: &run.url,
                webhook_id: &run.webhook_id,
                outcome: &run.outcome,
                body_bytes: run.body_bytes,
            },
            DispatchOutcome::InvalidPayload {
                url,
                violations,
                error,
            } => not_sent(
                url.as_deref(),
                "invalid-payload",
                None,
                error.is_none().then_some(violations.as_slice()),
                error.as_deref(),
            ),
            DispatchOutcome::Skipped { reason } => {
                not_sent(None, "skipped", Some(reason.to_string()), None, None)
            }
            DispatchOutcome::InvalidUrl { url, reason } => {
                not_sent(Some(url), "invalid-url", Some(reason.clone()), None, None)
            }
            DispatchOutcome::Unresolved { error } => {
                not_sent(None, "unresolved", None, None, Some(error))
            }
        };
        Line {
            callback: &self.callback,
            expression: &self.expression,
            method: self.method.as_str(),
            operation_id: self.operation_id.as_deref(),
            outcome,
        }
        .serialize(serializer)
    }
}
