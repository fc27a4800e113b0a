//! Properties of the retry schedule and of the decision after an attempt.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use callback_outbox::{Decision, Failure, Schedule, decide};
use proptest::prelude::*;

fn steps() -> impl Strategy<Value = Vec<Duration>> {
    prop::collection::vec((1u64..100_000_000).prop_map(Duration::from_millis), 0..12)
}

/// `a` and `b` within a millisecond (the arithmetic is in floating point).
fn close(a: Duration, b: Duration) -> bool {
    a.abs_diff(b) <= Duration::from_millis(1)
}

proptest! {
    #[test]
    fn each_wait_is_within_the_jitter_of_its_step(
        steps in steps(),
        jitter in 0.0f64..0.99,
        unit in 0.0f64..1.0,
    ) {
        let schedule = Schedule::new(steps.clone()).unwrap().with_jitter(jitter).unwrap();
        prop_assert_eq!(schedule.max_attempts() as usize, steps.len() + 1);
        for (i, step) in steps.iter().enumerate() {
            let wait = schedule.retry_delay(i as u32 + 1, None, unit).unwrap();
            let low = step.mul_f64(1.0 - jitter);
            let high = step.mul_f64(1.0 + jitter);
            prop_assert!(wait >= low.saturating_sub(Duration::from_millis(1)) && wait <= high + Duration::from_millis(1),
                "step {:?} jitter {} gave {:?}", step, jitter, wait);
        }
        // No wait after the last attempt, nor before the first.
        prop_assert_eq!(schedule.retry_delay(steps.len() as u32 + 1, None, unit), None);
        prop_assert_eq!(schedule.retry_delay(0, None, unit), None);
    }

    #[test]
    fn the_middle_of_the_jitter_is_the_step(steps in steps(), jitter in 0.0f64..0.99) {
        let schedule = Schedule::new(steps.clone()).unwrap().with_jitter(jitter).unwrap();
        for (i, step) in steps.iter().enumerate() {
            prop_assert!(close(schedule.retry_delay(i as u32 + 1, None, 0.5).unwrap(), *step));
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_largest_step(
        steps in steps().prop_filter("one step at least", |s| !s.is_empty()),
        asked in 0u64..1_000_000_000,
        unit in 0.0f64..1.0,
        pick in any::<prop::sample::Index>(),
    ) {
        let schedule = Schedule::new(steps.clone()).unwrap();
        let largest = *steps.iter().max().unwrap();
        let attempt = pick.index(steps.len()) as u32 + 1;
        let asked = Duration::from_millis(asked);
        let plain = schedule.retry_delay(attempt, None, unit).unwrap();
        let with = schedule.retry_delay(attempt, Some(asked), unit).unwrap();
        // Never sooner than the schedule, never sooner than asked (up to the cap), never later
        // than both the jittered step and the largest step.
        prop_assert!(with >= plain);
        prop_assert!(with >= asked.min(largest));
        prop_assert!(with <= plain.max(largest));
        prop_assert_eq!(with, plain.max(asked.min(largest)));
    }

    #[test]
    fn schedules_print_and_parse_back(steps in prop::collection::vec((1u64..10_000_000).prop_map(|s| Duration::from_millis(s * 10)), 0..10)) {
        let schedule = Schedule::new(steps).unwrap();
        let text = schedule.to_string();
        prop_assert_eq!(text.parse::<Schedule>().unwrap(), schedule);
    }

    #[test]
    fn parsing_never_panics(text in "\\PC{0,40}") {
        let _ = text.parse::<Schedule>();
    }

    #[test]
    fn decisions_follow_the_classification(
        status in 100u16..600,
        attempt in 1u32..15,
        retry_client_errors in any::<bool>(),
        unit in 0.0f64..1.0,
    ) {
        let schedule: Schedule = "1s,2s,3s,4s,5s".parse().unwrap();
        let decision = decide(&schedule, attempt, Some(status), None, None, retry_client_errors, unit);
        let retryable = matches!(status, 408 | 429 | 500..=599)
            || (retry_client_errors && !(200..=299).contains(&status) && status != 410);
        let expected = if (200..=299).contains(&status) {
            Decision::Delivered
        } else if status == 410 || !retryable || attempt > 5 {
            Decision::Dead
        } else {
            Decision::Retry(schedule.retry_delay(attempt, None, unit).unwrap())
        };
        prop_assert_eq!(decision, expected);
    }

    #[test]
    fn refusals_die_and_network_failures_retry(attempt in 1u32..4, unit in 0.0f64..1.0) {
        let schedule: Schedule = "1s,2s".parse().unwrap();
        for failure in [Failure::Denied, Failure::Request] {
            prop_assert_eq!(decide(&schedule, attempt, None, Some(failure), None, true, unit), Decision::Dead);
        }
        for failure in [Failure::Connect, Failure::Timeout, Failure::Transport, Failure::Resolve, Failure::Secret] {
            let decision = decide(&schedule, attempt, None, Some(failure), None, false, unit);
            if attempt <= 2 {
                prop_assert!(matches!(decision, Decision::Retry(_)));
            } else {
                prop_assert_eq!(decision, Decision::Dead);
            }
        }
    }
}
