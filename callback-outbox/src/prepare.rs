//! From "this operation got this exchange, send this payload to callback X" to messages: the
//! payload validated, the URL resolved, everything that will be sent fixed now.

use bytes::Bytes;
use expr_eval::Exchange;
use oas_callbacks::{CallbackOutcome, Document, Operation, ValidateError};
use serde::Serialize;

use crate::error::PrepareError;
use crate::message::NewMessage;

/// What one callback request of an exchange becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Planned {
    /// A message to store.
    Message(NewMessage),
    /// No call: the URL could not be resolved (an optional header was not sent, say), as the
    /// specification's own example says. Nothing is stored.
    Skipped(Skipped),
    /// The URL resolved to something that is not an absolute http(s) URL: no call, nothing
    /// stored.
    InvalidUrl(Skipped),
}

/// A callback request that is not made, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Skipped {
    /// The callback's name.
    pub callback: String,
    /// The callback key.
    pub expression: String,
    /// The method.
    pub method: String,
    /// What the key resolved to, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Why there is no call.
    pub reason: String,
}

/// Prepares the messages of callback `name` of `operation` for one exchange (the request the
/// operation received and, when the keys need it, the response it gave), with `body` as the
/// payload of each: one per key and method of the callback (only `method`'s, when given).
///
/// The payload is validated against each callback operation's request-body schema first: if it
/// breaks one, the whole call fails and nothing is to be stored. A callback operation that
/// declares no JSON request-body schema takes any JSON payload. A URL that cannot be resolved is
/// [`Planned::Skipped`].
///
/// ```
/// use expr_eval::{OwnedExchange, OwnedRequest};
/// use callback_outbox::{prepare, Planned};
///
/// let doc = oas_callbacks::Document::load("../examples/progress-api.yaml")?;
/// let op = doc.operation("startJob").expect("declared");
/// let request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/7/start")?
///     .with_header("progressUrl", "https://client.example.net/progress/7");
/// let exchange = OwnedExchange::new(request);
/// let planned = prepare(&doc, op, &exchange, "progress", None,
///     r#"{"jobId": "7", "percent": 50, "state": "running"}"#)?;
/// let Planned::Message(message) = &planned[0] else { panic!("resolved") };
/// assert_eq!(message.url(), "https://client.example.net/progress/7");
///
/// // A payload that breaks the schema is refused: nothing to store.
/// let invalid = prepare(&doc, op, &exchange, "progress", None, r#"{"percent": 150}"#);
/// assert!(invalid.is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn prepare<X: Exchange + ?Sized>(
    doc: &Document,
    operation: &Operation,
    exchange: &X,
    name: &str,
    method: Option<&http::Method>,
    body: impl Into<Bytes>,
) -> Result<Vec<Planned>, PrepareError> {
    let body: Bytes = body.into();
    let payload: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| PrepareError::NotJson(e.to_string()))?;
    let resolved: Vec<_> = operation
        .resolve_callbacks(exchange)
        .into_iter()
        .filter(|c| c.callback == name)
        .filter(|c| method.is_none_or(|m| c.method.as_str().eq_ignore_ascii_case(m.as_str())))
        .collect();
    if resolved.is_empty() {
        let method = method.map(http::Method::as_str);
        return Err(
            match doc.validate_callback_payload(operation, name, method, &payload) {
                Err(err) => PrepareError::Callback(err.to_string()),
                Ok(_) => PrepareError::Callback(format!("callback `{name}` has no operation")),
            },
        );
    }
    // Every payload check first: a message is stored only when all of them pass.
    for callback in &resolved {
        check_payload(doc, operation, name, callback.method.as_str(), &payload)?;
    }
    let operation_name = operation
        .operation_id()
        .map_or_else(|| operation.display_name(), str::to_owned);
    let mut planned = Vec::with_capacity(resolved.len());
    for callback in resolved {
        let skipped = |url: Option<String>, reason: String| Skipped {
            callback: callback.callback.clone(),
            expression: callback.expression.clone(),
            method: callback.method.as_str().to_ascii_uppercase(),
            url,
            reason,
        };
        match &callback.outcome {
            CallbackOutcome::Url(url) => {
                let method = http::Method::from_bytes(
                    callback.method.as_str().to_ascii_uppercase().as_bytes(),
                )
                .map_err(|_| PrepareError::Method(callback.method.to_string()))?;
                match NewMessage::new(method, url.clone(), body.clone()) {
                    Ok(message) => planned.push(Planned::Message(message.callback(
                        &operation_name,
                        &callback.callback,
                        &callback.expression,
                    ))),
                    Err(PrepareError::InvalidUrl { url, reason }) => {
                        planned.push(Planned::InvalidUrl(skipped(Some(url), reason)));
                    }
                    Err(other) => return Err(other),
                }
            }
            CallbackOutcome::Skipped(reason) => {
                planned.push(Planned::Skipped(skipped(None, reason.to_string())));
            }
            CallbackOutcome::Invalid { url, reason } => {
                planned.push(Planned::InvalidUrl(skipped(
                    Some(url.clone()),
                    reason.clone(),
                )));
            }
            other => planned.push(Planned::Skipped(skipped(None, format!("{other:?}")))),
        }
    }
    Ok(planned)
}

/// Validates a payload against one callback operation's request-body schema.
pub(crate) fn check_payload(
    doc: &Document,
    operation: &Operation,
    name: &str,
    method: &str,
    payload: &serde_json::Value,
) -> Result<(), PrepareError> {
    match doc.validate_callback_payload(operation, name, Some(method), payload) {
        Ok(violations) if violations.is_empty() => Ok(()),
        Ok(violations) => Err(PrepareError::InvalidPayload {
            callback: name.to_owned(),
            method: method.to_ascii_uppercase(),
            violations,
        }),
        // Nothing to check against: any JSON payload goes.
        Err(ValidateError::NoSchema { .. }) => Ok(()),
        Err(err @ (ValidateError::UnknownCallback { .. } | ValidateError::Method { .. })) => {
            Err(PrepareError::Callback(err.to_string()))
        }
        Err(err) => Err(PrepareError::Schema(err.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use expr_eval::{OwnedExchange, OwnedRequest};
    use oas_callbacks::Document;

    use super::{Planned, prepare};
    use crate::error::PrepareError;

    #[test]
    fn a_callback_operation_without_a_schema_takes_any_json_payload() {
        // The same rule as `callback_delivery::Dispatch`: nothing to check against, so any JSON.
        let doc = Document::load("../examples/ping-api.yaml").expect("the document loads");
        let op = doc.operation("startJob").expect("declared");
        let request = OwnedRequest::new("POST", "https://api.example.com/jobs")
            .expect("a request")
            .with_header("pingUrl", "https://client.example.net/ping");
        let exchange = OwnedExchange::new(request);
        let body = r#"{"anything": [1, 2]}"#;
        let planned = prepare(&doc, op, &exchange, "ping", None, body).expect("no schema");
        assert!(matches!(&planned[..], [Planned::Message(_)]), "{planned:?}");
        let refused = prepare(&doc, op, &exchange, "typed", None, body);
        assert!(
            matches!(refused, Err(PrepareError::InvalidPayload { .. })),
            "{refused:?}"
        );
    }
}
