//! Evaluation of one expression (DESIGN §3).

use std::borrow::Cow;
use std::fmt;

use expr_grammar::{Expression, ParseError, Pointer, Source};
use jsonptr::index::ParseIndexError;
use jsonptr::resolve::Error as ResolveError;

use crate::decode::query_parameter;
use crate::error::{Error, Part};
use crate::exchange::{Body, Exchange, FieldName, Message};
use crate::path;
use crate::value::Value;

/// Evaluates `expression` against `exchange`.
///
/// The result borrows from the exchange; see the crate documentation for the semantics of each
/// kind of expression. To evaluate the same expression many times, [`CompiledExpression`] is a
/// little faster with `HttpExchange` (it pre-builds header names).
///
/// ```
/// use expr_eval::{evaluate, OwnedExchange, OwnedRequest, Value};
/// use expr_grammar::Expression;
///
/// let request = OwnedRequest::new("POST", "https://example.org/subscribe/myevent")?
///     .with_header("Content-Type", "application/json")
///     .with_body(r#"{"successUrls": ["https://c.example/fast", "https://c.example/slow"]}"#);
/// let exchange = OwnedExchange::new(request);
///
/// let expr = Expression::parse("$request.body#/successUrls/1")?;
/// assert_eq!(evaluate(&expr, &exchange)?, "https://c.example/slow");
///
/// let expr = Expression::parse("$request.header.content-type")?;
/// assert_eq!(evaluate(&expr, &exchange)?, "application/json");
///
/// let expr = Expression::parse("$statusCode")?;
/// assert_eq!(evaluate(&expr, &exchange).unwrap_err().to_string(), "no response in this exchange");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate<'a, X: Exchange + ?Sized>(
    expression: &Expression,
    exchange: &'a X,
) -> Result<Value<'a>, Error> {
    evaluate_with(expression, exchange, FieldName::new)
}

/// The shared walk; `field` builds the header key (with a cached `http::HeaderName` when
/// compiled).
#[inline]
fn evaluate_with<'a, 'n, X: Exchange + ?Sized>(
    expression: &'n Expression,
    exchange: &'a X,
    field: impl FnOnce(&'n str) -> FieldName<'n>,
) -> Result<Value<'a>, Error> {
    match expression {
        Expression::Url => exchange
            .url()
            .map(|url| Value::Str(Cow::Borrowed(url)))
            .ok_or(Error::UrlUnavailable),
        Expression::Method => Ok(Value::Str(Cow::Borrowed(exchange.method()))),
        Expression::StatusCode => exchange
            .status_code()
            .map(Value::Int)
            .ok_or(Error::NoResponse),
        Expression::Request(source) => match source {
            Source::Header(name) => header(exchange.request(), Part::Request, field(name.as_str())),
            Source::Query(name) => query(exchange, name),
            Source::Path(name) => path_parameter(exchange, name),
            Source::Body(pointer) => body(exchange.request(), Part::Request, pointer.as_deref()),
            _ => Err(unsupported(expression)),
        },
        Expression::Response(source) => {
            let response = exchange.response().ok_or(Error::NoResponse)?;
            match source {
                Source::Header(name) => header(response, Part::Response, field(name.as_str())),
                Source::Query(_) => Err(Error::NotInResponse {
                    reference: "query",
                    what: "query parameters",
                }),
                Source::Path(_) => Err(Error::NotInResponse {
                    reference: "path",
                    what: "path parameters",
                }),
                Source::Body(pointer) => body(response, Part::Response, pointer.as_deref()),
                _ => Err(unsupported(expression)),
            }
        }
        _ => Err(unsupported(expression)),
    }
}

fn unsupported(expression: &Expression) -> Error {
    Error::Unsupported {
        expression: expression.to_string(),
    }
}

#[inline]
fn header<'a, M: Message + ?Sized>(
    message: &'a M,
    part: Part,
    name: FieldName<'_>,
) -> Result<Value<'a>, Error> {
    let Some(bytes) = message.header(name) else {
        return Err(Error::HeaderNotPresent {
            part,
            name: name.as_str().to_owned(),
        });
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Value::Str(Cow::Borrowed(text))),
        Err(_) => Err(Error::HeaderNotUtf8 {
            part,
            name: name.as_str().to_owned(),
        }),
    }
}

fn query<'a, X: Exchange + ?Sized>(exchange: &'a X, name: &str) -> Result<Value<'a>, Error> {
    let found = match exchange.query() {
        Some(query) => query_parameter(query, name)?,
        None => None,
    };
    found
        .map(Value::Str)
        .ok_or_else(|| Error::QueryParameterNotPresent {
            name: name.to_owned(),
        })
}

fn path_parameter<'a, X: Exchange + ?Sized>(
    exchange: &'a X,
    name: &str,
) -> Result<Value<'a>, Error> {
    if let Some(value) = exchange.path_parameter(name) {
        return Ok(Value::Str(Cow::Borrowed(value)));
    }
    match exchange.path_template() {
        Some(template) => path::parameter(template, exchange.path(), name).map(Value::Str),
        None if exchange.has_path_parameters() => Err(Error::PathParameterNotPresent {
            name: name.to_owned(),
        }),
        None => Err(Error::NoPathTemplate {
            name: name.to_owned(),
        }),
    }
}

