//! When to try a message again, and whether to: the retry schedule and the classification of
//! an attempt's result (DESIGN §7).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The waits between the attempts of a message, each with ±`jitter` around it.
///
/// The default is the schedule Standard Webhooks recommends: the first attempt at once, then
/// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after each failure (10 attempts over
/// about 75 h), with ±20 % jitter around each step — not full jitter, which would turn "in 5 h"
/// into "any time in the next 5 h". A `Retry-After` from the consumer is honoured up to the
/// largest step: the wait is the longer of the step and the consumer's request, and never longer
/// than the largest step.
///
/// ```
/// use std::time::Duration;
/// use callback_outbox::Schedule;
///
/// let schedule: Schedule = "5s,5m,2h".parse()?;
/// assert_eq!(schedule.max_attempts(), 4);
/// // After the first attempt failed: 5 s ± 20 % (0.5 is the middle of the jitter range).
/// assert_eq!(schedule.retry_delay(1, None, 0.5), Some(Duration::from_secs(5)));
/// // A consumer asking for 10 min after the second attempt: 10 min, more than the 5 min step.
/// assert_eq!(schedule.retry_delay(2, Some(Duration::from_secs(600)), 0.5), Some(Duration::from_secs(600)));
/// // Asking for a week: the largest step, 2 h.
/// assert_eq!(schedule.retry_delay(1, Some(Duration::from_secs(604_800)), 0.5), Some(Duration::from_secs(7200)));
/// // After the fourth attempt, nothing: the message is dead.
/// assert_eq!(schedule.retry_delay(4, None, 0.5), None);
/// assert_eq!(schedule.to_string(), "5s,5m,2h");
/// # Ok::<(), callback_outbox::ScheduleError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    steps: Vec<Duration>,
    jitter: f64,
}

/// The most steps a schedule may have ([`ScheduleError::TooManySteps`]).
pub const MAX_STEPS: usize = 100;

/// The longest step a schedule may have: 30 days ([`ScheduleError::StepTooLong`]).
pub const MAX_STEP: Duration = Duration::from_secs(30 * 24 * 3600);

/// A schedule that cannot be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// More than [`MAX_STEPS`] steps.
    #[error("a schedule has at most {MAX_STEPS} steps, not {0}")]
    TooManySteps(usize),
    /// A step longer than [`MAX_STEP`].
    #[error("step {index} ({step}) is longer than the limit of 30 days", step = humantime::format_duration(*.step))]
    StepTooLong {
        /// The step's position, from 1.
        index: usize,
        /// The step.
        step: Duration,
    },
    /// A step that is not a duration.
    #[error("step {index} (`{text}`) is not a duration such as 5s, 5m, 2h or 1h30m: {reason}")]
    NotADuration {
        /// The step's position, from 1.
        index: usize,
        /// The text.
        text: String,
        /// Why not.
        reason: String,
    },
    /// A jitter outside `[0, 1)`.
    #[error("the jitter must be a fraction from 0 up to (not including) 1, not {0}")]
    Jitter(f64),
}

impl Default for Schedule {
    fn default() -> Self {
        Self::standard_webhooks()
    }
}

impl Schedule {
    /// Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h
    /// (10 attempts), ±20 %.
    pub fn standard_webhooks() -> Self {
        const MINUTE: u64 = 60;
        const HOUR: u64 = 3600;
        Self {
            steps: [
                5,
                5 * MINUTE,
                30 * MINUTE,
                2 * HOUR,
                5 * HOUR,
                10 * HOUR,
                14 * HOUR,
                20 * HOUR,
                24 * HOUR,
            ]
            .map(Duration::from_secs)
            .to_vec(),
            jitter: 0.2,
        }
    }

