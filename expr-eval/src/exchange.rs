//! The exchange abstraction: what the evaluator reads from a request and its response.

/// A header field name to look up, as a runtime expression writes it (`content-Type`).
///
/// Matching is ASCII case-insensitive ([`FieldName::matches`]). A [`CompiledExpression`]
/// carries, with the `http` feature, a pre-built `http::HeaderName` so that
/// `HttpExchange` looks the header up without parsing the name again.
///
/// [`CompiledExpression`]: crate::CompiledExpression
///
/// ```
/// use expr_eval::FieldName;
/// let name = FieldName::new("content-Type");
/// assert!(name.matches("Content-Type"));
/// assert_eq!(name.as_str(), "content-Type");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FieldName<'n> {
    name: &'n str,
    #[cfg(feature = "http")]
    http: Option<&'n http::HeaderName>,
}

impl<'n> FieldName<'n> {
    /// A name to look up.
    pub const fn new(name: &'n str) -> Self {
        FieldName {
            name,
            #[cfg(feature = "http")]
            http: None,
        }
    }

    /// The name as the expression writes it (any case).
    pub const fn as_str(&self) -> &'n str {
        self.name
    }

    /// Whether a header field of a message has this name, ignoring ASCII case (RFC 9110 §5.1).
    pub fn matches(&self, field_name: &str) -> bool {
        self.name.eq_ignore_ascii_case(field_name)
    }

    /// The same name, with its pre-built `http::HeaderName` (which must be the same name).
    ///
    /// ```
    /// let header = http::HeaderName::from_static("x-request-id");
    /// let name = expr_eval::FieldName::new("X-Request-ID").with_http(&header);
    /// assert_eq!(name.http(), Some(&header));
    /// ```
    #[cfg(feature = "http")]
    pub fn with_http(self, name: &'n http::HeaderName) -> Self {
        FieldName {
            http: Some(name),
            ..self
        }
    }

    /// The pre-built `http::HeaderName`, when there is one.
    #[cfg(feature = "http")]
    pub fn http(&self) -> Option<&'n http::HeaderName> {
        self.http
    }
}

