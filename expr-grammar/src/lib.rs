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

/// The maximum length in bytes of an expression or template accepted by [`Expression::parse`]
/// and [`Template::parse`]: the default of [`ParseLimits::max_len`].
///
/// Parsing is linear in the input, so this is not needed for speed; it bounds the memory a
/// hostile document can make the parser use. Longer inputs fail with [`ErrorKind::TooLong`].
/// [`Expression::parse_with`] and [`Template::parse_with`] take another limit.
pub const MAX_INPUT_LEN: usize = 16 * 1024 * 1024;

/// The limits of one parse: [`Expression::parse_with`], [`Template::parse_with`].
///
/// ```
/// use expr_grammar::{ErrorKind, Expression, ParseLimits, Template, MAX_INPUT_LEN};
///
/// assert_eq!(ParseLimits::default().max_len, MAX_INPUT_LEN);
/// let limits = ParseLimits::default().with_max_len(16);
/// assert!(Expression::parse_with("$request.body#/id", &limits).is_err());
/// let err = Template::parse_with("https://example.org/{$request.body#/id}", &limits).unwrap_err();
/// assert_eq!(err.kind(), &ErrorKind::TooLong { limit: 16 });
/// assert_eq!(err.message(), "input is longer than the limit of 16 bytes (ParseLimits::max_len)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ParseLimits {
    /// The longest input accepted, in bytes (default [`MAX_INPUT_LEN`], 16 MiB). A longer
    /// input fails with [`ErrorKind::TooLong`] before anything is parsed.
    pub max_len: usize,
}

impl ParseLimits {
    /// The default limits.
    pub const fn new() -> Self {
        ParseLimits {
            max_len: MAX_INPUT_LEN,
        }
    }

    /// The same limits with another maximum length in bytes.
    pub const fn with_max_len(self, max_len: usize) -> Self {
        ParseLimits { max_len }
    }
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits::new()
    }
}
