//! What the outbox's tests share: fresh stores on a real SQLite file or a real PostgreSQL
//! server, and a consumer on 127.0.0.1 that records what it receives.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use callback_delivery::SigningSecret;
use callback_delivery::signing::{DEFAULT_TOLERANCE, verify_headers};
use callback_outbox::Outbox;
use callback_outbox::testing::TempPostgres;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub mod checker;
pub mod child;

/// Which store a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    pub const BOTH: [Kind; 2] = [Kind::Sqlite, Kind::Postgres];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
        }
    }
}

/// One PostgreSQL server per test binary, started the first time a test needs it, stopped by
/// [`stop_postgres`] (or, should the process die, by the server's watchdog).
type Server = Result<Arc<TempPostgres>, String>;

static POSTGRES: OnceLock<Mutex<Option<Server>>> = OnceLock::new();

pub fn postgres() -> Result<Arc<TempPostgres>, String> {
    let cell = POSTGRES.get_or_init(|| Mutex::new(None));
    let mut server = cell.lock().unwrap_or_else(|e| e.into_inner());
    server
        .get_or_insert_with(|| TempPostgres::start().map(Arc::new))
        .clone()
}

/// Stops the shared server (call at the end of `main`).
pub fn stop_postgres() {
    if let Some(cell) = POSTGRES.get() {
        cell.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty store.
pub struct TestDb {
    pub kind: Kind,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(kind: Kind) -> Result<Self, String> {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
                let url = format!("sqlite:{}", dir.path().join("outbox.db").display());
                Ok(Self {
                    kind,
                    url,
                    _dir: Some(dir),
                })
            }
            Kind::Postgres => {
                let server = postgres()?;
                let n = DATABASES.fetch_add(1, Ordering::Relaxed);
                let name = format!("t{}_{n}", std::process::id());
                let url = server.create_database(&name).await?;
                Ok(Self {
                    kind,
                    url,
                    _dir: None,
                })
            }
        }
    }

    /// A database made elsewhere (the test owns its server).
    pub fn existing(kind: Kind, url: &str) -> Self {
        Self {
            kind,
            url: url.to_owned(),
            _dir: None,
        }
    }

    pub async fn outbox(&self) -> Outbox {
        Outbox::connect(&self.url).await.unwrap()
    }

    /// Runs SQL written for both databases (no parameters), through a connection of its own.
    pub async fn exec(&self, sql: &str) -> u64 {
        use sqlx::Connection as _;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.kind {
            Kind::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .unwrap()
                    .rows_affected()
            }
            Kind::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .unwrap()
                    .rows_affected()
            }
        }
    }

    /// One integer (a count, a time) from SQL written for both databases.
    pub async fn number(&self, sql: &str) -> i64 {
        use sqlx::Connection as _;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.kind {
            Kind::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
            Kind::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
        }
    }

    /// Moves every lease and due time of `id` an hour into the past: as if the lease had run
    /// out (the way Convoy and graphile test lease expiry, without waiting).
    pub async fn expire(&self, id: &str) {
        self.exec(&format!(
            "UPDATE callback_message SET lease_until = lease_until - 3600000, \
             next_attempt_at = next_attempt_at - 3600000 WHERE id = '{id}'; \
             UPDATE callback_attempt SET lease_until = lease_until - 3600000 WHERE message_id = '{id}'"
        ))
        .await;
    }

    /// Makes a pending message due now.
    pub async fn make_due(&self, id: &str) {
        self.exec(&format!(
            "UPDATE callback_message SET next_attempt_at = next_attempt_at - 3600000000 WHERE id = '{id}'"
        ))
        .await;
    }
}

/// What the consumer answers to one request.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub delay: Duration,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            retry_after: None,
            delay: Duration::ZERO,
        }
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn retry_after(mut self, value: &str) -> Self {
        self.retry_after = Some(value.to_owned());
        self
    }
}

/// A request as the consumer saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The query string (empty without one).
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
    /// The `webhook-id` header.
    pub id: String,
    /// Which of the consumer's secrets verified the signature (index), if any.
    pub verified_by: Option<usize>,
    /// The answer given.
    pub status: u16,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Answerer = dyn Fn(&Seen, usize) -> Answer + Send + Sync;

