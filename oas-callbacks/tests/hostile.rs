//! Hostile documents and files: YAML alias bombs, `$ref` chains 10,000 long and cycles,
//! references to devices, documents nested 100,000 levels deep, invalid UTF-8 in every file
//! the command reads, files over the size limit. Each test asserts a clear error (naming the
//! limit it hit) or a correct result; none asserts a timing.

use std::path::{Path, PathBuf};

use expr_eval::{EvalError, OwnedExchange, OwnedRequest, OwnedResponse};
use oas_callbacks::{
    CallbackOutcome, DiagnosticCode, Document, LoadError, LoadLimits, ResolvedValue, Severity,
    SkipReason,
};
use serde_json::{Value, json};

/// A folder of scratch files for one test.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "oas-callbacks-hostile-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("scratch file");
    path.to_string_lossy().into_owned()
}

fn syntax_message(result: Result<Document, LoadError>) -> String {
    match result {
        Err(LoadError::Syntax { message, .. }) => message,
        Err(other) => panic!("expected a syntax error, got {other}"),
        Ok(_) => panic!("expected a syntax error, the document loaded"),
    }
}

fn from_yaml(text: &str, limits: LoadLimits) -> Result<Document, LoadError> {
    Document::from_bytes("hostile.yaml", text.as_bytes().to_vec(), limits)
}

fn from_json(value: &Value, limits: LoadLimits) -> Result<Document, LoadError> {
    Document::from_bytes("hostile.json", value.to_string().into_bytes(), limits)
}

fn nested(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

// --- YAML aliases ---------------------------------------------------------------------------

/// The classic billion laughs: nine aliases of nine aliases … of nine strings.
fn billion_laughs() -> String {
    let mut text = String::from("openapi: 3.1.0\ninfo: {title: bomb, version: '1'}\npaths: {}\n");
    text.push_str(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names: Vec<char> = ('a'..='j').collect();
    for pair in names.windows(2) {
        let uses = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{uses}]\n", pair[1], pair[1]));
    }
    text
}

#[test]
fn a_billion_laughs_document_fails_with_the_alias_expansion_limit() {
    let message = syntax_message(from_yaml(&billion_laughs(), LoadLimits::default()));
    assert!(
        message.contains(
            "YAML aliases expand to more than 100000 nodes (LoadLimits::max_yaml_alias_nodes)"
        ),
        "{message}"
    );
    // A lower limit fails sooner, with its own number.
    let mut limits = LoadLimits::default();
    limits.max_yaml_alias_nodes = 1_000;
    let message = syntax_message(from_yaml(&billion_laughs(), limits));
    assert!(message.contains("more than 1000 nodes"), "{message}");
}

#[test]
fn the_alias_bomb_fixture_fails_with_the_alias_expansion_limit() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/alias-bomb.yaml"
    );
    let message = syntax_message(Document::load(fixture));
    assert!(
        message.contains("LoadLimits::max_yaml_alias_nodes"),
        "{message}"
    );
}

/// One large anchored sequence, aliased `uses` times (plus decoy anchors, so that the
/// alias/anchor ratio heuristic is not what stops it).
fn wide_aliases(items: usize, uses: usize) -> String {
    let mut text = String::from("openapi: 3.1.0\ninfo: {title: wide, version: '1'}\npaths: {}\n");
    text.push_str("x-big: &big [");
    text.push_str(&vec!["0"; items].join(","));
    text.push_str("]\nx-decoys:\n");
    for i in 0..uses {
        text.push_str(&format!("  - &d{i} 0\n"));
    }
    text.push_str("x-uses:\n");
    for _ in 0..uses {
        text.push_str("  - *big\n");
    }
    text
}

#[test]
fn a_few_aliases_of_a_large_node_fail_with_the_limit_and_load_when_it_is_raised() {
    let text = wide_aliases(3_000, 50);
    let message = syntax_message(from_yaml(&text, LoadLimits::default()));
    assert!(
        message.contains("LoadLimits::max_yaml_alias_nodes"),
        "{message}"
    );
    let mut limits = LoadLimits::default();
    limits.max_yaml_alias_nodes = 1_000_000;
    let doc = from_yaml(&text, limits).expect("within the raised limit");
    assert_eq!(doc.version(), Some("3.1.0"));
}

#[test]
fn too_many_alias_uses_fail_with_the_alias_limit() {
    let mut limits = LoadLimits::default();
    limits.max_yaml_aliases = 5;
    let message = syntax_message(from_yaml(&wide_aliases(2, 10), limits));
    assert!(
        message.contains("more than 5 YAML alias uses (LoadLimits::max_yaml_aliases)"),
        "{message}"
    );
}

// --- nesting ----------------------------------------------------------------------------------

#[test]
fn a_json_document_nested_100_000_levels_deep_fails_with_the_depth_limit() {
    let text = format!(
        "{{\"openapi\": \"3.1.0\", \"info\": {{}}, \"paths\": {{}}, \"x\": {}}}",
        nested(100_000)
    );
    let result = Document::from_bytes("deep.json", text.into_bytes(), LoadLimits::default());
    let Err(LoadError::Syntax {
        message, position, ..
    }) = result
    else {
        panic!("expected a syntax error");
    };
    assert_eq!(
        message,
        "invalid JSON: arrays and objects nested more than 127 levels deep (LoadLimits::max_depth)"
    );
    assert_eq!(position.map(|p| (p.line, p.column)), Some((1, 178)));
}

