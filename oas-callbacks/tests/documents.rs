//! Loading documents through the library: references across files, broken documents, the
//! example API resolved end to end, payload validation in both schema dialects, and a generated
//! document with 10,000 callbacks and 10,000 links.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};
use oas_callbacks::{
    CallbackOutcome, Diagnostic, DiagnosticCode, Document, LinkTarget, LoadError, ResolvedValue,
    Severity,
};
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn errors(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn progress_exchange(with_header: bool) -> OwnedExchange {
    let mut request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/42/start")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .with_json_body(
            json!({"scene": "teapot", "notify": {"url": "https://client.example.net/done"}}),
        );
    if with_header {
        request = request.with_header("progressUrl", "https://client.example.net/progress/42");
    }
    let response = OwnedResponse::new(202)
        .unwrap()
        .with_header("Content-Type", "application/json")
        .with_json_body(json!({"ticket": "T-1001", "state": "queued"}));
    OwnedExchange::new(request).with_response(response)
}

#[test]
fn example_api_resolves_its_callbacks() {
    let doc = Document::load(example("progress-api.yaml")).unwrap();
    assert!(errors(&doc.check()).is_empty(), "{:#?}", doc.check());
    let op = doc.operation("startJob").unwrap();
    let calls = op.resolve_callbacks(&progress_exchange(true));
    let urls: Vec<_> = calls
        .iter()
        .map(|c| (c.callback.as_str(), c.outcome.clone()))
        .collect();
    assert_eq!(
        urls,
        [
            (
                "progress",
                CallbackOutcome::Url("https://client.example.net/progress/42".into())
            ),
            (
                "completion",
                CallbackOutcome::Url("https://client.example.net/done?job=42&ticket=T-1001".into())
            ),
        ]
    );
    assert_eq!(calls[0].operation_id.as_deref(), Some("jobProgress"));
    assert_eq!(calls[0].method, http::Method::POST);
}

#[test]
fn a_missing_optional_header_skips_the_callback_with_the_reason() {
    let doc = Document::load(example("progress-api.yaml")).unwrap();
    let op = doc.operation("POST /jobs/{jobId}/start").unwrap();
    let calls = op.resolve_callbacks(&progress_exchange(false));
    match &calls[0].outcome {
        CallbackOutcome::Skipped(reason) => {
            assert!(reason.to_string().contains("progressUrl"), "{reason}")
        }
        other => panic!("expected skipped, got {other:?}"),
    }
    assert!(matches!(calls[1].outcome, CallbackOutcome::Url(_)));
}

#[test]
fn example_api_resolves_its_link() {
    let doc = Document::load(example("progress-api.yaml")).unwrap();
    let op = doc.operation("startJob").unwrap();
    let exchange = progress_exchange(true);
    let links = op.resolve_links(202, &exchange);
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].target, LinkTarget::OperationId("getJob".into()));
    assert_eq!(
        links[0].parameter("jobId").map(ResolvedValue::to_json),
        Some(json!("42"))
    );
    assert_eq!(
        links[0].parameter("ticket").map(ResolvedValue::to_json),
        Some(json!("T-1001"))
    );
    // A status without links.
    assert!(op.resolve_links(500, &progress_exchange(true)).is_empty());
}

#[test]
fn a_failing_link_expression_passes_no_value() {
    let doc = Document::load(example("progress-api.yaml")).unwrap();
    let op = doc.operation("startJob").unwrap();
    let request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/42/start").unwrap();
    let response = OwnedResponse::new(202).unwrap().with_body("not json");
    let exchange = OwnedExchange::new(request).with_response(response);
    let links = op.resolve_links(202, &exchange);
    assert_eq!(
        links[0].parameter("jobId").map(ResolvedValue::to_json),
        Some(json!("42"))
    );
    assert!(links[0].parameter("ticket").is_none());
    assert!(links[0].not_passed.contains_key("ticket"));
}

