//! [`WorkflowContext`]: what an Arazzo workflow's expressions read besides the HTTP exchange of
//! the current step (the workflow's inputs and outputs, earlier steps' outputs, other
//! workflows, components, source descriptions, the message of an asynchronous step, `$self`).

use std::borrow::Cow;
use std::collections::HashMap;

use expr_grammar::{
    ComponentKind, Expression, JsonPointer, Reference, Source, Template, WorkflowField,
};

use crate::encode::{Full, Sink};
use crate::error::EvalError;
use crate::eval::evaluate;
use crate::exchange::{Body, Exchange, FieldName, Message};
use crate::limits::MAX_RENDERED_LEN;
use crate::owned::OwnedExchange;
use crate::pointer::{steps, walk};
use crate::value::Value;

/// The values an Arazzo expression is evaluated against, all borrowed: the current step's HTTP
/// exchange (`$url`, `$method`, `$statusCode`, `$request.…`, `$response.…`), its message
/// (`$message.…`), the workflow's `$inputs` and `$outputs`, the outputs of earlier steps
/// (`$steps.<id>.outputs.<name>`), the inputs and outputs of other workflows
/// (`$workflows.<id>.inputs.<name>`), the document's `components` (`$components.…`), its source
/// descriptions (`$sourceDescriptions.<name>.<field>`) and its URI (`$self`).
///
/// Values follow Arazzo 1.1.0: a pointer after a name (`$inputs.customer#/address/city`) reads
/// into that value; in an expression string ([`render`](WorkflowContext::render)) scalars are
/// written as text and objects and arrays as JSON. A value the context does not hold is an error
/// that names the expression, never an empty string.
///
/// ```
/// use expr_eval::WorkflowContext;
/// use expr_grammar::{Dialect, Expression, Template};
/// use serde_json::json;
///
/// let inputs = json!({"customer": {"name": "Ada", "address": {"city": "London"}}});
/// let pets = json!({"pets": [{"id": 7}, {"id": 9}]});
/// let context = WorkflowContext::new()
///     .with_inputs(&inputs)
///     .with_step_outputs("findPets", &pets);
///
/// let city = Expression::parse_in("$inputs.customer#/address/city", Dialect::Arazzo1_1_0)?;
/// assert_eq!(context.evaluate(&city)?, "London");
/// let first = Expression::parse_in("$steps.findPets.outputs.pets#/0/id", Dialect::Arazzo1_1_0)?;
/// assert_eq!(context.evaluate(&first)?, json!(7));
///
/// let text = Template::parse_in(
///     "Dear {$inputs.customer#/name}, pets {$steps.findPets.outputs.pets}",
///     Dialect::Arazzo1_1_0,
/// )?;
/// assert_eq!(context.render(&text)?, r#"Dear Ada, pets [{"id":7},{"id":9}]"#);
///
/// let missing = Expression::parse_in("$outputs.total", Dialect::Arazzo1_1_0)?;
/// assert_eq!(
///     context.evaluate(&missing).unwrap_err().to_string(),
///     "$outputs.total: the workflow context has no such value"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct WorkflowContext<'a, X: ?Sized = OwnedExchange> {
    exchange: Option<&'a X>,
    message: Option<&'a dyn Message>,
    inputs: Option<&'a serde_json::Value>,
    outputs: Option<&'a serde_json::Value>,
    steps: HashMap<&'a str, &'a serde_json::Value>,
    workflows: HashMap<&'a str, Workflow<'a>>,
    components: Option<&'a serde_json::Value>,
    source_descriptions: HashMap<&'a str, &'a serde_json::Value>,
    self_uri: Option<&'a str>,
    max_rendered_len: usize,
}

/// The inputs and outputs of one workflow.
#[derive(Clone, Copy, Default)]
struct Workflow<'a> {
    inputs: Option<&'a serde_json::Value>,
    outputs: Option<&'a serde_json::Value>,
}

impl Default for WorkflowContext<'_, OwnedExchange> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> WorkflowContext<'a, OwnedExchange> {
    /// A context that holds nothing yet (and no exchange).
    pub fn new() -> Self {
        WorkflowContext {
            exchange: None,
            message: None,
            inputs: None,
            outputs: None,
            steps: HashMap::new(),
            workflows: HashMap::new(),
            components: None,
            source_descriptions: HashMap::new(),
            self_uri: None,
            max_rendered_len: MAX_RENDERED_LEN,
        }
    }
}

