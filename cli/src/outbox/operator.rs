//! The operators' commands: `outbox list`, `get`, `replay`, `cancel`, `purge`.
//!
//! Exit status: 0 done; 1 a message named is not there, or is in a state the command does not
//! apply to (replaying a pending message, cancelling a delivered one: nothing changed, the
//! line says why); 2 the outbox cannot be opened or read.

use std::time::Duration;

use callback_outbox::{Change, ChangeOutcome, ListFilter, Message, State, Timestamp};
use serde::Serialize;

use super::{OutboxArg, duration, runtime};
use crate::error::{CliError, Outcome};
use crate::output;

fn database(err: callback_outbox::OutboxError) -> CliError {
    CliError::usage_or_io(err.to_string())
}

#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    outbox: OutboxArg,
    /// Only messages in this state: pending, in-flight, delivered, dead or cancelled.
    #[arg(long, value_name = "STATE")]
    state: Option<State>,
}

/// One line of `outbox list`.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    state: State,
    attempts: u32,
    callback: &'a str,
    method: &'a str,
    url: &'a str,
    next_attempt_at: Timestamp,
    last_error: Option<&'a str>,
}

impl<'a> From<&'a Message> for Listed<'a> {
    fn from(m: &'a Message) -> Self {
        Listed {
            id: &m.id,
            state: m.state,
            attempts: m.attempts,
            callback: &m.callback,
            method: &m.method,
            url: &m.url,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error.as_deref(),
        }
    }
}

/// Messages are read a page at a time.
const PAGE: usize = 1000;

pub(crate) fn list(args: &ListArgs) -> Result<Outcome, CliError> {
    runtime(false)?.block_on(async {
        let outbox = args.outbox.open().await?;
        let mut filter = ListFilter::default();
        filter.state = args.state;
        filter.limit = Some(PAGE);
        loop {
            let page = outbox.list(&filter).await.map_err(database)?;
            for message in &page {
                output::json_line(&Listed::from(message))?;
            }
            match page.last() {
                Some(last) if page.len() == PAGE => filter.after = Some(last.id.clone()),
                _ => break,
            }
        }
        outbox.close().await;
        Ok(Outcome::Success)
    })
}

#[derive(Debug, clap::Args)]
pub(crate) struct GetArgs {
    #[command(flatten)]
    outbox: OutboxArg,
    /// The message id (`msg_…`).
    id: String,
}

pub(crate) fn get(args: &GetArgs) -> Result<Outcome, CliError> {
    runtime(false)?.block_on(async {
        let outbox = args.outbox.open().await?;
        let found = outbox.get(&args.id).await.map_err(database)?;
        outbox.close().await;
        match found {
            Some(detail) => {
                output::json_line(&detail)?;
                Ok(Outcome::Success)
            }
            None => Err(CliError::invalid(format!(
                "no message `{}` in the outbox",
                args.id
            ))),
        }
    })
}

#[derive(Debug, clap::Args)]
pub(crate) struct ReplayArgs {
    #[command(flatten)]
    outbox: OutboxArg,
    /// The messages to replay.
    #[arg(
        value_name = "ID",
        required_unless_present = "state",
        conflicts_with = "state"
    )]
    ids: Vec<String>,
    /// Replay every message in this state (only `dead`).
    #[arg(long, value_name = "STATE", value_parser = only_dead)]
    state: Option<State>,
}

fn only_dead(text: &str) -> Result<State, String> {
    match text.parse::<State>() {
        Ok(State::Dead) => Ok(State::Dead),
        Ok(other) => Err(format!(
            "`--state {other}`: only dead messages are replayed all at once (replay others by id)"
        )),
        Err(err) => Err(err.to_string()),
    }
}

/// Prints each change; a failure when one did not change.
fn report(changes: &[Change]) -> Result<Outcome, CliError> {
    let mut failed = false;
    for change in changes {
        failed |= !matches!(change.outcome, ChangeOutcome::Changed { .. });
        output::json_line(change)?;
    }
    Ok(Outcome::failure_if(failed))
}

pub(crate) fn replay(args: &ReplayArgs) -> Result<Outcome, CliError> {
    runtime(false)?.block_on(async {
        let outbox = args.outbox.open().await?;
        let outcome = if args.state.is_some() {
            report(&outbox.replay_dead().await.map_err(database)?)?
        } else {
            let ids: Vec<&str> = args.ids.iter().map(String::as_str).collect();
            report(&outbox.replay(&ids).await.map_err(database)?)?
        };
        outbox.close().await;
        Ok(outcome)
    })
}

#[derive(Debug, clap::Args)]
pub(crate) struct CancelArgs {
    #[command(flatten)]
    outbox: OutboxArg,
    /// The messages to cancel.
    #[arg(value_name = "ID", required = true)]
    ids: Vec<String>,
}

pub(crate) fn cancel(args: &CancelArgs) -> Result<Outcome, CliError> {
    runtime(false)?.block_on(async {
        let outbox = args.outbox.open().await?;
        let ids: Vec<&str> = args.ids.iter().map(String::as_str).collect();
        let outcome = report(&outbox.cancel(&ids).await.map_err(database)?)?;
        outbox.close().await;
        Ok(outcome)
    })
}

#[derive(Debug, clap::Args)]
pub(crate) struct PurgeArgs {
    #[command(flatten)]
    outbox: OutboxArg,
    /// Delete finished messages that finished more than this long ago (`30d`, `12h`, `0s`).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    older_than: Duration,
}

pub(crate) fn purge(args: &PurgeArgs) -> Result<Outcome, CliError> {
    runtime(false)?.block_on(async {
        let outbox = args.outbox.open().await?;
        let purged = outbox.purge(args.older_than).await.map_err(database)?;
        outbox.close().await;
        output::json_line(&serde_json::json!({ "purged": purged }))?;
        Ok(Outcome::Success)
    })
}