/// A consumer on 127.0.0.1: records every request; `answer(seen, n)` decides the reply to
/// the n-th request (from 1) carrying the same `webhook-id`.
pub struct Consumer {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<Mutex<HashMap<String, usize>>>,
    task: JoinHandle<()>,
}

impl Consumer {
    pub async fn start(
        secrets: Vec<SigningSecret>,
        answer: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static,
    ) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), secrets, answer).await
    }

    pub async fn start_on(
        bind: SocketAddr,
        secrets: Vec<SigningSecret>,
        answer: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static,
    ) -> Self {
        assert!(bind.ip().is_loopback(), "tests listen on loopback only");
        let listener = TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(Mutex::new(HashMap::new()));
        let answer: Arc<Answerer> = Arc::new(answer);
        let secrets = Arc::new(secrets);
        let task = tokio::spawn({
            let (seen, in_flight, max_in_flight) =
                (seen.clone(), in_flight.clone(), max_in_flight.clone());
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (seen, answer, secrets, in_flight, max_in_flight) = (
                        seen.clone(),
                        answer.clone(),
                        secrets.clone(),
                        in_flight.clone(),
                        max_in_flight.clone(),
                    );
                    tokio::spawn(async move {
                        let service = service_fn(move |req: Request<Incoming>| {
                            let (seen, answer, secrets, in_flight, max_in_flight) = (
                                seen.clone(),
                                answer.clone(),
                                secrets.clone(),
                                in_flight.clone(),
                                max_in_flight.clone(),
                            );
                            async move {
                                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                                {
                                    let mut max = max_in_flight.lock().unwrap();
                                    let entry = max.entry(String::new()).or_insert(0);
                                    *entry = (*entry).max(now);
                                }
                                let (parts, body) = req.into_parts();
                                let body = body
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes())
                                    .unwrap_or_default();
                                let verified_by = secrets.iter().position(|s| {
                                    verify_headers(s, &parts.headers, &body, DEFAULT_TOLERANCE)
                                        .is_ok()
                                });
                                let id = parts
                                    .headers
                                    .get("webhook-id")
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or("")
                                    .to_owned();
                                let mut entry = Seen {
                                    method: parts.method.to_string(),
                                    path: parts.uri.path().to_owned(),
                                    query: parts.uri.query().unwrap_or("").to_owned(),
                                    headers: parts.headers,
                                    body,
                                    at: Instant::now(),
                                    id,
                                    verified_by,
                                    status: 0,
                                };
                                let n = seen
                                    .lock()
                                    .unwrap()
                                    .iter()
                                    .filter(|s| s.id == entry.id)
                                    .count()
                                    + 1;
                                let reply = answer(&entry, n);
                                entry.status = reply.status;
                                seen.lock().unwrap().push(entry);
                                if !reply.delay.is_zero() {
                                    tokio::time::sleep(reply.delay).await;
                                }
                                in_flight.fetch_sub(1, Ordering::SeqCst);
                                let mut response = Response::builder()
                                    .status(StatusCode::from_u16(reply.status).unwrap());
                                if let Some(value) = &reply.retry_after {
                                    response = response.header("retry-after", value);
                                }
                                Ok::<_, Infallible>(
                                    response.body(Full::new(Bytes::from_static(b"{}"))).unwrap(),
                                )
                            }
                        });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        });
        Self {
            addr,
            seen,
            in_flight,
            max_in_flight,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The most requests it was answering at once.
    pub fn max_concurrent(&self) -> usize {
        self.max_in_flight
            .lock()
            .unwrap()
            .get("")
            .copied()
            .unwrap_or(0)
    }

    /// Waits until `n` requests arrived (or `limit` passed).
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Seen> {
        let start = Instant::now();
        loop {
            let seen = self.seen();
            if seen.len() >= n || start.elapsed() > limit {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A secret for tests.
pub fn secret(n: u8) -> SigningSecret {
    SigningSecret::from_bytes([n; 24]).unwrap()
}
