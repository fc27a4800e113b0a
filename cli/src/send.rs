//! `oas-callbacks send SPEC --operation ID --callback NAME --body FILE (--exchange FILE | --request
//! FILE [--response FILE])` (feature `deliver`): make a callback request, as the provider would.
//!
//! For each delivery (each key × method of the callback; `--method` picks one), in order:
//!
//! 1. the payload is validated against the callback operation's request-body schema: an invalid
//!    payload is **not sent** (`"outcome": "invalid-payload"` with the violations);
//! 2. a URL that could not be resolved from the exchange is `skipped` (the reason), as the
//!    specification says: no call; a URL that is not an absolute http(s) URL is `invalid-url`;
//! 3. the URL policy (against request forgery, see [`callback_delivery::policy`]) may refuse
//!    it: `denied` with the rule;
//! 4. it is sent: `delivered` (status, attempts) or `failed` (the last error), with every attempt.
//!    With `--dry-run`, nothing is resolved or connected: `would-send` with the checked target and
//!    the headers.
//!
//! One JSON object per line: each attempt as soon as it ends (`"event": "attempt"`, with the
//! delivery's `webhook_id` and the wait before the next attempt), so that a `send` stopped
//! between retries leaves a trace of what the consumer already received; then one line per
//! delivery with its outcome. Exit status: 0 every delivery was made (or would be, or was
//! skipped); 1 one was denied, failed or had an invalid payload or URL, or the callback does not
//! exist; 2 usage or I/O errors.

use std::path::{Path, PathBuf};
use std::time::Duration;

use callback_delivery::{
    AllowEntry, Attempt, Deliverer, DeliveryOptions, Dispatch, Dispatched, Payload, RetryPolicy,
    SigningSecret, UrlPolicy,
};
use oas_callbacks::{CallbackOutcome, ResolvedCallback};
use serde::Serialize;

use crate::document_args::{OperationArgs, Target};
use crate::error::{CliError, Outcome};
use crate::exchange::ExchangeArgs;
use crate::{input, output};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    target: OperationArgs,
    /// The callback's name (its key in the operation's `callbacks`).
    #[arg(long)]
    callback: String,
    /// The payload (a JSON file), sent as it is after it is validated.
    #[arg(long, value_name = "FILE")]
    body: PathBuf,
    #[command(flatten)]
    exchange: ExchangeArgs,
    /// Only the callback operation with this method (default: every method of the callback).
    #[arg(long)]
    method: Option<String>,
    /// Allow a host name, an address or a CIDR that the policy refuses by default (e.g.
    /// 127.0.0.1, 10.0.0.0/8, consumer.internal); http is then allowed for it too. Repeatable.
    #[arg(long, value_name = "HOST_OR_CIDR")]
    allow: Vec<AllowEntry>,
    /// Allow http (not only https) for every host.
    #[arg(long)]
    allow_http: bool,
    /// Sign with the Standard Webhooks scheme (`whsec_` and the base64 key). Visible to other
    /// users of this machine in the process list: prefer --secret-file.
    #[arg(long, value_name = "WHSEC", conflicts_with = "secret_file")]
    secret: Option<String>,
    /// Sign with the secret in this file (`whsec_…`, surrounding white space ignored).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// An extra header, `Name: value` (Content-Type defaults to application/json). Repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    headers: Vec<(String, String)>,
    /// Check the policy and print what would be sent, without resolving a name or connecting.
    #[arg(long)]
    dry_run: bool,
    /// The longest wait for a connection (and a name lookup): `5s`, `500ms`, `1.5` (seconds).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    connect_timeout: Duration,
    /// The longest one attempt may take, the response included.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_duration)]
    timeout: Duration,
    /// Attempts in all, the first one included (1: no retry). Retried: connection errors,
    /// timeouts, 408, 429 and 5xx, with exponential backoff and full jitter, honouring
    /// Retry-After.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    attempts: u32,
    /// The backoff ceiling before the first retry; it doubles each retry (up to 30 s).
    #[arg(long, value_name = "DURATION", default_value = "500ms", value_parser = parse_duration)]
    backoff: Duration,
    /// The longest a whole delivery may take, waits between attempts included.
    #[arg(long, value_name = "DURATION", default_value = "120s", value_parser = parse_duration)]
    deadline: Duration,
}

/// `5s`, `500ms`, `2m` or a number of seconds (`1.5`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (5s, 500ms, 2m, 1.5)"))?;
    let seconds = value * scale;
    if !seconds.is_finite() || !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!("`{text}` is out of range (0 to 24 hours)"));
    }
    Ok(Duration::from_secs_f64(seconds))
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
    Ok((name.to_owned(), value.trim().to_owned()))
}

