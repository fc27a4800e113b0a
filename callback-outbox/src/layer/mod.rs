//! The tower layer and axum extractor (feature `axum`): a handler asks for callbacks of its
//! operation with [`Callbacks`]; [`CallbacksLayer`] resolves them for the request it received
//! and the response it gives, and stores them in the outbox **before that response leaves**, so
//! a client holding its `202` knows its callbacks are durable.
//!
//! - The operation is found from the request's method and matched path (axum's `MatchedPath`;
//!   without one, the path is matched against the document's path templates), and its callback
//!   keys say which bodies are needed: a request or response body is buffered — up to
//!   [`max_body`](CallbacksLayer::max_body) — only for operations whose keys read it; other
//!   bodies, streams included, go through untouched. A body over the bound is passed on whole
//!   all the same; the callbacks that need it are skipped, with the reason.
//! - The handler runs to its end even when the client goes away mid-request (it runs in a task
//!   of its own), so what it committed and the callbacks it asked for go together.
//! - Callbacks are stored for `2xx` responses ([`when`](CallbacksLayer::when) changes that), in
//!   one transaction; if that fails, the client gets `500` instead of the handler's response.
//!   What was enqueued or skipped is in the response's extensions ([`CallbacksReport`]).
//!
//! The gap this leaves: a handler that commits its own data and then fails to reach the
//! enqueue (the process dies in between) loses the callback. Closing it takes enqueueing in the
//! handler's own transaction ([`Outbox::enqueue_in`](crate::Outbox::enqueue_in)).
//!
//! ```no_run
//! # async fn serve(outbox: callback_outbox::Outbox) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use axum::{Router, http::StatusCode, routing::post};
//! use callback_outbox::{Callbacks, CallbacksLayer};
//!
//! async fn start_job(callbacks: Callbacks) -> StatusCode {
//!     match callbacks.send("progress", &serde_json::json!({"jobId": "7", "percent": 0, "state": "queued"})) {
//!         Ok(()) => StatusCode::ACCEPTED,
//!         Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
//!     }
//! }
//!
//! let doc = Arc::new(oas_callbacks::Document::load("progress-api.yaml")?);
//! let app: Router = Router::new()
//!     .route("/jobs/{jobId}/start", post(start_job))
//!     .route_layer(CallbacksLayer::new(outbox, doc).max_body(64 * 1024));
//! # Ok(()) }
//! ```

mod body;
mod extract;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use expr_eval::HttpExchange;
use expr_grammar::{Expression, Source, Template};
use http::{Method, Request, StatusCode};
use oas_callbacks::Document;
use tower::{Layer, Service};

pub use extract::{Callbacks, MissingCallbacksLayer, SendOptions};

use crate::message::NewMessage;
use crate::prepare::{Planned, Skipped, prepare};
use crate::store::{Enqueued, Outbox};
use extract::Requested;

/// The default bound on a buffered request or response body: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// Wraps routes so that their handlers' [`Callbacks`] are resolved and enqueued before the
/// response leaves. Apply it with `Router::route_layer` (or `layer`).
#[derive(Clone)]
#[must_use]
pub struct CallbacksLayer {
    outbox: Outbox,
    doc: Arc<Document>,
    max_body: usize,
    scheme: Arc<str>,
    when: fn(StatusCode) -> bool,
    routes: Arc<RwLock<RouteCache>>,
}

/// The route of each (method, matched path) seen, or that there is none.
type RouteCache = HashMap<(Method, String), Option<Arc<Route>>>;

impl std::fmt::Debug for CallbacksLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbacksLayer")
            .field("document", &self.doc.path())
            .field("max_body", &self.max_body)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

/// What the layer knows of the operation a route serves.
#[derive(Debug)]
pub(crate) struct Route {
    /// Its index in the document's operations.
    operation: usize,
    /// The operation's path template.
    path_template: String,
    /// The callback keys, with the bodies each reads.
    keys: Vec<KeyNeeds>,
}

#[derive(Debug)]
struct KeyNeeds {
    callback: String,
    key: String,
    request_body: bool,
    response_body: bool,
}

impl Route {
    fn reads_request_body(&self) -> bool {
        self.keys.iter().any(|k| k.request_body)
    }

    fn reads_response_body(&self) -> bool {
        self.keys.iter().any(|k| k.response_body)
    }
}

/// Which bodies a callback key reads.
fn needs(key: &str) -> (bool, bool) {
    let expressions: Vec<Expression> = if key.starts_with('$') {
        key.parse::<Expression>().into_iter().collect()
    } else {
        Template::parse(key)
            .map(|t| t.expressions().cloned().collect())
            .unwrap_or_default()
    };
    let request = expressions
        .iter()
        .any(|e| matches!(e, Expression::Request(Source::Body(_))));
    let response = expressions
        .iter()
        .any(|e| matches!(e, Expression::Response(Source::Body(_))));
    (request, response)
}

