//! The crate's one door to `expr-grammar`: the dialect a document's expressions are read in,
//! and the reading of the runtime expression at the start of a condition's operand.

use expr_grammar::{Expression, ParseError, Source};

use crate::version::Version;

/// The runtime-expression dialect expressions are parsed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Dialect {
    /// Arazzo 1.0.x (the 1.0.1 grammar).
    Arazzo1_0,
    /// Arazzo 1.1.x (the 1.1.0 grammar).
    Arazzo1_1,
}

impl From<Version> for Dialect {
    fn from(version: Version) -> Self {
        match version {
            Version::V1_0 => Dialect::Arazzo1_0,
            Version::V1_1 => Dialect::Arazzo1_1,
        }
    }
}

/// Reads the runtime expression at the start of a condition's operand: the expression and
/// the number of bytes it takes. The operand ends at a space or an operator character
/// (`! & ( ) < = > { | }`), as in the other implementations that read conditions; within it,
/// the longest prefix that parses is the expression, and the rest is navigation.
pub(crate) fn read_prefix(
    input: &str,
    _dialect: Dialect,
) -> Result<(Expression, usize), ParseError> {
    let bytes = input.as_bytes();
    let limit = bytes
        .iter()
        .position(|b| b" \t\r\n!&()<=>{|}".contains(b))
        .unwrap_or(input.len());
    let mut first_error = None;
    for end in (1..=limit).rev() {
        let boundary = end == limit || matches!(bytes[end], b'[' | b'.');
        if !boundary || !input.is_char_boundary(end) {
            continue;
        }
        match Expression::parse(&input[..end]) {
            Ok(expression) => return Ok((expression, end)),
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    match first_error {
        Some(err) => Err(err),
        None => Expression::parse(&input[..limit]).map(|e| (e, limit)),
    }
}

/// Whether `.name` after the expression navigates into its value: a whole body or payload.
pub(crate) fn navigable(expression: &Expression) -> bool {
    matches!(
        expression,
        Expression::Request(Source::Body(None)) | Expression::Response(Source::Body(None))
    )
}

/// Parses a string that is exactly one runtime expression of the dialect.
pub(crate) fn parse_whole(input: &str, _dialect: Dialect) -> Result<Expression, ParseError> {
    Expression::parse(input)
}