#[test]
fn a_resolved_url_that_is_not_absolute_http_is_invalid() {
    let doc = Document::load(fixture("multi/root.yaml")).unwrap();
    let op = doc.operation("subscribe").unwrap();
    let request = OwnedRequest::new(
        "POST",
        "https://api.example/subscriptions?callbackUrl=ftp://files.example",
    )
    .unwrap()
    .with_json_body(json!({"contact.email": "mailto:a@b.example", "contact": {"email": "x"}}));
    let calls = op.resolve_callbacks(&OwnedExchange::new(request));
    assert!(
        matches!(&calls[0].outcome, CallbackOutcome::Invalid { url, .. } if url == "ftp://files.example/events"),
        "{calls:?}"
    );
    assert!(
        matches!(&calls[1].outcome, CallbackOutcome::Invalid { url, .. } if url == "mailto:a@b.example"),
        "{calls:?}"
    );
}

#[test]
fn references_across_files_are_followed() {
    let doc = Document::load(fixture("multi/root.yaml")).unwrap();
    assert!(doc.diagnostics().is_empty(), "{:#?}", doc.diagnostics());
    let op = doc.operation("subscribe").unwrap();
    let keys: Vec<_> = op.callbacks().iter().map(|c| c.key()).collect();
    assert_eq!(
        keys,
        [
            "{$request.query.callbackUrl}/events",
            "{$request.body#/contact.email}"
        ]
    );
    // The dotted pointer is flagged, in the file that holds it, with the slashed fix.
    let check = doc.check();
    let dotted = check
        .iter()
        .find(|d| d.code() == DiagnosticCode::UnknownBodyProperty)
        .unwrap();
    assert!(dotted.file.ends_with("callbacks.yaml"), "{dotted}");
    assert_eq!(dotted.line, Some(13));
    assert_eq!(
        dotted.help.as_deref(),
        Some("did you mean `$request.body#/contact/email`?")
    );
    // The query parameter is declared through a reference: no warning.
    assert!(
        !check.iter().any(|d| matches!(
            d.code(),
            DiagnosticCode::UndeclaredQueryParameter | DiagnosticCode::UndeclaredHeaderParameter
        )),
        "{check:#?}"
    );
}

#[test]
fn oas30_payloads_are_validated_in_the_30_dialect() {
    let doc = Document::load(fixture("multi/root.yaml")).unwrap();
    let op = doc.operation("subscribe").unwrap();
    let valid = doc
        .validate_callback_payload(
            op,
            "onEvent",
            None,
            &json!({"id": "1", "kind": null, "count": 1}),
        )
        .unwrap();
    assert!(valid.is_empty(), "{valid:?}");
    // `exclusiveMinimum: true` with `minimum: 0` refuses 0; `kind` is not nullable to a number.
    let invalid = doc
        .validate_callback_payload(op, "onEvent", None, &json!({"kind": 3, "count": 0}))
        .unwrap();
    let pointers: Vec<_> = invalid.iter().map(|v| v.pointer.as_str()).collect();
    assert!(pointers.contains(&""), "{invalid:?}");
    assert!(pointers.contains(&"/kind"), "{invalid:?}");
    assert!(pointers.contains(&"/count"), "{invalid:?}");
}

#[test]
fn oas31_payloads_report_every_violation_by_pointer() {
    let doc = Document::load(example("progress-api.yaml")).unwrap();
    let op = doc.operation("startJob").unwrap();
    let violations = doc
        .validate_callback_payload(
            op,
            "progress",
            Some("post"),
            &json!({"jobId": "42", "percent": 140, "state": "sleeping", "eta": 3}),
        )
        .unwrap();
    let mut pointers: Vec<_> = violations.iter().map(|v| v.pointer.clone()).collect();
    pointers.sort();
    assert_eq!(pointers, ["", "/percent", "/state"]);
    assert!(
        doc.validate_callback_payload(op, "nope", None, &json!({}))
            .is_err()
    );
    assert!(
        doc.validate_callback_payload(op, "progress", Some("PUT"), &json!({}))
            .is_err()
    );
}

