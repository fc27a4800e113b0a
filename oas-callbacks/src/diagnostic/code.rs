//! The stable identifiers of the rules behind every [`Diagnostic`](crate::Diagnostic).

use std::fmt;
use std::str::FromStr;

/// Declares the codes, their ids and texts in one place, so that `ALL`, `as_str`, `summary`
/// and `help` cannot miss a variant.
macro_rules! codes {
    ($(#[$enum_doc:meta])* enum; $($(#[$doc:meta])* $variant:ident = $id:literal, $summary:literal, $help:literal;)*) => {
        $(#[$enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum DiagnosticCode {
            $($(#[$doc])* $variant,)*
        }

        impl DiagnosticCode {
            /// Every code, in the order of this enum.
            pub const ALL: &'static [DiagnosticCode] = &[$(DiagnosticCode::$variant),*];

            /// Id, summary and help.
            const fn texts(self) -> (&'static str, &'static str, &'static str) {
                match self {
                    $(DiagnosticCode::$variant => ($id, $summary, $help),)*
                }
            }
        }
    };
}

codes! {
    /// What a [`Diagnostic`](crate::Diagnostic) is about: one rule of the loader or of `check`.
    ///
    /// Each code has a stable kebab-case id ([`DiagnosticCode::as_str`], the `code` of
    /// `check --format json`), a one-line [`summary`](DiagnosticCode::summary) and a
    /// [`help`](DiagnosticCode::help) text saying how to fix what it reports. Ids never change
    /// meaning once published; new rules get new codes (the enum is `#[non_exhaustive]`).
    ///
    /// The example under each variant is a fragment of a document that triggers it.
    ///
    /// ```
    /// use oas_callbacks::DiagnosticCode;
    ///
    /// let code: DiagnosticCode = "unknown-path-parameter".parse().expect("a known code");
    /// assert_eq!(code, DiagnosticCode::UnknownPathParameter);
    /// assert_eq!(code.to_string(), "unknown-path-parameter");
    /// assert!(DiagnosticCode::ALL.iter().all(|c| c.as_str().parse() == Ok(*c)));
    /// ```
    enum;
    /// `document-syntax`: the file is not JSON or YAML (`{"openapi": "3.1.0",` and nothing
    /// more).
    DocumentSyntax = "document-syntax",
        "The file is not valid JSON or YAML.",
        "Fix the syntax error at the position shown; a JSON document must be one value, a YAML document one mapping.";
    /// `unreadable-document`: the file cannot be read at all (it does not exist, or is larger
    /// than the file size limit).
    UnreadableDocument = "unreadable-document",
        "The document cannot be read.",
        "Check the path and its permissions, and that the file is within the size limit (OAS_CALLBACKS_MAX_FILE_BYTES, LoadLimits::max_file_bytes).";
    /// `not-openapi`: the file is not an OpenAPI 3.x document: not an object, no `openapi`
    /// field, or `swagger: "2.0"`.
    NotOpenapi = "not-openapi",
        "The file is not an OpenAPI 3.x document.",
        "An OpenAPI document is an object with an `openapi: 3.x.y` field; convert Swagger 2.0 documents to OpenAPI 3 first.";
    /// `unsupported-openapi-version`: `openapi: 4.0.0` (3.0.x, 3.1.x and 3.2.x are read).
    UnsupportedOpenapiVersion = "unsupported-openapi-version",
        "The `openapi` version is not 3.0.x, 3.1.x or 3.2.x.",
        "Set `openapi` to the OpenAPI 3 version the document follows, such as `3.1.0`.";
    /// `missing-info`: `openapi: 3.1.0` and `paths: {}` with no `info`: a fragment of a
    /// document rather than a whole one.
    MissingInfo = "missing-info",
        "The document has no `info` object: it looks like a fragment.",
        "Check the whole document (the one that refers to this fragment), or add the required `info` object with `title` and `version`.";
    /// `empty-document`: `openapi` and `info` but no `paths`, `components` or `webhooks`.
    EmptyDocument = "empty-document",
        "The document has no `paths`, `components` or `webhooks`.",
        "Add the operations under `paths`, or check the file that holds them.";
    /// `url-reference`: `$ref: https://example.com/schemas.yaml#/Pet` (loading never touches
    /// the network).
    UrlReference = "url-reference",
        "A `$ref` names a URL, which is not followed: loading never uses the network.",
        "Download the referenced file next to the document and refer to it by a relative path.";
    /// `reference-cycle`: `$ref: '#/components/callbacks/a'` where `a` refers back to itself.
    ReferenceCycle = "reference-cycle",
        "References lead back to where they started.",
        "Make one reference of the cycle point at the value itself instead of at another reference.";
    /// `dangling-reference`: `$ref: '#/components/links/missing'` when there is no such link,
    /// or a `$ref` that is not a string.
    DanglingReference = "dangling-reference",
        "A `$ref` points at nothing (or is not a string).",
        "Correct the JSON pointer after `#`, or add the component it names.";
    /// `unreadable-reference`: `$ref: nowhere.yaml#/Pet` when `nowhere.yaml` cannot be read or
    /// is not JSON or YAML.
    UnreadableReference = "unreadable-reference",
        "A `$ref` names a file that cannot be read or is not JSON or YAML.",
        "Check the relative path (it is resolved against the folder of the file holding the `$ref`) and the referenced file's syntax.";
    /// `reference-outside-root`: `$ref: ../../etc/passwd` or `$ref: /home/me/secret.yaml`:
    /// references reach only the files under the root document's folder, unless a wider root
    /// is given.
    ReferenceOutsideRoot = "reference-outside-root",
        "A `$ref` names a file outside the folder that references may reach.",
        "Keep the referenced files under the root document's folder, or give a wider root (LoadLimits::ref_root, --ref-root DIR).";
    /// `reference-limit`: a chain of more than `LoadLimits::max_ref_depth` references, or more
    /// than `LoadLimits::max_files` referenced files.
    ReferenceLimit = "reference-limit",
        "Following references went past a limit (chain length or number of files).",
        "Shorten the chain of references, or raise LoadLimits::max_ref_depth or LoadLimits::max_files.";
    /// `skipped-reference` (warning): a parameter, request body or response `$ref` that cannot
    /// be followed: the checks that need it are skipped.
    SkippedReference = "skipped-reference",
        "A parameter, request body or response reference cannot be followed: the checks that need it are skipped.",
        "Fix the reference so that the parameters and schemas behind it are checked.";
    /// `unreadable-schema` (warning): a request or response schema refers to something that
    /// cannot be read: its schema-based checks are skipped.
    UnreadableSchema = "unreadable-schema",
        "A request or response schema refers to something that cannot be read: its schema-based checks are skipped.",
        "Fix the references inside the schema.";
    /// `invalid-method`: `additionalOperations: {"NOT A METHOD": {…}}`: the key is not an HTTP
    /// method name (a token).
    InvalidMethod = "invalid-method",
        "An `additionalOperations` key is not an HTTP method name.",
        "Name the operation by its HTTP method as sent, such as `COPY` (letters, digits and `!#$%&'*+-.^_|~`).";
    /// `invalid-callback-object`: `callbacks: {onEvent: 42}`, or a callback key whose Path
    /// Item is not an object.
    InvalidCallbackObject = "invalid-callback-object",
        "A Callback Object, or the Path Item under one of its keys, is not an object.",
        "A Callback Object maps each URL expression to a Path Item object holding the callback's operations.";
    /// `invalid-callback-key`: the key `{$request.body#/url` (unclosed brace) or
    /// `{request.body#/url}` (no `$`).
    InvalidCallbackKey = "invalid-callback-key",
        "A callback key is not a valid runtime expression or template.",
        "Write the key as `$request…`/`$response…` or as a URL with `{$…}` expressions, such as `{$request.body#/callbackUrl}`.";
    /// `constant-callback-key` (warning): the key `/notify` holds no expression and is not an
    /// absolute `http(s)` URL.
    ConstantCallbackKey = "constant-callback-key",
        "A callback key holds no runtime expression and is not an absolute http(s) URL.",
        "Use an absolute URL, or an expression that gives the URL, such as `{$request.body#/callbackUrl}`.";
    /// `callback-key-not-a-url` (warning): the key `$method` or `{$statusCode}` evaluates to
    /// something that is never a URL.
    CallbackKeyNotAUrl = "callback-key-not-a-url",
        "A callback key evaluates to something that is never a URL (the method, the status code).",
        "Use an expression that gives a URL, such as `{$request.body#/callbackUrl}`.";
    /// `invalid-link-expression`: a link parameter `$request.headers.id` that looks like a
    /// runtime expression but does not parse.
    InvalidLinkExpression = "invalid-link-expression",
        "A link parameter or request body looks like a runtime expression but does not parse.",
        "Write a valid runtime expression such as `$response.body#/id`, or a constant that does not start with `$`.";
    /// `invalid-link-object`: a link with both `operationId` and `operationRef`, neither, or
    /// one that is not a string.
    InvalidLinkObject = "invalid-link-object",
        "A Link Object does not name its target with exactly one string `operationId` or `operationRef`.",
        "Give the link exactly one of `operationId` (a string) or `operationRef` (a string).";
    /// `unknown-link-operation`: `operationId: getUsr` when no operation has that id.
    UnknownLinkOperation = "unknown-link-operation",
        "A link's `operationId` names no operation of the document.",
        "Use the `operationId` of an operation of the document (or of one of its callbacks).";
    /// `invalid-operation-ref`: `operationRef: '#/paths/~1users/parameters'`, which does not
    /// lead to an operation, or does not resolve.
    InvalidOperationRef = "invalid-operation-ref",
        "A link's `operationRef` does not resolve, or does not lead to an operation.",
        "Point `operationRef` at an operation: a method under a Path Item, such as `#/paths/~1users~1{id}/get`.";
    /// `unchecked-operation-ref` (warning): `operationRef: https://example.com/api.yaml#/…`
    /// cannot be checked without the network.
    UncheckedOperationRef = "unchecked-operation-ref",
        "A link's `operationRef` is a URL and was not checked (no network access).",
        "Refer to a local copy of the document to have the target checked.";
    /// `unknown-path-parameter`: `{$request.path.userId}` in an operation on `/users/{id}`.
    UnknownPathParameter = "unknown-path-parameter",
        "`$request.path.X` names a parameter that the operation's path template does not have.",
        "Use a `{name}` of the operation's path template.";
    /// `undeclared-query-parameter` (warning): `{$request.query.cursor}` when the operation
    /// declares no query parameter `cursor`.
    UndeclaredQueryParameter = "undeclared-query-parameter",
        "`$request.query.X` reads a query parameter that the operation does not declare.",
        "Declare the parameter (`in: query`) on the operation or its Path Item.";
    /// `undeclared-header-parameter` (warning): `{$request.header.X-Callback}` when the
    /// operation declares no header parameter `X-Callback`.
    UndeclaredHeaderParameter = "undeclared-header-parameter",
        "`$request.header.X` reads a header that the operation does not declare.",
        "Declare the parameter (`in: header`) on the operation or its Path Item.";
    /// `unknown-body-property` (warning): `{$request.body#/callbackUrl}` when the request body
    /// schema declares no property `callbackUrl`.
    UnknownBodyProperty = "unknown-body-property",
        "A body pointer names a property that the body schema does not declare.",
        "Point at a property the schema declares (JSON pointer tokens are separated by `/`), or declare it.";
    /// `non-json-body-pointer` (warning): `{$request.body#/callbackUrl}` when the request body
    /// is only `multipart/*` or `application/x-www-form-urlencoded` with no JSON part: the
    /// pointer does not point into JSON.
    NonJsonBodyPointer = "non-json-body-pointer",
        "A body pointer reads into a body that is not JSON (multipart or form data).",
        "Declare a JSON media type for the body, or a JSON part in the multipart `encoding`, or read the value another way.";
    /// `not-arazzo`: a file `check` reads as an Arazzo document (it has an `arazzo` field)
    /// that is not one it can read: `arazzo: 2.0.0`, or no `workflows` list.
    NotArazzo = "not-arazzo",
        "The file is not an Arazzo 1.0.x or 1.1.x document.",
        "An Arazzo document is an object with `arazzo: 1.0.1` or `arazzo: 1.1.0`, `info`, `sourceDescriptions` and `workflows`.";
    /// `arazzo-invalid-expression`: `value: $inputs.` or `condition: $statusCode = 200`: a
    /// runtime expression, expression string or simple condition that does not parse in the
    /// document's dialect (its `arazzo` version).
    ArazzoInvalidExpression = "arazzo-invalid-expression",
        "A runtime expression, expression string or condition does not parse in the document's Arazzo version.",
        "Write the expression as the grammar of the document's `arazzo` version allows; body pointers are written `$response.body#/a/0`.";
    /// `arazzo-invalid-criterion`: `type: regex` with `condition: '(' `, a JSONPath that does
    /// not parse, a `type` or `version` that does not exist, or no `context` where one is needed.
    ArazzoInvalidCriterion = "arazzo-invalid-criterion",
        "A Criterion Object cannot be evaluated: its regex or JSONPath does not compile, or its type, version or context is wrong.",
        "Fix the regex (ECMA-262) or JSONPath (RFC 9535); give a `context` to regex, jsonpath and xpath criteria.";
    /// `arazzo-unknown-step`: `$steps.getPet.outputs.id` where the workflow has no step
    /// `getPet`, or the step comes later and the workflow uses no `dependsOn`.
    ArazzoUnknownStep = "arazzo-unknown-step",
        "A `$steps.` expression names no earlier step of its workflow.",
        "Name an earlier step of the same workflow (step ids are case-sensitive), or move the step before the one that reads it.";
    /// `arazzo-unknown-output`: `$steps.login.outputs.tokn` where the step `login` has no
    /// output `tokn`; also `$workflows.W.outputs.x` for a workflow without that output.
    ArazzoUnknownOutput = "arazzo-unknown-output",
        "An expression reads an output that its step or workflow does not define.",
        "Name one of the outputs the step or workflow defines, or add the output to it.";
    /// `arazzo-undeclared-input`: `$inputs.usrname` where the workflow's `inputs` schema
    /// declares no property `usrname` (a `$ref` to `components.inputs` is followed).
    ArazzoUndeclaredInput = "arazzo-undeclared-input",
        "An `$inputs.` expression names an input the workflow's inputs schema does not declare.",
        "Declare the input under the workflow's `inputs.properties`, or name one it declares.";
    /// `arazzo-unknown-source`: `$sourceDescriptions.petstore.getPet` where no source
    /// description is named `petstore`.
    ArazzoUnknownSource = "arazzo-unknown-source",
        "An expression names a source description the document does not have.",
        "Name one of the document's `sourceDescriptions` (names are case-sensitive).";
    /// `arazzo-unknown-operation`: `operationId: getPett` that no local OpenAPI source
    /// description defines, or an `operationPath` whose pointer names no operation.
    ArazzoUnknownOperation = "arazzo-unknown-operation",
        "A step names an operation its source descriptions do not have.",
        "Name an `operationId` of the source description, or point `operationPath` at an operation (`#/paths/~1pets/get`).";
    /// `arazzo-invalid-operation-path`: `operationPath: '#/paths/~1pets/get'` without the
    /// `{$sourceDescriptions.NAME.url}` that says which description it points into.
    ArazzoInvalidOperationPath = "arazzo-invalid-operation-path",
        "An `operationPath` is not `{$sourceDescriptions.NAME.url}` followed by `#` and a JSON pointer.",
        "Write `operationPath: '{$sourceDescriptions.NAME.url}#/paths/~1pets/get'`.";
    /// `arazzo-unknown-workflow`: `workflowId: checkout` or `$workflows.checkout.outputs.id`
    /// where the document has no workflow `checkout`.
    ArazzoUnknownWorkflow = "arazzo-unknown-workflow",
        "A workflow id names no workflow of the document.",
        "Name one of the document's workflows (ids are case-sensitive), or `$sourceDescriptions.NAME.ID` for a workflow of another Arazzo document.";
    /// `arazzo-unknown-component`: `reference: $components.parameters.page` where the
    /// document's `components.parameters` has no `page`.
    ArazzoUnknownComponent = "arazzo-unknown-component",
        "A `$components.` expression names a component the document does not define.",
        "Define the component under `components`, or name one that is defined.";
    /// `arazzo-no-response` (warning): `condition: $statusCode == 200` in a step that runs a
    /// workflow (`workflowId`): such a step has no HTTP response of its own.
    ArazzoNoResponse = "arazzo-no-response",
        "An expression reads the HTTP response in a step that runs a workflow, which has none.",
        "Read the workflow's outputs instead (`$workflows.ID.outputs.NAME`).";
    /// `arazzo-quoted-structure` (warning): a JSON text payload such as
    /// `'{"pet": "{$steps.find.outputs.pet}"}'` where the embedded value is an object or
    /// array: it is substituted as JSON text inside the quotes, which breaks the payload.
    ArazzoQuotedStructure = "arazzo-quoted-structure",
        "An object or array value is embedded inside quotes of a JSON text payload.",
        "Remove the quotes around the embedded expression, or write the payload as YAML/JSON structure instead of text.";
}

impl DiagnosticCode {
    /// The stable kebab-case id, such as `invalid-callback-key`.
    pub const fn as_str(self) -> &'static str {
        self.texts().0
    }

    /// One line saying what the rule finds.
    pub const fn summary(self) -> &'static str {
        self.texts().1
    }

    /// How to fix what the rule finds (a diagnostic's own
    /// [`help`](crate::Diagnostic::help), when it has one, is more specific).
    pub const fn help(self) -> &'static str {
        self.texts().2
    }
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not the id of any [`DiagnosticCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a diagnostic code")]
pub struct UnknownCodeError(String);

impl FromStr for DiagnosticCode {
    type Err = UnknownCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DiagnosticCode::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == text)
            .ok_or_else(|| UnknownCodeError(text.to_owned()))
    }
}

impl serde::Serialize for DiagnosticCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for code in DiagnosticCode::ALL {
            let id = code.as_str();
            assert!(seen.insert(id), "{id} twice");
            assert!(
                id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{id}"
            );
            assert!(!id.starts_with('-') && !id.ends_with('-') && !id.contains("--"));
            assert!(code.summary().ends_with('.'), "{id}");
            assert!(!code.help().is_empty(), "{id}");
        }
    }
}
