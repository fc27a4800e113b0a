//! Path templates (`/subscribe/{eventType}`) matched against request paths, without allocating.
//!
//! A template segment is literal text with zero or more `{name}` parameters; within a segment a
//! parameter's value runs to the first occurrence of the literal text after it (the last runs to
//! the segment's literal suffix). A value is never empty. The template is matched against the
//! *last* segments of the path, so a server base path in front (`/v2`) does not matter.

use std::borrow::Cow;

use crate::decode::{Plus, decode};
use crate::error::{EvalError, excerpt};

/// Checks that a path template is well formed: every `{` is closed by a `}` before the next `/`,
/// names are not empty and hold no `{`, and no `}` stands alone.
pub(crate) fn validate(template: &str) -> Result<(), &'static str> {
    for segment in segments(template) {
        let mut rest = segment;
        loop {
            match rest.find('{') {
                None => {
                    if rest.contains('}') {
                        return Err("a `}` without a `{` before it");
                    }
                    break;
                }
                Some(open) => {
                    if rest[..open].contains('}') {
                        return Err("a `}` without a `{` before it");
                    }
                    let after = &rest[open + 1..];
                    let close = after
                        .find('}')
                        .ok_or("a `{` that is not closed in its segment")?;
                    let name = &after[..close];
                    if name.is_empty() {
                        return Err("an empty `{}`");
                    }
                    if name.contains('{') {
                        return Err("a `{` inside a parameter name");
                    }
                    rest = &after[close + 1..];
                    if rest.starts_with('{') {
                        return Err("two parameters with no text between them");
                    }
                }
            }
        }
    }
    Ok(())
}

/// The segments of a template or path, without the leading `/`.
fn segments(text: &str) -> std::str::Split<'_, char> {
    text.strip_prefix('/').unwrap_or(text).split('/')
}

fn has_parameter(template: &str, name: &str) -> bool {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return false;
        };
        if &after[..close] == name {
            return true;
        }
        rest = &after[close + 1..];
    }
    false
}

/// Matches one template segment against one path segment; sets `found` to the raw value of
/// parameter `name` when this segment holds it. `Ok(false)` when the segment does not match.
fn match_segment<'p>(
    template: &str,
    path: &'p str,
    name: &str,
    found: &mut Option<&'p str>,
) -> Result<bool, &'static str> {
    let mut rest_t = template;
    let mut rest_p = path;
    loop {
        let Some(open) = rest_t.find('{') else {
            return Ok(rest_p == rest_t);
        };
        let literal = &rest_t[..open];
        let Some(after_literal) = rest_p.strip_prefix(literal) else {
            return Ok(false);
        };
        rest_p = after_literal;
        let after = &rest_t[open + 1..];
        let close = after
            .find('}')
            .ok_or("a `{` that is not closed in its segment")?;
        let parameter = &after[..close];
        rest_t = &after[close + 1..];
        let next_literal = &rest_t[..rest_t.find('{').unwrap_or(rest_t.len())];
        let value_len = if next_literal.is_empty() {
            if !rest_t.is_empty() {
                return Err("two parameters with no text between them");
            }
            rest_p.len()
        } else if next_literal.len() == rest_t.len() {
            // The literal suffix of the segment: the value runs up to it.
            match rest_p.strip_suffix(next_literal) {
                Some(value) => value.len(),
                None => return Ok(false),
            }
        } else {
            match rest_p.find(next_literal) {
                Some(at) => at,
                None => return Ok(false),
            }
        };
        if value_len == 0 {
            return Ok(false);
        }
        if parameter == name {
            *found = Some(&rest_p[..value_len]);
        }
        rest_p = &rest_p[value_len..];
    }
}

