//! Hostile exchanges: bodies nested 100,000 levels deep, 10,000 header fields, header values
//! with obs-text and control bytes, templates that repeat a large value, URLs with 300,000 query
//! parameters looked up by 1,000 expressions; and the evaluator's properties (a template renders
//! as the concatenation of its segments' values, within its limit; a pointer built from a path
//! into a JSON value resolves back to that value; a session gives what single evaluations give).
//! Each test asserts a clear error or a correct result, never a timing.

use std::cell::Cell;

use expr_eval::{
    Body, CompiledExpression, CompiledTemplate, EvalError, Exchange, ExchangeError, FieldName,
    HeaderFields, MAX_HEADERS, MAX_JSON_DEPTH, MAX_RENDERED_LEN, Message, OwnedExchange,
    OwnedRequest, OwnedResponse, RenderOptions, Session, Value, evaluate,
};
use expr_grammar::{Expression, JsonPointer, Segment, Source, Template};

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

// --- rendering is bounded (a callback key that repeats a large value) ------------------------

/// The finding's input: a 38 KiB callback key repeating `{$request.body#/a}` against a body whose
/// `a` is a 1 MiB string would render 2 GiB.
fn repeating_key_and_large_value() -> (CompiledTemplate, OwnedExchange) {
    let key = format!(
        "https://c.example/?{}",
        "{$request.body#/a}".repeat(38 * 1024 / 18)
    );
    assert!(key.len() >= 38 * 1024);
    let request = OwnedRequest::new("POST", "https://api.example/subscribe")
        .expect("valid")
        .with_json_body(serde_json::json!({"a": "x".repeat(1024 * 1024), "n": 7}));
    (
        CompiledTemplate::parse(&key).expect("a valid key"),
        OwnedExchange::new(request),
    )
}

#[test]
fn rendering_stops_at_max_rendered_len_when_a_key_repeats_a_large_value() {
    let (key, exchange) = repeating_key_and_large_value();
    let mut out = String::from("kept:");
    let err = key.render_into(&exchange, &mut out).expect_err("too long");
    assert_eq!(
        err,
        EvalError::RenderedTooLong {
            limit: MAX_RENDERED_LEN
        }
    );
    assert_eq!(
        err.to_string(),
        "the rendered text would be longer than the limit of 1048576 bytes (max_rendered_len)"
    );
    assert_eq!(
        out, "kept:",
        "a failed rendering leaves the buffer as it was"
    );
    // Nothing past the limit was written: the buffer never grew beyond it (a `String` at most
    // doubles), where the whole rendering would have needed 2 GiB.
    assert!(
        out.capacity() <= 2 * MAX_RENDERED_LEN + 64,
        "{}",
        out.capacity()
    );

    // Lenient rendering and percent-encoding are bounded the same way.
    for options in [
        RenderOptions::default().with_lenient(true),
        RenderOptions::default().with_percent_encode(true),
    ] {
        let err = key
            .clone()
            .with_options(options)
            .render(&exchange)
            .expect_err("too long");
        assert_eq!(
            err,
            EvalError::RenderedTooLong {
                limit: MAX_RENDERED_LEN
            }
        );
    }
    // In a session too.
    let session = Session::new(&exchange);
    assert!(matches!(
        session.render(&key),
        Err(EvalError::RenderedTooLong { .. })
    ));
    assert_eq!(session.rendered_len(), 0);
}

#[test]
fn a_json_value_larger_than_max_rendered_len_is_not_written_whole_first() {
    let big: Vec<String> = (0..200_000).map(|i| format!("item-{i}")).collect();
    let request = OwnedRequest::new("POST", "https://api.example/")
        .expect("valid")
        .with_json_body(serde_json::json!({"list": big}));
    let exchange = OwnedExchange::new(request);
    let template = CompiledTemplate::parse("https://c.example/?l={$request.body#/list}")
        .expect("valid")
        .with_options(RenderOptions::default().with_max_rendered_len(4096));
    let mut out = String::new();
    let err = template.render_into(&exchange, &mut out).expect_err("long");
    assert_eq!(err, EvalError::RenderedTooLong { limit: 4096 });
    assert!(out.capacity() <= 2 * 4096, "{}", out.capacity());
    // Just fitting is fine; one byte less is not.
    let exact = "https://c.example/?l=".len();
    let tiny = CompiledTemplate::parse("https://c.example/?l={$request.body#/list/0}").expect("t");
    let limit = exact + "item-0".len();
    let fits = tiny
        .clone()
        .with_options(RenderOptions::default().with_max_rendered_len(limit));
    assert_eq!(fits.render(&exchange).expect("fits").len(), limit);
    let short = tiny.with_options(RenderOptions::default().with_max_rendered_len(limit - 1));
    assert_eq!(
        short.render(&exchange),
        Err(EvalError::RenderedTooLong { limit: limit - 1 })
    );
}

