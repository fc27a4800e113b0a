//! Validating a callback payload against the request-body schema of the callback operation.
//!
//! The schema is validated with the `jsonschema` crate, with the whole description (and every
//! file it references) available for `$ref`s. The dialect follows the OpenAPI version: JSON
//! Schema 2020-12 for 3.1 and 3.2 (or the document's `jsonSchemaDialect`; a schema's own
//! `$schema` wins), and for 3.0 its own dialect, which extends draft 4: validated as draft 4
//! (boolean `exclusiveMinimum`/`exclusiveMaximum`) after `nullable: true` is rewritten as a
//! `null` type.

mod dialect;
mod validator;

use serde::Serialize;
use serde_json::Value;

use crate::model::{CallbackOperation, Document, Operation};

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
        let chosen = self.callback_operation(operation, name, method)?;
        let validator = self.validator(chosen, name)?;
        Ok(validator
            .iter_errors(payload)
            .map(|err| Violation {
                pointer: err.instance_path().to_string(),
                message: err.to_string(),
                schema_path: err.schema_path().to_string(),
            })
            .collect())
    }

    /// The callback operation a payload is validated for.
    fn callback_operation<'o>(
        &self,
        operation: &'o Operation,
        name: &str,
        method: Option<&str>,
    ) -> Result<&'o CallbackOperation, ValidateError> {
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
                .find(|o| o.method().as_str().eq_ignore_ascii_case(method))
                .ok_or_else(|| ValidateError::Method {
                    name: name.to_owned(),
                    problem: format!(
                        "has no {method} operation (it has: {})",
                        operations
                            .iter()
                            .map(|o| o.method().as_str())
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
                    .find(|o| o.method() == http::Method::POST)
                    .ok_or_else(|| ValidateError::Method {
                        name: name.to_owned(),
                        problem: format!(
                            "has several operations ({}): choose one with --method",
                            several
                                .iter()
                                .map(|o| o.method().as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })?,
            },
        };
        Ok(chosen)
    }
}
