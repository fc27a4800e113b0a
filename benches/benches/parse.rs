//! Parsing speed of runtime expressions and templates (criterion group `parse`).
//!
//! A fixed set: ten expressions covering every kind of expression (and the slow paths: an
//! escaped name, a long pointer) and three callback-key templates from the specification and
//! learn.openapis.org. Targets on the project's 2-core machine: at most 300 ns for
//! `$request.body#/user/uuid`, at most 1 µs for the `notificationServer` template.
//!
//! The group `parse_arazzo` measures the Arazzo dialects: each expression of a set drawn from
//! the Arazzo 1.1.0 specification's examples (every family), an expression string, and three
//! whole sets with their bytes as the throughput, so that criterion reports bytes per second and
//! the ns per byte of the dialects compare directly: `openapi_set` (the ten expressions above,
//! read with `Expression::parse`), `arazzo_1_1_0_set` and `arazzo_1_0_1_set` (the Arazzo set in
//! each dialect) and `openapi_set_in_arazzo_1_1_0` (the OpenAPI expressions read by the
//! Arazzo 1.1.0 reader). Target (issue 13): Arazzo within 1.25 times OpenAPI's ns per byte.
//!
//! Run: `cargo bench -p benches --bench parse -- --warm-up-time 1 --measurement-time 3`;
//! only the Arazzo group: `cargo bench -p benches --bench parse -- parse_arazzo`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use expr_grammar::{Dialect, Expression, Template};

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

/// (bench id under `parse_arazzo/expression/`, input): one of each Arazzo 1.1.0 family, from
/// the specification's examples.
const ARAZZO_EXPRESSIONS: [(&str, &str); 10] = [
    ("inputs", "$inputs.username"),
    ("outputs", "$outputs.bar"),
    ("steps_pointer", "$steps.someStepId.outputs.pets#/0/id"),
    (
        "workflows_pointer",
        "$workflows.foo.outputs.mappedResponse#/name",
    ),
    (
        "source_description",
        "$sourceDescriptions.petstore.getPetById",
    ),
    ("components", "$components.parameters.foo"),
    ("message_payload", "$message.payload#/status"),
    ("message_header", "$message.header.Server"),
    ("response_array_element", "$response.body#/items/0/id"),
    ("self", "$self"),
];

/// An Arazzo 1.1.0 expression string (the specification's "embedded expressions" example).
const ARAZZO_TEMPLATE: &str = "https://{$inputs.host}/api/{$steps.create.outputs.id}/status";

fn total_len(inputs: &[(&str, &str)]) -> u64 {
    inputs.iter().map(|(_, input)| input.len() as u64).sum()
}

fn parse_arazzo(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_arazzo");
    for (id, input) in ARAZZO_EXPRESSIONS {
        Expression::parse_in(input, Dialect::Arazzo1_1_0)
            .expect("benchmark inputs are valid Arazzo 1.1.0 expressions");
        group.bench_function(format!("expression/{id}"), |b| {
            b.iter(|| Expression::parse_in(black_box(input), Dialect::Arazzo1_1_0));
        });
    }
    Template::parse_in(ARAZZO_TEMPLATE, Dialect::Arazzo1_1_0)
        .expect("the benchmark template is a valid expression string");
    group.bench_function("template/embedded", |b| {
        b.iter(|| Template::parse_in(black_box(ARAZZO_TEMPLATE), Dialect::Arazzo1_1_0));
    });

    // Whole sets, per byte.
    group.throughput(Throughput::Bytes(total_len(&EXPRESSIONS)));
    group.bench_function("openapi_set", |b| {
        b.iter(|| {
            for (_, input) in EXPRESSIONS {
                let _ = black_box(Expression::parse(black_box(input)));
            }
        });
    });
    group.bench_function("openapi_set_in_arazzo_1_1_0", |b| {
        b.iter(|| {
            for (_, input) in EXPRESSIONS {
                let _ = black_box(Expression::parse_in(black_box(input), Dialect::Arazzo1_1_0));
            }
        });
    });
    for (dialect, id) in [
        (Dialect::Arazzo1_1_0, "arazzo_1_1_0_set"),
        (Dialect::Arazzo1_0_1, "arazzo_1_0_1_set"),
    ] {
        // $message. and $self are 1.1.0's; in 1.0.1 they are errors, so that set leaves them out.
        let inputs: Vec<&str> = ARAZZO_EXPRESSIONS
            .iter()
            .map(|(_, input)| *input)
            .filter(|input| Expression::parse_in(input, dialect).is_ok())
            .collect();
        let bytes: u64 = inputs.iter().map(|input| input.len() as u64).sum();
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(id, |b| {
            b.iter(|| {
                for input in &inputs {
                    let _ = black_box(Expression::parse_in(black_box(input), dialect));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, parse, parse_arazzo);
criterion_main!(benches);
