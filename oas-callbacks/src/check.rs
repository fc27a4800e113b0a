//! `Document::check`: syntax errors with suggested fixes, and semantic lints of callbacks and
//! links against the operations they belong to.

use std::collections::HashSet;

use expr_grammar::{ErrorKind, Expression, ParseError, Source, Template};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::document::{
    Callback, CallbackUrl, Document, Link, LinkTarget, LinkValue, Operation, Place, Response,
    compile_callback_key,
};

/// Header fields the specification says cannot be declared as parameters (they "SHALL be
/// ignored"), so an expression reading them cannot be expected to declare them.
const UNDECLARABLE_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// How deep schema walks go (schemas may be recursive).
const MAX_SCHEMA_DEPTH: usize = 64;

/// How many schemas one body-pointer lint visits at most: `allOf` branches that share their
/// targets would otherwise make the walk take one step per path through the graph (2^depth).
const MAX_SCHEMA_VISITS: usize = 10_000;

/// "Did you mean" looks only at names up to this length (the edit distance is quadratic in it),
/// at most this many candidates, and for the first this-many problems of a check: bounded work
/// on a document with a million operations or million-character names.
const MAX_SUGGESTED_LEN: usize = 64;
const MAX_SUGGESTION_CANDIDATES: usize = 1_000;
const MAX_SUGGESTIONS: usize = 100;

impl Document {
    /// Checks every callback key and link of the document: syntax errors (with a suggested fix
    /// where a common mistake is recognised), expressions that the operation cannot satisfy,
    /// links to operations that do not exist. Load diagnostics come first. Sorted by file and
    /// position; only [`Severity::Error`] means the document is invalid.
    ///
    /// ```
    /// let doc = oas_callbacks::Document::load("../examples/progress-api.yaml")?;
    /// assert!(doc.check().iter().all(|d| d.severity != oas_callbacks::Severity::Error));
    /// # Ok::<(), oas_callbacks::LoadError>(())
    /// ```
    pub fn check(&self) -> Vec<Diagnostic> {
        let mut out = self.diagnostics.clone();
        let ids = self.operation_ids();
        for op in &self.operations {
            for callback in &op.callbacks {
                self.lint_callback(Some(op), callback, &mut out);
            }
            for response in &op.responses {
                for link in &response.links {
                    self.lint_link(Some(op), Some(response), link, &ids, &mut out);
                }
            }
        }
        for callback in &self.component_callbacks {
            self.lint_callback(None, callback, &mut out);
        }
        for link in &self.component_links {
            self.lint_link(None, None, link, &ids, &mut out);
        }
        let mut seen = HashSet::new();
        out.retain(|d| seen.insert((d.file.clone(), d.line, d.column, d.message.clone())));
        out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        out
    }

    fn lint_callback(
        &self,
        op: Option<&Operation>,
        callback: &Callback,
        out: &mut Vec<Diagnostic>,
    ) {
        let place = &callback.place;
        let url = match callback.url() {
            Ok(url) => url,
            Err(err) => {
                out.push(self.syntax_diagnostic(
                    place,
                    true,
                    callback.key(),
                    err,
                    op,
                    DiagnosticCode::InvalidCallbackKey,
                ));
                return;
            }
        };
        match url {
            CallbackUrl::Constant(text) => {
                if !(text.starts_with("http://") || text.starts_with("https://")) {
                    out.push(self.diagnostic_at(
                        Severity::Warning,
                        DiagnosticCode::ConstantCallbackKey,
                        place,
                        true,
                        None,
                        format!("callback key `{text}` holds no runtime expression and is not an absolute http(s) URL"),
                    ));
                }
            }
            CallbackUrl::Expression(expr) if not_a_url(expr).is_some() => {
                out.push(self.not_a_url(callback, expr, place));
            }
            CallbackUrl::Template(template)
                if template.template().segments().len() == 1
                    && template
                        .template()
                        .expressions()
                        .any(|e| not_a_url(e).is_some()) =>
            {
                if let Some(expr) = template.template().expressions().next() {
                    out.push(self.not_a_url(callback, expr, place));
                }
            }
            CallbackUrl::Expression(expr) => {
                if let Some(op) = op {
                    self.lint_expression(op, None, expr, place, true, out);
                }
            }
            CallbackUrl::Template(template) => {
                if let Some(op) = op {
                    for expr in template.template().expressions() {
                        self.lint_expression(op, None, expr, place, true, out);
                    }
                }
            }
        }
    }

