//! Control characters from documents, exchanges, payloads and file names never reach the
//! terminal (issue 10, finding 15): an ESC or BEL in a callback key or an operationId printed
//! raw could clear the screen or fake a clean result. Human-readable output shows them escaped
//! (`\u{1b}`), JSON output escapes them as JSON does (`\u001b`, and `\u009b` for C1 controls),
//! and GitHub workflow commands keep one command per line.
//!
//! One hostile test per output path, then a property test over generated documents: no output
//! of the binary holds a C0 or C1 control character other than the newline.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proptest::prelude::*;
use serde_json::{Value, json};

fn oas_callbacks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args(args)
        .output()
        .expect("the oas-callbacks binary runs")
}

fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "oas-callbacks-cli-terminal-{test}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("scratch file");
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// The first control character other than the newline, if any.
fn control_in(text: &str) -> Option<char> {
    text.chars().find(|&c| c.is_control() && c != '\n')
}

/// Both streams of a run, checked to hold no control character but newlines, and returned.
fn clean(args: &[&str]) -> (Option<i32>, String, String) {
    let output = oas_callbacks(args);
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        if let Some(c) = control_in(text) {
            panic!("{args:?}: {name} holds U+{:04X}: {text:?}", u32::from(c));
        }
    }
    (output.status.code(), stdout, stderr)
}

/// A document whose every name is hostile: operationIds, callback names, keys, link names,
/// link targets, property names and enum values hold ESC, BEL, CSI (C1), CR and LF.
fn hostile_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t\u{1b}[2J", "version": "1"},
        "paths": {"/jobs/{id}": {"post": {
            "operationId": "start\u{1b}[2J\u{7}",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "callbacks": {
                "done\u{1b}]0;pwned\u{7}": {
                    "{$request.body#/url}": {"post": {
                        "operationId": "cb\u{9b}31m",
                        "requestBody": {"content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {"state\u{1b}[1m": {"enum": ["ok\u{1b}[32m", "\u{9b}2J"]}}
                        }}}}
                    }}
                },
                "bad\u{1b}[2J": {
                    "{$request.body#/u\u{1b}[31m}/x\r\n0 errors": {"post": {}},
                    "http://x/{id}\u{1b}[2J\u{7}": {"post": {}}
                }
            },
            "responses": {"202": {
                "description": "ok",
                "links": {
                    "next\u{1b}[5m": {
                        "operationId": "nope\u{1b}[2J%\r\n:,",
                        "parameters": {"p\u{1b}": "$request.body#/v\u{1b}", "q": "$request.query.\u{1b}"}
                    }
                }
            }}
        }}}
    })
}

fn hostile_files(test: &str) -> (PathBuf, String, String, String) {
    let dir = scratch_dir(test);
    let spec = write(
        &dir,
        "api\u{1b}\u{7}.json",
        serde_json::to_string_pretty(&hostile_document()).expect("JSON"),
    );
    let exchange = write(
        &dir,
        "exchange.json",
        serde_json::to_string(&json!({
            "request": {
                "method": "POST",
                "url": "https://h.example/jobs/7",
                "body": {"url": "https://c.example/\u{1b}[2J\u{9b}", "v\u{1b}": "\u{7}\u{9b}x"}
            },
            "response": {"status": 202}
        }))
        .expect("JSON"),
    );
    let payload = write(
        &dir,
        "payload.json",
        serde_json::to_string(&json!({"state\u{1b}[1m": "\u{1b}[31mfake\u{7}", "\u{9b}k": 1}))
            .expect("JSON"),
    );
    (dir, spec, exchange, payload)
}

#[test]
fn check_text_diagnostics_and_their_caret_snippets() {
    let (_, spec, _, _) = hostile_files("check-text");
    let (status, stdout, stderr) = clean(&["check", &spec]);
    assert_eq!(status, Some(1));
    assert!(stdout.contains("api\\u{1b}\\u{7}.json:"), "{stdout}");
    assert!(
        stdout.contains("operationId `nope\\u{1b}[2J%\\r\\n:,` of a link names no operation"),
        "{stdout}"
    );
    assert!(stderr.starts_with("1 document checked: "), "{stderr}");
    // Every diagnostic is its header line, its snippet, its help: a newline in a name never
    // starts a line of its own.
    for line in stdout.lines() {
        assert!(
            line.is_empty()
                || line.starts_with(spec.as_str().split('\u{1b}').next().expect("prefix"))
                || line.starts_with(' ')
                || line.chars().next().is_some_and(|c| c.is_ascii_digit()),
            "{line:?}"
        );
    }
}

