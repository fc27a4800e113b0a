//! [`Callback`]: one key of a Callback Object, with the operations of its Path Item.

use std::sync::{Arc, OnceLock};

use expr_eval::{CompiledExpression, CompiledTemplate};
use expr_grammar::ParseError;

use crate::files::Place;

/// One key of a Callback Object, with the operations of its Path Item.
#[derive(Debug)]
pub struct Callback {
    pub(crate) name: String,
    pub(crate) key: String,
    pub(crate) url: Result<CallbackUrl, ParseError>,
    /// The Path Item under the key (its key is the callback key).
    pub(crate) place: Place,
    pub(crate) operations: Vec<CallbackOperation>,
}

/// The compiled key of a callback.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CallbackUrl {
    /// A bare expression key such as `$request.body#/url`, ready to evaluate.
    Expression(CompiledExpression),
    /// A key with embedded `{expressions}`, ready to render.
    Template(CompiledTemplate),
    /// A key with no expression: the URL itself.
    Constant(String),
}

/// An operation of a callback's Path Item: the request the provider sends.
#[derive(Debug)]
pub struct CallbackOperation {
    pub(crate) method: http::Method,
    pub(crate) operation_id: Option<String>,
    pub(crate) request_schema: Option<Place>,
    /// The request-body schema compiled for validation, on first use, then kept.
    pub(crate) validator: OnceLock<Result<Arc<jsonschema::Validator>, String>>,
}

impl Callback {
    /// The callback's name (its key in the operation's `callbacks` map).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key as written: the expression or template that gives the URL.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The compiled key, or why it does not parse.
    pub fn url(&self) -> Result<&CallbackUrl, &ParseError> {
        self.url.as_ref()
    }

    /// The operations of the callback's Path Item.
    pub fn operations(&self) -> &[CallbackOperation] {
        &self.operations
    }
}

impl CallbackOperation {
    /// The HTTP method (`POST`).
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The `operationId`, if any.
    pub fn operation_id(&self) -> Option<&str> {
        self.operation_id.as_deref()
    }

    /// Whether the operation declares a JSON request-body schema (what
    /// [`Document::validate_callback_payload`](crate::Document::validate_callback_payload)
    /// checks payloads against).
    pub fn has_request_schema(&self) -> bool {
        self.request_schema.is_some()
    }
}
