//! What an expression names must exist: an earlier step of its workflow and that step's
//! output, a declared input, a workflow and its outputs, a source description, a component.
//! And an expression that reads the HTTP response must have one.

use expr_grammar::{ComponentKind, Expression, Family, WorkflowField};
use oas_callbacks::{DiagnosticCode, Severity};
use serde_json::Value;

use super::index::{Loaded, WorkflowInfo};
use super::{At, Checker, Scope, suggest};

impl<'d> Checker<'d> {
    pub(super) fn references(&mut self, expression: &Expression, at: At<'_>, scope: Scope) {
        match expression {
            Expression::StatusCode | Expression::Response(_) if scope.runs_workflow => {
                self.report(
                    Severity::Warning,
                    DiagnosticCode::ArazzoNoResponse,
                    at,
                    format!("`{expression}` reads the HTTP response, but this step runs a workflow and has none"),
                    None,
                );
            }
            Expression::Steps(reference) => {
                self.step_output(
                    reference.step_id(),
                    Some(reference.output().name()),
                    at,
                    scope,
                );
            }
            Expression::Unstructured(name) if name.family() == Family::Steps => {
                // 1.0.x `$steps.someStep.pets`: a step and an output, without `.outputs.`.
                let (step, rest) = name.name().split_once('.').unwrap_or((name.name(), ""));
                if self.step_output(step, None, at, scope) {
                    let output = rest.split(['.', '#']).next().unwrap_or_default();
                    self.error(
                        DiagnosticCode::ArazzoUnknownOutput,
                        at,
                        format!("`{expression}` reads no output of step `{step}`: `.outputs.` is missing"),
                        Some(format!("write `$steps.{step}.outputs.{output}`")),
                    );
                }
            }
            Expression::Inputs(reference) => {
                if let Some(workflow) = scope.workflow {
                    let index = self.index;
                    let workflow = &index.workflows[workflow];
                    self.input(workflow, reference.name(), at);
                }
            }
            Expression::Workflows(reference) => {
                let id = reference.workflow_id();
                let index = self.index;
                let Some(workflow) = index.workflow(id) else {
                    self.unknown_workflow(id, at);
                    return;
                };
                let name = reference.value().name();
                match reference.field() {
                    WorkflowField::Outputs if !workflow.outputs.contains(&name) => {
                        let help = suggest::similar(name, workflow.outputs.iter().copied());
                        self.error(
                            DiagnosticCode::ArazzoUnknownOutput,
                            at,
                            format!("workflow `{id}` has no output `{name}`"),
                            help,
                        );
                    }
                    WorkflowField::Inputs => self.input(workflow, name, at),
                    _ => {}
                }
            }
            Expression::SourceDescriptions(reference) => {
                self.source_reference(reference.name(), reference.reference(), at, false);
            }
            Expression::Components(reference) => {
                let kind = match reference.kind() {
                    ComponentKind::Parameters => "parameters",
                    ComponentKind::SuccessActions => "successActions",
                    ComponentKind::FailureActions => "failureActions",
                    _ => return,
                };
                let name = reference.name();
                if !self.index.component(kind, name) {
                    let help = suggest::similar(name, self.index.component_names(kind).into_iter());
                    self.error(
                        DiagnosticCode::ArazzoUnknownComponent,
                        at,
                        format!("`components.{kind}` has no `{name}`"),
                        help,
                    );
                }
            }
            _ => {}
        }
    }