    /// A schedule of these waits (after the first failed attempt, the second, …) with ±20 %
    /// jitter. No steps: one attempt only.
    pub fn new(steps: impl IntoIterator<Item = Duration>) -> Result<Self, ScheduleError> {
        let steps: Vec<Duration> = steps.into_iter().collect();
        if steps.len() > MAX_STEPS {
            return Err(ScheduleError::TooManySteps(steps.len()));
        }
        if let Some((index, step)) = steps.iter().enumerate().find(|(_, s)| **s > MAX_STEP) {
            return Err(ScheduleError::StepTooLong {
                index: index + 1,
                step: *step,
            });
        }
        Ok(Self { steps, jitter: 0.2 })
    }

    /// The same steps with another jitter: each wait is drawn uniformly from
    /// `[step × (1 − jitter), step × (1 + jitter))`. `0` gives the steps exactly.
    pub fn with_jitter(mut self, jitter: f64) -> Result<Self, ScheduleError> {
        if !(0.0..1.0).contains(&jitter) {
            return Err(ScheduleError::Jitter(jitter));
        }
        self.jitter = jitter;
        Ok(self)
    }

    /// The steps.
    pub fn steps(&self) -> &[Duration] {
        &self.steps
    }

    /// The jitter fraction.
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// Attempts in all: one more than the steps.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.steps.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }

    /// The largest step (zero without steps): the cap on a consumer's `Retry-After`.
    pub fn largest_step(&self) -> Duration {
        self.steps.iter().copied().max().unwrap_or(Duration::ZERO)
    }

    /// The wait after attempt number `attempt` (from 1) failed, or `None` when it was the last.
    /// `unit` in `[0, 1)` picks the point in the jitter range (0.5 is the step itself);
    /// `retry_after` is the consumer's `Retry-After`.
    pub fn retry_delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> Option<Duration> {
        let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
        let step = *self.steps.get(index)?;
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let jittered = step.mul_f64(1.0 + self.jitter * (2.0 * unit - 1.0));
        Some(match retry_after {
            Some(asked) => jittered.max(asked.min(self.largest_step())),
            None => jittered,
        })
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    /// Comma-separated durations (`5s,5m,30m,2h`, each as `humantime` reads them: `1h30m`,
    /// `500ms`), `standard-webhooks`, or `none` (one attempt, no retry).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        match text {
            "standard-webhooks" => return Ok(Self::standard_webhooks()),
            "none" | "" => return Self::new([]),
            _ => {}
        }
        let steps = text
            .split(',')
            .enumerate()
            .map(|(index, part)| {
                let part = part.trim();
                humantime::parse_duration(part).map_err(|e| ScheduleError::NotADuration {
                    index: index + 1,
                    text: part.to_owned(),
                    reason: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(steps)
    }
}

impl fmt::Display for Schedule {
    /// The steps as [`FromStr`] reads them (`none` without steps); the jitter is not written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return f.write_str("none");
        }
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            let text = humantime::format_duration(*step).to_string();
            f.write_str(&text.replace(' ', ""))?;
        }
        Ok(())
    }
}

/// Why an attempt failed, in a bounded set (for metrics and for the retry decision).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Failure {
    /// The consumer answered with a status that is not `2xx` (the status says which).
    Status,
    /// No connection: refused, unreachable, TLS handshake failed.
    Connect,
    /// The attempt ran out of time.
    Timeout,
    /// The connection broke while the request or the response was under way.
    Transport,
    /// The host name could not be resolved.
    Resolve,
    /// The URL policy refused the URL or an address it resolved to.
    Denied,
    /// The request could not be built (a header that is not valid HTTP, say).
    Request,
    /// The signing secret could not be looked up.
    Secret,
}

impl Failure {
    /// The name stored and printed.
    pub const fn as_str(self) -> &'static str {
        match self {
            Failure::Status => "status",
            Failure::Connect => "connect",
            Failure::Timeout => "timeout",
            Failure::Transport => "transport",
            Failure::Resolve => "resolve",
            Failure::Denied => "denied",
            Failure::Request => "request",
            Failure::Secret => "secret",
        }
    }
}

/// What an attempt leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The message is delivered.
    Delivered,
    /// Try again after this wait.
    Retry(Duration),
    /// Give up: the message is dead.
    Dead,
}

