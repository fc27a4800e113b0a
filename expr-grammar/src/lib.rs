//! Parser for OpenAPI runtime expressions.
//!
//! [Runtime expressions] are the small language that OpenAPI Callback Objects and Link Objects use
//! to compute values from an HTTP exchange at run time: `$url`, `$method`, `$statusCode`,
//! `$request.header.X`, `$request.query.x`, `$request.path.x`, `$request.body#/json/pointer` and
//! the same sources under `$response.`. Callback keys embed them in strings with `{}`:
//! `http://notify.example?id={$request.body#/id}`.
//!
//! This crate parses both forms into a typed syntax tree, with no I/O and no HTTP:
//!
//! - [`Expression`]: a string that is exactly one runtime expression (a Link Object parameter
//!   value such as `$request.path.id`);
//! - [`Template`]: a string with expressions embedded in `{}` (a callback key).
//!
//! ```
//! use expr_grammar::{Expression, Source, Template, Segment};
//!
//! let expr: Expression = "$request.body#/user/uuid".parse()?;
//! let Expression::Request(Source::Body(Some(pointer))) = &expr else { unreachable!() };
//! assert_eq!(pointer.as_str(), "/user/uuid");
//! assert_eq!(expr.to_string(), "$request.body#/user/uuid");
//!
//! let key = Template::parse("http://notify.example?id={$request.body#/id}")?;
//! assert_eq!(key.segments().len(), 2);
//! assert!(matches!(&key.segments()[0], Segment::Literal(text) if text == "http://notify.example?id="));
//! # Ok::<(), expr_grammar::ParseError>(())
//! ```
//!
//! Errors say where and what was expected:
//!
//! ```
//! let err = expr_grammar::Expression::parse("$request.headers.X").unwrap_err();
//! assert_eq!(err.offset(), 9);
//! assert_eq!(err.to_string(), "\
//! expected `header.`, `query.`, `path.` or `body` at line 1, column 10
//!   |
//! 1 | $request.headers.X
//!   |          ^");
//! ```
//!
//! # Decisions where the specification is silent
//!
//! The grammar is that of OpenAPI 3.0.3 through 3.2.0 (identical in meaning). Where the text
//! leaves room, this crate decides as follows:
//!
//! - Quoted ABNF literals are case-insensitive (RFC 5234 §2.3): `$URL` and `$Request.Header.Accept`
//!   are valid. [`Display`](std::fmt::Display) writes the specification's spelling.
//! - `name` (query and path parameters) is `*char` with `char` from RFC 8259: JSON string
//!   characters. Escapes (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX`, surrogate
//!   pairs) are decoded; a raw `"`, `\` or control character is an error; the empty name is valid.
//! - The body pointer is RFC 6901's string form; `#` is a separator, so nothing is
//!   percent-decoded. `$request.body#` is the empty pointer (the whole body).
//! - In a template, literal text cannot hold `{` or `}`, and an embedded expression ends at the
//!   first `}` (the rule Arazzo 1.1.0 adopted). `http://x/{id}` is an error, not a literal.
//!
//! [Runtime expressions]: https://spec.openapis.org/oas/v3.2.0.html#runtime-expressions

mod ast;
mod error;
mod escape;
mod parser;
#[cfg(feature = "serde")]
mod serde_impl;

pub use ast::{
    Expression, HeaderName, InvalidHeaderName, InvalidSegment, Segment, Source, Template,
};
pub use error::{ErrorKind, ParseError};
pub use jsonptr::{Pointer, PointerBuf, Token};

/// The maximum length in bytes of an expression or template accepted by the parsers.
///
/// Parsing is linear in the input, so this is not needed for speed; it bounds the memory a
/// hostile document can make the parser use. Longer inputs fail with [`ErrorKind::TooLong`].
pub const MAX_INPUT_LEN: usize = 16 * 1024 * 1024;
