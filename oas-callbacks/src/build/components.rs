//! `components/callbacks` and `components/links`.

use super::node::{At, Node};
use super::walk::Builder;
use crate::files::FileTable;
use crate::model::{Callback, Link};

impl<'f> Builder<'f> {
    /// The members of `components/<kind>` that are not references (a component that is itself
    /// a reference is checked at its target, and reported here if it cannot be followed).
    pub(super) fn component_map<'n>(
        &mut self,
        root: &'n Node<'n, 'f>,
        kind: &'f str,
    ) -> Vec<(&'f String, Node<'n, 'f>)> {
        let Some(components) = root.child("components") else {
            return Vec::new();
        };
        let Some(map) = components.child(kind) else {
            return Vec::new();
        };
        let base = map.place();
        let mut found = Vec::new();
        for (name, value) in map.entries() {
            let node = Node {
                value,
                at: At::Place(base.child(name)),
            };
            if value.get("$ref").is_some() {
                let place = node.place();
                if let Err(err) = self.files.follow(&place) {
                    self.ref_error(&place, &err);
                }
                continue;
            }
            found.push((name, node));
        }
        found
    }

    pub(super) fn component_callbacks(&mut self, root: usize) -> Vec<Callback> {
        let root = self.root(root);
        let mut callbacks = Vec::new();
        for (name, node) in self.component_map(&root, "callbacks") {
            callbacks.extend(self.callback_object(name, &node));
        }
        callbacks
    }

    pub(super) fn component_links(&mut self, root: usize) -> Vec<Link> {
        let root = self.root(root);
        let mut links = Vec::new();
        for (name, node) in self.component_map(&root, "links") {
            links.push(self.link(name, &node));
        }
        links
    }
}
