//! Runtime expressions embedded in regex, JSONPath and XPath conditions (Arazzo 1.1.0:
//! "runtime expressions MUST be embedded within the condition string using {} curly braces").
//!
//! Only `{$` opens an embedded expression, and it ends at the first `}`; every other brace is
//! literal text, so `^2\d{2}$` keeps its quantifier and `$[?@.a == {"b": 1}]`… keeps its JSON.
//! Values are substituted as text (strings as they are, other values as compact JSON), without
//! quoting or escaping: the condition supplies its own quotes (`"{$inputs.status}"`).

use std::ops::Range;

use expr_grammar::Expression;

use super::error::{CriterionError, EvaluationError};
use crate::context::Context;
use crate::expression::{self, Dialect};

/// A condition with its embedded expressions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Embedded {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Expression {
        expression: Expression,
        /// The braces and what is between them, in the condition.
        span: Range<usize>,
    },
}

impl Embedded {
    /// Splits `condition` into text and embedded expressions; `None` when it embeds none.
    pub(crate) fn parse(condition: &str, dialect: Dialect) -> Result<Option<Self>, CriterionError> {
        if !condition.contains("{$") {
            return Ok(None);
        }
        let mut parts = Vec::new();
        let mut rest_start = 0;
        while let Some(found) = condition[rest_start..].find("{$") {
            let open = rest_start + found;
            let Some(length) = condition[open..].find('}') else {
                return Err(CriterionError::EmbeddedExpression {
                    offset: open,
                    message: "`{$` is never closed by `}`".to_owned(),
                });
            };
            let close = open + length;
            let text = &condition[open + 1..close];
            let expression = expression::parse_whole(text, dialect).map_err(|err| {
                CriterionError::EmbeddedExpression {
                    offset: open,
                    message: err.message(),
                }
            })?;
            if open > rest_start {
                parts.push(Part::Text(condition[rest_start..open].to_owned()));
            }
            parts.push(Part::Expression {
                expression,
                span: open..close + 1,
            });
            rest_start = close + 1;
        }
        if rest_start < condition.len() {
            parts.push(Part::Text(condition[rest_start..].to_owned()));
        }
        Ok(Some(Embedded { parts }))
    }

    /// The condition with every expression replaced by its value's text.
    pub(crate) fn render<C: Context + ?Sized>(
        &self,
        context: &C,
    ) -> Result<String, EvaluationError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Expression { expression, .. } => {
                    let value = context.evaluate(expression).map_err(|err| {
                        EvaluationError::Unresolved {
                            expression: expression.to_string(),
                            reason: err.to_string(),
                        }
                    })?;
                    value.write_to(&mut out);
                }
            }
        }
        Ok(out)
    }

    /// The embedded expressions, with where each is written (its braces included).
    pub(crate) fn expressions(&self) -> impl Iterator<Item = (&Expression, Range<usize>)> {
        self.parts.iter().filter_map(|part| match part {
            Part::Expression { expression, span } => Some((expression, span.clone())),
            Part::Text(_) => None,
        })
    }
}
