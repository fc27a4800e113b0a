//! The typed syntax tree of one runtime expression.
//!
//! Only the data and its accessors live here: parsing is in `parse.rs` and the readers it
//! calls, the canonical text form in `canonical.rs`.

use crate::header_name::HeaderName;
use crate::pointer::JsonPointer;

/// One runtime expression.
///
/// Parse with [`Expression::parse`] or [`str::parse`]; [`Display`](std::fmt::Display) writes the
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
    Body(Option<JsonPointer>),
}

impl Expression {
    /// The source read by a `$request.`/`$response.` expression.
    pub fn source(&self) -> Option<&Source> {
        match self {
            Expression::Request(source) | Expression::Response(source) => Some(source),
            Expression::Url | Expression::Method | Expression::StatusCode => None,
        }
    }

    /// Whether this expression can stand between the braces of a template: the grammar has no
    /// escape for `{` and `}` in a JSON pointer, so a pointer holding one cannot.
    ///
    /// ```
    /// use expr_grammar::Expression;
    /// assert!(Expression::parse("$request.body#/a")?.is_embeddable());
    /// assert!(!Expression::parse("$request.body#/{a}")?.is_embeddable());
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    pub fn is_embeddable(&self) -> bool {
        match self.source() {
            Some(Source::Body(Some(pointer))) => !pointer.has_brace(),
            _ => true,
        }
    }
}
