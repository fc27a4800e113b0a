//! The Arazzo dialects of the grammar. The first byte picks the dialect (`openapi`,
//! `arazzo-1.0.0`, `arazzo-1.0.1`, `arazzo-1.1.0`, by its value modulo 4), the rest is the text,
//! read as a whole expression, as an expression string and as the expression at its start:
//!
//! - the fast reader and the pest grammar, each on its own, agree (same tree, same length),
//!   and the public entry points give the grammar's answer, error included;
//! - whatever parses prints, in the dialect's canonical form, to a string that parses back to
//!   the same tree, and that form is a fixed point;
//! - a prefix is an expression on its own, and every error is well formed.
#![no_main]

use expr_grammar::{Dialect, Expression, Template, differential};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let Ok(input) = std::str::from_utf8(text) else {
        return;
    };
    let dialect = Dialect::ALL[usize::from(selector) % Dialect::ALL.len()];

    // A whole expression.
    let grammar = differential::grammar_expression_in(input, dialect);
    let fast = differential::fast_expression_in(input, dialect);
    assert_eq!(
        fast.as_ref(),
        grammar.as_ref().ok(),
        "{dialect} expression {input:?}: the fast reader (left) and the grammar (right) disagree"
    );
    assert_eq!(
        Expression::parse_in(input, dialect),
        grammar,
        "{dialect} {input:?}"
    );
    match &grammar {
        Ok(expr) => {
            let printed = expr.canonical_in(dialect);
            let again = Expression::parse_in(&printed, dialect).unwrap_or_else(|err| {
                panic!("{dialect} {input:?} printed as {printed:?}, which does not parse: {err}")
            });
            assert_eq!(&again, expr, "{dialect} {input:?} printed as {printed:?}");
            assert_eq!(again.canonical_in(dialect), printed, "not a fixed point");
        }
        Err(err) => fuzz_support::check_error(input, err),
    }

    // An expression string.
    let grammar = differential::grammar_template_in(input, dialect);
    let fast = differential::fast_template_in(input, dialect);
    assert_eq!(
        fast.as_ref(),
        grammar.as_ref().ok(),
        "{dialect} template {input:?}: the fast reader (left) and the grammar (right) disagree"
    );
    assert_eq!(
        Template::parse_in(input, dialect),
        grammar,
        "{dialect} {input:?}"
    );
    match &grammar {
        Ok(template) => {
            let printed = template.to_string();
            let again = Template::parse_in(&printed, dialect).unwrap_or_else(|err| {
                panic!("{dialect} {input:?} printed as {printed:?}, which does not parse: {err}")
            });
            assert_eq!(
                &again, template,
                "{dialect} {input:?} printed as {printed:?}"
            );
            assert_eq!(again.to_string(), printed, "not a fixed point");
        }
        Err(err) => fuzz_support::check_error(input, err),
    }

    // The expression at the start.
    let grammar = differential::grammar_prefix(input, dialect);
    let fast = differential::fast_prefix(input, dialect);
    assert_eq!(
        fast.as_ref(),
        grammar.as_ref().ok(),
        "{dialect} prefix of {input:?}: the fast reader (left) and the grammar (right) disagree"
    );
    assert_eq!(
        Expression::parse_prefix(input, dialect),
        grammar,
        "{dialect} {input:?}"
    );
    match &grammar {
        Ok((expr, len)) => {
            assert!(*len <= input.len() && input.is_char_boundary(*len));
            assert_eq!(
                Expression::parse_in(&input[..*len], dialect).as_ref(),
                Ok(expr),
                "{dialect}: the prefix {:?} of {input:?} is not that expression on its own",
                &input[..*len]
            );
        }
        Err(err) => fuzz_support::check_error(input, err),
    }
});
