//! The API provider: `startJob` of `examples/progress-api.yaml`, with its callbacks, on the
//! durable outbox (`callback-outbox`).
//!
//! `POST /jobs/{jobId}/start` answers `202 {"ticket": "T-…", "state": "queued"}`. Before that
//! answer leaves, every callback of the job is in the outbox: a `Progress` payload per step for
//! the `progress` callback (the URL in the request's optional `progressUrl` header; none, no
//! call), each due one step later than the one before, and a `Completion` payload for the
//! `completion` callback (built from the request body's `notify.url`, the path and the
//! response's ticket), due after the last step. The handler only says which callbacks it wants
//! ([`Callbacks::send_with`]); [`CallbacksLayer`] validates each payload against the callback
//! operation's schema (an invalid one is not stored), resolves the URLs for the request and the
//! response, and stores the messages. The outbox's [`Worker`] delivers them, signed, through the
//! URL policy, retrying on the schedule — in this process or, after a restart, in the next one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use callback_delivery::{DeliveryOptions, SigningSecret};
use callback_outbox::{
    AttemptReport, Callbacks, CallbacksLayer, CallbacksReport, Enqueued, OneSecret, Outbox,
    Schedule, SendOptions, Skipped, Worker,
};
use oas_callbacks::Document;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The operation this provider implements.
pub const OPERATION: &str = "startJob";

/// The largest request body read.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// What the provider reports, one JSON object a line (`"event"` says which).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum ProviderEvent {
    /// A job was accepted: the callbacks stored in the outbox before the `202` left, and those
    /// not made (a URL that cannot be resolved, as the specification says).
    Accepted {
        /// The job.
        job_id: String,
        /// The status answered.
        status: u16,
        /// The messages stored.
        enqueued: Vec<Enqueued>,
        /// The callbacks not made, and why.
        skipped: Vec<Skipped>,
    },
    /// A payload the handler built breaks its callback's schema: not stored, never sent.
    InvalidPayload {
        /// The job.
        job_id: String,
        /// The callback.
        callback: String,
        /// The payload refused.
        payload: Value,
        /// Why, with each violation's JSON pointer.
        error: String,
        /// The pointers of the violations.
        pointers: Vec<String>,
    },
    /// One delivery attempt by the outbox's worker, once recorded.
    Attempt(AttemptReport),
}

/// How the provider runs a job and delivers its callbacks.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// How callbacks are delivered: the URL policy (with its allow-list) and the timeouts
    /// (retries follow [`schedule`](Self::schedule)).
    pub delivery: DeliveryOptions,
    /// The signing secret (none: unsigned).
    pub secret: Option<SigningSecret>,
    /// The outbox's retry schedule.
    pub schedule: Schedule,
    /// How long a claimed message stays with this process before another may take it (none:
    /// the worker's default, twice the attempt timeout plus 10 s).
    pub lease: Option<Duration>,
    /// Whether a `4xx` other than `408` and `429` is retried (the demo's default: no, a
    /// consumer that refuses the signature is not asked again).
    pub retry_client_errors: bool,
    /// The worker's pause when nothing is due.
    pub poll_interval: Duration,
    /// The job's progress steps, `(percent, state)`, one `progress` callback each.
    pub steps: Vec<(i64, String)>,
    /// The time between steps.
    pub step_interval: Duration,
}

impl ProviderConfig {
    /// Steps 0 % queued, 50 % running, 100 % done, a quarter of a second apart; retries after
    /// 250 ms, 1 s and 4 s (±20 %).
    pub fn new(delivery: DeliveryOptions) -> Self {
        let schedule =
            Schedule::new([250, 1000, 4000].map(Duration::from_millis)).expect("a valid schedule");
        Self {
            delivery,
            secret: None,
            schedule,
            lease: None,
            retry_client_errors: false,
            poll_interval: Duration::from_millis(100),
            steps: vec![
                (0, "queued".to_owned()),
                (50, "running".to_owned()),
                (100, "done".to_owned()),
            ],
            step_interval: Duration::from_millis(250),
        }
    }
}

/// The provider: the document, the outbox, the job counter. Share it in an [`Arc`];
/// [`router`](Self::router) serves `startJob`, [`worker`](Self::worker) delivers.
pub struct Provider {
    doc: Arc<Document>,
    outbox: Outbox,
    config: ProviderConfig,
    tickets: AtomicU64,
    events: mpsc::UnboundedSender<ProviderEvent>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("outbox", &self.outbox.backend_name())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// A provider for `doc` (which must declare [`OPERATION`]) on `outbox`; every event is sent
    /// to `events`.
    pub fn new(
        doc: Document,
        outbox: Outbox,
        config: ProviderConfig,
        events: mpsc::UnboundedSender<ProviderEvent>,
    ) -> Result<Self, String> {
        if doc.operation(OPERATION).is_none() {
            return Err(format!(
                "{} declares no operation `{OPERATION}`",
                doc.path().display()
            ));
        }
        // Tickets stay unique across restarts: they count on from the start time.
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Ok(Self {
            doc: Arc::new(doc),
            outbox,
            config,
            tickets: AtomicU64::new(start * 1000),
            events,
        })
    }

