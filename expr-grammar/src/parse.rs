//! The parse entry points: the length limit, then the fast reader, then the grammar.

use std::str::FromStr;

use crate::ast::Expression;
use crate::dialect::Dialect;
use crate::error::{ErrorKind, ParseError, RawError};
use crate::error_words::Context;
use crate::limits::ParseLimits;
use crate::template::Template;
use crate::{fast, fast_prefix, walk};

impl Expression {
    /// Parses a string that is exactly one runtime expression.
    ///
    /// ```
    /// use expr_grammar::Expression;
    /// assert_eq!(Expression::parse("$statusCode")?, Expression::StatusCode);
    /// assert!(Expression::parse("$response.body.id").is_err());
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        parse_expression(input, &ParseLimits::new())
    }

    /// Parses like [`Expression::parse`], with other limits (a shorter maximum length for
    /// untrusted input, or a longer one).
    ///
    /// ```
    /// use expr_grammar::{ErrorKind, Expression, ParseLimits};
    /// let limits = ParseLimits::default().with_max_len(8);
    /// assert_eq!(Expression::parse_with("$method", &limits)?, Expression::Method);
    /// let err = Expression::parse_with("$statusCode", &limits).unwrap_err();
    /// assert_eq!(err.kind(), &ErrorKind::TooLong { limit: 8 });
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    pub fn parse_with(input: &str, limits: &ParseLimits) -> Result<Self, ParseError> {
        parse_expression(input, limits)
    }

    /// Parses a string that is exactly one runtime expression of `dialect`.
    ///
    /// [`Dialect::OpenApi`] gives exactly what [`Expression::parse`] gives. The Arazzo dialects
    /// add their own sources (`$inputs.`, `$outputs.`, `$steps.`, `$workflows.`,
    /// `$sourceDescriptions.`, `$components.`, and in 1.1.0 `$message.`, `payload` and
    /// `$self`); see the [crate documentation](crate#arazzo) for how each version is read.
    ///
    /// ```
    /// use expr_grammar::{Dialect, Expression, Source};
    ///
    /// let expr = Expression::parse_in("$message.payload#/orderId", Dialect::Arazzo1_1_0)?;
    /// assert_eq!(expr.source(), Some(&Source::Payload(Some("/orderId".parse()?))));
    /// assert_eq!(expr.to_string(), "$message.payload#/orderId");
    ///
    /// // Arazzo 1.1.0 requires `.outputs.` after a step id; 1.0.1 takes any name.
    /// let err = Expression::parse_in("$steps.getPet.pets", Dialect::Arazzo1_1_0).unwrap_err();
    /// assert_eq!((err.offset(), err.expected()), (13, &["`.outputs.`"][..]));
    /// assert!(Expression::parse_in("$steps.getPet.pets", Dialect::Arazzo1_0_1).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse_in(input: &str, dialect: Dialect) -> Result<Self, ParseError> {
        parse_expression_in(input, dialect, &ParseLimits::new())
    }

    /// Parses like [`Expression::parse_in`], with other limits.
    pub fn parse_in_with(
        input: &str,
        dialect: Dialect,
        limits: &ParseLimits,
    ) -> Result<Self, ParseError> {
        parse_expression_in(input, dialect, limits)
    }

    /// Reads the runtime expression of `dialect` at the start of `input`, and says how many
    /// bytes it takes; the rest of the input is not looked at. For languages that embed
    /// runtime expressions without delimiters, such as Arazzo's `simple` conditions
    /// (`$statusCode == 200`).
    ///
    /// The expression is the longest one at the start of the input: every rule of the
    /// grammars reads as far as it can and never has to give characters back, so this is also
    /// what a greedy reading of the grammar gives. Note what that means for names that may hold
    /// any character (query and path names, the names of Arazzo 1.0.x, the reference of
    /// `$sourceDescriptions.`): they run to the end of the input or to the first character a
    /// name cannot hold, spaces and operators included, so a caller that knows where its
    /// operand ends passes only the operand. An error is the one [`Expression::parse_in`]
    /// gives for the shortest text that cannot begin an expression.
    ///
    /// ```
    /// use expr_grammar::{Dialect, Expression, Source};
    ///
    /// let (expr, len) = Expression::parse_prefix("$statusCode == 200", Dialect::Arazzo1_1_0)?;
    /// assert_eq!((expr, len), (Expression::StatusCode, 11));
    ///
    /// // After `body`, the expression ends: `.count` is for the caller (property navigation).
    /// let (expr, len) = Expression::parse_prefix("$response.body.count > 0", Dialect::Arazzo1_1_0)?;
    /// assert_eq!((expr.source(), len), (Some(&Source::Body(None)), 14));
    ///
    /// // An identifier holds dots, and ends at the first character it cannot hold.
    /// let (expr, len) = Expression::parse_prefix("$steps.s.outputs.a.b[0]", Dialect::Arazzo1_1_0)?;
    /// assert_eq!((expr.to_string().as_str(), len), ("$steps.s.outputs.a.b", 20));
    ///
    /// let err = Expression::parse_prefix("$step.s", Dialect::Arazzo1_1_0).unwrap_err();
    /// assert_eq!(err.offset(), 0);
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    pub fn parse_prefix(input: &str, dialect: Dialect) -> Result<(Self, usize), ParseError> {
        parse_prefix(input, dialect, &ParseLimits::new())
    }

    /// Reads like [`Expression::parse_prefix`], with other limits (the limit applies to the
    /// whole input).
    pub fn parse_prefix_with(
        input: &str,
        dialect: Dialect,
        limits: &ParseLimits,
    ) -> Result<(Self, usize), ParseError> {
        parse_prefix(input, dialect, limits)
    }
}

