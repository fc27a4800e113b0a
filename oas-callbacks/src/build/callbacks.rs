//! Callback Objects: each key compiled, with the operations of its Path Item.

use std::sync::OnceLock;

use super::node::Node;
use super::walk::Builder;
use crate::compile::compile_callback_key;
use crate::diagnostic::DiagnosticCode;
use crate::model::{Callback, CallbackOperation};

impl<'f> Builder<'f> {
    pub(super) fn callbacks_map(&mut self, map: Option<Node<'_, 'f>>) -> Vec<Callback> {
        let Some(map) = map else {
            return Vec::new();
        };
        let mut callbacks = Vec::new();
        for (name, _) in map.entries() {
            let Some(object) = map.child(name).and_then(|node| self.follow(node)) else {
                continue;
            };
            callbacks.extend(self.callback_object(name, &object));
        }
        callbacks
    }

    /// Every key of a Callback Object (`x-` extensions excepted) with its Path Item.
    pub(super) fn callback_object(&mut self, name: &str, object: &Node<'_, 'f>) -> Vec<Callback> {
        if !object.value.is_object() {
            self.error(
                DiagnosticCode::InvalidCallbackObject,
                &object.place(),
                false,
                "a Callback Object must be an object",
            );
            return Vec::new();
        }
        let mut callbacks = Vec::new();
        for (key, _) in object.entries() {
            if key.starts_with("x-") {
                continue;
            }
            let Some(node) = object.child(key) else {
                continue;
            };
            let place = node.place();
            let url = compile_callback_key(key);
            let item = self.follow(node);
            if let Some(item) = &item
                && !item.value.is_object()
            {
                self.error(
                    DiagnosticCode::InvalidCallbackObject,
                    &item.place(),
                    false,
                    format!("the Path Item of callback key `{key}` must be an object"),
                );
            }
            let mut operations = Vec::new();
            if let Some(item) = item {
                for (method, op) in self.item_operations(&item) {
                    operations.push(CallbackOperation {
                        method,
                        operation_id: op.str("operationId").map(str::to_owned),
                        request_schema: self.request_schema(&op),
                        validator: OnceLock::new(),
                    });
                }
            }
            callbacks.push(Callback {
                name: name.to_owned(),
                key: key.clone(),
                url,
                place,
                operations,
            });
        }
        callbacks
    }
}
