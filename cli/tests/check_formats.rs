//! `check` in continuous integration (DESIGN §9), run as a real process on the corpus:
//! `--format sarif` validates against the official SARIF 2.1.0 schema (a copy in
//! `tests/data/sarif/`) and says what `--format json` says; `--format github` gives one workflow
//! command per diagnostic, escaped as GitHub requires; `--deny-warnings` fails on warnings.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use oas_callbacks::DiagnosticCode;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Runs the binary in the workspace root, so that `corpus/…` is relative to the working
/// directory as it is in a CI checkout.
fn oas_callbacks_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the oas-callbacks binary runs")
}

fn oas_callbacks(args: &[&str]) -> Output {
    oas_callbacks_in(Path::new(ROOT), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn corpus() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("corpus"))
        .expect("the corpus is in the repository")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml") || name.ends_with(".json"))
        .map(|name| format!("corpus/{name}"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 19, "{files:?}");
    files
}

fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oas-callbacks-cli-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("data/sarif/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema is JSON");
    // Formats (`uri`, `uri-reference`, `date-time`) are checked too.
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Validates a SARIF log against the official schema and returns it.
fn valid_sarif(stdout: &[u8]) -> Value {
    let log: Value = serde_json::from_slice(stdout).expect("SARIF output is JSON");
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|err| format!("{} at {}", err, err.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:#?}");
    let mut uris = Vec::new();
    collect_uris(&log, &mut uris);
    assert!(!uris.is_empty());
    for uri in uris {
        assert!(is_uri_reference(&uri), "not a URI reference: {uri:?}");
    }
    log
}

fn collect_uris(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("uri" | "informationUri", Value::String(uri)) => out.push(uri.clone()),
                    _ => collect_uris(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_uris(item, out)),
        _ => {}
    }
}

/// Whether `text` is made of RFC 3986 URI characters only (unreserved, reserved and
/// percent-encoded octets): what the schema's `uri-reference` format asks.
fn is_uri_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                if !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
                {
                    return false;
                }
                i += 3;
                continue;
            }
            b if b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b) => {}
            _ => return false,
        }
        i += 1;
    }
    true
}

fn json_diagnostics(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = oas_callbacks(&all);
    serde_json::from_slice::<Value>(&output.stdout)
        .expect("JSON diagnostics")
        .as_array()
        .expect("an array")
        .clone()
}

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    // The validator must be able to fail for the test below to mean anything.
    let validator = sarif_validator();
    assert!(validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": []})));
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.0.0", "runs": []})));
    assert!(
        !validator
            .is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}))
    );
    assert!(
        !validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "x"}},
            "results": [{"message": {"text": "m"}, "level": "fatal"}]
        }]}))
    );
    let with_uri = |uri: &str| {
        serde_json::json!({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "x"}},
            "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri}, "region": {"startLine": 1}
            }}]}]
        }]})
    };
    // The schema's `uri-reference` format is not a draft-04 format, so the validator does
    // not check it: `valid_sarif` checks every URI itself.
    assert!(validator.is_valid(&with_uri("api specs/a.yaml")));
    assert!(is_uri_reference("api%20specs/a.yaml"));
    assert!(is_uri_reference("file:///w/x%23y/a.yaml"));
    assert!(!is_uri_reference("api specs/a.yaml"));
    assert!(!is_uri_reference("a%2"));
    assert!(!is_uri_reference("schémas/a.yaml"));
}

#[test]
fn sarif_of_the_whole_corpus_is_valid_and_says_what_json_says() {
    let files = corpus();
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let mut sarif_args = vec!["check", "--format", "sarif"];
    sarif_args.extend_from_slice(&args);
    let output = oas_callbacks(&sarif_args);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "", "nothing but the log");
    let log = valid_sarif(&output.stdout);

    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run");
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "oas-callbacks");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("the working directory's URI");
    assert!(
        root_uri.starts_with("file:///") && root_uri.ends_with('/'),
        "{root_uri}"
    );

    // One rule per diagnostic code, in the order of DiagnosticCode::ALL.
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), DiagnosticCode::ALL.len());
    for (rule, code) in rules.iter().zip(DiagnosticCode::ALL) {
        assert_eq!(rule["id"], code.as_str());
        assert_eq!(rule["shortDescription"]["text"], code.summary());
        assert_eq!(rule["help"]["text"], code.help());
    }

    // One result per diagnostic, in the same order, with the same facts.
    let diagnostics = json_diagnostics(&args);
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), diagnostics.len());
    assert!(results.len() > 100, "the corpus has many findings");
    let mut fixes = 0;
    for (result, diagnostic) in results.iter().zip(&diagnostics) {
        assert_eq!(result["ruleId"], diagnostic["code"]);
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["level"], diagnostic["severity"]);
        assert_eq!(result["message"]["text"], diagnostic["message"]);
        let location = &result["locations"][0]["physicalLocation"];
        // The files were named relative to the working directory: so are their URIs.
        assert_eq!(location["artifactLocation"]["uri"], diagnostic["file"]);
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(location["region"]["startLine"], diagnostic["line"]);
        assert_eq!(location["region"]["startColumn"], diagnostic["column"]);
        match diagnostic.get("help") {
            Some(help) => {
                fixes += 1;
                assert_eq!(result["fixes"][0]["description"]["text"], *help);
                let change = &result["fixes"][0]["artifactChanges"][0];
                assert_eq!(change["artifactLocation"], location["artifactLocation"]);
                // Said in words: the edit itself changes nothing.
                let deleted = &change["replacements"][0]["deletedRegion"];
                assert_eq!(deleted["startLine"], diagnostic["line"]);
                assert_eq!(deleted["startColumn"], deleted["endColumn"]);
                assert!(change["replacements"][0].get("insertedContent").is_none());
            }
            None => assert!(result.get("fixes").is_none(), "{result}"),
        }
    }
    assert!(fixes > 10, "the corpus has suggested fixes: {fixes}");
}

