//! Simple conditions: the condition language of Criterion Objects whose `type` is `simple` (or
//! absent).
//!
//! Arazzo gives the operators and literals but no grammar or precedence (specification issue
//! #518); this is the grammar (DESIGN §8), lowest precedence first:
//!
//! ```text
//! condition  = or
//! or         = and *( "||" and )
//! and        = comparison *( "&&" comparison )
//! comparison = unary [ ( "==" / "!=" / "<" / "<=" / ">" / ">=" ) unary ]   ; not chained
//! unary      = "!" unary / primary
//! primary    = "(" or ")" / literal / reference
//! literal    = "true" / "false" / "null" / number / string
//! number     = JSON number (RFC 8259 §6)
//! string     = "'" *( not-quote / "''" ) "'"
//! reference  = runtime-expression *navigation
//! navigation = "[" index "]" / "." 1*( ALPHA / DIGIT / "_" / "-" )
//! ```
//!
//! Spaces, tabs and line breaks may stand between any two tokens. A runtime expression ends
//! where its grammar (in the document's dialect) ends; `[n]` after it, and `.name` after
//! `$request.body`, `$response.body`, `$message.payload` (without a pointer) or after a
//! navigation step, navigate into its JSON value: `$response.body.items[0].id` is
//! `$response.body#/items/0/id`.

mod ast;
mod compare;
mod error;
pub(crate) mod eval;
mod parse;
pub(crate) mod value;

use std::fmt;

pub use ast::CompareOp;
pub use error::{ConditionError, ConditionErrorKind};

use crate::context::Context;
use crate::criterion::EvaluationError;
use crate::expression::Dialect;

/// The limits of parsing one condition.
///
/// ```
/// use arazzo::{Condition, ConditionLimits, Version};
/// let limits = ConditionLimits::default().with_max_depth(2);
/// assert!(Condition::parse_with("(($statusCode == 200))", Version::V1_1, &limits).is_ok());
/// let err = Condition::parse_with("((($statusCode == 200)))", Version::V1_1, &limits).unwrap_err();
/// assert!(err.message().contains("ConditionLimits::max_depth"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConditionLimits {
    /// The deepest nesting of parentheses and `!` (default 128): deeper conditions fail with
    /// [`ConditionErrorKind::TooDeep`] instead of exhausting the stack.
    pub max_depth: usize,
    /// The longest condition, in bytes (default 1 MiB).
    pub max_len: usize,
}

impl ConditionLimits {
    /// The default limits.
    pub const fn new() -> Self {
        ConditionLimits {
            max_depth: 128,
            max_len: 1024 * 1024,
        }
    }

    /// The same limits with another nesting depth.
    pub const fn with_max_depth(self, max_depth: usize) -> Self {
        ConditionLimits { max_depth, ..self }
    }

    /// The same limits with another maximum length in bytes.
    pub const fn with_max_len(self, max_len: usize) -> Self {
        ConditionLimits { max_len, ..self }
    }
}

impl Default for ConditionLimits {
    fn default() -> Self {
        ConditionLimits::new()
    }
}

/// A parsed simple condition, evaluated as many times as needed.
///
/// [`Display`](fmt::Display) writes the canonical form (single spaces around operators, only
/// the parentheses the precedence needs, expressions in their canonical form), which parses
/// back to an equal condition.
///
/// ```
/// use arazzo::{Condition, Version};
///
/// let condition = Condition::parse("$statusCode==200&&($response.body#/count>0||!$response.body#/done)", Version::V1_1)?;
/// assert_eq!(
///     condition.to_string(),
///     "$statusCode == 200 && ($response.body#/count > 0 || !$response.body#/done)"
/// );
/// # Ok::<(), arazzo::ConditionError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    root: ast::Node,
}

impl Condition {
    /// Parses a condition, reading its runtime expressions in `dialect`: a document's
    /// [`Version`](crate::Version) (1.0.x reads the 1.0.1 grammar, 1.1.x the 1.1.0 one) or a
    /// [`Dialect`].
    pub fn parse(text: &str, dialect: impl Into<Dialect>) -> Result<Self, ConditionError> {
        Condition::parse_with(text, dialect, &ConditionLimits::new())
    }

    /// Parses like [`Condition::parse`], with other limits.
    pub fn parse_with(
        text: &str,
        dialect: impl Into<Dialect>,
        limits: &ConditionLimits,
    ) -> Result<Self, ConditionError> {
        parse::parse(text, dialect.into(), limits).map(|root| Condition { root })
    }

    /// Evaluates the condition: `Ok(true)` passes, `Ok(false)` fails (a `false` or `null`
    /// value), and an error says why it could not be evaluated (an expression that does not
    /// resolve, a type error, a value that is not a boolean) — the criterion then fails too.
    pub fn evaluate<C: Context + ?Sized>(&self, context: &C) -> Result<bool, EvaluationError> {
        match eval::value(&self.root, context)? {
            value::Operand::Bool(b) => Ok(b),
            value::Operand::Null => Ok(false),
            other => Err(EvaluationError::NotBoolean {
                found: other.describe(),
            }),
        }
    }

    /// The runtime expressions of the condition, in the order written, each with the byte
    /// range it takes in the condition (without the navigation after it) and the
    /// navigation written after it (`.items[0]`).
    pub fn expressions(&self) -> Vec<ConditionExpression<'_>> {
        let mut references = Vec::new();
        self.root.references(&mut references);
        references
            .into_iter()
            .map(|reference| ConditionExpression { reference })
            .collect()
    }
}

/// A runtime expression used in a condition ([`Condition::expressions`]).
#[derive(Debug, Clone, Copy)]
pub struct ConditionExpression<'c> {
    reference: &'c ast::Reference,
}

impl<'c> ConditionExpression<'c> {
    /// The expression.
    pub fn expression(&self) -> &'c expr_grammar::Expression {
        &self.reference.expression
    }

    /// Where the expression is written in the condition (bytes).
    pub fn span(&self) -> std::ops::Range<usize> {
        self.reference.expression_span.0.clone()
    }

    /// The navigation after it, as written in canonical form (`.items[0].id`), empty when
    /// there is none.
    pub fn navigation(&self) -> String {
        self.reference
            .steps
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.root)
    }
}
