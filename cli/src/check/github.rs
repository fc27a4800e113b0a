//! `check --format github`: one workflow command per diagnostic, which GitHub Actions shows as
//! an annotation on the line of the pull request it is about:
//! `::error file=api.yaml,line=12,col=5::message` (or `::warning`).
//!
//! GitHub reads a workflow command up to the end of its line, so the message and the
//! properties are escaped as its runner requires (`%` as `%25`, CR as `%0D`, LF as `%0A`; in
//! properties also `:` as `%3A` and `,` as `%2C`); any other control character is shown
//! escaped (`\u{1b}`), since the log viewer would act on it.

use std::fmt::Write as _;
use std::path::Path;

use oas_callbacks::{Diagnostic, Severity};

use super::artifact::Artifact;
use crate::terminal;

/// The workflow command for one diagnostic, without the final newline. The file is relative to
/// the working directory `cwd` (the checked-out repository) when it is inside it.
pub(crate) fn command(diagnostic: &Diagnostic, cwd: &Path) -> String {
    let mut line = String::from(match diagnostic.severity {
        Severity::Error => "::error",
        _ => "::warning",
    });
    let file = Artifact::new(&diagnostic.file, cwd).path();
    let _ = write!(line, " file={}", property(&file));
    if let Some(number) = diagnostic.line {
        let _ = write!(line, ",line={number}");
        if let Some(column) = diagnostic.column {
            let _ = write!(line, ",col={column}");
        }
    }
    let _ = write!(line, "::{}", data(&diagnostic.message));
    line
}

/// A command's message: `%`, CR and LF escaped the runner's way, other controls made visible.
pub(crate) fn data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    terminal::escape_line(&escaped).into_owned()
}

/// A property value: as [`data`], and `:` and `,` too, which would end it.
pub(crate) fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use oas_callbacks::LoadError;

    use super::*;

    #[test]
    fn messages_escape_percent_cr_and_lf() {
        assert_eq!(data("100% sure"), "100%25 sure");
        assert_eq!(data("a\r\nb\nc"), "a%0D%0Ab%0Ac");
        assert_eq!(data("%0A is not a newline"), "%250A is not a newline");
        assert_eq!(data("a: b, c"), "a: b, c");
        assert_eq!(
            data("bell\u{7} esc\u{1b}[2J csi\u{9b}"),
            "bell\\u{7} esc\\u{1b}[2J csi\\u{9b}"
        );
        assert_eq!(
            data("::error::fake"),
            "::error::fake",
            "a line of its own is what counts"
        );
    }

    #[test]
    fn properties_escape_colon_and_comma_too() {
        assert_eq!(property("a:b,c%d\re\nf"), "a%3Ab%2Cc%25d%0De%0Af");
        assert_eq!(property("C:\\api,v2.yaml"), "C%3A\\api%2Cv2.yaml");
    }

    #[test]
    fn a_diagnostic_without_a_place_names_its_file_only() {
        let diagnostic = Diagnostic::load_failure(
            Path::new("/work/repo/api,v1.yaml"),
            &LoadError::Syntax {
                path: PathBuf::from("/work/repo/api,v1.yaml"),
                position: None,
                message: "invalid YAML: 100% \r\nwrong".to_owned(),
            },
        );
        assert_eq!(
            command(&diagnostic, Path::new("/work/repo")),
            "::error file=api%2Cv1.yaml::invalid YAML: 100%25 %0D%0Awrong"
        );
    }
}