#[test]
fn a_yaml_document_nested_100_000_levels_deep_fails_with_the_depth_limit() {
    let flow = format!(
        "openapi: 3.1.0\ninfo: {{}}\npaths: {{}}\nx: {}\n",
        nested(100_000)
    );
    let mut block = String::from("openapi: 3.1.0\ninfo: {}\npaths: {}\nx:\n");
    for level in 0..2_000 {
        block.push_str(&" ".repeat(2 + level));
        block.push_str("- \n");
    }
    for text in [flow, block] {
        let message = syntax_message(from_yaml(&text, LoadLimits::default()));
        assert!(
            message.contains("nested more than 127 levels deep (LoadLimits::max_depth)"),
            "{message}"
        );
    }
}

#[test]
fn a_lower_depth_limit_applies_to_json_and_yaml() {
    let mut limits = LoadLimits::default();
    limits.max_depth = 8;
    let json = json!({"openapi": "3.1.0", "info": {}, "paths": {}, "x": [[[[[[[[[1]]]]]]]]]});
    let message = syntax_message(from_json(&json, limits.clone()));
    assert!(
        message.contains("nested more than 8 levels deep (LoadLimits::max_depth)"),
        "{message}"
    );
    let yaml = "openapi: 3.1.0\ninfo: {}\npaths: {}\nx: [[[[[[[[[1]]]]]]]]]\n";
    let message = syntax_message(from_yaml(yaml, limits.clone()));
    assert!(message.contains("LoadLimits::max_depth"), "{message}");
    // Depth 7 under `x` (8 with the root) is within it.
    let yaml = "openapi: 3.1.0\ninfo: {}\npaths: {}\nx: [[[[[[[1]]]]]]]\n";
    assert!(from_yaml(yaml, limits).is_ok());
}

// --- references -----------------------------------------------------------------------------

/// A document whose only path item is reached through a chain of `length` references.
fn reference_chain(length: usize) -> Value {
    let mut chain = serde_json::Map::new();
    for i in 0..length {
        chain.insert(
            format!("p{i}"),
            json!({"$ref": format!("#/x-chain/p{}", i + 1)}),
        );
    }
    chain.insert(
        format!("p{length}"),
        json!({"post": {
            "operationId": "subscribe",
            "responses": {"201": {"description": "subscribed"}},
            "callbacks": {"onEvent": {"{$request.body#/callbackUrl}": {"post": {
                "responses": {"200": {"description": "ok"}}
            }}}}
        }}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "chain", "version": "1"},
        "paths": {"/subscribe": {"$ref": "#/x-chain/p0"}},
        "x-chain": chain
    })
}

fn exchange() -> OwnedExchange {
    let request = OwnedRequest::new("POST", "https://api.example/subscribe")
        .expect("valid")
        .with_json_body(json!({"callbackUrl": "https://client.example/hook"}));
    OwnedExchange::new(request).with_response(OwnedResponse::new(201).expect("valid"))
}

#[test]
fn a_10_000_long_reference_chain_fails_with_the_reference_depth_limit() {
    let doc = from_json(&reference_chain(10_000), LoadLimits::default()).expect("loads");
    assert!(doc.operations().is_empty());
    let errors: Vec<_> = doc
        .check()
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(
        errors
            .iter()
            .any(|d| d.message == "more than 64 references in a chain (LoadLimits::max_ref_depth)"),
        "{errors:?}"
    );
}

#[test]
fn a_10_000_long_reference_chain_resolves_when_the_limit_allows_it() {
    let mut limits = LoadLimits::default();
    // The path's own reference, then 10,000 more.
    limits.max_ref_depth = 10_001;
    let doc = from_json(&reference_chain(10_000), limits).expect("loads");
    let op = doc
        .operation("subscribe")
        .expect("reached through the chain");
    assert_eq!(op.path(), "/subscribe");
    let resolved = op.resolve_callbacks(&exchange());
    assert_eq!(
        resolved[0].outcome,
        CallbackOutcome::Url("https://client.example/hook".to_owned())
    );
}

#[test]
fn reference_cycles_are_errors_that_show_the_cycle() {
    for (paths, chain) in [
        (
            json!({"/a": {"$ref": "#/x-loop/a"}}),
            json!({"a": {"$ref": "#/x-loop/a"}}),
        ),
        (
            json!({"/a": {"$ref": "#/x-loop/a"}}),
            json!({"a": {"$ref": "#/x-loop/b"}, "b": {"$ref": "#/x-loop/c"}, "c": {"$ref": "#/x-loop/a"}}),
        ),
        (json!({"/a": {"$ref": "#/paths/~1a"}}), json!({})),
    ] {
        let doc = from_json(
            &json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, "x-loop": chain}),
            LoadLimits::default(),
        )
        .expect("loads");
        let diagnostics = doc.check();
        assert!(
            diagnostics.iter().any(
                |d| d.severity == Severity::Error && d.message.starts_with("reference cycle: ")
            ),
            "{diagnostics:?}"
        );
    }
}

#[test]
fn a_10_000_long_reference_cycle_is_an_error() {
    let mut chain = serde_json::Map::new();
    for i in 0..10_000 {
        chain.insert(
            format!("p{i}"),
            json!({"$ref": format!("#/x-loop/p{}", (i + 1) % 10_000)}),
        );
    }
    let document = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"$ref": "#/x-loop/p0"}}, "x-loop": chain});
    // With the default limit the chain is too long before it closes; with a raised one the
    // cycle is found.
    let doc = from_json(&document, LoadLimits::default()).expect("loads");
    assert!(
        doc.check()
            .iter()
            .any(|d| d.message.contains("LoadLimits::max_ref_depth"))
    );
    let mut limits = LoadLimits::default();
    limits.max_ref_depth = 20_000;
    let doc = from_json(&document, limits).expect("loads");
    assert!(doc.check().iter().any(|d| {
        d.message
            .starts_with("reference cycle: #/paths/~1a -> #/x-loop/p0 -> ")
    }));
}

