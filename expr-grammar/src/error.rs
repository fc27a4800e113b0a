//! Parse errors: where the input went wrong and what would have been accepted there.

use std::fmt;

/// What kind of mistake a [`ParseError`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input does not continue as the grammar allows; [`ParseError::expected`] lists what
    /// would.
    Unexpected,
    /// `{` in a template is not followed by `$`: braces must enclose a runtime expression (a
    /// path-template placeholder such as `{id}` is not one).
    ExpectedDollar,
    /// A `}` in a template's literal text, with no `{` before it.
    UnmatchedCloseBrace,
    /// A `{` in a template that is never closed, or a second `{` inside an embedded expression.
    UnclosedBrace,
    /// `~` in a JSON pointer that is not followed by `0` or `1` (RFC 6901).
    InvalidPointerEscape,
    /// `\` in a query or path name that does not start a JSON string escape (RFC 8259).
    InvalidNameEscape,
    /// A raw character that a name must escape: `"` or a control character.
    UnescapedCharacter(char),
    /// A `\uXXXX` escape naming half of a UTF-16 surrogate pair without the other half.
    LoneSurrogate,
    /// A character that cannot appear in a header name (RFC 9110 `token`).
    InvalidHeaderCharacter(char),
    /// The input is longer than the parser accepts ([`ParseLimits::max_len`](crate::ParseLimits::max_len),
    /// [`MAX_INPUT_LEN`](crate::MAX_INPUT_LEN) by default).
    TooLong {
        /// The limit, in bytes.
        limit: usize,
    },
}

/// An error from [`Expression::parse`](crate::Expression::parse) or
/// [`Template::parse`](crate::Template::parse).
///
/// It carries the byte offset, the line and column, the alternatives the grammar would have
/// accepted (in words, never rule names) and the offending line, so that its
/// [`Display`](fmt::Display) shows the input with a caret under the error:
///
/// ```
/// let err = expr_grammar::Template::parse("http://x/{id}").unwrap_err();
/// assert_eq!(err.offset(), 10);
/// assert_eq!(err.kind(), &expr_grammar::ErrorKind::ExpectedDollar);
/// println!("{err}");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ParseError(
    // Boxed: a `Result<Expression, ParseError>` is then no larger than an `Expression`, and the
    // parse that succeeds (the common case) moves fewer bytes.
    Box<details::ParseError>,
);

/// The fields of a [`ParseError`], under that name so that its `Debug` shows them as the error's.
mod details {
    use super::ErrorKind;

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) struct ParseError {
        pub(super) kind: ErrorKind,
        pub(super) offset: usize,
        pub(super) line: usize,
        pub(super) column: usize,
        pub(super) expected: Vec<&'static str>,
        pub(super) snippet: String,
        pub(super) caret: usize,
    }
}

/// An error located relative to the text handed to one parse call, before it is placed in the
/// whole input (an embedded expression is parsed on its own).
#[derive(Debug)]
pub(crate) struct RawError {
    pub(crate) kind: ErrorKind,
    pub(crate) offset: usize,
    pub(crate) expected: Vec<&'static str>,
}

impl RawError {
    pub(crate) fn shifted(mut self, by: usize) -> Self {
        self.offset += by;
        self
    }

    pub(crate) fn locate(self, input: &str) -> ParseError {
        ParseError::new(input, self.offset, self.kind, self.expected)
    }
}

/// How many characters of a long line are shown on each side of the caret.
const CONTEXT_CHARS: usize = 40;

