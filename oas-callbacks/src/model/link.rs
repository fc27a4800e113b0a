//! [`Link`]: a Link Object, with its parameter values and request body compiled.

use expr_eval::{CompiledExpression, CompiledTemplate};
use expr_grammar::ParseError;
use serde_json::Value;

use crate::files::Place;

/// A Link Object.
#[derive(Debug)]
pub struct Link {
    pub(crate) name: String,
    pub(crate) target: LinkTarget,
    pub(crate) parameters: Vec<(String, LinkValue)>,
    pub(crate) request_body: Option<LinkValue>,
    pub(crate) place: Place,
}

/// The operation a link leads to. Serializes as `{"operationId": …}`, `{"operationRef": …}` or
/// `{"invalid": true}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkTarget {
    /// `operationId`.
    OperationId(String),
    /// `operationRef`.
    OperationRef(String),
    /// Neither (or both, or not a string): the link is invalid.
    Invalid,
}

impl serde::Serialize for LinkTarget {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            LinkTarget::OperationId(id) => map.serialize_entry("operationId", id)?,
            LinkTarget::OperationRef(reference) => {
                map.serialize_entry("operationRef", reference)?
            }
            LinkTarget::Invalid => map.serialize_entry("invalid", &true)?,
        }
        map.end()
    }
}

/// A link parameter value or request body, compiled.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum LinkValue {
    /// A runtime expression (a string starting with `$`), ready to evaluate.
    Expression(CompiledExpression),
    /// A string with embedded `{$…}` expressions, ready to render.
    Template(CompiledTemplate),
    /// A constant, passed as it is.
    Constant(Value),
    /// An object some of whose members are expressions.
    Object(Vec<(String, LinkValue)>),
    /// An array some of whose items are expressions.
    Array(Vec<LinkValue>),
    /// A string that looks like an expression but does not parse.
    Invalid(String, ParseError),
}

impl Link {
    /// The link's name (its key in the `links` map).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The operation the link leads to.
    pub fn target(&self) -> &LinkTarget {
        &self.target
    }

    /// The compiled parameters, in document order.
    pub fn parameters(&self) -> &[(String, LinkValue)] {
        &self.parameters
    }

    /// The compiled request body, if any.
    pub fn request_body(&self) -> Option<&LinkValue> {
        self.request_body.as_ref()
    }
}
