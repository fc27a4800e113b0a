//! The pest grammar, and the walk from its parse tree to the typed syntax tree.
//!
//! Pest types stay in this module: callers get [`Expression`], [`Template`] and [`ParseError`].

use jsonptr::Pointer;
use pest::Parser as _;
use pest::error::{Error as PestError, ErrorVariant, InputLocation};
use pest::iterators::Pair;

use crate::ParseLimits;
use crate::ast::{Expression, HeaderName, Segment, Source, Template, is_tchar};
use crate::error::{ErrorKind, ParseError, RawError};
use crate::escape;

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

pub(crate) fn parse_expression(
    input: &str,
    limits: &ParseLimits,
) -> Result<Expression, ParseError> {
    check_length(input, limits)
        .and_then(|()| expression(input, Context::Whole))
        .map_err(|err| err.locate(input))
}

pub(crate) fn parse_template(input: &str, limits: &ParseLimits) -> Result<Template, ParseError> {
    check_length(input, limits)
        .and_then(|()| template(input))
        .map_err(|err| err.locate(input))
}

fn check_length(input: &str, limits: &ParseLimits) -> Result<(), RawError> {
    if input.len() > limits.max_len {
        return Err(RawError {
            kind: ErrorKind::TooLong {
                limit: limits.max_len,
            },
            offset: limits.max_len,
            expected: Vec::new(),
        });
    }
    Ok(())
}

fn expression(text: &str, context: Context) -> Result<Expression, RawError> {
    if let Some(expr) = fast::expression(text) {
        #[cfg(debug_assertions)]
        fast::check_against_grammar(text, &expr, |text| grammar_expression(text, context).ok());
        return Ok(expr);
    }
    grammar_expression(text, context)
}

/// Parses with the pest grammar: the reference, and the only source of error reports.
fn grammar_expression(text: &str, context: Context) -> Result<Expression, RawError> {
    let mut pairs = Grammar::parse(Rule::expression_input, text)
        .map_err(|err| expression_error(text, &err, context))?;
    let pair = pairs.next().ok_or_else(|| internal_error(0))?;
    build_expression(pair)
}

fn template(input: &str) -> Result<Template, RawError> {
    if let Some(template) = fast::template(input) {
        #[cfg(debug_assertions)]
        fast::check_against_grammar(input, &template, |input| grammar_template(input).ok());
        return Ok(template);
    }
    grammar_template(input)
}

