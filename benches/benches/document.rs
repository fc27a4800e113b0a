//! The `document` group.
//!
//! `document/compile_10k`: loading a JSON OpenAPI document with 10,000 operations, each with a
//! callback (a three-expression template key) and a link, and compiling every expression in
//! it, against `document/json_parse_10k`: parsing the same text with serde_json alone. The
//! target is a ratio of at most 2.0: compiling all expressions costs at most as much again as
//! the JSON parse.
//!
//! `document/check_set`: `check` over a generated set of 601 interlinked files (300 documents,
//! one large file every document refers to, chains of references between files) with one
//! [`Loader`] and [`Loader::check_all`], as `oas-callbacks check SPEC...` runs it (the documents
//! checked in parallel, on up to one thread per core), against `document/parse_each`: reading
//! and parsing every file of the set once with serde_json (the parser the loader uses for
//! JSON), and nothing else. The target is a ratio of at most 1.3.
//!
//! The benchmark deletes its set; to time the real binary over the same set, write it with
//! `cargo run --release -p benches --bin write-set -- DIR` and run
//! `time target/release/oas-callbacks check DIR/api-*.json`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use oas_callbacks::{Document, LoadLimits, Loader};

/// The allocator of the `oas-callbacks` command (cli/src/main.rs), so that `check_set` measures
/// what the command does; `parse_each` runs on it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn document(c: &mut Criterion) {
    let text = benches::generated_document(10_000);
    let dir = std::env::temp_dir().join(format!("oas-callbacks-bench-set-{}", std::process::id()));
    let specs = benches::generated_set(&dir, 300).expect("the set is written");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the set is there")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
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
    group.bench_function("parse_each", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|path| {
                    let bytes = std::fs::read(path).unwrap_or_default();
                    serde_json::from_slice::<serde_json::Value>(&bytes)
                        .map_or(0, |v| usize::from(v.is_object()))
                })
                .sum::<usize>()
        })
    });
    group.bench_function("check_set", |b| {
        b.iter(|| {
            let loader = Loader::new(LoadLimits::default());
            loader
                .check_all(&specs)
                .iter()
                .map(|checked| checked.as_ref().map_or(0, Vec::len))
                .sum::<usize>()
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, document);
criterion_main!(benches);
