//! When and how long to wait before trying a delivery again.

use std::time::{Duration, SystemTime};

/// Retry settings: exponential backoff with full jitter, and how much of a consumer's
/// `Retry-After` to accept. Built with `with_*` methods from the [`Default`]: 5 attempts, a
/// first backoff ceiling of 500 ms doubling up to 30 s, `Retry-After` honoured up to 60 s.
///
/// Retried: connection errors (refused, reset, TLS failure), timeouts, `408`, `429` and every
/// `5xx`. Never retried: other `4xx`, redirects (`3xx`, not followed) and requests that could not
/// be built.
///
/// ```
/// use std::time::Duration;
/// use callback_delivery::RetryPolicy;
///
/// let retry = RetryPolicy::default().with_max_attempts(3).with_initial_backoff(Duration::from_millis(100));
/// assert_eq!(retry.max_attempts(), 3);
/// assert_eq!(retry.ceiling(2), Duration::from_millis(200));
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retry: one attempt.
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Attempts in all, the first one included (1 = no retry; 0 is taken as 1). Default 5.
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The backoff ceiling before the first retry; it doubles each retry. Default 500 ms.
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling. Default 30 s.
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` honoured. A consumer asking for more is not retried: the
    /// delivery fails with [`FailureKind::RetryAfterTooLong`](crate::FailureKind::RetryAfterTooLong).
    /// Default 60 s.
    #[must_use]
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Attempts in all, the first one included (at least 1).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// The backoff ceiling before the first retry.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest backoff ceiling.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The backoff ceiling before retry number `retry` (1 for the first retry):
    /// `min(max_backoff, initial_backoff × 2^(retry−1))`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// The wait before retry number `retry`, with full jitter: `unit × ceiling(retry)`, where
    /// `unit` is a random number in `[0, 1)` (clamped).
    ///
    /// ```
    /// use std::time::Duration;
    /// use callback_delivery::RetryPolicy;
    ///
    /// let policy = RetryPolicy::default();
    /// assert_eq!(policy.backoff(1, 0.5), Duration::from_millis(250));
    /// assert_eq!(policy.backoff(3, 0.5), Duration::from_secs(1));
    /// assert_eq!(policy.backoff(30, 0.999), Duration::from_secs(30).mul_f64(0.999));
    /// ```
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.ceiling(retry).mul_f64(unit)
    }
}

/// Whether a response status is worth another attempt: `408`, `429` and `5xx`.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date (the wait until then, zero if
/// past). `None` when it is neither.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use callback_delivery::parse_retry_after;
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A huge number of seconds saturates rather than failing.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}
