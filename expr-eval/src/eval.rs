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
/// kind of expression. To evaluate the same expression many times, [`CompiledExpression`] is
/// faster (it decodes body pointers and, with `HttpExchange`, builds header names in advance).
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
    evaluate_with(expression, exchange, FieldName::new, None)
}

/// The shared walk; `field` builds the header key (with a cached `http::HeaderName` when
/// compiled), and `steps` is the body pointer decoded in advance (when compiled).
#[inline]
fn evaluate_with<'a, 'n, X: Exchange + ?Sized>(
    expression: &'n Expression,
    exchange: &'a X,
    field: impl FnOnce(&'n str) -> FieldName<'n>,
    steps: Option<&[Step]>,
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
            Source::Body(pointer) => {
                body(exchange.request(), Part::Request, pointer.as_deref(), steps)
            }
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
                Source::Body(pointer) => body(response, Part::Response, pointer.as_deref(), steps),
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

#[inline]
fn body<'a, M: Message + ?Sized>(
    message: &'a M,
    part: Part,
    pointer: Option<&Pointer>,
    steps: Option<&[Step]>,
) -> Result<Value<'a>, Error> {
    match (message.body(), pointer) {
        (Body::Empty, _) => Err(Error::NoBody { part }),
        (Body::Json(value), None) => Ok(Value::Json(value)),
        (Body::Json(value), Some(pointer)) => {
            if let Some(found) = steps.and_then(|steps| walk(value, steps)) {
                return Ok(Value::Json(found));
            }
            resolve(value, pointer, part).map(Value::Json)
        }
        (Body::Text(text), None) => Ok(Value::Str(Cow::Borrowed(text))),
        (Body::Binary(_), None) => Err(Error::BodyNotUtf8 { part }),
        (body @ (Body::Text(_) | Body::Binary(_)), Some(pointer)) => Err(crate::limits::not_json(
            body,
            part,
            pointer,
            message.header(FieldName::new("content-type")),
        )),
    }
}

/// One reference token of a compiled body pointer, decoded in advance: the member name (`~1` and
/// `~0` unescaped) and, when the token is an RFC 6901 array index (a decimal without leading
/// zeros; never `-`), that index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Step {
    pub(crate) key: Box<str>,
    index: Option<usize>,
}

fn steps(pointer: &Pointer) -> Box<[Step]> {
    pointer
        .tokens()
        .map(|token| Step {
            key: token.decoded().into(),
            index: match token.to_index() {
                Ok(jsonptr::index::Index::Num(index)) => Some(index),
                _ => None,
            },
        })
        .collect()
}

/// Follows pre-decoded steps; `None` on any failure, which [`resolve`] then explains (it follows
/// the same RFC 6901 rules, through `jsonptr`).
#[inline]
pub(crate) fn walk<'a>(
    mut value: &'a serde_json::Value,
    steps: &[Step],
) -> Option<&'a serde_json::Value> {
    for step in steps {
        value = match value {
            serde_json::Value::Object(map) => map.get(&*step.key)?,
            serde_json::Value::Array(items) => items.get(step.index?)?,
            _ => return None,
        };
    }
    Some(value)
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
/// It keeps the [`Expression`], a body pointer's reference tokens decoded in advance (member
/// names unescaped, array indices parsed) and, with the `http` feature, a pre-built
/// `http::HeaderName` for a header expression, so that `HttpExchange` looks the header up as fast
/// as `HeaderMap::get` with a constant name. Failures are explained by the same `jsonptr`
/// resolution as [`evaluate`], so both give the same results and the same errors.
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
    steps: Option<Box<[Step]>>,
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
        let steps = match expression.source() {
            Some(Source::Body(Some(pointer))) => Some(steps(pointer)),
            _ => None,
        };
        CompiledExpression {
            expression,
            steps,
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
        // The lean path first; the error, if any, is built only then.
        match self.evaluate_quiet(exchange) {
            Some(value) => Ok(value),
            None => self.evaluate_explained(exchange),
        }
    }
}

