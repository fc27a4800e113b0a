//! The delivery client against tiny consumers on 127.0.0.1, explicitly allow-listed. No test here
//! sends anything to another address, and no name is looked up (a static table stands in for DNS).
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use callback_delivery::signing::{DEFAULT_TOLERANCE, verify_headers};
use callback_delivery::{
    Deliverer, DeliveryOptions, DeliveryRequest, DenyRule, FailureKind, Outcome, Resolve,
    Resolving, RetryPolicy, SigningSecret, StaticResolver, UrlPolicy,
};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A request as the consumer saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: HeaderMap,
    body: Bytes,
    at: Instant,
    /// Whether the Standard Webhooks signature verified.
    verified: bool,
}

/// A consumer on 127.0.0.1 answering with `answer(n)` for its n-th request (1-based).
struct Consumer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl Consumer {
    async fn start(
        answer: impl Fn(usize) -> Response<Full<Bytes>> + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let secret: Arc<SigningSecret> = Arc::new(SECRET.parse().unwrap());
        let task = tokio::spawn({
            let seen = seen.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (seen, answer, secret) = (seen.clone(), answer.clone(), secret.clone());
                    tokio::spawn(async move {
                        let service = service_fn(move |req: Request<Incoming>| {
                            let (seen, answer, secret) =
                                (seen.clone(), answer.clone(), secret.clone());
                            async move {
                                let (parts, body) = req.into_parts();
                                let body = body.collect().await.unwrap().to_bytes();
                                let verified = verify_headers(
                                    &secret,
                                    &parts.headers,
                                    &body,
                                    DEFAULT_TOLERANCE,
                                )
                                .is_ok();
                                let n = {
                                    let mut seen = seen.lock().unwrap();
                                    seen.push(Seen {
                                        method: parts.method.to_string(),
                                        path: parts.uri.path().to_owned(),
                                        headers: parts.headers,
                                        body,
                                        at: Instant::now(),
                                        verified,
                                    });
                                    seen.len()
                                };
                                Ok::<_, Infallible>(answer(n))
                            }
                        });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        });
        Self { addr, seen, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn status(code: u16) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap())
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap()
}

/// Options for tests: 127.0.0.1 allowed, short timeouts and backoffs, signing on.
fn options() -> DeliveryOptions {
    DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse().unwrap()))
        .with_connect_timeout(Duration::from_secs(1))
        .with_timeout(Duration::from_secs(2))
        .with_deadline(Duration::from_secs(10))
        .with_retry(retry())
        .with_max_response_body(1024)
        .with_secret(SECRET.parse::<SigningSecret>().unwrap())
}

/// The retries of [`options`]: 4 attempts, 20 ms doubling up to 80 ms, Retry-After up to 2 s.
fn retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_millis(80))
        .with_max_retry_after(Duration::from_secs(2))
}

fn payload(url: &str) -> DeliveryRequest {
    DeliveryRequest::json(url, &serde_json::json!({"jobId": "j-1", "progress": 40}))
}

/// Never resolves anything: fails every lookup (the client must not need one for IP literals).
struct NoResolver;

impl Resolve for NoResolver {
    fn resolve<'a>(&'a self, host: &'a str, _port: u16) -> Resolving<'a> {
        Box::pin(async move { panic!("no lookup expected, asked for {host}") })
    }
}

fn deliverer(options: DeliveryOptions) -> Deliverer {
    Deliverer::new(options).unwrap().with_resolver(NoResolver)
}

