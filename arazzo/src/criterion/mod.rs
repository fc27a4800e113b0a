//! Criterion Objects: a condition, its type, and the context it applies to.

mod embedded;
mod error;
mod jsonpath;
mod regex;
mod xpath;

use std::fmt;

use expr_grammar::Expression;
use serde_json::Value;

pub use error::{CriterionError, EvaluationError};

use crate::condition::Condition;
use crate::context::Context;
use crate::expression::{self, Dialect};
use embedded::Embedded;

/// The condition type of a criterion, with the version named by its Expression Type Object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CriterionType {
    /// `simple` (the default): literals, operators and runtime expressions.
    Simple,
    /// `regex`: an ECMA-262 regular expression searched in the context's text.
    Regex,
    /// `jsonpath`: passes when the query selects at least one node of the context.
    JsonPath(JsonPathVersion),
    /// `xpath`: passes when the Effective Boolean Value of the expression over the context
    /// (an XML document) is true.
    XPath(XPathVersion),
}

impl CriterionType {
    /// The `type` as written in a document.
    pub fn name(self) -> &'static str {
        match self {
            CriterionType::Simple => "simple",
            CriterionType::Regex => "regex",
            CriterionType::JsonPath(_) => "jsonpath",
            CriterionType::XPath(_) => "xpath",
        }
    }
}

/// The JSONPath versions an Expression Type Object names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum JsonPathVersion {
    /// `rfc9535` (the default).
    #[default]
    Rfc9535,
    /// `draft-goessner-dispatch-jsonpath-00`: the only name Arazzo 1.0.x allows; read as
    /// RFC 9535, which standardised it.
    DraftGoessner,
}

/// The XPath versions an Expression Type Object names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum XPathVersion {
    /// `xpath-31` (the default).
    #[default]
    XPath31,
    /// `xpath-30`.
    XPath30,
    /// `xpath-20`.
    XPath20,
    /// `xpath-10`.
    XPath10,
}

impl XPathVersion {
    /// The version as an Expression Type Object writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            XPathVersion::XPath31 => "xpath-31",
            XPathVersion::XPath30 => "xpath-30",
            XPathVersion::XPath20 => "xpath-20",
            XPathVersion::XPath10 => "xpath-10",
        }
    }
}

/// What evaluating a criterion gave.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// The condition holds.
    Pass,
    /// The condition does not hold (it is false or null, the regex does not match, the
    /// JSONPath selects nothing, the context is null).
    Fail,
    /// The condition could not be evaluated; the criterion fails, for this reason.
    Error(EvaluationError),
}

impl Outcome {
    /// Whether the criterion is satisfied (only [`Outcome::Pass`]).
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Pass)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Pass => f.write_str("pass"),
            Outcome::Fail => f.write_str("fail"),
            Outcome::Error(err) => write!(f, "fail: {err}"),
        }
    }
}

/// A Criterion Object, compiled: its condition parsed (a simple condition into its tree; a
/// regex, JSONPath or XPath compiled once when it embeds no expression), its context parsed.
///
/// ```
/// use arazzo::{Criterion, Outcome, Version};
/// use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};
/// use serde_json::json;
///
/// let exchange = OwnedExchange::new(OwnedRequest::new("GET", "https://api.example/pets")?)
///     .with_response(OwnedResponse::new(200)?.with_json_body(json!({"count": 3})));
///
/// let simple = Criterion::from_json(&json!({"condition": "$statusCode == 200 && $response.body#/count > 0"}), Version::V1_1)?;
/// assert_eq!(simple.evaluate(&exchange), Outcome::Pass);
///
/// let regex = Criterion::from_json(&json!({"context": "$statusCode", "condition": "^2\\d{2}$", "type": "regex"}), Version::V1_1)?;
/// assert!(regex.evaluate(&exchange).passed());
///
/// let jsonpath = Criterion::from_json(&json!({"context": "$response.body", "condition": "$[?@.count > 5]", "type": "jsonpath"}), Version::V1_1)?;
/// assert_eq!(jsonpath.evaluate(&exchange), Outcome::Fail);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Criterion {
    context: Option<Expression>,
    kind: CriterionType,
    condition_text: String,
    condition: Compiled,
}