#[test]
fn reference_cycles_are_errors_not_hangs() {
    let doc = Document::load(fixture("cycle.yaml")).unwrap();
    let cycle = doc
        .diagnostics()
        .iter()
        .find(|d| d.code() == DiagnosticCode::ReferenceCycle)
        .unwrap();
    assert!(cycle.message.contains("reference cycle"), "{cycle}");
    assert_eq!(cycle.line, Some(11));
}

#[test]
fn dangling_and_url_references_are_errors_with_locations() {
    let doc = Document::load(fixture("dangling.json")).unwrap();
    let messages: Vec<String> = errors(doc.diagnostics())
        .iter()
        .map(|d| format!("{}:{} {}", d.line.unwrap(), d.column.unwrap(), d.message))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("8:") && m.contains("#/components/links/missing")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("10:") && m.contains("is a URL")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("11:") && m.contains("nowhere.yaml")),
        "{messages:#?}"
    );
}

#[test]
fn wrong_types_are_reported_not_panicked_on() {
    let doc = Document::load(fixture("wrong-types.yaml")).unwrap();
    let check = doc.check();
    assert!(
        check
            .iter()
            .any(|d| d.message.contains("Callback Object must be an object") && d.line == Some(15)),
        "{check:#?}"
    );
    assert!(
        check
            .iter()
            .any(|d| d.message.contains("Path Item of callback key") && d.line == Some(17)),
        "{check:#?}"
    );
    assert!(
        check
            .iter()
            .any(|d| d.code() == DiagnosticCode::InvalidLinkObject
                && d.message.contains("must be a string")
                && d.line == Some(12)),
        "{check:#?}"
    );
}

#[test]
fn files_that_are_not_json_or_yaml_fail_to_load_with_a_position() {
    for (name, line) in [("not-yaml.yaml", 3), ("not-json.json", 1)] {
        match Document::load(fixture(name)) {
            Err(LoadError::Syntax {
                position: Some(position),
                message,
                ..
            }) => {
                assert_eq!(position.line, line, "{name}: {message}");
            }
            other => panic!("{name}: expected a syntax error, got {other:?}"),
        }
    }
    assert!(matches!(
        Document::load(fixture("absent.yaml")),
        Err(LoadError::Io { .. })
    ));
}

#[test]
fn a_yaml_alias_bomb_fails_fast() {
    match Document::load(fixture("alias-bomb.yaml")) {
        Err(LoadError::Syntax { message, .. }) => assert!(
            message.contains("budget") || message.contains("alias"),
            "{message}"
        ),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn ten_thousand_callbacks_and_links_load_check_and_resolve() {
    let text = benches_support::generated_document(10_000);
    let doc =
        Document::from_bytes("generated.json", text.into_bytes(), Default::default()).unwrap();
    assert_eq!(doc.operations().len(), 10_000);
    let check = doc.check();
    assert!(
        errors(&check).is_empty(),
        "{:#?}",
        &check[..check.len().min(5)]
    );
    let op = doc.operation("op9999").unwrap();
    let request = OwnedRequest::new("POST", "https://api.example/op9999?tenant=t1")
        .unwrap()
        .with_json_body(json!({"id": "abc", "email": "a@b.example"}));
    let response = OwnedResponse::new(202)
        .unwrap()
        .with_json_body(json!({"id": "r-1"}));
    let exchange = OwnedExchange::new(request).with_response(response);
    let calls = op.resolve_callbacks(&exchange);
    assert_eq!(
        calls[0].outcome,
        CallbackOutcome::Url(
            "https://notify.example/9999?id=abc&email=a@b.example&tenant=t1".into()
        )
    );
    let links = op.resolve_links(202, &exchange);
    assert_eq!(
        links[0].parameter("id").map(ResolvedValue::to_json),
        Some(json!("r-1"))
    );
}

#[allow(unreachable_pub)] // the file is also the `benches` crate's public module
mod benches_support {
    //! The same generator the `document` benchmark uses.
    include!("../../benches/src/generated_document.rs");
}
