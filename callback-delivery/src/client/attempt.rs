//! One attempt: send the request to the pinned addresses, read at most the cap of the response,
//! and say whether to retry.

use std::error::Error as _;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::header::{self, HeaderMap};
use http_body_util::{BodyExt, Full};

use crate::headers::outgoing_headers;
use crate::options::DeliveryOptions;
use crate::report::{Attempt, FailureKind};
use crate::request::DeliveryRequest;
use crate::retry::{is_retryable_status, parse_retry_after};
use crate::signing::unix_now;

use super::connector::{ConnectError, ConnectErrorKind, RemoteAddr};
use super::deliverer::HttpClient;
use super::pin::PinnedRequest;

/// A duration in whole milliseconds, saturating.
pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What one attempt ended with, for the retry decision.
pub(super) enum Step {
    Delivered(u16),
    Retry {
        kind: FailureKind,
        error: String,
        status: Option<u16>,
        retry_after: Option<Duration>,
    },
    Stop {
        kind: FailureKind,
        error: String,
        status: Option<u16>,
    },
}

/// What every attempt of one delivery shares.
pub(super) struct Delivery<'a> {
    pub(super) http: &'a HttpClient,
    pub(super) options: &'a DeliveryOptions,
    pub(super) request: &'a DeliveryRequest,
    pub(super) pinned: &'a PinnedRequest,
    pub(super) id: &'a str,
    /// When the delivery started (attempts say when they started, from there).
    pub(super) started: Instant,
}

/// The error and its causes, on one line (without repeating a cause already in the text).
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The kind and the words of an error of the HTTP client: a connection that could not be made
/// says so in the connector's words (which name the address); anything else broke the exchange.
fn classify(error: &hyper_util::client::legacy::Error) -> (FailureKind, String) {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(connect) = cause.downcast_ref::<ConnectError>() {
            let kind = match connect.kind {
                ConnectErrorKind::Timeout => FailureKind::Timeout,
                ConnectErrorKind::Refused | ConnectErrorKind::Tcp | ConnectErrorKind::Tls => {
                    FailureKind::Connect
                }
            };
            return (kind, connect.to_string());
        }
        source = cause.source();
    }
    let kind = if error.is_connect() {
        FailureKind::Connect
    } else {
        FailureKind::Transport
    };
    (kind, describe(error))
}

/// `1 s`, `300 ms`.
fn show(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

impl Delivery<'_> {
    /// Attempt number `number`, bounded by `timeout` from connecting to the end of the body read.
    pub(super) async fn attempt(&self, number: u32, timeout: Duration) -> (Step, Attempt) {
        let began = Instant::now();
        let deadline = tokio::time::Instant::from_std(began + timeout);
        let mut record = Attempt {
            attempt: number,
            started_ms: millis(began.duration_since(self.started)),
            elapsed_ms: 0,
            address: None,
            status: None,
            error: None,
            error_kind: None,
            response_bytes: 0,
            response_truncated: false,
            location: None,
            retry_after_ms: None,
            backoff_ms: None,
        };
        let step = self.exchange(&mut record, deadline, timeout).await;
        if let Step::Retry { kind, error, .. } | Step::Stop { kind, error, .. } = &step {
            record.error_kind = Some(*kind);
            record.error = Some(error.clone());
        }
        record.elapsed_ms = millis(began.elapsed());
        (step, record)
    }

    async fn exchange(
        &self,
        record: &mut Attempt,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Step {
        // Signed anew on every attempt (a fresh timestamp), with the same id.
        let headers = match outgoing_headers(self.options, self.request, self.id, unix_now()) {
            Ok((headers, _)) => headers,
            Err(error) => {
                return Step::Stop {
                    kind: FailureKind::Request,
                    error,
                    status: None,
                };
            }
        };
        let request = self.http_request(headers);
        let timed_out = || Step::Retry {
            kind: FailureKind::Timeout,
            error: format!(
                "no response within the timeout of {} (the attempt's timeout)",
                show(timeout)
            ),
            status: None,
            retry_after: None,
        };
        let response = match tokio::time::timeout_at(deadline, self.http.request(request)).await {
            Err(_) => return timed_out(),
            Ok(Err(e)) => {
                let (kind, error) = classify(&e);
                return Step::Retry {
                    kind,
                    error,
                    status: None,
                    retry_after: None,
                };
            }
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        record.status = Some(status.as_u16());
        record.address = response.extensions().get::<RemoteAddr>().map(|a| a.0);
        let header_text = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after =
            header_text(header::RETRY_AFTER).and_then(|v| parse_retry_after(&v, SystemTime::now()));
        record.retry_after_ms = retry_after.map(millis);
        if status.is_redirection() {
            record.location = header_text(header::LOCATION);
        }

        // Read the body, at most the cap, frame by frame; the rest is never read (the
        // connection is dropped with the body, not returned to the pool).
        let cap = self.options.max_response_body();
        let mut body = response.into_body();
        let mut read: usize = 0;
        let mut body_error = None;
        loop {
            match tokio::time::timeout_at(deadline, body.frame()).await {
                Err(_) => {
                    body_error = Some(format!(
                        "the body was not read within the timeout of {}",
                        show(timeout)
                    ));
                    break;
                }
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    body_error = Some(describe(&e));
                    break;
                }
                Ok(Some(Ok(frame))) => {
                    let Some(data) = frame.data_ref() else {
                        continue;
                    };
                    if read + data.len() > cap {
                        read = cap;
                        record.response_truncated = true;
                        break;
                    }
                    read += data.len();
                }
            }
        }
        drop(body);
        record.response_bytes = read as u64;

        let code = status.as_u16();
        let reason = status.canonical_reason().unwrap_or("");
        let status_error = format!("HTTP {code} {reason}").trim_end().to_owned();
        if status.is_success() {
            if let Some(e) = body_error {
                // Accepted all the same; the status is the consumer's answer.
                record.error = Some(format!("reading the response: {e}"));
            }
            Step::Delivered(code)
        } else if status.is_redirection() {
            let error = match &record.location {
                Some(location) => {
                    format!("{status_error}: redirect to {location} not followed")
                }
                None => format!("{status_error}: redirect not followed"),
            };
            Step::Stop {
                kind: FailureKind::Redirect,
                error,
                status: Some(code),
            }
        } else if is_retryable_status(code) {
            Step::Retry {
                kind: FailureKind::Status,
                error: status_error,
                status: Some(code),
                retry_after,
            }
        } else {
            Step::Stop {
                kind: FailureKind::Status,
                error: format!("{status_error} (not retried)"),
                status: Some(code),
            }
        }
    }

    /// The request as the client sends it: the pinned URI, the `Host` of the URL, the headers
    /// of this attempt and the body (shared, not copied).
    fn http_request(&self, headers: HeaderMap) -> http::Request<Full<Bytes>> {
        let mut request = http::Request::new(Full::new(self.request.body().clone()));
        *request.method_mut() = self.request.method().clone();
        *request.uri_mut() = self.pinned.uri.clone();
        *request.headers_mut() = headers;
        request
            .headers_mut()
            .insert(header::HOST, self.pinned.host.clone());
        request
    }
}
