//! Arazzo workflow documents: loading, lints, and Criterion Objects.
//!
//! [Arazzo] describes sequences of API calls (workflows of steps) over OpenAPI descriptions.
//! Its runtime expressions (`$steps.login.outputs.token`, `$inputs.username`,
//! `$response.body#/id`) and its Criterion Objects decide what a step sends and whether it
//! succeeded. This crate:
//!
//! - evaluates Criterion Objects ([`Criterion`]): `simple` conditions with a real grammar
//!   ([`Condition`]), `regex` (ECMA-262), `jsonpath` (RFC 9535) and `xpath` (1.0, 2.0, 3.0,
//!   3.1), with `{$…}` expressions embedded in the last three, against a [`Context`];
//! - reads a workflow's state from JSON ([`ContextFile`], the context file of
//!   `oas-callbacks criterion`), or evaluates against expr-eval's `WorkflowContext`;
//! - checks Arazzo documents ([`Document::check`]): every expression, expression string and
//!   criterion parses in the document's [`Dialect`], and what they name exists (earlier steps
//!   and their outputs, declared inputs, source descriptions and their operations, workflows,
//!   components), with `FILE:LINE:COL` diagnostics and the likely fix.
//!
//! ```
//! use arazzo::{Condition, Version};
//! use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};
//! use serde_json::json;
//!
//! let exchange = OwnedExchange::new(OwnedRequest::new("GET", "https://api.example/pets")?)
//!     .with_response(OwnedResponse::new(200)?.with_json_body(json!({"status": "Available", "items": [{"id": 7}]})));
//!
//! let condition = Condition::parse("$statusCode == 200 && $response.body#/status == 'available'", Version::V1_1)?;
//! assert!(condition.evaluate(&exchange)?);
//! // Navigation after a whole body: `.items[0].id` is `#/items/0/id`.
//! let condition = Condition::parse("$response.body.items[0].id >= '7'", Version::V1_1)?;
//! assert!(condition.evaluate(&exchange)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decisions where the specification is silent
//!
//! Arazzo 1.0.1 and 1.1.0 give the operators and literals of simple conditions but no grammar,
//! precedence or comparison rules for mixed types (specification issues #517, #518, #584).
//! This crate decides (DESIGN §8):
//!
//! - **Grammar** (see [`Condition`]): lowest `||`, then `&&`, then one comparison
//!   (`== != < <= > >=`, not chained: `a < b < c` is an error), then unary `!`, then
//!   primaries: literals, runtime expressions, parentheses. `!$a == 1` is `(!$a) == 1`.
//! - **Where an expression ends**: where its grammar ends in the document's dialect. `[n]`
//!   after an expression, and `.name` after `$request.body`, `$response.body`,
//!   `$message.payload` without a pointer or after a navigation step, navigate into its JSON
//!   value. Member names are letters, digits, `_` and `-`.
//! - **Literals**: `true`, `false`, `null` in lowercase only; numbers as JSON writes them (no
//!   `007`, `.5`, `+1`); strings in single quotes with `''` for a quote (double quotes are an
//!   error, as the specification says strings MUST use single quotes).
//! - **Comparisons**: strings case-insensitively (the specification's MUST), for `<` and `>`
//!   too; a number against a string that is a JSON number numerically (`'2' == 2`; `'007'`
//!   is not a number); two strings as strings (`'10' < '9'`); `null` equals only `null`, and
//!   any order comparison with `null` is false; booleans equal only booleans; objects and
//!   arrays by JSON equality and never ordered. Other pairs are unequal, and ordering them is a
//!   type error.
//! - **Values**: `&&`, `||` and `!` take booleans, and `null` as false; they evaluate their
//!   right operand only when needed. A condition's value must be a boolean or `null` (which
//!   fails): `42` is an evaluation error, not "truthy".
//! - **Missing values**: an expression that does not resolve (a missing header, a pointer to
//!   nothing) is an evaluation error, so the criterion fails and says why; it is never
//!   silently `null`.
//! - **`type: simple`** needs no `context` (open PR #499) and ignores one.
//! - **regex**: ECMA-262 syntax without flags, searched (unanchored) in the context value's
//!   text: a string as it is, any other value as compact JSON. **jsonpath**: RFC 9535, passes
//!   when the node list is not empty; `draft-goessner-dispatch-jsonpath-00` is read as RFC
//!   9535. **xpath**: the Effective Boolean Value of the version named (default 3.1) over an
//!   XML context. A context that evaluates to `null` fails the criterion.
//! - **Embedded expressions** in regex, JSONPath and XPath conditions: only `{$` opens one,
//!   and it ends at the first `}` (so `^2\d{2}$` keeps its quantifier); its value is
//!   substituted as text, without quoting.
//!
//! [Arazzo]: https://spec.openapis.org/arazzo/latest.html

mod check;
mod condition;
mod context;
mod context_file;
mod criterion;
mod document;
mod expression;
mod version;

pub use check::{Report, Unchecked, UncheckedReason};
pub use condition::{
    CompareOp, Condition, ConditionError, ConditionErrorKind, ConditionExpression, ConditionLimits,
};
pub use context::Context;
pub use context_file::{ContextFile, ContextFileError, Unresolved};
pub use criterion::{
    Criterion, CriterionError, CriterionType, EvaluationError, JsonPathVersion, Outcome,
    XPathVersion,
};
pub use document::{Document, is_arazzo};
pub use expression::Dialect;
pub use version::{UnsupportedVersion, Version};

/// The examples of the crate README, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