#[test]
fn the_caret_stays_under_its_character_when_the_line_holds_controls() {
    let dir = scratch_dir("caret");
    // A YAML document whose key holds a raw ESC: a syntax error, shown with its line.
    let spec = write(
        &dir,
        "raw.yaml",
        b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a\x1b[2J\x07: {get: {responses: {'200': {description: x}}}}\n  x: [\n",
    );
    let (status, stdout, _) = clean(&["check", &spec]);
    assert_eq!(status, Some(1));
    let lines: Vec<&str> = stdout.lines().collect();
    let snippet = lines
        .iter()
        .position(|l| l.contains(" | "))
        .expect("a snippet");
    let caret_line = lines[snippet + 1];
    let caret = caret_line.find('^').expect("a caret");
    let header = lines[snippet - 2];
    let column: usize = header
        .split(':')
        .nth(2)
        .and_then(|c| c.parse().ok())
        .expect("FILE:LINE:COL");
    // The character the column names, found again under the caret once escaped.
    let raw_line = std::fs::read_to_string(&spec)
        .expect("file")
        .lines()
        .nth(
            header
                .split(':')
                .nth(1)
                .and_then(|l| l.parse::<usize>().ok())
                .expect("line")
                - 1,
        )
        .expect("the line")
        .to_owned();
    let target = raw_line.chars().nth(column - 1).unwrap_or(' ');
    let shown = lines[snippet];
    let expected: String = if target.is_control() {
        target
            .escape_default()
            .next()
            .map(String::from)
            .unwrap_or_default()
    } else {
        target.to_string()
    };
    assert_eq!(
        shown.get(caret..caret + expected.len()),
        Some(expected.as_str()),
        "{stdout}"
    );
}

#[test]
fn check_github_commands() {
    let (_, spec, _, _) = hostile_files("check-github");
    let (status, stdout, _) = clean(&["check", "--format", "github", &spec]);
    assert_eq!(status, Some(1));
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "one command per line: {line:?}"
        );
    }
    assert!(
        stdout.contains("operationId `nope\\u{1b}[2J%25%0D%0A:,` of a link"),
        "{stdout}"
    );
}

#[test]
fn check_json_and_sarif_escape_as_json_does() {
    let (_, spec, _, _) = hostile_files("check-json");
    for format in ["json", "sarif"] {
        let (status, stdout, stderr) = clean(&["check", "--format", format, &spec]);
        assert_eq!(status, Some(1), "{stderr}");
        assert!(stdout.contains("\\u001b[2J"), "{format}: {stdout}");
        // The values are intact once read back.
        let value: Value = serde_json::from_str(&stdout).expect("JSON");
        assert!(
            value.to_string().contains("nope\\u001b[2J%\\r\\n:,"),
            "{format}"
        );
    }
}

