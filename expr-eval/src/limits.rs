//! The limits on what an exchange may hold, so that no message makes evaluation overflow the
//! stack or grow memory without bound.

use crate::error::{EvalError, MAX_QUOTED_LEN, Part, excerpt};
use crate::exchange::{Body, is_json_media_type};

/// The deepest nesting of arrays and objects in a JSON body: 127 levels.
///
/// JSON bodies are parsed with `serde_json`, whose recursion limit (fixed at 128, counting the
/// level that fails) keeps parsing, dropping and printing a value off the stack's edge. A body
/// nested deeper is not read as JSON:
///
/// - a raw HTTP/1.1 message ([`OwnedExchange::parse_http1`](crate::OwnedExchange::parse_http1))
///   with such a body fails with [`ExchangeError::JsonTooDeep`](crate::ExchangeError::JsonTooDeep),
///   which names this limit;
/// - a body given to a builder ([`OwnedRequest::with_body`](crate::OwnedRequest::with_body)) or
///   read from an `http::Request` is then text, and a pointer into it fails with
///   [`EvalError::BodyNotJson`](crate::EvalError::BodyNotJson), whose message names this limit.
///
/// The limit cannot be raised (it is `serde_json`'s); a caller that needs deeper values parses
/// them itself and hands them over with
/// [`OwnedRequest::with_json_body`](crate::OwnedRequest::with_json_body).
///
/// ```
/// use expr_eval::{ExchangeError, OwnedExchange, MAX_JSON_DEPTH};
///
/// let deep = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
/// let message = |body: String| format!("POST /x HTTP/1.1\nHost: h\nContent-Type: application/json\n\n{body}\n");
/// assert!(OwnedExchange::parse_http1(message(deep(MAX_JSON_DEPTH)).as_bytes(), None).is_ok());
/// let err = OwnedExchange::parse_http1(message(deep(100_000)).as_bytes(), None).unwrap_err();
/// assert!(matches!(err, ExchangeError::JsonTooDeep { limit: MAX_JSON_DEPTH, .. }));
/// assert_eq!(err.to_string(), "the request body nests JSON arrays and objects more than 127 levels deep (the limit, MAX_JSON_DEPTH)");
/// ```
pub const MAX_JSON_DEPTH: usize = 127;

/// The most bytes that rendering may produce by default: 1 MiB, for one template
/// ([`RenderOptions::with_max_rendered_len`](crate::RenderOptions::with_max_rendered_len)) and
/// for all the templates rendered in one [`Session`](crate::Session) together
/// ([`Session::with_max_rendered_len`](crate::Session::with_max_rendered_len)).
///
/// A template repeats values: a 38 KiB callback key repeating `{$request.body#/a}` against a
/// 1 MiB string would render 2 GiB. Rendering stops at the limit with
/// [`EvalError::RenderedTooLong`](crate::EvalError::RenderedTooLong), having written nothing
/// beyond it. 1 MiB is far above any URL a server accepts (HTTP implementations commonly stop
/// between 8 KiB and 2 MiB) and above the link values and request bodies of real documents,
/// and small enough that a batch of renderings stays cheap.
///
/// ```
/// use expr_eval::{CompiledTemplate, EvalError, OwnedExchange, OwnedRequest, RenderOptions, MAX_RENDERED_LEN};
///
/// let big = "x".repeat(MAX_RENDERED_LEN / 2 + 1);
/// let request = OwnedRequest::new("POST", "https://api.example/")?
///     .with_json_body(serde_json::json!({"a": big}));
/// let exchange = OwnedExchange::new(request);
/// let twice = CompiledTemplate::parse("https://c.example/{$request.body#/a}{$request.body#/a}")?;
/// let err = twice.render(&exchange).unwrap_err();
/// assert_eq!(err, EvalError::RenderedTooLong { limit: MAX_RENDERED_LEN });
/// assert_eq!(err.to_string(), "the rendered text would be longer than the limit of 1048576 bytes (max_rendered_len)");
///
/// let roomy = twice.with_options(RenderOptions::default().with_max_rendered_len(4 * MAX_RENDERED_LEN));
/// assert_eq!(roomy.render(&exchange)?.len(), "https://c.example/".len() + 2 * big.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_RENDERED_LEN: usize = 1024 * 1024;

