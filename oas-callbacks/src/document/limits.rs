//! The limits that keep loading a hostile document bounded in time and memory.

/// Limits applied while loading an OpenAPI description. Each has a default that fits real
/// documents with a wide margin; exceeding one is an error that names it.
///
/// ```
/// use oas_callbacks::LoadLimits;
/// let mut limits = LoadLimits::default();
/// limits.max_ref_depth = 16;
/// let doc = oas_callbacks::Document::load_with("../examples/progress-api.yaml", limits);
/// assert!(doc.is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadLimits {
    /// The largest file read, in bytes (default 64 MiB).
    pub max_file_bytes: usize,
    /// The deepest nesting of YAML collections (default 128, the same as serde_json's fixed
    /// limit for JSON).
    pub max_depth: usize,
    /// The most `$ref`s followed one after another to reach a value (default 64); a longer
    /// chain is an error, and so is a cycle.
    pub max_ref_depth: usize,
    /// The most YAML alias (`*name`) uses in one file (default 10,000): a "billion laughs"
    /// document fails fast instead of expanding.
    pub max_yaml_aliases: usize,
    /// The most files one description may reference (default 1,000).
    pub max_files: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_file_bytes: 64 * 1024 * 1024,
            max_depth: 128,
            max_ref_depth: 64,
            max_yaml_aliases: 10_000,
            max_files: 1_000,
        }
    }
}
