//! Loading an OpenAPI description and compiling its callbacks and links.

mod files;
mod limits;
mod source;
mod spans;
mod yaml;

use std::path::{Path, PathBuf};

use expr_eval::CompiledTemplate;
use expr_grammar::{Expression, ParseError, Template};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
pub(crate) use files::{Files, Place, RefError};
pub use limits::LoadLimits;
use source::SourceFile;
pub use source::{Format, Position};

/// The HTTP methods a Path Item may hold as fixed fields (3.2 adds `query`).
const METHODS: [&str; 9] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// Whether a Path Item key is an operation (a fixed method field).
pub(crate) fn is_method_key(key: &str) -> bool {
    METHODS.contains(&key)
}

/// Why a document could not be loaded at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not JSON or YAML.
    #[error("{}{}: error: {message}", path.display(), position.map(|p| format!(":{p}")).unwrap_or_default())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Where the syntax error is, when known.
        position: Option<Position>,
        /// What is wrong.
        message: String,
    },
}

/// A loaded OpenAPI 3.0, 3.1 or 3.2 description with its callbacks and links compiled.
///
/// Loading never fails on a mistake inside the document (a bad expression, a dangling
/// reference): those become [`Document::diagnostics`], and the affected callback or link
/// carries the error. It fails only when the file cannot be read or parsed.
///
/// ```
/// let doc = oas_callbacks::Document::load("../examples/progress-api.yaml")?;
/// let op = doc.operation("startJob").expect("declared");
/// assert_eq!(op.callbacks()[0].name(), "progress");
/// # Ok::<(), oas_callbacks::LoadError>(())
/// ```
#[derive(Debug)]
pub struct Document {
    pub(crate) files: Files,
    version: Option<String>,
    pub(crate) operations: Vec<Operation>,
    pub(crate) component_callbacks: Vec<Callback>,
    pub(crate) component_links: Vec<Link>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// An operation of the document: method, path, and what runtime expressions need of it.
#[derive(Debug)]
pub struct Operation {
    method: String,
    path: String,
    operation_id: Option<String>,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) request_schema: Option<Place>,
    pub(crate) responses: Vec<Response>,
    pub(crate) callbacks: Vec<Callback>,
    pub(crate) lookup: std::sync::OnceLock<ParameterLookup>,
}

/// The parameters of an operation: the path item's, except those the operation declares again
/// (same name and location), then the operation's own, the last declaration of each winning.
/// Linear: a document may declare many thousands.
fn merge_parameters(path_item: &[Parameter], own: Vec<Parameter>) -> Vec<Parameter> {
    let mut last = std::collections::HashMap::new();
    for (index, param) in own.iter().enumerate() {
        last.insert((param.name.as_str(), param.location.as_str()), index);
    }
    let mut merged: Vec<Parameter> = path_item
        .iter()
        .filter(|p| !last.contains_key(&(p.name.as_str(), p.location.as_str())))
        .cloned()
        .collect();
    let keep: Vec<bool> = own
        .iter()
        .enumerate()
        .map(|(index, p)| last.get(&(p.name.as_str(), p.location.as_str())) == Some(&index))
        .collect();
    merged.extend(
        own.into_iter()
            .zip(keep)
            .filter_map(|(param, keep)| keep.then_some(param)),
    );
    merged
}

/// What `check` looks expressions up in, per operation: built on first use.
#[derive(Debug, Default)]
pub(crate) struct ParameterLookup {
    /// Declared query parameter names.
    pub(crate) query: std::collections::HashSet<String>,
    /// Declared header parameter names, lower-case.
    pub(crate) headers: std::collections::HashSet<String>,
    /// The `{name}`s of the path template, in order.
    pub(crate) path: Vec<String>,
    /// The same, to look up.
    pub(crate) path_set: std::collections::HashSet<String>,
}

