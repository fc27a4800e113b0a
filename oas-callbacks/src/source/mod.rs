//! One file of an OpenAPI description: its text, its parsed value, and where each value sits in
//! the text (so that every diagnostic can name a line and a column).

mod json;
mod lines;
mod position;
mod refs;
mod spans;
mod yaml;

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use jsonptr::Pointer;

use serde_json::Value;

use crate::limits::LoadLimits;
use lines::LineIndex;
pub use position::Position;
pub(crate) use position::SyntaxError;
pub(crate) use position::position_in;
use refs::RefGraph;
pub(crate) use refs::{RefEdge, RefNode, RefTarget, has_scheme};
use spans::SpanIndex;

/// The syntax a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (RFC 8259).
    Json,
    /// YAML 1.2.
    Yaml,
}

/// A parsed file.
#[derive(Debug)]
pub(crate) struct SourceFile {
    pub(crate) text: String,
    pub(crate) value: Value,
    /// Whether the text holds `$ref` at all: most work on references can be skipped when not.
    pub(crate) has_refs: bool,
    /// Built eagerly for YAML (the parser reports spans as it goes) and on first use for JSON
    /// (serde_json is the fast path; diagnostics are rare, so the spans are computed only then).
    spans: OnceLock<Option<SpanIndex>>,
    /// Line starts and character counts, built on first use (the first diagnostic).
    lines: OnceLock<LineIndex>,
    /// The values reference checks reached and the `$ref`s inside each, kept for as long as
    /// the file: every document of a run that reaches a shared schema walks it again.
    refs: Mutex<RefGraph>,
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
            Format::Json => json::parse_json_within(&text, limits)?,
            Format::Yaml => {
                let (value, index) = yaml::parse(&text, limits)?;
                let _ = spans.set(index);
                value
            }
        };
        Ok(SourceFile {
            has_refs: text.contains("$ref"),
            text,
            value,
            spans,
            lines: OnceLock::new(),
            refs: Mutex::new(RefGraph::default()),
        })
    }

    /// The node of the value at `pointer` in the file's reference graph, if there is a value
    /// there.
    pub(crate) fn ref_node(&self, pointer: &Pointer) -> Option<RefNode> {
        self.ref_graph().node(&self.value, pointer)
    }

    /// The `$ref`s inside node `node` (from [`SourceFile::ref_node`] or a local edge), in
    /// document order: found the first time any document asks, then shared.
    pub(crate) fn ref_edges(&self, node: RefNode) -> Arc<[RefEdge]> {
        self.ref_graph().edges(&self.value, node)
    }

    fn ref_graph(&self) -> std::sync::MutexGuard<'_, RefGraph> {
        self.refs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the key (`key == true`) or the value at `pointer` starts.
    pub(crate) fn locate(&self, pointer: &jsonptr::Pointer, key: bool) -> Option<Position> {
        let tree = self
            .spans
            .get_or_init(|| spans::json_span_index(&self.text))
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