#[cfg(unix)]
#[test]
fn a_reference_to_a_device_is_refused_without_reading_it() {
    // Before the fix, `/dev/zero` was read to the end: memory grew until the process died.
    for target in ["/dev/zero", "/dev/urandom", "/tmp"] {
        let document = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"$ref": format!("{target}#/x")}}});
        // With the whole file system as the root references may reach: the device is still
        // not read.
        let doc = from_json(&document, LoadLimits::default().with_ref_root("/")).expect("loads");
        let diagnostics = doc.check();
        assert!(
            diagnostics.iter().any(|d| d.message
                == format!("cannot read referenced file {target}: not a regular file (a device, a pipe or a directory is not read)")),
            "{diagnostics:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_root_document_that_never_ends_is_read_up_to_the_limit() {
    let mut limits = LoadLimits::default();
    limits.max_file_bytes = 1024 * 1024;
    match Document::load_with("/dev/zero", limits) {
        Err(LoadError::Io { source, .. }) => {
            assert_eq!(source.kind(), std::io::ErrorKind::FileTooLarge);
            assert_eq!(
                source.to_string(),
                "the file is larger than the limit of 1048576 bytes (LoadLimits::max_file_bytes)"
            );
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn a_referenced_file_over_the_size_limit_is_refused_by_name() {
    let dir = scratch_dir("big-ref");
    write(&dir, "big.yaml", format!("x: '{}'\n", "a".repeat(4096)));
    let root = write(
        &dir,
        "root.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    $ref: 'big.yaml#/x'\n",
    );
    let mut limits = LoadLimits::default();
    limits.max_file_bytes = 1024;
    let doc = Document::load_with(&root, limits).expect("the root is small");
    assert!(
        doc.check().iter().any(|d| d.message.ends_with(
            "the file is larger than the limit of 1024 bytes (LoadLimits::max_file_bytes)"
        )),
        "{:?}",
        doc.check()
    );
}

// --- long expressions and invalid text in documents -----------------------------------------

#[test]
fn a_one_megabyte_callback_key_loads_and_resolves() {
    let name = "n".repeat(1024 * 1024);
    let key = format!("https://client.example/{{$request.query.{name}}}");
    let document = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/s": {"post": {"operationId": "s", "responses": {"200": {"description": "ok"}},
            "callbacks": {"big": {key.clone(): {"post": {"responses": {"200": {"description": "ok"}}}}}}}}}});
    let doc = from_json(&document, LoadLimits::default()).expect("loads");
    let op = doc.operation("s").expect("declared");
    assert_eq!(op.callbacks()[0].key(), key);
    let request =
        OwnedRequest::new("POST", format!("https://api.example/s?{name}=v")).expect("valid");
    let resolved = op.resolve_callbacks(&OwnedExchange::new(request));
    assert_eq!(
        resolved[0].outcome,
        CallbackOutcome::Url("https://client.example/v".to_owned())
    );
}

#[test]
fn invalid_utf8_in_a_document_is_a_syntax_error_with_its_position() {
    for (name, bytes) in [
        (
            "bad.yaml",
            b"openapi: 3.1.0\ninfo: {title: \xff}\n".to_vec(),
        ),
        (
            "bad.json",
            b"{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"\xc3\"}}".to_vec(),
        ),
    ] {
        let message = syntax_message(Document::from_bytes(name, bytes, LoadLimits::default()));
        assert!(message.starts_with("invalid UTF-8 at byte "), "{message}");
    }
}

// --- nesting up to the limit, on a 2 MiB stack ---------------------------------------------

