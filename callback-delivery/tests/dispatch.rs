//! Dispatching the callbacks of `examples/progress-api.yaml` without a network: the payload
//! validated, the URL taken, the policy checked (a dry run), and the JSON line of each outcome.
//! Pure: runs without the `client` feature.
#![allow(clippy::unwrap_used)]

use callback_delivery::{
    DeliveryOptions, Dispatch, DispatchOutcome, Dispatched, DryRunOutcome, Payload, UrlPolicy,
};
use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};
use oas_callbacks::{Document, ResolvedCallback};
use serde_json::{Value, json};

fn doc() -> Document {
    Document::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/progress-api.yaml"
    ))
    .unwrap()
}

/// The `startJob` exchange, with this `progressUrl` header (none: no header).
fn exchange(progress_url: Option<&str>) -> OwnedExchange {
    let mut request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/42/start")
        .unwrap()
        .with_json_body(
            json!({"scene": "teapot", "notify": {"url": "https://client.example.net/done"}}),
        );
    if let Some(url) = progress_url {
        request = request.with_header("progressUrl", url);
    }
    let response = OwnedResponse::new(202)
        .unwrap()
        .with_json_body(json!({"ticket": "T-1001", "state": "queued"}));
    OwnedExchange::new(request).with_response(response)
}

fn progress() -> Payload {
    Payload::parse(r#"{"jobId": "42", "percent": 40, "state": "running"}"#).unwrap()
}

/// Resolves `startJob`'s callbacks for the exchange and dry-runs the one named `name`.
fn dry_run(
    progress_url: Option<&str>,
    name: &str,
    payload: &Payload,
    options: &DeliveryOptions,
) -> Dispatched {
    let doc = doc();
    let op = doc.operation("startJob").unwrap();
    let resolved: Vec<ResolvedCallback> = op.resolve_callbacks(&exchange(progress_url));
    let callback = resolved.iter().find(|c| c.callback == name).unwrap();
    Dispatch::new(&doc, op, callback, payload)
        .with_id("msg_fixed")
        .dry_run(options)
}

/// The line as `send` prints it, with the volatile fields (timestamps, signatures) removed.
fn line(dispatched: &Dispatched) -> String {
    let mut value = serde_json::to_value(dispatched).unwrap();
    if let Some(headers) = value.get_mut("headers").and_then(Value::as_array_mut) {
        headers.retain(|h| h[0] != "webhook-timestamp" && h[0] != "webhook-signature");
    }
    serde_json::to_string(&value).unwrap()
}

#[test]
fn an_allowed_url_would_be_sent() {
    let dispatched = dry_run(
        Some("https://client.example.net/progress/42"),
        "progress",
        &progress(),
        &DeliveryOptions::default(),
    );
    assert!(dispatched.is_success());
    assert_eq!(
        dispatched.url(),
        Some("https://client.example.net/progress/42")
    );
    assert_eq!(dispatched.method, http::Method::POST);
    assert_eq!(dispatched.operation_id.as_deref(), Some("jobProgress"));
    match &dispatched.outcome {
        DispatchOutcome::DryRun(run) => {
            assert!(matches!(run.outcome, DryRunOutcome::WouldSend { .. }));
            assert_eq!(run.body_bytes, progress().bytes().len());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        line(&dispatched),
        r#"{"callback":"progress","expression":"{$request.header.progressUrl}","method":"POST","operationId":"jobProgress","url":"https://client.example.net/progress/42","webhook_id":"msg_fixed","outcome":"would-send","target":{"url":"https://client.example.net/progress/42","scheme":"https","host":"client.example.net","port":443,"addresses":[],"addresses_checked":false},"headers":[["content-type","application/json"],["user-agent","oas-callbacks/0.1.0"],["webhook-id","msg_fixed"]],"body_bytes":50}"#
    );
}

#[test]
fn a_refused_url_is_denied_with_the_rule() {
    for (url, rule) in [
        (
            "https://169.254.169.254/latest/meta-data/",
            "cloud-metadata",
        ),
        ("https://168.63.129.16/", "cloud-metadata"),
        ("https://127.1/", "loopback"),
        ("http://client.example.net/", "http-not-allowed"),
    ] {
        let dispatched = dry_run(
            Some(url),
            "progress",
            &progress(),
            &DeliveryOptions::default(),
        );
        assert!(!dispatched.is_success(), "{url}");
        assert_eq!(
            dispatched.denied().map(|d| d.rule.as_str()),
            Some(rule),
            "{url}"
        );
    }
    let dispatched = dry_run(
        Some("https://0x7f000001/"),
        "progress",
        &progress(),
        &DeliveryOptions::default(),
    );
    assert_eq!(
        line(&dispatched),
        r#"{"callback":"progress","expression":"{$request.header.progressUrl}","method":"POST","operationId":"jobProgress","url":"https://0x7f000001/","webhook_id":"msg_fixed","outcome":"denied","rule":"loopback","address":"127.0.0.1","reason":"127.0.0.1 is a loopback address","body_bytes":50}"#
    );
    // The allow-list opens it.
    let open = DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse().unwrap()));
    assert!(dry_run(Some("http://127.0.0.1:9/"), "progress", &progress(), &open).is_success());
}

