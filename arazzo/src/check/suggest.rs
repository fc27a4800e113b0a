//! The likely fix of a finding: a name that differs only in case, the body pointer a dotted
//! path meant, the `.outputs.` a step reference lacks.

use expr_grammar::{Dialect, Expression};

/// `did you mean `X`?` for a candidate that differs from `name` only in ASCII case.
pub(super) fn similar<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .filter(|candidate| *candidate != name)
        .find(|candidate| candidate.eq_ignore_ascii_case(name))
        .map(|candidate| format!("did you mean `{candidate}`? (names are case-sensitive)"))
}

/// The fix of an expression that does not parse, when a common mistake is recognised and its
/// fix does parse.
pub(super) fn syntax(text: &str, dialect: Dialect) -> Option<String> {
    let fixed = rewrite(text)?;
    Expression::parse_in(&fixed, dialect)
        .ok()
        .map(|_| format!("write `{fixed}`"))
}

fn rewrite(text: &str) -> Option<String> {
    for (wrong, right) in [
        ("$response.headers.", "$response.header."),
        ("$request.headers.", "$request.header."),
    ] {
        if let Some(rest) = text.strip_prefix(wrong) {
            return Some(format!("{right}{rest}"));
        }
    }
    // A dotted or indexed path after a body or payload: `$response.body.items[0].id` is
    // `$response.body#/items/0/id`; `#/items[0]` is `#/items/0`.
    for source in [
        "$request.body",
        "$response.body",
        "$message.payload",
        "$message.body",
    ] {
        if let Some(rest) = text.strip_prefix(source) {
            let path = match rest.strip_prefix('#') {
                Some(pointer) => pointer.to_owned(),
                None if rest.starts_with(['.', '[']) => rest.to_owned(),
                None => return None,
            };
            let pointer = path_to_pointer(&path)?;
            return Some(format!("{source}#{pointer}"));
        }
    }
    // `$steps.s.o` (1.1.0 needs `.outputs.`).
    if let Some(rest) = text.strip_prefix("$steps.") {
        let (step, output) = rest.split_once('.')?;
        if !output.starts_with("outputs.") {
            return Some(format!("$steps.{step}.outputs.{output}"));
        }
    }
    None
}

/// `.a.b[0]`, `/a/b[0]` or `/a/0` as a JSON pointer (`/a/b/0`); `None` when it has no `.` or
/// `[` to rewrite.
fn path_to_pointer(path: &str) -> Option<String> {
    if !path.contains(['.', '[']) {
        return None;
    }
    let mut pointer = String::with_capacity(path.len() + 1);
    for c in path.chars() {
        match c {
            '.' | '[' => pointer.push('/'),
            ']' => {}
            c => pointer.push(c),
        }
    }
    if !pointer.starts_with('/') {
        pointer.insert(0, '/');
    }
    while pointer.contains("//") {
        pointer = pointer.replace("//", "/");
    }
    Some(pointer)
}

/// The fix of a simple condition that does not parse.
pub(super) fn condition(text: &str, _offset: usize) -> Option<String> {
    let trimmed = text.trim();
    if let Some(inner) = trimmed.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        return Some(format!(
            "a simple condition is not wrapped in braces: write `{}`",
            inner.trim()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_and_indexed_body_paths_become_pointers() {
        let dialect = Dialect::Arazzo1_1_0;
        assert_eq!(
            syntax("$response.body.items[0].id", dialect).as_deref(),
            Some("write `$response.body#/items/0/id`")
        );
        assert_eq!(
            syntax("$response.body#/items[0]", dialect).as_deref(),
            Some("write `$response.body#/items/0`")
        );
        assert_eq!(
            syntax("$response.headers.Location", dialect).as_deref(),
            Some("write `$response.header.Location`")
        );
        assert_eq!(
            syntax("$steps.login.token", dialect).as_deref(),
            Some("write `$steps.login.outputs.token`")
        );
        assert_eq!(syntax("$nonsense", dialect), None);
    }

    #[test]
    fn names_that_differ_in_case_are_suggested() {
        assert_eq!(
            similar("loginstep", ["getPet", "loginStep"].into_iter()).as_deref(),
            Some("did you mean `loginStep`? (names are case-sensitive)")
        );
        assert_eq!(similar("other", ["getPet"].into_iter()), None);
    }
}
