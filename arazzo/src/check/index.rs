//! What the lints look names up in: the source descriptions (local OpenAPI ones loaded), the
//! workflows with their steps, inputs and outputs, and the components.

use std::path::{Path, PathBuf};

use oas_callbacks::{Diagnostic, DiagnosticCode, Loader, Severity};
use serde_json::{Map, Value};

use super::pointer::child;
use super::{Unchecked, UncheckedReason};
use crate::document::Document;

/// A source description and what was read of it.
pub(super) struct SourceInfo<'d> {
    pub(super) name: &'d str,
    pub(super) loaded: Loaded,
}

/// What a source description's document gave.
pub(super) enum Loaded {
    /// A local OpenAPI description.
    OpenApi(Box<oas_callbacks::Document>),
    /// A local Arazzo document: its workflow ids.
    Arazzo(Vec<String>),
    /// Not read: remote, AsyncAPI, or unreadable (said elsewhere).
    NotRead,
}

pub(super) struct WorkflowInfo<'d> {
    pub(super) id: &'d str,
    pub(super) steps: Vec<StepInfo<'d>>,
    /// The property names of the inputs schema; `None` when the schema does not list them
    /// (no schema, or one built with `allOf`/`oneOf`/…): then inputs are not checked.
    pub(super) inputs: Option<Vec<(&'d str, &'d Value)>>,
    pub(super) outputs: Vec<&'d str>,
}

pub(super) struct StepInfo<'d> {
    pub(super) id: &'d str,
    /// Each output's name and its value (an expression, or a selector object).
    pub(super) outputs: Vec<(&'d str, &'d Value)>,
    pub(super) runs_workflow: bool,
    pub(super) depends_on: Vec<&'d str>,
}

pub(super) struct Index<'d> {
    pub(super) sources: Vec<SourceInfo<'d>>,
    pub(super) workflows: Vec<WorkflowInfo<'d>>,
    pub(super) components: Option<&'d Map<String, Value>>,
}

fn str_field<'v>(value: &'v Value, field: &str) -> Option<&'v str> {
    value.get(field).and_then(Value::as_str)
}

fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

impl<'d> Index<'d> {
    pub(super) fn build(
        document: &'d Document,
        loader: &Loader,
        out: &mut Vec<Diagnostic>,
        unchecked: &mut Vec<Unchecked>,
    ) -> Self {
        let root = document.file().value();
        let base = document
            .file()
            .path()
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf);
        let mut sources = Vec::new();
        for (i, source) in items(root.get("sourceDescriptions")).iter().enumerate() {
            let Some(name) = str_field(source, "name") else {
                continue;
            };
            let url = str_field(source, "url").unwrap_or_default();
            let kind = str_field(source, "type").unwrap_or("openapi");
            let pointer = child(&child("/sourceDescriptions", &i.to_string()), "url");
            let loaded = load_source(
                document, loader, &base, name, url, kind, &pointer, out, unchecked,
            );
            sources.push(SourceInfo { name, loaded });
        }
        let components = root.get("components").and_then(Value::as_object);
        let workflows = items(root.get("workflows"))
            .iter()
            .map(|workflow| WorkflowInfo {
                id: str_field(workflow, "workflowId").unwrap_or_default(),
                steps: items(workflow.get("steps"))
                    .iter()
                    .map(|step| StepInfo {
                        id: str_field(step, "stepId").unwrap_or_default(),
                        outputs: step
                            .get("outputs")
                            .and_then(Value::as_object)
                            .map(|outputs| outputs.iter().map(|(k, v)| (k.as_str(), v)).collect())
                            .unwrap_or_default(),
                        runs_workflow: step.get("workflowId").is_some(),
                        depends_on: items(step.get("dependsOn"))
                            .iter()
                            .filter_map(Value::as_str)
                            .collect(),
                    })
                    .collect(),
                inputs: workflow
                    .get("inputs")
                    .and_then(|schema| declared_inputs(schema, components)),
                outputs: workflow
                    .get("outputs")
                    .and_then(Value::as_object)
                    .map(|outputs| outputs.keys().map(String::as_str).collect())
                    .unwrap_or_default(),
            })
            .collect();
        Index {
            sources,
            workflows,
            components,
        }
    }

    pub(super) fn source(&self, name: &str) -> Option<&SourceInfo<'d>> {
        self.sources.iter().find(|source| source.name == name)
    }

    pub(super) fn workflow(&self, id: &str) -> Option<&WorkflowInfo<'d>> {
        self.workflows.iter().find(|workflow| workflow.id == id)
    }

    /// Whether `components.<kind>.<name>` exists.
    pub(super) fn component(&self, kind: &str, name: &str) -> bool {
        self.components
            .and_then(|components| components.get(kind))
            .and_then(Value::as_object)
            .is_some_and(|defined| defined.contains_key(name))
    }

    pub(super) fn component_names(&self, kind: &str) -> Vec<&'d str> {
        self.components
            .and_then(|components| components.get(kind))
            .and_then(Value::as_object)
            .map(|defined| defined.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

impl WorkflowInfo<'_> {
    pub(super) fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|step| step.id == id)
    }
}

/// The properties an inputs schema declares, following one `$ref` into `components.inputs`.
fn declared_inputs<'d>(
    schema: &'d Value,
    components: Option<&'d Map<String, Value>>,
) -> Option<Vec<(&'d str, &'d Value)>> {
    let schema = match str_field(schema, "$ref") {
        Some(reference) => {
            let name = reference.strip_prefix("#/components/inputs/")?;
            components?.get("inputs")?.get(name)?
        }
        None => schema,
    };
    let properties = schema.get("properties")?.as_object()?;
    Some(properties.iter().map(|(k, v)| (k.as_str(), v)).collect())
}

#[allow(clippy::too_many_arguments)]
fn load_source(
    document: &Document,
    loader: &Loader,
    base: &Path,
    name: &str,
    url: &str,
    kind: &str,
    pointer: &str,
    out: &mut Vec<Diagnostic>,
    unchecked: &mut Vec<Unchecked>,
) -> Loaded {
    let remote = url.contains("://") && !url.starts_with("file://");
    if remote {
        unchecked.push(Unchecked {
            name: name.to_owned(),
            url: url.to_owned(),
            reason: UncheckedReason::Remote,
        });
        return Loaded::NotRead;
    }
    let path = base.join(url.strip_prefix("file://").unwrap_or(url));
    match kind {
        "openapi" => match loader.load(&path) {
            Ok(openapi) => Loaded::OpenApi(Box::new(openapi)),
            Err(err) => {
                out.push(document.file().diagnostic(
                    Severity::Error,
                    DiagnosticCode::UnreadableDocument,
                    pointer,
                    false,
                    None,
                    format!("source description `{name}` cannot be loaded: {err}"),
                ));
                Loaded::NotRead
            }
        },
        "arazzo" => match loader.load_file(&path) {
            Ok(file) => Loaded::Arazzo(
                items(file.value().get("workflows"))
                    .iter()
                    .filter_map(|workflow| str_field(workflow, "workflowId"))
                    .map(str::to_owned)
                    .collect(),
            ),
            Err(err) => {
                out.push(document.file().diagnostic(
                    Severity::Error,
                    DiagnosticCode::UnreadableDocument,
                    pointer,
                    false,
                    None,
                    format!("source description `{name}` cannot be loaded: {err}"),
                ));
                Loaded::NotRead
            }
        },
        other => {
            unchecked.push(Unchecked {
                name: name.to_owned(),
                url: url.to_owned(),
                reason: UncheckedReason::Kind(other.to_owned()),
            });
            Loaded::NotRead
        }
    }
}
