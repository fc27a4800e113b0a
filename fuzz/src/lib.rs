//! What the fuzz targets share: the checks made on every parse, a structured exchange built
//! from fuzzer bytes, a reference RFC 6901 resolver, and the evaluation oracles.
//!
//! Every check here is an invariant the crates promise, so a failed `assert!` is a finding just
//! like a panic inside the crates.

use arbitrary::{Arbitrary, Unstructured};
use expr_eval::{
    CompiledExpression, CompiledTemplate, EvalError, Exchange, OwnedExchange, OwnedRequest,
    OwnedResponse, RenderOptions, Session, Value, evaluate,
};
use expr_grammar::{Expression, ParseError, Segment, Source, Template, differential};

/// Checks what every parse error promises: an offset inside the input (on a character
/// boundary), a line and column from 1, a message and a caret display.
pub fn check_error(input: &str, err: &ParseError) {
    assert!(err.offset() <= input.len(), "offset past the end: {err:?}");
    assert!(
        input.is_char_boundary(err.offset()),
        "offset inside a character: {err:?}"
    );
    assert!(
        err.line() >= 1 && err.column() >= 1,
        "line/column from 1: {err:?}"
    );
    assert!(!err.message().is_empty());
    let shown = err.to_string();
    assert!(shown.contains('^'), "no caret: {shown}");
}

/// The fast reader and the grammar, each on its own, agree on `input` read as an expression and
/// as a template (whatever one accepts the other accepts, with the same tree), and the public
/// entry points give the grammar's result, its error included.
pub fn check_readers_agree(input: &str) {
    let grammar = differential::grammar_expression(input);
    let fast = differential::fast_expression(input);
    assert_eq!(
        fast.as_ref(),
        grammar.as_ref().ok(),
        "expression {input:?}: the fast reader (left) and the grammar (right) disagree"
    );
    assert_eq!(Expression::parse(input), grammar, "expression {input:?}");
    let grammar = differential::grammar_template(input);
    let fast = differential::fast_template(input);
    assert_eq!(
        fast.as_ref(),
        grammar.as_ref().ok(),
        "template {input:?}: the fast reader (left) and the grammar (right) disagree"
    );
    assert_eq!(Template::parse(input), grammar, "template {input:?}");
}

/// Parses `input` as an expression; a success must print and reparse to the same tree, and
/// the printed form must be a fixed point.
pub fn check_expression(input: &str) -> Option<Expression> {
    match Expression::parse(input) {
        Ok(expr) => {
            let printed = expr.to_string();
            let again = Expression::parse(&printed).unwrap_or_else(|err| {
                panic!("{input:?} printed as {printed:?}, which does not parse: {err}")
            });
            assert_eq!(
                again, expr,
                "{input:?} printed as {printed:?}, which parses differently"
            );
            assert_eq!(
                again.to_string(),
                printed,
                "the canonical form is not a fixed point"
            );
            // An embeddable expression must also survive a trip through a template.
            if let Some(template) = Template::from_expression(expr.clone()) {
                check_template_roundtrip(&template.to_string(), &template);
            }
            Some(expr)
        }
        Err(err) => {
            check_error(input, &err);
            None
        }
    }
}

/// Parses `input` as a template; a success must print and reparse to the same segments.
pub fn check_template(input: &str) -> Option<Template> {
    match Template::parse(input) {
        Ok(template) => {
            check_template_roundtrip(input, &template);
            // Whatever the parser built, `from_segments` must accept.
            let rebuilt =
                Template::from_segments(template.segments().to_vec()).unwrap_or_else(|err| {
                    panic!("{input:?}: from_segments refuses parsed segments: {err}")
                });
            assert_eq!(rebuilt, template);
            Some(template)
        }
        Err(err) => {
            check_error(input, &err);
            None
        }
    }
}

fn check_template_roundtrip(input: &str, template: &Template) {
    let printed = template.to_string();
    let again = Template::parse(&printed).unwrap_or_else(|err| {
        panic!("{input:?} printed as {printed:?}, which does not parse: {err}")
    });
    assert_eq!(
        &again, template,
        "{input:?} printed as {printed:?}, which parses differently"
    );
    assert_eq!(
        again.to_string(),
        printed,
        "the canonical form is not a fixed point"
    );
    // No two literals in a row, no empty literal, no brace in a literal.
    let mut previous_literal = false;
    for segment in template.segments() {
        match segment {
            Segment::Literal(text) => {
                assert!(!text.is_empty() && !previous_literal && !text.contains(['{', '}']));
                previous_literal = true;
            }
            Segment::Expression(_) => previous_literal = false,
            _ => {}
        }
    }
}

