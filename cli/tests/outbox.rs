//! `oas-callbacks enqueue` and `oas-callbacks outbox …` through the real binary (feature
//! `outbox`), on real SQLite files and a real PostgreSQL server started by the test. Deliveries
//! go to a consumer on 127.0.0.1, allowed with `--allow 127.0.0.1`; nothing goes elsewhere.
#![cfg(feature = "outbox")]
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use callback_delivery::signing::{DEFAULT_TOLERANCE, verify};
use serde_json::Value;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn example(name: &str) -> String {
    root().join("examples").join(name).display().to_string()
}

/// Runs the binary in `dir` with `env`: exit status, JSON lines of stdout, stderr.
fn run_in(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oas-callbacks"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("OAS_CALLBACKS_OUTBOX");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    (
        output.status.code().unwrap_or(-1),
        lines,
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// A request the consumer received.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A consumer on 127.0.0.1 that answers `status(n)` to its n-th request (from 1), after `delay`.
struct Consumer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Consumer {
    fn start(delay: Duration, status: impl Fn(usize) -> u16 + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(status);
        let keep = received.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (keep, status) = (keep.clone(), status.clone());
                thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                    let mut headers = Vec::new();
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.trim_end().split_once(':') {
                            headers.push((name.trim().to_owned(), value.trim().to_owned()));
                        }
                    }
                    let length: usize = headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let n = {
                        let mut received = keep.lock().unwrap();
                        received.push(Received {
                            path,
                            headers,
                            body,
                        });
                        received.len()
                    };
                    thread::sleep(delay);
                    let code = status(n);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {code} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}"
                    );
                });
            }
        });
        Self { addr, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// `examples/progress-exchange-local.json` with the consumer's address as `progressUrl`.
fn exchange_for(dir: &Path, consumer: &Consumer) -> String {
    let text = std::fs::read_to_string(example("progress-exchange-local.json")).unwrap();
    let mut exchange: Value = serde_json::from_str(&text).unwrap();
    exchange["request"]["headers"]["progressUrl"] =
        Value::String(format!("http://{}/progress/42", consumer.addr));
    let path = dir.join("exchange.json");
    std::fs::write(&path, exchange.to_string()).unwrap();
    path.display().to_string()
}

fn enqueue_args<'a>(exchange: &'a str, payload: &'a str) -> Vec<&'a str> {
    vec![
        "enqueue",
        SPEC,
        "--operation",
        "startJob",
        "--callback",
        "progress",
        "--body",
        payload,
        "--exchange",
        exchange,
    ]
}

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/progress-api.yaml");

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn enqueue_then_run_delivers_the_exact_bytes_signed() {
    let dir = tempfile::tempdir().unwrap();
    let consumer = Consumer::start(Duration::ZERO, |n| if n == 1 { 503 } else { 200 });
    let exchange = exchange_for(dir.path(), &consumer);
    let payload = example("progress-payload.json");
    // The default outbox: callbacks.db in the working directory.
    let (code, lines, stderr) = run_in(dir.path(), &[], &enqueue_args(&exchange, &payload));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 1);
    let id = lines[0]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("msg_"));
    assert_eq!(lines[0]["state"], "pending");
    assert_eq!(lines[0]["callback"], "progress");
    assert_eq!(lines[0]["method"], "POST");
    assert_eq!(
        lines[0]["url"],
        format!("http://{}/progress/42", consumer.addr)
    );
    assert!(dir.path().join("callbacks.db").is_file());

    let (code, attempts, stderr) = run_in(
        dir.path(),
        &[],
        &[
            "outbox",
            "run",
            "--allow",
            "127.0.0.1",
            "--secret",
            SECRET,
            "--schedule",
            "100ms",
            "--until-idle",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let outcomes: Vec<_> = attempts
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap(),
                a["attempt"].as_u64().unwrap(),
                a["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [(id.as_str(), 1, "retry"), (id.as_str(), 2, "delivered")]
    );
    assert_eq!(attempts[0]["status"], 503);
    assert!(attempts[0]["next_attempt_at"].is_string());
    let received = consumer.received();
    assert_eq!(received.len(), 2);
    let body = std::fs::read(example("progress-payload.json")).unwrap();
    for r in &received {
        assert_eq!(r.path, "/progress/42");
        assert_eq!(r.body, body, "the payload file byte for byte");
        assert_eq!(r.header("webhook-id"), Some(id.as_str()));
        verify(
            &SECRET.parse().unwrap(),
            &id,
            r.header("webhook-timestamp").unwrap(),
            r.header("webhook-signature").unwrap(),
            &r.body,
            now(),
            DEFAULT_TOLERANCE,
        )
        .unwrap();
    }
    let (code, listed, _) = run_in(dir.path(), &[], &["outbox", "list"]);
    assert_eq!(code, 0);
    assert_eq!(listed.len(), 1);
    let keys: Vec<_> = listed[0].as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "id",
            "state",
            "attempts",
            "callback",
            "method",
            "url",
            "next_attempt_at",
            "last_error"
        ]
    );
    assert_eq!(listed[0]["state"], "delivered");
    assert_eq!(listed[0]["attempts"], 2);
    assert_eq!(listed[0]["last_error"], Value::Null);
}

