//! What a `$ref` says, and why one cannot be followed.

use std::fmt;
use std::path::PathBuf;

use crate::diagnostic::DiagnosticCode;
use crate::source::{Position, has_scheme};

/// Why a reference could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefError {
    NotAString,
    UrlRefused(String),
    FileUnreadable {
        path: PathBuf,
        reason: String,
    },
    FileInvalid {
        path: PathBuf,
        reason: String,
        position: Option<Position>,
    },
    NotFound(String),
    OutsideRoot {
        path: PathBuf,
        root: PathBuf,
    },
    Cycle(Vec<String>),
    TooDeep(usize),
    TooManyFiles(usize),
}

impl RefError {
    /// The diagnostic code of a reference that cannot be followed.
    pub(crate) fn code(&self) -> DiagnosticCode {
        match self {
            RefError::UrlRefused(_) => DiagnosticCode::UrlReference,
            RefError::Cycle(_) => DiagnosticCode::ReferenceCycle,
            RefError::NotAString | RefError::NotFound(_) => DiagnosticCode::DanglingReference,
            RefError::FileUnreadable { .. } | RefError::FileInvalid { .. } => {
                DiagnosticCode::UnreadableReference
            }
            RefError::TooDeep(_) | RefError::TooManyFiles(_) => DiagnosticCode::ReferenceLimit,
            RefError::OutsideRoot { .. } => DiagnosticCode::ReferenceOutsideRoot,
        }
    }
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::NotAString => f.write_str("`$ref` must be a string"),
            RefError::UrlRefused(reference) => write!(
                f,
                "reference `{reference}` is a URL: references to the network are not followed (download the file and refer to it by path)"
            ),
            RefError::FileUnreadable { path, reason } => {
                write!(
                    f,
                    "cannot read referenced file {}: {reason}",
                    path.display()
                )
            }
            RefError::FileInvalid {
                path,
                reason,
                position,
            } => match position {
                Some(position) => {
                    write!(f, "referenced file {}:{position}: {reason}", path.display())
                }
                None => write!(f, "referenced file {}: {reason}", path.display()),
            },
            RefError::NotFound(reference) => {
                write!(
                    f,
                    "reference `{reference}` points at nothing in the document"
                )
            }
            RefError::OutsideRoot { path, root } => write!(
                f,
                "referenced file {} is outside {}, the folder whose files references may reach (LoadLimits::ref_root; on the command line --ref-root DIR)",
                path.display(),
                root.display()
            ),
            RefError::Cycle(chain) => write!(f, "reference cycle: {}", chain.join(" -> ")),
            RefError::TooDeep(limit) => write!(
                f,
                "more than {limit} references in a chain (LoadLimits::max_ref_depth)"
            ),
            RefError::TooManyFiles(limit) => write!(
                f,
                "more than {limit} referenced files (LoadLimits::max_files)"
            ),
        }
    }
}

/// The file part of a reference (before `#`), when it names another file.
pub(crate) fn file_part(reference: &str) -> Option<&str> {
    let location = reference.split('#').next().unwrap_or("");
    (!location.is_empty() && !has_scheme(location)).then_some(location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_file_part() {
        assert_eq!(file_part("other.yaml#/a"), Some("other.yaml"));
        assert_eq!(file_part("#/a"), None);
        assert_eq!(file_part("https://x.example/a.yaml"), None);
    }
}
