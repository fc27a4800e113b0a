//! Evaluation of one expression (DESIGN §3).

use std::borrow::Cow;
use std::fmt;

use expr_grammar::{Expression, JsonPointer, ParseError, Source};

use crate::error::{EvalError, Part};
use crate::exchange::{Body, Exchange, FieldName, Message};
use crate::path;
use crate::pointer::{Step, resolve, steps, walk};
use crate::value::Value;
use crate::view::{Plain, View};

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
) -> Result<Value<'a>, EvalError> {
    evaluate_with(expression, &Plain(exchange), FieldName::new, None)
}

/// The shared walk; `field` builds the header key (with a cached `http::HeaderName` when
/// compiled), and `steps` is the body pointer decoded in advance (when compiled).
#[inline]
pub(crate) fn evaluate_with<'x, 'n, V: View<'x>>(
    expression: &'n Expression,
    view: &V,
    field: impl FnOnce(&'n str) -> FieldName<'n>,
    steps: Option<&[Step]>,
) -> Result<Value<'x>, EvalError> {
    let exchange = view.exchange();
    match expression {
        Expression::Url => exchange
            .url()
            .map(|url| Value::Str(Cow::Borrowed(url)))
            .ok_or(EvalError::UrlUnavailable),
        Expression::Method => Ok(Value::Str(Cow::Borrowed(exchange.method()))),
        Expression::StatusCode => exchange
            .status_code()
            .map(Value::Int)
            .ok_or(EvalError::NoResponse),
        Expression::Request(source) => match source {
            Source::Header(name) => header(view, Part::Request, field(name.as_str())),
            Source::Query(name) => query(view, name),
            Source::Path(name) => path_parameter(view, name),
            Source::Body(pointer) => {
                body(exchange.request(), Part::Request, pointer.as_ref(), steps)
            }
            _ => Err(unsupported(expression)),
        },
        Expression::Response(source) => {
            let response = exchange.response().ok_or(EvalError::NoResponse)?;
            match source {
                Source::Header(name) => header(view, Part::Response, field(name.as_str())),
                Source::Query(_) => Err(EvalError::NotInResponse {
                    reference: "query",
                    what: "query parameters",
                }),
                Source::Path(_) => Err(EvalError::NotInResponse {
                    reference: "path",
                    what: "path parameters",
                }),
                Source::Body(pointer) => body(response, Part::Response, pointer.as_ref(), steps),
                _ => Err(unsupported(expression)),
            }
        }
        _ => Err(unsupported(expression)),
    }
}

fn unsupported(expression: &Expression) -> EvalError {
    EvalError::Unsupported {
        expression: expression.to_string(),
    }
}

#[inline]
fn header<'x, V: View<'x>>(
    view: &V,
    part: Part,
    name: FieldName<'_>,
) -> Result<Value<'x>, EvalError> {
    let Some(bytes) = view.header(part, name) else {
        return Err(EvalError::HeaderNotPresent {
            part,
            name: name.as_str().to_owned(),
        });
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Value::Str(Cow::Borrowed(text))),
        Err(_) => Err(EvalError::HeaderNotUtf8 {
            part,
            name: name.as_str().to_owned(),
        }),
    }
}

fn query<'x, V: View<'x>>(view: &V, name: &str) -> Result<Value<'x>, EvalError> {
    view.query_parameter(name)?
        .map(Value::Str)
        .ok_or_else(|| EvalError::QueryParameterNotPresent {
            name: name.to_owned(),
        })
}

fn path_parameter<'x, V: View<'x>>(view: &V, name: &str) -> Result<Value<'x>, EvalError> {
    let exchange = view.exchange();
    if let Some(value) = exchange.path_parameter(name) {
        return Ok(Value::Str(Cow::Borrowed(value)));
    }
    match view.path_template() {
        Some(template) => path::parameter(template, exchange.path(), name).map(Value::Str),
        None if exchange.has_path_parameters() => Err(EvalError::PathParameterNotPresent {
            name: name.to_owned(),
        }),
        None => Err(EvalError::NoPathTemplate {
            name: name.to_owned(),
        }),
    }
}

