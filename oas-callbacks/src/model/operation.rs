//! [`Operation`]: an operation under `paths`, with its parameters, bodies, responses and
//! callbacks.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::{Callback, Link};
use crate::files::Place;

/// An operation of the document: method, path, and what runtime expressions need of it.
#[derive(Debug)]
pub struct Operation {
    pub(crate) method: http::Method,
    pub(crate) path: String,
    pub(crate) operation_id: Option<String>,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) request_body: Option<RequestBody>,
    pub(crate) responses: Vec<Response>,
    pub(crate) callbacks: Vec<Callback>,
    pub(crate) lookup: OnceLock<ParameterLookup>,
    /// [`LoadLimits::max_rendered_len`](crate::LoadLimits::max_rendered_len) of the load: what
    /// resolving renders for one exchange.
    pub(crate) max_rendered_len: usize,
}

/// Where a parameter is sent: the Parameter Object's `in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParameterLocation {
    /// `in: query`.
    Query,
    /// `in: header`.
    Header,
    /// `in: path`.
    Path,
    /// `in: cookie`.
    Cookie,
    /// `in: querystring` (OpenAPI 3.2: the whole query string as one parameter).
    QueryString,
}

impl ParameterLocation {
    /// The location of an `in` value, if it is one OpenAPI defines.
    pub fn from_in(value: &str) -> Option<Self> {
        Some(match value {
            "query" => ParameterLocation::Query,
            "header" => ParameterLocation::Header,
            "path" => ParameterLocation::Path,
            "cookie" => ParameterLocation::Cookie,
            "querystring" => ParameterLocation::QueryString,
            _ => return None,
        })
    }

    /// The `in` value, as written in a document.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Path => "path",
            ParameterLocation::Cookie => "cookie",
            ParameterLocation::QueryString => "querystring",
        }
    }
}

impl std::fmt::Display for ParameterLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A declared parameter of an operation (its own, or its Path Item's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub(crate) name: String,
    pub(crate) location: ParameterLocation,
}

impl Parameter {
    /// The parameter's `name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parameter's `in`.
    pub fn location(&self) -> ParameterLocation {
        self.location
    }
}

/// The request body of an operation: the schema a `$request.body#/…` pointer is read against.
#[derive(Debug, Clone)]
pub(crate) struct RequestBody {
    /// The schema of the JSON media type (or of the JSON part of a multipart body).
    pub(crate) schema: Option<Place>,
    /// Whether every media type is multipart or a form, with no JSON part: a pointer does not
    /// point into JSON.
    pub(crate) non_json: bool,
}

/// A response of an operation: its status key, JSON schema and links.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: String,
    pub(crate) schema: Option<Place>,
    pub(crate) links: Vec<Link>,
}

/// What `check` looks expressions up in, per operation: built on first use.
#[derive(Debug, Default)]
pub(crate) struct ParameterLookup {
    /// Declared query parameter names.
    pub(crate) query: HashSet<String>,
    /// Declared header parameter names, lower-case.
    pub(crate) headers: HashSet<String>,
    /// The `{name}`s of the path template, in order.
    pub(crate) path: Vec<String>,
    /// The same, to look up.
    pub(crate) path_set: HashSet<String>,
}

/// The parameters of an operation: the path item's, except those the operation declares again
/// (same name and location), then the operation's own, the last declaration of each winning.
/// Linear: a document may declare many thousands.
pub(crate) fn merge_parameters(path_item: &[Parameter], own: Vec<Parameter>) -> Vec<Parameter> {
    let mut last = HashMap::new();
    for (index, param) in own.iter().enumerate() {
        last.insert((param.name.as_str(), param.location), index);
    }
    let mut merged: Vec<Parameter> = path_item
        .iter()
        .filter(|p| !last.contains_key(&(p.name.as_str(), p.location)))
        .cloned()
        .collect();
    let keep: Vec<bool> = own
        .iter()
        .enumerate()
        .map(|(index, p)| last.get(&(p.name.as_str(), p.location)) == Some(&index))
        .collect();
    merged.extend(
        own.into_iter()
            .zip(keep)
            .filter_map(|(param, keep)| keep.then_some(param)),
    );
    merged
}

/// The `{name}` parameters of a path template.
pub(crate) fn path_template_parameters(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    names
}

impl Operation {
    /// The HTTP method (`POST`).
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The path template (`/subscribe/{eventType}`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The `operationId`, if any.
    pub fn operation_id(&self) -> Option<&str> {
        self.operation_id.as_deref()
    }

    /// The declared parameters: the Path Item's, then the operation's own (an operation's
    /// declaration replaces the Path Item's of the same name and location).
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The callbacks, one per key of each Callback Object, in document order.
    pub fn callbacks(&self) -> &[Callback] {
        &self.callbacks
    }

    /// The links of the response with this status (`"201"`), falling back to the `2XX`-style
    /// range and then to `default`, as OpenAPI matches responses.
    pub fn links_for_status(&self, status: u16) -> &[Link] {
        self.response_for_status(status)
            .map_or(&[], |response| response.links.as_slice())
    }

    pub(crate) fn response_for_status(&self, status: u16) -> Option<&Response> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        self.responses
            .iter()
            .find(|r| r.status == exact)
            .or_else(|| {
                self.responses
                    .iter()
                    .find(|r| r.status.eq_ignore_ascii_case(&range))
            })
            .or_else(|| self.responses.iter().find(|r| r.status == "default"))
    }

    /// `operationId`, or `METHOD /path` when it has none.
    pub fn display_name(&self) -> String {
        match &self.operation_id {
            Some(id) => id.clone(),
            None => format!("{} {}", self.method, self.path),
        }
    }

    pub(crate) fn lookup(&self) -> &ParameterLookup {
        self.lookup.get_or_init(|| {
            let mut lookup = ParameterLookup::default();
            for param in &self.parameters {
                match param.location {
                    ParameterLocation::Query => {
                        lookup.query.insert(param.name.clone());
                    }
                    ParameterLocation::Header => {
                        lookup.headers.insert(param.name.to_ascii_lowercase());
                    }
                    _ => {}
                }
            }
            lookup.path = path_template_parameters(&self.path);
            lookup.path_set = lookup.path.iter().cloned().collect();
            lookup
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_path_template_parameters() {
        assert_eq!(path_template_parameters("/a/{x}/b/{y}"), ["x", "y"]);
    }

    #[test]
    fn operation_parameters_replace_the_path_items() {
        let param = |name: &str, location| Parameter {
            name: name.to_owned(),
            location,
        };
        let merged = merge_parameters(
            &[
                param("a", ParameterLocation::Query),
                param("b", ParameterLocation::Header),
            ],
            vec![
                param("a", ParameterLocation::Query),
                param("a", ParameterLocation::Header),
            ],
        );
        assert_eq!(
            merged,
            [
                param("b", ParameterLocation::Header),
                param("a", ParameterLocation::Query),
                param("a", ParameterLocation::Header)
            ]
        );
    }
}
