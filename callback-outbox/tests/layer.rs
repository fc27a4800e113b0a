//! `CallbacksLayer` and the `Callbacks` extractor (feature `axum`) in a real axum server on
//! 127.0.0.1, spoken to over TCP: callbacks stored before the response leaves, bodies buffered
//! only when the keys read them and only up to the bound, a client that goes away mid-handler,
//! a failed enqueue, and the transactional outbox used from a handler.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use callback_outbox::{
    Callbacks, CallbacksLayer, CallbacksReport, NewMessage, Outbox, Planned, PrepareError,
    SendOptions, State as MessageState, prepare,
};
use oas_callbacks::Document;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt as _;

fn progress_api() -> Arc<Document> {
    Arc::new(
        Document::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/progress-api.yaml"
        ))
        .unwrap(),
    )
}

fn stream_api() -> Arc<Document> {
    Arc::new(
        Document::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/stream-api.yaml"
        ))
        .unwrap(),
    )
}

async fn sqlite_outbox(dir: &tempfile::TempDir) -> (Outbox, String) {
    let url = format!("sqlite:{}", dir.path().join("app.db").display());
    (Outbox::connect(&url).await.unwrap(), url)
}

/// `startJob`: both callbacks asked for, then `202 {"ticket", "state"}`.
async fn start_job(
    callbacks: Callbacks,
    Path(job): Path<String>,
    body: Bytes,
) -> impl IntoResponse {
    let progress = json!({"jobId": job, "percent": 0, "state": "queued"});
    let completion = json!({"jobId": job, "ticket": "T-1", "outcome": "done"});
    if let Err(err) = callbacks.send("progress", &progress).and_then(|()| {
        callbacks.send_with(
            "completion",
            &completion,
            SendOptions::new().delay(Duration::from_secs(3600)),
        )
    }) {
        return (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response();
    }
    (
        StatusCode::ACCEPTED,
        [
            ("content-type", "application/json"),
            ("x-body-length", &body.len().to_string()),
        ],
        json!({"ticket": "T-1", "state": "queued"}).to_string(),
    )
        .into_response()
}

fn app(outbox: &Outbox, max_body: usize) -> Router {
    Router::new()
        .route("/jobs/{jobId}/start", post(start_job))
        .route_layer(
            CallbacksLayer::new(outbox.clone(), progress_api())
                .max_body(max_body)
                .scheme("http"),
        )
}

async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// One request over a fresh connection; the raw response (status line, headers, body).
async fn request(addr: SocketAddr, head: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let text = format!(
        "{head}\r\nhost: {addr}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(text.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8(response).unwrap()
}

fn job_body(notify: &str) -> Vec<u8> {
    json!({"scene": "teapot", "notify": {"url": notify}})
        .to_string()
        .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_are_stored_before_the_response_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, _) = sqlite_outbox(&dir).await;
    let addr = serve(app(&outbox, 64 * 1024)).await;
    let response = request(
        addr,
        "POST /jobs/7/start HTTP/1.1\r\nprogressurl: http://127.0.0.1:9/progress/7",
        &job_body("http://127.0.0.1:9/done"),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 202"), "{response}");
    // The handler's body, as it gave it, after the layer read it for the completion's key.
    assert!(
        response.ends_with(r#"{"ticket":"T-1","state":"queued"}"#),
        "{response}"
    );
    // The moment the response is here, both messages are in the outbox.
    let messages = outbox.list(&Default::default()).await.unwrap();
    let mut urls: Vec<_> = messages
        .iter()
        .map(|m| (m.callback.as_str(), m.url.as_str()))
        .collect();
    urls.sort();
    assert_eq!(
        urls,
        [
            ("completion", "http://127.0.0.1:9/done?job=7&ticket=T-1"),
            ("progress", "http://127.0.0.1:9/progress/7"),
        ]
    );
    assert!(
        messages
            .iter()
            .all(|m| m.state == MessageState::Pending && m.operation == "startJob")
    );
    let completion = messages
        .iter()
        .find(|m| m.callback == "completion")
        .unwrap();
    assert!(completion.next_attempt_at.since(completion.created_at) >= Duration::from_secs(3599));
    let progress = messages.iter().find(|m| m.callback == "progress").unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&progress.body).unwrap(),
        json!({"jobId": "7", "percent": 0, "state": "queued"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_bound_is_passed_on_and_the_callbacks_reading_it_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, _) = sqlite_outbox(&dir).await;
    let mut body = json!({"scene": "x".repeat(500), "notify": {"url": "http://127.0.0.1:9/done"}});
    body["padding"] = json!("y".repeat(10_000));
    let body = body.to_string();
    let request = http::Request::post("/jobs/8/start")
        .header("host", "provider.example")
        .header("progressUrl", "http://127.0.0.1:9/progress/8")
        .body(Body::from(body.clone()))
        .unwrap();
    let response = app(&outbox, 256).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    // The handler read all of it.
    assert_eq!(
        response.headers()["x-body-length"],
        body.len().to_string().as_str()
    );
    let report = response
        .extensions()
        .get::<CallbacksReport>()
        .unwrap()
        .clone();
    assert_eq!(report.enqueued.len(), 1, "progress reads a header only");
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].callback, "completion");
    assert!(
        report.skipped[0]
            .reason
            .contains("larger than the limit of 256 bytes (CallbacksLayer::max_body)"),
        "{}",
        report.skipped[0].reason
    );
    let messages = outbox.list(&Default::default()).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].callback, "progress");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unresolvable_url_is_skipped_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, _) = sqlite_outbox(&dir).await;
    let request = http::Request::post("/jobs/9/start")
        .header("host", "provider.example")
        .body(Body::from(job_body("http://127.0.0.1:9/done")))
        .unwrap();
    let response = app(&outbox, 64 * 1024).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let report = response.extensions().get::<CallbacksReport>().unwrap();
    assert_eq!(report.skipped[0].callback, "progress");
    assert!(
        report.skipped[0].reason.contains("progressUrl"),
        "{}",
        report.skipped[0].reason
    );
    assert_eq!(report.enqueued.len(), 1);
}

