//! Hostile exchanges: bodies nested 100,000 levels deep, 10,000 header fields, header values
//! with obs-text and control bytes; and the evaluator's properties (a template renders as the
//! concatenation of its segments' values; a pointer built from a path into a JSON value
//! resolves back to that value). Each test asserts a clear error or a correct result, never a
//! timing.

use expr_eval::{
    CompiledExpression, CompiledTemplate, EvalError, ExchangeError, MAX_HEADERS, MAX_JSON_DEPTH,
    OwnedExchange, OwnedRequest, OwnedResponse, RenderOptions, Value, evaluate,
};
use expr_grammar::{Expression, PointerBuf, Segment, Source, Template, Token};

/// `[[[…]]]`, `levels` deep.
fn nested(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

/// `{"a":{"a":…}}`, `levels` deep.
fn nested_objects(levels: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(levels), "}".repeat(levels))
}

fn raw_request(content_type: Option<&str>, body: &str) -> String {
    let content_type = content_type
        .map(|ct| format!("Content-Type: {ct}\n"))
        .unwrap_or_default();
    format!("POST /hooks HTTP/1.1\nHost: api.example\n{content_type}\n{body}\n")
}

fn eval(text: &str, exchange: &OwnedExchange) -> Result<String, EvalError> {
    let expression = Expression::parse(text).expect("a valid expression");
    evaluate(&expression, exchange).map(|value| value.to_string())
}

const DEEP: usize = 100_000;

#[test]
fn a_raw_request_body_nested_100_000_levels_deep_is_refused_by_name() {
    for content_type in [
        Some("application/json"),
        Some("application/cloudevents+json"),
        None,
    ] {
        for body in [nested(DEEP), nested_objects(DEEP)] {
            let err = OwnedExchange::parse_http1(raw_request(content_type, &body).as_bytes(), None)
                .expect_err("too deep");
            assert_eq!(
                err,
                ExchangeError::JsonTooDeep {
                    what: "request",
                    limit: MAX_JSON_DEPTH
                }
            );
            assert_eq!(
                err.to_string(),
                "the request body nests JSON arrays and objects more than 127 levels deep (the limit, MAX_JSON_DEPTH)"
            );
        }
    }
}

#[test]
fn a_raw_response_body_nested_100_000_levels_deep_is_refused_by_name() {
    let response = format!(
        "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{}",
        nested(DEEP)
    );
    let err = OwnedResponse::parse_http1(response.as_bytes()).expect_err("too deep");
    assert_eq!(
        err,
        ExchangeError::JsonTooDeep {
            what: "response",
            limit: MAX_JSON_DEPTH
        }
    );
}

#[test]
fn a_deep_body_under_a_text_content_type_is_text() {
    let body = nested(DEEP);
    let exchange =
        OwnedExchange::parse_http1(raw_request(Some("text/plain"), &body).as_bytes(), None)
            .expect("text is text");
    assert_eq!(eval("$request.body", &exchange).expect("the text"), body);
    let err = eval("$request.body#/0", &exchange).expect_err("not JSON");
    assert!(matches!(err, EvalError::BodyNotJson { .. }), "{err:?}");
}

#[test]
fn a_body_at_the_depth_limit_is_json() {
    for body in [nested(MAX_JSON_DEPTH), nested_objects(MAX_JSON_DEPTH)] {
        let exchange = OwnedExchange::parse_http1(
            raw_request(Some("application/json"), &body).as_bytes(),
            None,
        )
        .expect("at the limit");
        assert_eq!(eval("$request.body", &exchange).expect("the body"), body);
    }
    let exchange = OwnedExchange::parse_http1(
        raw_request(None, &nested_objects(MAX_JSON_DEPTH)).as_bytes(),
        None,
    )
    .expect("at the limit");
    let pointer = "/a".repeat(MAX_JSON_DEPTH);
    assert_eq!(
        eval(&format!("$request.body#{pointer}"), &exchange).expect("the leaf"),
        "1"
    );
}

