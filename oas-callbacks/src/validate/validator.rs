//! Compiling a callback operation's request-body schema into a validator, once, and keeping it.
//!
//! The validator is built with every file of the document registered under its file URI (so
//! that `$ref`s between them resolve without reading anything again, and nothing is ever
//! fetched): under its canonical path, and under each path by which a reference reached it
//! (a file reached through a symbolic link is named by the link, and the references inside it
//! resolve from there, as they do while loading). Files are registered by reference, without a
//! copy, except in OAS 3.0 documents, whose `nullable` is rewritten in one copy per document.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};

use super::ValidateError;
use super::dialect::{dialect_draft, rewrite_nullable};
use crate::files::{FileTable, Place};
use crate::model::{CallbackOperation, Document};

impl Document {
    /// The validator of a callback operation's request-body schema: compiled on first use, then
    /// kept, so that the hundredth payload costs only its own validation.
    pub(super) fn validator(
        &self,
        op: &CallbackOperation,
        name: &str,
    ) -> Result<Arc<Validator>, ValidateError> {
        let Some(schema) = &op.request_schema else {
            return Err(ValidateError::NoSchema {
                name: name.to_owned(),
                method: op.method().to_string(),
            });
        };
        op.validator
            .get_or_init(|| self.compile(schema).map(Arc::new))
            .clone()
            .map_err(|message| ValidateError::BadSchema {
                name: name.to_owned(),
                message,
            })
    }

    fn draft(&self) -> Draft {
        if self.is_oas30() {
            Draft::Draft4
        } else {
            dialect_draft(
                self.files
                    .source(0)
                    .value
                    .get("jsonSchemaDialect")
                    .and_then(Value::as_str),
            )
        }
    }

    fn compile(&self, schema: &Place) -> Result<Validator, String> {
        // Every reference the schema reaches was followed when the document was loaded; one
        // that could not be makes the schema unusable.
        self.files
            .check_references(schema)
            .map_err(|err| err.to_string())?;
        let draft = self.draft();
        let rewritten = self.is_oas30().then(|| {
            self.schema_resources.get_or_init(|| {
                self.files
                    .iter()
                    .map(|file| {
                        let mut value = file.source.value.clone();
                        rewrite_nullable(&mut value);
                        Arc::new(value)
                    })
                    .collect()
            })
        });
        let mut resources: Vec<(String, &Value)> = Vec::new();
        for (id, file) in self.files.iter().enumerate() {
            let value: &Value = match rewritten {
                Some(values) => &values[id],
                None => &file.source.value,
            };
            let canonical = canonical_uri(&file.path);
            for path in self.files.paths_of(id) {
                let uri = reached_uri(path);
                if uri != canonical {
                    resources.push((uri, value));
                }
            }
            resources.push((canonical, value));
        }
        let schema_uri = format!(
            "{}#{}",
            canonical_uri(&self.files.doc_file(schema.file).path),
            encode_fragment(schema.pointer.as_str())
        );
        let registry = Registry::new()
            .draft(draft)
            .retriever(Unreached)
            .extend(resources)
            .and_then(|builder| builder.prepare())
            .map_err(|err| err.to_string())?;
        jsonschema::options()
            .with_draft(draft)
            .with_registry(&registry)
            .build(&json!({ "$ref": schema_uri }))
            .map_err(|err| err.to_string())
    }
}

/// What the registry asks for beyond the document's files. A `file:` URI there is a file the
/// document did not load: a reference that the schema being compiled does not reach (all of
/// those were followed first), which stands for the schema that admits everything. Nothing
/// else is fetched (a `$schema` that is not a known draft is not retrieved, and is ignored).
struct Unreached;

impl jsonschema::Retrieve for Unreached {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.scheme().as_str() == "file" {
            Ok(Value::Bool(true))
        } else {
            Err(format!("{uri} is not fetched (no network access)").into())
        }
    }
}

/// `file:///abs/path` of a file, by its canonical path when it has one.
fn canonical_uri(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path)
        .ok()
        .unwrap_or_else(|| lexical_absolute(path));
    file_uri(&absolute)
}

/// `file:///abs/path` of the path a reference reached a file by (symbolic links kept, `..`
/// resolved by name, as URI references resolve).
fn reached_uri(path: &Path) -> String {
    file_uri(&lexical_absolute(path))
}

/// What a path segment of an RFC 3986 URI cannot hold as it is: anything but the unreserved
/// characters, the sub-delimiters, `:` and `@`. (The url crate leaves `[`, `]`, `%`, `|`, `^`
/// and `\\` as they are, and the schema registry refuses such a URI: a document in a folder
/// named `v[1]` could not be validated.)
#[cfg(unix)]
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// The `file:` URI of an absolute path, each segment percent-encoded byte by byte.
#[cfg(unix)]
fn file_uri(absolute: &Path) -> String {
    use std::os::unix::ffi::OsStrExt as _;
    let mut uri = String::from("file://");
    for component in absolute.components() {
        if let Component::Normal(name) = component {
            uri.push('/');
            uri.extend(percent_encoding::percent_encode(name.as_bytes(), SEGMENT));
        }
    }
    if uri.len() == "file://".len() {
        uri.push('/');
    }
    uri
}

#[cfg(not(unix))]
fn file_uri(absolute: &Path) -> String {
    url::Url::from_file_path(absolute).map_or_else(
        |()| "file:///document".to_owned(),
        |u| u.to_string().replace('[', "%5B").replace(']', "%5D"),
    )
}

/// The absolute form of `path` with `.` and `..` resolved by name.
fn lexical_absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_are_percent_encoded() {
        assert_eq!(
            encode_fragment("/paths/~1a~1{id}/post"),
            "/paths/~1a~1%7Bid%7D/post"
        );
    }

    #[test]
    fn reached_paths_resolve_dot_segments_by_name() {
        let uri = reached_uri(Path::new("/a/b/../c/./d.yaml"));
        assert_eq!(uri, "file:///a/c/d.yaml");
    }

    #[cfg(unix)]
    #[test]
    fn file_uris_encode_what_a_uri_path_cannot_hold() {
        let uri = file_uri(Path::new("/a/sp ace[1]/100%|^\\é/x@y:z;(1).yaml"));
        assert_eq!(
            uri,
            "file:///a/sp%20ace%5B1%5D/100%25%7C%5E%5C%C3%A9/x@y:z;(1).yaml"
        );
        assert!(jsonschema::Uri::parse(uri.as_str()).is_ok(), "{uri}");
        assert_eq!(file_uri(Path::new("/")), "file:///");
    }
}
