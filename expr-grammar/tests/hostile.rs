//! Hostile input: very long expressions and templates, the length limit, and the inputs the
//! fuzzers found (each kept here as a regression test). Every test asserts a correct result or
//! a clear error; none asserts a timing (parsing is linear, and a quadratic parser would show
//! as a test that does not finish).

use expr_grammar::{ErrorKind, Expression, MAX_INPUT_LEN, ParseLimits, Segment, Source, Template};

const MEGABYTE: usize = 1024 * 1024;

#[test]
fn a_one_megabyte_query_name_parses() {
    let name = "q".repeat(MEGABYTE);
    let input = format!("$request.query.{name}");
    let expr = Expression::parse(&input).expect("valid");
    assert_eq!(expr, Expression::Request(Source::Query(name)));
    assert_eq!(expr.to_string(), input);
}

#[test]
fn a_one_megabyte_body_pointer_parses() {
    let pointer: String = "/a~0b~1c".repeat(MEGABYTE / 8);
    let input = format!("$response.body#{pointer}");
    assert!(input.len() > MEGABYTE);
    let expr = Expression::parse(&input).expect("valid");
    let Expression::Response(Source::Body(Some(parsed))) = &expr else {
        panic!("not a body pointer");
    };
    assert_eq!(parsed.as_str(), pointer);
    assert_eq!(parsed.tokens().count(), MEGABYTE / 8);
}

#[test]
fn a_one_megabyte_expression_with_a_mistake_at_the_end_says_where() {
    let input = format!("$request.header.{}\"", "X".repeat(MEGABYTE));
    let err = Expression::parse(&input).expect_err("a quote is not a tchar");
    assert_eq!(err.offset(), input.len() - 1);
    assert_eq!(err.kind(), &ErrorKind::InvalidHeaderCharacter('"'));
    assert_eq!((err.line(), err.column()), (1, input.len()));
    // The caret display shows a window of the line, not a megabyte of it.
    let shown = err.to_string();
    assert!(shown.len() < 400, "{} bytes of error message", shown.len());
    assert!(shown.contains("cannot appear in a header name"), "{shown}");
}

#[test]
fn a_one_megabyte_escaped_name_decodes() {
    let input = format!("$request.path.{}", "\\u00e9".repeat(MEGABYTE / 6));
    let expr = Expression::parse(&input).expect("valid");
    assert_eq!(
        expr,
        Expression::Request(Source::Path("é".repeat(MEGABYTE / 6)))
    );
}

/// 10 MB of literal text and expressions, one after the other.
fn ten_megabyte_template() -> (String, usize) {
    let unit = "/n{$request.body#/id}?q={$request.query.q}&h={$response.header.Location}";
    let units = 10 * MEGABYTE / unit.len() + 1;
    (unit.repeat(units), units)
}

#[test]
fn a_ten_megabyte_template_of_alternating_literals_and_expressions_parses() {
    let (input, units) = ten_megabyte_template();
    assert!(input.len() >= 10 * MEGABYTE);
    let template = Template::parse(&input).expect("valid");
    assert_eq!(template.segments().len(), 6 * units);
    assert_eq!(template.expressions().count(), 3 * units);
    for pair in template.segments().chunks(2) {
        assert!(matches!(
            pair,
            [Segment::Literal(_), Segment::Expression(_)]
        ));
    }
    assert_eq!(template.to_string(), input);
}

#[test]
fn a_ten_megabyte_template_with_one_bad_expression_at_the_end_says_where() {
    let (mut input, _) = ten_megabyte_template();
    let at = input.len() + 1;
    input.push_str("{$request.headers.X}");
    let err = Template::parse(&input).expect_err("headers is not a source");
    assert_eq!(err.offset(), at + "$request.".len());
    assert!(err.message().contains("`header.`"), "{}", err.message());
}

#[test]
fn ten_megabytes_of_braces_are_an_error_at_the_start() {
    let input = "{".repeat(10 * MEGABYTE);
    let err = Template::parse(&input).expect_err("invalid");
    assert_eq!(err.offset(), 1);
    let input = "}".repeat(10 * MEGABYTE);
    let err = Template::parse(&input).expect_err("invalid");
    assert_eq!(err.kind(), &ErrorKind::UnmatchedCloseBrace);
    assert_eq!(err.offset(), 0);
}

#[test]
fn ten_megabytes_of_newlines_give_the_right_line() {
    let input = format!("{}{{id}}", "\n".repeat(10 * MEGABYTE));
    let err = Template::parse(&input).expect_err("a placeholder");
    assert_eq!(err.kind(), &ErrorKind::ExpectedDollar);
    assert_eq!((err.line(), err.column()), (10 * MEGABYTE + 1, 2));
}

#[test]
fn the_default_length_limit_is_max_input_len() {
    assert_eq!(ParseLimits::default().max_len, MAX_INPUT_LEN);
    assert_eq!(ParseLimits::new(), ParseLimits::default());
    let input = "t".repeat(MAX_INPUT_LEN + 1);
    let err = Template::parse(&input).expect_err("too long");
    assert_eq!(
        err.kind(),
        &ErrorKind::TooLong {
            limit: MAX_INPUT_LEN
        }
    );
    assert_eq!(
        err.message(),
        format!("input is longer than the limit of {MAX_INPUT_LEN} bytes (ParseLimits::max_len)")
    );
}

#[test]
fn a_lower_length_limit_is_enforced_before_parsing() {
    let limits = ParseLimits::default().with_max_len(1024);
    let at_limit = format!("$request.query.{}", "q".repeat(1024 - 15));
    assert_eq!(at_limit.len(), 1024);
    assert!(Expression::parse_with(&at_limit, &limits).is_ok());
    let over = format!("{at_limit}q");
    let err = Expression::parse_with(&over, &limits).expect_err("too long");
    assert_eq!(err.kind(), &ErrorKind::TooLong { limit: 1024 });
    assert!(err.to_string().contains("ParseLimits::max_len"), "{err}");
    // Even an input that would be invalid anyway is refused for its length first.
    let err = Template::parse_with(&"}".repeat(2048), &limits).expect_err("too long");
    assert_eq!(err.kind(), &ErrorKind::TooLong { limit: 1024 });
}

#[test]
fn a_higher_length_limit_admits_longer_input() {
    let limits = ParseLimits::default().with_max_len(MAX_INPUT_LEN + 16);
    let input = "t".repeat(MAX_INPUT_LEN + 1);
    let template = Template::parse_with(&input, &limits).expect("within the raised limit");
    assert!(template.is_literal());
}

#[test]
fn a_zero_length_limit_admits_only_the_empty_template() {
    let limits = ParseLimits::default().with_max_len(0);
    assert!(
        Template::parse_with("", &limits)
            .expect("empty")
            .segments()
            .is_empty()
    );
    assert!(matches!(
        Expression::parse_with("$url", &limits).map_err(|e| e.kind().clone()),
        Err(ErrorKind::TooLong { limit: 0 })
    ));
}
