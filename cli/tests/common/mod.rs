//! What the command-line tests share: running the real binary and reading what it printed.

// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `oas-callbacks` binary with `args`.
pub(crate) fn oas_callbacks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .args(args)
        .output()
        .expect("the oas-callbacks binary runs")
}

/// Printed bytes as text (every output of the command is UTF-8).
pub(crate) fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

/// Runs a command that must succeed and print nothing on stderr; returns its stdout.
pub(crate) fn success(args: &[&str]) -> String {
    let output = oas_callbacks(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?} failed: {}",
        text(&output.stderr)
    );
    assert_eq!(text(&output.stderr), "", "{args:?} wrote to stderr");
    text(&output.stdout).to_owned()
}

/// Runs a command that must fail with `code` and print nothing on stdout; returns its stderr.
pub(crate) fn failure(args: &[&str], code: i32) -> String {
    let output = oas_callbacks(args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: stdout {:?}, stderr {:?}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert_eq!(text(&output.stdout), "", "{args:?} wrote to stdout");
    text(&output.stderr).to_owned()
}

/// Writes a scratch file `name` for the tests of `suite` (a folder per suite and process) and
/// returns its path.
pub(crate) fn scratch(suite: &str, name: &str, contents: &str) -> String {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("oas-callbacks-cli-{suite}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("scratch file");
    path.to_string_lossy().into_owned()
}