impl Operation {
    pub(crate) fn lookup(&self) -> &ParameterLookup {
        self.lookup.get_or_init(|| {
            let mut lookup = ParameterLookup::default();
            for param in &self.parameters {
                match param.location.as_str() {
                    "query" => {
                        lookup.query.insert(param.name.clone());
                    }
                    "header" => {
                        lookup.headers.insert(param.name.to_ascii_lowercase());
                    }
                    _ => {}
                }
            }
            lookup.path = crate::check::path_template_parameters(&self.path);
            lookup.path_set = lookup.path.iter().cloned().collect();
            lookup
        })
    }
}

/// A declared parameter: name and location (`in`).
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub(crate) name: String,
    pub(crate) location: String,
}

/// A response of an operation: its status key, JSON schema and links.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: String,
    pub(crate) schema: Option<Place>,
    pub(crate) links: Vec<Link>,
}

/// One key of a Callback Object, with the operations of its Path Item.
#[derive(Debug)]
pub struct Callback {
    name: String,
    key: String,
    pub(crate) url: Result<CallbackUrl, ParseError>,
    /// The Path Item under the key (its key is the callback key).
    pub(crate) place: Place,
    pub(crate) operations: Vec<CallbackOperation>,
}

/// The compiled key of a callback.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CallbackUrl {
    /// A bare expression key such as `$request.body#/url`.
    Expression(Expression),
    /// A key with embedded `{expressions}`, ready to render.
    Template(CompiledTemplate),
    /// A key with no expression: the URL itself.
    Constant(String),
}

/// An operation of a callback's Path Item: the request the provider sends.
#[derive(Debug)]
pub struct CallbackOperation {
    method: String,
    operation_id: Option<String>,
    pub(crate) request_schema: Option<Place>,
}

/// A Link Object.
#[derive(Debug)]
pub struct Link {
    name: String,
    pub(crate) target: LinkTarget,
    pub(crate) parameters: Vec<(String, LinkValue)>,
    pub(crate) request_body: Option<LinkValue>,
    pub(crate) place: Place,
}

/// The operation a link leads to. Serializes as `{"operationId": …}`, `{"operationRef": …}` or
/// `{"invalid": true}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkTarget {
    /// `operationId`.
    OperationId(String),
    /// `operationRef`.
    OperationRef(String),
    /// Neither (or both, or not a string): the link is invalid.
    Invalid,
}

impl serde::Serialize for LinkTarget {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            LinkTarget::OperationId(id) => map.serialize_entry("operationId", id)?,
            LinkTarget::OperationRef(reference) => {
                map.serialize_entry("operationRef", reference)?
            }
            LinkTarget::Invalid => map.serialize_entry("invalid", &true)?,
        }
        map.end()
    }
}

/// A link parameter value or request body, compiled.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum LinkValue {
    /// A runtime expression (a string starting with `$`).
    Expression(Expression),
    /// A string with embedded `{$…}` expressions, ready to render.
    Template(CompiledTemplate),
    /// A constant, passed as it is.
    Constant(Value),
    /// An object some of whose members are expressions.
    Object(Vec<(String, LinkValue)>),
    /// An array some of whose items are expressions.
    Array(Vec<LinkValue>),
    /// A string that looks like an expression but does not parse.
    Invalid(String, ParseError),
}

