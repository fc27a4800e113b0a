//! `oas-callbacks parse EXPR` and `oas-callbacks parse --template STRING`, in the OpenAPI grammar
//! or, with `--dialect`, in an Arazzo one.

use expr_grammar::{
    ComponentKind, Dialect, Expression, Family, JsonPointer, Reference, Segment, Source, Template,
    WorkflowField,
};
use serde::Serialize;

use crate::error::{CliError, Outcome};
use crate::output;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The expression (or template) to parse.
    input: String,
    /// Parse a template: literal text with expressions embedded in `{}`, like a callback key.
    #[arg(long)]
    template: bool,
    /// Print the syntax tree as JSON instead of the canonical form.
    #[arg(long)]
    json: bool,
    /// The grammar: openapi (the default), arazzo-1.0.0, arazzo-1.0.1 or arazzo-1.1.0. With an
    /// Arazzo dialect, a template is an Arazzo expression string.
    #[arg(long, value_name = "DIALECT")]
    dialect: Option<Dialect>,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    let dialect = args.dialect.unwrap_or_default();
    if args.template {
        let template = Template::parse_in(&args.input, dialect)?;
        if args.json {
            output::json_line(&TemplateTree::new(&template, dialect))?;
        } else {
            output::data(&template.to_string())?;
        }
    } else {
        let expression = Expression::parse_in(&args.input, dialect)?;
        if args.json {
            output::json_line(&ExpressionTree::new(&expression, dialect))?;
        } else {
            output::data(&expression.canonical_in(dialect))?;
        }
    }
    Ok(Outcome::Success)
}

