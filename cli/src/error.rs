//! The one error type of the command line: what went wrong, in words, and the exit status it
//! gives (DESIGN §5). Commands return it; `main` prints it, once, on stderr.

use std::fmt;

use crate::terminal;

/// How a command that ran to its end concluded. The output already says why it failed (the
/// diagnostics of `check`, an `invalid` line of `resolve`), so a failure carries no message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything went as asked: exit status 0.
    Success,
    /// The input is invalid, a check failed or a value could not be resolved: exit status 1.
    Failure,
}

impl Outcome {
    /// A failure when `failed` holds.
    pub(crate) fn failure_if(failed: bool) -> Self {
        if failed {
            Outcome::Failure
        } else {
            Outcome::Success
        }
    }

    /// The exit status.
    pub(crate) fn status(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failure => 1,
        }
    }
}

/// Why a command could not do what it was asked, with its exit status.
#[derive(Debug)]
pub(crate) struct CliError {
    kind: ErrorKind,
    text: Text,
}

/// Which exit status an error gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ErrorKind {
    /// The input is invalid, a check failed or a value could not be resolved: exit status 1.
    Invalid,
    /// A usage or I/O error (a missing file, an unreadable document): exit status 2, as clap
    /// gives for a usage error.
    UsageOrIo,
}

/// The words of an error and how they are laid out on stderr. Every piece of text is printed
/// with its control characters escaped (it may come from a document, a file name or an
/// exchange, and an escape sequence must not reach the terminal).
#[derive(Debug)]
enum Text {
    /// `error: ` and one line; a newline in it is escaped like any control character, so no
    /// text can start a line of its own.
    Line(String),
    /// `error: ` and text that has lines of its own: a parse error's caret display, whose type
    /// already shows control characters of the input escaped.
    Block(String),
    /// A line that names its own place and says `error:` itself (`FILE:LINE:COL: error: …`).
    Located(String),
    /// Several errors, one after the other (`check` goes on past a document it cannot read).
    Several(Vec<CliError>),
    /// A line that is not an error but comes after them, such as `check`'s summary.
    Note(String),
    /// Nothing to say: the reader of stdout has gone (a pipe into `head`), so the command
    /// stops quietly (with exit status 2: its output is incomplete).
    OutputClosed,
}

impl CliError {
    /// The input is invalid or a value could not be resolved (exit status 1).
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        CliError {
            kind: ErrorKind::Invalid,
            text: Text::Line(message.into()),
        }
    }

    /// A usage or I/O error (exit status 2).
    pub(crate) fn usage_or_io(message: impl Into<String>) -> Self {
        CliError {
            kind: ErrorKind::UsageOrIo,
            text: Text::Line(message.into()),
        }
    }

    /// An error whose display has lines of its own, such as a parse error with its caret.
    pub(crate) fn block(kind: ErrorKind, message: impl fmt::Display) -> Self {
        CliError {
            kind,
            text: Text::Block(message.to_string()),
        }
    }

    /// An error that names its place and says `error:` itself.
    pub(crate) fn located(kind: ErrorKind, message: impl fmt::Display) -> Self {
        CliError {
            kind,
            text: Text::Located(message.to_string()),
        }
    }

    /// The reader of stdout has gone: stop quietly, with exit status 2.
    pub(crate) fn output_closed() -> Self {
        CliError {
            kind: ErrorKind::UsageOrIo,
            text: Text::OutputClosed,
        }
    }

    /// Whether the reader of stdout has gone, so that nothing is worth printing.
    pub(crate) fn is_output_closed(&self) -> bool {
        matches!(self.text, Text::OutputClosed)
    }

    /// All of these errors, in order; the exit status is the most serious one's. `None` when
    /// there is none.
    pub(crate) fn all(mut errors: Vec<CliError>) -> Option<Self> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(CliError {
                kind: errors
                    .iter()
                    .map(|err| err.kind)
                    .max()
                    .unwrap_or(ErrorKind::UsageOrIo),
                text: Text::Several(errors),
            }),
        }
    }

    /// The same error followed by a note on its own line (`check`'s summary comes after the
    /// errors of the documents it could not read, as it comes last when there is none).
    pub(crate) fn followed_by(self, note: impl Into<String>) -> Self {
        let kind = self.kind;
        let mut errors = match self.text {
            Text::Several(errors) => errors,
            _ => vec![self],
        };
        errors.push(CliError {
            kind,
            text: Text::Note(note.into()),
        });
        CliError {
            kind,
            text: Text::Several(errors),
        }
    }

    /// The same error with another exit status.
    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// What went wrong, in words, as it was given: without `error: ` and with nothing escaped,
    /// for output that escapes text its own way (JSON).
    pub(crate) fn message(&self) -> String {
        match &self.text {
            Text::Line(message)
            | Text::Block(message)
            | Text::Located(message)
            | Text::Note(message) => message.clone(),
            Text::Several(errors) => errors
                .iter()
                .map(CliError::message)
                .collect::<Vec<_>>()
                .join("\n"),
            Text::OutputClosed => "the output was closed".to_owned(),
        }
    }

    /// The exit status.
    pub(crate) fn status(&self) -> u8 {
        match self.kind {
            ErrorKind::Invalid => 1,
            ErrorKind::UsageOrIo => 2,
        }
    }
}

