//! The evaluation semantics of DESIGN §3, row by row, every error variant, and the edge cases:
//! repeated headers and query parameters, encoded query and path values, bodies that are not
//! JSON, JSON pointers through arrays and escaped keys, and the exchange-file format.

use std::borrow::Cow;

use expr_eval::{
    Body, CompiledExpression, EvalError, ExchangeError, Message, OwnedExchange, OwnedRequest,
    OwnedResponse, Part, Value, evaluate,
};
use expr_grammar::Expression;
use serde_json::json;

fn eval<'a>(text: &str, exchange: &'a OwnedExchange) -> Result<Value<'a>, EvalError> {
    let expression = Expression::parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
    evaluate(&expression, exchange)
}

fn ok(text: &str, exchange: &OwnedExchange) -> String {
    eval(text, exchange)
        .unwrap_or_else(|err| panic!("{text}: {err}"))
        .to_string()
}

fn err(text: &str, exchange: &OwnedExchange) -> EvalError {
    match eval(text, exchange) {
        Ok(value) => panic!("{text}: expected an error, got {value:?}"),
        Err(err) => err,
    }
}

fn raw(request: &str) -> OwnedExchange {
    OwnedExchange::new(OwnedRequest::parse_http1(request.as_bytes(), "https").expect("raw request"))
}

fn raw_pair(request: &str, response: &str) -> OwnedExchange {
    OwnedExchange::parse_http1(request.as_bytes(), Some(response.as_bytes())).expect("raw exchange")
}

fn file(json: serde_json::Value) -> OwnedExchange {
    serde_json::from_value(json).expect("exchange file")
}

/// A request with a JSON body for the pointer tests.
fn with_body(body: serde_json::Value) -> OwnedExchange {
    file(json!({"request": {"method": "POST", "url": "https://x.example/", "body": body}}))
}

// ---------------------------------------------------------------- DESIGN §3, row by row

#[test]
fn url_is_the_full_url_as_received() {
    let exchange = raw("GET /v2/a%20b/c?x=1&y=%2F HTTP/1.1\nHost: api.example:8443\n\n");
    assert_eq!(
        ok("$url", &exchange),
        "https://api.example:8443/v2/a%20b/c?x=1&y=%2F"
    );
    let exchange = OwnedExchange::new(
        OwnedRequest::parse_http1(b"GET /a HTTP/1.1\nHost: h\n\n", "http").expect("raw"),
    );
    assert_eq!(ok("$url", &exchange), "http://h/a");
    let exchange = file(json!({"request": {"method": "GET", "url": "http://h.example/p?q#frag"}}));
    assert_eq!(ok("$url", &exchange), "http://h.example/p?q#frag");
    // A path-only `url` in a file is completed from Host, with https.
    let exchange = file(
        json!({"request": {"method": "GET", "url": "/p?q=1", "headers": {"Host": "h.example"}}}),
    );
    assert_eq!(ok("$url", &exchange), "https://h.example/p?q=1");
}

#[test]
fn method_as_received() {
    assert_eq!(
        ok("$method", &raw("PATCH /x HTTP/1.1\nHost: h\n\n")),
        "PATCH"
    );
    let exchange = file(json!({"request": {"method": "post", "url": "https://h/"}}));
    assert_eq!(ok("$method", &exchange), "post");
}

#[test]
fn status_code_is_an_integer() {
    let exchange = raw_pair("GET /x HTTP/1.1\nHost: h\n\n", "HTTP/1.1 404 Not Found\n\n");
    let value = eval("$statusCode", &exchange).expect("status");
    assert_eq!(value, Value::Int(404));
    assert_eq!(value, json!(404));
    assert!(!value.is_string());
}

#[test]
fn headers_case_insensitive_first_value() {
    let exchange = raw_pair(
        "GET /x HTTP/1.1\nHost: h\nAccept: text/html\nX-Trace: one\nx-trace: two\n\n",
        "200 OK\nSet-Cookie: a=1\nSet-Cookie: b=2\nServer: s/1.0\n\n",
    );
    assert_eq!(ok("$request.header.accept", &exchange), "text/html");
    assert_eq!(ok("$request.header.ACCEPT", &exchange), "text/html");
    assert_eq!(ok("$request.header.X-Trace", &exchange), "one");
    assert_eq!(ok("$response.header.set-cookie", &exchange), "a=1");
    assert_eq!(ok("$response.header.Server", &exchange), "s/1.0");

    // Exchange file: a repeated name needs the list-of-pairs form.
    let exchange = file(json!({"request": {
        "method": "GET", "url": "https://h/",
        "headers": [["Accept", "application/json"], ["accept", "text/plain"], ["X-Count", "3"]]
    }}));
    assert_eq!(ok("$request.header.Accept", &exchange), "application/json");
}