    /// The routes: `POST /jobs/{jobId}/start`, wrapped in the [`CallbacksLayer`].
    pub fn router(self: Arc<Self>) -> Router {
        let callbacks = CallbacksLayer::new(self.outbox.clone(), self.doc.clone())
            .scheme("http")
            .max_body(MAX_REQUEST_BODY);
        Router::new()
            .route("/jobs/{jobId}/start", post(start_job))
            .route_layer(callbacks)
            .route_layer(middleware::from_fn_with_state(self.clone(), report))
            .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY))
            .with_state(self)
    }

    /// The outbox's worker, which delivers the callbacks (run it until a cancellation token is
    /// cancelled); each attempt is reported as [`ProviderEvent::Attempt`]. Progress callbacks
    /// to one consumer go one at a time (`per_origin(1)`), so they arrive in order unless a
    /// retry reorders them.
    pub fn worker(&self) -> Worker {
        let events = self.events.clone();
        let mut worker = Worker::new(self.outbox.clone(), self.config.delivery.clone())
            .schedule(self.config.schedule.clone())
            .per_origin(1)
            .retry_client_errors(self.config.retry_client_errors)
            .poll_interval(self.config.poll_interval)
            .on_attempt(move |attempt| {
                let _ = events.send(ProviderEvent::Attempt(attempt.clone()));
            });
        if let Some(secret) = &self.config.secret {
            worker = worker.secrets(OneSecret(secret.clone()));
        }
        if let Some(lease) = self.config.lease {
            worker = worker.lease(lease);
        }
        worker
    }
}

/// `POST /jobs/{jobId}/start`: asks for the job's callbacks, answers `202` with the ticket.
async fn start_job(
    State(provider): State<Arc<Provider>>,
    Path(job_id): Path<String>,
    callbacks: Callbacks,
    body: Bytes,
) -> Response {
    // The request body must be a JobRequest: at least a `scene`.
    match serde_json::from_slice::<Value>(&body) {
        Ok(job) if job.get("scene").is_some_and(Value::is_string) => {}
        Ok(_) => return problem(StatusCode::BAD_REQUEST, "the body needs a `scene` string"),
        Err(err) => {
            return problem(
                StatusCode::BAD_REQUEST,
                &format!("the body is not JSON: {err}"),
            );
        }
    }
    let ticket = format!("T-{}", provider.tickets.fetch_add(1, Ordering::Relaxed));
    let config = &provider.config;
    let progress = config.steps.iter().map(|(percent, state)| {
        (
            "progress",
            json!({"jobId": job_id, "percent": percent, "state": state}),
        )
    });
    let image = format!("https://render.example.com/v1/jobs/{job_id}/image.png");
    let completion =
        json!({"jobId": job_id, "ticket": ticket, "outcome": "done", "imageUrl": image});
    // The job "runs" on the outbox's clock: each callback due one step after the one before.
    for (step, (callback, payload)) in progress.chain([("completion", completion)]).enumerate() {
        let due = config.step_interval * u32::try_from(step + 1).unwrap_or(u32::MAX);
        if let Err(err) = callbacks.send_with(callback, &payload, SendOptions::new().delay(due)) {
            let pointers = match &err {
                callback_outbox::PrepareError::InvalidPayload { violations, .. } => {
                    violations.iter().map(|v| v.pointer.clone()).collect()
                }
                _ => Vec::new(),
            };
            let error = err.to_string();
            let _ = provider.events.send(ProviderEvent::InvalidPayload {
                job_id: job_id.clone(),
                callback: callback.to_owned(),
                payload,
                error,
                pointers,
            });
        }
    }
    (
        StatusCode::ACCEPTED,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"ticket": ticket, "state": "queued"}).to_string(),
    )
        .into_response()
}

/// Reports what the layer stored for each accepted job.
async fn report(State(provider): State<Arc<Provider>>, request: Request, next: Next) -> Response {
    let job_id = request
        .uri()
        .path()
        .split('/')
        .nth(2)
        .unwrap_or_default()
        .to_owned();
    let response = next.run(request).await;
    if let Some(report) = response.extensions().get::<CallbacksReport>() {
        let _ = provider.events.send(ProviderEvent::Accepted {
            job_id,
            status: response.status().as_u16(),
            enqueued: report.enqueued.clone(),
            skipped: report.skipped.clone(),
        });
    }
    response
}

fn problem(status: StatusCode, detail: &str) -> Response {
    (
        status,
        axum::Json(json!({"status": status.as_u16(), "detail": detail})),
    )
        .into_response()
}
