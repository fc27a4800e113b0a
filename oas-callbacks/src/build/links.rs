//! Link Objects: the target, and the parameters and request body compiled.

use serde_json::Value;

use super::node::Node;
use super::walk::Builder;
use crate::compile::compile_link_value;
use crate::diagnostic::DiagnosticCode;
use crate::files::FileTable;
use crate::model::{Link, LinkTarget};

impl<'f> Builder<'f> {
    pub(super) fn links_map(&mut self, map: Option<Node<'_, 'f>>) -> Vec<Link> {
        let Some(map) = map else {
            return Vec::new();
        };
        let mut links = Vec::new();
        for (name, _) in map.entries() {
            let Some(node) = map.child(name).and_then(|node| self.follow(node)) else {
                continue;
            };
            links.push(self.link(name, &node));
        }
        links
    }

    pub(super) fn link(&mut self, name: &str, node: &Node<'_, 'f>) -> Link {
        let place = &node.place();
        let value = node.value;
        for field in ["operationId", "operationRef"] {
            if value.get(field).is_some_and(|v| !v.is_string()) {
                self.error(
                    DiagnosticCode::InvalidLinkObject,
                    &place.child(field),
                    false,
                    format!("`{field}` of link `{name}` must be a string"),
                );
            }
        }
        let target = match (node.str("operationId"), node.str("operationRef")) {
            (Some(id), None) => LinkTarget::OperationId(id.to_owned()),
            (None, Some(reference)) => LinkTarget::OperationRef(reference.to_owned()),
            (Some(_), Some(_)) => {
                self.error(
                    DiagnosticCode::InvalidLinkObject,
                    place,
                    true,
                    format!("link `{name}` has both `operationId` and `operationRef`: exactly one is allowed"),
                );
                LinkTarget::Invalid
            }
            (None, None)
                if value.get("operationId").is_some() || value.get("operationRef").is_some() =>
            {
                LinkTarget::Invalid
            }
            (None, None) => {
                self.error(
                    DiagnosticCode::InvalidLinkObject,
                    place,
                    true,
                    format!("link `{name}` has neither `operationId` nor `operationRef`"),
                );
                LinkTarget::Invalid
            }
        };
        if let LinkTarget::OperationRef(reference) = &target {
            // Followed now, so that the file it leads to is open when `check` looks at it (the
            // result is `check`'s to report).
            let _ = self.files.target(place.file, reference);
        }
        let parameters = match value.get("parameters") {
            Some(Value::Object(members)) => members
                .iter()
                .map(|(param, raw)| (param.clone(), compile_link_value(raw)))
                .collect(),
            _ => Vec::new(),
        };
        let request_body = value.get("requestBody").map(compile_link_value);
        Link {
            name: name.to_owned(),
            target,
            parameters,
            request_body,
            place: place.clone(),
        }
    }
}
