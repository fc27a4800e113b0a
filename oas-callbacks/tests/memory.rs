//! The memory a document takes is proportional to its size, with the constant the README's
//! limits table states (issue 10, finding 7: a YAML file took 190 times its size).
//!
//! One test in this binary: the allocator below counts every allocation of the process, so no
//! other test may run beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use oas_callbacks::{Document, LoadLimits};

/// The system allocator, counting the bytes in use and their peak. Each allocation is counted
/// as glibc's malloc hands it out (a multiple of 16 bytes with an 8-byte header, 32 at least):
/// a million one-byte strings take 32 MB of memory, not 1 MB.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn charged(size: usize) -> usize {
    (size + 8).next_multiple_of(16).max(32)
}

fn add(size: usize) {
    let now = IN_USE.fetch_add(charged(size), Ordering::Relaxed) + charged(size);
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn sub(size: usize) {
    IN_USE.fetch_sub(charged(size), Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size());
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        sub(layout.size());
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size());
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size);
        sub(layout.size());
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most memory loading and checking a document may take at its peak, per byte of the
/// document, JSON or YAML, and what the loaded document keeps: about 100 bytes a value (a
/// serde_json value, its position, the text of a number), so a file of nothing but
/// one-character values (2 bytes a value) comes closest. The README's limits table says the
/// same.
const PEAK_PER_BYTE: usize = 120;
const KEPT_PER_BYTE: usize = 80;
/// The same for descriptions as people write them.
const DESCRIPTION_PEAK_PER_BYTE: usize = 25;

/// About `size` bytes of `item` repeated, between `head` and `tail`.
fn repeated(head: &str, item: impl Fn(usize) -> String, separator: &str, tail: &str) -> String {
    const SIZE: usize = 512 * 1024;
    let mut text = String::from(head);
    let mut i = 0;
    while text.len() < SIZE {
        if i > 0 {
            text.push_str(separator);
        }
        text.push_str(&item(i));
        i += 1;
    }
    text.push_str(tail);
    text
}

/// Operations, each with a callback (half of them with a mistake, so that `check` places
/// diagnostics) and a schema: the shape of a real description.
fn description_yaml() -> String {
    let mut text = String::from("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n");
    let mut i = 0;
    while text.len() < 512 * 1024 {
        let key = if i % 2 == 0 {
            "'{$request.body#/url}'"
        } else {
            "'{request.body#/url}'"
        };
        let _ = write!(
            text,
            "  /items{i}/{{id}}:\n    post:\n      operationId: op{i}\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      requestBody:\n        content:\n          application/json:\n            schema:\n              type: object\n              properties:\n                url: {{type: string, format: uri}}\n                name: {{type: string, description: the name of the item}}\n      responses:\n        '200': {{description: ok}}\n      callbacks:\n        done:\n          {key}:\n            post:\n              responses:\n                '200': {{description: ok}}\n"
        );
        i += 1;
    }
    text
}

/// The same description in JSON.
fn description_json() -> String {
    let mut paths = serde_json::Map::new();
    let mut i = 0;
    let mut size = 0;
    while size < 512 * 1024 {
        let key = if i % 2 == 0 {
            "{$request.body#/url}"
        } else {
            "{request.body#/url}"
        };
        let item = serde_json::json!({"post": {
            "operationId": format!("op{i}"),
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "url": {"type": "string", "format": "uri"},
                "name": {"type": "string", "description": "the name of the item"}}}}}},
            "responses": {"200": {"description": "ok"}},
            "callbacks": {"done": {key: {"post": {"responses": {"200": {"description": "ok"}}}}}}
        }});
        size += serde_json::to_string_pretty(&item).map_or(0, |s| s.len());
        paths.insert(format!("/items{i}/{{id}}"), item);
        i += 1;
    }
    let doc = serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths});
    serde_json::to_string_pretty(&doc).expect("serializable")
}

#[test]
fn memory_stays_proportional_to_the_document() {
    let shapes: Vec<(&str, &str, String)> = vec![
        (
            "block sequence of numbers",
            "yaml",
            repeated(
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-data:\n",
                |_| "- 1".to_owned(),
                "\n",
                "\n",
            ),
        ),
        (
            "flow sequence of numbers",
            "yaml",
            repeated(
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-data: [",
                |_| "1".to_owned(),
                ",",
                "]\n",
            ),
        ),
        (
            "flow sequence of nulls",
            "yaml",
            repeated(
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-data: [",
                |_| "~".to_owned(),
                ",",
                "]\n",
            ),
        ),
        (
            "mapping of short keys",
            "yaml",
            repeated(
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-data:\n",
                |i| format!("  k{i}: 1"),
                "\n",
                "\n",
            ),
        ),
        (
            "sequence of small mappings",
            "yaml",
            repeated(
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-data:\n",
                |_| "- {a: [x]}".to_owned(),
                "\n",
                "\n",
            ),
        ),
        ("description", "yaml", description_yaml()),
        ("description", "json", description_json()),
        (
            "array of numbers",
            "json",
            repeated(
                r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "x-data": ["#,
                |_| "1".to_owned(),
                ",",
                "]}",
            ),
        ),
        (
            "object of short keys",
            "json",
            repeated(
                r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "x-data": {"#,
                |i| format!(r#""k{i}":1"#),
                ",",
                "}}",
            ),
        ),
        (
            "array of small objects",
            "json",
            repeated(
                r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "x-data": ["#,
                |_| r#"{"a":["x"]}"#.to_owned(),
                ",",
                "]}",
            ),
        ),
    ];
    let mut report = String::new();
    let mut failed = false;
    for (name, format, text) in shapes {
        let size = text.len();
        let bytes = text.into_bytes();
        let baseline = IN_USE.load(Ordering::Relaxed);
        PEAK.store(baseline, Ordering::Relaxed);
        let doc = Document::from_bytes(format!("d.{format}"), bytes, LoadLimits::default())
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let diagnostics = doc.check();
        let kept = IN_USE.load(Ordering::Relaxed).saturating_sub(baseline) + size;
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(baseline) + size;
        let _ = writeln!(
            report,
            "{format} {name}: {size} bytes, peak {:.1}x, kept {:.1}x, {} diagnostics",
            peak as f64 / size as f64,
            kept as f64 / size as f64,
            diagnostics.len()
        );
        failed |= peak > PEAK_PER_BYTE * size
            || kept > KEPT_PER_BYTE * size
            || (name == "description" && peak > DESCRIPTION_PEAK_PER_BYTE * size);
        drop((doc, diagnostics));
    }
    println!("{report}");
    assert!(
        !failed,
        "over {PEAK_PER_BYTE}x at the peak ({DESCRIPTION_PEAK_PER_BYTE}x for a description) \
         or {KEPT_PER_BYTE}x kept:\n{report}"
    );
}
