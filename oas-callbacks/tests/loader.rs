//! One [`Loader`] for many documents: each file of a run read and parsed once, only the files a
//! reference that matters reaches, and the same diagnostics as documents loaded one by one.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use oas_callbacks::{Document, LoadLimits, Loader};

/// A folder of scratch files for one test.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("oas-callbacks-loader-tests")
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_shared_loader_parses_each_file_of_a_set_once_and_finds_what_one_by_one_finds() {
    let dir = scratch_dir("set");
    let documents = 150;
    let specs = generated::generated_set(&dir, documents).unwrap();
    let loader = Loader::new(LoadLimits::default());
    loader.preload(&specs);
    let together: Vec<_> = specs
        .iter()
        .map(|spec| loader.load(spec).unwrap().check())
        .collect();
    // Every file of the set is reached (each document reaches the common file and one part,
    // the parts reach each other), and each is read and parsed exactly once.
    let files = 2 * documents + 1;
    let stats = loader.stats();
    assert_eq!(stats.files_parsed, files, "{stats:?}");
    assert_eq!(stats.files_read, files, "{stats:?}");
    // Loading one more document of the set parses nothing again.
    let again = loader.load(&specs[7]).unwrap().check();
    assert_eq!(loader.stats().files_parsed, files);
    assert_eq!(again, together[7]);
    for (spec, diagnostics) in specs.iter().zip(&together) {
        let alone = Document::load(spec).unwrap().check();
        assert_eq!(&alone, diagnostics, "{}", spec.display());
    }
    // The mistakes of each document are found (so the comparison means something).
    assert!(together.iter().all(|d| d.len() >= 3), "{:#?}", together[0]);
}

#[test]
fn check_all_gives_each_documents_result_in_order_as_checking_one_by_one_does() {
    let dir = scratch_dir("check-all");
    let documents = 60;
    let mut specs = generated::generated_set(&dir, documents).unwrap();
    // Documents that do not load, among the others: a missing file, a syntax error.
    let invalid = dir.join("invalid.json");
    std::fs::write(&invalid, "{\"openapi\": ").unwrap();
    specs.insert(3, dir.join("missing.json"));
    specs.insert(10, invalid.clone());
    specs.push(specs[5].clone());
    let loader = Loader::new(LoadLimits::default());
    let all = loader.check_all(&specs);
    assert_eq!(all.len(), specs.len());
    // Each file read and parsed once (the invalid one too), the missing one tried once.
    let files = 2 * documents + 1;
    assert_eq!(
        loader.stats().files_parsed,
        files + 1,
        "{:?}",
        loader.stats()
    );
    assert_eq!(loader.stats().files_read, files + 2, "{:?}", loader.stats());
    let one_by_one = Loader::new(LoadLimits::default());
    for (spec, result) in specs.iter().zip(&all) {
        match (result, one_by_one.load(spec).map(|doc| doc.check())) {
            (Ok(together), Ok(alone)) => {
                assert_eq!(together, &alone, "{}", spec.display());
                assert_eq!(together[0].file, *spec, "in order");
            }
            (Err(together), Err(alone)) => {
                assert_eq!(
                    together.to_string(),
                    alone.to_string(),
                    "{}",
                    spec.display()
                );
            }
            (together, alone) => panic!("{}: {together:?} vs {alone:?}", spec.display()),
        }
    }
    assert!(all[3].is_err() && all[10].is_err());
    assert_eq!(all.iter().filter(|result| result.is_err()).count(), 2);
    // The same document twice: the same result twice.
    assert_eq!(
        all[5].as_ref().ok(),
        all.last().and_then(|r| r.as_ref().ok())
    );
}

#[test]
fn a_document_reads_only_the_files_on_the_path_to_the_schema_it_uses() {
    let dir = scratch_dir("web");
    let small = generated::generated_web(&dir, 100, 5).unwrap();
    let loader = Loader::new(LoadLimits::default());
    let doc = loader.load(&small).unwrap();
    assert!(doc.check().is_empty(), "{:#?}", doc.check());
    // The small document and web-0 … web-4: the chain its schema follows, and nothing of the
    // 95 other files, although every file of the web refers to several others.
    assert_eq!(loader.stats().files_read, 1 + 5, "{:?}", loader.stats());
    assert_eq!(loader.stats().files_parsed, 1 + 5);
}

#[test]
fn an_unreadable_file_is_reported_once_per_document_and_read_once_per_run() {
    let dir = scratch_dir("unreadable");
    let document = |name: &str| {
        let text = format!(
            r##"{{"openapi": "3.1.0", "info": {{"title": "{name}", "version": "1"}}, "paths": {{"/s": {{"post": {{
                "requestBody": {{"content": {{"application/json": {{"schema": {{"$ref": "missing.json#/S"}}}}}}}},
                "responses": {{"200": {{"$ref": "missing.json#/R"}}, "201": {{"$ref": "missing.json#/R"}}}}
            }}}}}}}}"##
        );
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let (a, b) = (document("a.json"), document("b.json"));
    let loader = Loader::new(LoadLimits::default());
    for path in [&a, &b] {
        let together = loader.load(path).unwrap().check();
        assert_eq!(together, Document::load(path).unwrap().check());
        let unreadable = together
            .iter()
            .filter(|d| d.message.starts_with("cannot read referenced file"))
            .count();
        assert_eq!(unreadable, 1, "{together:#?}");
    }
    // Two documents, one missing file: two roots read, the missing file tried once.
    assert_eq!(loader.stats().files_read, 3, "{:?}", loader.stats());
}

/// The generators the `document` benchmark uses.
#[allow(unreachable_pub, dead_code)]
mod generated {
    include!("../../benches/src/generated_set.rs");
}
