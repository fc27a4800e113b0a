//! Line starts and character counts of a text: line and column of any byte offset in
//! logarithmic time.

use super::position::Position;

/// Where the lines of a text start, and how many characters precede each block of it, so that
/// the line and column of a byte offset take a binary search and at most one block's count:
/// a document with a million diagnostics is not read a million times, even on one line.
#[derive(Debug)]
pub(crate) struct LineIndex {
    /// The byte offset at which each line starts (the first is 0).
    starts: Vec<usize>,
    /// The number of characters before each multiple of [`LineIndex::BLOCK`] bytes.
    chars_before_block: Vec<usize>,
}

impl LineIndex {
    const BLOCK: usize = 4096;

    pub(crate) fn new(text: &str) -> Self {
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

    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        // A line shorter than a block is counted directly (most are): the blocks' counts
        // bound the work for long lines, but cost up to two blocks' worth of counting each.
        let chars = if offset - line_start <= Self::BLOCK {
            chars_in(&text.as_bytes()[line_start..offset])
        } else {
            self.chars_before(text, offset) - self.chars_before(text, line_start)
        };
        Position {
            line,
            column: chars + 1,
            offset,
        }
    }

    /// The byte range of line `line` (from 1), without its line end.
    pub(crate) fn line(&self, text: &str, line: usize) -> std::ops::Range<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The column by counting the characters of the line, the slow way.
    fn column_by_counting(text: &str, offset: usize) -> usize {
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        text[line_start..offset].chars().count() + 1
    }

    #[test]
    fn columns_count_characters_on_short_and_long_lines() {
        let long_line = "é".repeat(3 * LineIndex::BLOCK);
        let text = format!("ab\nçd€f\n{long_line}x\n\nlast");
        let index = LineIndex::new(&text);
        for (offset, _) in text.char_indices() {
            let position = index.position(&text, offset);
            assert_eq!(
                position.column,
                column_by_counting(&text, offset),
                "at {offset}"
            );
            assert_eq!(position.line, text[..offset].matches('\n').count() + 1);
        }
    }
}