#[test]
fn an_invalid_payload_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let payload = example("progress-payload-invalid.json");
    let exchange = example("progress-exchange-local.json");
    let (code, lines, stderr) = run_in(dir.path(), &[], &enqueue_args(&exchange, &payload));
    assert_eq!(code, 1);
    assert!(lines.is_empty());
    assert!(
        stderr.contains("breaks its schema") && stderr.contains("/percent"),
        "{stderr}"
    );
    let (code, listed, _) = run_in(dir.path(), &[], &["outbox", "list"]);
    assert_eq!((code, listed.len()), (0, 0));
}

#[test]
fn an_unresolvable_url_is_skipped_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = example("progress-exchange-no-header.yaml");
    let payload = example("progress-payload.json");
    let (code, lines, stderr) = run_in(dir.path(), &[], &enqueue_args(&exchange, &payload));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["state"], "skipped");
    assert!(lines[0]["reason"].as_str().unwrap().contains("progressUrl"));
    let (_, listed, _) = run_in(dir.path(), &[], &["outbox", "list"]);
    assert!(listed.is_empty());
}

#[test]
fn the_outbox_comes_from_the_option_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = example("progress-exchange-local.json");
    let payload = example("progress-payload.json");
    let env_url = format!("sqlite:{}", dir.path().join("from-env.db").display());
    let (code, _, stderr) = run_in(
        dir.path(),
        &[("OAS_CALLBACKS_OUTBOX", &env_url)],
        &enqueue_args(&exchange, &payload),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.path().join("from-env.db").is_file());
    assert!(!dir.path().join("callbacks.db").exists());
    let option_url = format!("sqlite:{}", dir.path().join("from-option.db").display());
    let mut args = enqueue_args(&exchange, &payload);
    args.extend(["--outbox", &option_url]);
    let (code, _, _) = run_in(dir.path(), &[("OAS_CALLBACKS_OUTBOX", &env_url)], &args);
    assert_eq!(code, 0);
    let (_, from_env, _) = run_in(
        dir.path(),
        &[("OAS_CALLBACKS_OUTBOX", &env_url)],
        &["outbox", "list"],
    );
    let (_, from_option, _) = run_in(
        dir.path(),
        &[],
        &["outbox", "list", "--outbox", &option_url],
    );
    assert_eq!((from_env.len(), from_option.len()), (1, 1));
    // An outbox that cannot be opened: exit 2.
    let (code, _, stderr) = run_in(
        dir.path(),
        &[],
        &["outbox", "list", "--outbox", "mysql://x/y"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("sqlite:PATH or postgres://"), "{stderr}");
}

