//! The parser of simple conditions: recursive descent over the bytes of the text, one function
//! per precedence level (lowest first: `||`, `&&`, comparisons, `!`, primaries). Runtime
//! expressions are read by `expr-grammar` in the document's dialect; this parser only decides
//! what follows them.

use super::ConditionLimits;
use super::ast::{CompareOp, Literal, Node, Reference, Span, Step};
use super::error::{ConditionError, ConditionErrorKind};
use super::value::Num;
use crate::expression::{self, Dialect};

pub(crate) fn parse(
    text: &str,
    dialect: Dialect,
    limits: &ConditionLimits,
) -> Result<Node, ConditionError> {
    if text.len() > limits.max_len {
        return Err(ConditionError::new(
            text,
            0,
            ConditionErrorKind::TooLong {
                limit: limits.max_len,
            },
        ));
    }
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        dialect,
        depth: 0,
        max_depth: limits.max_depth,
    };
    parser.skip_space();
    if parser.at == parser.bytes.len() {
        return Err(parser.error(ConditionErrorKind::Empty));
    }
    let node = parser.or()?;
    parser.skip_space();
    if parser.at < parser.bytes.len() {
        return Err(parser.unexpected_after_operand());
    }
    Ok(node)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    dialect: Dialect,
    depth: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn error(&self, kind: ConditionErrorKind) -> ConditionError {
        ConditionError::new(self.text, self.at, kind)
    }

    fn error_at(&self, at: usize, kind: ConditionErrorKind) -> ConditionError {
        ConditionError::new(self.text, at, kind)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn starts_with(&self, token: &str) -> bool {
        self.bytes[self.at..].starts_with(token.as_bytes())
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    /// Nesting (parentheses and `!`) is bounded, so that no condition can exhaust the stack.
    fn enter(&mut self) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(self.error(ConditionErrorKind::TooDeep {
                limit: self.max_depth,
            }));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Node, ConditionError> {
        let start = self.at;
        let mut operands = vec![self.and()?];
        loop {
            self.skip_space();
            if !self.starts_with("||") {
                break;
            }
            self.at += 2;
            self.skip_space();
            operands.push(self.and()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Node::Or(operands, Span(start..self.at))
        })
    }

    fn and(&mut self) -> Result<Node, ConditionError> {
        let start = self.at;
        let mut operands = vec![self.comparison()?];
        loop {
            self.skip_space();
            if !self.starts_with("&&") {
                break;
            }
            self.at += 2;
            self.skip_space();
            operands.push(self.comparison()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Node::And(operands, Span(start..self.at))
        })
    }

    fn comparison_operator(&self) -> Option<CompareOp> {
        let rest = &self.bytes[self.at..];
        Some(match rest {
            [b'=', b'=', ..] => CompareOp::Eq,
            [b'!', b'=', ..] => CompareOp::Ne,
            [b'<', b'=', ..] => CompareOp::Le,
            [b'>', b'=', ..] => CompareOp::Ge,
            [b'<', ..] => CompareOp::Lt,
            [b'>', ..] => CompareOp::Gt,
            _ => return None,
        })
    }

    fn comparison(&mut self) -> Result<Node, ConditionError> {
        let start = self.at;
        let left = self.unary()?;
        self.skip_space();
        let Some(op) = self.comparison_operator() else {
            return Ok(left);
        };
        self.at += op.as_str().len();
        self.skip_space();
        let right = self.unary()?;
        let node = Node::Compare {
            op,
            left: Box::new(left),
            right: Box::new(right),
            span: Span(start..self.at),
        };
        self.skip_space();
        if let Some(second) = self.comparison_operator() {
            return Err(self.error(ConditionErrorKind::ChainedComparison {
                operator: second.as_str(),
            }));
        }
        Ok(node)
    }

    fn unary(&mut self) -> Result<Node, ConditionError> {
        if self.peek() == Some(b'!') && !self.starts_with("!=") {
            let start = self.at;
            self.at += 1;
            self.enter()?;
            self.skip_space();
            let operand = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(operand), Span(start..self.at)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, ConditionError> {
        let start = self.at;
        match self.peek() {
            Some(b'(') => {
                self.at += 1;
                self.enter()?;
                self.skip_space();
                let inner = self.or()?;
                self.skip_space();
                if self.peek() != Some(b')') {
                    return Err(if self.at == self.bytes.len() {
                        self.error_at(start, ConditionErrorKind::UnclosedParenthesis)
                    } else {
                        self.unexpected_after_operand()
                    });
                }
                self.at += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(b'$') => self.reference(),
            Some(b'\'') => self.string(),
            Some(b'"') => Err(self.error(ConditionErrorKind::DoubleQuotedString)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => self.word(),
            Some(_) => Err(self.error(ConditionErrorKind::ExpectedOperand)),
            None => Err(self.error(ConditionErrorKind::ExpectedOperand)),
        }
    }

    fn word(&mut self) -> Result<Node, ConditionError> {
        let start = self.at;
        let end = self.bytes[start..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .map_or(self.bytes.len(), |n| start + n);
        let word = &self.text[start..end];
        let literal = match word {
            "true" => Literal::Bool(true),
            "false" => Literal::Bool(false),
            "null" => Literal::Null,
            _ => {
                let lower = word.to_ascii_lowercase();
                return Err(
                    self.error(if matches!(lower.as_str(), "true" | "false" | "null") {
                        ConditionErrorKind::LiteralCase { literal: lower }
                    } else {
                        ConditionErrorKind::UnknownWord {
                            word: word.to_owned(),
                        }
                    }),
                );
            }
        };
        self.at = end;
        Ok(Node::Literal(literal, Span(start..end)))
    }

    /// A number as JSON writes it (RFC 8259 §6): `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Node, ConditionError> {
        let start = self.at;
        let digits = |parser: &mut Self| {
            let from = parser.at;
            while matches!(parser.peek(), Some(b'0'..=b'9')) {
                parser.at += 1;
            }
            parser.at - from
        };
        let malformed = |parser: &Self| {
            parser.error_at(
                start,
                ConditionErrorKind::MalformedNumber {
                    text: number_text(&parser.text[start..]).to_owned(),
                },
            )
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let int_start = self.at;
        if digits(self) == 0 || (self.bytes[int_start] == b'0' && self.at - int_start > 1) {
            return Err(malformed(self));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(malformed(self));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(malformed(self));
            }
        }
        if matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'.' || b == b'_') {
            return Err(malformed(self));
        }
        let text = &self.text[start..self.at];
        let number = Num::parse_json(text).ok_or_else(|| {
            self.error_at(
                start,
                ConditionErrorKind::NumberOutOfRange {
                    text: text.to_owned(),
                },
            )
        })?;
        Ok(Node::Literal(Literal::Number(number), Span(start..self.at)))
    }

    /// `'text'`, with `''` for a quote inside.
    fn string(&mut self) -> Result<Node, ConditionError> {
        let start = self.at;
        self.at += 1;
        let mut value = String::new();
        loop {
            let rest = &self.text[self.at..];
            let Some(quote) = rest.find('\'') else {
                return Err(self.error_at(start, ConditionErrorKind::UnclosedString));
            };
            value.push_str(&rest[..quote]);
            self.at += quote + 1;
            if self.peek() == Some(b'\'') {
                value.push('\'');
                self.at += 1;
            } else {
                return Ok(Node::Literal(Literal::String(value), Span(start..self.at)));
            }
        }
    }

    /// A runtime expression, as long as the dialect's grammar reads it, then navigation.
    fn reference(&mut self) -> Result<Node, ConditionError> {
        let start = self.at;
        let (expression, length) = expression::read_prefix(&self.text[start..], self.dialect)
            .map_err(|err| {
                ConditionError::new(
                    self.text,
                    start + err.offset(),
                    ConditionErrorKind::Expression {
                        message: err.message(),
                    },
                )
            })?;
        self.at = start + length;
        let expression_end = self.at;
        let mut steps = Vec::new();
        let mut members_allowed = expression::navigable(&expression);
        loop {
            match self.peek() {
                Some(b'[') => {
                    let open = self.at;
                    self.at += 1;
                    let digits_start = self.at;
                    while matches!(self.peek(), Some(b'0'..=b'9')) {
                        self.at += 1;
                    }
                    let digits = &self.text[digits_start..self.at];
                    if digits.is_empty() || self.peek() != Some(b']') {
                        return Err(self.error_at(open, ConditionErrorKind::MalformedIndex));
                    }
                    let index = digits
                        .parse::<usize>()
                        .map_err(|_| self.error_at(open, ConditionErrorKind::MalformedIndex))?;
                    if digits.len() > 1 && digits.starts_with('0') {
                        return Err(self.error_at(open, ConditionErrorKind::MalformedIndex));
                    }
                    self.at += 1;
                    steps.push(Step::Index(index));
                    members_allowed = true;
                }
                Some(b'.') if members_allowed => {
                    let dot = self.at;
                    self.at += 1;
                    let name_start = self.at;
                    while matches!(self.peek(), Some(b) if is_member_char(b)) {
                        self.at += 1;
                    }
                    if self.at == name_start {
                        return Err(self.error_at(dot, ConditionErrorKind::MalformedMember));
                    }
                    steps.push(Step::Member(self.text[name_start..self.at].to_owned()));
                }
                _ => break,
            }
        }
        Ok(Node::Reference(Reference {
            expression,
            steps,
            expression_span: Span(start..expression_end),
            span: Span(start..self.at),
        }))
    }

    /// The error for text where an operator or the end was expected, with a hint for the
    /// likely slips (`=` for `==`, `&` for `&&`).
    fn unexpected_after_operand(&self) -> ConditionError {
        let rest = &self.bytes[self.at..];
        let kind = match rest {
            [b'=', ..] => ConditionErrorKind::SingleEquals,
            [b'&', ..] => ConditionErrorKind::SingleOperator {
                found: "&",
                expected: "&&",
            },
            [b'|', ..] => ConditionErrorKind::SingleOperator {
                found: "|",
                expected: "||",
            },
            [b')', ..] => ConditionErrorKind::UnmatchedParenthesis,
            _ => ConditionErrorKind::ExpectedOperator,
        };
        self.error(kind)
    }
}

/// A member name after `.`: letters, digits, `_` and `-` (as in identifiers).
fn is_member_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The characters a malformed number is written with, for its error message.
fn number_text(text: &str) -> &str {
    let end = text
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_')))
        .unwrap_or(text.len());
    &text[..end]
}