/// A message body as the evaluator sees it, borrowed from the message.
///
/// Adapters decide JSON with [`is_json_media_type`] on the `Content-Type` or, when there is none,
/// by whether the body parses as JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Body<'a> {
    /// No body, or an empty one.
    Empty,
    /// A JSON body, parsed.
    Json(&'a serde_json::Value),
    /// A body that is not JSON but is UTF-8 text.
    Text(&'a str),
    /// A body that is neither JSON nor UTF-8 text.
    Binary(&'a [u8]),
}

/// One HTTP message (a request or a response) as the evaluator reads it: header fields and body.
///
/// Implemented by [`OwnedRequest`](crate::OwnedRequest), [`OwnedResponse`](crate::OwnedResponse)
/// and, with the `http` feature, `HttpMessage`.
pub trait Message {
    /// The value of the first field called `name` (case-insensitively), as bytes; `None` when the
    /// message has no such field. A field that occurs more than once gives its first value
    /// (the specification's "single header values only").
    fn header(&self, name: FieldName<'_>) -> Option<&[u8]>;

    /// The body.
    fn body(&self) -> Body<'_>;

    /// Every header field in order, repeats included, when [`header`](Message::header) searches
    /// them one by one: a [`Session`](crate::Session) that looks up many headers then indexes
    /// them once instead of searching the list for each. The default, `None`, says that
    /// `header` is already fast (a hash map such as `http::HeaderMap`).
    ///
    /// ```
    /// use expr_eval::{Message, OwnedRequest};
    /// let request = OwnedRequest::new("GET", "https://h.example/")?.with_header("Accept", "*/*");
    /// let fields: Vec<_> = request.header_fields().expect("a list").collect();
    /// assert_eq!(fields, [("Accept", b"*/*".as_slice())]);
    /// # Ok::<(), expr_eval::ExchangeError>(())
    /// ```
    fn header_fields(&self) -> Option<HeaderFields<'_>> {
        None
    }

    /// The body when it is JSON ([`Body::Json`]); implementations may answer faster than
    /// [`body`](Message::body).
    #[inline]
    fn json(&self) -> Option<&serde_json::Value> {
        match self.body() {
            Body::Json(value) => Some(value),
            _ => None,
        }
    }
}

/// The header fields of a message, in order: `(name, value)` pairs, as
/// [`Message::header_fields`] lists them.
pub type HeaderFields<'a> = Box<dyn Iterator<Item = (&'a str, &'a [u8])> + 'a>;

/// A request, and optionally its response, as the evaluator reads them.
///
/// Implemented by [`OwnedExchange`](crate::OwnedExchange) (from an exchange file, a raw
/// HTTP/1.1 message or code) and, with the `http` feature, `HttpExchange`.
/// Implement it for your own server's types to evaluate without copying.
///
/// ```
/// use expr_eval::{evaluate, Exchange, OwnedExchange, OwnedRequest};
/// use expr_grammar::Expression;
///
/// fn callback_url<X: Exchange + ?Sized>(exchange: &X) -> Option<String> {
///     let expr = Expression::parse("$request.query.callbackUrl").ok()?;
///     evaluate(&expr, exchange).ok().map(|value| value.to_string())
/// }
///
/// let request = OwnedRequest::new("POST", "https://api.example/subscribe?callbackUrl=https://c.example")?;
/// assert_eq!(callback_url(&OwnedExchange::new(request)).as_deref(), Some("https://c.example"));
/// # Ok::<(), expr_eval::ExchangeError>(())
/// ```
pub trait Exchange {
    /// The request's view.
    type Request: Message + ?Sized;
    /// The response's view.
    type Response: Message + ?Sized;

    /// The request method as received (`POST`).
    fn method(&self) -> &str;

    /// The full request URL as received: scheme, authority, path and query. `None` when it cannot
    /// be known (a relative request target with no `Host`).
    fn url(&self) -> Option<&str>;

    /// The request path, still percent-encoded (`/v2/subscribe/my%20event`).
    fn path(&self) -> &str;

    /// The query string after `?` (without the `?` and without a fragment), still encoded; `None`
    /// when the URL has no `?`.
    fn query(&self) -> Option<&str>;

    /// The path template the request matched (`/subscribe/{eventType}`), if known. The evaluator
    /// matches it against the last segments of [`path`](Exchange::path).
    fn path_template(&self) -> Option<&str> {
        None
    }

    /// A path parameter given directly (already decoded), e.g. by a router; consulted before the
    /// template. The default has none.
    fn path_parameter(&self, name: &str) -> Option<&str> {
        let _ = name;
        None
    }

    /// Whether the exchange gives path parameters directly (so that a name it lacks, with no
    /// template to fall back on, is reported as "not present" rather than "no path template").
    fn has_path_parameters(&self) -> bool {
        false
    }

    /// The request.
    fn request(&self) -> &Self::Request;

    /// The response, if there is one.
    fn response(&self) -> Option<&Self::Response>;

    /// The response status code; `None` exactly when there is no response.
    fn status_code(&self) -> Option<u16>;
}

/// Whether a `Content-Type` value names JSON: `application/json` or any `type/subtype+json`,
/// parameters ignored, case-insensitive.
///
/// ```
/// use expr_eval::is_json_media_type;
/// assert!(is_json_media_type("application/json"));
/// assert!(is_json_media_type("Application/JSON; charset=utf-8"));
/// assert!(is_json_media_type("application/problem+json"));
/// assert!(is_json_media_type("application/vnd.api+json"));
/// assert!(!is_json_media_type("text/plain"));
/// assert!(!is_json_media_type("application/jsonx"));
/// assert!(!is_json_media_type("json"));
/// ```
pub fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim_matches([' ', '\t']);
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    if kind.is_empty() || subtype.is_empty() {
        return false;
    }
    if kind.eq_ignore_ascii_case("application") && subtype.eq_ignore_ascii_case("json") {
        return true;
    }
    let bytes = subtype.as_bytes();
    bytes.len() > 5 && bytes[bytes.len() - 5..].eq_ignore_ascii_case(b"+json")
}

/// What a body turned out to be, decided once; `Text` and `Binary` borrow the original bytes.
#[derive(Debug, Clone)]
pub(crate) enum Classified {
    Empty,
    Json(serde_json::Value),
    Text,
    Binary,
}

/// Decides what a body is: JSON when the content type says JSON (and it parses), or when there
/// is no content type and it parses as JSON; else text when UTF-8; else binary.
pub(crate) fn classify(content_type: Option<&[u8]>, bytes: &[u8]) -> Classified {
    if bytes.is_empty() {
        return Classified::Empty;
    }
    let try_json = match content_type {
        None => true,
        Some(ct) => std::str::from_utf8(ct).is_ok_and(is_json_media_type),
    };
    if try_json && let Ok(value) = serde_json::from_slice(bytes) {
        return Classified::Json(value);
    }
    if std::str::from_utf8(bytes).is_ok() {
        Classified::Text
    } else {
        Classified::Binary
    }
}

/// The [`Body`] for a classified body whose bytes are `bytes`.
#[inline]
pub(crate) fn body_view<'a>(classified: &'a Classified, bytes: &'a [u8]) -> Body<'a> {
    match classified {
        Classified::Empty => Body::Empty,
        Classified::Json(value) => Body::Json(value),
        Classified::Text => match std::str::from_utf8(bytes) {
            Ok(text) => Body::Text(text),
            Err(_) => Body::Binary(bytes),
        },
        Classified::Binary => Body::Binary(bytes),
    }
}