#[test]
fn a_dedupe_key_stores_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = example("progress-exchange-local.json");
    let payload = example("progress-payload.json");
    let mut args = enqueue_args(&exchange, &payload);
    args.extend(["--key", "job-42-progress", "--header", "x-tenant: acme"]);
    let (_, first, _) = run_in(dir.path(), &[], &args);
    let (code, second, _) = run_in(dir.path(), &[], &args);
    assert_eq!(code, 0);
    assert_eq!(first[0]["id"], second[0]["id"]);
    assert_eq!(second[0]["duplicate"], true);
    assert!(first[0].get("duplicate").is_none());
    let (_, listed, _) = run_in(dir.path(), &[], &["outbox", "list"]);
    assert_eq!(listed.len(), 1);
    let (code, got, _) = run_in(
        dir.path(),
        &[],
        &["outbox", "get", first[0]["id"].as_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert_eq!(got[0]["dedupe_key"], "job-42-progress");
    assert_eq!(got[0]["headers"], serde_json::json!([["x-tenant", "acme"]]));
}

#[test]
fn operators_replay_cancel_get_and_purge() {
    let dir = tempfile::tempdir().unwrap();
    // Gone on the first attempt, accepted after the replay.
    let consumer = Consumer::start(Duration::ZERO, |n| if n == 1 { 410 } else { 200 });
    let exchange = exchange_for(dir.path(), &consumer);
    let payload = example("progress-payload.json");
    let (_, lines, _) = run_in(dir.path(), &[], &enqueue_args(&exchange, &payload));
    let id = lines[0]["id"].as_str().unwrap().to_owned();
    let run = [
        "outbox",
        "run",
        "--allow",
        "127.0.0.1",
        "--schedule",
        "50ms",
        "--until-idle",
    ];
    let (_, attempts, _) = run_in(dir.path(), &[], &run);
    assert_eq!(attempts[0]["outcome"], "dead");
    let (_, dead, _) = run_in(dir.path(), &[], &["outbox", "list", "--state", "dead"]);
    assert_eq!(dead.len(), 1);
    // Replay all dead messages: same id.
    let (code, replayed, _) = run_in(dir.path(), &[], &["outbox", "replay", "--state", "dead"]);
    assert_eq!(code, 0);
    assert_eq!(replayed[0]["id"], id.as_str());
    assert_eq!(replayed[0]["result"], "changed");
    assert_eq!(replayed[0]["from"], "dead");
    assert_eq!(replayed[0]["state"], "pending");
    let (_, attempts, _) = run_in(dir.path(), &[], &run);
    assert_eq!(attempts[0]["outcome"], "delivered");
    assert_eq!(attempts[0]["kind"], "manual");
    assert_eq!(attempts[0]["id"], id.as_str());
    let received = consumer.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].body, received[1].body);
    // get: the message with its attempts.
    let (code, got, _) = run_in(dir.path(), &[], &["outbox", "get", &id]);
    assert_eq!(code, 0);
    let log = got[0]["attempt_log"].as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["outcome"], "dead");
    assert_eq!(log[0]["status"], 410);
    assert_eq!(log[1]["outcome"], "delivered");
    let (code, _, stderr) = run_in(dir.path(), &[], &["outbox", "get", "msg_missing"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("msg_missing"));
    // Replaying a pending message, or cancelling a delivered one, changes nothing: exit 1.
    let (code, lines, _) = run_in(dir.path(), &[], &["outbox", "cancel", &id, "msg_missing"]);
    assert_eq!(code, 1);
    assert_eq!(lines[0]["result"], "unchanged");
    assert_eq!(lines[0]["state"], "delivered");
    assert_eq!(lines[1]["result"], "not-found");
    // A pending message is cancelled, and never sent.
    let (_, lines, _) = run_in(dir.path(), &[], &enqueue_args(&exchange, &payload));
    let second = lines[0]["id"].as_str().unwrap().to_owned();
    let (code, lines, _) = run_in(dir.path(), &[], &["outbox", "cancel", &second]);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["state"], "cancelled");
    let (_, attempts, _) = run_in(dir.path(), &[], &run);
    assert!(attempts.is_empty());
    assert_eq!(consumer.received().len(), 2);
    let (code, lines, _) = run_in(
        dir.path(),
        &[],
        &["outbox", "replay", &second, "msg_missing"],
    );
    assert_eq!(code, 1, "one of them is missing");
    assert_eq!(lines[0]["result"], "changed");
    // Purge: finished messages older than the duration.
    let (_, lines, _) = run_in(dir.path(), &[], &["outbox", "purge", "--older-than", "1h"]);
    assert_eq!(lines[0]["purged"], 0);
    let (_, lines, _) = run_in(dir.path(), &[], &["outbox", "purge", "--older-than", "0s"]);
    assert_eq!(lines[0]["purged"], 1);
    let (_, listed, _) = run_in(dir.path(), &[], &["outbox", "list"]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], second.as_str());
}

