//! Callback keys and link values that do not parse: the error where it is, and the fix most
//! likely meant when the mistake is a known one.

use expr_grammar::{ErrorKind, Expression, ParseError, Template};

use super::{At, Checker};
use crate::compile::compile_callback_key;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::model::{Operation, path_template_parameters};

impl Checker<'_> {
    /// A syntax error diagnostic, with a suggested fix when the mistake is a known one.
    pub(super) fn syntax_diagnostic(
        &self,
        at: At<'_>,
        text: &str,
        err: &ParseError,
        op: Option<&Operation>,
        code: DiagnosticCode,
    ) -> Diagnostic {
        let what = match code {
            DiagnosticCode::InvalidCallbackKey => "invalid callback key",
            _ => "invalid runtime expression",
        };
        let diagnostic = self.diagnostic(
            Severity::Error,
            code,
            at,
            Some(err.offset()),
            format!("{what}: {}", err.message()),
        );
        match suggest_fix(text, at.key, err, op) {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

/// A fix for a common mistake, as a help text, when applying it makes the text parse.
fn suggest_fix(
    text: &str,
    is_key: bool,
    err: &ParseError,
    op: Option<&Operation>,
) -> Option<String> {
    // A brace holding a bare name: a path-template placeholder, not a runtime expression.
    if *err.kind() == ErrorKind::ExpectedDollar {
        let inner = &text[err.offset()..];
        let name: String = inner.chars().take_while(|c| *c != '}').collect();
        let is_identifier = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
            && inner[name.len()..].starts_with('}');
        if is_identifier {
            let in_path = op.is_some_and(|op| path_template_parameters(op.path()).contains(&name));
            return Some(if in_path {
                format!(
                    "`{{{name}}}` is a path-template placeholder, not a runtime expression: write `{{$request.path.{name}}}`"
                )
            } else {
                format!(
                    "`{{{name}}}` is a path-template placeholder, not a runtime expression; write the runtime expression that gives its value, such as `{{$request.path.{name}}}`, `{{$request.query.{name}}}` or `{{$request.body#/{name}}}`"
                )
            });
        }
    }
    let mut candidate = text.to_owned();
    let mut changes = Vec::new();
    for _ in 0..4 {
        let Some((fixed, change)) = fix_once(&candidate) else {
            break;
        };
        candidate = fixed;
        changes.push(change);
        let parses = if is_key {
            compile_callback_key(&candidate).is_ok()
        } else if candidate.starts_with('$') {
            Expression::parse(&candidate).is_ok()
        } else {
            Template::parse(&candidate).is_ok()
        };
        if parses {
            return Some(format!("{}: `{candidate}`", changes.join("; ")));
        }
    }
    None
}

/// One known mistake fixed, and what the fix was.
fn fix_once(text: &str) -> Option<(String, &'static str)> {
    let lower = text.to_ascii_lowercase();
    for (wrong, right) in [
        (".headers.", ".header."),
        (".header:", ".header."),
        (".queries.", ".query."),
        (".params.", ".path."),
    ] {
        if let Some(at) = lower.find(wrong) {
            let fixed = format!("{}{right}{}", &text[..at], &text[at + wrong.len()..]);
            return Some((fixed, "the source is singular"));
        }
    }
    // `$response.body.id.name` → `$response.body#/id/name` (up to the end of the expression).
    for prefix in ["$request.body.", "$response.body."] {
        if let Some(at) = lower.find(prefix) {
            let start = at + prefix.len();
            let end = text[start..].find('}').map_or(text.len(), |i| start + i);
            let path = text[start..end].replace('.', "/");
            let fixed = format!("{}#/{path}{}", &text[..start - 1], &text[end..]);
            return Some((
                fixed,
                "a body property is reached with `#` and a JSON pointer",
            ));
        }
    }
    for wrong in [
        "{request.",
        "{response.",
        "{url}",
        "{method}",
        "{statuscode}",
    ] {
        if let Some(at) = lower.find(wrong) {
            let fixed = format!("{}{{${}", &text[..at], &text[at + 1..]);
            return Some((fixed, "a runtime expression starts with `$`"));
        }
    }
    for wrong in ["request.", "response."] {
        if lower.starts_with(wrong) {
            return Some((format!("${text}"), "a runtime expression starts with `$`"));
        }
    }
    let opens = text.matches('{').count();
    let closes = text.matches('}').count();
    if opens > closes {
        // Close the brace where the expression text ends (before the next `/`, `?`, `&` or
        // `{`), or at the end.
        let open = text.rfind('{')?;
        let end = text[open..]
            .find(['{', '?', '&', ' '])
            .filter(|&i| i > 0)
            .map_or(text.len(), |i| open + i);
        let fixed = format!("{}}}{}", &text[..end], &text[end..]);
        return Some((fixed, "close the brace"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(text: &str) -> Option<String> {
        let err = compile_callback_key(text).expect_err("invalid");
        suggest_fix(text, true, &err, None)
    }

    #[test]
    fn suggests_fixes_for_known_mistakes() {
        assert_eq!(
            fix("$response.body.id").as_deref(),
            Some("a body property is reached with `#` and a JSON pointer: `$response.body#/id`")
        );
        assert_eq!(
            fix("{$request.headers.X-Url}").as_deref(),
            Some("the source is singular: `{$request.header.X-Url}`")
        );
        assert_eq!(
            fix("{request.body#/x}").as_deref(),
            Some("a runtime expression starts with `$`: `{$request.body#/x}`")
        );
        assert_eq!(
            fix("{$request.body#/notifUri").as_deref(),
            Some("close the brace: `{$request.body#/notifUri}`")
        );
        assert!(fix("http://x/{userId}").is_some_and(|h| h.contains("path-template placeholder")));
    }
}
