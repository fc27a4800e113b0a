//! Validating a callback payload against the request-body schema of the callback operation.
//!
//! The schema is validated with the `jsonschema` crate, with the whole description (and every
//! file it references) available for `$ref`s. The dialect follows the OpenAPI version: JSON
//! Schema 2020-12 for 3.1 and 3.2 (or the document's `jsonSchemaDialect`; a schema's own
//! `$schema` wins), and for 3.0 its own dialect, which extends draft 4: validated as draft 4
//! (boolean `exclusiveMinimum`/`exclusiveMaximum`) after `nullable: true` is rewritten as a
//! `null` type.

use jsonschema::{Draft, Registry};
use serde::Serialize;
use serde_json::{Value, json};

use crate::document::{Document, Operation, Place};

/// One way a payload breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Violation {
    /// JSON pointer to the offending value in the payload (`""` for the payload itself).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// JSON pointer to the schema keyword that failed.
    pub schema_path: String,
}

/// Why a payload could not be validated at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidateError {
    /// The operation has no callback of this name.
    #[error("operation `{operation}` has no callback `{name}` (it has: {known})")]
    UnknownCallback {
        /// The operation.
        operation: String,
        /// The name asked for.
        name: String,
        /// The names it has.
        known: String,
    },
    /// The callback has no operation with this method, or several and none was chosen.
    #[error("callback `{name}` {problem}")]
    Method {
        /// The callback.
        name: String,
        /// What is wrong with the method.
        problem: String,
    },
    /// The callback operation declares no JSON request body schema.
    #[error("the {method} operation of callback `{name}` declares no JSON request body schema")]
    NoSchema {
        /// The callback.
        name: String,
        /// Its method.
        method: String,
    },
    /// The schema itself is invalid or refers to something that cannot be read.
    #[error("the request body schema of callback `{name}` cannot be used: {message}")]
    BadSchema {
        /// The callback.
        name: String,
        /// The validator's message.
        message: String,
    },
}

