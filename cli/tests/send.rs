//! `oas-callbacks send` through the real binary (feature `deliver`).
//!
//! Refusals are checked with `--dry-run` only, which neither resolves a name nor connects. Real
//! sends go to a consumer on 127.0.0.1, explicitly allowed with `--allow 127.0.0.1`; no test
//! here sends a packet anywhere else.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Runs the binary in the workspace root: exit status, stdout, stderr.
fn oas_callbacks(args: &[&str]) -> (i32, String, String) {
    oas_callbacks_with_env(args, &[])
}

/// Runs the binary in the workspace root with more environment variables.
fn oas_callbacks_with_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Without the feature the binary has no `send` command at all.
#[cfg(not(feature = "deliver"))]
#[test]
fn without_the_deliver_feature_there_is_no_send_command() {
    let (code, _, stderr) = oas_callbacks(&[
        "send",
        "examples/progress-api.yaml",
        "--operation",
        "startJob",
        "--callback",
        "progress",
        "--body",
        "examples/progress-payload.json",
        "--exchange",
        "examples/progress-exchange.json",
        "--dry-run",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unrecognized subcommand"), "{stderr}");
}

#[cfg(feature = "deliver")]
mod send {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::thread;
    use std::time::Duration;

    use callback_delivery::signing::{DEFAULT_TOLERANCE, verify};
    use serde_json::Value;

    use super::{oas_callbacks, oas_callbacks_with_env, root};

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC: &str = "examples/progress-api.yaml";
    const PAYLOAD: &str = "examples/progress-payload.json";

    /// An exchange file like `examples/progress-exchange.json` with another `progressUrl`.
    fn exchange_with(progress_url: &str) -> PathBuf {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let text = std::fs::read_to_string(root().join("examples/progress-exchange.json")).unwrap();
        let mut exchange: Value = serde_json::from_str(&text).unwrap();
        exchange["request"]["headers"]["progressUrl"] = Value::String(progress_url.to_owned());
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_send");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "exchange-{}-{}.json",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, exchange.to_string()).unwrap();
        path
    }

    /// `send SPEC --operation startJob --callback progress --body BODY --exchange EXCHANGE` and
    /// more: the exit status, the outcome lines (one per delivery), stderr. The attempt lines
    /// printed before each outcome are checked against its `attempt_log` ([`outcomes`]).
    fn send(exchange: &str, body: &str, more: &[&str]) -> (i32, Vec<Value>, String) {
        let (code, lines, stderr) = send_lines(exchange, body, more);
        (code, outcomes(&lines), stderr)
    }

    /// The lines that are not attempts, after checking that the attempt lines before each one
    /// are its attempts, in order, as its `attempt_log` has them, with its `webhook_id`, and
    /// that no other attempt line was printed.
    fn outcomes(lines: &[Value]) -> Vec<Value> {
        let mut attempts: Vec<&Value> = Vec::new();
        let mut outcomes = Vec::new();
        for line in lines {
            if line["event"] == "attempt" {
                assert!(line.get("outcome").is_none(), "{line}");
                attempts.push(line);
                continue;
            }
            let logged: &[Value] = line["attempt_log"].as_array().map_or(&[], Vec::as_slice);
            assert_eq!(attempts.len(), logged.len(), "attempt lines before {line}");
            for (attempt, logged) in attempts.iter().zip(logged) {
                for key in [
                    "callback",
                    "expression",
                    "method",
                    "operationId",
                    "url",
                    "webhook_id",
                ] {
                    assert_eq!(attempt[key], line[key], "{key} of {attempt}");
                }
                let fields = logged.as_object().unwrap();
                for (key, value) in fields {
                    assert_eq!(&attempt[key], value, "{key} of {attempt}");
                }
                // Nothing else: the head, the event, and the attempt's own fields.
                assert_eq!(
                    attempt.as_object().unwrap().len(),
                    fields.len() + 7,
                    "{attempt}"
                );
            }
            attempts.clear();
            outcomes.push(line.clone());
        }
        assert!(
            attempts.is_empty(),
            "attempts without an outcome: {attempts:?}"
        );
        outcomes
    }

    /// Every JSON line `send` printed, attempts included.
    fn send_lines(exchange: &str, body: &str, more: &[&str]) -> (i32, Vec<Value>, String) {
        let mut args = vec![
            "send",
            SPEC,
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            body,
            "--exchange",
            exchange,
        ];
        args.extend_from_slice(more);
        let (code, stdout, stderr) = oas_callbacks(&args);
        let lines = stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        (code, lines, stderr)
    }

    fn only(lines: &[Value]) -> &Value {
        assert_eq!(lines.len(), 1, "{lines:?}");
        &lines[0]
    }

    fn header<'a>(headers: &'a Value, name: &str) -> Option<&'a str> {
        headers
            .as_array()?
            .iter()
            .find(|pair| pair[0] == name)
            .and_then(|pair| pair[1].as_str())
    }

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    #[test]
    fn dry_run_of_an_allowed_url_prints_what_would_be_sent() {
        let (code, lines, stderr) = send(
            "examples/progress-exchange.json",
            PAYLOAD,
            &["--dry-run", "--secret", SECRET],
        );
        assert_eq!(code, 0, "{stderr}");
        let line = only(&lines);
        assert_eq!(line["callback"], "progress");
        assert_eq!(line["operationId"], "jobProgress");
        assert_eq!(line["method"], "POST");
        assert_eq!(line["outcome"], "would-send");
        assert_eq!(line["url"], "https://client.example.net/progress/42");
        // A host name: nothing was looked up, its addresses are checked at delivery time.
        assert_eq!(line["target"]["host"], "client.example.net");
        assert_eq!(line["target"]["addresses_checked"], false);
        assert_eq!(line["target"]["addresses"], serde_json::json!([]));
        // The headers, signed: the signature verifies over the body file as it is.
        let headers = &line["headers"];
        let id = header(headers, "webhook-id").unwrap();
        assert_eq!(line["webhook_id"], id);
        let timestamp = header(headers, "webhook-timestamp").unwrap();
        let signature = header(headers, "webhook-signature").unwrap();
        let body = std::fs::read(root().join(PAYLOAD)).unwrap();
        assert_eq!(line["body_bytes"], body.len());
        verify(
            &SECRET.parse().unwrap(),
            id,
            timestamp,
            signature,
            &body,
            now(),
            DEFAULT_TOLERANCE,
        )
        .unwrap();
    }

    #[test]
    fn dry_run_refuses_internal_urls_with_the_rule() {
        // (progressUrl, extra options, the rule)
        let cases: &[(&str, &[&str], &str)] = &[
            (
                "https://169.254.169.254/latest/meta-data/",
                &[],
                "cloud-metadata",
            ),
            (
                "http://169.254.169.254/latest/meta-data/",
                &["--allow-http"],
                "cloud-metadata",
            ),
            ("http://127.0.0.1:9/", &[], "loopback"),
            ("http://127.0.0.1:9/", &["--allow-http"], "loopback"),
            ("https://127.1/", &[], "loopback"),
            ("https://2130706433/", &[], "loopback"),
            ("https://0x7f000001/", &[], "loopback"),
            ("https://0177.0.0.1/", &[], "loopback"),
            ("https://[::1]/", &[], "loopback"),
            ("https://[::ffff:7f00:1]/", &[], "loopback"),
            ("https://localhost./", &[], "local-name"),
            ("https://10.0.0.1/", &[], "private"),
            ("https://[::ffff:192.168.1.1]/", &[], "private"),
            ("https://100.64.0.1/", &[], "carrier-grade-nat"),
            ("https://[fd00:ec2::254]/", &[], "cloud-metadata"),
            ("https://168.63.129.16/", &[], "cloud-metadata"),
            ("https://[::ffff:168.63.129.16]/", &[], "cloud-metadata"),
            ("https://0xa83f8110/", &[], "cloud-metadata"),
            (
                "http://168.63.129.16/machine?comp=goalstate",
                &["--allow-http"],
                "cloud-metadata",
            ),
            ("https://192.0.0.192/", &[], "cloud-metadata"),
            ("https://100.100.100.200/", &[], "cloud-metadata"),
            ("https://169.254.170.2/", &[], "cloud-metadata"),
            ("https://[fd20:ce::254]/", &[], "cloud-metadata"),
            ("https://user:pw@client.example.net/", &[], "credentials"),
            // http to a public name without --allow-http: refused, no lookup.
            (
                "http://client.example.net/progress",
                &[],
                "http-not-allowed",
            ),
            // An allow-list entry for one range does not open another.
            ("https://10.0.0.1/", &["--allow", "127.0.0.1"], "private"),
        ];
        for (url, more, rule) in cases {
            let exchange = exchange_with(url);
            let mut options = vec!["--dry-run"];
            options.extend_from_slice(more);
            let (code, lines, stderr) = send(exchange.to_str().unwrap(), PAYLOAD, &options);
            assert_eq!(code, 1, "{url}: {stderr}");
            let line = only(&lines);
            assert_eq!(line["outcome"], "denied", "{url}: {line}");
            assert_eq!(line["rule"], *rule, "{url}: {line}");
            assert!(line["reason"].as_str().is_some_and(|r| !r.is_empty()));
            assert!(line.get("target").is_none());
        }
    }

    #[test]
    fn dry_run_with_an_allow_list_entry_would_send_to_loopback() {
        let exchange = exchange_with("http://127.0.0.1:9/progress/42");
        let (code, lines, stderr) = send(
            exchange.to_str().unwrap(),
            PAYLOAD,
            &["--dry-run", "--allow", "127.0.0.1"],
        );
        assert_eq!(code, 0, "{stderr}");
        let line = only(&lines);
        assert_eq!(line["outcome"], "would-send");
        assert_eq!(line["target"]["allowed_by"], "127.0.0.1/32");
        assert_eq!(
            line["target"]["addresses"],
            serde_json::json!(["127.0.0.1"])
        );
        assert_eq!(line["target"]["addresses_checked"], true);
        // Nothing was signed: no secret given.
        assert!(header(&line["headers"], "webhook-signature").is_none());
    }

    #[test]
    fn a_url_that_cannot_be_resolved_is_skipped() {
        let (code, lines, stderr) = send(
            "examples/progress-exchange-no-header.yaml",
            PAYLOAD,
            &["--dry-run"],
        );
        assert_eq!(code, 0, "{stderr}");
        let line = only(&lines);
        assert_eq!(line["outcome"], "skipped");
        assert!(
            line["reason"].as_str().unwrap().contains("progressUrl"),
            "{line}"
        );
        assert!(line.get("url").is_none());
    }

    #[test]
    fn a_url_that_is_not_http_is_invalid() {
        let exchange = exchange_with("ftp://client.example.net/progress");
        let (code, lines, _) = send(exchange.to_str().unwrap(), PAYLOAD, &["--dry-run"]);
        assert_eq!(code, 1);
        assert_eq!(only(&lines)["outcome"], "invalid-url");
    }

    #[test]
    fn the_completion_callback_and_its_schema() {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_send");
        std::fs::create_dir_all(&dir).unwrap();
        let body = dir.join("completion.json");
        std::fs::write(
            &body,
            r#"{"jobId": "42", "ticket": "T-1001", "outcome": "done"}"#,
        )
        .unwrap();
        let (code, stdout, stderr) = oas_callbacks(&[
            "send",
            SPEC,
            "--operation",
            "startJob",
            "--callback",
            "completion",
            "--body",
            body.to_str().unwrap(),
            "--exchange",
            "examples/progress-exchange.json",
            "--dry-run",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let line: Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(line["outcome"], "would-send");
        assert_eq!(
            line["url"],
            "https://client.example.net/done?job=42&ticket=T-1001"
        );
        // A Progress payload is not a Completion.
        let (code, stdout, _) = oas_callbacks(&[
            "send",
            SPEC,
            "--operation",
            "startJob",
            "--callback",
            "completion",
            "--body",
            PAYLOAD,
            "--exchange",
            "examples/progress-exchange.json",
            "--dry-run",
        ]);
        assert_eq!(code, 1);
        let line: Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(line["outcome"], "invalid-payload");
    }

    #[test]
    fn usage_and_io_errors() {
        // An unknown callback: the input is wrong (1), with the names there are.
        let mut args = vec![
            "send",
            SPEC,
            "--operation",
            "startJob",
            "--callback",
            "nope",
            "--body",
            PAYLOAD,
            "--exchange",
            "examples/progress-exchange.json",
            "--dry-run",
        ];
        let (code, stdout, stderr) = oas_callbacks(&args);
        assert_eq!(code, 1);
        assert!(stdout.is_empty());
        assert!(stderr.contains("progress, completion"), "{stderr}");
        // No such method.
        args[5] = "progress";
        args.extend(["--method", "PUT"]);
        let (code, _, stderr) = oas_callbacks(&args);
        assert_eq!(code, 1);
        assert!(stderr.contains("has no PUT operation"), "{stderr}");
        // A missing body file: 2.
        let (code, _, stderr) = send(
            "examples/progress-exchange.json",
            "examples/no-such-payload.json",
            &["--dry-run"],
        );
        assert_eq!(code, 2, "{stderr}");
        // A missing exchange file: 2.
        let (code, _, _) = send("examples/no-such-exchange.json", PAYLOAD, &["--dry-run"]);
        assert_eq!(code, 2);
        // A bad allow-list entry, a bad secret, a bad duration: usage, 2.
        for more in [
            &["--allow", "http://x/"][..],
            &["--secret", "whsec_not base64!"][..],
            &["--timeout", "soon"][..],
        ] {
            let mut options = vec!["--dry-run"];
            options.extend_from_slice(more);
            let (code, lines, stderr) = send("examples/progress-exchange.json", PAYLOAD, &options);
            assert_eq!(code, 2, "{more:?}: {stderr}");
            assert!(lines.is_empty());
            assert!(!stderr.contains("whsec_not"), "the secret is not echoed");
        }
    }

    /// What a [`Consumer`] answers to its n-th request.
    #[derive(Clone, Copy)]
    enum Answer {
        Status(u16),
        /// This status, asking to retry after so many seconds.
        RetryAfter(u16, u32),
        /// Read the request, answer nothing for a while.
        Silent,
    }

    /// A request as the consumer read it.
    #[derive(Debug)]
    struct Seen {
        request_line: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Seen {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    /// A blocking HTTP/1.1 consumer on 127.0.0.1, one thread per connection, answering from a
    /// script (the last answer repeats). It stops with the test process.
    struct Consumer {
        addr: SocketAddr,
        connections: Arc<AtomicUsize>,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl Consumer {
        fn start(script: &[Answer]) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let connections = Arc::new(AtomicUsize::new(0));
            let seen = Arc::new(Mutex::new(Vec::new()));
            let script = script.to_vec();
            {
                let (connections, seen) = (connections.clone(), seen.clone());
                thread::spawn(move || {
                    for stream in listener.incoming() {
                        let Ok(stream) = stream else { break };
                        let n = connections.fetch_add(1, Ordering::SeqCst);
                        let answer = script[n.min(script.len() - 1)];
                        let seen = seen.clone();
                        thread::spawn(move || serve(stream, answer, &seen));
                    }
                });
            }
            Self {
                addr,
                connections,
                seen,
            }
        }

        fn url(&self, path: &str) -> String {
            format!("http://{}{path}", self.addr)
        }
    }

    fn serve(stream: TcpStream, answer: Answer, seen: &Mutex<Vec<Seen>>) {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
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
        seen.lock().unwrap().push(Seen {
            request_line: request_line.trim_end().to_owned(),
            headers,
            body,
        });
        let mut stream = stream;
        match answer {
            Answer::Status(code) => {
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} Whatever\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
                );
            }
            Answer::RetryAfter(code, seconds) => {
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} Whatever\r\nRetry-After: {seconds}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
                );
            }
            Answer::Silent => thread::sleep(Duration::from_secs(3)),
        }
    }

    #[test]
    fn send_delivers_to_an_allowed_loopback_consumer_signed() {
        let consumer = Consumer::start(&[Answer::Status(200)]);
        let exchange = exchange_with(&consumer.url("/progress/42"));
        let (code, lines, stderr) = send(
            exchange.to_str().unwrap(),
            PAYLOAD,
            &["--allow", "127.0.0.1", "--secret", SECRET],
        );
        assert_eq!(code, 0, "{stderr}");
        let line = only(&lines);
        assert_eq!(line["outcome"], "delivered", "{line}");
        assert_eq!(line["status"], 200);
        assert_eq!(line["attempts"], 1);
        assert_eq!(line["attempt_log"].as_array().unwrap().len(), 1);

        let seen = consumer.seen.lock().unwrap();
        let request = &seen[0];
        assert_eq!(request.request_line, "POST /progress/42 HTTP/1.1");
        // The body file, byte for byte.
        assert_eq!(request.body, std::fs::read(root().join(PAYLOAD)).unwrap());
        assert_eq!(request.header("content-type"), Some("application/json"));
        let id = request.header("webhook-id").unwrap();
        assert_eq!(line["webhook_id"], id);
        verify(
            &SECRET.parse().unwrap(),
            id,
            request.header("webhook-timestamp").unwrap(),
            request.header("webhook-signature").unwrap(),
            &request.body,
            now(),
            DEFAULT_TOLERANCE,
        )
        .unwrap();
    }

    #[test]
    fn send_retries_a_503_with_the_same_webhook_id() {
        let consumer = Consumer::start(&[Answer::Status(503), Answer::Status(200)]);
        let exchange = exchange_with(&consumer.url("/progress/42"));
        let (code, lines, stderr) = send(
            exchange.to_str().unwrap(),
            PAYLOAD,
            &["--allow", "127.0.0.1", "--backoff", "10ms"],
        );
        assert_eq!(code, 0, "{stderr}");
        let line = only(&lines);
        assert_eq!(line["outcome"], "delivered");
        assert_eq!(line["attempts"], 2);
        assert_eq!(line["attempt_log"][0]["status"], 503);
        assert!(line["attempt_log"][0]["backoff_ms"].as_u64().unwrap() <= 10);
        let seen = consumer.seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].header("webhook-id"), seen[1].header("webhook-id"));
    }

    #[test]
    fn send_reports_failures_with_the_last_error() {
        // A 400 is not retried.
        let consumer = Consumer::start(&[Answer::Status(400)]);
        let exchange = exchange_with(&consumer.url("/progress/42"));
        let (code, lines, _) = send(
            exchange.to_str().unwrap(),
            PAYLOAD,
            &["--allow", "127.0.0.1"],
        );
        assert_eq!(code, 1);
        let line = only(&lines);
        assert_eq!(line["outcome"], "failed");
        assert_eq!(line["kind"], "status");
        assert_eq!(line["status"], 400);
        assert_eq!(line["attempts"], 1);
        assert!(line["error"].as_str().unwrap().contains("400"));

        // A consumer that never answers: each attempt bounded by --timeout.
        let consumer = Consumer::start(&[Answer::Silent]);
        let exchange = exchange_with(&consumer.url("/progress/42"));
        let started = std::time::Instant::now();
        let (code, lines, _) = send(
            exchange.to_str().unwrap(),
            PAYLOAD,
            &[
                "--allow",
                "127.0.0.1",
                "--timeout",
                "300ms",
                "--attempts",
                "2",
                "--backoff",
                "10ms",
            ],
        );
        assert_eq!(code, 1);
        let line = only(&lines);
        assert_eq!(line["outcome"], "failed");
        assert_eq!(line["kind"], "timeout");
        assert_eq!(line["attempts"], 2);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "bounded by the timeout"
        );
    }

    #[test]
    fn an_invalid_payload_is_not_sent() {
        let consumer = Consumer::start(&[Answer::Status(200)]);
        let exchange = exchange_with(&consumer.url("/progress/42"));
        let (code, lines, _) = send(
            exchange.to_str().unwrap(),
            "examples/progress-payload-invalid.json",
            &["--allow", "127.0.0.1"],
        );
        assert_eq!(code, 1);
        let line = only(&lines);
        assert_eq!(line["outcome"], "invalid-payload");
        let pointers: Vec<&str> = line["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["pointer"].as_str().unwrap())
            .collect();
        assert_eq!(pointers, ["/percent", "/state", ""]);
        // The process has exited: had it connected, the consumer would have counted it.
        thread::sleep(Duration::from_millis(100));
        assert_eq!(consumer.connections.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn proxy_settings_in_the_environment_are_ignored() {
        // A "proxy" on 127.0.0.1 that counts who connects: send must go straight to the consumer.
        let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
        let proxied = Arc::new(AtomicUsize::new(0));
        {
            let proxied = proxied.clone();
            thread::spawn(move || {
                for stream in proxy.incoming() {
                    if stream.is_err() {
                        break;
                    }
                    proxied.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        let consumer = Consumer::start(&[Answer::Status(200)]);
        let exchange = exchange_with(&consumer.url("/progress/42"));
        let mut args = vec![
            "send",
            SPEC,
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            PAYLOAD,
            "--exchange",
        ];
        let exchange = exchange.to_str().unwrap().to_owned();
        args.extend([exchange.as_str(), "--allow", "127.0.0.1"]);
        let env: Vec<(&str, &str)> = [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ]
        .iter()
        .map(|name| (*name, proxy_url.as_str()))
        .chain([("NO_PROXY", ""), ("no_proxy", "")])
        .collect();
        let (code, stdout, stderr) = oas_callbacks_with_env(&args, &env);
        assert_eq!(code, 0, "{stderr}");
        let line: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        assert_eq!(line["outcome"], "delivered", "{line}");
        assert_eq!(consumer.seen.lock().unwrap().len(), 1);
        thread::sleep(Duration::from_millis(100));
        assert_eq!(
            proxied.load(Ordering::SeqCst),
            0,
            "nothing went to the proxy"
        );
    }

    #[test]
    fn each_attempt_is_printed_as_it_ends() {
        let consumer = Consumer::start(&[
            Answer::Status(503),
            Answer::Status(500),
            Answer::Status(200),
        ]);
        let exchange = exchange_with(&consumer.url("/progress/42"));
        let (code, lines, stderr) = send_lines(
            exchange.to_str().unwrap(),
            PAYLOAD,
            &["--allow", "127.0.0.1", "--backoff", "10ms"],
        );
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(lines.len(), 4, "{lines:?}");
        let seen = consumer.seen.lock().unwrap();
        let id = seen[0].header("webhook-id").unwrap();
        for (n, (line, status)) in lines[..3].iter().zip([503, 500, 200]).enumerate() {
            assert_eq!(line["event"], "attempt", "{line}");
            assert_eq!(line["attempt"], n + 1);
            assert_eq!(line["status"], status);
            assert_eq!(line["webhook_id"], id);
            assert_eq!(line["callback"], "progress");
            assert_eq!(line["url"], consumer.url("/progress/42"));
            assert_eq!(line["address"], consumer.addr.to_string());
            // The wait before the next attempt, when there is one.
            assert_eq!(line.get("backoff_ms").is_some(), n < 2, "{line}");
        }
        assert_eq!(lines[0]["error_kind"], "status");
        assert_eq!(lines[3]["outcome"], "delivered");
        assert_eq!(lines[3]["attempts"], 3);
        assert!(lines[3].get("event").is_none());
        assert_eq!(outcomes(&lines).len(), 1);
    }

    #[test]
    fn a_send_killed_between_retries_has_printed_its_attempts() {
        // The consumer fails and asks for a retry in 30 s: the process is killed while it
        // waits. What it printed before must name the message the consumer received.
        let consumer = Consumer::start(&[Answer::RetryAfter(503, 30)]);
        let exchange = exchange_with(&consumer.url("/progress/42"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
            .args([
                "send",
                SPEC,
                "--operation",
                "startJob",
                "--callback",
                "progress",
                "--body",
                PAYLOAD,
                "--exchange",
                exchange.to_str().unwrap(),
                "--allow",
                "127.0.0.1",
                "--secret",
                SECRET,
            ])
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        // The attempt is on stdout while the process waits for the next one: kill it there.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success());
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "", "nothing after the kill");

        let line: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(line["event"], "attempt", "{line}");
        assert_eq!(line["attempt"], 1);
        assert_eq!(line["status"], 503);
        assert_eq!(line["retry_after_ms"], 30_000);
        assert_eq!(line["backoff_ms"], 30_000, "the wait it was killed in");
        let seen = consumer.seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "one attempt reached the consumer");
        let id = seen[0].header("webhook-id").unwrap();
        assert_eq!(
            line["webhook_id"], id,
            "the operator learns the id the consumer saw"
        );
        verify(
            &SECRET.parse().unwrap(),
            id,
            seen[0].header("webhook-timestamp").unwrap(),
            seen[0].header("webhook-signature").unwrap(),
            &seen[0].body,
            now(),
            DEFAULT_TOLERANCE,
        )
        .unwrap();
    }
}