#[derive(Debug, Clone)]
enum Compiled {
    Simple(Condition),
    Query(QueryKind),
}

#[derive(Debug, Clone)]
enum QueryKind {
    Regex(Query<regex::Pattern>),
    JsonPath(Query<jsonpath::Path>),
    XPath(Query<xpath::Source>),
}

/// A query compiled once, or one that embeds expressions and is compiled at each evaluation.
#[derive(Debug, Clone)]
enum Query<T> {
    Fixed(T),
    Embedding(Embedded),
}

impl Criterion {
    /// Reads a Criterion Object (`condition`, optional `context` and `type`, which is a string
    /// or an Expression Type Object) and compiles it, reading its runtime expressions with the
    /// dialect `dialect` (a document's [`Version`](crate::Version) or a [`Dialect`]).
    pub fn from_json(value: &Value, dialect: impl Into<Dialect>) -> Result<Self, CriterionError> {
        let dialect = dialect.into();
        let object = value.as_object().ok_or(CriterionError::NotAnObject)?;
        let condition = match object.get("condition") {
            None => return Err(CriterionError::MissingCondition),
            Some(Value::String(text)) => text.as_str(),
            Some(_) => {
                return Err(CriterionError::FieldType {
                    field: "condition",
                    expected: "a string",
                });
            }
        };
        let context = match object.get("context") {
            None => None,
            Some(Value::String(text)) => Some(text.as_str()),
            Some(_) => {
                return Err(CriterionError::FieldType {
                    field: "context",
                    expected: "a string (a runtime expression)",
                });
            }
        };
        let kind = match object.get("type") {
            None => CriterionType::Simple,
            Some(kind) => criterion_type(kind)?,
        };
        Criterion::new(condition, kind, context, dialect)
    }

    /// Reads a Criterion Object from JSON text.
    pub fn from_json_str(text: &str, dialect: impl Into<Dialect>) -> Result<Self, CriterionError> {
        let value: Value = serde_json::from_str(text).map_err(|_| CriterionError::NotAnObject)?;
        Criterion::from_json(&value, dialect)
    }

    /// Compiles a criterion from its parts.
    ///
    /// A `simple` criterion needs no `context` and ignores one (its condition names what it
    /// reads); `regex`, `jsonpath` and `xpath` criteria need one.
    pub fn new(
        condition: &str,
        kind: CriterionType,
        context: Option<&str>,
        dialect: impl Into<Dialect>,
    ) -> Result<Self, CriterionError> {
        let dialect = dialect.into();
        let context = context
            .map(|text| {
                expression::parse_whole(text, dialect).map_err(|err| {
                    CriterionError::InvalidContext {
                        message: err.message(),
                    }
                })
            })
            .transpose()?;
        if context.is_none() && kind != CriterionType::Simple {
            return Err(CriterionError::MissingContext { kind: kind.name() });
        }
        let compiled = match kind {
            CriterionType::Simple => Compiled::Simple(Condition::parse(condition, dialect)?),
            CriterionType::Regex => {
                Compiled::Query(QueryKind::Regex(query(condition, dialect, |text| {
                    regex::Pattern::compile(text)
                        .map_err(|message| CriterionError::Regex { message })
                })?))
            }
            CriterionType::JsonPath(_) => {
                Compiled::Query(QueryKind::JsonPath(query(condition, dialect, |text| {
                    jsonpath::Path::compile(text)
                        .map_err(|message| CriterionError::JsonPath { message })
                })?))
            }
            CriterionType::XPath(version) => {
                Compiled::Query(QueryKind::XPath(query(condition, dialect, |text| {
                    xpath::Source::compile(text, version)
                        .map_err(|message| CriterionError::XPath { message })
                })?))
            }
        };
        Ok(Criterion {
            context,
            kind,
            condition_text: condition.to_owned(),
            condition: compiled,
        })
    }

    /// The condition type.
    pub fn kind(&self) -> CriterionType {
        self.kind
    }