#[test]
fn a_deep_body_given_to_a_builder_fails_a_pointer_by_name() {
    for content_type in [Some("application/json"), None] {
        let mut request = OwnedRequest::new("POST", "https://api.example/hooks")
            .expect("valid")
            .with_body(nested(DEEP));
        if let Some(content_type) = content_type {
            request = request.with_header("Content-Type", content_type);
        }
        let exchange = OwnedExchange::new(request);
        // The whole body is its text, and a pointer into it says why it is not JSON.
        assert_eq!(
            eval("$request.body", &exchange).expect("text").len(),
            2 * DEEP
        );
        let err = eval("$request.body#/0", &exchange).expect_err("too deep");
        assert_eq!(
            err,
            EvalError::BodyTooDeep {
                part: expr_eval::Part::Request,
                pointer: "/0".to_owned(),
                limit: MAX_JSON_DEPTH
            }
        );
        assert!(
            err.to_string()
                .contains("more than 127 levels deep (the limit, MAX_JSON_DEPTH)"),
            "{err}"
        );
        // The same through a compiled template, strict and lenient.
        let template =
            CompiledTemplate::parse("https://x.example/{$request.body#/0}").expect("valid");
        assert_eq!(template.render(&exchange), Err(err.clone()));
        let lenient = template
            .clone()
            .with_options(RenderOptions::default().with_lenient(true));
        assert_eq!(
            lenient.render(&exchange).expect("lenient"),
            "https://x.example/"
        );
    }
}

#[test]
fn a_deep_body_in_a_json_exchange_file_is_an_error_not_a_stack_overflow() {
    for body in [nested(DEEP), nested_objects(DEEP)] {
        let file = format!(
            r#"{{"request": {{"method": "POST", "url": "https://api.example/hooks", "body": {body}}}}}"#
        );
        let err = serde_json::from_str::<OwnedExchange>(&file).expect_err("too deep");
        assert!(
            err.to_string().starts_with("recursion limit exceeded"),
            "{err}"
        );
    }
}

#[test]
fn a_deep_body_in_a_yaml_exchange_file_is_an_error_not_a_stack_overflow() {
    // Flow style, and block style (each level indented one more step).
    let flow = format!(
        "request:\n  method: POST\n  url: https://api.example/hooks\n  body: {}\n",
        nested(DEEP)
    );
    let mut block =
        String::from("request:\n  method: POST\n  url: https://api.example/hooks\n  body:\n");
    for level in 0..2_000 {
        block.push_str(&" ".repeat(4 + level));
        block.push_str("- \n");
    }
    for file in [flow, block] {
        let err = serde_saphyr::from_str::<OwnedExchange>(&file).expect_err("too deep");
        let message = err.to_string();
        assert!(
            message.contains("recursion limit exceeded") || message.contains("Depth"),
            "{message}"
        );
    }
}

#[cfg(feature = "http")]
#[test]
fn a_deep_body_of_an_http_request_fails_a_pointer_by_name() {
    let request = http::Request::post("https://api.example/hooks")
        .header("content-type", "application/json")
        .body(nested_objects(DEEP).into_bytes())
        .expect("valid");
    let exchange = expr_eval::HttpExchange::new(&request);
    let expression = Expression::parse("$request.body#/a/a").expect("valid");
    assert!(matches!(
        evaluate(&expression, &exchange),
        Err(EvalError::BodyTooDeep {
            limit: MAX_JSON_DEPTH,
            ..
        })
    ));
}

fn with_headers(count: usize) -> String {
    let mut text = String::from("GET /x HTTP/1.1\r\nHost: api.example\r\n");
    for i in 1..count {
        text.push_str(&format!("X-Field-{i}: value {i}\r\n"));
    }
    text.push_str("\r\n");
    text
}

