//! `oas-callbacks eval`, run as a real process on the example exchange files: the specification's
//! Key Expression table through every file form, output format (strings as they are, other
//! values as compact JSON) and exit statuses (0 evaluated, 1 invalid or unresolvable, 2 files).

mod common;

use common::{failure, success};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");

fn example(name: &str) -> String {
    format!("{EXAMPLES}/{name}")
}

/// The three ways to give the specification's example exchange.
fn exchange_forms() -> Vec<Vec<String>> {
    vec![
        vec!["--exchange".into(), example("spec-exchange.json")],
        vec!["--exchange".into(), example("spec-exchange.yaml")],
        vec![
            "--request".into(),
            example("spec-request.http"),
            "--response".into(),
            example("spec-response.http"),
            "--path-template".into(),
            "/subscribe/{eventType}".into(),
        ],
    ]
}

fn eval(expression: &str, form: &[String]) -> String {
    let mut args = vec!["eval", expression];
    args.extend(form.iter().map(String::as_str));
    success(&args)
}

/// OAS 3.1.1 / 3.2.0, Callback Object, "Key Expression" table.
#[test]
fn key_expression_table() {
    let table = [
        (
            "$url",
            "https://example.org/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning",
        ),
        ("$method", "POST"),
        ("$request.path.eventType", "myevent"),
        (
            "$request.query.queryUrl",
            "https://clientdomain.com/stillrunning",
        ),
        ("$request.header.content-type", "application/json"),
        (
            "$request.body#/failedUrl",
            "https://clientdomain.com/failed",
        ),
        (
            "$request.body#/successUrls/1",
            "https://clientdomain.com/medium",
        ),
        (
            "$response.header.Location",
            "https://example.org/subscription/1",
        ),
        // 3.0.3 / 3.1.0 print `/successUrls/2` → medium: an erratum (zero-based indices, RFC 6901).
        (
            "$request.body#/successUrls/2",
            "https://clientdomain.com/slow",
        ),
    ];
    for form in exchange_forms() {
        for (expression, expected) in table {
            assert_eq!(
                eval(expression, &form),
                format!("{expected}\n"),
                "{expression} {form:?}"
            );
        }
    }
}

#[test]
fn non_string_values_print_as_compact_json() {
    for form in exchange_forms() {
        assert_eq!(eval("$statusCode", &form), "201\n");
        assert_eq!(
            eval("$request.body#/successUrls", &form),
            "[\"https://clientdomain.com/fast\",\"https://clientdomain.com/medium\",\"https://clientdomain.com/slow\"]\n"
        );
        let body = eval("$request.body", &form);
        let parsed: serde_json::Value =
            serde_json::from_str(&body).expect("the whole body is JSON");
        assert_eq!(parsed["failedUrl"], "https://clientdomain.com/failed");
        assert_eq!(body.lines().count(), 1, "compact");
    }
}

#[test]
fn templates() {
    for form in exchange_forms() {
        assert_eq!(
            eval("{$request.query.queryUrl}", &form),
            "https://clientdomain.com/stillrunning\n"
        );
        assert_eq!(
            eval(
                "{$request.query.queryUrl}/data?event={$request.path.eventType}&n={$statusCode}",
                &form
            ),
            "https://clientdomain.com/stillrunning/data?event=myevent&n=201\n"
        );
        // A template without expressions is its text; `$` inside literal text is a character.
        assert_eq!(
            eval("https://fixed.example/hook", &form),
            "https://fixed.example/hook\n"
        );
    }
}

#[test]
fn template_options() {
    let exchange = example("spec-exchange.json");
    let stderr = failure(
        &[
            "eval",
            "https://n.example/?p={$request.header.progressUrl}",
            "--exchange",
            &exchange,
        ],
        1,
    );
    assert_eq!(
        stderr,
        "error: header \"progressUrl\" not present in the request\n"
    );
    let out = success(&[
        "eval",
        "https://n.example/?p={$request.header.progressUrl}",
        "--exchange",
        &exchange,
        "--lenient",
    ]);
    assert_eq!(out, "https://n.example/?p=\n");
    let out = success(&[
        "eval",
        "https://n.example/?u={$request.query.queryUrl}",
        "--exchange",
        &exchange,
        "--percent-encode",
    ]);
    assert_eq!(
        out,
        "https://n.example/?u=https%3A%2F%2Fclientdomain.com%2Fstillrunning\n"
    );
}

#[test]
fn unresolvable_values_exit_1() {
    let exchange = example("spec-exchange.json");
    let stderr = failure(
        &[
            "eval",
            "$request.body#/successUrls/3",
            "--exchange",
            &exchange,
        ],
        1,
    );
    assert_eq!(
        stderr,
        "error: pointer /successUrls/3: index 3 out of bounds at /successUrls in the request body (array length 3)\n"
    );
    let stderr = failure(
        &[
            "eval",
            "$request.body#/successUrls/01",
            "--exchange",
            &exchange,
        ],
        1,
    );
    assert!(stderr.contains("leading zeros"), "{stderr}");
    // No response given: `$response.*` and `$statusCode` have nothing to read.
    let request = example("spec-request.http");
    let stderr = failure(
        &["eval", "$response.header.Location", "--request", &request],
        1,
    );
    assert_eq!(stderr, "error: no response in this exchange\n");
    // A raw request carries no path template.
    let stderr = failure(
        &["eval", "$request.path.eventType", "--request", &request],
        1,
    );
    assert!(stderr.contains("no path template"), "{stderr}");
    let stderr = failure(
        &[
            "eval",
            "$request.path.eventType",
            "--request",
            &request,
            "--path-template",
            "/unsubscribe/{eventType}",
        ],
        1,
    );
    assert_eq!(
        stderr,
        "error: request path \"/subscribe/myevent\" does not match the path template \"/unsubscribe/{eventType}\"\n"
    );
}

