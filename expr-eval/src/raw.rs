//! Raw HTTP/1.1 message text, as the specification prints its example, parsed with `httparse`.
//!
//! A message is a start line, header fields, an empty line and the body. The text may use CRLF
//! or bare LF line ends; leading blank lines are skipped; a message that ends right after its
//! header fields needs no final empty line. The body is everything after the empty line, less
//! one final line end (the file's own newline): `Content-Length` is not used to cut it, since a
//! hand-written file's count is rarely exact (the specification's own example says 187 or 188).
//! A response may start `HTTP/1.1 201 Created` or, as the specification prints it, `201 Created`.

use crate::error::ExchangeError;
use crate::exchange::is_json_media_type;
use crate::limits::{MAX_HEADERS, MAX_JSON_DEPTH, json_too_deep};
use crate::owned::{OwnedExchange, OwnedRequest, OwnedResponse};

fn skip_blank_lines(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
        .unwrap_or(text.len());
    // Strip a UTF-8 byte-order mark too.
    let text = &text[start..];
    text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text)
}

fn strip_final_line_end(body: &[u8]) -> &[u8] {
    body.strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
        .unwrap_or(body)
}

/// Parses with `parse`, completing a header section that the text does not close with an empty
/// line.
fn parse_complete<T>(
    text: &[u8],
    what: &'static str,
    mut parse: impl FnMut(&[u8]) -> Result<httparse::Status<usize>, httparse::Error>,
    mut finish: impl FnMut(&[u8], usize) -> Result<T, ExchangeError>,
) -> Result<T, ExchangeError> {
    let syntax = |err: httparse::Error| match err {
        httparse::Error::TooManyHeaders => ExchangeError::TooManyHeaders {
            what,
            limit: MAX_HEADERS,
        },
        err => ExchangeError::Syntax {
            what,
            reason: err.to_string(),
        },
    };
    if let httparse::Status::Complete(end) = parse(text).map_err(syntax)? {
        return finish(text, end);
    }
    // No empty line after the header fields (a message without a body, as a file often ends).
    let line_end: &[u8] = if text.windows(2).any(|w| w == b"\r\n") {
        b"\r\n"
    } else {
        b"\n"
    };
    let mut completed = text.to_vec();
    for _ in 0..2 {
        completed.extend_from_slice(line_end);
        if let httparse::Status::Complete(end) = parse(&completed).map_err(syntax)? {
            return finish(&completed, end);
        }
    }
    Err(ExchangeError::Incomplete { what })
}

fn copy_fields(headers: &[httparse::Header<'_>]) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect()
}

fn fields(raw: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, String)>, ExchangeError> {
    raw.into_iter()
        .map(|(name, value)| match String::from_utf8(value) {
            Ok(value) => Ok((name, value.trim_matches([' ', '\t']).to_owned())),
            Err(_) => Err(ExchangeError::HeaderNotUtf8 { name }),
        })
        .collect()
}

/// A body that would be read as JSON (a JSON `Content-Type`, or none) must not nest deeper than
/// [`MAX_JSON_DEPTH`]: say so now, naming the limit, rather than read it as text.
fn reject_too_deep(
    fields: &[(String, String)],
    body: &[u8],
    what: &'static str,
) -> Result<(), ExchangeError> {
    let content_type = fields
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.as_str());
    if content_type.is_none_or(is_json_media_type) && json_too_deep(body) {
        return Err(ExchangeError::JsonTooDeep {
            what,
            limit: MAX_JSON_DEPTH,
        });
    }
    Ok(())
}

fn reject_chunked(fields: &[(String, String)]) -> Result<(), ExchangeError> {
    let chunked = fields.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
    });
    if chunked {
        Err(ExchangeError::Unsupported(
            "a chunked body (give the body without chunk framing)",
        ))
    } else {
        Ok(())
    }
}

