//! The API provider: `startJob` of `examples/progress-api.yaml`, with its callbacks.
//!
//! `POST /jobs/{jobId}/start` answers `202 {"ticket": "T-…", "state": "queued"}` at once. The job
//! then "runs" in the background: at each step a `Progress` payload goes to the `progress`
//! callback (the URL in the request's optional `progressUrl` header; none, no call), and at the
//! end a `Completion` payload goes to the `completion` callback (built from the request body's
//! `notify.url`, the path and the response's ticket). Each payload is validated against the
//! callback operation's schema before it is sent: an invalid one is not sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{self, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use callback_delivery::{
    BuildError, Deliverer, DeliveryOptions, DeliveryReport, Dispatch, DispatchOutcome, Dispatched,
    Payload,
};
use expr_eval::HttpExchange;
use oas_callbacks::{Document, ResolvedCallback};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The operation this provider implements.
pub const OPERATION: &str = "startJob";

/// The largest request body read.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// What happened to one callback of one job: the job, the payload, and the dispatch's outcome
/// from `callback-delivery` (validated, resolved, checked against the policy, delivered).
/// Serializes as one JSON object: `job_id`, `payload` and the fields `oas-callbacks send` prints.
#[derive(Clone, Debug, Serialize)]
pub struct CallbackEvent {
    /// The job.
    pub job_id: String,
    /// The payload (sent, or not sent when invalid).
    pub payload: Value,
    /// The callback and what became of it.
    #[serde(flatten)]
    pub dispatched: Dispatched,
}

/// The outcome of one callback: `callback-delivery`'s.
pub type CallbackResult = DispatchOutcome;

impl CallbackEvent {
    /// The callback's name (`progress`, `completion`).
    pub fn callback(&self) -> &str {
        &self.dispatched.callback
    }

    /// What became of it.
    pub fn result(&self) -> &CallbackResult {
        &self.dispatched.outcome
    }

    /// The delivery report, when the callback was sent (delivered, failed or denied: the report
    /// says which, with every attempt).
    pub fn report(&self) -> Option<&DeliveryReport> {
        self.dispatched.report()
    }
}

/// How the provider runs a job and delivers its callbacks.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// How callbacks are delivered: the URL policy (with its allow-list), signing, timeouts,
    /// retries.
    pub delivery: DeliveryOptions,
    /// The job's progress steps, `(percent, state)`, one `progress` callback each.
    pub steps: Vec<(i64, String)>,
    /// The pause before each step.
    pub step_interval: Duration,
}

impl ProviderConfig {
    /// Steps 0 % queued, 50 % running, 100 % done, a quarter of a second apart.
    pub fn new(delivery: DeliveryOptions) -> Self {
        Self {
            delivery,
            steps: vec![
                (0, "queued".to_owned()),
                (50, "running".to_owned()),
                (100, "done".to_owned()),
            ],
            step_interval: Duration::from_millis(250),
        }
    }
}

/// The provider: the document, the delivery client and the job counter. Share it in an
/// [`Arc`]; [`router`](Self::router) serves it.
pub struct Provider {
    doc: Document,
    deliverer: Deliverer,
    config: ProviderConfig,
    tickets: AtomicU64,
    events: mpsc::UnboundedSender<CallbackEvent>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// A provider for `doc` (which must declare [`OPERATION`]); every callback event is sent to
    /// `events`.
    pub fn new(
        doc: Document,
        config: ProviderConfig,
        events: mpsc::UnboundedSender<CallbackEvent>,
    ) -> Result<Self, String> {
        if doc.operation(OPERATION).is_none() {
            return Err(format!(
                "{} declares no operation `{OPERATION}`",
                doc.path().display()
            ));
        }
        let deliverer =
            Deliverer::new(config.delivery.clone()).map_err(|e: BuildError| e.to_string())?;
        Ok(Self {
            doc,
            deliverer,
            config,
            tickets: AtomicU64::new(1000),
            events,
        })
    }

    /// The routes: `POST /jobs/{jobId}/start`.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/jobs/{jobId}/start", post(start_job))
            .with_state(self)
    }

    /// Runs a job in the background: the progress steps, then completion; each callback resolved
    /// for the exchange `request` → `response`.
    async fn run_job(
        self: Arc<Self>,
        job_id: String,
        ticket: String,
        request: http::Request<Bytes>,
        response: http::Response<Vec<u8>>,
        path_template: String,
    ) {
        let Some(op) = self.doc.operation(OPERATION) else {
            return;
        };
        // The callbacks for this exchange: the request as it came (its URL rebuilt from the Host
        // header, over http), the path template it matched, and the 202 we answered.
        let resolved = {
            let exchange = HttpExchange::new(&request)
                .with_response(&response)
                .with_scheme("http")
                .with_path_template(&path_template);
            op.resolve_callbacks(&exchange)
        };
        let (progress, completion): (Vec<_>, Vec<_>) =
            resolved.into_iter().partition(|c| c.callback == "progress");

        for (percent, state) in &self.config.steps {
            tokio::time::sleep(self.config.step_interval).await;
            let payload = json!({"jobId": job_id, "percent": percent, "state": state});
            for callback in &progress {
                self.callback(op, &job_id, callback, &payload).await;
            }
        }
        let payload = json!({
            "jobId": job_id,
            "ticket": ticket,
            "outcome": "done",
            "imageUrl": format!("https://render.example.com/v1/jobs/{job_id}/image.png"),
        });
        for callback in completion.iter().filter(|c| c.callback == "completion") {
            self.callback(op, &job_id, callback, &payload).await;
        }
    }

    /// Dispatches one callback (validated, resolved, checked, delivered: `callback-delivery`
    /// does every step), and reports what happened.
    async fn callback(
        &self,
        op: &oas_callbacks::Operation,
        job_id: &str,
        callback: &ResolvedCallback,
        payload: &Value,
    ) {
        let sent = Payload::from_json(payload.clone());
        let dispatched = self
            .deliverer
            .dispatch(&Dispatch::new(&self.doc, op, callback, &sent))
            .await;
        let _ = self.events.send(CallbackEvent {
            job_id: job_id.to_owned(),
            payload: payload.clone(),
            dispatched,
        });
    }
}

/// `POST /jobs/{jobId}/start`: `202` with the ticket, then the job in the background.
async fn start_job(
    State(provider): State<Arc<Provider>>,
    Path(job_id): Path<String>,
    matched: MatchedPath,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_REQUEST_BODY).await else {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large",
        );
    };
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
    let accepted = json!({"ticket": ticket, "state": "queued"});
    let accepted_bytes = accepted.to_string().into_bytes();
    let Ok(response) = http::Response::builder()
        .status(StatusCode::ACCEPTED)
        .header(header::CONTENT_TYPE, "application/json")
        .body(accepted_bytes.clone())
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let request = http::Request::from_parts(parts, body);
    tokio::spawn(provider.clone().run_job(
        job_id,
        ticket,
        request,
        response,
        matched.as_str().to_owned(),
    ));
    (
        StatusCode::ACCEPTED,
        [(header::CONTENT_TYPE, "application/json")],
        accepted_bytes,
    )
        .into_response()
}

fn problem(status: StatusCode, detail: &str) -> Response {
    (
        status,
        axum::Json(json!({"status": status.as_u16(), "detail": detail})),
    )
        .into_response()
}
