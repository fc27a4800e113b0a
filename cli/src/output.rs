//! Results on stdout: lines of text and JSON. Writing never panics (`println!` does when the
//! reader has gone): a closed pipe ends the command quietly, and like any other write error
//! with exit status 2 (the output is incomplete).
//!
//! JSON is written by serde_json, which escapes the C0 control characters as JSON requires;
//! DEL and the C1 controls (U+0080–U+009F, which terminals may read as CSI and friends) are
//! escaped as well (`\u009b`), which JSON allows and which leaves the value the same.

use std::fmt::{Display, Write as _};
use std::io::{self, IsTerminal as _, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::error::CliError;

/// Prints one line of text.
pub(crate) fn line(text: impl Display) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}").map_err(write_error)
}

/// Prints lines of text (a document's diagnostics) in one write: stdout is line-buffered, and a
/// write per line would be a system call per line (thousands over a large set of documents).
pub(crate) fn lines<T: Display>(items: impl IntoIterator<Item = T>) -> Result<(), CliError> {
    let mut text = String::new();
    for item in items {
        // Writing into a String cannot fail.
        let _ = writeln!(text, "{item}");
    }
    if text.is_empty() {
        return Ok(());
    }
    write_all(text.as_bytes())
}

/// Prints a result that is data given back as it is (`eval`'s string values, `parse`'s
/// canonical forms), then a newline. Into a pipe or a file it goes unchanged; on a terminal,
/// control characters other than the newline are shown escaped, as `ls` and `git` show file
/// names, so that a value from an exchange cannot drive the terminal.
pub(crate) fn data(text: &str) -> Result<(), CliError> {
    line(for_terminal(text, io::stdout().is_terminal()))
}

fn for_terminal(text: &str, is_terminal: bool) -> std::borrow::Cow<'_, str> {
    if is_terminal {
        crate::terminal::escape_lines(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Prints a value as compact JSON on one line.
pub(crate) fn json_line<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let mut text = to_json(value, CompactFormatter)?;
    text.push(b'\n');
    write_all(&text)
}

/// Prints a value as indented JSON (two spaces), then a newline.
pub(crate) fn json_pretty<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let mut text = to_json(value, PrettyFormatter::new())?;
    text.push(b'\n');
    write_all(&text)
}

/// A note for the person at the terminal on stderr, such as `check`'s summary line. Not an
/// error: the command goes on, and a note that cannot be written is not worth failing for.
pub(crate) fn note(text: impl Display) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

fn to_json<T: Serialize + ?Sized, F: Formatter>(
    value: &T,
    formatter: F,
) -> Result<Vec<u8>, CliError> {
    let mut text = Vec::with_capacity(128);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut text, VisibleControls(formatter));
    value
        .serialize(&mut serializer)
        .map_err(|err| CliError::usage_or_io(err.to_string()))?;
    Ok(text)
}

fn write_all(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

fn write_error(err: io::Error) -> CliError {
    if err.kind() == io::ErrorKind::BrokenPipe {
        CliError::output_closed()
    } else {
        CliError::usage_or_io(format!("cannot write the output: {err}"))
    }
}

/// A JSON formatter that also escapes DEL and the C1 controls; everything else is the inner
/// formatter's.
struct VisibleControls<F>(F);

fn is_c1_or_del(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}')
}

impl<F: Formatter> Formatter for VisibleControls<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(is_c1_or_del) {
            self.0.write_string_fragment(writer, &rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        self.0.write_string_fragment(writer, rest)
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        char_escape: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        self.0.write_char_escape(writer, char_escape)
    }

    fn write_number_str<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        value: &str,
    ) -> io::Result<()> {
        self.0.write_number_str(writer, value)
    }

    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.0.write_raw_fragment(writer, fragment)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn compact(value: &serde_json::Value) -> String {
        String::from_utf8(to_json(value, CompactFormatter).expect("serializes")).expect("UTF-8")
    }

    #[test]
    fn json_is_serde_json_s_for_ordinary_text() {
        let value = json!({"a": [1, "two\n\u{1b}", null], "é": {"b": true}});
        assert_eq!(
            compact(&value),
            serde_json::to_string(&value).expect("json")
        );
        let pretty = String::from_utf8(to_json(&value, PrettyFormatter::new()).expect("json"))
            .expect("UTF-8");
        assert_eq!(pretty, serde_json::to_string_pretty(&value).expect("json"));
    }

    #[test]
    fn data_is_escaped_for_a_terminal_only() {
        let value = "line one\n\u{1b}]0;title\u{7}\tline two\u{9b}";
        assert_eq!(for_terminal(value, false), value);
        assert_eq!(
            for_terminal(value, true),
            "line one\n\\u{1b}]0;title\\u{7}\\tline two\\u{9b}"
        );
    }

    #[test]
    fn del_and_c1_controls_are_escaped_and_the_value_stays_the_same() {
        let value = json!({"k\u{9b}": "a\u{7f}b\u{85}\u{9f}c\u{a0}\u{1b}"});
        let text = compact(&value);
        assert_eq!(
            text,
            r#"{"k\u009b":"a\u007fb\u0085\u009fc"#.to_owned() + "\u{a0}" + r#"\u001b"}"#
        );
        assert!(!crate::terminal::has_control(&text));
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, value);
    }
}
