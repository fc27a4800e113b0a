//! The example end to end: a consumer and the provider on 127.0.0.1 (its outbox a SQLite file in
//! a temporary directory, its worker in the same process), a `startJob` request with a
//! `progressUrl` pointing at the consumer, and the callbacks that follow: stored before the
//! `202`, delivered, signed, verified, their payloads valid. Every connection goes to 127.0.0.1;
//! the consumer's address is the only one the provider's policy allows (besides public https
//! URLs, which no test uses).
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use callback_delivery::{DeliveryOptions, SigningSecret, UrlPolicy};
use callback_demo::consumer::{Consumer, ConsumerConfig, Received};
use callback_demo::provider::{OPERATION, Provider, ProviderConfig, ProviderEvent};
use callback_outbox::{AttemptOutcome, AttemptReport, Enqueued, Outbox, Schedule, Skipped};
use oas_callbacks::Document;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for one callback before it fails.
const WAIT: Duration = Duration::from_secs(15);

fn doc() -> Document {
    Document::load(callback_demo::api_path()).unwrap()
}

fn secret() -> SigningSecret {
    callback_demo::DEMO_SECRET.parse().unwrap()
}

/// Short timeouts, 127.0.0.1 allowed.
fn delivery() -> DeliveryOptions {
    DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse().unwrap()))
        .with_connect_timeout(Duration::from_secs(1))
        .with_timeout(Duration::from_secs(2))
}

/// Steps 300 ms apart; retries after 20, 40 and 80 ms (±20 %); signed with the demo secret.
fn provider_config(delivery: DeliveryOptions) -> ProviderConfig {
    ProviderConfig {
        secret: Some(secret()),
        schedule: Schedule::new([20, 40, 80].map(Duration::from_millis)).unwrap(),
        poll_interval: Duration::from_millis(20),
        step_interval: Duration::from_millis(300),
        ..ProviderConfig::new(delivery)
    }
}

/// Steps far enough apart (1.5 s) that the retries of one are over before the next is due, on
/// a busy machine too.
fn retrying(config: ProviderConfig) -> ProviderConfig {
    ProviderConfig {
        step_interval: Duration::from_millis(1500),
        ..config
    }
}

