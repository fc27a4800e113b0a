//! Percent-encoding of rendered values for the URL component they land in.

use std::fmt::{self, Write as _};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::value::Value;

/// Everything but RFC 3986 unreserved characters: a query (or fragment) component value.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Everything but RFC 3986 `pchar`s (unreserved, sub-delims, `:` and `@`): one path segment.
const PATH_SEGMENT: &AsciiSet = &QUERY
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Where a value lands in the URL a template builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Component {
    /// At the very start: the value is (the start of) the URL itself.
    Start,
    Path,
    Query,
}

impl Component {
    /// Where the text after `literal` lands, when the text before it landed in `self`.
    pub(crate) fn after_literal(self, literal: &str) -> Component {
        if literal.contains(['?', '#']) {
            Component::Query
        } else if self == Component::Start {
            Component::Path
        } else {
            self
        }
    }

    /// Where the text after a value lands, when the value landed in `self`.
    pub(crate) fn after_value(self) -> Component {
        match self {
            Component::Start => Component::Path,
            other => other,
        }
    }

    /// The characters to encode in a value that lands here, when encoding is on.
    pub(crate) fn encode_set(self, percent_encode: bool) -> Option<&'static AsciiSet> {
        match (percent_encode, self) {
            (false, _) | (true, Component::Start) => None,
            (true, Component::Path) => Some(PATH_SEGMENT),
            (true, Component::Query) => Some(QUERY),
        }
    }
}

/// Appends `value` to `out` as a template embeds it, percent-encoded with `set` when given.
#[inline]
pub(crate) fn write_value(out: &mut String, value: &Value<'_>, set: Option<&'static AsciiSet>) {
    match set {
        None => value.write_to(out),
        Some(set) => {
            let mut encoder = Encoder { out, set };
            // Writing into a `String` cannot fail.
            let _ = match value.as_str() {
                Some(text) => encoder.write_str(text),
                None => write!(encoder, "{value}"),
            };
        }
    }
}

/// A `fmt::Write` that percent-encodes what it is given into a `String`.
struct Encoder<'o> {
    out: &'o mut String,
    set: &'static AsciiSet,
}

impl fmt::Write for Encoder<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for chunk in utf8_percent_encode(s, self.set) {
            self.out.push_str(chunk);
        }
        Ok(())
    }
}
