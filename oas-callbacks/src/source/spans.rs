//! Where each value of a parsed file starts, addressed by JSON pointer.
//!
//! One flat table of 24 bytes per value (DESIGN: memory stays proportional to the input): the
//! members of each mapping and the items of each sequence sit side by side, a mapping's sorted
//! by the hash of their key, so that a pointer is followed in one binary search per level
//! without keeping a copy of any key.

use std::hash::{BuildHasher, RandomState};

/// An offset that the parser did not report: the nearest enclosing known one stands for it.
const UNKNOWN: u32 = u32::MAX;
/// The flag, in [`SpanNode::len`], of a mapping's children.
const MAPPING: u32 = 1 << 31;

/// The start offsets of the values of a file.
#[derive(Debug)]
pub(crate) struct SpanIndex {
    root: SpanNode,
    nodes: Vec<SpanNode>,
    /// Keyed randomly for each index: a document cannot choose keys whose hashes collide.
    hasher: RandomState,
}

/// A value: where it (and, for a member of a mapping, its key) starts, and where its children
/// are in [`SpanIndex::nodes`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpanNode {
    /// The hash of the key, for a member of a mapping.
    key_hash: u64,
    offset: u32,
    key_offset: u32,
    children: u32,
    /// The number of children, with [`MAPPING`] set for a mapping's.
    len: u32,
}

impl SpanNode {
    /// A scalar (or an empty collection) whose offset is not known yet.
    pub(crate) fn leaf() -> SpanNode {
        SpanNode {
            key_hash: 0,
            offset: UNKNOWN,
            key_offset: UNKNOWN,
            children: 0,
            len: 0,
        }
    }

    /// The same node, starting at byte `offset` (`None`: not reported).
    pub(crate) fn at(mut self, offset: Option<usize>) -> SpanNode {
        self.offset = offset_u32(offset);
        self
    }
}

fn offset_u32(offset: Option<usize>) -> u32 {
    offset
        .and_then(|offset| u32::try_from(offset).ok())
        .filter(|&offset| offset != UNKNOWN)
        .unwrap_or(UNKNOWN)
}

/// Builds a [`SpanIndex`] as a parser reports values, children before their parent.
#[derive(Debug)]
pub(crate) struct SpanBuilder {
    nodes: Vec<SpanNode>,
    hasher: RandomState,
    /// Set when the file has more values than the table can count (more than 2³¹ in one
    /// collection, or 2³² in all): no positions then, rather than wrong ones.
    overflowed: bool,
}

/// The children of one collection while it is read.
#[derive(Debug, Default)]
pub(crate) struct Group {
    children: Vec<SpanNode>,
}

impl Group {
    /// Adds a sequence item.
    pub(crate) fn item(&mut self, node: SpanNode) {
        self.children.push(node);
    }
}

impl Default for SpanBuilder {
    fn default() -> Self {
        SpanBuilder {
            nodes: Vec::new(),
            hasher: RandomState::new(),
            overflowed: false,
        }
    }
}

impl SpanBuilder {
    /// Adds a member of a mapping: its key, where the key starts, and its value.
    pub(crate) fn member(
        &self,
        group: &mut Group,
        key: &str,
        key_offset: Option<usize>,
        mut node: SpanNode,
    ) {
        node.key_hash = self.hasher.hash_one(key);
        node.key_offset = offset_u32(key_offset);
        group.children.push(node);
    }

    /// The node of a sequence (`mapping` false) or mapping whose children are `group`; the
    /// group is left empty, to be reused.
    pub(crate) fn close(&mut self, group: &mut Group, mapping: bool) -> SpanNode {
        let mut node = SpanNode::leaf();
        if group.children.is_empty() {
            return node;
        }
        if mapping {
            // Stable: of two members with one key, the later (the one the value keeps) is last.
            group.children.sort_by_key(|child| child.key_hash);
        }
        match (
            u32::try_from(self.nodes.len()),
            u32::try_from(group.children.len()),
        ) {
            (Ok(start), Ok(len))
                if len < MAPPING
                    && u32::try_from(self.nodes.len() + group.children.len()).is_ok() =>
            {
                node.children = start;
                node.len = if mapping { len | MAPPING } else { len };
                self.nodes.extend_from_slice(&group.children);
            }
            _ => self.overflowed = true,
        }
        group.children.clear();
        node
    }