    /// `$steps.<step>` (and its output, when given) from where `scope` is. Returns whether
    /// the step is known and may be read from here.
    fn step_output(&mut self, step: &str, output: Option<&str>, at: At<'_>, scope: Scope) -> bool {
        let Some(w) = scope.workflow else {
            // In components: any workflow's step may be meant; not checked.
            return false;
        };
        let index_of = self.index;
        let workflow = &index_of.workflows[w];
        let Some(index) = workflow.step_index(step) else {
            let help = suggest::similar(step, workflow.steps.iter().map(|s| s.id)).or_else(|| {
                index_of
                    .workflows
                    .iter()
                    .find(|other| other.step_index(step).is_some())
                    .map(|other| {
                        format!(
                            "`{step}` is a step of workflow `{}`: read that workflow's outputs with `$workflows.{}.outputs.NAME`",
                            other.id, other.id
                        )
                    })
            });
            self.error(
                DiagnosticCode::ArazzoUnknownStep,
                at,
                format!("workflow `{}` has no step `{step}`", workflow.id),
                help,
            );
            return false;
        };
        if let Some(current) = scope.step {
            let depends = workflow.steps[current].depends_on.contains(&step);
            if index >= current && !depends {
                let message = if index == current {
                    format!("step `{step}` reads its own outputs")
                } else {
                    format!("step `{step}` runs after this one: its outputs are not there yet")
                };
                self.error(
                    DiagnosticCode::ArazzoUnknownStep,
                    at,
                    message,
                    Some(format!(
                        "move step `{step}` before this one, or add it to this step's `dependsOn`"
                    )),
                );
                return false;
            }
        }
        let target = &workflow.steps[index];
        if let Some(output) = output
            && !target.outputs.iter().any(|(name, _)| *name == output)
        {
            let names: Vec<&str> = target.outputs.iter().map(|(name, _)| *name).collect();
            let help = suggest::similar(output, names.iter().copied()).or_else(|| {
                Some(if names.is_empty() {
                    format!("step `{step}` defines no outputs")
                } else {
                    format!("its outputs: {}", names.join(", "))
                })
            });
            self.error(
                DiagnosticCode::ArazzoUnknownOutput,
                at,
                format!("step `{step}` has no output `{output}`"),
                help,
            );
        }
        true
    }

    fn input(&mut self, workflow: &WorkflowInfo<'_>, name: &str, at: At<'_>) {
        let Some(declared) = &workflow.inputs else {
            return;
        };
        if declared.iter().any(|(declared, _)| *declared == name) {
            return;
        }
        // `$inputs.customer.firstName` names an input `customer.firstName`; a pointer reads
        // into the input `customer`.
        let into = name
            .split_once('.')
            .filter(|(head, _)| declared.iter().any(|(declared, _)| declared == head));
        let help = match into {
            Some((head, rest)) => Some(format!(
                "to read into the input `{head}`, write `$inputs.{head}#/{}`",
                rest.replace('.', "/")
            )),
            None => suggest::similar(name, declared.iter().map(|(n, _)| *n)),
        };
        self.error(
            DiagnosticCode::ArazzoUndeclaredInput,
            at,
            format!(
                "workflow `{}` declares no input `{name}` in its inputs schema",
                workflow.id
            ),
            help,
        );
    }

    pub(super) fn unknown_workflow(&mut self, id: &str, at: At<'_>) {
        let help = suggest::similar(id, self.index.workflows.iter().map(|w| w.id));
        self.error(
            DiagnosticCode::ArazzoUnknownWorkflow,
            at,
            format!("the document has no workflow `{id}`"),
            help,
        );
    }

    /// `$sourceDescriptions.<name>.<reference>`: the source exists, and when its document was
    /// read, the reference is one of its fields, operations or workflows. `operation` says the
    /// reference must be an operation (a step's `operationId`).
    pub(super) fn source_reference(
        &mut self,
        name: &str,
        reference: &str,
        at: At<'_>,
        operation: bool,
    ) {
        let index = self.index;
        let Some(source) = index.source(name) else {
            let help = suggest::similar(name, self.index.sources.iter().map(|s| s.name));
            self.error(
                DiagnosticCode::ArazzoUnknownSource,
                at,
                format!("the document has no source description `{name}`"),
                help,
            );
            return;
        };
        if !operation && matches!(reference, "url" | "type" | "name") {
            return;
        }
        match &source.loaded {
            Loaded::OpenApi(openapi) => {
                let ids: Vec<&str> = openapi
                    .operations()
                    .iter()
                    .filter_map(|op| op.operation_id())
                    .collect();
                if !ids.contains(&reference) {
                    let help = suggest::similar(reference, ids.iter().copied());
                    self.error(
                        DiagnosticCode::ArazzoUnknownOperation,
                        at,
                        format!("source description `{name}` has no operation `{reference}`"),
                        help,
                    );
                }
            }
            Loaded::Arazzo(workflows) => {
                let workflow = reference.split(".steps.").next().unwrap_or(reference);
                if !workflows.iter().any(|id| id == workflow) {
                    let help = suggest::similar(workflow, workflows.iter().map(String::as_str));
                    self.error(
                        DiagnosticCode::ArazzoUnknownWorkflow,
                        at,
                        format!("source description `{name}` has no workflow `{workflow}`"),
                        help,
                    );
                }
            }
            Loaded::NotRead => {}
        }
    }

