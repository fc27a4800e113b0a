//! The limits of what a command reads, with their defaults and the environment variables that
//! change them.

use oas_callbacks::LoadLimits;

use crate::error::CliError;

/// The environment variable that sets the largest file a command reads, in bytes (default
/// 64 MiB, [`LoadLimits::max_file_bytes`]'s default). It applies to every file: documents and
/// the files they reference, exchange files, raw HTTP messages and payloads.
pub(crate) const MAX_FILE_BYTES_VAR: &str = "OAS_CALLBACKS_MAX_FILE_BYTES";

/// The largest file a command reads: `$OAS_CALLBACKS_MAX_FILE_BYTES`, else the default.
pub(crate) fn max_file_bytes() -> Result<usize, CliError> {
    match std::env::var(MAX_FILE_BYTES_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(LoadLimits::default().max_file_bytes),
        Ok(text) => text.trim().parse().map_err(|_| {
            CliError::usage_or_io(format!(
                "{MAX_FILE_BYTES_VAR} must be a number of bytes, not `{text}`"
            ))
        }),
        Err(std::env::VarError::NotUnicode(_)) => Err(CliError::usage_or_io(format!(
            "{MAX_FILE_BYTES_VAR} must be a number of bytes"
        ))),
    }
}

/// The limits documents are loaded with: the defaults, with the file size limit above.
pub(crate) fn load_limits() -> Result<LoadLimits, CliError> {
    let mut limits = LoadLimits::default();
    limits.max_file_bytes = max_file_bytes()?;
    Ok(limits)
}

/// Options for reading a YAML exchange file with serde-saphyr: the same nesting and alias
/// limits as documents ([`LoadLimits`]' defaults).
pub(crate) fn yaml_options() -> serde_saphyr::Options {
    let limits = LoadLimits::default();
    let mut budget = serde_saphyr::budget::Budget::default();
    budget.max_depth = limits.max_depth;
    budget.flow_nesting_limit = limits.max_depth;
    budget.max_aliases = limits.max_yaml_aliases;
    budget.max_recorded_anchor_events = limits.max_yaml_alias_nodes;
    let mut options = serde_saphyr::Options::default();
    options.alias_limits.max_total_replayed_events = limits.max_yaml_alias_nodes;
    options.budget = Some(budget);
    options
}
