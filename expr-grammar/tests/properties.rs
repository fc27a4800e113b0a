//! Property tests: every syntax tree prints to a string that parses back to the same tree
//! (DESIGN §2), and no input, however odd, makes a parser panic.
//!
//! The strategies draw names and pointer tokens from every character class that matters to the
//! grammar: printable ASCII, control characters, the characters a name must escape (`"`, `\`),
//! the braces that end an embedded expression, the pointer's own `~` and `/`, non-ASCII and
//! astral characters. Only the public API is used to build trees.

use expr_grammar::{
    Expression, HeaderName, ParseError, PointerBuf, Segment, Source, Template, Token,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// RFC 9110 `tchar`: what a header name is made of.
const TCHARS: &str =
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A character from any class the grammar treats specially, or any character at all.
fn any_text_char() -> impl Strategy<Value = char> + Clone {
    prop_oneof![
        4 => proptest::char::range(' ', '~'),
        1 => proptest::char::range('\0', '\u{1f}'),
        2 => select(vec!['"', '\\', '{', '}', '~', '/', '#', '$', '.', '%', '\u{7f}']),
        1 => proptest::char::range('\u{80}', '\u{7ff}'),
        1 => select(vec!['é', 'ß', '日', '\u{2028}', '\u{feff}', '\u{fffd}', '\u{ffff}']),
        1 => select(vec!['😀', '𝄞', '\u{10000}', '\u{10ffff}']),
        1 => any::<char>(),
    ]
}

fn text(
    chars: impl Strategy<Value = char> + Clone,
    max_len: usize,
) -> impl Strategy<Value = String> + Clone {
    vec(chars, 0..max_len).prop_map(String::from_iter)
}

fn header_name() -> impl Strategy<Value = HeaderName> + Clone {
    let tchars: Vec<char> = TCHARS.chars().collect();
    vec(select(tchars), 1..16).prop_map(|chars| {
        HeaderName::new(String::from_iter(chars)).expect("tchars make a header name")
    })
}

/// A pointer of up to five tokens; `Token::new` takes the decoded token and escapes `~` and `/`.
fn pointer(token_chars: BoxedStrategy<char>) -> impl Strategy<Value = PointerBuf> + Clone {
    vec(text(token_chars, 8), 0..5)
        .prop_map(|tokens| PointerBuf::from_tokens(tokens.into_iter().map(Token::new)))
}

/// A source; `pointer_chars` decides what a body pointer may hold.
fn source(pointer_chars: BoxedStrategy<char>) -> impl Strategy<Value = Source> + Clone {
    prop_oneof![
        header_name().prop_map(Source::Header),
        text(any_text_char(), 12).prop_map(Source::Query),
        text(any_text_char(), 12).prop_map(Source::Path),
        Just(Source::Body(None)),
        pointer(pointer_chars).prop_map(|pointer| Source::Body(Some(pointer))),
    ]
}

fn expression_with(pointer_chars: BoxedStrategy<char>) -> impl Strategy<Value = Expression> {
    let source = source(pointer_chars);
    prop_oneof![
        Just(Expression::Url),
        Just(Expression::Method),
        Just(Expression::StatusCode),
        source.clone().prop_map(Expression::Request),
        source.prop_map(Expression::Response),
    ]
}

/// Any expression, including body pointers that hold braces (fine in a bare expression).
fn expression() -> impl Strategy<Value = Expression> {
    expression_with(any_text_char().boxed())
}

/// An expression that can stand between the braces of a template: its pointer holds no brace
/// (the grammar has no escape for one); names may, since they are written `\u007b`.
fn embeddable_expression() -> impl Strategy<Value = Expression> {
    expression_with(brace_free_char().boxed())
}

fn brace_free_char() -> impl Strategy<Value = char> {
    any_text_char().prop_filter("literal text and embedded pointers hold no brace", |c| {
        !matches!(c, '{' | '}')
    })
}

/// Segments in any order; adjacent literals are merged, as the parser would read them.
fn template() -> impl Strategy<Value = Template> {
    let segment = prop_oneof![
        vec(brace_free_char(), 1..12).prop_map(|chars| Segment::Literal(String::from_iter(chars))),
        embeddable_expression().prop_map(Segment::Expression),
    ];
    vec(segment, 0..8).prop_map(|segments| {
        let mut merged: Vec<Segment> = Vec::new();
        for segment in segments {
            match (merged.last_mut(), segment) {
                (Some(Segment::Literal(previous)), Segment::Literal(text)) => {
                    previous.push_str(&text);
                }
                (_, segment) => merged.push(segment),
            }
        }
        Template::from_segments(merged).expect("merged literals and embeddable expressions")
    })
}

/// Strings made of the grammar's own pieces, which reach far deeper into the grammar than
/// random text does.
fn grammar_soup() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "$",
        "$url",
        "$method",
        "$statusCode",
        "$request.",
        "$response.",
        "$REQUEST.",
        "$Url",
        "header.",
        "query.",
        "path.",
        "body",
        "body#",
        "#",
        "/",
        "~",
        "~0",
        "~1",
        "~2",
        "{",
        "}",
        "{$",
        "\\",
        "\\u",
        "\\uD83D",
        "\\uDE00",
        "\\u007b",
        "\\n",
        "\"",
        ".",
        "a",
        "X-Id",
        "é",
        "😀",
        "\0",
        "\n",
        " ",
        "%7B",
    ];
    vec(select(PIECES), 0..16).prop_map(|pieces| pieces.concat())
}

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