/// How many arrays and objects are nested at the deepest point of `value`.
fn depth(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// `levels` objects inside one another, each `{"a": …}`, around `leaf`.
fn nested_object(levels: usize, leaf: Value) -> Value {
    (0..levels).fold(leaf, |inner, _| json!({ "a": inner }))
}

/// A document with structures nested as deep as the limit allows: a link parameter, a link
/// request body, a request-body schema (and so a payload to validate), an extension.
fn deep_document(levels: usize) -> Value {
    // The outermost levels of the document itself count too: a link parameter sits 9 levels
    // down, the link's request body 8, a callback's schema 12 (and each schema level is 2).
    let schema = (0..(levels - 13) / 2).fold(
        json!({"type": "string"}),
        |inner, _| json!({"type": "object", "properties": {"a": inner}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "deep", "version": "1"},
        "paths": {"/s": {"post": {
            "operationId": "s",
            "requestBody": {"content": {"application/json": {"schema": schema.clone()}}},
            "responses": {"201": {"description": "ok", "links": {"deep": {
                "operationId": "s",
                "parameters": {
                    "p": nested_object(levels - 9, json!("$request.body#/a")),
                    // A mistake at the deepest point: its diagnostic locates it in the text.
                    "bad": nested_object(levels - 9, json!("$request.body#/a~2"))
                },
                "requestBody": nested_object(levels - 8, json!("{$response.header.Location}"))
            }}}},
            "callbacks": {"cb": {"{$request.body#/url}": {"post": {
                "requestBody": {"content": {"application/json": {"schema": schema}}},
                "responses": {"200": {"description": "ok"}}
            }}}}
        }}},
        "x-deep": nested_object(levels - 1, json!(1))
    })
}

/// Loads, checks, resolves and validates a document nested to the limit, in JSON and YAML, on
/// the test's own thread (2 MiB of stack unless RUST_MIN_STACK says otherwise).
#[test]
fn a_document_nested_to_the_depth_limit_is_handled_on_a_small_stack() {
    let levels = LoadLimits::default().max_depth;
    let document = deep_document(levels);
    assert_eq!(depth(&document), levels);
    let yaml = serde_json::to_string_pretty(&document).expect("JSON is YAML");
    for (name, bytes) in [
        ("deep.json", document.to_string().into_bytes()),
        ("deep.yaml", yaml.into_bytes()),
    ] {
        let doc = Document::from_bytes(name, bytes, LoadLimits::default()).expect("at the limit");
        let diagnostics = doc.check();
        let bad = diagnostics
            .iter()
            .find(|d| d.code() == DiagnosticCode::InvalidLinkExpression)
            .expect("the mistake is reported");
        assert!(bad.line.is_some(), "{bad:?}");
        let op = doc.operation("s").expect("declared");
        let request = OwnedRequest::new("POST", "https://api.example/s")
            .expect("valid")
            .with_json_body(
                json!({"url": "https://c.example/x", "a": nested_object(60, json!("v"))}),
            );
        let response = OwnedResponse::new(201)
            .expect("valid")
            .with_header("Location", "https://api.example/s/1");
        let exchange = OwnedExchange::new(request).with_response(response);
        assert_eq!(
            op.resolve_callbacks(&exchange)[0].outcome,
            CallbackOutcome::Url("https://c.example/x".to_owned())
        );
        let links = op.resolve_links(201, &exchange);
        assert_eq!(links.len(), 1);
        let payload = nested_object((levels - 13) / 2, json!(7));
        let violations = doc
            .validate_callback_payload(op, "cb", None, &payload)
            .expect("a schema");
        assert_eq!(violations.len(), 1, "{violations:?}");
    }
}

// --- work that grew faster than the document (each test hung before its fix) ----------------

fn operation_document(operation: Value) -> Value {
    json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/s/{id}": {"post": operation}}})
}

/// A chain of `levels` schemas, each the `allOf` of the next one twice: walking every branch
/// takes 2^levels steps. `check` walks request-body schemas to lint body pointers.
fn shared_branches(levels: usize) -> Value {
    let mut schemas = serde_json::Map::new();
    for i in 0..levels {
        let next = format!("#/components/schemas/S{}", i + 1);
        schemas.insert(
            format!("S{i}"),
            json!({"allOf": [{"$ref": next}, {"$ref": next}]}),
        );
    }
    schemas.insert(
        format!("S{levels}"),
        json!({"type": "object", "properties": {"x": {"type": "string"}}}),
    );
    let mut document = operation_document(json!({
        "operationId": "s",
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}},
        "responses": {"200": {"description": "ok"}},
        "callbacks": {"cb": {"{$request.body#/y}": {"post": {"responses": {"200": {"description": "ok"}}}}}}
    }));
    document["components"] = json!({ "schemas": schemas });
    document
}

#[test]
fn a_schema_graph_with_shared_branches_is_walked_in_bounded_time() {
    // Small: the pointer is linted as usual (`y` is not declared, `x` is).
    let doc = from_json(&shared_branches(4), LoadLimits::default()).expect("loads");
    assert!(
        doc.check()
            .iter()
            .any(|d| d.code() == DiagnosticCode::UnknownBodyProperty
                && d.message.contains("has no property `y`")),
        "{:?}",
        doc.check()
    );
    // 60 levels: 2^60 steps before the fix; now the walk stops at its budget and says nothing.
    let doc = from_json(&shared_branches(60), LoadLimits::default()).expect("loads");
    let diagnostics = doc.check();
    assert!(
        diagnostics.iter().all(|d| d.severity != Severity::Error),
        "{diagnostics:?}"
    );
}

#[test]
fn very_long_names_get_no_quadratic_suggestion() {
    // The edit distance between two 1 MB names is 10^12 steps.
    let document = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/s": {"post": {"operationId": "b".repeat(1 << 20), "responses": {"200": {
            "description": "ok", "links": {"l": {"operationId": "a".repeat(1 << 20)}}}}}}}});
    let doc = from_json(&document, LoadLimits::default()).expect("loads");
    let diagnostics = doc.check();
    let target = diagnostics
        .iter()
        .find(|d| d.code() == DiagnosticCode::UnknownLinkOperation)
        .expect("the link names no operation");
    assert_eq!(target.help, None);
    // A short name still gets its suggestion.
    let document = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/s": {"post": {"operationId": "getUser", "responses": {"200": {
            "description": "ok", "links": {"l": {"operationId": "getUsr"}}}}}}}});
    let doc = from_json(&document, LoadLimits::default()).expect("loads");
    assert!(
        doc.check()
            .iter()
            .any(|d| d.help.as_deref() == Some("did you mean `getUser`?"))
    );
}

/// An operation with `count` query parameters declared on its path item and again on itself,
/// and a link passing each of them on (plus one that is not declared).
fn many_parameters(count: usize) -> Value {
    let declared: Vec<Value> = (0..count)
        .map(|i| json!({"name": format!("q{i}"), "in": "query", "schema": {"type": "string"}}))
        .collect();
    let mut passed = serde_json::Map::new();
    for i in 0..count {
        passed.insert(format!("p{i}"), json!(format!("$request.query.q{i}")));
    }
    passed.insert("undeclared".to_owned(), json!("$request.query.nope"));
    json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
    "paths": {"/s/{id}": {
        "parameters": declared.clone(),
        "post": {
            "operationId": "s",
            "parameters": declared,
            "responses": {"200": {"description": "ok", "links": {"all": {
                "operationId": "s", "parameters": passed}}}}
        }
    }}})
}

