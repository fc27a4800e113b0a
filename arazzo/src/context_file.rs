//! A workflow's state as data: the context file of `oas-callbacks criterion` (DESIGN §8), and
//! what a test or a tool evaluates criteria against without running a workflow.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use expr_eval::Value as EvalValue;
use expr_grammar::{Expression, JsonPointer, Reference, Source, WorkflowField};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::context::Context;

/// The values a running workflow gives its runtime expressions, read from JSON:
///
/// ```json
/// {"url": "https://api.example/pets?limit=2", "method": "GET", "statusCode": 200,
///  "request": {"headers": {"Accept": "application/json"}, "query": {"limit": "2"},
///              "path": {"petId": "7"}, "body": null},
///  "response": {"headers": {"Content-Type": "application/json"}, "body": {"count": 3}},
///  "message": {"headers": {}, "payload": {}},
///  "inputs": {"username": "ada"}, "outputs": {},
///  "steps": {"login": {"outputs": {"token": "abc"}}},
///  "workflows": {"other": {"inputs": {}, "outputs": {"id": 1}}}}
/// ```
///
/// Every member is optional; an expression that reads a missing one does not resolve (the
/// error says which). Unknown members are an error, so a misspelt one is not silently ignored.
/// Header names match case-insensitively; a header's value is a string, or an array of strings
/// of which the first is read (the specification's "single header values only").
///
/// ```
/// use arazzo::{Criterion, Outcome, Version, ContextFile};
///
/// let context = ContextFile::from_json_str(
///     r#"{"statusCode": 200, "response": {"body": {"count": 3}}}"#,
/// )?;
/// let criterion = Criterion::from_json_str(
///     r#"{"condition": "$statusCode == 200 && $response.body#/count > 0"}"#,
///     Version::V1_1,
/// )?;
/// assert_eq!(criterion.evaluate(&context), Outcome::Pass);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContextFile {
    url: Option<String>,
    method: Option<String>,
    status_code: Option<u16>,
    request: Option<RequestParts>,
    response: Option<ResponseParts>,
    message: Option<MessageParts>,
    inputs: Option<Map<String, Value>>,
    outputs: Option<Map<String, Value>>,
    #[serde(default)]
    steps: BTreeMap<String, StepState>,
    #[serde(default)]
    workflows: BTreeMap<String, WorkflowState>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestParts {
    #[serde(default)]
    headers: Headers,
    query: Option<Map<String, Value>>,
    path: Option<Map<String, Value>>,
    body: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseParts {
    #[serde(default)]
    headers: Headers,
    body: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageParts {
    #[serde(default)]
    headers: Headers,
    payload: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepState {
    outputs: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkflowState {
    inputs: Option<Map<String, Value>>,
    outputs: Option<Map<String, Value>>,
}

/// Header fields in the order written: an object of strings (or arrays of strings).
#[derive(Debug, Clone, Default)]
struct Headers(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum FieldValue {
            One(String),
            Many(Vec<String>),
        }
        let fields: Vec<(String, FieldValue)> = Map::<String, Value>::deserialize(deserializer)?
            .into_iter()
            .map(|(name, value)| {
                FieldValue::deserialize(value)
                    .map(|value| (name.clone(), value))
                    .map_err(|_| {
                        serde::de::Error::custom(format!(
                            "header `{name}`: expected a string or an array of strings"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        let mut headers = Vec::with_capacity(fields.len());
        for (name, value) in fields {
            match value {
                FieldValue::One(text) => headers.push((name, text)),
                FieldValue::Many(texts) => {
                    headers.extend(texts.into_iter().map(|text| (name.clone(), text)));
                }
            }
        }
        Ok(Headers(headers))
    }
}

impl Headers {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Why a context file cannot be read.
#[derive(Debug)]
pub struct ContextFileError {
    message: String,
}

impl fmt::Display for ContextFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a workflow context: {}", self.message)
    }
}

impl std::error::Error for ContextFileError {}

/// Why an expression does not resolve in a [`ContextFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    reason: String,
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Unresolved {}

fn missing(reason: impl Into<String>) -> Unresolved {
    Unresolved {
        reason: reason.into(),
    }
}

impl ContextFile {
    /// Reads a context from its JSON text.
    pub fn from_json_str(text: &str) -> Result<Self, ContextFileError> {
        serde_json::from_str(text).map_err(|err| ContextFileError {
            message: err.to_string(),
        })
    }

    /// Reads a context from a JSON value.
    pub fn from_json(value: Value) -> Result<Self, ContextFileError> {
        serde_json::from_value(value).map_err(|err| ContextFileError {
            message: err.to_string(),
        })
    }

    fn source<'a>(
        &'a self,
        source: &Source,
        part: Part,
        headers: Option<&'a Headers>,
        query: Option<&'a Map<String, Value>>,
        path: Option<&'a Map<String, Value>>,
        body: Option<&'a Value>,
    ) -> Result<EvalValue<'a>, Unresolved> {
        let part_name = part.name();
        match source {
            Source::Header(name) => headers
                .and_then(|headers| headers.get(name.as_str()))
                .map(|text| EvalValue::Str(Cow::Borrowed(text)))
                .ok_or_else(|| {
                    missing(format!("the {part_name} has no header `{}`", name.as_str()))
                }),
            Source::Query(name) => query
                .and_then(|query| query.get(name))
                .map(text_or_json)
                .ok_or_else(|| missing(format!("the {part_name} has no query parameter `{name}`"))),
            Source::Path(name) => path
                .and_then(|path| path.get(name))
                .map(text_or_json)
                .ok_or_else(|| missing(format!("the {part_name} has no path parameter `{name}`"))),
            Source::Body(pointer) => {
                let body = body.ok_or_else(|| missing(format!("the {part_name} has no body")))?;
                at_pointer(body, pointer.as_ref(), || format!("the {part_name} body"))
            }
            other => Err(missing(format!(
                "the context has no value for `{other:?}` of the {part_name}"
            ))),
        }
    }
}

#[derive(Clone, Copy)]
enum Part {
    Request,
    Response,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Request => "request",
            Part::Response => "response",
        }
    }
}

/// A string as text (as a header or parameter value is); any other JSON value as JSON.
fn text_or_json(value: &Value) -> EvalValue<'_> {
    match value {
        Value::String(text) => EvalValue::Str(Cow::Borrowed(text)),
        other => EvalValue::Json(other),
    }
}

/// The value at `pointer` in `value` (all of it without a pointer).
fn at_pointer<'a>(
    value: &'a Value,
    pointer: Option<&JsonPointer>,
    what: impl Fn() -> String,
) -> Result<EvalValue<'a>, Unresolved> {
    match pointer {
        None => Ok(EvalValue::Json(value)),
        Some(pointer) => value
            .pointer(pointer.as_str())
            .map(EvalValue::Json)
            .ok_or_else(|| {
                missing(format!(
                    "{} has no value at `#{}`",
                    what(),
                    pointer.as_str()
                ))
            }),
    }
}

impl Context for ContextFile {
    type Error = Unresolved;

    fn evaluate(&self, expression: &Expression) -> Result<EvalValue<'_>, Unresolved> {
        match expression {
            Expression::Url => self
                .url
                .as_deref()
                .map(|url| EvalValue::Str(Cow::Borrowed(url)))
                .ok_or_else(|| missing("the context has no `url`")),
            Expression::Method => self
                .method
                .as_deref()
                .map(|method| EvalValue::Str(Cow::Borrowed(method)))
                .ok_or_else(|| missing("the context has no `method`")),
            Expression::StatusCode => self
                .status_code
                .map(EvalValue::Int)
                .ok_or_else(|| missing("the context has no `statusCode`")),
            Expression::Request(source) => {
                let request = self
                    .request
                    .as_ref()
                    .ok_or_else(|| missing("the context has no `request`"))?;
                self.source(
                    source,
                    Part::Request,
                    Some(&request.headers),
                    request.query.as_ref(),
                    request.path.as_ref(),
                    request.body.as_ref(),
                )
            }
            Expression::Response(source) => {
                let response = self
                    .response
                    .as_ref()
                    .ok_or_else(|| missing("the context has no `response`"))?;
                self.source(
                    source,
                    Part::Response,
                    Some(&response.headers),
                    None,
                    None,
                    response.body.as_ref(),
                )
            }
            Expression::Message(source) => {
                let message = self
                    .message
                    .as_ref()
                    .ok_or_else(|| missing("the context has no `message`"))?;
                match source {
                    Source::Header(name) => message
                        .headers
                        .get(name.as_str())
                        .map(|text| EvalValue::Str(Cow::Borrowed(text)))
                        .ok_or_else(|| {
                            missing(format!("the message has no header `{}`", name.as_str()))
                        }),
                    Source::Payload(pointer) | Source::Body(pointer) => {
                        let payload = message
                            .payload
                            .as_ref()
                            .ok_or_else(|| missing("the message has no payload"))?;
                        at_pointer(payload, pointer.as_ref(), || {
                            "the message payload".to_owned()
                        })
                    }
                    other => Err(missing(format!("a message has no `{other:?}`"))),
                }
            }
            Expression::Inputs(reference) => named(
                self.inputs.as_ref(),
                reference,
                || "the context has no `inputs`".to_owned(),
                "the workflow has no input",
            ),
            Expression::Outputs(reference) => named(
                self.outputs.as_ref(),
                reference,
                || "the context has no `outputs`".to_owned(),
                "the workflow has no output",
            ),
            Expression::Steps(step) => {
                let id = step.step_id();
                let state = self
                    .steps
                    .get(id)
                    .ok_or_else(|| missing(format!("the context has no step `{id}`")))?;
                named(
                    state.outputs.as_ref(),
                    step.output(),
                    || format!("step `{id}` has no `outputs`"),
                    &format!("step `{id}` has no output"),
                )
            }
            Expression::Workflows(workflow) => {
                let id = workflow.workflow_id();
                let state = self
                    .workflows
                    .get(id)
                    .ok_or_else(|| missing(format!("the context has no workflow `{id}`")))?;
                let (values, field) = match workflow.field() {
                    WorkflowField::Inputs => (state.inputs.as_ref(), "inputs"),
                    _ => (state.outputs.as_ref(), "outputs"),
                };
                named(
                    values,
                    workflow.value(),
                    || format!("workflow `{id}` has no `{field}`"),
                    &format!("workflow `{id}` has no {}", field.trim_end_matches('s')),
                )
            }
            other => Err(missing(format!(
                "`{other}` is not part of a workflow context (it names the document: source descriptions, components, $self)"
            ))),
        }
    }
}

/// The value of `reference` (a name and an optional pointer) among `values`.
fn named<'a>(
    values: Option<&'a Map<String, Value>>,
    reference: &Reference,
    absent: impl Fn() -> String,
    no_such: &str,
) -> Result<EvalValue<'a>, Unresolved> {
    let values = values.ok_or_else(|| missing(absent()))?;
    let name = reference.name();
    let value = values
        .get(name)
        .ok_or_else(|| missing(format!("{no_such} `{name}`")))?;
    at_pointer(value, reference.pointer(), || format!("`{name}`"))
}
