//! The syntax tree of a simple condition and its canonical text form.

use std::fmt;
use std::ops::Range;

use expr_grammar::Expression;

use super::value::Num;
use crate::expression;

/// A byte range of the condition text. Two spans always compare equal, so that trees compare
/// by what they mean, not by where they were written (a tree printed and parsed again is equal
/// to the original).
#[derive(Debug, Clone, Default)]
pub(crate) struct Span(pub(crate) Range<usize>);

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

/// One node of a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// `a || b || …`: two or more operands (a list, not a nested pair, so that a long chain
    /// does not nest deeply).
    Or(Vec<Node>, Span),
    /// `a && b && …`: two or more operands.
    And(Vec<Node>, Span),
    /// `!operand`.
    Not(Box<Node>, Span),
    /// `left op right`.
    Compare {
        op: CompareOp,
        left: Box<Node>,
        right: Box<Node>,
        span: Span,
    },
    /// `true`, `false`, `null`, a number or a `'string'`.
    Literal(Literal, Span),
    /// A runtime expression, then property navigation.
    Reference(Reference),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    Number(Num),
    String(String),
}

/// A runtime expression used as an operand, with the navigation after it
/// (`$response.body.items[0].id`: the expression `$response.body`, then `.items`, `[0]`, `.id`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reference {
    pub(crate) expression: Expression,
    pub(crate) steps: Vec<Step>,
    /// Where the expression itself is written (without the navigation).
    pub(crate) expression_span: Span,
    /// The expression and its navigation.
    pub(crate) span: Span,
}

/// One navigation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// `.name`: the member `name` of an object.
    Member(String),
    /// `[n]`: item `n` (from 0) of an array.
    Index(usize),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Member(name) => write!(f, ".{name}"),
            Step::Index(index) => write!(f, "[{index}]"),
        }
    }
}

impl Node {
    /// How tightly the node binds: a child that binds less tightly than its place needs is
    /// written in parentheses.
    fn precedence(&self) -> u8 {
        match self {
            Node::Or(..) => 1,
            Node::And(..) => 2,
            Node::Compare { .. } => 3,
            Node::Not(..) => 4,
            Node::Literal(..) | Node::Reference(..) => 5,
        }
    }

    /// Where the node is written.
    pub(crate) fn span(&self) -> Range<usize> {
        match self {
            Node::Or(_, span)
            | Node::And(_, span)
            | Node::Not(_, span)
            | Node::Compare { span, .. }
            | Node::Literal(_, span) => span.0.clone(),
            Node::Reference(reference) => reference.span.0.clone(),
        }
    }

    /// Writes the node; `min` is the precedence its place needs without parentheses.
    fn write(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            f.write_str("(")?;
            self.write(f, 0)?;
            return f.write_str(")");
        }
        match self {
            // An operand that is itself a chain of the same operator was written in
            // parentheses (the parser makes one list of a chain), and keeps them.
            Node::Or(operands, _) => {
                for (i, operand) in operands.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" || ")?;
                    }
                    operand.write(f, 2)?;
                }
                Ok(())
            }
            Node::And(operands, _) => {
                for (i, operand) in operands.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" && ")?;
                    }
                    operand.write(f, 3)?;
                }
                Ok(())
            }
            // Comparisons do not chain: both operands bind more tightly.
            Node::Compare {
                op, left, right, ..
            } => {
                left.write(f, 4)?;
                write!(f, " {op} ")?;
                right.write(f, 4)
            }
            Node::Not(operand, _) => {
                f.write_str("!")?;
                operand.write(f, 4)
            }
            Node::Literal(literal, _) => write!(f, "{literal}"),
            Node::Reference(reference) => write!(f, "{reference}"),
        }
    }

    /// Every runtime expression of the condition, in the order written.
    pub(crate) fn references<'n>(&'n self, out: &mut Vec<&'n Reference>) {
        match self {
            Node::Or(operands, _) | Node::And(operands, _) => {
                for operand in operands {
                    operand.references(out);
                }
            }
            Node::Compare { left, right, .. } => {
                left.references(out);
                right.references(out);
            }
            Node::Not(operand, _) => operand.references(out),
            Node::Literal(..) => {}
            Node::Reference(reference) => out.push(reference),
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, 0)
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(value) => write!(f, "{value}"),
            Literal::Number(number) => write!(f, "{number}"),
            Literal::String(text) => {
                f.write_str("'")?;
                for (i, part) in text.split('\'').enumerate() {
                    if i > 0 {
                        f.write_str("''")?;
                    }
                    f.write_str(part)?;
                }
                f.write_str("'")
            }
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&expression::operand_text(&self.expression))?;
        for step in &self.steps {
            write!(f, "{step}")?;
        }
        Ok(())
    }
}
