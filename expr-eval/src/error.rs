//! Evaluation errors and exchange-building errors.

use std::fmt;

/// Which message of the exchange an expression reads: `$request.…` or `$response.…`.
///
/// ```
/// assert_eq!(expr_eval::Part::Response.to_string(), "response");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// The request the API received.
    Request,
    /// The response it sent.
    Response,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Request => "request",
            Part::Response => "response",
        })
    }
}

/// Where in a body a pointer failed: the prefix of the pointer that did resolve, in a body.
///
/// Displays as `/a in the request body`, or `the top level of the request body` for the empty
/// prefix.
struct At<'e> {
    prefix: &'e str,
    part: Part,
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "the top level of the {} body", self.part)
        } else {
            write!(f, "{} in the {} body", self.prefix, self.part)
        }
    }
}

fn location(prefix: &str, part: Part) -> At<'_> {
    At { prefix, part }
}

/// Why a runtime expression could not be evaluated against an exchange.
///
/// Every variant names what is missing and where; none is ever turned into an empty string
/// unless the caller asks for leniency ([`RenderOptions::with_lenient`](crate::RenderOptions::with_lenient)).
///
/// ```
/// use expr_eval::{evaluate, EvalError, OwnedExchange, OwnedRequest};
/// use expr_grammar::Expression;
///
/// let request = OwnedRequest::new("GET", "https://example.org/board")?;
/// let exchange = OwnedExchange::new(request);
/// let expr = Expression::parse("$request.header.progressUrl")?;
/// let err = evaluate(&expr, &exchange).unwrap_err();
/// assert!(matches!(err, EvalError::HeaderNotPresent { .. }));
/// assert_eq!(err.to_string(), r#"header "progressUrl" not present in the request"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// `$statusCode` or `$response.…` on an exchange that has no response (yet).
    #[error("no response in this exchange")]
    NoResponse,

    /// `$url` on an exchange that cannot tell its full URL (an `http::Request` with a relative
    /// URI and no `Host` header).
    #[error(
        "the request URL is not known: the request target is relative and there is no Host header"
    )]
    UrlUnavailable,

    /// `…header.X` where the message has no such header field.
    #[error("header \"{name}\" not present in the {part}")]
    HeaderNotPresent {
        /// The message that was searched.
        part: Part,
        /// The header name as the expression writes it.
        name: String,
    },

    /// `…header.X` where the field value is not UTF-8 text (obs-text bytes).
    #[error("header \"{name}\" of the {part} is not UTF-8 text")]
    HeaderNotUtf8 {
        /// The message that was searched.
        part: Part,
        /// The header name as the expression writes it.
        name: String,
    },

    /// `$request.query.x` where the request URL has no `x` query parameter.
    #[error("query parameter \"{name}\" not present in the request URL")]
    QueryParameterNotPresent {
        /// The parameter name (case-sensitive).
        name: String,
    },

    /// A query or path value that is not valid percent-encoding: a `%` without two hexadecimal
    /// digits, or bytes that do not decode to UTF-8.
    #[error("{what}: invalid percent-encoding in \"{value}\": {reason}")]
    InvalidPercentEncoding {
        /// What was being decoded, e.g. `query parameter "q"`.
        what: String,
        /// The raw (still encoded) value, its first 256 bytes when longer (then ending in `…`).
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// `$request.path.x` on an exchange that has neither a path template nor path parameters.
    #[error("path parameter \"{name}\": the exchange has no path template and no path parameters")]
    NoPathTemplate {
        /// The parameter name.
        name: String,
    },

    /// `$request.path.x` where the path template has no `{x}`.
    #[error("path parameter \"{name}\" is not in the path template \"{template}\"")]
    PathParameterNotInTemplate {
        /// The parameter name.
        name: String,
        /// The path template (its first 256 bytes when longer, then ending in `…`).
        template: String,
    },

    /// `$request.path.x` where the exchange gives path parameters (not a template) and `x` is
    /// not one of them.
    #[error("path parameter \"{name}\" not present in the exchange's path parameters")]
    PathParameterNotPresent {
        /// The parameter name.
        name: String,
    },

    /// The request path does not end with the segments of the path template.
    #[error("request path \"{path}\" does not match the path template \"{template}\"")]
    PathMismatch {
        /// The request path, as received (its first 256 bytes when longer, then ending in `…`).
        path: String,
        /// The path template (likewise cut).
        template: String,
    },

    /// The path template itself is malformed (an unclosed `{`, an empty `{}`, …).
    #[error("invalid path template \"{template}\": {reason}")]
    InvalidPathTemplate {
        /// The path template (its first 256 bytes when longer, then ending in `…`).
        template: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// `…body` or `…body#/p` on a message without a body.
    #[error("the {part} has no body")]
    NoBody {
        /// The message.
        part: Part,
    },

    /// `…body` on a body that is neither JSON nor UTF-8 text.
    #[error("the {part} body is neither JSON nor UTF-8 text")]
    BodyNotUtf8 {
        /// The message.
        part: Part,
    },

    /// `…body#/p` on a body that is not JSON (a text body, or a JSON content type whose body does
    /// not parse).
    #[error("pointer {pointer}: the {part} body is not JSON{}", content_type_note(content_type.as_deref()))]
    BodyNotJson {
        /// The message.
        part: Part,
        /// The pointer that was to be resolved.
        pointer: String,
        /// The message's `Content-Type`, when it has one (its first 256 bytes when longer).
        content_type: Option<String>,
    },

    /// `…body#/p` on a body that would be JSON but nests arrays and objects more than
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels deep, so it is not read as JSON.
    #[error(
        "pointer {pointer}: the {part} body nests JSON arrays and objects more than {limit} levels deep (the limit, MAX_JSON_DEPTH), so it is not read as JSON"
    )]
    BodyTooDeep {
        /// The message.
        part: Part,
        /// The pointer that was to be resolved.
        pointer: String,
        /// The limit, [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH).
        limit: usize,
    },

    /// `…body#/a/b` where the object at `/a` has no member `b`.
    #[error("pointer {pointer}: key \"{key}\" not found at {}", location(at, *part))]
    PointerKeyNotFound {
        /// The message.
        part: Part,
        /// The whole pointer.
        pointer: String,
        /// The member name that is missing (unescaped: `~1` is `/`).
        key: String,
        /// The prefix of the pointer that did resolve, to an object.
        at: String,
    },

    /// `…body#/a/5` where the array at `/a` is shorter.
    #[error("pointer {pointer}: index {index} out of bounds at {} (array length {length})", location(at, *part))]
    IndexOutOfBounds {
        /// The message.
        part: Part,
        /// The whole pointer.
        pointer: String,
        /// The index asked for.
        index: usize,
        /// The length of the array.
        length: usize,
        /// The prefix of the pointer that did resolve, to an array.
        at: String,
    },

    /// `…body#/a/-`: `-` names the element after the last (RFC 6901 §4), which never exists.
    #[error("pointer {pointer}: \"-\" (the element after the last) never resolves, at {}", location(at, *part))]
    PointerPastEnd {
        /// The message.
        part: Part,
        /// The whole pointer.
        pointer: String,
        /// The prefix of the pointer that did resolve, to an array.
        at: String,
    },

    /// `…body#/a/01` or `/a/x` where `/a` is an array: the token is not an array index (a decimal
    /// without leading zeros).
    #[error("pointer {pointer}: \"{token}\" is not an array index ({reason}) at {}", location(at, *part))]
    InvalidArrayIndex {
        /// The message.
        part: Part,
        /// The whole pointer.
        pointer: String,
        /// The offending token.
        token: String,
        /// Why it is not an index.
        reason: &'static str,
        /// The prefix of the pointer that did resolve, to an array.
        at: String,
    },

    /// `…body#/a/b` where `/a` is a string, number, boolean or null: nothing is inside it.
    #[error("pointer {pointer}: the value at {} is {found}, not an object or array", location(at, *part))]
    PointerUnreachable {
        /// The message.
        part: Part,
        /// The whole pointer.
        pointer: String,
        /// The prefix of the pointer that resolved to a scalar.
        at: String,
        /// What the scalar is: `a string`, `a number`, `a boolean` or `null`.
        found: &'static str,
    },

    /// `$response.query.x` or `$response.path.x`: a response has no URL.
    #[error("$response.{reference}: a response has no {what}")]
    NotInResponse {
        /// `query` or `path`.
        reference: &'static str,
        /// What a response lacks, in words.
        what: &'static str,
    },

    /// Rendering a template would produce more text than the limit allows: a template that
    /// repeats a large value, or one value larger than the limit. The limit is
    /// [`RenderOptions::with_max_rendered_len`](crate::RenderOptions::with_max_rendered_len) for
    /// one rendering, and [`Session::with_max_rendered_len`](crate::Session::with_max_rendered_len)
    /// for all the renderings of a session together, in its place (default
    /// [`MAX_RENDERED_LEN`](crate::MAX_RENDERED_LEN), 1 MiB). Nothing beyond the limit is
    /// written, so memory stays bounded.
    #[error("the rendered text would be longer than the limit of {limit} bytes (max_rendered_len)")]
    RenderedTooLong {
        /// The limit, in bytes.
        limit: usize,
    },

    /// An Arazzo expression that reads the current step's HTTP exchange (`$url`, `$method`,
    /// `$statusCode`, `$request.…`, `$response.…`) in a [`WorkflowContext`](crate::WorkflowContext)
    /// that has none.
    #[error("the workflow context has no HTTP exchange (WorkflowContext::with_exchange)")]
    NoExchange,

    /// `$message.…` in a [`WorkflowContext`](crate::WorkflowContext) that has no message.
    #[error("the workflow context has no message (WorkflowContext::with_message)")]
    NoMessage,

    /// An Arazzo expression whose value the [`WorkflowContext`](crate::WorkflowContext) does
    /// not hold: an input, output, step, workflow, component, source description or message
    /// value that was not given.
    #[error("{expression}: the workflow context has no such value")]
    NotInWorkflowContext {
        /// The expression, in canonical form.
        expression: String,
    },

    /// The pointer after an Arazzo name (`$inputs.customer#/address/city`) names nothing in
    /// that value.
    #[error("{expression}: pointer {pointer} names no value in it")]
    WorkflowPointerNotFound {
        /// The expression, in canonical form.
        expression: String,
        /// The pointer, as written.
        pointer: String,
    },

    /// A message value that cannot be read as the expression asks: a header that is not
    /// UTF-8 text, a payload that is neither JSON nor text, a pointer into a payload that is
    /// not JSON.
    #[error("{expression}: the message {reason}")]
    MessageUnreadable {
        /// The expression, in canonical form.
        expression: String,
        /// What is wrong with the message.
        reason: &'static str,
    },

    /// An expression this version of the evaluator does not know (the grammar crate grew a
    /// new kind of expression).
    #[error("expression {expression} is not supported by this evaluator")]
    Unsupported {
        /// The expression, in canonical form.
        expression: String,
    },
}