impl Document {
    /// Loads the description at `path` with the default [`LoadLimits`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        Self::load_with(path, LoadLimits::default())
    }

    /// Loads the description at `path` with the given limits.
    pub fn load_with(path: impl AsRef<Path>, limits: LoadLimits) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let bytes = limits::read_limited(path, limits.max_file_bytes, false).map_err(|err| {
            let source = match err {
                limits::ReadError::Io(source) => source,
                other => std::io::Error::new(std::io::ErrorKind::FileTooLarge, other.to_string()),
            };
            LoadError::Io {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Self::from_bytes(path, bytes, limits)
    }

    /// Loads a description from memory; `path` names it in diagnostics, tells JSON from YAML
    /// by its extension, and is the base of relative references.
    pub fn from_bytes(
        path: impl AsRef<Path>,
        bytes: Vec<u8>,
        limits: LoadLimits,
    ) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let file = SourceFile::parse(path, bytes, &limits).map_err(|err| LoadError::Syntax {
            path: path.to_path_buf(),
            position: err.position,
            message: err.message,
        })?;
        let mut files = Files::new(limits);
        let root = files.add(file);
        files.load_referenced();
        let mut builder = Builder {
            files: &files,
            diagnostics: Vec::new(),
        };
        let version = builder.check_root(root);
        let operations = builder.operations(root);
        let component_callbacks = builder.component_callbacks(root);
        let component_links = builder.component_links(root);
        let mut seen = std::collections::HashSet::new();
        builder
            .diagnostics
            .retain(|d| seen.insert((d.file.clone(), d.line, d.column, d.message.clone())));
        // One unreadable file referenced from many places: say so once.
        let mut unreadable = std::collections::HashSet::new();
        builder.diagnostics.retain(|d| {
            d.severity == Severity::Error
                || !d.message.starts_with("cannot read referenced file")
                || unreadable.insert(d.message.split(": ").next().unwrap_or_default().to_owned())
        });
        let diagnostics = builder.diagnostics;
        Ok(Document {
            files,
            version,
            operations,
            component_callbacks,
            component_links,
            diagnostics,
        })
    }

    /// The `openapi` version string, when the document has one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether the description uses the OpenAPI 3.0 schema dialect.
    pub fn is_oas30(&self) -> bool {
        self.version
            .as_deref()
            .is_some_and(|v| v.starts_with("3.0"))
    }

    /// The path of the root file.
    pub fn path(&self) -> &Path {
        &self.files.file(0).path
    }

    /// Every operation under `paths`, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId`, or matching `"METHOD /path/template"`.
    pub fn operation(&self, selector: &str) -> Option<&Operation> {
        if let Some(op) = self
            .operations
            .iter()
            .find(|op| op.operation_id.as_deref() == Some(selector))
        {
            return Some(op);
        }
        let (method, path) = selector.trim().split_once(char::is_whitespace)?;
        self.operations
            .iter()
            .find(|op| op.method.eq_ignore_ascii_case(method) && op.path == path.trim())
    }

    /// Problems found while loading: references that cannot be followed, a missing `openapi`
    /// field. Expressions that do not parse are kept on their callback or link (see
    /// [`Callback::url`]) and reported by [`Document::check`].
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Callback Objects under `components/callbacks`.
    pub fn component_callbacks(&self) -> &[Callback] {
        &self.component_callbacks
    }

    /// Link Objects under `components/links`.
    pub fn component_links(&self) -> &[Link] {
        &self.component_links
    }

    pub(crate) fn value(&self, place: &Place) -> Option<&Value> {
        self.files.get(place)
    }

    /// A diagnostic at `place` (its key when `key` is set), `within` bytes into that string.
    pub(crate) fn diagnostic_at(
        &self,
        severity: Severity,
        code: DiagnosticCode,
        place: &Place,
        key: bool,
        within: Option<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        diagnostic_at(&self.files, severity, code, place, key, within, message)
    }
}

fn diagnostic_at(
    files: &Files,
    severity: Severity,
    code: DiagnosticCode,
    place: &Place,
    key: bool,
    within: Option<usize>,
    message: impl Into<String>,
) -> Diagnostic {
    let file = files.file(place.file);
    let position = files.position(place, key).map(|start| match within {
        Some(within) => file.position_within(start, within),
        None => start,
    });
    let diagnostic = Diagnostic::new(severity, code, file.path.clone(), position, message);
    match position {
        Some(position) => {
            let (line, within) = file.line_at(position);
            diagnostic.with_source_window(line, within)
        }
        None => diagnostic,
    }
}

impl Operation {
    /// The HTTP method, upper-case (`POST`).
    pub fn method(&self) -> &str {
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
}

impl Callback {
    /// The callback's name (its key in the operation's `callbacks` map).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key as written: the expression or template that gives the URL.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The compiled key, or why it does not parse.
    pub fn url(&self) -> Result<&CallbackUrl, &ParseError> {
        self.url.as_ref()
    }

