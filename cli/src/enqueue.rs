//! `oas-callbacks enqueue SPEC --operation ID --callback NAME --body FILE (--exchange FILE |
//! --request FILE [--response FILE]) [--method M] [--header 'Name: value']... [--key DEDUPE_KEY]`
//! (feature `outbox`): store a callback in the durable outbox; `outbox run` delivers it.
//!
//! The payload is validated against the callback operation's request-body schema first: an
//! invalid payload is an error (exit status 1) and nothing is stored. Then, for each key and
//! method of the callback (`--method` picks one), one JSON line: `{"id", "state": "pending",
//! "callback", "method", "url"}` for a message stored (with `"duplicate": true` and the earlier
//! message's id and state when `--key` was seen before), `{"state": "skipped", "reason"}` for a
//! URL that cannot be resolved from the exchange (no call, as the specification says; exit 0),
//! `{"state": "invalid-url", "url", "reason"}` for one that is not an absolute http(s) URL
//! (exit 1). Every message of one command is stored in one transaction.

use std::path::PathBuf;

use callback_outbox::{Enqueued, NewMessage, Planned, PrepareError, Skipped, State, prepare};
use serde::Serialize;

use crate::document_args::{OperationArgs, Target};
use crate::error::{CliError, Outcome};
use crate::exchange::ExchangeArgs;
use crate::outbox::{OutboxArg, runtime};
use crate::{input, output};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    target: OperationArgs,
    /// The callback's name (its key in the operation's `callbacks`).
    #[arg(long)]
    callback: String,
    /// The payload (a JSON file), stored and sent byte for byte after it is validated.
    #[arg(long, value_name = "FILE")]
    body: PathBuf,
    #[command(flatten)]
    exchange: ExchangeArgs,
    /// Only the callback operation with this method (default: every method of the callback).
    #[arg(long)]
    method: Option<http::Method>,
    /// An extra header sent with every attempt, `Name: value`. Repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    headers: Vec<(String, String)>,
    /// A deduplication key: enqueueing again with the same key stores nothing new (the line
    /// says `"duplicate": true` and gives the first message).
    #[arg(long, value_name = "DEDUPE_KEY")]
    key: Option<String>,
    #[command(flatten)]
    outbox: OutboxArg,
}

/// `Name: value`.
fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not `Name: value`"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("`{text}` has no header name"));
    }
    http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a header name"))?;
    http::HeaderValue::from_str(value.trim())
        .map_err(|_| format!("the value of `{name}` is not a header value"))?;
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// A line for a message stored.
#[derive(Serialize)]
struct Stored<'a> {
    id: &'a str,
    state: State,
    callback: &'a str,
    method: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    duplicate: bool,
}

/// A line for a callback not stored.
#[derive(Serialize)]
struct NotStored<'a> {
    state: &'static str,
    #[serde(flatten)]
    skipped: &'a Skipped,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    let target = Target::load(&args.target)?;
    let exchange = args.exchange.load()?;
    let (body, _payload) = input::json_payload(&args.body)?;
    let planned = prepare(
        &target.doc,
        target.operation(),
        &exchange,
        &args.callback,
        args.method.as_ref(),
        body,
    )
    .map_err(|err: PrepareError| CliError::invalid(err.to_string()))?;
    let messages: Vec<NewMessage> = planned
        .iter()
        .filter_map(|p| match p {
            Planned::Message(message) => {
                let mut message = message.clone();
                for (name, value) in &args.headers {
                    message = message.header(name, value);
                }
                if let Some(key) = &args.key {
                    message = message.dedupe_key(key);
                }
                Some(message)
            }
            _ => None,
        })
        .collect();
    let stored: Vec<Enqueued> = if messages.is_empty() {
        Vec::new()
    } else {
        runtime(false)?.block_on(async {
            let outbox = args.outbox.open().await?;
            let stored = outbox
                .enqueue(&messages)
                .await
                .map_err(|err| CliError::usage_or_io(err.to_string()));
            outbox.close().await;
            stored
        })?
    };
    let mut stored = messages.iter().zip(stored);
    let mut failed = false;
    for plan in &planned {
        match plan {
            Planned::Message(_) => {
                if let Some((message, enqueued)) = stored.next() {
                    output::json_line(&Stored {
                        id: &enqueued.id,
                        state: enqueued.state,
                        callback: message.callback_name(),
                        method: message.method().as_str(),
                        url: message.url(),
                        duplicate: enqueued.duplicate,
                    })?;
                }
            }
            Planned::Skipped(skipped) => output::json_line(&NotStored {
                state: "skipped",
                skipped,
            })?,
            Planned::InvalidUrl(skipped) => {
                failed = true;
                output::json_line(&NotStored {
                    state: "invalid-url",
                    skipped,
                })?;
            }
            _ => {}
        }
    }
    Ok(Outcome::failure_if(failed))
}
