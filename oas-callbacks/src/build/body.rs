//! Request bodies and the media types of a `content` map: which schema a body pointer is
//! read against.

use serde_json::Value;

use super::node::Node;
use super::walk::Builder;
use crate::diagnostic::{DiagnosticCode, Severity};
use crate::files::{FileTable, Place};
use crate::model::RequestBody;

/// The essence of a media type (`type/subtype`, lower-case, without parameters).
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

/// A body whose parts are named fields, not one JSON value.
fn is_form(essence: &str) -> bool {
    essence.starts_with("multipart/") || essence == "application/x-www-form-urlencoded"
}

impl<'f> Builder<'f> {
    /// The request-body schema of a callback operation: what its payload is validated against.
    pub(super) fn request_schema(&mut self, operation: &Node<'_, 'f>) -> Option<Place> {
        let body = operation.child("requestBody")?;
        let body = self.follow_supporting(body, "request body")?;
        self.media_schema(body.child("content"))
    }

    /// The request body of an operation, as a `$request.body#/…` pointer reads it: the JSON
    /// media type's schema; for a body that is only multipart or form data, the schema of its
    /// JSON part when the `encoding` declares one, else nothing to point into.
    pub(super) fn request_body(&mut self, operation: &Node<'_, 'f>) -> Option<RequestBody> {
        let body = operation.child("requestBody")?;
        let body = self.follow_supporting(body, "request body")?;
        let content = body.child("content");
        let schema = self.media_schema(body.child("content"));
        let Some(content) = content else {
            return Some(RequestBody {
                schema,
                non_json: false,
            });
        };
        let types: Vec<String> = content.entries().map(|(name, _)| essence(name)).collect();
        if types.is_empty() || !types.iter().all(|t| is_form(t)) {
            return Some(RequestBody {
                schema,
                non_json: false,
            });
        }
        let part = content
            .entries()
            .filter(|(name, _)| essence(name).starts_with("multipart/"))
            .find_map(|(name, _)| self.json_part(&content.child(name)?));
        Some(match part {
            Some(part) => RequestBody {
                schema: Some(part),
                non_json: false,
            },
            None => RequestBody {
                schema: None,
                non_json: true,
            },
        })
    }

    /// The schema of the first part of a multipart media type whose `encoding` declares a JSON
    /// content type (`encoding: {jsonData: {contentType: application/json}}`).
    fn json_part(&self, media: &Node<'_, 'f>) -> Option<Place> {
        let Some(Value::Object(encoding)) = media.value.get("encoding") else {
            return None;
        };
        let part = encoding.iter().find_map(|(part, encoding)| {
            let types = encoding.get("contentType")?.as_str()?;
            types
                .split(',')
                .any(|t| is_json(&essence(t)))
                .then_some(part)
        })?;
        let schema = self.files.follow(&media.child("schema")?.place()).ok()?;
        let place = schema.child("properties").child(part);
        self.files.get(&place).is_some().then_some(place)
    }

    /// The schema of the JSON media type of a `content` map (`application/json`, then any
    /// `+json` or `*/*`, then the first one).
    pub(super) fn media_schema(&mut self, content: Option<Node<'_, 'f>>) -> Option<Place> {
        let content = content?;
        let types: Vec<&String> = content.entries().map(|(name, _)| name).collect();
        let chosen = types
            .iter()
            .find(|t| essence(t) == "application/json")
            .or_else(|| types.iter().find(|t| essence(t).ends_with("+json")))
            .or_else(|| {
                types
                    .iter()
                    .find(|t| t.starts_with("*/*") || t.starts_with("application/*"))
            })
            .or_else(|| types.first())?;
        let media = content.child(chosen)?;
        let schema = media.child("schema")?.place();
        if let Err(err) = self.files.check_references(&schema) {
            let diagnostic = self.files.diagnostic(
                Severity::Warning,
                DiagnosticCode::UnreadableSchema,
                &schema,
                false,
                None,
                format!(
                    "this schema refers to something that cannot be read ({err}): its schema-based checks are skipped"
                ),
            );
            self.diagnostics.push(diagnostic);
        }
        Some(schema)
    }
}
