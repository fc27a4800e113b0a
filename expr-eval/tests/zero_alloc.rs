//! Proves that header, query (when nothing needs decoding), path and body-pointer evaluation,
//! and rendering a compiled template into a `String` with room, allocate nothing: a counting
//! global allocator counts this thread's allocations around each evaluation. The count is exact
//! and deterministic (not a timing).
//!
//! The workspace denies `unsafe_code`; a `GlobalAlloc` implementation cannot be written without
//! `unsafe impl`, so this one test file allows it. The allocator only counts, then forwards to
//! `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use expr_eval::{
    CompiledExpression, CompiledTemplate, Exchange, OwnedExchange, OwnedRequest, OwnedResponse,
    Session, Value,
};

struct Counting;

thread_local! {
    /// Allocations (alloc, alloc_zeroed and realloc) made by this thread. `const`-initialized, so
    /// reading it never allocates.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: during thread teardown the slot may be gone; then there is nothing to count.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` with the arguments it was given, unchanged, so the
// `GlobalAlloc` contract is `System`'s; the only addition is a thread-local counter update that
// neither allocates nor unwinds.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above; `ptr` and `layout` come from this allocator, which is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The number of allocations `f` makes on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    let after = ALLOCATIONS.with(Cell::get);
    (after - before, result)
}

fn owned_exchange() -> OwnedExchange {
    let request = OwnedRequest::parse_http1(
        b"POST /v2/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning&n=42 HTTP/1.1\r\n\
          Host: example.org\r\n\
          Accept: application/json\r\n\
          Content-Type: application/json\r\n\
          X-Request-ID: 7b0c\r\n\
          \r\n\
          {\"failedUrl\": \"https://clientdomain.com/failed\", \"a\": {\"b\": [{\"c\": {\"d\": 1}}]}, \"id\": \"tx-1\", \"email\": \"a@b.example\"}",
        "https",
    )
    .expect("request");
    let mut request = request;
    request
        .set_path_template(Some("/subscribe/{eventType}".into()))
        .expect("template");
    let response =
        OwnedResponse::parse_http1(b"201 Created\nLocation: https://example.org/subscription/1\n")
            .expect("response");
    OwnedExchange::new(request).with_response(response)
}

/// Evaluates once to warm up (the body is classified lazily, once), then counts a second run.
fn assert_no_allocation<X: Exchange + ?Sized>(exchange: &X, text: &str, expected: &str) {
    let expression = CompiledExpression::parse(text).expect("expression");
    let warm = expression.evaluate(exchange).expect("evaluates");
    assert_eq!(warm, expected, "{text}");
    let (n, value) = allocations(|| {
        let value = expression.evaluate(exchange);
        // Compare inside the measured region, without allocating: `Value == &str`.
        matches!(&value, Ok(v) if *v == expected)
    });
    assert!(value, "{text}");
    assert_eq!(n, 0, "{text} allocated {n} times");
}

#[test]
fn the_counter_counts() {
    let (n, v) = allocations(|| vec![1u8; 64]);
    assert_eq!(v.len(), 64);
    assert_eq!(n, 1);
}

#[test]
fn owned_exchange_lookups_allocate_nothing() {
    let exchange = owned_exchange();
    assert_no_allocation(&exchange, "$request.header.x-request-id", "7b0c");
    assert_no_allocation(&exchange, "$request.header.ACCEPT", "application/json");
    assert_no_allocation(
        &exchange,
        "$response.header.Location",
        "https://example.org/subscription/1",
    );
    assert_no_allocation(&exchange, "$request.path.eventType", "myevent");
    assert_no_allocation(
        &exchange,
        "$request.body#/failedUrl",
        "https://clientdomain.com/failed",
    );
    assert_no_allocation(
        &exchange,
        "$request.query.queryUrl",
        "https://clientdomain.com/stillrunning",
    );
    assert_no_allocation(
        &exchange,
        "$url",
        "https://example.org/v2/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning&n=42",
    );
    assert_no_allocation(&exchange, "$method", "POST");

    // A depth-4 pointer to a non-string value.
    let expression = CompiledExpression::parse("$request.body#/a/b/0/c").expect("expression");
    let _ = expression.evaluate(&exchange);
    let (n, ok) = allocations(
        || matches!(expression.evaluate(&exchange), Ok(Value::Json(v)) if v.is_object()),
    );
    assert!(ok);
    assert_eq!(n, 0);

    let expression = CompiledExpression::parse("$statusCode").expect("expression");
    let (n, ok) = allocations(|| matches!(expression.evaluate(&exchange), Ok(Value::Int(201))));
    assert!(ok);
    assert_eq!(n, 0);
}