#[inline]
fn body<'a, M: Message + ?Sized>(
    message: &'a M,
    part: Part,
    pointer: Option<&JsonPointer>,
    steps: Option<&[Step]>,
) -> Result<Value<'a>, EvalError> {
    match (message.body(), pointer) {
        (Body::Empty, _) => Err(EvalError::NoBody { part }),
        (Body::Json(value), None) => Ok(Value::Json(value)),
        (Body::Json(value), Some(pointer)) => {
            if let Some(found) = steps.and_then(|steps| walk(value, steps)) {
                return Ok(Value::Json(found));
            }
            resolve(value, pointer, part).map(Value::Json)
        }
        (Body::Text(text), None) => Ok(Value::Str(Cow::Borrowed(text))),
        (Body::Binary(_), None) => Err(EvalError::BodyNotUtf8 { part }),
        (body @ (Body::Text(_) | Body::Binary(_)), Some(pointer)) => Err(crate::limits::not_json(
            body,
            part,
            pointer,
            message.header(FieldName::new("content-type")),
        )),
    }
}

/// An expression prepared for repeated evaluation.
///
/// It keeps the [`Expression`] and a plan for the lean path: a body pointer's reference tokens
/// decoded in advance (member names unescaped, array indices parsed), a header name and, with
/// the `http` feature, a pre-built `http::HeaderName`, so that `HttpExchange` looks the header up
/// as fast as `HeaderMap::get` with a constant name. Failures are explained by the same `jsonptr`
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
    plan: Plan,
}

/// What the lean path does, decided once, so that evaluating dispatches on one flat enum.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    Url,
    Method,
    StatusCode,
    RequestHeader(Header),
    ResponseHeader(Header),
    /// `$request.body` (`None`) or `$request.body#…` with its steps (`body#` has none).
    RequestBody(Option<Box<[Step]>>),
    ResponseBody(Option<Box<[Step]>>),
    /// Query and path lookups, and whatever else: the full walk, which builds an error only on
    /// failure.
    Walk,
}

/// A header to look up: the name as written and, with the `http` feature, as an
/// `http::HeaderName` (when it is a valid one).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    name: Box<str>,
    #[cfg(feature = "http")]
    http: Option<http::HeaderName>,
}

impl Header {
    fn new(name: &str) -> Self {
        Header {
            name: name.into(),
            #[cfg(feature = "http")]
            http: http::HeaderName::from_bytes(name.as_bytes()).ok(),
        }
    }

    #[inline]
    fn field(&self) -> FieldName<'_> {
        let field = FieldName::new(&self.name);
        #[cfg(feature = "http")]
        let field = match &self.http {
            Some(http_name) => field.with_http(http_name),
            None => field,
        };
        field
    }
}

impl Plan {
    fn new(expression: &Expression) -> Self {
        let body = |pointer: &Option<JsonPointer>| pointer.as_ref().map(steps);
        match expression {
            Expression::Url => Plan::Url,
            Expression::Method => Plan::Method,
            Expression::StatusCode => Plan::StatusCode,
            Expression::Request(Source::Header(name)) => {
                Plan::RequestHeader(Header::new(name.as_str()))
            }
            Expression::Response(Source::Header(name)) => {
                Plan::ResponseHeader(Header::new(name.as_str()))
            }
            Expression::Request(Source::Body(pointer)) => Plan::RequestBody(body(pointer)),
            Expression::Response(Source::Body(pointer)) => Plan::ResponseBody(body(pointer)),
            _ => Plan::Walk,
        }
    }

    /// The pre-decoded steps of a body pointer, for the full walk.
    fn steps(&self) -> Option<&[Step]> {
        match self {
            Plan::RequestBody(steps) | Plan::ResponseBody(steps) => steps.as_deref(),
            _ => None,
        }
    }
}

