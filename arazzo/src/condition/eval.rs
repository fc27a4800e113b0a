//! Evaluation of a condition's tree against a context.

use std::borrow::Cow;

use super::ast::{CompareOp, Literal, Node, Reference, Step};
use super::compare::{self, Unordered};
use super::value::Operand;
use crate::context::Context;
use crate::criterion::EvaluationError;

/// The value of `node`. `&&` and `||` evaluate their right operand only when the left one
/// does not decide (so `$statusCode == 404 || $response.body#/id > 0` passes on a 404 without
/// a body).
pub(crate) fn value<'a, C: Context + ?Sized>(
    node: &'a Node,
    context: &'a C,
) -> Result<Operand<'a>, EvaluationError> {
    match node {
        Node::Or(operands, _) => {
            for operand in operands {
                if truth(operand, context, "||")? {
                    return Ok(Operand::Bool(true));
                }
            }
            Ok(Operand::Bool(false))
        }
        Node::And(operands, _) => {
            for operand in operands {
                if !truth(operand, context, "&&")? {
                    return Ok(Operand::Bool(false));
                }
            }
            Ok(Operand::Bool(true))
        }
        Node::Not(operand, _) => Ok(Operand::Bool(!truth(operand, context, "!")?)),
        Node::Compare {
            op,
            left,
            right,
            span,
        } => {
            let a = value(left, context)?;
            let b = value(right, context)?;
            compare(*op, &a, &b, span.0.start).map(Operand::Bool)
        }
        Node::Literal(literal, _) => Ok(match literal {
            Literal::Null => Operand::Null,
            Literal::Bool(b) => Operand::Bool(*b),
            Literal::Number(n) => Operand::Number(*n),
            Literal::String(s) => Operand::Str(Cow::Borrowed(s)),
        }),
        Node::Reference(reference) => resolve(reference, context),
    }
}

/// The truth of an operand of a logical operator: a boolean, or `null` (false).
fn truth<'a, C: Context + ?Sized>(
    node: &'a Node,
    context: &'a C,
    operator: &str,
) -> Result<bool, EvaluationError> {
    match value(node, context)? {
        Operand::Bool(b) => Ok(b),
        Operand::Null => Ok(false),
        other => Err(EvaluationError::Type {
            offset: node.span().start,
            message: format!(
                "`{operator}` takes booleans (or null), but this operand is {}",
                other.describe()
            ),
        }),
    }
}

fn compare(
    op: CompareOp,
    a: &Operand<'_>,
    b: &Operand<'_>,
    offset: usize,
) -> Result<bool, EvaluationError> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let ordering = match op {
        CompareOp::Eq => return Ok(compare::equal(a, b)),
        CompareOp::Ne => return Ok(!compare::equal(a, b)),
        CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => compare::order(a, b)
            .map_err(|why| EvaluationError::Type {
                offset,
                message: match why {
                    Unordered::NotNumeric => format!(
                        "`{op}` compares a number with a string that is not a number: {} and {}",
                        a.describe(),
                        b.describe()
                    ),
                    Unordered::Types => format!(
                        "`{op}` orders numbers and strings only, not {} and {}",
                        a.describe(),
                        b.describe()
                    ),
                },
            })?,
    };
    Ok(match (op, ordering) {
        (_, None) => false,
        (CompareOp::Lt, Some(o)) => o == Less,
        (CompareOp::Le, Some(o)) => o != Greater,
        (CompareOp::Gt, Some(o)) => o == Greater,
        (CompareOp::Ge, Some(o)) => o != Less,
        (CompareOp::Eq | CompareOp::Ne, Some(o)) => o == Equal,
    })
}

/// The value of a runtime expression, then of its navigation.
pub(crate) fn resolve<'a, C: Context + ?Sized>(
    reference: &'a Reference,
    context: &'a C,
) -> Result<Operand<'a>, EvaluationError> {
    let resolved =
        context
            .evaluate(&reference.expression)
            .map_err(|err| EvaluationError::Unresolved {
                expression: reference.expression.to_string(),
                reason: err.to_string(),
            })?;
    if reference.steps.is_empty() {
        return Ok(Operand::from(resolved));
    }
    let mut current = match resolved {
        expr_eval::Value::Json(json) => json,
        other => {
            return Err(EvaluationError::Navigation {
                path: reference.expression.to_string(),
                reason: format!(
                    "{} is not JSON, so `{}` cannot navigate into it",
                    Operand::from(other).describe(),
                    reference.steps[0]
                ),
            });
        }
    };
    for (i, step) in reference.steps.iter().enumerate() {
        let next = match (step, current) {
            (Step::Member(name), serde_json::Value::Object(members)) => members.get(name),
            (Step::Index(index), serde_json::Value::Array(items)) => items.get(*index),
            _ => None,
        };
        current = next.ok_or_else(|| EvaluationError::Navigation {
            path: path_to(reference, i + 1),
            reason: match (step, current) {
                (Step::Member(name), serde_json::Value::Object(_)) => {
                    format!("no member `{name}`")
                }
                (Step::Index(index), serde_json::Value::Array(items)) => format!(
                    "no item {index}: the array has {} item{}",
                    items.len(),
                    if items.len() == 1 { "" } else { "s" }
                ),
                (Step::Member(_), other) => {
                    format!("{} has no members", Operand::from_json(other).describe())
                }
                (Step::Index(_), other) => {
                    format!("{} has no items", Operand::from_json(other).describe())
                }
            },
        })?;
    }
    Ok(Operand::from_json(current))
}

fn path_to(reference: &Reference, steps: usize) -> String {
    let mut path = reference.expression.to_string();
    for step in &reference.steps[..steps] {
        path.push_str(&step.to_string());
    }
    path
}