#[test]
fn sigterm_finishes_the_attempts_under_way() {
    stop_gracefully(nix::sys::signal::Signal::SIGTERM);
}

#[test]
fn sigint_finishes_the_attempts_under_way() {
    stop_gracefully(nix::sys::signal::Signal::SIGINT);
}

fn stop_gracefully(signal: nix::sys::signal::Signal) {
    let dir = tempfile::tempdir().unwrap();
    let consumer = Consumer::start(Duration::from_millis(800), |_| 200);
    let exchange = exchange_for(dir.path(), &consumer);
    let payload = example("progress-payload.json");
    for _ in 0..3 {
        let (code, _, _) = run_in(dir.path(), &[], &enqueue_args(&exchange, &payload));
        assert_eq!(code, 0);
    }
    let worker = Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args([
            "outbox",
            "run",
            "--allow",
            "127.0.0.1",
            "--concurrency",
            "1",
        ])
        .current_dir(dir.path())
        .env_remove("OAS_CALLBACKS_OUTBOX")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while consumer.received().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the worker sent nothing"
        );
        thread::sleep(Duration::from_millis(10));
    }
    let pid = nix::unistd::Pid::from_raw(worker.id() as i32);
    nix::sys::signal::kill(pid, signal).unwrap();
    let output = worker.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The attempt under way was finished and recorded; no other was started.
    let stdout = String::from_utf8(output.stdout).unwrap();
    let attempts: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["outcome"], "delivered");
    assert_eq!(consumer.received().len(), 1);
    let (_, listed, _) = run_in(dir.path(), &[], &["outbox", "list"]);
    let states: Vec<_> = listed
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["delivered", "pending", "pending"]);
}

#[test]
fn settings_that_cannot_be_used_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--lease", "10s", "--timeout", "15s"], "lease"),
        (&["--schedule", "5s,soon"], "step 2"),
        (&["--timeout", "fast"], "not a duration"),
        (
            &["--secret-file", "/nonexistent/secret"],
            "cannot read the secret file",
        ),
        (&["--secret", "whsec_!"], "signing secret cannot be used"),
        (&["--concurrency", "0"], "concurrency"),
    ];
    for (extra, words) in cases {
        let mut args = vec!["outbox", "run", "--until-idle"];
        args.extend_from_slice(extra);
        let (code, _, stderr) = run_in(dir.path(), &[], &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
    let (code, _, stderr) = run_in(dir.path(), &[], &["outbox", "replay", "--state", "pending"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("only dead"), "{stderr}");
}

#[test]
fn a_postgres_outbox_works_the_same() {
    let server = callback_outbox::testing::TempPostgres::start().unwrap();
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let consumer = Consumer::start(Duration::ZERO, |_| 204);
    let exchange = exchange_for(dir.path(), &consumer);
    let payload = example("progress-payload.json");
    let mut args = enqueue_args(&exchange, &payload);
    args.extend(["--outbox", &url]);
    let (code, lines, stderr) = run_in(dir.path(), &[], &args);
    assert_eq!(code, 0, "{stderr}");
    let id = lines[0]["id"].as_str().unwrap().to_owned();
    let (code, attempts, stderr) = run_in(
        dir.path(),
        &[("OAS_CALLBACKS_OUTBOX", &url)],
        &["outbox", "run", "--allow", "127.0.0.1", "--until-idle"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(attempts[0]["id"], id.as_str());
    assert_eq!(attempts[0]["outcome"], "delivered");
    assert_eq!(attempts[0]["status"], 204);
    let (_, listed, _) = run_in(
        dir.path(),
        &[("OAS_CALLBACKS_OUTBOX", &url)],
        &["outbox", "list"],
    );
    assert_eq!(listed[0]["state"], "delivered");
    assert!(
        !dir.path().join("callbacks.db").exists(),
        "no SQLite file on the side"
    );
}