impl Document {
    /// Validates `payload` against the request-body schema of callback `name` of `operation`
    /// (of its `method` operation, needed only when its Path Item has several). Returns every
    /// violation, each with the JSON pointer of the offending value; an empty list means valid.
    ///
    /// ```
    /// use serde_json::json;
    /// let doc = oas_callbacks::Document::load("../examples/progress-api.yaml")?;
    /// let op = doc.operation("startJob").expect("declared");
    /// let violations = doc.validate_callback_payload(op, "progress", None,
    ///     &json!({"jobId": "42", "percent": 150, "state": "running"}))?;
    /// assert_eq!(violations[0].pointer, "/percent");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate_callback_payload(
        &self,
        operation: &Operation,
        name: &str,
        method: Option<&str>,
        payload: &Value,
    ) -> Result<Vec<Violation>, ValidateError> {
        let schema = self.callback_schema(operation, name, method)?;
        self.validate_against(&schema, name, payload)
    }

    /// The request-body schema of a callback operation.
    pub(crate) fn callback_schema(
        &self,
        operation: &Operation,
        name: &str,
        method: Option<&str>,
    ) -> Result<Place, ValidateError> {
        let callbacks: Vec<_> = operation
            .callbacks()
            .iter()
            .filter(|c| c.name() == name)
            .collect();
        if callbacks.is_empty() {
            let mut known: Vec<&str> = operation.callbacks().iter().map(|c| c.name()).collect();
            known.dedup();
            return Err(ValidateError::UnknownCallback {
                operation: operation.display_name(),
                name: name.to_owned(),
                known: if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                },
            });
        }
        let operations: Vec<_> = callbacks.iter().flat_map(|c| c.operations()).collect();
        let chosen = match method {
            Some(method) => operations
                .iter()
                .find(|o| o.method().eq_ignore_ascii_case(method))
                .ok_or_else(|| ValidateError::Method {
                    name: name.to_owned(),
                    problem: format!(
                        "has no {method} operation (it has: {})",
                        operations
                            .iter()
                            .map(|o| o.method())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?,
            None => match operations.as_slice() {
                [one] => one,
                [] => {
                    return Err(ValidateError::Method {
                        name: name.to_owned(),
                        problem: "has no operation".to_owned(),
                    });
                }
                several => several
                    .iter()
                    .find(|o| o.method() == "POST")
                    .ok_or_else(|| ValidateError::Method {
                        name: name.to_owned(),
                        problem: format!(
                            "has several operations ({}): choose one with --method",
                            several
                                .iter()
                                .map(|o| o.method())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })?,
            },
        };
        chosen
            .request_schema
            .clone()
            .ok_or_else(|| ValidateError::NoSchema {
                name: name.to_owned(),
                method: chosen.method().to_owned(),
            })
    }

    fn validate_against(
        &self,
        schema: &Place,
        name: &str,
        payload: &Value,
    ) -> Result<Vec<Violation>, ValidateError> {
        let bad = |message: String| ValidateError::BadSchema {
            name: name.to_owned(),
            message,
        };
        let oas30 = self.is_oas30();
        let draft = if oas30 {
            Draft::Draft4
        } else {
            dialect_draft(
                self.files
                    .file(0)
                    .value
                    .get("jsonSchemaDialect")
                    .and_then(Value::as_str),
            )
        };
        // Every loaded file is registered under its file URI, so that `$ref`s between them
        // resolve without reading anything again (and nothing is ever fetched).
        let mut resources = Vec::new();
        let mut schema_uri = String::new();
        for id in 0..self.files.len() {
            let file = self.files.file(id);
            let uri = file_uri(&file.path);
            let mut value = file.value.clone();
            if oas30 {
                rewrite_nullable(&mut value);
            }
            if id == schema.file {
                schema_uri = format!("{uri}#{}", encode_fragment(schema.pointer.as_str()));
            }
            resources.push((uri, draft.create_resource(value)));
        }
        let registry = Registry::new()
            .draft(draft)
            .extend(resources)
            .and_then(|builder| builder.prepare())
            .map_err(|err| bad(err.to_string()))?;
        let validator = jsonschema::options()
            .with_draft(draft)
            .with_registry(&registry)
            .build(&json!({ "$ref": schema_uri }))
            .map_err(|err| bad(err.to_string()))?;
        Ok(validator
            .iter_errors(payload)
            .map(|err| Violation {
                pointer: err.instance_path().to_string(),
                message: err.to_string(),
                schema_path: err.schema_path().to_string(),
            })
            .collect())
    }
}

/// `file:///abs/path` of a file (its canonical path when it has one).
fn file_uri(path: &std::path::Path) -> String {
    let absolute = std::fs::canonicalize(path)
        .ok()
        .or_else(|| std::env::current_dir().ok().map(|dir| dir.join(path)))
        .unwrap_or_else(|| path.to_path_buf());
    url::Url::from_file_path(&absolute)
        .map_or_else(|()| "file:///document".to_owned(), |u| u.to_string())
}

/// A JSON pointer written as a URI fragment.
fn encode_fragment(pointer: &str) -> String {
    const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'[')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    percent_encoding::utf8_percent_encode(pointer, FRAGMENT).to_string()
}

/// The draft named by `jsonSchemaDialect` (2020-12 when absent or unknown, as OAS 3.1 says).
fn dialect_draft(dialect: Option<&str>) -> Draft {
    match dialect {
        Some(d) if d.contains("draft-04") => Draft::Draft4,
        Some(d) if d.contains("draft-06") => Draft::Draft6,
        Some(d) if d.contains("draft-07") => Draft::Draft7,
        Some(d) if d.contains("2019-09") => Draft::Draft201909,
        _ => Draft::Draft202012,
    }
}

/// OAS 3.0's `nullable: true` means the value may also be `null`.
fn rewrite_nullable(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                match map.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = t.clone();
                        map.insert("type".to_owned(), json!([t, "null"]));
                    }
                    Some(Value::Array(types)) if !types.contains(&json!("null")) => {
                        types.push(json!("null"))
                    }
                    _ => {}
                }
                if let Some(Value::Array(values)) = map.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
            }
            map.values_mut().for_each(rewrite_nullable);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_nullable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type() {
        let mut schema = json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true, "enum": ["x"]}}});
        rewrite_nullable(&mut schema);
        assert_eq!(schema["properties"]["a"]["type"], json!(["string", "null"]));
        assert_eq!(schema["properties"]["a"]["enum"], json!(["x", null]));
    }

    #[test]
    fn fragments_are_percent_encoded() {
        assert_eq!(
            encode_fragment("/paths/~1a~1{id}/post"),
            "/paths/~1a~1%7Bid%7D/post"
        );
    }
}