/// Parses with the pest grammar: the reference, and the only source of error reports.
fn grammar_template(input: &str) -> Result<Template, RawError> {
    let pairs =
        Grammar::parse(Rule::template_input, input).map_err(|err| template_error(input, &err))?;
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
                vec![
                    "a header-name character (letter, digit or one of !#$%&'*+-.^_`|~)",
                    end,
                ],
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
                vec![
                    "`\\\"`",
                    "`\\\\`",
                    "`\\/`",
                    "`\\b`",
                    "`\\f`",
                    "`\\n`",
                    "`\\r`",
                    "`\\t`",
                    "`\\uXXXX`",
                ],
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

/// A direct reading of well-formed input, without pest.
///
/// pest pays for its error reporting on every input (attempt tracking, a stack probe on each
/// rule and repetition, a token queue, a line index): about 1.5 µs for
/// `$request.body#/user/uuid`. Valid input is the common case (every callback key of a loaded
/// document), so it is read here directly, rule for rule as in `runtime_expression.pest`, in a
/// small fraction of that. Anything this reader does not accept goes to the pest grammar,
/// which stays the reference: it decides every error and produces every error report, so a
/// reader that is too strict costs only time. Debug builds check every input up to
/// `CROSS_CHECK_LIMIT` bytes against the grammar, so the tests (and the fuzzer) compare the two.
mod fast {
    use jsonptr::Pointer;

    use super::strip_prefix_ignore_case;
    use crate::ast::{Expression, HeaderName, Segment, Source, Template, is_tchar};
    use crate::escape;

    /// `expression` of the grammar, on the whole text; `None` if the text is not one (or is one
    /// that this reader leaves to the grammar).
    pub(super) fn expression(text: &str) -> Option<Expression> {
        // expression = "$url" / "$method" / "$statusCode" / "$request." source / "$response." source
        if text.eq_ignore_ascii_case("$url") {
            return Some(Expression::Url);
        }
        if text.eq_ignore_ascii_case("$method") {
            return Some(Expression::Method);
        }
        if text.eq_ignore_ascii_case("$statusCode") {
            return Some(Expression::StatusCode);
        }
        if let Some(rest) = strip_prefix_ignore_case(text, "$request.") {
            return source(rest).map(Expression::Request);
        }
        strip_prefix_ignore_case(text, "$response.")
            .and_then(source)
            .map(Expression::Response)
    }

    fn source(text: &str) -> Option<Source> {
        // header-reference = "header." token ; token = 1*tchar
        if let Some(token) = strip_prefix_ignore_case(text, "header.") {
            let is_token = !token.is_empty() && token.bytes().all(is_tchar);
            return is_token.then(|| Source::Header(HeaderName::from_token(token)));
        }
        // query-reference = "query." name ; path-reference = "path." name
        if let Some(raw) = strip_prefix_ignore_case(text, "query.") {
            return name(raw).map(Source::Query);
        }
        if let Some(raw) = strip_prefix_ignore_case(text, "path.") {
            return name(raw).map(Source::Path);
        }
        // body-reference = "body" ["#" json-pointer]
        let rest = strip_prefix_ignore_case(text, "body")?;
        if rest.is_empty() {
            return Some(Source::Body(None));
        }
        // jsonptr checks exactly RFC 6901's json-pointer: "" or "/"-led tokens with `~0`/`~1`.
        let pointer = Pointer::parse(rest.strip_prefix('#')?).ok()?;
        Some(Source::Body(Some(pointer.to_buf())))
    }

    /// `name = *char` (RFC 8259 `char`), decoded; `None` for a raw `"` or control character,
    /// a malformed escape, or a lone surrogate (which the grammar reports).
    fn name(raw: &str) -> Option<String> {
        let bytes = raw.as_bytes();
        let mut escaped = false;
        let mut i = 0;
        while let Some(&byte) = bytes.get(i) {
            match byte {
                // unescaped = %x20-21 / %x23-5B / %x5D-10FFFF: every byte of a multi-byte
                // UTF-8 character is >= 0x80, so only these ASCII bytes are refused.
                0x00..=0x1F | b'"' => return None,
                b'\\' => {
                    escaped = true;
                    let len = match bytes.get(i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                        b'u' if bytes.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                        _ => return None,
                    };
                    i += len;
                }
                _ => i += 1,
            }
        }
        if escaped {
            escape::decode_name(raw).ok()
        } else {
            Some(raw.to_owned())
        }
    }

    /// `template_input` of the grammar: literal text without braces, and `{expression}`.
    pub(super) fn template(input: &str) -> Option<Template> {
        let mut segments = Vec::new();
        let mut rest = input;
        while !rest.is_empty() {
            let Some(brace) = rest.find(['{', '}']) else {
                segments.push(Segment::Literal(rest.to_owned()));
                break;
            };
            if brace > 0 {
                segments.push(Segment::Literal(rest[..brace].to_owned()));
            }
            // A `}` in literal text is an error; leave it to the grammar.
            let embedded = rest[brace..].strip_prefix('{')?;
            // The expression ends at the first brace, which must be `}` (embedded_text).
            let end = embedded.find(['{', '}'])?;
            if embedded.as_bytes()[end] != b'}' {
                return None;
            }
            segments.push(Segment::Expression(expression(&embedded[..end])?));
            rest = &embedded[end + 1..];
        }
        Some(Template::from_parsed(segments))
    }

    /// The size up to which debug builds compare every accepted input with the grammar; longer
    /// inputs are left out so that debug builds stay linear on large documents.
    #[cfg(debug_assertions)]
    pub(super) const CROSS_CHECK_LIMIT: usize = 4096;

    /// Debug builds: the grammar must accept what this reader accepted, with the same tree.
    #[cfg(debug_assertions)]
    pub(super) fn check_against_grammar<T: PartialEq + std::fmt::Debug>(
        input: &str,
        fast: &T,
        grammar: impl FnOnce(&str) -> Option<T>,
    ) {
        if input.len() <= CROSS_CHECK_LIMIT {
            let reference = grammar(input);
            assert!(
                reference.as_ref() == Some(fast),
                "the direct reader and the grammar disagree on {input:?}: {fast:?} versus {reference:?}"
            );
        }
    }
}
