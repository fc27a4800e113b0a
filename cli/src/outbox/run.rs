//! `oas-callbacks outbox run [--allow HOST_OR_CIDR]... [--allow-http] [--secret WHSEC |
//! --secret-file FILE] [--schedule 5s,5m,...] [--timeout 15s] [--lease 60s] [--concurrency N]
//! [--until-idle]`: deliver the outbox's due messages.
//!
//! One JSON line per attempt, once its result is recorded: id, attempt, kind, callback, method,
//! url, outcome (`delivered`, `retry`, `dead`, `superseded`), status, error_kind, error,
//! next_attempt_at, elapsed_ms, worker. SIGTERM or SIGINT: stop claiming, finish the attempts
//! under way, record them, exit 0. With `--until-idle`, exit 0 once nothing is pending or in
//! flight. Exit status 2: the outbox cannot be opened, a setting cannot be used, or the output
//! was closed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callback_delivery::{AllowEntry, DeliveryOptions, SigningSecret, UrlPolicy};
use callback_outbox::{OneSecret, Schedule, SecretFile, Secrets, Unsigned, Worker};
use tokio_util::sync::CancellationToken;

use super::{OutboxArg, duration, runtime};
use crate::error::{CliError, Outcome};
use crate::output;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    outbox: OutboxArg,
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
    /// Sign with the secret in this file (`whsec_…`), read again at every attempt: replace the
    /// file to rotate the secret.
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// The waits between attempts, after the first, the second, … failed (each ±20 %):
    /// `5s,5m,30m`, `none` (one attempt) or `standard-webhooks` (the default: 5s, 5m, 30m, 2h,
    /// 5h, 10h, 14h, 20h, 24h).
    #[arg(long, value_name = "STEPS", default_value = "standard-webhooks")]
    schedule: Schedule,
    /// The longest one attempt may take, the response included.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = duration)]
    timeout: Duration,
    /// The longest wait for a connection (and a name lookup).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = duration)]
    connect_timeout: Duration,
    /// How long a claim holds a message: a worker that dies mid-attempt loses its messages to
    /// others after this. Longer than the connect timeout and the timeout together.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration)]
    lease: Duration,
    /// Attempts at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    concurrency: usize,
    /// Attempts at once to one origin (scheme://host:port).
    #[arg(long, value_name = "N", default_value_t = 8)]
    per_origin: usize,
    /// Exit once nothing is pending or in flight.
    #[arg(long)]
    until_idle: bool,
}

/// Where each attempt's secret comes from.
enum Signing {
    Unsigned,
    One(OneSecret),
    File(SecretFile),
}

impl Signing {
    fn apply(self, worker: Worker) -> Worker {
        match self {
            Signing::Unsigned => worker.secrets(Unsigned),
            Signing::One(secret) => worker.secrets(secret),
            Signing::File(file) => worker.secrets(file),
        }
    }
}

impl Args {
    /// The signing secret. The file is read now too, so that a missing or unusable one is an
    /// error at once (exit status 2), not at the first attempt.
    fn signing(&self) -> Result<Signing, CliError> {
        if let Some(text) = &self.secret {
            let secret = text.trim().parse::<SigningSecret>().map_err(|err| {
                CliError::usage_or_io(format!("the signing secret cannot be used: {err}"))
            })?;
            return Ok(Signing::One(OneSecret(secret)));
        }
        if let Some(path) = &self.secret_file {
            let file = SecretFile(path.clone());
            file.secret(None).map_err(CliError::usage_or_io)?;
            return Ok(Signing::File(file));
        }
        Ok(Signing::Unsigned)
    }

    fn delivery(&self) -> DeliveryOptions {
        let mut policy = UrlPolicy::default().with_http(self.allow_http);
        for entry in &self.allow {
            policy = policy.with_allowed(entry.clone());
        }
        DeliveryOptions::default()
            .with_policy(policy)
            .with_connect_timeout(self.connect_timeout)
            .with_timeout(self.timeout)
    }
}

pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    let signing = args.signing()?;
    runtime(true)?.block_on(async {
        let outbox = args.outbox.open().await?;
        let shutdown = CancellationToken::new();
        spawn_signal_handlers(&shutdown)?;
        // An attempt line that cannot be written (the reader went away) stops the run.
        let write_error: Arc<Mutex<Option<CliError>>> = Arc::new(Mutex::new(None));
        let worker = Worker::new(outbox.clone(), args.delivery())
            .schedule(args.schedule.clone())
            .lease(args.lease)
            .concurrency(args.concurrency)
            .per_origin(args.per_origin)
            .until_idle(args.until_idle)
            .on_attempt({
                let (write_error, shutdown) = (write_error.clone(), shutdown.clone());
                move |report| {
                    if let Err(err) = output::json_line(report) {
                        let mut slot = write_error.lock().unwrap_or_else(|e| e.into_inner());
                        slot.get_or_insert(err);
                        shutdown.cancel();
                    }
                }
            });
        let worker = signing.apply(worker);
        let summary = worker.run(shutdown).await;
        outbox.close().await;
        if let Some(err) = write_error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(err);
        }
        let summary = summary.map_err(|err| CliError::usage_or_io(err.to_string()))?;
        output::note(format_args!(
            "outbox run: {} attempts, {} delivered, {} retried, {} dead, {} superseded",
            summary.attempts, summary.delivered, summary.retried, summary.dead, summary.superseded
        ));
        Ok(Outcome::Success)
    })
}

/// SIGTERM and SIGINT cancel `shutdown`: the worker stops claiming and finishes what it has.
fn spawn_signal_handlers(shutdown: &CancellationToken) -> Result<(), CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    for kind in [SignalKind::terminate(), SignalKind::interrupt()] {
        let mut stream = signal(kind)
            .map_err(|err| CliError::usage_or_io(format!("cannot listen for signals: {err}")))?;
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            stream.recv().await;
            shutdown.cancel();
        });
    }
    Ok(())
}
