//! Diagnostics: what is wrong (or suspicious) in a document, and where.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::document::Position;

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
    /// A stable identifier of the rule, such as `expression-syntax` or `link-target`.
    pub code: &'static str,
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
    /// The line of the file the diagnostic points at, for the caret display.
    #[serde(skip)]
    pub(crate) source_line: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(
        severity: Severity,
        code: &'static str,
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
        }
    }

    /// The diagnostic for a document that could not be loaded at all.
    pub fn load_failure(path: &std::path::Path, err: &crate::LoadError) -> Self {
        match err {
            crate::LoadError::Syntax {
                path,
                position,
                message,
            } => {
                let diagnostic = Diagnostic::new(
                    Severity::Error,
                    "document",
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
                "document",
                path.to_path_buf(),
                None,
                other.to_string(),
            ),
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_source_line(mut self, line: &str) -> Self {
        self.source_line = Some(line.to_owned());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// `FILE:LINE:COL: error: message`, then the line with a caret, then the help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}: {}", self.severity, self.message)?;
        if let (Some(text), Some(line), Some(column)) = (&self.source_line, self.line, self.column)
        {
            let number = line.to_string();
            let pad = " ".repeat(number.len());
            let shown: String = text
                .chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            write!(
                f,
                "\n{pad} |\n{number} | {shown}\n{pad} | {}^",
                " ".repeat(column.saturating_sub(1))
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}