#[tokio::test]
async fn a_delivery_that_succeeds() {
    let consumer = Consumer::start(|_| status(200)).await;
    let request = payload(&consumer.url("/progress")).with_header("x-trace", "t-1");
    let report = deliverer(options()).deliver(&request).await;

    assert_eq!(
        report.outcome,
        Outcome::Delivered {
            status: 200,
            attempts: 1
        }
    );
    assert_eq!(report.attempt_log.len(), 1);
    assert_eq!(report.attempt_log[0].address, Some(consumer.addr));
    let seen = consumer.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/progress");
    assert_eq!(seen[0].body, r#"{"jobId":"j-1","progress":40}"#);
    assert_eq!(seen[0].headers["content-type"], "application/json");
    assert_eq!(seen[0].headers["x-trace"], "t-1");
    assert_eq!(seen[0].headers["webhook-id"], report.webhook_id.as_str());
    assert!(seen[0].verified, "the consumer verifies the signature");

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcome"], "delivered");
    assert_eq!(json["status"], 200);
    assert_eq!(json["attempts"], 1);
    assert_eq!(json["target"]["allowed_by"], "127.0.0.1/32");
    assert_eq!(json["attempt_log"][0]["status"], 200);
    assert_eq!(json["attempt_log"][0]["address"], consumer.addr.to_string());
}

#[tokio::test]
async fn the_signature_is_verified_and_a_wrong_secret_is_not() {
    let consumer = Consumer::start(|_| status(204)).await;
    let wrong =
        options().with_secret(SigningSecret::from_bytes(*b"another key, twenty-four+").unwrap());
    let report = deliverer(wrong).deliver(&payload(&consumer.url("/"))).await;
    assert!(report.is_delivered());
    let report = deliverer(options())
        .deliver(&DeliveryRequest::new(
            http::Method::PUT,
            consumer.url("/put"),
            "plain body",
        ))
        .await;
    assert_eq!(
        report.outcome,
        Outcome::Delivered {
            status: 204,
            attempts: 1
        }
    );
    let seen = consumer.seen();
    assert!(!seen[0].verified, "signed with another secret");
    assert!(seen[1].verified);
    assert_eq!(seen[1].method, "PUT");
    assert_eq!(seen[1].body, "plain body");
}

#[tokio::test]
async fn a_503_then_200_is_retried_with_the_same_idempotency_key() {
    let consumer = Consumer::start(|n| status(if n <= 2 { 503 } else { 200 })).await;
    let report = deliverer(options())
        .deliver(&payload(&consumer.url("/cb")))
        .await;

    assert_eq!(
        report.outcome,
        Outcome::Delivered {
            status: 200,
            attempts: 3
        }
    );
    let statuses: Vec<_> = report.attempt_log.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
    // Waits were drawn from [0, ceiling): 20 ms, then 40 ms.
    assert!(report.attempt_log[0].backoff_ms.unwrap() <= 20);
    assert!(report.attempt_log[1].backoff_ms.unwrap() <= 40);
    assert_eq!(report.attempt_log[2].backoff_ms, None);

    let seen = consumer.seen();
    assert_eq!(seen.len(), 3);
    for request in &seen {
        assert_eq!(request.headers["webhook-id"], report.webhook_id.as_str());
        assert!(request.verified);
    }
}

#[tokio::test]
async fn a_given_id_is_kept() {
    let consumer = Consumer::start(|n| status(if n == 1 { 500 } else { 200 })).await;
    let request = payload(&consumer.url("/")).with_id("msg_fixed_1");
    let report = deliverer(options()).deliver(&request).await;
    assert_eq!(report.webhook_id, "msg_fixed_1");
    let ids: Vec<_> = consumer
        .seen()
        .iter()
        .map(|s| s.headers["webhook-id"].clone())
        .collect();
    assert_eq!(ids, ["msg_fixed_1", "msg_fixed_1"]);
}

#[tokio::test]
async fn a_429_with_retry_after_is_honoured() {
    let consumer = Consumer::start(|n| {
        if n == 1 {
            Response::builder()
                .status(429)
                .header("retry-after", "1")
                .body(Full::new(Bytes::new()))
                .unwrap()
        } else {
            status(200)
        }
    })
    .await;
    let report = deliverer(options())
        .deliver(&payload(&consumer.url("/")))
        .await;

    assert_eq!(
        report.outcome,
        Outcome::Delivered {
            status: 200,
            attempts: 2
        }
    );
    assert_eq!(report.attempt_log[0].status, Some(429));
    assert_eq!(report.attempt_log[0].retry_after_ms, Some(1000));
    assert_eq!(report.attempt_log[0].backoff_ms, Some(1000));
    let seen = consumer.seen();
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_millis(950), "waited {gap:?}");
    assert!(gap < Duration::from_millis(1900), "waited {gap:?}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_not_waited_for() {
    let consumer = Consumer::start(|_| {
        Response::builder()
            .status(503)
            .header("retry-after", "3600")
            .body(Full::new(Bytes::new()))
            .unwrap()
    })
    .await;
    let started = Instant::now();
    let report = deliverer(options())
        .deliver(&payload(&consumer.url("/")))
        .await;
    assert!(started.elapsed() < Duration::from_secs(1));
    match &report.outcome {
        Outcome::Failed {
            kind,
            status,
            attempts,
            error,
        } => {
            assert_eq!(
                (*kind, *status, *attempts),
                (FailureKind::RetryAfterTooLong, Some(503), 1)
            );
            assert!(error.contains("3600"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(consumer.seen().len(), 1);
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let consumer = Consumer::start(|_| status(400)).await;
    let report = deliverer(options())
        .deliver(&payload(&consumer.url("/")))
        .await;
    match &report.outcome {
        Outcome::Failed {
            kind,
            status,
            attempts,
            ..
        } => {
            assert_eq!(
                (*kind, *status, *attempts),
                (FailureKind::Status, Some(400), 1)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(consumer.seen().len(), 1);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcome"], "failed");
    assert_eq!(json["kind"], "status");
    assert_eq!(json["error"], "HTTP 400 Bad Request (not retried)");
}

#[tokio::test]
async fn every_5xx_408_and_429_is_retried_until_the_attempts_run_out() {
    for code in [408, 429, 500, 502, 504] {
        let consumer = Consumer::start(move |_| status(code)).await;
        let report = deliverer(options())
            .deliver(&payload(&consumer.url("/")))
            .await;
        match &report.outcome {
            Outcome::Failed {
                kind,
                status,
                attempts,
                ..
            } => {
                assert_eq!(
                    (*kind, *status, *attempts),
                    (FailureKind::Status, Some(code), 4)
                );
            }
            other => panic!("{code}: {other:?}"),
        }
        assert_eq!(consumer.seen().len(), 4, "{code}");
    }
    for code in [401, 403, 404, 409, 422] {
        let consumer = Consumer::start(move |_| status(code)).await;
        let report = deliverer(options())
            .deliver(&payload(&consumer.url("/")))
            .await;
        assert_eq!(report.attempt_log.len(), 1, "{code}");
    }
}

#[tokio::test]
async fn a_consumer_that_never_answers_is_bounded_by_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let task = tokio::spawn({
        let accepted = accepted.clone();
        async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                held.push(stream); // read nothing, answer nothing
            }
        }
    });
    let opts = options()
        .with_timeout(Duration::from_millis(300))
        .with_retry(retry().with_max_attempts(2));
    let started = Instant::now();
    let report = deliverer(opts)
        .deliver(&payload(&format!("http://{addr}/")))
        .await;
    let took = started.elapsed();
    task.abort();

    match &report.outcome {
        Outcome::Failed {
            kind,
            attempts,
            status,
            ..
        } => {
            assert_eq!((*kind, *attempts, *status), (FailureKind::Timeout, 2, None));
        }
        other => panic!("{other:?}"),
    }
    for attempt in &report.attempt_log {
        assert_eq!(attempt.error_kind, Some(FailureKind::Timeout));
        assert!((250..1000).contains(&attempt.elapsed_ms), "{attempt:?}");
    }
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "one connection per attempt"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried() {
    // A port nobody listens on (bound, then released).
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let report = deliverer(options())
        .deliver(&payload(&format!("http://{addr}/")))
        .await;
    match &report.outcome {
        Outcome::Failed { kind, attempts, .. } => {
            assert_eq!((*kind, *attempts), (FailureKind::Connect, 4));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        report
            .attempt_log
            .iter()
            .all(|a| a.error_kind == Some(FailureKind::Connect))
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let elsewhere = Consumer::start(|_| status(200)).await;
    let location = elsewhere.url("/elsewhere");
    let consumer = Consumer::start(move |_| {
        Response::builder()
            .status(302)
            .header("location", location.as_str())
            .body(Full::new(Bytes::new()))
            .unwrap()
    })
    .await;
    let report = deliverer(options())
        .deliver(&payload(&consumer.url("/")))
        .await;

    match &report.outcome {
        Outcome::Failed {
            kind,
            status,
            attempts,
            ..
        } => {
            assert_eq!(
                (*kind, *status, *attempts),
                (FailureKind::Redirect, Some(302), 1)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        report.attempt_log[0].location.as_deref(),
        Some(elsewhere.url("/elsewhere").as_str())
    );
    assert_eq!(consumer.seen().len(), 1);
    assert!(
        elsewhere.seen().is_empty(),
        "the redirect target was never called"
    );
}

#[tokio::test]
async fn an_oversized_response_is_read_up_to_the_cap() {
    // A raw server that announces 100 MB and writes until the client goes away.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 4096];
        let _ = stream.read(&mut request).await;
        let total: usize = 100 * 1024 * 1024;
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {total}\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b'x'; 64 * 1024];
        let mut written = 0;
        while written < total {
            match stream.write(&chunk).await {
                Ok(n) => written += n,
                Err(_) => break,
            }
        }
        written
    });
    let started = Instant::now();
    let report = deliverer(options())
        .deliver(&payload(&format!("http://{addr}/")))
        .await;
    let written = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        report.outcome,
        Outcome::Delivered {
            status: 200,
            attempts: 1
        }
    );
    let attempt = &report.attempt_log[0];
    assert!(attempt.response_truncated);
    assert_eq!(attempt.response_bytes, 1024);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        written < 100 * 1024 * 1024,
        "the client stopped reading ({written} bytes written)"
    );
}

#[tokio::test]
async fn a_small_response_is_read_whole() {
    let consumer =
        Consumer::start(|_| Response::new(Full::new(Bytes::from(vec![b'y'; 1000])))).await;
    let report = deliverer(options())
        .deliver(&payload(&consumer.url("/")))
        .await;
    assert_eq!(report.attempt_log[0].response_bytes, 1000);
    assert!(!report.attempt_log[0].response_truncated);
}

/// Counts lookups, and answers differently the second time (a rebinding attempt).
struct Rebinding {
    lookups: AtomicUsize,
    first: IpAddr,
}

impl Resolve for Rebinding {
    fn resolve<'a>(&'a self, _host: &'a str, _port: u16) -> Resolving<'a> {
        let n = self.lookups.fetch_add(1, Ordering::SeqCst);
        let answer = if n == 0 {
            self.first
        } else {
            "192.0.2.1".parse().unwrap()
        };
        Box::pin(async move { Ok(vec![answer]) })
    }
}

#[tokio::test]
async fn a_host_name_is_resolved_once_and_the_checked_address_is_used() {
    let consumer = Consumer::start(|n| status(if n == 1 { 503 } else { 200 })).await;
    let resolver = Arc::new(Rebinding {
        lookups: AtomicUsize::new(0),
        first: "127.0.0.1".parse().unwrap(),
    });
    let opts =
        options().with_policy(UrlPolicy::default().with_allowed("consumer.test".parse().unwrap()));
    let deliverer = Deliverer::new(opts)
        .unwrap()
        .with_resolver(resolver.clone());
    let url = format!("http://consumer.test:{}/cb", consumer.addr.port());
    let report = deliverer.deliver(&payload(&url)).await;

    assert_eq!(
        report.outcome,
        Outcome::Delivered {
            status: 200,
            attempts: 2
        }
    );
    assert_eq!(
        resolver.lookups.load(Ordering::SeqCst),
        1,
        "one lookup for all attempts"
    );
    assert!(
        report
            .attempt_log
            .iter()
            .all(|a| a.address == Some(consumer.addr))
    );
    let target = report.target.as_ref().unwrap();
    assert_eq!(target.addresses(), ["127.0.0.1".parse::<IpAddr>().unwrap()]);
    let seen = consumer.seen();
    assert_eq!(
        seen[0].headers["host"],
        format!("consumer.test:{}", consumer.addr.port()).as_str()
    );
}

#[tokio::test]
async fn a_name_resolving_to_a_refused_address_is_denied_without_a_connection() {
    // The name resolves to loopback, which is not allow-listed here: refused before connecting.
    let consumer = Consumer::start(|_| status(200)).await;
    let opts = options().with_policy(UrlPolicy::default().with_http(true));
    let deliverer = Deliverer::new(opts).unwrap().with_resolver(
        StaticResolver::new().with_name("sneaky.test", ["127.0.0.1".parse().unwrap()]),
    );
    let url = format!("http://sneaky.test:{}/", consumer.addr.port());
    let report = deliverer.deliver(&payload(&url)).await;
    match &report.outcome {
        Outcome::Denied(denied) => {
            assert_eq!(denied.rule, DenyRule::Loopback);
            assert_eq!(denied.host.as_deref(), Some("sneaky.test"));
        }
        other => panic!("{other:?}"),
    }
    assert!(report.attempt_log.is_empty());
    assert!(consumer.seen().is_empty());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcome"], "denied");
    assert_eq!(json["rule"], "loopback");

    // A name missing from the table fails to resolve; nothing is sent.
    let report = deliverer.deliver(&payload("https://unknown.test/")).await;
    assert!(matches!(
        report.outcome,
        Outcome::Failed {
            kind: FailureKind::Resolve,
            attempts: 0,
            ..
        }
    ));
}

#[tokio::test]
async fn a_loopback_url_that_is_not_allowed_is_denied() {
    let consumer = Consumer::start(|_| status(200)).await;
    let opts = options().with_policy(UrlPolicy::default().with_http(true));
    let report = deliverer(opts).deliver(&payload(&consumer.url("/"))).await;
    assert!(matches!(&report.outcome, Outcome::Denied(d) if d.rule == DenyRule::Loopback));
    assert!(consumer.seen().is_empty());
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_delivery() {
    let consumer = Consumer::start(|_| status(503)).await;
    let opts = options()
        .with_retry(
            retry()
                .with_max_attempts(100)
                .with_initial_backoff(Duration::from_millis(100))
                .with_max_backoff(Duration::from_millis(100)),
        )
        .with_deadline(Duration::from_millis(400));
    let started = Instant::now();
    let report = deliverer(opts).deliver(&payload(&consumer.url("/"))).await;
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert!(
        matches!(
            report.outcome,
            Outcome::Failed {
                kind: FailureKind::Deadline,
                ..
            }
        ),
        "{:?}",
        report.outcome
    );
    assert!(report.attempt_log.len() >= 2);
}

#[tokio::test]
async fn reserved_headers_are_the_clients_own() {
    let consumer = Consumer::start(|_| status(200)).await;
    let request = payload(&consumer.url("/"))
        .with_header("webhook-id", "forged")
        .with_header("Host", "evil.example")
        .with_header("content-type", "application/cloudevents+json");
    let report = deliverer(options()).deliver(&request).await;
    assert!(report.is_delivered());
    assert_eq!(report.ignored_headers, ["webhook-id", "host"]);
    let seen = consumer.seen();
    assert_eq!(seen[0].headers["webhook-id"], report.webhook_id.as_str());
    assert_eq!(seen[0].headers["host"], consumer.addr.to_string().as_str());
    assert_eq!(
        seen[0].headers["content-type"],
        "application/cloudevents+json"
    );
    assert!(seen[0].verified);

    let bad = payload(&consumer.url("/")).with_header("bad header", "x");
    let report = deliverer(options()).deliver(&bad).await;
    assert!(matches!(
        report.outcome,
        Outcome::Failed {
            kind: FailureKind::Request,
            attempts: 0,
            ..
        }
    ));
    assert_eq!(consumer.seen().len(), 1);
}

/// A consumer answering 200 on `addr`, counting the connections it accepted.
async fn counting_consumer(listener: TcpListener) -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    tokio::spawn({
        let (connections, requests) = (connections.clone(), requests.clone());
        async move {
            while let Ok((stream, _)) = listener.accept().await {
                connections.fetch_add(1, Ordering::SeqCst);
                let requests = requests.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |_req: Request<Incoming>| {
                        requests.fetch_add(1, Ordering::SeqCst);
                        async { Ok::<_, Infallible>(status(200)) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    });
    (connections, requests)
}

#[tokio::test]
async fn one_deliverer_keeps_one_pool_across_deliveries() {
    // A keep-alive consumer: every delivery of one deliverer to it goes over the same connection
    // (a client built per delivery would open one each time).
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (connections, requests) = counting_consumer(listener).await;
    let deliverer = deliverer(options());
    for n in 0..5 {
        let report = deliverer
            .deliver(&payload(&format!("http://{addr}/cb/{n}")))
            .await;
        assert!(report.is_delivered(), "{report:?}");
    }
    assert_eq!(requests.load(Ordering::SeqCst), 5);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "one pooled connection"
    );

    // Deliveries in parallel share the deliverer (and its pool) too.
    let shared = Arc::new(deliverer);
    let tasks: Vec<_> = (0..4)
        .map(|n| {
            let shared = shared.clone();
            tokio::spawn(async move {
                shared
                    .deliver(&payload(&format!("http://{addr}/parallel/{n}")))
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_delivered());
    }
    assert_eq!(requests.load(Ordering::SeqCst), 9);
    assert!(connections.load(Ordering::SeqCst) <= 5);
}

/// Answers the addresses of a list, one per lookup, then the last again.
struct Sequence {
    answers: Vec<IpAddr>,
    lookups: AtomicUsize,
}

impl Resolve for Sequence {
    fn resolve<'a>(&'a self, _host: &'a str, _port: u16) -> Resolving<'a> {
        let n = self.lookups.fetch_add(1, Ordering::SeqCst);
        let answer = self.answers[n.min(self.answers.len() - 1)];
        Box::pin(async move { Ok(vec![answer]) })
    }
}

#[tokio::test]
async fn each_delivery_connects_to_its_own_checked_addresses_despite_the_pool() {
    // One name, two consumers on the same port of two loopback addresses. The first lookup
    // gives 127.0.0.1, the second 127.0.0.2: the second delivery must reach 127.0.0.2, although
    // the pool holds an open connection to the same name and port.
    let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = first.local_addr().unwrap().port();
    let Ok(second) = TcpListener::bind(("127.0.0.2", port)).await else {
        eprintln!("127.0.0.2:{port} cannot be bound here: skipped");
        return;
    };
    let (first_connections, first_requests) = counting_consumer(first).await;
    let (second_connections, second_requests) = counting_consumer(second).await;
    let resolver = Arc::new(Sequence {
        answers: vec!["127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap()],
        lookups: AtomicUsize::new(0),
    });
    // The addresses are allowed by range (and checked as resolved); http for every host.
    let opts = options().with_policy(
        UrlPolicy::default()
            .with_allowed("127.0.0.0/8".parse().unwrap())
            .with_http(true),
    );
    let deliverer = Deliverer::new(opts)
        .unwrap()
        .with_resolver(resolver.clone());
    let url = format!("http://consumer.test:{port}/cb");

    let report = deliverer.deliver(&payload(&url)).await;
    assert!(report.is_delivered(), "{report:?}");
    assert_eq!(
        report.attempt_log[0].address,
        Some(SocketAddr::from(([127, 0, 0, 1], port)))
    );
    let report = deliverer.deliver(&payload(&url)).await;
    assert!(report.is_delivered(), "{report:?}");
    assert_eq!(
        report.attempt_log[0].address,
        Some(SocketAddr::from(([127, 0, 0, 2], port)))
    );
    assert_eq!(
        report.target.as_ref().unwrap().addresses(),
        ["127.0.0.2".parse::<IpAddr>().unwrap()]
    );
    // A third delivery resolves to 127.0.0.2 again and reuses that connection.
    assert!(deliverer.deliver(&payload(&url)).await.is_delivered());

    assert_eq!(
        resolver.lookups.load(Ordering::SeqCst),
        3,
        "one lookup each"
    );
    assert_eq!(first_requests.load(Ordering::SeqCst), 1);
    assert_eq!(second_requests.load(Ordering::SeqCst), 2);
    assert_eq!(first_connections.load(Ordering::SeqCst), 1);
    assert_eq!(second_connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn every_attempt_is_told_as_it_ends() {
    let consumer = Consumer::start(|n| status(if n <= 2 { 503 } else { 200 })).await;
    let request = payload(&consumer.url("/cb")).with_id("msg_observed");
    let mut told = Vec::new();
    let report = deliverer(options())
        .deliver_observed(&request, &mut |id, attempt| {
            told.push((id.to_owned(), attempt.clone()));
        })
        .await;
    assert!(report.is_delivered());
    assert_eq!(told.len(), 3);
    for ((id, attempt), logged) in told.iter().zip(&report.attempt_log) {
        assert_eq!(id, "msg_observed");
        assert_eq!(
            attempt, logged,
            "told as it is in the report, wait included"
        );
    }
    assert!(told[0].1.backoff_ms.is_some());
    assert_eq!(told[2].1.backoff_ms, None);
}

#[tokio::test]
async fn a_dispatch_validates_resolves_checks_and_delivers() {
    use callback_delivery::{Dispatch, DispatchOutcome, Payload};
    use expr_eval::{OwnedExchange, OwnedRequest};

    let consumer = Consumer::start(|n| status(if n == 1 { 503 } else { 200 })).await;
    let doc = oas_callbacks::Document::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/progress-api.yaml"
    ))
    .unwrap();
    let op = doc.operation("startJob").unwrap();
    let request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/42/start")
        .unwrap()
        .with_header("progressUrl", consumer.url("/progress/42"));
    let resolved = op.resolve_callbacks(&OwnedExchange::new(request));
    let progress = resolved.iter().find(|c| c.callback == "progress").unwrap();
    let payload = Payload::parse(r#"{"jobId": "42", "percent": 40, "state": "running"}"#).unwrap();

    let deliverer = deliverer(options());
    let mut attempts = Vec::new();
    let dispatched = deliverer
        .dispatch_observed(
            &Dispatch::new(&doc, op, progress, &payload).with_id("msg_dispatch"),
            &mut |id, attempt| attempts.push((id.to_owned(), attempt.status)),
        )
        .await;
    assert!(dispatched.is_success(), "{dispatched:?}");
    let report = dispatched.report().unwrap();
    assert_eq!(
        report.outcome,
        Outcome::Delivered {
            status: 200,
            attempts: 2
        }
    );
    assert_eq!(
        attempts,
        [
            ("msg_dispatch".to_owned(), Some(503)),
            ("msg_dispatch".to_owned(), Some(200))
        ]
    );
    let seen = consumer.seen();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.path, "/progress/42");
        assert_eq!(
            request.body,
            payload.bytes(),
            "the payload's bytes, as written"
        );
        assert_eq!(request.headers["webhook-id"], "msg_dispatch");
        assert!(request.verified);
    }
    // The line: the callback's fields, then the report's, the method once.
    let line = serde_json::to_string(&dispatched).unwrap();
    assert!(
        line.starts_with(&format!(
            r#"{{"callback":"progress","expression":"{{$request.header.progressUrl}}","method":"POST","operationId":"jobProgress","url":"{}","webhook_id":"msg_dispatch","outcome":"delivered","status":200,"attempts":2,"target":"#,
            consumer.url("/progress/42")
        )),
        "{line}"
    );
    assert_eq!(line.matches(r#""method""#).count(), 1, "{line}");

    // A refused URL is denied before any connection.
    let request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/42/start")
        .unwrap()
        .with_header("progressUrl", "http://10.0.0.1/progress");
    let resolved = op.resolve_callbacks(&OwnedExchange::new(request));
    let dispatched = deliverer
        .dispatch(&Dispatch::new(&doc, op, &resolved[0], &payload))
        .await;
    assert_eq!(dispatched.denied().map(|d| d.rule), Some(DenyRule::Private));
    assert!(matches!(dispatched.outcome, DispatchOutcome::Delivery(_)));
    assert_eq!(consumer.seen().len(), 2);
}
