//! The walk over a description's files that builds its model: the operations, their
//! parameters, bodies and responses, and the load diagnostics.

use serde_json::Value;

use super::node::{At, Node};
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::files::{FileTable, LoadingFiles, Place, RefError};
use crate::model::{Operation, Parameter, ParameterLocation, Response, merge_parameters};

/// The HTTP methods a Path Item may hold as fixed fields (3.2 adds `query`).
pub(crate) const METHODS: [&str; 9] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// Walks the document once, building the model and collecting load diagnostics. A file is
/// opened when a reference the walk follows first reaches it.
pub(super) struct Builder<'f> {
    pub(super) files: &'f LoadingFiles<'f>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl<'f> Builder<'f> {
    pub(super) fn error(
        &mut self,
        code: DiagnosticCode,
        place: &Place,
        key: bool,
        message: impl Into<String>,
    ) {
        let diagnostic =
            self.files
                .diagnostic(Severity::Error, code, place, key, None, message.into());
        self.diagnostics.push(diagnostic);
    }

    pub(super) fn ref_error(&mut self, place: &Place, err: &RefError) {
        let code = err.code();
        self.error(code, place, false, err.to_string());
    }

    pub(super) fn node<'n>(&self, place: Place) -> Option<Node<'n, 'f>> {
        let value = self.files.get(&place)?;
        Some(Node {
            value,
            at: At::Place(place),
        })
    }

    /// Follows references at `node`, reporting a failure there: an error, since callbacks,
    /// path items and links carry the expressions.
    pub(super) fn follow<'n>(&mut self, node: Node<'n, 'f>) -> Option<Node<'n, 'f>> {
        self.follow_as(node, None)
    }

    /// Follows references to a parameter, request body or response (`what`): when one cannot
    /// be followed, only the checks that need it are skipped, so it is a warning.
    pub(super) fn follow_supporting<'n>(
        &mut self,
        node: Node<'n, 'f>,
        what: &str,
    ) -> Option<Node<'n, 'f>> {
        self.follow_as(node, Some(what))
    }

    fn follow_as<'n>(
        &mut self,
        node: Node<'n, 'f>,
        supporting: Option<&str>,
    ) -> Option<Node<'n, 'f>> {
        if node.value.get("$ref").is_none() {
            return Some(node);
        }
        let place = node.place();
        let err = match self.files.follow(&place) {
            Ok(target) => return self.node(target),
            Err(err) => err,
        };
        match supporting {
            None => self.ref_error(&place, &err),
            Some(what) => {
                let diagnostic = self.files.diagnostic(
                    Severity::Warning,
                    DiagnosticCode::SkippedReference,
                    &place,
                    false,
                    None,
                    format!("{err}: the checks that need this {what} are skipped"),
                );
                self.diagnostics.push(diagnostic);
            }
        }
        None
    }

    pub(super) fn root<'n>(&self, root: usize) -> Node<'n, 'f> {
        let place = Place::root(root);
        let value = self.files.get(&place).unwrap_or(&Value::Null);
        Node {
            value,
            at: At::Place(place),
        }
    }

    pub(super) fn operations(&mut self, root: usize) -> Vec<Operation> {
        let root = self.root(root);
        let Some(paths) = root.child("paths") else {
            return Vec::new();
        };
        let mut operations = Vec::new();
        for (path, _) in paths.entries() {
            if path.starts_with("x-") {
                continue;
            }
            let Some(item) = paths.child(path).and_then(|node| self.follow(node)) else {
                continue;
            };
            let path_parameters = self.parameters(item.child("parameters"));
            for (method, op) in self.item_operations(&item) {
                let own = self.parameters(op.child("parameters"));
                let parameters = merge_parameters(&path_parameters, own);
                let operation = self.operation(path, method, &op, parameters);
                operations.push(operation);
            }
        }
        operations
    }

    pub(super) fn parameters(&mut self, list: Option<Node<'_, 'f>>) -> Vec<Parameter> {
        let Some(list) = list else {
            return Vec::new();
        };
        let count = list.value.as_array().map_or(0, Vec::len);
        let mut parameters = Vec::new();
        for index in 0..count {
            let Some(item) = list.value.get(index) else {
                continue;
            };
            let node = Node {
                value: item,
                at: At::Place(list.place().child(&index.to_string())),
            };
            let Some(param) = self.follow_supporting(node, "parameter") else {
                continue;
            };
            // Only the locations OpenAPI defines can be read by an expression.
            if let (Some(name), Some(location)) = (
                param.str("name"),
                param.str("in").and_then(ParameterLocation::from_in),
            ) {
                parameters.push(Parameter {
                    name: name.to_owned(),
                    location,
                });
            }
        }
        parameters
    }

    pub(super) fn operation(
        &mut self,
        path: &str,
        method: http::Method,
        op: &Node<'_, 'f>,
        parameters: Vec<Parameter>,
    ) -> Operation {
        let operation_id = op.str("operationId").map(str::to_owned);
        let request_body = self.request_body(op);
        let responses = self.responses(op.child("responses"));
        let callbacks = self.callbacks_map(op.child("callbacks"));
        Operation {
            method,
            path: path.to_owned(),
            operation_id,
            parameters,
            request_body,
            responses,
            callbacks,
            lookup: std::sync::OnceLock::new(),
            max_rendered_len: self.files.limits().max_rendered_len,
        }
    }

    pub(super) fn responses(&mut self, responses: Option<Node<'_, 'f>>) -> Vec<Response> {
        let Some(responses) = responses else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (status, _) in responses.entries() {
            if status.starts_with("x-") {
                continue;
            }
            let Some(response) = responses
                .child(status)
                .and_then(|node| self.follow_supporting(node, "response (and its links)"))
            else {
                continue;
            };
            let schema = self.media_schema(response.child("content"));
            let links = self.links_map(response.child("links"));
            out.push(Response {
                status: status.clone(),
                schema,
                links,
            });
        }
        out
    }

    /// The operations of a Path Item: the fixed method fields, then 3.2's
    /// `additionalOperations` (whose keys are methods as sent, in their case).
    pub(super) fn item_operations<'n>(
        &mut self,
        item: &'n Node<'n, 'f>,
    ) -> Vec<(http::Method, Node<'n, 'f>)> {
        let mut found = Vec::new();
        for (key, value) in item.entries() {
            if METHODS.contains(&key.as_str()) {
                let Ok(method) = http::Method::from_bytes(key.to_ascii_uppercase().as_bytes())
                else {
                    continue;
                };
                found.push((
                    method,
                    Node {
                        value,
                        at: At::Member(item, key),
                    },
                ));
            }
        }
        if let Some(Value::Object(extra)) = item.value.get("additionalOperations") {
            let base = item.place().child("additionalOperations");
            for (method, value) in extra {
                let at = base.child(method);
                match http::Method::from_bytes(method.as_bytes()) {
                    Ok(parsed) => found.push((
                        parsed,
                        Node {
                            value,
                            at: At::Place(at),
                        },
                    )),
                    Err(_) => self.error(
                        DiagnosticCode::InvalidMethod,
                        &at,
                        true,
                        format!(
                            "`{method}` under `additionalOperations` is not an HTTP method name"
                        ),
                    ),
                }
            }
        }
        found
    }
}
