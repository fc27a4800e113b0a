//! Parsing speed of runtime expressions and templates (criterion group `parse`).
//!
//! A fixed set: ten expressions covering every kind of expression (and the slow paths: an
//! escaped name, a long pointer) and three callback-key templates from the specification and
//! learn.openapis.org. Targets on the project's 2-core machine: at most 300 ns for
//! `$request.body#/user/uuid`, at most 1 µs for the `notificationServer` template.
//!
//! Run: `cargo bench -p benches --bench parse -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use expr_grammar::{Expression, Template};

/// (bench id under `parse/expression/`, input)
const EXPRESSIONS: [(&str, &str); 10] = [
    ("url", "$url"),
    ("method", "$method"),
    ("status_code", "$statusCode"),
    ("header", "$request.header.Content-Type"),
    ("query", "$request.query.queryUrl"),
    ("path", "$request.path.eventType"),
    ("body_pointer", "$request.body#/user/uuid"),
    ("response_body", "$response.body#/status"),
    (
        "escaped_query",
        r#"$request.query.caf\u00e9\"s\"\uD83D\uDE00"#,
    ),
    (
        "long_pointer",
        "$response.body#/data/0/attributes/relationships/owner~1admin/links/self/href",
    ),
];

/// (bench id under `parse/template/`, input)
const TEMPLATES: [(&str, &str); 3] = [
    ("query_url", "{$request.query.queryUrl}"),
    (
        "notification_server",
        "http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}",
    ),
    ("callback_url_data", "{$request.query.callbackUrl}/data"),
];

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (id, input) in EXPRESSIONS {
        // A benchmark of an error path by mistake would measure the wrong thing.
        Expression::parse(input).expect("benchmark inputs are valid expressions");
        group.bench_function(format!("expression/{id}"), |b| {
            b.iter(|| Expression::parse(black_box(input)));
        });
    }
    for (id, input) in TEMPLATES {
        Template::parse(input).expect("benchmark inputs are valid templates");
        group.bench_function(format!("template/{id}"), |b| {
            b.iter(|| Template::parse(black_box(input)));
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
