//! One attempt: send the request to the pinned addresses, read at most the cap of the response,
//! and say whether to retry.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header;

use crate::headers::outgoing_headers;
use crate::options::DeliveryOptions;
use crate::policy::CheckedTarget;
use crate::report::{Attempt, FailureKind};
use crate::request::DeliveryRequest;
use crate::retry::{is_retryable_status, parse_retry_after};
use crate::signing::unix_now;

/// A duration in whole milliseconds, saturating.
pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The kind of a client error.
fn classify(error: &reqwest::Error) -> FailureKind {
    if error.is_timeout() {
        FailureKind::Timeout
    } else if error.is_connect() {
        FailureKind::Connect
    } else if error.is_builder() {
        FailureKind::Request
    } else {
        FailureKind::Transport
    }
}

/// The error and its causes, on one line.
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

#[allow(clippy::too_many_arguments)]
pub(super) async fn attempt(
    options: &DeliveryOptions,
    client: &reqwest::Client,
    target: &CheckedTarget,
    request: &DeliveryRequest,
    id: &str,
    number: u32,
    started: Instant,
    timeout: Duration,
) -> (Step, Attempt) {
    let began = Instant::now();
    let mut record = Attempt {
        attempt: number,
        started_ms: millis(began.duration_since(started)),
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
    // Signed anew on every attempt (a fresh timestamp), with the same id.
    let headers = match outgoing_headers(options, request, id, unix_now()) {
        Ok((headers, _)) => headers,
        Err(error) => {
            record.error = Some(error.clone());
            record.error_kind = Some(FailureKind::Request);
            let step = Step::Stop {
                kind: FailureKind::Request,
                error,
                status: None,
            };
            return (step, record);
        }
    };
    let sent = client
        .request(request.method().clone(), target.url().clone())
        .headers(headers)
        .body(request.body().clone())
        .timeout(timeout)
        .send()
        .await;
    let step = match sent {
        Err(e) => {
            let kind = classify(&e);
            let error = describe(&e);
            record.error = Some(error.clone());
            record.error_kind = Some(kind);
            if kind == FailureKind::Request {
                Step::Stop {
                    kind,
                    error,
                    status: None,
                }
            } else {
                Step::Retry {
                    kind,
                    error,
                    status: None,
                    retry_after: None,
                }
            }
        }
        Ok(mut response) => {
            let status = response.status();
            record.status = Some(status.as_u16());
            record.address = response.remote_addr();
            let header_text = |name: header::HeaderName| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let retry_after = header_text(header::RETRY_AFTER)
                .and_then(|v| parse_retry_after(&v, SystemTime::now()));
            record.retry_after_ms = retry_after.map(millis);
            if status.is_redirection() {
                record.location = header_text(header::LOCATION);
            }
            // Read the body, at most the cap, chunk by chunk.
            let cap = options.max_response_body();
            let mut read: usize = 0;
            let mut body_error = None;
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        if read + chunk.len() > cap {
                            read = cap;
                            record.response_truncated = true;
                            break;
                        }
                        read += chunk.len();
                    }
                    Ok(None) => break,
                    Err(e) => {
                        body_error = Some(e);
                        break;
                    }
                }
            }
            drop(response);
            record.response_bytes = read as u64;
            let code = status.as_u16();
            let reason = status.canonical_reason().unwrap_or("");
            let status_error = format!("HTTP {code} {reason}").trim_end().to_owned();
            if status.is_success() {
                if let Some(e) = body_error {
                    // Accepted all the same; the status is the consumer's answer.
                    record.error = Some(format!("reading the response: {}", describe(&e)));
                }
                Step::Delivered(code)
            } else if status.is_redirection() {
                let error = match &record.location {
                    Some(location) => {
                        format!("{status_error}: redirect to {location} not followed")
                    }
                    None => format!("{status_error}: redirect not followed"),
                };
                record.error = Some(error.clone());
                record.error_kind = Some(FailureKind::Redirect);
                Step::Stop {
                    kind: FailureKind::Redirect,
                    error,
                    status: Some(code),
                }
            } else if is_retryable_status(code) {
                record.error = Some(status_error.clone());
                record.error_kind = Some(FailureKind::Status);
                Step::Retry {
                    kind: FailureKind::Status,
                    error: status_error,
                    status: Some(code),
                    retry_after,
                }
            } else {
                let error = format!("{status_error} (not retried)");
                record.error = Some(error.clone());
                record.error_kind = Some(FailureKind::Status);
                Step::Stop {
                    kind: FailureKind::Status,
                    error,
                    status: Some(code),
                }
            }
        }
    };
    record.elapsed_ms = millis(began.elapsed());
    (step, record)
}
