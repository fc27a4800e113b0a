//! How the binary ends, whatever the command: one error message on stderr, printed once, with
//! the exit status DESIGN §5 gives it; results on stdout.

use std::io::Read as _;
use std::process::{Command, Output, Stdio};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus");

fn oas_callbacks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args(args)
        .output()
        .expect("the oas-callbacks binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn check_goes_on_past_unreadable_documents_and_reports_them_before_its_summary() {
    let valid = format!("{EXAMPLES}/progress-api.yaml");
    let invalid = format!("{CORPUS}/15-INVALID-vipps-ecom-v2.yaml");
    let output = oas_callbacks(&[
        "check",
        "/no/such/a.yaml",
        &valid,
        &invalid,
        "/no/such/b.json",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].starts_with("error: cannot read /no/such/a.yaml: "),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("error: cannot read /no/such/b.json: "),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with("4 documents checked: "),
        "the summary comes last: {stderr}"
    );
    // The documents that could be read were checked all the same.
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("15-INVALID-vipps-ecom-v2.yaml:"),
        "{stdout}"
    );
    assert!(stdout.contains(": error: "), "{stdout}");

    // In JSON the unreadable documents are errors on stderr too, and the array is complete.
    let output = oas_callbacks(&["check", "--format", "json", &invalid, "/no/such/a.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: cannot read /no/such/a.yaml: "),
        "{stderr}"
    );
    let diagnostics: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("a JSON array");
    assert!(!diagnostics.as_array().expect("array").is_empty());
}

#[test]
fn each_error_is_printed_once_on_stderr() {
    let exchange = format!("{EXAMPLES}/progress-exchange.json");
    let spec = format!("{EXAMPLES}/progress-api.yaml");
    for (args, status, message) in [
        (
            vec![
                "resolve",
                &spec,
                "--operation",
                "nope",
                "--exchange",
                &exchange,
            ],
            1,
            "has no operation `nope` (operations: startJob, ",
        ),
        (
            vec![
                "resolve",
                "/no/such.yaml",
                "--operation",
                "x",
                "--exchange",
                &exchange,
            ],
            2,
            "error: cannot read /no/such.yaml: ",
        ),
        (
            vec![
                "links",
                &spec,
                "--operation",
                "startJob",
                "--status",
                "599",
                "--exchange",
                &exchange,
            ],
            1,
            "error: the 599 response of operation `startJob` has no links",
        ),
        (
            vec!["eval", "$request.header.nope", "--exchange", &exchange],
            1,
            "error: header \"nope\" not present",
        ),
    ] {
        let output = oas_callbacks(&args);
        assert_eq!(output.status.code(), Some(status), "{args:?}");
        assert_eq!(text(&output.stdout), "", "{args:?}");
        let stderr = text(&output.stderr);
        assert_eq!(stderr.matches("error: ").count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            stderr.ends_with('\n') && !stderr.ends_with("\n\n"),
            "{stderr:?}"
        );
    }
}

/// `println!` panics when stdout is a closed pipe; the command instead stops quietly with exit
/// status 2 (its output is incomplete, which `pipefail` scripts must see).
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let spec = format!("{CORPUS}/16-INVALID-3gpp-ts29598-nudsf-datarepository.yaml");
    // Far more than a pipe buffer holds, so the writes meet the closed pipe.
    let mut args = vec!["check".to_owned()];
    args.extend(std::iter::repeat_n(spec, 200));
    let mut child = Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the oas-callbacks binary runs");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert_eq!(stderr, "", "nothing to say to someone who has gone");
}