impl ParseError {
    pub(crate) fn new(
        input: &str,
        offset: usize,
        kind: ErrorKind,
        expected: Vec<&'static str>,
    ) -> Self {
        let offset = floor_char_boundary(input, offset.min(input.len()));
        let line_start = input[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = input[offset..]
            .find('\n')
            .map_or(input.len(), |i| offset + i);
        let line = input[..line_start].matches('\n').count() + 1;
        // Counted, not collected: the line may be megabytes long.
        let before = &input[line_start..offset];
        let before_len = before.chars().count();
        let column = before_len + 1;

        // Show a window of the line, control characters escaped so the caret lines up.
        let skip = before_len.saturating_sub(CONTEXT_CHARS);
        let mut snippet = String::new();
        if skip > 0 {
            snippet.push('…');
        }
        for c in before.chars().skip(skip) {
            push_visible(&mut snippet, c);
        }
        let caret = snippet.chars().count();
        let mut after = input[offset..line_end].chars();
        for c in after.by_ref().take(CONTEXT_CHARS) {
            push_visible(&mut snippet, c);
        }
        if after.next().is_some() {
            snippet.push('…');
        }
        ParseError(Box::new(details::ParseError {
            kind,
            offset,
            line,
            column,
            expected,
            snippet,
            caret,
        }))
    }

    /// What kind of mistake this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The byte offset in the input where the error is.
    pub fn offset(&self) -> usize {
        self.0.offset
    }

    /// The line of the error, counting from 1.
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// The column of the error in its line, in characters, counting from 1.
    pub fn column(&self) -> usize {
        self.0.column
    }

    /// What the grammar would have accepted at the error, in words, such as `` `header.` `` or
    /// `end of input`.
    pub fn expected(&self) -> &[&'static str] {
        &self.0.expected
    }

    /// The message without the location and the caret, such as
    /// ``expected `header.`, `query.`, `path.` or `body` ``.
    pub fn message(&self) -> String {
        let expected = join_alternatives(&self.0.expected);
        match &self.0.kind {
            ErrorKind::Unexpected => format!("expected {expected}"),
            ErrorKind::ExpectedDollar => {
                "expected `$` after `{`: braces must enclose a runtime expression such as `{$request.path.id}`".to_owned()
            }
            ErrorKind::UnmatchedCloseBrace => {
                "unmatched `}`: literal text in a template cannot hold `}`".to_owned()
            }
            ErrorKind::UnclosedBrace => format!("unclosed `{{`: expected {expected}"),
            ErrorKind::InvalidPointerEscape => {
                "invalid escape in JSON pointer: `~` must be followed by `0` (for `~`) or `1` (for `/`)".to_owned()
            }
            ErrorKind::InvalidNameEscape => format!("invalid escape in name: expected {expected}"),
            ErrorKind::UnescapedCharacter(c) => format!(
                "{} must be escaped in a name, as `{}`",
                describe_char(*c),
                escape_for_name(*c)
            ),
            ErrorKind::LoneSurrogate => {
                "`\\u` escape names half of a UTF-16 surrogate pair without the other half".to_owned()
            }
            ErrorKind::InvalidHeaderCharacter(c) => format!(
                "{} cannot appear in a header name: expected {expected}",
                describe_char(*c)
            ),
            ErrorKind::TooLong { limit } => {
                format!("input is longer than the limit of {limit} bytes (ParseLimits::max_len)")
            }
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.0.line.to_string();
        let pad = " ".repeat(number.len());
        write!(
            f,
            "{} at line {}, column {}\n{pad} |\n{number} | {}\n{pad} | {}^",
            self.message(),
            self.0.line,
            self.0.column,
            self.0.snippet,
            " ".repeat(self.0.caret)
        )
    }
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As if the fields were the error's own: `ParseError { kind: …, offset: …, … }`.
        self.0.fmt(f)
    }
}

impl std::error::Error for ParseError {}

/// `a`, `a or b`, `a, b or c`.
fn join_alternatives(words: &[&str]) -> String {
    match words {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_char(c: char) -> String {
    if c.is_control() {
        format!("control character U+{:04X}", u32::from(c))
    } else {
        format!("`{c}`")
    }
}

fn escape_for_name(c: char) -> String {
    match c {
        '"' => "\\\"".to_owned(),
        '\\' => "\\\\".to_owned(),
        '\n' => "\\n".to_owned(),
        '\r' => "\\r".to_owned(),
        '\t' => "\\t".to_owned(),
        c => format!("\\u{:04x}", u32::from(c)),
    }
}

fn push_visible(out: &mut String, c: char) {
    if c.is_control() {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

fn floor_char_boundary(s: &str, mut index: usize) -> usize {
    while !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_offset_on_the_right_line() {
        let err = ParseError::new("ab\ncdé{x", 7, ErrorKind::ExpectedDollar, vec![]);
        assert_eq!((err.line(), err.column()), (2, 4));
        assert!(err.to_string().ends_with("2 | cdé{x\n  |    ^"), "{err}");
    }

    #[test]
    fn long_lines_are_windowed() {
        let input = "x".repeat(1000);
        let err = ParseError::new(&input, 500, ErrorKind::Unexpected, vec!["`}`"]);
        let shown = err.to_string();
        assert!(shown.len() < 200, "{shown}");
        assert_eq!(err.column(), 501);
    }

    #[test]
    fn debug_shows_the_fields_as_the_errors_own() {
        let err = ParseError::new("$x", 1, ErrorKind::Unexpected, vec!["`url`"]);
        let debug = format!("{err:?}");
        assert!(
            debug.starts_with("ParseError { kind: Unexpected, offset: 1, line: 1, column: 2,"),
            "{debug}"
        );
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        let err = ParseError::new("a\u{1}b", 2, ErrorKind::Unexpected, vec!["end of input"]);
        assert!(err.to_string().ends_with("a\\u{1}b\n  |       ^"), "{err}");
    }

    #[test]
    fn offsets_inside_a_character_move_to_its_start() {
        let err = ParseError::new("é", 1, ErrorKind::Unexpected, vec![]);
        assert_eq!(err.offset(), 0);
    }
}