fn body<'a, M: Message + ?Sized>(
    message: &'a M,
    part: Part,
    pointer: Option<&Pointer>,
) -> Result<Value<'a>, Error> {
    match (message.body(), pointer) {
        (Body::Empty, _) => Err(Error::NoBody { part }),
        (Body::Json(value), None) => Ok(Value::Json(value)),
        (Body::Json(value), Some(pointer)) => resolve(value, pointer, part).map(Value::Json),
        (Body::Text(text), None) => Ok(Value::Str(Cow::Borrowed(text))),
        (Body::Binary(_), None) => Err(Error::BodyNotUtf8 { part }),
        (Body::Text(_) | Body::Binary(_), Some(pointer)) => Err(Error::BodyNotJson {
            part,
            pointer: pointer.as_str().to_owned(),
            content_type: message
                .header(FieldName::new("content-type"))
                .map(|ct| String::from_utf8_lossy(ct).into_owned()),
        }),
    }
}

/// Resolves an RFC 6901 pointer with `jsonptr`, turning its error into one that names the pointer,
/// the failing token and the prefix that did resolve.
#[inline]
fn resolve<'a>(
    value: &'a serde_json::Value,
    pointer: &Pointer,
    part: Part,
) -> Result<&'a serde_json::Value, Error> {
    use jsonptr::resolve::Resolve as _;
    value
        .resolve(pointer)
        .map_err(|err| pointer_error(value, pointer, part, &err))
}

#[cold]
fn pointer_error(
    value: &serde_json::Value,
    pointer: &Pointer,
    part: Part,
    err: &ResolveError,
) -> Error {
    use jsonptr::resolve::Resolve as _;
    let whole = pointer.as_str();
    let at = whole.get(..err.offset()).unwrap_or_default().to_owned();
    let token = pointer.get(err.position());
    let encoded = token
        .as_ref()
        .map(|t| t.encoded().to_owned())
        .unwrap_or_default();
    let decoded = token
        .as_ref()
        .map(|t| t.decoded().into_owned())
        .unwrap_or_default();
    let pointer = whole.to_owned();
    match err {
        ResolveError::NotFound { .. } => Error::PointerKeyNotFound {
            part,
            pointer,
            key: decoded,
            at,
        },
        ResolveError::OutOfBounds { source, .. } if encoded == "-" => {
            let _ = source;
            Error::PointerPastEnd { part, pointer, at }
        }
        ResolveError::OutOfBounds { source, .. } => Error::IndexOutOfBounds {
            part,
            pointer,
            index: source.index,
            length: source.length,
            at,
        },
        ResolveError::FailedToParseIndex { source, .. } => Error::InvalidArrayIndex {
            part,
            pointer,
            token: decoded,
            reason: match source {
                ParseIndexError::LeadingZeros => "leading zeros are not allowed",
                _ => "an index is a decimal number without leading zeros",
            },
            at,
        },
        ResolveError::Unreachable { .. } => {
            let found = Pointer::parse(at.as_str())
                .ok()
                .and_then(|prefix| value.resolve(prefix).ok())
                .map_or("a scalar", |scalar| match scalar {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Array(_) | serde_json::Value::Object(_) => "a container",
                });
            Error::PointerUnreachable {
                part,
                pointer,
                at,
                found,
            }
        }
    }
}

/// An expression prepared for repeated evaluation.
///
/// It keeps the [`Expression`] and, with the `http` feature, a pre-built `http::HeaderName`
/// for a header expression, so that `HttpExchange` looks the header up as
/// fast as `HeaderMap::get` with a constant name.
///
/// ```
/// use expr_eval::{CompiledExpression, OwnedExchange, OwnedRequest};
///
/// let expr = CompiledExpression::parse("$request.query.queryUrl")?;
/// let request = OwnedRequest::new("POST", "https://example.org/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning")?;
/// let exchange = OwnedExchange::new(request);
/// assert_eq!(expr.evaluate(&exchange)?, "https://clientdomain.com/stillrunning");
/// assert_eq!(expr.to_string(), "$request.query.queryUrl");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledExpression {
    expression: Expression,
    #[cfg(feature = "http")]
    http_name: Option<http::HeaderName>,
}

impl CompiledExpression {
    /// Prepares an expression.
    pub fn new(expression: Expression) -> Self {
        #[cfg(feature = "http")]
        let http_name = match expression.source() {
            Some(Source::Header(name)) => {
                http::HeaderName::from_bytes(name.as_str().as_bytes()).ok()
            }
            _ => None,
        };
        CompiledExpression {
            expression,
            #[cfg(feature = "http")]
            http_name,
        }
    }

    /// Parses and prepares an expression.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Expression::parse(input).map(CompiledExpression::new)
    }

    /// The expression.
    pub fn expression(&self) -> &Expression {
        &self.expression
    }

    /// Evaluates the expression against `exchange`; the same as [`evaluate`].
    #[inline]
    pub fn evaluate<'a, X: Exchange + ?Sized>(&self, exchange: &'a X) -> Result<Value<'a>, Error> {
        evaluate_with(&self.expression, exchange, |name| {
            let field = FieldName::new(name);
            #[cfg(feature = "http")]
            let field = match &self.http_name {
                Some(http_name) => field.with_http(http_name),
                None => field,
            };
            field
        })
    }
}

impl From<Expression> for CompiledExpression {
    fn from(expression: Expression) -> Self {
        CompiledExpression::new(expression)
    }
}

impl std::str::FromStr for CompiledExpression {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        CompiledExpression::parse(s)
    }
}

impl fmt::Display for CompiledExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expression.fmt(f)
    }
}
