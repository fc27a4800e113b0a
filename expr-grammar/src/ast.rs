//! The typed syntax tree and its canonical text form.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use jsonptr::PointerBuf;

use crate::ParseLimits;
use crate::error::ParseError;
use crate::escape;

/// One runtime expression.
///
/// Parse with [`Expression::parse`] or [`str::parse`]; [`Display`](fmt::Display) writes the
/// canonical form, which parses back to an equal value.
///
/// ```
/// use expr_grammar::{Expression, Source};
///
/// let expr: Expression = "$Request.Query.queryUrl".parse()?;
/// assert_eq!(expr, Expression::Request(Source::Query("queryUrl".into())));
/// assert_eq!(expr.to_string(), "$request.query.queryUrl");
/// # Ok::<(), expr_grammar::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expression {
    /// `$url`: the full request URL.
    Url,
    /// `$method`: the request method.
    Method,
    /// `$statusCode`: the response status code.
    StatusCode,
    /// `$request.` followed by a source.
    Request(Source),
    /// `$response.` followed by a source.
    Response(Source),
}

/// The part of a request or response that a `$request.` or `$response.` expression reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// `header.` token: a header field, matched case-insensitively.
    Header(HeaderName),
    /// `query.` name: a query parameter (the decoded name; case-sensitive, may be empty).
    Query(String),
    /// `path.` name: a path-template parameter (the decoded name; case-sensitive, may be empty).
    Path(String),
    /// `body`, optionally followed by `#` and a JSON Pointer.
    ///
    /// `None` is `body` (the whole body); `Some` of the empty pointer is `body#`, which RFC 6901
    /// also resolves to the whole body but which is written differently.
    Body(Option<PointerBuf>),
}

/// A header name as the grammar allows it: one or more RFC 9110 `tchar`s.
///
/// The spelling is kept as written; comparison with a header of an HTTP message is
/// case-insensitive ([`HeaderName::matches`]), equality of two `HeaderName`s is not, so that a
/// syntax tree prints back exactly as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeaderName(String);

/// The error of [`HeaderName::new`]: the string is empty or holds a character that is not a
/// `tchar`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidHeaderName {
    /// The byte offset of the first character that is not allowed (0 for an empty name).
    pub offset: usize,
}

impl fmt::Display for InvalidHeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid header name: a header name is one or more token characters (letters, digits and !#$%&'*+-.^_`|~); the first bad character is at byte {}",
            self.offset
        )
    }
}

impl std::error::Error for InvalidHeaderName {}

/// Whether `byte` is an RFC 9110 `tchar`.
pub(crate) fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

impl HeaderName {
    /// Checks that `name` is a token (`1*tchar`).
    ///
    /// ```
    /// use expr_grammar::HeaderName;
    /// assert!(HeaderName::new("X-Request-ID").is_ok());
    /// assert!(HeaderName::new("bad name").is_err());
    /// ```
    pub fn new(name: impl Into<String>) -> Result<Self, InvalidHeaderName> {
        let name = name.into();
        if name.is_empty() {
            return Err(InvalidHeaderName { offset: 0 });
        }
        match name.bytes().position(|b| !is_tchar(b)) {
            Some(offset) => Err(InvalidHeaderName { offset }),
            None => Ok(HeaderName(name)),
        }
    }

    /// Builds a name already known to be a token (the parser's path).
    pub(crate) fn from_token(token: &str) -> Self {
        debug_assert!(HeaderName::new(token).is_ok());
        HeaderName(token.to_owned())
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this name and a header field name are the same, ignoring ASCII case (RFC 9110
    /// §5.1).
    pub fn matches(&self, field_name: &str) -> bool {
        self.0.eq_ignore_ascii_case(field_name)
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for HeaderName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for HeaderName {
    type Err = InvalidHeaderName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HeaderName::new(s)
    }
}

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
        crate::parser::parse_expression(input, &ParseLimits::new())
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
        crate::parser::parse_expression(input, limits)
    }

    /// The source read by a `$request.`/`$response.` expression.
    pub fn source(&self) -> Option<&Source> {
        match self {
            Expression::Request(source) | Expression::Response(source) => Some(source),
            Expression::Url | Expression::Method | Expression::StatusCode => None,
        }
    }

    /// Writes the canonical form; `in_template` selects the escaping needed between braces.
    fn write_canonical(&self, out: &mut impl fmt::Write, in_template: bool) -> fmt::Result {
        let source = match self {
            Expression::Url => return out.write_str("$url"),
            Expression::Method => return out.write_str("$method"),
            Expression::StatusCode => return out.write_str("$statusCode"),
            Expression::Request(source) => {
                out.write_str("$request.")?;
                source
            }
            Expression::Response(source) => {
                out.write_str("$response.")?;
                source
            }
        };
        match source {
            Source::Header(name) => {
                out.write_str("header.")?;
                out.write_str(name.as_str())
            }
            Source::Query(name) => {
                out.write_str("query.")?;
                escape::write_name(out, name, in_template)
            }
            Source::Path(name) => {
                out.write_str("path.")?;
                escape::write_name(out, name, in_template)
            }
            Source::Body(None) => out.write_str("body"),
            Source::Body(Some(pointer)) => {
                out.write_str("body#")?;
                out.write_str(pointer.as_str())
            }
        }
    }

    /// Whether this expression can stand between the braces of a template: the grammar has no
    /// escape for `{` and `}` in a JSON pointer, so a pointer holding one cannot.
    pub fn is_embeddable(&self) -> bool {
        match self.source() {
            Some(Source::Body(Some(pointer))) => !pointer.as_str().contains(['{', '}']),
            _ => true,
        }
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_canonical(f, false)
    }
}

impl FromStr for Expression {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Expression::parse(s)
    }
}

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
    /// Parses a string with expressions embedded in `{}`.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        crate::parser::parse_template(input, &ParseLimits::new())
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
        crate::parser::parse_template(input, limits)
    }

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

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => f.write_str(text)?,
                Segment::Expression(expr) => {
                    f.write_char('{')?;
                    expr.write_canonical(f, true)?;
                    f.write_char('}')?;
                }
            }
        }
        Ok(())
    }
}

impl FromStr for Template {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::parse(s)
    }
}
