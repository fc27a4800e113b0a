//! The crash tests' consumer and checker (Jepsen's total-queue, with a lease's duplicate
//! bound).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use callback_outbox::State;

use super::{Answer, Consumer, Seen, TestDb};

/// A consumer whose answer depends on the message (by its URL's serial) and the attempt.
pub fn answer(seen: &Seen, n: usize) -> Answer {
    // The producer numbers its messages: `?tx=…&k=…&s=SERIAL`.
    let serial: usize = seen
        .query
        .rsplit("s=")
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    match serial % 20 {
        // Gone: dead at once.
        0 => Answer::status(410),
        // Fails twice, then accepts.
        1 if n <= 2 => Answer::status(500),
        // Throttles once (Retry-After beyond the largest step: capped).
        2 if n == 1 => Answer::status(429).retry_after("30"),
        // Too slow once: the provider's attempt times out.
        3 if n == 1 => Answer::status(503).after(Duration::from_millis(600)),
        _ => Answer::status(200),
    }
}

pub struct Figures {
    pub committed: usize,
    pub rolled_back: usize,
    pub delivered: usize,
    pub dead: usize,
    pub attempts: u64,
    pub requests: usize,
    pub duplicates: usize,
}

/// Jepsen's total-queue check, with the lease's duplicate bound.
pub async fn check(
    db: &TestDb,
    outbox: &callback_outbox::Outbox,
    consumer: &Consumer,
    lines: &[String],
    bound: usize,
) -> Figures {
    let printed = |prefix: &str| -> HashSet<String> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(str::to_owned)
            .collect()
    };
    let committed = printed("committed ");
    let rolled_back = printed("rolledback ");
    assert!(!committed.is_empty() && !rolled_back.is_empty());
    let mut filter = callback_outbox::ListFilter::default();
    filter.limit = Some(10_000);
    let stored = outbox.list(&filter).await.unwrap();
    let stored_ids: HashSet<String> = stored.iter().map(|m| m.id.clone()).collect();
    let seen = consumer.seen();
    let received: HashSet<String> = seen.iter().map(|s| s.id.clone()).collect();

    // Unexpected: nothing rolled back is stored or was sent; nothing sent is unknown.
    let stored_rolled_back: Vec<_> = rolled_back.intersection(&stored_ids).collect();
    assert!(
        stored_rolled_back.is_empty(),
        "rolled back yet stored: {stored_rolled_back:?}"
    );
    let sent_rolled_back: Vec<_> = rolled_back.intersection(&received).collect();
    assert!(
        sent_rolled_back.is_empty(),
        "rolled back yet sent: {sent_rolled_back:?}"
    );
    let unknown: Vec<_> = received.difference(&stored_ids).collect();
    assert!(
        unknown.is_empty(),
        "received but never committed: {unknown:?}"
    );

    // Lost: every committed message is stored and finished, as the consumer saw it.
    let missing: Vec<_> = committed.difference(&stored_ids).collect();
    assert!(missing.is_empty(), "committed, then lost: {missing:?}");
    let answered = |id: &str, ok: fn(u16) -> bool| seen.iter().any(|s| s.id == id && ok(s.status));
    let (mut delivered, mut dead, mut attempts) = (0, 0, 0);
    for message in &stored {
        attempts += u64::from(message.attempts);
        match message.state {
            State::Delivered => {
                delivered += 1;
                assert!(
                    answered(&message.id, |s| (200..300).contains(&s)),
                    "{} is delivered, but the consumer never accepted it",
                    message.id
                );
            }
            State::Dead => {
                dead += 1;
                let lease = message
                    .last_error
                    .as_deref()
                    .is_some_and(|e| e.contains("lease"));
                assert!(
                    answered(&message.id, |s| s == 410) || lease,
                    "{} is dead without a 410 or a lost last attempt: {:?}",
                    message.id,
                    message.last_error
                );
            }
            other => panic!("{} is still {other} after the drain", message.id),
        }
    }

    // Duplicates: extra acceptances, within the bound; every copy has the same bytes.
    let mut accepted: HashMap<&str, usize> = HashMap::new();
    for s in seen.iter().filter(|s| (200..300).contains(&s.status)) {
        *accepted.entry(s.id.as_str()).or_default() += 1;
    }
    let duplicates: usize = accepted.values().map(|n| n - 1).sum();
    assert!(
        duplicates <= bound,
        "{duplicates} duplicates, more than the {bound} attempts in flight at the kills"
    );
    for message in &stored {
        for s in seen.iter().filter(|s| s.id == message.id) {
            assert_eq!(
                s.body, message.body,
                "the same bytes on every attempt of {}",
                message.id
            );
        }
    }
    // Every attempt row of a finished message is finished too.
    let open = db
        .number("SELECT COUNT(*) FROM callback_attempt WHERE outcome = 'in-progress'")
        .await;
    assert_eq!(open, 0);
    Figures {
        committed: stored.len(),
        rolled_back: rolled_back.len(),
        delivered,
        dead,
        attempts,
        requests: seen.len(),
        duplicates,
    }
}