    /// The index, with `root` the node of the whole file; `None` if the file is too large for
    /// the table.
    pub(crate) fn finish(mut self, root: SpanNode) -> Option<SpanIndex> {
        self.nodes.shrink_to_fit();
        (!self.overflowed).then_some(SpanIndex {
            root,
            nodes: self.nodes,
            hasher: self.hasher,
        })
    }
}

impl SpanIndex {
    /// The offset of the value at `pointer`, or of its key when `key` is set (the value's
    /// own offset when it has no key: the root, or an array item).
    pub(crate) fn locate(&self, pointer: &jsonptr::Pointer, key: bool) -> Option<usize> {
        let mut node = &self.root;
        let mut known = known_or(node.offset, 0);
        let mut key_offset = None;
        for token in pointer.tokens() {
            let start = node.children as usize;
            let len = (node.len & !MAPPING) as usize;
            let children = self.nodes.get(start..start + len)?;
            let child = if node.len & MAPPING != 0 {
                let hash = self.hasher.hash_one(token.decoded().as_ref());
                let after = children.partition_point(|c| c.key_hash <= hash);
                let child = children.get(after.checked_sub(1)?)?;
                if child.key_hash != hash {
                    return None;
                }
                let at = known_or(child.key_offset, known);
                key_offset = Some(at);
                known = known_or(child.offset, at);
                child
            } else {
                let index: usize = token.decoded().parse().ok()?;
                let child = children.get(index)?;
                key_offset = None;
                known = known_or(child.offset, known);
                child
            };
            node = child;
        }
        Some(if key {
            key_offset.unwrap_or(known)
        } else {
            known
        })
    }
}

fn known_or(offset: u32, fallback: usize) -> usize {
    if offset == UNKNOWN {
        fallback
    } else {
        offset as usize
    }
}

/// Spans of a JSON text that serde_json already accepted: its syntax is valid and its nesting
/// bounded, so a scan of its tokens is exact. (A parser's syntax tree would take several
/// times the text's size for a moment; this takes the index's 24 bytes a value.)
pub(crate) fn json_span_index(text: &str) -> Option<SpanIndex> {
    let mut scanner = JsonScanner {
        bytes: text.as_bytes(),
        text,
        at: 0,
        builder: SpanBuilder::default(),
    };
    let root = scanner.value()?;
    scanner.builder.finish(root)
}

struct JsonScanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    builder: SpanBuilder,
}