impl Args {
    /// The signing secret; a secret that cannot be read or used is a usage error (exit 2).
    fn secret(&self) -> Result<Option<SigningSecret>, CliError> {
        let text = match (&self.secret, &self.secret_file) {
            (Some(text), _) => text.clone(),
            (None, Some(path)) => {
                let bytes = input::read_file(path)?;
                input::utf8(path, &bytes)
                    .map_err(|err| err.with_kind(crate::error::ErrorKind::UsageOrIo))?
                    .to_owned()
            }
            (None, None) => return Ok(None),
        };
        text.trim()
            .parse::<SigningSecret>()
            .map(Some)
            .map_err(|err| {
                CliError::usage_or_io(format!("the signing secret cannot be used: {err}"))
            })
    }

    fn options(&self, secret: Option<SigningSecret>) -> DeliveryOptions {
        let mut policy = UrlPolicy::default().with_http(self.allow_http);
        for entry in &self.allow {
            policy = policy.with_allowed(entry.clone());
        }
        DeliveryOptions::default()
            .with_policy(policy)
            .with_connect_timeout(self.connect_timeout)
            .with_timeout(self.timeout)
            .with_deadline(self.deadline)
            .with_retry(
                RetryPolicy::default()
                    .with_max_attempts(self.attempts)
                    .with_initial_backoff(self.backoff),
            )
            .with_secret(secret)
    }
}

pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    let target = Target::load(&args.target)?;
    let exchange = args.exchange.load()?;
    let (doc, op) = (&target.doc, target.operation());
    let payload = read_payload(&args.body)?;
    let secret = args.secret()?;
    let options = args.options(secret);

    let deliveries: Vec<ResolvedCallback> = op
        .resolve_callbacks(&exchange)
        .into_iter()
        .filter(|c| c.callback == args.callback)
        .filter(|c| {
            args.method
                .as_deref()
                .is_none_or(|m| c.method.as_str().eq_ignore_ascii_case(m))
        })
        .collect();
    if deliveries.is_empty() {
        // The same words as `validate`: no such callback, or no such method.
        return Err(CliError::invalid(
            match doc.validate_callback_payload(
                op,
                &args.callback,
                args.method.as_deref(),
                payload.json(),
            ) {
                Err(err) => err.to_string(),
                Ok(_) => format!("callback `{}` has no operation", args.callback),
            },
        ));
    }
    // Every delivery borrows the document, its validators and the one payload.
    let dispatches: Vec<Dispatch<'_>> = deliveries
        .iter()
        .map(|callback| {
            Dispatch::new(doc, op, callback, &payload).with_headers(args.headers.iter().cloned())
        })
        .collect();

    let mut failed = false;
    let mut print = |dispatched: &Dispatched| {
        failed |= !dispatched.is_success();
        output::json_line(dispatched)
    };

    if args.dry_run {
        for dispatch in &dispatches {
            print(&dispatch.dry_run(&options))?;
        }
        return Ok(Outcome::failure_if(failed));
    }

    let deliverer =
        Deliverer::new(options).map_err(|err| CliError::usage_or_io(err.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| CliError::usage_or_io(format!("cannot start the async runtime: {err}")))?;
    for dispatch in &dispatches {
        let callback = dispatch.callback();
        let url = match &callback.outcome {
            CallbackOutcome::Url(url) => url.as_str(),
            _ => "",
        };
        // Each attempt is printed (and flushed) as it ends, before any wait for the next one.
        let mut unwritten = None;
        let dispatched = runtime.block_on(deliverer.dispatch_observed(
            dispatch,
            &mut |webhook_id, attempt| {
                if unwritten.is_none() {
                    let line = AttemptLine::new(callback, url, webhook_id, attempt);
                    unwritten = output::json_line(&line).err();
                }
            },
        ));
        if let Some(err) = unwritten {
            return Err(err);
        }
        print(&dispatched)?;
    }
    Ok(Outcome::failure_if(failed))
}

/// The line of one attempt: which callback, which message, and the attempt.
#[derive(Serialize)]
struct AttemptLine<'a> {
    event: &'static str,
    callback: &'a str,
    expression: &'a str,
    method: &'a str,
    #[serde(rename = "operationId", skip_serializing_if = "Option::is_none")]
    operation_id: Option<&'a str>,
    url: &'a str,
    webhook_id: &'a str,
    #[serde(flatten)]
    attempt: &'a Attempt,
}

impl<'a> AttemptLine<'a> {
    fn new(
        callback: &'a ResolvedCallback,
        url: &'a str,
        webhook_id: &'a str,
        attempt: &'a Attempt,
    ) -> Self {
        Self {
            event: "attempt",
            callback: &callback.callback,
            expression: &callback.expression,
            method: callback.method.as_str(),
            operation_id: callback.operation_id.as_deref(),
            url,
            webhook_id,
            attempt,
        }
    }
}

/// The payload file: UTF-8 JSON, read once, its bytes sent as they are.
fn read_payload(path: &Path) -> Result<Payload, CliError> {
    let bytes = input::read_file(path)?;
    input::utf8(path, &bytes)?;
    Payload::parse(bytes).map_err(|err| {
        CliError::invalid(format!(
            "{}: not JSON: {}",
            path.display(),
            input::json_error(&err)
        ))
    })
}
