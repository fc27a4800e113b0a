//! Checking a delivery without sending it.

use serde::Serialize;

use crate::headers::outgoing_headers;
use crate::options::DeliveryOptions;
use crate::policy::{CheckedTarget, Denied, check_url};
use crate::report::FailureKind;
use crate::request::{DeliveryRequest, new_message_id};
use crate::signing::unix_now;

/// What a dry run found: the target and the headers that would be sent, or the refusal. Nothing is
/// resolved or connected; a host name's addresses are checked at delivery time (the target says
/// `"addresses_checked": false`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DryRun {
    /// The URL as given.
    pub url: String,
    /// The method.
    pub method: String,
    /// The message id.
    pub webhook_id: String,
    /// `"would-send"` with the target and headers, `"denied"` with the rule, or `"failed"` (a
    /// request that cannot be built).
    #[serde(flatten)]
    pub outcome: DryRunOutcome,
    /// The body's length in bytes.
    pub body_bytes: usize,
}

/// The outcome of a dry run, tagged by `"outcome"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DryRunOutcome {
    /// The policy accepts the URL.
    WouldSend {
        /// The checked target.
        target: CheckedTarget,
        /// The headers that would be sent (a signature computed now).
        headers: Vec<(String, String)>,
        /// Caller headers that would be ignored.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        ignored_headers: Vec<String>,
    },
    /// The policy refuses it.
    Denied(Denied),
    /// The request cannot be built.
    Failed {
        /// Always [`FailureKind::Request`].
        kind: FailureKind,
        /// Why.
        error: String,
    },
}

/// Checks a delivery without sending it: the policy, and the headers that would go out. Pure: no
/// resolution, no connection.
///
/// ```
/// use callback_delivery::{dry_run, DeliveryOptions, DeliveryRequest, DryRunOutcome};
///
/// let request = DeliveryRequest::json("https://169.254.169.254/latest/meta-data/", &serde_json::json!({}));
/// let run = dry_run(&DeliveryOptions::default(), &request);
/// assert!(matches!(run.outcome, DryRunOutcome::Denied(ref d) if d.rule.as_str() == "cloud-metadata"));
/// let json = serde_json::to_value(&run)?;
/// assert_eq!(json["outcome"], "denied");
/// assert_eq!(json["rule"], "cloud-metadata");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn dry_run(options: &DeliveryOptions, request: &DeliveryRequest) -> DryRun {
    let id = request
        .id()
        .map(str::to_owned)
        .unwrap_or_else(new_message_id);
    let outcome = match check_url(options.policy(), request.url()) {
        Err(denied) => DryRunOutcome::Denied(denied),
        Ok(target) => match outgoing_headers(options, request, &id, unix_now()) {
            Ok((headers, ignored_headers)) => DryRunOutcome::WouldSend {
                target,
                headers: headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                ignored_headers,
            },
            Err(error) => DryRunOutcome::Failed {
                kind: FailureKind::Request,
                error,
            },
        },
    };
    DryRun {
        url: request.url().to_owned(),
        method: request.method().to_string(),
        webhook_id: id,
        outcome,
        body_bytes: request.body().len(),
    }
}
