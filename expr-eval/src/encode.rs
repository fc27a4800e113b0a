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

/// The output of one rendering: a `String` that may grow to `end` bytes and no further, so
/// that a template repeating a large value cannot make memory grow without bound.
pub(crate) struct Sink<'o> {
    out: &'o mut String,
    end: usize,
}

/// The rendering would pass the end of its [`Sink`].
#[derive(Debug)]
pub(crate) struct Full;

impl<'o> Sink<'o> {
    /// A sink appending to `out`, at most `max_len` bytes.
    #[inline]
    pub(crate) fn new(out: &'o mut String, max_len: usize) -> Self {
        let end = out.len().saturating_add(max_len);
        Sink { out, end }
    }

    /// Appends `text` if it fits.
    #[inline]
    pub(crate) fn push(&mut self, text: &str) -> Result<(), Full> {
        // `out.len() <= end` always holds, so the subtraction cannot wrap.
        if text.len() > self.end - self.out.len() {
            return Err(Full);
        }
        self.out.push_str(text);
        Ok(())
    }

    /// Appends `value` as a template embeds it, percent-encoded with `set` when given.
    #[inline]
    pub(crate) fn push_value(
        &mut self,
        value: &Value<'_>,
        set: Option<&'static AsciiSet>,
    ) -> Result<(), Full> {
        match (value.as_str(), set) {
            (Some(text), None) => self.push(text),
            (Some(text), Some(set)) => self.push_encoded(text, set),
            // Numbers, booleans, null, objects and arrays: their JSON text, written piece by
            // piece and stopped at the end (a large object is never written whole first).
            (None, set) => {
                let mut writer = Writer { sink: self, set };
                write!(writer, "{value}").map_err(|_| Full)
            }
        }
    }

    fn push_encoded(&mut self, text: &str, set: &'static AsciiSet) -> Result<(), Full> {
        for chunk in utf8_percent_encode(text, set) {
            self.push(chunk)?;
        }
        Ok(())
    }
}

/// The length of the text `value` renders as (strings as they are, anything else as compact
/// JSON), counted without writing it and given up past `max_len`.
pub(crate) fn rendered_len_within(value: &Value<'_>, max_len: usize) -> Result<usize, Full> {
    if let Some(text) = value.as_str() {
        return if text.len() > max_len {
            Err(Full)
        } else {
            Ok(text.len())
        };
    }
    let mut counter = Counter { len: 0, max_len };
    write!(counter, "{value}").map_err(|_| Full)?;
    Ok(counter.len)
}

/// A `fmt::Write` that only counts, and fails past `max_len`.
struct Counter {
    len: usize,
    max_len: usize,
}

impl fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.len() > self.max_len - self.len {
            return Err(fmt::Error);
        }
        self.len += s.len();
        Ok(())
    }
}

/// A `fmt::Write` into a [`Sink`], percent-encoding when asked.
struct Writer<'s, 'o> {
    sink: &'s mut Sink<'o>,
    set: Option<&'static AsciiSet>,
}

impl fmt::Write for Writer<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match self.set {
            None => self.sink.push(s),
            Some(set) => self.sink.push_encoded(s, set),
        }
        .map_err(|Full| fmt::Error)
    }
}
