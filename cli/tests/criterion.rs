//! `oas-callbacks criterion`, run as a real process against a workflow context file: each
//! condition type, the output (`true` or `false`, exit status 0), criteria that cannot be read
//! or evaluated (exit status 1, the reason on stderr) and context files that cannot be read
//! (exit status 2).

mod common;

use common::{failure, oas_callbacks, text};

const CONTEXT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/contexts/pets.json");

/// Evaluates `criterion` against the pets context; it must succeed. Returns stdout.
fn evaluate(criterion: &str, extra: &[&str]) -> String {
    let mut args = vec!["criterion", "--context", CONTEXT];
    args.extend_from_slice(extra);
    args.push(criterion);
    let output = oas_callbacks(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{criterion}: stderr {}",
        text(&output.stderr)
    );
    assert_eq!(text(&output.stderr), "", "{criterion} wrote to stderr");
    text(&output.stdout).to_owned()
}

#[test]
fn simple_conditions_print_true_or_false() {
    for (criterion, expected) in [
        (
            r#"{"condition": "$statusCode == 200 && $response.body#/count > 0"}"#,
            "true\n",
        ),
        (r#"{"condition": "$statusCode == 201"}"#, "false\n"),
        (
            r#"{"condition": "$response.body#/status == 'available'"}"#,
            "true\n",
        ),
        (
            r#"{"condition": "$response.body.pets[1].name == 'TOM'"}"#,
            "true\n",
        ),
        (
            r#"{"condition": "$response.header.x-rate-limit >= 10 || $method == 'POST'"}"#,
            "true\n",
        ),
        (
            r#"{"condition": "$request.query.limit == 2 && $request.path.petId == '7'"}"#,
            "true\n",
        ),
        (
            r#"{"condition": "$request.header.X-Request-Id == 'first'"}"#,
            "true\n",
        ),
        (r#"{"condition": "$response.body#/next == null"}"#, "true\n"),
        (
            r#"{"condition": "!($url == 'https://petstore.example/pets?status=available&limit=2')"}"#,
            "false\n",
        ),
        (
            r#"{"condition": "$inputs.username == 'ADA' && $inputs.pet#/kind == 'dog'"}"#,
            "true\n",
        ),
        (
            r#"{"condition": "$steps.login.outputs.token == 'abc' && $steps.login.outputs.user#/id == 42"}"#,
            "true\n",
        ),
        (
            r#"{"condition": "$workflows.checkout.outputs.orderId > 1000 && $workflows.checkout.inputs.cart == 'C-1'"}"#,
            "true\n",
        ),
        (r#"{"condition": "$outputs.adopted"}"#, "false\n"),
        (
            r#"{"condition": "$message.payload#/orderId == 5 && $message.payload.items[0].sku == 'a-1'"}"#,
            "true\n",
        ),
        // A condition whose value is null fails.
        (r#"{"condition": "$response.body#/next"}"#, "false\n"),
    ] {
        assert_eq!(evaluate(criterion, &[]), expected, "{criterion}");
    }
}

#[test]
fn regex_jsonpath_and_xpath_conditions() {
    for (criterion, expected) in [
        (
            r#"{"context": "$statusCode", "condition": "^2\\d{2}$", "type": "regex"}"#,
            "true\n",
        ),
        (
            r#"{"context": "$response.header.Content-Type", "condition": "xml", "type": "regex"}"#,
            "false\n",
        ),
        (
            r#"{"context": "$response.body", "condition": "$.pets[?@.id == 8]", "type": "jsonpath"}"#,
            "true\n",
        ),
        (
            r#"{"context": "$response.body", "condition": "$.pets[?@.id == 9]", "type": {"type": "jsonpath", "version": "rfc9535"}}"#,
            "false\n",
        ),
        // An embedded expression is substituted as text first.
        (
            r#"{"context": "$response.body", "condition": "$.pets[?@.id == {$request.path.petId}]", "type": "jsonpath"}"#,
            "true\n",
        ),
        (
            r#"{"context": "$response.body#/xml", "condition": "count(/pets/pet) = 2", "type": {"type": "xpath", "version": "xpath-10"}}"#,
            "true\n",
        ),
        (
            r#"{"context": "$response.body#/xml", "condition": "/pets/pet[@id = '9']", "type": "xpath"}"#,
            "false\n",
        ),
    ] {
        assert_eq!(evaluate(criterion, &[]), expected, "{criterion}");
    }
}

#[test]
fn the_dialect_is_chosen_and_checked() {
    let criterion = r#"{"condition": "$statusCode == 200"}"#;
    for dialect in ["arazzo-1.0.0", "arazzo-1.0.1", "arazzo-1.1.0", "openapi"] {
        assert_eq!(
            evaluate(criterion, &["--dialect", dialect]),
            "true\n",
            "{dialect}"
        );
    }
    let stderr = failure(
        &[
            "criterion",
            "--context",
            CONTEXT,
            "--dialect",
            "arazzo-2.0.0",
            criterion,
        ],
        2,
    );
    assert!(stderr.contains("arazzo-2.0.0"), "{stderr}");
    // Each dialect reads its own grammar: `$message.` is in 1.0.0 and 1.1.0, not in 1.0.1.
    let message = r#"{"condition": "$message.header.kind == 'created'"}"#;
    let stderr = failure(
        &[
            "criterion",
            "--context",
            CONTEXT,
            "--dialect",
            "arazzo-1.0.1",
            message,
        ],
        1,
    );
    assert!(stderr.contains("error: "), "{stderr}");
    for dialect in ["arazzo-1.0.0", "arazzo-1.1.0"] {
        assert_eq!(
            evaluate(message, &["--dialect", dialect]),
            "true\n",
            "{dialect}"
        );
    }
}

#[test]
fn a_criterion_that_cannot_be_evaluated_says_why() {
    for (criterion, says) in [
        (
            r#"{"condition": "$response.body#/missing > 0"}"#,
            "the response body has no value at `#/missing`",
        ),
        (
            r#"{"condition": "$request.header.X-Absent == 'a'"}"#,
            "the request has no header `X-Absent`",
        ),
        (
            r#"{"condition": "$steps.nope.outputs.x == 1"}"#,
            "the context has no step `nope`",
        ),
        (
            r#"{"condition": "$steps.login.outputs.tokn == 1"}"#,
            "step `login` has no output `tokn`",
        ),
        (
            r#"{"condition": "$inputs.password == 'x'"}"#,
            "the workflow has no input `password`",
        ),
        (
            r#"{"condition": "$sourceDescriptions.pets.url == 'x'"}"#,
            "not part of a workflow context",
        ),
        (r#"{"condition": "$response.body#/count"}"#, "boolean"),
        (r#"{"condition": "$response.body#/pets > 1"}"#, "order"),
    ] {
        let stderr = failure(&["criterion", "--context", CONTEXT, criterion], 1);
        assert!(stderr.starts_with("error: "), "{criterion}: {stderr}");
        assert!(stderr.contains(says), "{criterion}: {stderr}");
    }
}

#[test]
fn a_criterion_that_cannot_be_read_is_an_error_with_its_place() {
    let stderr = failure(
        &[
            "criterion",
            "--context",
            CONTEXT,
            r#"{"condition": "$statusCode = 200"}"#,
        ],
        1,
    );
    assert!(
        stderr.contains("`=` is not an operator: use `==`"),
        "{stderr}"
    );
    assert!(stderr.contains("$statusCode = 200\n"), "{stderr}");
    assert!(stderr.contains("^"), "{stderr}");
    for (criterion, says) in [
        ("{\"condition\": ", "not JSON"),
        (r#"{"context": "$response.body"}"#, "no `condition`"),
        (r#"{"condition": "a", "type": "regexp"}"#, "regexp"),
        (
            r#"{"condition": "(", "context": "$statusCode", "type": "regex"}"#,
            "regex",
        ),
        (
            r#"{"condition": "$[", "context": "$response.body", "type": "jsonpath"}"#,
            "JSONPath",
        ),
    ] {
        let stderr = failure(&["criterion", "--context", CONTEXT, criterion], 1);
        assert!(stderr.contains(says), "{criterion}: {stderr}");
    }
}

#[test]
fn context_files_that_cannot_be_read_are_usage_errors() {
    let criterion = r#"{"condition": "$statusCode == 200"}"#;
    let stderr = failure(
        &["criterion", "--context", "/nonexistent/ctx.json", criterion],
        2,
    );
    assert!(
        stderr.contains("cannot read /nonexistent/ctx.json"),
        "{stderr}"
    );
    let misspelt = common::scratch("criterion", "misspelt.json", r#"{"statuscode": 200}"#);
    let stderr = failure(&["criterion", "--context", &misspelt, criterion], 2);
    assert!(stderr.contains("not a workflow context"), "{stderr}");
    assert!(stderr.contains("statuscode"), "{stderr}");
    let not_json = common::scratch("criterion", "not-json.json", "statusCode: 200");
    let stderr = failure(&["criterion", "--context", &not_json, criterion], 2);
    assert!(stderr.contains("not a workflow context"), "{stderr}");
    // The criterion is read first: its mistake is reported even when the file is missing.
    let stderr = failure(
        &[
            "criterion",
            "--context",
            "/nonexistent/ctx.json",
            r#"{"condition": "("}"#,
        ],
        1,
    );
    assert!(stderr.contains("expected a value"), "{stderr}");
}
