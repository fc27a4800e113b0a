//! `check` on an Arazzo document (DESIGN §8): every runtime expression, expression string and
//! criterion parses in the document's dialect, and what they name exists: earlier steps and
//! their outputs, declared inputs, source descriptions and their operations, workflows,
//! components. The walk over the document is here; each family of lints has its module.

mod fields;
mod index;
mod pointer;
mod references;
mod sources;
mod suggest;

use std::collections::HashSet;
use std::fmt;

use expr_grammar::Expression;
use oas_callbacks::{Diagnostic, DiagnosticCode, Loader, Severity};
use serde_json::Value;

use crate::document::Document;
use index::Index;
use pointer::{child, item};

/// What `check` found in an Arazzo document.
#[derive(Debug, Clone, Default)]
pub struct Report {
    diagnostics: Vec<Diagnostic>,
    unchecked: Vec<Unchecked>,
}

impl Report {
    /// The diagnostics, sorted by position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics, owned.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// The source descriptions whose documents were not read, so that what steps name in them
    /// is not checked: remote URLs (never fetched) and kinds this crate does not read
    /// (AsyncAPI).
    pub fn unchecked_sources(&self) -> &[Unchecked] {
        &self.unchecked
    }
}

/// A source description `check` did not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unchecked {
    /// Its `name`.
    pub name: String,
    /// Its `url`.
    pub url: String,
    /// Why it was not read.
    pub reason: UncheckedReason,
}

/// Why a source description was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UncheckedReason {
    /// Its URL is remote: `check` does not fetch.
    Remote,
    /// Its `type` (such as `asyncapi`) is not one `check` reads.
    Kind(String),
}

impl fmt::Display for Unchecked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            UncheckedReason::Remote => write!(f, "{} ({}, remote)", self.name, self.url),
            UncheckedReason::Kind(kind) => write!(f, "{} ({}, {kind})", self.name, self.url),
        }
    }
}

impl Document {
    /// Checks the document (DESIGN §8). Local source descriptions are loaded with `loader`
    /// (so files shared with other documents of the run are read once); remote ones are not
    /// fetched, and the report lists them.
    pub fn check(&self, loader: &Loader) -> Report {
        let mut out = Vec::new();
        let mut unchecked = Vec::new();
        let index = Index::build(self, loader, &mut out, &mut unchecked);
        let mut checker = Checker {
            document: self,
            index: &index,
            out,
        };
        checker.document();
        let mut diagnostics = checker.out;
        let mut seen = HashSet::new();
        diagnostics.retain(|d| seen.insert((d.line, d.column, d.message.clone())));
        diagnostics.sort_by_key(|d| (d.line, d.column));
        Report {
            diagnostics,
            unchecked,
        }
    }
}

/// Where an expression is read: its workflow and step, when it has them.
#[derive(Debug, Clone, Copy, Default)]
struct Scope {
    workflow: Option<usize>,
    step: Option<usize>,
    /// The step runs a workflow (`workflowId`): it has no HTTP request or response.
    runs_workflow: bool,
}

/// Where a string is written: the pointer to it, and how far into it a part starts.
#[derive(Debug, Clone, Copy)]
struct At<'p> {
    pointer: &'p str,
    within: usize,
}

struct Checker<'d> {
    document: &'d Document,
    index: &'d Index<'d>,
    out: Vec<Diagnostic>,
}

