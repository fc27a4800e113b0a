//! `oas-callbacks outbox run|list|get|replay|cancel|purge` (feature `outbox`): the durable
//! outbox of DESIGN §7, on SQLite (`--outbox sqlite:PATH`, the default `sqlite:callbacks.db`) or
//! PostgreSQL (`--outbox postgres://user@host:port/db`), also read from `OAS_CALLBACKS_OUTBOX`.
//!
//! - [`run`]: the worker, one JSON line per attempt; SIGTERM or SIGINT stop it gracefully.
//! - [`operator`]: list, get (with the attempts), replay, cancel, purge.

pub(crate) mod operator;
pub(crate) mod run;

use std::time::Duration;

use callback_outbox::Outbox;

use crate::error::CliError;

/// Where the outbox is.
#[derive(Debug, clap::Args)]
pub(crate) struct OutboxArg {
    /// The outbox: sqlite:PATH (the file is created if missing) or
    /// postgres://user@host:port/db.
    #[arg(
        long = "outbox",
        value_name = "URL",
        env = "OAS_CALLBACKS_OUTBOX",
        default_value = "sqlite:callbacks.db"
    )]
    pub(crate) url: String,
}

impl OutboxArg {
    /// Opens the outbox (creating its tables): an outbox that cannot be opened is an I/O
    /// error (exit status 2).
    pub(crate) async fn open(&self) -> Result<Outbox, CliError> {
        Outbox::connect(&self.url)
            .await
            .map_err(|err| CliError::usage_or_io(err.to_string()))
    }
}

/// The `outbox` commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Deliver due messages: claim, send (URL policy, pinned addresses, timeouts, signing),
    /// record, reschedule or finish. One JSON line per attempt. SIGTERM or SIGINT: stop claiming,
    /// finish the attempts under way, exit 0.
    Run(Box<run::Args>),
    /// List messages: one JSON object per message (id, state, attempts, callback, method, url,
    /// next_attempt_at, last_error).
    List(operator::ListArgs),
    /// Show one message with its attempts, as one JSON object.
    Get(operator::GetArgs),
    /// Take finished messages back to pending (same id, same body): the IDs given, or every
    /// dead message with --state dead.
    Replay(operator::ReplayArgs),
    /// Cancel pending or in-flight messages.
    Cancel(operator::CancelArgs),
    /// Delete finished messages (delivered, dead, cancelled) older than a duration.
    Purge(operator::PurgeArgs),
}

pub(crate) fn run(command: &Command) -> Result<crate::error::Outcome, CliError> {
    match command {
        Command::Run(args) => run::run(args),
        Command::List(args) => operator::list(args),
        Command::Get(args) => operator::get(args),
        Command::Replay(args) => operator::replay(args),
        Command::Cancel(args) => operator::cancel(args),
        Command::Purge(args) => operator::purge(args),
    }
}

/// A duration: `15s`, `500ms`, `5m`, `1h30m` (as humantime reads them).
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|err| format!("`{text}` is not a duration such as 15s, 500ms, 5m or 1h30m: {err}"))
}

/// A runtime for one command.
pub(crate) fn runtime(threads: bool) -> Result<tokio::runtime::Runtime, CliError> {
    let mut builder = if threads {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder
        .enable_all()
        .build()
        .map_err(|err| CliError::usage_or_io(format!("cannot start the async runtime: {err}")))
}
