//! Arazzo criteria (criterion group `arazzo`): a simple condition parsed once and evaluated many
//! times against an exchange, next to a hand-written baseline doing the same job.
//!
//! - `arazzo/simple_condition/engine`: `$statusCode == 200 && $response.body#/count > 0`, a
//!   [`Condition`] evaluated against an `OwnedExchange` whose response has a JSON body;
//!   `arazzo/simple_condition/direct`: the status and the member looked up by hand (the same
//!   exchange, `Exchange::response`, `serde_json::Value::get`) and compared.
//! - `arazzo/simple_condition/parse`: parsing the condition (for scale; not a target).
//! - `arazzo/criterion_regex`: `^2\d{2}$` over `$statusCode` (a `Criterion` of type regex).
//!
//! Target: `simple_condition/engine` under 1 µs per evaluation.
//!
//! Run: `cargo bench -p benches --bench arazzo -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use arazzo::{Condition, Criterion as ArazzoCriterion, Version};
use criterion::{Criterion, criterion_group, criterion_main};
use expr_eval::{Body, Exchange, Message, OwnedExchange, OwnedRequest, OwnedResponse};

const CONDITION: &str = "$statusCode == 200 && $response.body#/count > 0";

fn exchange() -> OwnedExchange {
    let body =
        serde_json::json!({"count": 3, "items": [{"id": 1}, {"id": 2}, {"id": 3}], "next": null});
    OwnedExchange::new(
        OwnedRequest::new("GET", "https://api.example/pets?limit=3").expect("request"),
    )
    .with_response(
        OwnedResponse::new(200)
            .expect("status")
            .with_json_body(body),
    )
}

fn arazzo(c: &mut Criterion) {
    let exchange = exchange();
    let condition = Condition::parse(CONDITION, Version::V1_1).expect("parses");
    assert!(condition.evaluate(&exchange).expect("evaluates"));
    let direct = |exchange: &OwnedExchange| {
        let Some(response) = exchange.response() else {
            return false;
        };
        if response.status() != 200 {
            return false;
        }
        match response.body() {
            Body::Json(body) => body
                .get("count")
                .and_then(serde_json::Value::as_f64)
                .is_some_and(|count| count > 0.0),
            _ => false,
        }
    };
    assert!(direct(&exchange));

    let mut group = c.benchmark_group("arazzo");
    group.bench_function("simple_condition/engine", |b| {
        b.iter(|| black_box(&condition).evaluate(black_box(&exchange)))
    });
    group.bench_function("simple_condition/direct", |b| {
        b.iter(|| direct(black_box(&exchange)))
    });
    group.bench_function("simple_condition/parse", |b| {
        b.iter(|| Condition::parse(black_box(CONDITION), Version::V1_1))
    });
    let regex = ArazzoCriterion::from_json(
        &serde_json::json!({"context": "$statusCode", "condition": "^2\\d{2}$", "type": "regex"}),
        Version::V1_1,
    )
    .expect("compiles");
    assert!(regex.evaluate(&exchange).passed());
    group.bench_function("criterion_regex", |b| {
        b.iter(|| black_box(&regex).evaluate(black_box(&exchange)))
    });
    group.finish();
}

criterion_group!(benches, arazzo);
criterion_main!(benches);
