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
//! # Arazzo
//!
//! [Arazzo] workflows use the same expressions and more: `$inputs.`, `$outputs.`, `$steps.`,
//! `$workflows.`, `$sourceDescriptions.`, `$components.`, and in 1.1.0 `$message.`, the
//! `payload` source and `$self`. Each version's grammar is a [`Dialect`];
//! [`Expression::parse_in`], [`Template::parse_in`] (an Arazzo *expression string*) and
//! [`Expression::parse_prefix`] (the expression at the start of a condition operand) take one.
//! The trees are the same types as OpenAPI's, with the Arazzo variants of [`Expression`].
//!
//! ```
//! use expr_grammar::{Dialect, Expression, Template};
//!
//! let dialect = Dialect::for_arazzo_version("1.1.0").unwrap_or_default();
//! let expr = Expression::parse_in("$steps.getPet.outputs.pets#/0/id", dialect)?;
//! let Expression::Steps(step) = &expr else { unreachable!() };
//! assert_eq!((step.step_id(), step.output().name()), ("getPet", "pets"));
//!
//! let path = Template::parse_in("{$sourceDescriptions.petStore.url}#/paths/~1pet/get", dialect)?;
//! assert_eq!(path.expressions().count(), 1);
//!
//! let (expr, len) = Expression::parse_prefix("$statusCode == 200", dialect)?;
//! assert_eq!((expr, len), (Expression::StatusCode, 11));
//! # Ok::<(), expr_grammar::ParseError>(())
//! ```
//!
//! Decisions where the Arazzo text is silent (DESIGN §8):
//!
//! - Dialects: `openapi` (the default), `arazzo-1.0.0` (1.0.1 and `$message.`, which 1.0.1
//!   removed), `arazzo-1.0.1`, `arazzo-1.1.0`. A document's `arazzo` field picks one with
//!   [`Dialect::for_arazzo_version`]: 1.0.x reads the 1.0.1 grammar, 1.1.x the 1.1.0 one.
//! - Quoted literals are case-insensitive in every version (`$STEPS.s.OUTPUTS.o`), as RFC 5234
//!   says; `Display` writes the specification's spelling.
//! - Arazzo 1.0.x never defines its `CHAR`; it is read as the JSON string `char` that OpenAPI and
//!   Arazzo 1.1.0 cite (escapes decoded, raw `"`, `\` and control characters refused), not as
//!   RFC 5234's 7-bit `CHAR`.
//! - Arazzo 1.0.x gives `$inputs.`, `$steps.`, … a free-form `name` only. Its examples, and
//!   1.1.0's grammar, read it in a structure (`$steps.<id>.outputs.<name>#<pointer>`), so a
//!   1.0.x name that has that structure builds the same tree as in 1.1.0 ([`Expression::Steps`],
//!   …); one that does not (`$steps.someStep.pets`, `$components.inputs.x`, `$inputs.`) is
//!   valid in 1.0.x and kept whole ([`Expression::Unstructured`]), so that a linter can say
//!   what is missing. A pointer part that would need escapes in a 1.0.x name (`"`, `\`, a
//!   control character, `{`, `}`) keeps the name whole too.
//! - Dots belong to identifiers: `$inputs.customer.uri` is the input `customer.uri`; the member
//!   `uri` of the input `customer` is `$inputs.customer#/uri`.
//! - Expression strings in every dialect have the structure of 1.1.0's `expression-string`:
//!   literal text holds no `{` or `}`, an embedded expression ends at the first `}`. There is
//!   no escape for a literal brace (the specification has none), so a JSON text with embedded
//!   expressions is not an expression string.
//! - `$workflows.<id>.steps.<stepId>`, which 1.1.0's `dependsOn` prose uses but its grammar
//!   lacks (issue #557), is not an expression.
//! - In 1.1.0 a raw `{` or `}` is an error everywhere in a bare expression, as the grammar says;
//!   a name writes them `\u007b` and `\u007d` ([`Expression::canonical_in`]). The reference
//!   of `$sourceDescriptions.` and the names of [`Expression::Unstructured`] are always written
//!   that way, so that their canonical form is valid in every Arazzo dialect.
//!
//! # API conventions
//!
//! Errors are types of this crate named for what failed ([`ParseError`], [`InvalidHeaderName`],
//! [`InvalidPointer`], [`InvalidSegment`]); public enums and structs with public fields are
//! `#[non_exhaustive]`; no type of another crate appears in the API, so that a new release of a
//! dependency is never a breaking change here. In particular the body pointer is a
//! [`JsonPointer`] of this crate, not a `jsonptr` pointer: `jsonptr` checks, stores and decodes
//! it (it does that well), but it is before 1.0 and its minor versions have changed its API, so
//! re-exporting its types would tie every caller to one `jsonptr` version. [`JsonPointer`] has
//! the accessors callers use: [`as_str`](JsonPointer::as_str),
//! [`tokens`](JsonPointer::tokens) (each [encoded](ReferenceToken::encoded),
//! [decoded](ReferenceToken::decoded), as an [array index](ReferenceToken::array_index)) and
//! [`from_tokens`](JsonPointer::from_tokens); a caller that resolves pointers with `jsonptr`
//! itself reads the pointer from its string form.
//!
//! # Features
//!
//! - `serde`: [`Expression`] and [`Template`] serialize as their canonical string and
//!   deserialize by parsing one.
//! - `differential`: the module `differential`, each of the two readers below on its own (for
//!   the project's differential tests and fuzz target).
//!
//! # How input is read
//!
//! The pest grammar (`runtime_expression.pest`, written rule for rule next to the
//! specification's ABNF) is the definition of the language. Valid input, the common case, is
//! read by a small hand-written reader that follows the same rules without pest's bookkeeping;
//! whatever it does not accept goes to the grammar, which produces every error. The two are
//! tied together by tests, not by trust: a differential property test and fuzz target check
//! that whatever one accepts the other accepts with the same tree, every conformance case runs
//! through both, and the one table of keywords that the fast reader, the error messages and
//! `Display` use is checked against the grammar file.
//!
//! [Runtime expressions]: https://spec.openapis.org/oas/v3.2.0.html#runtime-expressions
//! [Arazzo]: https://spec.openapis.org/arazzo/v1.1.0.html#runtime-expressions

mod ast;
mod canonical;
mod chars;
mod dialect;
#[cfg(feature = "differential")]
pub mod differential;
mod error;
mod error_words;
mod escape;
mod fast;
mod fast_prefix;
mod grammar;
mod header_name;
mod keywords;
mod limits;
mod parse;
mod pointer;
mod reference;
#[cfg(feature = "serde")]
mod serde_impl;
mod template;
mod walk;

pub use ast::{Expression, Source};
pub use dialect::{Dialect, UnknownDialect};
pub use error::{ErrorKind, ParseError};
pub use header_name::{HeaderName, InvalidHeaderName};
pub use limits::{MAX_INPUT_LEN, ParseLimits};
pub use pointer::{InvalidPointer, JsonPointer, ReferenceToken, ReferenceTokens};
pub use reference::{
    ComponentKind, ComponentReference, Family, InvalidReference, Reference,
    SourceDescriptionReference, StepReference, UnstructuredName, WorkflowField, WorkflowReference,
};
pub use template::{InvalidSegment, Segment, Template};

// The README's examples are run as doctests, so that what it shows keeps compiling and working.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
