//! The typed syntax tree of a template: literal text and embedded expressions.

use std::fmt;

use crate::ast::Expression;

/// One part of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Segment {
    /// Literal text, copied as it is (never empty, never holds `{` or `}`).
    Literal(String),
    /// An embedded `{expression}`.
    Expression(Expression),
}

/// A string with runtime expressions embedded in `{}`, such as a callback key.
///
/// ```
/// use expr_grammar::{Expression, Segment, Source, Template};
///
/// let template: Template = "{$request.query.callbackUrl}/data".parse()?;
/// assert_eq!(template.segments(), [
///     Segment::Expression(Expression::Request(Source::Query("callbackUrl".into()))),
///     Segment::Literal("/data".into()),
/// ]);
/// assert_eq!(template.to_string(), "{$request.query.callbackUrl}/data");
///
/// // `$` outside braces is just a character; braces must hold an expression.
/// assert_eq!(Template::parse("$request.body")?.expressions().count(), 0);
/// assert!(Template::parse("http://x/{id}").is_err());
/// # Ok::<(), expr_grammar::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Template {
    segments: Vec<Segment>,
}

/// The error of [`Template::from_segments`]: which segment is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidSegment {
    /// A literal segment is empty, follows another literal, or holds `{` or `}`.
    Literal(usize),
    /// An expression's body pointer holds `{` or `}`, which cannot be written between braces.
    Expression(usize),
}

impl fmt::Display for InvalidSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidSegment::Literal(index) => write!(
                f,
                "segment {index}: a literal must be non-empty, must not follow another literal and must not hold `{{` or `}}`"
            ),
            InvalidSegment::Expression(index) => write!(
                f,
                "segment {index}: a body pointer holding `{{` or `}}` cannot be embedded in a template"
            ),
        }
    }
}

impl std::error::Error for InvalidSegment {}

impl Template {
    /// A template from segments the readers built (they guarantee what `from_segments` checks).
    pub(crate) fn from_parsed(segments: Vec<Segment>) -> Self {
        Template { segments }
    }

    /// The literal and expression segments, in order. Adjacent literals never occur.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The embedded expressions, in order.
    pub fn expressions(&self) -> impl Iterator<Item = &Expression> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Expression(expr) => Some(expr),
            Segment::Literal(_) => None,
        })
    }

    /// Whether the template holds no expression (its value is its text).
    pub fn is_literal(&self) -> bool {
        self.expressions().next().is_none()
    }

    /// Builds a template from segments, checking what the parser would guarantee: literals are
    /// non-empty, never adjacent and hold no brace; expressions are embeddable.
    ///
    /// ```
    /// use expr_grammar::{Expression, Segment, Template};
    /// let t = Template::from_segments(vec![
    ///     Segment::Literal("https://x.example/".into()),
    ///     Segment::Expression(Expression::Method),
    /// ]).unwrap();
    /// assert_eq!(t.to_string(), "https://x.example/{$method}");
    /// ```
    pub fn from_segments(segments: Vec<Segment>) -> Result<Self, InvalidSegment> {
        let mut previous_literal = false;
        for (index, segment) in segments.iter().enumerate() {
            match segment {
                Segment::Literal(text) => {
                    if text.is_empty() || previous_literal || text.contains(['{', '}']) {
                        return Err(InvalidSegment::Literal(index));
                    }
                    previous_literal = true;
                }
                Segment::Expression(expr) => {
                    if !expr.is_embeddable() {
                        return Err(InvalidSegment::Expression(index));
                    }
                    previous_literal = false;
                }
            }
        }
        Ok(Template { segments })
    }

    /// The template that is exactly one embedded expression, if the expression can be embedded
    /// (see [`Expression::is_embeddable`]).
    pub fn from_expression(expr: Expression) -> Option<Self> {
        expr.is_embeddable().then(|| Template {
            segments: vec![Segment::Expression(expr)],
        })
    }
}