#[test]
fn a_session_bounds_all_its_renderings_together() {
    let (_, exchange) = repeating_key_and_large_value();
    // Each rendering is 1 MiB + 18 bytes: past a template's default limit, but a session's limit
    // takes its place: two fit in 3 MiB, the third does not.
    let one = CompiledTemplate::parse("https://c.example/?{$request.body#/a}").expect("valid");
    assert!(matches!(
        one.render(&exchange),
        Err(EvalError::RenderedTooLong { .. })
    ));
    let session = Session::new(&exchange).with_max_rendered_len(3 * MAX_RENDERED_LEN);
    let each = "https://c.example/?".len() + 1024 * 1024;
    assert_eq!(session.render(&one).expect("first").len(), each);
    assert_eq!(session.render(&one).expect("second").len(), each);
    let err = session
        .render(&one)
        .expect_err("the third passes the session's limit");
    assert_eq!(
        err,
        EvalError::RenderedTooLong {
            limit: 3 * MAX_RENDERED_LEN
        }
    );
    assert_eq!(
        session.rendered_len(),
        2 * each,
        "a failed rendering counts nothing"
    );
    // What still fits still renders.
    let small = CompiledTemplate::parse("https://c.example/{$request.body#/n}").expect("valid");
    assert_eq!(
        session.render(&small).expect("small"),
        "https://c.example/7"
    );
}

// --- many expressions against one exchange (a session indexes it once) --------------------

/// An exchange that counts how often its query string and its request's header fields are read
/// (it is its own request message).
struct Counted {
    inner: OwnedExchange,
    queries: Cell<usize>,
    searches: Cell<usize>,
    listings: Cell<usize>,
}

impl Counted {
    fn new(inner: OwnedExchange) -> Self {
        Counted {
            inner,
            queries: Cell::new(0),
            searches: Cell::new(0),
            listings: Cell::new(0),
        }
    }
}

impl Message for Counted {
    fn header(&self, name: FieldName<'_>) -> Option<&[u8]> {
        self.searches.set(self.searches.get() + 1);
        self.inner.request.header(name)
    }
    fn header_fields(&self) -> Option<HeaderFields<'_>> {
        self.listings.set(self.listings.get() + 1);
        self.inner.request.header_fields()
    }
    fn body(&self) -> Body<'_> {
        self.inner.request.body()
    }
}

impl Exchange for Counted {
    type Request = Counted;
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
        self.queries.set(self.queries.get() + 1);
        self.inner.query()
    }
    fn request(&self) -> &Counted {
        self
    }
    fn response(&self) -> Option<&OwnedResponse> {
        self.inner.response()
    }
    fn status_code(&self) -> Option<u16> {
        self.inner.status_code()
    }
}

/// The finding's input: 300,000 query parameters (`p0=v0&…`, with a repeat and encoded names).
fn long_query_exchange() -> OwnedExchange {
    let mut url = String::from("https://api.example/hooks?first=1&first=2&my+name=a%20b");
    for i in 0..300_000 {
        url.push_str(&format!("&p{i}=v{i}"));
    }
    OwnedExchange::new(OwnedRequest::new("GET", url).expect("valid"))
}