    /// The operations of the callback's Path Item.
    pub fn operations(&self) -> &[CallbackOperation] {
        &self.operations
    }
}

impl CallbackOperation {
    /// The HTTP method, upper-case.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The `operationId`, if any.
    pub fn operation_id(&self) -> Option<&str> {
        self.operation_id.as_deref()
    }
}

impl Link {
    /// The link's name (its key in the `links` map).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The operation the link leads to.
    pub fn target(&self) -> &LinkTarget {
        &self.target
    }

    /// The compiled parameters, in document order.
    pub fn parameters(&self) -> &[(String, LinkValue)] {
        &self.parameters
    }

    /// The compiled request body, if any.
    pub fn request_body(&self) -> Option<&LinkValue> {
        self.request_body.as_ref()
    }
}

/// Compiles a callback key (DESIGN §2): a key starting with `$` is one bare expression; any
/// other key is a template, and a template without expressions is a constant URL.
pub(crate) fn compile_callback_key(key: &str) -> Result<CallbackUrl, ParseError> {
    if key.starts_with('$') {
        return Expression::parse(key).map(CallbackUrl::Expression);
    }
    let template = Template::parse(key)?;
    Ok(if template.is_literal() {
        CallbackUrl::Constant(key.to_owned())
    } else {
        CallbackUrl::Template(CompiledTemplate::new(template))
    })
}

/// Compiles a link parameter value or request body: a string starting with `$` is an
/// expression; a string holding `{$` is a template; objects and arrays are compiled member by
/// member; anything else is a constant.
pub(crate) fn compile_link_value(value: &Value) -> LinkValue {
    match value {
        Value::String(text) if text.starts_with('$') => match Expression::parse(text) {
            Ok(expr) => LinkValue::Expression(expr),
            Err(err) => LinkValue::Invalid(text.clone(), err),
        },
        Value::String(text) if text.contains("{$") => match Template::parse(text) {
            Ok(template) => LinkValue::Template(CompiledTemplate::new(template)),
            Err(err) => LinkValue::Invalid(text.clone(), err),
        },
        Value::Object(members) if contains_expression(value) => LinkValue::Object(
            members
                .iter()
                .map(|(name, member)| (name.clone(), compile_link_value(member)))
                .collect(),
        ),
        Value::Array(items) if contains_expression(value) => {
            LinkValue::Array(items.iter().map(compile_link_value).collect())
        }
        other => LinkValue::Constant(other.clone()),
    }
}

fn contains_expression(value: &Value) -> bool {
    match value {
        Value::String(text) => text.starts_with('$') || text.contains("{$"),
        Value::Object(members) => members.values().any(contains_expression),
        Value::Array(items) => items.iter().any(contains_expression),
        _ => false,
    }
}

/// A value of the description and where it is. The place is computed only when asked for
/// (stored in the model, or named in a diagnostic): most of the walk never needs it.
struct Node<'n, 'f> {
    value: &'f Value,
    at: At<'n, 'f>,
}

/// Where a [`Node`] is: a known place, or a member of its parent.
enum At<'n, 'f> {
    Place(Place),
    Member(&'n Node<'n, 'f>, &'f str),
}

impl<'n, 'f> Node<'n, 'f> {
    fn child<'c>(&'c self, key: &'f str) -> Option<Node<'c, 'f>> {
        let value = match self.value {
            Value::Object(map) => map.get(key)?,
            _ => return None,
        };
        Some(Node {
            value,
            at: At::Member(self, key),
        })
    }

    fn place(&self) -> Place {
        match &self.at {
            At::Place(place) => place.clone(),
            At::Member(parent, key) => parent.place().child(key),
        }
    }

    fn entries(&self) -> impl Iterator<Item = (&'f String, &'f Value)> + use<'f, 'n> {
        let map = match self.value {
            Value::Object(map) => Some(map),
            _ => None,
        };
        map.into_iter().flatten()
    }

    fn str(&self, key: &str) -> Option<&'f str> {
        self.value.get(key).and_then(Value::as_str)
    }
}

/// Walks the document once, building the model and collecting load diagnostics. Every file the
/// description refers to is loaded before the walk, so the walk only reads.
struct Builder<'f> {
    files: &'f Files,
    diagnostics: Vec<Diagnostic>,
}

