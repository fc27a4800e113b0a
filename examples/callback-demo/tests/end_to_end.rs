//! The example end to end: a consumer and the provider on 127.0.0.1, a `startJob` request with a
//! `progressUrl` pointing at the consumer, and the callbacks that follow: delivered, signed,
//! verified, their payloads valid. Every connection goes to 127.0.0.1; the consumer's address is
//! the only one the provider's policy allows (besides public https URLs, which no test uses).
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use callback_delivery::{
    DeliveryOptions, DenyRule, FailureKind, Outcome, RetryPolicy, SigningSecret, UrlPolicy,
};
use callback_demo::consumer::{Consumer, ConsumerConfig, Received};
use callback_demo::provider::{CallbackEvent, CallbackResult, OPERATION, Provider, ProviderConfig};
use oas_callbacks::Document;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

/// How long a test waits for one callback before it fails.
const WAIT: Duration = Duration::from_secs(15);

fn doc() -> Document {
    Document::load(callback_demo::api_path()).unwrap()
}

fn secret() -> SigningSecret {
    callback_demo::DEMO_SECRET.parse().unwrap()
}

/// Short timeouts and backoffs, 127.0.0.1 allowed, signed with the demo secret.
fn delivery() -> DeliveryOptions {
    DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse().unwrap()))
        .with_secret(secret())
        .with_connect_timeout(Duration::from_secs(1))
        .with_timeout(Duration::from_secs(2))
        .with_deadline(Duration::from_secs(10))
        .with_retry(
            RetryPolicy::default()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(20))
                .with_max_backoff(Duration::from_millis(100))
                .with_max_retry_after(Duration::from_secs(1)),
        )
}

fn provider_config(delivery: DeliveryOptions) -> ProviderConfig {
    ProviderConfig {
        step_interval: Duration::from_millis(10),
        ..ProviderConfig::new(delivery)
    }
}