/// A JSON value of bounded size and depth, from fuzzer bytes.
pub fn arbitrary_json(
    u: &mut Unstructured<'_>,
    depth: usize,
) -> arbitrary::Result<serde_json::Value> {
    use serde_json::Value as J;
    let kind: u8 = if depth == 0 {
        u.int_in_range(0..=4)?
    } else {
        u.int_in_range(0..=6)?
    };
    Ok(match kind {
        0 => J::Null,
        1 => J::Bool(u.arbitrary()?),
        2 => J::from(u.arbitrary::<i64>()?),
        3 => serde_json::Number::from_f64(u.arbitrary()?).map_or(J::Null, J::Number),
        4 => J::String(small_string(u)?),
        5 => {
            let len = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(arbitrary_json(u, depth - 1)?);
            }
            J::Array(items)
        }
        _ => {
            let len = u.int_in_range(0..=4)?;
            let mut map = serde_json::Map::new();
            for _ in 0..len {
                let key = small_string(u)?;
                map.insert(key, arbitrary_json(u, depth - 1)?);
            }
            J::Object(map)
        }
    })
}

/// Short strings drawn mostly from the characters that matter (pointer escapes, digits for
/// array indices, percent signs), sometimes from anything.
fn small_string(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    const INTERESTING: &[&str] = &[
        "", "0", "1", "01", "-", "a", "b", "id", "~", "/", "~0", "~1", "%2F", "%", "+", " ", "é",
        "{", "}", "$", "\"", "\\", "\u{0}", "10", "x y",
    ];
    if u.ratio(3, 4)? {
        Ok((*u.choose(INTERESTING)?).to_owned())
    } else {
        let s: String = u.arbitrary()?;
        Ok(s.chars().take(16).collect())
    }
}

/// A body as an exchange may carry it.
#[derive(Debug)]
pub enum BodyIn {
    None,
    Bytes(Vec<u8>),
    Json(serde_json::Value),
}

impl<'a> Arbitrary<'a> for BodyIn {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.int_in_range(0..=2)? {
            0 => BodyIn::None,
            1 => BodyIn::Bytes(u.arbitrary()?),
            _ => BodyIn::Json(arbitrary_json(u, 4)?),
        })
    }
}

/// A header name from a few that matter, or anything.
fn header_name(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    const NAMES: &[&str] = &[
        "Content-Type",
        "content-type",
        "Host",
        "Location",
        "X-A",
        "x-a",
        "Accept",
        "",
    ];
    if u.ratio(3, 4)? {
        Ok((*u.choose(NAMES)?).to_owned())
    } else {
        u.arbitrary()
    }
}

fn header_value(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    const VALUES: &[&str] = &[
        "application/json",
        "application/problem+json; charset=utf-8",
        "text/plain",
        "https://example.org/a?b=c",
        "",
    ];
    if u.ratio(1, 2)? {
        Ok((*u.choose(VALUES)?).to_owned())
    } else {
        u.arbitrary()
    }
}

/// A response: status, header fields, body.
pub type ResponseIn = (u16, Vec<(String, String)>, BodyIn);

/// The request and response of an exchange, built only through the public builders.
#[derive(Debug)]
pub struct ExchangeIn {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: BodyIn,
    pub path_template: Option<String>,
    pub path_parameters: Vec<(String, String)>,
    pub response: Option<ResponseIn>,
}

