//! Why a criterion could not be read, or could not be evaluated.

use std::fmt;

use crate::condition::ConditionError;

/// A Criterion Object that cannot be used at all: not an object, no `condition`, an unknown
/// `type` or `version`, a `context` or condition that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CriterionError {
    /// The criterion is not a JSON object.
    NotAnObject,
    /// A field has the wrong JSON type (`"condition": 200`).
    FieldType {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// `condition` is missing.
    MissingCondition,
    /// `type` names no condition type (`"type": "regexp"`).
    UnknownType {
        /// What was written.
        found: String,
    },
    /// An Expression Type Object's `version` is not one its type allows.
    UnknownVersion {
        /// `jsonpath` or `xpath`.
        kind: &'static str,
        /// What was written.
        found: String,
    },
    /// `regex`, `jsonpath` and `xpath` conditions need a `context`.
    MissingContext {
        /// The condition type.
        kind: &'static str,
    },
    /// `context` is not a runtime expression of the dialect.
    InvalidContext {
        /// The grammar's message.
        message: String,
    },
    /// A simple condition does not parse.
    Condition(ConditionError),
    /// An embedded `{$…}` expression of a regex, JSONPath or XPath condition does not parse.
    EmbeddedExpression {
        /// The byte offset of its `{` in the condition.
        offset: usize,
        /// The grammar's message.
        message: String,
    },
    /// A regex condition without embedded expressions does not compile (ECMA-262).
    Regex {
        /// The regex engine's message.
        message: String,
    },
    /// A JSONPath condition without embedded expressions does not parse (RFC 9535).
    JsonPath {
        /// The parser's message.
        message: String,
    },
    /// An XPath condition without embedded expressions does not parse.
    XPath {
        /// The XPath engine's message.
        message: String,
    },
}

impl fmt::Display for CriterionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CriterionError::NotAnObject => f.write_str("a Criterion Object is a JSON object"),
            CriterionError::FieldType { field, expected } => {
                write!(f, "`{field}` must be {expected}")
            }
            CriterionError::MissingCondition => f.write_str("the criterion has no `condition`"),
            CriterionError::UnknownType { found } => write!(
                f,
                "unknown condition type `{found}`: the types are simple, regex, jsonpath and xpath"
            ),
            CriterionError::UnknownVersion { kind, found } => write!(
                f,
                "unknown {kind} version `{found}`: {}",
                match *kind {
                    "jsonpath" => "rfc9535 or draft-goessner-dispatch-jsonpath-00",
                    _ => "xpath-31, xpath-30, xpath-20 or xpath-10",
                }
            ),
            CriterionError::MissingContext { kind } => {
                write!(
                    f,
                    "a {kind} condition needs a `context` (a runtime expression)"
                )
            }
            CriterionError::InvalidContext { message } => {
                write!(f, "`context` is not a runtime expression: {message}")
            }
            CriterionError::Condition(err) => write!(f, "{err}"),
            CriterionError::EmbeddedExpression { offset, message } => write!(
                f,
                "the expression embedded at byte {offset} of the condition does not parse: {message}"
            ),
            CriterionError::Regex { message } => {
                write!(f, "the regex does not compile (ECMA-262): {message}")
            }
            CriterionError::JsonPath { message } => {
                write!(f, "the JSONPath does not parse (RFC 9535): {message}")
            }
            CriterionError::XPath { message } => write!(f, "the XPath does not parse: {message}"),
        }
    }
}

impl std::error::Error for CriterionError {}

impl From<ConditionError> for CriterionError {
    fn from(err: ConditionError) -> Self {
        CriterionError::Condition(err)
    }
}

/// Why a criterion could not be evaluated. The criterion then fails (Arazzo 1.1.0: "the
/// condition MUST evaluate to fail"), and this says why.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EvaluationError {
    /// A runtime expression could not be resolved in the context.
    Unresolved {
        /// The expression, in canonical form.
        expression: String,
        /// Why (the context's message).
        reason: String,
    },
    /// Property navigation after an expression found nothing (`.count` of an array, `[3]` of
    /// a two-item array, `.x` of a text body).
    Navigation {
        /// The expression and its navigation up to the failing step.
        path: String,
        /// Why.
        reason: String,
    },
    /// An operator was given values it does not take (`&&` on a number, `<` on booleans).
    Type {
        /// The byte offset of the operation in the condition.
        offset: usize,
        /// What was wrong.
        message: String,
    },
    /// The condition's value is neither a boolean nor null.
    NotBoolean {
        /// The value, described.
        found: String,
    },
    /// The criterion itself is malformed (a syntax error, an unknown type).
    Criterion(CriterionError),
    /// The regex, JSONPath or XPath, after substitution of its embedded expressions, does not
    /// compile; or the engine failed while evaluating it.
    Query {
        /// `regex`, `jsonpath` or `xpath`.
        kind: &'static str,
        /// The condition after substitution.
        condition: String,
        /// The engine's message.
        message: String,
    },
    /// The context value cannot be queried this way (JSONPath over text that is not JSON,
    /// XPath over text that is not XML, a regex over an object).
    Context {
        /// Why.
        message: String,
    },
    /// This build has no engine for the condition type (`xpath` without the `xpath` feature).
    Unsupported {
        /// What is missing.
        message: String,
    },
}

impl fmt::Display for EvaluationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvaluationError::Unresolved { expression, reason } => {
                write!(f, "{expression} cannot be resolved: {reason}")
            }
            EvaluationError::Navigation { path, reason } => write!(f, "{path}: {reason}"),
            EvaluationError::Type { offset, message } => {
                write!(f, "{message} (at byte {offset} of the condition)")
            }
            EvaluationError::NotBoolean { found } => write!(
                f,
                "the condition's value is {found}, not a boolean (or null)"
            ),
            EvaluationError::Criterion(err) => write!(f, "{err}"),
            EvaluationError::Query {
                kind,
                condition,
                message,
            } => write!(f, "the {kind} `{condition}` cannot be evaluated: {message}"),
            EvaluationError::Context { message } => write!(f, "{message}"),
            EvaluationError::Unsupported { message } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for EvaluationError {}

impl From<CriterionError> for EvaluationError {
    fn from(err: CriterionError) -> Self {
        EvaluationError::Criterion(err)
    }
}