impl JsonScanner<'_> {
    fn skip_whitespace(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The value at the cursor (after whitespace), the cursor then just past it.
    fn value(&mut self) -> Option<SpanNode> {
        self.skip_whitespace();
        let start = self.at;
        let node = match self.bytes.get(start)? {
            b'{' => {
                self.at += 1;
                let mut group = Group::default();
                loop {
                    self.skip_whitespace();
                    match self.bytes.get(self.at)? {
                        b'}' => break,
                        b',' => self.at += 1,
                        b'"' => {
                            let key_start = self.at;
                            let text = self.text;
                            let key = decode_key(text.get(self.string()?)?)?;
                            self.skip_whitespace();
                            (self.bytes.get(self.at)? == &b':').then_some(())?;
                            self.at += 1;
                            let child = self.value()?;
                            self.builder
                                .member(&mut group, &key, Some(key_start), child);
                        }
                        _ => return None,
                    }
                }
                self.at += 1;
                self.builder.close(&mut group, true)
            }
            b'[' => {
                self.at += 1;
                let mut group = Group::default();
                loop {
                    self.skip_whitespace();
                    match self.bytes.get(self.at)? {
                        b']' => break,
                        b',' => self.at += 1,
                        _ => {
                            let child = self.value()?;
                            group.item(child);
                        }
                    }
                }
                self.at += 1;
                self.builder.close(&mut group, false)
            }
            b'"' => {
                self.string()?;
                SpanNode::leaf()
            }
            _ => {
                while !matches!(
                    self.bytes.get(self.at),
                    None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                SpanNode::leaf()
            }
        };
        Some(node.at(Some(start)))
    }

    /// Skips the string at the cursor; where its text is, quotes included.
    fn string(&mut self) -> Option<std::ops::Range<usize>> {
        let start = self.at;
        self.at += 1;
        loop {
            match self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
        self.at += 1;
        Some(start..self.at)
    }
}

/// A key as serde_json reads it (escapes decoded).
fn decode_key(raw: &str) -> Option<std::borrow::Cow<'_, str>> {
    let inner = &raw[1..raw.len() - 1];
    if inner.contains('\\') {
        serde_json::from_str::<String>(raw)
            .ok()
            .map(std::borrow::Cow::Owned)
    } else {
        Some(std::borrow::Cow::Borrowed(inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate(index: &SpanIndex, pointer: &str, key: bool) -> Option<usize> {
        index.locate(jsonptr::Pointer::parse(pointer).expect("pointer"), key)
    }

    #[test]
    fn json_members_items_and_escaped_keys() {
        let text = r#"{"a": [1, {"b\"c": true}], "d~e/f": "x", "\u0067": null}"#;
        let index = json_span_index(text).expect("index");
        assert_eq!(locate(&index, "", false), Some(0));
        assert_eq!(locate(&index, "/a", true), Some(1));
        assert_eq!(locate(&index, "/a", false), Some(6));
        assert_eq!(locate(&index, "/a/1", false), Some(10));
        assert_eq!(locate(&index, "/a/1", true), Some(10));
        assert_eq!(locate(&index, "/a/1/b\"c", true), Some(11));
        assert_eq!(locate(&index, "/a/1/b\"c", false), Some(19));
        assert_eq!(locate(&index, "/d~0e~1f", true), Some(27));
        assert_eq!(locate(&index, "/d~0e~1f", false), Some(36));
        assert_eq!(locate(&index, "/g", true), Some(41));
        assert_eq!(locate(&index, "/a/2", false), None);
        assert_eq!(locate(&index, "/nope", false), None);
        assert_eq!(locate(&index, "/a/x", false), None);
        assert_eq!(locate(&index, "/d~0e~1f/0", false), None);
    }

    #[test]
    fn a_duplicate_key_locates_the_value_serde_json_keeps() {
        // serde_json keeps the last value of a repeated key.
        let text = r#"{"k": 1, "other": 2, "k": 3}"#;
        let index = json_span_index(text).expect("index");
        assert_eq!(locate(&index, "/k", true), Some(21));
        assert_eq!(locate(&index, "/k", false), Some(26));
    }

    #[test]
    fn unknown_offsets_fall_back_to_the_nearest_known_one() {
        let mut builder = SpanBuilder::default();
        let mut inner = Group::default();
        inner.item(SpanNode::leaf());
        let inner = builder.close(&mut inner, false);
        let mut outer = Group::default();
        builder.member(&mut outer, "a", None, inner.at(Some(7)));
        builder.member(&mut outer, "b", Some(12), SpanNode::leaf());
        let root = builder.close(&mut outer, true).at(Some(2));
        let index = builder.finish(root).expect("index");
        assert_eq!(locate(&index, "/a", true), Some(2));
        assert_eq!(locate(&index, "/a/0", false), Some(7));
        assert_eq!(locate(&index, "/b", false), Some(12));
    }
}