impl<'a> Arbitrary<'a> for ExchangeIn {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        const METHODS: &[&str] = &["GET", "POST", "M-SEARCH", "get", "", "GET MORE"];
        const URLS: &[&str] = &[
            "https://example.org/subscribe/myevent?queryUrl=https://client.example/x&a=1&a=2",
            "https://example.org/v2/users/42/items/a%20b?q=%E2%82%AC+x&empty=&novalue",
            "http://h",
            "https://h/?%zz=1&q=%ff",
        ];
        const TEMPLATES: &[&str] = &[
            "/subscribe/{eventType}",
            "/users/{id}/items/{item}",
            "/{a}.{b}",
            "/x/{id}",
        ];
        let method = if u.ratio(7, 8)? {
            (*u.choose(METHODS)?).to_owned()
        } else {
            u.arbitrary()?
        };
        let url = if u.ratio(3, 4)? {
            let base = *u.choose(URLS)?;
            let tail: String = u.arbitrary()?;
            if u.ratio(1, 2)? {
                base.to_owned()
            } else {
                format!("{base}{tail}")
            }
        } else {
            u.arbitrary()?
        };
        let mut headers = Vec::new();
        for _ in 0..u.int_in_range(0..=4)? {
            headers.push((header_name(u)?, header_value(u)?));
        }
        let body = u.arbitrary()?;
        let path_template = match u.int_in_range(0..=2)? {
            0 => None,
            1 => Some((*u.choose(TEMPLATES)?).to_owned()),
            _ => Some(u.arbitrary()?),
        };
        let mut path_parameters = Vec::new();
        if u.ratio(1, 4)? {
            path_parameters.push((u.arbitrary()?, u.arbitrary()?));
        }
        let response = if u.ratio(3, 4)? {
            let status = if u.ratio(7, 8)? {
                *u.choose(&[200u16, 201, 202, 404, 999])?
            } else {
                u.arbitrary()?
            };
            let mut headers = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                headers.push((header_name(u)?, header_value(u)?));
            }
            Some((status, headers, u.arbitrary()?))
        } else {
            None
        };
        Ok(ExchangeIn {
            method,
            url,
            headers,
            body,
            path_template,
            path_parameters,
            response,
        })
    }
}

impl ExchangeIn {
    /// The exchange; parts the builders refuse (a bad method, URL, template or status) are
    /// replaced by valid ones so that evaluation still runs.
    pub fn build(&self) -> OwnedExchange {
        let mut request = OwnedRequest::new(self.method.clone(), self.url.clone())
            .or_else(|_| OwnedRequest::new("GET", self.url.clone()))
            .or_else(|_| OwnedRequest::new("GET", "https://fallback.example/a/b?c=d"))
            .expect("a valid request");
        for (name, value) in &self.headers {
            request = request.with_header(name.clone(), value.clone());
        }
        request = match &self.body {
            BodyIn::None => request,
            BodyIn::Bytes(bytes) => request.with_body(bytes.clone()),
            BodyIn::Json(value) => request.with_json_body(value.clone()),
        };
        if let Some(template) = &self.path_template {
            // A malformed template is refused with an error, and the request is kept.
            let _ = request.set_path_template(Some(template.clone()));
        }
        for (name, value) in &self.path_parameters {
            request = request.with_path_parameter(name.clone(), value.clone());
        }
        let mut exchange = OwnedExchange::new(request);
        if let Some((status, headers, body)) = &self.response {
            let mut response = OwnedResponse::new(*status)
                .or_else(|_| OwnedResponse::new(200))
                .expect("a valid response");
            for (name, value) in headers {
                response = response.with_header(name.clone(), value.clone());
            }
            response = match body {
                BodyIn::None => response,
                BodyIn::Bytes(bytes) => response.with_body(bytes.clone()),
                BodyIn::Json(value) => response.with_json_body(value.clone()),
            };
            exchange = exchange.with_response(response);
        }
        exchange
    }
}

