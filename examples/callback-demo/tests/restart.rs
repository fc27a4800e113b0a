//! The provider survives its own restart in the middle of a job: the real `provider` binary on
//! a SQLite outbox in a temporary directory, killed (SIGKILL) after the job's first callback
//! arrived, started again on the same outbox; the consumer (in this process, on 127.0.0.1) gets
//! every callback of the job, each verified, with the ids the outbox stored. Then SIGTERM stops
//! the provider cleanly (exit 0).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use callback_demo::consumer::{Consumer, ConsumerConfig, Received};
use callback_outbox::{ListFilter, Outbox, State};
use oas_callbacks::Document;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::mpsc::UnboundedReceiver;

const WAIT: Duration = Duration::from_secs(30);

/// The provider binary on `outbox`, and the address it printed.
async fn provider(outbox: &str) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_provider"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--allow",
            "127.0.0.1",
            "--outbox",
            outbox,
            "--step-ms",
            "500",
            "--schedule",
            "100ms,200ms,400ms",
            "--timeout-ms",
            "1000",
            "--lease-ms",
            "2500",
        ])
        .env_remove("OAS_CALLBACKS_OUTBOX")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = tokio::time::timeout(WAIT, stderr.next_line())
        .await
        .expect("the provider says where it listens")
        .unwrap()
        .expect("a line on stderr");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .parse()
        .unwrap();
    // Keep reading stderr, so that the provider never blocks on it.
    tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
    (child, addr)
}

async fn start_job(provider: SocketAddr, consumer: SocketAddr, job: &str) -> (u16, Value) {
    let body = json!({"scene": "teapot", "notify": {"url": format!("http://{consumer}/done")}})
        .to_string();
    let request = format!(
        "POST /jobs/{job}/start HTTP/1.1\r\nHost: {provider}\r\nContent-Type: application/json\r\n\
         progressUrl: http://{consumer}/progress/{job}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(provider).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(WAIT, stream.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

async fn next(received: &mut UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(WAIT, received.recv())
        .await
        .expect("the consumer received nothing in time")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_killed_mid_job_delivers_the_rest_after_its_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("callbacks.db").display());

    let (received_tx, mut received) = tokio::sync::mpsc::unbounded_channel();
    let doc = Document::load(callback_demo::api_path()).unwrap();
    let consumer = Arc::new(Consumer::new(
        callback_demo::DEMO_SECRET.parse().unwrap(),
        Some(doc),
        ConsumerConfig::default(),
        received_tx,
    ));
    let listener = callback_demo::bind_loopback("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let consumer_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, consumer.router()).await });

    let (mut first, addr) = provider(&url).await;
    let (status, accepted) = start_job(addr, consumer_addr, "5").await;
    assert_eq!(status, 202, "{accepted}");
    let ticket = accepted["ticket"].as_str().unwrap().to_owned();

    // The first progress callback arrives; the provider dies with the rest of the job to do.
    let early = next(&mut received).await;
    assert_eq!(early.payload["percent"], 0);
    assert!(early.accepted(), "{early:?}");
    first.kill().await.unwrap();

    let outbox = Outbox::connect(&url).await.unwrap();
    let left = outbox
        .list(&ListFilter::state(State::Pending))
        .await
        .unwrap();
    assert!(
        left.len() >= 2,
        "the kill came mid-job: {} messages left",
        left.len()
    );
    let stored: BTreeSet<String> = outbox
        .list(&ListFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(stored.len(), 4, "three progress steps and the completion");

    // Started again on the same outbox, it delivers what is left.
    let (mut second, _) = provider(&url).await;
    let mut accepted_ids = BTreeSet::from([early.webhook_id.clone().unwrap()]);
    let mut all = vec![early];
    while accepted_ids.len() < 4 {
        let r = next(&mut received).await;
        assert!(r.verified, "{r:?}");
        if r.accepted() {
            accepted_ids.insert(r.webhook_id.clone().unwrap());
        }
        all.push(r);
    }
    assert_eq!(
        accepted_ids, stored,
        "every stored callback, and nothing else"
    );
    let percents: BTreeSet<String> = all
        .iter()
        .filter(|r| r.callback.as_deref() == Some("progress"))
        .map(|r| r.payload["percent"].to_string())
        .collect();
    assert_eq!(
        percents,
        BTreeSet::from(["0", "50", "100"].map(String::from))
    );
    let done = all
        .iter()
        .find(|r| r.callback.as_deref() == Some("completion"))
        .unwrap();
    assert_eq!(done.target, format!("/done?job=5&ticket={ticket}"));
    // The last results are recorded just after the consumer answered.
    tokio::time::timeout(WAIT, async {
        while outbox.counts().await.unwrap().delivered < 4 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the four messages recorded as delivered");
    let counts = outbox.counts().await.unwrap();
    assert!(counts.is_idle(), "{counts:?}");

    // SIGTERM: a clean stop.
    let pid = nix::unistd::Pid::from_raw(i32::try_from(second.id().unwrap()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(WAIT, second.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}
