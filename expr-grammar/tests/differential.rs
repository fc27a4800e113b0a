//! The differential test: the fast reader and the pest grammar, each on its own
//! ([`expr_grammar::differential`]), agree on every input, in both directions: whatever one
//! accepts the other accepts, with the same tree (DESIGN §2).
//!
//! Random strings would almost never be valid, so the inputs are near-valid: valid
//! expressions and templates (every input of the conformance tables, and canonical forms of
//! generated syntax trees) with a few mutations each (a grammar piece inserted, characters
//! deleted or replaced, ASCII case flipped, the text cut short or a part of it repeated),
//! strings made of the grammar's own pieces, and every prefix of every keyword.
//!
//! The Arazzo dialects are checked the same way, on the same inputs and on Arazzo ones, for the
//! three readings: a whole expression, a template, and the expression at the start of a text
//! ([`Expression::parse_prefix`](expr_grammar::Expression::parse_prefix)), whose length must
//! agree too.
//!
//! CI runs it in release mode with more cases: `cargo test --release -p expr-grammar --test
//! differential` (the case count is set below; `PROPTEST_CASES` overrides it).

mod common;

use std::path::Path;

use common::{
    ARAZZO, ARAZZO_PIECES, PIECES, arazzo_expression, arazzo_soup, arazzo_template, expression,
    grammar_soup, template,
};
use expr_grammar::{Dialect, differential};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// Cases per property: many in release builds (CI), fewer in debug builds (`cargo test`).
const CASES: u32 = if cfg!(debug_assertions) { 512 } else { 100_000 };

/// Checks that both readers give the same answer on `input`, read as an expression and as a
/// template.
fn check_both_readers(input: &str) -> Result<(), TestCaseError> {
    let grammar = differential::grammar_expression(input).ok();
    let fast = differential::fast_expression(input);
    prop_assert_eq!(
        &fast,
        &grammar,
        "expression {:?}: fast reader (left) and grammar (right) disagree",
        input
    );
    let grammar = differential::grammar_template(input).ok();
    let fast = differential::fast_template(input);
    prop_assert_eq!(
        &fast,
        &grammar,
        "template {:?}: fast reader (left) and grammar (right) disagree",
        input
    );
    Ok(())
}

/// Checks that both readers give the same answer on `input` in every Arazzo dialect, read as
/// an expression, as a template and as a prefix.
fn check_arazzo_readers(input: &str) -> Result<(), TestCaseError> {
    for dialect in ARAZZO {
        let grammar = differential::grammar_expression_in(input, dialect).ok();
        let fast = differential::fast_expression_in(input, dialect);
        prop_assert_eq!(
            &fast,
            &grammar,
            "{} expression {:?}: fast reader (left) and grammar (right) disagree",
            dialect,
            input
        );
        let grammar = differential::grammar_template_in(input, dialect).ok();
        let fast = differential::fast_template_in(input, dialect);
        prop_assert_eq!(
            &fast,
            &grammar,
            "{} template {:?}: fast reader (left) and grammar (right) disagree",
            dialect,
            input
        );
    }
    for dialect in Dialect::ALL {
        let grammar = differential::grammar_prefix(input, dialect).ok();
        let fast = differential::fast_prefix(input, dialect);
        prop_assert_eq!(
            &fast,
            &grammar,
            "{} prefix of {:?}: fast reader (left) and grammar (right) disagree",
            dialect,
            input
        );
    }
    Ok(())
}

/// Every `input` of the conformance tables (`tests/data/*.json`).
fn conformance_inputs() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut inputs = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        let table: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        for case in table["cases"].as_array().into_iter().flatten() {
            if let Some(input) = case["input"].as_str() {
                inputs.push(input.to_owned());
            }
        }
    }
    assert!(
        inputs.len() > 100,
        "only {} conformance inputs found in {}",
        inputs.len(),
        dir.display()
    );
    inputs
}

/// A valid expression or template to start from.
fn base() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(conformance_inputs()),
        1 => expression().prop_map(|expr| expr.to_string()),
        1 => template().prop_map(|template| template.to_string()),
    ]
}

/// One change to a string.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(Index, &'static str),
    Delete(Index, usize),
    Replace(Index, &'static str),
    FlipCase(Index),
    Truncate(Index),
    Repeat(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let piece = || select(PIECES);
    prop_oneof![
        (any::<Index>(), piece()).prop_map(|(at, piece)| Mutation::Insert(at, piece)),
        (any::<Index>(), 1..4usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<Index>(), piece()).prop_map(|(at, piece)| Mutation::Replace(at, piece)),
        any::<Index>().prop_map(Mutation::FlipCase),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Repeat(a, b)),
    ]
}

/// The character boundaries of `text`, including its end.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect()
}

fn apply(text: &mut String, mutation: &Mutation) {
    let bounds = boundaries(text);
    let at = |index: &Index| bounds[index.index(bounds.len())];
    match mutation {
        Mutation::Insert(index, piece) => text.insert_str(at(index), piece),
        Mutation::Delete(index, len) => {
            let start = index.index(bounds.len());
            let end = (start + len).min(bounds.len() - 1);
            text.replace_range(bounds[start]..bounds[end], "");
        }
        Mutation::Replace(index, piece) => {
            let start = index.index(bounds.len());
            let end = (start + 1).min(bounds.len() - 1);
            text.replace_range(bounds[start]..bounds[end], piece);
        }
        Mutation::FlipCase(index) => {
            let start = at(index);
            if let Some(c) = text[start..]
                .chars()
                .next()
                .filter(char::is_ascii_alphabetic)
            {
                let flipped = if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
                text.replace_range(start..start + 1, &flipped.to_string());
            }
        }
        Mutation::Truncate(index) => text.truncate(at(index)),
        Mutation::Repeat(a, b) => {
            let (mut start, mut end) = (at(a), at(b));
            if start > end {
                std::mem::swap(&mut start, &mut end);
            }
            let part = text[start..end].to_owned();
            text.insert_str(end, &part);
        }
    }
}