impl OwnedRequest {
    /// Parses a raw HTTP/1.1 request: request line, header fields, empty line, body.
    ///
    /// The URL is `scheme` + `://` + the `Host` header + the request target (or the target
    /// itself when it is absolute), so `POST /subscribe/myevent?queryUrl=…` with `Host:
    /// example.org` and scheme `https` is `https://example.org/subscribe/myevent?queryUrl=…`.
    ///
    /// ```
    /// use expr_eval::OwnedRequest;
    ///
    /// let request = OwnedRequest::parse_http1(b"\
    /// POST /subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning HTTP/1.1
    /// Host: example.org
    /// Content-Type: application/json
    ///
    /// {\"failedUrl\": \"https://clientdomain.com/failed\"}
    /// ", "https")?;
    /// assert_eq!(request.url(), "https://example.org/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning");
    /// assert_eq!(request.method(), "POST");
    /// # Ok::<(), expr_eval::ExchangeError>(())
    /// ```
    pub fn parse_http1(text: &[u8], scheme: &str) -> Result<Self, ExchangeError> {
        let text = skip_blank_lines(text);
        let mut method = String::new();
        let mut target = String::new();
        let mut parsed_fields = Vec::new();
        let body = parse_complete(
            text,
            "request",
            |buf| {
                let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut request = httparse::Request::new(&mut headers);
                let status = request.parse(buf)?;
                if status.is_complete() {
                    method = request.method.unwrap_or_default().to_owned();
                    target = request.path.unwrap_or_default().to_owned();
                    parsed_fields = copy_fields(request.headers);
                }
                Ok(status)
            },
            |buf, end| Ok(strip_final_line_end(&buf[end..]).to_vec()),
        )?;
        let parsed_fields = fields(parsed_fields)?;
        reject_chunked(&parsed_fields)?;
        reject_too_deep(&parsed_fields, &body, "request")?;
        let url = if target.starts_with('/') {
            let host = parsed_fields
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("host"))
                .map(|(_, value)| value.as_str())
                .filter(|host| !host.is_empty())
                .ok_or(ExchangeError::MissingHost)?;
            format!("{scheme}://{host}{target}")
        } else if target.contains("://") {
            target
        } else {
            return Err(ExchangeError::InvalidUrl {
                url: target,
                reason: "the request target is neither a path nor an absolute URL",
            });
        };
        OwnedRequest::from_parts(method, url, parsed_fields, body)
    }
}

impl OwnedResponse {
    /// Parses a raw HTTP/1.1 response: status line (`HTTP/1.1 201 Created`, or `201 Created` as
    /// the specification prints it), header fields, empty line, body.
    ///
    /// ```
    /// use expr_eval::OwnedResponse;
    /// let response = OwnedResponse::parse_http1(b"201 Created\nLocation: https://example.org/subscription/1\n")?;
    /// assert_eq!(response.status(), 201);
    /// assert_eq!(response.headers().next(), Some(("Location", "https://example.org/subscription/1")));
    /// # Ok::<(), expr_eval::ExchangeError>(())
    /// ```
    pub fn parse_http1(text: &[u8]) -> Result<Self, ExchangeError> {
        let text = skip_blank_lines(text);
        // `201 Created`: the status line without its version; give it one.
        let versioned;
        let text = if text.first().is_some_and(u8::is_ascii_digit) {
            versioned = [b"HTTP/1.1 ".as_slice(), text].concat();
            versioned.as_slice()
        } else {
            text
        };
        let mut code = 0;
        let mut parsed_fields = Vec::new();
        let body = parse_complete(
            text,
            "response",
            |buf| {
                let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut response = httparse::Response::new(&mut headers);
                let status = response.parse(buf)?;
                if status.is_complete() {
                    code = response.code.unwrap_or_default();
                    parsed_fields = copy_fields(response.headers);
                }
                Ok(status)
            },
            |buf, end| Ok(strip_final_line_end(&buf[end..]).to_vec()),
        )?;
        let parsed_fields = fields(parsed_fields)?;
        reject_chunked(&parsed_fields)?;
        reject_too_deep(&parsed_fields, &body, "response")?;
        OwnedResponse::from_parts(code, parsed_fields, body)
    }
}

