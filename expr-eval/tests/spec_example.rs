//! The OpenAPI specification's Callback Object "Key Expression" table (3.1.1 / 3.0.4 / 3.2.0),
//! row for row, against every form of the example exchange shipped in `examples/`: the exchange
//! file (JSON and YAML) and the raw HTTP/1.1 request/response pair.

use expr_eval::{
    CompiledTemplate, EvalError, OwnedExchange, OwnedRequest, OwnedResponse, Value, evaluate,
};
use expr_grammar::Expression;

const EXCHANGE_JSON: &str = include_str!("../../examples/spec-exchange.json");
const EXCHANGE_YAML: &str = include_str!("../../examples/spec-exchange.yaml");
const REQUEST_HTTP: &str = include_str!("../../examples/spec-request.http");
const RESPONSE_HTTP: &str = include_str!("../../examples/spec-response.http");

/// The table of OAS 3.1.1 / 3.2.0 ("Expression | Value"), values without the Markdown `<…>`.
const KEY_EXPRESSIONS: &[(&str, &str)] = &[
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
];

fn exchanges() -> Vec<(&'static str, OwnedExchange)> {
    let json: OwnedExchange = serde_json::from_str(EXCHANGE_JSON).expect("spec-exchange.json");
    let yaml: OwnedExchange = serde_saphyr::from_str(EXCHANGE_YAML).expect("spec-exchange.yaml");
    // The raw request carries no path template: the operation `/subscribe/{eventType}` gives it.
    let mut request =
        OwnedRequest::parse_http1(REQUEST_HTTP.as_bytes(), "https").expect("spec-request.http");
    request
        .set_path_template(Some("/subscribe/{eventType}".into()))
        .expect("template");
    let response =
        OwnedResponse::parse_http1(RESPONSE_HTTP.as_bytes()).expect("spec-response.http");
    let raw = OwnedExchange::new(request).with_response(response);
    vec![
        ("spec-exchange.json", json),
        ("spec-exchange.yaml", yaml),
        ("spec-request.http + spec-response.http", raw),
    ]
}

fn eval<'a>(text: &str, exchange: &'a OwnedExchange) -> Result<Value<'a>, EvalError> {
    let expression = Expression::parse(text).expect("expression parses");
    evaluate(&expression, exchange)
}

#[test]
fn key_expression_table_row_for_row() {
    for (name, exchange) in exchanges() {
        for (expression, expected) in KEY_EXPRESSIONS {
            let value = eval(expression, &exchange)
                .unwrap_or_else(|err| panic!("{name}: {expression}: {err}"));
            assert_eq!(value, *expected, "{name}: {expression}");
            assert!(value.is_string(), "{name}: {expression} is a string");
        }
    }
}

/// OAS 3.0.3 and 3.1.0 print `$request.body#/successUrls/2` → `…/medium`: an erratum (issue
/// #2167), fixed in 3.0.4 / 3.1.1 by changing the expression to `/successUrls/1`. Under RFC 6901
/// array indices are zero-based, so `/successUrls/2` is the third URL.
#[test]
fn erratum_success_urls_2_is_the_third_url() {
    for (name, exchange) in exchanges() {
        let value = eval("$request.body#/successUrls/2", &exchange).expect("resolves");
        assert_eq!(value, "https://clientdomain.com/slow", "{name}");
    }
}

/// 3.0.3 / 3.1.0 write the header expression `content-Type`: header names are case-insensitive.
#[test]
fn older_spelling_of_the_header_row() {
    for (name, exchange) in exchanges() {
        assert_eq!(
            eval("$request.header.content-Type", &exchange).expect("header"),
            "application/json",
            "{name}"
        );
    }
}

#[test]
fn status_code_and_whole_body() {
    for (name, exchange) in exchanges() {
        assert_eq!(
            eval("$statusCode", &exchange),
            Ok(Value::Int(201)),
            "{name}"
        );
        let body = eval("$request.body", &exchange).expect("body");
        assert_eq!(
            body,
            serde_json::json!({
                "failedUrl": "https://clientdomain.com/failed",
                "successUrls": [
                    "https://clientdomain.com/fast",
                    "https://clientdomain.com/medium",
                    "https://clientdomain.com/slow"
                ]
            }),
            "{name}"
        );
        assert!(
            matches!(
                eval("$response.body", &exchange),
                Err(EvalError::NoBody { .. })
            ),
            "{name}"
        );
    }
}

/// The specification's two Callback Object example keys.
#[test]
fn callback_object_example_keys() {
    for (name, exchange) in exchanges() {
        let key = CompiledTemplate::parse("{$request.query.queryUrl}").expect("key");
        assert_eq!(
            key.render(&exchange).as_deref(),
            Ok("https://clientdomain.com/stillrunning"),
            "{name}"
        );

        // The body has no `id` or `email`: strict rendering says so.
        let key = CompiledTemplate::parse(
            "http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}",
        )
        .expect("key");
        let err = key.render(&exchange).expect_err("no id");
        assert_eq!(
            err.to_string(),
            r#"pointer /id: key "id" not found at the top level of the request body"#,
            "{name}"
        );
    }
}