/// Decides what follows an attempt: `2xx` delivered; `410 Gone` dead at once; a refusal by the
/// URL policy or a request that cannot be built dead at once; connection errors, timeouts,
/// `408`, `429` and `5xx` retried as the schedule says; other `4xx` and redirects (`3xx`, never
/// followed) retried when `retry_client_errors` (Standard Webhooks retries every failure), dead
/// at once otherwise. `attempt` is the attempt's number in the schedule's round (from 1).
///
/// ```
/// use std::time::Duration;
/// use callback_outbox::{Decision, Failure, Schedule, decide};
///
/// let s: Schedule = "1m,1h".parse()?;
/// let s = s.with_jitter(0.0)?;
/// assert_eq!(decide(&s, 1, Some(204), None, None, true, 0.5), Decision::Delivered);
/// assert_eq!(decide(&s, 1, Some(410), None, None, true, 0.5), Decision::Dead);
/// assert_eq!(decide(&s, 1, Some(503), None, None, true, 0.5), Decision::Retry(Duration::from_secs(60)));
/// assert_eq!(decide(&s, 1, Some(404), None, None, false, 0.5), Decision::Dead);
/// assert_eq!(decide(&s, 2, None, Some(Failure::Timeout), None, true, 0.5), Decision::Retry(Duration::from_secs(3600)));
/// assert_eq!(decide(&s, 3, Some(500), None, None, true, 0.5), Decision::Dead);
/// # Ok::<(), callback_outbox::ScheduleError>(())
/// ```
pub fn decide(
    schedule: &Schedule,
    attempt: u32,
    status: Option<u16>,
    failure: Option<Failure>,
    retry_after: Option<Duration>,
    retry_client_errors: bool,
    unit: f64,
) -> Decision {
    let retry = || match schedule.retry_delay(attempt, retry_after, unit) {
        Some(wait) => Decision::Retry(wait),
        None => Decision::Dead,
    };
    match failure {
        Some(Failure::Denied | Failure::Request) => return Decision::Dead,
        Some(
            Failure::Connect
            | Failure::Timeout
            | Failure::Transport
            | Failure::Resolve
            | Failure::Secret,
        ) => return retry(),
        Some(Failure::Status) | None => {}
    }
    match status {
        Some(200..=299) => Decision::Delivered,
        Some(410) => Decision::Dead,
        Some(408 | 429 | 500..=599) => retry(),
        Some(_) if retry_client_errors => retry(),
        Some(_) => Decision::Dead,
        // Neither a status nor a failure: nothing came back, which is a transport failure.
        None => retry(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_spans_75_hours_in_10_attempts() {
        let s = Schedule::standard_webhooks();
        assert_eq!(s.max_attempts(), 10);
        let total: Duration = s.steps().iter().sum();
        assert_eq!(total, Duration::from_secs(75 * 3600 + 35 * 60 + 5));
        assert_eq!(s.to_string(), "5s,5m,30m,2h,5h,10h,14h,20h,1day");
        assert_eq!(s.to_string().parse::<Schedule>(), Ok(s));
    }

    #[test]
    fn parse_errors_name_the_step() {
        let err = "5s,soon".parse::<Schedule>().unwrap_err();
        assert!(err.to_string().starts_with("step 2 (`soon`)"), "{err}");
        assert!(matches!(
            "5s,40days".parse::<Schedule>(),
            Err(ScheduleError::StepTooLong { index: 2, .. })
        ));
        assert_eq!("none".parse::<Schedule>().map(|s| s.max_attempts()), Ok(1));
        assert!(Schedule::standard_webhooks().with_jitter(1.0).is_err());
    }

    #[test]
    fn jitter_range_ends() {
        let s = Schedule::new([Duration::from_secs(100)]).unwrap();
        assert_eq!(s.retry_delay(1, None, 0.0), Some(Duration::from_secs(80)));
        assert_eq!(s.retry_delay(1, None, 1.0), Some(Duration::from_secs(120)));
        assert_eq!(s.retry_delay(0, None, 0.5), None);
        assert_eq!(s.retry_delay(2, None, 0.5), None);
    }
}
