//! Compiling the expressions of a document, once, when it is loaded: callback keys and link
//! values, into the forms `expr-eval` evaluates without parsing again.

use expr_eval::{CompiledExpression, CompiledTemplate};
use expr_grammar::{ParseError, Template};
use serde_json::Value;

use crate::model::{CallbackUrl, LinkValue};

/// Compiles a callback key (DESIGN §2): a key starting with `$` is one bare expression; any
/// other key is a template, and a template without expressions is a constant URL.
pub(crate) fn compile_callback_key(key: &str) -> Result<CallbackUrl, ParseError> {
    if key.starts_with('$') {
        return CompiledExpression::parse(key).map(CallbackUrl::Expression);
    }
    let template = Template::parse(key)?;
    Ok(if template.is_literal() {
        CallbackUrl::Constant(key.to_owned())
    } else {
        CallbackUrl::Template(CompiledTemplate::new(template))
    })
}

/// Compiles a link parameter value or request body: a string starting with `$` is an
/// expression; a string holding `{$` is a template; objects and arrays are compiled member by
/// member; anything else is a constant.
pub(crate) fn compile_link_value(value: &Value) -> LinkValue {
    match value {
        Value::String(text) if text.starts_with('$') => match CompiledExpression::parse(text) {
            Ok(expr) => LinkValue::Expression(expr),
            Err(err) => LinkValue::Invalid(text.clone(), err),
        },
        Value::String(text) if text.contains("{$") => match Template::parse(text) {
            Ok(template) => LinkValue::Template(CompiledTemplate::new(template)),
            Err(err) => LinkValue::Invalid(text.clone(), err),
        },
        Value::Object(members) if contains_expression(value) => LinkValue::Object(
            members
                .iter()
                .map(|(name, member)| (name.clone(), compile_link_value(member)))
                .collect(),
        ),
        Value::Array(items) if contains_expression(value) => {
            LinkValue::Array(items.iter().map(compile_link_value).collect())
        }
        other => LinkValue::Constant(other.clone()),
    }
}

fn contains_expression(value: &Value) -> bool {
    match value {
        Value::String(text) => text.starts_with('$') || text.contains("{$"),
        Value::Object(members) => members.values().any(contains_expression),
        Value::Array(items) => items.iter().any(contains_expression),
        _ => false,
    }
}
