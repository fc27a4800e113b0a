//! The typed syntax tree of one runtime expression.
//!
//! Only the data and its accessors live here: parsing is in `parse.rs` and the readers it
//! calls, the canonical text form in `canonical.rs`.

use crate::header_name::HeaderName;
use crate::pointer::JsonPointer;
use crate::reference::{
    ComponentReference, Reference, SourceDescriptionReference, StepReference, UnstructuredName,
    WorkflowReference,
};

/// One runtime expression.
///
/// Parse with [`Expression::parse`] or [`str::parse`] (OpenAPI), or [`Expression::parse_in`]
/// (any [`Dialect`](crate::Dialect)); [`Display`](std::fmt::Display) writes the canonical form,
/// which parses back to an equal value in the dialect it was read in
/// ([`Expression::canonical_in`] for Arazzo 1.1.0, whose names cannot hold a raw `{` or `}`).
///
/// The variants after [`Response`](Expression::Response) occur only in the Arazzo dialects.
///
/// ```
/// use expr_grammar::{Expression, Source};
///
/// let expr: Expression = "$Request.Query.queryUrl".parse()?;
/// assert_eq!(expr, Expression::Request(Source::Query("queryUrl".into())));
/// assert_eq!(expr.to_string(), "$request.query.queryUrl");
/// # Ok::<(), expr_grammar::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expression {
    /// `$url`: the full request URL.
    Url,
    /// `$method`: the request method.
    Method,
    /// `$statusCode`: the response status code.
    StatusCode,
    /// `$request.` followed by a source.
    Request(Source),
    /// `$response.` followed by a source.
    Response(Source),
    /// `$message.` followed by a source (Arazzo 1.0.0 and 1.1.0): the message of an
    /// asynchronous (AsyncAPI) step.
    Message(Source),
    /// `$inputs.` name [`#` pointer] (Arazzo): an input of the current workflow.
    Inputs(Reference),
    /// `$outputs.` name [`#` pointer] (Arazzo): an output of the current workflow.
    Outputs(Reference),
    /// `$steps.<id>.outputs.<name>` [`#` pointer] (Arazzo): an output of a step.
    Steps(StepReference),
    /// `$workflows.<id>.inputs.<name>` or `.outputs.<name>` [`#` pointer] (Arazzo).
    Workflows(WorkflowReference),
    /// `$sourceDescriptions.<name>.<reference>` (Arazzo).
    SourceDescriptions(SourceDescriptionReference),
    /// `$components.parameters.<name>`, `.successActions.<name>` or `.failureActions.<name>`
    /// (Arazzo).
    Components(ComponentReference),
    /// `$self` (Arazzo 1.1.0): the URI of the Arazzo description.
    SelfUri,
    /// An Arazzo 1.0.x `$inputs.`, `$steps.`, … whose free-form name does not have the structure
    /// of its family (`$steps.someStep.pets`); Arazzo 1.1.0 refuses these.
    Unstructured(UnstructuredName),
}

/// The part of a request or response that a `$request.` or `$response.` expression reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// `header.` token: a header field, matched case-insensitively.
    Header(HeaderName),
    /// `query.` name: a query parameter (the decoded name; case-sensitive, may be empty).
    Query(String),
    /// `path.` name: a path-template parameter (the decoded name; case-sensitive, may be empty).
    Path(String),
    /// `body`, optionally followed by `#` and a JSON Pointer.
    ///
    /// `None` is `body` (the whole body); `Some` of the empty pointer is `body#`, which RFC 6901
    /// also resolves to the whole body but which is written differently.
    Body(Option<JsonPointer>),
    /// `payload`, optionally followed by `#` and a JSON Pointer (Arazzo 1.1.0, mostly after
    /// `$message.`): the payload of a message, as `body` is the body of a request or response.
    Payload(Option<JsonPointer>),
}

impl Expression {
    /// The source read by a `$request.`/`$response.`/`$message.` expression.
    pub fn source(&self) -> Option<&Source> {
        match self {
            Expression::Request(source)
            | Expression::Response(source)
            | Expression::Message(source) => Some(source),
            _ => None,
        }
    }

    /// The JSON pointer of the expression, wherever it is: after `body#`, `payload#`, or an
    /// Arazzo input or output name.
    ///
    /// ```
    /// use expr_grammar::{Dialect, Expression};
    /// let expr = Expression::parse_in("$steps.s.outputs.o#/0/id", Dialect::Arazzo1_1_0)?;
    /// assert_eq!(expr.pointer().map(|p| p.as_str()), Some("/0/id"));
    /// assert_eq!(Expression::parse("$request.body")?.pointer(), None);
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    pub fn pointer(&self) -> Option<&JsonPointer> {
        match self {
            Expression::Request(source)
            | Expression::Response(source)
            | Expression::Message(source) => match source {
                Source::Body(pointer) | Source::Payload(pointer) => pointer.as_ref(),
                _ => None,
            },
            Expression::Inputs(value) | Expression::Outputs(value) => value.pointer(),
            Expression::Steps(step) => step.output().pointer(),
            Expression::Workflows(workflow) => workflow.value().pointer(),
            _ => None,
        }
    }

    /// Whether this expression can stand between the braces of a template: the grammar has no
    /// escape for `{` and `}` in a JSON pointer, so a pointer holding one cannot.
    ///
    /// ```
    /// use expr_grammar::Expression;
    /// assert!(Expression::parse("$request.body#/a")?.is_embeddable());
    /// assert!(!Expression::parse("$request.body#/{a}")?.is_embeddable());
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    pub fn is_embeddable(&self) -> bool {
        self.pointer().is_none_or(|pointer| !pointer.has_brace())
    }
}
