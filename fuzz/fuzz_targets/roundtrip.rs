//! Whatever parses must print and reparse to the same syntax tree: strings read as an
//! expression and as a template, and trees built directly from fuzzer data (through the public
//! constructors) printed and parsed back.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use expr_grammar::{Expression, HeaderName, JsonPointer, Segment, Source, Template};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum SourceIn {
    Header(String),
    Query(String),
    Path(String),
    Body,
    Pointer(Vec<String>),
}

#[derive(Debug, Arbitrary)]
enum ExprIn {
    Url,
    Method,
    StatusCode,
    Request(SourceIn),
    Response(SourceIn),
}

#[derive(Debug, Arbitrary)]
enum Input {
    /// The same string through both parsers.
    Text(String),
    /// A syntax tree built directly.
    Tree(ExprIn),
    /// A template built from segments.
    Segments(Vec<SegmentIn>),
}

#[derive(Debug, Arbitrary)]
enum SegmentIn {
    Literal(String),
    Expression(ExprIn),
}

fn source(source: &SourceIn) -> Option<Source> {
    Some(match source {
        SourceIn::Header(name) => Source::Header(HeaderName::new(name.clone()).ok()?),
        SourceIn::Query(name) => Source::Query(name.clone()),
        SourceIn::Path(name) => Source::Path(name.clone()),
        SourceIn::Body => Source::Body(None),
        SourceIn::Pointer(tokens) => Source::Body(Some(JsonPointer::from_tokens(tokens))),
    })
}

fn expression(input: &ExprIn) -> Option<Expression> {
    Some(match input {
        ExprIn::Url => Expression::Url,
        ExprIn::Method => Expression::Method,
        ExprIn::StatusCode => Expression::StatusCode,
        ExprIn::Request(s) => Expression::Request(source(s)?),
        ExprIn::Response(s) => Expression::Response(source(s)?),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    match input {
        Input::Text(text) => {
            fuzz_support::check_expression(&text);
            fuzz_support::check_template(&text);
        }
        Input::Tree(tree) => {
            if let Some(expr) = expression(&tree) {
                let printed = expr.to_string();
                let parsed = Expression::parse(&printed).unwrap_or_else(|err| {
                    panic!("{expr:?} prints as {printed:?}, which does not parse: {err}")
                });
                assert_eq!(parsed, expr, "{printed:?}");
                fuzz_support::check_expression(&printed);
            }
        }
        Input::Segments(segments) => {
            let segments: Option<Vec<Segment>> = segments
                .iter()
                .map(|s| match s {
                    SegmentIn::Literal(text) => Some(Segment::Literal(text.clone())),
                    SegmentIn::Expression(e) => expression(e).map(Segment::Expression),
                })
                .collect();
            if let Some(Ok(template)) = segments.map(Template::from_segments) {
                let printed = template.to_string();
                let parsed = Template::parse(&printed).unwrap_or_else(|err| {
                    panic!("{template:?} prints as {printed:?}, which does not parse: {err}")
                });
                assert_eq!(parsed, template, "{printed:?}");
            }
        }
    }
});
