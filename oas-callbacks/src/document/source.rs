//! One file of an OpenAPI description: its text, its parsed value, and where each value sits in
//! the text (so that every diagnostic can name a line and a column).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use super::limits::LoadLimits;
use super::spans::{self, SpanTree};
use super::yaml;

/// The syntax a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (RFC 8259).
    Json,
    /// YAML 1.2.
    Yaml,
}

/// A position in a file: 1-based line and column (in characters), and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, counting from 1.
    pub line: usize,
    /// Column in characters, counting from 1.
    pub column: usize,
    /// Byte offset from the start of the text (after any byte-order mark).
    pub offset: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A file that failed to parse, with where.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    pub(crate) position: Option<Position>,
}

/// A parsed file.
#[derive(Debug)]
pub(crate) struct SourceFile {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    pub(crate) value: Value,
    /// Whether the text holds `$ref` at all: most work on references can be skipped when not.
    pub(crate) has_refs: bool,
    /// Built eagerly for YAML (the parser reports spans as it goes) and on first use for JSON
    /// (serde_json is the fast path; diagnostics are rare, so the spans are computed only then).
    spans: OnceLock<Option<SpanTree>>,
    /// Line starts and character counts, built on first use (the first diagnostic).
    lines: OnceLock<LineIndex>,
}

/// Where the lines of a text start, and how many characters precede each block of it, so that
/// the line and column of a byte offset take a binary search and at most one block's count:
/// a document with a million diagnostics is not read a million times, even on one line.
#[derive(Debug)]
struct LineIndex {
    /// The byte offset at which each line starts (the first is 0).
    starts: Vec<usize>,
    /// The number of characters before each multiple of [`LineIndex::BLOCK`] bytes.
    chars_before_block: Vec<usize>,
}

impl LineIndex {
    const BLOCK: usize = 4096;

    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let starts = std::iter::once(0)
            .chain(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        let mut chars_before_block = Vec::with_capacity(bytes.len() / Self::BLOCK + 2);
        let mut count = 0;
        for block in bytes.chunks(Self::BLOCK) {
            chars_before_block.push(count);
            count += chars_in(block);
        }
        chars_before_block.push(count);
        LineIndex {
            starts,
            chars_before_block,
        }
    }

    /// The number of characters before byte `offset` (a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / Self::BLOCK;
        self.chars_before_block[block] + chars_in(&text.as_bytes()[block * Self::BLOCK..offset])
    }

    fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        Position {
            line,
            column: self.chars_before(text, offset) - self.chars_before(text, line_start) + 1,
            offset,
        }
    }

    /// The byte range of line `line` (from 1), without its line end.
    fn line(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return text.len()..text.len();
        };
        let end = self.starts.get(line).map_or(text.len(), |next| next - 1);
        let end = if text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        start..end
    }
}

/// The characters of UTF-8 bytes: the bytes that do not continue a character.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl SourceFile {
    /// Parses `text` (a byte-order mark is skipped) as JSON or YAML: by the extension of
    /// `path`, else by the first character.
    pub(crate) fn parse(
        path: &Path,
        bytes: Vec<u8>,
        limits: &LoadLimits,
    ) -> Result<Self, SyntaxError> {
        if bytes.len() > limits.max_file_bytes {
            return Err(SyntaxError {
                message: format!(
                    "file is {} bytes, more than the limit of {} bytes (LoadLimits::max_file_bytes)",
                    bytes.len(),
                    limits.max_file_bytes
                ),
                position: None,
            });
        }
        let mut text = String::from_utf8(bytes).map_err(|err| {
            let offset = err.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&err.as_bytes()[..offset]).into_owned();
            SyntaxError {
                message: format!("invalid UTF-8 at byte {offset}"),
                position: Some(position_in(&valid, offset)),
            }
        })?;
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let format = detect_format(path, &text);
        let spans = OnceLock::new();
        let value = match format {
            Format::Json => parse_json_within(&text, limits)?,
            Format::Yaml => {
                let (value, tree) = yaml::parse(&text, limits)?;
                let _ = spans.set(Some(tree));
                value
            }
        };
        Ok(SourceFile {
            path: path.to_path_buf(),
            has_refs: text.contains("$ref"),
            text,
            value,
            spans,
            lines: OnceLock::new(),
        })
    }

    /// Where the key (`key == true`) or the value at `pointer` starts.
    pub(crate) fn locate(&self, pointer: &jsonptr::Pointer, key: bool) -> Option<Position> {
        let tree = self
            .spans
            .get_or_init(|| spans::json_span_tree(&self.text))
            .as_ref()?;
        let offset = tree.locate(pointer, key)?;
        Some(self.position(offset))
    }

    /// The line and column of byte `offset`.
    pub(crate) fn position(&self, offset: usize) -> Position {
        self.lines
            .get_or_init(|| LineIndex::new(&self.text))
            .position(&self.text, offset)
    }

    /// The position of the byte `within` bytes into the string that starts at `start` (a key
    /// or value as written in the file: skip its opening quote, if any).
    pub(crate) fn position_within(&self, start: Position, within: usize) -> Position {
        let quoted = matches!(self.text[start.offset..].chars().next(), Some('"' | '\''));
        let offset = (start.offset + usize::from(quoted) + within).min(self.text.len());
        // Multi-line or escaped scalars would need the scalar's own mapping; on one line, as
        // callback keys are, this is exact.
        let line_end = self.line_range(start.line).end;
        if offset > line_end {
            return start;
        }
        let mut offset = offset;
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        self.position(offset)
    }

    /// The text of the line holding `position`, and the byte offset of the position in it, for
    /// the caret display.
    pub(crate) fn line_at(&self, position: Position) -> (&str, usize) {
        let range = self.line_range(position.line);
        let within = position.offset.clamp(range.start, range.end) - range.start;
        (&self.text[range], within)
    }

    fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        self.lines
            .get_or_init(|| LineIndex::new(&self.text))
            .line(&self.text, line)
    }
}