/// A valid Arazzo expression or template to start from.
fn arazzo_base() -> impl Strategy<Value = String> {
    let dialect = || select(ARAZZO.to_vec());
    prop_oneof![
        2 => select(conformance_inputs()),
        1 => dialect().prop_flat_map(|d| arazzo_expression(d).prop_map(move |e| e.canonical_in(d))),
        1 => dialect().prop_flat_map(|d| arazzo_template(d).prop_map(|t| t.to_string())),
    ]
}

/// One change to a string, with an OpenAPI or Arazzo piece.
fn arazzo_mutation() -> impl Strategy<Value = Mutation> {
    let all: Vec<&'static str> = PIECES.iter().chain(ARAZZO_PIECES).copied().collect();
    let piece = move || select(all.clone());
    prop_oneof![
        (any::<Index>(), piece()).prop_map(|(at, piece)| Mutation::Insert(at, piece)),
        (any::<Index>(), 1..4usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<Index>(), piece()).prop_map(|(at, piece)| Mutation::Replace(at, piece)),
        any::<Index>().prop_map(Mutation::FlipCase),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Repeat(a, b)),
    ]
}

fn arazzo_near_valid() -> impl Strategy<Value = String> {
    (arazzo_base(), vec(arazzo_mutation(), 0..4)).prop_map(|(mut text, mutations)| {
        for mutation in &mutations {
            apply(&mut text, mutation);
        }
        text
    })
}

fn near_valid() -> impl Strategy<Value = String> {
    (base(), vec(mutation(), 0..4)).prop_map(|(mut text, mutations)| {
        for mutation in &mutations {
            apply(&mut text, mutation);
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn readers_agree_on_mutated_valid_input(input in near_valid()) {
        check_both_readers(&input)?;
    }

    #[test]
    fn readers_agree_on_grammar_pieces(input in grammar_soup()) {
        check_both_readers(&input)?;
    }

    #[test]
    fn readers_agree_between_braces(input in near_valid(), before in "[a-z/]{0,3}", after in "[a-z]{0,3}") {
        check_both_readers(&format!("{before}{{{input}}}{after}"))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arazzo_readers_agree_on_mutated_valid_input(input in arazzo_near_valid()) {
        check_arazzo_readers(&input)?;
    }

    #[test]
    fn arazzo_readers_agree_on_grammar_pieces(input in arazzo_soup()) {
        check_arazzo_readers(&input)?;
    }

    #[test]
    fn arazzo_readers_agree_between_braces(input in arazzo_near_valid(), before in "[a-z/]{0,3}", after in "[a-z ]{0,3}") {
        check_arazzo_readers(&format!("{before}{{{input}}}{after}"))?;
        check_arazzo_readers(&format!("{input}{after}"))?;
    }
}

#[test]
fn arazzo_readers_agree_on_every_prefix_of_every_keyword() {
    let keywords = PIECES
        .iter()
        .chain(ARAZZO_PIECES)
        .filter(|piece| piece.len() > 1);
    for keyword in keywords {
        for (end, _) in keyword.char_indices().skip(1).chain([(keyword.len(), ' ')]) {
            let prefix = &keyword[..end];
            for input in [
                prefix.to_owned(),
                format!("$steps.s{prefix}"),
                format!("$workflows.w.{prefix}"),
                format!("$components.{prefix}"),
                format!("$message.{prefix}x"),
                format!("$inputs.a{prefix}"),
                format!("{{{prefix}}}"),
                format!("{{$sourceDescriptions.s.{prefix}}}"),
            ] {
                if let Err(err) = check_arazzo_readers(&input) {
                    panic!("{err}");
                }
            }
        }
    }
}

#[test]
fn arazzo_readers_agree_on_every_conformance_input_and_its_truncations() {
    for input in conformance_inputs() {
        for end in boundaries(&input) {
            if let Err(err) = check_arazzo_readers(&input[..end]) {
                panic!("{err}");
            }
        }
    }
}

#[test]
fn readers_agree_on_every_prefix_of_every_keyword() {
    let keywords = PIECES.iter().filter(|piece| piece.len() > 1);
    for keyword in keywords {
        for (end, _) in keyword.char_indices().skip(1).chain([(keyword.len(), ' ')]) {
            let prefix = &keyword[..end];
            for input in [
                prefix.to_owned(),
                format!("$request.{prefix}"),
                format!("$response.{prefix}x"),
                format!("{{{prefix}}}"),
                format!("{{$request.{prefix}}}"),
            ] {
                if let Err(err) = check_both_readers(&input) {
                    panic!("{err}");
                }
            }
        }
    }
}

#[test]
fn readers_agree_on_every_conformance_input_and_its_truncations() {
    for input in conformance_inputs() {
        for end in boundaries(&input) {
            if let Err(err) = check_both_readers(&input[..end]) {
                panic!("{err}");
            }
        }
    }
}
