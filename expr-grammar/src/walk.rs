//! The reference reader: the pest grammar's parse tree, walked into the typed syntax tree.
//!
//! It reads everything the grammar accepts and is the only source of error reports (the fast
//! reader hands it every input it does not accept).

use pest::Parser as _;
use pest::iterators::Pair;

use crate::ast::{Expression, Source};
use crate::error::{ErrorKind, RawError};
use crate::error_words::{self, Context};
use crate::escape;
use crate::grammar::{Grammar, Rule};
use crate::header_name::HeaderName;
use crate::pointer::JsonPointer;
use crate::template::{Segment, Template};

/// `expression` of the grammar on the whole of `text` (a whole input, or the text between the
/// braces of a template).
pub(crate) fn expression(text: &str, context: Context) -> Result<Expression, RawError> {
    let mut pairs = Grammar::parse(Rule::expression_input, text)
        .map_err(|err| error_words::expression_error(text, &err, context))?;
    let pair = pairs.next().ok_or_else(|| internal_error(0))?;
    build_expression(pair)
}

/// `template_input` of the grammar, each embedded expression read with [`expression`].
pub(crate) fn template(input: &str) -> Result<Template, RawError> {
    let pairs = match Grammar::parse(Rule::template_input, input) {
        Ok(pairs) => pairs,
        Err(err) => return Err(template_failure(input, &err)),
    };
    let mut segments = Vec::new();
    for pair in pairs {
        match pair.as_rule() {
            Rule::literal_text => segments.push(Segment::Literal(pair.as_str().to_owned())),
            Rule::embedded_expression => {
                let text = pair
                    .into_inner()
                    .find(|part| part.as_rule() == Rule::embedded_text)
                    .ok_or_else(|| internal_error(0))?;
                let start = text.as_span().start();
                let expr = expression(text.as_str(), Context::Embedded)
                    .map_err(|err| err.shifted(start))?;
                segments.push(Segment::Expression(expr));
            }
            _ => {}
        }
    }
    Ok(Template::from_parsed(segments))
}

/// The error of a template the grammar refused: the first mistake, which may be in an embedded
/// expression before the structural error (`{id}}`), or in the text of a brace left open
/// (`{id`), else the structural error itself.
fn template_failure(input: &str, err: &pest::error::Error<Rule>) -> RawError {
    let offset = error_words::failure_offset(err);
    let mut from = 0;
    while let Some(open) = input[from..offset].find('{').map(|i| from + i) {
        let text_start = open + 1;
        let text_end = input[text_start..offset]
            .find('}')
            .map_or(offset, |i| text_start + i);
        if let Err(err) = expression(&input[text_start..text_end], Context::Embedded) {
            return err.shifted(text_start);
        }
        from = text_end;
        if text_end == offset {
            break;
        }
    }
    error_words::template_error(input, err)
}

fn build_expression(pair: Pair<'_, Rule>) -> Result<Expression, RawError> {
    let start = pair.as_span().start();
    Ok(match pair.as_rule() {
        Rule::url => Expression::Url,
        Rule::method => Expression::Method,
        Rule::status_code => Expression::StatusCode,
        Rule::request => Expression::Request(build_source(pair)?),
        Rule::response => Expression::Response(build_source(pair)?),
        _ => return Err(internal_error(start)),
    })
}

/// Builds the source of a `request` or `response` pair: `prefix (header|query|path|body)_reference`.
fn build_source(pair: Pair<'_, Rule>) -> Result<Source, RawError> {
    let start = pair.as_span().start();
    let reference = pair
        .into_inner()
        .nth(1)
        .ok_or_else(|| internal_error(start))?;
    let rule = reference.as_rule();
    let mut parts = reference.into_inner().skip(1);
    let part = parts.next();
    let part_str = part.as_ref().map_or("", |p| p.as_str());
    let part_start = part.as_ref().map_or(start, |p| p.as_span().start());
    Ok(match rule {
        Rule::header_reference => Source::Header(HeaderName::from_token(part_str)),
        Rule::query_reference => Source::Query(decode_name(part_str, part_start)?),
        Rule::path_reference => Source::Path(decode_name(part_str, part_start)?),
        Rule::body_reference => match parts.next() {
            // `body` alone, or `body#` followed by a (possibly empty) pointer.
            None if part.is_none() => Source::Body(None),
            pointer => {
                let text = pointer.as_ref().map_or("", |p| p.as_str());
                let pointer = JsonPointer::parse(text).map_err(|_| internal_error(part_start))?;
                Source::Body(Some(pointer))
            }
        },
        _ => return Err(internal_error(start)),
    })
}

fn decode_name(raw: &str, start: usize) -> Result<String, RawError> {
    escape::decode_name(raw).map_err(|lone| RawError {
        kind: ErrorKind::LoneSurrogate,
        offset: start + lone.offset,
        expected: vec!["a low surrogate escape `\\uDC00`…`\\uDFFF` after a high one"],
    })
}

/// A tree shape the grammar cannot produce; reported rather than panicking.
fn internal_error(offset: usize) -> RawError {
    RawError {
        kind: ErrorKind::Unexpected,
        offset,
        expected: vec!["a well-formed runtime expression (internal parser error)"],
    }
}
