//! `oas-callbacks parse EXPR` and `oas-callbacks parse --template STRING`.

use expr_grammar::{Expression, Segment, Source, Template};
use serde_json::{Value, json};

use super::{FAILURE, SUCCESS};

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

pub(crate) fn run(args: &Args) -> u8 {
    let parsed = if args.template {
        Template::parse(&args.input).map(|t| (t.to_string(), template_json(&t)))
    } else {
        Expression::parse(&args.input).map(|e| (e.to_string(), expression_json(&e)))
    };
    match parsed {
        Ok((canonical, tree)) => {
            if args.json {
                println!("{tree}");
            } else {
                println!("{canonical}");
            }
            SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            FAILURE
        }
    }
}

/// The syntax tree of an expression as JSON, e.g.
/// `{"type":"request","source":"body","pointer":"/a/b","tokens":["a","b"],"canonical":"$request.body#/a/b"}`.
pub(crate) fn expression_json(expr: &Expression) -> Value {
    let mut tree = match expr {
        Expression::Url => json!({"type": "url"}),
        Expression::Method => json!({"type": "method"}),
        Expression::StatusCode => json!({"type": "statusCode"}),
        Expression::Request(source) => source_json("request", source),
        Expression::Response(source) => source_json("response", source),
        _ => json!({"type": "unknown"}),
    };
    tree["canonical"] = Value::String(expr.to_string());
    tree
}

fn source_json(message: &str, source: &Source) -> Value {
    match source {
        Source::Header(name) => json!({"type": message, "source": "header", "name": name.as_str()}),
        Source::Query(name) => json!({"type": message, "source": "query", "name": name}),
        Source::Path(name) => json!({"type": message, "source": "path", "name": name}),
        Source::Body(None) => json!({"type": message, "source": "body", "pointer": null}),
        Source::Body(Some(pointer)) => json!({
            "type": message,
            "source": "body",
            "pointer": pointer.as_str(),
            "tokens": pointer.tokens().map(|t| t.decoded().into_owned()).collect::<Vec<_>>(),
        }),
        _ => json!({"type": message, "source": "unknown"}),
    }
}

/// The syntax tree of a template as JSON: its segments, literal or expression.
pub(crate) fn template_json(template: &Template) -> Value {
    let segments: Vec<Value> = template
        .segments()
        .iter()
        .map(|segment| match segment {
            Segment::Literal(text) => json!({"type": "literal", "text": text}),
            Segment::Expression(expr) => {
                json!({"type": "expression", "expression": expression_json(expr)})
            }
            _ => json!({"type": "unknown"}),
        })
        .collect();
    json!({"canonical": template.to_string(), "segments": segments})
}
