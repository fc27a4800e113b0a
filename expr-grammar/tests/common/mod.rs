//! Strategies shared by the property tests and the differential test: syntax trees built
//! through the public API, and strings made of the grammar's own pieces.
//!
//! The strategies draw names and pointer tokens from every character class that matters to the
//! grammar: printable ASCII, control characters, the characters a name must escape (`"`, `\`),
//! the braces that end an embedded expression, the pointer's own `~` and `/`, non-ASCII and
//! astral characters.

// Each test crate that includes this module uses only some of it.
#![allow(dead_code)]

use expr_grammar::{Expression, HeaderName, JsonPointer, Segment, Source, Template};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// RFC 9110 `tchar`: what a header name is made of.
pub(crate) const TCHARS: &str =
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A character from any class the grammar treats specially, or any character at all.
pub(crate) fn any_text_char() -> impl Strategy<Value = char> + Clone {
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

pub(crate) fn text(
    chars: impl Strategy<Value = char> + Clone,
    max_len: usize,
) -> impl Strategy<Value = String> + Clone {
    vec(chars, 0..max_len).prop_map(String::from_iter)
}

pub(crate) fn header_name() -> impl Strategy<Value = HeaderName> + Clone {
    let tchars: Vec<char> = TCHARS.chars().collect();
    vec(select(tchars), 1..16).prop_map(|chars| {
        HeaderName::new(String::from_iter(chars)).expect("tchars make a header name")
    })
}

/// A pointer of up to five tokens; `from_tokens` takes the decoded tokens and escapes `~` and `/`.
pub(crate) fn pointer(
    token_chars: BoxedStrategy<char>,
) -> impl Strategy<Value = JsonPointer> + Clone {
    vec(text(token_chars, 8), 0..5).prop_map(JsonPointer::from_tokens)
}

/// A source; `pointer_chars` decides what a body pointer may hold.
pub(crate) fn source(pointer_chars: BoxedStrategy<char>) -> impl Strategy<Value = Source> + Clone {
    prop_oneof![
        header_name().prop_map(Source::Header),
        text(any_text_char(), 12).prop_map(Source::Query),
        text(any_text_char(), 12).prop_map(Source::Path),
        Just(Source::Body(None)),
        pointer(pointer_chars).prop_map(|pointer| Source::Body(Some(pointer))),
    ]
}

pub(crate) fn expression_with(
    pointer_chars: BoxedStrategy<char>,
) -> impl Strategy<Value = Expression> {
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
pub(crate) fn expression() -> impl Strategy<Value = Expression> {
    expression_with(any_text_char().boxed())
}

/// An expression that can stand between the braces of a template: its pointer holds no brace
/// (the grammar has no escape for one); names may, since they are written `\u007b`.
pub(crate) fn embeddable_expression() -> impl Strategy<Value = Expression> {
    expression_with(brace_free_char().boxed())
}

pub(crate) fn brace_free_char() -> impl Strategy<Value = char> {
    any_text_char().prop_filter("literal text and embedded pointers hold no brace", |c| {
        !matches!(c, '{' | '}')
    })
}

/// Segments in any order; adjacent literals are merged, as the parser would read them.
pub(crate) fn template() -> impl Strategy<Value = Template> {
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

/// The grammar's keywords, punctuation and escapes, and characters around them.
pub(crate) const PIECES: &[&str] = &[
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

/// Strings made of the grammar's own pieces, which reach far deeper into the grammar than
/// random text does.
pub(crate) fn grammar_soup() -> impl Strategy<Value = String> {
    vec(select(PIECES), 0..16).prop_map(|pieces| pieces.concat())
}
