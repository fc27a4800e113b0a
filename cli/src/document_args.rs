//! Arguments and helpers shared by the commands that read an OpenAPI document.

use std::path::{Path, PathBuf};

use expr_eval::OwnedExchange;
use oas_callbacks::{Document, LoadError, Operation};

use super::eval::ExchangeArgs;
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
    let limits = super::input::load_limits().map_err(|message| {
        eprintln!("error: {message}");
        USAGE_OR_IO
    })?;
    Document::load_with(path, limits).map_err(|err| {
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

/// A loaded document with the operation `--operation` names.
pub(crate) struct Target {
    pub(crate) doc: Document,
    index: usize,
}

impl Target {
    /// Loads the document and finds the operation, or says why not (with the exit status).
    pub(crate) fn load(args: &OperationArgs) -> Result<Self, u8> {
        let doc = load(&args.spec)?;
        let op = operation(&doc, &args.operation)?;
        let index = doc
            .operations()
            .iter()
            .position(|candidate| std::ptr::eq(candidate, op))
            .ok_or(FAILURE)?;
        Ok(Target { doc, index })
    }

    pub(crate) fn operation(&self) -> &Operation {
        &self.doc.operations()[self.index]
    }
}

/// Reads the exchange files, or says why not (exit status 2: a file that cannot be read or
/// understood).
pub(crate) fn exchange(args: &ExchangeArgs) -> Result<OwnedExchange, u8> {
    args.load().map_err(|message| {
        eprintln!("error: {message}");
        USAGE_OR_IO
    })
}
