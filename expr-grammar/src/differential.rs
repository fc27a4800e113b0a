//! Each reader on its own, for the differential tests and the fuzz target (feature
//! `differential`; not meant for other uses, and not needed by them: [`Expression::parse`] and
//! [`Template::parse`] give the same results faster).
//!
//! The crate reads valid input with a fast hand-written reader and hands everything it does
//! not accept to the pest grammar, which is the definition of the language and produces every
//! error. These functions run one reader or the other, so that a test can check that they
//! agree: whatever one accepts the other accepts, with the same tree.
//!
//! ```
//! use expr_grammar::differential;
//!
//! let input = "$request.body#/user/uuid";
//! assert_eq!(differential::fast_expression(input), differential::grammar_expression(input).ok());
//! assert_eq!(differential::fast_expression("$request.bodyx"), None);
//! assert_eq!(differential::grammar_expression("$request.bodyx").unwrap_err().offset(), 13);
//! ```

use crate::ast::Expression;
use crate::dialect::Dialect;
use crate::error::ParseError;
use crate::error_words::Context;
use crate::template::Template;
use crate::{fast, fast_prefix, walk};

/// The fast reader on a whole expression: `Some` exactly when the grammar accepts it.
pub fn fast_expression(input: &str) -> Option<Expression> {
    fast::expression(input)
}

/// The grammar on a whole expression, with its error when it refuses.
pub fn grammar_expression(input: &str) -> Result<Expression, ParseError> {
    walk::expression(input, Context::Whole).map_err(|err| err.locate(input))
}

/// The fast reader on a template.
pub fn fast_template(input: &str) -> Option<Template> {
    fast::template(input)
}

/// The grammar on a template, with its error when it refuses.
pub fn grammar_template(input: &str) -> Result<Template, ParseError> {
    walk::template(input).map_err(|err| err.locate(input))
}

/// The fast reader on a whole expression of `dialect` (for [`Dialect::OpenApi`], the
/// reader [`fast_expression`] runs, not the prefix reader).
pub fn fast_expression_in(input: &str, dialect: Dialect) -> Option<Expression> {
    match dialect {
        Dialect::OpenApi => fast::expression(input),
        _ => fast_prefix::expression(input, dialect),
    }
}

/// The grammar on a whole expression of `dialect`.
pub fn grammar_expression_in(input: &str, dialect: Dialect) -> Result<Expression, ParseError> {
    walk::expression_in(input, Context::Whole, dialect).map_err(|err| err.locate(input))
}

/// The fast prefix reader: the expression of `dialect` at the start of `input` and its length.
pub fn fast_prefix(input: &str, dialect: Dialect) -> Option<(Expression, usize)> {
    fast_prefix::prefix(input, dialect)
}

/// The grammar on the expression of `dialect` at the start of `input`.
pub fn grammar_prefix(input: &str, dialect: Dialect) -> Result<(Expression, usize), ParseError> {
    walk::prefix(input, dialect).map_err(|err| err.locate(input))
}

/// The fast reader on a template of `dialect`.
pub fn fast_template_in(input: &str, dialect: Dialect) -> Option<Template> {
    match dialect {
        Dialect::OpenApi => fast::template(input),
        _ => fast::template_with(input, |text| fast_prefix::expression(text, dialect)),
    }
}

/// The grammar on a template of `dialect`.
pub fn grammar_template_in(input: &str, dialect: Dialect) -> Result<Template, ParseError> {
    walk::template_in(input, dialect).map_err(|err| err.locate(input))
}