impl FromStr for Expression {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Expression::parse(s)
    }
}

impl Template {
    /// Parses a string with expressions embedded in `{}`.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        parse_template(input, &ParseLimits::new())
    }

    /// Parses like [`Template::parse`], with other limits.
    ///
    /// ```
    /// use expr_grammar::{ErrorKind, ParseLimits, Template};
    /// let limits = ParseLimits::default().with_max_len(20);
    /// assert!(Template::parse_with("https://x/{$method}", &limits).is_ok());
    /// let err = Template::parse_with("https://example.org/{$method}", &limits).unwrap_err();
    /// assert_eq!(err.kind(), &ErrorKind::TooLong { limit: 20 });
    /// ```
    pub fn parse_with(input: &str, limits: &ParseLimits) -> Result<Self, ParseError> {
        parse_template(input, limits)
    }

    /// Parses a string with expressions of `dialect` embedded in `{}`: an Arazzo *expression
    /// string* (`https://{$inputs.host}/api/{$steps.create.outputs.id}/status`).
    ///
    /// Every dialect reads the structure of Arazzo 1.1.0's `expression-string`: literal text
    /// holds no `{` or `}`, and an embedded expression ends at the first `}`. Arazzo 1.0.x
    /// gives no grammar for it (only "expressions can be embedded into string values by
    /// surrounding the expression with `{}` curly braces"), and DESIGN §8 reads it as 1.1.0.
    ///
    /// ```
    /// use expr_grammar::{Dialect, Template};
    ///
    /// let text = "https://{$inputs.host}/api/{$steps.create.outputs.id}/status";
    /// let template = Template::parse_in(text, Dialect::Arazzo1_1_0)?;
    /// assert_eq!(template.expressions().count(), 2);
    /// assert_eq!(template.to_string(), text);
    ///
    /// // A JSON text is not an expression string: its braces are not expressions.
    /// let err = Template::parse_in(r#"{"petId": "{$inputs.pet_id}"}"#, Dialect::Arazzo1_1_0).unwrap_err();
    /// assert_eq!(err.offset(), 1);
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    #[doc(alias = "expression string")]
    pub fn parse_in(input: &str, dialect: Dialect) -> Result<Self, ParseError> {
        parse_template_in(input, dialect, &ParseLimits::new())
    }

    /// Parses like [`Template::parse_in`], with other limits.
    pub fn parse_in_with(
        input: &str,
        dialect: Dialect,
        limits: &ParseLimits,
    ) -> Result<Self, ParseError> {
        parse_template_in(input, dialect, limits)
    }
}

impl FromStr for Template {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::parse(s)
    }
}

// Each reader below returns the fast reader's answer at once: valid input is the common case,
// and a chain of `Result` combinators would move the expression through every step of it.

fn parse_expression(input: &str, limits: &ParseLimits) -> Result<Expression, ParseError> {
    check_length(input, limits).map_err(|err| err.locate(input))?;
    if let Some(expr) = fast::expression(input) {
        return Ok(expr);
    }
    walk::expression(input, Context::Whole).map_err(|err| err.locate(input))
}

fn parse_template(input: &str, limits: &ParseLimits) -> Result<Template, ParseError> {
    check_length(input, limits).map_err(|err| err.locate(input))?;
    if let Some(template) = fast::template(input) {
        return Ok(template);
    }
    walk::template(input).map_err(|err| err.locate(input))
}

#[inline]
fn parse_expression_in(
    input: &str,
    dialect: Dialect,
    limits: &ParseLimits,
) -> Result<Expression, ParseError> {
    if dialect == Dialect::OpenApi {
        return parse_expression(input, limits);
    }
    if input.len() > limits.max_len {
        return parse_expression_in_slowly(input, dialect, limits);
    }
    match fast_prefix::expression(input, dialect) {
        Some(expr) => Ok(expr),
        None => parse_expression_in_slowly(input, dialect, limits),
    }
}

/// What the fast reader did not accept (or the limit refuses): the grammar reads it and says
/// what is wrong.
#[cold]
#[inline(never)]
fn parse_expression_in_slowly(
    input: &str,
    dialect: Dialect,
    limits: &ParseLimits,
) -> Result<Expression, ParseError> {
    check_length(input, limits).map_err(|err| err.locate(input))?;
    walk::expression_in(input, Context::Whole, dialect).map_err(|err| err.locate(input))
}

fn parse_template_in(
    input: &str,
    dialect: Dialect,
    limits: &ParseLimits,
) -> Result<Template, ParseError> {
    if dialect == Dialect::OpenApi {
        return parse_template(input, limits);
    }
    check_length(input, limits).map_err(|err| err.locate(input))?;
    if let Some(template) =
        fast::template_with(input, |text| fast_prefix::expression(text, dialect))
    {
        return Ok(template);
    }
    walk::template_in(input, dialect).map_err(|err| err.locate(input))
}

fn parse_prefix(
    input: &str,
    dialect: Dialect,
    limits: &ParseLimits,
) -> Result<(Expression, usize), ParseError> {
    check_length(input, limits).map_err(|err| err.locate(input))?;
    if let Some(found) = fast_prefix::prefix(input, dialect) {
        return Ok(found);
    }
    walk::prefix(input, dialect).map_err(|err| err.locate(input))
}

fn check_length(input: &str, limits: &ParseLimits) -> Result<(), RawError> {
    if input.len() > limits.max_len {
        return Err(RawError {
            kind: ErrorKind::TooLong {
                limit: limits.max_len,
            },
            offset: limits.max_len,
            expected: Vec::new(),
        });
    }
    Ok(())
}
