//! One callback to dispatch, and the steps that need no network: the payload validated, the URL
//! taken, and (in a dry run) the policy checked.

use oas_callbacks::{CallbackOutcome, Document, Operation, ResolvedCallback, ValidateError};

use crate::dry_run::dry_run;
use crate::options::DeliveryOptions;
use crate::request::DeliveryRequest;

use super::outcome::{DispatchOutcome, Dispatched};
use super::payload::Payload;

/// One callback a provider dispatches: a callback of `operation`, resolved for an exchange by
/// [`Operation::resolve_callbacks`], and its payload. Dispatching it
/// ([`Deliverer::dispatch`](crate::Deliverer::dispatch), or [`dry_run`](Self::dry_run))
/// goes through the steps in order, each of which can end it:
///
/// 1. the payload is validated against the callback operation's request-body schema (the
///    document's validator, compiled once): an invalid payload is not sent; an operation that
///    declares no JSON request-body schema takes any JSON payload (as the outbox's `prepare`
///    does: there is nothing to check it against);
/// 2. the URL resolved from the exchange is taken: none (a value was missing) skips the
///    callback, as the specification says; one that is not an absolute http(s) URL is invalid;
/// 3. the URL policy against request forgery checks the URL, then every address its host
///    resolves to;
/// 4. the callback is delivered, signed, with retries.
///
/// ```
/// use callback_delivery::{DeliveryOptions, Dispatch, DispatchOutcome, DryRunOutcome, Payload};
/// use expr_eval::{OwnedExchange, OwnedRequest};
/// use oas_callbacks::Document;
///
/// let doc = Document::load("../examples/progress-api.yaml")?;
/// let op = doc.operation("startJob").expect("declared");
/// let request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/7/start")?
///     .with_header("progressUrl", "https://169.254.169.254/latest/meta-data/");
/// let exchange = OwnedExchange::new(request);
/// let payload = Payload::parse(r#"{"jobId": "7", "percent": 10, "state": "running"}"#)?;
///
/// let progress = &op.resolve_callbacks(&exchange)[0];
/// let dispatched = Dispatch::new(&doc, op, progress, &payload).dry_run(&DeliveryOptions::default());
/// assert!(!dispatched.is_success());
/// assert_eq!(dispatched.denied().map(|d| d.rule.as_str()), Some("cloud-metadata"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Dispatch<'a> {
    document: &'a Document,
    operation: &'a Operation,
    callback: &'a ResolvedCallback,
    payload: &'a Payload,
    headers: Vec<(String, String)>,
    id: Option<String>,
}

impl<'a> Dispatch<'a> {
    /// A callback of `operation` (of `document`), resolved for an exchange, with its payload.
    pub fn new(
        document: &'a Document,
        operation: &'a Operation,
        callback: &'a ResolvedCallback,
        payload: &'a Payload,
    ) -> Self {
        Self {
            document,
            operation,
            callback,
            payload,
            headers: Vec::new(),
            id: None,
        }
    }

    /// Adds a header to the callback request; see [`DeliveryRequest::with_header`].
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds headers; see [`DeliveryRequest::with_header`].
    #[must_use]
    pub fn with_headers<N: Into<String>, V: Into<String>>(
        mut self,
        headers: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        self.headers
            .extend(headers.into_iter().map(|(n, v)| (n.into(), v.into())));
        self
    }

    /// Sets the message id (`webhook-id`); without one, each dispatch generates one.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The resolved callback.
    pub fn callback(&self) -> &ResolvedCallback {
        self.callback
    }

    /// Steps 1 and 2, which need no network: the request to deliver, or the outcome that ends
    /// the dispatch (an invalid payload, a skipped callback, an invalid URL). A caller that
    /// delivers later (an outbox) stores the request.
    pub fn prepare(&self) -> Result<DeliveryRequest, Box<Dispatched>> {
        let callback = self.callback;
        let resolved_url = match &callback.outcome {
            CallbackOutcome::Url(url) => Some(url),
            _ => None,
        };
        // 1. The payload, before anything else.
        let method = Some(callback.method.as_str());
        let invalid = match self.document.validate_callback_payload(
            self.operation,
            &callback.callback,
            method,
            self.payload.json(),
        ) {
            Ok(violations) if violations.is_empty() => None,
            Ok(violations) => Some((violations, None)),
            Err(ValidateError::NoSchema { .. }) => None,
            Err(err) => Some((Vec::new(), Some(err.to_string()))),
        };
        if let Some((violations, error)) = invalid {
            return Err(self.not_sent(DispatchOutcome::InvalidPayload {
                url: resolved_url.cloned(),
                violations,
                error,
            }));
        }
        // 2. The URL.
        let url = match &callback.outcome {
            CallbackOutcome::Url(url) => url,
            CallbackOutcome::Skipped(reason) => {
                return Err(self.not_sent(DispatchOutcome::Skipped {
                    reason: reason.clone(),
                }));
            }
            CallbackOutcome::Invalid { url, reason } => {
                return Err(self.not_sent(DispatchOutcome::InvalidUrl {
                    url: url.clone(),
                    reason: reason.clone(),
                }));
            }
            other => {
                return Err(self.not_sent(DispatchOutcome::Unresolved {
                    error: format!("the callback URL was not resolved: {other:?}"),
                }));
            }
        };
        let mut request = DeliveryRequest::new(
            callback.method.clone(),
            url.clone(),
            self.payload.bytes().clone(),
        )
        .with_headers(self.headers.iter().cloned());
        if let Some(id) = &self.id {
            request = request.with_id(id.clone());
        }
        Ok(request)
    }

    /// Every step but the delivery: the payload, the URL, and the policy on the URL as written
    /// (a host name's addresses are checked at delivery time; nothing is resolved, nothing is
    /// connected).
    pub fn dry_run(&self, options: &DeliveryOptions) -> Dispatched {
        match self.prepare() {
            Ok(request) => self.dispatched(DispatchOutcome::DryRun(Box::new(dry_run(
                options, &request,
            )))),
            Err(not_sent) => *not_sent,
        }
    }

    fn not_sent(&self, outcome: DispatchOutcome) -> Box<Dispatched> {
        Box::new(self.dispatched(outcome))
    }

    /// The outcome, with the callback it belongs to.
    pub(crate) fn dispatched(&self, outcome: DispatchOutcome) -> Dispatched {
        Dispatched {
            callback: self.callback.callback.clone(),
            expression: self.callback.expression.clone(),
            method: self.callback.method.clone(),
            operation_id: self.callback.operation_id.clone(),
            outcome,
        }
    }
}
