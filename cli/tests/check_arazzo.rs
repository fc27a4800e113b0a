//! `oas-callbacks check` on Arazzo documents, run as a real process: the document kind is
//! told by its `arazzo` field, the findings come in every format of `check` (text with the
//! line and a caret, JSON, SARIF, GitHub), remote source descriptions are said once on
//! stderr, and the exit status says whether there were errors.

use std::process::{Command, Output};

const DOCUMENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../arazzo/tests/data/documents"
);

fn oas_callbacks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args(args)
        .current_dir(DOCUMENTS)
        .output()
        .expect("the oas-callbacks binary runs")
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

#[test]
fn text_findings_name_their_place_with_a_caret_and_a_help_line() {
    let output = oas_callbacks(&["check", "lints/every-lint.arazzo.yaml"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    // The invalid operator, at its column, with the line and a caret.
    assert!(
        stdout.contains("lints/every-lint.arazzo.yaml:27:36: error: the condition does not parse: `=` is not an operator: use `==`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("27 |           - condition: $statusCode = 200\n"),
        "{stdout}"
    );
    // A case-different step name, with the fix.
    assert!(
        stdout.contains("= help: did you mean `pets`? (names are case-sensitive)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("= help: write `$response.body#/pets/0/id`"),
        "{stdout}"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("note: 1 source description not checked (remote URLs are not fetched"),
        "{stderr}"
    );
    assert!(
        stderr.contains("remote (https://api.example/openapi.yaml, remote)"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("not checked").count(), 1, "{stderr}");
    assert!(
        stderr.trim_end().ends_with("warnings"),
        "the summary comes last: {stderr}"
    );
}

#[test]
fn warnings_pass_unless_denied_and_openapi_documents_are_still_checked() {
    let args = [
        "check",
        "spec-1.0/pet-coupons.arazzo.yaml",
        "lints/pets.openapi.yaml",
    ];
    let output = oas_callbacks(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert_eq!(text(&output.stdout).matches(": warning: ").count(), 2);
    assert!(
        text(&output.stderr).contains("2 documents checked: 0 errors, 2 warnings"),
        "{}",
        text(&output.stderr)
    );
    let output = oas_callbacks(&[args[0], "--deny-warnings", args[1], args[2]]);
    assert_eq!(output.status.code(), Some(1));
    let output = oas_callbacks(&["check", "spec-1.1/minimal.arazzo.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert_eq!(text(&output.stdout), "");
}

#[test]
fn json_sarif_and_github_formats_carry_the_arazzo_codes() {
    let output = oas_callbacks(&["check", "--format", "json", "lints/every-lint.arazzo.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON array");
    let codes: Vec<&str> = findings
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| d["code"].as_str().expect("a code"))
        .collect();
    for code in [
        "arazzo-invalid-expression",
        "arazzo-invalid-criterion",
        "arazzo-unknown-step",
        "arazzo-unknown-output",
        "arazzo-undeclared-input",
        "arazzo-unknown-source",
        "arazzo-unknown-operation",
        "arazzo-invalid-operation-path",
        "arazzo-unknown-workflow",
        "arazzo-unknown-component",
        "arazzo-no-response",
        "arazzo-quoted-structure",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let output = oas_callbacks(&["check", "--format", "sarif", "lints/every-lint.arazzo.yaml"]);
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a SARIF log");
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|rule| rule["id"].as_str().expect("an id"))
        .collect();
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), codes.len());
    for result in results {
        assert!(rules.contains(&result["ruleId"].as_str().expect("a rule id")));
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "lints/every-lint.arazzo.yaml"
        );
        assert!(location["region"]["startLine"].as_u64().is_some());
    }
    let output = oas_callbacks(&[
        "check",
        "--format",
        "github",
        "lints/every-lint.arazzo.yaml",
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().count(), codes.len(), "{stdout}");
    assert!(
        stdout.lines().all(|line| line
            .starts_with("::error file=lints/every-lint.arazzo.yaml,line=")
            || line.starts_with("::warning file=lints/every-lint.arazzo.yaml,line=")),
        "{stdout}"
    );
}

#[test]
fn not_an_arazzo_version_this_reads() {
    let dir =
        std::env::temp_dir().join(format!("oas-callbacks-check-arazzo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("future.arazzo.yaml");
    std::fs::write(
        &path,
        "arazzo: 2.0.0\ninfo: {title: t, version: '1'}\nworkflows: []\n",
    )
    .expect("write");
    let output = oas_callbacks(&["check", path.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(":1:9: error: unsupported Arazzo version `2.0.0`"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