impl CompiledExpression {
    /// The full walk, which says why when it fails.
    #[cold]
    fn evaluate_explained<'a, X: Exchange + ?Sized>(
        &self,
        exchange: &'a X,
    ) -> Result<Value<'a>, Error> {
        evaluate_with(
            &self.expression,
            exchange,
            |name| self.field(name),
            self.steps.as_deref(),
        )
    }

    /// For `$request.body#/…`: the pointer's pre-decoded steps.
    pub(crate) fn request_body_steps(&self) -> Option<&[Step]> {
        match &self.expression {
            Expression::Request(Source::Body(Some(_))) => self.steps.as_deref(),
            _ => None,
        }
    }

    /// The header key, with its pre-built `http::HeaderName` when there is one.
    #[inline]
    fn field<'n>(&'n self, name: &'n str) -> FieldName<'n> {
        let field = FieldName::new(name);
        #[cfg(feature = "http")]
        let field = match &self.http_name {
            Some(http_name) => field.with_http(http_name),
            None => field,
        };
        field
    }

    /// The value, or `None` where [`evaluate`](CompiledExpression::evaluate) gives an error; no
    /// error is built, so a template's hot path (and a lenient template's misses) stay cheap.
    /// It must give `Some(v)` exactly when the full walk gives `Ok(v)` (tested below).
    #[inline]
    pub(crate) fn evaluate_quiet<'a, X: Exchange + ?Sized>(
        &self,
        exchange: &'a X,
    ) -> Option<Value<'a>> {
        let steps = self.steps.as_deref();
        match &self.expression {
            Expression::Url => exchange.url().map(|url| Value::Str(Cow::Borrowed(url))),
            Expression::Method => Some(Value::Str(Cow::Borrowed(exchange.method()))),
            Expression::StatusCode => exchange.status_code().map(Value::Int),
            Expression::Request(Source::Header(name)) => {
                header_quiet(exchange.request(), self.field(name.as_str()))
            }
            Expression::Request(Source::Body(pointer)) => {
                body_quiet(exchange.request(), pointer.as_deref(), steps)
            }
            Expression::Response(Source::Header(name)) => {
                header_quiet(exchange.response()?, self.field(name.as_str()))
            }
            Expression::Response(Source::Body(pointer)) => {
                body_quiet(exchange.response()?, pointer.as_deref(), steps)
            }
            // Query and path lookups build errors only on failure; reuse the full walk.
            _ => self.evaluate_explained(exchange).ok(),
        }
    }
}

#[inline]
fn header_quiet<'a, M: Message + ?Sized>(message: &'a M, name: FieldName<'_>) -> Option<Value<'a>> {
    let text = std::str::from_utf8(message.header(name)?).ok()?;
    Some(Value::Str(Cow::Borrowed(text)))
}

#[inline]
fn body_quiet<'a, M: Message + ?Sized>(
    message: &'a M,
    pointer: Option<&Pointer>,
    steps: Option<&[Step]>,
) -> Option<Value<'a>> {
    use jsonptr::resolve::Resolve as _;
    match pointer {
        Some(pointer) => {
            let value = message.json()?;
            match steps {
                Some(steps) => walk(value, steps),
                None => value.resolve(pointer).ok(),
            }
            .map(Value::Json)
        }
        None => match message.body() {
            Body::Json(value) => Some(Value::Json(value)),
            Body::Text(text) => Some(Value::Str(Cow::Borrowed(text))),
            _ => None,
        },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OwnedExchange, OwnedRequest, OwnedResponse};

    /// The lean path and the full walk agree: `Some(v)` exactly when `Ok(v)`.
    #[test]
    fn quiet_and_explained_agree() {
        let request = OwnedRequest::new("POST", "https://h.example/v2/s/ev%20x?q=a+b&r=%zz&e")
            .expect("request")
            .with_header("Content-Type", "application/json")
            .with_header("X-A", "1")
            .with_body(r#"{"a": [1, {"b": "c"}], "": 0, "s": "t"}"#)
            .with_path_template("/s/{e}")
            .expect("template");
        let response = OwnedResponse::new(200)
            .expect("status")
            .with_header("Content-Type", "text/plain")
            .with_body("plain");
        let with_response = OwnedExchange::new(request.clone()).with_response(response);
        let without_response = OwnedExchange::new(request.clone().with_body(vec![0xff]));
        let expressions = [
            "$url",
            "$method",
            "$statusCode",
            "$request.header.x-a",
            "$request.header.none",
            "$request.query.q",
            "$request.query.r",
            "$request.query.e",
            "$request.query.none",
            "$request.path.e",
            "$request.path.none",
            "$request.body",
            "$request.body#",
            "$request.body#/a/1/b",
            "$request.body#/a/01",
            "$request.body#/a/-",
            "$request.body#/",
            "$request.body#/s/x",
            "$response.header.content-type",
            "$response.header.none",
            "$response.body",
            "$response.body#/a",
            "$response.query.q",
            "$response.path.e",
        ];
        for exchange in [&with_response, &without_response] {
            for text in expressions {
                let compiled = CompiledExpression::parse(text).expect("parse");
                let quiet = compiled.evaluate_quiet(exchange);
                let explained = compiled.evaluate_explained(exchange);
                assert_eq!(quiet, explained.clone().ok(), "{text}");
                assert_eq!(compiled.evaluate(exchange), explained, "{text}");
            }
        }
    }
}
