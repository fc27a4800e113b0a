//! `check` over real public Arazzo documents (tests/data/documents, origin and licence in its
//! MANIFEST.md): each document's findings, as `check` prints them, against the expected ones
//! recorded beside it (`expected/<folder>/<file>.txt`), and the source descriptions left
//! unchecked. `ARAZZO_BLESS=1` rewrites the expected files from what `check` finds now (then
//! read the diff).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use arazzo::Document;
use oas_callbacks::Loader;

const DOCUMENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/documents");

/// The Arazzo documents of the folder (files with an `arazzo` field), sorted.
fn documents(folder: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(Path::new(DOCUMENTS).join(folder))
        .expect("the documents folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| {
            std::fs::read_to_string(path)
                .is_ok_and(|text| text.lines().any(|line| line.starts_with("arazzo:")))
        })
        .collect();
    paths.sort();
    paths
}

/// What `check` says about a document: its diagnostics as printed (file names relative to the
/// documents folder), then the unchecked sources.
fn findings(loader: &Loader, path: &Path) -> String {
    let file = loader.load_file(path).expect("the document parses");
    let document = Document::new(file).expect("an Arazzo document");
    let report = document.check(loader);
    let mut out = String::new();
    for diagnostic in report.diagnostics() {
        let shown = diagnostic.to_string();
        let shown = shown.replace(&format!("{DOCUMENTS}/"), "");
        writeln!(out, "{shown}").expect("write to a String");
    }
    for unchecked in report.unchecked_sources() {
        writeln!(out, "not checked: {unchecked}").expect("write to a String");
    }
    out
}

fn check_folder(folder: &str, at_least: usize) {
    let loader = Loader::default();
    let bless = std::env::var_os("ARAZZO_BLESS").is_some();
    let paths = documents(folder);
    assert!(
        paths.len() >= at_least,
        "{folder}: {} documents",
        paths.len()
    );
    let mut failures = Vec::new();
    for path in paths {
        let name = path.file_name().expect("a file name").to_string_lossy();
        let expected_path = Path::new(DOCUMENTS)
            .join("expected")
            .join(folder)
            .join(format!("{name}.txt"));
        let found = findings(&loader, &path);
        if bless {
            std::fs::create_dir_all(expected_path.parent().expect("a folder"))
                .expect("create the expected folder");
            std::fs::write(&expected_path, &found).expect("write the expected findings");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|err| panic!("{}: {err}", expected_path.display()));
        if found != expected {
            failures.push(format!(
                "{folder}/{name}:\n--- expected\n{expected}\n--- found\n{found}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_specification_examples_of_arazzo_1_0() {
    check_folder("spec-1.0", 6);
}

#[test]
fn the_schema_tests_of_arazzo_1_1() {
    check_folder("spec-1.1", 10);
}

/// A hand-written document with one finding (or more) per lint.
#[test]
fn every_lint() {
    check_folder("lints", 1);
}

#[test]
fn a_source_description_shared_by_documents_is_read_once() {
    let loader = Loader::default();
    for name in ["oauth.arazzo.yaml", "FAPI-PAR.arazzo.yaml"] {
        let path = Path::new(DOCUMENTS).join("spec-1.0").join(name);
        findings(&loader, &path);
    }
    let before = loader.stats().files_parsed;
    findings(
        &loader,
        &Path::new(DOCUMENTS).join("spec-1.0/oauth.arazzo.yaml"),
    );
    assert_eq!(loader.stats().files_parsed, before);
}