/// The syntax tree of an expression as JSON, e.g.
/// `{"type":"request","source":"body","pointer":"/a/b","tokens":["a","b"],"canonical":"$request.body#/a/b"}`.
#[derive(Debug, Serialize)]
struct ExpressionTree<'a> {
    #[serde(flatten)]
    node: Node<'a>,
    canonical: String,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum Node<'a> {
    Url,
    Method,
    StatusCode,
    Request(SourceTree<'a>),
    Response(SourceTree<'a>),
    Message(SourceTree<'a>),
    /// `pointer` is `null` without `#`.
    Inputs(ValueTree<'a>),
    Outputs(ValueTree<'a>),
    Steps {
        #[serde(rename = "stepId")]
        step_id: &'a str,
        #[serde(flatten)]
        output: ValueTree<'a>,
    },
    Workflows {
        #[serde(rename = "workflowId")]
        workflow_id: &'a str,
        field: &'static str,
        #[serde(flatten)]
        value: ValueTree<'a>,
    },
    SourceDescriptions {
        name: &'a str,
        reference: &'a str,
    },
    Components {
        kind: &'static str,
        name: &'a str,
    },
    #[serde(rename = "self")]
    SelfUri,
    /// An Arazzo 1.0.x name without the structure of its family.
    Unstructured {
        family: &'static str,
        name: &'a str,
    },
    /// A kind of expression this command does not know yet (the AST is `#[non_exhaustive]`).
    Unknown,
}

/// The name and pointer of an Arazzo input or output.
#[derive(Debug, Serialize)]
struct ValueTree<'a> {
    name: &'a str,
    pointer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens: Option<Vec<String>>,
}

impl<'a> ValueTree<'a> {
    fn new(value: &'a Reference) -> Self {
        ValueTree {
            name: value.name(),
            pointer: value.pointer().map(JsonPointer::as_str),
            tokens: value.pointer().map(decoded_tokens),
        }
    }
}

fn decoded_tokens(pointer: &JsonPointer) -> Vec<String> {
    pointer
        .tokens()
        .map(|token| token.decoded().into_owned())
        .collect()
}

#[derive(Debug, Serialize)]
#[serde(tag = "source", rename_all = "camelCase")]
enum SourceTree<'a> {
    Header {
        name: &'a str,
    },
    Query {
        name: &'a str,
    },
    Path {
        name: &'a str,
    },
    /// `pointer` is `null` for the whole body; `tokens` are the pointer's decoded tokens.
    Body {
        pointer: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tokens: Option<Vec<String>>,
    },
    /// As `Body` (Arazzo 1.1.0).
    Payload {
        pointer: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tokens: Option<Vec<String>>,
    },
    Unknown,
}

impl<'a> ExpressionTree<'a> {
    /// The tree, with the canonical form of `dialect`.
    fn new(expression: &'a Expression, dialect: Dialect) -> Self {
        let node = match expression {
            Expression::Url => Node::Url,
            Expression::Method => Node::Method,
            Expression::StatusCode => Node::StatusCode,
            Expression::Request(source) => Node::Request(SourceTree::new(source)),
            Expression::Response(source) => Node::Response(SourceTree::new(source)),
            Expression::Message(source) => Node::Message(SourceTree::new(source)),
            Expression::Inputs(value) => Node::Inputs(ValueTree::new(value)),
            Expression::Outputs(value) => Node::Outputs(ValueTree::new(value)),
            Expression::Steps(step) => Node::Steps {
                step_id: step.step_id(),
                output: ValueTree::new(step.output()),
            },
            Expression::Workflows(workflow) => Node::Workflows {
                workflow_id: workflow.workflow_id(),
                field: match workflow.field() {
                    WorkflowField::Inputs => "inputs",
                    _ => "outputs",
                },
                value: ValueTree::new(workflow.value()),
            },
            Expression::SourceDescriptions(source) => Node::SourceDescriptions {
                name: source.name(),
                reference: source.reference(),
            },
            Expression::Components(component) => Node::Components {
                kind: match component.kind() {
                    ComponentKind::Parameters => "parameters",
                    ComponentKind::SuccessActions => "successActions",
                    _ => "failureActions",
                },
                name: component.name(),
            },
            Expression::SelfUri => Node::SelfUri,
            Expression::Unstructured(name) => Node::Unstructured {
                family: family_word(name.family()),
                name: name.name(),
            },
            _ => Node::Unknown,
        };
        ExpressionTree {
            node,
            canonical: expression.canonical_in(dialect),
        }
    }
}

/// The family as the JSON tree names it: the word after `$`.
fn family_word(family: Family) -> &'static str {
    match family {
        Family::Inputs => "inputs",
        Family::Outputs => "outputs",
        Family::Steps => "steps",
        Family::Workflows => "workflows",
        Family::SourceDescriptions => "sourceDescriptions",
        _ => "components",
    }
}

impl<'a> SourceTree<'a> {
    fn new(source: &'a Source) -> Self {
        match source {
            Source::Header(name) => SourceTree::Header {
                name: name.as_str(),
            },
            Source::Query(name) => SourceTree::Query { name },
            Source::Path(name) => SourceTree::Path { name },
            Source::Body(None) => SourceTree::Body {
                pointer: None,
                tokens: None,
            },
            Source::Body(Some(pointer)) => SourceTree::Body {
                pointer: Some(pointer.as_str()),
                tokens: Some(decoded_tokens(pointer)),
            },
            Source::Payload(pointer) => SourceTree::Payload {
                pointer: pointer.as_ref().map(JsonPointer::as_str),
                tokens: pointer.as_ref().map(decoded_tokens),
            },
            _ => SourceTree::Unknown,
        }
    }
}

/// The syntax tree of a template as JSON: its canonical form and its segments, literal or
/// expression.
#[derive(Debug, Serialize)]
struct TemplateTree<'a> {
    canonical: String,
    segments: Vec<SegmentTree<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum SegmentTree<'a> {
    Literal { text: &'a str },
    Expression { expression: ExpressionTree<'a> },
    Unknown,
}

impl<'a> TemplateTree<'a> {
    fn new(template: &'a Template, dialect: Dialect) -> Self {
        TemplateTree {
            canonical: template.to_string(),
            segments: template
                .segments()
                .iter()
                .map(|segment| match segment {
                    Segment::Literal(text) => SegmentTree::Literal { text },
                    Segment::Expression(expression) => SegmentTree::Expression {
                        expression: ExpressionTree::new(expression, dialect),
                    },
                    _ => SegmentTree::Unknown,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expression_json(input: &str) -> String {
        let expression = Expression::parse(input).expect("valid expression");
        serde_json::to_string(&ExpressionTree::new(&expression, Dialect::OpenApi))
            .expect("serializes")
    }

    /// The exact bytes the command printed when the trees were `json!` maps.
    #[test]
    fn expression_trees_keep_their_json_text() {
        assert_eq!(
            expression_json("$request.body#/a/b~1c"),
            r#"{"type":"request","source":"body","pointer":"/a/b~1c","tokens":["a","b/c"],"canonical":"$request.body#/a/b~1c"}"#
        );
        assert_eq!(
            expression_json("$response.body"),
            r#"{"type":"response","source":"body","pointer":null,"canonical":"$response.body"}"#
        );
        assert_eq!(
            expression_json("$url"),
            r#"{"type":"url","canonical":"$url"}"#
        );
        assert_eq!(
            expression_json("$method"),
            r#"{"type":"method","canonical":"$method"}"#
        );
        assert_eq!(
            expression_json("$statusCode"),
            r#"{"type":"statusCode","canonical":"$statusCode"}"#
        );
        assert_eq!(
            expression_json("$response.header.X-A"),
            r#"{"type":"response","source":"header","name":"X-A","canonical":"$response.header.X-A"}"#
        );
        assert_eq!(
            expression_json("$request.query.q"),
            r#"{"type":"request","source":"query","name":"q","canonical":"$request.query.q"}"#
        );
        assert_eq!(
            expression_json("$request.path.id"),
            r#"{"type":"request","source":"path","name":"id","canonical":"$request.path.id"}"#
        );
    }

    #[test]
    fn template_trees_keep_their_json_text() {
        let template = Template::parse("http://x?{$request.query.q}").expect("valid template");
        assert_eq!(
            serde_json::to_string(&TemplateTree::new(&template, Dialect::OpenApi))
                .expect("serializes"),
            r#"{"canonical":"http://x?{$request.query.q}","segments":[{"type":"literal","text":"http://x?"},{"type":"expression","expression":{"type":"request","source":"query","name":"q","canonical":"$request.query.q"}}]}"#
        );
        let empty = Template::parse("").expect("valid template");
        assert_eq!(
            serde_json::to_string(&TemplateTree::new(&empty, Dialect::OpenApi))
                .expect("serializes"),
            r#"{"canonical":"","segments":[]}"#
        );
    }
}
