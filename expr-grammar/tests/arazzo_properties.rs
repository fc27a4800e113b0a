//! Property tests of the Arazzo dialects: every syntax tree of a dialect, built through the
//! public constructors, prints (in its canonical form for that dialect) to a string that parses
//! back to the same tree; templates likewise; keyword case does not matter; and no input makes
//! a parser panic or gives an error that points outside the input.

mod common;

use common::{ARAZZO, any_text_char, arazzo_expression, arazzo_soup, arazzo_template, text};
use expr_grammar::{Dialect, Expression, ParseError, Template};
use proptest::prelude::*;
use proptest::sample::select;

fn check_error(input: &str, err: &ParseError) -> Result<(), TestCaseError> {
    prop_assert!(
        err.offset() <= input.len(),
        "offset {} past the end",
        err.offset()
    );
    prop_assert!(input.is_char_boundary(err.offset()));
    prop_assert!(err.line() >= 1 && err.column() >= 1);
    prop_assert!(err.to_string().ends_with('^'));
    Ok(())
}

fn dialect_and_expression() -> impl Strategy<Value = (Dialect, Expression)> {
    select(ARAZZO.to_vec()).prop_flat_map(|dialect| (Just(dialect), arazzo_expression(dialect)))
}

fn dialect_and_template() -> impl Strategy<Value = (Dialect, Template)> {
    select(ARAZZO.to_vec()).prop_flat_map(|dialect| (Just(dialect), arazzo_template(dialect)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn arazzo_expression_round_trips((dialect, expr) in dialect_and_expression()) {
        let canonical = expr.canonical_in(dialect);
        let parsed = Expression::parse_in(&canonical, dialect);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&expr), "{} canonical form {:?}: {:?}", dialect, canonical, parsed);
        // The expression at the start of its own canonical form is the whole of it.
        let prefix = Expression::parse_prefix(&canonical, dialect);
        prop_assert_eq!(prefix.ok(), Some((expr, canonical.len())));
    }

    #[test]
    fn arazzo_template_round_trips((dialect, template) in dialect_and_template()) {
        let canonical = template.to_string();
        let parsed = Template::parse_in(&canonical, dialect);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&template), "{} canonical form {:?}: {:?}", dialect, canonical, parsed);
    }

    #[test]
    fn arazzo_keyword_case_does_not_matter((dialect, expr) in dialect_and_expression()) {
        // Upper-casing the first letter after `$` changes only a keyword.
        let canonical = expr.canonical_in(dialect);
        let mut recased = canonical.clone();
        recased.replace_range(1..2, &canonical[1..2].to_ascii_uppercase());
        let parsed = Expression::parse_in(&recased, dialect);
        prop_assert_eq!(parsed.ok(), Some(expr), "{:?}", recased);
    }

    #[test]
    fn a_1_1_tree_reads_the_same_in_1_0_when_it_is_valid_there(expr in arazzo_expression(Dialect::Arazzo1_1_0)) {
        // Arazzo 1.0.x reads its names in the 1.1.0 structure: a 1.1.0 expression that 1.0.1
        // accepts means the same there (only `$message.`, `payload` and `$self` are 1.1.0's).
        // Except for a `\` in the pointer of an input, output, step or workflow value: in 1.0.x
        // that pointer is part of a name, where `\` starts a JSON escape; in 1.1.0 it is a
        // pointer character.
        let family_pointer = !matches!(expr, Expression::Request(_) | Expression::Response(_));
        let backslash = expr.pointer().is_some_and(|p| p.as_str().contains('\\'));
        if family_pointer && backslash {
            return Ok(());
        }
        if let Ok(in_1_0) = Expression::parse_in(&expr.canonical_in(Dialect::Arazzo1_1_0), Dialect::Arazzo1_0_1) {
            prop_assert_eq!(in_1_0, expr);
        }
    }

    #[test]
    fn arazzo_parsers_never_panic(input in arazzo_soup(), dialect in select(ARAZZO.to_vec())) {
        match Expression::parse_in(&input, dialect) {
            Ok(expr) => prop_assert_eq!(Expression::parse_in(&expr.canonical_in(dialect), dialect).ok(), Some(expr)),
            Err(err) => check_error(&input, &err)?,
        }
        match Template::parse_in(&input, dialect) {
            Ok(template) => prop_assert_eq!(Template::parse_in(&template.to_string(), dialect).ok(), Some(template)),
            Err(err) => check_error(&input, &err)?,
        }
        match Expression::parse_prefix(&input, dialect) {
            Ok((expr, len)) => {
                prop_assert!(len <= input.len() && input.is_char_boundary(len));
                prop_assert_eq!(Expression::parse_in(&input[..len], dialect).ok(), Some(expr));
            }
            Err(err) => check_error(&input, &err)?,
        }
    }

    #[test]
    fn arazzo_parsers_never_panic_on_any_text(input in text(any_text_char(), 48), dialect in select(ARAZZO.to_vec())) {
        for result in [
            Expression::parse_in(&input, dialect).map(|_| ()),
            Template::parse_in(&input, dialect).map(|_| ()),
            Expression::parse_prefix(&input, dialect).map(|_| ()),
        ] {
            if let Err(err) = result {
                check_error(&input, &err)?;
            }
        }
    }
}
