//! The error of a document that cannot be loaded at all.

use std::path::PathBuf;

use crate::source::Position;

/// Why a document could not be loaded at all.
///
/// ```
/// use oas_callbacks::{Document, LoadError};
/// match Document::load("no/such/api.yaml") {
///     Err(LoadError::Io { path, .. }) => assert!(path.ends_with("api.yaml")),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not JSON or YAML.
    #[error("{}{}: error: {message}", path.display(), position.map(|p| format!(":{p}")).unwrap_or_default())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Where the syntax error is, when known.
        position: Option<Position>,
        /// What is wrong.
        message: String,
    },
}
