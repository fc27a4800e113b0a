//! Where each value of a parsed file starts, addressed by JSON pointer.

use std::collections::HashMap;

use jsonc_parser::ast;

/// The start offsets of a value and of everything inside it.
#[derive(Debug, Default)]
pub(crate) struct SpanTree {
    pub(crate) offset: usize,
    pub(crate) children: Children,
}

/// The members of a mapping (with the offset of each key) or the items of a sequence.
#[derive(Debug, Default)]
pub(crate) enum Children {
    #[default]
    Leaf,
    Map(HashMap<String, (usize, SpanTree)>),
    Seq(Vec<SpanTree>),
}

impl SpanTree {
    /// The offset of the value at `pointer`, or of its key when `key` is set (the value's
    /// own offset when it has no key: the root, or an array item).
    pub(crate) fn locate(&self, pointer: &jsonptr::Pointer, key: bool) -> Option<usize> {
        let mut node = self;
        let mut key_offset = None;
        for token in pointer.tokens() {
            match &node.children {
                Children::Map(members) => {
                    let (at, child) = members.get(token.decoded().as_ref())?;
                    key_offset = Some(*at);
                    node = child;
                }
                Children::Seq(items) => {
                    let index: usize = token.decoded().parse().ok()?;
                    key_offset = None;
                    node = items.get(index)?;
                }
                Children::Leaf => return None,
            }
        }
        Some(if key {
            key_offset.unwrap_or(node.offset)
        } else {
            node.offset
        })
    }
}

/// Spans of a JSON text that serde_json already accepted (so its nesting is bounded).
pub(crate) fn json_span_tree(text: &str) -> Option<SpanTree> {
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        ..Default::default()
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).ok()?;
    parsed.value.as_ref().map(json_node)
}

fn json_node(value: &ast::Value<'_>) -> SpanTree {
    let (offset, children) = match value {
        ast::Value::Object(object) => (
            object.range.start,
            Children::Map(
                object
                    .properties
                    .iter()
                    .map(|prop| {
                        let (name, at) = match &prop.name {
                            ast::ObjectPropName::String(lit) => {
                                (lit.value.to_string(), lit.range.start)
                            }
                            ast::ObjectPropName::Word(word) => {
                                (word.value.to_string(), word.range.start)
                            }
                        };
                        (name, (at, json_node(&prop.value)))
                    })
                    .collect(),
            ),
        ),
        ast::Value::Array(array) => (
            array.range.start,
            Children::Seq(array.elements.iter().map(json_node).collect()),
        ),
        ast::Value::StringLit(lit) => (lit.range.start, Children::Leaf),
        ast::Value::NumberLit(lit) => (lit.range.start, Children::Leaf),
        ast::Value::BooleanLit(lit) => (lit.range.start, Children::Leaf),
        ast::Value::NullKeyword(lit) => (lit.range.start, Children::Leaf),
    };
    SpanTree { offset, children }
}
