//! The fast reader for every dialect, as a reader of the runtime expression at the start of a
//! text: the expression and the number of bytes it takes.
//!
//! It follows the rules of `runtime_expression.pest` one for one, as the whole-text OpenAPI
//! reader in `fast.rs` does, and reads them as pest does: every repetition is greedy and never
//! gives characters back, and the alternatives of a choice begin with different keywords, so
//! the first keyword that matches decides. A whole-text reading is a prefix reading that takes
//! the whole text. It gives `None` for anything it does not accept (the grammar then says
//! what is wrong). The differential test and fuzz target check it against the grammar, for
//! whole texts and for prefixes, in every dialect.

use std::borrow::Cow;

use crate::ast::{Expression, Source};
use crate::chars::is_tchar;
use crate::dialect::Dialect;
use crate::escape;
use crate::header_name::HeaderName;
use crate::keywords::{self, Keyword};
use crate::pointer::JsonPointer;
use crate::reference::{
    self, ComponentReference, Family, Reference, SourceDescriptionReference, StepReference,
    WorkflowField, WorkflowReference, is_identifier_byte, is_strict_identifier_byte,
};

/// The runtime expression of `dialect` at the start of `text`, and its length in bytes.
pub(crate) fn prefix(text: &str, dialect: Dialect) -> Option<(Expression, usize)> {
    let mut reader = Reader::new(text, dialect);
    let expression = reader.expression(dialect)?;
    Some((expression, reader.at))
}

