//! The parse entry points: the length limit, then the fast reader, then the grammar.

use std::str::FromStr;

use crate::ast::Expression;
use crate::error::{ErrorKind, ParseError, RawError};
use crate::error_words::Context;
use crate::limits::ParseLimits;
use crate::template::Template;
use crate::{fast, walk};

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
}

impl FromStr for Template {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::parse(s)
    }
}

fn parse_expression(input: &str, limits: &ParseLimits) -> Result<Expression, ParseError> {
    check_length(input, limits)
        .and_then(|()| match fast::expression(input) {
            Some(expr) => Ok(expr),
            None => walk::expression(input, Context::Whole),
        })
        .map_err(|err| err.locate(input))
}

fn parse_template(input: &str, limits: &ParseLimits) -> Result<Template, ParseError> {
    check_length(input, limits)
        .and_then(|()| match fast::template(input) {
            Some(template) => Ok(template),
            None => walk::template(input),
        })
        .map_err(|err| err.locate(input))
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