impl<'d> Checker<'d> {
    fn root(&self) -> &'d Value {
        self.document.file().value()
    }

    fn report(
        &mut self,
        severity: Severity,
        code: DiagnosticCode,
        at: At<'_>,
        message: String,
        help: Option<String>,
    ) {
        let within = (at.within > 0).then_some(at.within);
        let diagnostic = self
            .document
            .file()
            .diagnostic(severity, code, at.pointer, false, within, message);
        self.out.push(match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        });
    }

    fn error(&mut self, code: DiagnosticCode, at: At<'_>, message: String, help: Option<String>) {
        self.report(Severity::Error, code, at, message, help);
    }

    fn document(&mut self) {
        let root = self.root();
        for (w, workflow) in array(root.get("workflows")).iter().enumerate() {
            let pointer = item("/workflows", w);
            self.workflow(w, workflow, &pointer);
        }
        if let Some(components) = root.get("components") {
            let scope = Scope::default();
            if let Some(parameters) = components.get("parameters").and_then(Value::as_object) {
                for (name, parameter) in parameters {
                    let pointer = child(&child("/components/parameters", name), "value");
                    if let Some(value) = parameter.get("value") {
                        self.value(value, &pointer, scope);
                    }
                }
            }
            for kind in ["successActions", "failureActions"] {
                if let Some(actions) = components.get(kind).and_then(Value::as_object) {
                    for (name, action) in actions {
                        let pointer = child(&child("/components", kind), name);
                        self.action(action, &pointer, scope);
                    }
                }
            }
        }
    }

    fn workflow(&mut self, w: usize, workflow: &'d Value, pointer: &str) {
        let scope = Scope {
            workflow: Some(w),
            ..Scope::default()
        };
        for (i, dependency) in array(workflow.get("dependsOn")).iter().enumerate() {
            if let Some(text) = dependency.as_str() {
                self.workflow_id(text, &item(&child(pointer, "dependsOn"), i), scope);
            }
        }
        for (s, step) in array(workflow.get("steps")).iter().enumerate() {
            let step_pointer = item(&child(pointer, "steps"), s);
            let scope = Scope {
                workflow: Some(w),
                step: Some(s),
                runs_workflow: step.get("workflowId").is_some(),
            };
            self.step(step, &step_pointer, scope);
        }
        self.parameters(workflow.get("parameters"), pointer, scope);
        for kind in ["successActions", "failureActions"] {
            for (i, action) in array(workflow.get(kind)).iter().enumerate() {
                self.action(action, &item(&child(pointer, kind), i), scope);
            }
        }
        self.outputs(workflow.get("outputs"), pointer, scope);
    }

    fn step(&mut self, step: &'d Value, pointer: &str, scope: Scope) {
        if let Some(text) = step.get("operationId").and_then(Value::as_str) {
            self.operation_id(text, &child(pointer, "operationId"), scope);
        }
        if let Some(text) = step.get("operationPath").and_then(Value::as_str) {
            self.operation_path(text, &child(pointer, "operationPath"), scope);
        }
        if let Some(text) = step.get("workflowId").and_then(Value::as_str) {
            self.workflow_id(text, &child(pointer, "workflowId"), scope);
        }
        self.parameters(step.get("parameters"), pointer, scope);
        if let Some(body) = step.get("requestBody") {
            let body_pointer = child(pointer, "requestBody");
            if let Some(payload) = body.get("payload") {
                let content_type = body.get("contentType").and_then(Value::as_str);
                self.payload(
                    payload,
                    &child(&body_pointer, "payload"),
                    content_type,
                    scope,
                );
            }
            for (i, replacement) in array(body.get("replacements")).iter().enumerate() {
                if let Some(value) = replacement.get("value") {
                    let at = child(&item(&child(&body_pointer, "replacements"), i), "value");
                    self.value(value, &at, scope);
                }
            }
        }
        for (i, criterion) in array(step.get("successCriteria")).iter().enumerate() {
            self.criterion(
                criterion,
                &item(&child(pointer, "successCriteria"), i),
                scope,
            );
        }
        for kind in ["onSuccess", "onFailure"] {
            for (i, action) in array(step.get(kind)).iter().enumerate() {
                self.action(action, &item(&child(pointer, kind), i), scope);
            }
        }
        self.outputs(step.get("outputs"), pointer, scope);
        for (i, dependency) in array(step.get("dependsOn")).iter().enumerate() {
            if let Some(text) = dependency.as_str() {
                self.step_dependency(text, &item(&child(pointer, "dependsOn"), i), scope);
            }
        }
    }

    fn parameters(&mut self, parameters: Option<&'d Value>, owner: &str, scope: Scope) {
        for (i, parameter) in array(parameters).iter().enumerate() {
            let pointer = item(&child(owner, "parameters"), i);
            if let Some(reference) = parameter.get("reference").and_then(Value::as_str) {
                self.whole(reference, &child(&pointer, "reference"), scope);
            }
            if let Some(value) = parameter.get("value") {
                self.value(value, &child(&pointer, "value"), scope);
            }
        }
    }

    fn outputs(&mut self, outputs: Option<&'d Value>, owner: &str, scope: Scope) {
        let Some(outputs) = outputs.and_then(Value::as_object) else {
            return;
        };
        for (name, value) in outputs {
            let pointer = child(&child(owner, "outputs"), name);
            match value {
                Value::String(text) => self.whole(text, &pointer, scope),
                // A Selector Object (1.1.0): its context is an expression.
                Value::Object(selector) => {
                    if let Some(context) = selector.get("context").and_then(Value::as_str) {
                        self.whole(context, &child(&pointer, "context"), scope);
                    }
                }
                _ => {}
            }
        }
    }

    /// A Success or Failure Action Object, or a Reusable Object that names one.
    fn action(&mut self, action: &'d Value, pointer: &str, scope: Scope) {
        if let Some(reference) = action.get("reference").and_then(Value::as_str) {
            self.whole(reference, &child(pointer, "reference"), scope);
            return;
        }
        if let Some(step_id) = action.get("stepId").and_then(Value::as_str) {
            self.action_step(step_id, &child(pointer, "stepId"), scope);
        }
        if let Some(workflow_id) = action.get("workflowId").and_then(Value::as_str) {
            self.workflow_id(workflow_id, &child(pointer, "workflowId"), scope);
        }
        self.parameters(action.get("parameters"), pointer, scope);
        for (i, criterion) in array(action.get("criteria")).iter().enumerate() {
            self.criterion(criterion, &item(&child(pointer, "criteria"), i), scope);
        }
    }

    /// A field that holds exactly one runtime expression.
    fn whole(&mut self, text: &str, pointer: &str, scope: Scope) {
        let at = At { pointer, within: 0 };
        if let Some(expression) = self.parse(text, at) {
            self.references(&expression, at, scope);
        }
    }

    /// Parses an expression of the document's dialect; a syntax error is reported at its place.
    fn parse(&mut self, text: &str, at: At<'_>) -> Option<Expression> {
        match Expression::parse_in(text, self.document.dialect()) {
            Ok(expression) => Some(expression),
            Err(err) => {
                let place = At {
                    pointer: at.pointer,
                    within: at.within + err.offset(),
                };
                let help = suggest::syntax(text, self.document.dialect());
                self.error(
                    DiagnosticCode::ArazzoInvalidExpression,
                    place,
                    format!(
                        "`{text}` is not a runtime expression of Arazzo {}: {}",
                        self.document.version(),
                        err.message()
                    ),
                    help,
                );
                None
            }
        }
    }
}

/// The items of a JSON array (none for anything else).
fn array(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}
