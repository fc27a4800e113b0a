//! An Arazzo document as `check` reads it: the parsed file, its version and the dialect its
//! runtime expressions are read in.

use expr_grammar::Dialect;
use oas_callbacks::{Diagnostic, DiagnosticCode, ParsedFile, Severity};
use serde_json::Value;

use crate::version::Version;

/// Whether a parsed file is meant as an Arazzo document: an object with an `arazzo` field
/// (what `check` looks at to tell Arazzo documents from OpenAPI ones).
///
/// ```
/// assert!(arazzo::is_arazzo(&serde_json::json!({"arazzo": "1.1.0"})));
/// assert!(!arazzo::is_arazzo(&serde_json::json!({"openapi": "3.1.0"})));
/// ```
pub fn is_arazzo(value: &Value) -> bool {
    value.get("arazzo").is_some()
}

/// An Arazzo document, read: its file (with the places of its values), its version and the
/// expression dialect of that version (1.0.x reads the 1.0.1 grammar, 1.1.x the 1.1.0 one).
///
/// ```
/// use arazzo::{Document, Version};
/// use oas_callbacks::Loader;
///
/// let loader = Loader::default();
/// let file = loader.load_file("tests/data/documents/spec-1.0/pet-coupons.arazzo.yaml")?;
/// let document = Document::new(file).expect("an Arazzo document");
/// assert_eq!(document.version(), Version::V1_0);
/// let report = document.check(&loader);
/// // Its steps that run a workflow test `$statusCode`, which they do not have.
/// assert!(report.diagnostics().iter().all(|d| d.code() == oas_callbacks::DiagnosticCode::ArazzoNoResponse));
/// assert_eq!(report.diagnostics().len(), 2);
/// # Ok::<(), oas_callbacks::LoadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Document {
    file: ParsedFile,
    version: Version,
    dialect: Dialect,
}

impl Document {
    /// Reads a parsed file as an Arazzo document; the diagnostic (`not-arazzo`) says why it is
    /// not one this crate reads.
    pub fn new(file: ParsedFile) -> Result<Self, Box<Diagnostic>> {
        let not_arazzo = |pointer: &str, message: String| {
            Box::new(file.diagnostic(
                Severity::Error,
                DiagnosticCode::NotArazzo,
                pointer,
                false,
                None,
                message,
            ))
        };
        let Some(field) = file.value().get("arazzo") else {
            return Err(not_arazzo(
                "",
                "the document has no `arazzo` field".to_owned(),
            ));
        };
        let Some(text) = field.as_str() else {
            return Err(not_arazzo(
                "/arazzo",
                "`arazzo` must be a version string such as `1.1.0`".to_owned(),
            ));
        };
        let (version, dialect) = match (text.parse::<Version>(), Dialect::for_arazzo_version(text))
        {
            (Ok(version), Some(dialect)) => (version, dialect),
            (Err(err), _) => return Err(not_arazzo("/arazzo", err.to_string())),
            (Ok(_), None) => {
                return Err(not_arazzo(
                    "/arazzo",
                    format!("unsupported Arazzo version `{text}`: 1.0.x and 1.1.x are read"),
                ));
            }
        };
        if !file.value().get("workflows").is_some_and(Value::is_array) {
            return Err(not_arazzo(
                "",
                "an Arazzo document has a `workflows` list".to_owned(),
            ));
        }
        Ok(Document {
            file,
            version,
            dialect,
        })
    }

    /// The document's Arazzo version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The dialect its runtime expressions are read in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The parsed file.
    pub fn file(&self) -> &ParsedFile {
        &self.file
    }
}