/// `expression` of `dialect` on the whole text.
#[inline]
pub(crate) fn expression(text: &str, dialect: Dialect) -> Option<Expression> {
    let mut reader = Reader::new(text, dialect);
    // Returned as it was built (not moved into a new `Option`): an `Expression` is 80 bytes,
    // and each copy of one just written stalls on store forwarding.
    let expression = reader.expression(dialect);
    if reader.at != text.len() {
        return None;
    }
    expression
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
    /// Whether names and pointers may hold `{` and `}` (all dialects but Arazzo 1.1.0).
    braces: bool,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, dialect: Dialect) -> Self {
        Reader {
            text,
            at: 0,
            braces: dialect != Dialect::Arazzo1_1_0,
        }
    }

    /// The expression of `dialect` at the reading position.
    #[inline]
    fn expression(&mut self, dialect: Dialect) -> Option<Expression> {
        match dialect {
            Dialect::OpenApi => self.openapi(),
            Dialect::Arazzo1_0_0 => self.arazzo_1_0(true),
            Dialect::Arazzo1_0_1 => self.arazzo_1_0(false),
            Dialect::Arazzo1_1_0 => self.arazzo_1_1(),
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    /// Consumes `keyword` if the text continues with it.
    #[inline]
    fn keyword(&mut self, keyword: Keyword) -> bool {
        let matched = keyword.strip_from(self.rest()).is_some();
        if matched {
            self.at += keyword.text.len();
        }
        matched
    }

    /// Consumes the longest run of bytes that satisfy `accept`; returns it.
    #[inline]
    fn run(&mut self, accept: impl Fn(u8) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.bytes().position(|b| !accept(b)).unwrap_or(rest.len());
        self.at += len;
        &rest[..len]
    }

    /// A non-empty run, or `None`.
    fn run1(&mut self, accept: impl Fn(u8) -> bool) -> Option<&'a str> {
        let run = self.run(accept);
        (!run.is_empty()).then_some(run)
    }

    fn openapi(&mut self) -> Option<Expression> {
        if let Some(expression) = self.constant() {
            return Some(expression);
        }
        if self.keyword(keywords::REQUEST) {
            return self.source(false).map(Expression::Request);
        }
        if self.keyword(keywords::RESPONSE) {
            return self.source(false).map(Expression::Response);
        }
        None
    }

    /// `"$url" / "$method" / "$statusCode"`.
    fn constant(&mut self) -> Option<Expression> {
        if self.keyword(keywords::URL) {
            return Some(Expression::Url);
        }
        if self.keyword(keywords::METHOD) {
            return Some(Expression::Method);
        }
        if self.keyword(keywords::STATUS_CODE) {
            return Some(Expression::StatusCode);
        }
        None
    }

    /// Arazzo 1.0.1 (and 1.0.0 with `$message.`): every family takes a free-form name.
    fn arazzo_1_0(&mut self, message: bool) -> Option<Expression> {
        let start = self.at;
        if let Some(expression) = self.openapi_or_message(message) {
            return Some(expression);
        }
        if self.at != start {
            return None;
        }
        let family = [
            Family::Inputs,
            Family::Outputs,
            Family::Steps,
            Family::Workflows,
            Family::SourceDescriptions,
            Family::Components,
        ]
        .into_iter()
        .find(|family| self.keyword(family.keyword()))?;
        let name = self.name()?;
        Some(reference::from_name_1_0(family, name.into_owned()))
    }

    fn openapi_or_message(&mut self, message: bool) -> Option<Expression> {
        let start = self.at;
        if let Some(expression) = self.openapi() {
            return Some(expression);
        }
        if self.at != start {
            // A keyword matched and what follows it did not: no other alternative can.
            return None;
        }
        if message && self.keyword(keywords::MESSAGE) {
            return self.source(false).map(Expression::Message);
        }
        None
    }

    /// The letter after the `$` that starts every expression, in lower case (keywords compare
    /// without regard to case); `None` if the text does not start with `$`.
    fn letter_after_dollar(&self) -> Option<u8> {
        match self.rest().as_bytes() {
            [b'$', letter, ..] => Some(letter.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn arazzo_1_1(&mut self) -> Option<Expression> {
        // Only keywords that begin with the same letter can both match, and those are tried in
        // the grammar's order; the letter rules out the others without trying them (Arazzo has
        // fourteen keywords, and trying each costs more than reading a short expression).
        match self.letter_after_dollar()? {
            b'u' if self.keyword(keywords::URL) => Some(Expression::Url),
            b'm' if self.keyword(keywords::METHOD) => Some(Expression::Method),
            b's' if self.keyword(keywords::STATUS_CODE) => Some(Expression::StatusCode),
            b'r' if self.keyword(keywords::REQUEST) => self.source(true).map(Expression::Request),
            b'r' if self.keyword(keywords::RESPONSE) => self.source(true).map(Expression::Response),
            b'm' if self.keyword(keywords::MESSAGE) => self.source(true).map(Expression::Message),
            b'i' if self.keyword(keywords::INPUTS) => self.value().map(Expression::Inputs),
            b'o' if self.keyword(keywords::OUTPUTS) => self.value().map(Expression::Outputs),
            b's' if self.keyword(keywords::STEPS) => self.step(),
            b'w' if self.keyword(keywords::WORKFLOWS) => self.workflow(),
            b's' if self.keyword(keywords::SOURCE_DESCRIPTIONS) => self.source_description(),
            b'c' if self.keyword(keywords::COMPONENTS) => self.component(),
            b's' if self.keyword(keywords::SELF) => Some(Expression::SelfUri),
            _ => None,
        }
    }

    /// After `$steps.`: `identifier-strict ".outputs." identifier [ "#" json-pointer ]`.
    fn step(&mut self) -> Option<Expression> {
        let step_id = self.run1(is_strict_identifier_byte)?;
        if !self.keyword(keywords::STEP_OUTPUTS) {
            return None;
        }
        let name = self.run1(is_identifier_byte)?;
        let pointer = self.optional_pointer()?;
        Some(Expression::Steps(StepReference::from_parts(
            step_id, name, pointer,
        )))
    }

    /// After `$workflows.`: `identifier-strict "." ("inputs" / "outputs") "." identifier
    /// [ "#" json-pointer ]`.
    fn workflow(&mut self) -> Option<Expression> {
        let workflow_id = self.run1(is_strict_identifier_byte)?;
        if !self.keyword(keywords::DOT) {
            return None;
        }
        let field = if self.keyword(keywords::WORKFLOW_INPUTS) {
            WorkflowField::Inputs
        } else if self.keyword(keywords::WORKFLOW_OUTPUTS) {
            WorkflowField::Outputs
        } else {
            return None;
        };
        if !self.keyword(keywords::DOT) {
            return None;
        }
        let name = self.run1(is_identifier_byte)?;
        let pointer = self.optional_pointer()?;
        Some(Expression::Workflows(WorkflowReference::from_parts(
            workflow_id,
            field,
            name,
            pointer,
        )))
    }

    /// After `$sourceDescriptions.`: `identifier-strict "." 1*CHAR`.
    fn source_description(&mut self) -> Option<Expression> {
        let name = self.run1(is_strict_identifier_byte)?;
        if !self.keyword(keywords::DOT) {
            return None;
        }
        let start = self.at;
        let reference = self.name()?;
        if self.at == start {
            return None;
        }
        Some(Expression::SourceDescriptions(
            SourceDescriptionReference::from_parsed(name, &reference),
        ))
    }

    /// After `$components.`: `("parameters" / "successActions" / "failureActions") "."
    /// identifier`.
    fn component(&mut self) -> Option<Expression> {
        let (kind, rest) = reference::component_kind(self.rest())?;
        self.at = self.text.len() - rest.len();
        if !self.keyword(keywords::DOT) {
            return None;
        }
        let name = self.run1(is_identifier_byte)?;
        Some(Expression::Components(ComponentReference::from_parsed(
            kind, name,
        )))
    }

    /// `identifier [ "#" json-pointer ]` (Arazzo 1.1.0).
    fn value(&mut self) -> Option<Reference> {
        let name = self.run1(is_identifier_byte)?;
        let pointer = self.optional_pointer()?;
        Some(Reference::from_parsed(name, pointer))
    }

    /// `source`: `header.` token, `query.` name, `path.` name, `body` [`#` pointer], and in
    /// Arazzo 1.1.0 `payload` [`#` pointer].
    fn source(&mut self, payload: bool) -> Option<Source> {
        if self.keyword(keywords::HEADER) {
            let token = self.run1(is_tchar)?;
            return Some(Source::Header(HeaderName::from_token(token)));
        }
        if self.keyword(keywords::QUERY) {
            return self.name().map(|name| Source::Query(name.into_owned()));
        }
        if self.keyword(keywords::PATH) {
            return self.name().map(|name| Source::Path(name.into_owned()));
        }
        if self.keyword(keywords::BODY) {
            return self.optional_pointer().map(Source::Body);
        }
        if payload && self.keyword(keywords::PAYLOAD) {
            return self.optional_pointer().map(Source::Payload);
        }
        None
    }

    /// `[ "#" json-pointer ]`: `Some(None)` without `#`; `None` only if the pointer that was read
    /// is refused (it cannot be: the reading follows RFC 6901).
    // Always inlined: returned through memory, the `Option<Option<JsonPointer>>` just written is
    // read back at once, and that read waits on the stores (a third of a pointer's cost, perf).
    #[inline(always)]
    fn optional_pointer(&mut self) -> Option<Option<JsonPointer>> {
        if !self.keyword(keywords::POINTER_SEPARATOR) {
            return Some(None);
        }
        // A pointer takes every byte but a `~` that is not `~0`/`~1` (and, in Arazzo 1.1.0, a
        // brace). So when jsonptr accepts all of the rest up to the first brace, that is the
        // pointer: one scan for braces and jsonptr's check, not a reading byte by byte.
        let rest = self.rest();
        let candidate = if self.braces {
            rest
        } else {
            let end = rest.bytes().position(|b| b == b'{' || b == b'}');
            &rest[..end.unwrap_or(rest.len())]
        };
        if let Ok(pointer) = JsonPointer::parse(candidate) {
            self.at += candidate.len();
            return Some(Some(pointer));
        }
        self.pointer_before_refused_byte()
    }

    /// The pointer at the reading position when it ends before a refused byte: read rule for
    /// rule, as pest reads it.
    #[cold]
    fn pointer_before_refused_byte(&mut self) -> Option<Option<JsonPointer>> {
        let braces = self.braces;
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut i = start;
        // json-pointer = *( "/" reference-token ); reference-token = *( unescaped / escaped )
        while bytes.get(i) == Some(&b'/') {
            i += 1;
            while let Some(&byte) = bytes.get(i) {
                match byte {
                    b'/' => break,
                    b'~' if matches!(bytes.get(i + 1), Some(b'0' | b'1')) => i += 2,
                    b'~' => break,
                    b'{' | b'}' if !braces => break,
                    _ => i += 1,
                }
            }
        }
        self.at = i;
        JsonPointer::parse(&self.text[start..i]).ok().map(Some)
    }

    /// `name = *char` (RFC 8259 `char`; without `{` and `}` in Arazzo 1.1.0), decoded; `None`
    /// for a lone surrogate (which the grammar reports).
    fn name(&mut self) -> Option<Cow<'a, str>> {
        let braces = self.braces;
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut i = start;
        let mut escaped = false;
        while let Some(&byte) = bytes.get(i) {
            match byte {
                0x00..=0x1F | b'"' => break,
                b'{' | b'}' if !braces => break,
                b'\\' => {
                    let len = match bytes.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
                        Some(b'u')
                            if bytes
                                .get(i + 2..i + 6)
                                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            6
                        }
                        _ => break,
                    };
                    escaped = true;
                    i += len;
                }
                _ => i += 1,
            }
        }
        self.at = i;
        let raw = &self.text[start..i];
        if escaped {
            escape::decode_name(raw).ok().map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(raw))
        }
    }
}