#[test]
fn many_parameters_and_many_expressions_are_checked_in_linear_time() {
    // 100,000 parameters, merged path item over operation, then 100,000 expressions each
    // looked up among them: 10^10 comparisons each way before the fix.
    let doc = from_json(&many_parameters(100_000), LoadLimits::default()).expect("loads");
    let undeclared: Vec<_> = doc
        .check()
        .into_iter()
        .filter(|d| d.code() == DiagnosticCode::UndeclaredQueryParameter)
        .collect();
    assert_eq!(undeclared.len(), 1, "{undeclared:?}");
    assert!(
        undeclared[0]
            .message
            .contains("declares no query parameter `nope`"),
        "{undeclared:?}"
    );
}

/// A document with `count` callback keys that are invalid (`{idN}` placeholders), in YAML (one
/// key a line) or in JSON on a single line.
fn invalid_keys(count: usize, yaml: bool) -> Vec<u8> {
    if yaml {
        let mut text = String::from(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /s:\n    post:\n      operationId: s\n      responses: {'200': {description: ok}}\n      callbacks:\n        cb:\n",
        );
        for i in 0..count {
            text.push_str(&format!("          'http://x.example/{{id{i}}}': {{}}\n"));
        }
        text.into_bytes()
    } else {
        let keys: serde_json::Map<String, Value> = (0..count)
            .map(|i| (format!("http://x.example/é/{{id{i}}}"), json!({})))
            .collect();
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/s": {"post": {"operationId": "s", "responses": {"200": {"description": "ok"}},
                "callbacks": {"cb": keys}}}}})
        .to_string()
        .into_bytes()
    }
}

#[test]
fn many_diagnostics_in_one_document_are_located_in_linear_time() {
    // Each diagnostic counted the lines before it: 20,000 diagnostics took 20,000 passes over
    // the text.
    let count = 20_000;
    let doc = Document::from_bytes(
        "many.yaml",
        invalid_keys(count, true),
        LoadLimits::default(),
    )
    .expect("loads");
    let diagnostics: Vec<_> = doc
        .check()
        .into_iter()
        .filter(|d| d.code() == DiagnosticCode::InvalidCallbackKey)
        .collect();
    assert_eq!(diagnostics.len(), count);
    let last = diagnostics.last().expect("many");
    assert_eq!((last.line, last.column), (Some(9 + count), Some(30)));
    assert!(
        last.to_string()
            .contains(&format!("'http://x.example/{{id{}}}'", count - 1))
    );
}

#[test]
fn diagnostics_on_a_minified_document_keep_a_window_of_its_one_line() {
    // Each diagnostic kept a copy of its whole line: 20,000 copies of a line of 900 KB.
    let count = 20_000;
    let bytes = invalid_keys(count, false);
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    let doc = Document::from_bytes("minified.json", bytes, LoadLimits::default()).expect("loads");
    let diagnostics: Vec<_> = doc
        .check()
        .into_iter()
        .filter(|d| d.code() == DiagnosticCode::InvalidCallbackKey)
        .collect();
    assert_eq!(diagnostics.len(), count);
    let key = format!("http://x.example/é/{{id{}}}", count - 1);
    // The error is at the character after the brace: "expected `$` after `{`".
    let at = text.find(&key).expect("the last key") + key.find('{').expect("a brace") + 1;
    let last = diagnostics.last().expect("many");
    assert_eq!(last.line, Some(1));
    assert_eq!(last.column, Some(text[..at].chars().count() + 1));
    for diagnostic in &diagnostics {
        let shown = diagnostic.to_string();
        assert!(shown.len() < 1024, "{} bytes: {shown}", shown.len());
    }
    // The caret still points after the brace.
    let shown = last.to_string();
    let lines: Vec<&str> = shown.lines().collect();
    let caret = lines
        .iter()
        .position(|l| l.trim_end().ends_with('^'))
        .expect("a caret");
    let column = lines[caret].chars().count() - 1;
    assert_eq!(lines[caret - 1].chars().nth(column), Some('i'), "{shown}");
    assert_eq!(
        lines[caret - 1].chars().nth(column - 1),
        Some('{'),
        "{shown}"
    );
}

/// A document at `dir/api.yaml` whose callback operation's request body refers to `reference`.
fn referring_document(dir: &Path, reference: &str) -> String {
    write(
        dir,
        "api.yaml",
        format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /s:\n    post:\n      operationId: s\n      responses: {{'202': {{description: ok}}}}\n      callbacks:\n        done:\n          '{{$request.body#/url}}':\n            post:\n              requestBody:\n                content:\n                  application/json:\n                    schema: {{$ref: '{reference}'}}\n              responses: {{'200': {{description: ok}}}}\n"
        ),
    )
}

#[cfg(unix)]
#[test]
fn references_never_reach_files_outside_the_root_documents_folder() {
    let base = scratch_dir("confined");
    let api = base.join("api");
    let elsewhere = base.join("elsewhere");
    std::fs::create_dir_all(&api).expect("dir");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    write(&elsewhere, "secret.txt", "password=hunter2\n");
    write(
        &elsewhere,
        "secret.yaml",
        "type: object\nproperties: {password: {const: hunter2}}\n",
    );
    // A symbolic link inside the folder that leads out of it.
    let _ = std::os::unix::fs::symlink(elsewhere.join("secret.yaml"), api.join("link.yaml"));
    let outside = |reference: &str| {
        let path = referring_document(&api, reference);
        let doc = Document::load(&path).expect("loads");
        let op = doc.operation("s").expect("declared");
        let validated = doc
            .validate_callback_payload(op, "done", None, &json!({}))
            .expect_err("the schema cannot be used");
        let shown = format!(
            "{}\n{}",
            validated,
            doc.check()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("is outside"), "{shown}");
        shown
    };
    let relative = outside("../elsewhere/secret.yaml");
    let absolute = outside(&format!("{}", elsewhere.join("secret.yaml").display()));
    outside("../elsewhere/secret.txt");
    outside("link.yaml");
    // A missing file outside reads exactly like an existing one: the errors tell nothing.
    let missing = outside("../elsewhere/missing.yaml");
    assert_eq!(
        relative.replace("secret.yaml", "X"),
        missing.replace("missing.yaml", "X")
    );
    assert!(absolute.contains("is outside"));
    // The opt-in: a wider root reaches the file.
    let path = referring_document(&api, "../elsewhere/secret.yaml");
    let doc =
        Document::load_with(&path, LoadLimits::default().with_ref_root(&base)).expect("loads");
    let op = doc.operation("s").expect("declared");
    assert!(
        doc.validate_callback_payload(op, "done", None, &json!({"password": "hunter2"}))
            .expect("usable")
            .is_empty()
    );
}

