//! Property tests: every syntax tree prints to a string that parses back to the same tree
//! (DESIGN §2), and no input, however odd, makes a parser panic.
//!
//! The strategies draw names and pointer tokens from every character class that matters to the
//! grammar: printable ASCII, control characters, the characters a name must escape (`"`, `\`),
//! the braces that end an embedded expression, the pointer's own `~` and `/`, non-ASCII and
//! astral characters. Only the public API is used to build trees.

mod common;

use common::{any_text_char, embeddable_expression, expression, grammar_soup, template, text};
use expr_grammar::{Expression, ParseError, Segment, Source, Template};
use proptest::collection::vec;
use proptest::prelude::*;

/// The length of the keyword part of a canonical expression (`$request.header.`, `$url`, …),
/// the only part whose case does not matter.
fn keyword_len(expr: &Expression) -> usize {
    let source_keyword = |source: &Source| match source {
        Source::Header(_) => "header.".len(),
        Source::Query(_) => "query.".len(),
        Source::Path(_) => "path.".len(),
        Source::Body(_) => "body".len(),
        _ => 0,
    };
    match expr {
        Expression::Url => "$url".len(),
        Expression::Method => "$method".len(),
        Expression::StatusCode => "$statusCode".len(),
        Expression::Request(source) => "$request.".len() + source_keyword(source),
        Expression::Response(source) => "$response.".len() + source_keyword(source),
        _ => 0,
    }
}

/// What every error must satisfy, whatever the input.
fn check_error(input: &str, err: &ParseError) -> Result<(), TestCaseError> {
    prop_assert!(
        err.offset() <= input.len(),
        "offset {} past the end",
        err.offset()
    );
    prop_assert!(
        input.is_char_boundary(err.offset()),
        "offset {} inside a character",
        err.offset()
    );
    prop_assert!(err.line() >= 1 && err.column() >= 1);
    let shown = err.to_string();
    prop_assert!(shown.ends_with('^'), "no caret in {shown:?}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn expression_round_trips_through_its_canonical_form(expr in expression()) {
        let canonical = expr.to_string();
        let parsed = Expression::parse(&canonical);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&expr), "canonical form {:?}: {:?}", canonical, parsed);
    }

    #[test]
    fn template_round_trips_through_its_canonical_form(template in template()) {
        let canonical = template.to_string();
        let parsed = Template::parse(&canonical);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&template), "canonical form {:?}: {:?}", canonical, parsed);
    }

    #[test]
    fn an_embeddable_expression_round_trips_between_braces(expr in embeddable_expression()) {
        let template = Template::from_expression(expr.clone()).expect("embeddable");
        let parsed = Template::parse(&template.to_string()).expect("canonical template parses");
        prop_assert_eq!(parsed.segments(), [Segment::Expression(expr)]);
    }

    #[test]
    fn expressions_with_braces_in_the_pointer_are_not_embeddable(
        expr in expression(),
    ) {
        let pointer_has_brace = matches!(
            expr.source(),
            Some(Source::Body(Some(pointer))) if pointer.as_str().contains(['{', '}'])
        );
        prop_assert_eq!(expr.is_embeddable(), !pointer_has_brace);
        prop_assert_eq!(Template::from_expression(expr).is_some(), !pointer_has_brace);
    }

    #[test]
    fn keyword_case_does_not_matter(expr in expression(), flips in vec(any::<bool>(), 32)) {
        let canonical = expr.to_string();
        let keyword = keyword_len(&expr);
        let recased: String = canonical
            .char_indices()
            .map(|(index, c)| {
                if index < keyword && flips[index % flips.len()] {
                    if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }
                } else {
                    c
                }
            })
            .collect();
        let parsed = Expression::parse(&recased);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&expr), "recased {:?}: {:?}", recased, parsed);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_strings(input in any::<String>()) {
        for result in [Expression::parse(&input).map(|_| ()), Template::parse(&input).map(|_| ())] {
            if let Err(err) = result {
                check_error(&input, &err)?;
            }
        }
    }

    #[test]
    fn parsers_never_panic_on_grammar_pieces(input in grammar_soup()) {
        match Expression::parse(&input) {
            // Whatever parses, its canonical form parses to the same tree.
            Ok(expr) => prop_assert_eq!(Expression::parse(&expr.to_string()).ok(), Some(expr)),
            Err(err) => check_error(&input, &err)?,
        }
        match Template::parse(&input) {
            Ok(template) => prop_assert_eq!(Template::parse(&template.to_string()).ok(), Some(template)),
            Err(err) => check_error(&input, &err)?,
        }
    }

    #[test]
    fn parsers_never_panic_on_mixed_text(input in text(any_text_char(), 64)) {
        for result in [Expression::parse(&input).map(|_| ()), Template::parse(&input).map(|_| ())] {
            if let Err(err) = result {
                check_error(&input, &err)?;
            }
        }
    }
}