/// A consumer and a provider, each served on its own 127.0.0.1 port.
struct Demo {
    consumer: SocketAddr,
    provider: SocketAddr,
    received: UnboundedReceiver<Received>,
    events: UnboundedReceiver<CallbackEvent>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Demo {
    fn drop(&mut self) {
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
        let (events_tx, events) = tokio::sync::mpsc::unbounded_channel();
        let provider = Arc::new(Provider::new(doc(), provider, events_tx).unwrap());
        let (provider_addr, provider_task) = serve(provider.router()).await;
        Self {
            consumer: consumer_addr,
            provider: provider_addr,
            received,
            events,
            tasks: vec![consumer_task, provider_task],
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

    async fn next_event(&mut self) -> CallbackEvent {
        tokio::time::timeout(WAIT, self.events.recv())
            .await
            .expect("the provider reported nothing in time")
            .unwrap()
    }

    /// The provider's events for one job: the progress steps and the completion.
    async fn events(&mut self, count: usize) -> Vec<CallbackEvent> {
        let mut events = Vec::new();
        for _ in 0..count {
            events.push(self.next_event().await);
        }
        events
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

fn delivered(event: &CallbackEvent) -> (u16, u32) {
    match &event.report().expect("sent").outcome {
        Outcome::Delivered { status, attempts } => (*status, *attempts),
        other => panic!("not delivered: {other:?}"),
    }
}

#[tokio::test]
async fn progress_and_completion_are_delivered_signed_and_valid() {
    let mut demo = Demo::start(ConsumerConfig::default(), provider_config(delivery())).await;
    let progress_url = demo.consumer_url("/progress/42");
    let (status, accepted) = demo.start_job("42", Some(&progress_url)).await;
    assert_eq!(status, 202);
    assert_eq!(accepted["state"], "queued");
    let ticket = accepted["ticket"].as_str().unwrap().to_owned();

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

    // The provider: four deliveries, first time, the ids the consumer saw.
    let events = demo.events(4).await;
    for (event, r) in events.iter().zip(&received) {
        assert_eq!(delivered(event).1, 1);
        let report = event.report().unwrap();
        assert_eq!(r.webhook_id.as_deref(), Some(report.webhook_id.as_str()));
        assert_eq!(event.payload, r.payload);
        let target = report.target.as_ref().unwrap();
        assert_eq!(target.allowed_by().unwrap().to_string(), "127.0.0.1/32");
    }
    assert_eq!(delivered(&events[3]).0, 204);
}

#[tokio::test]
async fn a_503_is_retried_with_the_same_webhook_id() {
    let consumer = ConsumerConfig {
        fail_first: 2,
        ..ConsumerConfig::default()
    };
    let mut demo = Demo::start(consumer, provider_config(delivery())).await;
    let progress_url = demo.consumer_url("/progress/7");
    assert_eq!(demo.start_job("7", Some(&progress_url)).await.0, 202);

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

    let event = demo.next_event().await;
    assert_eq!(delivered(&event), (200, 3));
    let log = &event.report().unwrap().attempt_log;
    assert_eq!(log[0].status, Some(503));
    assert_eq!(log[0].error_kind, Some(FailureKind::Status));
    // Full jitter under a 20 ms, then 40 ms ceiling.
    assert!(log[0].backoff_ms.unwrap() <= 20);
    assert!(log[1].backoff_ms.unwrap() <= 40);
    assert_eq!(log[2].status, Some(200));
    demo.events(3).await;
}

#[tokio::test]
async fn a_stalled_attempt_times_out_and_is_retried() {
    let consumer = ConsumerConfig {
        stall_first: Some((1, Duration::from_secs(3))),
        ..ConsumerConfig::default()
    };
    let options = delivery().with_timeout(Duration::from_millis(300));
    let mut demo = Demo::start(consumer, provider_config(options)).await;
    let progress_url = demo.consumer_url("/progress/8");
    let started = Instant::now();
    assert_eq!(demo.start_job("8", Some(&progress_url)).await.0, 202);

    let event = demo.next_event().await;
    let report = event.report().unwrap();
    assert_eq!(delivered(&event), (200, 2));
    let first = &report.attempt_log[0];
    assert_eq!(first.error_kind, Some(FailureKind::Timeout));
    assert!(
        (250..2000).contains(&first.elapsed_ms),
        "bounded by the 300 ms timeout: {first:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not waiting for the stalled consumer"
    );
    // The retry reached the consumer with the same id.
    let retried = loop {
        let r = demo.next_received().await;
        if r.number == 2 {
            break r;
        }
    };
    assert_eq!(
        retried.webhook_id.as_deref(),
        Some(report.webhook_id.as_str())
    );
    assert!(retried.verified);
}

#[tokio::test]
async fn without_progress_url_progress_is_skipped_and_completion_still_sent() {
    let mut demo = Demo::start(ConsumerConfig::default(), provider_config(delivery())).await;
    assert_eq!(demo.start_job("9", None).await.0, 202);
    let events = demo.events(4).await;
    for event in &events[..3] {
        assert_eq!(event.callback(), "progress");
        assert!(
            matches!(event.result(), CallbackResult::Skipped { reason } if reason.to_string().contains("progressUrl")),
            "{event:?}"
        );
    }
    assert_eq!(events[3].callback(), "completion");
    assert_eq!(delivered(&events[3]).0, 204);
    let only = demo.next_received().await;
    assert_eq!(only.callback.as_deref(), Some("completion"));
    assert!(only.verified);
}

#[tokio::test]
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
    let events = demo.events(4).await;
    assert_eq!(delivered(&events[0]).1, 1);
    match events[1].result() {
        CallbackResult::InvalidPayload { violations, .. } => {
            let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
            assert_eq!(pointers, ["/percent", "/state"]);
        }
        other => panic!("sent an invalid payload: {other:?}"),
    }
    assert_eq!(delivered(&events[2]).1, 1);
    assert_eq!(delivered(&events[3]).0, 204);
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

#[tokio::test]
async fn the_default_policy_refuses_a_loopback_callback_without_connecting() {
    // No allow-list (http allowed, so that the address decides): the consumer's 127.0.0.1
    // address is refused before any connection.
    let options = delivery().with_policy(UrlPolicy::default().with_http(true));
    let mut demo = Demo::start(ConsumerConfig::default(), provider_config(options)).await;
    let progress_url = demo.consumer_url("/progress/11");
    assert_eq!(demo.start_job("11", Some(&progress_url)).await.0, 202);
    for event in demo.events(4).await {
        let report = event.report().unwrap();
        match &report.outcome {
            Outcome::Denied(denied) => assert_eq!(denied.rule, DenyRule::Loopback),
            other => panic!("not denied: {other:?}"),
        }
        assert!(report.attempt_log.is_empty());
    }
    let nothing = tokio::time::timeout(Duration::from_millis(200), demo.received.recv()).await;
    assert!(nothing.is_err(), "the consumer was reached");
}

#[tokio::test]
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
    let r = demo.next_received().await;
    assert!(!r.verified);
    assert_eq!(r.status, 401);
    let event = demo.next_event().await;
    match &event.report().unwrap().outcome {
        Outcome::Failed {
            status, attempts, ..
        } => {
            assert_eq!(*status, Some(401));
            assert_eq!(*attempts, 1, "a 4xx other than 408 and 429 is not retried");
        }
        other => panic!("{other:?}"),
    }
}