/// Bodies of operations whose keys read none are not buffered: a streamed response reaches the
/// client chunk by chunk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_bodies_stream_through() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, _) = sqlite_outbox(&dir).await;
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let released = Arc::new(tokio::sync::Mutex::new(Some(released)));
    let handler = move |callbacks: Callbacks| {
        let released = released.clone();
        async move {
            callbacks.send("opened", &json!({"stream": "s1"})).unwrap();
            let gate = released.lock().await.take().unwrap();
            let chunks = futures_util::stream::unfold((0, Some(gate)), |(n, gate)| async move {
                match n {
                    0 => Some((Ok::<_, std::io::Error>(Bytes::from("first;")), (1, gate))),
                    1 => {
                        let _ = gate.unwrap().await;
                        Some((Ok(Bytes::from("second")), (2, None)))
                    }
                    _ => None,
                }
            });
            Body::from_stream(chunks)
        }
    };
    let app = Router::new()
        .route("/streams", post(handler))
        .route_layer(CallbacksLayer::new(outbox.clone(), stream_api()).max_body(16));
    let addr = serve(app).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("POST /streams HTTP/1.1\r\nhost: {addr}\r\nnotify: http://127.0.0.1:9/opened\r\ncontent-length: 0\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 1024];
    tokio::time::timeout(Duration::from_secs(10), async {
        while !String::from_utf8_lossy(&seen).contains("first;") {
            let n = stream.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the connection closed early");
            seen.extend_from_slice(&buffer[..n]);
        }
    })
    .await
    .expect("the first chunk arrives before the handler's stream ends");
    assert!(!String::from_utf8_lossy(&seen).contains("second"));
    // The callback was stored before the first byte of the response left.
    assert_eq!(outbox.counts().await.unwrap().pending, 1);
    release.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !String::from_utf8_lossy(&seen).contains("second") {
            let n = stream.read(&mut buffer).await.unwrap();
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buffer[..n]);
        }
    })
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&seen).contains("second"));
}