fn detect_format(path: &Path, text: &str) -> Format {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(ext) if ext == "json" => Format::Json,
        Some(ext) if ext == "yaml" || ext == "yml" => Format::Yaml,
        _ if text.trim_start().starts_with(['{', '[']) => Format::Json,
        _ => Format::Yaml,
    }
}

/// How deep serde_json lets JSON nest (its recursion limit of 128 counts the level that fails).
const JSON_DEPTH_CEILING: usize = 127;

/// Parses JSON within [`LoadLimits::max_depth`] (which cannot raise serde_json's own ceiling).
fn parse_json_within(text: &str, limits: &LoadLimits) -> Result<Value, SyntaxError> {
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

/// The line and column of byte `offset` in `text`.
pub(crate) fn position_in(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, text: &str) -> Result<SourceFile, SyntaxError> {
        SourceFile::parse(
            Path::new(name),
            text.as_bytes().to_vec(),
            &LoadLimits::default(),
        )
    }

    #[test]
    fn locates_json_keys_and_values() {
        let file = parse("a.json", "{\n  \"a\": {\"b c\": [1, \"x\"]}\n}").expect("valid");
        let ptr = jsonptr::Pointer::parse("/a/b c/1").expect("pointer");
        assert_eq!(
            file.locate(ptr, false).map(|p| (p.line, p.column)),
            Some((2, 20))
        );
        let ptr = jsonptr::Pointer::parse("/a/b c").expect("pointer");
        assert_eq!(
            file.locate(ptr, true).map(|p| (p.line, p.column)),
            Some((2, 9))
        );
    }

    #[test]
    fn locates_yaml_keys_and_values() {
        let file = parse("a.yaml", "a:\n  '{$x}':\n    - 1\n    - two\n").expect("valid");
        let ptr = jsonptr::Pointer::parse("/a/{$x}").expect("pointer");
        let key = file.locate(ptr, true).expect("located");
        assert_eq!((key.line, key.column), (2, 3));
        assert_eq!(file.position_within(key, 1).column, 5);
        let ptr = jsonptr::Pointer::parse("/a/{$x}/1").expect("pointer");
        assert_eq!(
            file.locate(ptr, false).map(|p| (p.line, p.column)),
            Some((4, 7))
        );
    }

    #[test]
    fn skips_a_byte_order_mark() {
        let file = parse("a.yaml", "\u{feff}openapi : 3.0.0\n").expect("valid");
        assert_eq!(file.value["openapi"], "3.0.0");
    }

    #[test]
    fn reports_json_errors_with_position() {
        let err = parse("a.json", "{\n  \"a\": [1,,]\n}").expect_err("invalid");
        let position = err.position.expect("position");
        assert_eq!((position.line, position.column), (2, 11));
        assert!(err.message.starts_with("invalid JSON"), "{}", err.message);
    }

    #[test]
    fn reports_invalid_utf8() {
        let err = SourceFile::parse(
            Path::new("a.yaml"),
            b"a: \xff".to_vec(),
            &LoadLimits::default(),
        )
        .expect_err("invalid");
        assert!(err.message.contains("UTF-8 at byte 3"), "{}", err.message);
    }
}