impl<'f> Builder<'f> {
    fn error(
        &mut self,
        code: DiagnosticCode,
        place: &Place,
        key: bool,
        message: impl Into<String>,
    ) {
        let diagnostic =
            diagnostic_at(self.files, Severity::Error, code, place, key, None, message);
        self.diagnostics.push(diagnostic);
    }

    fn ref_error(&mut self, place: &Place, err: &RefError) {
        let code = err.code();
        self.error(code, place, false, err.to_string());
    }

    fn node<'n>(&self, place: Place) -> Option<Node<'n, 'f>> {
        let value = self.files.get(&place)?;
        Some(Node {
            value,
            at: At::Place(place),
        })
    }

    /// Follows references at `node`, reporting a failure there: an error, since callbacks,
    /// path items and links carry the expressions.
    fn follow<'n>(&mut self, node: Node<'n, 'f>) -> Option<Node<'n, 'f>> {
        self.follow_as(node, None)
    }

    /// Follows references to a parameter, request body or response (`what`): when one cannot
    /// be followed, only the checks that need it are skipped, so it is a warning.
    fn follow_supporting<'n>(&mut self, node: Node<'n, 'f>, what: &str) -> Option<Node<'n, 'f>> {
        self.follow_as(node, Some(what))
    }

    fn follow_as<'n>(
        &mut self,
        node: Node<'n, 'f>,
        supporting: Option<&str>,
    ) -> Option<Node<'n, 'f>> {
        if node.value.get("$ref").is_none() {
            return Some(node);
        }
        let place = node.place();
        let err = match self.files.follow(&place) {
            Ok(target) => return self.node(target),
            Err(err) => err,
        };
        match supporting {
            None => self.ref_error(&place, &err),
            Some(what) => {
                let diagnostic = diagnostic_at(
                    self.files,
                    Severity::Warning,
                    DiagnosticCode::SkippedReference,
                    &place,
                    false,
                    None,
                    format!("{err}: the checks that need this {what} are skipped"),
                );
                self.diagnostics.push(diagnostic);
            }
        }
        None
    }

    fn root<'n>(&self, root: usize) -> Node<'n, 'f> {
        let place = Place {
            file: root,
            pointer: jsonptr::PointerBuf::new(),
        };
        let value = self.files.get(&place).unwrap_or(&Value::Null);
        Node {
            value,
            at: At::Place(place),
        }
    }

    fn check_root(&mut self, root: usize) -> Option<String> {
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

    fn operations(&mut self, root: usize) -> Vec<Operation> {
        let root = self.root(root);
        let Some(paths) = root.child("paths") else {
            return Vec::new();
        };
        let mut operations = Vec::new();
        for (path, _) in paths.entries() {
            if path.starts_with("x-") {
                continue;
            }
            let Some(item) = paths.child(path).and_then(|node| self.follow(node)) else {
                continue;
            };
            let path_parameters = self.parameters(item.child("parameters"));
            for (method, op) in item_operations(&item) {
                let own = self.parameters(op.child("parameters"));
                let parameters = merge_parameters(&path_parameters, own);
                let operation = self.operation(path, method, &op, parameters);
                operations.push(operation);
            }
        }
        operations
    }

    fn parameters(&mut self, list: Option<Node<'_, 'f>>) -> Vec<Parameter> {
        let Some(list) = list else {
            return Vec::new();
        };
        let count = list.value.as_array().map_or(0, Vec::len);
        let mut parameters = Vec::new();
        for index in 0..count {
            let Some(item) = list.value.get(index) else {
                continue;
            };
            let node = Node {
                value: item,
                at: At::Place(list.place().child(&index.to_string())),
            };
            let Some(param) = self.follow_supporting(node, "parameter") else {
                continue;
            };
            if let (Some(name), Some(location)) = (param.str("name"), param.str("in")) {
                parameters.push(Parameter {
                    name: name.to_owned(),
                    location: location.to_owned(),
                });
            }
        }
        parameters
    }

    fn operation(
        &mut self,
        path: &str,
        method: String,
        op: &Node<'_, 'f>,
        parameters: Vec<Parameter>,
    ) -> Operation {
        let operation_id = op.str("operationId").map(str::to_owned);
        let request_schema = self.request_schema(op);
        let responses = self.responses(op.child("responses"));
        let callbacks = self.callbacks_map(op.child("callbacks"));
        Operation {
            method,
            path: path.to_owned(),
            operation_id,
            parameters,
            request_schema,
            responses,
            callbacks,
            lookup: std::sync::OnceLock::new(),
        }
    }

    fn request_schema(&mut self, operation: &Node<'_, 'f>) -> Option<Place> {
        let body = operation.child("requestBody")?;
        let body = self.follow_supporting(body, "request body")?;
        self.media_schema(body.child("content"))
    }

    /// The schema of the JSON media type of a `content` map (`application/json`, then any
    /// `+json` or `*/*`, then the first one).
    fn media_schema(&mut self, content: Option<Node<'_, 'f>>) -> Option<Place> {
        let content = content?;
        let types: Vec<&String> = content.entries().map(|(name, _)| name).collect();
        let essence = |t: &&String| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        };
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
            let diagnostic = diagnostic_at(
                self.files,
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

    fn responses(&mut self, responses: Option<Node<'_, 'f>>) -> Vec<Response> {
        let Some(responses) = responses else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (status, _) in responses.entries() {
            if status.starts_with("x-") {
                continue;
            }
            let Some(response) = responses
                .child(status)
                .and_then(|node| self.follow_supporting(node, "response (and its links)"))
            else {
                continue;
            };
            let schema = self.media_schema(response.child("content"));
            let links = self.links_map(response.child("links"));
            out.push(Response {
                status: status.clone(),
                schema,
                links,
            });
        }
        out
    }

    fn callbacks_map(&mut self, map: Option<Node<'_, 'f>>) -> Vec<Callback> {
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
    fn callback_object(&mut self, name: &str, object: &Node<'_, 'f>) -> Vec<Callback> {
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
            let operations = match item {
                Some(item) => item_operations(&item)
                    .into_iter()
                    .map(|(method, op)| CallbackOperation {
                        method,
                        operation_id: op.str("operationId").map(str::to_owned),
                        request_schema: self.request_schema(&op),
                    })
                    .collect(),
                None => Vec::new(),
            };
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

    fn links_map(&mut self, map: Option<Node<'_, 'f>>) -> Vec<Link> {
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

    fn link(&mut self, name: &str, node: &Node<'_, 'f>) -> Link {
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

    /// The members of `components/<kind>` that are not references (a component that is itself
    /// a reference is checked at its target, and reported here if it cannot be followed).
    fn component_map<'n>(
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

    fn component_callbacks(&mut self, root: usize) -> Vec<Callback> {
        let root = self.root(root);
        let mut callbacks = Vec::new();
        for (name, node) in self.component_map(&root, "callbacks") {
            callbacks.extend(self.callback_object(name, &node));
        }
        callbacks
    }

    fn component_links(&mut self, root: usize) -> Vec<Link> {
        let root = self.root(root);
        let mut links = Vec::new();
        for (name, node) in self.component_map(&root, "links") {
            links.push(self.link(name, &node));
        }
        links
    }
}

/// The operations of a Path Item: the fixed method fields, then 3.2's `additionalOperations`.
fn item_operations<'n, 'f>(item: &'n Node<'n, 'f>) -> Vec<(String, Node<'n, 'f>)> {
    let mut found = Vec::new();
    for (key, value) in item.entries() {
        if METHODS.contains(&key.as_str()) {
            found.push((
                key.to_ascii_uppercase(),
                Node {
                    value,
                    at: At::Member(item, key),
                },
            ));
        }
    }
    if let Some(Value::Object(extra)) = item.value.get("additionalOperations") {
        let base = item.place().child("additionalOperations");
        for (method, value) in extra {
            found.push((
                method.clone(),
                Node {
                    value,
                    at: At::Place(base.child(method)),
                },
            ));
        }
    }
    found
}
