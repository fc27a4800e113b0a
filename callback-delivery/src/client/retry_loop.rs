//! The delivery: check the URL, resolve once, then attempt and wait until delivered, refused,
//! out of attempts or out of time.

use std::time::{Duration, Instant};

use crate::headers::outgoing_headers;
use crate::policy::check_url;
use crate::report::{Attempt, DeliveryReport, FailureKind, Outcome};
use crate::request::{DeliveryRequest, new_message_id};
use crate::signing::unix_now;

use super::attempt::{Delivery, Step, millis};
use super::deliverer::Deliverer;
use super::lookup::{LookupFailure, checked_addresses};
use super::pin::pin;

impl Deliverer {
    /// Delivers one callback: checks the URL, resolves a host name once and checks every address,
    /// then sends to those addresses only, retrying as [`RetryPolicy`](crate::RetryPolicy) says.
    /// Never panics and never returns an error: everything that happened is in the report.
    pub async fn deliver(&self, request: &DeliveryRequest) -> DeliveryReport {
        self.deliver_observed(request, &mut |_, _| {}).await
    }

    /// [`deliver`](Self::deliver), telling `on_attempt` of each attempt as soon as it is over:
    /// the message id and the attempt (with the wait before the next one, when there is one),
    /// before that wait begins. A caller that prints or stores attempts as they happen keeps a
    /// trace of them even if it is stopped before the delivery ends.
    ///
    /// ```no_run
    /// # async fn run(deliverer: callback_delivery::Deliverer, request: callback_delivery::DeliveryRequest) {
    /// let report = deliverer
    ///     .deliver_observed(&request, &mut |id, attempt| {
    ///         eprintln!("{id}: attempt {} -> {:?}", attempt.attempt, attempt.status);
    ///     })
    ///     .await;
    /// # }
    /// ```
    pub async fn deliver_observed(
        &self,
        request: &DeliveryRequest,
        on_attempt: &mut (dyn FnMut(&str, &Attempt) + Send),
    ) -> DeliveryReport {
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
        report.outcome = self
            .run(request, &id, started, &mut report, on_attempt)
            .await;
        report.elapsed_ms = millis(started.elapsed());
        report
    }

    async fn run(
        &self,
        request: &DeliveryRequest,
        id: &str,
        started: Instant,
        report: &mut DeliveryReport,
        on_attempt: &mut (dyn FnMut(&str, &Attempt) + Send),
    ) -> Outcome {
        let options = &self.options;

        // 1. The policy, on the URL as written.
        let target = match check_url(options.policy(), request.url()) {
            Ok(target) => target,
            Err(denied) => return Outcome::Denied(denied),
        };
        // The headers are checked before anything goes on the wire.
        match outgoing_headers(options, request, id, unix_now()) {
            Ok((_, ignored)) => report.ignored_headers = ignored,
            Err(error) => return failed(FailureKind::Request, error, None, 0),
        }

        // 2. A host name is resolved once; every address is checked.
        let policy = options.policy();
        let target = match checked_addresses(
            self.resolver.as_ref(),
            policy,
            target,
            options.connect_timeout(),
        )
        .await
        {
            Ok(target) => target,
            Err(LookupFailure::Denied(denied)) => return Outcome::Denied(denied),
            Err(LookupFailure::Failed(error)) => {
                return failed(FailureKind::Resolve, error, None, 0);
            }
        };
        report.target = Some(target.clone());

        // 3. The checked addresses go with every request: the client connects to them only.
        let pinned = match pin(&target) {
            Ok(pinned) => pinned,
            Err(e) => return failed(FailureKind::Request, e.0, None, 0),
        };
        let delivery = Delivery {
            http: &self.http,
            options,
            request,
            pinned: &pinned,
            id,
            started,
        };

        // 4. Attempts.
        let max_attempts = options.retry().max_attempts();
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
            let (step, mut record) = delivery.attempt(number, timeout).await;
            let next = self.next(step, number, max_attempts, started);
            if let Ok(wait) = next {
                record.backoff_ms = Some(millis(wait));
            }
            on_attempt(id, &record);
            report.attempt_log.push(record);
            match next {
                Ok(wait) => tokio::time::sleep(wait).await,
                Err(outcome) => return outcome,
            }
        }
    }

    /// After attempt `number`: the wait before the next one, or the outcome.
    fn next(
        &self,
        step: Step,
        number: u32,
        max_attempts: u32,
        started: Instant,
    ) -> Result<Duration, Outcome> {
        let retry = self.options.retry();
        let (kind, error, status, retry_after) = match step {
            Step::Delivered(status) => {
                return Err(Outcome::Delivered {
                    status,
                    attempts: number,
                });
            }
            Step::Stop {
                kind,
                error,
                status,
            } => return Err(failed(kind, error, status, number)),
            Step::Retry {
                kind,
                error,
                status,
                retry_after,
            } => (kind, error, status, retry_after),
        };
        if number >= max_attempts {
            return Err(failed(kind, error, status, number));
        }
        let wait = match retry_after {
            Some(asked) if asked > retry.max_retry_after() => {
                return Err(failed(
                    FailureKind::RetryAfterTooLong,
                    format!(
                        "{error}; Retry-After asks for {} s, more than the {} s allowed",
                        asked.as_secs(),
                        retry.max_retry_after().as_secs()
                    ),
                    status,
                    number,
                ));
            }
            Some(asked) => asked,
            None => retry.backoff(number, fastrand::f64()),
        };
        if let Some(deadline) = self.options.deadline()
            && started.elapsed() + wait >= deadline
        {
            return Err(failed(
                FailureKind::Deadline,
                format!("{error}; no time left for another attempt before the deadline"),
                status,
                number,
            ));
        }
        Ok(wait)
    }
}

fn failed(kind: FailureKind, error: String, status: Option<u16>, attempts: u32) -> Outcome {
    Outcome::Failed {
        kind,
        error,
        status,
        attempts,
    }
}