/// RFC 6901, written out independently of `jsonptr`: the value at `pointer` (already parsed
/// into a pointer), or `None`.
pub fn reference_resolve<'v>(
    value: &'v serde_json::Value,
    pointer: &expr_grammar::JsonPointer,
) -> Option<&'v serde_json::Value> {
    let mut current = value;
    for token in pointer.tokens() {
        let key = token.decoded();
        current = match current {
            serde_json::Value::Object(map) => map.get(key.as_ref())?,
            serde_json::Value::Array(items) => {
                let is_index = key == "0"
                    || (!key.is_empty()
                        && !key.starts_with('0')
                        && key.bytes().all(|b| b.is_ascii_digit()));
                if !is_index {
                    return None;
                }
                items.get(key.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(current)
}

/// Evaluates an expression every way the crate offers and checks that they agree, and that a
/// body pointer resolves as the reference resolver says.
pub fn check_evaluation<X: Exchange + ?Sized>(
    expr: &Expression,
    exchange: &X,
) -> Result<String, EvalError> {
    let direct = evaluate(expr, exchange);
    let compiled = CompiledExpression::new(expr.clone()).evaluate(exchange);
    assert_eq!(
        direct, compiled,
        "evaluate and CompiledExpression disagree on {expr}"
    );
    if let Ok(value) = &direct {
        // Display and write_to write the same text.
        let mut written = String::new();
        value.write_to(&mut written);
        assert_eq!(written, value.to_string());
        let _ = value.to_json();
        if let (Some(Source::Body(Some(pointer))), Value::Json(found)) = (expr.source(), value) {
            let body = match expr {
                Expression::Request(_) => exchange.request_json(),
                _ => exchange.response_json(),
            };
            if let Some(body) = body {
                let expected = reference_resolve(body, pointer);
                assert!(
                    expected.is_some_and(|e| std::ptr::eq(e, *found)),
                    "{expr}: resolved to {found}, the reference resolver says {expected:?}"
                );
            }
        }
    } else if let (Some(Source::Body(Some(pointer))), Err(err)) = (expr.source(), &direct) {
        // A pointer that the reference resolver follows must not fail.
        let body = match expr {
            Expression::Request(_) => exchange.request_json(),
            _ => exchange.response_json(),
        };
        if let Some(body) = body {
            assert!(
                reference_resolve(body, pointer).is_none(),
                "{expr}: failed ({err}) where the reference resolver finds a value"
            );
        }
    }
    let _ = direct.as_ref().map_err(ToString::to_string);
    direct.map(|value| value.to_string())
}

/// Renders a template every way (strict, lenient, percent-encoding) and checks that strict
/// rendering is the concatenation of its segments' values, lenient rendering the same with
/// failures as empty strings, and that rendering into a buffer appends and, on an error,
/// leaves the buffer as it was.
pub fn check_rendering<X: Exchange + ?Sized>(template: &Template, exchange: &X) {
    let mut strict_expected = Some(String::new());
    let mut lenient_expected = String::new();
    let mut first_error = None;
    for segment in template.segments() {
        match segment {
            Segment::Literal(text) => {
                if let Some(out) = &mut strict_expected {
                    out.push_str(text);
                }
                lenient_expected.push_str(text);
            }
            Segment::Expression(expr) => match check_evaluation(expr, exchange) {
                Ok(text) => {
                    if let Some(out) = &mut strict_expected {
                        out.push_str(&text);
                    }
                    lenient_expected.push_str(&text);
                }
                Err(err) => {
                    strict_expected = None;
                    first_error.get_or_insert(err);
                }
            },
            _ => {}
        }
    }
    let strict = CompiledTemplate::new(template.clone());
    let mut out = String::from("prefix:");
    match (
        strict.render_into(exchange, &mut out),
        &strict_expected,
        &first_error,
    ) {
        (Ok(()), Some(expected), _) => assert_eq!(
            &out["prefix:".len()..],
            expected,
            "strict rendering of {template}"
        ),
        (Err(err), None, Some(first)) => {
            assert_eq!(
                &err, first,
                "strict rendering of {template} reports another error"
            );
            assert_eq!(out, "prefix:", "a failed rendering changed the buffer");
        }
        (result, expected, _) => {
            panic!("strict rendering of {template}: {result:?}, expected {expected:?}")
        }
    }
    let lenient = strict
        .clone()
        .with_options(RenderOptions::default().with_lenient(true));
    assert_eq!(
        lenient.render(exchange).as_deref(),
        Ok(lenient_expected.as_str()),
        "lenient rendering of {template}"
    );
    let encoding = strict.clone().with_options(
        RenderOptions::default()
            .with_lenient(true)
            .with_percent_encode(true),
    );
    let encoded = encoding
        .render(exchange)
        .expect("lenient rendering never fails");
    if template.is_literal() {
        assert_eq!(encoded, template.to_string());
    }
    let _ = strict
        .clone()
        .with_options(RenderOptions::default().with_percent_encode(true))
        .render(exchange);
    check_bounded_rendering(&strict, exchange, strict_expected.as_deref());
}

/// Rendering within a limit gives the whole rendering when it fits and
/// `EvalError::RenderedTooLong` naming the limit when it does not (never a truncated text, and
/// the buffer as it was); a session whose limit is the same renders the same.
fn check_bounded_rendering<X: Exchange + ?Sized>(
    template: &CompiledTemplate,
    exchange: &X,
    expected: Option<&str>,
) {
    let whole = expected.map_or(0, str::len);
    for limit in [0, 1, whole / 2, whole.saturating_sub(1), whole, whole + 1] {
        let bounded = template
            .clone()
            .with_options(RenderOptions::default().with_max_rendered_len(limit));
        let mut out = String::from("prefix:");
        let result = bounded.render_into(exchange, &mut out);
        match (result, expected) {
            (Ok(()), Some(expected)) => {
                assert!(expected.len() <= limit, "rendered past the limit {limit}");
                assert_eq!(&out["prefix:".len()..], expected);
            }
            (Ok(()), None) => panic!("a failing template rendered within {limit}"),
            (Err(EvalError::RenderedTooLong { limit: named }), expected) => {
                assert_eq!(named, limit, "the error names another limit");
                assert!(
                    expected.is_none_or(|e| e.len() > limit),
                    "{limit} was enough"
                );
                assert_eq!(out, "prefix:", "a failed rendering changed the buffer");
            }
            (Err(_), Some(expected)) => {
                panic!("a template rendering {expected:?} failed within {limit}")
            }
            (Err(_), None) => assert_eq!(out, "prefix:"),
        }
        let session = Session::new(exchange).with_max_rendered_len(limit);
        assert_eq!(
            session.render(template),
            bounded.render(exchange),
            "a session limited to {limit}"
        );
    }
}

/// The JSON bodies of an exchange's messages, when they are JSON.
trait JsonBodies {
    fn request_json(&self) -> Option<&serde_json::Value>;
    fn response_json(&self) -> Option<&serde_json::Value>;
}

impl<X: Exchange + ?Sized> JsonBodies for X {
    fn request_json(&self) -> Option<&serde_json::Value> {
        json_of(self.request().body())
    }
    fn response_json(&self) -> Option<&serde_json::Value> {
        self.response().and_then(|r| json_of(r.body()))
    }
}

fn json_of(body: expr_eval::Body<'_>) -> Option<&serde_json::Value> {
    match body {
        expr_eval::Body::Json(value) => Some(value),
        _ => None,
    }
}

use expr_eval::Message as _;

/// Every kind of expression, for targets whose input is the exchange rather than the
/// expression.
pub const EXPRESSIONS: &[&str] = &[
    "$url",
    "$method",
    "$statusCode",
    "$request.header.Host",
    "$request.header.content-type",
    "$request.header.X-A",
    "$request.query.q",
    "$request.query.a",
    "$request.query.",
    "$request.path.id",
    "$request.path.eventType",
    "$request.body",
    "$request.body#",
    "$request.body#/a",
    "$request.body#/0",
    "$request.body#/a/b/0",
    "$request.body#/-",
    "$response.header.Location",
    "$response.body",
    "$response.body#/id",
    "$response.query.x",
    "$response.path.x",
];

/// Templates mixing literals and expressions, for the same targets.
pub const TEMPLATES: &[&str] = &[
    "https://notify.example/{$request.path.id}?q={$request.query.q}&b={$request.body#/a}",
    "{$request.query.q}/data",
    "{$request.body#/url}?id={$response.body#/id}&s={$statusCode}#{$method}",
    "{$request.header.X-A}{$response.header.Location}",
];

/// The exchange the `condition` target evaluates conditions against: a request and a response
/// with headers and JSON bodies.
pub fn arazzo_exchange() -> OwnedExchange {
    let request = OwnedRequest::new("POST", "https://api.example/pets?limit=2&q=a%20b")
        .expect("a valid request")
        .with_header("Content-Type", "application/json")
        .with_json_body(serde_json::json!({"name": "Rex", "tags": ["a", "b"]}));
    let response = OwnedResponse::new(201)
        .expect("a valid status")
        .with_header("Location", "https://api.example/pets/1")
        .with_json_body(serde_json::json!({"id": 1, "count": 2, "items": [{"id": 1}, null], "ok": true, "none": null}));
    OwnedExchange::new(request).with_response(response)
}
