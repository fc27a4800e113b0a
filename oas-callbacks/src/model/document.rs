//! [`Document`]: a loaded description.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::{Callback, Link, Operation};
use crate::diagnostic::Diagnostic;
use crate::files::{FileTable, Files};

/// A loaded OpenAPI 3.0, 3.1 or 3.2 description with its callbacks and links compiled.
///
/// Loading never fails on a mistake inside the document (a bad expression, a dangling
/// reference): those become [`Document::diagnostics`], and the affected callback or link
/// carries the error. It fails only when the file cannot be read or parsed. To load many
/// documents that share files, use one [`Loader`](crate::Loader).
///
/// ```
/// let doc = oas_callbacks::Document::load("../examples/progress-api.yaml")?;
/// let op = doc.operation("startJob").expect("declared");
/// assert_eq!(op.callbacks()[0].name(), "progress");
/// # Ok::<(), oas_callbacks::LoadError>(())
/// ```
#[derive(Debug)]
pub struct Document {
    pub(crate) files: Files,
    pub(crate) version: Option<String>,
    pub(crate) operations: Vec<Operation>,
    pub(crate) component_callbacks: Vec<Callback>,
    pub(crate) component_links: Vec<Link>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The files as JSON Schema resources, when validation needs them rewritten (OAS 3.0's
    /// `nullable`): made once per document.
    pub(crate) schema_resources: OnceLock<Vec<Arc<Value>>>,
}

impl Document {
    /// The `openapi` version string, when the document has one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether the description uses the OpenAPI 3.0 schema dialect.
    pub fn is_oas30(&self) -> bool {
        self.version
            .as_deref()
            .is_some_and(|v| v.starts_with("3.0"))
    }

    /// The path of the root file.
    pub fn path(&self) -> &Path {
        &self.files.doc_file(0).path
    }

    /// Every operation under `paths`, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId`, or matching `"METHOD /path/template"` (the
    /// method in any case).
    pub fn operation(&self, selector: &str) -> Option<&Operation> {
        if let Some(op) = self
            .operations
            .iter()
            .find(|op| op.operation_id() == Some(selector))
        {
            return Some(op);
        }
        let (method, path) = selector.trim().split_once(char::is_whitespace)?;
        self.operations.iter().find(|op| {
            op.method().as_str().eq_ignore_ascii_case(method) && op.path() == path.trim()
        })
    }

    /// Problems found while loading: references that cannot be followed, a missing `openapi`
    /// field. Expressions that do not parse are kept on their callback or link (see
    /// [`Callback::url`]) and reported by [`Document::check`].
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Callback Objects under `components/callbacks`.
    pub fn component_callbacks(&self) -> &[Callback] {
        &self.component_callbacks
    }

    /// Link Objects under `components/links`.
    pub fn component_links(&self) -> &[Link] {
        &self.component_links
    }
}
