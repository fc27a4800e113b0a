//! No panic on any user data: raw HTTP messages, URLs, path templates, query strings, bodies and
//! header values of any shape give a value or an error, never a panic.

use expr_eval::{CompiledTemplate, OwnedExchange, OwnedRequest, OwnedResponse, evaluate};
use expr_grammar::Expression;
use proptest::prelude::*;

const EXPRESSIONS: &[&str] = &[
    "$url",
    "$method",
    "$statusCode",
    "$request.header.X-A",
    "$request.query.a",
    "$request.query.",
    "$request.path.id",
    "$request.path.",
    "$request.body",
    "$request.body#",
    "$request.body#/a/0",
    "$request.body#/-",
    "$response.header.Location",
    "$response.body#/x",
];

fn evaluate_all(exchange: &OwnedExchange) {
    for text in EXPRESSIONS {
        let expression = Expression::parse(text).expect("valid");
        let _ = evaluate(&expression, exchange).map(|value| value.to_string());
        let _ = expr_eval::CompiledExpression::new(expression).evaluate(exchange);
    }
    let template = CompiledTemplate::parse(
        "https://x/{$request.path.id}?q={$request.body#/a/0}&h={$request.header.X-A}",
    )
    .expect("template");
    let _ = template.render(exchange);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn raw_messages(request in proptest::collection::vec(any::<u8>(), 0..300), response in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = OwnedResponse::parse_http1(&response);
        if let Ok(request) = OwnedRequest::parse_http1(&request, "https") {
            evaluate_all(&OwnedExchange::new(request));
        }
    }

    #[test]
    fn structured_raw_messages(
        target in "[ -~]{0,40}",
        header in "[ -~\u{80}-\u{10ffff}]{0,30}",
        body in "[ -~\u{80}-\u{2000}]{0,60}",
    ) {
        let text = format!("POST /{target} HTTP/1.1\r\nHost: h.example\r\nX-A: {header}\r\n\r\n{body}");
        if let Ok(request) = OwnedRequest::parse_http1(text.as_bytes(), "https") {
            evaluate_all(&OwnedExchange::new(request));
        }
    }

    #[test]
    fn urls_templates_and_bodies(
        path in "(/[a-z%0-9{}+é.-]{0,8}){0,4}",
        query in "[a-z=&%+0-9é;]{0,30}",
        template in "(/[a-z{}.-]{0,8}){0,4}",
        body in "[\\[\\]{}\":,0-9a-z /~-]{0,40}",
        content_type in prop::option::of("(application/json|text/plain|application/x\\+json|;|[a-z/+]{0,12})"),
    ) {
        let url = format!("https://h.example{path}?{query}");
        let Ok(request) = OwnedRequest::new("GET", url) else { return Ok(()) };
        let mut request = request.with_body(body.into_bytes());
        if let Some(content_type) = content_type {
            request = request.with_header("Content-Type", content_type);
        }
        let _ = request.set_path_template(Some(template));
        let exchange = OwnedExchange::new(request);
        evaluate_all(&exchange);
    }

    #[test]
    fn exchange_files(json in "[\\[\\]{}\":,0-9a-zA-Z /~-]{0,80}") {
        let _ = serde_json::from_str::<OwnedExchange>(&json);
    }
}
