//! `oas-callbacks parse EXPR` and `oas-callbacks parse --template STRING`.

use expr_grammar::{Expression, Segment, Source, Template};
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
}

pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    if args.template {
        let template = Template::parse(&args.input)?;
        if args.json {
            output::json_line(&TemplateTree::new(&template))?;
        } else {
            output::data(&template.to_string())?;
        }
    } else {
        let expression = Expression::parse(&args.input)?;
        if args.json {
            output::json_line(&ExpressionTree::new(&expression))?;
        } else {
            output::data(&expression.to_string())?;
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
    /// A kind of expression this command does not know yet (the AST is `#[non_exhaustive]`).
    Unknown,
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
    Unknown,
}

impl<'a> ExpressionTree<'a> {
    fn new(expression: &'a Expression) -> Self {
        let node = match expression {
            Expression::Url => Node::Url,
            Expression::Method => Node::Method,
            Expression::StatusCode => Node::StatusCode,
            Expression::Request(source) => Node::Request(SourceTree::new(source)),
            Expression::Response(source) => Node::Response(SourceTree::new(source)),
            _ => Node::Unknown,
        };
        ExpressionTree {
            node,
            canonical: expression.to_string(),
        }
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
                tokens: Some(
                    pointer
                        .tokens()
                        .map(|token| token.decoded().into_owned())
                        .collect(),
                ),
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
    fn new(template: &'a Template) -> Self {
        TemplateTree {
            canonical: template.to_string(),
            segments: template
                .segments()
                .iter()
                .map(|segment| match segment {
                    Segment::Literal(text) => SegmentTree::Literal { text },
                    Segment::Expression(expression) => SegmentTree::Expression {
                        expression: ExpressionTree::new(expression),
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
        serde_json::to_string(&ExpressionTree::new(&expression)).expect("serializes")
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
            serde_json::to_string(&TemplateTree::new(&template)).expect("serializes"),
            r#"{"canonical":"http://x?{$request.query.q}","segments":[{"type":"literal","text":"http://x?"},{"type":"expression","expression":{"type":"request","source":"query","name":"q","canonical":"$request.query.q"}}]}"#
        );
        let empty = Template::parse("").expect("valid template");
        assert_eq!(
            serde_json::to_string(&TemplateTree::new(&empty)).expect("serializes"),
            r#"{"canonical":"","segments":[]}"#
        );
    }
}
