//! The fast reader: a direct reading of well-formed input, without pest.
//!
//! pest pays for its error reporting on every input (attempt tracking, a stack probe on each
//! rule and repetition, a token queue, a line index): about 1.5 µs for
//! `$request.body#/user/uuid`. Valid input is the common case (every callback key of a loaded
//! document), so it is read here directly, rule for rule as in `runtime_expression.pest`, in a
//! small fraction of that. This reader accepts exactly what the grammar accepts, with the same
//! tree, and gives `None` for everything else: the grammar (`walk.rs`) then reads the input
//! again and says what is wrong, so every error comes from the grammar.
//!
//! This file reads the OpenAPI dialect as a whole text (the hot path of callback keys, kept as
//! it was measured); `fast_prefix.rs` reads every dialect, Arazzo's included, as the expression
//! at the start of a text. Templates of every dialect share [`template_with`].
//!
//! The two are tied together by tests, not by trust: the differential property test
//! (`tests/differential.rs`) and fuzz target (`fuzz/fuzz_targets/differential.rs`) check both
//! directions on near-valid input, and every conformance case goes through both readers.

use crate::ast::{Expression, Source};
use crate::chars::is_tchar;
use crate::escape;
use crate::header_name::HeaderName;
use crate::keywords;
use crate::pointer::JsonPointer;
use crate::template::{Segment, Template};

/// `expression` of the grammar, on the whole text; `None` if the text is not one.
pub(crate) fn expression(text: &str) -> Option<Expression> {
    // expression = "$url" / "$method" / "$statusCode" / "$request." source / "$response." source
    if keywords::URL.is(text) {
        return Some(Expression::Url);
    }
    if keywords::METHOD.is(text) {
        return Some(Expression::Method);
    }
    if keywords::STATUS_CODE.is(text) {
        return Some(Expression::StatusCode);
    }
    if let Some(rest) = keywords::REQUEST.strip_from(text) {
        return source(rest).map(Expression::Request);
    }
    keywords::RESPONSE
        .strip_from(text)
        .and_then(source)
        .map(Expression::Response)
}

fn source(text: &str) -> Option<Source> {
    // header-reference = "header." token ; token = 1*tchar
    if let Some(token) = keywords::HEADER.strip_from(text) {
        let is_token = !token.is_empty() && token.bytes().all(is_tchar);
        return is_token.then(|| Source::Header(HeaderName::from_token(token)));
    }
    // query-reference = "query." name ; path-reference = "path." name
    if let Some(raw) = keywords::QUERY.strip_from(text) {
        return name(raw).map(Source::Query);
    }
    if let Some(raw) = keywords::PATH.strip_from(text) {
        return name(raw).map(Source::Path);
    }
    // body-reference = "body" ["#" json-pointer]
    let rest = keywords::BODY.strip_from(text)?;
    if rest.is_empty() {
        return Some(Source::Body(None));
    }
    // jsonptr checks exactly RFC 6901's json-pointer: "" or "/"-led tokens with `~0`/`~1`.
    let pointer = JsonPointer::parse(keywords::POINTER_SEPARATOR.strip_from(rest)?).ok()?;
    Some(Source::Body(Some(pointer)))
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
pub(crate) fn template(input: &str) -> Option<Template> {
    template_with(input, expression)
}

/// `template_input` of the grammar, each embedded expression read by `expression`.
#[inline]
pub(crate) fn template_with(
    input: &str,
    expression: impl Fn(&str) -> Option<Expression>,
) -> Option<Template> {
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
        let embedded = keywords::OPEN_BRACE.strip_from(&rest[brace..])?;
        // The expression ends at the first brace, which must be `}` (embedded_text).
        let end = embedded.find(['{', '}'])?;
        let after = keywords::CLOSE_BRACE.strip_from(&embedded[end..])?;
        segments.push(Segment::Expression(expression(&embedded[..end])?));
        rest = after;
    }
    Some(Template::from_parsed(segments))
}