#[test]
fn sarif_uris_are_relative_to_the_working_directory_and_encoded() {
    let dir = scratch_dir("sarif-uris");
    let sub = dir.join("api specs#1");
    std::fs::create_dir_all(&sub).expect("dir");
    let source = std::fs::read(Path::new(ROOT).join("corpus/15-INVALID-vipps-ecom-v2.yaml"))
        .expect("corpus file");
    std::fs::write(sub.join("vipps 100%.yaml"), source).expect("copy");
    let absolute = sub.join("vipps 100%.yaml");
    let absolute = absolute.to_str().expect("UTF-8 path");
    for given in [
        "api specs#1/vipps 100%.yaml",
        "./api specs#1/../api specs#1/vipps 100%.yaml",
        absolute,
    ] {
        let output = oas_callbacks_in(&dir, &["check", "--format", "sarif", given]);
        assert_eq!(output.status.code(), Some(1), "{given}");
        let log = valid_sarif(&output.stdout);
        let result = &log["runs"][0]["results"][0];
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(
            artifact["uri"], "api%20specs%231/vipps%20100%25.yaml",
            "{given}"
        );
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }
    // A file outside the working directory keeps an absolute file URI.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    let output = oas_callbacks_in(&elsewhere, &["check", "--format", "sarif", absolute]);
    let log = valid_sarif(&output.stdout);
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = artifact["uri"].as_str().expect("uri");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/api%20specs%231/vipps%20100%25.yaml"),
        "{uri}"
    );
    assert!(artifact.get("uriBaseId").is_none());
}

#[test]
fn sarif_says_when_a_document_could_not_be_read() {
    let output = oas_callbacks(&[
        "check",
        "--format",
        "sarif",
        "corpus/15-INVALID-vipps-ecom-v2.yaml",
        "no/such/file.yaml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: cannot read no/such/file.yaml: "),
        "{stderr}"
    );
    let log = valid_sarif(&output.stdout);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    let message = notification["message"]["text"].as_str().expect("message");
    assert!(
        message.starts_with("cannot read no/such/file.yaml: "),
        "{message}"
    );
    assert_eq!(
        log["runs"][0]["results"].as_array().expect("results").len(),
        4
    );

    // A document without findings gives a valid log with no results.
    let output = oas_callbacks(&[
        "check",
        "--format",
        "sarif",
        "corpus/01-learn-callback-example.yaml",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let log = valid_sarif(&output.stdout);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn github_gives_one_workflow_command_per_diagnostic() {
    let files = corpus();
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let mut github_args = vec!["check", "--format", "github"];
    github_args.extend_from_slice(&args);
    let output = oas_callbacks(&github_args);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let diagnostics = json_diagnostics(&args);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), diagnostics.len());
    for (line, diagnostic) in lines.iter().zip(&diagnostics) {
        let expected = format!(
            "::{} file={},line={},col={}::{}",
            diagnostic["severity"].as_str().expect("severity"),
            diagnostic["file"].as_str().expect("file"),
            diagnostic["line"],
            diagnostic["column"],
            diagnostic["message"]
                .as_str()
                .expect("message")
                .replace('%', "%25")
        );
        assert_eq!(*line, expected);
    }
    // The summary stays on stderr, as with text.
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("19 documents checked: "), "{stderr}");
}

#[test]
fn github_escapes_messages_and_properties() {
    let dir = scratch_dir("github-escapes");
    // A link to an operation whose id holds every character GitHub wants escaped, in a file
    // whose name holds `:` and `,`.
    let document = r#"{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {
    "description": "ok",
    "links": {"next": {"operationId": "x%y\rz\nw:v,u"}}
  }}}}}
}"#;
    let name = "api:v1,draft%.json";
    std::fs::write(dir.join(name), document).expect("document");
    let output = oas_callbacks_in(&dir, &["check", "--format", "github", name]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        "::error file=api%3Av1%2Cdraft%25.json,line=6,col=39::operationId `x%25y%0Dz%0Aw:v,u` of a link names no operation of the document\n"
    );
}

#[test]
fn deny_warnings_fails_on_warnings_too() {
    let warnings_only = "corpus/12-etsi-mec013-location.yaml";
    let with_errors = "corpus/15-INVALID-vipps-ecom-v2.yaml";
    let clean = "corpus/01-learn-callback-example.yaml";
    assert!(
        json_diagnostics(&[warnings_only])
            .iter()
            .all(|d| d["severity"] == "warning")
    );
    for format in ["text", "json", "sarif", "github"] {
        for (file, status, denied) in [
            (clean, 0, 0),
            (warnings_only, 0, 1),
            (with_errors, 1, 1),
            ("no/such/file.yaml", 2, 2),
        ] {
            let plain = oas_callbacks(&["check", "--format", format, file]);
            assert_eq!(plain.status.code(), Some(status), "{format} {file}");
            let strict = oas_callbacks(&["check", "--deny-warnings", "--format", format, file]);
            assert_eq!(
                strict.status.code(),
                Some(denied),
                "{format} {file} --deny-warnings"
            );
            // The output is the same: only the verdict changes.
            assert_eq!(plain.stdout, strict.stdout, "{format} {file}");
        }
    }
    // Several documents: one warning anywhere is enough.
    let strict = oas_callbacks(&["check", "--deny-warnings", clean, warnings_only, clean]);
    assert_eq!(strict.status.code(), Some(1));
}
