//! Points in time as the outbox stores them: milliseconds since the Unix epoch, read from the
//! database's clock.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

/// A time written by the database: milliseconds since the Unix epoch (UTC).
///
/// Every time the outbox compares (due times, leases) is taken from the database's clock, never
/// from a node's, so clock skew between provider nodes does not matter. `Display` and `Serialize`
/// give RFC 3339 with milliseconds.
///
/// ```
/// use callback_outbox::Timestamp;
///
/// let t = Timestamp::from_millis(1_445_412_480_250);
/// assert_eq!(t.to_string(), "2015-10-21T07:28:00.250Z");
/// assert_eq!(t.as_millis(), 1_445_412_480_250);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The time `millis` milliseconds after the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// As a [`SystemTime`] (times before the epoch are the epoch).
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(u64::try_from(self.0).unwrap_or(0))
    }

    /// How long after `earlier` this is (zero if it is not after it).
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}",
            humantime::format_rfc3339_millis(self.to_system_time())
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Milliseconds of a duration, saturating, for arithmetic on stored times.
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
