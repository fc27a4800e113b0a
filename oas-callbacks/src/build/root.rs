//! The root of a description: is it an OpenAPI 3.x document at all?

use serde_json::Value;

use super::walk::Builder;
use crate::diagnostic::DiagnosticCode;

impl<'f> Builder<'f> {
    pub(super) fn check_root(&mut self, root: usize) -> Option<String> {
        let root = self.root(root);
        let place = root.place();
        let Value::Object(map) = root.value else {
            self.error(
                DiagnosticCode::NotOpenapi,
                &place,
                false,
                "an OpenAPI document must be an object",
            );
            return None;
        };
        let version = map
            .get("openapi")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let has_info = map.contains_key("info");
        let has_content = ["paths", "components", "webhooks"]
            .iter()
            .any(|k| map.contains_key(*k));
        match &version {
            None => {
                let swagger = map.contains_key("swagger");
                self.error(
                    DiagnosticCode::NotOpenapi,
                    &place,
                    false,
                    if swagger {
                        "this is a Swagger 2.0 document: OpenAPI 3.0, 3.1 or 3.2 is expected"
                    } else {
                        "missing `openapi` field: not an OpenAPI 3.x document"
                    },
                );
            }
            Some(v) if !(v.starts_with("3.0") || v.starts_with("3.1") || v.starts_with("3.2")) => {
                let at = place.child("openapi");
                self.error(
                    DiagnosticCode::UnsupportedOpenapiVersion,
                    &at,
                    false,
                    format!("unsupported OpenAPI version `{v}`: 3.0.x, 3.1.x or 3.2.x is expected"),
                );
            }
            Some(_) => {}
        }
        if version.is_some() && !has_info {
            self.error(
                DiagnosticCode::MissingInfo,
                &place,
                false,
                "missing required field `info`: this looks like a fragment, not a whole OpenAPI document",
            );
        }
        if version.is_some() && !has_content {
            self.error(
                DiagnosticCode::EmptyDocument,
                &place,
                false,
                "the document has no `paths`, `components` or `webhooks`",
            );
        }
        version
    }
}