/// The most bytes of a value from the exchange (a query or path value, a request path, a
/// content type) that an error quotes: an error is built for each expression that fails, so a
/// large value quoted whole by a thousand failing expressions would be copied a thousand times.
pub(crate) const MAX_QUOTED_LEN: usize = 256;

/// `text`, cut to at most [`MAX_QUOTED_LEN`] bytes at a character boundary, with `…` when cut.
pub(crate) fn excerpt(text: &str) -> String {
    if text.len() <= MAX_QUOTED_LEN {
        return text.to_owned();
    }
    let mut end = MAX_QUOTED_LEN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

fn content_type_note(content_type: Option<&str>) -> String {
    match content_type {
        Some(ct) if crate::exchange::is_json_media_type(ct) => {
            format!(" (Content-Type: {ct}, but it does not parse as JSON)")
        }
        Some(ct) => format!(" (Content-Type: {ct})"),
        None => " (no Content-Type, and it does not parse as JSON)".to_owned(),
    }
}

/// Why an exchange could not be built: a malformed raw HTTP message, URL, path template or
/// exchange file.
///
/// ```
/// use expr_eval::{ExchangeError, OwnedRequest};
/// let err = OwnedRequest::parse_http1(b"GET /x HTTP/1.1\r\n\r\n", "https").unwrap_err();
/// assert_eq!(err, ExchangeError::MissingHost);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The raw message is not HTTP/1.1 syntax.
    #[error("invalid HTTP/1.1 {what}: {reason}")]
    Syntax {
        /// `request` or `response`.
        what: &'static str,
        /// What the HTTP parser reported.
        reason: String,
    },
    /// The raw message ends before the end of its header section.
    #[error("incomplete HTTP/1.1 {what}: the header section does not end")]
    Incomplete {
        /// `request` or `response`.
        what: &'static str,
    },
    /// A raw request with a relative target and no `Host` header: its URL cannot be known.
    #[error("the request has no Host header, so its URL cannot be built")]
    MissingHost,
    /// A URL that is neither absolute (`scheme://authority/…`) nor, where allowed, a path.
    #[error("invalid request URL \"{url}\": {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A method that is not an HTTP token.
    #[error("invalid request method \"{method}\"")]
    InvalidMethod {
        /// The method as given.
        method: String,
    },
    /// A status outside 100–999.
    #[error("invalid response status {status}: a status code has three digits")]
    InvalidStatus {
        /// The status as given.
        status: u64,
    },
    /// A header field value of a raw message that is not UTF-8 text.
    #[error("header \"{name}\" is not UTF-8 text")]
    HeaderNotUtf8 {
        /// The field name.
        name: String,
    },
    /// A malformed path template.
    #[error("invalid path template \"{template}\": {reason}")]
    InvalidPathTemplate {
        /// The template as given.
        template: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An exchange file message with both `body` and `bodyText`.
    #[error("a message has both `body` and `bodyText`; give one")]
    BodyConflict,
    /// A raw message whose body would be JSON (a JSON `Content-Type`, or none) but nests arrays
    /// and objects more than [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels deep.
    #[error(
        "the {what} body nests JSON arrays and objects more than {limit} levels deep (the limit, MAX_JSON_DEPTH)"
    )]
    JsonTooDeep {
        /// `request` or `response`.
        what: &'static str,
        /// The limit, [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH).
        limit: usize,
    },
    /// A raw message with more header fields than [`MAX_HEADERS`](crate::MAX_HEADERS).
    #[error("the {what} has more than {limit} header fields (the limit, MAX_HEADERS)")]
    TooManyHeaders {
        /// `request` or `response`.
        what: &'static str,
        /// The limit, [`MAX_HEADERS`](crate::MAX_HEADERS).
        limit: usize,
    },
    /// Something the raw-message reader does not support (a chunked body).
    #[error("unsupported in a raw HTTP message: {0}")]
    Unsupported(&'static str),
}
