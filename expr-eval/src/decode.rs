//! Percent-decoding of query and path values, and query-parameter lookup.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::error::{EvalError, excerpt};

/// Whether `+` means a space (query strings, `application/x-www-form-urlencoded`) or itself
/// (paths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plus {
    Space,
    Literal,
}

/// Where the first `%` not followed by two hexadecimal digits is.
fn bad_escape(raw: &str) -> Option<usize> {
    let bytes = raw.as_bytes();
    bytes.iter().enumerate().find_map(|(i, &b)| {
        let ok = b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit));
        (!ok).then_some(i)
    })
}

/// Percent-decodes `raw` strictly: a `%` must start a `%XX` escape, and the result must be UTF-8.
/// Borrows when there is nothing to decode. `what` names the value for the error message.
pub(crate) fn decode<'r>(
    raw: &'r str,
    plus: Plus,
    what: impl FnOnce() -> String,
) -> Result<Cow<'r, str>, EvalError> {
    if let Some(at) = bad_escape(raw) {
        return Err(EvalError::InvalidPercentEncoding {
            what: what(),
            value: excerpt(raw),
            reason: format!("the \"%\" at byte {at} is not followed by two hexadecimal digits"),
        });
    }
    let not_utf8 = |what: String| EvalError::InvalidPercentEncoding {
        what,
        value: excerpt(raw),
        reason: "the decoded bytes are not UTF-8".to_owned(),
    };
    if plus == Plus::Space && raw.contains('+') {
        let spaced = raw.replace('+', " ");
        let bytes: Vec<u8> = percent_decode_str(&spaced).collect();
        return String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| not_utf8(what()));
    }
    percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| not_utf8(what()))
}

/// The name of a query parameter, decoded leniently (`+` as a space; a malformed escape is kept
/// as it is, and bytes that are not UTF-8 are replaced): a malformed name of some other
/// parameter must not fail the lookup of this one. Borrowed when there is nothing to decode.
pub(crate) fn parameter_name(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['%', '+']) {
        return Cow::Borrowed(raw);
    }
    let spaced = raw.replace('+', " ");
    Cow::Owned(percent_decode_str(&spaced).decode_utf8_lossy().into_owned())
}

/// Whether the raw (encoded) query-parameter name `raw` decodes to `name`.
fn name_matches(raw: &str, name: &str) -> bool {
    if !raw.contains(['%', '+']) {
        return raw == name;
    }
    parameter_name(raw) == name
}

/// The parameters of a query string in order, as raw (still encoded) `(name, value)` pairs. A
/// parameter without `=` has the empty value; empty parameters (`a=1&&b=2`) are skipped.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// Decodes the raw value of query parameter `name` (`+` as a space, strictly).
pub(crate) fn query_value<'q>(raw_value: &'q str, name: &str) -> Result<Cow<'q, str>, EvalError> {
    decode(raw_value, Plus::Space, || {
        format!("query parameter \"{name}\"")
    })
}

/// The value of the first query parameter called `name` (case-sensitive, decoded with `+` as a
/// space); `Ok(None)` when there is none. A parameter without `=` has the empty value.
pub(crate) fn query_parameter<'q>(
    query: &'q str,
    name: &str,
) -> Result<Option<Cow<'q, str>>, EvalError> {
    for (raw_name, raw_value) in query_pairs(query) {
        if name_matches(raw_name, name) {
            return query_value(raw_value, name).map(Some);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(query: &str, name: &str) -> Result<Option<String>, EvalError> {
        query_parameter(query, name).map(|v| v.map(Cow::into_owned))
    }

    #[test]
    fn first_occurrence_wins() {
        assert_eq!(q("a=1&a=2", "a"), Ok(Some("1".into())));
        assert_eq!(q("b=0&a=1&a=2", "a"), Ok(Some("1".into())));
    }

    #[test]
    fn names_are_case_sensitive_and_decoded() {
        assert_eq!(q("A=1&a=2", "a"), Ok(Some("2".into())));
        assert_eq!(q("my+name=1", "my name"), Ok(Some("1".into())));
        assert_eq!(q("my%20name=1", "my name"), Ok(Some("1".into())));
        assert_eq!(q("x%zz=1&y=2", "y"), Ok(Some("2".into())));
    }

    #[test]
    fn values_are_decoded_with_plus_as_space() {
        assert_eq!(q("u=a%2Fb", "u"), Ok(Some("a/b".into())));
        assert_eq!(q("u=a+b", "u"), Ok(Some("a b".into())));
        assert_eq!(q("u=a%2Bb", "u"), Ok(Some("a+b".into())));
        assert_eq!(q("u=caf%C3%A9", "u"), Ok(Some("café".into())));
        assert_eq!(
            q("u=https://c.example/x?y", "u"),
            Ok(Some("https://c.example/x?y".into()))
        );
    }

    #[test]
    fn missing_and_empty() {
        assert_eq!(q("a=1", "b"), Ok(None));
        assert_eq!(q("", "b"), Ok(None));
        assert_eq!(q("flag&b=2", "flag"), Ok(Some(String::new())));
        assert_eq!(q("=v", ""), Ok(Some("v".into())));
        assert_eq!(q("a=1&&b=2", "b"), Ok(Some("2".into())));
        assert_eq!(q("a==1", "a"), Ok(Some("=1".into())));
    }

    #[test]
    fn borrows_when_nothing_needs_decoding() {
        assert!(matches!(
            query_parameter("a=plain", "a"),
            Ok(Some(Cow::Borrowed("plain")))
        ));
        assert!(matches!(
            query_parameter("a=x+y", "a"),
            Ok(Some(Cow::Owned(_)))
        ));
    }

    #[test]
    fn invalid_escapes_are_errors() {
        for value in ["%", "%4", "%zz", "a%g1", "100%"] {
            let err = q(&format!("p={value}"), "p").expect_err(value);
            assert!(
                matches!(err, EvalError::InvalidPercentEncoding { .. }),
                "{value}"
            );
        }
        let err = q("p=a%zz", "p").expect_err("bad");
        assert_eq!(
            err.to_string(),
            r#"query parameter "p": invalid percent-encoding in "a%zz": the "%" at byte 1 is not followed by two hexadecimal digits"#
        );
        let err = q("p=%E9t%E9", "p").expect_err("latin-1");
        assert!(
            err.to_string().ends_with("the decoded bytes are not UTF-8"),
            "{err}"
        );
    }
}