#[test]
fn header_values_borrow_from_the_exchange() {
    let exchange = raw("GET /x HTTP/1.1\nHost: h\nX-A: v\n\n");
    assert!(matches!(
        eval("$request.header.x-a", &exchange),
        Ok(Value::Str(Cow::Borrowed("v")))
    ));
}

#[test]
fn query_first_occurrence_case_sensitive_decoded() {
    let exchange = raw(
        "GET /s?q=first&q=second&Q=upper&u=a%2Fb&p=a+b&e=&flag&n=caf%C3%A9 HTTP/1.1\nHost: h\n\n",
    );
    assert_eq!(ok("$request.query.q", &exchange), "first");
    assert_eq!(ok("$request.query.Q", &exchange), "upper");
    assert_eq!(ok("$request.query.u", &exchange), "a/b");
    assert_eq!(ok("$request.query.p", &exchange), "a b");
    assert_eq!(ok("$request.query.e", &exchange), "");
    assert_eq!(ok("$request.query.flag", &exchange), "");
    assert_eq!(ok("$request.query.n", &exchange), "café");
    // Borrowed when nothing was decoded, owned when something was.
    assert!(matches!(
        eval("$request.query.q", &exchange),
        Ok(Value::Str(Cow::Borrowed("first")))
    ));
    assert!(matches!(
        eval("$request.query.u", &exchange),
        Ok(Value::Str(Cow::Owned(_)))
    ));
    // The query name is a JSON-string name in the grammar: escapes are decoded first.
    let exchange = raw("GET /s?a%22b=quoted HTTP/1.1\nHost: h\n\n");
    assert_eq!(ok(r#"$request.query.a\"b"#, &exchange), "quoted");
}

#[test]
fn query_fragment_is_not_part_of_the_value() {
    let exchange = file(json!({"request": {"method": "GET", "url": "https://h/p?a=1#b=2"}}));
    assert_eq!(ok("$request.query.a", &exchange), "1");
    assert!(matches!(
        err("$request.query.b", &exchange),
        EvalError::QueryParameterNotPresent { .. }
    ));
}

#[test]
fn path_parameters_from_the_last_segments() {
    let exchange = file(json!({"request": {
        "method": "GET", "url": "https://h/v2/users/caf%C3%A9/files/a%2Fb.txt",
        "pathTemplate": "/users/{id}/files/{name}.{ext}"
    }}));
    assert_eq!(ok("$request.path.id", &exchange), "café");
    assert_eq!(ok("$request.path.name", &exchange), "a/b");
    assert_eq!(ok("$request.path.ext", &exchange), "txt");
    // Non-ASCII, percent-encoded, in several scripts.
    let exchange = file(json!({"request": {
        "method": "GET", "url": "https://h/users/%E6%97%A5%E6%9C%AC%20%F0%9F%98%80",
        "pathTemplate": "/users/{id}"
    }}));
    assert_eq!(ok("$request.path.id", &exchange), "日本 😀");
    // `+` in a path is itself.
    let exchange = file(
        json!({"request": {"method": "GET", "url": "https://h/users/a+b", "pathTemplate": "/users/{id}"}}),
    );
    assert_eq!(ok("$request.path.id", &exchange), "a+b");
}

#[test]
fn path_parameters_given_directly() {
    let exchange = file(json!({"request": {
        "method": "GET", "url": "https://h/users/42", "pathParameters": {"id": "42", "n": 7}
    }}));
    assert_eq!(ok("$request.path.id", &exchange), "42");
    assert_eq!(ok("$request.path.n", &exchange), "7");
    assert!(matches!(
        err("$request.path.other", &exchange),
        EvalError::PathParameterNotPresent { .. }
    ));
}

#[test]
fn whole_body_json_or_text() {
    let exchange = with_body(json!({"a": [1, 2]}));
    assert_eq!(
        eval("$request.body", &exchange).expect("body"),
        json!({"a": [1, 2]})
    );
    assert_eq!(ok("$request.body", &exchange), r#"{"a":[1,2]}"#);
    // `body#` is the empty pointer: the whole JSON document.
    assert_eq!(
        eval("$request.body#", &exchange).expect("body#"),
        json!({"a": [1, 2]})
    );

    let exchange =
        raw("POST /x HTTP/1.1\nHost: h\nContent-Type: text/plain; charset=utf-8\n\nhello, world\n");
    assert!(matches!(
        eval("$request.body", &exchange),
        Ok(Value::Str(Cow::Borrowed("hello, world")))
    ));
    assert!(matches!(
        err("$request.body#", &exchange),
        EvalError::BodyNotJson { .. }
    ));
}

#[test]
fn json_detection() {
    // application/json with parameters, */*+json, and no content type at all.
    for content_type in [
        "Content-Type: application/json; charset=utf-8\n",
        "Content-Type: application/problem+json\n",
        "",
    ] {
        let exchange = raw(&format!(
            "POST /x HTTP/1.1\nHost: h\n{content_type}\n{{\"a\": {{\"b\": 1}}}}\n"
        ));
        assert_eq!(
            eval("$request.body#/a/b", &exchange).expect(content_type),
            json!(1),
            "{content_type}"
        );
    }
    // A JSON body under text/plain is text.
    let exchange = raw("POST /x HTTP/1.1\nHost: h\nContent-Type: text/plain\n\n{\"a\": 1}\n");
    assert_eq!(ok("$request.body", &exchange), "{\"a\": 1}");
    let error = err("$request.body#/a", &exchange);
    assert_eq!(
        error.to_string(),
        "pointer /a: the request body is not JSON (Content-Type: text/plain)"
    );
    // The same in an exchange file: `body` under a non-JSON type is that body's text.
    let exchange = file(json!({"request": {
        "method": "POST", "url": "https://h/", "headers": {"Content-Type": "text/plain"}, "body": {"a": 1}
    }}));
    assert_eq!(ok("$request.body", &exchange), r#"{"a":1}"#);
    assert!(matches!(
        err("$request.body#/a", &exchange),
        EvalError::BodyNotJson { .. }
    ));
    let exchange = file(json!({"request": {
        "method": "POST", "url": "https://h/", "headers": {"Content-Type": "text/plain"}, "body": "just text"
    }}));
    assert_eq!(ok("$request.body", &exchange), "just text");
    // `bodyText` under a JSON type parses.
    let exchange = file(json!({"request": {
        "method": "POST", "url": "https://h/", "headers": {"Content-Type": "application/json"}, "bodyText": "[10, 20]"
    }}));
    assert_eq!(
        eval("$request.body#/1", &exchange).expect("json"),
        json!(20)
    );
    // No content type and not JSON: text.
    let exchange =
        file(json!({"request": {"method": "POST", "url": "https://h/", "bodyText": "a=1&b=2"}}));
    assert_eq!(ok("$request.body", &exchange), "a=1&b=2");
}

// ---------------------------------------------------------------- JSON pointers

#[test]
fn pointers_through_arrays() {
    let exchange = with_body(json!({"a": ["zero", "one"], "m": {"1e0": "key"}}));
    assert_eq!(ok("$request.body#/a/0", &exchange), "zero");
    assert_eq!(ok("$request.body#/a/1", &exchange), "one");
    // In an object, "1e0" is just a key.
    assert_eq!(ok("$request.body#/m/1e0", &exchange), "key");

    let error = err("$request.body#/a/01", &exchange);
    assert!(
        matches!(&error, EvalError::InvalidArrayIndex { token, reason, .. } if token == "01" && reason.contains("leading zeros"))
    );
    assert_eq!(
        error.to_string(),
        r#"pointer /a/01: "01" is not an array index (leading zeros are not allowed) at /a in the request body"#
    );
    let error = err("$request.body#/a/1e0", &exchange);
    assert!(matches!(&error, EvalError::InvalidArrayIndex { token, .. } if token == "1e0"));
    let error = err("$request.body#/a/-", &exchange);
    assert!(matches!(error, EvalError::PointerPastEnd { .. }));
    assert_eq!(
        error.to_string(),
        r#"pointer /a/-: "-" (the element after the last) never resolves, at /a in the request body"#
    );
    let error = err("$request.body#/a/2", &exchange);
    assert!(matches!(
        error,
        EvalError::IndexOutOfBounds {
            index: 2,
            length: 2,
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "pointer /a/2: index 2 out of bounds at /a in the request body (array length 2)"
    );
    let error = err("$request.body#/a/-1", &exchange);
    assert!(matches!(error, EvalError::InvalidArrayIndex { .. }));
}

#[test]
fn escaped_and_empty_keys() {
    let exchange = with_body(json!({"a/b": 1, "m~n": 2, "": {"": 3}, "~1": 4, " ": 5}));
    assert_eq!(
        eval("$request.body#/a~1b", &exchange).expect("~1"),
        json!(1)
    );
    assert_eq!(
        eval("$request.body#/m~0n", &exchange).expect("~0"),
        json!(2)
    );
    // `~01` is `~1` (the literal key), not `/`.
    assert_eq!(
        eval("$request.body#/~01", &exchange).expect("~01"),
        json!(4)
    );
    // `/` is the member with the empty name; `//` goes one level further.
    assert_eq!(
        eval("$request.body#/", &exchange).expect("/"),
        json!({"": 3})
    );
    assert_eq!(eval("$request.body#//", &exchange).expect("//"), json!(3));
    assert_eq!(
        eval("$request.body#/ ", &exchange).expect("space"),
        json!(5)
    );
    // The missing key is reported unescaped.
    let error = err("$request.body#/x~1y", &exchange);
    assert!(
        matches!(&error, EvalError::PointerKeyNotFound { key, at, .. } if key == "x/y" && at.is_empty())
    );
}

#[test]
fn deep_pointers() {
    let exchange = with_body(json!({"a": {"b": [{"c": {"d": [null, {"e": true}]}}]}}));
    assert_eq!(
        eval("$request.body#/a/b/0/c/d/1/e", &exchange).expect("deep"),
        json!(true)
    );
    assert_eq!(ok("$request.body#/a/b/0/c/d/0", &exchange), "null");
    let error = err("$request.body#/a/b/0/c/x/y", &exchange);
    assert_eq!(
        error.to_string(),
        r#"pointer /a/b/0/c/x/y: key "x" not found at /a/b/0/c in the request body"#
    );
    let error = err("$request.body#/a/b/0/c/d/1/e/f", &exchange);
    assert!(
        matches!(&error, EvalError::PointerUnreachable { found: "a boolean", at, .. } if at == "/a/b/0/c/d/1/e")
    );
    assert_eq!(
        error.to_string(),
        "pointer /a/b/0/c/d/1/e/f: the value at /a/b/0/c/d/1/e in the request body is a boolean, not an object or array"
    );
    // A very deep document and pointer.
    let mut value = json!("bottom");
    let mut pointer = String::new();
    for _ in 0..100 {
        value = json!({ "k": value });
        pointer.push_str("/k");
    }
    let exchange = with_body(value);
    assert_eq!(ok(&format!("$request.body#{pointer}"), &exchange), "bottom");
}

#[test]
fn pointer_values_keep_their_type() {
    let exchange =
        with_body(json!({"n": 1.5, "b": false, "z": null, "o": {"k": [1, "x"]}, "s": "t"}));
    assert_eq!(eval("$request.body#/n", &exchange).expect("n"), json!(1.5));
    assert_eq!(
        eval("$request.body#/b", &exchange).expect("b"),
        json!(false)
    );
    assert_eq!(eval("$request.body#/z", &exchange).expect("z"), json!(null));
    assert_eq!(ok("$request.body#/o", &exchange), r#"{"k":[1,"x"]}"#);
    let value = eval("$request.body#/s", &exchange).expect("s");
    assert!(matches!(value, Value::Json(serde_json::Value::String(_))));
    assert_eq!(value.as_str(), Some("t"));
    assert_eq!(value.to_json(), json!("t"));
}

// ---------------------------------------------------------------- every error variant

#[test]
fn error_no_response() {
    let exchange = raw("GET /x HTTP/1.1\nHost: h\n\n");
    for text in [
        "$statusCode",
        "$response.header.Location",
        "$response.body",
        "$response.body#/a",
        "$response.query.a",
    ] {
        let error = err(text, &exchange);
        assert_eq!(error, EvalError::NoResponse, "{text}");
        assert_eq!(error.to_string(), "no response in this exchange");
    }
}

#[test]
fn error_header_not_present() {
    let exchange = raw_pair("GET /x HTTP/1.1\nHost: h\n\n", "200 OK\n\n");
    let error = err("$request.header.progressUrl", &exchange);
    assert_eq!(
        error,
        EvalError::HeaderNotPresent {
            part: Part::Request,
            name: "progressUrl".into()
        }
    );
    assert_eq!(
        error.to_string(),
        r#"header "progressUrl" not present in the request"#
    );
    let error = err("$response.header.Location", &exchange);
    assert_eq!(
        error.to_string(),
        r#"header "Location" not present in the response"#
    );
}

#[test]
fn error_query_parameter_not_present() {
    let exchange = raw("GET /x?a=1 HTTP/1.1\nHost: h\n\n");
    let error = err("$request.query.A", &exchange);
    assert_eq!(
        error.to_string(),
        r#"query parameter "A" not present in the request URL"#
    );
    let exchange = raw("GET /x HTTP/1.1\nHost: h\n\n");
    assert!(matches!(
        err("$request.query.a", &exchange),
        EvalError::QueryParameterNotPresent { .. }
    ));
}

#[test]
fn error_invalid_percent_encoding() {
    let exchange = raw("GET /users/a%zz?q=%G0&r=%&s=%C3 HTTP/1.1\nHost: h\n\n");
    for text in ["$request.query.q", "$request.query.r", "$request.query.s"] {
        assert!(
            matches!(
                err(text, &exchange),
                EvalError::InvalidPercentEncoding { .. }
            ),
            "{text}"
        );
    }
    let error = err("$request.query.q", &exchange);
    assert_eq!(
        error.to_string(),
        r#"query parameter "q": invalid percent-encoding in "%G0": the "%" at byte 0 is not followed by two hexadecimal digits"#
    );
    let mut request =
        OwnedRequest::parse_http1(b"GET /users/a%zz HTTP/1.1\nHost: h\n\n", "https").expect("raw");
    request
        .set_path_template(Some("/users/{id}".into()))
        .expect("template");
    let exchange = OwnedExchange::new(request);
    let error = err("$request.path.id", &exchange);
    assert!(
        error
            .to_string()
            .starts_with(r#"path parameter "id": invalid percent-encoding in "a%zz""#),
        "{error}"
    );
}

#[test]
fn error_path_variants() {
    let exchange = raw("GET /subscribe/x HTTP/1.1\nHost: h\n\n");
    let error = err("$request.path.eventType", &exchange);
    assert_eq!(
        error.to_string(),
        r#"path parameter "eventType": the exchange has no path template and no path parameters"#
    );

    let exchange = file(
        json!({"request": {"method": "GET", "url": "https://h/unsubscribe/x", "pathTemplate": "/subscribe/{eventType}"}}),
    );
    let error = err("$request.path.eventType", &exchange);
    assert_eq!(
        error.to_string(),
        r#"request path "/unsubscribe/x" does not match the path template "/subscribe/{eventType}""#
    );
    let error = err("$request.path.eventtype", &exchange);
    assert_eq!(
        error.to_string(),
        r#"path parameter "eventtype" is not in the path template "/subscribe/{eventType}""#
    );
    assert!(matches!(
        err("$response.path.x", &with_response()),
        EvalError::NotInResponse {
            reference: "path",
            ..
        }
    ));
}

#[test]
fn error_invalid_path_template() {
    let error = serde_json::from_value::<OwnedExchange>(
        json!({"request": {"method": "GET", "url": "https://h/a", "pathTemplate": "/a/{b"}}),
    )
    .expect_err("bad template");
    assert!(
        error
            .to_string()
            .contains(r#"invalid path template "/a/{b""#),
        "{error}"
    );
    let request = OwnedRequest::new("GET", "https://h/a").expect("request");
    assert!(matches!(
        request.with_path_template("/{}"),
        Err(ExchangeError::InvalidPathTemplate { .. })
    ));
}

fn with_response() -> OwnedExchange {
    raw_pair("GET /x HTTP/1.1\nHost: h\n\n", "200 OK\n\n")
}

#[test]
fn error_not_in_response() {
    let error = err("$response.query.a", &with_response());
    assert_eq!(
        error.to_string(),
        "$response.query: a response has no query parameters"
    );
}

#[test]
fn error_no_body_and_not_utf8() {
    let exchange = with_response();
    assert_eq!(
        err("$request.body", &exchange).to_string(),
        "the request has no body"
    );
    assert_eq!(
        err("$response.body#/a", &exchange).to_string(),
        "the response has no body"
    );

    let request = OwnedRequest::new("POST", "https://h/")
        .expect("request")
        .with_body(vec![0xff, 0xfe, 0x00]);
    let exchange = OwnedExchange::new(request);
    assert!(matches!(exchange.request.body(), Body::Binary(_)));
    assert_eq!(
        err("$request.body", &exchange).to_string(),
        "the request body is neither JSON nor UTF-8 text"
    );
    assert_eq!(
        err("$request.body#/a", &exchange).to_string(),
        "pointer /a: the request body is not JSON (no Content-Type, and it does not parse as JSON)"
    );
}

#[test]
fn error_body_not_json() {
    let exchange = raw("POST /x HTTP/1.1\nHost: h\nContent-Type: application/json\n\n{not json\n");
    let error = err("$request.body#/a", &exchange);
    assert_eq!(
        error.to_string(),
        "pointer /a: the request body is not JSON (Content-Type: application/json, but it does not parse as JSON)"
    );
    // The whole body is still available, as text.
    assert_eq!(ok("$request.body", &exchange), "{not json");
}

#[test]
fn response_body_pointer() {
    let exchange = raw_pair(
        "GET /users/1 HTTP/1.1\nHost: h\n\n",
        "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"uuid\": \"u-1\", \"n\": [1]}",
    );
    assert_eq!(ok("$response.body#/uuid", &exchange), "u-1");
    let error = err("$response.body#/n/3", &exchange);
    assert_eq!(
        error.to_string(),
        "pointer /n/3: index 3 out of bounds at /n in the response body (array length 1)"
    );
}

// ---------------------------------------------------------------- exchange files

#[test]
fn exchange_file_errors() {
    let cases = [
        (
            json!({"request": {"method": "GET", "url": "https://h/", "body": 1, "bodyText": "1"}}),
            "both `body` and `bodyText`",
        ),
        (
            json!({"request": {"method": "GET", "url": "https://h/", "header": {}}}),
            "unknown field `header`",
        ),
        (
            json!({"request": {"method": "GET", "url": "/p"}}),
            "no Host header",
        ),
        (
            json!({"request": {"method": "GET", "url": "h/p"}}),
            "invalid request URL",
        ),
        (
            json!({"request": {"method": "GET", "url": "https://h/"}, "response": {"status": 70000}}),
            "invalid response status 70000",
        ),
        (
            json!({"request": {"method": "GET", "url": "https://h/"}, "response": {"status": 42}}),
            "invalid response status 42",
        ),
        (
            json!({"request": {"method": "G T", "url": "https://h/"}}),
            "invalid request method",
        ),
        (
            json!({"request": {"method": "GET", "url": "https://h/", "headers": [["A"]]}}),
            "invalid length",
        ),
    ];
    for (value, expected) in cases {
        let error = serde_json::from_value::<OwnedExchange>(value.clone()).expect_err(expected);
        assert!(error.to_string().contains(expected), "{value}: {error}");
    }
}

#[test]
fn exchange_file_in_yaml() {
    let yaml = "\
request:
  method: POST
  url: https://h.example/v1/items/7?tag=a&tag=b
  pathTemplate: /items/{id}
  headers:
    - [X-Tag, first]
    - [X-Tag, second]
    - [Content-Length, 11]
  bodyText: plain words
response:
  status: 202
";
    let exchange: OwnedExchange = serde_saphyr::from_str(yaml).expect("yaml");
    assert_eq!(ok("$request.path.id", &exchange), "7");
    assert_eq!(ok("$request.query.tag", &exchange), "a");
    assert_eq!(ok("$request.header.x-tag", &exchange), "first");
    assert_eq!(ok("$request.header.Content-Length", &exchange), "11");
    assert_eq!(ok("$request.body", &exchange), "plain words");
    assert_eq!(eval("$statusCode", &exchange), Ok(Value::Int(202)));
}

#[test]
fn null_json_body_is_a_body() {
    let exchange = with_body(serde_json::Value::Null);
    assert_eq!(eval("$request.body", &exchange).expect("null"), json!(null));
    assert_eq!(ok("$request.body", &exchange), "null");
}

#[test]
fn compiled_and_plain_evaluation_agree() {
    let exchange = raw_pair(
        "POST /v2/s/ev?q=1 HTTP/1.1\nHost: h\nContent-Type: application/json\nX-A: x\n\n{\"a\": [true]}",
        "201 Created\nLocation: /l\n\n",
    );
    let mut exchange = exchange;
    exchange
        .request
        .set_path_template(Some("/s/{e}".into()))
        .expect("template");
    for text in [
        "$url",
        "$method",
        "$statusCode",
        "$request.header.x-a",
        "$request.query.q",
        "$request.path.e",
        "$request.body",
        "$request.body#/a/0",
        "$response.header.location",
        "$request.header.none",
    ] {
        let compiled = CompiledExpression::parse(text).expect("parse");
        assert_eq!(
            compiled.evaluate(&exchange),
            eval(text, &exchange),
            "{text}"
        );
    }
}

/// A compiled expression walks pre-decoded pointer tokens; it must agree with plain `jsonptr`
/// resolution on every edge, values and errors alike.
#[test]
fn compiled_pointers_agree_with_plain_resolution() {
    let exchange = with_body(json!({
        "a": ["zero", "one", {"b": null}], "m": {"1e0": 1, "01": 2, "-": 3, "0": 4},
        "a/b": 5, "m~n": 6, "": {"": 7}, "s": "text", "big": [0]
    }));
    for pointer in [
        "",
        "/",
        "//",
        "/a",
        "/a/0",
        "/a/1",
        "/a/2/b",
        "/a/01",
        "/a/-",
        "/a/1e0",
        "/a/3",
        "/a/-1",
        "/a/ 1",
        "/a/+1",
        "/m/1e0",
        "/m/01",
        "/m/-",
        "/m/0",
        "/a~1b",
        "/m~0n",
        "/s/x",
        "/a/2/b/c",
        "/nope",
        "/big/18446744073709551616",
        "/big/00",
        "/big/0",
    ] {
        let text = format!("$request.body#{pointer}");
        let compiled = CompiledExpression::parse(&text).expect("parse");
        assert_eq!(
            compiled.evaluate(&exchange),
            eval(&text, &exchange),
            "{text}"
        );
    }
}

#[test]
fn owned_response_builder() {
    let response = OwnedResponse::new(200)
        .expect("status")
        .with_header("Content-Type", "application/json")
        .with_body(r#"{"id": "r"}"#);
    let exchange = OwnedExchange::new(OwnedRequest::new("GET", "https://h/").expect("request"))
        .with_response(response);
    assert_eq!(ok("$response.body#/id", &exchange), "r");
}

// `EvalError::Unsupported` is for expressions a newer grammar crate may add; the grammar has none
// this evaluator does not know, so it cannot be produced here.

// ---------------------------------------------------------------- the `http` adapter

#[cfg(feature = "http")]
mod http_adapter {
    use super::*;
    use expr_eval::{CompiledTemplate, HttpExchange};

    fn request() -> http::Request<Vec<u8>> {
        http::Request::post("/v2/subscribe/my%20event?queryUrl=https://c.example/run&x=1&x=2")
            .header("Host", "example.org")
            .header("Content-Type", "application/json")
            .header("X-Dup", "first")
            .header("x-dup", "second")
            .body(br#"{"failedUrl": "https://c.example/failed", "list": [1, 2]}"#.to_vec())
            .expect("request")
    }

    fn eval_http<'a, B: AsRef<[u8]>, R: AsRef<[u8]>>(
        text: &str,
        exchange: &'a HttpExchange<'a, B, R>,
    ) -> Result<Value<'a>, EvalError> {
        CompiledExpression::parse(text)
            .expect("parse")
            .evaluate(exchange)
    }

    #[test]
    fn all_rows() {
        let request = request();
        let response = http::Response::builder()
            .status(201)
            .header("Location", "https://example.org/subscription/1")
            .body(Vec::new())
            .expect("response");
        let exchange = HttpExchange::new(&request)
            .with_response(&response)
            .with_path_template("/subscribe/{eventType}");
        let get = |text: &str| {
            eval_http(text, &exchange)
                .unwrap_or_else(|err| panic!("{text}: {err}"))
                .to_string()
        };
        assert_eq!(
            get("$url"),
            "https://example.org/v2/subscribe/my%20event?queryUrl=https://c.example/run&x=1&x=2"
        );
        assert_eq!(get("$method"), "POST");
        assert_eq!(get("$statusCode"), "201");
        assert_eq!(get("$request.header.content-type"), "application/json");
        assert_eq!(get("$request.header.X-DUP"), "first");
        assert_eq!(get("$request.query.queryUrl"), "https://c.example/run");
        assert_eq!(get("$request.query.x"), "1");
        assert_eq!(get("$request.path.eventType"), "my event");
        assert_eq!(get("$request.body#/failedUrl"), "https://c.example/failed");
        assert_eq!(get("$request.body#/list"), "[1,2]");
        assert_eq!(
            get("$response.header.location"),
            "https://example.org/subscription/1"
        );
        assert_eq!(
            eval_http("$response.body", &exchange),
            Err(EvalError::NoBody {
                part: Part::Response
            })
        );
        // Plain (uncompiled) evaluation agrees.
        let plain = Expression::parse("$request.header.X-Dup").expect("parse");
        assert_eq!(evaluate(&plain, &exchange).expect("plain"), "first");
        let template =
            CompiledTemplate::parse("{$request.query.queryUrl}/{$request.path.eventType}")
                .expect("template");
        assert_eq!(
            template.render(&exchange).as_deref(),
            Ok("https://c.example/run/my event")
        );
    }

    #[test]
    fn url_from_host_authority_or_absolute_uri() {
        let request = http::Request::get("https://abs.example:8443/p?q")
            .body(Vec::new())
            .expect("abs");
        assert_eq!(
            eval_http("$url", &HttpExchange::new(&request)).expect("url"),
            "https://abs.example:8443/p?q"
        );
        let request = http::Request::get("/p")
            .header("Host", "h.example")
            .body(Vec::new())
            .expect("rel");
        let exchange = HttpExchange::new(&request).with_scheme("http");
        assert_eq!(
            eval_http("$url", &exchange).expect("url"),
            "http://h.example/p"
        );
        let request = http::Request::get("/p").body(Vec::new()).expect("no host");
        assert_eq!(
            eval_http("$url", &HttpExchange::new(&request)),
            Err(EvalError::UrlUnavailable)
        );
    }

    #[test]
    fn obs_text_and_non_utf8_header_values() {
        let mut request = http::Request::get("/p").body(Vec::new()).expect("request");
        let headers = request.headers_mut();
        headers.insert(
            "x-latin1",
            http::HeaderValue::from_bytes(b"caf\xe9").expect("obs-text is allowed"),
        );
        headers.insert(
            "x-utf8",
            http::HeaderValue::from_bytes("café".as_bytes()).expect("bytes"),
        );
        let exchange = HttpExchange::new(&request);
        assert_eq!(
            eval_http("$request.header.X-Latin1", &exchange),
            Err(EvalError::HeaderNotUtf8 {
                part: Part::Request,
                name: "X-Latin1".into()
            })
        );
        assert_eq!(
            evaluate(
                &Expression::parse("$request.header.x-latin1").expect("parse"),
                &exchange
            )
            .expect_err("not utf-8")
            .to_string(),
            r#"header "x-latin1" of the request is not UTF-8 text"#
        );
        // UTF-8 beyond ASCII is returned losslessly.
        assert_eq!(
            eval_http("$request.header.x-utf8", &exchange).expect("utf-8"),
            "café"
        );
    }

    #[test]
    fn bodies_of_every_kind() {
        let text = http::Request::post("/p")
            .header("Content-Type", "text/plain")
            .body(String::from(r#"{"a": 1}"#))
            .expect("text");
        let exchange = HttpExchange::new(&text);
        assert_eq!(
            eval_http("$request.body", &exchange).expect("text"),
            r#"{"a": 1}"#
        );
        assert!(matches!(
            eval_http("$request.body#/a", &exchange),
            Err(EvalError::BodyNotJson { .. })
        ));

        let sniffed = http::Request::post("/p")
            .body(br#"{"a": 1}"#.as_slice())
            .expect("sniffed");
        assert_eq!(
            eval_http("$request.body#/a", &HttpExchange::new(&sniffed)).expect("json"),
            json!(1)
        );

        let binary = http::Request::post("/p")
            .body(vec![0xffu8, 0])
            .expect("binary");
        assert_eq!(
            eval_http("$request.body", &HttpExchange::new(&binary)),
            Err(EvalError::BodyNotUtf8 {
                part: Part::Request
            })
        );
    }

    #[test]
    fn bad_template_and_mismatch() {
        let request = request();
        let exchange = HttpExchange::new(&request).with_path_template("/subscribe/{eventType");
        assert!(matches!(
            eval_http("$request.path.eventType", &exchange),
            Err(EvalError::InvalidPathTemplate { .. })
        ));
        let exchange = HttpExchange::new(&request).with_path_template("/other/{eventType}");
        assert!(matches!(
            eval_http("$request.path.eventType", &exchange),
            Err(EvalError::PathMismatch { .. })
        ));
    }
}
