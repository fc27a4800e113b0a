//! The API consumer: receives the callbacks of `examples/progress-api.yaml` and verifies them.
//!
//! Every `POST` is a callback: `/progress/…` a `progress` callback, `/done` a `completion`
//! callback. The Standard Webhooks signature is verified with
//! [`verify_headers`](callback_delivery::verify_headers) (a request that fails is answered
//! `401` and not processed); the payload is checked against the callback operation's schema in
//! the same document the provider uses; a `webhook-id` already accepted is acknowledged but
//! marked as a duplicate (the id is the idempotency key, the same on every retry).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use callback_delivery::signing::{DEFAULT_TOLERANCE, HEADER_ID};
use callback_delivery::{SigningSecret, verify_headers};
use oas_callbacks::Document;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::provider::OPERATION;

/// One request the consumer received.
#[derive(Clone, Debug, Serialize)]
pub struct Received {
    /// 1 for the first request received.
    pub number: u64,
    /// The method.
    pub method: String,
    /// The path and query.
    pub target: String,
    /// Which callback of the document the path stands for (`progress`, `completion`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
    /// The `webhook-id` header, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_id: Option<String>,
    /// Whether the Standard Webhooks signature verified.
    pub verified: bool,
    /// Why it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_error: Option<String>,
    /// The body, as JSON (`null` when it is not JSON).
    pub payload: Value,
    /// The payload's violations of the callback's schema (empty: valid); `None` when it could not
    /// be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<String>>,
    /// A `webhook-id` already accepted: acknowledged, not processed again.
    pub duplicate: bool,
    /// The status answered.
    pub status: u16,
}

impl Received {
    /// Verified, schema-valid and not a duplicate.
    pub fn accepted(&self) -> bool {
        self.verified
            && self.violations.as_ref().is_some_and(Vec::is_empty)
            && !self.duplicate
            && (200..300).contains(&self.status)
    }
}

/// How the consumer behaves (the defaults: answer every callback).
#[derive(Clone, Debug, Default)]
pub struct ConsumerConfig {
    /// Answer `503 Service Unavailable` to the first this many requests (to watch the provider
    /// retry).
    pub fail_first: u64,
    /// Answer the first this many requests only after this long (to watch the provider's
    /// timeout), `(count, delay)`.
    pub stall_first: Option<(u64, Duration)>,
}

/// The consumer's state.
pub struct Consumer {
    secret: SigningSecret,
    doc: Option<Document>,
    config: ConsumerConfig,
    seen: Mutex<(u64, HashSet<String>)>,
    received: mpsc::UnboundedSender<Received>,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Consumer {
    /// A consumer that verifies with `secret`, checks payloads against `doc` (when given) and
    /// sends every request it receives to `received`.
    pub fn new(
        secret: SigningSecret,
        doc: Option<Document>,
        config: ConsumerConfig,
        received: mpsc::UnboundedSender<Received>,
    ) -> Self {
        Self {
            secret,
            doc,
            config,
            seen: Mutex::new((0, HashSet::new())),
            received,
        }
    }

    /// Every `POST` is a callback.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new().fallback(receive).with_state(self)
    }

    /// The payload's violations of the schema of `callback`, as `pointer: message` lines.
    fn check(&self, callback: &str, payload: &Value) -> Option<Vec<String>> {
        let doc = self.doc.as_ref()?;
        let op = doc.operation(OPERATION)?;
        let violations = doc
            .validate_callback_payload(op, callback, Some("POST"), payload)
            .ok()?;
        Some(
            violations
                .iter()
                .map(|v| format!("{}: {}", v.pointer, v.message))
                .collect(),
        )
    }
}

/// Which callback a path stands for: the URLs this consumer gives the provider.
fn callback_of(path: &str) -> Option<&'static str> {
    if path.starts_with("/progress/") || path == "/progress" {
        Some("progress")
    } else if path == "/done" {
        Some("completion")
    } else {
        None
    }
}

async fn receive(
    State(consumer): State<Arc<Consumer>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let number = {
        let mut seen = consumer.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.0 += 1;
        seen.0
    };
    if let Some((count, delay)) = consumer.config.stall_first
        && number <= count
    {
        tokio::time::sleep(delay).await;
    }
    let signature_error = verify_headers(&consumer.secret, &headers, &body, DEFAULT_TOLERANCE)
        .err()
        .map(|e| e.to_string());
    let webhook_id = headers
        .get(HEADER_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let callback = callback_of(uri.path());
    let violations = callback.and_then(|c| consumer.check(c, &payload));

    let mut duplicate = false;
    let status = if method != Method::POST {
        StatusCode::METHOD_NOT_ALLOWED
    } else if signature_error.is_some() {
        StatusCode::UNAUTHORIZED
    } else if callback.is_none() {
        StatusCode::NOT_FOUND
    } else if number <= consumer.config.fail_first {
        StatusCode::SERVICE_UNAVAILABLE
    } else if violations.as_ref().is_some_and(|v| !v.is_empty()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        // Accepted: remember the id, so that a retry of a delivery we already took is not
        // processed twice.
        if let Some(id) = &webhook_id {
            let mut seen = consumer.seen.lock().unwrap_or_else(|e| e.into_inner());
            duplicate = !seen.1.insert(id.clone());
        }
        if callback == Some("completion") {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::OK
        }
    };
    let _ = consumer.received.send(Received {
        number,
        method: method.to_string(),
        target: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        callback: callback.map(str::to_owned),
        webhook_id,
        verified: signature_error.is_none(),
        signature_error,
        payload,
        violations,
        duplicate,
        status: status.as_u16(),
    });
    status.into_response()
}