#[test]
fn a_raw_message_with_10_000_headers_is_refused_by_name() {
    let err =
        OwnedExchange::parse_http1(with_headers(10_000).as_bytes(), None).expect_err("too many");
    assert_eq!(
        err,
        ExchangeError::TooManyHeaders {
            what: "request",
            limit: MAX_HEADERS
        }
    );
    assert_eq!(
        err.to_string(),
        "the request has more than 256 header fields (the limit, MAX_HEADERS)"
    );
    let response = format!("200 OK\n{}\n", "X-A: 1\n".repeat(10_000));
    assert_eq!(
        OwnedResponse::parse_http1(response.as_bytes()).expect_err("too many"),
        ExchangeError::TooManyHeaders {
            what: "response",
            limit: MAX_HEADERS
        }
    );
}

#[test]
fn a_raw_message_with_as_many_headers_as_the_limit_is_read() {
    let exchange = OwnedExchange::parse_http1(with_headers(MAX_HEADERS).as_bytes(), None)
        .expect("at the limit");
    assert_eq!(exchange.request.headers().count(), MAX_HEADERS);
    assert_eq!(
        eval("$request.header.x-field-255", &exchange).expect("last field"),
        "value 255"
    );
}

fn raw_with_value(value: &[u8]) -> Vec<u8> {
    let mut text = b"GET /x HTTP/1.1\nHost: api.example\nX-Value: ".to_vec();
    text.extend_from_slice(value);
    text.extend_from_slice(b"\n\n");
    text
}

#[test]
fn obs_text_in_a_raw_header_value_is_an_error_naming_the_field() {
    for value in [&b"caf\xe9"[..], b"\xff\xfe", b"\x80", b"ok \xc3"] {
        let err = OwnedExchange::parse_http1(&raw_with_value(value), None).expect_err("obs-text");
        assert_eq!(
            err,
            ExchangeError::HeaderNotUtf8 {
                name: "X-Value".to_owned()
            }
        );
        assert_eq!(err.to_string(), "header \"X-Value\" is not UTF-8 text");
    }
}

#[test]
fn control_bytes_in_a_raw_header_value_are_a_syntax_error() {
    for value in [
        &b"a\x01b"[..],
        b"a\x00b",
        b"a\x7fb",
        b"a\rb",
        b"\x1b[31mred",
    ] {
        let err = OwnedExchange::parse_http1(&raw_with_value(value), None).expect_err("control");
        assert_eq!(
            err,
            ExchangeError::Syntax {
                what: "request",
                reason: "invalid header value".to_owned()
            },
            "{value:?}"
        );
    }
    // A tab is allowed inside a value (RFC 9110 field-vchar / SP / HTAB), and trimmed at its ends.
    let exchange = OwnedExchange::parse_http1(&raw_with_value(b"\ta\tb \t"), None).expect("tab");
    assert_eq!(
        eval("$request.header.X-Value", &exchange).expect("value"),
        "a\tb"
    );
}

#[test]
fn control_characters_given_to_a_builder_are_kept_and_percent_encoded_on_request() {
    let request = OwnedRequest::new("GET", "https://api.example/x")
        .expect("valid")
        .with_header("X-Value", "a\u{1}b\u{7f}\r\n");
    let exchange = OwnedExchange::new(request);
    assert_eq!(
        eval("$request.header.X-Value", &exchange).expect("kept"),
        "a\u{1}b\u{7f}\r\n"
    );
    let template =
        Template::parse("https://c.example/cb?v={$request.header.X-Value}").expect("valid");
    let encoding = CompiledTemplate::new(template)
        .with_options(RenderOptions::default().with_percent_encode(true));
    assert_eq!(
        encoding.render(&exchange).expect("encoded"),
        "https://c.example/cb?v=a%01b%7F%0D%0A"
    );
}