    /// The context expression, when there is one.
    pub fn context(&self) -> Option<&Expression> {
        self.context.as_ref()
    }

    /// The simple condition, for a `simple` criterion.
    pub fn simple_condition(&self) -> Option<&Condition> {
        match &self.condition {
            Compiled::Simple(condition) => Some(condition),
            _ => None,
        }
    }

    /// The expressions embedded in a regex, JSONPath or XPath condition (`{$…}`), each with
    /// the byte range of its braces in the condition.
    pub fn embedded_expressions(&self) -> Vec<(&Expression, std::ops::Range<usize>)> {
        let embedded = match &self.condition {
            Compiled::Simple(_) => return Vec::new(),
            Compiled::Query(QueryKind::Regex(query)) => query.embedded(),
            Compiled::Query(QueryKind::JsonPath(query)) => query.embedded(),
            Compiled::Query(QueryKind::XPath(query)) => query.embedded(),
        };
        embedded.map_or_else(Vec::new, |e| e.expressions().collect())
    }

    /// Evaluates the criterion against `context`.
    pub fn evaluate<C: Context + ?Sized>(&self, context: &C) -> Outcome {
        match self.try_evaluate(context) {
            Ok(true) => Outcome::Pass,
            Ok(false) => Outcome::Fail,
            Err(err) => Outcome::Error(err),
        }
    }

    fn try_evaluate<C: Context + ?Sized>(&self, context: &C) -> Result<bool, EvaluationError> {
        let query = match &self.condition {
            Compiled::Simple(condition) => return condition.evaluate(context),
            Compiled::Query(query) => query,
        };
        let Some(context_expression) = &self.context else {
            return Err(CriterionError::MissingContext {
                kind: self.kind.name(),
            }
            .into());
        };
        let value =
            context
                .evaluate(context_expression)
                .map_err(|err| EvaluationError::Unresolved {
                    expression: context_expression.to_string(),
                    reason: err.to_string(),
                })?;
        // "If the context evaluates to null or undefined, the condition MUST evaluate to fail."
        if matches!(value, expr_eval::Value::Json(Value::Null)) {
            return Ok(false);
        }
        match query {
            QueryKind::Regex(query) => {
                let text = value.to_string();
                query.with(
                    context,
                    "regex",
                    &self.condition_text,
                    regex::Pattern::compile,
                    |pattern| Ok(pattern.is_found_in(&text)),
                )
            }
            QueryKind::JsonPath(query) => {
                let parsed;
                let root = match &value {
                    expr_eval::Value::Json(json) => *json,
                    expr_eval::Value::Str(text) => {
                        parsed = serde_json::from_str::<Value>(text).map_err(|err| {
                            EvaluationError::Context {
                                message: format!(
                                    "a JSONPath condition needs a JSON context; {context_expression} is text that is not JSON ({err})"
                                ),
                            }
                        })?;
                        &parsed
                    }
                    other => {
                        parsed = other.to_json();
                        &parsed
                    }
                };
                query.with(
                    context,
                    "jsonpath",
                    &self.condition_text,
                    jsonpath::Path::compile,
                    |path| Ok(path.selects_in(root)),
                )
            }
            QueryKind::XPath(query) => {
                let Some(xml) = value.as_str() else {
                    return Err(EvaluationError::Context {
                        message: format!(
                            "an XPath condition needs an XML document as its context; {context_expression} is not text"
                        ),
                    });
                };
                let version = match self.kind {
                    CriterionType::XPath(version) => version,
                    _ => XPathVersion::default(),
                };
                query.with(
                    context,
                    "xpath",
                    &self.condition_text,
                    |text| xpath::Source::compile(text, version),
                    |source| source.evaluate(xml),
                )
            }
        }
    }

    /// The condition as written.
    pub fn condition(&self) -> &str {
        &self.condition_text
    }
}

fn query<T>(
    condition: &str,
    dialect: Dialect,
    compile: impl FnOnce(&str) -> Result<T, CriterionError>,
) -> Result<Query<T>, CriterionError> {
    match Embedded::parse(condition, dialect)? {
        Some(embedded) => Ok(Query::Embedding(embedded)),
        None => compile(condition).map(Query::Fixed),
    }
}

