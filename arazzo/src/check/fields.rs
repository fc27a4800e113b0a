//! The fields whose values may be constants, expressions or expression strings (parameter
//! values, payloads, replacements) and the criteria.

use oas_callbacks::{DiagnosticCode, Severity};
use serde_json::Value;

use super::pointer::child;
use super::{At, Checker, Scope, suggest};
use crate::criterion::{Criterion, CriterionError};

/// How deep a structured payload is walked for expressions (its nesting is bounded by the
/// parser's limits already; this keeps the walk's stack small on top of them).
const MAX_PAYLOAD_DEPTH: usize = 64;

impl<'d> Checker<'d> {
    /// `Any | {expression}`: a string that starts with `$` is one expression; a string with
    /// `{$` embeds expressions; anything else is a constant.
    pub(super) fn value(&mut self, value: &'d Value, pointer: &str, scope: Scope) {
        if let Value::String(text) = value {
            self.string(text, pointer, scope);
        }
    }

    fn string(&mut self, text: &str, pointer: &str, scope: Scope) {
        if text.starts_with('$') {
            self.whole(text, pointer, scope);
        } else if text.contains("{$") {
            self.embedded(text, pointer, scope, false);
        }
    }

    /// A request body payload: a JSON text (or other text) with embedded expressions, or a
    /// structure whose strings are read as [`value`](Self::value)s.
    pub(super) fn payload(
        &mut self,
        payload: &'d Value,
        pointer: &str,
        content_type: Option<&str>,
        scope: Scope,
    ) {
        self.structure(payload, pointer, content_type, scope, 0);
    }

    fn structure(
        &mut self,
        value: &'d Value,
        pointer: &str,
        content_type: Option<&str>,
        scope: Scope,
        depth: usize,
    ) {
        if depth > MAX_PAYLOAD_DEPTH {
            return;
        }
        match value {
            Value::String(text) if depth == 0 && !text.starts_with('$') => {
                let json_text = content_type.is_none_or(|t| t.contains("json"))
                    && text.trim_start().starts_with(['{', '[']);
                if text.contains("{$") {
                    self.embedded(text, pointer, scope, json_text);
                }
            }
            Value::String(text) => self.string(text, pointer, scope),
            Value::Object(members) => {
                for (name, member) in members {
                    self.structure(member, &child(pointer, name), None, scope, depth + 1);
                }
            }
            Value::Array(items) => {
                for (i, member) in items.iter().enumerate() {
                    let at = super::pointer::item(pointer, i);
                    self.structure(member, &at, None, scope, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// The expressions embedded in a string with `{$…}` (only `{$` opens one, and it ends at
    /// the first `}`: other braces are literal text, as in a JSON text payload). In a JSON
    /// text, an object or array value inside quotes is warned about.
    fn embedded(&mut self, text: &str, pointer: &str, scope: Scope, json_text: bool) {
        let mut from = 0;
        while let Some(found) = text[from..].find("{$") {
            let open = from + found;
            let Some(length) = text[open..].find('}') else {
                self.error(
                    DiagnosticCode::ArazzoInvalidExpression,
                    At {
                        pointer,
                        within: open,
                    },
                    "`{$` is never closed by `}`".to_owned(),
                    None,
                );
                return;
            };
            let close = open + length;
            let inner = &text[open + 1..close];
            let at = At {
                pointer,
                within: open + 1,
            };
            if let Some(expression) = self.parse(inner, at) {
                self.references(&expression, at, scope);
                let quoted = text[..open].ends_with('"') && text[close + 1..].starts_with('"');
                if json_text && quoted && self.is_structure(&expression, scope) {
                    self.report(
                        Severity::Warning,
                        DiagnosticCode::ArazzoQuotedStructure,
                        at,
                        format!(
                            "`{inner}` is an object or array, embedded inside quotes of a JSON text: it becomes a string holding JSON text"
                        ),
                        Some(format!("remove the quotes: `{{{inner}}}`")),
                    );
                }
            }
            from = close + 1;
        }
    }

    /// A Criterion Object: it compiles, and its expressions name what exists.
    pub(super) fn criterion(&mut self, criterion: &'d Value, pointer: &str, scope: Scope) {
        let condition_pointer = child(pointer, "condition");
        let compiled = match Criterion::from_json(criterion, self.document.version()) {
            Ok(compiled) => compiled,
            Err(err) => {
                self.criterion_error(&err, pointer, &condition_pointer, criterion);
                return;
            }
        };
        if let Some(context) = compiled.context() {
            self.references(
                context,
                At {
                    pointer: &child(pointer, "context"),
                    within: 0,
                },
                scope,
            );
        }
        let at = |within| At {
            pointer: &condition_pointer,
            within,
        };
        if let Some(condition) = compiled.simple_condition() {
            for expression in condition.expressions() {
                self.references(expression.expression(), at(expression.span().start), scope);
            }
        }
        for (expression, span) in compiled.embedded_expressions() {
            self.references(expression, at(span.start + 1), scope);
        }
    }

    fn criterion_error(
        &mut self,
        err: &CriterionError,
        pointer: &str,
        condition_pointer: &str,
        criterion: &Value,
    ) {
        let condition = criterion.get("condition").and_then(Value::as_str);
        let (code, at, message, help) = match err {
            CriterionError::Condition(err) => (
                DiagnosticCode::ArazzoInvalidExpression,
                At {
                    pointer: condition_pointer,
                    within: err.offset(),
                },
                format!("the condition does not parse: {}", err.kind()),
                condition.and_then(|text| suggest::condition(text, err.offset())),
            ),
            CriterionError::EmbeddedExpression { offset, message } => (
                DiagnosticCode::ArazzoInvalidExpression,
                At {
                    pointer: condition_pointer,
                    within: *offset,
                },
                format!("the expression embedded in the condition does not parse: {message}"),
                None,
            ),
            CriterionError::InvalidContext { .. } => {
                let context = criterion.get("context").and_then(Value::as_str);
                let help = context.and_then(|text| suggest::syntax(text, self.document.dialect()));
                let context_pointer = child(pointer, "context");
                let at = At {
                    pointer: &context_pointer,
                    within: 0,
                };
                self.error(
                    DiagnosticCode::ArazzoInvalidExpression,
                    at,
                    err.to_string(),
                    help,
                );
                return;
            }
            CriterionError::Regex { .. }
            | CriterionError::JsonPath { .. }
            | CriterionError::XPath { .. } => (
                DiagnosticCode::ArazzoInvalidCriterion,
                At {
                    pointer: condition_pointer,
                    within: 0,
                },
                err.to_string(),
                None,
            ),
            other => (
                DiagnosticCode::ArazzoInvalidCriterion,
                At { pointer, within: 0 },
                other.to_string(),
                None,
            ),
        };
        self.error(code, at, message, help);
    }
}
