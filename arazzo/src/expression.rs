//! The crate's one door to `expr-grammar`: the dialect a document's expressions are read in,
//! and the reading of the runtime expression at the start of a condition's operand.

pub use expr_grammar::Dialect;
use expr_grammar::{Expression, ParseError, Source};

use crate::version::Version;

/// A document's version reads expressions in its dialect: 1.0.x in the 1.0.1 grammar, 1.1.x in
/// the 1.1.0 one (DESIGN §8).
impl From<Version> for Dialect {
    fn from(version: Version) -> Self {
        match version {
            Version::V1_0 => Dialect::Arazzo1_0_1,
            Version::V1_1 => Dialect::Arazzo1_1_0,
        }
    }
}

/// Reads the runtime expression at the start of a condition's operand: the expression and
/// the number of bytes it takes. The operand ends at a space or an operator character
/// (`! & ( ) < = > { | }`), as in the other implementations that read conditions, since query
/// and path names (and Arazzo 1.0.x names) may hold any of them; within the operand the
/// expression ends where the dialect's grammar ends, and the rest is navigation.
pub(crate) fn read_prefix(
    input: &str,
    dialect: Dialect,
) -> Result<(Expression, usize), ParseError> {
    let limit = input
        .bytes()
        .position(|b| ends_operand(char::from(b)))
        .unwrap_or(input.len());
    Expression::parse_prefix(&input[..limit], dialect)
}

/// Whether `c` ends a condition's operand (every such character is ASCII).
pub(crate) fn ends_operand(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '!' | '&' | '(' | ')' | '<' | '=' | '>' | '{' | '|' | '}'
    )
}

/// The expression as an operand of a condition: its canonical form with the characters that
/// would end the operand escaped in its names (`$inputs.a\u0020b` in Arazzo 1.0.x, whose
/// free-form names decode escapes), so that the condition printed reads back the same.
pub(crate) fn operand_text(expression: &Expression) -> String {
    expression.canonical_escaping(ends_operand)
}

/// Whether `.name` after the expression navigates into its value: a whole body or payload.
pub(crate) fn navigable(expression: &Expression) -> bool {
    matches!(
        expression,
        Expression::Request(Source::Body(None))
            | Expression::Response(Source::Body(None))
            | Expression::Message(Source::Body(None) | Source::Payload(None))
    )
}

/// Parses a string that is exactly one runtime expression of the dialect.
pub(crate) fn parse_whole(input: &str, dialect: Dialect) -> Result<Expression, ParseError> {
    Expression::parse_in(input, dialect)
}
