//! Arbitrary bytes as an OpenAPI document (JSON when the first byte is even, else YAML)
//! through `Document::from_bytes`, `check`, and `resolve_callbacks` / `resolve_links` on every
//! operation with a small fixed exchange: never a panic, never a hang.
//!
//! The document is named as if in a directory that does not exist, and `max_files` is 1, so
//! that no `$ref` reads another file: the target is hermetic. YAML alias expansion is limited to
//! 10,000 nodes (`max_yaml_alias_nodes`), a tenth of the default, to keep executions fast.
#![no_main]

use std::sync::OnceLock;

use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};
use libfuzzer_sys::fuzz_target;
use oas_callbacks::{Document, LoadLimits};

fn exchange() -> &'static OwnedExchange {
    static EXCHANGE: OnceLock<OwnedExchange> = OnceLock::new();
    EXCHANGE.get_or_init(|| {
        let request = OwnedRequest::new(
            "POST",
            "https://api.example/v1/subscribe/evt/42?callbackUrl=https://client.example/cb&q=1",
        )
        .expect("valid")
        .with_header("Content-Type", "application/json")
        .with_header("X-Callback", "https://client.example/header")
        .with_json_body(serde_json::json!({
            "url": "https://client.example/body", "id": 7, "items": [{"a": 1}], "email": "a@b.example"
        }));
        let response = OwnedResponse::new(201)
            .expect("valid")
            .with_header("Location", "https://api.example/subscriptions/1")
            .with_json_body(serde_json::json!({"id": "s-1", "uuid": "u-1"}));
        OwnedExchange::new(request).with_response(response)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = if selector % 2 == 0 {
        "/nonexistent-fuzz-dir/doc.json"
    } else {
        "/nonexistent-fuzz-dir/doc.yaml"
    };
    let mut limits = LoadLimits::default();
    limits.max_files = 1;
    // Alias expansion is bounded either way; a tenth of the default keeps each execution short
    // (the fuzzer soon finds inputs that expand as far as they may).
    limits.max_yaml_alias_nodes = 10_000;
    let doc = match Document::from_bytes(name, bytes.to_vec(), limits) {
        Ok(doc) => doc,
        Err(err) => {
            assert!(!err.to_string().is_empty());
            return;
        }
    };
    for diagnostic in doc.check() {
        let _ = diagnostic.to_string();
    }
    let exchange = exchange();
    for op in doc.operations() {
        let _ = op.resolve_callbacks(exchange);
        for status in [200, 201, 404] {
            let _ = op.resolve_links(status, exchange);
        }
        for callback in op.callbacks() {
            let _ = doc.validate_callback_payload(
                op,
                callback.name(),
                None,
                &serde_json::json!({"id": 1}),
            );
        }
    }
});
