//! Syntax errors of simple conditions.

use std::fmt;

/// What is wrong with a condition's text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConditionErrorKind {
    /// The condition is empty (or only spaces).
    Empty,
    /// A value was expected: a runtime expression, a literal or `(`.
    ExpectedOperand,
    /// An operator (`==`, `&&`, `||`, …), `)` or the end was expected.
    ExpectedOperator,
    /// `=` where `==` was meant.
    SingleEquals,
    /// `&` or `|` where `&&` or `||` was meant.
    SingleOperator {
        /// What was written.
        found: &'static str,
        /// What was probably meant.
        expected: &'static str,
    },
    /// `a < b < c`: comparisons do not chain.
    ChainedComparison {
        /// The second comparison operator.
        operator: &'static str,
    },
    /// `(` with no `)`.
    UnclosedParenthesis,
    /// `)` with no `(`.
    UnmatchedParenthesis,
    /// `'text` with no closing quote.
    UnclosedString,
    /// `"text"`: strings are written in single quotes.
    DoubleQuotedString,
    /// A number that JSON would not write (`007`, `.5`, `1.`, `+1`, `1e`).
    MalformedNumber {
        /// The text of the number.
        text: String,
    },
    /// A number too large for a 64-bit float (`1e400`).
    NumberOutOfRange {
        /// The text of the number.
        text: String,
    },
    /// `TRUE`, `False`, `NULL`: literals are lowercase.
    LiteralCase {
        /// The literal as it must be written.
        literal: String,
    },
    /// A bare word that is not `true`, `false` or `null`.
    UnknownWord {
        /// The word.
        word: String,
    },
    /// `[` not followed by a decimal index and `]` (`[x]`, `[-1]`, `[01]`).
    MalformedIndex,
    /// `.` not followed by a member name.
    MalformedMember,
    /// The runtime expression does not parse in the dialect.
    Expression {
        /// The grammar's message.
        message: String,
    },
    /// More nested parentheses and `!` than [`ConditionLimits::max_depth`](super::ConditionLimits::max_depth).
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// Longer than [`ConditionLimits::max_len`](super::ConditionLimits::max_len).
    TooLong {
        /// The limit, in bytes.
        limit: usize,
    },
}

impl fmt::Display for ConditionErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionErrorKind::Empty => f.write_str("the condition is empty"),
            ConditionErrorKind::ExpectedOperand => f.write_str(
                "expected a value: a runtime expression ($…), a number, a 'string', true, false, null or (",
            ),
            ConditionErrorKind::ExpectedOperator => f.write_str(
                "expected an operator (==, !=, <, <=, >, >=, &&, ||), `)` or the end of the condition",
            ),
            ConditionErrorKind::SingleEquals => f.write_str("`=` is not an operator: use `==`"),
            ConditionErrorKind::SingleOperator { found, expected } => {
                write!(f, "`{found}` is not an operator: use `{expected}`")
            }
            ConditionErrorKind::ChainedComparison { operator } => write!(
                f,
                "comparisons do not chain: `{operator}` follows another comparison; join them with `&&`"
            ),
            ConditionErrorKind::UnclosedParenthesis => f.write_str("`(` is never closed"),
            ConditionErrorKind::UnmatchedParenthesis => f.write_str("`)` without `(`"),
            ConditionErrorKind::UnclosedString => {
                f.write_str("the string is never closed (a quote inside is written '')")
            }
            ConditionErrorKind::DoubleQuotedString => {
                f.write_str("strings are written in single quotes: 'text' ('' for a quote inside)")
            }
            ConditionErrorKind::MalformedNumber { text } => write!(
                f,
                "`{text}` is not a number as JSON writes it (no leading zeros, no leading `+` or `.`, digits after `.` and `e`)"
            ),
            ConditionErrorKind::NumberOutOfRange { text } => {
                write!(f, "the number `{text}` is out of range")
            }
            ConditionErrorKind::LiteralCase { literal } => {
                write!(f, "literals are lowercase: write `{literal}`")
            }
            ConditionErrorKind::UnknownWord { word } => write!(
                f,
                "`{word}` is not a value: runtime expressions start with `$`, strings are written in single quotes"
            ),
            ConditionErrorKind::MalformedIndex => {
                f.write_str("an index is a decimal number in brackets, from 0: `[0]`")
            }
            ConditionErrorKind::MalformedMember => {
                f.write_str("expected a member name (letters, digits, `_`, `-`) after `.`")
            }
            ConditionErrorKind::Expression { message } => {
                write!(f, "invalid runtime expression: {message}")
            }
            ConditionErrorKind::TooDeep { limit } => write!(
                f,
                "more than {limit} nested parentheses or `!` (ConditionLimits::max_depth)"
            ),
            ConditionErrorKind::TooLong { limit } => write!(
                f,
                "the condition is longer than the limit of {limit} bytes (ConditionLimits::max_len)"
            ),
        }
    }
}

/// A syntax error in a simple condition: what is wrong and at which byte, with a
/// [`Display`](fmt::Display) that shows the condition and a caret under the place.
///
/// ```
/// use arazzo::{Condition, Version};
///
/// let err = Condition::parse("$statusCode = 200", Version::V1_1).unwrap_err();
/// assert_eq!(err.offset(), 12);
/// assert_eq!(err.to_string(), "\
/// `=` is not an operator: use `==` at column 13
///   |
///   | $statusCode = 200
///   |             ^");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    kind: ConditionErrorKind,
    offset: usize,
    /// The column of the offset, in characters from 1.
    column: usize,
    /// The condition, or a window of it around the place when it is long.
    shown: String,
    /// Whether `shown` is cut at its start.
    cut: bool,
    /// The byte offset of the place in `shown`.
    within: usize,
}

/// How much of a long condition an error keeps on each side of its place, in bytes.
const WINDOW: usize = 120;

impl ConditionError {
    pub(crate) fn new(text: &str, offset: usize, kind: ConditionErrorKind) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let mut start = offset.saturating_sub(WINDOW);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = offset.saturating_add(WINDOW).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let mut shown = text[start..end].to_owned();
        if end < text.len() {
            shown.push('…');
        }
        ConditionError {
            kind,
            offset,
            column: text[..offset].chars().count() + 1,
            shown,
            cut: start > 0,
            within: offset - start,
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> &ConditionErrorKind {
        &self.kind
    }

    /// The byte offset in the condition.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The column of the place, in characters from 1.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The message alone, without the caret display.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl fmt::Display for ConditionError {
    /// The message and column, then the condition with a caret under the place. Control
    /// characters of the condition are shown escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = String::with_capacity(self.shown.len() + 2);
        let mut caret = 0;
        if self.cut {
            line.push('…');
            caret += 1;
        }
        for (i, c) in self.shown.char_indices() {
            let before = line.len();
            if c.is_control() {
                line.extend(c.escape_default());
            } else {
                line.push(c);
            }
            if i < self.within {
                caret += if c.is_control() {
                    line.len() - before
                } else {
                    1
                };
            }
        }
        write!(
            f,
            "{} at column {}\n  |\n  | {line}\n  | {}^",
            self.kind,
            self.column,
            " ".repeat(caret)
        )
    }
}

impl std::error::Error for ConditionError {}