#[test]
fn an_invalid_payload_is_not_sent() {
    let payload =
        Payload::parse(r#"{"jobId": "42", "percent": 140, "state": "sleeping", "eta": 5}"#)
            .unwrap();
    let dispatched = dry_run(
        Some("https://client.example.net/progress/42"),
        "progress",
        &payload,
        &DeliveryOptions::default(),
    );
    assert!(!dispatched.is_success());
    match &dispatched.outcome {
        DispatchOutcome::InvalidPayload {
            url,
            violations,
            error,
        } => {
            assert_eq!(
                url.as_deref(),
                Some("https://client.example.net/progress/42")
            );
            let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
            assert_eq!(pointers, ["/percent", "/state", ""]);
            assert_eq!(error, &None);
        }
        other => panic!("{other:?}"),
    }
    let json: Value = serde_json::to_value(&dispatched).unwrap();
    assert_eq!(json["outcome"], "invalid-payload");
    assert_eq!(json["violations"][0]["pointer"], "/percent");
    assert!(json.get("error").is_none());
    assert!(
        json.get("webhook_id").is_none(),
        "nothing was prepared to send"
    );

    // A Progress payload is not a Completion; the invalid payload wins over a skipped URL.
    let dispatched = dry_run(None, "completion", &progress(), &DeliveryOptions::default());
    assert!(matches!(
        dispatched.outcome,
        DispatchOutcome::InvalidPayload { .. }
    ));
}

#[test]
fn a_url_that_cannot_be_resolved_is_skipped() {
    let dispatched = dry_run(None, "progress", &progress(), &DeliveryOptions::default());
    assert!(
        dispatched.is_success(),
        "skipping is what the specification says"
    );
    assert_eq!(dispatched.url(), None);
    match &dispatched.outcome {
        DispatchOutcome::Skipped { reason } => {
            assert!(reason.to_string().contains("progressUrl"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        line(&dispatched),
        r#"{"callback":"progress","expression":"{$request.header.progressUrl}","method":"POST","operationId":"jobProgress","outcome":"skipped","reason":"header \"progressUrl\" not present in the request"}"#
    );
}

#[test]
fn a_url_that_is_not_http_is_invalid() {
    let dispatched = dry_run(
        Some("ftp://client.example.net/progress"),
        "progress",
        &progress(),
        &DeliveryOptions::default(),
    );
    assert!(!dispatched.is_success());
    assert!(matches!(
        dispatched.outcome,
        DispatchOutcome::InvalidUrl { .. }
    ));
    assert_eq!(
        line(&dispatched),
        r#"{"callback":"progress","expression":"{$request.header.progressUrl}","method":"POST","operationId":"jobProgress","url":"ftp://client.example.net/progress","outcome":"invalid-url","reason":"scheme `ftp` is not http or https"}"#
    );
}

#[test]
fn the_payload_is_shared_never_copied() {
    // Every request prepared from one payload sends the payload's own buffer.
    let doc = doc();
    let op = doc.operation("startJob").unwrap();
    let resolved = op.resolve_callbacks(&exchange(Some("https://client.example.net/p")));
    let payload = progress();
    let progress = resolved.iter().find(|c| c.callback == "progress").unwrap();
    for _ in 0..3 {
        let request = Dispatch::new(&doc, op, progress, &payload)
            .with_header("x-trace", "t")
            .prepare()
            .unwrap();
        assert_eq!(request.body().as_ptr(), payload.bytes().as_ptr());
        assert_eq!(request.body().len(), payload.bytes().len());
        assert_eq!(request.url(), "https://client.example.net/p");
        assert_eq!(request.headers(), [("x-trace".to_owned(), "t".to_owned())]);
    }
}

#[test]
fn a_callback_operation_without_a_schema_takes_any_json_payload() {
    // `ping` declares no request body: nothing to check the payload against, so it is sent
    // (the outbox's `prepare` agrees); `typed` declares one, and it is checked.
    let doc = Document::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/ping-api.yaml"
    ))
    .unwrap();
    let op = doc.operation("startJob").unwrap();
    let request = OwnedRequest::new("POST", "https://api.example.com/jobs")
        .unwrap()
        .with_header("pingUrl", "https://client.example.net/ping");
    let resolved = op.resolve_callbacks(&OwnedExchange::new(request));
    let payload = Payload::parse(r#"{"anything": [1, 2]}"#).unwrap();
    let options = DeliveryOptions::default();

    let ping = resolved.iter().find(|c| c.callback == "ping").unwrap();
    let dispatched = Dispatch::new(&doc, op, ping, &payload).dry_run(&options);
    assert!(dispatched.is_success(), "{:?}", dispatched.outcome);
    assert_eq!(dispatched.url(), Some("https://client.example.net/ping"));

    let typed = resolved.iter().find(|c| c.callback == "typed").unwrap();
    let dispatched = Dispatch::new(&doc, op, typed, &payload).dry_run(&options);
    assert!(matches!(
        dispatched.outcome,
        DispatchOutcome::InvalidPayload { .. }
    ));
}