#[test]
fn plain_evaluate_allocates_nothing_either() {
    let exchange = owned_exchange();
    for text in [
        "$request.header.Accept",
        "$request.path.eventType",
        "$request.body#/a/b/0/c/d",
    ] {
        let expression = expr_grammar::Expression::parse(text).expect("expression");
        let _ = expr_eval::evaluate(&expression, &exchange);
        let (n, ok) = allocations(|| expr_eval::evaluate(&expression, &exchange).is_ok());
        assert!(ok, "{text}");
        assert_eq!(n, 0, "{text}");
    }
}

#[test]
fn template_rendering_into_a_reused_string_allocates_nothing() {
    let exchange = owned_exchange();
    let template = CompiledTemplate::parse(
        "http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}",
    )
    .expect("template");
    let mut out = String::with_capacity(256);
    template.render_into(&exchange, &mut out).expect("warm-up");
    let (n, result) = allocations(|| {
        out.clear();
        template.render_into(&exchange, &mut out)
    });
    assert!(result.is_ok());
    assert_eq!(
        out,
        "http://notificationServer.com?transactionId=tx-1&email=a@b.example"
    );
    assert_eq!(n, 0);
}

#[test]
fn the_first_lookups_in_a_session_allocate_nothing() {
    let exchange = owned_exchange();
    // The body is classified (parsed) on first use, once.
    let _ = expr_eval::Message::body(exchange.request());
    let session = Session::new(&exchange);
    for (text, expected) in [
        ("$request.header.x-request-id", "7b0c"),
        (
            "$request.query.queryUrl",
            "https://clientdomain.com/stillrunning",
        ),
        (
            "$response.header.Location",
            "https://example.org/subscription/1",
        ),
        ("$request.path.eventType", "myevent"),
        (
            "$request.body#/failedUrl",
            "https://clientdomain.com/failed",
        ),
    ] {
        let expression = CompiledExpression::parse(text).expect("expression");
        let (n, ok) =
            allocations(|| matches!(session.evaluate(&expression), Ok(v) if v == expected));
        assert!(ok, "{text}");
        assert_eq!(n, 0, "{text} allocated {n} times");
    }
    let template =
        CompiledTemplate::parse("https://c.example/{$request.body#/id}").expect("template");
    let mut out = String::with_capacity(64);
    let (n, result) = allocations(|| session.render_into(&template, &mut out));
    assert!(result.is_ok());
    assert_eq!(n, 0);
}

#[cfg(feature = "http")]
#[test]
fn http_exchange_lookups_allocate_nothing() {
    let request =
        http::Request::post("/v2/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning")
            .header("Host", "example.org")
            .header("Content-Type", "application/json")
            .header("X-Request-ID", "7b0c")
            .body(br#"{"a": {"b": [{"c": {"d": "deep"}}]}}"#.to_vec())
            .expect("request");
    let exchange =
        expr_eval::HttpExchange::new(&request).with_path_template("/subscribe/{eventType}");
    assert_no_allocation(&exchange, "$request.header.x-request-id", "7b0c");
    assert_no_allocation(
        &exchange,
        "$request.header.Content-Type",
        "application/json",
    );
    assert_no_allocation(&exchange, "$request.path.eventType", "myevent");
    assert_no_allocation(&exchange, "$request.body#/a/b/0/c/d", "deep");
    assert_no_allocation(
        &exchange,
        "$request.query.queryUrl",
        "https://clientdomain.com/stillrunning",
    );
    // Uncompiled: the header name is parsed by `HeaderMap::get`, still without allocating.
    let expression =
        expr_grammar::Expression::parse("$request.header.X-Request-Id").expect("expression");
    let (n, ok) = allocations(|| expr_eval::evaluate(&expression, &exchange).is_ok());
    assert!(ok);
    assert_eq!(n, 0);
}