#[test]
fn a_session_splits_a_long_query_string_once_for_many_lookups() {
    let exchange = Counted::new(long_query_exchange());
    let expressions: Vec<CompiledExpression> = (0..1_000)
        .map(|i| CompiledExpression::parse(&format!("$request.query.p{}", i * 299)).expect("valid"))
        .collect();
    let session = Session::new(&exchange);
    for (i, expression) in expressions.iter().enumerate() {
        let value = session.evaluate(expression).expect("present");
        assert_eq!(value, format!("v{}", i * 299).as_str());
    }
    // The first lookup searches in place, the second builds the index; no other reads.
    assert_eq!(exchange.queries.get(), 2);
    // First occurrence, decoded names, decoding errors, absence: as a single evaluation says.
    for text in [
        "$request.query.first",
        "$request.query.my name",
        "$request.query.p299999",
        "$request.query.nope",
    ] {
        let expression = CompiledExpression::parse(text).expect("valid");
        assert_eq!(
            session.evaluate(&expression),
            expression.evaluate(&exchange.inner),
            "{text}"
        );
    }
    assert_eq!(exchange.queries.get(), 2);
    // Templates in the session use the same index.
    let template =
        CompiledTemplate::parse("https://c.example/{$request.query.p7}?f={$request.query.first}")
            .expect("valid");
    assert_eq!(
        session.render(&template).expect("renders"),
        "https://c.example/v7?f=1"
    );
    assert_eq!(exchange.queries.get(), 2);
}

#[test]
fn a_session_indexes_many_header_fields_once() {
    let mut request = OwnedRequest::new("GET", "https://api.example/").expect("valid");
    for i in 0..10_000 {
        request = request.with_header(format!("X-Field-{i}"), format!("value {i}"));
    }
    let request = request.with_header("x-field-5", "a repeat: the first one counts");
    let exchange = Counted::new(OwnedExchange::new(request));
    let session = Session::new(&exchange);
    for i in (0..10_000).step_by(10) {
        let expression =
            CompiledExpression::parse(&format!("$request.header.x-FIELD-{i}")).expect("valid");
        assert_eq!(
            session.evaluate(&expression).expect("present"),
            format!("value {i}").as_str()
        );
    }
    let missing = CompiledExpression::parse("$request.header.X-None").expect("valid");
    assert_eq!(
        session.evaluate(&missing),
        missing.evaluate(&exchange.inner)
    );
    // One search in place (the first lookup), one listing to build the index.
    assert_eq!(exchange.searches.get(), 1);
    assert_eq!(exchange.listings.get(), 1);
}

#[test]
fn one_lookup_in_a_session_reads_in_place() {
    let exchange = Counted::new(long_query_exchange());
    let session = Session::new(&exchange);
    let expression = CompiledExpression::parse("$request.query.p5").expect("valid");
    assert_eq!(session.evaluate(&expression).expect("present"), "v5");
    assert_eq!(exchange.queries.get(), 1);
    assert_eq!(exchange.listings.get(), 0);
}

#[test]
fn errors_quote_at_most_256_bytes_of_a_value_from_the_exchange() {
    // A thousand failing expressions must not copy a 1 MiB value a thousand times.
    let long = "%zz".repeat(400_000);
    let request = OwnedRequest::new(
        "GET",
        format!("https://h.example/{}?q={long}", "a".repeat(300_000)),
    )
    .expect("valid")
    .with_path_template("/b/{x}")
    .expect("valid")
    .with_header(
        "Content-Type",
        format!("application/json; x={}", "y".repeat(1_000_000)),
    )
    .with_body("not json");
    let exchange = OwnedExchange::new(request);
    for text in ["$request.query.q", "$request.path.x", "$request.body#/a"] {
        let err = eval(text, &exchange).expect_err("fails");
        let message = err.to_string();
        assert!(message.len() < 1_000, "{text}: {} bytes", message.len());
        assert!(message.contains('…'), "{text}: {message}");
    }
}

// --- numbers keep their JSON text --------------------------------------------------------

/// Numbers as a client writes them, and how they render: their digits, sign, decimal point and
/// trailing zeros as written; serde_json writes the exponent as `e` with a sign.
const NUMBER_TEXTS: &[(&str, &str)] = &[
    ("18446744073709551616", "18446744073709551616"),
    ("-18446744073709551617", "-18446744073709551617"),
    (
        "123456789012345678901234567890.5",
        "123456789012345678901234567890.5",
    ),
    ("-0", "-0"),
    ("-0.0", "-0.0"),
    ("1.0", "1.0"),
    ("1.50", "1.50"),
    ("0.1", "0.1"),
    ("1e2", "1e+2"),
    ("1E2", "1e+2"),
    ("2.5E-3", "2.5e-3"),
    ("7", "7"),
    ("-7", "-7"),
];

