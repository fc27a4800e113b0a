//! `oas-callbacks parse`, run as a real process: output streams and exit statuses as DESIGN §5
//! fixes them (0 success, 1 invalid input, 2 usage error; results on stdout, errors on stderr).

mod common;

use common::{failure, success};
use serde_json::{Value, json};

#[test]
fn expression_prints_its_canonical_form() {
    assert_eq!(
        success(&["parse", "$request.body#/user/uuid"]),
        "$request.body#/user/uuid\n"
    );
    assert_eq!(
        success(&["parse", "$Request.Header.Accept"]),
        "$request.header.Accept\n"
    );
    assert_eq!(success(&["parse", "$STATUSCODE"]), "$statusCode\n");
    assert_eq!(
        success(&["parse", r"$request.query.\u00e9\/x"]),
        "$request.query.é/x\n"
    );
    assert_eq!(
        success(&["parse", "$request.path.日本語"]),
        "$request.path.日本語\n"
    );
}

#[test]
fn template_prints_its_canonical_form() {
    let key = "http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}";
    assert_eq!(success(&["parse", "--template", key]), format!("{key}\n"));
    assert_eq!(
        success(&["parse", "--template", "{$URL}/data"]),
        "{$url}/data\n"
    );
    // The empty string is a template (but not an expression), printed as an empty line.
    assert_eq!(success(&["parse", "--template", ""]), "\n");
    // `$` outside braces is literal text.
    assert_eq!(
        success(&["parse", "--template", "$request.bodyx"]),
        "$request.bodyx\n"
    );
}

#[test]
fn json_prints_the_expression_tree() {
    let printed = success(&["parse", "--json", "$response.body#/a~1b/0"]);
    let tree: Value = serde_json::from_str(&printed).expect("stdout is JSON");
    assert_eq!(
        tree,
        json!({
            "type": "response",
            "source": "body",
            "pointer": "/a~1b/0",
            "tokens": ["a/b", "0"],
            "canonical": "$response.body#/a~1b/0",
        })
    );
    let printed = success(&["parse", "$request.header.X-Id", "--json"]);
    let tree: Value = serde_json::from_str(&printed).expect("stdout is JSON");
    assert_eq!(
        tree,
        json!({"type": "request", "source": "header", "name": "X-Id", "canonical": "$request.header.X-Id"})
    );
    let printed = success(&["parse", "--json", "$request.body"]);
    let tree: Value = serde_json::from_str(&printed).expect("stdout is JSON");
    assert_eq!(tree["pointer"], Value::Null);
    assert_eq!(tree["canonical"], "$request.body");
}

#[test]
fn json_prints_the_template_segments() {
    let printed = success(&[
        "parse",
        "--template",
        "--json",
        "{$request.query.callbackUrl}/data",
    ]);
    let tree: Value = serde_json::from_str(&printed).expect("stdout is JSON");
    assert_eq!(
        tree,
        json!({
            "canonical": "{$request.query.callbackUrl}/data",
            "segments": [
                {"type": "expression", "expression": {
                    "type": "request", "source": "query", "name": "callbackUrl",
                    "canonical": "$request.query.callbackUrl",
                }},
                {"type": "literal", "text": "/data"},
            ],
        })
    );
}

#[test]
fn invalid_expression_exits_1_with_the_caret_message() {
    let message = failure(&["parse", "$response.body.id"], 1);
    assert_eq!(
        message,
        "error: expected `#` or end of input at line 1, column 15\n  |\n1 | $response.body.id\n  |               ^\n"
    );
}

#[test]
fn invalid_template_exits_1_with_the_caret_message() {
    let message = failure(&["parse", "--template", "http://x/{id}"], 1);
    assert!(
        message.starts_with("error: expected `$` after `{`"),
        "{message}"
    );
    assert!(
        message.ends_with("1 | http://x/{id}\n  |           ^\n"),
        "{message}"
    );
}

