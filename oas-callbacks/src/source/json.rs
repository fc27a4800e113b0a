//! JSON files, read with serde_json within the nesting limit.

use serde_json::Value;

use super::position::{SyntaxError, position_in};
use crate::limits::LoadLimits;

/// How deep serde_json lets JSON nest (its recursion limit of 128 counts the level that fails).
const JSON_DEPTH_CEILING: usize = 127;

/// Parses JSON within [`LoadLimits::max_depth`] (which cannot raise serde_json's own ceiling).
pub(crate) fn parse_json_within(text: &str, limits: &LoadLimits) -> Result<Value, SyntaxError> {
    let limit = limits.max_depth.min(JSON_DEPTH_CEILING);
    let message = format!(
        "invalid JSON: arrays and objects nested more than {limit} levels deep (LoadLimits::max_depth{})",
        if limits.max_depth > JSON_DEPTH_CEILING {
            "; JSON cannot go deeper than 127"
        } else {
            ""
        }
    );
    match parse_json(text) {
        // serde_json's own limit (a position, and a message that does not name it).
        Err(err)
            if err
                .message
                .starts_with("invalid JSON: recursion limit exceeded") =>
        {
            Err(SyntaxError { message, ..err })
        }
        Err(err) => Err(err),
        // A lower limit: the text is valid JSON, so a scan of its brackets is exact.
        Ok(value) if limit < JSON_DEPTH_CEILING => {
            match nesting_exceeded_at(text.as_bytes(), limit) {
                Some(offset) => Err(SyntaxError {
                    message,
                    position: Some(position_in(text, offset)),
                }),
                None => Ok(value),
            }
        }
        Ok(value) => Ok(value),
    }
}

/// The offset of the bracket that opens level `limit + 1`, if any: a linear scan that skips
/// strings and leaves every other syntax error to the parser.
fn nesting_exceeded_at(bytes: &[u8], limit: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (offset, &byte) in bytes.iter().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(offset);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn parse_json(text: &str) -> Result<Value, SyntaxError> {
    serde_json::from_str(text).map_err(|err| {
        let line = err.line();
        let column = err.column();
        // serde_json's column is 1-based in bytes; turn it into characters.
        let line_start: usize = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let line_text = text[line_start..].split('\n').next().unwrap_or("");
        let byte_col = column.saturating_sub(1).min(line_text.len());
        let mut byte_col = byte_col;
        while !line_text.is_char_boundary(byte_col) {
            byte_col -= 1;
        }
        let message = err.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head)
            .to_owned();
        SyntaxError {
            message: format!("invalid JSON: {message}"),
            position: (line > 0).then(|| position_in(text, line_start + byte_col)),
        }
    })
}
