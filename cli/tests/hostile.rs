//! Hostile files given to the command: invalid UTF-8 in every file it reads, files over the size
//! limit, files that never end, deep nesting and alias bombs in exchanges and payloads. Each test
//! asserts a clear error naming the limit it hit; none asserts a timing.

use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");

fn example(name: &str) -> String {
    format!("{EXAMPLES}/{name}")
}

/// A folder of scratch files for one test.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "oas-callbacks-hostile-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("scratch file");
    path.to_string_lossy().into_owned()
}

fn nested(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

/// The classic billion laughs: nine aliases of nine aliases … of nine strings.
fn billion_laughs() -> String {
    let mut text = String::from("openapi: 3.1.0\ninfo: {title: bomb, version: '1'}\npaths: {}\n");
    text.push_str(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names: Vec<char> = ('a'..='j').collect();
    for pair in names.windows(2) {
        let uses = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{uses}]\n", pair[1], pair[1]));
    }
    text
}

// --- the command, on files that are hostile -------------------------------------------------

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the oas-callbacks binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a command that must fail with `code` and a message holding `needle` on stderr.
fn fails(args: &[&str], env: &[(&str, &str)], code: i32, needle: &str) {
    let run = run(args, env);
    assert_eq!(
        run.code,
        Some(code),
        "{args:?}: stdout {:?}, stderr {:?}",
        run.stdout,
        run.stderr
    );
    // `check` reports on stdout (its diagnostics are its output); the others on stderr.
    assert!(
        run.stderr.contains(needle) || (args[0] == "check" && run.stdout.contains(needle)),
        "{args:?}: expected {needle:?} in stderr {:?} (stdout {:?})",
        run.stderr,
        run.stdout
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

fn succeeds(args: &[&str]) -> String {
    let run = run(args, &[]);
    assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
    run.stdout
}

#[test]
fn invalid_utf8_in_a_document_given_to_each_command() {
    let dir = scratch_dir("cli-doc");
    let mut bytes = std::fs::read(example("progress-api.yaml")).expect("example");
    let at = bytes.len() / 2;
    bytes.insert(at, 0xFF);
    let spec = write(&dir, "progress-api.yaml", &bytes);
    let exchange = example("progress-exchange.json");
    let payload = example("progress-payload.json");
    let message = format!("invalid UTF-8 at byte {at}");
    fails(&["check", &spec], &[], 1, &message);
    fails(
        &[
            "resolve",
            &spec,
            "--operation",
            "startJob",
            "--exchange",
            &exchange,
        ],
        &[],
        2,
        &message,
    );
    fails(
        &[
            "links",
            &spec,
            "--operation",
            "startJob",
            "--status",
            "202",
            "--exchange",
            &exchange,
        ],
        &[],
        2,
        &message,
    );
    fails(
        &[
            "validate",
            &spec,
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            &payload,
        ],
        &[],
        2,
        &message,
    );
}

#[test]
fn invalid_utf8_in_an_exchange_file() {
    let dir = scratch_dir("cli-exchange");
    let json = write(
        &dir,
        "exchange.json",
        b"{\"request\": {\"method\": \"GET\", \"url\": \"https://h.example/\", \"headers\": {\"X\": \"caf\xe9\"}}}",
    );
    let yaml = write(
        &dir,
        "exchange.yaml",
        b"request:\n  method: GET\n  url: https://h.example/\n  headers:\n    X: caf\xe9\n",
    );
    let spec = example("progress-api.yaml");
    for file in [&json, &yaml] {
        let needle = "not UTF-8 text: invalid byte 0xE9 at byte";
        fails(&["eval", "$method", "--exchange", file], &[], 2, needle);
        fails(&["eval", "$method", "--request", file], &[], 2, needle);
        fails(
            &[
                "resolve",
                &spec,
                "--operation",
                "startJob",
                "--exchange",
                file,
            ],
            &[],
            2,
            needle,
        );
    }
}

#[test]
fn invalid_utf8_in_raw_http_files() {
    let dir = scratch_dir("cli-raw");
    // obs-text in a header field: an error naming the field.
    let obs = write(
        &dir,
        "obs.http",
        b"GET /x HTTP/1.1\nHost: h.example\nX-Name: caf\xe9\n\n",
    );
    fails(
        &["eval", "$url", "--request", &obs],
        &[],
        2,
        "header \"X-Name\" is not UTF-8 text",
    );
    // A control byte in a header field: a syntax error.
    let ctl = write(
        &dir,
        "ctl.http",
        b"GET /x HTTP/1.1\nHost: h.example\nX-Name: a\x01b\n\n",
    );
    fails(
        &["eval", "$url", "--request", &ctl],
        &[],
        2,
        "invalid header value",
    );
    // A binary body: the message is read; the body is neither JSON nor text.
    let binary = write(
        &dir,
        "binary.http",
        b"POST /upload HTTP/1.1\nHost: h.example\nContent-Type: image/png\n\n\x89PNG\r\n\x1a\n\xff\xfe\n",
    );
    assert_eq!(
        succeeds(&["eval", "$request.header.Host", "--request", &binary]),
        "h.example\n"
    );
    fails(
        &["eval", "$request.body", "--request", &binary],
        &[],
        1,
        "the request body is neither JSON nor UTF-8 text",
    );
    // The same in a response file.
    let response = write(
        &dir,
        "response.http",
        b"200 OK\nContent-Type: application/octet-stream\n\n\xff\xff\n",
    );
    assert_eq!(
        succeeds(&[
            "eval",
            "$statusCode",
            "--request",
            &binary,
            "--response",
            &response
        ]),
        "200\n"
    );
    fails(
        &[
            "eval",
            "$response.body",
            "--request",
            &binary,
            "--response",
            &response,
        ],
        &[],
        1,
        "the response body is neither JSON nor UTF-8 text",
    );
    let bad_status = write(&dir, "status.http", b"200 OK\nX-A: \xe9\n\n");
    fails(
        &[
            "eval",
            "$statusCode",
            "--request",
            &binary,
            "--response",
            &bad_status,
        ],
        &[],
        2,
        "header \"X-A\" is not UTF-8 text",
    );
}

#[test]
fn invalid_utf8_in_a_payload_file() {
    let dir = scratch_dir("cli-payload");
    let payload = write(
        &dir,
        "payload.json",
        b"{\"jobId\": \"4\xff2\", \"percent\": 10, \"state\": \"running\"}",
    );
    fails(
        &[
            "validate",
            &example("progress-api.yaml"),
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            &payload,
        ],
        &[],
        1,
        "payload.json: not UTF-8 text: invalid byte 0xFF at byte 12 (line 1)",
    );
    #[cfg(feature = "deliver")]
    fails(
        &[
            "send",
            &example("progress-api.yaml"),
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            &payload,
            "--exchange",
            &example("progress-exchange.json"),
            "--dry-run",
        ],
        &[],
        1,
        "payload.json: not UTF-8 text: invalid byte 0xFF at byte 12 (line 1)",
    );
}

#[cfg(feature = "deliver")]
#[test]
fn invalid_utf8_in_a_signing_secret_file() {
    let secret = write(&scratch_dir("cli-secret"), "secret", b"whsec_\xff\xfe\n");
    fails(
        &[
            "send",
            &example("progress-api.yaml"),
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            &example("progress-payload.json"),
            "--exchange",
            &example("progress-exchange.json"),
            "--secret-file",
            &secret,
            "--dry-run",
        ],
        &[],
        2,
        "secret: not UTF-8 text: invalid byte 0xFF at byte 6 (line 1)",
    );
}

#[test]
fn files_over_the_size_limit_are_refused_by_name() {
    let small = [("OAS_CALLBACKS_MAX_FILE_BYTES", "200")];
    let spec = example("progress-api.yaml");
    let needle =
        "larger than the limit of 200 bytes (set OAS_CALLBACKS_MAX_FILE_BYTES to change it)";
    // An exchange file, a raw request, a payload.
    fails(
        &[
            "eval",
            "$method",
            "--exchange",
            &example("spec-exchange.json"),
        ],
        &small,
        2,
        needle,
    );
    fails(
        &[
            "eval",
            "$method",
            "--request",
            &example("spec-request.http"),
        ],
        &small,
        2,
        needle,
    );
    let big_payload = write(
        &scratch_dir("cli-size"),
        "payload.json",
        format!("{{\"jobId\": \"{}\"}}", "x".repeat(300)),
    );
    fails(
        &[
            "validate",
            &example("progress-api.yaml"),
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            &big_payload,
        ],
        &[("OAS_CALLBACKS_MAX_FILE_BYTES", "5000")],
        1,
        "breaks the schema",
    );
    fails(
        &[
            "validate",
            &spec,
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            &big_payload,
        ],
        &[("OAS_CALLBACKS_MAX_FILE_BYTES", "300")],
        2,
        "larger than the limit of 300 bytes",
    );
    // Documents: the same variable sets LoadLimits::max_file_bytes.
    fails(
        &["check", &spec],
        &small,
        2,
        "larger than the limit of 200 bytes (LoadLimits::max_file_bytes)",
    );
    fails(
        &[
            "resolve",
            &spec,
            "--operation",
            "startJob",
            "--exchange",
            &example("progress-exchange.json"),
        ],
        &small,
        2,
        "larger than the limit of 200 bytes (LoadLimits::max_file_bytes)",
    );
    // A bad value is a usage error.
    fails(
        &[
            "eval",
            "$method",
            "--exchange",
            &example("spec-exchange.json"),
        ],
        &[("OAS_CALLBACKS_MAX_FILE_BYTES", "lots")],
        2,
        "OAS_CALLBACKS_MAX_FILE_BYTES must be a number of bytes, not `lots`",
    );
}

#[cfg(unix)]
#[test]
fn a_file_that_never_ends_is_read_up_to_the_limit() {
    let small = [("OAS_CALLBACKS_MAX_FILE_BYTES", "65536")];
    fails(
        &["eval", "$method", "--exchange", "/dev/zero"],
        &small,
        2,
        "/dev/zero: larger than the limit of 65536 bytes",
    );
    fails(
        &["check", "/dev/zero"],
        &small,
        2,
        "larger than the limit of 65536 bytes",
    );
}

#[test]
fn deep_nesting_and_alias_bombs_in_exchange_and_payload_files() {
    let dir = scratch_dir("cli-deep");
    let deep_json = write(
        &dir,
        "deep.json",
        format!(
            "{{\"request\": {{\"method\": \"POST\", \"url\": \"https://h.example/\", \"body\": {}}}}}",
            nested(100_000)
        ),
    );
    fails(
        &["eval", "$method", "--exchange", &deep_json],
        &[],
        2,
        "arrays and objects nested more than 127 levels deep (the JSON nesting limit)",
    );
    let deep_yaml = write(
        &dir,
        "deep.yaml",
        format!(
            "request:\n  method: POST\n  url: https://h.example/\n  body: {}\n",
            nested(100_000)
        ),
    );
    fails(
        &["eval", "$method", "--exchange", &deep_yaml],
        &[],
        2,
        "nested more than 127 levels deep (the nesting limit)",
    );
    let bomb = billion_laughs().replace(
        "openapi: 3.1.0\ninfo: {title: bomb, version: '1'}\npaths: {}\n",
        "request: {method: GET, url: 'https://h.example/'}\n",
    );
    let bomb = write(&dir, "bomb.yaml", bomb);
    fails(
        &["eval", "$method", "--exchange", &bomb],
        &[],
        2,
        "YAML aliases expand to more than 100000 nodes",
    );
    let raw = write(
        &dir,
        "deep.http",
        format!(
            "POST /x HTTP/1.1\nHost: h.example\nContent-Type: application/json\n\n{}\n",
            nested(100_000)
        ),
    );
    fails(
        &["eval", "$method", "--request", &raw],
        &[],
        2,
        "the request body nests JSON arrays and objects more than 127 levels deep (the limit, MAX_JSON_DEPTH)",
    );
    let payload = write(&dir, "payload.json", nested(100_000));
    fails(
        &[
            "validate",
            &example("progress-api.yaml"),
            "--operation",
            "startJob",
            "--callback",
            "progress",
            "--body",
            &payload,
        ],
        &[],
        1,
        "not JSON: arrays and objects nested more than 127 levels deep (the JSON nesting limit)",
    );
}

#[test]
fn a_raw_request_with_10_000_header_fields() {
    let mut text = String::from("GET /x HTTP/1.1\r\nHost: h.example\r\n");
    for i in 0..10_000 {
        text.push_str(&format!("X-F{i}: {i}\r\n"));
    }
    text.push_str("\r\n");
    let raw = write(&scratch_dir("cli-headers"), "many.http", text);
    fails(
        &["eval", "$method", "--request", &raw],
        &[],
        2,
        "the request has more than 256 header fields (the limit, MAX_HEADERS)",
    );
}

/// Succeeds with `env` and returns stdout.
fn succeeds_with(args: &[&str], env: &[(&str, &str)]) -> String {
    let run = run(args, env);
    assert_eq!(run.code, Some(0), "{args:?} {env:?}: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.stdout
}

/// Issue 10, finding 9: `OAS_CALLBACKS_MAX_FILE_BYTES=18446744073709551615` made every file read
/// as empty in release builds (`limit + 1` wrapped to 0) and panicked in debug builds. A value
/// that large means "no limit": it saturates, and every command reads its files.
#[test]
fn a_huge_file_size_limit_means_no_limit_and_never_overflows() {
    let spec = example("progress-api.yaml");
    for huge in [
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775808",
        "340282366920938463463374607431768211456",
    ] {
        let env = [("OAS_CALLBACKS_MAX_FILE_BYTES", huge)];
        assert_eq!(
            succeeds_with(
                &[
                    "eval",
                    "$method",
                    "--exchange",
                    &example("spec-exchange.json")
                ],
                &env
            ),
            "POST\n"
        );
        assert_eq!(
            succeeds_with(
                &[
                    "eval",
                    "$request.header.Host",
                    "--request",
                    &example("spec-request.http")
                ],
                &env
            ),
            "example.org\n"
        );
        succeeds_with(&["check", &spec], &env);
        let resolved = succeeds_with(
            &[
                "resolve",
                &spec,
                "--operation",
                "startJob",
                "--exchange",
                &example("progress-exchange.json"),
            ],
            &env,
        );
        assert!(
            resolved.contains("https://client.example.net/progress/42"),
            "{resolved}"
        );
        assert_eq!(
            succeeds_with(
                &[
                    "validate",
                    &spec,
                    "--operation",
                    "startJob",
                    "--callback",
                    "progress",
                    "--body",
                    &example("progress-payload.json"),
                ],
                &env
            ),
            "valid\n"
        );
    }
    // Not a number at all: refused by name, whatever the command.
    for bad in ["-1", "1e9", "64MiB", ""] {
        fails(
            &["check", &spec],
            &[("OAS_CALLBACKS_MAX_FILE_BYTES", bad)],
            2,
            &format!("OAS_CALLBACKS_MAX_FILE_BYTES must be a number of bytes, not `{bad}`"),
        );
    }
}

/// Issue 10, finding 12: a YAML exchange over 250,000 nodes failed with `budget breached:
/// Nodes` while the same data in JSON worked, and the YAML budgets named no setting. Now a YAML
/// exchange is held to what JSON is (the file size, the nesting), plus the alias limits, and
/// each of those names the variable that changes it.
#[test]
fn yaml_exchange_files_hold_what_json_holds_and_each_limit_names_its_setting() {
    let dir = scratch_dir("cli-yaml-budgets");
    let items: Vec<String> = (0..251_000).map(|i| i.to_string()).collect();
    let yaml = write(
        &dir,
        "big.yaml",
        format!(
            "request:\n  method: POST\n  url: https://h.example/\n  body: [{}]\n",
            items.join(", ")
        ),
    );
    let json = write(
        &dir,
        "big.json",
        format!(
            "{{\"request\": {{\"method\": \"POST\", \"url\": \"https://h.example/\", \"body\": [{}]}}}}",
            items.join(", ")
        ),
    );
    for file in [&json, &yaml] {
        assert_eq!(
            succeeds_with(&["eval", "$request.body#/250999", "--exchange", file], &[]),
            "250999\n"
        );
    }

    let exchange = |body: &str| {
        format!("request:\n  method: POST\n  url: https://h.example/\n  body: {body}\n")
    };
    // Alias uses.
    let aliases = write(
        &dir,
        "aliases.yaml",
        exchange(&format!("{{a: &x 1, b: [{}]}}", ["*x"; 11].join(", "))),
    );
    assert_eq!(
        succeeds_with(
            &["eval", "$request.body#/b/10", "--exchange", &aliases],
            &[]
        ),
        "1\n"
    );
    fails(
        &["eval", "$method", "--exchange", &aliases],
        &[("OAS_CALLBACKS_MAX_YAML_ALIASES", "10")],
        2,
        "more than 10 YAML alias uses (the alias limit: set OAS_CALLBACKS_MAX_YAML_ALIASES to change it)",
    );
    // Nodes an alias expands to.
    let expansion = write(
        &dir,
        "expansion.yaml",
        exchange(&format!(
            "{{a: &x [{}], b: [*x, *x]}}",
            ["1"; 30].join(", ")
        )),
    );
    fails(
        &["eval", "$method", "--exchange", &expansion],
        &[("OAS_CALLBACKS_MAX_YAML_ALIAS_NODES", "50")],
        2,
        "YAML aliases expand to more than 50 nodes (the alias expansion limit: set OAS_CALLBACKS_MAX_YAML_ALIAS_NODES to change it)",
    );
    // Text that aliases expand: bounded like the file itself.
    let text = write(
        &dir,
        "text.yaml",
        exchange(&format!(
            "{{a: &x '{}', b: [*x, *x, *x]}}",
            "y".repeat(3000)
        )),
    );
    fails(
        &["eval", "$method", "--exchange", &text],
        &[("OAS_CALLBACKS_MAX_FILE_BYTES", "10000")],
        2,
        "the text of the YAML file, aliases expanded, is larger than the limit of 10000 bytes (set OAS_CALLBACKS_MAX_FILE_BYTES to change it)",
    );
    // The same variables set the limits documents are loaded with.
    let document = write(
        &dir,
        "api.yaml",
        format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\nx-a: &x 1\nx-b: [{}]\n",
            ["*x"; 11].join(", ")
        ),
    );
    succeeds_with(&["check", &document], &[]);
    fails(
        &["check", &document],
        &[("OAS_CALLBACKS_MAX_YAML_ALIASES", "10")],
        1,
        "more than 10 YAML alias uses (LoadLimits::max_yaml_aliases)",
    );
    // A value that is not a number is refused by name.
    for (var, unit) in [
        ("OAS_CALLBACKS_MAX_YAML_ALIASES", "alias uses"),
        ("OAS_CALLBACKS_MAX_YAML_ALIAS_NODES", "nodes"),
    ] {
        fails(
            &["eval", "$method", "--exchange", &aliases],
            &[(var, "many")],
            2,
            &format!("{var} must be a number of {unit}, not `many`"),
        );
    }
}

/// Issue 10, finding 5: rendering had no bound (a key repeating a large value rendered a 2 GiB
/// URL). `eval`, `resolve`, `links` and `send` stop at OAS_CALLBACKS_MAX_RENDERED_BYTES (default 1 MiB)
/// and say so.
#[test]
fn rendering_stops_at_the_rendered_bytes_limit_in_every_command() {
    let small = [("OAS_CALLBACKS_MAX_RENDERED_BYTES", "40")];
    let exchange = example("spec-exchange.json");
    fails(
        &[
            "eval",
            "{$request.body#/failedUrl}/{$request.body#/failedUrl}",
            "--exchange",
            &exchange,
        ],
        &small,
        1,
        "the rendered text would be longer than the limit of 40 bytes (max_rendered_len): set OAS_CALLBACKS_MAX_RENDERED_BYTES to change it",
    );
    assert_eq!(
        succeeds_with(
            &[
                "eval",
                "{$request.body#/failedUrl}",
                "--exchange",
                &exchange
            ],
            &small
        ),
        "https://clientdomain.com/failed\n"
    );
    let spec = example("progress-api.yaml");
    let progress = example("progress-exchange.json");
    let tiny = [("OAS_CALLBACKS_MAX_RENDERED_BYTES", "5")];
    let resolved = succeeds_with(
        &[
            "resolve",
            &spec,
            "--operation",
            "startJob",
            "--exchange",
            &progress,
        ],
        &tiny,
    );
    assert!(
        resolved.contains(r#""skipped":"the rendered text would be longer than the limit of 5 bytes (max_rendered_len)""#),
        "{resolved}"
    );
    let links = succeeds_with(
        &[
            "links",
            &spec,
            "--operation",
            "startJob",
            "--status",
            "202",
            "--exchange",
            &progress,
        ],
        &[("OAS_CALLBACKS_MAX_RENDERED_BYTES", "2")],
    );
    assert!(
        links.contains(
            "the rendered text would be longer than the limit of 2 bytes (max_rendered_len)"
        ),
        "{links}"
    );
    #[cfg(feature = "deliver")]
    {
        let sent = succeeds_with(
            &[
                "send",
                &spec,
                "--operation",
                "startJob",
                "--callback",
                "progress",
                "--body",
                &example("progress-payload.json"),
                "--exchange",
                &progress,
                "--dry-run",
            ],
            &tiny,
        );
        assert!(
            sent.contains(r#""outcome":"skipped","reason":"the rendered text would be longer than the limit of 5 bytes (max_rendered_len)""#),
            "{sent}"
        );
    }
    fails(
        &["eval", "$method", "--exchange", &exchange],
        &[("OAS_CALLBACKS_MAX_RENDERED_BYTES", "lots")],
        2,
        "OAS_CALLBACKS_MAX_RENDERED_BYTES must be a number of bytes, not `lots`",
    );
}

/// A document in a folder whose name holds characters a URI path cannot (`[`, `]`, a space, `%`):
/// `validate` built schema URIs the registry refused ("Invalid URI reference
/// 'file:///…/sp%20ace[1]/api.yaml'"). A reference to a file named with them, written as a
/// URI reference (percent-encoded), is followed too.
#[test]
fn validate_works_in_folders_whose_names_a_uri_must_escape() {
    let dir = scratch_dir("cli-uri").join("sp ace[1] 100%");
    std::fs::create_dir_all(&dir).expect("folder");
    let api = std::fs::read_to_string(example("progress-api.yaml")).expect("example");
    assert!(api.contains("'#/components/schemas/Progress'"));
    let split = api.replace(
        "'#/components/schemas/Progress'",
        "'progress%5B1%5D.yaml#/components/schemas/Progress'",
    );
    let spec = write(&dir, "api.yaml", split);
    write(&dir, "progress[1].yaml", &api);
    let args = |body: &str| {
        vec![
            "validate".to_owned(),
            spec.clone(),
            "--operation".to_owned(),
            "startJob".to_owned(),
            "--callback".to_owned(),
            "progress".to_owned(),
            "--body".to_owned(),
            example(body),
        ]
    };
    let valid = args("progress-payload.json");
    let valid: Vec<&str> = valid.iter().map(String::as_str).collect();
    assert_eq!(succeeds(&valid).trim(), "valid");
    let invalid = args("progress-payload-invalid.json");
    let invalid: Vec<&str> = invalid.iter().map(String::as_str).collect();
    let run = run(&invalid, &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("/percent: 140 is greater than the maximum of 100"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("breaks the schema of callback `progress` in 3 places"),
        "{}",
        run.stderr
    );
}