#[test]
fn numbers_render_in_their_json_text_not_as_floats() {
    for (written, rendered) in NUMBER_TEXTS {
        let body = format!("{{\"n\": {written}, \"list\": [{written}]}}");
        let raw = OwnedExchange::parse_http1(
            raw_request(Some("application/json"), &body).as_bytes(),
            None,
        )
        .expect("a raw request");
        let file: OwnedExchange = serde_json::from_str(&format!(
            r#"{{"request": {{"method": "POST", "url": "https://h.example/", "body": {body}}}}}"#
        ))
        .expect("an exchange file");
        for exchange in [&raw, &file] {
            assert_eq!(
                eval("$request.body#/n", exchange).as_deref(),
                Ok(*rendered),
                "{written}"
            );
            let template = CompiledTemplate::parse(
                "https://c.example/?n={$request.body#/n}&l={$request.body#/list}",
            )
            .expect("valid");
            assert_eq!(
                template.render(exchange).expect("renders"),
                format!("https://c.example/?n={rendered}&l=[{rendered}]"),
                "{written}"
            );
            // Serialized (link values, JSON output) the same way.
            let expression = Expression::parse("$request.body#/n").expect("valid");
            let value = evaluate(&expression, exchange).expect("present");
            assert_eq!(
                serde_json::to_string(&value).expect("serializes"),
                *rendered
            );
            assert_eq!(value.to_json().to_string(), *rendered);
        }
    }
}

#[test]
fn header_values_written_as_numbers_keep_their_text_in_an_exchange_file() {
    let file: OwnedExchange = serde_json::from_str(
        r#"{"request": {"method": "GET", "url": "https://h.example/",
            "headers": {"X-Big": 18446744073709551616, "X-Float": 1.50, "X-Int": 188, "X-Exp": 1e2}}}"#,
    )
    .expect("an exchange file");
    assert_eq!(
        eval("$request.header.X-Big", &file).as_deref(),
        Ok("18446744073709551616")
    );
    assert_eq!(
        eval("$request.header.X-Float", &file).as_deref(),
        Ok("1.50")
    );
    assert_eq!(eval("$request.header.X-Int", &file).as_deref(), Ok("188"));
    assert_eq!(eval("$request.header.X-Exp", &file).as_deref(), Ok("1e+2"));
    // Anything else is still refused with the expected shape.
    let err = serde_json::from_str::<OwnedExchange>(
        r#"{"request": {"method": "GET", "url": "https://h.example/", "headers": {"X": {"a": 1}}}}"#,
    )
    .expect_err("an object is not a header value");
    assert!(
        err.to_string().contains("a string, number or boolean"),
        "{err}"
    );
}