    fn not_a_url(&self, callback: &Callback, expr: &Expression, place: &Place) -> Diagnostic {
        self.diagnostic_at(
            Severity::Warning,
            DiagnosticCode::CallbackKeyNotAUrl,
            place,
            true,
            None,
            format!(
                "callback key `{}` evaluates to {}, not to a URL",
                callback.key(),
                not_a_url(expr).unwrap_or("a value")
            ),
        )
    }

    fn lint_link(
        &self,
        op: Option<&Operation>,
        response: Option<&Response>,
        link: &Link,
        ids: &HashSet<&str>,
        out: &mut Vec<Diagnostic>,
    ) {
        self.lint_link_target(link, ids, out);
        for (name, value) in &link.parameters {
            let place = link.place.child("parameters").child(name);
            self.lint_link_value(op, response, value, &place, out);
        }
        if let Some(body) = &link.request_body {
            self.lint_link_value(op, response, body, &link.place.child("requestBody"), out);
        }
    }

    fn lint_link_value(
        &self,
        op: Option<&Operation>,
        response: Option<&Response>,
        value: &LinkValue,
        place: &Place,
        out: &mut Vec<Diagnostic>,
    ) {
        match value {
            LinkValue::Invalid(text, err) => {
                out.push(self.syntax_diagnostic(
                    place,
                    false,
                    text,
                    err,
                    op,
                    DiagnosticCode::InvalidLinkExpression,
                ));
            }
            LinkValue::Expression(expr) => {
                if let Some(op) = op {
                    self.lint_expression(op, response, expr, place, false, out);
                }
            }
            LinkValue::Template(template) => {
                if let Some(op) = op {
                    for expr in template.template().expressions() {
                        self.lint_expression(op, response, expr, place, false, out);
                    }
                }
            }
            LinkValue::Object(members) => {
                for (name, member) in members {
                    self.lint_link_value(op, response, member, &place.child(name), out);
                }
            }
            LinkValue::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.lint_link_value(op, response, item, &place.child(&index.to_string()), out);
                }
            }
            _ => {}
        }
    }

    fn lint_link_target(&self, link: &Link, ids: &HashSet<&str>, out: &mut Vec<Diagnostic>) {
        match &link.target {
            LinkTarget::OperationId(id) if !ids.contains(id.as_str()) => {
                let mut diagnostic = self.diagnostic_at(
                    Severity::Error,
                    DiagnosticCode::UnknownLinkOperation,
                    &link.place.child("operationId"),
                    false,
                    None,
                    format!("operationId `{id}` of a link names no operation of the document"),
                );
                if out.len() < MAX_SUGGESTIONS
                    && let Some(close) = closest(id, ids.iter().copied())
                {
                    diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
                }
                out.push(diagnostic);
            }
            LinkTarget::OperationRef(reference) => {
                if let Some((severity, code, message)) = self.operation_ref_problem(link, reference)
                {
                    out.push(self.diagnostic_at(
                        severity,
                        code,
                        &link.place.child("operationRef"),
                        false,
                        None,
                        message,
                    ));
                }
            }
            _ => {}
        }
    }

    /// What is wrong with an `operationRef`, if anything: it must lead to an operation (a
    /// method under a Path Item). URL references cannot be checked without the network.
    fn operation_ref_problem(
        &self,
        link: &Link,
        reference: &str,
    ) -> Option<(Severity, DiagnosticCode, String)> {
        let (location, _) = reference.split_once('#').unwrap_or((reference, ""));
        if location.contains("://") {
            return Some((
                Severity::Warning,
                DiagnosticCode::UncheckedOperationRef,
                format!(
                    "operationRef `{reference}` is a URL and was not checked (no network access)"
                ),
            ));
        }
        match self.files.target(link.place.file, reference) {
            Ok(place) => {
                let is_operation = place
                    .pointer
                    .tokens()
                    .last()
                    .is_some_and(|t| crate::document::is_method_key(t.decoded().as_ref()))
                    && self.value(&place).is_some_and(Value::is_object);
                (!is_operation).then(|| {
                    (
                        Severity::Error,
                        DiagnosticCode::InvalidOperationRef,
                        format!("operationRef `{reference}` does not point at an operation"),
                    )
                })
            }
            Err(err) => Some((
                Severity::Error,
                DiagnosticCode::InvalidOperationRef,
                format!("operationRef `{reference}` does not resolve: {err}"),
            )),
        }
    }

    /// The `operationId`s a link may name: the operations', and their callbacks'.
    fn operation_ids(&self) -> HashSet<&str> {
        let mut ids = HashSet::new();
        for op in &self.operations {
            ids.extend(op.operation_id());
            for callback in &op.callbacks {
                ids.extend(callback.operations.iter().filter_map(|o| o.operation_id()));
            }
        }
        ids
    }

    /// Lints one expression against its operation (and, in a link, its response).
    fn lint_expression(
        &self,
        op: &Operation,
        response: Option<&Response>,
        expr: &Expression,
        place: &Place,
        key: bool,
        out: &mut Vec<Diagnostic>,
    ) {
        let warn = |code, message: String| {
            self.diagnostic_at(Severity::Warning, code, place, key, None, message)
        };
        match expr {
            Expression::Request(Source::Path(name)) => {
                let params = &op.lookup().path;
                if !op.lookup().path_set.contains(name) {
                    let mut diagnostic = self.diagnostic_at(
                        Severity::Error,
                        DiagnosticCode::UnknownPathParameter,
                        place,
                        key,
                        None,
                        format!(
                            "`{expr}`: the path `{}` of operation `{}` has no `{{{name}}}`",
                            op.path(),
                            op.display_name()
                        ),
                    );
                    if out.len() < MAX_SUGGESTIONS
                        && let Some(close) = closest(name, params.iter().map(String::as_str))
                    {
                        diagnostic =
                            diagnostic.with_help(format!("did you mean `$request.path.{close}`?"));
                    }
                    out.push(diagnostic);
                }
            }
            Expression::Request(Source::Query(name)) if !op.lookup().query.contains(name) => {
                out.push(warn(
                        DiagnosticCode::UndeclaredQueryParameter,
                        format!("`{expr}`: operation `{}` declares no query parameter `{name}` (the specification requires request parameters to be declared)", op.display_name()),
                    ));
            }
            Expression::Request(Source::Header(name)) => {
                let undeclarable = UNDECLARABLE_HEADERS.iter().any(|h| name.matches(h));
                if !undeclarable
                    && !op
                        .lookup()
                        .headers
                        .contains(&name.as_str().to_ascii_lowercase())
                {
                    out.push(warn(
                        DiagnosticCode::UndeclaredHeaderParameter,
                        format!("`{expr}`: operation `{}` declares no header parameter `{name}` (the specification requires request parameters to be declared)", op.display_name()),
                    ));
                }
            }
            Expression::Request(Source::Body(Some(pointer))) if !pointer.is_root() => {
                if let Some(schema) = &op.request_schema {
                    self.lint_pointer(expr, pointer, schema, "request", place, key, out);
                }
            }
            Expression::Response(Source::Body(Some(pointer))) if !pointer.is_root() => {
                if let Some(schema) = response.and_then(|r| r.schema.as_ref()) {
                    self.lint_pointer(expr, pointer, schema, "response", place, key, out);
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
    fn lint_pointer(
        &self,
        expr: &Expression,
        pointer: &jsonptr::Pointer,
        schema: &Place,
        which: &str,
        place: &Place,
        key: bool,
        out: &mut Vec<Diagnostic>,
    ) {
        let tokens: Vec<String> = pointer.tokens().map(|t| t.decoded().into_owned()).collect();
        let mut budget = MAX_SCHEMA_VISITS;
        let SchemaVerdict::Missing { depth, known } =
            self.schema_admits(schema, &tokens, 0, &mut budget)
        else {
            return;
        };
        let at: String = tokens[..depth]
            .iter()
            .map(|t| format!("/{}", escape_token(t)))
            .collect();
        let mut message = format!(
            "`{expr}`: the {which} body schema has no property `{}` at `{}`",
            tokens[depth],
            if at.is_empty() { "/" } else { &at }
        );
        if !known.is_empty() {
            let listed: Vec<String> = known.iter().take(8).map(|k| format!("`{k}`")).collect();
            message.push_str(&format!(
                " (it declares {}{})",
                listed.join(", "),
                if known.len() > 8 { ", …" } else { "" }
            ));
        }
        let mut diagnostic = self.diagnostic_at(
            Severity::Warning,
            DiagnosticCode::UnknownBodyProperty,
            place,
            key,
            None,
            message,
        );
        // `#/a.b.c` written for `#/a/b/c`: suggest the slashed pointer when the schema has it.
        if tokens[depth].contains('.') {
            let mut split: Vec<String> = tokens[..depth].to_vec();
            split.extend(tokens[depth].split('.').map(str::to_owned));
            split.extend(tokens[depth + 1..].iter().cloned());
            if matches!(
                self.schema_admits(schema, &split, 0, &mut { MAX_SCHEMA_VISITS }),
                SchemaVerdict::Admitted
            ) {
                let fixed: String = split
                    .iter()
                    .map(|t| format!("/{}", escape_token(t)))
                    .collect();
                let prefix = if matches!(expr, Expression::Request(_)) {
                    "$request"
                } else {
                    "$response"
                };
                diagnostic = diagnostic.with_help(format!("did you mean `{prefix}.body#{fixed}`?"));
            }
        } else if out.len() < MAX_SUGGESTIONS
            && let Some(close) = closest(&tokens[depth], known.iter().map(String::as_str))
        {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
        }
        out.push(diagnostic);
    }

    /// Whether a value valid against the schema at `schema` can hold something at `tokens`.
    fn schema_admits(
        &self,
        schema: &Place,
        tokens: &[String],
        depth: usize,
        budget: &mut usize,
    ) -> SchemaVerdict {
        if depth > MAX_SCHEMA_DEPTH || *budget == 0 {
            return SchemaVerdict::Unknown;
        }
        *budget -= 1;
        let Ok(schema) = self.files.follow(schema) else {
            return SchemaVerdict::Unknown;
        };
        let Some(token) = tokens.first() else {
            return SchemaVerdict::Admitted;
        };
        let Some(Value::Object(map)) = self.value(&schema) else {
            return SchemaVerdict::Unknown;
        };
        // Combinators: admitted if any branch admits it.
        let mut branches_missing = Vec::new();
        let mut has_branches = false;
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(items)) = map.get(combinator) {
                for index in 0..items.len() {
                    has_branches = true;
                    let branch = schema.child(combinator).child(&index.to_string());
                    match self.schema_admits(&branch, tokens, depth + 1, budget) {
                        SchemaVerdict::Missing { depth: d, known } => {
                            branches_missing.push((d, known))
                        }
                        verdict => return verdict,
                    }
                }
            }
        }
        let mut known: Vec<String> = Vec::new();
        if let Some(Value::Object(properties)) = map.get("properties") {
            if properties.contains_key(token) {
                return self
                    .schema_admits(
                        &schema.child("properties").child(token),
                        &tokens[1..],
                        depth + 1,
                        budget,
                    )
                    .deeper();
            }
            known.extend(properties.keys().cloned());
        }
        let is_index = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
        if is_index {
            if let Some(items) = map.get("items")
                && items.is_object()
            {
                return self
                    .schema_admits(&schema.child("items"), &tokens[1..], depth + 1, budget)
                    .deeper();
            }
            if map.get("prefixItems").is_some() {
                return SchemaVerdict::Unknown;
            }
        }
        match map.get("additionalProperties") {
            Some(Value::Object(_)) => {
                return self
                    .schema_admits(
                        &schema.child("additionalProperties"),
                        &tokens[1..],
                        depth + 1,
                        budget,
                    )
                    .deeper();
            }
            Some(Value::Bool(true)) => return SchemaVerdict::Unknown,
            _ => {}
        }
        if map.contains_key("patternProperties") || map.contains_key("$dynamicRef") {
            return SchemaVerdict::Unknown;
        }
        for (_, branch_known) in &branches_missing {
            known.extend(branch_known.iter().cloned());
        }
        if known.is_empty() && !has_branches {
            // Nothing declared: the schema does not say what the body holds.
            return SchemaVerdict::Unknown;
        }
        // A branch that failed deeper than here is more specific.
        if let Some((d, branch_known)) = branches_missing
            .iter()
            .filter(|(d, _)| *d > 0)
            .max_by_key(|(d, _)| *d)
        {
            return SchemaVerdict::Missing {
                depth: *d,
                known: branch_known.clone(),
            };
        }
        known.sort();
        known.dedup();
        SchemaVerdict::Missing { depth: 0, known }
    }

    /// A syntax error diagnostic, with a suggested fix when the mistake is a known one.
    fn syntax_diagnostic(
        &self,
        place: &Place,
        key: bool,
        text: &str,
        err: &ParseError,
        op: Option<&Operation>,
        code: DiagnosticCode,
    ) -> Diagnostic {
        let what = match code {
            DiagnosticCode::InvalidCallbackKey => "invalid callback key",
            _ => "invalid runtime expression",
        };
        let diagnostic = self.diagnostic_at(
            Severity::Error,
            code,
            place,
            key,
            Some(err.offset()),
            format!("{what}: {}", err.message()),
        );
        match suggest_fix(text, key, err, op) {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

/// What an expression that can never be a URL gives instead.
fn not_a_url(expr: &Expression) -> Option<&'static str> {
    match expr {
        Expression::Method => Some("the HTTP method"),
        Expression::StatusCode => Some("the status code"),
        _ => None,
    }
}

/// The answer of a schema walk.
enum SchemaVerdict {
    /// The schema declares the whole path.
    Admitted,
    /// The schema leaves it open (no properties declared, `additionalProperties: true`, a
    /// reference that cannot be followed…): no warning.
    Unknown,
    /// The token at `depth` is not declared; `known` lists the properties declared there.
    Missing { depth: usize, known: Vec<String> },
}

impl SchemaVerdict {
    fn deeper(self) -> Self {
        match self {
            SchemaVerdict::Missing { depth, known } => SchemaVerdict::Missing {
                depth: depth + 1,
                known,
            },
            other => other,
        }
    }
}

fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The `{name}` parameters of a path template.
pub(crate) fn path_template_parameters(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    names
}

/// The known name closest to `name`: the same ignoring case, or within a small edit distance.
fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if name.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    let candidates = known
        .filter(|candidate| candidate.len() <= MAX_SUGGESTED_LEN)
        .take(MAX_SUGGESTION_CANDIDATES);
    for candidate in candidates {
        let distance = if candidate.eq_ignore_ascii_case(name) {
            0
        } else {
            edit_distance(&name.to_ascii_lowercase(), &candidate.to_ascii_lowercase())
        };
        let limit = (name.chars().count() / 3).max(1);
        // Ties go to the smallest name, so the answer does not depend on iteration order.
        if distance <= limit && best.is_none_or(|(d, b)| (distance, candidate) < (d, b)) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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

    #[test]
    fn finds_close_names() {
        assert_eq!(
            closest("userid", ["userId", "other"].into_iter()),
            Some("userId")
        );
        assert_eq!(closest("sers", ["users"].into_iter()), Some("users"));
        assert_eq!(closest("zzzz", ["users"].into_iter()), None);
    }

    #[test]
    fn reads_path_template_parameters() {
        assert_eq!(path_template_parameters("/a/{x}/b/{y}"), ["x", "y"]);
    }
}