impl fmt::Display for CliError {
    /// What `main` prints on stderr (without the final newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Text::Line(message) => write!(f, "error: {}", terminal::escape_line(message)),
            Text::Block(message) => write!(f, "error: {}", terminal::escape_lines(message)),
            Text::Located(message) | Text::Note(message) => {
                f.write_str(&terminal::escape_line(message))
            }
            Text::Several(errors) => {
                for (i, err) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "{err}")?;
                }
                Ok(())
            }
            Text::OutputClosed => f.write_str("error: the output was closed"),
        }
    }
}

impl std::error::Error for CliError {}

/// A document that cannot be loaded: an I/O error (`error: cannot read …`) or a syntax error,
/// which names its place (`FILE:LINE:COL: error: …`). Either way the exit status is 2.
impl From<oas_callbacks::LoadError> for CliError {
    fn from(err: oas_callbacks::LoadError) -> Self {
        match err {
            oas_callbacks::LoadError::Io { .. } => CliError::usage_or_io(err.to_string()),
            other => CliError::located(ErrorKind::UsageOrIo, other),
        }
    }
}

/// An expression or template that does not parse: the message with the caret display (exit
/// status 1).
impl From<expr_grammar::ParseError> for CliError {
    fn from(err: expr_grammar::ParseError) -> Self {
        CliError::block(ErrorKind::Invalid, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_knows_its_exit_status() {
        assert_eq!(CliError::invalid("x").status(), 1);
        assert_eq!(CliError::usage_or_io("x").status(), 2);
        assert_eq!(
            CliError::invalid("x")
                .with_kind(ErrorKind::UsageOrIo)
                .status(),
            2
        );
        assert_eq!(Outcome::Success.status(), 0);
        assert_eq!(Outcome::failure_if(true).status(), 1);
        assert_eq!(Outcome::failure_if(false), Outcome::Success);
    }

    #[test]
    fn several_errors_print_in_order_with_the_most_serious_status() {
        assert!(CliError::all(Vec::new()).is_none());
        let err = CliError::all(vec![
            CliError::invalid("first"),
            CliError::usage_or_io("second"),
            CliError::invalid("third"),
        ])
        .expect("three errors");
        assert_eq!(err.status(), 2);
        assert_eq!(err.to_string(), "error: first\nerror: second\nerror: third");
        let err = err.followed_by("3 documents checked");
        assert_eq!(err.status(), 2);
        assert_eq!(
            err.to_string(),
            "error: first\nerror: second\nerror: third\n3 documents checked"
        );
        let err = CliError::invalid("one").followed_by("note");
        assert_eq!(
            (err.status(), err.to_string().as_str()),
            (1, "error: one\nnote")
        );
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let err = CliError::invalid("operation `\u{1b}[2J\u{7}` has no callbacks\nerror: none");
        assert_eq!(
            err.to_string(),
            "error: operation `\\u{1b}[2J\\u{7}` has no callbacks\\nerror: none"
        );
        let err = CliError::block(ErrorKind::Invalid, "bad\n  |\n1 | \u{9b}x\n  | ^");
        assert_eq!(err.to_string(), "error: bad\n  |\n1 | \\u{9b}x\n  | ^");
        let err = CliError::located(ErrorKind::UsageOrIo, "a\u{1b}.yaml:1:2: error: x\ny");
        assert_eq!(err.to_string(), "a\\u{1b}.yaml:1:2: error: x\\ny");
    }
}
