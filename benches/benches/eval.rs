//! Evaluation speed against an exchange (criterion group `eval`): each engine bench next to a
//! hand-written baseline doing the same job on the same data, in the same run.
//!
//! - `eval/header/engine`: `$request.header.X-Request-ID` (a `CompiledExpression`) on an
//!   `HttpExchange` over an `http::Request` with 12 headers; `eval/header/direct`:
//!   `HeaderMap::get` with a pre-built `HeaderName`, then `HeaderValue::to_str` (the engine also
//!   returns text).
//! - `eval/body_pointer/engine`: `$request.body#/data/items/2/id` (depth 4) on the request's
//!   JSON body; `eval/body_pointer/direct`: the same four steps written by hand as chained
//!   `serde_json::Value::get` calls (`body.get("data")?.get("items")?.get(2)?.get("id")`) on the
//!   same `serde_json::Value` (the exchange's parsed body): the hand-written limit (a `jsonptr`
//!   resolve of the same pointer is about twice as slow).
//! - `eval/template/engine`: the specification's `notificationServer` callback key rendered into
//!   a reused, cleared `String`; `eval/template/direct`: the same output written by hand (clear,
//!   `push_str` of the literals and of the body's `id` and `email`, looked up with
//!   `serde_json::Value::get`).
//!
//! Target: each engine bench at most 1.25× its baseline.
//!
//! Run: `cargo bench -p benches --bench eval` (criterion's default measurement: 3 s warm-up, 5 s
//! measurement, 100 samples); on a shared machine, compare versions with instruction counts
//! instead (`valgrind --tool=callgrind`), which do not depend on the load.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use expr_eval::{
    Body, CompiledExpression, CompiledTemplate, Exchange, HttpExchange, Message, Value,
};

const TEMPLATE: &str =
    "http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}";

fn request() -> http::Request<Vec<u8>> {
    let body = serde_json::json!({
        "id": "tx-2f6c1b0e",
        "email": "alice@client.example",
        "data": {"items": [{"id": 1}, {"id": 2}, {"id": 3, "name": "third"}]},
        "failedUrl": "https://clientdomain.com/failed",
    });
    http::Request::post("/v2/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning")
        .header("Host", "example.org")
        .header("User-Agent", "bench/1.0")
        .header("Accept", "application/json")
        .header("Accept-Encoding", "gzip, br")
        .header("Accept-Language", "en")
        .header("Content-Type", "application/json")
        .header("Content-Length", "160")
        .header("Authorization", "Bearer abc.def.ghi")
        .header("Cache-Control", "no-cache")
        .header("Connection", "keep-alive")
        .header("X-Forwarded-For", "192.0.2.1")
        .header("X-Request-ID", "7b0c9a3e-4e5f-4d1c-9b7a-2f6c1b0e8d41")
        .body(serde_json::to_vec(&body).expect("serializes"))
        .expect("request")
}

fn eval(c: &mut Criterion) {
    let request = request();
    assert_eq!(request.headers().len(), 12);
    let exchange = HttpExchange::new(&request).with_path_template("/subscribe/{eventType}");
    let mut group = c.benchmark_group("eval");

    // Header.
    let engine = CompiledExpression::parse("$request.header.X-Request-ID").expect("expression");
    let name = http::HeaderName::from_static("x-request-id");
    let expected = "7b0c9a3e-4e5f-4d1c-9b7a-2f6c1b0e8d41";
    assert_eq!(engine.evaluate(&exchange).expect("header"), expected);
    assert_eq!(
        request.headers().get(&name).and_then(|v| v.to_str().ok()),
        Some(expected)
    );
    group.bench_function("header/engine", |b| {
        b.iter(|| black_box(engine.evaluate(black_box(&exchange))));
    });
    group.bench_function("header/direct", |b| {
        b.iter(|| {
            black_box(
                black_box(&request)
                    .headers()
                    .get(&name)
                    .map(http::HeaderValue::to_str),
            )
        });
    });

    // Body pointer, depth 4.
    let engine = CompiledExpression::parse("$request.body#/data/items/2/id").expect("expression");
    let Body::Json(body) = exchange.request().body() else {
        panic!("the body is JSON");
    };
    fn direct(body: &serde_json::Value) -> Option<&serde_json::Value> {
        body.get("data")
            .and_then(|data| data.get("items"))
            .and_then(|items| items.get(2))
            .and_then(|item| item.get("id"))
    }
    assert_eq!(
        engine.evaluate(&exchange).expect("pointer"),
        serde_json::json!(3)
    );
    assert_eq!(direct(body), Some(&serde_json::json!(3)));
    group.bench_function("body_pointer/engine", |b| {
        b.iter(|| black_box(engine.evaluate(black_box(&exchange))));
    });
    group.bench_function("body_pointer/direct", |b| {
        b.iter(|| black_box(direct(black_box(body))));
    });

    // Template.
    let engine = CompiledTemplate::parse(TEMPLATE).expect("template");
    let expected =
        "http://notificationServer.com?transactionId=tx-2f6c1b0e&email=alice@client.example";
    let mut out = String::with_capacity(128);
    engine.render_into(&exchange, &mut out).expect("renders");
    assert_eq!(out, expected);
    let direct = |out: &mut String, body: &serde_json::Value| {
        out.clear();
        out.push_str("http://notificationServer.com?transactionId=");
        if let Some(id) = body.get("id").and_then(serde_json::Value::as_str) {
            out.push_str(id);
        }
        out.push_str("&email=");
        if let Some(email) = body.get("email").and_then(serde_json::Value::as_str) {
            out.push_str(email);
        }
    };
    direct(&mut out, body);
    assert_eq!(out, expected);
    group.bench_function("template/engine", |b| {
        b.iter(|| {
            out.clear();
            let result = engine.render_into(black_box(&exchange), &mut out);
            black_box(&out);
            black_box(result.is_ok());
        });
    });
    group.bench_function("template/direct", |b| {
        b.iter(|| {
            direct(&mut out, black_box(body));
            black_box(&out);
        });
    });

    group.finish();
    // The values stay borrowed from the exchange.
    assert!(matches!(
        CompiledExpression::parse("$request.header.host")
            .expect("expression")
            .evaluate(&exchange),
        Ok(Value::Str(std::borrow::Cow::Borrowed("example.org")))
    ));
}

criterion_group!(benches, eval);
criterion_main!(benches);
