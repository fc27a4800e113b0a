//! Evaluates OpenAPI runtime expressions and templates against an HTTP exchange.
//!
//! An API provider evaluates a callback key such as `{$request.query.queryUrl}` or a link
//! parameter such as `$response.body#/uuid` against the request it received and the response it
//! sent. This crate does that, on the hot path: a header, path or body-pointer lookup allocates
//! nothing, and results borrow from the exchange.
//!
//! - [`evaluate`] / [`CompiledExpression`]: one expression ([`expr_grammar::Expression`]) to a
//!   typed [`Value`];
//! - [`CompiledTemplate`]: a template ([`expr_grammar::Template`]) rendered into a `String` you
//!   supply, strict or lenient, verbatim or percent-encoding ([`RenderOptions`]);
//! - [`Exchange`] and [`Message`]: what the evaluator reads, with three adapters:
//!   [`OwnedExchange`] (built in code, read from a JSON/YAML exchange file with serde, or parsed
//!   from raw HTTP/1.1 text with [`OwnedExchange::parse_http1`]) and, with the `http` feature,
//!   `HttpExchange` over `http::Request` / `http::Response`;
//! - [`Session`]: many expressions and templates against one exchange (a document's callbacks
//!   or links), with the query string and header fields indexed once and one bound on all that
//!   is rendered;
//! - [`WorkflowContext`]: Arazzo expressions and expression strings (parsed in an Arazzo
//!   [`expr_grammar::Dialect`]) against a workflow's inputs and outputs, earlier steps' outputs,
//!   other workflows, components, source descriptions, the step's message and its exchange;
//! - [`EvalError`]: why an expression could not be evaluated, one variant per cause, each naming
//!   what is missing and where.
//!
//! ```
//! use expr_eval::{CompiledTemplate, OwnedExchange, evaluate};
//! use expr_grammar::Expression;
//!
//! // The OpenAPI specification's own example exchange (3.1.1 / 3.2.0).
//! let exchange = OwnedExchange::parse_http1(
//!     br#"POST /subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning HTTP/1.1
//! Host: example.org
//! Content-Type: application/json
//! Content-Length: 188
//!
//! {
//!   "failedUrl": "https://clientdomain.com/failed",
//!   "successUrls": [
//!     "https://clientdomain.com/fast",
//!     "https://clientdomain.com/medium",
//!     "https://clientdomain.com/slow"
//!   ]
//! }
//! "#,
//!     Some(b"201 Created\nLocation: https://example.org/subscription/1\n"),
//! )?;
//!
//! let value = |text: &str| evaluate(&Expression::parse(text).unwrap(), &exchange).unwrap().to_string();
//! assert_eq!(value("$url"), "https://example.org/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning");
//! assert_eq!(value("$method"), "POST");
//! assert_eq!(value("$request.query.queryUrl"), "https://clientdomain.com/stillrunning");
//! assert_eq!(value("$request.header.content-type"), "application/json");
//! assert_eq!(value("$request.body#/successUrls/1"), "https://clientdomain.com/medium");
//! assert_eq!(value("$response.header.Location"), "https://example.org/subscription/1");
//! assert_eq!(value("$statusCode"), "201");
//!
//! let callback = CompiledTemplate::parse("{$request.query.queryUrl}")?;
//! assert_eq!(callback.render(&exchange)?, "https://clientdomain.com/stillrunning");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Semantics
//!
//! | expression | value |
//! |---|---|
//! | `$url` | the full request URL as received: scheme, authority, path and query |
//! | `$method` | the request method as received (`POST`) |
//! | `$statusCode` | the response status, an integer ([`Value::Int`]) |
//! | `$request.header.X` / `$response.header.X` | the first value of header `X`, name matched case-insensitively |
//! | `$request.query.x` | the first `x` query parameter, name case-sensitive, percent-decoded with `+` as a space |
//! | `$request.path.x` | the value of `{x}` in the path template, matched against the *last* segments of the request path (a base path such as `/v2` in front does not matter), percent-decoded |
//! | `$request.body` / `$response.body` | the whole body: the JSON value when the body is JSON, else its text |
//! | `…body#/p/q` | the JSON value at RFC 6901 pointer `/p/q`; an array index is a decimal without leading zeros, and `-` never resolves |
//!
//! - A body is JSON when its `Content-Type` is `application/json` or `*/*+json` (parameters
//!   ignored) and it parses, or when there is no `Content-Type` and it parses as JSON. A JSON text
//!   under `text/plain` is text. `…body#` (the empty pointer) asks for the JSON document, so it
//!   fails on a text body like any pointer.
//! - Every failure is an [`EvalError`] naming what is missing and where, never an empty string:
//!   `header "progressUrl" not present in the request`, `no response in this exchange`,
//!   `pointer /a/b: key "b" not found at /a in the request body`. `$response.query.x` and
//!   `$response.path.x` are errors: a response has no URL.
//! - Values keep their type ([`Value`]): text borrowed from the exchange (owned only when percent-
//!   decoding changed it), JSON values borrowed from the parsed body, the status as an integer.
//! - A template renders strings as they are, numbers, booleans and `null` as JSON text, objects
//!   and arrays as compact JSON; nothing is percent-encoded unless asked
//!   ([`RenderOptions::with_percent_encode`]).
//! - Numbers keep the text they were written with in a JSON body: `18446744073709551616`,
//!   `-0`, `1.50` render as written, never through a 64-bit float (this crate enables
//!   `serde_json`'s `arbitrary_precision`, so every `serde_json::Number` in the program keeps
//!   its text). The exponent is written as `serde_json` writes it, `e` and a sign: `1e2` and
//!   `1E2` render `1e+2`. In a YAML exchange file numbers are YAML's: the YAML reader gives an
//!   integer that fits 64 bits with its digits and any other number as a 64-bit float (`1e2`
//!   renders `100.0`); quote a number there to keep its text.
//! - A header value that is not UTF-8 (obs-text) is an error ([`EvalError::HeaderNotUtf8`]), not a
//!   lossy conversion.
//!
//! # Limits
//!
//! No exchange makes evaluation panic, overflow the stack or use memory beyond what the
//! exchange itself holds:
//!
//! - JSON bodies nest at most [`MAX_JSON_DEPTH`] (127) levels, `serde_json`'s fixed recursion
//!   limit: a raw message with a deeper JSON body fails with [`ExchangeError::JsonTooDeep`], and
//!   a pointer into a deeper body given otherwise fails with [`EvalError::BodyTooDeep`];
//! - a raw HTTP/1.1 message has at most [`MAX_HEADERS`] (256) header fields
//!   ([`ExchangeError::TooManyHeaders`]);
//! - rendering writes at most [`MAX_RENDERED_LEN`] (1 MiB) by default, per template
//!   ([`RenderOptions::with_max_rendered_len`]) and for all the renderings of a [`Session`]
//!   together ([`Session::with_max_rendered_len`]); past it, [`EvalError::RenderedTooLong`]
//!   names the limit and nothing beyond it has been written;
//! - an error quotes at most 256 bytes of a value from the exchange (a query value, a path);
//! - a [`Session`] indexes the query string and a long list of header fields once, from its
//!   second lookup, so its work is linear in the exchange plus the expressions;
//! - expressions and templates are parsed within [`expr_grammar::ParseLimits`] (16 MiB by
//!   default).
//!
//! # Features
//!
//! - `http`: `HttpExchange` and `HttpMessage`, adapters for `http::Request<B>` and
//!   `http::Response<B>` with `B: AsRef<[u8]>` (`Bytes`, `Vec<u8>`, `String`, …).

#![forbid(unsafe_code)]

mod decode;
mod encode;
mod error;
mod eval;
mod exchange;
#[cfg(feature = "http")]
mod http_adapter;
mod limits;
mod options;
mod owned;
mod path;
mod pointer;
mod raw;
mod session;
mod template;
mod value;
mod view;
mod workflow;

pub use error::{EvalError, ExchangeError, Part};
pub use eval::{CompiledExpression, evaluate};
pub use exchange::{Body, Exchange, FieldName, HeaderFields, Message, is_json_media_type};
#[cfg(feature = "http")]
pub use http_adapter::{HttpExchange, HttpMessage};
pub use limits::{MAX_HEADERS, MAX_JSON_DEPTH, MAX_RENDERED_LEN};
pub use options::RenderOptions;
pub use owned::{OwnedExchange, OwnedRequest, OwnedResponse};
pub use session::Session;
pub use template::CompiledTemplate;
pub use value::Value;
pub use workflow::WorkflowContext;

// The README's examples are run as doctests, so that what it shows keeps compiling and working.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