impl<'a, X: Exchange + ?Sized> WorkflowContext<'a, X> {
    /// The same context with the current step's HTTP exchange.
    pub fn with_exchange<Y: Exchange + ?Sized>(self, exchange: &'a Y) -> WorkflowContext<'a, Y> {
        WorkflowContext {
            exchange: Some(exchange),
            message: self.message,
            inputs: self.inputs,
            outputs: self.outputs,
            steps: self.steps,
            workflows: self.workflows,
            components: self.components,
            source_descriptions: self.source_descriptions,
            self_uri: self.self_uri,
            max_rendered_len: self.max_rendered_len,
        }
    }

    /// With the message of an asynchronous step: `$message.header.<name>` reads its header
    /// fields, `$message.payload` (and `$message.body`) its body.
    #[must_use]
    pub fn with_message(mut self, message: &'a dyn Message) -> Self {
        self.message = Some(message);
        self
    }

    /// With the workflow's inputs (an object of input names): `$inputs.<name>`.
    #[must_use]
    pub fn with_inputs(mut self, inputs: &'a serde_json::Value) -> Self {
        self.inputs = Some(inputs);
        self
    }

    /// With the workflow's outputs (an object of output names): `$outputs.<name>`.
    #[must_use]
    pub fn with_outputs(mut self, outputs: &'a serde_json::Value) -> Self {
        self.outputs = Some(outputs);
        self
    }

    /// With the outputs of step `step_id` (an object of output names):
    /// `$steps.<step_id>.outputs.<name>`.
    #[must_use]
    pub fn with_step_outputs(mut self, step_id: &'a str, outputs: &'a serde_json::Value) -> Self {
        self.steps.insert(step_id, outputs);
        self
    }

    /// With the inputs of workflow `workflow_id`: `$workflows.<workflow_id>.inputs.<name>`.
    #[must_use]
    pub fn with_workflow_inputs(
        mut self,
        workflow_id: &'a str,
        inputs: &'a serde_json::Value,
    ) -> Self {
        self.workflows.entry(workflow_id).or_default().inputs = Some(inputs);
        self
    }

    /// With the outputs of workflow `workflow_id`: `$workflows.<workflow_id>.outputs.<name>`.
    #[must_use]
    pub fn with_workflow_outputs(
        mut self,
        workflow_id: &'a str,
        outputs: &'a serde_json::Value,
    ) -> Self {
        self.workflows.entry(workflow_id).or_default().outputs = Some(outputs);
        self
    }

    /// With the document's Components Object: `$components.parameters.<name>`,
    /// `.successActions.<name>`, `.failureActions.<name>` read its members.
    #[must_use]
    pub fn with_components(mut self, components: &'a serde_json::Value) -> Self {
        self.components = Some(components);
        self
    }

    /// With the Source Description Object called `name`: `$sourceDescriptions.<name>.<field>`
    /// reads its member `field` (`url`, `type`).
    #[must_use]
    pub fn with_source_description(
        mut self,
        name: &'a str,
        description: &'a serde_json::Value,
    ) -> Self {
        self.source_descriptions.insert(name, description);
        self
    }

    /// With the URI of the Arazzo description: `$self`.
    #[must_use]
    pub fn with_self_uri(mut self, uri: &'a str) -> Self {
        self.self_uri = Some(uri);
        self
    }

    /// With another limit on what one [`render`](WorkflowContext::render) writes (default
    /// [`MAX_RENDERED_LEN`], 1 MiB); past it, [`EvalError::RenderedTooLong`].
    #[must_use]
    pub fn with_max_rendered_len(mut self, max_rendered_len: usize) -> Self {
        self.max_rendered_len = max_rendered_len;
        self
    }

    /// The value of `expression` in this context, borrowed from it where it can be.
    pub fn evaluate(&self, expression: &Expression) -> Result<Value<'a>, EvalError> {
        let missing = || EvalError::NotInWorkflowContext {
            expression: expression.to_string(),
        };
        let named = |holder: Option<&'a serde_json::Value>, reference: &Reference| {
            let value = holder
                .and_then(|holder| holder.get(reference.name()))
                .ok_or_else(missing)?;
            pointed(value, reference.pointer(), expression)
        };
        match expression {
            Expression::Url
            | Expression::Method
            | Expression::StatusCode
            | Expression::Request(_)
            | Expression::Response(_) => match self.exchange {
                Some(exchange) => evaluate(expression, exchange),
                None => Err(EvalError::NoExchange),
            },
            Expression::Message(source) => {
                let message = self.message.ok_or(EvalError::NoMessage)?;
                message_value(message, source, expression)
            }
            Expression::Inputs(reference) => named(self.inputs, reference),
            Expression::Outputs(reference) => named(self.outputs, reference),
            Expression::Steps(step) => {
                named(self.steps.get(step.step_id()).copied(), step.output())
            }
            Expression::Workflows(workflow) => {
                let values = self.workflows.get(workflow.workflow_id());
                let holder = match workflow.field() {
                    WorkflowField::Inputs => values.and_then(|w| w.inputs),
                    WorkflowField::Outputs => values.and_then(|w| w.outputs),
                    _ => return Err(unsupported(expression)),
                };
                named(holder, workflow.value())
            }
            Expression::Components(component) => {
                let kind = match component.kind() {
                    ComponentKind::Parameters => "parameters",
                    ComponentKind::SuccessActions => "successActions",
                    ComponentKind::FailureActions => "failureActions",
                    _ => return Err(unsupported(expression)),
                };
                self.components
                    .and_then(|components| components.get(kind))
                    .and_then(|members| members.get(component.name()))
                    .map(Value::Json)
                    .ok_or_else(missing)
            }
            Expression::SourceDescriptions(source) => self
                .source_descriptions
                .get(source.name())
                .and_then(|description| description.get(source.reference()))
                .map(Value::Json)
                .ok_or_else(missing),
            Expression::SelfUri => self
                .self_uri
                .map(|uri| Value::Str(Cow::Borrowed(uri)))
                .ok_or_else(missing),
            // A 1.0.x name without the structure of its family, and whatever the grammar adds.
            _ => Err(unsupported(expression)),
        }
    }

    /// The text of an expression string: its literals as they are, each embedded value as text
    /// (strings as they are, other scalars and objects and arrays as JSON), within
    /// [`with_max_rendered_len`](WorkflowContext::with_max_rendered_len). The first expression
    /// that fails is the error.
    pub fn render(&self, template: &Template) -> Result<String, EvalError> {
        let mut out = String::new();
        let mut sink = Sink::new(&mut out, self.max_rendered_len);
        let too_long = |Full| EvalError::RenderedTooLong {
            limit: self.max_rendered_len,
        };
        for segment in template.segments() {
            match segment {
                expr_grammar::Segment::Literal(text) => sink.push(text).map_err(too_long)?,
                expr_grammar::Segment::Expression(expression) => sink
                    .push_value(&self.evaluate(expression)?, None)
                    .map_err(too_long)?,
                _ => {
                    return Err(EvalError::Unsupported {
                        expression: template.to_string(),
                    });
                }
            }
        }
        Ok(out)
    }
}

