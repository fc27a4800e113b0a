//! The errors of the outbox.

use oas_callbacks::Violation;

/// The store failed: the database could not be reached or refused a statement, the schema could
/// not be migrated, or the outbox URL cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// The outbox URL names no store this build can open.
    #[error("cannot use the outbox URL `{url}`: {reason}")]
    Url {
        /// The URL (its password, if any, replaced by `***`).
        url: String,
        /// Why not.
        reason: String,
    },
    /// A statement failed. `operation` says what the outbox was doing.
    #[error("the outbox database failed while {operation}: {source}")]
    Database {
        /// What the outbox was doing (`claiming messages`, `enqueueing`, …).
        operation: &'static str,
        /// The database's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The schema could not be created or brought up to date.
    #[error("cannot migrate the outbox schema: {0}")]
    Migrate(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A setting cannot be used (a lease shorter than an attempt, a concurrency of 0).
    #[error("{0}")]
    Settings(String),
    /// A stored row holds something this version cannot read (a state it does not know, a
    /// header list that is not JSON): the database was written by something else.
    #[error("a stored message cannot be read: {0}")]
    Corrupt(String),
}

impl OutboxError {
    pub(crate) fn database(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |err| OutboxError::Database {
            operation,
            source: Box::new(err),
        }
    }

    /// Whether the error may pass on its own (the database restarting, a connection lost, a
    /// lock timeout): the worker retries those with a backoff.
    pub fn is_transient(&self) -> bool {
        match self {
            OutboxError::Database { source, .. } => match source.downcast_ref::<sqlx::Error>() {
                Some(sqlx::Error::Database(db)) => {
                    // SQLite: busy / locked; PostgreSQL: serialization, deadlock, shutdown,
                    // connection failures (class 08, 57P0x).
                    let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                    matches!(code.as_str(), "5" | "6" | "517" | "261" | "40001" | "40P01")
                        || code.starts_with("08")
                        || code.starts_with("57P")
                }
                Some(sqlx::Error::Io(_))
                | Some(sqlx::Error::PoolTimedOut)
                | Some(sqlx::Error::PoolClosed)
                | Some(sqlx::Error::Protocol(_))
                | Some(sqlx::Error::Tls(_))
                | Some(sqlx::Error::WorkerCrashed) => true,
                _ => false,
            },
            _ => false,
        }
    }
}

/// A callback could not be turned into a message: nothing is stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrepareError {
    /// The operation has no such callback, or the callback no such method (the document's words).
    #[error("{0}")]
    Callback(String),
    /// The payload breaks the callback operation's request-body schema.
    #[error("the payload of callback `{callback}` ({method}) breaks its schema: {}", summary(.violations))]
    InvalidPayload {
        /// The callback.
        callback: String,
        /// The method of the callback operation.
        method: String,
        /// Every violation, each with the JSON pointer of the offending value.
        violations: Vec<Violation>,
    },
    /// The payload is not JSON.
    #[error("the payload is not JSON: {0}")]
    NotJson(String),
    /// The payload could not be checked (the schema cannot be used).
    #[error("{0}")]
    Schema(String),
    /// The URL is not an absolute http or https URL.
    #[error("`{url}` cannot be called: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why not.
        reason: String,
    },
    /// The callback method is not an HTTP method.
    #[error("`{0}` is not an HTTP method")]
    Method(String),
}

fn summary(violations: &[Violation]) -> String {
    let mut text: Vec<String> = violations
        .iter()
        .take(3)
        .map(|v| {
            let at = if v.pointer.is_empty() {
                "the payload"
            } else {
                &v.pointer
            };
            format!("{at}: {}", v.message)
        })
        .collect();
    if violations.len() > 3 {
        text.push(format!("and {} more", violations.len() - 3));
    }
    text.join("; ")
}
