//! Text for a terminal. Documents, exchanges and file names come from others, and a control
//! character in them (ESC, BEL, a C1 control such as CSI) printed raw can clear the screen,
//! move the cursor or retitle the window, and so fake a clean result. Every piece of
//! human-readable output is shown through these functions: control characters are written as
//! Rust writes them in a string literal (`\u{1b}`, `\t`, `\r`), the way `expr-grammar` shows
//! them in a parse error's caret display.

use std::borrow::Cow;

/// The text on one line: every control character (C0, DEL and C1) escaped, newlines too.
pub(crate) fn escape_line(text: &str) -> Cow<'_, str> {
    escape(text, |_| true)
}

/// Text whose newlines are its own layout: every control character but the newline escaped.
pub(crate) fn escape_lines(text: &str) -> Cow<'_, str> {
    escape(text, |c| c != '\n')
}

fn escape(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() && escaped(c);
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// Whether `text` holds a control character other than the newline (what the tests of every
/// output path check).
#[cfg(test)]
pub(crate) fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_c0_del_and_c1_controls() {
        assert_eq!(escape_line("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            escape_line("\u{7}\u{0}\u{7f}\u{9b}\u{85}"),
            "\\u{7}\\u{0}\\u{7f}\\u{9b}\\u{85}"
        );
        assert_eq!(escape_line("tab\there\r\nnext"), "tab\\there\\r\\nnext");
        assert_eq!(escape_lines("tab\there\r\nnext"), "tab\\there\\r\nnext");
        assert!(!has_control(&escape_line("\u{1b}\u{9b}\n\t")));
        assert!(!has_control(&escape_lines("\u{1b}\u{9b}\n\t")));
    }

    #[test]
    fn leaves_other_text_alone_without_copying() {
        assert!(matches!(
            escape_line("plain é 日本 \\u{1b}"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(escape_lines("two\nlines"), Cow::Borrowed(_)));
    }
}
