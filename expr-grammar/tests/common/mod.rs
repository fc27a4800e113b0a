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

// ---------------------------------------------------------------------------------------------
// Arazzo

use expr_grammar::{
    ComponentKind, ComponentReference, Dialect, Family, Reference, SourceDescriptionReference,
    StepReference, UnstructuredName, WorkflowField, WorkflowReference,
};

/// The Arazzo dialects.
pub(crate) const ARAZZO: [Dialect; 3] = [
    Dialect::Arazzo1_0_0,
    Dialect::Arazzo1_0_1,
    Dialect::Arazzo1_1_0,
];

/// An Arazzo `identifier`: letters, digits, `.`, `-`, `_`.
pub(crate) fn identifier() -> impl Strategy<Value = String> + Clone {
    "[A-Za-z0-9._-]{1,10}"
}

/// An Arazzo `identifier-strict`: letters, digits, `-`, `_`.
pub(crate) fn strict_identifier() -> impl Strategy<Value = String> + Clone {
    "[A-Za-z0-9_-]{1,10}"
}

/// A character that an Arazzo 1.0.x name holds in a pointer without an escape.
fn plain_pointer_char() -> impl Strategy<Value = char> + Clone {
    any_text_char().prop_filter("no character a 1.0.x name must escape", |c| {
        !matches!(c, '"' | '\\' | '{' | '}' | '\u{0}'..='\u{1f}')
    })
}

/// `identifier [# pointer]`, the pointer drawn from `pointer_chars`.
pub(crate) fn reference(pointer_chars: BoxedStrategy<char>) -> impl Strategy<Value = Reference> {
    (identifier(), proptest::option::of(pointer(pointer_chars)))
        .prop_map(|(name, pointer)| Reference::new(name, pointer).expect("an identifier"))
}

/// A source of `dialect`: OpenAPI's, and `payload` in Arazzo 1.1.0, whose pointers hold no
/// brace.
fn arazzo_source(dialect: Dialect) -> BoxedStrategy<Source> {
    if dialect == Dialect::Arazzo1_1_0 {
        prop_oneof![
            4 => source(brace_free_char().boxed()),
            1 => proptest::option::of(pointer(brace_free_char().boxed())).prop_map(Source::Payload),
        ]
        .boxed()
    } else {
        source(any_text_char().boxed()).boxed()
    }
}

/// Any expression of an Arazzo `dialect`, built through the public constructors, that can be
/// written in that dialect.
pub(crate) fn arazzo_expression(dialect: Dialect) -> BoxedStrategy<Expression> {
    let pointer_chars = if dialect == Dialect::Arazzo1_1_0 {
        brace_free_char().boxed()
    } else {
        plain_pointer_char().boxed()
    };
    let value = reference(pointer_chars.clone()).boxed();
    let field = prop_oneof![Just(WorkflowField::Inputs), Just(WorkflowField::Outputs)];
    let kind = prop_oneof![
        Just(ComponentKind::Parameters),
        Just(ComponentKind::SuccessActions),
        Just(ComponentKind::FailureActions),
    ];
    let source_strategy = arazzo_source(dialect);
    let mut choices: Vec<BoxedStrategy<Expression>> = vec![
        Just(Expression::Url).boxed(),
        Just(Expression::Method).boxed(),
        Just(Expression::StatusCode).boxed(),
        source_strategy
            .clone()
            .prop_map(Expression::Request)
            .boxed(),
        source_strategy
            .clone()
            .prop_map(Expression::Response)
            .boxed(),
        value.clone().prop_map(Expression::Inputs).boxed(),
        value.clone().prop_map(Expression::Outputs).boxed(),
        (strict_identifier(), value.clone())
            .prop_map(|(id, output)| {
                Expression::Steps(StepReference::new(id, output).expect("a strict id"))
            })
            .boxed(),
        (strict_identifier(), field, value)
            .prop_map(|(id, field, value)| {
                Expression::Workflows(
                    WorkflowReference::new(id, field, value).expect("a strict id"),
                )
            })
            .boxed(),
        (strict_identifier(), vec(any_text_char(), 1..10))
            .prop_map(|(name, chars)| {
                Expression::SourceDescriptions(
                    SourceDescriptionReference::new(name, String::from_iter(chars))
                        .expect("a strict id and a reference"),
                )
            })
            .boxed(),
        (kind, identifier())
            .prop_map(|(kind, name)| {
                Expression::Components(ComponentReference::new(kind, name).expect("an identifier"))
            })
            .boxed(),
    ];
    if dialect != Dialect::Arazzo1_0_1 {
        choices.push(source_strategy.prop_map(Expression::Message).boxed());
    }
    if dialect == Dialect::Arazzo1_1_0 {
        choices.push(Just(Expression::SelfUri).boxed());
    } else {
        let family = select(vec![
            Family::Inputs,
            Family::Outputs,
            Family::Steps,
            Family::Workflows,
            Family::SourceDescriptions,
            Family::Components,
        ]);
        choices.push(
            (family, text(any_text_char(), 12))
                .prop_filter_map("names without a structured reading", |(family, name)| {
                    UnstructuredName::new(family, name)
                        .ok()
                        .map(Expression::Unstructured)
                })
                .boxed(),
        );
    }
    proptest::strategy::Union::new(choices).boxed()
}

/// A template of an Arazzo `dialect`: literals and embeddable expressions.
pub(crate) fn arazzo_template(dialect: Dialect) -> impl Strategy<Value = Template> {
    let segment = prop_oneof![
        vec(brace_free_char(), 1..12).prop_map(|chars| Segment::Literal(String::from_iter(chars))),
        arazzo_expression(dialect)
            .prop_filter("embeddable", Expression::is_embeddable)
            .prop_map(Segment::Expression),
    ];
    vec(segment, 0..6).prop_map(|segments| {
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

/// The Arazzo keywords and punctuation, and characters around them.
pub(crate) const ARAZZO_PIECES: &[&str] = &[
    "$inputs.",
    "$outputs.",
    "$steps.",
    "$workflows.",
    "$sourceDescriptions.",
    "$components.",
    "$message.",
    "$self",
    "$STEPS.",
    "payload",
    "body",
    ".outputs.",
    ".OUTPUTS.",
    ".inputs.",
    "outputs",
    "inputs",
    "parameters",
    "successActions",
    "failureActions",
    "steps",
    ".",
    "..",
    "#",
    "#/",
    "/",
    "~1",
    "~",
    "a",
    "s-1_x",
    "{",
    "}",
    "{$",
    "\\u007b",
    "\\",
    "\"",
    " ",
    "[0]",
    "==",
    "é",
];

/// Strings made of the grammar's pieces, OpenAPI's and Arazzo's.
pub(crate) fn arazzo_soup() -> impl Strategy<Value = String> {
    let all: Vec<&'static str> = PIECES.iter().chain(ARAZZO_PIECES).copied().collect();
    vec(select(all), 0..16).prop_map(|pieces| pieces.concat())
}
