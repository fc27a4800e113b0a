//! The `$ref`s of one file as a graph, built as reference checks walk it and kept with the
//! file: every document of a run that reaches a shared schema walks the same values, so what a
//! value refers to (and, within the file, which value that is) is worked out once per run.

use std::collections::HashMap;
use std::sync::Arc;

use jsonptr::{Pointer, PointerBuf, resolve::Resolve};
use percent_encoding::percent_decode_str;
use serde_json::Value;

/// A value of the file that a reference check reached, by its index in the file's graph.
pub(crate) type RefNode = usize;

/// One `$ref` written inside a value, and where it leads as far as the file alone can tell.
#[derive(Debug)]
pub(crate) struct RefEdge {
    /// The reference as written.
    pub(crate) reference: Box<str>,
    pub(crate) target: RefTarget,
}

/// Where a [`RefEdge`] leads.
#[derive(Debug)]
pub(crate) enum RefTarget {
    /// A value of the same file (`#/…`); `None` when the fragment names nothing.
    Local(Option<RefNode>),
    /// A value of another file: its location as written (before `#`), and the fragment as a
    /// JSON pointer (`None`: it is not one). Which file that is depends on the path by which a
    /// document reached this one, so the document opens it.
    Remote {
        location: Box<str>,
        fragment: Option<PointerBuf>,
    },
    /// A URL: refused.
    Url,
}

/// The values of a file that reference checks reached, and the `$ref`s inside each.
#[derive(Debug, Default)]
pub(crate) struct RefGraph {
    ids: HashMap<PointerBuf, RefNode>,
    /// The pointer of each node, and its edges once a check walked it.
    nodes: Vec<(PointerBuf, Option<Arc<[RefEdge]>>)>,
}

impl RefGraph {
    /// The node of the value at `pointer` in `value`, if there is one.
    pub(crate) fn node(&mut self, value: &Value, pointer: &Pointer) -> Option<RefNode> {
        if let Some(&id) = self.ids.get(pointer) {
            return Some(id);
        }
        value.resolve(pointer).ok()?;
        let id = self.nodes.len();
        self.nodes.push((pointer.to_buf(), None));
        self.ids.insert(pointer.to_buf(), id);
        Some(id)
    }

    /// The `$ref`s inside node `id` (a node of `value`, the file's value), in document order.
    pub(crate) fn edges(&mut self, value: &Value, id: RefNode) -> Arc<[RefEdge]> {
        if let Some(edges) = &self.nodes[id].1 {
            return Arc::clone(edges);
        }
        let mut found = Vec::new();
        if let Ok(within) = value.resolve(&self.nodes[id].0) {
            collect_refs(within, &mut found);
        }
        let edges: Arc<[RefEdge]> = found
            .into_iter()
            .map(|reference| RefEdge {
                reference: reference.into(),
                target: self.target(value, reference),
            })
            .collect();
        self.nodes[id].1 = Some(Arc::clone(&edges));
        edges
    }

    fn target(&mut self, value: &Value, reference: &str) -> RefTarget {
        let (location, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if has_scheme(location) {
            return RefTarget::Url;
        }
        let fragment = percent_decode_str(fragment).decode_utf8_lossy();
        let pointer = Pointer::parse(fragment.as_ref()).ok();
        if location.is_empty() {
            RefTarget::Local(pointer.and_then(|pointer| self.node(value, pointer)))
        } else {
            RefTarget::Remote {
                location: location.into(),
                fragment: pointer.map(Pointer::to_buf),
            }
        }
    }
}

/// Every `$ref` string inside `value` (not inside `example`/`examples`, which are data).
pub(crate) fn collect_refs<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                match (key.as_str(), member) {
                    ("$ref", Value::String(reference)) => out.push(reference),
                    ("example" | "examples" | "enum" | "const" | "default", _) => {}
                    _ => collect_refs(member, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// Whether a reference starts with a URI scheme (`https:`, `file:`), which the loader refuses.
/// A Windows drive letter (`C:`) is a path, not a scheme.
pub(crate) fn has_scheme(location: &str) -> bool {
    match location.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_url_references() {
        assert!(has_scheme("https://example.com/a.yaml"));
        assert!(has_scheme("file:///tmp/a.yaml"));
        assert!(!has_scheme("a.yaml"));
        assert!(!has_scheme("C:/specs/a.yaml"));
        assert!(!has_scheme(""));
    }

    fn pointer(text: &str) -> &Pointer {
        Pointer::parse(text).expect("a JSON pointer")
    }

    #[test]
    fn edges_say_where_each_reference_leads() {
        let value = serde_json::json!({
            "a": {"x": {"$ref": "#/b"}, "y": {"$ref": "#/missing"}, "z": {"$ref": "other.json#/c%20d"},
                  "u": {"$ref": "https://example.com/s.json"}, "example": {"$ref": "#/b"}},
            "b": {"type": "string"}
        });
        let mut graph = RefGraph::default();
        let a = graph.node(&value, pointer("/a")).expect("the value exists");
        assert_eq!(graph.node(&value, pointer("/a")), Some(a));
        assert_eq!(graph.node(&value, pointer("/nothing")), None);
        let edges = graph.edges(&value, a);
        let b = graph.node(&value, pointer("/b"));
        assert_eq!(edges.len(), 4, "{edges:?}");
        assert!(matches!(edges[0].target, RefTarget::Local(found) if found == b && b.is_some()));
        assert!(matches!(edges[1].target, RefTarget::Local(None)));
        assert!(matches!(
            &edges[2].target,
            RefTarget::Remote { location, fragment: Some(pointer) }
                if &**location == "other.json" && pointer.as_str() == "/c d"
        ));
        assert!(matches!(edges[3].target, RefTarget::Url));
        assert_eq!(&*edges[2].reference, "other.json#/c%20d");
        // Asked again, the same edges (computed once).
        assert!(Arc::ptr_eq(&edges, &graph.edges(&value, a)));
    }
}