/// The value of parameter `name` of `template` in `path`, percent-decoded (borrowed when it holds
/// no `%`).
pub(crate) fn parameter<'p>(
    template: &str,
    path: &'p str,
    name: &str,
) -> Result<Cow<'p, str>, EvalError> {
    let invalid = |reason| EvalError::InvalidPathTemplate {
        template: excerpt(template),
        reason,
    };
    validate(template).map_err(invalid)?;
    if !has_parameter(template, name) {
        return Err(EvalError::PathParameterNotInTemplate {
            name: name.to_owned(),
            template: excerpt(template),
        });
    }
    let mismatch = || EvalError::PathMismatch {
        path: excerpt(path),
        template: excerpt(template),
    };
    let mut path_segments = segments(path).rev();
    let mut found = None;
    for template_segment in segments(template).rev() {
        let path_segment = path_segments.next().ok_or_else(mismatch)?;
        if !match_segment(template_segment, path_segment, name, &mut found).map_err(invalid)? {
            return Err(mismatch());
        }
    }
    let raw = found.ok_or_else(mismatch)?;
    decode(raw, Plus::Literal, || format!("path parameter \"{name}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(template: &str, path: &str, name: &str) -> Result<String, EvalError> {
        parameter(template, path, name).map(Cow::into_owned)
    }

    #[test]
    fn matches_the_last_segments() {
        assert_eq!(
            param("/subscribe/{eventType}", "/subscribe/myevent", "eventType"),
            Ok("myevent".into())
        );
        assert_eq!(
            param(
                "/subscribe/{eventType}",
                "/v2/subscribe/myevent",
                "eventType"
            ),
            Ok("myevent".into())
        );
        assert_eq!(
            param("/board/{row}/{column}", "/board/1/3", "row"),
            Ok("1".into())
        );
        assert_eq!(
            param("/board/{row}/{column}", "/board/1/3", "column"),
            Ok("3".into())
        );
        assert_eq!(param("subscribe/{e}", "/subscribe/x", "e"), Ok("x".into()));
    }

    #[test]
    fn borrows_when_nothing_is_encoded() {
        assert!(matches!(
            parameter("/a/{b}", "/a/plain", "b"),
            Ok(Cow::Borrowed("plain"))
        ));
    }

    #[test]
    fn parameters_inside_a_segment() {
        assert_eq!(
            param("/report.{format}", "/report.json", "format"),
            Ok("json".into())
        );
        assert_eq!(
            param("/{name}.{ext}", "/archive.tar.gz", "name"),
            Ok("archive".into())
        );
        assert_eq!(
            param("/{name}.{ext}", "/archive.tar.gz", "ext"),
            Ok("tar.gz".into())
        );
        assert_eq!(param("/v{major}-beta", "/v3-beta", "major"), Ok("3".into()));
        assert!(matches!(
            param("/v{major}-beta", "/v3-rc", "major"),
            Err(EvalError::PathMismatch { .. })
        ));
    }

    #[test]
    fn decodes_values() {
        assert_eq!(param("/u/{id}", "/u/caf%C3%A9", "id"), Ok("café".into()));
        assert_eq!(param("/u/{id}", "/u/a%2Fb", "id"), Ok("a/b".into()));
        assert_eq!(param("/u/{id}", "/u/a+b", "id"), Ok("a+b".into()));
        assert!(matches!(
            param("/u/{id}", "/u/a%zz", "id"),
            Err(EvalError::InvalidPercentEncoding { .. })
        ));
        assert!(matches!(
            param("/u/{id}", "/u/%E9", "id"),
            Err(EvalError::InvalidPercentEncoding { .. })
        ));
    }

    #[test]
    fn mismatches_name_both() {
        let err =
            param("/subscribe/{eventType}", "/unsubscribe/x", "eventType").expect_err("mismatch");
        assert_eq!(
            err.to_string(),
            r#"request path "/unsubscribe/x" does not match the path template "/subscribe/{eventType}""#
        );
        for path in ["/subscribe", "/", "", "/subscribe/", "/subscribe/x/"] {
            assert!(
                matches!(
                    param("/subscribe/{e}", path, "e"),
                    Err(EvalError::PathMismatch { .. })
                ),
                "{path}"
            );
        }
    }

    #[test]
    fn unknown_parameter_and_bad_templates() {
        assert!(matches!(
            param("/a/{b}", "/a/x", "c"),
            Err(EvalError::PathParameterNotInTemplate { .. })
        ));
        for template in ["/a/{b", "/a/b}", "/a/{}", "/a/{b}{c}", "/a/{b{c}", "/{a/b}"] {
            assert!(validate(template).is_err(), "{template}");
            assert!(
                matches!(
                    param(template, "/a/x", "b"),
                    Err(EvalError::InvalidPathTemplate { .. })
                ),
                "{template}"
            );
        }
        assert!(validate("/").is_ok());
        assert!(validate("/a/{b}.{c}/d").is_ok());
    }

    #[test]
    fn root_template() {
        assert!(matches!(
            param("/", "/", "x"),
            Err(EvalError::PathParameterNotInTemplate { .. })
        ));
    }
}