#[test]
fn a_text_file_named_by_a_reference_is_never_echoed() {
    let dir = scratch_dir("echo");
    write(
        &dir,
        "notes.txt",
        "the launch code is 0000 and nobody must know it\n",
    );
    let path = referring_document(&dir, "notes.txt");
    let doc = Document::load(&path).expect("loads");
    let op = doc.operation("s").expect("declared");
    let err = doc
        .validate_callback_payload(op, "done", None, &json!({}))
        .expect_err("not a schema");
    let shown = format!(
        "{err}\n{}",
        doc.check()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(!shown.contains("launch code"), "{shown}");
    assert!(shown.contains("not a JSON or YAML document"), "{shown}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_reference_to_a_file_that_never_returns_data_does_not_hang() {
    // /proc/kmsg passes for a regular file, and a read of it waits for the next kernel message.
    let dir = scratch_dir("kmsg");
    let path = referring_document(&dir, "/proc/kmsg");
    // By default it is outside the root; with the whole file system as the root it is opened
    // without blocking, and its read fails at once (or it cannot be opened at all).
    for limits in [
        LoadLimits::default(),
        LoadLimits::default().with_ref_root("/"),
    ] {
        let doc = Document::load_with(&path, limits).expect("loads");
        let op = doc.operation("s").expect("declared");
        assert!(
            doc.validate_callback_payload(op, "done", None, &json!({}))
                .is_err()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_schema_reached_through_a_symlink_inside_the_folder_validates() {
    let dir = scratch_dir("symlink");
    let real = dir.join("real");
    std::fs::create_dir_all(&real).expect("dir");
    write(
        &real,
        "event.yaml",
        "type: object\nrequired: [id]\nproperties:\n  id: {type: string}\n  kind: {$ref: 'kind.yaml'}\n",
    );
    write(&real, "kind.yaml", "type: string\nenum: [a, b]\n");
    let _ = std::fs::remove_file(dir.join("schemas"));
    std::os::unix::fs::symlink(&real, dir.join("schemas")).expect("symlink");
    let path = referring_document(&dir, "schemas/event.yaml");
    let doc = Document::load(&path).expect("loads");
    assert!(doc.diagnostics().is_empty(), "{:?}", doc.diagnostics());
    let op = doc.operation("s").expect("declared");
    let valid = doc
        .validate_callback_payload(op, "done", None, &json!({"id": "1", "kind": "a"}))
        .expect("the schema is usable");
    assert!(valid.is_empty(), "{valid:?}");
    let invalid = doc
        .validate_callback_payload(op, "done", None, &json!({"kind": "c"}))
        .expect("the schema is usable");
    let pointers: Vec<_> = invalid.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["", "/kind"], "{invalid:?}");
}

#[test]
fn a_huge_file_size_limit_saturates_instead_of_overflowing() {
    let dir = scratch_dir("huge-limit");
    let path = referring_document(&dir, "event.yaml");
    write(&dir, "event.yaml", "type: object\n");
    let doc = Document::load_with(&path, LoadLimits::default().with_max_file_bytes(usize::MAX))
        .expect("loads: the files are read, not taken as empty");
    assert!(doc.diagnostics().is_empty(), "{:?}", doc.diagnostics());
    assert_eq!(doc.operations().len(), 1);
}

/// 150 operations whose request and response bodies all refer to one deep schema of 2,000
/// nested objects: each reference re-walked the whole schema (12 s for 714 KiB before).
fn shared_deep_schema(operations: usize, depth: usize) -> Value {
    let deep = (0..depth).fold(json!({"type": "string"}), |inner, i| {
        json!({"type": "object", "properties": {format!("p{i}"): inner, "r": {"$ref": "#/components/schemas/Leaf"}}})
    });
    let mut paths = serde_json::Map::new();
    for i in 0..operations {
        let schema = json!({"$ref": "#/components/schemas/Deep"});
        paths.insert(format!("/op{i}"), json!({"post": {
            "operationId": format!("op{i}"),
            "requestBody": {"content": {"application/json": {"schema": schema.clone()}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
        }}));
    }
    json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths,
        "components": {"schemas": {"Deep": deep, "Leaf": {"type": "string"}}}})
}

#[test]
fn each_schema_is_walked_once_however_many_operations_share_it() {
    // JSON nests at most 127 levels: 60 objects deep is 120 levels.
    let doc = from_json(&shared_deep_schema(150, 60), LoadLimits::default()).expect("loads");
    assert_eq!(doc.operations().len(), 150);
    assert!(doc.check().is_empty(), "{:?}", doc.check());
}

/// 14 levels of `allOf`, each level over 1,000 properties, and a pointer the schema does not
/// declare: the lint copied every name up the chain on every visit (1.5 s per expression).
fn wide_all_of_chain(levels: usize, properties: usize, expressions: usize) -> Value {
    let mut schemas = serde_json::Map::new();
    for level in 0..levels {
        let own: serde_json::Map<String, Value> = (0..properties)
            .map(|p| (format!("l{level}p{p}"), json!({"type": "string"})))
            .collect();
        let mut schema = json!({"type": "object", "properties": own});
        if level + 1 < levels {
            let next = json!({"$ref": format!("#/components/schemas/L{}", level + 1)});
            schema = json!({"allOf": [next.clone(), next, schema]});
        }
        schemas.insert(format!("L{level}"), schema);
    }
    let keys: serde_json::Map<String, Value> = (0..expressions)
        .map(|i| {
            (
                format!("https://x.example/{i}?v={{$request.body#/nope{i}}}"),
                json!({"post": {"responses": {"200": {"description": "ok"}}}}),
            )
        })
        .collect();
    json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/s": {"post": {
            "operationId": "s",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/L0"}}}},
            "responses": {"200": {"description": "ok"}},
            "callbacks": {"cb": keys}
        }}},
        "components": {"schemas": schemas}})
}

