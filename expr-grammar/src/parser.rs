//! The pest grammar, and the walk from its parse tree to the typed syntax tree.
//!
//! Pest types stay in this module: callers get [`Expression`], [`Template`] and [`ParseError`].

use jsonptr::Pointer;
use pest::Parser as _;
use pest::error::{Error as PestError, ErrorVariant, InputLocation};
use pest::iterators::Pair;

use crate::ast::{Expression, HeaderName, Segment, Source, Template, is_tchar};
use crate::error::{ErrorKind, ParseError, RawError};
use crate::escape;
use crate::MAX_INPUT_LEN;

#[derive(pest_derive::Parser)]
#[grammar = "runtime_expression.pest"]
struct Grammar;

/// Whether an expression stands alone or between the braces of a template; the two differ only
/// in what may follow the expression (the end of input, or `}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Whole,
    Embedded,
}

impl Context {
    fn end_word(self) -> &'static str {
        match self {
            Context::Whole => "end of input",
            Context::Embedded => "`}`",
        }
    }
}

pub(crate) fn parse_expression(input: &str) -> Result<Expression, ParseError> {
    check_length(input)
        .and_then(|()| expression(input, Context::Whole))
        .map_err(|err| err.locate(input))
}

pub(crate) fn parse_template(input: &str) -> Result<Template, ParseError> {
    check_length(input)
        .and_then(|()| template(input))
        .map_err(|err| err.locate(input))
}

fn check_length(input: &str) -> Result<(), RawError> {
    if input.len() > MAX_INPUT_LEN {
        return Err(RawError {
            kind: ErrorKind::TooLong {
                limit: MAX_INPUT_LEN,
            },
            offset: MAX_INPUT_LEN,
            expected: Vec::new(),
        });
    }
    Ok(())
}

fn expression(text: &str, context: Context) -> Result<Expression, RawError> {
    let mut pairs = Grammar::parse(Rule::expression_input, text)
        .map_err(|err| expression_error(text, &err, context))?;
    let pair = pairs.next().ok_or_else(|| internal_error(0))?;
    build_expression(pair)
}

fn template(input: &str) -> Result<Template, RawError> {
    let pairs = Grammar::parse(Rule::template_input, input)
        .map_err(|err| template_error(input, &err))?;
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
                let pointer = Pointer::parse(text).map_err(|_| internal_error(part_start))?;
                Source::Body(Some(pointer.to_buf()))
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

fn pest_failure(err: &PestError<Rule>) -> (usize, &[Rule]) {
    let offset = match err.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    let positives: &[Rule] = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    (offset, positives)
}

/// Which part of a `$request.`/`$response.` expression the text before `offset` is in, read from
/// its prefix (the leaf rules are atomic, so pest does not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// After `header.`: the token starts at the given offset.
    HeaderName(usize),
    /// After `query.` or `path.`.
    Name,
    /// After `body#`: the pointer starts at the given offset.
    Pointer(usize),
    Other,
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn part_at(text: &str, offset: usize) -> Part {
    let before = &text[..offset];
    let Some(source) = strip_prefix_ignore_case(before, "$request.")
        .or_else(|| strip_prefix_ignore_case(before, "$response."))
    else {
        return Part::Other;
    };
    if let Some(rest) = strip_prefix_ignore_case(source, "header.") {
        return Part::HeaderName(offset - rest.len());
    }
    if strip_prefix_ignore_case(source, "query.").is_some()
        || strip_prefix_ignore_case(source, "path.").is_some()
    {
        return Part::Name;
    }
    if let Some(rest) = strip_prefix_ignore_case(source, "body#") {
        return Part::Pointer(offset - rest.len());
    }
    Part::Other
}

fn expression_error(text: &str, err: &PestError<Rule>, context: Context) -> RawError {
    let (offset, positives) = pest_failure(err);
    let found = text[offset..].chars().next();
    let end = context.end_word();
    let error = |kind, expected| RawError {
        kind,
        offset,
        expected,
    };
    if context == Context::Embedded && offset == 0 && found != Some('$') {
        return error(ErrorKind::ExpectedDollar, vec!["`$`"]);
    }
    match (part_at(text, offset), found) {
        (Part::HeaderName(start), Some(c))
            if offset > start && !(c.is_ascii() && is_tchar(c as u8)) =>
        {
            return error(
                ErrorKind::InvalidHeaderCharacter(c),
                vec!["a header-name character (letter, digit or one of !#$%&'*+-.^_`|~)", end],
            );
        }
        (Part::HeaderName(start), found) if offset == start => {
            let expected = vec!["a header name"];
            return match found {
                Some(c) if c != '}' || context == Context::Whole => {
                    error(ErrorKind::InvalidHeaderCharacter(c), expected)
                }
                _ => error(ErrorKind::Unexpected, expected),
            };
        }
        (Part::Name, Some('\\')) => {
            return error(
                ErrorKind::InvalidNameEscape,
                vec!["`\\\"`", "`\\\\`", "`\\/`", "`\\b`", "`\\f`", "`\\n`", "`\\r`", "`\\t`", "`\\uXXXX`"],
            );
        }
        (Part::Name, Some(c)) if c == '"' || c.is_control() => {
            return error(ErrorKind::UnescapedCharacter(c), vec![]);
        }
        // Before the `~` arm: a pointer that does not start with `/` (`body#~0`) lacks its `/`;
        // its `~0` is not the mistake.
        (Part::Pointer(start), _) if offset == start => {
            return error(ErrorKind::Unexpected, vec!["`/`", end]);
        }
        (Part::Pointer(_), Some('~')) => {
            return error(ErrorKind::InvalidPointerEscape, vec!["`~0`", "`~1`"]);
        }
        _ => {}
    }
    let mut expected: Vec<&'static str> = Vec::new();
    for rule in positives {
        let word = match rule {
            Rule::url => "`$url`",
            Rule::method => "`$method`",
            Rule::status_code => "`$statusCode`",
            Rule::request_prefix => "`$request.`",
            Rule::response_prefix => "`$response.`",
            Rule::header_prefix => "`header.`",
            Rule::query_prefix => "`query.`",
            Rule::path_prefix => "`path.`",
            Rule::body_keyword => "`body`",
            Rule::pointer_separator => "`#`",
            Rule::token => "a header name",
            Rule::EOI => end,
            _ => continue,
        };
        if !expected.contains(&word) {
            expected.push(word);
        }
    }
    // The end of input is the last resort: name it last.
    if let Some(index) = expected.iter().position(|word| *word == end) {
        let word = expected.remove(index);
        expected.push(word);
    }
    error(ErrorKind::Unexpected, expected)
}

fn template_error(input: &str, err: &PestError<Rule>) -> RawError {
    let (offset, positives) = pest_failure(err);
    // Report the first mistake: an embedded expression before the structural error may
    // already be wrong (`{id}}`), and so may the text of a brace left open (`{id`).
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
    let found = input[offset..].chars().next();
    let in_braces = positives.contains(&Rule::close_brace);
    let kind = match found {
        Some('}') if !in_braces => ErrorKind::UnmatchedCloseBrace,
        _ if in_braces => ErrorKind::UnclosedBrace,
        _ => ErrorKind::Unexpected,
    };
    let expected = if in_braces {
        vec!["`}`"]
    } else {
        vec!["literal text", "`{`", "end of input"]
    };
    RawError {
        kind,
        offset,
        expected,
    }
}
