//! `document/compile_10k`: loading a JSON OpenAPI document with 10,000 operations, each with a
//! callback (a three-expression template key) and a link, and compiling every expression in
//! it, against `document/json_parse_10k`: parsing the same text with serde_json alone. The
//! target is a ratio of at most 2.0: compiling all expressions costs at most as much again as
//! the JSON parse.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use oas_callbacks::{Document, LoadLimits};

fn document(c: &mut Criterion) {
    let text = benches::generated_document(10_000);
    let mut group = c.benchmark_group("document");
    group.sample_size(10);
    group.bench_function("json_parse_10k", |b| {
        b.iter(|| {
            serde_json::from_str::<serde_json::Value>(black_box(&text))
                .map(|v| black_box(v).is_object())
        })
    });
    group.bench_function("compile_10k", |b| {
        b.iter(|| {
            Document::from_bytes(
                "generated.json",
                black_box(text.as_bytes().to_vec()),
                LoadLimits::default(),
            )
            .map(|doc| black_box(doc.operations().len()))
        })
    });
    group.finish();
}

criterion_group!(benches, document);
criterion_main!(benches);
