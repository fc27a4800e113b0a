//! Reading the files a command is given (documents, exchange files, raw HTTP messages, payloads):
//! never more than a size limit, text only when it is UTF-8, JSON and YAML within the nesting
//! and alias limits, and every refusal an error that names the limit it hit.

use std::io::Read as _;
use std::path::Path;

use expr_eval::MAX_JSON_DEPTH;
use oas_callbacks::LoadLimits;

/// The environment variable that sets the largest file a command reads, in bytes (default
/// 64 MiB, [`LoadLimits::max_file_bytes`]'s default). It applies to every file: documents and
/// the files they reference, exchange files, raw HTTP messages and payloads.
pub(crate) const MAX_FILE_BYTES_VAR: &str = "OAS_CALLBACKS_MAX_FILE_BYTES";

/// The largest file a command reads: `$OAS_CALLBACKS_MAX_FILE_BYTES`, else the default.
pub(crate) fn max_file_bytes() -> Result<usize, String> {
    match std::env::var(MAX_FILE_BYTES_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(LoadLimits::default().max_file_bytes),
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{MAX_FILE_BYTES_VAR} must be a number of bytes, not `{text}`")),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("{MAX_FILE_BYTES_VAR} must be a number of bytes"))
        }
    }
}

/// The limits documents are loaded with: the defaults, with the file size limit above.
pub(crate) fn load_limits() -> Result<LoadLimits, String> {
    let mut limits = LoadLimits::default();
    limits.max_file_bytes = max_file_bytes()?;
    Ok(limits)
}

/// Reads a file, never more than the limit (so `/dev/zero` or a growing file is refused, not
/// read without end). Errors start with the path.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let limit = max_file_bytes()?;
    let cannot = |err: std::io::Error| format!("cannot read {}: {err}", path.display());
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > limit {
        return Err(format!(
            "{}: larger than the limit of {limit} bytes (set {MAX_FILE_BYTES_VAR} to change it)",
            path.display()
        ));
    }
    Ok(bytes)
}

/// The text of a file that must be UTF-8; the error says where it is not.
pub(crate) fn utf8<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str, String> {
    std::str::from_utf8(bytes).map_err(|err| {
        let offset = err.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "{}: not UTF-8 text: invalid byte 0x{:02X} at byte {offset} (line {line})",
            path.display(),
            bytes[offset]
        )
    })
}

/// A `serde_json` error in words, naming the nesting limit when that is what it hit.
pub(crate) fn json_error(err: &serde_json::Error) -> String {
    if err.is_syntax() && err.to_string().starts_with("recursion limit exceeded") {
        format!(
            "arrays and objects nested more than {MAX_JSON_DEPTH} levels deep (the JSON nesting limit) at line {} column {}",
            err.line(),
            err.column()
        )
    } else {
        err.to_string()
    }
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

/// A serde-saphyr error in words (its first line), naming the limit when it hit one.
pub(crate) fn yaml_error(err: &serde_saphyr::Error) -> String {
    let limits = LoadLimits::default();
    let message = err.to_string();
    let first = message.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    let named = if first.contains("RecordedAnchorEvents") || first.contains("alias replay limit") {
        format!(
            "YAML aliases expand to more than {} nodes (the alias expansion limit)",
            limits.max_yaml_alias_nodes
        )
    } else if first.contains("Aliases {") {
        format!(
            "more than {} YAML alias uses (the alias limit)",
            limits.max_yaml_aliases
        )
    } else if first.contains("Depth {") || first.contains("recursion limit exceeded") {
        format!(
            "sequences and mappings nested more than {} levels deep (the nesting limit)",
            limits.max_depth
        )
    } else {
        return first;
    };
    format!("{named}: {first}")
}

/// A JSON payload file (`validate --body`, `send --body`): its bytes and its value, read within
/// the size limit, UTF-8, JSON within the nesting limit. The error comes with its exit status:
/// 2 when the file cannot be read, 1 when it is not a JSON payload.
pub(crate) fn json_payload(path: &Path) -> Result<(Vec<u8>, serde_json::Value), (u8, String)> {
    let bytes = read_file(path).map_err(|message| (super::USAGE_OR_IO, message))?;
    let text = utf8(path, &bytes).map_err(|message| (super::FAILURE, message))?;
    let value = serde_json::from_str(text).map_err(|err| {
        let message = format!("{}: not JSON: {}", path.display(), json_error(&err));
        (super::FAILURE, message)
    })?;
    Ok((bytes, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_json_nesting_limit() {
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        let err = serde_json::from_str::<serde_json::Value>(&deep).expect_err("too deep");
        assert_eq!(
            json_error(&err),
            "arrays and objects nested more than 127 levels deep (the JSON nesting limit) at line 1 column 128"
        );
    }

    #[test]
    fn names_the_yaml_limits() {
        let deep = format!("a: {}{}", "[".repeat(1000), "]".repeat(1000));
        let err = serde_saphyr::from_str_with_options::<serde_json::Value>(&deep, yaml_options())
            .expect_err("too deep");
        assert!(
            yaml_error(&err).starts_with("sequences and mappings nested more than 127 levels deep"),
            "{}",
            yaml_error(&err)
        );
    }
}