impl CompiledExpression {
    /// Prepares an expression.
    pub fn new(expression: Expression) -> Self {
        let plan = Plan::new(&expression);
        CompiledExpression { expression, plan }
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
    pub fn evaluate<'a, X: Exchange + ?Sized>(
        &self,
        exchange: &'a X,
    ) -> Result<Value<'a>, EvalError> {
        self.evaluate_in(&Plain(exchange))
    }

    /// Evaluates the expression through `view`.
    #[inline]
    pub(crate) fn evaluate_in<'x, V: View<'x>>(&self, view: &V) -> Result<Value<'x>, EvalError> {
        // The lean path first; the error, if any, is built only then.
        match self.evaluate_quiet(view) {
            Some(value) => Ok(value),
            None => self.evaluate_explained(view),
        }
    }
}

impl CompiledExpression {
    /// The full walk, which says why when it fails.
    #[cold]
    #[inline(never)]
    pub(crate) fn evaluate_explained<'x, V: View<'x>>(
        &self,
        view: &V,
    ) -> Result<Value<'x>, EvalError> {
        let field = |name| match &self.plan {
            Plan::RequestHeader(header) | Plan::ResponseHeader(header) => header.field(),
            _ => FieldName::new(name),
        };
        evaluate_with(&self.expression, view, field, self.plan.steps())
    }

    /// For `$request.body#/…`: the pointer's pre-decoded steps.
    pub(crate) fn request_body_steps(&self) -> Option<&[Step]> {
        match &self.plan {
            Plan::RequestBody(Some(steps)) => Some(steps),
            _ => None,
        }
    }

    /// The value, or `None` where [`evaluate`](CompiledExpression::evaluate) gives an error; no
    /// error is built, so a template's hot path (and a lenient template's misses) stay cheap.
    /// It must give `Some(v)` exactly when the full walk gives `Ok(v)` (tested below).
    #[inline]
    pub(crate) fn evaluate_quiet<'x, V: View<'x>>(&self, view: &V) -> Option<Value<'x>> {
        let exchange = view.exchange();
        match &self.plan {
            Plan::RequestHeader(header) => header_quiet(view, Part::Request, header.field()),
            Plan::RequestBody(steps) => body_quiet(exchange.request(), steps.as_deref()),
            Plan::ResponseHeader(header) => header_quiet(view, Part::Response, header.field()),
            Plan::ResponseBody(steps) => body_quiet(exchange.response()?, steps.as_deref()),
            Plan::Url => exchange.url().map(|url| Value::Str(Cow::Borrowed(url))),
            Plan::Method => Some(Value::Str(Cow::Borrowed(exchange.method()))),
            Plan::StatusCode => exchange.status_code().map(Value::Int),
            Plan::Walk => self.evaluate_explained(view).ok(),
        }
    }
}

#[inline]
fn header_quiet<'x, V: View<'x>>(view: &V, part: Part, name: FieldName<'_>) -> Option<Value<'x>> {
    let text = std::str::from_utf8(view.header(part, name)?).ok()?;
    Some(Value::Str(Cow::Borrowed(text)))
}

/// `steps`: `None` for the whole body, `Some` for a pointer (which needs a JSON body).
#[inline]
fn body_quiet<'a, M: Message + ?Sized>(
    message: &'a M,
    steps: Option<&[Step]>,
) -> Option<Value<'a>> {
    match steps {
        Some(steps) => walk(message.json()?, steps).map(Value::Json),
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
                let quiet = compiled.evaluate_quiet(&Plain(exchange));
                let explained = compiled.evaluate_explained(&Plain(exchange));
                assert_eq!(quiet, explained.clone().ok(), "{text}");
                assert_eq!(compiled.evaluate(exchange), explained, "{text}");
            }
        }
    }
}