    /// Whether an embedded expression's value is known to be an object or array: a whole
    /// body, or an input the schema types so, or a step output that is one of those.
    pub(super) fn is_structure(&self, expression: &Expression, scope: Scope) -> bool {
        self.is_structure_within(expression, scope, 0)
    }

    fn is_structure_within(&self, expression: &Expression, scope: Scope, depth: usize) -> bool {
        use expr_grammar::Source;
        if depth > 4 {
            return false;
        }
        match expression {
            Expression::Request(Source::Body(None))
            | Expression::Response(Source::Body(None))
            | Expression::Message(Source::Payload(None)) => true,
            Expression::Inputs(reference) if reference.pointer().is_none() => scope
                .workflow
                .and_then(|w| self.index.workflows[w].inputs.as_ref())
                .and_then(|inputs| inputs.iter().find(|(n, _)| *n == reference.name()))
                .and_then(|(_, schema)| schema.get("type"))
                .and_then(Value::as_str)
                .is_some_and(|kind| matches!(kind, "object" | "array")),
            Expression::Steps(reference) if reference.output().pointer().is_none() => {
                let Some(workflow) = scope.workflow.map(|w| &self.index.workflows[w]) else {
                    return false;
                };
                let Some(step) = workflow.step_index(reference.step_id()) else {
                    return false;
                };
                let output = workflow.steps[step]
                    .outputs
                    .iter()
                    .find(|(name, _)| *name == reference.output().name())
                    .and_then(|(_, value)| value.as_str());
                let Some(output) = output else { return false };
                let Ok(inner) = Expression::parse_in(output, self.document.dialect()) else {
                    return false;
                };
                let scope = Scope {
                    step: Some(step),
                    runs_workflow: workflow.steps[step].runs_workflow,
                    ..scope
                };
                self.is_structure_within(&inner, scope, depth + 1)
            }
            _ => false,
        }
    }

    /// A workflow named by a `workflowId` or `dependsOn` entry: a workflow of the document, or
    /// `$sourceDescriptions.<name>.<workflowId>`.
    pub(super) fn workflow_id(&mut self, text: &str, pointer: &str, scope: Scope) {
        let at = At { pointer, within: 0 };
        if text.starts_with('$') {
            if let Some(expression) = self.parse(text, at) {
                self.references(&expression, at, scope);
            }
        } else if self.index.workflow(text).is_none() {
            self.unknown_workflow(text, at);
        }
    }

    /// An action's `stepId`: a step of the current workflow.
    pub(super) fn action_step(&mut self, step: &str, pointer: &str, scope: Scope) {
        let Some(w) = scope.workflow else { return };
        let index = self.index;
        let workflow = &index.workflows[w];
        if workflow.step_index(step).is_none() {
            let help = suggest::similar(step, workflow.steps.iter().map(|s| s.id));
            let id = workflow.id;
            self.error(
                DiagnosticCode::ArazzoUnknownStep,
                At { pointer, within: 0 },
                format!("workflow `{id}` has no step `{step}` to go to"),
                help,
            );
        }
    }

    /// A step's `dependsOn` entry (1.1.0): a step of the current workflow, or an expression
    /// for a step elsewhere.
    pub(super) fn step_dependency(&mut self, text: &str, pointer: &str, scope: Scope) {
        if text.starts_with('$') {
            // `$workflows.<id>.steps.<step>` is in the 1.1.0 prose but not its grammar (issue
            // #557): only the source description or workflow it names is checked.
            let mut parts = text.splitn(3, '.');
            let (family, name) = (parts.next(), parts.next());
            let at = At { pointer, within: 0 };
            match (family, name) {
                (Some("$workflows"), Some(id)) if self.index.workflow(id).is_none() => {
                    self.unknown_workflow(id, at);
                }
                (Some("$sourceDescriptions"), Some(name)) => {
                    let rest = text
                        .strip_prefix("$sourceDescriptions.")
                        .and_then(|rest| rest.split_once('.'))
                        .map(|(_, rest)| rest)
                        .unwrap_or_default();
                    self.source_reference(name, rest, at, false);
                }
                _ => {}
            }
            return;
        }
        self.action_step(text, pointer, scope);
    }
}
