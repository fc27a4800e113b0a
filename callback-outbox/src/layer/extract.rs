//! What a handler sees: the [`Callbacks`] extractor, to ask for callbacks of its operation.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::StatusCode;
use http::request::Parts;
use serde::Serialize;

use super::Route;
use crate::error::PrepareError;

/// The callbacks of the request's operation, for its handler: [`send`](Self::send) asks for
/// one, with its payload. The [`CallbacksLayer`](super::CallbacksLayer) resolves each one for the
/// request and the response the handler gives, and stores it in the outbox before that response
/// leaves (with a `2xx` status, by default).
///
/// ```no_run
/// use axum::http::StatusCode;
/// use callback_outbox::{Callbacks, SendOptions};
/// use std::time::Duration;
///
/// async fn start_job(callbacks: Callbacks) -> Result<StatusCode, StatusCode> {
///     callbacks
///         .send("progress", &serde_json::json!({"jobId": "7", "percent": 0, "state": "queued"}))
///         .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
///     callbacks
///         .send_with("completion", &serde_json::json!({"jobId": "7", "outcome": "done"}),
///             SendOptions::new().delay(Duration::from_secs(60)))
///         .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
///     Ok(StatusCode::ACCEPTED)
/// }
/// ```
#[derive(Clone)]
pub struct Callbacks {
    pub(super) route: Option<Arc<Route>>,
    pub(super) requests: Arc<Mutex<Vec<Requested>>>,
    pub(super) doc: Arc<oas_callbacks::Document>,
}

impl std::fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callbacks")
            .field("operation", &self.operation())
            .finish_non_exhaustive()
    }
}

/// A callback a handler asked for.
#[derive(Clone, Debug)]
pub(super) struct Requested {
    pub(super) name: String,
    pub(super) body: Bytes,
    pub(super) options: SendOptions,
}

/// How a callback is sent: delay, deduplication key, extra headers, signing secret, method.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct SendOptions {
    pub(super) delay: Option<Duration>,
    pub(super) dedupe_key: Option<String>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) secret_ref: Option<String>,
    pub(super) method: Option<http::Method>,
}

impl SendOptions {
    /// Nothing special: at once, every method of the callback, no key.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first attempt no sooner than `delay` after the enqueue.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// A deduplication key (see [`NewMessage::dedupe_key`](crate::NewMessage::dedupe_key)).
    pub fn dedupe_key(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    /// An extra header, sent with every attempt.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The name of the signing secret (see [`Secrets`](crate::Secrets)).
    pub fn secret_ref(mut self, name: impl Into<String>) -> Self {
        self.secret_ref = Some(name.into());
        self
    }

    /// Only the callback operation with this method (when its Path Item has several).
    pub fn method(mut self, method: http::Method) -> Self {
        self.method = Some(method);
        self
    }
}

impl Callbacks {
    /// The operation (`operationId`, or `METHOD /path`), when the document has one for the
    /// request's method and matched path.
    pub fn operation(&self) -> Option<String> {
        let route = self.route.as_ref()?;
        let op = self.doc.operations().get(route.operation)?;
        Some(
            op.operation_id()
                .map_or_else(|| op.display_name(), str::to_owned),
        )
    }

    /// Asks for callback `name` with `payload` (serialized as JSON, the exact bytes sent).
    /// The payload is validated now against the callback operation's request-body schema: an
    /// error says why it cannot be sent (nothing is queued); the URL is resolved once the
    /// handler's response is known.
    pub fn send(&self, name: &str, payload: &impl Serialize) -> Result<(), PrepareError> {
        self.send_with(name, payload, SendOptions::new())
    }

    /// [`send`](Self::send) with options.
    pub fn send_with(
        &self,
        name: &str,
        payload: &impl Serialize,
        options: SendOptions,
    ) -> Result<(), PrepareError> {
        let route = self.route.as_ref().ok_or_else(|| {
            PrepareError::Callback(
                "the document describes no operation for this request's method and matched path"
                    .to_owned(),
            )
        })?;
        let op = self
            .doc
            .operations()
            .get(route.operation)
            .ok_or_else(|| PrepareError::Callback("the operation is gone".to_owned()))?;
        let value =
            serde_json::to_value(payload).map_err(|e| PrepareError::NotJson(e.to_string()))?;
        let methods: Vec<http::Method> = op
            .callbacks()
            .iter()
            .filter(|c| c.name() == name)
            .flat_map(|c| c.operations())
            .map(|o| o.method().clone())
            .filter(|m| options.method.as_ref().is_none_or(|wanted| m == wanted))
            .collect();
        if methods.is_empty() {
            let method = options.method.as_ref().map(http::Method::as_str);
            return Err(
                match self.doc.validate_callback_payload(op, name, method, &value) {
                    Err(err) => PrepareError::Callback(err.to_string()),
                    Ok(_) => PrepareError::Callback(format!("callback `{name}` has no operation")),
                },
            );
        }
        for method in &methods {
            crate::prepare::check_payload(&self.doc, op, name, method.as_str(), &value)?;
        }
        let body = Bytes::from(value.to_string());
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Requested {
                name: name.to_owned(),
                body,
                options,
            });
        Ok(())
    }
}

/// The [`Callbacks`] extractor without the layer: the route is not wrapped in a
/// [`CallbacksLayer`](super::CallbacksLayer). Answers `500`: a bug of the application.
#[derive(Debug)]
pub struct MissingCallbacksLayer;

impl std::fmt::Display for MissingCallbacksLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the Callbacks extractor needs the route to be wrapped in a CallbacksLayer")
    }
}

impl std::error::Error for MissingCallbacksLayer {}

impl IntoResponse for MissingCallbacksLayer {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Callbacks {
    type Rejection = MissingCallbacksLayer;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Callbacks>()
            .cloned()
            .ok_or(MissingCallbacksLayer)
    }
}