#[test]
fn template_only_inputs_are_invalid_expressions() {
    failure(&["parse", "$request.bodyx"], 1);
    failure(&["parse", ""], 1);
    failure(&["parse", "{$url}"], 1);
    failure(&["parse", "--json", "$request.headers.x"], 1);
}

#[test]
fn input_after_double_dash_is_parsed_not_taken_as_a_flag() {
    let message = failure(&["parse", "--", "--json"], 1);
    assert!(message.contains("1 | --json"), "{message}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["parse"][..],
        &["parse", "--template"],
        &["parse", "--bogus", "$url"],
        &["parse", "$url", "$method"],
        &["no-such-command"],
        &[],
    ] {
        let message = failure(args, 2);
        assert!(!message.is_empty(), "{args:?}: nothing on stderr");
    }
}

// --- Arazzo dialects (DESIGN §8) ---------------------------------------------------------------

#[test]
fn dialect_parses_arazzo_expressions_in_their_canonical_form() {
    for (dialect, input, canonical) in [
        (
            "arazzo-1.1.0",
            "$steps.getPet.OUTPUTS.pets#/0/id",
            "$steps.getPet.outputs.pets#/0/id",
        ),
        (
            "arazzo-1.1.0",
            "$Message.payload#/orderId",
            "$message.payload#/orderId",
        ),
        ("arazzo-1.1.0", "$self", "$self"),
        (
            "arazzo-1.1.0",
            r"$request.query.a\u007bb",
            r"$request.query.a\u007bb",
        ),
        (
            "arazzo-1.0.1",
            "$steps.someStep.pets",
            "$steps.someStep.pets",
        ),
        ("arazzo-1.0.1", "$inputs.a\\u0062", "$inputs.ab"),
        ("arazzo-1.0.0", "$message.header.X", "$message.header.X"),
        ("openapi", "$URL", "$url"),
    ] {
        assert_eq!(
            success(&["parse", "--dialect", dialect, input]),
            format!("{canonical}\n"),
            "{dialect} {input}"
        );
    }
}

#[test]
fn without_dialect_parse_is_the_openapi_grammar() {
    // The same bytes as before the dialects existed: an Arazzo expression is an error, and a
    // name with a brace is written raw.
    let message = failure(&["parse", "$inputs.username"], 1);
    assert!(
        message.starts_with("error: expected `$url`, `$method`, `$statusCode`, `$request.` or `$response.` at line 1, column 1"),
        "{message}"
    );
    assert_eq!(
        success(&["parse", r"$request.query.a\u007bb"]),
        "$request.query.a{b\n"
    );
    assert_eq!(
        success(&["parse", "--dialect", "openapi", r"$request.query.a\u007bb"]),
        "$request.query.a{b\n"
    );
}

