//! A step's operation: `operationId` names an operation of a source description, and
//! `operationPath` is `{$sourceDescriptions.<name>.url}#<pointer>` with a pointer to one.

use expr_grammar::{Expression, JsonPointer};
use oas_callbacks::DiagnosticCode;

use super::index::Loaded;
use super::{At, Checker, Scope, suggest};

impl Checker<'_> {
    pub(super) fn operation_id(&mut self, text: &str, pointer: &str, scope: Scope) {
        let at = At { pointer, within: 0 };
        if text.starts_with('$') {
            let Some(expression) = self.parse(text, at) else {
                return;
            };
            match &expression {
                Expression::SourceDescriptions(reference) => {
                    self.source_reference(reference.name(), reference.reference(), at, true);
                }
                other => self.error(
                    DiagnosticCode::ArazzoUnknownOperation,
                    at,
                    format!("`{other}` does not name an operation"),
                    Some("write `$sourceDescriptions.NAME.OPERATION_ID`".to_owned()),
                ),
            }
            let _ = scope;
            return;
        }
        // A plain operationId: it is checked when every OpenAPI source was read.
        let index = self.index;
        let mut ids = Vec::new();
        for source in &index.sources {
            match &source.loaded {
                Loaded::OpenApi(openapi) => {
                    ids.extend(
                        openapi
                            .operations()
                            .iter()
                            .filter_map(|op| op.operation_id()),
                    );
                }
                Loaded::Arazzo(_) => {}
                Loaded::NotRead => return,
            }
        }
        if ids.is_empty() && index.sources.is_empty() {
            return;
        }
        if !ids.contains(&text) {
            let help = suggest::similar(text, ids.iter().copied());
            self.error(
                DiagnosticCode::ArazzoUnknownOperation,
                at,
                format!("no source description has an operation `{text}`"),
                help,
            );
        }
    }

    pub(super) fn operation_path(&mut self, text: &str, pointer: &str, _scope: Scope) {
        let at = At { pointer, within: 0 };
        let invalid = |checker: &mut Self, help: String| {
            checker.error(
                DiagnosticCode::ArazzoInvalidOperationPath,
                at,
                format!("`{text}` is not `{{$sourceDescriptions.NAME.url}}#POINTER`"),
                Some(help),
            );
        };
        let Some(rest) = text.strip_prefix("{$") else {
            let help = match text.strip_prefix("$sourceDescriptions.") {
                Some(rest) => {
                    let (name, pointer) = rest.split_once('#').unwrap_or((rest, "/paths"));
                    let name = name.strip_suffix(".url").unwrap_or(name);
                    format!("write `{{$sourceDescriptions.{name}.url}}#{pointer}`")
                }
                None => "name the source description: `{$sourceDescriptions.NAME.url}#/paths/~1pets/get`".to_owned(),
            };
            invalid(self, help);
            return;
        };
        let Some(close) = rest.find('}') else {
            invalid(self, "close the expression with `}`".to_owned());
            return;
        };
        let inner = &text[1..close + 2];
        let inner_at = At { pointer, within: 1 };
        let Some(expression) = self.parse(inner, inner_at) else {
            return;
        };
        let Expression::SourceDescriptions(reference) = &expression else {
            invalid(
                self,
                "the expression is `$sourceDescriptions.NAME.url`".to_owned(),
            );
            return;
        };
        let name = reference.name();
        if reference.reference() != "url" {
            invalid(self, format!("write `{{$sourceDescriptions.{name}.url}}`"));
            return;
        }
        self.source_reference(name, "url", inner_at, false);
        let after = &text[close + 3..];
        let Some(fragment) = after.strip_prefix('#') else {
            invalid(
                self,
                format!(
                    "follow it with `#` and a JSON pointer: `{{$sourceDescriptions.{name}.url}}#/paths/~1pets/get`"
                ),
            );
            return;
        };
        let Ok(json_pointer) = JsonPointer::parse(fragment) else {
            invalid(self, format!("`{fragment}` is not a JSON pointer"));
            return;
        };
        let index = self.index;
        let Some(Loaded::OpenApi(openapi)) = index.source(name).map(|s| &s.loaded) else {
            return;
        };
        let tokens: Vec<String> = json_pointer
            .tokens()
            .map(|t| t.decoded().into_owned())
            .collect();
        let fragment_at = At {
            pointer,
            within: close + 4,
        };
        match tokens.as_slice() {
            [paths, path] if paths == "paths" => {
                self.error(
                    DiagnosticCode::ArazzoUnknownOperation,
                    fragment_at,
                    format!("`#{fragment}` names a path item, not an operation"),
                    Some(format!(
                        "add the method: `#{fragment}/get` (or post, put, …)"
                    )),
                );
                let _ = path;
            }
            [paths, path, method] if paths == "paths" => {
                let found = openapi.operations().iter().any(|op| {
                    op.path() == path && op.method().as_str().eq_ignore_ascii_case(method)
                });
                if !found {
                    let known_path = openapi.operations().iter().any(|op| op.path() == path);
                    let help = if known_path {
                        format!("the path `{path}` has no `{method}` operation")
                    } else {
                        let paths = openapi.operations().iter().map(|op| op.path());
                        suggest::similar(path, paths).unwrap_or_else(|| {
                            "point at `#/paths/<path with / as ~1>/<method>`".to_owned()
                        })
                    };
                    self.error(
                        DiagnosticCode::ArazzoUnknownOperation,
                        fragment_at,
                        format!("source description `{name}` has no operation at `#{fragment}`"),
                        Some(help),
                    );
                }
            }
            _ => {}
        }
    }
}