#[test]
fn the_body_pointer_lint_costs_the_schemas_size_not_their_width_times_the_budget() {
    let doc = from_json(&wide_all_of_chain(14, 1_000, 20), LoadLimits::default()).expect("loads");
    let warnings: Vec<_> = doc
        .check()
        .into_iter()
        .filter(|d| d.code() == DiagnosticCode::UnknownBodyProperty)
        .collect();
    assert_eq!(warnings.len(), 20);
    // The names the schema declares are listed (sorted), and nothing is suggested for a name
    // that is close to none of them.
    assert!(
        warnings[0].message.contains("(it declares `l0p0`, `l0p1`"),
        "{}",
        warnings[0].message
    );
}

#[test]
fn yaml_documents_have_no_node_or_anchor_budget_beyond_the_file_size() {
    // 300,000 nodes and 60,000 anchors: over serde-saphyr's own defaults (250,000 nodes,
    // 50,000 anchors), whose errors named no setting.
    let mut text =
        String::from("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-data:\n");
    for i in 0..60_000 {
        text.push_str(&format!("  - &a{i} {i}\n"));
    }
    for i in 0..250_000 {
        text.push_str(&format!("  - {i}\n"));
    }
    let doc = from_yaml(&text, LoadLimits::default()).expect("loads");
    assert!(doc.diagnostics().is_empty(), "{:?}", doc.diagnostics());
}

#[test]
fn a_hundred_validations_of_a_large_document_compile_its_schema_once() {
    // 3,000 operations (about 2.7 MB): each validation copied every loaded file into a new
    // schema registry (100 deliveries of a 4.4 MB document took 14 s). Now the validator is
    // compiled on the first validation and kept.
    let mut document: Value =
        serde_json::from_str(&benches_support::generated_document(3_000)).expect("JSON");
    document["paths"]["/op0"]["post"]["callbacks"]["done"]
        .as_object_mut()
        .and_then(|keys| keys.values_mut().next())
        .expect("a key")["post"]["requestBody"]["content"]["application/json"]["schema"] =
        json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}});
    let doc = from_json(&document, LoadLimits::default()).expect("loads");
    let op = doc.operation("op0").expect("declared");
    for i in 0..100 {
        let violations = doc
            .validate_callback_payload(op, "done", None, &json!({"id": i}))
            .expect("usable");
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].pointer, "/id");
    }
}

#[allow(unreachable_pub, dead_code)] // the file is also the `benches` crate's public module
mod benches_support {
    include!("../../benches/src/generated_document.rs");
}

// --- what resolving renders is bounded, and an exchange is read once ------------------------

/// A document whose operation `s` has one callback per key, and a link `l` with `parameters`.
fn resolving_document(keys: &[String], parameters: Value) -> Value {
    let callbacks: serde_json::Map<String, Value> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            (
                format!("cb{i}"),
                json!({key.clone(): {"post": {"responses": {"200": {"description": "ok"}}}}}),
            )
        })
        .collect();
    json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/s": {"post": {"operationId": "s",
            "responses": {"201": {"description": "ok",
                "links": {"l": {"operationId": "s", "parameters": parameters}}}},
            "callbacks": callbacks}}}})
}

fn large_value_exchange() -> OwnedExchange {
    let request = OwnedRequest::new("POST", "https://api.example/s")
        .expect("valid")
        .with_json_body(json!({"a": "x".repeat(1024 * 1024), "url": "https://c.example/hook"}));
    OwnedExchange::new(request).with_response(OwnedResponse::new(201).expect("valid"))
}

/// Issue 10, finding 5: a 38 KiB key repeating `{$request.body#/a}` against a 1 MiB string
/// rendered a 2 GiB URL (4 GB of memory, or an abort under a memory limit).
#[test]
fn a_callback_key_repeating_a_large_value_is_skipped_at_max_rendered_len() {
    let key = format!(
        "https://c.example/?{}",
        "{$request.body#/a}".repeat(38 * 1024 / 18)
    );
    let document = resolving_document(&[key, "{$request.body#/url}".to_owned()], json!({}));
    let doc = from_json(&document, LoadLimits::default()).expect("loads");
    let op = doc.operation("s").expect("declared");
    let resolved = op.resolve_callbacks(&large_value_exchange());
    assert_eq!(
        resolved[0].outcome,
        CallbackOutcome::Skipped(SkipReason::Evaluation(EvalError::RenderedTooLong {
            limit: 1024 * 1024
        }))
    );
    // The other callback of the operation still resolves.
    assert_eq!(
        resolved[1].outcome,
        CallbackOutcome::Url("https://c.example/hook".to_owned())
    );
}

