//! Diagnostics: what is wrong (or suspicious) in a document, and where.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::source::Position;

mod code;
pub use code::{DiagnosticCode, UnknownCodeError};

/// How serious a diagnostic is. Only errors make `check` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Probably a mistake, but the document still means something.
    Warning,
    /// The document is invalid: an expression does not parse, a reference dangles, a link
    /// names no operation.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One finding about a document, with the file, line and column it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The rule: read it with [`Diagnostic::code`].
    code: DiagnosticCode,
    /// The file the diagnostic is about.
    pub file: PathBuf,
    /// Line (from 1), when the place is known.
    pub line: Option<usize>,
    /// Column in characters (from 1), when the place is known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// A suggested fix, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The line of the file the diagnostic points at (a window of it, when it is long), for
    /// the caret display.
    #[serde(skip)]
    pub(crate) source_line: Option<String>,
    /// Where the caret goes under `source_line`, in characters.
    #[serde(skip)]
    pub(crate) caret: usize,
}

/// How much of a long line a diagnostic keeps on each side of the place it points at, in bytes:
/// a minified document is one line, and a copy of it per diagnostic would not be bounded.
const LINE_WINDOW: usize = 160;

impl Diagnostic {
    pub(crate) fn new(
        severity: Severity,
        code: DiagnosticCode,
        file: PathBuf,
        position: Option<Position>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            file,
            line: position.map(|p| p.line),
            column: position.map(|p| p.column),
            message: message.into(),
            help: None,
            source_line: None,
            caret: 0,
        }
    }

    /// The diagnostic for a document that could not be loaded at all.
    pub fn load_failure(path: &std::path::Path, err: &crate::error::LoadError) -> Self {
        match err {
            crate::error::LoadError::Syntax {
                path,
                position,
                message,
            } => {
                let diagnostic = Diagnostic::new(
                    Severity::Error,
                    DiagnosticCode::DocumentSyntax,
                    path.clone(),
                    *position,
                    message.clone(),
                );
                match (position, std::fs::read_to_string(path)) {
                    (Some(position), Ok(text)) => {
                        let line = text
                            .trim_start_matches('\u{feff}')
                            .lines()
                            .nth(position.line - 1)
                            .unwrap_or("")
                            .to_owned();
                        diagnostic.with_source_line(&line)
                    }
                    _ => diagnostic,
                }
            }
            other => Diagnostic::new(
                Severity::Error,
                DiagnosticCode::UnreadableDocument,
                path.to_path_buf(),
                None,
                other.to_string(),
            ),
        }
    }

    /// The rule that found it: a stable id (`check --format json` prints it as `code`), with
    /// a summary and a help text.
    ///
    /// ```
    /// use oas_callbacks::{DiagnosticCode, Document};
    /// let doc = Document::from_bytes(
    ///     "api.yaml",
    ///     b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /users/{id}:\n    post:\n      callbacks:\n        done:\n          '{$request.path.userId}':\n            post: {}\n".to_vec(),
    ///     Default::default(),
    /// )?;
    /// let check = doc.check();
    /// assert_eq!(check[0].code(), DiagnosticCode::UnknownPathParameter);
    /// assert_eq!(check[0].code().as_str(), "unknown-path-parameter");
    /// # Ok::<(), oas_callbacks::LoadError>(())
    /// ```
    pub fn code(&self) -> DiagnosticCode {
        self.code
    }

    /// The diagnostic with a suggested fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The line, with the caret at this diagnostic's column.
    pub(crate) fn with_source_line(self, line: &str) -> Self {
        let column = self.column.unwrap_or(1).saturating_sub(1);
        let within = line
            .char_indices()
            .nth(column)
            .map_or(line.len(), |(i, _)| i);
        self.with_source_window(line, within)
    }

    /// The line, with the caret at byte `within` of it; only a window of a long line is kept.
    pub(crate) fn with_source_window(mut self, line: &str, within: usize) -> Self {
        let within = within.min(line.len());
        let mut start = within.saturating_sub(LINE_WINDOW);
        while !line.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = within.saturating_add(LINE_WINDOW).min(line.len());
        while !line.is_char_boundary(end) {
            end += 1;
        }
        let mut shown = String::with_capacity(end - start + 8);
        if start > 0 {
            shown.push('…');
        }
        shown.push_str(&line[start..end]);
        if end < line.len() {
            shown.push('…');
        }
        self.caret = usize::from(start > 0) + line[start..within].chars().count();
        self.source_line = Some(shown);
        self
    }
}

impl fmt::Display for Diagnostic {
    /// `FILE:LINE:COL: error: message`, then the line with a caret, then the help. Control
    /// characters (from the document: a key or an id may hold ESC or BEL) are shown escaped,
    /// as `\u{1b}`, so that printing a diagnostic cannot drive a terminal; tabs in the line
    /// are shown as spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Visible(&self.file.display().to_string()))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}: {}", self.severity, Visible(&self.message))?;
        if let (Some(text), Some(line), Some(_)) = (&self.source_line, self.line, self.column) {
            let number = line.to_string();
            let pad = " ".repeat(number.len());
            let mut shown = String::with_capacity(text.len());
            let mut caret = 0;
            for (i, c) in text.chars().enumerate() {
                let before = shown.len();
                match c {
                    '\t' => shown.push(' '),
                    c if c.is_control() => shown.extend(c.escape_default()),
                    c => shown.push(c),
                }
                if i < self.caret {
                    // Escapes are ASCII, so bytes pushed are characters; other text is one.
                    caret += if c.is_control() && c != '\t' {
                        shown.len() - before
                    } else {
                        1
                    };
                }
            }
            write!(
                f,
                "\n{pad} |\n{number} | {shown}\n{pad} | {}^",
                " ".repeat(caret)
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {}", Visible(help))?;
        }
        Ok(())
    }
}

/// Text with its control characters escaped (newlines too: a diagnostic's parts are one line
/// each).
struct Visible<'a>(&'a str);

impl fmt::Display for Visible<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some((at, c)) = rest.char_indices().find(|(_, c)| c.is_control()) {
            f.write_str(&rest[..at])?;
            write!(f, "{}", c.escape_default())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped_with_the_caret_in_place() {
        let diagnostic = Diagnostic::new(
            Severity::Error,
            DiagnosticCode::InvalidCallbackKey,
            PathBuf::from("a\u{1b}.yaml"),
            Some(Position {
                line: 3,
                column: 8,
                offset: 0,
            }),
            "key `\u{1b}[2J` \r\n0 errors",
        )
        .with_source_line("\t\u{7}'\u{1b}[2J{x}': x")
        .with_help("\u{9b}fix");
        assert_eq!(
            diagnostic.to_string(),
            "a\\u{1b}.yaml:3:8: error: key `\\u{1b}[2J` \\r\\n0 errors\n  |\n3 |  \\u{7}'\\u{1b}[2J{x}': x\n  |                 ^\n  = help: \\u{9b}fix"
        );
        // The caret is under the `{` it was under before the escapes.
        let text = diagnostic.to_string();
        let lines: Vec<&str> = text.lines().collect();
        let caret = lines[3].find('^').expect("caret");
        assert_eq!(&lines[2][caret..=caret], "{");
    }
}