/// Whether `path` (a request path, or a matched route) ends with the segments of `template`,
/// where `{name}` matches any one segment (a server base path in front does not matter).
fn matches_template(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_matches('/').split('/').collect();
    if path.len() < template.len() {
        return false;
    }
    path[path.len() - template.len()..]
        .iter()
        .zip(&template)
        .all(|(segment, pattern)| {
            (pattern.starts_with('{') && pattern.ends_with('}')) || segment == pattern
        })
}

/// What the layer did with a response's callbacks, in the response's extensions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbacksReport {
    /// The messages stored (or found stored, for a deduplication key seen before).
    pub enqueued: Vec<Enqueued>,
    /// The callback requests not made, and why (a URL that cannot be resolved, a body over the
    /// bound).
    pub skipped: Vec<Skipped>,
}

impl CallbacksLayer {
    /// A layer that stores callbacks in `outbox`, as `doc` describes them.
    pub fn new(outbox: Outbox, doc: impl Into<Arc<Document>>) -> Self {
        Self {
            outbox,
            doc: doc.into(),
            max_body: DEFAULT_MAX_BODY,
            scheme: Arc::from("https"),
            when: |status| status.is_success(),
            routes: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    /// The largest request or response body buffered for callbacks that read it (default
    /// [`DEFAULT_MAX_BODY`]). A longer body is passed on whole; callbacks needing it are skipped.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The scheme of the request URL (`$url`) when the request line has only a path (default
    /// `https`; `http` for a provider that is not behind TLS).
    pub fn scheme(mut self, scheme: &str) -> Self {
        self.scheme = Arc::from(scheme);
        self
    }

    /// Which response statuses get their callbacks enqueued (default: `2xx`).
    pub fn when(mut self, when: fn(StatusCode) -> bool) -> Self {
        self.when = when;
        self
    }

    /// The route of a request: from its matched path (cached), else from its path.
    fn route_of(&self, request: &Request<Body>) -> Option<Arc<Route>> {
        let method = request.method().clone();
        if let Some(matched) = request.extensions().get::<MatchedPath>() {
            let key = (method, matched.as_str().to_owned());
            if let Some(found) = self
                .routes
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&key)
            {
                return found.clone();
            }
            let found = self.find(&key.0, &key.1);
            self.routes
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key, found.clone());
            return found;
        }
        self.find(&method, request.uri().path())
    }

    /// The operation of `method` whose path template `path` ends with; the longest template
    /// wins.
    fn find(&self, method: &Method, path: &str) -> Option<Arc<Route>> {
        let (index, op) = self
            .doc
            .operations()
            .iter()
            .enumerate()
            .filter(|(_, op)| op.method() == method)
            .filter(|(_, op)| matches_template(op.path(), path))
            .max_by_key(|(_, op)| op.path().len())?;
        let keys = op
            .callbacks()
            .iter()
            .map(|c| {
                let (request_body, response_body) = needs(c.key());
                KeyNeeds {
                    callback: c.name().to_owned(),
                    key: c.key().to_owned(),
                    request_body,
                    response_body,
                }
            })
            .collect();
        Some(Arc::new(Route {
            operation: index,
            path_template: op.path().to_owned(),
            keys,
        }))
    }
}

impl<S> Layer<S> for CallbacksLayer {
    type Service = CallbacksService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CallbacksService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`CallbacksLayer`] wraps a route in.
#[derive(Clone, Debug)]
pub struct CallbacksService<S> {
    inner: S,
    layer: CallbacksLayer,
}

type Handling = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> Service<Request<Body>> for CallbacksService<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Handling;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The service that was made ready handles this request; a clone takes its place.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        let layer = self.layer.clone();
        // The handler and the enqueue run in a task of their own: a client that goes away drops
        // this future, not the work.
        let task = tokio::spawn(layer.handle(inner, request));
        Box::pin(async move {
            Ok(task.await.unwrap_or_else(|err| {
                tracing::error!(target: "callback_outbox::layer", error = %err, "the handler panicked");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }))
        })
    }
}

/// The request as the callbacks see it: its head, and its body when it was buffered.
fn seen_request(parts: &http::request::Parts, body: Option<Bytes>) -> http::Request<Bytes> {
    let mut request = http::Request::new(body.unwrap_or_default());
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = parts.uri.clone();
    *request.version_mut() = parts.version;
    *request.headers_mut() = parts.headers.clone();
    request
}

fn seen_response(parts: &http::response::Parts, body: Option<Bytes>) -> http::Response<Bytes> {
    let mut response = http::Response::new(body.unwrap_or_default());
    *response.status_mut() = parts.status;
    *response.headers_mut() = parts.headers.clone();
    response
}