impl<T> Query<T> {
    fn embedded(&self) -> Option<&Embedded> {
        match self {
            Query::Fixed(_) => None,
            Query::Embedding(embedded) => Some(embedded),
        }
    }

    /// Runs `run` on the compiled query: the fixed one, or the one compiled from the
    /// condition after substitution.
    fn with<C: Context + ?Sized>(
        &self,
        context: &C,
        kind: &'static str,
        written: &str,
        compile: impl FnOnce(&str) -> Result<T, String>,
        run: impl FnOnce(&T) -> Result<bool, RunError>,
    ) -> Result<bool, EvaluationError> {
        match self {
            Query::Fixed(compiled) => run(compiled).map_err(|err| err.into_error(kind, written)),
            Query::Embedding(embedded) => {
                let text = embedded.render(context)?;
                let compiled = compile(&text).map_err(|message| EvaluationError::Query {
                    kind,
                    condition: text.clone(),
                    message,
                })?;
                run(&compiled).map_err(|err| err.into_error(kind, &text))
            }
        }
    }
}

/// Why a compiled query could not be run.
#[derive(Debug)]
pub(crate) enum RunError {
    /// The context cannot be queried this way (XPath over text that is not XML).
    #[cfg_attr(not(feature = "xpath"), allow(dead_code))]
    Context(String),
    /// The engine failed on the query.
    Query(String),
    /// This build has no engine for the query.
    #[cfg_attr(feature = "xpath", allow(dead_code))]
    Unsupported(String),
}

impl RunError {
    fn into_error(self, kind: &'static str, condition: &str) -> EvaluationError {
        match self {
            RunError::Context(message) => EvaluationError::Context { message },
            RunError::Query(message) => EvaluationError::Query {
                kind,
                condition: condition.to_owned(),
                message,
            },
            RunError::Unsupported(message) => EvaluationError::Unsupported { message },
        }
    }
}

fn criterion_type(kind: &Value) -> Result<CriterionType, CriterionError> {
    let (name, version) = match kind {
        Value::String(name) => (name.as_str(), None),
        Value::Object(object) => {
            let name = match object.get("type") {
                Some(Value::String(name)) => name.as_str(),
                _ => {
                    return Err(CriterionError::FieldType {
                        field: "type.type",
                        expected: "`jsonpath` or `xpath`",
                    });
                }
            };
            let version = match object.get("version") {
                Some(Value::String(version)) => Some(version.as_str()),
                None => None,
                Some(_) => {
                    return Err(CriterionError::FieldType {
                        field: "type.version",
                        expected: "a string",
                    });
                }
            };
            (name, version)
        }
        _ => {
            return Err(CriterionError::FieldType {
                field: "type",
                expected: "a string or an Expression Type Object",
            });
        }
    };
    let unknown_version = |kind: &'static str, found: &str| CriterionError::UnknownVersion {
        kind,
        found: found.to_owned(),
    };
    match (name, version, kind.is_object()) {
        ("simple", None, false) => Ok(CriterionType::Simple),
        ("regex", None, false) => Ok(CriterionType::Regex),
        ("jsonpath", version, _) => Ok(CriterionType::JsonPath(match version {
            None | Some("rfc9535") => JsonPathVersion::Rfc9535,
            Some("draft-goessner-dispatch-jsonpath-00") => JsonPathVersion::DraftGoessner,
            Some(other) => return Err(unknown_version("jsonpath", other)),
        })),
        ("xpath", version, _) => Ok(CriterionType::XPath(match version {
            None | Some("xpath-31") => XPathVersion::XPath31,
            Some("xpath-30") => XPathVersion::XPath30,
            Some("xpath-20") => XPathVersion::XPath20,
            Some("xpath-10") => XPathVersion::XPath10,
            Some(other) => return Err(unknown_version("xpath", other)),
        })),
        (other, _, _) => Err(CriterionError::UnknownType {
            found: other.to_owned(),
        }),
    }
}