/// The most header fields a raw HTTP/1.1 message may have: 256. A message with more fails with
/// [`ExchangeError::TooManyHeaders`](crate::ExchangeError::TooManyHeaders), which names this limit.
pub const MAX_HEADERS: usize = 256;

/// Whether `bytes`, read as JSON, opens more than `limit` arrays and objects inside one
/// another. A linear scan that knows strings (a bracket inside `"…"` does not count) and
/// nothing else; syntax errors are left to the parser.
pub(crate) fn nests_deeper_than(bytes: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Whether `bytes` is JSON nested deeper than [`MAX_JSON_DEPTH`]: `serde_json` stops at its
/// recursion limit (and not at a syntax error before it).
pub(crate) fn json_too_deep(bytes: &[u8]) -> bool {
    nests_deeper_than(bytes, MAX_JSON_DEPTH)
        && serde_json::from_slice::<serde_json::Value>(bytes)
            .is_err_and(|err| is_recursion_limit(&err))
}

/// Whether a `serde_json` error is its recursion limit (it has no error code for it).
pub(crate) fn is_recursion_limit(err: &serde_json::Error) -> bool {
    err.is_syntax() && err.to_string().starts_with("recursion limit exceeded")
}

/// The error for a pointer into a body that is not JSON: [`EvalError::BodyTooDeep`] when it would
/// have been JSON but for its depth, else [`EvalError::BodyNotJson`]. Only on the error path.
pub(crate) fn not_json(
    body: Body<'_>,
    part: Part,
    pointer: &expr_grammar::JsonPointer,
    content_type: Option<&[u8]>,
) -> EvalError {
    // Only the start of a (hostile) long value is converted and quoted.
    let content_type = content_type.map(|ct| {
        excerpt(&String::from_utf8_lossy(
            &ct[..ct.len().min(MAX_QUOTED_LEN + 4)],
        ))
    });
    let json_tried = content_type.as_deref().is_none_or(is_json_media_type);
    if let Body::Text(text) = body
        && json_tried
        && json_too_deep(text.as_bytes())
    {
        return EvalError::BodyTooDeep {
            part,
            pointer: pointer.as_str().to_owned(),
            limit: MAX_JSON_DEPTH,
        };
    }
    EvalError::BodyNotJson {
        part,
        pointer: pointer.as_str().to_owned(),
        content_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn the_limit_is_serde_json_s() {
        assert!(serde_json::from_str::<serde_json::Value>(&nested(MAX_JSON_DEPTH)).is_ok());
        let err = serde_json::from_str::<serde_json::Value>(&nested(MAX_JSON_DEPTH + 1))
            .expect_err("too deep");
        assert!(is_recursion_limit(&err), "{err}");
        assert!(!json_too_deep(nested(MAX_JSON_DEPTH).as_bytes()));
        assert!(json_too_deep(nested(MAX_JSON_DEPTH + 1).as_bytes()));
    }

    #[test]
    fn brackets_in_strings_do_not_count() {
        let text = format!("[\"{}\\\"{}\"]", "[".repeat(500), "{".repeat(500));
        assert!(!nests_deeper_than(text.as_bytes(), 2));
        assert!(nests_deeper_than(b"{\"a\": [[[]]]}", 3));
        assert!(!nests_deeper_than(b"{\"a\": [[[]]]}", 4));
    }

    #[test]
    fn a_syntax_error_before_the_limit_is_not_depth() {
        let text = format!("x{}", nested(1000));
        assert!(nests_deeper_than(text.as_bytes(), MAX_JSON_DEPTH));
        assert!(!json_too_deep(text.as_bytes()));
    }
}