/// YAML numbers are YAML's: the YAML reader gives an integer that fits 64 bits with its digits
/// and any other number as a 64-bit float, whose shortest text is what renders. To keep a
/// number's text in a YAML exchange file, quote it (a string renders as it is) or use JSON.
#[test]
fn yaml_exchange_files_read_numbers_as_yaml_does() {
    let yaml = "request:\n  method: POST\n  url: https://h.example/\n  body:\n    int: 7\n    exp: 1e2\n    quoted: \"1e2\"\n    neg: -0\n";
    let file: OwnedExchange = serde_saphyr::from_str(yaml).expect("a YAML exchange file");
    assert_eq!(eval("$request.body#/int", &file).as_deref(), Ok("7"));
    assert_eq!(eval("$request.body#/exp", &file).as_deref(), Ok("100.0"));
    assert_eq!(eval("$request.body#/quoted", &file).as_deref(), Ok("1e2"));
    assert_eq!(eval("$request.body#/neg", &file).as_deref(), Ok("0"));
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
            let pointer = JsonPointer::from_tokens(&path);
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
                    _ => Expression::Request(Source::Body(Some(JsonPointer::from_tokens(&path)))),
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

        /// Rendering within a limit gives the whole rendering when it fits and the error naming
        /// the limit when it does not, never a truncated text; a session renders the same.
        #[test]
        fn rendering_within_a_limit_is_whole_or_an_error_naming_the_limit(
            body in json(),
            choices in vec(vec(any::<Index>(), 0..4), 1..5),
            literals in vec("[a-z/?=&:.#%+ -]{0,8}", 1..5),
            limit in 0usize..160,
            lenient in any::<bool>(),
            encode in any::<bool>(),
        ) {
            let exchange = exchange_with_body(&body);
            let mut text = String::new();
            for (i, path_choices) in choices.iter().enumerate() {
                text.push_str(literals.get(i).map_or("", String::as_str));
                let pointer = JsonPointer::from_tokens(path_into(&body, path_choices));
                let expression = Expression::Request(Source::Body(Some(pointer)));
                text.push('{');
                text.push_str(&expression.to_string());
                text.push('}');
            }
            let Ok(template) = CompiledTemplate::parse(&text) else {
                // A member name with a brace cannot be embedded; nothing to check.
                return Ok(());
            };
            let options = RenderOptions::default().with_lenient(lenient).with_percent_encode(encode);
            let whole = template.clone().with_options(options.with_max_rendered_len(usize::MAX)).render(&exchange);
            let bounded = template.clone().with_options(options.with_max_rendered_len(limit));
            let mut out = String::from("kept");
            let result = bounded.render_into(&exchange, &mut out);
            match (&whole, &result) {
                (Ok(whole), Ok(())) => {
                    prop_assert!(whole.len() <= limit);
                    prop_assert_eq!(&out["kept".len()..], whole.as_str());
                }
                (Ok(whole), Err(err)) => {
                    prop_assert!(whole.len() > limit, "{} fits {}", whole.len(), limit);
                    prop_assert_eq!(err, &EvalError::RenderedTooLong { limit });
                    prop_assert_eq!(out.as_str(), "kept");
                }
                (Err(_), Ok(())) => prop_assert!(false, "a failing template rendered"),
                (Err(whole), Err(err)) => {
                    let too_long = EvalError::RenderedTooLong { limit };
                    prop_assert!(err == whole || *err == too_long, "{}", err);
                    prop_assert_eq!(out.as_str(), "kept");
                }
            }
            // A session's limit takes the place of the template's.
            let session = Session::new(&exchange).with_max_rendered_len(limit);
            prop_assert_eq!(session.render(&template.clone().with_options(options)), bounded.render(&exchange));
            prop_assert_eq!(session.rendered_len(), bounded.render(&exchange).map_or(0, |s| s.len()));
        }

        /// A session gives, expression for expression, what single evaluations give, also once
        /// it has indexed the query string and the header fields (from its second lookup).
        #[test]
        fn a_session_evaluates_as_single_evaluations_do(
            pairs in vec(("[a-c%+]{0,3}", "[a-z0-9%+]{0,4}"), 0..120),
            fields in vec(("[a-cA-C]{1,2}", "[ -~]{0,6}"), 0..40),
            lookups in vec(("[a-c ]{0,3}", any::<bool>()), 1..30),
        ) {
            let query: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
            let mut request = OwnedRequest::new("GET", format!("https://h.example/?{}", query.join("&"))).expect("valid");
            for (name, value) in &fields {
                request = request.with_header(name.clone(), value.trim_matches([' ', '\t']).to_owned());
            }
            let exchange = OwnedExchange::new(request);
            let session = Session::new(&exchange);
            for (name, is_header) in &lookups {
                let text = if *is_header {
                    match name.trim() {
                        "" => continue,
                        name => format!("$request.header.{name}"),
                    }
                } else {
                    format!("$request.query.{name}")
                };
                let Ok(expression) = CompiledExpression::parse(&text) else { continue };
                prop_assert_eq!(session.evaluate(&expression), expression.evaluate(&exchange), "{}", text);
                prop_assert_eq!(
                    session.evaluate_expression(expression.expression()),
                    evaluate(expression.expression(), &exchange),
                    "{}", text
                );
            }
        }
    }
}