/// A client that hangs up while the handler works: the handler runs to its end and its
/// callback is stored with its business write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_mid_handler_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, url) = sqlite_outbox(&dir).await;
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE job (id TEXT PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    let handler = {
        let pool = pool.clone();
        move |callbacks: Callbacks, Path(job): Path<String>| {
            let pool = pool.clone();
            async move {
                sqlx::query("INSERT INTO job VALUES (?1)")
                    .bind(&job)
                    .execute(&pool)
                    .await
                    .unwrap();
                // The client is gone by now.
                tokio::time::sleep(Duration::from_millis(400)).await;
                callbacks
                    .send(
                        "progress",
                        &json!({"jobId": job, "percent": 0, "state": "queued"}),
                    )
                    .unwrap();
                StatusCode::ACCEPTED
            }
        }
    };
    let app = Router::new()
        .route("/jobs/{jobId}/start", post(handler))
        .route_layer(CallbacksLayer::new(outbox.clone(), progress_api()));
    let addr = serve(app).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let body = job_body("http://127.0.0.1:9/done");
    stream
        .write_all(
            format!(
                "POST /jobs/77/start HTTP/1.1\r\nhost: {addr}\r\nprogressUrl: http://127.0.0.1:9/p\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    stream.write_all(&body).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(stream);
    // The handler goes on without its client; wait for its end (bounded), not a fixed time.
    tokio::time::timeout(Duration::from_secs(20), async {
        while outbox.counts().await.unwrap().pending == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the handler ran to its end and its callback was stored");
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(jobs, 1);
    let messages = outbox.list(&Default::default()).await.unwrap();
    assert_eq!(
        messages.len(),
        1,
        "the callback went with the business write"
    );
    assert_eq!(messages[0].url, "http://127.0.0.1:9/p");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_payloads_and_failed_responses_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, _) = sqlite_outbox(&dir).await;
    let invalid = |callbacks: Callbacks| async move {
        match callbacks.send("progress", &json!({"percent": 150})) {
            Err(PrepareError::InvalidPayload { violations, .. }) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                violations[0].pointer.clone(),
            ),
            other => (StatusCode::OK, format!("{other:?}")),
        }
    };
    let refused = |callbacks: Callbacks| async move {
        callbacks
            .send(
                "progress",
                &json!({"jobId": "1", "percent": 1, "state": "running"}),
            )
            .unwrap();
        StatusCode::BAD_REQUEST
    };
    let layer = CallbacksLayer::new(outbox.clone(), progress_api());
    for handler in [post(invalid), post(refused)] {
        let app = Router::new()
            .route("/jobs/{jobId}/start", handler)
            .route_layer(layer.clone());
        let request = http::Request::post("/jobs/1/start")
            .header("host", "p.example")
            .header("progressUrl", "http://127.0.0.1:9/p")
            .body(Body::from(job_body("http://127.0.0.1:9/d")))
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert!(response.status().is_client_error() || response.status().is_server_error());
    }
    assert_eq!(outbox.counts().await.unwrap().pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_enqueue_answers_500_not_the_handlers_202() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, _) = sqlite_outbox(&dir).await;
    let app = app(&outbox, 64 * 1024);
    outbox.close().await;
    let request = http::Request::post("/jobs/1/start")
        .header("host", "p.example")
        .header("progressUrl", "http://127.0.0.1:9/p")
        .body(Body::from(job_body("http://127.0.0.1:9/d")))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_layer_or_an_operation_the_handler_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, _) = sqlite_outbox(&dir).await;
    let handler = |callbacks: Callbacks| async move {
        match callbacks.send("progress", &json!({})) {
            Ok(()) => "sent".to_owned(),
            Err(err) => err.to_string(),
        }
    };
    // No layer: the extractor itself refuses, with 500.
    let bare = Router::new().route("/jobs/{jobId}/start", post(handler));
    let request = http::Request::post("/jobs/1/start")
        .body(Body::empty())
        .unwrap();
    let response = bare.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    // A route the document does not describe.
    let other = Router::new()
        .route("/elsewhere", post(handler))
        .route_layer(CallbacksLayer::new(outbox.clone(), progress_api()));
    let request = http::Request::post("/elsewhere")
        .body(Body::empty())
        .unwrap();
    let response = other.oneshot(request).await.unwrap();
    let text = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&text).contains("describes no operation"),
        "{text:?}"
    );
}

/// The transactional outbox from a handler: the business write and the callback commit
/// together, or neither does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_enqueues_in_its_own_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let (outbox, url) = sqlite_outbox(&dir).await;
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE job (id TEXT PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    #[derive(Clone)]
    struct App {
        pool: sqlx::SqlitePool,
        doc: Arc<Document>,
    }
    async fn start(
        State(app): State<App>,
        Path(job): Path<String>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let mut request = http::Request::post(format!("/jobs/{job}/start"))
            .body(body)
            .unwrap();
        *request.headers_mut() = headers;
        let exchange = expr_eval::HttpExchange::new(&request).with_scheme("http");
        let op = app.doc.operation("startJob").unwrap();
        let planned = prepare(
            &app.doc,
            op,
            &exchange,
            "progress",
            None,
            json!({"jobId": job, "percent": 0, "state": "queued"}).to_string(),
        )
        .unwrap();
        let messages: Vec<NewMessage> = planned
            .into_iter()
            .filter_map(|p| match p {
                Planned::Message(m) => Some(m),
                _ => None,
            })
            .collect();
        let mut tx = app.pool.begin().await.unwrap();
        sqlx::query("INSERT INTO job VALUES (?1)")
            .bind(&job)
            .execute(&mut *tx)
            .await
            .unwrap();
        Outbox::enqueue_in(&mut *tx, &messages).await.unwrap();
        if job.starts_with("fail") {
            tx.rollback().await.unwrap();
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            tx.commit().await.unwrap();
            StatusCode::ACCEPTED
        }
    }
    let router = Router::new()
        .route("/jobs/{jobId}/start", post(start))
        .with_state(App {
            pool: pool.clone(),
            doc: progress_api(),
        });
    for job in ["ok-1", "fail-2"] {
        let request = http::Request::post(format!("/jobs/{job}/start"))
            .header("progressUrl", format!("http://127.0.0.1:9/{job}"))
            .body(Body::from(job_body("http://127.0.0.1:9/d")))
            .unwrap();
        router.clone().oneshot(request).await.unwrap();
    }
    let messages = outbox.list(&Default::default()).await.unwrap();
    let urls: Vec<_> = messages.iter().map(|m| m.url.as_str()).collect();
    assert_eq!(
        urls,
        ["http://127.0.0.1:9/ok-1"],
        "the rolled-back job left no callback"
    );
    let jobs: Vec<String> = sqlx::query_scalar("SELECT id FROM job")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(jobs, ["ok-1"]);
}