#[test]
fn resolve_and_links_json_lines() {
    let (_, spec, exchange, _) = hostile_files("resolve");
    let (status, stdout, _) = clean(&[
        "resolve",
        &spec,
        "--operation",
        "POST /jobs/{id}",
        "--exchange",
        &exchange,
    ]);
    assert_eq!(status, Some(0), "invalid keys are skipped: {stdout}");
    assert!(
        stdout.contains("\"callback\":\"done\\u001b]0;pwned\\u0007\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"operationId\":\"cb\\u009b31m\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("https://c.example/\\u001b[2J\\u009b"),
        "{stdout}"
    );
    for line in stdout.lines() {
        let _: Value = serde_json::from_str(line).expect("each line is JSON");
    }

    let (status, stdout, _) = clean(&[
        "links",
        &spec,
        "--operation",
        "POST /jobs/{id}",
        "--status",
        "202",
        "--exchange",
        &exchange,
    ]);
    assert_eq!(status, Some(0));
    let line: Value = serde_json::from_str(stdout.trim_end()).expect("JSON");
    assert_eq!(line["link"], "next\u{1b}[5m");
    assert_eq!(line["parameters"]["p\u{1b}"], "\u{7}\u{9b}x");
}

#[test]
fn validate_violations() {
    let (_, spec, _, payload) = hostile_files("validate");
    let (status, stdout, stderr) = clean(&[
        "validate",
        &spec,
        "--operation",
        "POST /jobs/{id}",
        "--callback",
        "done\u{1b}]0;pwned\u{7}",
        "--body",
        &payload,
    ]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(stdout.starts_with("/state\\u{1b}[1m: "), "{stdout}");
    assert!(stdout.contains("\\u001b[31mfake\\u0007"), "{stdout}");
    assert!(
        stderr.starts_with(
            "error: the payload breaks the schema of callback `done\\u{1b}]0;pwned\\u{7}`"
        ),
        "{stderr}"
    );
}

#[test]
fn error_messages() {
    let (dir, spec, exchange, payload) = hostile_files("errors");
    // An operation that is not there: the error lists the ones that are.
    let (status, stdout, stderr) = clean(&[
        "resolve",
        &spec,
        "--operation",
        "x\u{1b}[2J",
        "--exchange",
        &exchange,
    ]);
    assert_eq!((status, stdout.as_str()), (Some(1), ""));
    assert!(
        stderr.contains("no operation `x\\u{1b}[2J` (operations: start\\u{1b}[2J\\u{7})"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    // A callback that is not there.
    let (status, _, stderr) = clean(&[
        "validate",
        &spec,
        "--operation",
        "POST /jobs/{id}",
        "--callback",
        "\u{1b}[2Jnone",
        "--body",
        &payload,
    ]);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("\\u{1b}[2Jnone"), "{stderr}");
    // A file that is not there, or not JSON, named with controls.
    let missing = dir.join("gone\u{1b}[2J\r\n.json");
    let missing = missing.to_str().expect("UTF-8");
    let (status, _, stderr) = clean(&["eval", "$method", "--exchange", missing]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("gone\\u{1b}[2J\\r\\n.json"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let (status, _, stderr) = clean(&["check", &spec, missing]);
    assert_eq!(status, Some(2));
    assert!(
        stderr.contains("cannot read ") && stderr.contains("gone\\u{1b}[2J"),
        "{stderr}"
    );
    let not_json = write(&dir, "bad\u{7}.json", "{\"request\": \u{1b}}");
    let (status, _, stderr) = clean(&["eval", "$method", "--exchange", &not_json]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("bad\\u{7}.json"), "{stderr}");
    // An expression that does not parse, from the command line: the caret display.
    let (status, _, stderr) = clean(&["parse", "--template", "a\u{1b}[2J{\u{9b}}"]);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("a\\u{1b}[2J{\\u{9b}}"), "{stderr}");
    // A value that cannot be found: the evaluation error.
    let (status, _, stderr) = clean(&["eval", "$request.body#/\u{1b}[2J", "--exchange", &exchange]);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("\\u{1b}[2J"), "{stderr}");
}

#[cfg(feature = "deliver")]
#[test]
fn send_dry_run_json_lines() {
    let (_, spec, exchange, _) = hostile_files("send");
    let dir = scratch_dir("send-payload");
    let payload = write(&dir, "ok.json", r#"{"state\u001b[1m": "ok\u001b[32m"}"#);
    let (status, stdout, stderr) = clean(&[
        "send",
        &spec,
        "--operation",
        "POST /jobs/{id}",
        "--callback",
        "done\u{1b}]0;pwned\u{7}",
        "--body",
        &payload,
        "--exchange",
        &exchange,
        "--dry-run",
    ]);
    assert!(status.is_some(), "{stderr}");
    assert!(stdout.contains("done\\u001b]0;pwned\\u0007"), "{stdout}");
}

/// A string that is mostly about control characters: C0, DEL, C1, CR and LF among the
/// characters that matter to expressions and JSON pointers.
fn hostile_text() -> impl Strategy<Value = String> {
    let control = prop_oneof![
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('\u{1b}')),
        Just('\u{7f}'),
        (0x80u32..0xa0).prop_map(|c| char::from_u32(c).unwrap_or('\u{9b}')),
    ];
    let ordinary = prop_oneof![
        proptest::char::range('a', 'z'),
        prop::sample::select(vec![
            '{', '}', '$', '/', '#', '~', '.', '%', ':', ',', '[', ' '
        ]),
        any::<char>(),
    ];
    prop::collection::vec(prop_oneof![3 => control, 4 => ordinary], 0..12)
        .prop_map(|chars| chars.into_iter().collect())
}

/// A generated document, its exchange and payload, and whether to break the document's text.
#[derive(Debug, Clone)]
struct Case {
    names: Vec<String>,
    key_form: usize,
    corrupt_at: Option<usize>,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(hostile_text(), 10),
        0usize..5,
        prop::option::weighted(0.2, any::<usize>()),
    )
        .prop_map(|(names, key_form, corrupt_at)| Case {
            names,
            key_form,
            corrupt_at,
        })
}

fn argv(text: &str) -> String {
    text.replace('\0', "")
}

fn run_case(case: &Case, dir: &Path) -> Result<(), TestCaseError> {
    let n = &case.names;
    let key = match case.key_form {
        0 => "{$request.body#/url}".to_owned(),
        1 => format!("{{$request.body#/{}}}", n[0]),
        2 => n[0].clone(),
        3 => format!("https://x.example/{}{{$request.query.q}}", n[0]),
        _ => format!("$request.body#/{}", n[0]),
    };
    let document = json!({
        "openapi": "3.1.0",
        "info": {"title": n[1], "version": "1"},
        "paths": {"/jobs/{id}": {"post": {
            "operationId": n[2],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {n[3].clone(): {"type": "string"}}
            }}}},
            "callbacks": {n[4].clone(): {key: {"post": {
                "operationId": n[5],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "required": [n[3]],
                    "properties": {n[3].clone(): {"enum": [n[6], "x"]}}
                }}}}
            }}}},
            "responses": {"202": {"description": n[7], "links": {n[8].clone(): {
                "operationId": n[9],
                "parameters": {n[0].clone(): format!("$request.body#/{}", n[1]), "q": format!("$request.header.{}", n[2])}
            }}}}
        }}}
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON");
    if let Some(at) = case.corrupt_at {
        // A raw control character in the document's text: a syntax error shown with its line.
        let mut at = at % text.len();
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert(at, '\u{1b}');
    }
    let file_name: String = n[1].chars().filter(|&c| c != '/' && c != '\0').collect();
    let spec = write(dir, &format!("doc-{file_name}.json"), text);
    let exchange = write(
        dir,
        "exchange.json",
        serde_json::to_string(&json!({
            "request": {
                "method": "POST",
                "url": "https://h.example/jobs/7?q=1",
                "headers": {"X-A": "ok"},
                "body": {"url": format!("https://c.example/{}", n[6]), n[1].clone(): n[7], n[0].clone(): n[8]}
            },
            "response": {"status": 202}
        }))
        .expect("JSON"),
    );
    let payload = write(
        dir,
        "payload.json",
        serde_json::to_string(&json!({n[3].clone(): n[9], n[4].clone(): n[5]})).expect("JSON"),
    );
    let operation = "POST /jobs/{id}";
    let id = argv(&n[2]);
    let callback = argv(&n[4]);
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["check", &spec],
        vec!["check", "--format", "github", &spec],
        vec!["check", "--format", "json", &spec],
        vec!["check", "--format", "sarif", &spec],
        vec![
            "resolve",
            &spec,
            "--operation",
            operation,
            "--exchange",
            &exchange,
        ],
        vec![
            "resolve",
            &spec,
            "--operation",
            &id,
            "--exchange",
            &exchange,
        ],
        vec![
            "links",
            &spec,
            "--operation",
            operation,
            "--status",
            "202",
            "--exchange",
            &exchange,
        ],
        vec![
            "validate",
            &spec,
            "--operation",
            operation,
            "--callback",
            &callback,
            "--body",
            &payload,
        ],
    ];
    if cfg!(feature = "deliver") {
        runs.push(vec![
            "send",
            &spec,
            "--operation",
            operation,
            "--callback",
            &callback,
            "--body",
            &payload,
            "--exchange",
            &exchange,
            "--dry-run",
        ]);
    }
    for args in runs {
        let output = oas_callbacks(&args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        prop_assert!(!stderr.contains("panicked"), "{:?}: {}", args, stderr);
        prop_assert!(
            matches!(output.status.code(), Some(0..=2)),
            "{:?}: status {:?}",
            args,
            output.status
        );
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            if let Some(c) = control_in(text) {
                prop_assert!(
                    false,
                    "{:?}: {} holds U+{:04X}: {:?}",
                    args,
                    stream,
                    u32::from(c),
                    text
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the names of a document hold, no output of any command holds a control
    /// character other than the newline.
    #[test]
    fn no_output_holds_a_control_character(case in cases()) {
        let dir = scratch_dir("property");
        run_case(&case, &dir)?;
    }
}
