//! One attempt of one message, through `callback-delivery`: the URL policy checked again, the
//! host resolved once and every address checked, a connection to those addresses only, the
//! timeouts, the capped response read, and the signature (a fresh timestamp, the secret looked
//! up now).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callback_delivery::{
    Deliverer, DeliveryOptions, DeliveryReport, DeliveryRequest, FailureKind, Outcome, Resolve,
    RetryPolicy, SigningSecret,
};

use crate::schedule::Failure;
use crate::secrets::Secrets;
use crate::store::Claimed;

/// What came back from one attempt.
#[derive(Clone, Debug, Default)]
pub(crate) struct Response {
    pub(crate) status: Option<u16>,
    pub(crate) failure: Option<Failure>,
    pub(crate) error: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) address: Option<String>,
}

/// Builds the delivery clients, one per signing secret in use (a rotated secret gets a new one;
/// a handful are kept).
pub(crate) struct Clients {
    options: DeliveryOptions,
    resolver: Option<Arc<dyn Resolve>>,
    by_secret: Mutex<HashMap<Option<String>, Arc<Deliverer>>>,
}

/// How many clients (signing secrets) are kept at once.
const MAX_CLIENTS: usize = 16;

impl Clients {
    pub(crate) fn new(options: DeliveryOptions, resolver: Option<Arc<dyn Resolve>>) -> Self {
        // One attempt per claim: retries are the outbox's, durable, on its schedule.
        let options = options
            .with_retry(RetryPolicy::none())
            .with_deadline(None)
            .with_secret(None);
        Self {
            options,
            resolver,
            by_secret: Mutex::new(HashMap::new()),
        }
    }

    fn client(&self, secret: Option<SigningSecret>) -> Result<Arc<Deliverer>, String> {
        let key = secret.as_ref().map(SigningSecret::to_whsec);
        let mut clients = self.by_secret.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let options = self.options.clone().with_secret(secret);
        let mut deliverer = Deliverer::new(options).map_err(|e| e.to_string())?;
        if let Some(resolver) = &self.resolver {
            deliverer = deliverer.with_resolver(resolver.clone());
        }
        if clients.len() >= MAX_CLIENTS {
            clients.clear();
        }
        let client = Arc::new(deliverer);
        clients.insert(key, client.clone());
        Ok(client)
    }

    /// Makes the attempt. Never fails: everything that happened is in the response.
    pub(crate) async fn attempt(&self, secrets: &dyn Secrets, claimed: &Claimed) -> Response {
        let message = &claimed.message;
        let secret = match secrets.secret(message.secret_ref.as_deref()) {
            Ok(secret) => secret,
            Err(error) => {
                return Response {
                    failure: Some(Failure::Secret),
                    error: Some(error),
                    ..Response::default()
                };
            }
        };
        let client = match self.client(secret) {
            Ok(client) => client,
            Err(error) => {
                return Response {
                    failure: Some(Failure::Request),
                    error: Some(error),
                    ..Response::default()
                };
            }
        };
        let method = match http::Method::from_bytes(message.method.as_bytes()) {
            Ok(method) => method,
            Err(_) => {
                return Response {
                    failure: Some(Failure::Request),
                    error: Some(format!("`{}` is not an HTTP method", message.method)),
                    ..Response::default()
                };
            }
        };
        let request = DeliveryRequest::new(method, message.url.clone(), message.body.clone())
            .with_id(message.id.clone())
            .with_headers(message.headers.iter().cloned());
        response_of(&client.deliver(&request).await)
    }
}

/// The outbox's view of a one-attempt delivery report.
fn response_of(report: &DeliveryReport) -> Response {
    let last = report.attempt_log.last();
    let mut response = Response {
        address: last.and_then(|a| a.address).map(|a| a.to_string()),
        retry_after: last
            .and_then(|a| a.retry_after_ms)
            .map(Duration::from_millis),
        ..Response::default()
    };
    match &report.outcome {
        Outcome::Delivered { status, .. } => response.status = Some(*status),
        Outcome::Denied(denied) => {
            response.failure = Some(Failure::Denied);
            response.error = Some(denied.to_string());
        }
        Outcome::Failed {
            kind,
            error,
            status,
            ..
        } => {
            response.status = *status;
            response.error = Some(error.clone());
            response.failure = Some(match kind {
                FailureKind::Request => Failure::Request,
                FailureKind::Resolve => Failure::Resolve,
                FailureKind::Connect => Failure::Connect,
                FailureKind::Timeout => Failure::Timeout,
                FailureKind::Status | FailureKind::Redirect => Failure::Status,
                _ if status.is_some() => Failure::Status,
                _ => Failure::Transport,
            });
        }
        other => {
            response.failure = Some(Failure::Transport);
            response.error = Some(format!("unexpected delivery outcome: {other:?}"));
        }
    }
    response
}