#[test]
fn invalid_expressions_exit_1() {
    let exchange = example("spec-exchange.json");
    let stderr = failure(&["eval", "$request.headers.X", "--exchange", &exchange], 1);
    assert!(
        stderr.starts_with("error: expected `header.`, `query.`, `path.` or `body`"),
        "{stderr}"
    );
    assert!(stderr.contains('^'), "caret: {stderr}");
    let stderr = failure(&["eval", "http://x/{id}", "--exchange", &exchange], 1);
    assert!(stderr.contains("expected `$`"), "{stderr}");
    // The expression is checked before the files are read.
    failure(&["eval", "$nope", "--exchange", "/no/such/file.json"], 1);
}

#[test]
fn file_problems_exit_2() {
    let stderr = failure(&["eval", "$method", "--exchange", "/no/such/file.json"], 2);
    assert!(
        stderr.starts_with("error: cannot read /no/such/file.json"),
        "{stderr}"
    );
    let broken = common::scratch("eval", "broken.json", "{\"request\": ");
    failure(&["eval", "$method", "--exchange", &broken], 2);
    let not_exchange = common::scratch("eval", "other.yaml", "openapi: 3.1.0\ninfo: {}\n");
    let stderr = failure(&["eval", "$method", "--exchange", &not_exchange], 2);
    assert!(stderr.contains("not an exchange file"), "{stderr}");
    let typo = common::scratch(
        "eval",
        "typo.json",
        r#"{"request": {"method": "GET", "url": "https://h/", "header": {}}}"#,
    );
    let stderr = failure(&["eval", "$method", "--exchange", &typo], 2);
    assert!(stderr.contains("unknown field `header`"), "{stderr}");
    let no_host = common::scratch("eval", "nohost.http", "GET /x HTTP/1.1\nAccept: */*\n\n");
    let stderr = failure(&["eval", "$url", "--request", &no_host], 2);
    assert!(stderr.contains("no Host header"), "{stderr}");
    let request = example("spec-request.http");
    let stderr = failure(
        &[
            "eval",
            "$method",
            "--request",
            &request,
            "--response",
            &request,
        ],
        2,
    );
    assert!(stderr.contains("spec-request.http"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    failure(&["eval", "$method"], 2);
    let exchange = example("spec-exchange.json");
    let request = example("spec-request.http");
    failure(
        &[
            "eval",
            "$method",
            "--exchange",
            &exchange,
            "--request",
            &request,
        ],
        2,
    );
    failure(
        &[
            "eval",
            "$method",
            "--response",
            &example("spec-response.http"),
        ],
        2,
    );
}

#[test]
fn raw_files_with_a_scheme_and_repeated_fields() {
    let request = common::scratch(
        "eval",
        "repeated.http",
        "GET /v2/items/caf%C3%A9?tag=a+b&tag=c&path=%2Fx HTTP/1.1\r\nHost: api.example\r\nX-Tag: one\r\nx-tag: two\r\n\r\n",
    );
    let args = |expression: &'static str| -> Vec<String> {
        vec![
            "eval".into(),
            expression.into(),
            "--request".into(),
            request.clone(),
            "--scheme".into(),
            "http".into(),
            "--path-template".into(),
            "/items/{id}".into(),
        ]
    };
    let run = |expression: &'static str| {
        let args = args(expression);
        success(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_eq!(
        run("$url"),
        "http://api.example/v2/items/caf%C3%A9?tag=a+b&tag=c&path=%2Fx\n"
    );
    assert_eq!(run("$request.path.id"), "café\n");
    assert_eq!(run("$request.query.tag"), "a b\n");
    assert_eq!(run("$request.query.path"), "/x\n");
    assert_eq!(run("$request.header.X-TAG"), "one\n");
}

#[test]
fn request_and_response_objects_in_separate_files() {
    let request = common::scratch(
        "eval",
        "request.yaml",
        "method: GET\nurl: https://api.example/users/42\nheaders:\n  Accept: application/json\n",
    );
    let response = common::scratch(
        "eval",
        "response.json",
        r#"{"status": 200, "headers": {"Content-Type": "application/json"}, "bodyText": "{\"uuid\": \"u-42\"}"}"#,
    );
    let out = success(&[
        "eval",
        "$response.body#/uuid",
        "--request",
        &request,
        "--response",
        &response,
    ]);
    assert_eq!(out, "u-42\n");
    // An exchange file may also stand for the response.
    let out = success(&[
        "eval",
        "$statusCode",
        "--request",
        &request,
        "--response",
        &example("spec-exchange.json"),
    ]);
    assert_eq!(out, "201\n");
}
