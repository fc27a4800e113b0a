//! The delivery: check the URL, resolve once, then attempt and wait until delivered, refused,
//! out of attempts or out of time.

use std::time::Instant;

use crate::headers::outgoing_headers;
use crate::policy::check_url;
use crate::report::{DeliveryReport, FailureKind, Outcome};
use crate::request::{DeliveryRequest, new_message_id};
use crate::signing::unix_now;

use super::attempt::{Step, attempt, millis};
use super::deliverer::Deliverer;

impl Deliverer {
    /// Delivers one callback: checks the URL, resolves a host name once and checks every address,
    /// then sends to those addresses only, retrying as [`RetryPolicy`](crate::RetryPolicy) says. Never panics and never
    /// returns an error: everything that happened is in the report.
    pub async fn deliver(&self, request: &DeliveryRequest) -> DeliveryReport {
        let started = Instant::now();
        let id = request
            .id()
            .map(str::to_owned)
            .unwrap_or_else(new_message_id);
        let mut report = DeliveryReport {
            url: request.url().to_owned(),
            method: request.method().to_string(),
            webhook_id: id.clone(),
            outcome: Outcome::Failed {
                kind: FailureKind::Request,
                error: String::new(),
                status: None,
                attempts: 0,
            },
            target: None,
            ignored_headers: Vec::new(),
            attempt_log: Vec::new(),
            elapsed_ms: 0,
        };
        report.outcome = self.run(request, &id, started, &mut report).await;
        report.elapsed_ms = millis(started.elapsed());
        report
    }

    async fn run(
        &self,
        request: &DeliveryRequest,
        id: &str,
        started: Instant,
        report: &mut DeliveryReport,
    ) -> Outcome {
        let options = &self.options;
        let failed = |kind, error: String, status, attempts| Outcome::Failed {
            kind,
            error,
            status,
            attempts,
        };

        // 1. The policy, on the URL as written.
        let mut target = match check_url(options.policy(), request.url()) {
            Ok(target) => target,
            Err(denied) => return Outcome::Denied(denied),
        };
        // The headers are checked before anything goes on the wire.
        match outgoing_headers(options, request, id, unix_now()) {
            Ok((_, ignored)) => report.ignored_headers = ignored,
            Err(error) => return failed(FailureKind::Request, error, None, 0),
        }

        // 2. A host name is resolved once; every address is checked.
        if target.is_domain() {
            let lookup = self.resolver.resolve(target.host(), target.port());
            let resolved = match tokio::time::timeout(options.connect_timeout(), lookup).await {
                Ok(Ok(addrs)) => addrs,
                Ok(Err(e)) => {
                    return failed(
                        FailureKind::Resolve,
                        format!("cannot resolve {}: {e}", target.host()),
                        None,
                        0,
                    );
                }
                Err(_) => {
                    return failed(
                        FailureKind::Resolve,
                        format!("resolving {} timed out", target.host()),
                        None,
                        0,
                    );
                }
            };
            target = match target.with_addresses(options.policy(), &resolved) {
                Ok(target) => target,
                Err(denied) => return Outcome::Denied(denied),
            };
        }
        report.target = Some(target.clone());

        // 3. A client for this delivery, pinned to the checked addresses.
        let client = match self.client(&target) {
            Ok(client) => client,
            Err(e) => return failed(FailureKind::Request, e.to_string(), None, 0),
        };

        // 4. Attempts.
        let max_attempts = options.retry().max_attempts().max(1);
        let mut number = 0;
        loop {
            number += 1;
            let mut timeout = options.timeout();
            if let Some(deadline) = options.deadline() {
                let left = deadline.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return failed(
                        FailureKind::Deadline,
                        "the delivery deadline has passed".to_owned(),
                        None,
                        number - 1,
                    );
                }
                timeout = timeout.min(left);
            }
            let (step, record) = attempt(
                options, &client, &target, request, id, number, started, timeout,
            )
            .await;
            report.attempt_log.push(record);
            let (kind, error, status, retry_after) = match step {
                Step::Delivered(status) => {
                    return Outcome::Delivered {
                        status,
                        attempts: number,
                    };
                }
                Step::Stop {
                    kind,
                    error,
                    status,
                } => return failed(kind, error, status, number),
                Step::Retry {
                    kind,
                    error,
                    status,
                    retry_after,
                } => (kind, error, status, retry_after),
            };
            if number >= max_attempts {
                return failed(kind, error, status, number);
            }
            let wait = match retry_after {
                Some(asked) if asked > options.retry().max_retry_after() => {
                    return failed(
                        FailureKind::RetryAfterTooLong,
                        format!(
                            "{error}; Retry-After asks for {} s, more than the {} s allowed",
                            asked.as_secs(),
                            options.retry().max_retry_after().as_secs()
                        ),
                        status,
                        number,
                    );
                }
                Some(asked) => asked,
                None => options.retry().backoff(number, fastrand::f64()),
            };
            if let Some(deadline) = options.deadline()
                && started.elapsed() + wait >= deadline
            {
                return failed(
                    FailureKind::Deadline,
                    format!("{error}; no time left for another attempt before the deadline"),
                    status,
                    number,
                );
            }
            if let Some(last) = report.attempt_log.last_mut() {
                last.backoff_ms = Some(millis(wait));
            }
            tokio::time::sleep(wait).await;
        }
    }
}