impl OwnedExchange {
    /// Parses a raw HTTP/1.1 request and, optionally, its response; the request URL's scheme is
    /// `https` (use [`OwnedRequest::parse_http1`] for another).
    ///
    /// ```
    /// use expr_eval::{evaluate, OwnedExchange};
    /// use expr_grammar::Expression;
    ///
    /// let exchange = OwnedExchange::parse_http1(
    ///     b"GET /users/42 HTTP/1.1\r\nHost: api.example\r\n\r\n",
    ///     Some(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"uuid\": \"a-b-c\"}"),
    /// )?;
    /// let uuid = evaluate(&Expression::parse("$response.body#/uuid")?, &exchange)?;
    /// assert_eq!(uuid, "a-b-c");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse_http1(request: &[u8], response: Option<&[u8]>) -> Result<Self, ExchangeError> {
        let request = OwnedRequest::parse_http1(request, "https")?;
        let response = response.map(OwnedResponse::parse_http1).transpose()?;
        Ok(OwnedExchange { request, response })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{Body, Message};

    #[test]
    fn crlf_and_lf_give_the_same_request() {
        let lf = OwnedRequest::parse_http1(
            b"POST /a?b=c HTTP/1.1\nHost: h.example\nX-A: 1\n\nbody\n",
            "https",
        )
        .expect("lf");
        let crlf = OwnedRequest::parse_http1(
            b"POST /a?b=c HTTP/1.1\r\nHost: h.example\r\nX-A: 1\r\n\r\nbody\r\n",
            "https",
        )
        .expect("crlf");
        for request in [&lf, &crlf] {
            assert_eq!(request.url(), "https://h.example/a?b=c");
            assert_eq!(request.body(), Body::Text("body"));
            assert_eq!(request.headers().count(), 2);
        }
    }

    #[test]
    fn no_final_empty_line_and_leading_blank_lines() {
        let request =
            OwnedRequest::parse_http1(b"\n\nGET / HTTP/1.1\nHost: h", "http").expect("request");
        assert_eq!(request.url(), "http://h/");
        assert_eq!(request.body(), Body::Empty);
        let response = OwnedResponse::parse_http1(b"204 No Content").expect("response");
        assert_eq!(response.status(), 204);
        let response = OwnedResponse::parse_http1(b"HTTP/1.1 404\r\n").expect("no reason");
        assert_eq!(response.status(), 404);
    }

    #[test]
    fn absolute_target_is_the_url() {
        let request = OwnedRequest::parse_http1(
            b"GET http://proxy.example/x?y HTTP/1.1\nHost: other\n\n",
            "https",
        )
        .expect("abs");
        assert_eq!(request.url(), "http://proxy.example/x?y");
    }

    #[test]
    fn errors() {
        assert_eq!(
            OwnedRequest::parse_http1(b"GET /x HTTP/1.1\n\n", "https").expect_err("host"),
            ExchangeError::MissingHost
        );
        assert!(matches!(
            OwnedRequest::parse_http1(b"NOT A REQUEST\n\n", "https"),
            Err(ExchangeError::Syntax {
                what: "request",
                ..
            })
        ));
        assert!(matches!(
            OwnedRequest::parse_http1(b"OPTIONS * HTTP/1.1\nHost: h\n\n", "https"),
            Err(ExchangeError::InvalidUrl { .. })
        ));
        assert!(matches!(
            OwnedRequest::parse_http1(b"GET /x HTTP/1.1\nHost: h\nX: \xff\n\n", "https"),
            Err(ExchangeError::Syntax { .. } | ExchangeError::HeaderNotUtf8 { .. })
        ));
        assert!(matches!(
            OwnedRequest::parse_http1(
                b"POST /x HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n",
                "https"
            ),
            Err(ExchangeError::Unsupported(_))
        ));
        assert!(matches!(
            OwnedResponse::parse_http1(b"Created\n\n"),
            Err(ExchangeError::Syntax { .. })
        ));
        assert!(matches!(
            OwnedResponse::parse_http1(b""),
            Err(ExchangeError::Incomplete { .. } | ExchangeError::Syntax { .. })
        ));
    }

    #[test]
    fn json_body_under_text_plain_is_text() {
        let request = OwnedRequest::parse_http1(
            b"POST /x HTTP/1.1\nHost: h\nContent-Type: text/plain\n\n{\"a\": 1}\n",
            "https",
        )
        .expect("request");
        assert_eq!(request.body(), Body::Text("{\"a\": 1}"));
        let request =
            OwnedRequest::parse_http1(b"POST /x HTTP/1.1\nHost: h\n\n{\"a\": 1}\n", "https")
                .expect("request");
        assert!(matches!(request.body(), Body::Json(_)));
    }
}
