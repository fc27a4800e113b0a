//! Reading the files a command is given (documents, exchange files, raw HTTP messages, payloads):
//! never more than the size limit, text only when it is UTF-8, JSON and YAML within the nesting
//! and alias limits, and every refusal an error that names the limit it hit.

use std::io::Read as _;
use std::path::Path;

use expr_eval::MAX_JSON_DEPTH;

use crate::error::CliError;
use crate::limits::{self, MAX_FILE_BYTES_VAR};

/// Reads a file, never more than the limit (so `/dev/zero` or a growing file is refused, not
/// read without end). Errors start with the path; they are I/O errors (exit status 2).
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    let limit = limits::max_file_bytes()?;
    let cannot = |err: std::io::Error| {
        CliError::usage_or_io(format!("cannot read {}: {err}", path.display()))
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > limit {
        return Err(CliError::usage_or_io(format!(
            "{}: larger than the limit of {limit} bytes (set {MAX_FILE_BYTES_VAR} to change it)",
            path.display()
        )));
    }
    Ok(bytes)
}

/// The text of a file that must be UTF-8; the error says where it is not (exit status 1: the
/// input is invalid; the caller may judge otherwise).
pub(crate) fn utf8<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str, CliError> {
    std::str::from_utf8(bytes).map_err(|err| {
        let offset = err.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        CliError::invalid(format!(
            "{}: not UTF-8 text: invalid byte 0x{:02X} at byte {offset} (line {line})",
            path.display(),
            bytes[offset]
        ))
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

/// A JSON payload file (`validate --body`, `send --body`): its bytes and its value, read within
/// the size limit, UTF-8, JSON within the nesting limit. Exit status 2 when the file cannot be
/// read, 1 when it is not a JSON payload.
pub(crate) fn json_payload(path: &Path) -> Result<(Vec<u8>, serde_json::Value), CliError> {
    let bytes = read_file(path)?;
    let text = utf8(path, &bytes)?;
    let value = serde_json::from_str(text).map_err(|err| {
        CliError::invalid(format!(
            "{}: not JSON: {}",
            path.display(),
            json_error(&err)
        ))
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
}
