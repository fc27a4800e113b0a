//! Arguments and helpers shared by the commands that read an OpenAPI document.

use std::path::{Path, PathBuf};

use oas_callbacks::{Document, LoadError, Operation};

use super::{FAILURE, USAGE_OR_IO};

/// A document and one of its operations.
#[derive(Debug, clap::Args)]
pub(crate) struct OperationArgs {
    /// The OpenAPI document (JSON or YAML).
    pub(crate) spec: PathBuf,
    /// The operation: its operationId, or "METHOD /path/template".
    #[arg(long)]
    pub(crate) operation: String,
}

/// Loads a document, or says why not and gives the exit status (2: the file cannot be read or
/// parsed).
pub(crate) fn load(path: &Path) -> Result<Document, u8> {
    Document::load(path).map_err(|err| {
        match &err {
            LoadError::Io { .. } => eprintln!("error: {err}"),
            _ => eprintln!("{err}"),
        }
        USAGE_OR_IO
    })
}

/// The operation named by `--operation`, or an error listing the ones there are (exit 1).
pub(crate) fn operation<'d>(doc: &'d Document, selector: &str) -> Result<&'d Operation, u8> {
    doc.operation(selector).ok_or_else(|| {
        let known: Vec<String> = doc
            .operations()
            .iter()
            .map(Operation::display_name)
            .collect();
        eprintln!(
            "error: {} has no operation `{selector}` (operations: {})",
            doc.path().display(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        );
        FAILURE
    })
}
