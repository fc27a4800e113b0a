//! [`ParsedFile`]: a JSON or YAML file read by the [`Loader`](crate::Loader) with the
//! positions of its values, for documents of other kinds that `check` reads beside OpenAPI
//! ones (Arazzo workflows), so that their diagnostics have the same places and caret lines.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::source::SourceFile;

/// A file parsed within the loader's limits, with the place of every value.
///
/// ```
/// use oas_callbacks::{DiagnosticCode, Loader, Severity};
///
/// let loader = Loader::default();
/// let file = loader.load_file("../examples/progress-api.yaml")?;
/// assert_eq!(file.value()["openapi"], "3.1.0");
/// let diagnostic = file.diagnostic(
///     Severity::Warning,
///     DiagnosticCode::ArazzoUnknownStep,
///     "/info/title",
///     false,
///     None,
///     "an example",
/// );
/// assert_eq!(diagnostic.line, Some(3));
/// # Ok::<(), oas_callbacks::LoadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ParsedFile {
    path: PathBuf,
    source: Arc<SourceFile>,
}

impl ParsedFile {
    pub(crate) fn new(path: PathBuf, source: Arc<SourceFile>) -> Self {
        ParsedFile { path, source }
    }

    /// The file as it was named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parsed value (YAML read as JSON values).
    pub fn value(&self) -> &Value {
        &self.source.value
    }

    /// A diagnostic about the value at `pointer` (a JSON pointer into [`value`](Self::value)),
    /// or about its key when `key` is set; `within` moves the place that many bytes into the
    /// string written there (an expression inside a longer value). It carries the line and a
    /// caret, as every diagnostic of `check` does; without a place for the pointer it names the
    /// file only.
    pub fn diagnostic(
        &self,
        severity: Severity,
        code: DiagnosticCode,
        pointer: &str,
        key: bool,
        within: Option<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let position = jsonptr::Pointer::parse(pointer)
            .ok()
            .and_then(|pointer| self.source.locate(pointer, key))
            .map(|start| match within {
                Some(within) => self.source.position_within(start, within),
                None => start,
            });
        let diagnostic = Diagnostic::new(severity, code, self.path.clone(), position, message);
        match position {
            Some(position) => {
                let (line, within) = self.source.line_at(position);
                diagnostic.with_source_window(line, within)
            }
            None => diagnostic,
        }
    }
}