#[cfg(feature = "http")]
#[test]
fn obs_text_in_an_http_header_value_is_an_error_at_evaluation() {
    let mut request = http::Request::get("https://api.example/x")
        .body(Vec::new())
        .expect("valid");
    request.headers_mut().insert(
        "x-value",
        http::HeaderValue::from_bytes(b"caf\xe9").expect("obs-text is a valid field value"),
    );
    let exchange = expr_eval::HttpExchange::new(&request);
    let expression = Expression::parse("$request.header.X-Value").expect("valid");
    let err = evaluate(&expression, &exchange).expect_err("not UTF-8");
    assert!(matches!(err, EvalError::HeaderNotUtf8 { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "header \"X-Value\" of the request is not UTF-8 text"
    );
    // http itself refuses control bytes in a value.
    assert!(http::HeaderValue::from_bytes(b"a\x01b").is_err());
}

mod properties {
    use super::*;
    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;
    use proptest::sample::Index;
    use serde_json::Value as Json;

    /// Member names and strings from the characters that matter to pointers and templates.
    fn text() -> impl Strategy<Value = String> + Clone {
        prop_oneof![
            3 => "[a-z0-9]{0,6}",
            1 => "[~/{}%+ .#$\"\\\\a0-9]{0,6}",
            1 => "\\PC{0,6}",
        ]
    }

    fn json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(Json::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)),
            text().prop_map(Json::String),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..6).prop_map(Json::Array),
                btree_map(text(), inner, 0..6)
                    .prop_map(|map| Json::Object(map.into_iter().collect())),
            ]
        })
    }

    /// A path into `value`, chosen by `choices`: member names and array indices down to some
    /// node (possibly the root).
    fn path_into(value: &Json, choices: &[Index]) -> Vec<String> {
        let mut path = Vec::new();
        let mut current = value;
        for choice in choices {
            current = match current {
                Json::Object(map) if !map.is_empty() => {
                    let (key, next) = map.iter().nth(choice.index(map.len())).expect("in range");
                    path.push(key.clone());
                    next
                }
                Json::Array(items) if !items.is_empty() => {
                    let at = choice.index(items.len());
                    path.push(at.to_string());
                    &items[at]
                }
                _ => break,
            };
        }
        path
    }

    fn exchange_with_body(body: &Json) -> OwnedExchange {
        let request = OwnedRequest::new("POST", "https://api.example/hooks")
            .expect("valid")
            .with_json_body(body.clone());
        let response = OwnedResponse::new(201)
            .expect("valid")
            .with_json_body(body.clone());
        OwnedExchange::new(request).with_response(response)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// A pointer built from a path into a random JSON value resolves back to that value,
        /// through `evaluate`, a `CompiledExpression` and a template, in the request and the
        /// response body.
        #[test]
        fn a_pointer_built_from_a_path_resolves_to_the_value_there(
            body in json(),
            choices in vec(any::<Index>(), 0..8),
        ) {
            let path = path_into(&body, &choices);
            let expected = path.iter().try_fold(&body, |value, token| match value {
                Json::Object(map) => map.get(token),
                Json::Array(items) => items.get(token.parse::<usize>().ok()?),
                _ => None,
            }).expect("the path exists");
            let pointer = PointerBuf::from_tokens(path.iter().map(|t| Token::new(t.clone())));
            let exchange = exchange_with_body(&body);
            for expression in [
                Expression::Request(Source::Body(Some(pointer.clone()))),
                Expression::Response(Source::Body(Some(pointer.clone()))),
            ] {
                // Through its text, so the grammar's escaping is part of the property.
                let parsed = Expression::parse(&expression.to_string()).expect("canonical form parses");
                prop_assert_eq!(&parsed, &expression);
                let value = evaluate(&parsed, &exchange).expect("resolves");
                prop_assert!(matches!(value, Value::Json(found) if std::ptr::eq(found, expected)
                    || found == expected));
                prop_assert_eq!(&value, expected);
                let compiled = CompiledExpression::new(parsed.clone()).evaluate(&exchange).expect("resolves");
                prop_assert_eq!(&compiled, expected);
                if let Some(template) = Template::from_expression(parsed) {
                    let rendered = CompiledTemplate::new(template).render(&exchange).expect("renders");
                    let text = match expected {
                        Json::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    prop_assert_eq!(rendered, text);
                }
            }
        }

        /// Rendering a template gives the concatenation of its segments' values: literals as
        /// they are, each expression's value as `Value`'s `Display` writes it. Strict rendering
        /// fails exactly when a segment fails (with that segment's error); lenient rendering
        /// leaves failed segments empty.
        #[test]
        fn rendering_is_the_concatenation_of_the_segments_values(
            body in json(),
            choices in vec(vec(any::<Index>(), 0..4), 1..6),
            literals in vec("[a-z/?=&:.#%+ -]{1,8}", 1..6),
            others in vec(0usize..9, 1..6),
            missing in vec(any::<bool>(), 1..6),
            query_value in "[a-z0-9%+/]{0,8}",
            header_value in "[ -~]{0,12}",
        ) {
            let request = OwnedRequest::new("POST", format!("https://api.example/v1/items/42?q={query_value}&n=1"))
                .expect("valid")
                .with_header("X-Trace", header_value.trim_matches([' ', '\t']).to_owned())
                .with_json_body(body.clone())
                .with_path_template("/items/{id}")
                .expect("valid template");
            let response = OwnedResponse::new(202).expect("valid").with_header("Location", "https://api.example/j/1");
            let exchange = OwnedExchange::new(request).with_response(response);

            let mut segments = Vec::new();
            for (i, path_choices) in choices.iter().enumerate() {
                if let Some(literal) = literals.get(i) {
                    segments.push(Segment::Literal(literal.clone()));
                }
                let mut path = path_into(&body, path_choices);
                if missing.get(i).copied().unwrap_or(false) {
                    path.push("no such member".to_owned());
                }
                let expression = match others.get(i).copied().unwrap_or(0) {
                    0 => Expression::Url,
                    1 => Expression::Method,
                    2 => Expression::StatusCode,
                    3 => Expression::Request(Source::Query("q".to_owned())),
                    4 => Expression::Request(Source::Header("X-Trace".parse().expect("a token"))),
                    5 => Expression::Request(Source::Path("id".to_owned())),
                    6 => Expression::Response(Source::Header("location".parse().expect("a token"))),
                    7 => Expression::Request(Source::Header("X-Missing".parse().expect("a token"))),
                    _ => Expression::Request(Source::Body(Some(PointerBuf::from_tokens(
                        path.iter().map(|t| Token::new(t.clone())),
                    )))),
                };
                if expression.is_embeddable() {
                    segments.push(Segment::Expression(expression));
                }
            }
            // Merge adjacent literals, as a parsed template never has them.
            let mut merged: Vec<Segment> = Vec::new();
            for segment in segments {
                match (merged.last_mut(), segment) {
                    (Some(Segment::Literal(previous)), Segment::Literal(next)) => previous.push_str(&next),
                    (_, segment) => merged.push(segment),
                }
            }
            let template = Template::from_segments(merged).expect("valid segments");

            let mut strict: Result<String, EvalError> = Ok(String::new());
            let mut lenient = String::new();
            for segment in template.segments() {
                let piece = match segment {
                    Segment::Literal(text) => Ok(text.clone()),
                    Segment::Expression(expression) => evaluate(expression, &exchange).map(|v| v.to_string()),
                    _ => unreachable!("only literals and expressions"),
                };
                match piece {
                    Ok(text) => {
                        lenient.push_str(&text);
                        if let Ok(out) = &mut strict {
                            out.push_str(&text);
                        }
                    }
                    Err(err) => {
                        if strict.is_ok() {
                            strict = Err(err);
                        }
                    }
                }
            }
            let text = template.to_string();
            prop_assert_eq!(CompiledTemplate::new(template.clone()).render(&exchange), strict, "{}", text);
            let compiled = CompiledTemplate::new(template.clone()).with_options(RenderOptions::default().with_lenient(true));
            prop_assert_eq!(compiled.render(&exchange).expect("lenient"), lenient);
            // The text of the template renders the same.
            prop_assert_eq!(
                CompiledTemplate::parse(&text).expect("canonical form parses").render(&exchange),
                CompiledTemplate::new(template).render(&exchange)
            );
        }
    }
}