#[test]
fn dialect_json_trees() {
    let tree = |dialect: &str, input: &str| -> Value {
        serde_json::from_str(&success(&["parse", "--json", "--dialect", dialect, input]))
            .expect("one JSON object")
    };
    assert_eq!(
        tree("arazzo-1.1.0", "$steps.s.outputs.o#/a~1b"),
        json!({"type": "steps", "stepId": "s", "name": "o", "pointer": "/a~1b", "tokens": ["a/b"], "canonical": "$steps.s.outputs.o#/a~1b"})
    );
    assert_eq!(
        tree("arazzo-1.1.0", "$workflows.w.outputs.x"),
        json!({"type": "workflows", "workflowId": "w", "field": "outputs", "name": "x", "pointer": null, "canonical": "$workflows.w.outputs.x"})
    );
    assert_eq!(
        tree("arazzo-1.1.0", "$inputs.customer.uri"),
        json!({"type": "inputs", "name": "customer.uri", "pointer": null, "canonical": "$inputs.customer.uri"})
    );
    assert_eq!(
        tree("arazzo-1.1.0", "$outputs.o#"),
        json!({"type": "outputs", "name": "o", "pointer": "", "tokens": [], "canonical": "$outputs.o#"})
    );
    assert_eq!(
        tree("arazzo-1.1.0", "$sourceDescriptions.petstore.url"),
        json!({"type": "sourceDescriptions", "name": "petstore", "reference": "url", "canonical": "$sourceDescriptions.petstore.url"})
    );
    assert_eq!(
        tree("arazzo-1.1.0", "$components.successActions.notify"),
        json!({"type": "components", "kind": "successActions", "name": "notify", "canonical": "$components.successActions.notify"})
    );
    assert_eq!(
        tree("arazzo-1.1.0", "$message.payload#/id"),
        json!({"type": "message", "source": "payload", "pointer": "/id", "tokens": ["id"], "canonical": "$message.payload#/id"})
    );
    assert_eq!(
        tree("arazzo-1.1.0", "$self"),
        json!({"type": "self", "canonical": "$self"})
    );
    assert_eq!(
        tree("arazzo-1.0.1", "$components.inputs.x"),
        json!({"type": "unstructured", "family": "components", "name": "inputs.x", "canonical": "$components.inputs.x"})
    );
    // OpenAPI trees keep their shape under an Arazzo dialect.
    assert_eq!(
        tree("arazzo-1.0.1", "$response.body"),
        json!({"type": "response", "source": "body", "pointer": null, "canonical": "$response.body"})
    );
}

#[test]
fn dialect_templates_are_expression_strings() {
    let text = "https://{$inputs.host}/api/{$steps.create.outputs.id}/status";
    assert_eq!(
        success(&["parse", "--template", "--dialect", "arazzo-1.1.0", text]),
        format!("{text}\n")
    );
    let tree: Value = serde_json::from_str(&success(&[
        "parse",
        "--template",
        "--json",
        "--dialect",
        "arazzo-1.1.0",
        "{$sourceDescriptions.petStore.url}#/paths/~1pet/get",
    ]))
    .expect("one JSON object");
    assert_eq!(
        tree,
        json!({"canonical": "{$sourceDescriptions.petStore.url}#/paths/~1pet/get", "segments": [
            {"type": "expression", "expression": {"type": "sourceDescriptions", "name": "petStore", "reference": "url", "canonical": "$sourceDescriptions.petStore.url"}},
            {"type": "literal", "text": "#/paths/~1pet/get"},
        ]})
    );
    // The form-data erratum of both versions: a lone `}`.
    let message = failure(
        &[
            "parse",
            "--template",
            "--dialect",
            "arazzo-1.0.1",
            "a={$inputs.a}&scope=$inputs.scope}",
        ],
        1,
    );
    assert!(message.contains("unmatched `}`"), "{message}");
}

#[test]
fn dialect_errors_exit_1_with_the_caret_message() {
    let message = failure(
        &["parse", "--dialect", "arazzo-1.1.0", "$steps.getPet.pets"],
        1,
    );
    assert_eq!(
        message,
        "error: expected `.outputs.` at line 1, column 14\n  |\n1 | $steps.getPet.pets\n  |              ^\n"
    );
    let message = failure(&["parse", "--dialect", "arazzo-1.0.1", "$self"], 1);
    assert!(message.contains("`$components.`"), "{message}");
    let message = failure(
        &[
            "parse",
            "--template",
            "--dialect",
            "arazzo-1.1.0",
            "{$steps.s}",
        ],
        1,
    );
    assert!(
        message.starts_with("error: expected `.outputs.`"),
        "{message}"
    );
}

#[test]
fn unknown_dialect_is_a_usage_error() {
    let message = failure(&["parse", "--dialect", "arazzo-1.2.0", "$url"], 2);
    assert!(
        message.contains("expected `openapi`, `arazzo-1.0.0`, `arazzo-1.0.1` or `arazzo-1.1.0`"),
        "{message}"
    );
}
