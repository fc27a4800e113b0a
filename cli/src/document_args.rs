//! The options of the commands that read an OpenAPI document and act on one of its operations
//! (`resolve`, `links`, `validate`, `send`), and loading what they name.

use std::path::{Path, PathBuf};

use oas_callbacks::{Document, Operation};

use crate::error::CliError;
use crate::limits;

/// A document and one of its operations.
#[derive(Debug, clap::Args)]
pub(crate) struct OperationArgs {
    /// The OpenAPI document (JSON or YAML).
    pub(crate) spec: PathBuf,
    /// The operation: its operationId, or "METHOD /path/template".
    #[arg(long)]
    pub(crate) operation: String,
    /// The folder whose files `$ref`s may reach (default: the document's own folder).
    #[arg(long, value_name = "DIR")]
    pub(crate) ref_root: Option<PathBuf>,
}

/// Loads a document with the command's limits (exit status 2: the file cannot be read or
/// parsed).
pub(crate) fn load(path: &Path, ref_root: Option<&Path>) -> Result<Document, CliError> {
    Ok(Document::load_with(path, limits::load_limits(ref_root)?)?)
}

/// A loaded document with the operation `--operation` names.
pub(crate) struct Target {
    pub(crate) doc: Document,
    index: usize,
}

impl Target {
    /// Loads the document and finds the operation, or says why not: the document cannot be
    /// loaded (exit status 2), or it has no such operation (1; the error lists the ones there
    /// are).
    pub(crate) fn load(args: &OperationArgs) -> Result<Self, CliError> {
        let doc = load(&args.spec, args.ref_root.as_deref())?;
        let selector = &args.operation;
        let index = doc
            .operation(selector)
            .and_then(|op| {
                doc.operations()
                    .iter()
                    .position(|candidate| std::ptr::eq(candidate, op))
            })
            .ok_or_else(|| {
                let known: Vec<String> = doc
                    .operations()
                    .iter()
                    .map(Operation::display_name)
                    .collect();
                CliError::invalid(format!(
                    "{} has no operation `{selector}` (operations: {})",
                    doc.path().display(),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ))
            })?;
        Ok(Target { doc, index })
    }

    /// The operation `--operation` names.
    pub(crate) fn operation(&self) -> &Operation {
        &self.doc.operations()[self.index]
    }
}