#[test]
fn max_rendered_len_bounds_all_the_callbacks_of_an_operation_together() {
    // Each URL is 1 MiB + 19 bytes: alone under a limit of 3 MiB, the three together are not.
    let keys: Vec<String> = (0..3)
        .map(|i| format!("https://c{i}.example/{{$request.body#/a}}"))
        .collect();
    let document = resolving_document(&keys, json!({}));
    let mut limits = LoadLimits::default();
    limits.max_rendered_len = 3 * 1024 * 1024;
    let doc = from_json(&document, limits).expect("loads");
    let op = doc.operation("s").expect("declared");
    let resolved = op.resolve_callbacks(&large_value_exchange());
    assert!(matches!(&resolved[0].outcome, CallbackOutcome::Url(url) if url.len() > 1024 * 1024));
    assert!(matches!(&resolved[1].outcome, CallbackOutcome::Url(_)));
    assert_eq!(
        resolved[2].outcome,
        CallbackOutcome::Skipped(SkipReason::Evaluation(EvalError::RenderedTooLong {
            limit: 3 * 1024 * 1024
        }))
    );
    // A bare-expression key counts too.
    let mut limits = LoadLimits::default();
    limits.max_rendered_len = 10;
    let doc = from_json(
        &resolving_document(&["$request.body#/url".to_owned()], json!({})),
        limits,
    )
    .expect("loads");
    let op = doc.operation("s").expect("declared");
    assert!(matches!(
        &op.resolve_callbacks(&large_value_exchange())[0].outcome,
        CallbackOutcome::Skipped(SkipReason::Evaluation(EvalError::RenderedTooLong {
            limit: 10
        }))
    ));
}

/// Issue 10, finding 5: `links` cloned each parameter's value. They borrow from the exchange
/// now, and their text counts against the limit on what resolving produces.
#[test]
fn link_values_borrow_from_the_exchange_and_stop_at_max_rendered_len() {
    let parameters: serde_json::Map<String, Value> = (0..1_000)
        .map(|i| (format!("p{i}"), json!("$request.body#/a")))
        .collect();
    let document = resolving_document(&[], Value::Object(parameters));
    let mut limits = LoadLimits::default();
    limits.max_rendered_len = 3 * 1024 * 1024;
    let doc = from_json(&document, limits).expect("loads");
    let op = doc.operation("s").expect("declared");
    let exchange = large_value_exchange();
    let links = op.resolve_links(201, &exchange);
    let body = match expr_eval::Message::body(&exchange.request) {
        expr_eval::Body::Json(body) => body,
        other => panic!("a JSON body, not {other:?}"),
    };
    // Three fit; each is the exchange's own value, not a copy.
    assert_eq!(links[0].parameters.len(), 3);
    for (_, value) in &links[0].parameters {
        assert!(
            matches!(value, ResolvedValue::Evaluated(expr_eval::Value::Json(v)) if std::ptr::eq(*v, &body["a"])),
            "{value:?}"
        );
    }
    assert_eq!(links[0].not_passed.len(), 997);
    assert_eq!(
        links[0].not_passed["p3"],
        json!(
            "the rendered text would be longer than the limit of 3145728 bytes (max_rendered_len)"
        )
    );
}

/// An exchange that counts how often its query string is read.
struct CountedQueries {
    inner: OwnedExchange,
    reads: std::cell::Cell<usize>,
}

impl expr_eval::Exchange for CountedQueries {
    type Request = OwnedRequest;
    type Response = OwnedResponse;
    fn method(&self) -> &str {
        self.inner.method()
    }
    fn url(&self) -> Option<&str> {
        self.inner.url()
    }
    fn path(&self) -> &str {
        self.inner.path()
    }
    fn query(&self) -> Option<&str> {
        self.reads.set(self.reads.get() + 1);
        self.inner.query()
    }
    fn request(&self) -> &OwnedRequest {
        self.inner.request()
    }
    fn response(&self) -> Option<&OwnedResponse> {
        self.inner.response()
    }
    fn status_code(&self) -> Option<u16> {
        self.inner.status_code()
    }
}

/// Issue 10, finding 6: 1,000 expressions against 300,000 query parameters took 17 s, each one
/// splitting the whole query string again. Resolving indexes it once.
#[test]
fn resolving_many_expressions_reads_the_query_string_once() {
    let parameters: serde_json::Map<String, Value> = (0..1_000)
        .map(|i| {
            (
                format!("p{i}"),
                json!(format!("$request.query.q{}", i * 300)),
            )
        })
        .collect();
    let keys: Vec<String> = (0..50)
        .map(|i| format!("https://c.example/{{$request.query.q{i}}}"))
        .collect();
    let document = resolving_document(&keys, Value::Object(parameters));
    let doc = from_json(&document, LoadLimits::default()).expect("loads");
    let op = doc.operation("s").expect("declared");
    let mut url = String::from("https://api.example/s?");
    for i in 0..300_000 {
        url.push_str(&format!("q{i}=v{i}&"));
    }
    let exchange = CountedQueries {
        inner: OwnedExchange::new(OwnedRequest::new("POST", url).expect("valid"))
            .with_response(OwnedResponse::new(201).expect("valid")),
        reads: std::cell::Cell::new(0),
    };
    let links = op.resolve_links(201, &exchange);
    assert_eq!(links[0].parameters.len(), 1_000);
    assert_eq!(
        links[0].parameter("p999").map(ResolvedValue::to_json),
        Some(json!("v299700"))
    );
    // The first lookup reads in place, the second builds the index.
    assert_eq!(exchange.reads.get(), 2);
    let resolved = op.resolve_callbacks(&exchange);
    assert_eq!(
        resolved[49].outcome,
        CallbackOutcome::Url("https://c.example/v49".to_owned())
    );
    assert_eq!(exchange.reads.get(), 4);
}
