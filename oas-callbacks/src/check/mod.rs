//! `Document::check`: syntax errors with suggested fixes, and semantic lints of callbacks and
//! links against the operations they belong to. Each lint family has its module; this one
//! walks the callbacks and links and hands each expression to them.

mod body_pointer;
mod constant_key;
mod declared_parameters;
mod link_target;
mod path_parameters;
mod suggest;
mod syntax;

use std::collections::HashSet;

use expr_grammar::{Expression, Source};

use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::files::{FileTable, Place};
use crate::model::{Callback, CallbackUrl, Document, Link, LinkValue, Operation, Response};

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
        let mut checker = Checker {
            doc: self,
            ids: link_target::operation_ids(self),
            out: self.diagnostics.clone(),
        };
        for op in &self.operations {
            for callback in &op.callbacks {
                checker.callback(Some(op), callback);
            }
            for response in &op.responses {
                for link in &response.links {
                    checker.link(Some(op), Some(response), link);
                }
            }
        }
        for callback in &self.component_callbacks {
            checker.callback(None, callback);
        }
        for link in &self.component_links {
            checker.link(None, None, link);
        }
        let mut out = checker.out;
        let mut seen = HashSet::new();
        out.retain(|d| seen.insert((d.file.clone(), d.line, d.column, d.message.clone())));
        out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        out
    }
}

/// One run of `check` over a document: what the lints share.
struct Checker<'d> {
    doc: &'d Document,
    /// The `operationId`s a link may name.
    ids: HashSet<&'d str>,
    out: Vec<Diagnostic>,
}

/// Where an expression is written: the place, and whether it is the key there (a callback
/// key) or the value (a link parameter).
#[derive(Clone, Copy)]
struct At<'p> {
    place: &'p Place,
    key: bool,
}

impl Checker<'_> {
    fn diagnostic(
        &self,
        severity: Severity,
        code: DiagnosticCode,
        at: At<'_>,
        within: Option<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.doc
            .files
            .diagnostic(severity, code, at.place, at.key, within, message.into())
    }

    fn callback(&mut self, op: Option<&Operation>, callback: &Callback) {
        let at = At {
            place: &callback.place,
            key: true,
        };
        let url = match callback.url() {
            Ok(url) => url,
            Err(err) => {
                let diagnostic = self.syntax_diagnostic(
                    at,
                    callback.key(),
                    err,
                    op,
                    DiagnosticCode::InvalidCallbackKey,
                );
                self.out.push(diagnostic);
                return;
            }
        };
        if self.constant_key(callback, url, at) {
            return;
        }
        let Some(op) = op else { return };
        match url {
            CallbackUrl::Expression(expr) => self.expression(op, None, expr.expression(), at),
            CallbackUrl::Template(template) => {
                for expr in template.template().expressions() {
                    self.expression(op, None, expr, at);
                }
            }
            CallbackUrl::Constant(_) => {}
        }
    }

    fn link(&mut self, op: Option<&Operation>, response: Option<&Response>, link: &Link) {
        self.link_target(link);
        for (name, value) in &link.parameters {
            let place = link.place.child("parameters").child(name);
            self.link_value(op, response, value, &place);
        }
        if let Some(body) = &link.request_body {
            self.link_value(op, response, body, &link.place.child("requestBody"));
        }
    }

    fn link_value(
        &mut self,
        op: Option<&Operation>,
        response: Option<&Response>,
        value: &LinkValue,
        place: &Place,
    ) {
        let at = At { place, key: false };
        match value {
            LinkValue::Invalid(text, err) => {
                let diagnostic = self.syntax_diagnostic(
                    at,
                    text,
                    err,
                    op,
                    DiagnosticCode::InvalidLinkExpression,
                );
                self.out.push(diagnostic);
            }
            LinkValue::Expression(expr) => {
                if let Some(op) = op {
                    self.expression(op, response, expr.expression(), at);
                }
            }
            LinkValue::Template(template) => {
                if let Some(op) = op {
                    for expr in template.template().expressions() {
                        self.expression(op, response, expr, at);
                    }
                }
            }
            LinkValue::Object(members) => {
                for (name, member) in members {
                    self.link_value(op, response, member, &place.child(name));
                }
            }
            LinkValue::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.link_value(op, response, item, &place.child(&index.to_string()));
                }
            }
            LinkValue::Constant(_) => {}
        }
    }

    /// Lints one expression against its operation (and, in a link, its response).
    fn expression(
        &mut self,
        op: &Operation,
        response: Option<&Response>,
        expr: &Expression,
        at: At<'_>,
    ) {
        match expr {
            Expression::Request(Source::Path(name)) => self.path_parameter(op, expr, name, at),
            Expression::Request(Source::Query(name)) => self.query_parameter(op, expr, name, at),
            Expression::Request(Source::Header(name)) => self.header_parameter(op, expr, name, at),
            Expression::Request(Source::Body(Some(pointer))) if !pointer.is_root() => {
                match &op.request_body {
                    Some(body) if body.non_json => self.non_json_pointer(op, expr, at),
                    Some(body) => {
                        if let Some(schema) = &body.schema {
                            self.body_pointer(expr, pointer, schema, "request", at);
                        }
                    }
                    None => {}
                }
            }
            Expression::Response(Source::Body(Some(pointer))) if !pointer.is_root() => {
                if let Some(schema) = response.and_then(|r| r.schema.as_ref()) {
                    self.body_pointer(expr, pointer, schema, "response", at);
                }
            }
            _ => {}
        }
    }
}