impl CallbacksLayer {
    async fn handle<S>(self, mut inner: S, mut request: Request<Body>) -> Response
    where
        S: Service<Request<Body>, Response = Response, Error = Infallible>,
    {
        let route = self.route_of(&request);
        let callbacks = Callbacks {
            route: route.clone(),
            requests: Default::default(),
            doc: self.doc.clone(),
        };
        request.extensions_mut().insert(callbacks.clone());
        let Some(route) = route else {
            return match inner.call(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
        };
        let (parts, body) = request.into_parts();
        let (body, request_body) = if route.reads_request_body() {
            let captured = body::capture(body, self.max_body).await;
            (captured.body, Some(captured.bytes))
        } else {
            (body, None)
        };
        let seen = seen_request(&parts, request_body.clone().flatten());
        let response = match inner.call(Request::from_parts(parts, body)).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let requested =
            std::mem::take(&mut *callbacks.requests.lock().unwrap_or_else(|e| e.into_inner()));
        if requested.is_empty() || !(self.when)(response.status()) {
            return response;
        }
        let request_over = matches!(request_body, Some(None));
        self.enqueue(&route, requested, &seen, request_over, response)
            .await
    }

    async fn enqueue(
        &self,
        route: &Route,
        requested: Vec<Requested>,
        request: &http::Request<Bytes>,
        request_over: bool,
        response: Response,
    ) -> Response {
        let (parts, body) = response.into_parts();
        let (body, response_body) = if route.reads_response_body() {
            let captured = body::capture(body, self.max_body).await;
            (captured.body, Some(captured.bytes))
        } else {
            (body, None)
        };
        let response_over = matches!(response_body, Some(None));
        let seen = seen_response(&parts, response_body.flatten());
        let exchange = HttpExchange::new(request)
            .with_response(&seen)
            .with_path_template(&route.path_template)
            .with_scheme(&self.scheme);
        let Some(op) = self.doc.operations().get(route.operation) else {
            return Response::from_parts(parts, body);
        };
        let mut messages = Vec::new();
        let mut report = CallbacksReport::default();
        for wanted in requested {
            let planned = match prepare(
                &self.doc,
                op,
                &exchange,
                &wanted.name,
                wanted.options.method.as_ref(),
                wanted.body.clone(),
            ) {
                Ok(planned) => planned,
                Err(err) => {
                    // Checked when the handler asked: only a document that changed gets here.
                    tracing::error!(target: "callback_outbox::layer", callback = %wanted.name, error = %err, "cannot prepare a callback");
                    return problem("a callback of this operation cannot be prepared");
                }
            };
            for plan in planned {
                match plan {
                    Planned::Message(message) => messages.push(with_options(message, &wanted)),
                    Planned::Skipped(mut skipped) | Planned::InvalidUrl(mut skipped) => {
                        if let Some(needs) = route
                            .keys
                            .iter()
                            .find(|k| k.callback == skipped.callback && k.key == skipped.expression)
                        {
                            let bound = |which: &str| {
                                format!(
                                    "the {which} body is larger than the limit of {} bytes \
                                     (CallbacksLayer::max_body), and the callback's URL reads it",
                                    self.max_body
                                )
                            };
                            if needs.request_body && request_over {
                                skipped.reason = bound("request");
                            } else if needs.response_body && response_over {
                                skipped.reason = bound("response");
                            }
                        }
                        tracing::info!(
                            target: "callback_outbox::layer",
                            callback = %skipped.callback,
                            reason = %skipped.reason,
                            "callback skipped"
                        );
                        report.skipped.push(skipped);
                    }
                }
            }
        }
        if !messages.is_empty() {
            match self.outbox.enqueue(&messages).await {
                Ok(enqueued) => report.enqueued = enqueued,
                Err(err) => {
                    tracing::error!(target: "callback_outbox::layer", error = %err, "cannot enqueue the callbacks");
                    return problem("the callbacks of this request could not be stored");
                }
            }
        }
        let mut response = Response::from_parts(parts, body);
        response.extensions_mut().insert(report);
        response
    }
}

fn with_options(mut message: NewMessage, wanted: &Requested) -> NewMessage {
    let options = &wanted.options;
    for (name, value) in &options.headers {
        message = message.header(name, value);
    }
    if let Some(key) = &options.dedupe_key {
        message = message.dedupe_key(key);
    }
    if let Some(name) = &options.secret_ref {
        message = message.secret_ref(name);
    }
    if let Some(delay) = options.delay {
        message = message.delay(delay);
    }
    message
}

fn problem(detail: &str) -> Response {
    let body = serde_json::json!({"status": 500, "detail": detail}).to_string();
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(http::header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_say_which_bodies_they_read() {
        assert_eq!(needs("{$request.header.progressUrl}"), (false, false));
        assert_eq!(needs("$request.body#/url"), (true, false));
        assert_eq!(
            needs("{$request.body#/notify/url}?ticket={$response.body#/ticket}"),
            (true, true)
        );
        assert_eq!(needs("https://constant.example/cb"), (false, false));
        assert_eq!(needs("{$response.header.Location}"), (false, false));
    }

    #[test]
    fn templates_match_the_last_segments() {
        assert!(matches_template(
            "/jobs/{jobId}/start",
            "/jobs/{jobId}/start"
        ));
        assert!(matches_template("/jobs/{jobId}/start", "/v1/jobs/42/start"));
        assert!(!matches_template("/jobs/{jobId}/start", "/jobs/42/stop"));
        assert!(!matches_template("/jobs/{jobId}/start", "/start"));
    }
}