/// A consumer and a provider, each served on its own 127.0.0.1 port, and the provider's
/// worker.
struct Demo {
    consumer: SocketAddr,
    provider: SocketAddr,
    outbox: Outbox,
    received: UnboundedReceiver<Received>,
    events: UnboundedReceiver<ProviderEvent>,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.shutdown.cancel();
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn serve(router: axum::Router) -> (SocketAddr, JoinHandle<()>) {
    let listener = callback_demo::bind_loopback("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (addr, task)
}

impl Demo {
    async fn start(consumer: ConsumerConfig, provider: ProviderConfig) -> Self {
        Self::start_with(secret(), consumer, provider).await
    }

    async fn start_with(
        consumer_secret: SigningSecret,
        consumer: ConsumerConfig,
        provider: ProviderConfig,
    ) -> Self {
        let (received_tx, received) = tokio::sync::mpsc::unbounded_channel();
        let consumer = Arc::new(Consumer::new(
            consumer_secret,
            Some(doc()),
            consumer,
            received_tx,
        ));
        let (consumer_addr, consumer_task) = serve(consumer.router()).await;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("callbacks.db").display());
        let outbox = Outbox::connect(&url).await.unwrap();
        let (events_tx, events) = tokio::sync::mpsc::unbounded_channel();
        let provider = Arc::new(Provider::new(doc(), outbox.clone(), provider, events_tx).unwrap());
        let shutdown = CancellationToken::new();
        let worker = provider.worker().run(shutdown.clone());
        let worker_task = tokio::spawn(async move {
            worker.await.unwrap();
        });
        let (provider_addr, provider_task) = serve(provider.router()).await;
        Self {
            consumer: consumer_addr,
            provider: provider_addr,
            outbox,
            received,
            events,
            shutdown,
            tasks: vec![consumer_task, provider_task, worker_task],
            _dir: dir,
        }
    }

    fn consumer_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.consumer)
    }

    /// `POST /jobs/{job}/start`, with `progressUrl` when given; the status and the JSON body.
    async fn start_job(&self, job: &str, progress_url: Option<&str>) -> (u16, Value) {
        let body =
            json!({"scene": "teapot", "notify": {"url": self.consumer_url("/done")}}).to_string();
        let mut request = format!(
            "POST /jobs/{job}/start HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.provider,
            body.len()
        );
        if let Some(url) = progress_url {
            request.push_str(&format!("progressUrl: {url}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        let mut stream = TcpStream::connect(self.provider).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        tokio::time::timeout(WAIT, stream.read_to_string(&mut response))
            .await
            .unwrap()
            .unwrap();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap();
        let (_, body) = response.split_once("\r\n\r\n").unwrap();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    async fn next_received(&mut self) -> Received {
        tokio::time::timeout(WAIT, self.received.recv())
            .await
            .expect("the consumer received nothing in time")
            .unwrap()
    }

    async fn next_event(&mut self) -> ProviderEvent {
        tokio::time::timeout(WAIT, self.events.recv())
            .await
            .expect("the provider reported nothing in time")
            .unwrap()
    }

    /// The job's `accepted` event: what was stored before the `202` left.
    async fn accepted(&mut self) -> (Vec<Enqueued>, Vec<Skipped>) {
        match self.next_event().await {
            ProviderEvent::Accepted {
                status,
                enqueued,
                skipped,
                ..
            } => {
                assert_eq!(status, 202);
                (enqueued, skipped)
            }
            other => panic!("not an accepted job: {other:?}"),
        }
    }

    /// The next `count` delivery attempts.
    async fn attempts(&mut self, count: usize) -> Vec<AttemptReport> {
        let mut attempts = Vec::new();
        while attempts.len() < count {
            match self.next_event().await {
                ProviderEvent::Attempt(attempt) => attempts.push(attempt),
                other => panic!("not an attempt: {other:?}"),
            }
        }
        attempts
    }
}

/// The payload's violations of the callback's schema, checked here too (not only by the provider
/// and the consumer).
fn violations(callback: &str, payload: &Value) -> Vec<String> {
    let doc = doc();
    let op = doc.operation(OPERATION).unwrap();
    doc.validate_callback_payload(op, callback, Some("POST"), payload)
        .unwrap()
        .into_iter()
        .map(|v| format!("{}: {}", v.pointer, v.message))
        .collect()
}

fn delivered(attempt: &AttemptReport) -> (u16, u32) {
    assert_eq!(attempt.outcome, AttemptOutcome::Delivered, "{attempt:?}");
    (attempt.status.unwrap(), attempt.attempt)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_and_completion_are_delivered_signed_and_valid() {
    let mut demo = Demo::start(ConsumerConfig::default(), provider_config(delivery())).await;
    let progress_url = demo.consumer_url("/progress/42");
    let (status, accepted) = demo.start_job("42", Some(&progress_url)).await;
    assert_eq!(status, 202);
    assert_eq!(accepted["state"], "queued");
    let ticket = accepted["ticket"].as_str().unwrap().to_owned();
    // With the 202 in hand, the four callbacks are in the outbox.
    assert_eq!(
        demo.outbox.list(&Default::default()).await.unwrap().len(),
        4
    );
    let (enqueued, skipped) = demo.accepted().await;
    assert_eq!(enqueued.len(), 4);
    assert!(skipped.is_empty());

    // The consumer: three progress callbacks, then the completion, each verified and valid.
    let mut received = Vec::new();
    for _ in 0..4 {
        received.push(demo.next_received().await);
    }
    for (r, percent) in received[..3].iter().zip([0, 50, 100]) {
        assert_eq!(r.target, "/progress/42");
        assert_eq!(r.callback.as_deref(), Some("progress"));
        assert!(r.verified, "signature: {:?}", r.signature_error);
        assert_eq!(
            r.violations.as_deref(),
            Some(&[][..]),
            "checked by the consumer"
        );
        assert_eq!(violations("progress", &r.payload), Vec::<String>::new());
        assert_eq!(r.payload["jobId"], "42");
        assert_eq!(r.payload["percent"], percent);
        assert_eq!(r.status, 200);
        assert!(r.accepted());
    }
    let done = &received[3];
    assert_eq!(done.target, format!("/done?job=42&ticket={ticket}"));
    assert!(done.verified);
    assert_eq!(
        violations("completion", &done.payload),
        Vec::<String>::new()
    );
    assert_eq!(done.status, 204);

    // The provider: four deliveries, first time, with the ids the consumer saw, the ids
    // enqueue gave.
    let attempts = demo.attempts(4).await;
    for ((attempt, r), stored) in attempts.iter().zip(&received).zip(&enqueued) {
        assert_eq!(delivered(attempt).1, 1);
        assert_eq!(r.webhook_id.as_deref(), Some(attempt.id.as_str()));
        assert_eq!(attempt.id, stored.id);
    }
    assert_eq!(delivered(&attempts[3]).0, 204);
    assert_eq!(attempts[3].callback, "completion");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_is_retried_with_the_same_webhook_id() {
    let consumer = ConsumerConfig {
        fail_first: 2,
        ..ConsumerConfig::default()
    };
    let mut demo = Demo::start(consumer, retrying(provider_config(delivery()))).await;
    let progress_url = demo.consumer_url("/progress/7");
    assert_eq!(demo.start_job("7", Some(&progress_url)).await.0, 202);
    demo.accepted().await;

    let first: Vec<Received> = vec![
        demo.next_received().await,
        demo.next_received().await,
        demo.next_received().await,
    ];
    assert_eq!(
        first.iter().map(|r| r.status).collect::<Vec<_>>(),
        [503, 503, 200]
    );
    assert!(first.iter().all(|r| r.verified));
    assert!(
        first
            .iter()
            .all(|r| r.webhook_id.is_some() && r.webhook_id == first[0].webhook_id),
        "one idempotency key across retries"
    );

    let attempts = demo.attempts(3).await;
    assert!(attempts.iter().all(|a| a.id == attempts[0].id));
    assert_eq!(
        attempts.iter().map(|a| a.outcome).collect::<Vec<_>>(),
        [
            AttemptOutcome::Retry,
            AttemptOutcome::Retry,
            AttemptOutcome::Delivered
        ]
    );
    assert_eq!(attempts[0].status, Some(503));
    assert_eq!(attempts[0].error_kind, Some("status"));
    assert!(attempts[0].next_attempt_at.is_some());
    assert_eq!(delivered(&attempts[2]), (200, 3));
    // Every attempt is a row in the outbox, for the operator.
    let detail = demo.outbox.get(&attempts[0].id).await.unwrap().unwrap();
    assert_eq!(detail.attempt_log.len(), 3);
    assert_eq!(detail.message.attempts, 3);
    demo.attempts(3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_attempt_times_out_and_is_retried() {
    let consumer = ConsumerConfig {
        stall_first: Some((1, Duration::from_secs(3))),
        ..ConsumerConfig::default()
    };
    let options = delivery().with_timeout(Duration::from_millis(300));
    let mut demo = Demo::start(consumer, retrying(provider_config(options))).await;
    let progress_url = demo.consumer_url("/progress/8");
    let started = Instant::now();
    assert_eq!(demo.start_job("8", Some(&progress_url)).await.0, 202);
    demo.accepted().await;

    let attempts = demo.attempts(2).await;
    let first = &attempts[0];
    assert_eq!(first.outcome, AttemptOutcome::Retry);
    assert_eq!(first.error_kind, Some("timeout"));
    assert!(
        (250..2000).contains(&first.elapsed_ms),
        "bounded by the 300 ms timeout: {first:?}"
    );
    assert_eq!(attempts[1].id, first.id);
    assert_eq!(delivered(&attempts[1]), (200, 2));
    // The first attempt began one step (1.5 s) after the start; the consumer holds it 3 s.
    assert!(
        started.elapsed() < Duration::from_millis(1500 + 3000),
        "not waiting for the stalled consumer"
    );
    // The retry reached the consumer with the same id.
    let retried = loop {
        let r = demo.next_received().await;
        if r.number == 2 {
            break r;
        }
    };
    assert_eq!(retried.webhook_id.as_deref(), Some(first.id.as_str()));
    assert!(retried.verified);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_progress_url_progress_is_skipped_and_completion_still_sent() {
    let mut demo = Demo::start(ConsumerConfig::default(), provider_config(delivery())).await;
    assert_eq!(demo.start_job("9", None).await.0, 202);
    let (enqueued, skipped) = demo.accepted().await;
    assert_eq!(enqueued.len(), 1, "the completion only");
    assert_eq!(skipped.len(), 3);
    for skip in &skipped {
        assert_eq!(skip.callback, "progress");
        assert!(skip.reason.contains("progressUrl"), "{skip:?}");
    }
    let attempt = &demo.attempts(1).await[0];
    assert_eq!(attempt.callback, "completion");
    assert_eq!(delivered(attempt).0, 204);
    let only = demo.next_received().await;
    assert_eq!(only.callback.as_deref(), Some("completion"));
    assert!(only.verified);
    let messages = demo.outbox.list(&Default::default()).await.unwrap();
    assert_eq!(messages.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_payload_is_not_sent() {
    let mut config = provider_config(delivery());
    config.steps = vec![
        (10, "running".to_owned()),
        (140, "sleeping".to_owned()),
        (100, "done".to_owned()),
    ];
    let mut demo = Demo::start(ConsumerConfig::default(), config).await;
    let progress_url = demo.consumer_url("/progress/10");
    assert_eq!(demo.start_job("10", Some(&progress_url)).await.0, 202);
    match demo.next_event().await {
        ProviderEvent::InvalidPayload {
            callback,
            pointers,
            payload,
            ..
        } => {
            assert_eq!(callback, "progress");
            assert_eq!(pointers, ["/percent", "/state"]);
            assert_eq!(payload["percent"], 140);
        }
        other => panic!("sent an invalid payload: {other:?}"),
    }
    let (enqueued, _) = demo.accepted().await;
    assert_eq!(enqueued.len(), 3, "10 %, 100 % and the completion");
    let attempts = demo.attempts(3).await;
    assert_eq!(delivered(&attempts[0]).1, 1);
    assert_eq!(delivered(&attempts[1]).1, 1);
    assert_eq!(delivered(&attempts[2]).0, 204);
    // The consumer saw 10 %, 100 % and the completion, never 140 %.
    let percents: Vec<Value> = [
        demo.next_received().await,
        demo.next_received().await,
        demo.next_received().await,
    ]
    .iter()
    .map(|r| r.payload["percent"].clone())
    .collect();
    assert_eq!(percents, [json!(10), json!(100), Value::Null]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_policy_refuses_a_loopback_callback_without_connecting() {
    // No allow-list (http allowed, so that the address decides): the consumer's 127.0.0.1
    // address is refused before any connection, and the message is dead at once.
    let options = delivery().with_policy(UrlPolicy::default().with_http(true));
    let mut demo = Demo::start(ConsumerConfig::default(), provider_config(options)).await;
    let progress_url = demo.consumer_url("/progress/11");
    assert_eq!(demo.start_job("11", Some(&progress_url)).await.0, 202);
    demo.accepted().await;
    for attempt in demo.attempts(4).await {
        assert_eq!(attempt.outcome, AttemptOutcome::Dead, "{attempt:?}");
        assert_eq!(attempt.error_kind, Some("denied"));
        assert!(
            attempt.error.as_deref().unwrap().contains("loopback"),
            "{attempt:?}"
        );
        assert_eq!(attempt.status, None, "no connection");
    }
    let nothing = tokio::time::timeout(Duration::from_millis(200), demo.received.recv()).await;
    assert!(nothing.is_err(), "the consumer was reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_signature_is_refused_by_the_consumer_and_not_retried() {
    let other: SigningSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse().unwrap();
    let mut demo = Demo::start_with(
        other,
        ConsumerConfig::default(),
        provider_config(delivery()),
    )
    .await;
    let progress_url = demo.consumer_url("/progress/12");
    assert_eq!(demo.start_job("12", Some(&progress_url)).await.0, 202);
    demo.accepted().await;
    let r = demo.next_received().await;
    assert!(!r.verified);
    assert_eq!(r.status, 401);
    let attempt = &demo.attempts(1).await[0];
    assert_eq!(attempt.outcome, AttemptOutcome::Dead);
    assert_eq!(attempt.status, Some(401));
    assert_eq!(
        attempt.attempt, 1,
        "a 4xx other than 408 and 429 is not retried"
    );
}