impl<X: ?Sized> std::fmt::Debug for WorkflowContext<'_, X> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut steps: Vec<_> = self.steps.keys().collect();
        steps.sort();
        let mut workflows: Vec<_> = self.workflows.keys().collect();
        workflows.sort();
        f.debug_struct("WorkflowContext")
            .field("exchange", &self.exchange.is_some())
            .field("message", &self.message.is_some())
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .field("steps", &steps)
            .field("workflows", &workflows)
            .finish_non_exhaustive()
    }
}

/// `value`, or the value `pointer` names in it.
fn pointed<'a>(
    value: &'a serde_json::Value,
    pointer: Option<&JsonPointer>,
    expression: &Expression,
) -> Result<Value<'a>, EvalError> {
    match pointer {
        None => Ok(Value::Json(value)),
        Some(pointer) => walk(value, &steps(pointer))
            .map(Value::Json)
            .ok_or_else(|| EvalError::WorkflowPointerNotFound {
                expression: expression.to_string(),
                pointer: pointer.as_str().to_owned(),
            }),
    }
}

/// `$message.header.<name>`, `$message.payload[#…]`, `$message.body[#…]`.
fn message_value<'a>(
    message: &'a dyn Message,
    source: &Source,
    expression: &Expression,
) -> Result<Value<'a>, EvalError> {
    let missing = || EvalError::NotInWorkflowContext {
        expression: expression.to_string(),
    };
    let unreadable = |reason| EvalError::MessageUnreadable {
        expression: expression.to_string(),
        reason,
    };
    match source {
        Source::Header(name) => {
            let bytes = message
                .header(FieldName::new(name.as_str()))
                .ok_or_else(missing)?;
            std::str::from_utf8(bytes)
                .map(|text| Value::Str(Cow::Borrowed(text)))
                .map_err(|_| unreadable("header is not UTF-8 text"))
        }
        Source::Payload(pointer) | Source::Body(pointer) => match (message.body(), pointer) {
            (Body::Json(value), pointer) => pointed(value, pointer.as_ref(), expression),
            (Body::Text(text), None) => Ok(Value::Str(Cow::Borrowed(text))),
            (Body::Empty, _) => Err(missing()),
            (Body::Text(_), Some(_)) => Err(unreadable("payload is not JSON")),
            (_, _) => Err(unreadable("payload is neither JSON nor UTF-8 text")),
        },
        _ => Err(unsupported(expression)),
    }
}

fn unsupported(expression: &Expression) -> EvalError {
    EvalError::Unsupported {
        expression: expression.to_string(),
    }
}
